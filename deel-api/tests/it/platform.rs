//! Deel's platform rules that its OpenAPI document does not carry, on the wire: each endpoint's
//! own version, idempotency as Deel defines it, clearing a field, following download links.

use std::time::Duration;

use deel_api::oauth::OAuthApp;
use deel_api::{Client, Environment, Error, IdempotencyKeys, Nullable, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;

fn fast_retries() -> RetryPolicy {
    RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(1), max_delay: Duration::from_secs(1) }
}

async fn answering(verb: &str, at: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb)).and(path(at)).respond_with(response).mount(&server).await;
    server
}

fn tags_page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": [], "has_more": false }))
}

// --- versions -----------------------------------------------------------------------------

#[tokio::test]
async fn each_operation_sends_its_own_version_and_pins_win_in_order() {
    let server = answering("GET", "/rest/v2/ats/tags", tags_page()).await;
    let client = common::build(common::builder(&server));
    // `list_tags` is dated 2026-02-27 in Deel's document: not the baseline.
    let _ = client.list_tags().send().await;
    // A per-call header reaches the wire unchanged.
    let _ = client.list_tags().header("x-version", "2026-06-01").send().await;
    // A client-wide pin wins over the operation's version, and a per-call header over the pin.
    let pinned = common::build(common::builder(&server).api_version("2026-01-01"));
    let _ = pinned.list_tags().send().await;
    let _ = pinned.list_tags().header("X-Version", "2026-06-01").send().await;
    let requests = common::received(&server).await;
    let sent: Vec<Option<&str>> = requests.iter().map(|r| common::header(r, "x-version")).collect();
    assert_eq!(sent, [Some("2026-02-27"), Some("2026-06-01"), Some("2026-01-01"), Some("2026-06-01")]);
}

#[tokio::test]
async fn a_deprecated_version_is_readable_from_the_response() {
    let server = answering(
        "GET",
        "/rest/v2/ats/tags",
        tags_page()
            .insert_header("deprecation", "@1798761600")
            .insert_header("sunset", "Mon, 01 Jan 2029 00:00:00 GMT"),
    )
    .await;
    let client = common::build(common::builder(&server));
    let response = client.list_tags().send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.lifecycle(),
        Some(deel_api::versioning::Lifecycle::Deprecated {
            sunset: Some("Mon, 01 Jan 2029 00:00:00 GMT".into())
        })
    );
    let stable = answering("GET", "/rest/v2/ats/tags", tags_page()).await;
    let client = common::build(common::builder(&stable));
    let response = client.list_tags().send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.lifecycle(), None);
}

// --- environments -------------------------------------------------------------------------

#[test]
fn each_environment_reaches_its_api_and_oauth_hosts() {
    let cases = [
        (Environment::Production, "https://api.letsdeel.com", "https://app.deel.com/oauth2/authorize"),
        (Environment::Sandbox, "https://api-sandbox.demo.deel.com", "https://demo.deel.com/oauth2/authorize"),
        (Environment::Demo, "https://api-staging.letsdeel.com", "https://demo.letsdeel.com/oauth2/authorize"),
    ];
    for (environment, api, authorize) in cases {
        let client = common::build(Client::builder().environment(environment.clone()).token("t"));
        assert_eq!(client.base_url(), api);
        assert_eq!(client.environment(), &environment);
        let app = OAuthApp::new("app-1", "not-a-secret", "https://example.test/cb")
            .with_environment(client.environment())
            .unwrap_or_else(|e| panic!("{e}"));
        let url = app.authorize_url(&["contracts:read"], "s").unwrap_or_default();
        assert!(url.starts_with(&format!("{authorize}?client_id=app-1")), "{environment:?}: {url}");
    }
    let custom = Environment::Custom("http://127.0.0.1:9".into());
    let app = OAuthApp::new("a", "b", "c").with_environment(&custom);
    assert!(matches!(app, Err(Error::InvalidRequest(_))), "a custom URL has no OAuth endpoints");
}

// --- idempotency --------------------------------------------------------------------------

