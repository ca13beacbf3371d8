//! OAuth pairs and worker tokens kept in Redis for several processes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use redis::AsyncCommands;
#[cfg(feature = "worker-session")]
use secrecy::{ExposeSecret, SecretString};

use super::handle::Redis;
use crate::auth::BoxFuture;
use crate::oauth::{OAuthTokens, SharedPair, SharedTokenStore};
#[cfg(feature = "worker-session")]
use crate::worker::{SharedWorkerTokens, StoredWorkerToken, WorkerToken};
use crate::Error;

/// Deletes a lease only if `holder` still holds it.
static RELEASE: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// Writes a pair as version `expected + 1` only while `holder` holds the lease and the stored
/// version is still `expected`: -1 without the lease, -2 when another pair was stored meanwhile.
static REPLACE: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[2]) then return -2 end
redis.call('HSET', KEYS[1], 'version', v + 1, unpack(ARGV, 3))
redis.call('HDEL', KEYS[1], 'presenting')
return v + 1
",
    )
});

/// Marks (ARGV[3] == '1') or unmarks the stored pair's refresh token as being presented, only
/// while `holder` holds the lease and the stored version is still the one named: -1 without the
/// lease, -2 when another pair is stored.
static PRESENTING: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[2]) then return -2 end
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'presenting', v) else redis.call('HDEL', KEYS[1], 'presenting') end
return 1
",
    )
});

/// Writes a pair as version 1 when none is stored.
static SEED: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'version', 1, unpack(ARGV))
return 1
",
    )
});

async fn take_lease(redis: &Redis, key: &str, holder: &str, ttl: Duration) -> Result<bool, Error> {
    let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
    let reply: Option<String> = redis
        .run("taking a lease", |mut c| async move {
            redis::cmd("SET").arg(key).arg(holder).arg("NX").arg("PX").arg(ms).query_async(&mut c).await
        })
        .await?;
    Ok(reply.is_some())
}

async fn give_back(redis: &Redis, key: &str, holder: &str) -> Result<(), Error> {
    let script = &*RELEASE;
    redis
        .run("releasing a lease", |mut c| async move {
            script.key(key).arg(holder).invoke_async::<i64>(&mut c).await
        })
        .await
        .map(drop)
}

impl Redis {
    /// Shared storage and a rotation lease for the OAuth grant named `grant` (one per
    /// authorized organization; any name your processes agree on).
    pub fn oauth_store(&self, grant: &str) -> RedisOAuthStore {
        RedisOAuthStore::new(self.clone(), grant)
    }

    /// Worker tokens shared by every process on this namespace.
    #[cfg(feature = "worker-session")]
    pub fn worker_tokens(&self) -> RedisWorkerTokens {
        RedisWorkerTokens::new(self.clone())
    }
}

/// An OAuth grant's token pair in Redis (a hash at `<namespace>:oauth:<grant>`, version
/// included) and its rotation lease (`…:lease`). Give it to
/// [`OAuthSession::with_shared_store`](crate::oauth::OAuthSession::with_shared_store).
#[derive(Debug, Clone)]
pub struct RedisOAuthStore {
    redis: Redis,
    key: String,
    lease: String,
}

impl RedisOAuthStore {
    fn new(redis: Redis, grant: &str) -> Self {
        let key = redis.key(&["oauth", grant]);
        Self { lease: format!("{key}:lease"), key, redis }
    }

    fn fields(&self, tokens: &OAuthTokens) -> Result<Vec<String>, Error> {
        Ok(vec![
            "access".into(),
            self.redis.seal(&format!("{}:access", self.key), tokens.access_token())?,
            "refresh".into(),
            self.redis.seal(&format!("{}:refresh", self.key), tokens.refresh_token())?,
            "expires_at".into(),
            tokens.expires_at().to_rfc3339(),
            "scope".into(),
            tokens.scope().unwrap_or_default().to_string(),
        ])
    }
}

