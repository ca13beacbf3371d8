//! OAuth: authorize URL, code exchange, single-flight refresh, store-before-use, 401 handling.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use deel_api::auth::BoxFuture;
use deel_api::clock::{Clock, ManualClock};
use deel_api::oauth::{OAuthApp, OAuthSession, OAuthTokens, StoreError, TokenStore};
use deel_api::{Client, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).single().unwrap_or_default()
}

/// One ordered log of what the store and the API server saw.
type Events = Arc<Mutex<Vec<String>>>;

fn log(events: &Events, event: String) {
    events.lock().unwrap_or_else(|p| p.into_inner()).push(event);
}

fn events_of(events: &Events) -> Vec<String> {
    events.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

#[derive(Debug)]
struct RecordingStore {
    events: Events,
    fail: bool,
}

impl TokenStore for RecordingStore {
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // Slow storage widens any window in which the new token could be used too early.
            tokio::time::sleep(Duration::from_millis(30)).await;
            if self.fail {
                // As a database's error may: quoting the values it was given.
                return Err(format!(
                    "disk full; duplicate key (access, refresh) = ({}, {})",
                    tokens.access_token(),
                    tokens.refresh_token()
                )
                .into());
            }
            log(&self.events, format!("saved {}", tokens.access_token()));
            Ok(())
        })
    }
}

/// The token endpoint: each refresh issues `access-N`/`refresh-N`, valid for an hour.
struct TokenEndpoint {
    issued: AtomicUsize,
}

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 2;
        ResponseTemplate::new(200).set_delay(Duration::from_millis(20)).set_body_json(json!({
            "access_token": format!("access-{n}"), "refresh_token": format!("refresh-{n}"),
            "expires_in": 3600, "token_type": "Bearer", "scope": "contracts:read"
        }))
    }
}

/// The API: logs the bearer of every call, answers with `status`.
struct Api {
    events: Events,
    status: u16,
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        log(&self.events, format!("request {auth}"));
        ResponseTemplate::new(self.status)
    }
}

struct Setup {
    server: MockServer,
    events: Events,
    session: Arc<OAuthSession>,
    client: Client,
}

