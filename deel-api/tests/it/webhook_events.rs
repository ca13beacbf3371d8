//! Every event type of Deel's catalogue (`openapi/webhooks/`), delivered signed with a sample
//! resource of our own: verified, typed, and decoded without a zero-fill.

use deel_api::webhooks::{sign, Event, WebhookVerifier, LABEL_HEADER, SIGNATURE_HEADER, VERSION_HEADER};
use deel_api::CorrectionKind;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

const CATALOGUE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/webhooks/events.json");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/webhooks/samples");

fn catalogue() -> Vec<Value> {
    let text = std::fs::read_to_string(CATALOGUE).unwrap_or_else(|e| panic!("{CATALOGUE}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    doc["events"].as_array().cloned().unwrap_or_default()
}

/// A delivery of `event_type` carrying `resource`, as Deel would send it, signed with `key`
/// under `label`.
pub fn delivery(
    event_type: &str,
    tracking_id: &str,
    resource: Value,
    key: &str,
    label: &str,
) -> (HeaderMap, Vec<u8>) {
    let body = json!({
        "data": { "meta": { "event_type": event_type, "event_type_id": "type-of-ours", "organization_id": "org-of-ours",
                            "organization_name": "Our test org", "tracking_id": tracking_id },
                  "resource": resource },
        "timestamp": "2026-12-01T09:30:00.000Z"
    })
    .to_string()
    .into_bytes();
    signed(body, key, label)
}

/// Headers that sign `body` with `key` under `label`.
fn signed(body: Vec<u8>, key: &str, label: &str) -> (HeaderMap, Vec<u8>) {
    let mut headers = HeaderMap::new();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or_else(|_| panic!("{s}"));
    headers.insert(SIGNATURE_HEADER, value(&sign(key, &body)));
    headers.insert(LABEL_HEADER, value(label));
    headers.insert(VERSION_HEADER, value("v2"));
    (headers, body)
}

#[test]
fn every_catalogued_event_type_is_typed_and_its_sample_decodes_without_zero_fills() {
    let events = catalogue();
    assert_eq!(events.len(), Event::TYPES.len(), "the catalogue and the generated enum agree");
    assert!(events.len() >= 40, "{} event types", events.len());
    let verifier = WebhookVerifier::with_keys([("ours", "whsec-of-our-own")]).strict_decoding(true);
    let lenient = WebhookVerifier::with_keys([("ours", "whsec-of-our-own")]);
    for (i, entry) in events.iter().enumerate() {
        let event_type = entry["event_type"].as_str().unwrap_or_default();
        assert!(
            entry["source"].as_str().is_some_and(|s| s.starts_with("https://developer.deel.com/")),
            "{entry}"
        );
        let path = format!("{SAMPLES}/{event_type}.json");
        let sample: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        let (headers, body) = delivery(event_type, &format!("trk-{i}"), sample, "whsec-of-our-own", "ours");
        for v in [&verifier, &lenient] {
            let delivered =
                v.verify_delivery(&headers, &body).unwrap_or_else(|e| panic!("{event_type}: {e}"));
            assert_eq!(delivered.event.event_type(), event_type);
            assert!(!matches!(delivered.event, Event::Unknown { .. }), "{event_type} is typed");
            let zero_fills =
                delivered.corrections.iter().filter(|c| c.kind == CorrectionKind::ZeroFilled).count();
            assert_eq!(zero_fills, 0, "{event_type}: {:?}", delivered.corrections);
            assert_eq!(
                (delivered.label.as_deref(), delivered.webhook_version.as_deref()),
                (Some("ours"), Some("v2"))
            );
            assert_eq!(delivered.organization_name.as_deref(), Some("Our test org"));
            assert!(delivered.timestamp.is_some());
        }
    }
}

#[test]
fn an_event_type_added_later_arrives_whole_as_unknown() {
    let (headers, body) =
        delivery("payroll.brand.new", "trk-new", json!({ "id": "x-1", "nested": [1, 2] }), "whsec-k", "k");
    let delivered = WebhookVerifier::with_keys([("k", "whsec-k")])
        .verify_delivery(&headers, &body)
        .unwrap_or_else(|e| panic!("{e}"));
    match delivered.event {
        Event::Unknown { event_type, payload } => {
            assert_eq!(event_type, "payroll.brand.new");
            assert_eq!(payload["nested"][1], 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_typed_resource_that_differs_from_its_type_is_corrected_and_recorded() {
    // A contract event whose id arrives as a number: read as its text, recorded, never silent.
    let (headers, body) =
        delivery("contract.created", "trk-9", json!({ "id": 77, "title": "Ours" }), "whsec-k", "k");
    let delivered = WebhookVerifier::with_keys([("k", "whsec-k")])
        .verify_delivery(&headers, &body)
        .unwrap_or_else(|e| panic!("{e}"));
    match &delivered.event {
        Event::ContractCreated(contract) => assert_eq!(contract.id.as_deref(), Some("77")),
        other => panic!("{other:?}"),
    }
    assert_eq!(delivered.corrections.iter().map(|c| c.pointer.as_str()).collect::<Vec<_>>(), ["/id"]);
    let strict = WebhookVerifier::with_keys([("k", "whsec-k")]).strict_decoding(true);
    assert!(strict.verify_delivery(&headers, &body).is_err());
}

#[test]
fn a_number_in_a_typed_resource_keeps_the_text_deel_sent() {
    // `1500.00` as Deel wrote it, not as a float prints (`1500.0`).
    let (_, body) =
        delivery("contract.created", "trk-10", json!({ "id": "NUMBER", "title": "Ours" }), "whsec-k", "k");
    let body = String::from_utf8(body).unwrap_or_default().replace("\"NUMBER\"", "1500.00");
    let (headers, body) = signed(body.into_bytes(), "whsec-k", "k");
    let delivered = WebhookVerifier::with_keys([("k", "whsec-k")])
        .verify_delivery(&headers, &body)
        .unwrap_or_else(|e| panic!("{e}"));
    match &delivered.event {
        Event::ContractCreated(contract) => assert_eq!(contract.id.as_deref(), Some("1500.00")),
        other => panic!("{other:?}"),
    }
    assert_eq!(delivered.resource["title"], "Ours", "the resource stays readable as JSON");
}
