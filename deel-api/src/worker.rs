//! Worker access tokens: short-lived tokens (24 hours) that let a client act as one worker.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::{bearer, BoxFuture, Credentials};
use crate::clock::Clock;
use crate::expiry::{self, ExpirySource};
use crate::lease::{self, Lease, Leased};
use crate::{types, Client, Error};

/// A worker access token from `POST /workers/session` and when it expires.
#[derive(Clone)]
pub struct WorkerToken {
    token: SecretString,
    expires_at: DateTime<Utc>,
    source: ExpirySource,
    clock: Arc<dyn Clock>,
}

impl WorkerToken {
    /// A token expiring at `expires_at`, judged against `clock`.
    pub fn new(token: impl Into<String>, expires_at: DateTime<Utc>, clock: Arc<dyn Clock>) -> Self {
        Self { token: SecretString::from(token.into()), expires_at, source: ExpirySource::Response, clock }
    }

    /// Where [`Self::expires_at`] came from: Deel's response, the token's own JWT claim when the
    /// response's `expires_at` was absent, null or unparseable, or else an assumed 24 hours from
    /// issue (Deel's documented lifetime of a worker token).
    pub fn expiry_source(&self) -> ExpirySource {
        self.source
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        self.token.expose_secret()
    }

    /// When Deel stops accepting it.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Whether it has expired.
    pub fn is_expired(&self) -> bool {
        self.clock.now() >= self.expires_at
    }

    /// Time left before it expires (zero once expired).
    pub fn expires_in(&self) -> Duration {
        (self.expires_at - self.clock.now()).to_std().unwrap_or_default()
    }

    /// Whether it expires within `window` from now (or already has).
    pub fn expires_within(&self, window: Duration) -> bool {
        self.expires_in() <= window
    }
}

impl fmt::Debug for WorkerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("expiry_source", &self.source)
            .finish()
    }
}

/// One cached token per worker; the async mutex makes concurrent callers for one worker share a
/// single `POST /workers/session`.
type Slot = Arc<tokio::sync::Mutex<Option<WorkerToken>>>;

/// A worker token as a shared cache returns it.
pub struct StoredWorkerToken {
    /// The token.
    pub token: SecretString,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for StoredWorkerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredWorkerToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Worker tokens shared by several processes, with a lease per worker so that one of them
/// creates the worker's session (`redis::RedisWorkerTokens`, feature `redis`). Give it to
/// [`WorkerSessions::with_shared_cache`].
pub trait SharedWorkerTokens: Send + Sync + fmt::Debug {
    /// The stored token of a worker, if any.
    fn get<'a>(&'a self, profile_id: &'a str) -> BoxFuture<'a, Result<Option<StoredWorkerToken>, Error>>;
    /// Stores a worker's token until it expires.
    fn put<'a>(&'a self, profile_id: &'a str, token: &'a WorkerToken) -> BoxFuture<'a, Result<(), Error>>;
    /// Removes a worker's stored token: only if it is still `token` (one Deel refused), or
    /// whatever it is with `None` (the session was ended).
    fn remove<'a>(&'a self, profile_id: &'a str, token: Option<&'a str>) -> BoxFuture<'a, Result<(), Error>>;
    /// Takes a worker's creation lease for `ttl` unless another holder has it.
    fn try_lease<'a>(
        &'a self,
        profile_id: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Error>>;
    /// Gives a worker's lease back if `holder` still holds it.
    fn release<'a>(&'a self, profile_id: &'a str, holder: &'a str) -> BoxFuture<'a, Result<(), Error>>;
}

/// How sessions share tokens with other processes.
#[derive(Debug, Clone)]
struct Shared {
    cache: Arc<dyn SharedWorkerTokens>,
    lease: Lease,
}

/// Creating one worker's session under its lease, for every process sharing the cache.
struct Creation<'a> {
    sessions: &'a WorkerSessions,
    shared: &'a Shared,
    profile_id: &'a str,
}

