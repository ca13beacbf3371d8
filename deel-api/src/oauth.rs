//! OAuth2 for apps acting on behalf of a Deel organization (authorization-code grant).
//!
//! Deel's refresh tokens are single-use and rotate: each refresh returns a new pair and retires
//! the old refresh token, and presenting a retired one can revoke the whole grant. So a refresh
//! happens under a lock (concurrent callers share it), and the new pair is handed to your
//! [`TokenStore`] before any request uses the new access token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::auth::{bearer, BoxFuture, Credentials};
use crate::clock::{self, Clock};
use crate::expiry::{self, ExpirySource};
use crate::lease::{self, Lease, Leased};
use crate::{Environment, Error};

/// An error from a [`TokenStore`].
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Deel's production authorization page (see [`Environment::oauth_endpoints`] for the others).
pub const AUTHORIZE_URL: &str = "https://app.deel.com/oauth2/authorize";
/// Deel's production token endpoint (code exchange and refresh).
pub const TOKEN_URL: &str = "https://app.deel.com/oauth2/tokens";

/// An OAuth app registered with Deel.
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: SecretString,
    redirect_uri: String,
    authorize_url: String,
    token_url: String,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field("token_url", &self.token_url)
            .finish()
    }
}

/// An access token and the refresh token that replaces it.
#[derive(Clone)]
pub struct OAuthTokens {
    access_token: SecretString,
    refresh_token: SecretString,
    expires_at: DateTime<Utc>,
    scope: Option<String>,
    source: ExpirySource,
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

impl OAuthTokens {
    /// A pair loaded from storage.
    pub fn new(access_token: &str, refresh_token: &str, expires_at: DateTime<Utc>) -> Self {
        Self {
            access_token: SecretString::from(access_token),
            refresh_token: SecretString::from(refresh_token),
            expires_at,
            scope: None,
            source: ExpirySource::Response,
        }
    }

    /// Where [`Self::expires_at`] came from: the token response's `expires_in`, or (when that
    /// was absent, null or unparseable) the access token's JWT `exp` claim, or else an assumed
    /// hour from issue.
    pub fn expiry_source(&self) -> ExpirySource {
        self.source
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }

    /// The refresh token (single use).
    pub fn refresh_token(&self) -> &str {
        self.refresh_token.expose_secret()
    }

