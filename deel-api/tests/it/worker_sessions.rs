//! Worker tokens: expiry against an injected clock, caching with skew, single-flight, revoke,
//! and a client acting as the worker.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use deel_api::clock::ManualClock;
use deel_api::{WorkerSessions, WorkerToken};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).single().unwrap_or_default()
}

/// Issues `wt-1`, `wt-2`, … each valid for 24 hours from the manual clock's time.
struct Issuer {
    clock: ManualClock,
    issued: AtomicUsize,
}

impl Respond for Issuer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let expires = deel_api::clock::Clock::now(&self.clock) + chrono::Duration::hours(24);
        ResponseTemplate::new(201).set_delay(Duration::from_millis(50)).set_body_json(
            json!({ "data": { "token": format!("wt-{n}"), "expires_at": expires.to_rfc3339() } }),
        )
    }
}

async fn setup() -> (MockServer, ManualClock, WorkerSessions) {
    let server = MockServer::start().await;
    let clock = ManualClock::new(t0());
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .and(body_json(json!({ "data": { "profile_id": "prof-1" } })))
        .respond_with(Issuer { clock: clock.clone(), issued: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).clock(Arc::new(clock.clone())));
    let sessions = WorkerSessions::new(&client);
    (server, clock, sessions)
}

async fn posts(server: &MockServer) -> usize {
    common::received(server).await.iter().filter(|r| r.method.as_str() == "POST").count()
}

#[test]
fn expiry_helpers_follow_the_clock() {
    let clock = ManualClock::new(t0());
    let token = WorkerToken::new("wt-x", t0() + chrono::Duration::hours(24), Arc::new(clock.clone()));
    assert!(!token.is_expired());
    assert_eq!(token.expires_in(), Duration::from_secs(24 * 3600));
    assert!(!token.expires_within(Duration::from_secs(3600)));
    clock.advance(chrono::Duration::hours(23) + chrono::Duration::minutes(30));
    assert!(token.expires_within(Duration::from_secs(3600)));
    assert!(!token.is_expired());
    clock.advance(chrono::Duration::hours(1));
    assert!(token.is_expired());
    assert_eq!(token.expires_in(), Duration::ZERO);
}

#[tokio::test]
async fn a_cached_token_is_reused_until_within_skew_then_replaced() {
    let (server, clock, sessions) = setup().await;
    let first = sessions.token("prof-1").await.map(|t| t.expose().to_string());
    assert_eq!(first.as_deref().ok(), Some("wt-1"));
    clock.advance(chrono::Duration::hours(23) + chrono::Duration::minutes(54));
    let again = sessions.token("prof-1").await.map(|t| t.expose().to_string());
    assert_eq!(again.as_deref().ok(), Some("wt-1"), "replaced while still 6 minutes from expiry");
    assert_eq!(posts(&server).await, 1);
    clock.advance(chrono::Duration::minutes(2));
    let replaced = sessions.token("prof-1").await.map(|t| t.expose().to_string());
    assert_eq!(replaced.as_deref().ok(), Some("wt-2"), "kept a token 4 minutes from expiry");
    assert_eq!(posts(&server).await, 2);
}

#[tokio::test]
async fn one_hundred_concurrent_callers_cause_one_post() {
    let (server, _clock, sessions) = setup().await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let sessions = sessions.clone();
        tasks.push(tokio::spawn(
            async move { sessions.token("prof-1").await.map(|t| t.expose().to_string()) },
        ));
    }
    for task in tasks {
        let token = task.await.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string()));
        assert_eq!(token.as_deref(), Ok("wt-1"));
    }
    assert_eq!(posts(&server).await, 1);
}

#[tokio::test]
async fn revoke_sends_the_delete_and_evicts() {
    let (server, _clock, sessions) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/prof-1/session"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    assert!(sessions.token("prof-1").await.is_ok());
    assert!(sessions.revoke("prof-1").await.is_ok());
    let after = sessions.token("prof-1").await.map(|t| t.expose().to_string());
    assert_eq!(after.as_deref().ok(), Some("wt-2"), "revoked token still cached");
    assert_eq!(posts(&server).await, 2);
}

