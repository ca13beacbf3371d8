//! Every error body shape Deel declares decodes into the typed error; bad input never panics.

use crate::common;

use deel_api::{ApiError, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Answers `DELETE /rest/v2/workers/w/session` with `response` and returns the client's error.
async fn error_for(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w/session"))
        .respond_with(response)
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(deel_api::RetryPolicy::none()));
    match client.delete_worker_access_token("w").send().await {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

/// (message, code, field, path) of each message.
type Summary = Vec<(String, Option<String>, Option<String>, Option<String>)>;

fn summary(e: &ApiError) -> Summary {
    e.messages.iter().map(|m| (m.message.clone(), m.code.clone(), m.field.clone(), m.path.clone())).collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[tokio::test]
async fn api_error_container_with_request_id() {
    let body = json!({
        "request": { "method": "DELETE", "url": "/rest/v2/workers/w/session", "status": 400, "api_req_id": "req-abc", "docs": "d", "source": "s", "code": 400 },
        "errors": [{ "message": "profile is archived", "path": "data.profile_id" }]
    });
    let err = error_for(ResponseTemplate::new(400).set_body_json(body)).await;
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.request_id(), Some("req-abc"));
    assert_eq!(summary(api), vec![("profile is archived".into(), None, None, s("data.profile_id"))]);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn errors_with_code_and_field() {
    let body = json!({ "errors": [
        { "code": "invalid_value", "field": "start_date", "message": "must be in the future" },
        { "code": 42, "message": "second" }
    ] });
    let err = error_for(ResponseTemplate::new(422).set_body_json(body)).await;
    let api = err.api_error().cloned().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        summary(&api),
        vec![
            ("must be in the future".into(), s("invalid_value"), s("start_date"), None),
            ("second".into(), s("42"), None, None)
        ]
    );
}

#[tokio::test]
async fn error_as_a_string_and_as_an_object() {
    let err = error_for(ResponseTemplate::new(400).set_body_json(json!({ "error": "bad cursor" }))).await;
    assert_eq!(err.api_error().map(summary), Some(vec![("bad cursor".into(), None, None, None)]));
    let body = json!({ "error": { "code": "E_LOCKED", "message": "payroll is locked", "status": 409 } });
    let err = error_for(ResponseTemplate::new(409).set_body_json(body)).await;
    assert_eq!(
        err.api_error().map(summary),
        Some(vec![("payroll is locked".into(), s("E_LOCKED"), None, None)])
    );
}

#[tokio::test]
async fn scim_error() {
    let body = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "no such user", "status": "404", "scimType": "invalidValue" });
    let err = error_for(ResponseTemplate::new(404).set_body_json(body)).await;
    let Error::NotFound(api) = &err else { panic!("{err:?}") };
    assert_eq!(summary(api), vec![("no such user".into(), s("invalidValue"), None, None)]);
}

#[tokio::test]
async fn bare_arrays_top_level_messages_and_path_arrays() {
    let err = error_for(
        ResponseTemplate::new(400)
            .set_body_json(json!([{ "code": "x", "message": "one" }, { "message": "two" }])),
    )
    .await;
    assert_eq!(err.api_error().map(|e| e.messages.len()), Some(2));
    let err =
        error_for(ResponseTemplate::new(400).set_body_json(json!({ "message": "flat", "code": 7 }))).await;
    assert_eq!(err.api_error().map(summary), Some(vec![("flat".into(), s("7"), None, None)]));
    let body = json!({ "errors": [{ "message": "bad", "path": ["data", "items", 0, "amount"], "key": "k", "type": "t" }] });
    let err = error_for(ResponseTemplate::new(400).set_body_json(body)).await;
    assert_eq!(
        err.api_error().map(summary),
        Some(vec![("bad".into(), None, None, s("data.items.0.amount"))])
    );
    let body = json!({ "errors": { "message": "single object" } });
    let err = error_for(ResponseTemplate::new(400).set_body_json(body)).await;
    assert_eq!(err.api_error().map(summary), Some(vec![("single object".into(), None, None, None)]));
}

#[tokio::test]
async fn status_specific_variants() {
    assert!(matches!(error_for(ResponseTemplate::new(401)).await, Error::Unauthorized(_)));
    assert!(matches!(error_for(ResponseTemplate::new(403)).await, Error::Forbidden(_)));
    let err = error_for(ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    assert!(matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 7), "{err:?}");
    assert!(err.is_retryable());
    let err =
        error_for(ResponseTemplate::new(302).insert_header("location", "https://elsewhere.test/")).await;
    assert!(matches!(err, Error::UnexpectedStatus { status: 302, .. }), "{err:?}");
}

