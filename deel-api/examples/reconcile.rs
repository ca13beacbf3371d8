//! Reconciling after a webhook outage: Deel does not guarantee delivery, and its best-practices
//! guide recommends a reconciliation job (<https://developer.deel.com/docs/webhooks-get-started>).
//! This one pages through every contract and reports those created since a moment `since` and
//! those whose status differs from what the service recorded from its webhooks.
//!
//! Runs against a local stand-in server: `cargo run -p deel-api --example reconcile`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use deel_api::types::Contract;
use deel_api::Client;
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What changed since `since`: contracts created after it, and contracts whose status is not
/// the one `recorded` (by id) says.
async fn changed_since(
    client: &Client,
    since: DateTime<Utc>,
    recorded: &HashMap<String, String>,
) -> Result<Vec<(Contract, &'static str)>, deel_api::Error> {
    let mut changed = Vec::new();
    let mut contracts = client.get_contracts().limit(50).paginate().items();
    while let Some(contract) = contracts.next().await {
        let contract = contract?;
        let why = match recorded.get(&contract.id) {
            _ if contract.created_at.is_some_and(|at| at >= since) => "created",
            Some(status) if status != contract.status.as_str() => "status changed",
            None => "never recorded",
            Some(_) => continue,
        };
        changed.push((contract, why));
    }
    Ok(changed)
}

fn contract(id: &str, status: &str, created_at: &str) -> serde_json::Value {
    json!({ "id": id, "title": format!("Contract {id}"), "type": "ongoing_time_based", "status": status,
            "client": { "team": { "id": "team-1", "name": "Platform" } }, "invitations": {}, "signatures": {},
            "is_archived": false, "is_shielded": false, "notice_period": 30, "created_at": created_at })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Two pages of contracts, as Deel pages them (a cursor, until there is none).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .and(query_param("after_cursor", "page-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [contract("c-3", "in_progress", "2026-12-02T08:00:00Z")],
            "page": { "cursor": "", "total_rows": 3 }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [contract("c-1", "in_progress", "2026-10-01T08:00:00Z"),
                     contract("c-2", "completed", "2026-10-05T08:00:00Z")],
            "page": { "cursor": "page-2", "total_rows": 3 }
        })))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).token("stand-in-token").rate_limit(None).build()?;

    // What the webhook handler recorded before the outage began.
    let since: DateTime<Utc> = "2026-12-01T00:00:00Z".parse()?;
    let recorded: HashMap<String, String> =
        [("c-1", "in_progress"), ("c-2", "in_progress")].map(|(k, v)| (k.to_string(), v.to_string())).into();
    for (contract, why) in changed_since(&client, since, &recorded).await? {
        println!("{}: {why} ({})", contract.id, contract.status);
    }
    Ok(())
}
