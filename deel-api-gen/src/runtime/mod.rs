//! Runtime support for the generated operations: how a request is sent, and how a response
//! becomes a value or a typed [`Error`].
//!
//! Hand-written: `cargo xtask codegen` writes the operations and types that use it, never this.
//! This file only lists the modules and what they export.

pub mod auth;
pub mod client;
pub mod clock;
pub mod decode;
pub mod download;
pub mod environment;
mod error;
pub mod hook;
pub mod idempotency;
pub mod limiter;
pub mod nullable;
pub mod one_or_many;
mod operation;
pub mod pagination;
pub mod pending;
mod request_id;
mod response;
pub mod retry;
mod secrets;
mod text;
mod transport;
pub mod versioning;

pub use client::{ClientBuilder, Hooks, API_VERSION, USER_AGENT};
pub use decode::{Correction, CorrectionKind, DecodeError, DecodeMode, JsonType};
pub use error::{ApiError, Error, ErrorMessage, MAX_ERROR_BODY};
pub use idempotency::IdempotencyKeys;
pub use nullable::Nullable;
pub use one_or_many::OneOrMany;
pub use operation::{check_path, Operation};
pub use pending::Pending;
pub use request_id::REQUEST_ID_HEADERS;
pub use response::Response;
pub use retry::{parse_retry_after, retryable_status};
pub use secrets::{REDACTED, SECRET_FIELDS};
