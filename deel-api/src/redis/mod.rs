//! State shared by several processes that use one Deel organization (feature `redis`).
//!
//! Deel's limits and tokens are per organization or per grant, while a service runs as several
//! replicas, workers and cron jobs. A [`Redis`] handle gives them:
//!
//! - [`Redis::rate_limiter`]: one request rate for all of them together (GCRA in a server-side
//!   script, timed by Redis's clock);
//! - [`Redis::oauth_store`]: OAuth rotation under a lease, so that one process refreshes and the
//!   others adopt the pair it stored, and a versioned write, so that a stale writer never
//!   overwrites a newer pair;
//! - [`Redis::worker_tokens`]: one worker session per worker for all of them;
//! - [`Redis::seen_events`]: each webhook event handled once, whichever replica it reaches.
//!
//! Tokens are secrets at rest in Redis: protect it as you would the tokens (a password, a
//! private network), and give an encryption key ([`Redis::with_encryption_key`]) to store them
//! encrypted. Nothing here logs or reports a token, a key or the URL's password.
//!
//! Each piece is given explicitly to what uses it, the same way for all of them:
//! [`ClientBuilder::limiter`](crate::ClientBuilder::limiter),
//! [`OAuthSession::with_shared_store`](crate::oauth::OAuthSession::with_shared_store),
//! [`WorkerSessions::with_shared_cache`](crate::WorkerSessions::with_shared_cache) and
//! [`SeenEvents`](crate::webhooks::SeenEvents) for a webhook receiver.

mod handle;
mod limit;
mod seal;
mod seen;
mod tokens;

pub use handle::{Redis, REDIS_URL_ENV};
pub use limit::RedisRateLimiter;
pub use seen::RedisSeenEvents;
pub use tokens::RedisOAuthStore;
#[cfg(feature = "worker-session")]
pub use tokens::RedisWorkerTokens;