    /// When the access token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The granted scopes, space-separated, when Deel returned them.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The same pair with these granted scopes.
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    /// Seconds; read leniently (a number or a numeric string), see [`OAuthTokens::expiry_source`].
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    scope: Option<String>,
}

/// How long an access token is assumed valid when neither the response nor the token says: short,
/// so that a wrong guess costs an early refresh, never a run of 401s.
const ASSUMED_ACCESS_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

impl OAuthApp {
    /// An app with Deel's production endpoints; [`Self::with_environment`] picks another
    /// deployment's.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            redirect_uri: redirect_uri.into(),
            authorize_url: AUTHORIZE_URL.into(),
            token_url: TOKEN_URL.into(),
            http: reqwest::Client::new(),
            clock: clock::system(),
        }
    }

    /// The OAuth endpoints of `environment` (the sandbox's for [`Environment::Sandbox`], say):
    /// `OAuthApp::new(…).with_environment(client.environment())` authorizes where the client
    /// calls, and `with_environment(&Environment::from_env()?)` where `DEEL_ENVIRONMENT` says. A
    /// custom URL has no known OAuth endpoints: [`Error::InvalidRequest`], and
    /// [`Self::with_endpoints`] sets them.
    pub fn with_environment(mut self, environment: &Environment) -> Result<Self, Error> {
        let endpoints = environment.oauth_endpoints().ok_or_else(|| {
            Error::InvalidRequest(
                "a custom base URL has no known OAuth endpoints: set them with `with_endpoints`".into(),
            )
        })?;
        self.authorize_url = endpoints.authorize_url.into();
        self.token_url = endpoints.token_url.into();
        Ok(self)
    }

    /// Other endpoints (a test server, say).
    pub fn with_endpoints(mut self, authorize_url: impl Into<String>, token_url: impl Into<String>) -> Self {
        self.authorize_url = authorize_url.into();
        self.token_url = token_url.into();
        self
    }

    /// The `reqwest::Client` for token requests.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The clock `expires_in` is counted from.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where to send the user to grant `scopes`; `state` comes back on the redirect and must be
    /// checked against the one you sent.
    pub fn authorize_url(&self, scopes: &[&str], state: &str) -> Result<String, Error> {
        let mut url = url::Url::parse(&self.authorize_url)
            .map_err(|e| Error::InvalidRequest(format!("invalid authorize URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", state);
        Ok(url.into())
    }

    /// Exchanges the code from the redirect for a token pair.
    pub async fn exchange_code(&self, code: &str) -> Result<OAuthTokens, Error> {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
        ])
        .await
    }

    /// Trades a refresh token (which is then spent) for a new pair.
    pub async fn refresh(&self, tokens: &OAuthTokens) -> Result<OAuthTokens, Error> {
        self.token_request(&[("grant_type", "refresh_token"), ("refresh_token", tokens.refresh_token())])
            .await
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<OAuthTokens, Error> {
        let failed = |message: &str, source: Option<StoreError>| Error::Credentials {
            message: message.into(),
            source,
        };
        let response = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(form)
            .send()
            .await
            .map_err(|e| failed("OAuth token request failed", Some(Box::new(Error::from(e)))))?;
        if !response.status().is_success() {
            let mut error = Error::from_response(response).await;
            // A refusal may echo what it was sent: the client secret, the code, the refresh token.
            let mut secrets = vec![self.client_secret.expose_secret()];
            secrets
                .extend(form.iter().filter(|(k, _)| matches!(*k, "refresh_token" | "code")).map(|(_, v)| *v));
            error.redact(&secrets);
            return Err(failed("OAuth token request was refused", Some(Box::new(error))));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| failed("OAuth token response broke off", Some(Box::new(e))))?;
        // The body holds the tokens: never quote it in an error.
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| failed(&format!("OAuth token response has an unexpected shape: {e}"), None))?;
        let now = self.clock.now();
        let seconds = match &parsed.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let stated =
            seconds.filter(|s| *s > 0).and_then(|s| now.checked_add_signed(chrono::Duration::seconds(s)));
        let (expires_at, source) =
            expiry::resolve(&parsed.access_token, stated, now, ASSUMED_ACCESS_LIFETIME);
        if source != ExpirySource::Response {
            tracing::warn!(
                ?source,
                "the OAuth token response has no usable expires_in; expiry taken elsewhere"
            );
        }
        Ok(OAuthTokens {
            access_token: SecretString::from(parsed.access_token),
            refresh_token: SecretString::from(parsed.refresh_token),
            expires_at,
            scope: parsed.scope,
            source,
        })
    }
}

/// An error from code outside the SDK (a [`TokenStore`]), kept as its text with every token the
/// session knows replaced: a database error may quote the values it was asked to store
/// (`duplicate key (access, refresh) = (…)`). The original is not kept, so no error chain
/// reaches it.
#[derive(Debug)]
struct Scrubbed(String);

impl fmt::Display for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Scrubbed {}

/// `error`'s text (bounded) with each of `secrets` replaced by `<redacted>`.
fn scrubbed(error: &(dyn std::error::Error + Send + Sync), secrets: &[&str]) -> StoreError {
    let mut text: String = error.to_string().chars().take(1024).collect();
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        if text.contains(secret) {
            text = text.replace(secret, deel_api_gen::runtime::REDACTED);
        }
    }
    Box::new(Scrubbed(text))
}

/// The tokens of `pairs` and the app's secret: what an error must never show.
fn known_secrets<'a>(app: &'a OAuthApp, pairs: impl IntoIterator<Item = &'a OAuthTokens>) -> Vec<&'a str> {
    let mut out = vec![app.client_secret.expose_secret()];
    for pair in pairs {
        out.push(pair.access_token());
        out.push(pair.refresh_token());
    }
    out
}

