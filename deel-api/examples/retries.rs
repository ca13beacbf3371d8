//! Retries, idempotency keys and the client-side rate limit.
//!
//! Runs against a local stand-in server: `cargo run -p deel-api --example retries`.

use std::time::{Duration, Instant};

use deel_api::{types, Client, RetryPolicy};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    // The first POST meets a 503, the next one succeeds.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "token": "wt", "expires_at": "2030-01-01T00:00:00Z" } })),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    let client = Client::builder()
        .base_url(server.uri())
        .retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
        })
        .rate_limit(Some(5.0))
        .build()?;

    // POSTs are retried only with an Idempotency-Key: supply one for this call.
    let body = types::CreateWorkerAccessTokenRequest {
        data: types::CreateWorkerAccessTokenInput { profile_id: "p".into() },
    };
    client
        .create_worker_access_token(body.clone())
        .idempotency_key("create-session-p-2026-11-28")
        .send()
        .await?;
    println!(
        "POST succeeded after {} attempts",
        server.received_requests().await.map(|r| r.len()).unwrap_or(0)
    );

    // Ten calls at 5 per second take about two seconds.
    let started = Instant::now();
    for i in 0..10 {
        client.delete_worker_access_token(format!("w-{i}")).send().await?;
    }
    println!("10 rate-limited calls took {:?}", started.elapsed());
    Ok(())
}