async fn setup(api_status: u16, store_fails: bool, access_expires_at: DateTime<Utc>) -> Setup {
    let server = MockServer::start().await;
    let events: Events = Arc::default();
    Mock::given(method("POST"))
        .and(path("/oauth2/tokens"))
        .respond_with(TokenEndpoint { issued: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w/session"))
        .respond_with(Api { events: events.clone(), status: api_status })
        .mount(&server)
        .await;
    let clock = ManualClock::new(t0());
    let app = OAuthApp::new("client-id-1", "client-secret-1", "https://app.example.test/callback")
        .with_endpoints(
            format!("{}/oauth2/authorize", server.uri()),
            format!("{}/oauth2/tokens", server.uri()),
        )
        .with_clock(Arc::new(clock));
    let tokens = OAuthTokens::new("access-1", "refresh-1", access_expires_at);
    let store = Arc::new(RecordingStore { events: events.clone(), fail: store_fails });
    let session = Arc::new(OAuthSession::new(app, tokens, store));
    let client =
        common::build(Client::builder().base_url(server.uri()).rate_limit(None).credentials(session.clone()));
    Setup { server, events, session, client }
}

async fn refreshes(server: &MockServer) -> Vec<String> {
    common::received(server)
        .await
        .iter()
        .filter(|r| r.url.path() == "/oauth2/tokens")
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect()
}

#[test]
fn authorize_url_carries_client_redirect_scopes_and_state() {
    let app = OAuthApp::new("cid", "secret", "https://app.example.test/cb");
    let url = app.authorize_url(&["contracts:read", "people:read"], "st-42").unwrap_or_default();
    assert!(url.starts_with("https://app.deel.com/oauth2/authorize?"), "{url}");
    for part in [
        "client_id=cid",
        "redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb",
        "response_type=code",
        "scope=contracts%3Aread+people%3Aread",
        "state=st-42",
    ] {
        assert!(url.contains(part), "{url} lacks {part}");
    }
    assert!(!url.contains("secret"));
}

#[tokio::test]
async fn code_exchange_uses_basic_auth_and_a_form_body() {
    let s = setup(204, false, t0() + chrono::Duration::hours(1)).await;
    let clock = ManualClock::new(t0());
    let app = OAuthApp::new("client-id-1", "client-secret-1", "https://app.example.test/callback")
        .with_endpoints("https://unused.example.test", format!("{}/oauth2/tokens", s.server.uri()))
        .with_clock(Arc::new(clock.clone()));
    let tokens = app.exchange_code("code-xyz").await;
    let tokens = match tokens {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(tokens.access_token(), "access-2");
    assert_eq!(tokens.refresh_token(), "refresh-2");
    assert_eq!(tokens.expires_at(), clock.now() + chrono::Duration::seconds(3600));
    let requests = common::received(&s.server).await;
    let r = &requests[0];
    // base64("client-id-1:client-secret-1")
    assert_eq!(common::header(r, "authorization"), Some("Basic Y2xpZW50LWlkLTE6Y2xpZW50LXNlY3JldC0x"));
    assert_eq!(common::header(r, "content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "grant_type=authorization_code&code=code-xyz&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcallback"
    );
    assert!(!format!("{tokens:?}").contains("access-2"));
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_refresh_once_and_store_before_use() {
    let s = setup(204, false, t0() - chrono::Duration::minutes(1)).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = s.client.clone();
        tasks.push(tokio::spawn(async move { client.delete_worker_access_token("w").send().await.is_ok() }));
    }
    for task in tasks {
        assert_eq!(task.await.ok(), Some(true));
    }
    let refreshes = refreshes(&s.server).await;
    assert_eq!(refreshes, vec!["grant_type=refresh_token&refresh_token=refresh-1".to_string()]);
    let events = events_of(&s.events);
    assert_eq!(events.first().map(String::as_str), Some("saved access-2"), "{events:?}");
    assert_eq!(events.iter().filter(|e| *e == "request Bearer access-2").count(), 50, "{events:?}");
    assert_eq!(s.session.tokens().await.refresh_token(), "refresh-2");
}

#[tokio::test]
async fn a_failing_store_keeps_the_old_pair_and_reports_the_error() {
    let s = setup(204, true, t0() - chrono::Duration::minutes(1)).await;
    let err = s.client.delete_worker_access_token("w").send().await.err();
    assert!(
        matches!(err, Some(Error::Credentials { ref message, .. }) if message.contains("persist")),
        "{err:?}"
    );
    let err = err.unwrap_or_else(|| panic!("an error"));
    // The store's own text is kept, scrubbed of the tokens it quoted, through any error chain.
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        texts.push(c.to_string());
        texts.push(format!("{c:?}"));
        cause = c.source();
    }
    assert!(texts[0].contains("disk full"), "{texts:?}");
    for text in &texts {
        for token in ["access-2", "refresh-2", "client-secret-1"] {
            assert!(!text.contains(token), "{token} in {text}");
        }
    }
    let tokens = s.session.tokens().await;
    assert_eq!(tokens.access_token(), "access-1");
    assert_eq!(tokens.refresh_token(), "refresh-1");
    assert!(events_of(&s.events).iter().all(|e| !e.contains("access-2")), "the unsaved token was used");
    let pending = s.session.pending_tokens().await.map(|t| t.access_token().to_string());
    assert_eq!(pending.as_deref(), Some("access-2"), "the rotated pair is kept pending, not dropped");
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let s = setup(401, false, t0() + chrono::Duration::hours(1)).await;
    let err = s.client.delete_worker_access_token("w").send().await.err();
    assert!(matches!(err, Some(Error::Unauthorized(_))), "{err:?}");
    assert_eq!(refreshes(&s.server).await.len(), 1);
    let requests: Vec<String> =
        events_of(&s.events).into_iter().filter(|e| e.starts_with("request")).collect();
    assert_eq!(requests, vec!["request Bearer access-1".to_string(), "request Bearer access-2".into()]);
}

#[tokio::test]
async fn refresh_happens_ahead_of_expiry() {
    let s = setup(204, false, t0() + chrono::Duration::seconds(30)).await;
    assert!(s.client.delete_worker_access_token("w").send().await.is_ok());
    assert_eq!(
        refreshes(&s.server).await.len(),
        1,
        "a token 30 s from expiry was not refreshed (default 60 s ahead)"
    );
}

/// A token endpoint that, like Deel, retires a refresh token once used: presenting it again is a
/// `400 invalid_grant`. Issues `access-N`/`refresh-N` for N = 2, 3, …
struct RotatingEndpoint {
    issued: AtomicUsize,
    spent: Mutex<Vec<String>>,
}

impl Respond for RotatingEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).to_string();
        let presented = body.split('&').find_map(|p| p.strip_prefix("refresh_token=")).unwrap_or_default();
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if spent.iter().any(|s| s == presented) {
            return ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_grant" }));
        }
        spent.push(presented.to_string());
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 2;
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("access-{n}"), "refresh_token": format!("refresh-{n}"), "expires_in": 3600
        }))
    }
}

