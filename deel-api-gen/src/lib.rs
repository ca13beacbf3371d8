//! Generated client for the Deel REST and SCIM APIs.
//!
//! This file, `runtime/`, `macros.rs` and `dispatch/mod.rs` are hand-written; `cargo xtask
//! codegen` writes `areas.rs`, `builder.rs`, `client.rs`, `events.rs`, `operations.rs`,
//! `types.rs` and `dispatch/generated.rs` (each starts with a "do not edit" header).
//!
//! Every operation is a method on [`Client`] that returns a request builder from [`builder`];
//! its types are in [`types`]; [`runtime`] is how a call is sent (the builder, credentials,
//! retries, rate limit, hooks) and how its answer is read (typed errors, lenient decoding). Use
//! the `deel-api` crate: it re-exports this client as its own and adds worker sessions, OAuth,
//! webhooks, shared state and test fixtures.
//!
//! Each Deel API area is a Cargo feature (`full`, the default, enables them all): an operation is
//! compiled only with its area, and a type only when an enabled area uses it.
// With only some areas enabled, parts of the shared runtime and imports go unused.
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports, unused_macros))]

// First, so that the generated modules below see its macros.
#[macro_use]
mod macros;
/// One module per area (`contracts`, `people`, …, behind the area's feature): its request
/// builders, the types only it uses, and a list of its operations with method and path.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
pub mod areas;
/// One request builder per operation: required parameters are arguments of the [`Client`]
/// method, optional ones are setters, and `send()` returns a [`runtime::Pending`] call, sent
/// when awaited.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
pub mod builder;
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
mod client;
/// progenitor's positional methods, one per operation, reached through [`builder`].
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
mod operations;
#[cfg(feature = "dispatch")]
pub mod dispatch;
/// Deel's webhook events, typed: [`events::Event`] (the `webhooks` feature).
#[cfg(feature = "webhooks")]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
pub mod events;
pub mod runtime;
/// Request and response types of every operation.
#[rustfmt::skip]
#[allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    unused_imports,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links
)]
pub mod types;

pub use client::*;
pub use runtime::{
    ApiError, Correction, CorrectionKind, DecodeError, DecodeMode, Error, ErrorMessage, Hooks, JsonType,
    Operation, Response,
};