/// Where rotated token pairs are persisted. `save` must finish before the new access token is
/// used. If it fails, the session keeps the new pair pending in memory (the old refresh token is
/// spent and is never presented again), retries the save before the next request, and reports
/// the failure as [`Error::Credentials`] meanwhile; [`OAuthSession::pending_tokens`] hands the
/// pending pair to an application that wants to store it elsewhere.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// Persists a new pair.
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A pair as several processes share it, with the version that orders rotations (1 for the
/// first pair stored, one more for each rotation).
#[derive(Debug, Clone)]
pub struct SharedPair {
    /// The pair's version.
    pub version: u64,
    /// The pair.
    pub tokens: OAuthTokens,
    /// Whether a process has presented this pair's refresh token to Deel and stored no successor
    /// ([`SharedTokenStore::presenting`]): the token may be spent, so it must not be presented
    /// again.
    pub presented: bool,
}

/// Storage that several processes share for one grant, with a lease that lets one of them
/// rotate at a time (`redis::RedisOAuthStore`, feature `redis`). Give it to
/// [`OAuthSession::with_shared_store`].
pub trait SharedTokenStore: Send + Sync + fmt::Debug {
    /// The stored pair, if any.
    fn load(&self) -> BoxFuture<'_, Result<Option<SharedPair>, Error>>;
    /// Stores `tokens` as version 1 if no pair is stored; says whether it did.
    fn seed<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<bool, Error>>;
    /// Takes the rotation lease for `ttl` unless another holder has it; says whether it did.
    fn try_lease<'a>(&'a self, holder: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>>;
    /// Stores `tokens` as version `expected + 1`, only if `holder` still holds the lease and the
    /// stored version is still `expected` (0: none stored); says whether it did.
    fn replace<'a>(
        &'a self,
        holder: &'a str,
        expected: u64,
        tokens: &'a OAuthTokens,
    ) -> BoxFuture<'a, Result<bool, Error>>;
    /// Records (`on`) that `holder`, under the lease, is about to present the refresh token of
    /// version `version` (the mark then survives the holder: a process that dies after Deel
    /// rotated the grant leaves it behind), or takes the record back (`!on`) when the holder
    /// knows the token was not spent. Storing a successor with [`Self::replace`] clears it. Says
    /// whether it did (not without the lease, or when another version is stored).
    fn presenting<'a>(
        &'a self,
        holder: &'a str,
        version: u64,
        on: bool,
    ) -> BoxFuture<'a, Result<bool, Error>>;
    /// Gives the lease back if `holder` still holds it.
    fn release<'a>(&'a self, holder: &'a str) -> BoxFuture<'a, Result<(), Error>>;
}

/// Whether a refresh failed because Deel refused the refresh token (a 4xx from the token
/// endpoint, such as `invalid_grant`): the token is then dead, not merely unsent.
fn refused_grant(error: &Error) -> bool {
    error.status().is_some_and(|s| (400..500).contains(&s))
}

/// How a session coordinates with other processes.
#[derive(Debug)]
struct Shared {
    store: Arc<dyn SharedTokenStore>,
    lease: Lease,
}

/// One rotation of the shared pair: adopting the pair another process stored, or refreshing
/// under the lease.
struct Rotation<'a> {
    session: &'a OAuthSession,
    shared: &'a Shared,
    pairs: &'a mut Pairs,
    used: Option<&'a HeaderValue>,
}

impl Leased for Rotation<'_> {
    type Output = ();
    const WHAT: &'static str = "OAuth rotation";

    async fn look(&mut self) -> Result<Option<()>, Error> {
        let adopted = match self.shared.store.load().await? {
            Some(stored) => self.session.adopt(self.pairs, stored, self.used),
            None => false,
        };
        Ok(adopted.then_some(()))
    }

    async fn take(&mut self, lease: &Lease) -> Result<bool, Error> {
        self.shared.store.try_lease(&lease.holder, lease.ttl).await
    }

    async fn work(&mut self, _: &Lease) -> Result<(), Error> {
        self.session.rotate_under_lease(self.shared, self.pairs, self.used).await
    }

    async fn release(&mut self, lease: &Lease) -> Result<(), Error> {
        self.shared.store.release(&lease.holder).await
    }
}

/// The pair in use and, after a refresh whose save has not yet succeeded, the pair that replaces
/// it.
#[derive(Debug)]
struct Pairs {
    current: OAuthTokens,
    /// Refreshed but not yet saved: the current refresh token is spent once this is set.
    pending: Option<OAuthTokens>,
    /// With a shared store: the version of `current` (0 before it was read or stored).
    version: u64,
    /// With a shared store: whether the stored pair has been read (or this one stored).
    synced: bool,
    /// With a shared store: it failed, and the current access token is used without asking it
    /// again until the token needs refreshing (one wait on an unanswering Redis per outage).
    shared_down: bool,
}

