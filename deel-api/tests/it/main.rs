//! The facade's integration tests, in one binary so that the generated client is linked once
//! (each test binary links all of it). `trace.rs` keeps a binary of its own: tracing caches
//! per-callsite interest process-wide, and `schema.rs` needs the `schemars` feature.

mod common;

mod decoding;
mod errors;
mod every_operation;
mod fuzz_decoders;
mod generated_client;
mod headers_and_config;
mod lenient;
mod oauth;
mod pagination;
mod platform;
mod published;
mod recorder;
mod replay;
mod replicas;
mod retries_and_limits;
mod secrets;
mod webhook_events;
mod webhook_receiver;
mod worker_sessions;