fn session_created() -> ResponseTemplate {
    ResponseTemplate::new(201)
        .set_body_json(json!({ "data": { "token": "wt", "expires_at": "2030-01-01T00:00:00Z" } }))
}

#[tokio::test]
async fn keys_deel_would_not_honour_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = common::build(common::builder(&server));
    let long = "k".repeat(65);
    let sent =
        client.create_worker_access_token(common::session_body("p-1")).idempotency_key(&long).send().await;
    assert!(matches!(sent, Err(Error::InvalidRequest(ref m)) if m.contains("65 characters")), "{sent:?}");
    let sent = client.delete_worker_access_token("w-1").header("Idempotency-Key", "k-1").send().await;
    assert!(matches!(sent, Err(Error::InvalidRequest(ref m)) if m.contains("DELETE")), "{sent:?}");
    let sent = client.list_tags().header("idempotency-key", "k-2").send().await;
    assert!(matches!(sent, Err(Error::InvalidRequest(ref m)) if m.contains("GET")), "{sent:?}");
    assert!(common::received(&server).await.is_empty(), "nothing may reach Deel");
    let ok = "k".repeat(64);
    let server = answering("POST", "/rest/v2/workers/session", session_created()).await;
    let client = common::build(common::builder(&server));
    let sent =
        client.create_worker_access_token(common::session_body("p-1")).idempotency_key(&ok).send().await;
    assert!(sent.is_ok(), "64 characters are accepted: {sent:?}");
}

#[tokio::test]
async fn a_replayed_response_says_so() {
    let server = answering(
        "POST",
        "/rest/v2/workers/session",
        session_created().insert_header("x-original-request-id", "req-first-1"),
    )
    .await;
    let client = common::build(common::builder(&server));
    let response = client
        .create_worker_access_token(common::session_body("p-1"))
        .idempotency_key("job-42")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.replayed());
    assert_eq!(response.original_request_id(), Some("req-first-1"));
    let fresh = answering("POST", "/rest/v2/workers/session", session_created()).await;
    let client = common::build(common::builder(&fresh));
    let response = client.create_worker_access_token(common::session_body("p-1")).send().await;
    assert!(!response.unwrap_or_else(|e| panic!("{e}")).replayed());
}

fn conflict() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", "0")
        .set_body_json(json!({ "error": "Request conflict detected. Try again in sometime" }))
}

#[tokio::test]
async fn a_key_conflict_is_retried_with_the_same_key_then_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(conflict()).up_to_n_times(2).mount(&server).await;
    Mock::given(method("POST")).respond_with(session_created()).mount(&server).await;
    let client = common::build(common::builder(&server).retry(fast_retries()).idempotency_keys(true));
    let sent = client.create_worker_access_token(common::session_body("p-1")).send().await;
    assert!(sent.is_ok(), "{sent:?}");
    let keys: Vec<String> = common::received(&server)
        .await
        .iter()
        .filter_map(|r| common::header(r, "idempotency-key").map(String::from))
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| *k == keys[0]), "one key across the retries: {keys:?}");

    let busy = answering("POST", "/rest/v2/workers/session", conflict()).await;
    let client = common::build(common::builder(&busy).retry(fast_retries()));
    let sent =
        client.create_worker_access_token(common::session_body("p-1")).idempotency_key("job-7").send().await;
    match sent {
        Err(e @ Error::IdempotencyConflict { .. }) => {
            assert!(e.is_retryable() && e.status() == Some(429));
            assert!(e.to_string().contains("idempotency key in use"), "{e}");
        }
        other => panic!("expected a key conflict, got {other:?}"),
    }
    assert_eq!(common::received(&busy).await.len(), 3);

    // A 429 that is the rate limit stays one.
    let limited = answering(
        "POST",
        "/rest/v2/workers/session",
        ResponseTemplate::new(429).set_body_json(json!({ "error": "Rate limit exceeded", "status": 429 })),
    )
    .await;
    let client = common::build(common::builder(&limited).retry(RetryPolicy::none()));
    let sent =
        client.create_worker_access_token(common::session_body("p-1")).idempotency_key("job-8").send().await;
    assert!(matches!(sent, Err(Error::RateLimited { .. })), "{sent:?}");
}

