//! What the client logs: the trace of a failing call (its fields, no token), corrections and
//! deprecated versions, each once per client.
//!
//! Alone in its test binary: tracing caches per-callsite interest globally, so a concurrent test
//! without a subscriber could make this one's thread-local subscriber miss the span.

#[path = "it/common.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use deel_api::Client;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-7f3a9c";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Captures this thread's log at `level` and above, until the guard is dropped.
    fn install(level: tracing::Level) -> (Capture, tracing::subscriber::DefaultGuard) {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).to_string()
    }
}

#[tokio::test]
async fn the_trace_of_a_failing_call_has_its_fields_and_no_token() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(503).insert_header("x-request-id", "req-trace-1"))
        .mount(&server)
        .await;
    let client = common::build(Client::builder().base_url(server.uri()).rate_limit(None).token(TOKEN).retry(
        deel_api::RetryPolicy { base_delay: std::time::Duration::from_millis(5), ..Default::default() },
    ));
    assert!(client.delete_worker_access_token("w-77").send().await.is_err());

    let log = capture.text();
    assert!(!log.contains("SECRET"), "token in trace:\n{log}");
    for expected in [
        "deel.request",
        "operation=\"delete_worker_access_token\"",
        "method=\"DELETE\"",
        "path=\"/rest/v2/workers/{worker_id}/session\"",
        "status=503",
        "attempt=3",
        "request_id=\"req-trace-1\"",
    ] {
        assert!(log.contains(expected), "missing {expected} in:\n{log}");
    }
    assert!(!log.contains("w-77"), "the filled-in path (with an id) should not be traced:\n{log}");
}

#[tokio::test]
async fn a_correction_reaches_the_caller_and_is_logged_once_per_client() {
    let (capture, _guard) = Capture::install(tracing::Level::WARN);

    let server = MockServer::start().await;
    // Every item's team id is a number where the spec says string.
    let item = |id: &str, team: u64| {
        serde_json::json!({ "id": id, "title": "t", "type": "eor", "status": "in_progress",
            "client": { "team": { "id": team } }, "invitations": {}, "signatures": {},
            "is_archived": false, "is_shielded": false, "notice_period": 0 })
    };
    let body = serde_json::json!({ "data": [item("a", 1), item("b", 2)], "page": { "cursor": "", "total_rows": 2 } });
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server));
    for _ in 0..3 {
        let page = client.get_contracts().send().await;
        let page = page.unwrap_or_else(|e| panic!("{e}"));
        let pointers: Vec<&str> = page.corrections().iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(pointers, ["/data/0/client/team/id", "/data/1/client/team/id"]);
        assert_eq!(page.data[1].client.team.as_ref().map(|t| t.id.as_str()), Some("2"));
    }
    let log = capture.text();
    assert_eq!(
        log.matches("differs from the spec").count(),
        1,
        "one WARN for the pattern, not per item or call:\n{log}"
    );
    assert!(log.contains("pointer=/data/*/client/team/id") && log.contains("kind=\"converted\""), "{log}");

    // Strict mode: the same body is an error at the first item's pointer.
    let strict = common::build(common::builder(&server).strict_decoding(true));
    let err = strict.get_contracts().send().await.err();
    assert_eq!(
        err.as_ref().and_then(|e| e.decode_error()).map(|d| d.pointer.as_str()),
        Some("/data/0/client/team/id")
    );
}

#[tokio::test]
async fn a_deprecated_version_is_logged_once_per_operation_and_client() {
    let (capture, _guard) = Capture::install(tracing::Level::WARN);

    let server = MockServer::start().await;
    let deprecated = |r: ResponseTemplate| r.insert_header("deprecation", "@1798761600");
    Mock::given(method("GET"))
        .respond_with(deprecated(ResponseTemplate::new(200)).set_body_json(serde_json::json!({ "data": [] })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(deprecated(ResponseTemplate::new(204))).mount(&server).await;
    let client = common::build(common::builder(&server));
    for _ in 0..3 {
        assert!(client.list_tags().send().await.is_ok());
        assert!(client.delete_worker_access_token("w-1").send().await.is_ok());
    }
    let log = capture.text();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("deprecated")).collect();
    assert_eq!(lines.len(), 2, "one WARN per operation, not per call:\n{log}");
    assert!(
        lines.iter().any(|l| l.contains("operation=\"list_tags\"") && l.contains("version=\"2026-02-27\"")),
        "{log}"
    );
    // Another client warns again: it may serve another part of the program.
    let other = common::build(common::builder(&server));
    assert!(other.list_tags().send().await.is_ok());
    assert_eq!(capture.text().lines().filter(|l| l.contains("deprecated")).count(), 3);
}
