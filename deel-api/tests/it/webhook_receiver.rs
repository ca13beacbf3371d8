//! The example webhook receiver, served on 127.0.0.1 and driven over HTTP.

#[path = "../../examples/webhook_receiver/app.rs"]
pub(crate) mod app;

use std::time::Duration;

use deel_api::webhooks::{sign, WebhookVerifier, SIGNATURE_HEADER};

const KEY: &str = "whsec-receiver-test";

async fn serve(max_body: usize) -> (String, tokio::sync::mpsc::Receiver<deel_api::webhooks::WebhookEvent>) {
    let (router, events) = app::app(
        WebhookVerifier::new(KEY).with_max_body(max_body),
        std::sync::Arc::new(deel_api::webhooks::MemorySeenEvents::default()),
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/webhooks/deel"), events)
}

fn event(tracking_id: &str) -> Vec<u8> {
    serde_json::json!({
        "data": { "meta": { "event_type": "contract.created", "tracking_id": tracking_id, "organization_id": "org-5" },
                  "resource": { "id": "ctr-1" } },
        "timestamp": "2026-11-28T11:00:00Z"
    })
    .to_string()
    .into_bytes()
}

async fn post(url: &str, body: &[u8], signature: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().post(url).body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    match request.send().await {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(e) => panic!("post: {e}"),
    }
}

#[tokio::test]
async fn verified_events_are_queued_once_and_bad_deliveries_rejected() {
    let (url, mut events) = serve(64 * 1024).await;
    let body = event("trk-1");
    let signature = sign(KEY, &body);

    assert_eq!(post(&url, &body, Some(&signature)).await, (200, "queued".into()));
    assert_eq!(post(&url, &body, Some(&signature)).await, (200, "duplicate".into()));
    let queued = tokio::time::timeout(Duration::from_secs(2), events.recv()).await.ok().flatten();
    assert_eq!(
        queued.map(|e| (e.event_type, e.organization_id)),
        Some(("contract.created".into(), Some("org-5".into())))
    );
    assert!(events.try_recv().is_err(), "a redelivery was queued twice");

    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(post(&url, &tampered, Some(&signature)).await.0, 401);
    assert_eq!(post(&url, &body, None).await.0, 401);
    assert_eq!(post(&url, &body, Some(&sign("wrong-key", &body))).await.0, 401);

    let unsigned_shape = b"{\"hello\":1}";
    assert_eq!(post(&url, unsigned_shape, Some(&sign(KEY, unsigned_shape))).await.0, 400);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let (url, _events) = serve(256).await;
    let body = vec![b' '; 4096];
    let status = post(&url, &body, Some(&sign(KEY, &body))).await.0;
    assert_eq!(status, 413);
}