#[tokio::test]
async fn derived_keys_are_equal_for_equal_requests_across_clients_and_differ_for_other_bodies() {
    let server = answering("POST", "/rest/v2/workers/session", session_created()).await;
    // Two clients, as a job before and after a crash.
    for _ in 0..2 {
        let client = common::build(
            common::builder(&server).idempotency_keys(IdempotencyKeys::derived("payroll-sync")),
        );
        let sent = client.create_worker_access_token(common::session_body("p-1")).send().await;
        assert!(sent.is_ok(), "{sent:?}");
    }
    let client =
        common::build(common::builder(&server).idempotency_keys(IdempotencyKeys::derived("payroll-sync")));
    let _ = client.create_worker_access_token(common::session_body("p-2")).send().await;
    // A key of the call's own wins over a derived one.
    let _ =
        client.create_worker_access_token(common::session_body("p-1")).idempotency_key("mine").send().await;
    let keys: Vec<String> = common::received(&server)
        .await
        .iter()
        .map(|r| common::header(r, "idempotency-key").unwrap_or_default().to_string())
        .collect();
    assert_eq!(keys[0], keys[1], "the same request after a crash carries the same key");
    assert_ne!(keys[0], keys[2], "another body, another key");
    assert_eq!(keys[3], "mine");
}

// --- clearing a field ---------------------------------------------------------------------

