//! The client and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::runtime::auth::{ApiToken, Credentials, StaticToken};
use crate::runtime::clock::{self, Clock};
use crate::runtime::decode::DecodeMode;
use crate::runtime::environment::Environment;
use crate::runtime::error::Error;
use crate::runtime::hook::CallHook;
use crate::runtime::idempotency::IdempotencyKeys;
use crate::runtime::limiter::{Limiter, RateLimiter};
use crate::runtime::retry::RetryPolicy;
use crate::runtime::transport::DeelTransport;
use crate::Client;

/// The version every Deel endpoint was baselined to when Deel introduced per-endpoint versions
/// (<https://developer.deel.com/api/api-versioning>). Each call sends its own operation's version
/// ([`Operation::version`](crate::runtime::Operation::version)): this one for most operations, a
/// later date for the few Deel has published since.
pub const API_VERSION: &str = "2026-01-01";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("deel-rs/", env!("CARGO_PKG_VERSION"));

/// What the facade's behaviour needs beside the transport: kept in the client's hooks, so that
/// a clone of the client (or one with other credentials) carries it.
#[derive(Clone)]
pub(crate) struct ClientState {
    pub(crate) transport: Arc<DeelTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) environment: Environment,
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("transport", &self.transport)
            .field("environment", &self.environment)
            .finish()
    }
}

/// The Deel API client: every operation is a method returning a request builder, and
/// `send().await` performs the call with this client's credentials, headers, retries and rate
/// limit. Built with [`Client::builder`] or [`Client::from_env`]; clones are cheap and share the
/// connection pool and the rate limiter.
impl Client {
    /// A builder with production defaults and no credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `DEEL_API_TOKEN` (required) and `DEEL_ENVIRONMENT`
    /// (`production`, the default, `sandbox`, `demo`, or a base URL; see [`Environment`]).
    pub fn from_env() -> Result<Self, Error> {
        let token = std::env::var("DEEL_API_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::InvalidRequest("DEEL_API_TOKEN is not set".into()))?;
        Client::builder().environment(Environment::from_env()?).token(token).build()
    }

    /// The deployment this client calls (its OAuth endpoints are
    /// [`Environment::oauth_endpoints`]).
    pub fn environment(&self) -> &Environment {
        &self.inner.state.environment
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }

    /// The underlying `reqwest` client (for requests outside the Deel API).
    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// The clock this client reads token expiry against (the system clock unless the builder
    /// was given another).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.state.clock.clone()
    }

