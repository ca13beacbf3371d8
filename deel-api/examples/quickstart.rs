//! Quickstart: a worker access token and its expiry, contracts page by page, a typed error.
//!
//! Without `DEEL_API_TOKEN` this runs against the SDK's replay server on 127.0.0.1 (the
//! `testing` feature), answering from the curated fixtures in `deel-api/fixtures/quickstart/`,
//! so it works offline. With a token it calls Deel's sandbox.
//!
//! ```text
//! cargo run -p deel-api --example quickstart
//! DEEL_API_TOKEN=... DEEL_PROFILE_ID=... cargo run -p deel-api --example quickstart
//! DEEL_RECORD=1 DEEL_API_TOKEN=... cargo run -p deel-api --example quickstart   # also records fixtures
//! ```
//!
//! With `DEEL_RECORD=1` the calls go through the SDK's recorder, which writes each exchange,
//! secrets scrubbed, to `deel-api/fixtures/recorded/` (git-ignored: real account data).

use deel_api::testing::{Fixture, Recorder, ReplayServer};
use deel_api::{Client, Environment, Error, WorkerSessions};
use futures_util::StreamExt;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DEEL_API_TOKEN").ok().filter(|t| !t.is_empty());
    // The replay server and the recorder must outlive the calls, so they are held here.
    let mut recorder = None;
    let (client, replay) = match token {
        Some(token) => {
            println!("Using Deel's sandbox at {}", Environment::SANDBOX_URL);
            let mut environment = Environment::Sandbox;
            if std::env::var("DEEL_RECORD").is_ok_and(|v| v == "1") {
                let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/recorded");
                let r = Recorder::start(&Environment::Sandbox, dir).await?;
                println!("Recording every exchange into {dir}");
                environment = r.environment();
                recorder = Some(r);
            }
            (Client::builder().environment(environment).token(token).build()?, None)
        }
        None => {
            let server = replay_server().await?;
            println!("DEEL_API_TOKEN is not set: replaying fixtures from {}", server.url());
            (Client::builder().environment(server.environment()).token("offline").build()?, Some(server))
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
    let mut pages = client.get_contracts().limit(2).paginate().pages().enumerate();
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
    if let Some(r) = recorder {
        println!("Recorded {} fixture(s); failures: {:?}", r.written().len(), r.failures());
    }
    if let Some(server) = replay {
        server.verify()?;
        println!("Every call matched its fixture ({} used)", server.uses().len());
    }
    Ok(())
}

/// The replay server with the quickstart's fixtures. The worker token is made to expire a day
/// from now, so that its expiry reads the same whenever this runs.
async fn replay_server() -> Result<ReplayServer, Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quickstart");
    let mut fixtures = Fixture::load_dir(dir)?;
    let expires_at = (chrono::Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    for f in &mut fixtures {
        if f.operation.as_deref() == Some("create_worker_access_token") {
            f.response.body =
                Some(json!({ "data": { "token": "wt-sample-token", "expires_at": expires_at } }));
        }
    }
    Ok(ReplayServer::start(fixtures).await?)
}
