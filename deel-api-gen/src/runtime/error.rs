//! One error type for every operation.
//!
//! Deel's operations declare about thirty error body shapes; they are all read here into
//! [`ApiError`]: the status, Deel's request id, and a list of messages with their field, path and
//! code. A body in no known shape keeps a bounded excerpt of its raw text.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::runtime::decode::DecodeError;
use crate::runtime::request_id::REQUEST_ID_HEADERS;
use crate::runtime::retry::{parse_retry_after, retryable_status};
use crate::runtime::secrets::{redact_fields, scrub_bearer, REDACTED};
use crate::runtime::text::cut;

/// How much of an error body is read and kept; a larger body is cut, never buffered whole.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// How much of a body an error message quotes, in characters.
const EXCERPT: usize = 300;

/// How long one message from an error body may be, in characters, and how many are kept.
const MESSAGE: usize = 200;
const MESSAGES: usize = 8;

/// The longest `Display` of an error, in characters: an error body cannot make a log line long.
const DISPLAY: usize = 1024;

/// Everything that can go wrong calling Deel.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 401: the token is missing, invalid or expired.
    Unauthorized(ApiError),
    /// 403: the token lacks a scope or the caller lacks access.
    Forbidden(ApiError),
    /// 404: no such resource (or not visible to this token).
    NotFound(ApiError),
    /// 429: over Deel's rate limit. `retry_after` is Deel's `Retry-After`, when sent.
    RateLimited {
        /// How long Deel asked to wait.
        retry_after: Option<Duration>,
        /// The error Deel sent with it.
        error: ApiError,
    },
    /// 429 to a request whose `Idempotency-Key` another request is still using: Deel is still
    /// performing the first one. The client retries it after `Retry-After` with the same key;
    /// this is what remains when retries ran out. Sending the call again later with the same key
    /// returns the first request's response.
    IdempotencyConflict {
        /// How long Deel asked to wait.
        retry_after: Option<Duration>,
        /// The error Deel sent with it.
        error: ApiError,
    },
    /// Any other error status.
    Api(ApiError),
    /// A status that is neither success nor error (1xx, 3xx).
    UnexpectedStatus {
        /// The status code.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// A success response whose body does not match the operation's declared shape, even after
    /// lenient decoding's corrections (or with any correction, in strict mode): where, what was
    /// expected and found, and the body as bytes.
    Decode(Box<DecodeError>),
    /// The request could not be sent: DNS, connection, TLS or a reset.
    Transport(reqwest::Error),
    /// The request or the response took longer than the configured timeout.
    Timeout(reqwest::Error),
    /// A file behind one of Deel's download links could not be fetched from its storage host
    /// (refused, too large, not `https`). The message never quotes the link, which is itself a
    /// credential.
    Download {
        /// What went wrong.
        message: String,
        /// The storage host's status, when it answered.
        status: Option<u16>,
    },
    /// The request could not be built (bad base URL, parameter or body), or a configuration
    /// error.
    InvalidRequest(String),
    /// Obtaining or refreshing credentials failed (OAuth token endpoint, token store, worker
    /// session). When the cause was an error response (a 403 creating a worker token, say), it
    /// is the `source`, and [`Error::status`] and [`Error::api_error`] reach it.
    Credentials {
        /// What was being done.
        message: String,
        /// The underlying error, if any.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// State shared with other processes (a rate limit, tokens, a lease, kept in Redis with
    /// the facade's `redis` feature) could not be read or written. The message names what was
    /// being done; neither it nor the source quotes a password or a token.
    SharedState {
        /// What was being done.
        message: String,
        /// The underlying error, if any.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// An error status from Deel, with what its body said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// Deel's request id (`api_req_id`), for support tickets.
    pub request_id: Option<String>,
    /// The messages in the body, in order.
    pub messages: Vec<ErrorMessage>,
    /// The start of the raw body when it was in no known shape (HTML from a proxy, say).
    pub raw: Option<String>,
}

/// One message of an error body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ErrorMessage {
    /// The human-readable message.
    pub message: String,
    /// Deel's error code, when given.
    pub code: Option<String>,
    /// The request field the message is about, when given.
    pub field: Option<String>,
    /// The JSON path the message is about, when given.
    pub path: Option<String>,
}

impl Error {
    /// The HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized(e) | Error::Forbidden(e) | Error::NotFound(e) | Error::Api(e) => {
                Some(e.status)
            }
            Error::RateLimited { error, .. } | Error::IdempotencyConflict { error, .. } => Some(error.status),
            Error::UnexpectedStatus { status, .. } => Some(*status),
            Error::Decode(e) => Some(e.status),
            Error::Transport(e) | Error::Timeout(e) => e.status().map(|s| s.as_u16()),
            Error::Download { status, .. } => *status,
            Error::Credentials { .. } => self.cause().and_then(Error::status),
            Error::InvalidRequest(_) | Error::SharedState { .. } => None,
        }
    }

    /// The SDK error a [`Error::Credentials`] wraps, if any.
    fn cause(&self) -> Option<&Error> {
        match self {
            Error::Credentials { source: Some(s), .. } => s.downcast_ref::<Error>(),
            _ => None,
        }
    }

    /// Replaces every occurrence of the given secrets (tokens the client holds) in this error's
    /// texts by `<redacted>`, the wrapped cause included. Secrets shorter than 8 characters are
    /// left alone: replacing them would garble ordinary words.
    pub fn redact(&mut self, secrets: &[&str]) {
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 8).collect();
        if secrets.is_empty() {
            return;
        }
        let scrub = |text: &mut String| {
            for secret in &secrets {
                if text.contains(secret) {
                    *text = text.replace(secret, REDACTED);
                }
            }
        };
        match self {
            Error::Unauthorized(e) | Error::Forbidden(e) | Error::NotFound(e) | Error::Api(e) => {
                e.redact(scrub)
            }
            Error::RateLimited { error, .. } | Error::IdempotencyConflict { error, .. } => {
                error.redact(scrub)
            }
            Error::UnexpectedStatus { excerpt, .. } => scrub(excerpt),
            Error::InvalidRequest(m) => scrub(m),
            Error::Credentials { message, source } => {
                scrub(message);
                if let Some(inner) = source.as_mut().and_then(|s| s.downcast_mut::<Error>()) {
                    inner.redact(&secrets);
                }
            }
            Error::SharedState { message, .. } | Error::Download { message, .. } => scrub(message),
            // Decode errors quote nothing from the body; transport errors carry no body.
            Error::Decode(_) | Error::Transport(_) | Error::Timeout(_) => {}
        }
    }

    /// Deel's request id, when the error body carried one.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// The parsed error body, for errors that came with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Unauthorized(e) | Error::Forbidden(e) | Error::NotFound(e) | Error::Api(e) => Some(e),
            Error::RateLimited { error, .. } | Error::IdempotencyConflict { error, .. } => Some(error),
            Error::Credentials { .. } => self.cause().and_then(Error::api_error),
            _ => None,
        }
    }

    /// The decoding failure, for a [`Error::Decode`].
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: rate limiting, 502/503/504,
    /// timeouts and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::IdempotencyConflict { .. } | Error::Timeout(_) => true,
            Error::Api(e) => retryable_status(e.status),
            Error::Transport(e) => e.is_connect() || e.is_request() || e.is_body(),
            _ => false,
        }
    }

    /// Reads an error response (at most [`MAX_ERROR_BODY`] bytes of it) into the matching
    /// variant.
    pub async fn from_response(mut response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let header_id = REQUEST_ID_HEADERS
            .iter()
            .find_map(|h| response.headers().get(*h).and_then(|v| v.to_str().ok()).map(String::from));
        let mut body = Vec::new();
        while body.len() < MAX_ERROR_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                // A body that breaks off still leaves the status to report.
                Ok(None) | Err(_) => break,
            }
        }
        body.truncate(MAX_ERROR_BODY);
        if !(400..=599).contains(&status) {
            return Error::UnexpectedStatus { status, excerpt: excerpt(&body) };
        }
        let mut error = ApiError::parse(status, &body);
        if error.request_id.is_none() {
            error.request_id = header_id;
        }
        match status {
            401 => Error::Unauthorized(error),
            403 => Error::Forbidden(error),
            404 => Error::NotFound(error),
            429 => Error::RateLimited { retry_after, error },
            _ => Error::Api(error),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout(e)
        } else if e.is_builder() {
            Error::InvalidRequest(e.to_string())
        } else {
            Error::Transport(e)
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.render(&mut text)?;
        f.write_str(&cut(&text, DISPLAY))
    }
}