/// [`Credentials`] from an OAuth grant, refreshed ahead of expiry and once after a 401.
pub struct OAuthSession {
    app: OAuthApp,
    store: Arc<dyn TokenStore>,
    pairs: tokio::sync::Mutex<Pairs>,
    refresh_ahead: Duration,
    save_attempts: u32,
    save_backoff: Duration,
    shared: Option<Shared>,
    /// Whether the spent-token WARN has been logged (once per session).
    warned_spent: std::sync::atomic::AtomicBool,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSession")
            .field("app", &self.app)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("save_attempts", &self.save_attempts)
            .field("shared", &self.shared)
            .finish()
    }
}

impl OAuthSession {
    /// Default margin before expiry at which the access token is refreshed.
    pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(60);

    /// A session starting from `tokens` (from [`OAuthApp::exchange_code`] or your store).
    pub fn new(app: OAuthApp, tokens: OAuthTokens, store: Arc<dyn TokenStore>) -> Self {
        Self {
            app,
            store,
            pairs: tokio::sync::Mutex::new(Pairs {
                current: tokens,
                pending: None,
                version: 0,
                synced: false,
                shared_down: false,
            }),
            refresh_ahead: Self::DEFAULT_REFRESH_AHEAD,
            save_attempts: 3,
            save_backoff: Duration::from_millis(100),
            shared: None,
            warned_spent: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Default time a rotation lease is held at most (a holder that crashed frees it then).
    /// Longer than a refresh request may take, so that a slow refresh keeps its lease.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

    /// Coordinate with other processes that use the same grant through `store`: the stored pair
    /// is the one in use (this session's own pair only seeds an empty store); one process at a
    /// time refreshes, under a lease, presenting the newest stored refresh token, and stores the
    /// new pair (versioned: a stale writer cannot overwrite a newer pair) before anyone uses it;
    /// the others wait for it and adopt it. The [`TokenStore`] is then given each pair this
    /// process stored, as a durable copy (its failures are logged, not returned).
    ///
    /// When the shared store cannot be reached, the session keeps using its access token until
    /// it actually expires, and does not refresh: a refresh it could not share would leave the
    /// other processes with a spent refresh token.
    pub fn with_shared_store(mut self, store: Arc<dyn SharedTokenStore>) -> Self {
        self.shared = Some(Shared { store, lease: Lease::new(Self::DEFAULT_LEASE) });
        self
    }

    /// How long a rotation lease is held at most (default 30 s), and so how long the others
    /// wait for a holder that crashed. Give every process the same value.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        if let Some(shared) = &mut self.shared {
            shared.lease.ttl = lease;
        }
        self
    }