impl SharedTokenStore for RedisOAuthStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<SharedPair>, Error>> {
        Box::pin(async move {
            let key = self.key.as_str();
            let fields: std::collections::HashMap<String, String> =
                self.redis.run("reading the OAuth pair", |mut c| async move { c.hgetall(key).await }).await?;
            if fields.is_empty() {
                return Ok(None);
            }
            let field = |name: &str| {
                fields.get(name).ok_or_else(|| {
                    self.redis.error("reading the OAuth pair", &format!("the stored pair has no `{name}`"))
                })
            };
            let version = field("version")?.parse::<u64>().map_err(|_| {
                self.redis.error("reading the OAuth pair", "the stored version is not a number")
            })?;
            let access = self.redis.unseal(&format!("{key}:access"), field("access")?)?;
            let refresh = self.redis.unseal(&format!("{key}:refresh"), field("refresh")?)?;
            let expires_at = field("expires_at")?
                .parse::<DateTime<Utc>>()
                .map_err(|_| self.redis.error("reading the OAuth pair", "the stored expiry is not a date"))?;
            let scope = fields.get("scope").filter(|s| !s.is_empty()).cloned();
            let tokens = OAuthTokens::new(&access, &refresh, expires_at).with_scope(scope);
            let presented = fields.get("presenting").and_then(|p| p.parse::<u64>().ok()) == Some(version);
            Ok(Some(SharedPair { version, tokens, presented }))
        })
    }

    fn seed<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let fields = self.fields(tokens)?;
            let script = &*SEED;
            let key = self.key.as_str();
            let done: i64 = self
                .redis
                .run("storing the first OAuth pair", |mut c| async move {
                    script.key(key).arg(fields).invoke_async(&mut c).await
                })
                .await?;
            Ok(done == 1)
        })
    }

    fn try_lease<'a>(&'a self, holder: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(take_lease(&self.redis, &self.lease, holder, ttl))
    }

    fn replace<'a>(
        &'a self,
        holder: &'a str,
        expected: u64,
        tokens: &'a OAuthTokens,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let fields = self.fields(tokens)?;
            let script = &*REPLACE;
            let (key, lease) = (self.key.as_str(), self.lease.as_str());
            let version: i64 = self
                .redis
                .run("storing the rotated OAuth pair", |mut c| async move {
                    script
                        .key(key)
                        .key(lease)
                        .arg(holder)
                        .arg(expected)
                        .arg(fields)
                        .invoke_async(&mut c)
                        .await
                })
                .await?;
            Ok(version > 0)
        })
    }

    fn presenting<'a>(
        &'a self,
        holder: &'a str,
        version: u64,
        on: bool,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let script = &*PRESENTING;
            let (key, lease) = (self.key.as_str(), self.lease.as_str());
            let done: i64 = self
                .redis
                .run("marking the OAuth refresh token as presented", |mut c| async move {
                    script
                        .key(key)
                        .key(lease)
                        .arg(holder)
                        .arg(version)
                        .arg(if on { "1" } else { "0" })
                        .invoke_async(&mut c)
                        .await
                })
                .await?;
            Ok(done == 1)
        })
    }

    fn release<'a>(&'a self, holder: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(give_back(&self.redis, &self.lease, holder))
    }
}

#[cfg(feature = "worker-session")]
/// Worker tokens in Redis, one key per worker (`<namespace>:worker:<profile id>`) that expires
/// with its token, and a creation lease per worker. Give it to
/// [`WorkerSessions::with_shared_cache`](crate::WorkerSessions::with_shared_cache).
#[derive(Debug, Clone)]
#[cfg(feature = "worker-session")]
pub struct RedisWorkerTokens {
    redis: Redis,
}

#[cfg(feature = "worker-session")]
impl RedisWorkerTokens {
    fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn key(&self, profile_id: &str) -> String {
        self.redis.key(&["worker", profile_id])
    }
}

#[cfg(feature = "worker-session")]
impl SharedWorkerTokens for RedisWorkerTokens {
    fn get<'a>(&'a self, profile_id: &'a str) -> BoxFuture<'a, Result<Option<StoredWorkerToken>, Error>> {
        Box::pin(async move {
            let key = self.key(profile_id);
            let k = key.as_str();
            let stored: Option<String> =
                self.redis.run("reading a worker token", |mut c| async move { c.get(k).await }).await?;
            let Some(stored) = stored else { return Ok(None) };
            let (expires_at, sealed) = stored.split_once(' ').ok_or_else(|| {
                self.redis.error("reading a worker token", "the stored value has no expiry")
            })?;
            let expires_at = expires_at
                .parse::<DateTime<Utc>>()
                .map_err(|_| self.redis.error("reading a worker token", "the stored expiry is not a date"))?;
            let token = SecretString::from(self.redis.unseal(&key, sealed)?);
            Ok(Some(StoredWorkerToken { token, expires_at }))
        })
    }

    fn put<'a>(&'a self, profile_id: &'a str, token: &'a WorkerToken) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let key = self.key(profile_id);
            let value =
                format!("{} {}", token.expires_at().to_rfc3339(), self.redis.seal(&key, token.expose())?);
            let ms = u64::try_from(token.expires_in().as_millis()).unwrap_or(u64::MAX).max(1);
            let k = key.as_str();
            self.redis
                .run(
                    "storing a worker token",
                    |mut c| async move { c.pset_ex::<_, _, ()>(k, value, ms).await },
                )
                .await
        })
    }

    fn remove<'a>(&'a self, profile_id: &'a str, token: Option<&'a str>) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let matches = match token {
                None => true,
                Some(token) => self.get(profile_id).await?.is_some_and(|s| s.token.expose_secret() == token),
            };
            if matches {
                let key = self.key(profile_id);
                let k = key.as_str();
                self.redis
                    .run("removing a worker token", |mut c| async move { c.del::<_, ()>(k).await })
                    .await?;
            }
            Ok(())
        })
    }

    fn try_lease<'a>(
        &'a self,
        profile_id: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            take_lease(&self.redis, &format!("{}:lease", self.key(profile_id)), holder, ttl).await
        })
    }

    fn release<'a>(&'a self, profile_id: &'a str, holder: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(
            async move { give_back(&self.redis, &format!("{}:lease", self.key(profile_id)), holder).await },
        )
    }
}