#[tokio::test]
async fn an_html_502_is_a_typed_error_with_a_bounded_excerpt() {
    let page = format!("<html><body>{}</body></html>", "Bad gateway. ".repeat(2000));
    let err = error_for(ResponseTemplate::new(502).set_body_string(page)).await;
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.status, 502);
    assert!(api.messages.is_empty());
    let raw = api.raw.clone().unwrap_or_default();
    assert!(raw.starts_with("<html><body>Bad gateway."), "{raw}");
    assert!(raw.chars().count() <= 513, "excerpt not bounded: {}", raw.len());
    assert!(err.is_retryable());
    assert!(err.to_string().len() < 1200);
}

#[tokio::test]
async fn an_oversized_error_body_is_not_buffered_whole() {
    let huge = vec![b'x'; 5 * 1024 * 1024];
    let err = error_for(ResponseTemplate::new(500).set_body_bytes(huge)).await;
    let raw = err.api_error().and_then(|e| e.raw.clone()).unwrap_or_default();
    assert!(raw.len() <= 600, "{}", raw.len());
}

#[tokio::test]
async fn a_success_body_that_does_not_match_is_a_decode_error_with_status_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{\"data\": {\"token\": 5"))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    let body = common::session_body("p");
    let err = client.create_worker_access_token(body.clone()).send().await.err();
    let Some(Error::Decode(decode)) = &err else { panic!("{err:?}") };
    assert_eq!(decode.status, 201);
    assert_eq!(decode.body(), b"{\"data\": {\"token\": 5");
    let text = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("not valid JSON"), "{text}");
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    // Bind and drop a listener so the port is known to be closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let client = common::build(
        deel_api::Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .rate_limit(None)
            .retry(deel_api::RetryPolicy::none()),
    );
    let err = client.delete_worker_access_token("w").send().await.err();
    assert!(matches!(err, Some(Error::Transport(_))), "{err:?}");
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204).set_delay(std::time::Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = common::build(
        common::builder(&server)
            .retry(deel_api::RetryPolicy::none())
            .timeout(std::time::Duration::from_millis(200)),
    );
    let started = std::time::Instant::now();
    let err = client.delete_worker_access_token("w").send().await.err();
    assert!(matches!(err, Some(Error::Timeout(_))), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn a_huge_mistyped_value_gives_a_bounded_decode_error() {
    let server = MockServer::start().await;
    let huge = "9".repeat(20 * 1024 * 1024);
    // `expires_at` is a date-time; twenty megabytes of digits in a string is not one.
    let body = format!("{{\"data\": {{\"token\": \"t\", \"expires_at\": \"{huge}\"}}}}");
    let length = body.len();
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string(body))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    let request = common::session_body("p");
    let err = client.create_worker_access_token(request.clone()).send().await.err();
    let (display, debug) = (err.as_ref().map(|e| e.to_string()).unwrap_or_default(), format!("{err:?}"));
    assert!(
        display.len() <= 1024 && debug.len() <= 1024,
        "display {} bytes, debug {} bytes",
        display.len(),
        debug.len()
    );
    let decode = err.as_ref().and_then(|e| e.decode_error()).unwrap_or_else(|| panic!("{display}"));
    assert_eq!(decode.pointer, "/data/expires_at");
    assert_eq!(decode.body().len(), length, "the body stays available, whole");
}

#[tokio::test]
async fn huge_error_messages_give_bounded_errors() {
    let server = MockServer::start().await;
    let huge = "x".repeat(60 * 1024);
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(json!({ "errors": vec![json!({ "message": huge }); 40] })),
        )
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    let err = client.delete_worker_access_token("w").send().await.err();
    let (display, debug) = (err.as_ref().map(|e| e.to_string()).unwrap_or_default(), format!("{err:?}"));
    assert!(display.len() <= 1100, "{}", display.len());
    assert!(debug.len() <= 4096, "{}", debug.len());
}

#[tokio::test]
async fn dot_segments_in_path_parameters_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    // (`%2e%2e` needs no refusal: the `%` is encoded, so it is no dot segment.)
    for value in ["..", ".", ""] {
        let err = client.delete_worker_access_token(value).send().await.err();
        assert!(
            matches!(err, Some(Error::InvalidRequest(_))),
            "delete_worker_access_token({value:?}): {err:?}"
        );
        let err = client.get_webhook(value).send().await.err();
        assert!(matches!(err, Some(Error::InvalidRequest(_))), "get_webhook({value:?}): {err:?}");
    }
    assert!(common::received(&server).await.is_empty(), "nothing may be sent");
    // Ordinary values, dots inside included, still go through.
    assert!(client.delete_worker_access_token("a.b..c").send().await.is_ok());
    assert_eq!(common::received(&server).await[0].url.path(), "/rest/v2/workers/a.b..c/session");
}