/// A store whose first `failures` saves fail.
#[derive(Debug)]
struct FlakyStore {
    failures: AtomicUsize,
    saved: Mutex<Vec<String>>,
}

impl TokenStore for FlakyStore {
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let left = self.failures.load(Ordering::SeqCst);
            if left > 0 {
                self.failures.store(left - 1, Ordering::SeqCst);
                return Err("database unavailable".into());
            }
            self.saved.lock().unwrap_or_else(|p| p.into_inner()).push(tokens.access_token().to_string());
            Ok(())
        })
    }
}

async fn rotating_setup(
    failures: usize,
    save_attempts: u32,
) -> (MockServer, Arc<OAuthSession>, Arc<FlakyStore>, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/tokens"))
        .respond_with(RotatingEndpoint { issued: AtomicUsize::new(0), spent: Mutex::default() })
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/rest/v2/workers/w/session"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let app = OAuthApp::new("client-id-1", "client-secret-1", "https://app.example.test/callback")
        .with_endpoints(
            format!("{}/oauth2/authorize", server.uri()),
            format!("{}/oauth2/tokens", server.uri()),
        )
        .with_clock(Arc::new(ManualClock::new(t0())));
    let tokens = OAuthTokens::new("access-1", "refresh-1", t0() - chrono::Duration::minutes(1));
    let store = Arc::new(FlakyStore { failures: AtomicUsize::new(failures), saved: Mutex::default() });
    let session = Arc::new(
        OAuthSession::new(app, tokens, store.clone())
            .with_save_retries(save_attempts, Duration::from_millis(1)),
    );
    let client =
        common::build(Client::builder().base_url(server.uri()).rate_limit(None).credentials(session.clone()));
    (server, session, store, client)
}

fn bearers(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.url.path() != "/oauth2/tokens")
        .filter_map(|r| common::header(r, "authorization").map(String::from))
        .collect()
}

#[tokio::test]
async fn a_failed_save_keeps_the_new_pair_pending_and_never_presents_the_spent_refresh_token() {
    // One attempt per call: the first call's save fails once, the second call's succeeds.
    let (server, session, store, client) = rotating_setup(1, 1).await;
    let err = client.delete_worker_access_token("w").send().await.err();
    assert!(matches!(err, Some(Error::Credentials { .. })), "{err:?}");
    let pending = session.pending_tokens().await.map(|t| t.refresh_token().to_string());
    assert_eq!(pending.as_deref(), Some("refresh-2"), "the rotated pair must be kept");
    assert_eq!(session.tokens().await.access_token(), "access-1");

    let second = client.delete_worker_access_token("w").send().await;
    assert!(second.is_ok(), "{second:?}");
    let requests = common::received(&server).await;
    let refreshes: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == "/oauth2/tokens")
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert_eq!(refreshes, ["grant_type=refresh_token&refresh_token=refresh-1"], "one refresh, no reuse");
    assert_eq!(bearers(&requests), ["Bearer access-2"], "the new token is used only once saved");
    assert_eq!(*store.saved.lock().unwrap_or_else(|p| p.into_inner()), ["access-2"]);
    assert_eq!(session.tokens().await.refresh_token(), "refresh-2");
    assert!(session.pending_tokens().await.is_none());
}