fn eor_update(end_date: Nullable<chrono::NaiveDate>) -> deel_api::types::UpdateEorContractRequest {
    // Request types read from JSON with the `testing` feature (fixtures); the required fields here
    // are ours.
    let mut data: deel_api::types::UpdateEorContractInput = serde_json::from_value(json!({
        "employee_email": "worker@example.com", "employee_first_name": "Ada", "employee_last_name": "Byron",
        "employment_country": "PT", "employment_type": "Full-time", "job_title": "Engineer",
        "salary": 50000, "start_date": "2027-01-04"
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    data.end_date = end_date;
    deel_api::types::UpdateEorContractRequest { data }
}

#[tokio::test]
async fn a_patch_clears_a_nullable_field_with_null_and_leaves_it_by_leaving_it_out() {
    let server =
        answering("PATCH", "/rest/v2/eor/contract/c-1", ResponseTemplate::new(200).set_body_json(json!({})))
            .await;
    let client = common::build(common::builder(&server));
    let date = chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap_or_default();
    for end_date in [Nullable::Null, Nullable::Absent, Nullable::Value(date)] {
        let _ = client.update_eor_contract("c-1", eor_update(end_date)).send().await.map(|_| ());
    }
    let bodies: Vec<Value> = common::received(&server)
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[0]["data"].get("end_date"), Some(&Value::Null), "cleared: sent as null");
    assert_eq!(bodies[1]["data"].get("end_date"), None, "left: not sent");
    assert_eq!(bodies[2]["data"]["end_date"], json!("2027-06-30"));
    assert_eq!(bodies[1]["data"]["job_title"], json!("Engineer"));
}

// --- downloads ----------------------------------------------------------------------------

/// A stand-in for Deel answering with a link to `storage`, and the storage host.
async fn deel_linking_to(storage: &MockServer, file: &str) -> MockServer {
    let link = format!("{}{file}?X-Amz-Signature=sig-SECRET-9", storage.uri());
    answering(
        "GET",
        "/rest/v2/invoices/inv-1/download",
        ResponseTemplate::new(200)
            .set_body_json(json!({ "data": { "url": link, "expires_at": "2030-01-01T00:00:00Z" } })),
    )
    .await
}

#[tokio::test]
async fn a_download_follows_the_link_without_deels_token_or_headers() {
    let storage = answering(
        "GET",
        "/files/inv-1.pdf",
        ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.7 ours".to_vec()),
    )
    .await;
    let deel = deel_linking_to(&storage, "/files/inv-1.pdf").await;
    let client = common::build(common::builder(&deel));
    let file = client.get_billing_invoice_download_link("inv-1").download().bytes().await;
    assert_eq!(file.map(|b| b.to_vec()).ok(), Some(b"%PDF-1.7 ours".to_vec()));
    let fetched = common::received(&storage).await;
    assert_eq!(fetched.len(), 1);
    for name in ["authorization", "x-version", "x-beta", "idempotency-key"] {
        assert_eq!(common::header(&fetched[0], name), None, "{name} sent to the storage host");
    }
    assert_eq!(
        common::header(&common::received(&deel).await[0], "authorization"),
        Some("Bearer test-token-not-secret-0")
    );

    // Into a writer, as it arrives.
    let mut out = Vec::new();
    let written = client.get_billing_invoice_download_link("inv-1").download().to_writer(&mut out).await;
    assert_eq!((written.ok(), out.as_slice()), (Some(13), b"%PDF-1.7 ours".as_slice()));
}

#[tokio::test]
async fn an_expired_link_is_asked_for_once_more() {
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403))
        .up_to_n_times(1)
        .mount(&storage)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"ok".to_vec()))
        .mount(&storage)
        .await;
    let deel = deel_linking_to(&storage, "/files/a.pdf").await;
    let client = common::build(common::builder(&deel));
    let file = client.get_billing_invoice_download_link("inv-1").download().bytes().await;
    assert_eq!(file.map(|b| b.to_vec()).ok(), Some(b"ok".to_vec()));
    assert_eq!(common::received(&deel).await.len(), 2, "Deel was asked for a fresh link once");

    // Refused twice: an error naming the status, never the link.
    let refusing = answering("GET", "/files/a.pdf", ResponseTemplate::new(403)).await;
    let deel = deel_linking_to(&refusing, "/files/a.pdf").await;
    let client = common::build(common::builder(&deel));
    let err = client.get_billing_invoice_download_link("inv-1").download().bytes().await.err();
    let err = err.unwrap_or_else(|| panic!("a refused link fails"));
    assert!(matches!(err, Error::Download { status: Some(403), .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("SECRET"), "the link leaked: {err}");
    assert_eq!(common::received(&deel).await.len(), 2);
}

#[tokio::test]
async fn downloads_are_bounded_and_follow_no_plain_http_redirect() {
    let storage =
        answering("GET", "/files/big.bin", ResponseTemplate::new(200).set_body_bytes(vec![7u8; 4096])).await;
    let deel = deel_linking_to(&storage, "/files/big.bin").await;
    let client = common::build(common::builder(&deel));
    let err =
        client.get_billing_invoice_download_link("inv-1").download().max_bytes(1024).bytes().await.err();
    assert!(
        matches!(err, Some(Error::Download { ref message, .. }) if message.contains("1024 bytes")),
        "{err:?}"
    );

    let moving = answering(
        "GET",
        "/files/moved.pdf",
        ResponseTemplate::new(302).insert_header("location", "http://files.example.com/x.pdf"),
    )
    .await;
    let deel = deel_linking_to(&moving, "/files/moved.pdf").await;
    let client = common::build(common::builder(&deel));
    let err = client.get_billing_invoice_download_link("inv-1").download().bytes().await.err();
    assert!(
        matches!(err, Some(Error::Download { ref message, .. }) if message.contains("not https")),
        "{err:?}"
    );

    let remote_http = answering(
        "GET",
        "/rest/v2/invoices/inv-1/download",
        ResponseTemplate::new(200)
            .set_body_json(json!({ "data": { "url": "http://files.example.com/x.pdf" } })),
    )
    .await;
    let client = common::build(common::builder(&remote_http));
    let err = client.get_billing_invoice_download_link("inv-1").download().bytes().await.err();
    assert!(
        matches!(err, Some(Error::Download { ref message, .. }) if message.contains("not https")),
        "{err:?}"
    );
}