impl Leased for Creation<'_> {
    type Output = WorkerToken;
    const WHAT: &'static str = "worker-token";

    async fn look(&mut self) -> Result<Option<WorkerToken>, Error> {
        self.sessions.stored(self.shared, self.profile_id).await
    }

    async fn take(&mut self, lease: &Lease) -> Result<bool, Error> {
        self.shared.cache.try_lease(self.profile_id, &lease.holder, lease.ttl).await
    }

    async fn work(&mut self, _: &Lease) -> Result<WorkerToken, Error> {
        // Stored just before this process took the lease?
        if let Some(token) = self.look().await? {
            return Ok(token);
        }
        let token = self.sessions.create(self.profile_id).await?;
        if let Err(e) = self.shared.cache.put(self.profile_id, &token).await {
            tracing::warn!(error = %e, "could not share a new worker token; this process keeps it");
        }
        Ok(token)
    }

    async fn release(&mut self, lease: &Lease) -> Result<(), Error> {
        self.shared.cache.release(self.profile_id, &lease.holder).await
    }
}

/// Hands out valid worker tokens, creating one on first use and again when the cached one is
/// within `skew` of expiry. Clones share the cache.
#[derive(Clone)]
pub struct WorkerSessions {
    client: Client,
    skew: Duration,
    slots: Arc<Mutex<HashMap<String, Slot>>>,
    shared: Option<Shared>,
}

impl fmt::Debug for WorkerSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.slots.lock().map(|s| s.len()).unwrap_or_default();
        f.debug_struct("WorkerSessions")
            .field("skew", &self.skew)
            .field("cached", &cached)
            .field("shared", &self.shared)
            .finish()
    }
}

impl WorkerSessions {
    /// Default margin before expiry at which a token is replaced.
    pub const DEFAULT_SKEW: Duration = Duration::from_secs(5 * 60);

    /// Sessions created with `client` (which needs the `admin:worker` scope), each token kept in
    /// this process; [`Self::with_shared_cache`] shares them with other processes.
    pub fn new(client: &Client) -> Self {
        Self { client: client.clone(), skew: Self::DEFAULT_SKEW, slots: Arc::default(), shared: None }
    }

    /// Share tokens with other processes through `cache`: a process first looks there, and one
    /// process at a time (under a per-worker lease of at most 30 s) creates a worker's session
    /// and stores its token, which the others then read. When the cache cannot be reached, this
    /// process creates and keeps its own token (logged as a WARN) rather than fail. With Redis
    /// (feature `redis`): `.with_shared_cache(Arc::new(redis.worker_tokens()))`.
    pub fn with_shared_cache(mut self, cache: Arc<dyn SharedWorkerTokens>) -> Self {
        self.shared = Some(Shared { cache, lease: Lease::new(Duration::from_secs(30)) });
        self
    }

    /// Replace tokens this long before they expire (default 5 minutes).
    pub fn with_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    fn slot(&self, worker: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(worker.to_string()).or_default().clone()
    }

