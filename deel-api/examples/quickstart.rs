//! Quickstart: a worker access token and its expiry, contracts page by page, a typed error.
//!
//! Without `DEEL_API_TOKEN` this runs against a local stand-in server on 127.0.0.1 with our own
//! sample data, so it works offline. With a token it calls Deel's sandbox.
//!
//! ```text
//! cargo run -p deel-api --example quickstart
//! DEEL_API_TOKEN=... DEEL_PROFILE_ID=... cargo run -p deel-api --example quickstart
//! ```

use deel_api::pagination::Paginate;
use deel_api::{Client, Environment, Error, WorkerSessions};
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
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

    // Worker access tokens: created once, reused until they near expiry.
    let profile_id = std::env::var("DEEL_PROFILE_ID").unwrap_or_else(|_| "prof-quickstart".into());
    let sessions = WorkerSessions::new(&client);
    let token = sessions.token(&profile_id).await?;
    let left = token.expires_in();
    println!(
        "Worker token for {profile_id}: expires at {} (in {} h {} min); {token:?}",
        token.expires_at(),
        left.as_secs() / 3600,
        left.as_secs() / 60 % 60
    );
    let again = sessions.token(&profile_id).await?;
    println!("Asked again: same token reused ({})", again.expires_at() == token.expires_at());

    // Contracts, page by page: the stream fetches the next page only when it is needed.
    let mut pages = client.get_contracts().limit("2").paginate().pages().enumerate();
    while let Some((n, page)) = pages.next().await {
        let page = page?;
        let titles: Vec<String> = page.iter().map(|c| format!("{} ({})", c.title, c.id)).collect();
        println!("Contracts page {}: {}", n + 1, titles.join(", "));
    }

    // Errors are typed: match on what happened.
    match client.get_contract("ctr-does-not-exist").send().await {
        Err(Error::NotFound(e)) => println!("Looking up a missing contract: not found ({e})"),
        Err(other) => println!("Looking up a missing contract failed otherwise: {other}"),
        Ok(_) => println!("Unexpectedly found the missing contract"),
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
    let page = |ids: &[(&str, &str)], cursor: &str| {
        json!({ "data": ids.iter().map(|(id, title)| contract(id, title)).collect::<Vec<_>>(),
                "page": { "cursor": cursor, "total_rows": 3 } })
    };
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .and(query_param("after_cursor", "c-2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(&[("ctr-quick-3", "Payroll specialist (GP)")], "")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[("ctr-quick-1", "Backend engineer (EOR)"), ("ctr-quick-2", "Design contractor")],
            "c-2",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/v2/contracts/ctr-does-not-exist"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "error": "contract not found" })))
        .mount(&server)
        .await;
    server
}

fn contract(id: &str, title: &str) -> serde_json::Value {
    json!({
        "id": id, "title": title, "type": "eor", "status": "in_progress",
        "client": {}, "invitations": {}, "signatures": {},
        "is_archived": false, "is_shielded": false, "notice_period": 30,
        "created_at": "2026-10-01T08:00:00Z"
    })
}
