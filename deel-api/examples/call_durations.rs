//! A call hook that records how long each operation's calls take, and tags every request with
//! a header of the service's own.
//!
//! Without `DEEL_API_TOKEN` this replays the quickstart's fixtures on 127.0.0.1, so it works
//! offline; with a token it calls Deel's sandbox.
//!
//! ```text
//! cargo run -p deel-api --example call_durations
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deel_api::hook::{Attempt, Call, CallHook};
use deel_api::testing::{Fixture, ReplayServer};
use deel_api::{Client, Environment};
use futures_util::StreamExt;

/// Durations per operation and status, as a metrics exporter would keep them.
#[derive(Debug, Default)]
struct Durations {
    seen: Mutex<BTreeMap<(&'static str, String), Vec<Duration>>>,
}

impl CallHook for Durations {
    fn on_request(&self, request: &mut reqwest::Request, _: &Call) {
        // Every request says which of our services sent it.
        request
            .headers_mut()
            .insert("x-calling-service", reqwest::header::HeaderValue::from_static("payroll-sync"));
    }

    fn on_response(&self, attempt: &Attempt<'_>) {
        let status = attempt.status.map_or_else(|| "no response".to_string(), |s| s.as_u16().to_string());
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.entry((attempt.call.operation.id, status)).or_default().push(attempt.elapsed);
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let durations = Arc::new(Durations::default());
    let builder = Client::builder().hook(durations.clone());
    let (client, _replay) = match std::env::var("DEEL_API_TOKEN").ok().filter(|t| !t.is_empty()) {
        Some(token) => (builder.environment(Environment::Sandbox).token(token).build()?, None),
        None => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quickstart");
            let server = ReplayServer::start(Fixture::load_dir(dir)?).await?;
            (builder.environment(server.environment()).token("offline").build()?, Some(server))
        }
    };

    let mut pages = client.get_contracts().limit(2).paginate().pages();
    while let Some(page) = pages.next().await {
        page?;
    }
    let _ = client.get_contract("ctr-does-not-exist").send().await;

    for ((operation, status), times) in durations.seen.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        let total: Duration = times.iter().sum();
        let slowest = times.iter().max().copied().unwrap_or_default();
        println!(
            "{operation} {status}: {} call(s), mean {:?}, slowest {:?}",
            times.len(),
            total / times.len().max(1) as u32,
            slowest
        );
    }
    Ok(())
}
