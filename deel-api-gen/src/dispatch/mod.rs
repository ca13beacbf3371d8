//! Every operation callable by name, its arguments read from a recorded request (the `dispatch`
//! feature, for fixture tests and conformance checks): the helpers here are hand-written, the
//! table and the per-operation arms in `generated.rs` are written by `cargo xtask codegen`.

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod generated;

pub use generated::{call, decode, OPERATIONS, PERSONAL_FIELDS};

use crate::runtime::{Correction, Response};
use crate::types;
use progenitor_client::ByteStream;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One call to make: which operation, and the request it should produce.
#[derive(Debug, Clone, Copy)]
pub struct Call<'c> {
    /// Rust method name of the operation (`get_contracts`).
    pub operation: &'c str,
    /// The concrete path, with path parameters filled in (`/rest/v2/contracts/ctr-1`).
    pub path: &'c str,
    /// Query parameters in order; a repeated name is an array.
    pub query: &'c [(String, String)],
    /// The JSON body, for operations that take one.
    pub body: Option<&'c Value>,
}

/// What a dispatched call returned.
pub enum Outcome {
    /// A typed response, serialized back to JSON, and what decoding corrected.
    Json(Value, Vec<Correction>),
    /// An operation that answers with no body.
    Empty,
    /// A download.
    Stream(ByteStream),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Json(v, c) => f.debug_tuple("Json").field(v).field(&c.len()).finish(),
            Outcome::Empty => f.write_str("Empty"),
            Outcome::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// Why a dispatched call did not produce an [`Outcome`].
#[derive(Debug)]
pub enum DispatchError {
    /// No compiled-in operation has this name.
    UnknownOperation(String),
    /// An argument could not be read from the call.
    Argument {
        /// The parameter's wire name (`body` for the body).
        name: String,
        /// Why.
        reason: String,
    },
    /// The call itself failed.
    Call(crate::Error),
    /// The typed response could not be serialized back to JSON.
    Encode(String),
}

impl std::fmt::Display for DispatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DispatchError::UnknownOperation(op) => write!(f, "no operation named `{op}`"),
            DispatchError::Argument { name, reason } => write!(f, "argument `{name}`: {reason}"),
            DispatchError::Call(e) => write!(f, "{e}"),
            DispatchError::Encode(e) => write!(f, "serializing the response back: {e}"),
        }
    }
}

impl std::error::Error for DispatchError {}

fn bad(name: &str, reason: impl std::fmt::Display) -> DispatchError {
    DispatchError::Argument { name: name.to_string(), reason: reason.to_string() }
}

/// A value from its text: as a JSON string first (strings, dates, enums), then as JSON (numbers,
/// booleans).
fn from_text<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, DispatchError> {
    serde_json::from_value(Value::String(text.to_string()))
        .or_else(|_| serde_json::from_str(text))
        .map_err(|e| bad(name, format!("`{text}`: {e}")))
}

/// The path parameter `name`, read from `path` at the place `{name}` has in `template`.
fn path_arg<T: DeserializeOwned>(template: &str, path: &str, name: &str) -> Result<T, DispatchError> {
    let placeholder = format!("{{{name}}}");
    let at = template
        .split('/')
        .position(|s| s == placeholder)
        .ok_or_else(|| bad(name, format!("not in the template {template}")))?;
    let raw =
        path.split('/').nth(at).ok_or_else(|| bad(name, format!("{path} is shorter than {template}")))?;
    let text = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    from_text(name, &text)
}

/// The query parameter `name`: one value, or every value as an array.
fn query_arg<T: DeserializeOwned>(
    query: &[(String, String)],
    name: &str,
) -> Result<Option<T>, DispatchError> {
    let values: Vec<&str> = query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
    match values.as_slice() {
        [] => Ok(None),
        [one] => match from_text(name, one) {
            Ok(v) => Ok(Some(v)),
            // A one-element array.
            Err(e) => serde_json::from_value(Value::Array(vec![Value::String(one.to_string())]))
                .map(Some)
                .map_err(|_| e),
        },
        many => {
            let array = Value::Array(many.iter().map(|v| Value::String(v.to_string())).collect());
            serde_json::from_value(array).map(Some).map_err(|e| bad(name, e))
        }
    }
}

fn required<T>(value: Option<T>, name: &str) -> Result<T, DispatchError> {
    value.ok_or_else(|| bad(name, "required, not in the call"))
}

fn body_arg<T: DeserializeOwned>(body: Option<&Value>) -> Result<T, DispatchError> {
    let body = body.ok_or_else(|| bad("body", "required, not in the call"))?;
    serde_json::from_value(body.clone()).map_err(|e| bad("body", e))
}

/// An upload's form: the call's body read as form fields (a string as a text part, anything else
/// as a JSON part), or one small text part without a body. What a real upload carries (files) is up
/// to the caller.
fn multipart_form(body: Option<&Value>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new();
    let Some(Value::Object(fields)) = body else { return form.text("fixture", "dispatched") };
    fields.iter().fold(form, |form, (name, value)| match value {
        Value::String(text) => form.text(name.clone(), text.clone()),
        // Structured fields go as JSON parts, as the spec's form encodings describe them.
        other => match reqwest::multipart::Part::text(other.to_string()).mime_str("application/json") {
            Ok(part) => form.part(name.clone(), part),
            Err(_) => form.text(name.clone(), other.to_string()),
        },
    })
}

fn json<T: serde::Serialize>(r: Result<Response<T>, crate::Error>) -> Result<Outcome, DispatchError> {
    let (value, _, _, corrections) = r.map_err(DispatchError::Call)?.into_parts();
    let value = serde_json::to_value(value).map_err(|e| DispatchError::Encode(e.to_string()))?;
    Ok(Outcome::Json(value, corrections))
}

fn empty(r: Result<Response<()>, crate::Error>) -> Result<Outcome, DispatchError> {
    r.map(|_| Outcome::Empty).map_err(DispatchError::Call)
}

fn stream(r: Result<Response<ByteStream>, crate::Error>) -> Result<Outcome, DispatchError> {
    r.map(|v| Outcome::Stream(v.into_inner())).map_err(DispatchError::Call)
}