    /// Refresh this long before the access token expires (default 60 s).
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// How often a failed [`TokenStore::save`] is tried within one call (at least once; default
    /// 3), and the wait before the first retry, doubled for each further one (default 100 ms).
    pub fn with_save_retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.save_attempts = attempts.max(1);
        self.save_backoff = backoff;
        self
    }

    /// The pair in use.
    pub async fn tokens(&self) -> OAuthTokens {
        self.pairs.lock().await.current.clone()
    }

    /// A refreshed pair that could not be saved yet, if any. The pair in use has a spent refresh
    /// token then: store this one wherever you can. The session keeps it and retries the save
    /// before its next request.
    pub async fn pending_tokens(&self) -> Option<OAuthTokens> {
        self.pairs.lock().await.pending.clone()
    }

    /// Makes a fresh pair current: refreshes unless a pair is already pending, then saves it.
    /// A refresh token is presented at most once: after a refresh, the new pair is kept (pending)
    /// whatever happens to the save.
    async fn rotate(&self, pairs: &mut Pairs) -> Result<(), Error> {
        if pairs.pending.is_none() {
            pairs.pending = Some(self.app.refresh(&pairs.current).await?);
        }
        let Some(fresh) = pairs.pending.as_ref() else {
            return Err(Error::InvalidRequest("no refreshed OAuth pair to save".into()));
        };
        let mut wait = self.save_backoff;
        let mut attempt = 1;
        loop {
            match self.store.save(fresh).await {
                Ok(()) => break,
                Err(e) if attempt >= self.save_attempts => {
                    let e = scrubbed(e.as_ref(), &known_secrets(&self.app, [&pairs.current, fresh]));
                    tracing::warn!(
                        attempts = attempt,
                        "could not persist the rotated OAuth tokens; keeping them pending"
                    );
                    return Err(Error::Credentials {
                        message: "could not persist the rotated OAuth tokens; the new pair is kept pending \
                                  (see OAuthSession::pending_tokens) and its save is retried before the next request"
                            .into(),
                        source: Some(e),
                    });
                }
                Err(_) => {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                    attempt += 1;
                }
            }
        }
        if let Some(fresh) = pairs.pending.take() {
            pairs.current = fresh;
        }
        Ok(())
    }

    fn expiring(&self, tokens: &OAuthTokens) -> bool {
        let left = (tokens.expires_at - self.app.clock.now()).to_std().unwrap_or_default();
        left <= self.refresh_ahead
    }

    /// Whether `tokens` can be used instead of the one that was refused (`used`) or expired.
    fn usable(&self, tokens: &OAuthTokens, used: Option<&HeaderValue>) -> bool {
        !self.expiring(tokens)
            && used.is_none_or(|used| bearer(tokens.access_token()).ok().as_ref() != Some(used))
    }

    /// Reads the stored pair once, or seeds the store with this session's pair.
    async fn sync(&self, shared: &Shared, pairs: &mut Pairs) -> Result<(), Error> {
        if pairs.synced {
            return Ok(());
        }
        let stored = match shared.store.load().await? {
            Some(stored) => Some(stored),
            // Seeded: this pair is version 1. Not seeded: another process stored one meanwhile.
            None if shared.store.seed(&pairs.current).await? => None,
            None => shared.store.load().await?,
        };
        match stored {
            Some(stored) => {
                pairs.current = stored.tokens;
                pairs.version = stored.version;
            }
            None => pairs.version = 1,
        }
        pairs.synced = true;
        Ok(())
    }

    /// Adopts a pair stored by another process when it is newer than ours; says whether it can
    /// be used in place of `used`.
    fn adopt(&self, pairs: &mut Pairs, stored: SharedPair, used: Option<&HeaderValue>) -> bool {
        if stored.version <= pairs.version {
            return false;
        }
        let usable = self.usable(&stored.tokens, used);
        pairs.current = stored.tokens;
        pairs.version = stored.version;
        pairs.pending = None;
        usable
    }

    /// Makes a fresh pair current in coordination with the other processes: adopts one they
    /// stored, or takes the lease and rotates, or waits for the holder.
    async fn rotate_shared(
        &self,
        shared: &Shared,
        pairs: &mut Pairs,
        used: Option<&HeaderValue>,
    ) -> Result<(), Error> {
        lease::run(&mut Rotation { session: self, shared, pairs, used }, &shared.lease).await
    }

    async fn rotate_under_lease(
        &self,
        shared: &Shared,
        pairs: &mut Pairs,
        used: Option<&HeaderValue>,
    ) -> Result<(), Error> {
        // Another process may have stored a pair just before this one took the lease.
        let stored = shared.store.load().await?;
        if let Some(stored) = stored.clone() {
            if self.adopt(pairs, stored, used) {
                return Ok(());
            }
        }
        let base = stored.as_ref().map_or(0, |s| s.version);
        // A pair this process refreshed earlier but could not store is stored now, rather than
        // spending the stored refresh token a second time.
        let fresh = match pairs.pending.take() {
            Some(fresh) if pairs.version == base => fresh,
            _ => {
                // Another process presented this refresh token and stored nothing after it: it
                // died between Deel's answer and its store, and the token is spent. Presenting it
                // again could only be refused (and may revoke the grant).
                if stored.as_ref().is_some_and(|s| s.presented) {
                    if !self.warned_spent.swap(true, std::sync::atomic::Ordering::Relaxed) {
                        tracing::warn!(
                            "the shared OAuth refresh token was presented by a process that stored no \
                             new pair; the grant must be re-authorized"
                        );
                    }
                    return Err(Error::Credentials {
                        message: "the grant must be re-authorized; the refresh that rotated it did not \
                                  complete (the process presenting its refresh token stored no new pair)"
                            .into(),
                        source: None,
                    });
                }
                if !shared.store.presenting(&shared.lease.holder, base, true).await? {
                    return Err(Error::SharedState {
                        message: "lost the OAuth rotation lease before refreshing".into(),
                        source: None,
                    });
                }
                match self.app.refresh(&pairs.current).await {
                    Ok(fresh) => fresh,
                    Err(e) => {
                        // Alive, and told no: unless Deel refused the token itself, it was not
                        // spent, and another process may present it later.
                        if !refused_grant(&e) {
                            if let Err(undo) =
                                shared.store.presenting(&shared.lease.holder, base, false).await
                            {
                                tracing::warn!(error = %undo, "could not take back the OAuth presenting mark");
                            }
                        }
                        return Err(e);
                    }
                }
            }
        };
        match shared.store.replace(&shared.lease.holder, base, &fresh).await {
            Ok(true) => {
                pairs.current = fresh;
                pairs.version = base + 1;
                if let Err(e) = self.store.save(&pairs.current).await {
                    let e = scrubbed(e.as_ref(), &known_secrets(&self.app, [&pairs.current]));
                    tracing::warn!(error = %e, "the rotated OAuth pair is stored for every process, but its durable copy failed");
                }
                Ok(())
            }
            Ok(false) => {
                // The lease ran out during the refresh and another process stored a pair.
                tracing::warn!(
                    "the OAuth rotation lease expired during a refresh; adopting the pair stored meanwhile"
                );
                let adopted = match shared.store.load().await? {
                    Some(stored) => self.adopt(pairs, stored, used),
                    None => false,
                };
                if adopted {
                    Ok(())
                } else {
                    Err(Error::SharedState {
                        message: "lost the OAuth rotation lease and found no newer pair".into(),
                        source: None,
                    })
                }
            }
            Err(e) => {
                // Kept, and stored before anything else on the next rotation.
                pairs.pending = Some(fresh);
                Err(e)
            }
        }
    }

    /// The shared path of [`Credentials::authorization`] and [`Credentials::unauthorized`].
    async fn shared_rotation(
        &self,
        shared: &Shared,
        pairs: &mut Pairs,
        used: Option<&HeaderValue>,
    ) -> Result<(), Error> {
        // The store failed earlier: with a token that needs nothing, do not wait on it again.
        if pairs.shared_down && used.is_none() && !self.expiring(&pairs.current) {
            return Ok(());
        }
        let outcome = match self.sync(shared, pairs).await {
            Ok(()) if used.is_none() && !self.expiring(&pairs.current) => Ok(()),
            Ok(()) => self.rotate_shared(shared, pairs, used).await,
            Err(e) => Err(e),
        };
        match outcome {
            Err(e @ Error::SharedState { .. })
                if used.is_none() && self.app.clock.now() < pairs.current.expires_at =>
            {
                if !pairs.shared_down {
                    pairs.shared_down = true;
                    tracing::warn!(error = %e, "the shared OAuth store is unavailable; using the current access token until it needs refreshing");
                }
                Ok(())
            }
            Err(e) => Err(e),
            Ok(()) => {
                pairs.shared_down = false;
                Ok(())
            }
        }
    }
}