impl Error {
    fn render(&self, f: &mut String) -> fmt::Result {
        use std::fmt::Write;
        match self {
            Error::Unauthorized(e) => write!(f, "unauthorized: {e}"),
            Error::Forbidden(e) => write!(f, "forbidden: {e}"),
            Error::NotFound(e) => write!(f, "not found: {e}"),
            Error::RateLimited { retry_after: Some(d), error } => {
                write!(f, "rate limited, retry after {} s: {error}", d.as_secs())
            }
            Error::RateLimited { retry_after: None, error } => write!(f, "rate limited: {error}"),
            Error::IdempotencyConflict { error, .. } => write!(
                f,
                "idempotency key in use: Deel is still performing the first request with this key; \
                 send again later with the same key: {error}"
            ),
            Error::Api(e) => write!(f, "Deel API error: {e}"),
            Error::UnexpectedStatus { status, excerpt } => write!(f, "unexpected status {status}: {excerpt}"),
            Error::Decode(e) => write!(f, "{e}"),
            Error::Transport(e) => write!(f, "could not reach Deel: {e}"),
            Error::Timeout(e) => write!(f, "timed out: {e}"),
            Error::Download { message, .. } => write!(f, "download failed: {message}"),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Credentials { message, source: Some(s) } => write!(f, "{message}: {s}"),
            Error::Credentials { message, source: None } => f.write_str(message),
            Error::SharedState { message, source: Some(s) } => write!(f, "shared state: {message}: {s}"),
            Error::SharedState { message, source: None } => write!(f, "shared state: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Timeout(e) => Some(e),
            Error::Credentials { source: Some(s), .. } | Error::SharedState { source: Some(s), .. } => {
                Some(s.as_ref())
            }
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}", self.status)?;
        for m in &self.messages {
            f.write_str("; ")?;
            if let Some(field) = m.field.as_deref().or(m.path.as_deref()) {
                write!(f, "{field}: ")?;
            }
            f.write_str(&m.message)?;
            if let Some(code) = &m.code {
                write!(f, " ({code})")?;
            }
        }
        if let Some(raw) = &self.raw {
            write!(f, "; body: {raw}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

impl ApiError {
    /// Parses any of Deel's error body shapes; a body in none of them is kept as an excerpt.
    ///
    /// Every text kept is bounded (a message to 200 characters, at most 8 messages, the excerpt
    /// to 300), the values of secret-named fields (`token`, `client_secret`, …) are redacted at
    /// any depth, and so is whatever follows `Bearer `.
    pub fn parse(status: u16, body: &[u8]) -> Self {
        let mut error = ApiError { status, request_id: None, messages: Vec::new(), raw: None };
        match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                redact_fields(&mut value);
                error.request_id =
                    value.pointer("/request/api_req_id").and_then(text).map(|id| cut(&id, MESSAGE));
                collect_messages(&value, &mut error.messages);
                error.messages.truncate(MESSAGES);
                if error.messages.is_empty() && !is_empty_json(&value) {
                    error.raw = Some(excerpt(value.to_string().as_bytes()));
                }
            }
            Err(_) if body.iter().all(u8::is_ascii_whitespace) => {}
            Err(_) => error.raw = Some(excerpt(body)),
        }
        error.redact(|text| *text = scrub_bearer(text));
        error
    }

    /// Applies `scrub` to every text of the error.
    fn redact(&mut self, scrub: impl Fn(&mut String)) {
        for m in &mut self.messages {
            for text in [Some(&mut m.message), m.code.as_mut(), m.field.as_mut(), m.path.as_mut()]
                .into_iter()
                .flatten()
            {
                scrub(text);
            }
        }
        if let Some(raw) = &mut self.raw {
            scrub(raw);
        }
    }
}

fn is_empty_json(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Finds the messages in one of the known shapes: `{errors: [..]}`, `{errors: {..}}`,
/// `{error: ".."}`, `{error: {..}}`, SCIM's `{detail, scimType}`, `{message, code}`, or a bare
/// array of messages.
fn collect_messages(value: &Value, out: &mut Vec<ErrorMessage>) {
    match value {
        Value::Array(items) => items.iter().filter_map(message).for_each(|m| out.push(m)),
        Value::Object(map) => {
            match map.get("errors") {
                Some(Value::Array(items)) => items.iter().filter_map(message).for_each(|m| out.push(m)),
                Some(single @ Value::Object(_)) => out.extend(message(single)),
                _ => {}
            }
            match map.get("error") {
                Some(Value::String(s)) => {
                    out.push(ErrorMessage { message: cut(s, MESSAGE), ..Default::default() })
                }
                Some(obj @ Value::Object(_)) => out.extend(message(obj)),
                _ => {}
            }
            if out.is_empty() {
                if let Some(detail) = map.get("detail").and_then(text) {
                    let code = map.get("scimType").and_then(text);
                    out.push(ErrorMessage { message: detail, code, ..Default::default() });
                } else if map.contains_key("message") {
                    out.extend(message(value));
                }
            }
        }
        _ => {}
    }
}

fn message(value: &Value) -> Option<ErrorMessage> {
    if let Value::String(s) = value {
        return Some(ErrorMessage { message: cut(s, MESSAGE), ..Default::default() });
    }
    let map = value.as_object()?;
    let message =
        map.get("message").or_else(|| map.get("error")).or_else(|| map.get("detail")).and_then(text)?;
    let path = match map.get("path") {
        Some(Value::Array(parts)) => {
            Some(parts.iter().filter_map(text).collect::<Vec<_>>().join(".")).filter(|p| !p.is_empty())
        }
        other => other.and_then(text),
    };
    Some(ErrorMessage {
        message,
        code: map.get("code").and_then(text),
        field: map.get("field").and_then(text),
        path,
    })
}

/// A string or number as text, bounded.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(cut(s, MESSAGE)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The start of a body as text, cut at a character boundary.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT * 4)]);
    let mut out: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT || body.len() > EXCERPT * 4 {
        out.push('…');
    }
    out
}
