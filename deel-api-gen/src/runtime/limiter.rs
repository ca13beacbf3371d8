//! A client-side request rate limit, shared by every clone of a client.
//!
//! [`RateLimiter`] spaces one process's requests. Deel counts requests per organization, so
//! several processes with one organization's credentials share a limit through a [`Limiter`]
//! that coordinates them (`redis::RedisRateLimiter`, feature `redis`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::runtime::auth::BoxFuture;

/// Decides when a request may go. The client awaits [`Limiter::acquire`] before every attempt,
/// retries included.
pub trait Limiter: Send + Sync + fmt::Debug {
    /// Completes when this request may be sent.
    fn acquire(&self) -> BoxFuture<'_, ()>;
}

/// Spaces requests evenly at a given rate (a token bucket holding one token), so that a
/// service stays under Deel's limit of 5 requests per second per organization.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    interval: Duration,
    next: Arc<Mutex<Option<Instant>>>,
}

impl RateLimiter {
    /// At most `per_second` requests per second (values ≤ 0 are treated as 1).
    pub fn per_second(per_second: f64) -> Self {
        let per_second = if per_second.is_finite() && per_second > 0.0 { per_second } else { 1.0 };
        Self { interval: Duration::from_secs_f64(1.0 / per_second), next: Arc::new(Mutex::new(None)) }
    }

    /// The configured rate, in requests per second.
    pub fn rate(&self) -> f64 {
        1.0 / self.interval.as_secs_f64()
    }

    /// Gives no slot before `at`: a limiter taking over from another (a shared one that became
    /// unreachable) starts where the other's last slot ends, so the two never add up.
    pub async fn hold_until(&self, at: Instant) {
        let mut next = self.next.lock().await;
        if next.is_none_or(|n| n < at) {
            *next = Some(at);
        }
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        let wait = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot - now
        };
        // A request whose slot is now goes now: tokio's timer would hold it to its next tick
        // (about a millisecond) even for a zero wait.
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

impl Limiter for RateLimiter {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(RateLimiter::acquire(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request whose slot has come must not wait for tokio's next timer tick (about 1 ms on the
    /// real clock, which a paused clock does not show): 200 of them at a rate none waits for used
    /// to take some 200 ms; they now take none of that.
    #[tokio::test]
    async fn a_request_whose_slot_has_come_does_not_wait_for_the_timer() {
        let limiter = RateLimiter::per_second(1e9);
        let started = std::time::Instant::now();
        for _ in 0..200 {
            limiter.acquire().await;
        }
        assert!(started.elapsed() < Duration::from_millis(100), "{:?}", started.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn requests_beyond_the_rate_are_spaced() {
        let limiter = RateLimiter::per_second(10.0);
        let started = Instant::now();
        for _ in 0..11 {
            limiter.acquire().await;
        }
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }
}
