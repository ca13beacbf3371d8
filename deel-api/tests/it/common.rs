//! Shared test helpers: a local server and a client pointed at it.
#![allow(dead_code)]

use deel_api::{Client, ClientBuilder};
use wiremock::MockServer;

/// A builder for a client talking to `server`, without rate limit (tests that need one set it).
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.uri()).rate_limit(None).token("test-token-not-secret-0")
}

/// A built client, or the test fails with the reason.
pub fn build(builder: ClientBuilder) -> Client {
    match builder.build() {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}

/// Requests the server received.
pub async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

/// A header of a received request as text.
pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The body of `POST /workers/session` for `profile_id` (the operation most tests call).
pub fn session_body(profile_id: &str) -> deel_api::types::CreateWorkerAccessTokenRequest {
    deel_api::types::CreateWorkerAccessTokenRequest {
        data: deel_api::types::CreateWorkerAccessTokenInput { profile_id: profile_id.into() },
    }
}

/// A builder for a client talking to a replay server, without rate limit (lenient decoding, as
/// against a live environment; tests of our own fixtures add `strict_decoding(true)`).
pub fn replay_builder(server: &deel_api::testing::ReplayServer) -> ClientBuilder {
    Client::builder().environment(server.environment()).rate_limit(None).token("test-token-not-secret-0")
}
