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
//! - People's personal data (every field the SDK marks personal: tax ids, IBANs, dates of birth,
//!   address lines, phone numbers, salaries, …; `dispatch::PERSONAL_FIELDS`) is replaced by a
//!   placeholder of the same JSON type and shape: a date stays a date, digits stay digits, letters
//!   letters, an object keeps its keys. The same value gets the same placeholder within one
//!   recorder (so that a recording stays consistent), from a key the recorder draws at random and
//!   never writes (so that a placeholder cannot be traced back to its value).

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

/// `value` with secret fields and known secret strings redacted, and personal data replaced by
/// placeholders when `personal` is given.
pub fn body(value: Value, secrets: &[String], personal: Option<&Placeholders>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_null();
                    let v = match personal {
                        _ if secret => Value::String(REDACTED.into()),
                        Some(p) if is_personal(&k) => p.replace(v),
                        _ => body(v, secrets, personal),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| body(v, secrets, personal)).collect()),
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

fn is_personal(key: &str) -> bool {
    deel_api_gen::dispatch::PERSONAL_FIELDS.binary_search(&key).is_ok()
}

/// Stable placeholders for personal values: keyed by a secret the recorder draws once.
pub struct Placeholders {
    key: [u8; 32],
}

impl std::fmt::Debug for Placeholders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Placeholders")
    }
}

impl Placeholders {
    /// Placeholders under a fresh random key.
    pub(crate) fn new() -> Self {
        let mut key = [0u8; 32];
        for chunk in key.chunks_mut(16) {
            chunk.copy_from_slice(&uuid::Uuid::new_v4().into_bytes());
        }
        Self { key }
    }

    /// A stream of bytes that depends only on the key and `seed`.
    fn stream(&self, seed: &str) -> impl Iterator<Item = u8> + '_ {
        use hmac::{Hmac, Mac};
        let seed = seed.to_string();
        (0u32..).flat_map(move |block| {
            let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(&self.key) {
                Ok(mac) => mac,
                Err(_) => return Vec::new(),
            };
            mac.update(seed.as_bytes());
            mac.update(&block.to_be_bytes());
            mac.finalize().into_bytes().to_vec()
        })
    }

    /// `value` replaced, leaf by leaf, keeping its JSON types and its shape.
    pub fn replace(&self, value: Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(&s)),
            Value::Number(n) => self.number(&n),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.replace(v)).collect()),
            Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, self.replace(v))).collect()),
            other @ (Value::Null | Value::Bool(_)) => other,
        }
    }

    fn string(&self, s: &str) -> String {
        let mut bytes = self.stream(s);
        let mut next = move || bytes.next().unwrap_or(0);
        // A date (or the date of a date-time) stays a valid date.
        let is_date = s.len() >= 10
            && s.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if is_date {
            let year = 1950 + u32::from(next()) % 50;
            let month = 1 + u32::from(next()) % 12;
            let day = 1 + u32::from(next()) % 28;
            return format!("{year:04}-{month:02}-{day:02}{}", &s[10..]);
        }
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from(b'0' + next() % 10),
                'a'..='z' => char::from(b'a' + next() % 26),
                'A'..='Z' => char::from(b'A' + next() % 26),
                other => other,
            })
            .collect()
    }

    fn number(&self, n: &serde_json::Number) -> Value {
        let text = n.to_string();
        let mut bytes = self.stream(&text);
        let mut next = move || bytes.next().unwrap_or(0);
        // As many digits as the value had, the first not a zero, and the same decimals.
        let (int, frac) =
            text.trim_start_matches('-').split_once('.').unwrap_or((text.trim_start_matches('-'), ""));
        let digits = int.len().clamp(1, 15);
        let mut whole: u64 = u64::from(1 + next() % 9);
        for _ in 1..digits {
            whole = whole * 10 + u64::from(next() % 10);
        }
        if frac.is_empty() {
            return Value::from(whole);
        }
        let decimals = frac.len().min(6);
        let mut part: u64 = 0;
        for _ in 0..decimals {
            part = part * 10 + u64::from(next() % 10);
        }
        let value = whole as f64 + part as f64 / 10f64.powi(decimals as i32);
        serde_json::Number::from_f64(value).map_or(Value::from(whole), Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_type_and_shape_and_are_stable_within_a_recorder() {
        let p = Placeholders::new();
        let v = serde_json::json!({ "iban": "PT50 0002 0123", "dob": "1985-03-14", "salary": 85000, "rate": 12.5,
            "address": { "street": "Rua A 7", "verified": true } });
        let out = p.replace(v.clone());
        assert_eq!(out, p.replace(v.clone()), "stable");
        assert_ne!(out, Placeholders::new().replace(v), "keyed per recorder");
        let iban = out["iban"].as_str().unwrap_or_default();
        assert_eq!(iban.len(), 14);
        assert!(
            iban.chars().zip("PT50 0002 0123".chars()).all(|(a, b)| a.is_ascii_digit() == b.is_ascii_digit()
                && a.is_ascii_uppercase() == b.is_ascii_uppercase()
                && (a == ' ') == (b == ' ')),
            "{iban}"
        );
        assert!(
            chrono::NaiveDate::parse_from_str(out["dob"].as_str().unwrap_or_default(), "%Y-%m-%d").is_ok(),
            "{out}"
        );
        assert!(
            out["salary"].is_u64() && out["salary"].as_u64().is_some_and(|n| (10_000..100_000).contains(&n)),
            "{out}"
        );
        assert!(out["rate"].is_f64(), "{out}");
        assert_eq!(out["address"]["verified"], serde_json::json!(true), "booleans are kept");
        assert!(!out.to_string().contains("Rua A 7") && !out.to_string().contains("85000"), "{out}");
    }
}
