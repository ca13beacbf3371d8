//! The per-call hook: sees each attempt's request before it is sent (without credentials) and
//! what the attempt came to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deel_api_gen::runtime::hook::{Attempt, Call, CallHook};
use reqwest::header::HeaderValue;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::builder;

/// An attempt as a hook saw it: number, status, time, whether retried, request id.
type Outcome = (u32, Option<u16>, Duration, bool, Option<String>);

/// What a hook saw, in order.
#[derive(Debug, Default)]
struct Seen {
    /// Operation, attempt, and whether the request already had credentials.
    requests: Mutex<Vec<(String, u32, bool)>>,
    responses: Mutex<Vec<Outcome>>,
}

impl CallHook for Seen {
    fn on_request(&self, request: &mut reqwest::Request, call: &Call) {
        let has_token = request.headers().contains_key("authorization");
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).push((
            call.operation.id.into(),
            call.attempt,
            has_token,
        ));
        request.headers_mut().insert("x-calling-service", HeaderValue::from_static("runtime-tests"));
    }

    fn on_response(&self, attempt: &Attempt<'_>) {
        let id = attempt.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
        let status = attempt.status.map(|s| s.as_u16());
        self.responses.lock().unwrap_or_else(|p| p.into_inner()).push((
            attempt.call.attempt,
            status,
            attempt.elapsed,
            attempt.retried,
            id,
        ));
    }
}

#[tokio::test]
async fn a_hook_adds_a_header_and_sees_every_attempt_with_its_status_and_time() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(30)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .and(header("x-calling-service", "runtime-tests"))
        .respond_with(ResponseTemplate::new(204).insert_header("x-request-id", "req-2"))
        .mount(&server)
        .await;
    let seen = Arc::new(Seen::default());
    let client = builder(&server).hook(seen.clone()).build().unwrap_or_else(|e| panic!("{e}"));
    let outcome = client.delete_worker_access_token("wkr-1").send().await;
    assert_eq!(outcome.map(|r| r.status().as_u16()).ok(), Some(204), "the added header reached the server");

    let requests = seen.requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(
        requests,
        vec![
            ("delete_worker_access_token".to_string(), 1, false),
            ("delete_worker_access_token".to_string(), 2, false)
        ],
        "each attempt, before its credentials were added"
    );
    let responses = seen.responses.lock().unwrap_or_else(|p| p.into_inner());
    assert_eq!(responses.len(), 2);
    let (attempt, status, elapsed, retried, _) = &responses[0];
    assert_eq!((*attempt, *status, *retried), (1, Some(503), true));
    assert!(*elapsed >= Duration::from_millis(30), "{elapsed:?} covers the server's delay");
    assert_eq!(responses[1].clone().4.as_deref(), Some("req-2"));
    assert_eq!((responses[1].0, responses[1].1, responses[1].3), (2, Some(204), false));
}

#[tokio::test]
async fn a_failed_connection_is_reported_without_a_status() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let seen = Arc::new(Seen::default());
    let client = deel_api_gen::Client::builder()
        .base_url(format!("http://127.0.0.1:{}", port.unwrap_or_else(|e| panic!("{e}"))))
        .token("runtime-test-token")
        .retry(deel_api_gen::runtime::retry::RetryPolicy::none())
        .hook(seen.clone())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(client.delete_worker_access_token("wkr-1").send().await.is_err());
    let responses = seen.responses.lock().unwrap_or_else(|p| p.into_inner());
    assert_eq!(responses.iter().map(|r| (r.0, r.1, r.3)).collect::<Vec<_>>(), vec![(1, None, false)]);
}

#[tokio::test]
async fn hooks_run_in_the_order_they_were_added() {
    #[derive(Debug)]
    struct Tag(&'static str, Arc<Mutex<Vec<&'static str>>>);
    impl CallHook for Tag {
        fn on_request(&self, _: &mut reqwest::Request, _: &Call) {
            self.1.lock().unwrap_or_else(|p| p.into_inner()).push(self.0);
        }
    }
    let server = MockServer::start().await;
    Mock::given(path("/rest/v2/workers/wkr-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let client = builder(&server)
        .hook(Arc::new(Tag("first", order.clone())))
        .hook(Arc::new(Tag("second", order.clone())))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = client.delete_worker_access_token("wkr-1").send().await;
    assert_eq!(*order.lock().unwrap_or_else(|p| p.into_inner()), vec!["first", "second"]);
}
