//! The receiver's routes, shared by `main.rs` and the test that exercises them.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use deel_api::webhooks::{WebhookError, WebhookEvent, WebhookVerifier, SIGNATURE_HEADER};
use tokio::sync::mpsc;

/// How many delivery ids are remembered for de-duplication.
const REMEMBERED: usize = 10_000;

/// Shared state: the verifier, recently seen deliveries, and the queue events go to.
#[derive(Clone)]
pub struct Receiver {
    verifier: WebhookVerifier,
    seen: Arc<Mutex<(HashSet<String>, VecDeque<String>)>>,
    events: mpsc::Sender<WebhookEvent>,
}

/// The app, and the queue that receives each new (verified, de-duplicated) event.
pub fn app(verifier: WebhookVerifier) -> (Router, mpsc::Receiver<WebhookEvent>) {
    let (tx, rx) = mpsc::channel(1024);
    // Bodies one byte over the limit still reach the verifier, which reports them as too large.
    let limit = verifier.max_body() + 1;
    let state = Receiver { verifier, seen: Arc::default(), events: tx };
    let router = Router::new()
        .route("/webhooks/deel", post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state);
    (router, rx)
}

/// Verifies, de-duplicates, queues, and answers at once: work happens off the request path.
async fn receive(
    State(state): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let event = match state.verifier.verify_and_parse(signature, &body) {
        Ok(event) => event,
        Err(WebhookError::TooLarge { .. }) => return (StatusCode::PAYLOAD_TOO_LARGE, "too large"),
        Err(WebhookError::InvalidPayload(_)) => return (StatusCode::BAD_REQUEST, "not a Deel event"),
        Err(_) => return (StatusCode::UNAUTHORIZED, "bad signature"),
    };
    if let Some(key) = event.dedupe_key() {
        let mut seen = state.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *seen;
        if !set.insert(key.to_string()) {
            return (StatusCode::OK, "duplicate");
        }
        order.push_back(key.to_string());
        if order.len() > REMEMBERED {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
    }
    match state.events.try_send(event) {
        Ok(()) => (StatusCode::OK, "queued"),
        // Deel redelivers on failure, so a full queue is answered with a retryable status.
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
    }
}
