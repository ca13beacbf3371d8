//! A webhook receiver with axum: verifies each delivery with the key its label names, drops
//! redeliveries (across replicas with Redis), answers fast, and handles typed events in a
//! background task.
//!
//! ```text
//! DEEL_WEBHOOK_KEYS="old=whsec-…,new=whsec-…" cargo run -p deel-api --example webhook_receiver
//! ```
//!
//! listens on 127.0.0.1:3000 (`PORT` to change). `DEEL_WEBHOOK_KEYS` lists `label=key` pairs
//! (several during a key rotation; `DEEL_WEBHOOK_KEY` for one key without a label);
//! `DEEL_REDIS_URL` shares the events already handled with every replica;
//! `DEEL_ACCEPT_SIMULATIONS=1` handles Deel's simulated deliveries too.

mod app;

use std::sync::Arc;

use deel_api::webhooks::{Event, MemorySeenEvents, SeenEvents, WebhookVerifier, DEFAULT_SEEN_TTL};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = match std::env::var("DEEL_WEBHOOK_KEYS") {
        Ok(pairs) => WebhookVerifier::with_keys(pairs.split(',').filter_map(|p| p.split_once('='))),
        Err(_) => WebhookVerifier::new(
            std::env::var("DEEL_WEBHOOK_KEY").unwrap_or_else(|_| "local-test-key".into()),
        ),
    }
    .refuse_simulations(std::env::var("DEEL_ACCEPT_SIMULATIONS").as_deref() != Ok("1"));
    let seen: Arc<dyn SeenEvents> = match deel_api::redis::Redis::from_env()? {
        Some(redis) => Arc::new(redis.with_namespace("deel:webhooks").seen_events(DEFAULT_SEEN_TTL)),
        None => Arc::new(MemorySeenEvents::default()),
    };
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(3000);
    let (router, mut events) = app::app(verifier, seen);
    tokio::spawn(async move {
        while let Some(delivery) = events.recv().await {
            match &delivery.event {
                Event::ContractCreated(contract) => println!("contract {:?} created", contract.id),
                Event::ContractStatusUpdated(contract) => {
                    println!("contract {:?} is now {:?}", contract.id, contract.status)
                }
                Event::TimesheetReviewed(timesheets) => {
                    println!("{} timesheet(s) reviewed", timesheets.len())
                }
                Event::Unknown { event_type, .. } => println!("{event_type}: not typed by this SDK yet"),
                other => println!("{} (key {:?})", other.event_type(), delivery.label),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/webhooks/deel", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
