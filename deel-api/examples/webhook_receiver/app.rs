//! The receiver's routes, shared by `main.rs` and the tests that exercise them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use deel_api::webhooks::{SeenEvents, WebhookError, WebhookEvent, WebhookVerifier};
use tokio::sync::mpsc;

/// Shared state: the verifier, the events already handled (in memory, or in Redis for every
/// replica), and the queue new events go to.
#[derive(Clone)]
pub struct Receiver {
    verifier: WebhookVerifier,
    seen: Arc<dyn SeenEvents>,
    events: mpsc::Sender<WebhookEvent>,
}

/// The app, and the queue that receives each new (verified, first-time) event.
pub fn app(verifier: WebhookVerifier, seen: Arc<dyn SeenEvents>) -> (Router, mpsc::Receiver<WebhookEvent>) {
    let (tx, rx) = mpsc::channel(1024);
    // Bodies one byte over the limit still reach the verifier, which reports them as too large.
    let limit = verifier.max_body() + 1;
    let state = Receiver { verifier, seen, events: tx };
    let router = Router::new()
        .route("/webhooks/deel", post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state);
    (router, rx)
}

/// Verifies (with the key the delivery's label names), drops what was handled before, queues,
/// and answers at once: work happens off the request path.
async fn receive(
    State(state): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let event = match state.verifier.verify_delivery(&headers, &body) {
        Ok(event) => event,
        // Acknowledged, so that Deel does not retry it, and not acted on.
        Err(WebhookError::Simulation) => return (StatusCode::OK, "simulation ignored"),
        Err(WebhookError::TooLarge { .. }) => return (StatusCode::PAYLOAD_TOO_LARGE, "too large"),
        Err(WebhookError::InvalidPayload(_)) => return (StatusCode::BAD_REQUEST, "not a Deel event"),
        Err(_) => return (StatusCode::UNAUTHORIZED, "bad signature"),
    };
    let key = event.dedupe_key().to_string();
    match state.seen.first_time(&key).await {
        Ok(true) => {}
        Ok(false) => return (StatusCode::OK, "duplicate"),
        // Deel redelivers after a failure, so an unanswerable store is a retryable status.
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "cannot check for duplicates"),
    }
    match state.events.try_send(event) {
        Ok(()) => (StatusCode::OK, "queued"),
        Err(_) => {
            // Not handled after all: its redelivery must be.
            let _ = state.seen.forget(&key).await;
            (StatusCode::SERVICE_UNAVAILABLE, "busy")
        }
    }
}
