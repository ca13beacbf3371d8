//! Quickstart: create a worker access token, then list contracts.
//!
//! Without `DEEL_API_TOKEN` this runs against a local stand-in server on 127.0.0.1 with our own
//! sample data, so it works offline. With a token it calls Deel's sandbox.
//!
//! ```text
//! cargo run -p deel-api --example quickstart
//! DEEL_API_TOKEN=... DEEL_PROFILE_ID=... cargo run -p deel-api --example quickstart
//! ```

use deel_api::{types, Client, Environment};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DEEL_API_TOKEN").ok().filter(|t| !t.is_empty());
    // The local server must outlive the calls, so it is held here even when unused.
    let (client, _local) = match token {
        Some(token) => {
            println!("Using Deel's sandbox at {}", Environment::SANDBOX_URL);
            (Client::builder().environment(Environment::Sandbox).token(token).build()?, None)
        }
        None => {
            let server = local_server().await;
            println!("DEEL_API_TOKEN is not set: using a local stand-in server at {}", server.uri());
            (Client::builder().base_url(server.uri()).build()?, Some(server))
        }
    };

    let profile_id = std::env::var("DEEL_PROFILE_ID").unwrap_or_else(|_| "prof-quickstart".into());
    let body = types::CreateWorkerAccessTokenBody {
        data: types::WorkersSessionPostBodyData { profile_id: profile_id.clone() },
    };
    let session = client.create_worker_access_token(&body).send().await?.into_inner().data;
    let expires_in = session.expires_at - chrono::Utc::now();
    println!(
        "Worker token for {profile_id}: expires at {} (in {} h {} min)",
        session.expires_at,
        expires_in.num_hours(),
        expires_in.num_minutes() % 60
    );

    let contracts = client.get_contracts().limit("5").send().await?.into_inner();
    println!("First page: {} contract(s), {} in total", contracts.data.len(), contracts.page.total_rows);
    for contract in &contracts.data {
        println!("  {} — {}", contract.id, contract.title);
    }
    Ok(())
}

/// A local server answering the two calls above with sample data of our own.
async fn local_server() -> MockServer {
    let server = MockServer::start().await;
    let expires_at = (chrono::Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    Mock::given(method("POST"))
        .and(path("/rest/v2/workers/session"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "token": "wt-sample-token", "expires_at": expires_at } })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sample_contracts()))
        .mount(&server)
        .await;
    server
}

fn sample_contracts() -> serde_json::Value {
    let contract = |id: &str, title: &str, kind: &str| {
        json!({
            "id": id, "title": title, "type": kind, "status": "in_progress",
            "client": {}, "invitations": {}, "signatures": {},
            "is_archived": false, "is_shielded": false, "notice_period": 30,
            "created_at": "2026-10-01T08:00:00Z"
        })
    };
    json!({
        "data": [
            contract("ctr-quick-1", "Backend engineer (EOR)", "eor"),
            contract("ctr-quick-2", "Design contractor", "pay_as_you_go_time_based")
        ],
        "page": { "cursor": "c-2", "total_rows": 2 }
    })
}
