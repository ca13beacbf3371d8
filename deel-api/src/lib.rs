//! Rust SDK for the Deel API.
//!
//! Every operation Deel publishes is a method on [`Client`] that returns a request builder:
//! required parameters are arguments, optional ones are setters, and `send().await` performs
//! the call with the client's credentials, versioning headers, retries and rate limit.
//!
//! ```no_run
//! # async fn run() -> Result<(), deel_api::Error> {
//! let client = deel_api::Client::builder().token("your-api-token").build()?;
//! let page = client.get_contracts().limit(50).send().await?;
//! println!("{} contracts on this page", page.data.len());
//! # Ok(())
//! # }
//! ```
//!
//! Each Deel API area (`contracts`, `people`, `worker-session`, …) is a Cargo feature; `full`, the
//! default, enables all of them. A service that uses a few areas can turn default features off
//! and list them, which makes the generated client much cheaper to build.
#![warn(missing_docs)]

pub mod expiry;
mod lease;
pub mod oauth;
pub mod pagination;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;
/// Needs the `worker-session` feature (on by default).
#[cfg(feature = "worker-session")]
pub mod worker;

/// Credentials: API tokens, and the trait OAuth and worker sessions implement.
pub use deel_api_gen::runtime::auth;
/// The clock token expiry is judged by.
pub use deel_api_gen::runtime::clock;
/// Following the short-lived links some operations answer with, without sending Deel's token.
pub use deel_api_gen::runtime::download;
/// Seeing every call a client makes: [`ClientBuilder::hook`].
pub use deel_api_gen::runtime::hook;
/// Idempotency keys as Deel defines them (POST and PATCH, 64 characters, 24 hours).
pub use deel_api_gen::runtime::idempotency;
/// The client-side rate limit.
pub use deel_api_gen::runtime::limiter;
/// When a failed call is tried again.
pub use deel_api_gen::runtime::retry;
/// Per-endpoint API versions (`X-Version`, `X-Beta`) and the lifecycle a response reports.
pub use deel_api_gen::runtime::versioning;

pub use auth::{ApiToken, Credentials};
pub use deel_api_gen::runtime::client::{ClientBuilder, API_VERSION, USER_AGENT};
pub use deel_api_gen::runtime::environment::{self, Environment, OAuthEndpoints};
pub use deel_api_gen::runtime::{IdempotencyKeys, Nullable};
/// The one client type: the generated client, whose requests go through the transport the
/// builder installs (credentials, headers, retries, rate limit, tracing).
pub use deel_api_gen::Client;
pub use hook::CallHook;
pub use retry::RetryPolicy;
#[cfg(feature = "worker-session")]
pub use worker::{WorkerSessions, WorkerToken};

/// One module per area: `deel_api::contracts`, `deel_api::people`, …, each holding the area's
/// request builders and defining the types only it uses (the `webhooks` area's items are in
/// [`webhooks`] beside the signature checks). [`types`] defines the shared types and names every
/// type.
#[allow(unused_imports)] // empty without area features
pub use deel_api_gen::areas::*;
/// Generated request builders, one per operation.
pub use deel_api_gen::builder;
/// Decoding a body as the client does (lenient or strict), for bodies received another way
/// (webhooks, stored responses).
pub use deel_api_gen::runtime::decode::{decode, Lenient};
/// What `send()` returns: the response still to come, and how its body is read.
pub use deel_api_gen::runtime::pending::{self, Pending};
/// Generated request and response types.
pub use deel_api_gen::types;
/// The error type of every call, and the pieces of an API error.
pub use deel_api_gen::{ApiError, DecodeError, Error, ErrorMessage};
/// What a call returns, and what lenient decoding corrected in it.
pub use deel_api_gen::{ByteStream, Correction, CorrectionKind, DecodeMode, JsonType, Response};
/// `schemars`, re-exported so that schemas of the generated types can be generated without
/// depending on it separately.
#[cfg(feature = "schemars")]
pub use schemars;

/// The README's Rust examples, compiled as doctests so that they keep up with the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
