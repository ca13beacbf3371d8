//! The golden spec's generated code, compiled as deel-api-gen compiles its own: the same
//! hand-written runtime and macros (by path, not copied), the generated files from `../out/`.
//! `dispatch/generated.rs` is compared as text only: its hand-written half would pull in
//! deel-api-gen's own 393-operation table.
#![allow(dead_code, unused_imports, unused_macros)]

#[macro_use]
#[path = "../../../../../deel-api-gen/src/macros.rs"]
mod macros;
#[path = "../../out/areas.rs"]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
pub mod areas;
#[path = "../../out/builder.rs"]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
pub mod builder;
#[path = "../../out/client.rs"]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod client;
#[path = "../../out/operations.rs"]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod operations;
#[path = "../../../../../deel-api-gen/src/runtime/mod.rs"]
pub mod runtime;
#[path = "../../out/types.rs"]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]
pub mod types;

pub use client::*;
pub use runtime::{Error, Response};
