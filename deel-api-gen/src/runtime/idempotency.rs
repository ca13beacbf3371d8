//! Idempotency keys as Deel defines them.
//!
//! Source: <https://developer.deel.com/api/idempotency> (and the older guide,
//! <https://developer.deel.com/docs/idempotency>): an `Idempotency-Key` is honoured on POST and
//! PATCH only and may be up to 64 characters; Deel caches a successful response for 24 hours
//! and marks a replay with `x-original-request-id`; a second request with the same key while
//! the first is still running is answered 429 ("request conflict"), to be retried after its
//! `Retry-After` with the same key. Every rule of that page that the client enforces is here.

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;

use crate::runtime::error::ApiError;
use crate::Error;

/// The request header.
pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// The response header that marks a response Deel replayed from its cache, holding the id of
/// the request that produced it.
pub const ORIGINAL_REQUEST_ID: HeaderName = HeaderName::from_static("x-original-request-id");

/// The longest key Deel accepts, in characters.
pub const MAX_KEY_LEN: usize = 64;

/// Whether Deel honours a key on requests of this method (POST and PATCH).
pub fn applies_to(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PATCH)
}

/// Refuses, before anything is sent, a key Deel would not honour: on a method other than POST
/// or PATCH (the caller would believe the call protected), or longer than 64 characters.
pub fn check(request: &reqwest::Request) -> Result<(), Error> {
    let Some(key) = request.headers().get(HEADER) else { return Ok(()) };
    if !applies_to(request.method()) {
        return Err(Error::InvalidRequest(format!(
            "an Idempotency-Key on a {} request: Deel honours keys on POST and PATCH only",
            request.method()
        )));
    }
    let len = key.to_str().map_or(key.len(), |k| k.chars().count());
    if len == 0 || len > MAX_KEY_LEN {
        return Err(Error::InvalidRequest(format!(
            "an Idempotency-Key of {len} characters: Deel accepts 1 to {MAX_KEY_LEN}"
        )));
    }
    Ok(())
}

/// Where the client's POST and PATCH requests get an `Idempotency-Key` when the call sets none
/// ([`ClientBuilder::idempotency_keys`](crate::runtime::ClientBuilder::idempotency_keys)).
/// A key makes the request safe to retry: Deel performs it once per key within 24 hours.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdempotencyKeys {
    /// No key: such requests are sent once and never retried (the default).
    #[default]
    Off,
    /// A new random key (UUID v4) per call, reused across that call's retries. Protects against
    /// a retry repeating the call; a process that crashes and runs the call again sends a new
    /// key, and Deel performs it again.
    Random,
    /// A key derived from the request itself: a UUID v5 of the method, path, query and body,
    /// under a namespace of the caller's. The same request sent again — by a retry, or by a job
    /// re-run after a crash — carries the same key, so Deel performs it once within 24 hours.
    ///
    /// Do not use it where two identical requests are meant to happen twice (two equal
    /// payments on one day): Deel would perform only the first. Set a key of your own on such
    /// calls (`.idempotency_key(..)`), which wins over a derived one. A streamed body (an
    /// upload) cannot be hashed before it is sent; such a request gets a random key.
    Derived {
        /// Keeps one service's keys apart from another's sending the same requests.
        namespace: uuid::Uuid,
    },
}

impl IdempotencyKeys {
    /// Derived keys under a namespace named by `name` (your service's name, say).
    pub fn derived(name: &str) -> Self {
        IdempotencyKeys::Derived {
            namespace: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()),
        }
    }

    /// The key for `request` under this setting (none when off).
    pub(crate) fn key_for(&self, request: &reqwest::Request) -> Option<HeaderValue> {
        let key = match self {
            IdempotencyKeys::Off => return None,
            IdempotencyKeys::Random => uuid::Uuid::new_v4(),
            IdempotencyKeys::Derived { namespace } => match derive(namespace, request) {
                Some(key) => key,
                None => {
                    tracing::debug!(
                        "the body is streamed and cannot be hashed: a random Idempotency-Key is used"
                    );
                    uuid::Uuid::new_v4()
                }
            },
        };
        HeaderValue::try_from(key.hyphenated().to_string()).ok()
    }
}

/// `true` keeps the old meaning of `idempotency_keys(true)`: a random key per call.
impl From<bool> for IdempotencyKeys {
    fn from(on: bool) -> Self {
        if on {
            IdempotencyKeys::Random
        } else {
            IdempotencyKeys::Off
        }
    }
}

