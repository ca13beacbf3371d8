//! The handle every shared piece is made from: one connection, a namespace, an optional
//! encryption key.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::seal::Sealer;
use crate::Error;

/// The environment variable [`Redis::from_env`] reads.
pub const REDIS_URL_ENV: &str = "DEEL_REDIS_URL";

/// A connection to the Redis that several processes share, with the namespace their keys live
/// under. Clones share the connection, which reconnects by itself after a failure.
#[derive(Clone)]
pub struct Redis {
    connection: ConnectionManager,
    namespace: String,
    sealer: Sealer,
    timeout: Duration,
    /// The URL's password, scrubbed from every error text.
    password: Option<String>,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("namespace", &self.namespace)
            .field("sealer", &self.sealer)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Default time allowed for one Redis command before it counts as a failure.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A handle for `url` (`redis://[:password@]host[:port][/db]`). Connects on first use, so
    /// it can be made outside an async context; keys live under the namespace `deel`.
    pub fn open(url: &str) -> Result<Self, Error> {
        let password = url::Url::parse(url).ok().and_then(|u| u.password().map(str::to_string));
        let scrub = |text: String| match &password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "<redacted>"),
            _ => text,
        };
        let client = redis::Client::open(url).map_err(|e| Error::SharedState {
            message: scrub(format!("invalid Redis URL: {e}")),
            source: None,
        })?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Self::DEFAULT_TIMEOUT))
            .set_number_of_retries(1);
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(|e| Error::SharedState {
                message: scrub(format!("could not set up the Redis connection: {e}")),
                source: None,
            })?;
        Ok(Self {
            connection,
            namespace: "deel".into(),
            sealer: Sealer::plaintext(),
            timeout: Self::DEFAULT_TIMEOUT,
            password,
        })
    }

    /// A handle for the URL in `DEEL_REDIS_URL`, or `None` when it is unset or empty.
    pub fn from_env() -> Result<Option<Self>, Error> {
        match std::env::var(REDIS_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Self::open(url.trim()).map(Some),
            _ => Ok(None),
        }
    }

    /// The prefix of every key (default `deel`). Processes that share limits and tokens must use
    /// the same one; give each Deel organization its own.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Encrypt tokens stored in Redis with this 32-byte key (XChaCha20-Poly1305, a fresh nonce
    /// per value, bound to its Redis key). Every process needs the same key.
    pub fn with_encryption_key(mut self, key: &[u8]) -> Result<Self, Error> {
        self.sealer = Sealer::with_key(key)?;
        Ok(self)
    }

    /// Time allowed for one command (default 1 s); a slower one counts as Redis being down.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.namespace.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs one command with the handle's timeout, as a typed error naming `what`.
    pub(crate) async fn run<T, F>(
        &self,
        what: &str,
        command: impl FnOnce(ConnectionManager) -> F,
    ) -> Result<T, Error>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, command(self.connection.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(self.error(what, &e.to_string())),
            Err(_) => Err(self.error(what, &format!("no answer within {:?}", self.timeout))),
        }
    }

    /// A [`Error::SharedState`] whose text quotes no password. Redis's own error is kept as
    /// text only: it may echo a command's arguments.
    pub(crate) fn error(&self, what: &str, cause: &str) -> Error {
        let mut cause = cause.to_string();
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            cause = cause.replace(p, "<redacted>");
        }
        Error::SharedState { message: format!("{what}: {cause}"), source: None }
    }

    pub(crate) fn seal(&self, key: &str, value: &str) -> Result<String, Error> {
        self.sealer.seal(key, value)
    }

    pub(crate) fn unseal(&self, key: &str, value: &str) -> Result<String, Error> {
        self.sealer.open(key, value)
    }
}
