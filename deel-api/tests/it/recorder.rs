//! The recorder (`testing` feature) against a local server standing in for Deel: calls pass
//! through unchanged, and the fixtures it writes carry no secret.

use deel_api::testing::{Fixture, Recorder, ReplayServer};
use deel_api::{Client, Environment};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_TOKEN: &str = "live-api-token-4f9a2c7e";
const WORKER_TOKEN: &str = "wt-live-8d1e5b3a";
const SECRETS: &[&str] =
    &[API_TOKEN, WORKER_TOKEN, "sess=c00kie", "oauth-access-77", "oauth-refresh-88", "whsec-99"];

async fn upstream() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("set-cookie", "sess=c00kie")
                .insert_header("x-request-id", "req-1")
                .set_body_json(
                    json!({ "data": { "token": WORKER_TOKEN, "expires_at": "2026-11-29T12:00:00Z" } }),
                ),
        )
        .mount(&server)
        .await;
    // Secrets in other shapes: OAuth tokens, a webhook signing key, the caller's own token echoed.
    Mock::given(method("GET"))
        .and(path("/rest/v2/webhooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "wh-1", "signing_key": "whsec-99", "note": format!("called with {API_TOKEN}") }],
            "oauth": { "access_token": "oauth-access-77", "refresh_token": "oauth-refresh-88", "expires_in": 3600 }
        })))
        .mount(&server)
        .await;
    server
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("deel-recorder-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A client calling through `recorder` with the test's token.
fn through(recorder: &Recorder) -> Client {
    Client::builder()
        .environment(recorder.environment())
        .rate_limit(None)
        .token(API_TOKEN)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn calls_pass_through_and_fixtures_are_written_without_secrets() {
    let upstream = upstream().await;
    let dir = temp_dir("scrub");
    let recorder =
        Recorder::start(&Environment::Custom(upstream.uri()), &dir).await.unwrap_or_else(|e| panic!("{e}"));
    let client = through(&recorder);

    let body = crate::common::session_body("prf-ada");
    let created =
        client.create_worker_access_token(body.clone()).send().await.unwrap_or_else(|e| panic!("{e}"));
    // The caller gets the real answer; only the recording is scrubbed.
    assert_eq!(created.into_inner().data.token, WORKER_TOKEN);
    // The stand-in's body is not a webhook list, so this call fails to decode; what matters here
    // is what the recorder writes.
    let _ = client.get_webhooks().send().await;

    // The upstream saw the caller's credentials.
    let seen = upstream.received_requests().await.unwrap_or_default();
    let auth = seen[0].headers.get("authorization").and_then(|v| v.to_str().ok());
    assert_eq!(auth, Some(format!("Bearer {API_TOKEN}").as_str()));

    let written = recorder.written();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(recorder.failures().is_empty(), "{:?}", recorder.failures());
    for file in &written {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        for secret in SECRETS {
            assert!(!text.contains(secret), "{} carries `{secret}`:\n{text}", file.display());
        }
        assert!(!text.to_ascii_lowercase().contains("authorization"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    let fixtures = Fixture::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let session = &fixtures[0];
    assert_eq!(session.name, "0001-post-rest-v2-workers-session.json");
    assert_eq!(session.request.method, "POST");
    assert_eq!(session.request.body, Some(json!({ "data": { "profile_id": "prf-ada" } })));
    assert_eq!(session.request.headers.get("x-version").map(String::as_str), Some("2026-01-01"));
    assert_eq!(session.response.status, 201);
    assert_eq!(session.response.headers.get("x-request-id").map(String::as_str), Some("req-1"));
    assert!(!session.response.headers.contains_key("set-cookie"));
    assert_eq!(
        session.response.body,
        Some(json!({ "data": { "token": "<redacted>", "expires_at": "2026-11-29T12:00:00Z" } }))
    );
    let hooks = fixtures[1].response.body.clone().unwrap_or_default();
    assert_eq!(hooks["data"][0]["note"], json!("called with <redacted>"));
    assert_eq!(hooks["oauth"]["expires_in"], json!(3600));

    // What was recorded replays.
    let replay = ReplayServer::from_dir(&dir).await.unwrap_or_else(|e| panic!("{e}"));
    let offline = Client::builder()
        .environment(replay.environment())
        .rate_limit(None)
        .token("x")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let again =
        offline.create_worker_access_token(body.clone()).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.into_inner().data.token, "<redacted>");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_and_a_recorded_failure() {
    let dir = temp_dir("down");
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let port = port.unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&Environment::Custom(format!("http://127.0.0.1:{port}")), &dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = Client::builder()
        .environment(recorder.environment())
        .rate_limit(None)
        .retry(deel_api::RetryPolicy::none())
        .token(API_TOKEN)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(client.get_webhooks().send().await.is_err());
    assert_eq!(recorder.written().len(), 0);
    let failures = recorder.failures();
    assert_eq!(failures.len(), 1);
    assert!(!failures[0].contains(API_TOKEN), "{}", failures[0]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A worker's bank accounts, in a body of our own: personal values at three depths.
async fn upstream_with_personal_data() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/gp/workers/w-1/banks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [{
            "id": "bank-1", "full_name": "Ada Byron", "iban": "PT50000201231234567890154",
            "account_number": "ACCT-0042-77", "address_line1": "Rua do Ouro 101",
            "postal": "1100-060", "currency_code": "EUR",
            "holder": { "date_of_birth": "1815-12-10", "phone": "+351910000042", "salary": 85000 }
        }] })))
        .mount(&server)
        .await;
    server
}

const PERSONAL: &[&str] = &[
    "PT50000201231234567890154",
    "ACCT-0042-77",
    "Rua do Ouro 101",
    "1100-060",
    "1815-12-10",
    "+351910000042",
    "85000",
];

async fn record_banks(keep: bool) -> String {
    let upstream = upstream_with_personal_data().await;
    let dir = temp_dir(if keep { "personal-kept" } else { "personal" });
    let recorder = Recorder::start(&Environment::Custom(upstream.uri()), &dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .keep_personal_data(keep);
    let client = through(&recorder);
    let banks = client.get_gp_worker_banks("w-1").send().await.unwrap_or_else(|e| panic!("{e}"));
    // The caller gets the real values.
    assert_eq!(banks.data[0].iban.as_deref(), Some("PT50000201231234567890154"));
    let written = recorder.written();
    assert_eq!(written.len(), 1, "{written:?}");
    std::fs::read_to_string(&written[0]).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn fixtures_carry_placeholders_for_personal_data_unless_told_to_keep_it() {
    let text = record_banks(false).await;
    for value in PERSONAL {
        assert!(!text.contains(value), "`{value}` recorded:\n{text}");
    }
    let fixture: Fixture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let bank = &fixture.response.body.as_ref().unwrap_or_else(|| panic!("a body"))["data"][0];
    // Same JSON types and shapes; what is not personal is kept.
    assert_eq!(bank["full_name"], json!("Ada Byron"));
    assert_eq!(bank["currency_code"], json!("EUR"));
    assert_eq!(bank["iban"].as_str().map(str::len), Some(25));
    assert!(bank["holder"]["salary"].is_u64(), "{bank}");
    assert!(chrono::NaiveDate::parse_from_str(
        bank["holder"]["date_of_birth"].as_str().unwrap_or(""),
        "%Y-%m-%d"
    )
    .is_ok());
    // And the fixture still replays through the typed client.
    let server = ReplayServer::start(vec![fixture]).await.unwrap_or_else(|e| panic!("{e}"));
    let client = crate::common::build(crate::common::replay_builder(&server));
    let replayed = client.get_gp_worker_banks("w-1").send().await;
    assert!(replayed.is_ok(), "{replayed:?}");

    let kept = record_banks(true).await;
    assert!(PERSONAL.iter().all(|v| kept.contains(v)), "{kept}");
}
