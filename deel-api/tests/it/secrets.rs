//! Secrets never reach Debug output, errors or logs.

use crate::common;

use std::sync::Arc;

use deel_api::clock::SystemClock;
use deel_api::oauth::{OAuthApp, OAuthTokens};
use deel_api::{ApiToken, Client, WorkerToken};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-7f3a9c";

#[tokio::test]
async fn debug_output_of_client_token_error_and_worker_token_has_no_secret() {
    let server = MockServer::start().await;
    // An error body that echoes nothing secret, but whose request carried the token.
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(401).set_body_string("{\"error\":\"invalid token\"}"))
        .mount(&server)
        .await;
    let client = common::build(Client::builder().base_url(server.uri()).rate_limit(None).token(TOKEN));
    let err = client.delete_worker_access_token("w").send().await.err();
    let worker = WorkerToken::new(TOKEN, chrono::Utc::now(), Arc::new(SystemClock));
    let oauth = OAuthTokens::new(TOKEN, TOKEN, chrono::Utc::now());
    let app = OAuthApp::new("cid", TOKEN, "https://cb.example.test");
    for text in [
        format!("{client:?}"),
        format!("{:?}", ApiToken::new(TOKEN)),
        format!("{err:?}"),
        err.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        format!("{worker:?}"),
        format!("{oauth:?}"),
        format!("{app:?}"),
        format!("{:?}", Client::builder().token(TOKEN)),
    ] {
        assert!(!text.contains("SECRET"), "secret in: {text}");
    }
    assert!(format!("{err:?}").contains("invalid token"), "the error itself should still be useful");
}

/// Every text an error gives, for a secrets check.
fn texts(err: &Option<deel_api::Error>) -> String {
    format!("{err:?} {}", err.as_ref().map(|e| e.to_string()).unwrap_or_default())
}

#[tokio::test]
async fn error_bodies_that_echo_the_bearer_token_are_scrubbed() {
    for status in [401, 403, 500] {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(move |r: &wiremock::Request| {
                let auth = common::header(r, "authorization").unwrap_or_default().to_string();
                let token = auth.trim_start_matches("Bearer ").to_string();
                ResponseTemplate::new(status).set_body_json(serde_json::json!({
                    "errors": [{ "message": format!("token {token} is not valid"), "field": auth }],
                    "request": { "api_req_id": "req-1" }
                }))
            })
            .mount(&server)
            .await;
        let client = common::build(
            Client::builder()
                .base_url(server.uri())
                .rate_limit(None)
                .retry(deel_api::RetryPolicy::none())
                .token(TOKEN),
        );
        let err = client.delete_worker_access_token("w").send().await.err();
        let text = texts(&err);
        assert!(!text.contains("SECRET"), "{status}: secret in {text}");
        assert!(text.contains("is not valid"), "{status}: the message is kept: {text}");
        assert_eq!(err.and_then(|e| e.status()), Some(status));
    }
}

#[tokio::test]
async fn an_unknown_error_shape_has_its_secret_fields_redacted_at_any_depth() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "oops": { "nested": [{ "access_token": "at-SECRET-1", "password": "pw-SECRET-2" }] },
            "hint": "Bearer other-SECRET-3 was rejected"
        })))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(deel_api::RetryPolicy::none()));
    let err = client.delete_worker_access_token("w").send().await.err();
    let text = texts(&err);
    assert!(!text.contains("SECRET"), "secret in {text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[tokio::test]
async fn a_seed_response_that_fails_to_decode_does_not_quote_the_worker_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({ "data": { "token": "wt-SECRET-9", "expires_at": "not a time" } }),
        ))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    let body = common::session_body("p");
    let err = client.create_worker_access_token(body.clone()).send().await.err();
    let text = texts(&err);
    assert!(!text.contains("SECRET"), "secret in {text}");
    assert!(text.contains("/data/expires_at"), "the error says where: {text}");
}

#[test]
fn the_generated_seed_response_redacts_its_token_in_debug() {
    let data =
        deel_api::types::WorkerAccessToken { expires_at: chrono::Utc::now(), token: "wt-SECRET-5".into() };
    let text = format!("{data:?}");
    assert!(!text.contains("SECRET"), "{text}");
    assert!(text.contains("token: \"<redacted>\"") && text.contains("expires_at"), "{text}");
}

