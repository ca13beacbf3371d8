//! When and how long to wait before sending a request again.

use std::time::Duration;

/// Retry behaviour: exponential backoff with full jitter, honouring `Retry-After`.
///
/// Retried: 429, 502, 503, 504 and connection failures. GET, HEAD, PUT and DELETE are retried
/// freely; POST and PATCH only when they carry an `Idempotency-Key` (see
/// [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys), or a request's own
/// `.idempotency_key(key)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles with each attempt (before jitter).
    pub base_delay: Duration,
    /// The longest wait: no backoff exceeds it, and a `Retry-After` beyond it is not waited for
    /// (the 429 or 503 is returned instead).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 3, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failed attempts: a uniformly random
    /// duration up to `base_delay * 2^(attempt-1)`, capped at `max_delay` ("full jitter").
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let ceiling = exp.min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// Whether a status is worth another attempt (the runtime's rule, shared with
    /// [`Error::is_retryable`](crate::Error::is_retryable)).
    pub fn retryable_status(status: u16) -> bool {
        deel_api_gen::runtime::retryable_status(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(3) <= Duration::from_millis(400));
            assert!(policy.backoff(30) <= Duration::from_secs(1));
        }
        // Full jitter: over many draws the waits spread across the range.
        let draws: Vec<Duration> = (0..200).map(|_| policy.backoff(4)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(200)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(600)));
    }

    #[test]
    fn only_rate_limits_and_gateway_errors_are_retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(RetryPolicy::retryable_status(s));
        }
        for s in [400, 401, 404, 500, 501] {
            assert!(!RetryPolicy::retryable_status(s));
        }
    }
}
