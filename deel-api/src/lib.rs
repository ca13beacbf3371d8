//! Rust SDK for the Deel API.
//!
//! Every operation Deel publishes is a method on [`Client`] that returns a request builder:
//! required parameters are arguments, optional ones are setters, and `send()` performs the
//! call.
//!
//! ```no_run
//! # async fn run() -> Result<(), deel_api::Error<deel_api::ByteStream>> {
//! let client = deel_api::Client::new("https://api.letsdeel.com");
//! let page = client.get_contracts().limit("50").send().await?;
//! println!("{} contracts on this page", page.data.len());
//! # Ok(())
//! # }
//! ```
//!
//! The base URL is the API host: operation paths carry their own `/rest/v2` or `/scim/v2`
//! prefix, so one client reaches both the REST and the SCIM API.

pub use deel_api_gen::{builder, types, ByteStream, Client, Error, ResponseValue};
