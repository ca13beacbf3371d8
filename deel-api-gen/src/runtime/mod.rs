//! Runtime support for the generated operations: how a request is sent, and how a response
//! becomes a value or a typed [`Error`].
//!
//! Hand-written: `cargo xtask codegen` writes the operations and types that use it, never this.

pub mod auth;
pub mod client;
pub mod clock;
pub mod decode;
pub mod download;
pub mod environment;
mod error;
pub mod idempotency;
pub mod limiter;
pub mod nullable;
pub mod one_or_many;
pub mod pagination;
pub mod pending;
mod response;
pub mod retry;
mod transport;
pub mod versioning;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use client::{ClientBuilder, SharedState, API_VERSION, USER_AGENT};
pub use decode::{Correction, CorrectionKind, DecodeError, DecodeMode, JsonType};
pub use error::{
    parse_retry_after, retryable_status, ApiError, Error, ErrorMessage, MAX_ERROR_BODY, REDACTED,
    REQUEST_ID_HEADERS, SECRET_FIELDS,
};
pub use idempotency::IdempotencyKeys;
pub use nullable::Nullable;
pub use one_or_many::OneOrMany;
pub use pending::Pending;
pub use response::Response;

/// What the generated code knows about the operation being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation id, as a Rust method name (`create_worker_access_token`).
    pub id: &'static str,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path template (`/rest/v2/workers/session`), never the filled-in path.
    pub path: &'static str,
    /// The API version this operation is called with unless the client or the call pins another
    /// (`X-Version`): versions are per endpoint on Deel's platform, and most are on the
    /// [`API_VERSION`] baseline.
    pub version: &'static str,
    /// Whether Deel serves this operation only to requests that say `X-Beta: true`.
    pub beta: bool,
}

/// A boxed future returned by [`Transport::execute`].
pub type TransportFuture<'a> = Pin<Box<dyn Future<Output = Result<reqwest::Response, Error>> + Send + 'a>>;

/// Sends requests on behalf of the generated client: authentication, versioning headers,
/// retries, rate limiting and tracing live behind this trait (the `deel-api` crate implements
/// it). Without one, requests go straight to `reqwest`.
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` (built by the operation) with `http` and returns the final response.
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Operation,
    ) -> TransportFuture<'a>;

    /// How success bodies are decoded (lenient unless the transport says otherwise).
    fn decode_mode(&self) -> DecodeMode {
        DecodeMode::Lenient
    }

    /// Told what lenient decoding corrected in a response of `operation` (to log it, say).
    fn corrected(&self, operation: Operation, corrections: &[Correction]) {
        let _ = (operation, corrections);
    }
}

/// Refuses a request whose path no longer matches its operation's template: a path parameter
/// such as `..` or `.` would otherwise make the URL parser move the request to another endpoint
/// (with the caller's credentials), and an empty one would address another route.
pub fn check_path(url: &reqwest::Url, operation: &Operation) -> Result<(), Error> {
    // Compared from the end (the base URL may carry a prefix), without allocating: this runs
    // before every request.
    let mut actual = url.path().rsplit('/');
    let fits = operation.path.trim_start_matches('/').rsplit('/').all(|t| match actual.next() {
        // A parameter: any non-empty segment that is not a dot segment.
        Some(a) if t.contains('{') => !a.is_empty() && !is_dot_segment(a),
        Some(a) => t == a,
        None => false,
    });
    if fits {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "a path parameter of {} would change the endpoint called (empty, `.` or `..`); refused",
            operation.id
        )))
    }
}

fn is_dot_segment(segment: &str) -> bool {
    [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."].iter().any(|d| segment.eq_ignore_ascii_case(d))
}

/// The generated client's extension point: an optional [`Transport`], and the state
/// [`ClientBuilder`] gives the clients it builds.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    transport: Option<Arc<dyn Transport>>,
    state: Option<client::ClientState>,
}

impl Hooks {
    /// Hooks that send every request through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self { transport: Some(transport), state: None }
    }

    pub(crate) fn with_state(state: client::ClientState) -> Self {
        Self { transport: Some(state.transport.clone()), state: Some(state) }
    }

    /// The installed transport, if any.
    pub fn transport(&self) -> Option<&Arc<dyn Transport>> {
        self.transport.as_ref()
    }

    pub(crate) fn state(&self) -> Option<&client::ClientState> {
        self.state.as_ref()
    }
}