    /// A client sending `key` as the `Idempotency-Key` of its POST and PATCH requests, which may
    /// then be retried. Use the returned client for one logical call.
    #[deprecated(
        since = "0.2.0",
        note = "set the key on the request: `.idempotency_key(key)` before `.send()`"
    )]
    pub fn with_idempotency_key(&self, key: &str) -> Result<Client, Error> {
        let value = HeaderValue::try_from(key)
            .map_err(|_| Error::InvalidRequest("idempotency key is not a valid header value".into()))?;
        Ok(self.with_transport(|t| t.fixed_key = Some(value)))
    }

    /// A client authenticating with `credentials` instead of this client's, with this client's
    /// other settings.
    pub fn with_credentials(&self, credentials: Arc<dyn Credentials>) -> Client {
        self.with_transport(|t| t.credentials = Some(credentials))
    }

    /// This client with its transport changed by `change`.
    fn with_transport(&self, change: impl FnOnce(&mut DeelTransport)) -> Client {
        let mut state = self.inner.state.clone();
        let mut transport = (*state.transport).clone();
        change(&mut transport);
        state.transport = Arc::new(transport);
        Client::new_with_client(&self.baseurl, self.client.clone(), Hooks { state })
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    environment: Environment,
    credentials: Option<Result<Arc<dyn Credentials>, Error>>,
    connect_timeout: Duration,
    timeout: Duration,
    http: Option<reqwest::Client>,
    version: Option<String>,
    beta: bool,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    limiter: Option<Arc<dyn Limiter>>,
    idempotency_keys: IdempotencyKeys,
    hooks: Vec<Arc<dyn CallHook>>,
    strict_decoding: bool,
    clock: Arc<dyn Clock>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::Production,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            http: None,
            version: None,
            beta: false,
            retry: RetryPolicy::default(),
            rate_limit: Some(5.0),
            limiter: None,
            idempotency_keys: IdempotencyKeys::Off,
            hooks: Vec::new(),
            strict_decoding: false,
            clock: clock::system(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials.as_ref().map(|c| c.as_ref().map(|_| "set")))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("version", &self.version)
            .field("beta", &self.beta)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("limiter", &self.limiter)
            .field("hooks", &self.hooks)
            .field("strict_decoding", &self.strict_decoding)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Which deployment to call (default: production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Shorthand for `environment(Environment::Custom(url))`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// Authenticate with an API token (organization or personal).
    pub fn token(mut self, token: impl Into<ApiToken>) -> Self {
        let token = token.into();
        self.credentials = Some(StaticToken::new(&token).map(|c| Arc::new(c) as Arc<dyn Credentials>));
        self
    }

    /// Authenticate with any [`Credentials`] (OAuth, a worker session, your own).
    pub fn credentials(mut self, credentials: Arc<dyn Credentials>) -> Self {
        self.credentials = Some(Ok(credentials));
        self
    }

    /// Time allowed to open a connection (default 10 s). Ignored with [`Self::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, body included (default 60 s). Ignored with
    /// [`Self::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reuse an existing `reqwest::Client` (its own timeouts and user agent then apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Pins every call to one `X-Version`. By default each call sends its own operation's version
    /// ([`API_VERSION`] for most), since Deel versions each endpoint on its own and answers a
    /// version an endpoint does not publish with 400. A call's own `.header("x-version", …)` still
    /// wins over the pin.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Send `X-Beta: true` on every call, to reach Deel's beta endpoints (default off; an
    /// operation known to be in beta sends it anyway).
    pub fn beta(mut self, beta: bool) -> Self {
        self.beta = beta;
        self
    }

    /// Retry behaviour (default: 3 attempts, 200 ms base, full jitter); `RetryPolicy::none()`
    /// turns retries off.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Client-side rate limit in requests per second, shared by clones (default 5, Deel's limit
    /// per organization); `None` turns it off.
    pub fn rate_limit(mut self, per_second: Option<f64>) -> Self {
        self.rate_limit = per_second;
        self.limiter = None;
        self
    }

    /// A limiter of your own in place of the in-process one, e.g. one shared by every replica
    /// of a service (`deel_api::redis::Redis::rate_limiter`, feature `redis`).
    pub fn limiter(mut self, limiter: Arc<dyn Limiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Adds a hook that sees each attempt's request before it is sent and what the attempt came
    /// to (status, headers, time taken, attempt number): to add a header, count calls or export
    /// metrics. Hooks run in the order they were added. See [`CallHook`].
    pub fn hook(mut self, hook: Arc<dyn CallHook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Give POST and PATCH calls an `Idempotency-Key` when they set none, which makes them
    /// retryable (default off: they are sent once): `true` or [`IdempotencyKeys::Random`] for a
    /// random key per call, [`IdempotencyKeys::derived`] for a key derived from the request, so
    /// that the same request re-run after a crash is performed once. See [`IdempotencyKeys`].
    pub fn idempotency_keys(mut self, keys: impl Into<IdempotencyKeys>) -> Self {
        self.idempotency_keys = keys.into();
        self
    }

    /// Decode responses strictly: any difference from the spec that lenient decoding would
    /// correct (a number where a string is declared, a missing required field, …) becomes
    /// [`Error::Decode`] at its JSON pointer. Off by default: real responses differ from the spec
    /// in small ways, and lenient decoding corrects them, records each on the response
    /// ([`Response::corrections`](crate::Response::corrections)) and logs it once per client. Turn
    /// it on in tests and CI, where drift should fail loudly.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// The clock token expiry is judged by (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.environment.base_url()?;
        let http = match &self.http {
            Some(http) => http.clone(),
            None => reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                // Deel does not redirect API calls; a 3xx is reported, not followed with the
                // caller's credentials.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::InvalidRequest(format!("could not build the HTTP client: {e}")))?,
        };
        let state = self.state()?;
        Ok(Client::new_with_client(&base_url, http, Hooks { state }))
    }

    /// The transport and what goes with it.
    fn state(self) -> Result<ClientState, Error> {
        let credentials = self.credentials.transpose()?;
        let version = match &self.version {
            Some(v) => Some(
                HeaderValue::try_from(v.as_str())
                    .map_err(|_| Error::InvalidRequest(format!("invalid X-Version `{v}`")))?,
            ),
            None => None,
        };
        let limiter = self.limiter;
        let transport = Arc::new(DeelTransport {
            credentials,
            version,
            beta: self.beta,
            retry: self.retry,
            limiter: limiter.or_else(|| {
                self.rate_limit.map(|rate| Arc::new(RateLimiter::per_second(rate)) as Arc<dyn Limiter>)
            }),
            idempotency: self.idempotency_keys,
            fixed_key: None,
            decode_mode: if self.strict_decoding { DecodeMode::Strict } else { DecodeMode::Lenient },
            hooks: self.hooks.into(),
            warned: Arc::default(),
        });
        Ok(ClientState { transport, clock: self.clock, environment: self.environment })
    }
}

/// What the builder gives every client it builds, kept in the generated client (which calls it
/// its inner value): there is no other way to make one.
#[derive(Debug, Clone)]
pub struct Hooks {
    pub(crate) state: ClientState,
}

impl Hooks {
    pub(crate) fn transport(&self) -> &Arc<DeelTransport> {
        &self.state.transport
    }
}
