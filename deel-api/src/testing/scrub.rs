//! What the recorder keeps out of fixtures.
//!
//! - Request headers: only `content-type`, `x-version`, `x-beta` and the idempotency key are
//!   kept; `authorization`, cookies and everything else are dropped.
//! - Response headers: only `content-type`, `retry-after` and `x-request-id`; `set-cookie` never.
//! - Bodies: the value of every field whose name says it holds a secret (`token`,
//!   `access_token`, `refresh_token`, `id_token`, `client_secret`, `secret`, `signing_key`,
//!   `signing_secret`, `password`, `api_key`, `authorization`) becomes `"<redacted>"`, at any depth: worker
//!   session tokens (`data.token`), OAuth tokens and webhook signing keys included.
//! - Anywhere else, the bearer token the call was made with is replaced by `<redacted>` should it
//!   appear in a body.

use std::collections::BTreeMap;

use serde_json::Value;

/// What a scrubbed secret reads as.
pub use deel_api_gen::runtime::REDACTED;

const REQUEST_HEADERS: &[&str] =
    &["content-type", "x-version", "x-beta", "idempotency-key", "x-idempotency-key"];
const RESPONSE_HEADERS: &[&str] = &["content-type", "retry-after", "x-request-id"];
/// The same list the runtime redacts error bodies with, so that one rule covers both.
use deel_api_gen::runtime::SECRET_FIELDS;

pub(crate) fn request_headers(headers: &[(String, String)]) -> BTreeMap<String, String> {
    keep(headers, REQUEST_HEADERS)
}

pub(crate) fn response_headers(headers: &[(String, String)]) -> BTreeMap<String, String> {
    keep(headers, RESPONSE_HEADERS)
}

fn keep(headers: &[(String, String)], allowed: &[&str]) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(k, _)| allowed.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}

/// The credentials a request carried (its bearer token), to be kept out of any body.
pub(crate) fn secrets_in(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .filter_map(|(_, v)| v.split_once(' ').map(|(_, t)| t.trim().to_string()).or(Some(v.clone())))
        .filter(|t| t.len() >= 8)
        .collect()
}

/// `value` with secret fields and known secret strings redacted.
pub fn body(value: Value, secrets: &[String]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_null();
                    let v = if secret { Value::String(REDACTED.into()) } else { body(v, secrets) };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| body(v, secrets)).collect()),
        Value::String(s) => {
            let mut s = s;
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    s = s.replace(secret.as_str(), REDACTED);
                }
            }
            Value::String(s)
        }
        other => other,
    }
}