#[tokio::test]
async fn a_worker_session_error_echoing_the_worker_token_is_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({ "data": { "token": "wt-SECRET-4", "expires_at": "2099-01-01T00:00:00Z" } }),
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(serde_json::json!({ "error": "wt-SECRET-4 may not do this" })),
        )
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(deel_api::RetryPolicy::none()));
    let sessions = deel_api::WorkerSessions::new(&client);
    let err = sessions.client_for("prof-1").delete_worker_access_token("w").send().await.err();
    let text = texts(&err);
    assert!(!text.contains("SECRET"), "secret in {text}");
    assert_eq!(err.and_then(|e| e.status()), Some(403));
}

/// A fixture's response body with our own personal values placed at `(pointer, value)`.
fn body_with(fixture: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let path = format!("{}/fixtures/operations/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut body = fixture["response"]["body"].clone();
    for (pointer, value) in values {
        *body.pointer_mut(pointer).unwrap_or_else(|| panic!("{fixture} has no {pointer}")) =
            serde_json::json!(value);
    }
    body.to_string().into_bytes()
}

fn decoded<T: serde::de::DeserializeOwned + for<'de> deel_api::Lenient<'de>>(body: Vec<u8>) -> T {
    deel_api::decode::<T>(200, body, deel_api::DecodeMode::Strict).unwrap_or_else(|e| panic!("{e}")).0
}

#[test]
fn personal_data_never_reaches_debug_output_at_any_depth_but_stays_readable() {
    use deel_api::types::{GetContractResponse, GetItOrderByIdResponse, GpWorkerBankList};
    // A worker's delivery and home address (two and three levels down), a contract's pay, and a
    // list of bank accounts.
    let order: GetItOrderByIdResponse = decoded(body_with(
        "orders/get_it_order_by_id.json",
        &[
            ("/data/delivery_address/date_of_birth", "1985-03-14"),
            ("/data/delivery_address/passport_number", "PASS-SENTINEL-41"),
            ("/data/delivery_address/phone_number", "+3519000SENTINEL"),
            ("/data/user/address/passport_number", "PASS-SENTINEL-42"),
        ],
    ));
    let contract: GetContractResponse = decoded(body_with(
        "contracts/get_contract.json",
        &[
            ("/data/compensation_details/gross_annual_salary", "123456.78"),
            ("/data/worker/date_of_birth", "1979-11-02"),
        ],
    ));
    let banks: GpWorkerBankList = decoded(body_with(
        "worker-information/get_gp_worker_banks.json",
        &[
            ("/data/0/iban", "PT50SENTINEL0000000000001"),
            ("/data/0/account_number", "ACCT-SENTINEL-9"),
            ("/data/0/address_line1", "Rua do SENTINEL 7"),
        ],
    ));
    let sentinels = [
        "1985-03-14",
        "PASS-SENTINEL-41",
        "SENTINEL",
        "PASS-SENTINEL-42",
        "123456.78",
        "1979-11-02",
        "PT50SENTINEL",
        "ACCT-SENTINEL-9",
        "Rua do SENTINEL",
    ];
    for text in [format!("{order:?}"), format!("{contract:?}"), format!("{banks:?}"), format!("{order:#?}")] {
        for value in sentinels {
            assert!(!text.contains(value), "{value} in Debug output: {text}");
        }
        assert!(text.contains("<redacted>"), "{text}");
    }
    // The values themselves are untouched, through the fields and through Serialize.
    assert_eq!(banks.data[0].iban.as_deref(), Some("PT50SENTINEL0000000000001"));
    let pay = contract.data.compensation_details.as_ref().and_then(|c| c.gross_annual_salary.as_deref());
    assert_eq!(pay, Some("123456.78"));
    let again = serde_json::to_string(&order).unwrap_or_default();
    assert!(again.contains("PASS-SENTINEL-41") && again.contains("1985-03-14"), "{again}");
}
