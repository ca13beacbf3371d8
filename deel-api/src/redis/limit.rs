//! One request rate for every process of an organization.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::handle::Redis;
use crate::auth::BoxFuture;
use crate::limiter::{Limiter, RateLimiter};

/// Reserves the next send time under GCRA (the generic cell rate algorithm): a request may go
/// at `max(now, tat - (burst - 1) * interval)`, and moves the theoretical arrival time `tat` one
/// interval on. Time is Redis's, so processes on machines with different clocks agree.
/// `ARGV[3]` is how far ahead (µs) the caller's own last slot ends: `tat` is never before it, so a
/// Redis that restarted empty does not hand out slots on top of ones it gave before (in steady
/// state `tat` is already later, and it changes nothing).
/// Returns how long the caller waits and how far ahead the next free slot now is (for anyone),
/// both in microseconds.
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
local floor = now + tonumber(ARGV[3])
if tat < floor then tat = floor end
local at = tat - (burst - 1) * interval
if at < now then at = now end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.floor((next - now) / 1000) + 1000)
return {at - now, next - now}
",
    )
});

impl Redis {
    /// A rate limit of `per_second` requests shared by every process on this namespace. Give
    /// it to [`ClientBuilder::limiter`](crate::ClientBuilder::limiter).
    pub fn rate_limiter(&self, per_second: f64) -> RedisRateLimiter {
        RedisRateLimiter::new(self.clone(), per_second)
    }
}

/// A [`Limiter`] shared through Redis by every process on one namespace, so that together they
/// send at most `per_second` requests per second, plus `burst - 1` at once after a quiet spell
/// (default burst 1: evenly spaced).
///
/// When Redis cannot be reached (or answers slower than the handle's timeout), each process
/// limits itself to `per_second / replicas` (see [`Self::with_fallback_replicas`], default 4)
/// and logs one WARN per outage; it never sends unlimited. The two limits never add up: on the
/// way into an outage a process's local slots start only after the last shared slot it was
/// given, and on the way out a request still waiting for a local slot takes a shared one
/// instead. A background probe (every [`Self::PROBE_EVERY`]) notices when Redis is back, so no
/// request waits on a Redis that does not answer.
#[derive(Clone)]
pub struct RedisRateLimiter {
    redis: Redis,
    key: String,
    interval_us: u64,
    burst: u32,
    fallback: RateLimiter,
    replicas: u32,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    /// Redis is considered down (requests use the local fallback) while this is set.
    down: AtomicBool,
    /// A background probe is running.
    probing: AtomicBool,
    /// Counts recoveries, so that a request that waited through one knows it.
    recoveries: AtomicU64,
    /// Where the shared slots handed out end, as far as this process last saw (Redis's next free
    /// slot after its last reservation): where its local slots may start.
    frontier: Mutex<Option<Instant>>,
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
    /// How often a process whose Redis is down checks whether it is back.
    pub const PROBE_EVERY: Duration = Duration::from_millis(50);

    fn new(redis: Redis, per_second: f64) -> Self {
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

    fn interval(&self) -> Duration {
        Duration::from_micros(self.interval_us)
    }

    /// Reserves a slot in Redis: how long to wait for it, or the error.
    async fn reserve(&self) -> Result<Duration, deel_api_gen::Error> {
        let script = &*GCRA;
        let frontier = self.state.frontier.lock().ok().and_then(|f| *f);
        let floor_us =
            frontier.map_or(0, |f| u64::try_from((f - Instant::now()).as_micros()).unwrap_or(u64::MAX));
        let (wait_us, next_us) = self
            .redis
            .run("reserving a request slot", |mut c| async move {
                script
                    .key(&self.key)
                    .arg(self.interval_us)
                    .arg(self.burst)
                    .arg(floor_us)
                    .invoke_async::<(i64, i64)>(&mut c)
                    .await
            })
            .await?;
        let micros = |us: i64| Duration::from_micros(u64::try_from(us).unwrap_or(0));
        let wait = micros(wait_us);
        // Every slot handed out so far ends by `next`; no local slot may come before that.
        let end = Instant::now() + micros(next_us).max(wait + self.interval());
        if let Ok(mut frontier) = self.state.frontier.lock() {
            if frontier.is_none_or(|f| f < end) {
                *frontier = Some(end);
            }
        }
        Ok(wait)
    }

    /// Switches to the local limit: local slots start after the last shared one, and a probe
    /// watches for Redis to come back.
    async fn go_down(&self, error: &deel_api_gen::Error) {
        if self.state.down.swap(true, Ordering::SeqCst) {
            return;
        }
        tracing::warn!(
            error = %error,
            fallback_per_second = self.fallback.rate(),
            "Redis is unreachable; limiting this process locally until it is back"
        );
        // Other replicas may have reserved since this one last looked: one slot each, at most,
        // in the usual case of replicas that all send.
        let others = self.interval() * self.replicas.saturating_sub(1);
        let frontier = self.state.frontier.lock().ok().and_then(|f| *f);
        if let Some(frontier) = frontier {
            self.fallback.hold_until(frontier + others).await;
        }
        if !self.state.probing.swap(true, Ordering::SeqCst) {
            let this = self.clone();
            tokio::spawn(async move { this.probe().await });
        }
    }

    /// Asks Redis every [`Self::PROBE_EVERY`] until it answers, then switches back.
    async fn probe(self) {
        loop {
            tokio::time::sleep(Self::PROBE_EVERY).await;
            let answered = self
                .redis
                .run("checking whether Redis is back", |mut c| async move {
                    redis::cmd("PING").query_async::<String>(&mut c).await
                })
                .await;
            if answered.is_ok() {
                self.state.recoveries.fetch_add(1, Ordering::SeqCst);
                self.state.down.store(false, Ordering::SeqCst);
                self.state.probing.store(false, Ordering::SeqCst);
                tracing::info!(key = %self.key, "Redis is reachable again; the shared rate limit applies");
                return;
            }
        }
    }
}

impl Limiter for RedisRateLimiter {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            loop {
                if !self.state.down.load(Ordering::SeqCst) {
                    match self.reserve().await {
                        Ok(wait) if wait.is_zero() => return,
                        Ok(wait) => return tokio::time::sleep(wait).await,
                        Err(e) => self.go_down(&e).await,
                    }
                }
                let recoveries = self.state.recoveries.load(Ordering::SeqCst);
                self.fallback.acquire().await;
                // Redis came back while this request waited for its local slot: that slot is no
                // longer one of the organization's, so the request takes a shared one.
                if self.state.recoveries.load(Ordering::SeqCst) == recoveries {
                    return;
                }
            }
        })
    }
}
