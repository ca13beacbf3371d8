//! A webhook receiver with axum: verifies each delivery, drops redeliveries, answers fast and
//! handles events in a background task.
//!
//! `DEEL_WEBHOOK_KEY=... cargo run -p deel-api --example webhook_receiver` listens on
//! 127.0.0.1:3000 (`PORT` to change).

mod app;

use deel_api::webhooks::WebhookVerifier;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("DEEL_WEBHOOK_KEY").unwrap_or_else(|_| "local-test-key".into());
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(3000);
    let (router, mut events) = app::app(WebhookVerifier::new(key));
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            println!(
                "{} for organization {:?}: {} resource(s)",
                event.event_type,
                event.organization_id,
                event.resources().len()
            );
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/webhooks/deel", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
