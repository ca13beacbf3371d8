//! The client and its builder.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use deel_api_gen::DecodeMode;
use reqwest::header::HeaderValue;

use crate::auth::{ApiToken, Credentials, StaticToken};
use crate::clock::{self, Clock};
use crate::environment::Environment;
use crate::limiter::{Limiter, RateLimiter};
use crate::retry::RetryPolicy;
use crate::transport::{DeelTransport, Idempotency};
use crate::Error;

/// The Deel API version this SDK's types describe, sent as `X-Version` unless overridden.
pub const API_VERSION: &str = "2026-01-01";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("deel-rs/", env!("CARGO_PKG_VERSION"));

/// A Deel API client.
///
/// Every operation of the API is a method (through `Deref` to the generated client) returning a
/// request builder; `send().await` performs the call with this client's credentials, headers,
/// retries and rate limit. Clones are cheap and share the connection pool and the rate limiter.
#[derive(Clone)]
pub struct Client {
    generated: deel_api_gen::Client,
    transport: Arc<DeelTransport>,
    base_url: String,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    #[cfg(feature = "redis")]
    redis: Option<crate::redis::Redis>,
}

impl Client {
    /// A builder with production defaults and no credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `DEEL_API_TOKEN` (required) and `DEEL_ENVIRONMENT`
    /// (`production`, the default, `sandbox`, or a base URL).
    pub fn from_env() -> Result<Self, Error> {
        let token = std::env::var("DEEL_API_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::InvalidRequest("DEEL_API_TOKEN is not set".into()))?;
        let environment = match std::env::var("DEEL_ENVIRONMENT") {
            Ok(value) => Environment::parse(&value)?,
            Err(_) => Environment::Production,
        };
        Client::builder().environment(environment).token(token).build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The underlying `reqwest` client (for requests outside the Deel API).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The clock this client reads token expiry against.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
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
        let mut transport = (*self.transport).clone();
        transport.idempotency = Idempotency::Fixed(value);
        Ok(self.with_transport(transport))
    }

    /// A client authenticating with `credentials` instead of this client's.
    pub fn with_credentials(&self, credentials: Arc<dyn Credentials>) -> Client {
        let mut transport = (*self.transport).clone();
        transport.credentials = Some(credentials);
        self.with_transport(transport)
    }

    fn with_transport(&self, transport: DeelTransport) -> Client {
        let transport = Arc::new(transport);
        let generated = deel_api_gen::Client::new_with_client(
            &self.base_url,
            self.http.clone(),
            deel_api_gen::Hooks::new(transport.clone()),
        );
        Client {
            generated,
            transport,
            base_url: self.base_url.clone(),
            http: self.http.clone(),
            clock: self.clock.clone(),
            #[cfg(feature = "redis")]
            redis: self.redis.clone(),
        }
    }

    /// The Redis this client coordinates through, when built with
    /// [`ClientBuilder::redis`].
    #[cfg(feature = "redis")]
    pub fn redis(&self) -> Option<&crate::redis::Redis> {
        self.redis.as_ref()
    }
}

impl Deref for Client {
    type Target = deel_api_gen::Client;

    fn deref(&self) -> &Self::Target {
        &self.generated
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("transport", &self.transport)
            .finish()
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    environment: Environment,
    credentials: Option<Result<Arc<dyn Credentials>, Error>>,
    connect_timeout: Duration,
    timeout: Duration,
    http: Option<reqwest::Client>,
    version: String,
    beta: bool,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    limiter: Option<Arc<dyn Limiter>>,
    #[cfg(feature = "redis")]
    redis: Option<Result<crate::redis::Redis, Error>>,
    idempotency_keys: bool,
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
            version: API_VERSION.to_string(),
            beta: false,
            retry: RetryPolicy::default(),
            rate_limit: Some(5.0),
            limiter: None,
            #[cfg(feature = "redis")]
            redis: None,
            idempotency_keys: false,
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

    /// The `X-Version` header (default [`API_VERSION`], the version the types describe).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Send `X-Beta: true` to reach Deel's beta endpoints (default off).
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
    /// of a service (`redis::Redis::rate_limiter`, feature `redis`).
    pub fn limiter(mut self, limiter: Arc<dyn Limiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Coordinate with the other processes that use this organization through `redis`: the
    /// rate limit ([`Self::rate_limit`], default 5 per second) becomes one limit for all of them
    /// together, and [`WorkerSessions`](crate::WorkerSessions) made from this client share one
    /// token per worker. A limiter set with [`Self::limiter`] is kept.
    #[cfg(feature = "redis")]
    pub fn redis(mut self, redis: crate::redis::Redis) -> Self {
        self.redis = Some(Ok(redis));
        self
    }

    /// [`Self::redis`] with the URL in `DEEL_REDIS_URL`; without it (unset or empty), each
    /// process keeps its own limit and tokens. An invalid URL fails [`Self::build`].
    #[cfg(feature = "redis")]
    pub fn redis_from_env(mut self) -> Self {
        self.redis = crate::redis::Redis::from_env().transpose();
        self
    }

    /// Give every POST and PATCH a fresh `Idempotency-Key` (reused across its retries), which
    /// makes them retryable (default off: they are sent once).
    pub fn idempotency_keys(mut self, on: bool) -> Self {
        self.idempotency_keys = on;
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
        let credentials = self.credentials.transpose()?;
        let version = HeaderValue::try_from(self.version.as_str())
            .map_err(|_| Error::InvalidRequest(format!("invalid X-Version `{}`", self.version)))?;
        let http = match self.http {
            Some(http) => http,
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
        #[cfg(feature = "redis")]
        let redis = self.redis.transpose()?;
        #[cfg(feature = "redis")]
        let limiter = match (self.limiter, &redis) {
            (Some(limiter), _) => Some(limiter),
            (None, Some(redis)) => {
                self.rate_limit.map(|rate| Arc::new(redis.rate_limiter(rate)) as Arc<dyn Limiter>)
            }
            (None, None) => None,
        };
        #[cfg(not(feature = "redis"))]
        let limiter = self.limiter;
        let transport = Arc::new(DeelTransport {
            credentials,
            version,
            beta: self.beta,
            retry: self.retry,
            limiter: limiter.or_else(|| {
                self.rate_limit.map(|rate| Arc::new(RateLimiter::per_second(rate)) as Arc<dyn Limiter>)
            }),
            idempotency: if self.idempotency_keys { Idempotency::Generate } else { Idempotency::Off },
            decode_mode: if self.strict_decoding { DecodeMode::Strict } else { DecodeMode::Lenient },
            warned: Arc::default(),
        });
        let generated = deel_api_gen::Client::new_with_client(
            &base_url,
            http.clone(),
            deel_api_gen::Hooks::new(transport.clone()),
        );
        Ok(Client {
            generated,
            transport,
            base_url,
            http,
            clock: self.clock,
            #[cfg(feature = "redis")]
            redis,
        })
    }
}
