//! A call still to come: nothing sent before it is awaited, typed errors for what cannot be
//! sent, and the untyped ways of reading a body.

use deel_api_gen::Error;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, session_body, session_json};

#[tokio::test]
async fn nothing_is_sent_until_the_call_is_awaited_and_it_can_run_on_another_task() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let pending = client(&server).delete_worker_access_token("wkr-1").send();
    tokio::task::yield_now().await;
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "sent before it was awaited");
    // `Pending` borrows nothing: it moves to another task and is awaited there.
    let status = tokio::spawn(pending).await.ok().and_then(Result::ok).map(|r| r.status().as_u16());
    assert_eq!(status, Some(204));
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 1);
}

#[tokio::test]
async fn a_path_parameter_that_would_change_the_endpoint_is_refused_before_sending() {
    let server = MockServer::start().await;
    // `..` would move the call to `/rest/v2/session`, an empty id to another route.
    for id in ["..", "", "."] {
        let outcome = client(&server).delete_worker_access_token(id).send().await;
        assert!(matches!(outcome, Err(Error::InvalidRequest(_))), "{id:?}: {outcome:?}");
    }
    // A slash inside a parameter is escaped: it stays one segment.
    Mock::given(path("/rest/v2/workers/a%2Fb/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    assert!(client(&server).delete_worker_access_token("a/b").send().await.is_ok());
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 1);
}

#[tokio::test]
async fn an_idempotency_key_longer_than_deel_allows_is_refused_before_sending() {
    let server = MockServer::start().await;
    let key = "k".repeat(65);
    let outcome =
        client(&server).create_worker_access_token(session_body("p-1")).idempotency_key(&key).send().await;
    match outcome {
        Err(Error::InvalidRequest(message)) => assert!(message.contains("64"), "{message}"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn a_base_url_that_is_not_one_is_refused_by_the_builder() {
    let built = deel_api_gen::Client::builder().base_url("not a base url").token("t").build();
    assert!(matches!(built, Err(Error::InvalidRequest(_))), "{built:?}");
}

#[tokio::test]
async fn a_body_is_readable_as_json_or_bytes_with_the_typed_call_s_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/session"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session_json("worker-token-value")))
        .mount(&server)
        .await;
    let client = client(&server);
    let json = client.create_worker_access_token(session_body("p-1")).send().json().await;
    let json = json.map(|r| r.into_inner()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json.pointer("/data/token").and_then(|t| t.as_str()), Some("worker-token-value"));
    let bytes = client.create_worker_access_token(session_body("p-1")).send().bytes().await;
    let bytes = bytes.map(|r| r.into_inner()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&bytes).ok(), Some(json));

    let missing = client.delete_worker_access_token("wkr-404").send().await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
}

#[tokio::test]
async fn per_call_options_reach_the_request() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let call = client(&server)
        .delete_worker_access_token("wkr-1")
        .header("x-trace", "abc")
        .timeout(std::time::Duration::from_secs(5));
    assert!(call.send().await.is_ok());
    let sent = server.received_requests().await.unwrap_or_default();
    assert_eq!(sent.first().and_then(|r| r.headers.get("x-trace")).map(|v| v.as_bytes()), Some(&b"abc"[..]));
}

#[tokio::test]
async fn a_call_slower_than_its_timeout_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(204).set_delay(std::time::Duration::from_millis(500)))
        .mount(&server)
        .await;
    let client = crate::builder(&server)
        .retry(deel_api_gen::runtime::retry::RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome =
        client.delete_worker_access_token("wkr-1").timeout(std::time::Duration::from_millis(50)).send().await;
    assert!(matches!(outcome, Err(Error::Timeout(_))), "{outcome:?}");
}