#[tokio::test]
async fn a_save_that_fails_twice_is_retried_within_the_call() {
    let (server, session, store, client) = rotating_setup(2, 3).await;
    let done = client.delete_worker_access_token("w").send().await;
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(*store.saved.lock().unwrap_or_else(|p| p.into_inner()), ["access-2"]);
    assert_eq!(bearers(&common::received(&server).await), ["Bearer access-2"]);
    assert_eq!(session.tokens().await.access_token(), "access-2");
}

#[tokio::test]
async fn a_refused_refresh_quotes_no_secret() {
    let server = MockServer::start().await;
    // A token endpoint that echoes what it was sent.
    Mock::given(method("POST"))
        .and(path("/oauth2/tokens"))
        .respond_with(|r: &Request| {
            let sent = String::from_utf8_lossy(&r.body).to_string();
            let auth = common::header(r, "authorization").unwrap_or_default().to_string();
            ResponseTemplate::new(400).set_body_json(json!({
                "error": format!("invalid_grant for {sent}"),
                "detail": { "authorization": auth, "refresh_token": "refresh-secret-1", "client_secret": "client-secret-1" }
            }))
        })
        .mount(&server)
        .await;
    let app = OAuthApp::new("client-id-1", "client-secret-1", "https://app.example.test/callback")
        .with_endpoints(format!("{}/a", server.uri()), format!("{}/oauth2/tokens", server.uri()));
    let tokens = OAuthTokens::new("access-secret-1", "refresh-secret-1", t0());
    let err = app.refresh(&tokens).await.err().unwrap_or_else(|| panic!("a 400 must fail"));
    let text = format!("{err} {err:?}");
    for secret in ["refresh-secret-1", "client-secret-1", "access-secret-1", "Y2xpZW50"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert_eq!(err.status(), Some(400), "the refusal's status stays reachable");
}

#[tokio::test]
async fn an_unusable_expires_in_falls_back_to_the_jwt_claim_then_an_hour() {
    use base64::Engine;
    use deel_api::expiry::ExpirySource;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let exp = (t0() + chrono::Duration::hours(3)).timestamp();
    let jwt = format!("{}.{}.c2ln", b64(r#"{"alg":"HS256"}"#), b64(&format!(r#"{{"exp":{exp}}}"#)));
    let cases = [
        (
            json!({ "access_token": jwt, "refresh_token": "r", "expires_in": null }),
            exp,
            ExpirySource::JwtClaim,
        ),
        (
            json!({ "access_token": "opaque", "refresh_token": "r" }),
            (t0() + chrono::Duration::hours(1)).timestamp(),
            ExpirySource::Assumed,
        ),
        (
            json!({ "access_token": "opaque", "refresh_token": "r", "expires_in": "7200" }),
            (t0() + chrono::Duration::hours(2)).timestamp(),
            ExpirySource::Response,
        ),
    ];
    for (body, want, source) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .mount(&server)
            .await;
        let app = OAuthApp::new("cid", "client-secret-1", "https://cb.example.test")
            .with_endpoints(format!("{}/a", server.uri()), format!("{}/t", server.uri()))
            .with_clock(Arc::new(ManualClock::new(t0())));
        let tokens = app.exchange_code("code-1").await.unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!((tokens.expires_at().timestamp(), tokens.expiry_source()), (want, source), "{body}");
    }
}