#[tokio::test]
async fn a_worker_client_uses_the_worker_token_and_refreshes_it_near_expiry() {
    let (server, clock, sessions) = setup().await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/eor/workers/compliance-documents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "documents": [] } })))
        .mount(&server)
        .await;
    let worker = sessions.client_for("prof-1");
    let first = worker.get_eor_worker_compliance_documents().send().await;
    assert!(first.is_ok(), "{:?}", first.err());
    clock.advance(chrono::Duration::hours(23) + chrono::Duration::minutes(58));
    let second = worker.get_eor_worker_compliance_documents().send().await;
    assert!(second.is_ok(), "{:?}", second.err());
    let auth: Vec<String> = common::received(&server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .map(|r| common::header(r, "authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(auth, vec!["Bearer wt-1".to_string(), "Bearer wt-2".to_string()]);
    // The token for the worker was created with the organization token.
    let post = common::received(&server).await.into_iter().find(|r| r.method.as_str() == "POST");
    assert_eq!(
        post.as_ref().and_then(|r| common::header(r, "authorization")),
        Some("Bearer test-token-not-secret-0")
    );
}

#[tokio::test]
async fn a_worker_token_that_cannot_be_created_is_a_credentials_error_with_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "errors": [{ "message": "missing scope admin:worker" }] })),
        )
        .mount(&server)
        .await;
    let client = common::build(common::builder(&server).retry(deel_api::RetryPolicy::none()));
    let sessions = WorkerSessions::new(&client);
    for err in [
        sessions.token("prof-1").await.err(),
        sessions.client_for("prof-1").delete_worker_access_token("w").send().await.err(),
    ] {
        assert!(matches!(err, Some(deel_api::Error::Credentials { .. })), "{err:?}");
        let err = err.unwrap_or_else(|| unreachable!());
        assert_eq!(err.status(), Some(403), "the status stays reachable");
        let message = err.api_error().and_then(|e| e.messages.first()).map(|m| m.message.clone());
        assert_eq!(message.as_deref(), Some("missing scope admin:worker"));
        assert!(err.to_string().contains("missing scope admin:worker"), "{err}");
    }
}

/// A JWT (unsigned for the test: only its `exp` claim is read) expiring at `exp`.
fn jwt(exp: i64) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(&format!(r#"{{"exp":{exp},"sub":"w"}}"#))
    )
}

#[tokio::test]
async fn an_unusable_expires_at_never_makes_every_call_create_a_token() {
    let in_6h = (t0() + chrono::Duration::hours(6)).timestamp();
    let cases: Vec<(&str, serde_json::Value, Option<i64>, deel_api::expiry::ExpirySource)> = vec![
        (
            "absent, JWT",
            json!({ "data": { "token": jwt(in_6h) } }),
            Some(in_6h),
            deel_api::expiry::ExpirySource::JwtClaim,
        ),
        (
            "null, JWT",
            json!({ "data": { "token": jwt(in_6h), "expires_at": null } }),
            Some(in_6h),
            deel_api::expiry::ExpirySource::JwtClaim,
        ),
        (
            "unparseable, JWT",
            json!({ "data": { "token": jwt(in_6h), "expires_at": "tomorrow" } }),
            Some(in_6h),
            deel_api::expiry::ExpirySource::JwtClaim,
        ),
        (
            "absent, opaque",
            json!({ "data": { "token": "opaque-1" } }),
            None,
            deel_api::expiry::ExpirySource::Assumed,
        ),
        (
            "epoch, opaque",
            json!({ "data": { "token": "opaque-1", "expires_at": "1970-01-01T00:00:00Z" } }),
            None,
            deel_api::expiry::ExpirySource::Assumed,
        ),
    ];
    for (name, body, exp, source) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/rest/v2/workers/session"))
            .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_millis(30)).set_body_json(body))
            .mount(&server)
            .await;
        let clock = ManualClock::new(t0());
        let client = common::build(common::builder(&server).clock(Arc::new(clock.clone())));
        let sessions = WorkerSessions::new(&client);
        // Ten concurrent callers, then ten more calls later: still one session.
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let sessions = sessions.clone();
            tasks.push(tokio::spawn(async move { sessions.token("prof-1").await }));
        }
        let mut tokens = Vec::new();
        for task in tasks {
            tokens
                .push(task.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{name}: {e}")));
        }
        for _ in 0..10 {
            assert!(sessions.token("prof-1").await.is_ok());
        }
        assert_eq!(common::received(&server).await.len(), 1, "{name}: one POST /workers/session");
        let token = &tokens[0];
        assert_eq!(token.expiry_source(), source, "{name}");
        let expected = exp.unwrap_or_else(|| (t0() + chrono::Duration::hours(24)).timestamp());
        assert_eq!(token.expires_at().timestamp(), expected, "{name}");
        assert!(!format!("{token:?}").contains("eyJ"), "{name}: the token must not print");
    }
}
