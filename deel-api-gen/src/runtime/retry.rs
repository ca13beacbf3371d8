//! When and how long to wait before sending a request again.

use std::time::Duration;

/// Retry behaviour: exponential backoff with full jitter, honouring `Retry-After`.
///
/// Retried: 429, 502, 503, 504 and connection failures. GET, HEAD, PUT and DELETE are retried
/// freely; POST and PATCH only when they carry an `Idempotency-Key` (see
/// [`ClientBuilder::idempotency_keys`](crate::runtime::ClientBuilder::idempotency_keys), or a request's own
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
        retryable_status(status)
    }

    /// What to do after attempt number `attempt` (1 for the first) ended in `outcome`: the
    /// client's whole retry rule, with no I/O and no randomness. `repeatable` says whether the
    /// request may be sent again at all: not a POST or PATCH without an `Idempotency-Key`, nor
    /// a body that cannot be replayed.
    pub fn decide(&self, outcome: Attempt, attempt: u32, repeatable: bool) -> Decision {
        let more = repeatable && attempt < self.max_attempts;
        match outcome {
            Attempt::Status { status, .. } if (200..300).contains(&status) => Decision::Done,
            Attempt::Status { status, retry_after } if more && Self::retryable_status(status) => {
                match retry_after {
                    // Deel asked for longer than we would wait: report it rather than stall.
                    Some(wait) if wait > self.max_delay => Decision::Stop,
                    Some(wait) => Decision::Retry(Wait::Exactly(wait)),
                    None => Decision::Retry(Wait::Backoff),
                }
            }
            Attempt::ConnectFailed if more => Decision::Retry(Wait::Backoff),
            _ => Decision::Stop,
        }
    }
}

/// How an attempt ended, as [`RetryPolicy::decide`] sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// A response arrived.
    Status {
        /// Its status code.
        status: u16,
        /// Its `Retry-After`, when it had a usable one.
        retry_after: Option<Duration>,
    },
    /// The connection could not be made (nothing reached Deel).
    ConnectFailed,
    /// Anything else went wrong on the way (a timeout, a broken body): not retried, since the
    /// request may have been processed.
    OtherFailure,
}

/// What the client does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A success: return it.
    Done,
    /// Send again after waiting.
    Retry(Wait),
    /// Return the error (or the error response) as it is.
    Stop,
}

/// How long to wait before the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// As long as Deel asked (`Retry-After`).
    Exactly(Duration),
    /// [`RetryPolicy::backoff`] for this attempt.
    Backoff,
}

/// Whether a response with this status is worth another attempt: rate limiting (429) and the
/// gateway errors (502, 503, 504). The one place this rule lives; the facade's retries use it.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// `Retry-After` as seconds or as an HTTP date (a date in the past means "now").
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
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
    fn the_retry_decision_table() {
        use Attempt::{ConnectFailed, OtherFailure, Status};
        use Decision::{Done, Retry, Stop};
        let policy = RetryPolicy::default(); // 3 attempts, waits capped at 30 s
        let status = |status: u16| Status { status, retry_after: None };
        let after = |status: u16, secs: u64| Status { status, retry_after: Some(Duration::from_secs(secs)) };
        let table: &[(Attempt, u32, bool, Decision)] = &[
            (status(200), 1, true, Done),
            (status(204), 3, false, Done),
            (status(503), 1, true, Retry(Wait::Backoff)),
            (status(429), 2, true, Retry(Wait::Backoff)),
            (after(429, 2), 1, true, Retry(Wait::Exactly(Duration::from_secs(2)))),
            (after(429, 31), 1, true, Stop),
            (status(503), 3, true, Stop),
            (status(503), 1, false, Stop),
            (status(500), 1, true, Stop),
            (status(404), 1, true, Stop),
            (status(401), 1, true, Stop),
            (ConnectFailed, 1, true, Retry(Wait::Backoff)),
            (ConnectFailed, 1, false, Stop),
            (ConnectFailed, 3, true, Stop),
            (OtherFailure, 1, true, Stop),
        ];
        for (outcome, attempt, repeatable, expected) in table {
            assert_eq!(
                policy.decide(*outcome, *attempt, *repeatable),
                *expected,
                "{outcome:?} on attempt {attempt}, repeatable {repeatable}"
            );
        }
        assert_eq!(RetryPolicy::none().decide(status(503), 1, true), Stop);
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
