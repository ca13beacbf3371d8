//! Error statuses become typed errors: the status's variant, Deel's messages and request id,
//! bounded excerpts of bodies in no known shape, and no credential in any text.

use deel_api_gen::runtime::MAX_ERROR_BODY;
use deel_api_gen::Error;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The error of `DELETE /workers/wkr-1/session` answered with `response`.
async fn error_for(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session")).respond_with(response).mount(&server).await;
    let client = deel_api_gen::Client::builder()
        .base_url(server.uri())
        .token("runtime-test-token")
        .retry(deel_api_gen::runtime::retry::RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    match client.delete_worker_access_token("wkr-1").send().await {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {}", r.status()),
    }
}

#[tokio::test]
async fn each_status_has_its_variant() {
    let body = serde_json::json!({ "errors": [{ "message": "no" }] });
    for (status, expected) in [
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not found"),
        (429, "rate limited"),
        (500, "api"),
        (302, "unexpected"),
    ] {
        let error = error_for(ResponseTemplate::new(status).set_body_json(&body)).await;
        let variant = match &error {
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not found",
            Error::RateLimited { .. } => "rate limited",
            Error::Api(_) => "api",
            Error::UnexpectedStatus { .. } => "unexpected",
            _ => "other",
        };
        assert_eq!((status, variant), (status, expected), "{error}");
        assert_eq!(error.status(), Some(status));
    }
}

#[tokio::test]
async fn deel_s_messages_request_id_and_retry_after_are_read() {
    let body = serde_json::json!({
        "request": { "api_req_id": "req-123" },
        "errors": [{ "message": "rate exceeded", "code": "too_many" }]
    });
    let error =
        error_for(ResponseTemplate::new(429).insert_header("retry-after", "7").set_body_json(body)).await;
    let Error::RateLimited { retry_after, error: api } = &error else { panic!("{error:?}") };
    assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)));
    assert_eq!(
        api.messages.first().map(|m| (m.message.as_str(), m.code.as_deref())),
        Some(("rate exceeded", Some("too_many")))
    );
    assert_eq!(error.request_id(), Some("req-123"));
}

#[tokio::test]
async fn a_body_in_no_known_shape_is_kept_as_a_bounded_excerpt() {
    let html = format!("<html>{}</html>", "proxy error ".repeat(20_000));
    let error = error_for(ResponseTemplate::new(502).set_body_string(html.clone())).await;
    let raw = error.api_error().and_then(|e| e.raw.clone()).unwrap_or_default();
    assert!(raw.starts_with("<html>proxy error"), "{raw}");
    assert!(raw.len() < 2_000, "an excerpt, not the body ({} bytes)", raw.len());
    assert!(html.len() > MAX_ERROR_BODY, "the body was larger than what is read");
    assert!(error.to_string().len() <= 1024 * 4, "Display is bounded");
}

#[tokio::test]
async fn malformed_json_in_an_error_body_is_still_a_typed_error() {
    let error = error_for(ResponseTemplate::new(400).set_body_string("{\"errors\": [")).await;
    assert_eq!(error.status(), Some(400));
    assert!(matches!(error, Error::Api(_)));
}

#[tokio::test]
async fn the_token_never_appears_in_an_error_that_echoes_it() {
    let echo = serde_json::json!({ "errors": [{ "message": "token runtime-test-token is not valid" }] });
    let error = error_for(ResponseTemplate::new(401).set_body_json(echo)).await;
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("runtime-test-token"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[tokio::test]
async fn a_request_id_header_is_used_when_the_body_has_none() {
    let error = error_for(ResponseTemplate::new(500).insert_header("x-request-id", "hdr-9")).await;
    assert_eq!(error.request_id(), Some("hdr-9"));
}
