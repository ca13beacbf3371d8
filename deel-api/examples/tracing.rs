//! One tracing span per call: operation, method, path template, status, attempt, request id.
//!
//! Runs against a local stand-in server: `cargo run -p deel-api --example tracing`.

use deel_api::Client;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204).insert_header("x-request-id", "req-123"))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).token("a-token-that-is-never-logged").build()?;
    client.delete_worker_access_token("w-1").send().await?;
    Ok(())
}
