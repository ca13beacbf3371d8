//! Matching on errors: not found, rate limited, validation messages, a proxy's HTML page.
//!
//! Runs against a local stand-in server: `cargo run -p deel-api --example errors`.

use deel_api::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    let answers = [
        ("missing", ResponseTemplate::new(404).set_body_json(json!({ "error": "worker not found" }))),
        ("busy", ResponseTemplate::new(429).insert_header("retry-after", "120")),
        (
            "invalid",
            ResponseTemplate::new(400).set_body_json(json!({
                "request": { "api_req_id": "req-example-1" },
                "errors": [{ "message": "must be a valid id", "path": "worker_id" }]
            })),
        ),
        ("proxy", ResponseTemplate::new(502).set_body_string("<html><h1>502 Bad Gateway</h1></html>")),
    ];
    for (id, answer) in answers {
        Mock::given(method("DELETE"))
            .and(path(format!("/rest/v2/workers/{id}/session")))
            .respond_with(answer)
            .mount(&server)
            .await;
    }
    let client = Client::builder().base_url(server.uri()).retry(RetryPolicy::none()).build()?;

    for id in ["missing", "busy", "invalid", "proxy"] {
        match client.delete_worker_access_token(id).send().await {
            Ok(_) => println!("{id}: ok"),
            Err(Error::NotFound(e)) => println!("{id}: not found: {e}"),
            Err(Error::RateLimited { retry_after, .. }) => {
                println!("{id}: slow down, retry after {retry_after:?}")
            }
            Err(e @ Error::Api(_)) => {
                println!(
                    "{id}: status {:?}, request id {:?}, retryable: {}",
                    e.status(),
                    e.request_id(),
                    e.is_retryable()
                );
                for m in e.api_error().map(|a| a.messages.as_slice()).unwrap_or_default() {
                    println!("    {} ({:?})", m.message, m.path);
                }
                if let Some(raw) = e.api_error().and_then(|a| a.raw.as_deref()) {
                    println!("    body: {raw}");
                }
            }
            Err(other) => println!("{id}: {other}"),
        }
    }
    Ok(())
}
