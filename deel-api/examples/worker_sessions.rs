//! Worker access tokens: create once, reuse until near expiry, act as the worker, revoke.
//!
//! Runs against a local stand-in server: `cargo run -p deel-api --example worker_sessions`.

use std::time::Duration;

use deel_api::{Client, WorkerSessions};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    let expires = (chrono::Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "token": "wt-example", "expires_at": expires } })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/eor/workers/compliance-documents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "documents": [] } })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    // The organization client creates worker tokens (scope `admin:worker`).
    let org = Client::builder().base_url(server.uri()).token("org-token").build()?;
    let sessions = WorkerSessions::new(&org).with_skew(Duration::from_secs(10 * 60));

    let token = sessions.token("prof-123").await?;
    println!("token expires at {} (in {:?}); Debug shows {token:?}", token.expires_at(), token.expires_in());
    let again = sessions.token("prof-123").await?;
    println!("second call reused the cached token: {}", again.expires_at() == token.expires_at());

    // A client acting as the worker: its token is refreshed when it nears expiry.
    let worker = sessions.client_for("prof-123");
    let docs = worker.get_eor_worker_compliance_documents().send().await?;
    println!("worker sees {} compliance document(s)", docs.data.documents.len());

    sessions.revoke("prof-123").await?;
    println!("session revoked; the next token() call creates a new one");
    Ok(())
}
