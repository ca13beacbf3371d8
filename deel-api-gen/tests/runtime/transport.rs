//! What every request goes through: headers, credentials, retries, the 401 refresh.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use deel_api_gen::runtime::auth::{bearer, BoxFuture, Credentials};
use deel_api_gen::runtime::retry::RetryPolicy;
use deel_api_gen::runtime::{API_VERSION, USER_AGENT};
use deel_api_gen::Error;
use reqwest::header::HeaderValue;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{builder, client, session_body, session_json};

#[tokio::test]
async fn every_request_carries_the_token_the_version_and_the_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/wkr-1/session"))
        .and(header("authorization", "Bearer runtime-test-token"))
        .and(header("x-version", API_VERSION))
        .and(header("user-agent", USER_AGENT))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server).delete_worker_access_token("wkr-1").send().await;
    assert_eq!(response.map(|r| r.status().as_u16()).ok(), Some(204));
}

#[tokio::test]
async fn a_503_is_retried_until_it_succeeds_and_a_400_is_not() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(path("/rest/v2/workers/wkr-2/session"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"errors": [{"message": "bad id"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert!(client.delete_worker_access_token("wkr-1").send().await.is_ok(), "third attempt succeeds");
    assert!(
        matches!(client.delete_worker_access_token("wkr-2").send().await, Err(Error::Api(e)) if e.status == 400)
    );
    let sent = server.received_requests().await.unwrap_or_default();
    assert_eq!(sent.len(), 4, "three attempts for the 503s, one for the 400");
}

#[tokio::test]
async fn retries_stop_at_the_policy_and_report_the_last_status() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(502))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: std::time::Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client.delete_worker_access_token("wkr-1").send().await.err();
    assert_eq!(error.as_ref().and_then(Error::status), Some(502));
    assert!(error.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn a_post_without_an_idempotency_key_is_sent_once_and_with_one_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = client(&server);
    let _ = client.create_worker_access_token(session_body("p-1")).send().await;
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 1, "not retried without a key");
    let _ = client.create_worker_access_token(session_body("p-1")).idempotency_key("key-1").send().await;
    let sent = server.received_requests().await.unwrap_or_default();
    assert_eq!(sent.len(), 4, "then three attempts with the key");
    assert!(sent[1..].iter().all(|r| r.headers.get("idempotency-key").is_some_and(|k| k == "key-1")));
}

/// Credentials that hand out `old` until told it was refused, then `new`.
#[derive(Debug, Default)]
struct Rotating {
    refused: AtomicU32,
}

impl Credentials for Rotating {
    fn refreshable(&self) -> bool {
        true
    }

    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, Error>> {
        let token =
            if self.refused.load(Ordering::SeqCst) == 0 { "old-token-value" } else { "new-token-value" };
        Box::pin(async move { bearer(token) })
    }

    fn unauthorized<'a>(&'a self, _: &'a HeaderValue) -> BoxFuture<'a, Result<bool, Error>> {
        self.refused.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(true) })
    }
}

#[tokio::test]
async fn a_401_refreshes_the_credentials_once_and_sends_again() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer old-token-value"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer new-token-value"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session_json("worker-token-value")))
        .mount(&server)
        .await;
    let credentials = Arc::new(Rotating::default());
    let client = builder(&server).credentials(credentials.clone()).build().unwrap_or_else(|e| panic!("{e}"));
    let response = client.create_worker_access_token(session_body("p-1")).send().await;
    assert_eq!(response.map(|r| r.into_inner().data.token).ok().as_deref(), Some("worker-token-value"));
    assert_eq!(credentials.refused.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connection_refused_is_a_transport_error_after_the_retries() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let port = port.unwrap_or_else(|e| panic!("{e}"));
    let client = deel_api_gen::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .token("runtime-test-token")
        .retry(RetryPolicy { base_delay: std::time::Duration::from_millis(1), ..RetryPolicy::default() })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    match client.delete_worker_access_token("wkr-1").send().await {
        Err(e @ Error::Transport(_)) => assert!(e.is_retryable()),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// A stand-in that answers every connection with `reply` (raw bytes) and closes it.
async fn misbehaving(reply: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(reply).await;
            let _ = socket.shutdown().await;
        }
    });
    base
}

#[tokio::test]
async fn a_server_that_breaks_the_protocol_gives_typed_errors() {
    let cases: [(&str, &'static [u8]); 3] = [
        ("a body cut short", b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"data\": {\"tok"),
        ("not HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n"),
        ("a success that is not JSON", b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n<html>hi<"),
    ];
    for (what, reply) in cases {
        let client = deel_api_gen::Client::builder()
            .base_url(misbehaving(reply).await)
            .token("runtime-test-token")
            .retry(RetryPolicy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let outcome = client.create_worker_access_token(session_body("p-1")).send().await;
        match outcome {
            Err(Error::Transport(_) | Error::Decode(_)) => {}
            other => panic!("{what}: {other:?}"),
        }
    }
}
