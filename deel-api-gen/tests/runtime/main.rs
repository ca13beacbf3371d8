//! The hand-written runtime (`src/runtime/`), tested in its own crate. Built with one area, it
//! builds in seconds:
//!
//! ```text
//! cargo test -p deel-api-gen --no-default-features --features worker-session
//! ```
//!
//! The two operations of that area are enough to drive every runtime path: a POST with a JSON
//! body and a typed response, and a DELETE answered with no body. A local stand-in server
//! (wiremock, on 127.0.0.1) plays Deel.

mod decode;
mod error;
mod hook;
mod pagination;
mod pending;
mod transport;

use deel_api_gen::runtime::retry::RetryPolicy;
use deel_api_gen::runtime::ClientBuilder;
use deel_api_gen::types::{CreateWorkerAccessTokenInput, CreateWorkerAccessTokenRequest};
use deel_api_gen::Client;
use wiremock::MockServer;

/// A builder aimed at `server`, with a token, no rate limit and retries that do not wait.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .token("runtime-test-token")
        .rate_limit(None)
        .retry(RetryPolicy { base_delay: std::time::Duration::from_millis(1), ..RetryPolicy::default() })
}

/// The client `builder` makes.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap_or_else(|e| panic!("a client: {e}"))
}

/// A request body for `POST /workers/session`.
pub fn session_body(profile_id: &str) -> CreateWorkerAccessTokenRequest {
    CreateWorkerAccessTokenRequest { data: CreateWorkerAccessTokenInput { profile_id: profile_id.into() } }
}

/// A success body for `POST /workers/session`.
pub fn session_json(token: &str) -> serde_json::Value {
    serde_json::json!({ "data": { "token": token, "expires_at": "2026-12-08T10:00:00Z" } })
}