    /// A token for the worker with this profile id, valid for longer than the skew.
    pub async fn token(&self, profile_id: &str) -> Result<WorkerToken, Error> {
        let slot = self.slot(profile_id);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| !t.expires_within(self.skew)) {
            return Ok(token.clone());
        }
        let token = match &self.shared {
            Some(shared) => match self.shared_token(shared, profile_id).await {
                Err(e @ Error::SharedState { .. }) => {
                    tracing::warn!(error = %e, "the shared worker-token cache is unavailable; creating this process's own token");
                    self.create(profile_id).await?
                }
                other => other?,
            },
            None => self.create(profile_id).await?,
        };
        *cached = Some(token.clone());
        Ok(token)
    }

    /// A valid token from the shared cache, or one this process creates and stores there under
    /// the worker's lease, or one the lease holder stores while this process waits.
    async fn shared_token(&self, shared: &Shared, profile_id: &str) -> Result<WorkerToken, Error> {
        lease::run(&mut Creation { sessions: self, shared, profile_id }, &shared.lease).await
    }

    async fn stored(&self, shared: &Shared, profile_id: &str) -> Result<Option<WorkerToken>, Error> {
        let clock = self.client.clock().clone();
        Ok(shared
            .cache
            .get(profile_id)
            .await?
            .map(|s| WorkerToken::new(s.token.expose_secret(), s.expires_at, clock))
            .filter(|t| !t.expires_within(self.skew)))
    }

    /// Creates a session with `POST /workers/session`.
    async fn create(&self, profile_id: &str) -> Result<WorkerToken, Error> {
        let body = types::CreateWorkerAccessTokenRequest {
            data: types::CreateWorkerAccessTokenInput { profile_id: profile_id.to_string() },
        };
        // Read as JSON, not as the typed response: an unusable `expires_at` must not lose the
        // token, nor (zero-filled to the epoch) make every call create a new one.
        let created = self
            .client
            .create_worker_access_token(body)
            .send()
            .json()
            .await
            .map_err(|e| Error::Credentials {
                message: "could not create a worker access token (POST /workers/session)".into(),
                source: Some(Box::new(e)),
            })?
            .into_inner();
        let secret = created.pointer("/data/token").and_then(|t| t.as_str()).filter(|t| !t.is_empty());
        let Some(secret) = secret else {
            return Err(Error::Credentials {
                message: "Deel's worker session response has no token at /data/token".into(),
                source: None,
            });
        };
        let stated = created
            .pointer("/data/expires_at")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse::<DateTime<Utc>>().ok());
        let clock = self.client.clock().clone();
        let (expires_at, source) = expiry::resolve(secret, stated, clock.now(), chrono::Duration::hours(24));
        if source != ExpirySource::Response {
            tracing::warn!(
                ?source,
                "the worker session response has no usable expires_at; expiry taken elsewhere"
            );
        }
        let token = WorkerToken { source, ..WorkerToken::new(secret, expires_at, clock) };
        if token.expires_within(self.skew) {
            // Replacing it would not help: report rather than loop on fresh, short-lived tokens.
            tracing::warn!(expires_at = %token.expires_at, "Deel issued a worker token that is already near expiry");
        }
        Ok(token)
    }

    /// Ends the worker's session (`DELETE /workers/{worker_id}/session`) and forgets its token.
    /// The worker id is the profile id the token was created for.
    pub async fn revoke(&self, worker_id: &str) -> Result<(), Error> {
        self.client.delete_worker_access_token(worker_id).send().await?;
        self.forget(worker_id).await;
        Ok(())
    }

    /// Drops the cached token (from the shared cache too), so that the next call creates a new
    /// one.
    pub async fn forget(&self, profile_id: &str) {
        let slot = self.slot(profile_id);
        let mut cached = slot.lock().await;
        *cached = None;
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.cache.remove(profile_id, None).await {
                tracing::warn!(error = %e, "could not remove a worker token from the shared cache");
            }
        }
    }

    /// A client acting as this worker, for the worker-facing endpoints; its token is refreshed as
    /// it nears expiry.
    pub fn client_for(&self, profile_id: &str) -> Client {
        let credentials = WorkerCredentials { sessions: self.clone(), profile_id: profile_id.into() };
        self.client.with_credentials(Arc::new(credentials))
    }
}

/// [`Credentials`] that act as one worker.
#[derive(Debug, Clone)]
pub struct WorkerCredentials {
    sessions: WorkerSessions,
    profile_id: String,
}

impl Credentials for WorkerCredentials {
    fn refreshable(&self) -> bool {
        true
    }

    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, Error>> {
        Box::pin(async move { bearer(self.sessions.token(&self.profile_id).await?.expose()) })
    }

    fn unauthorized<'a>(&'a self, used: &'a HeaderValue) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            // Deel no longer accepts the token: drop it unless another caller already has.
            let slot = self.sessions.slot(&self.profile_id);
            let mut cached = slot.lock().await;
            let current = cached.as_ref().map(|t| bearer(t.expose())).transpose()?;
            if current.as_ref() == Some(used) {
                if let (Some(shared), Some(token)) = (&self.sessions.shared, cached.take()) {
                    if let Err(e) = shared.cache.remove(&self.profile_id, Some(token.expose())).await {
                        tracing::warn!(error = %e, "could not remove a refused worker token from the shared cache");
                    }
                }
                *cached = None;
            }
            Ok(true)
        })
    }

    fn secrets(&self) -> Vec<String> {
        let slot = self.sessions.slot(&self.profile_id);
        // A caller holding the slot is creating a token; the one it replaces is in the header.
        let cached = slot.try_lock().ok().and_then(|t| t.as_ref().map(|t| t.expose().to_string()));
        cached.into_iter().collect()
    }
}
