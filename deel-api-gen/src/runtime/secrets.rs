//! What counts as a secret in a body, and how it is scrubbed: one list for error bodies,
//! recorded fixtures and `Debug` output (codegen reads `SECRET_FIELDS` from this file).

use serde_json::Value;

/// What a scrubbed secret reads as.
pub const REDACTED: &str = "<redacted>";

/// Field names whose values are secrets, wherever they appear in a body.
pub const SECRET_FIELDS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "secret",
    "signing_key",
    "signing_secret",
    "password",
    "api_key",
    "authorization",
];

/// Replaces the values of secret-named fields, at any depth.
pub(crate) fn redact_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SECRET_FIELDS.iter().any(|s| key.eq_ignore_ascii_case(s)) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_fields(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_fields),
        _ => {}
    }
}

/// `text` with the token after every `Bearer ` replaced.
pub(crate) fn scrub_bearer(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("Bearer ").or_else(|| rest.find("bearer ")) {
        let (before, after) = rest.split_at(at + "Bearer ".len());
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
