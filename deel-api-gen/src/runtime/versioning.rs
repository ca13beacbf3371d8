//! Per-endpoint API versions, as Deel defines them.
//!
//! Source: <https://developer.deel.com/api/api-versioning>. Versions are dates, sent as
//! `X-Version`, and each endpoint publishes its own: a version the endpoint does not publish is
//! answered with 400, and a request without the header goes to a stable version. Every existing
//! endpoint was baselined to 2026-01-01; Deel's OpenAPI document dates the operations that have
//! a later version in their ids, which the importer keeps as each operation's `x-deel-version`
//! ([`Operation::version`]). Beta endpoints need `X-Beta: true`. Responses say which lifecycle
//! state (beta, stable, deprecated) the version called is in.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::runtime::Operation;

/// The request header that selects a version.
pub const X_VERSION: HeaderName = HeaderName::from_static("x-version");

/// The request header that opts into beta endpoints.
pub const X_BETA: HeaderName = HeaderName::from_static("x-beta");

/// The response headers read for a version's lifecycle.
///
/// Deel's versioning page says responses state the lifecycle of the version called, in a
/// "Response headers" section whose header names no copy of the page available to this project
/// shows. Until they are known, the client reads the IETF's headers for the same purpose:
/// `Deprecation` (RFC 9745: present when the resource is deprecated) and `Sunset` (RFC 8594: when
/// it stops working).
pub const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
/// See [`DEPRECATION`].
pub const SUNSET: HeaderName = HeaderName::from_static("sunset");

/// Sets the version headers of a request for `operation`, without overwriting what the call set
/// itself: a call's own `X-Version` wins, then the client's pin, then the operation's version.
pub(crate) fn apply(headers: &mut HeaderMap, operation: &Operation, pin: Option<&HeaderValue>, beta: bool) {
    if !headers.contains_key(X_VERSION) {
        let version = pin.cloned().or_else(|| HeaderValue::from_str(operation.version).ok());
        if let Some(version) = version {
            headers.insert(X_VERSION, version);
        }
    }
    if (beta || operation.beta) && !headers.contains_key(X_BETA) {
        headers.insert(X_BETA, HeaderValue::from_static("true"));
    }
}

/// The lifecycle state of the version a response came from, as far as its headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lifecycle {
    /// Deprecated: it still works, and stops working after its sunset (Deel keeps a deprecated
    /// version for one year).
    Deprecated {
        /// The `Sunset` header's value (an HTTP date), when sent.
        sunset: Option<String>,
    },
}

/// The lifecycle the headers state; `None` when they say nothing (stable, or not reported).
pub fn lifecycle(headers: &HeaderMap) -> Option<Lifecycle> {
    let deprecated = headers.get(DEPRECATION)?;
    // RFC 9745 sends a date (`@1735689600`); earlier drafts sent `true`. `false` means not.
    if deprecated.as_bytes().eq_ignore_ascii_case(b"false") {
        return None;
    }
    let sunset = headers.get(SUNSET).and_then(|v| v.to_str().ok()).map(String::from);
    Some(Lifecycle::Deprecated { sunset })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation {
        id: "list_tags",
        method: "GET",
        path: "/rest/v2/ats/tags",
        version: "2026-02-27",
        beta: false,
    };

    fn applied(headers: &[(&str, &str)], op: &Operation, pin: Option<&str>, beta: bool) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap_or(X_BETA),
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("?")),
            );
        }
        let pin = pin.map(|p| HeaderValue::from_str(p).unwrap_or(HeaderValue::from_static("?")));
        apply(&mut map, op, pin.as_ref(), beta);
        map
    }

    #[test]
    fn the_call_wins_then_the_client_pin_then_the_operation() {
        assert_eq!(applied(&[], &OP, None, false)[X_VERSION], "2026-02-27");
        assert_eq!(applied(&[], &OP, Some("2026-01-01"), false)[X_VERSION], "2026-01-01");
        assert_eq!(
            applied(&[("x-version", "2026-06-01")], &OP, Some("2026-01-01"), false)[X_VERSION],
            "2026-06-01"
        );
        assert!(!applied(&[], &OP, None, false).contains_key(X_BETA));
    }

    #[test]
    fn beta_operations_and_beta_clients_say_so() {
        let beta = Operation { beta: true, ..OP };
        assert_eq!(applied(&[], &beta, None, false)[X_BETA], "true");
        assert_eq!(applied(&[], &OP, None, true)[X_BETA], "true");
        assert_eq!(
            applied(&[("x-beta", "false")], &beta, None, true)[X_BETA],
            "false",
            "the call's own header wins"
        );
    }

    #[test]
    fn a_deprecation_header_reads_as_deprecated_with_its_sunset() {
        let mut headers = HeaderMap::new();
        assert_eq!(lifecycle(&headers), None);
        headers.insert(DEPRECATION, HeaderValue::from_static("@1767225600"));
        assert_eq!(lifecycle(&headers), Some(Lifecycle::Deprecated { sunset: None }));
        headers.insert(SUNSET, HeaderValue::from_static("Fri, 01 Jan 2027 00:00:00 GMT"));
        assert_eq!(
            lifecycle(&headers),
            Some(Lifecycle::Deprecated { sunset: Some("Fri, 01 Jan 2027 00:00:00 GMT".into()) })
        );
        headers.insert(DEPRECATION, HeaderValue::from_static("false"));
        assert_eq!(lifecycle(&headers), None);
    }
}