/// A UUID v5 of the request's method, path, query and body under `namespace`; `None` for a
/// streamed body. Fields are separated by a byte no method, path or query contains, so that
/// moving bytes from one to the next changes the key.
fn derive(namespace: &uuid::Uuid, request: &reqwest::Request) -> Option<uuid::Uuid> {
    let body: &[u8] = match request.body() {
        None => &[],
        Some(body) => body.as_bytes()?,
    };
    let url = request.url();
    let mut input = Vec::with_capacity(body.len() + 128);
    for part in
        [request.method().as_str().as_bytes(), url.path().as_bytes(), url.query().unwrap_or("").as_bytes()]
    {
        input.extend_from_slice(part);
        input.push(0);
    }
    input.extend_from_slice(body);
    Some(uuid::Uuid::new_v5(namespace, &input))
}

/// Whether a 429 is Deel's idempotency conflict (the first request with the key still running)
/// rather than its rate limit: only a request that carried a key can meet one, and Deel's
/// message says "conflict" (the guide's text is "Request conflict detected"; its rate-limit
/// body says "Rate limit exceeded").
pub(crate) fn is_conflict(keyed: bool, error: &ApiError) -> bool {
    keyed
        && error.status == 429
        && error.messages.iter().any(|m| m.message.to_ascii_lowercase().contains("conflict"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, url: &str, body: Option<&str>, key: Option<&str>) -> reqwest::Request {
        let client = reqwest::Client::new();
        let mut builder = client.request(method, url);
        if let Some(body) = body {
            builder = builder.body(body.to_string());
        }
        if let Some(key) = key {
            builder = builder.header(HEADER, key);
        }
        builder.build().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn keys_are_refused_where_deel_would_not_honour_them() {
        let url = "https://api.letsdeel.com/rest/v2/contracts";
        assert!(check(&request(Method::POST, url, None, Some(&"k".repeat(64)))).is_ok());
        assert!(check(&request(Method::PATCH, url, None, Some("k"))).is_ok());
        assert!(check(&request(Method::GET, url, None, None)).is_ok(), "no key, nothing to check");
        for (method, key) in [
            (Method::POST, "k".repeat(65)),
            (Method::GET, "k".into()),
            (Method::PUT, "k".into()),
            (Method::DELETE, "k".into()),
        ] {
            let verdict = check(&request(method.clone(), url, None, Some(&key)));
            assert!(
                matches!(verdict, Err(Error::InvalidRequest(_))),
                "{method} with {} characters",
                key.len()
            );
        }
    }

    #[test]
    fn derived_keys_are_equal_for_equal_requests_and_differ_for_any_difference() {
        let keys = IdempotencyKeys::derived("payroll-sync");
        let key = |method: Method, url: &str, body: &str| {
            keys.key_for(&request(method, url, Some(body), None)).unwrap_or_else(|| panic!("a key"))
        };
        let url = "https://api.letsdeel.com/rest/v2/contracts?limit=2";
        let one = key(Method::POST, url, r#"{"data":{"title":"a"}}"#);
        assert_eq!(one, key(Method::POST, url, r#"{"data":{"title":"a"}}"#));
        assert_ne!(one, key(Method::POST, url, r#"{"data":{"title":"b"}}"#));
        assert_ne!(one, key(Method::PATCH, url, r#"{"data":{"title":"a"}}"#));
        assert_ne!(
            one,
            key(
                Method::POST,
                "https://api.letsdeel.com/rest/v2/contracts?limit=3",
                r#"{"data":{"title":"a"}}"#
            )
        );
        let other = IdempotencyKeys::derived("billing");
        let theirs = other.key_for(&request(Method::POST, url, Some(r#"{"data":{"title":"a"}}"#), None));
        assert_ne!(Some(one.clone()), theirs, "another namespace, another key");
        assert_eq!(one.len(), 36);
    }

    #[test]
    fn random_keys_differ_and_off_gives_none() {
        let r = request(Method::POST, "https://api.letsdeel.com/x", Some("{}"), None);
        let random = IdempotencyKeys::from(true);
        assert_ne!(random.key_for(&r), random.key_for(&r));
        assert_eq!(IdempotencyKeys::from(false).key_for(&r), None);
    }

    #[test]
    fn a_conflict_is_told_apart_from_the_rate_limit() {
        let conflict =
            ApiError::parse(429, br#"{"error":"Request conflict detected. Try again in sometime"}"#);
        let limit = ApiError::parse(429, br#"{"error":"Rate limit exceeded","status":429}"#);
        assert!(is_conflict(true, &conflict));
        assert!(!is_conflict(false, &conflict), "a request without a key cannot conflict");
        assert!(!is_conflict(true, &limit));
    }
}
