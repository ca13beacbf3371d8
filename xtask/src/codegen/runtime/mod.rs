//! Runtime support for the generated operations: how a request is sent, and how a response
//! becomes a value or a typed [`Error`].
//!
//! This file is copied verbatim into `deel-api-gen/src/runtime/` by `cargo xtask codegen`; edit
//! it in `xtask/src/codegen/runtime/`.

mod error;
pub mod pagination;
pub mod pending;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use error::{parse_retry_after, ApiError, Error, ErrorMessage, MAX_ERROR_BODY};
pub use pending::Pending;

/// What the generated code knows about the operation being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation id, as a Rust method name (`create_worker_access_token`).
    pub id: &'static str,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path template (`/rest/v2/workers/session`), never the filled-in path.
    pub path: &'static str,
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
}

/// The generated client's extension point: an optional [`Transport`].
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    transport: Option<Arc<dyn Transport>>,
}

impl Hooks {
    /// Hooks that send every request through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self { transport: Some(transport) }
    }

    /// The installed transport, if any.
    pub fn transport(&self) -> Option<&Arc<dyn Transport>> {
        self.transport.as_ref()
    }
}
