//! When a token expires, when the response that issued it does not say so usably.
//!
//! A zero-filled or missing expiry must never make a token look expired on arrival: a
//! `WorkerSessions` would then create a new worker session on every call. So an expiry that is
//! absent, null or unparseable is taken from the token itself when it is a JWT with an `exp`
//! claim (read without verifying the signature: only the time is wanted, and the token is never
//! logged), and otherwise assumed from Deel's documented lifetime.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Where a token's expiry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpirySource {
    /// The response said when (`expires_at`, `expires_in`).
    Response,
    /// The response did not say usably; the token's own JWT `exp` claim did.
    JwtClaim,
    /// Neither did: Deel's documented lifetime was assumed from the time of issue.
    Assumed,
}

/// The `exp` claim of a JWT, if `token` is one and has it.
pub(crate) fn jwt_exp(token: &str) -> Option<DateTime<Utc>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let exp = match claims.get("exp")? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    DateTime::from_timestamp(exp, 0)
}

/// The expiry of `token`: `stated` when usable, else its JWT claim, else `issued + lifetime`.
pub(crate) fn resolve(
    token: &str,
    stated: Option<DateTime<Utc>>,
    issued: DateTime<Utc>,
    lifetime: chrono::Duration,
) -> (DateTime<Utc>, ExpirySource) {
    match stated.filter(|at| at.timestamp() > 0) {
        Some(at) => (at, ExpirySource::Response),
        None => match jwt_exp(token) {
            Some(at) => (at, ExpirySource::JwtClaim),
            None => (issued + lifetime, ExpirySource::Assumed),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64(claims))
    }

    #[test]
    fn exp_is_read_from_a_jwt_and_nothing_else() {
        assert_eq!(jwt_exp(&jwt(r#"{"exp":1900000000}"#)).map(|t| t.timestamp()), Some(1_900_000_000));
        assert_eq!(jwt_exp(&jwt(r#"{"exp":"1900000000"}"#)).map(|t| t.timestamp()), Some(1_900_000_000));
        assert_eq!(jwt_exp(&jwt(r#"{"sub":"w"}"#)), None);
        assert_eq!(jwt_exp("not-a-jwt"), None);
        assert_eq!(jwt_exp("a.!!!.c"), None);
        assert_eq!(jwt_exp(&format!("{}.extra", jwt(r#"{"exp":1}"#))), None);
    }

    #[test]
    fn an_epoch_or_missing_expiry_falls_back_in_order() {
        let issued = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let day = chrono::Duration::hours(24);
        let stated = issued + chrono::Duration::hours(2);
        assert_eq!(resolve("opaque", Some(stated), issued, day), (stated, ExpirySource::Response));
        let epoch = DateTime::UNIX_EPOCH;
        assert_eq!(resolve("opaque", Some(epoch), issued, day), (issued + day, ExpirySource::Assumed));
        let token = jwt(r#"{"exp":1800003600}"#);
        assert_eq!(resolve(&token, None, issued, day).1, ExpirySource::JwtClaim);
        assert_eq!(resolve(&token, None, issued, day).0.timestamp(), 1_800_003_600);
    }
}
