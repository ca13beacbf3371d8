//! One request rate for every process of an organization.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::Redis;
use crate::auth::BoxFuture;
use crate::limiter::{Limiter, RateLimiter};

/// Reserves the next send time under GCRA (the generic cell rate algorithm): a request may go
/// at `max(now, tat - (burst - 1) * interval)`, and moves the theoretical arrival time `tat` one
/// interval on. Time is Redis's, so processes on machines with different clocks agree.
/// Returns how long the caller waits, in microseconds.
/// Hashed once: `Script::new` computes the SHA-1 that EVALSHA sends, and this runs before
/// every request.
static GCRA: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local at = tat - (burst - 1) * interval
if at < now then at = now end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.floor((next - now) / 1000) + 1000)
return at - now
",
    )
});

/// A [`Limiter`] shared through Redis by every process on one namespace, so that together they
/// send at most `per_second` requests per second, plus `burst - 1` at once after a quiet spell
/// (default burst 1: evenly spaced).
///
/// When Redis cannot be reached (or answers slower than the handle's timeout), each process
/// limits itself to `per_second / replicas` (see [`Self::with_fallback_replicas`], default 4)
/// and logs one WARN per outage; it tries Redis again a second later. It never sends
/// unlimited.
#[derive(Clone)]
pub struct RedisRateLimiter {
    redis: Redis,
    key: String,
    interval_us: u64,
    burst: u32,
    fallback: RateLimiter,
    replicas: u32,
    state: Arc<Fallback>,
}

#[derive(Default)]
struct Fallback {
    /// Redis is not asked again before this instant after a failure.
    retry_at: Mutex<Option<Instant>>,
    /// Whether the current outage has been logged.
    warned: AtomicBool,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("key", &self.key)
            .field("per_second", &(1e6 / self.interval_us as f64))
            .field("burst", &self.burst)
            .field("fallback_replicas", &self.replicas)
            .finish()
    }
}

impl RedisRateLimiter {
    /// How long a process waits before asking Redis again after a failure.
    const RETRY_AFTER: Duration = Duration::from_secs(1);

    pub(super) fn new(redis: Redis, per_second: f64) -> Self {
        let per_second = if per_second.is_finite() && per_second > 0.0 { per_second } else { 1.0 };
        let replicas = 4;
        Self {
            key: redis.key(&["rate"]),
            redis,
            interval_us: (1e6 / per_second).round().max(1.0) as u64,
            burst: 1,
            fallback: RateLimiter::per_second(per_second / f64::from(replicas)),
            replicas,
            state: Arc::default(),
        }
    }

    /// Requests that may go at once after a quiet spell (at least 1, the default).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// How many processes share the limit, for the local limit each keeps to while Redis is
    /// unreachable: `per_second / replicas` (default 4).
    pub fn with_fallback_replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas.max(1);
        let per_second = 1e6 / self.interval_us as f64;
        self.fallback = RateLimiter::per_second(per_second / f64::from(self.replicas));
        self
    }

    /// The rate each process keeps to while Redis is unreachable.
    pub fn fallback_rate(&self) -> f64 {
        self.fallback.rate()
    }

    /// Reserves a slot in Redis; `None` when Redis could not be asked.
    async fn reserve(&self) -> Option<Duration> {
        let skip =
            self.state.retry_at.lock().map(|at| at.is_some_and(|at| Instant::now() < at)).unwrap_or(false);
        if skip {
            return None;
        }
        let script = &*GCRA;
        let result = self
            .redis
            .run("reserving a request slot", |mut c| async move {
                script.key(&self.key).arg(self.interval_us).arg(self.burst).invoke_async::<i64>(&mut c).await
            })
            .await;
        match result {
            Ok(wait_us) => {
                if self.state.warned.swap(false, Ordering::Relaxed) {
                    tracing::info!(key = %self.key, "Redis is reachable again; the shared rate limit applies");
                }
                Some(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
            }
            Err(e) => {
                if let Ok(mut at) = self.state.retry_at.lock() {
                    *at = Some(Instant::now() + Self::RETRY_AFTER);
                }
                if !self.state.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        error = %e,
                        fallback_per_second = self.fallback.rate(),
                        "Redis is unreachable; limiting this process locally until it is back"
                    );
                }
                None
            }
        }
    }
}

impl Limiter for RedisRateLimiter {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            match self.reserve().await {
                Some(wait) if wait.is_zero() => {}
                Some(wait) => tokio::time::sleep(wait).await,
                None => self.fallback.acquire().await,
            }
        })
    }
}