impl Credentials for OAuthSession {
    fn refreshable(&self) -> bool {
        true
    }

    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, Error>> {
        Box::pin(async move {
            let mut pairs = self.pairs.lock().await;
            if let Some(shared) = &self.shared {
                self.shared_rotation(shared, &mut pairs, None).await?;
            } else if pairs.pending.is_some() || self.expiring(&pairs.current) {
                self.rotate(&mut pairs).await?;
            }
            bearer(pairs.current.access_token())
        })
    }

    fn unauthorized<'a>(&'a self, used: &'a HeaderValue) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let mut pairs = self.pairs.lock().await;
            if let Some(shared) = &self.shared {
                if bearer(pairs.current.access_token())? == *used {
                    self.shared_rotation(shared, &mut pairs, Some(used)).await?;
                }
                return Ok(true);
            }
            // Another caller may have refreshed already; then simply retry with its token.
            if pairs.pending.is_some() || bearer(pairs.current.access_token())? == *used {
                self.rotate(&mut pairs).await?;
            }
            Ok(true)
        })
    }

    fn secrets(&self) -> Vec<String> {
        // Only what can be read without waiting: a caller holding the lock is mid-refresh.
        let mut out = vec![self.app.client_secret.expose_secret().to_string()];
        if let Ok(pairs) = self.pairs.try_lock() {
            for pair in std::iter::once(&pairs.current).chain(pairs.pending.as_ref()) {
                out.push(pair.access_token().to_string());
                out.push(pair.refresh_token().to_string());
            }
        }
        out
    }
}
