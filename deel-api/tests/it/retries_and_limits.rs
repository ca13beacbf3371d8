//! Retries, idempotency keys and the client-side rate limit, observed at a local server.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use deel_api::{types, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers from a fixed sequence, then repeats the last answer.
struct Sequence {
    answers: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        self.answers[i.min(self.answers.len() - 1)].clone()
    }
}

fn sequence(answers: Vec<ResponseTemplate>) -> Sequence {
    Sequence { answers, next: AtomicUsize::new(0) }
}

fn session_ok() -> ResponseTemplate {
    ResponseTemplate::new(201)
        .set_body_json(json!({ "data": { "token": "wt-1", "expires_at": "2026-11-29T00:00:00Z" } }))
}

fn session_body() -> types::CreateWorkerAccessTokenRequest {
    common::session_body("p-1")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(10), max_delay: Duration::from_secs(5) }
}

#[tokio::test]
async fn a_429_with_retry_after_waits_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w/session"))
        .respond_with(sequence(vec![
            ResponseTemplate::new(429).insert_header("retry-after", "1"),
            ResponseTemplate::new(204),
        ]))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(fast_retries()));
    let started = Instant::now();
    let sent = client.delete_worker_access_token("w").send().await;
    let waited = started.elapsed();
    assert!(sent.is_ok(), "{:?}", sent.err());
    assert_eq!(common::received(&server).await.len(), 2);
    assert!(waited >= Duration::from_millis(950), "did not honour Retry-After: {waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn gets_and_deletes_are_retried_on_gateway_errors_up_to_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w/session"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(fast_retries()));
    let err = client.delete_worker_access_token("w").send().await.err();
    assert!(matches!(err, Some(Error::Api(ref e)) if e.status == 503), "{err:?}");
    assert_eq!(common::received(&server).await.len(), 3);
}

#[tokio::test]
async fn a_post_without_an_idempotency_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(sequence(vec![ResponseTemplate::new(503), session_ok()]))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(fast_retries()));
    let err = client.create_worker_access_token(session_body()).send().await.err();
    assert!(matches!(err, Some(Error::Api(ref e)) if e.status == 503), "{err:?}");
    let requests = common::received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(common::header(&requests[0], "idempotency-key"), None);
}

#[tokio::test]
async fn a_post_with_a_generated_key_is_retried_with_the_same_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(sequence(vec![ResponseTemplate::new(503), ResponseTemplate::new(502), session_ok()]))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(fast_retries()).idempotency_keys(true));
    let sent = client.create_worker_access_token(session_body()).send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());
    let requests = common::received(&server).await;
    assert_eq!(requests.len(), 3);
    let keys: Vec<Option<&str>> = requests.iter().map(|r| common::header(r, "idempotency-key")).collect();
    let first = keys[0].unwrap_or_default();
    assert!(uuid::Uuid::parse_str(first).is_ok_and(|u| u.get_version_num() == 4), "{first}");
    assert!(keys.iter().all(|k| *k == Some(first)), "{keys:?}");

    // The next logical call gets a new key.
    let sent = client.create_worker_access_token(session_body()).send().await;
    assert!(sent.is_ok());
    let requests = common::received(&server).await;
    assert_ne!(common::header(&requests[3], "idempotency-key"), Some(first));
}

#[tokio::test]
async fn a_caller_supplied_key_is_sent_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(sequence(vec![ResponseTemplate::new(504), session_ok()]))
        .mount(&server)
        .await;
    // The client generates keys; the one set on this request wins.
    let client = common::build(common::builder(&server).retry(fast_retries()).idempotency_keys(true));
    let sent = client.create_worker_access_token(session_body()).idempotency_key("order-7781").send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());
    let requests = common::received(&server).await;
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| common::header(r, "idempotency-key") == Some("order-7781")));
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = common::build(common::builder(&server).retry(RetryPolicy::none()));
    assert!(client.delete_worker_access_token("w").send().await.is_err());
    assert_eq!(common::received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_is_returned_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(fast_retries()));
    let started = Instant::now();
    let err = client.delete_worker_access_token("w").send().await.err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(err, Some(Error::RateLimited { retry_after: Some(d), .. }) if d.as_secs() == 3600),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_limiter_spaces_calls_from_many_tasks_and_is_shared_by_clones() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = common::build(common::builder(&server).rate_limit(Some(5.0)));
    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for t in 0..4 {
        let client = client.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let id = format!("w-{t}-{i}");
                if client.delete_worker_access_token(&id).send().await.is_ok() {
                    done.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    for task in tasks {
        assert!(task.await.is_ok());
    }
    let elapsed = started.elapsed();
    assert_eq!(done.load(Ordering::SeqCst), 20);
    // 20 calls at 5 per second: the last may start 19 intervals (3.8 s) after the first.
    assert!(elapsed >= Duration::from_millis(3700), "20 calls took only {elapsed:?}");
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
}

#[tokio::test]
async fn a_timeout_set_on_one_request_applies_to_it_alone() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204).set_delay(std::time::Duration::from_millis(400)))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(RetryPolicy::none()));
    let quick =
        client.delete_worker_access_token("w").timeout(std::time::Duration::from_millis(50)).send().await;
    assert!(matches!(quick, Err(deel_api::Error::Timeout(_))), "{quick:?}");
    assert!(
        client.delete_worker_access_token("w").send().await.is_ok(),
        "the client's own timeout is longer"
    );
}

#[tokio::test]
async fn a_header_set_on_one_request_is_sent_with_it_and_a_bad_one_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = common::build(common::builder(&server));
    let sent = client.delete_worker_access_token("w").header("x-trace-id", "trace-42").send().await;
    assert!(sent.is_ok(), "{sent:?}");
    let bad = client.delete_worker_access_token("w").header("bad header", "x").send().await;
    assert!(matches!(bad, Err(deel_api::Error::InvalidRequest(_))), "{bad:?}");
    let requests = common::received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(common::header(&requests[0], "x-trace-id"), Some("trace-42"));
}
