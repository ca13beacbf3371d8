//! Receiving Deel webhooks: verify the signature with the key its label names, drop
//! redeliveries, then read the event typed.
//!
//! Deel signs each delivery with the subscription's signing key: `x-deel-signature` is the hex
//! HMAC-SHA256 of the string `POST` followed by the raw request body; `x-deel-hmac-label` names
//! the key that signed it, and `x-deel-webhook-version` the API version its payload was written
//! in (<https://developer.deel.com/docs/webhooks-get-started>). Deliveries can repeat and are not
//! guaranteed: de-duplicate with a [`SeenEvents`] store and reconcile after an outage.
//!
//! ```
//! use deel_api::webhooks::{sign, Event, WebhookVerifier};
//!
//! let body = br#"{"data":{"meta":{"event_type":"contract.created","tracking_id":"t-1"},"resource":{"id":"c-1"}},"timestamp":"2026-11-28T10:00:00Z"}"#;
//! let verifier = WebhookVerifier::new("whsec-test");
//! let delivery = verifier.verify_and_parse(Some(&sign("whsec-test", body)), body).unwrap();
//! assert_eq!(delivery.event_type, "contract.created");
//! # #[cfg(feature = "webhooks")]
//! match &delivery.event {
//!     Event::ContractCreated(contract) => assert_eq!(contract.id.as_deref(), Some("c-1")),
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! **Rotating a signing key** without dropping a delivery: add the new key under its label
//! ([`WebhookVerifier::with_key`]) and deploy; switch the subscription to the new key in Deel;
//! once deliveries signed with the old key have stopped (Deel retries for up to 16 hours), drop
//! the old one ([`WebhookVerifier::without_key`]). A delivery names its key's label, so each is
//! checked against that key only; one without a label (or with a label this verifier does not
//! know) is checked against each key in turn, each comparison in constant time.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
/// The `webhooks` area's request builders and types (subscriptions, event types), beside the
/// signature checks of this module.
#[cfg(feature = "webhooks")]
pub use deel_api_gen::areas::webhooks::*;
/// Deel's webhook event types, each with its resource typed; `Event::Unknown` for others.
#[cfg(feature = "webhooks")]
pub use deel_api_gen::events::Event;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::BoxFuture;
use crate::{Correction, DecodeMode, Error};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-deel-signature";
/// The header naming the signing key (its label).
pub const LABEL_HEADER: &str = "x-deel-hmac-label";
/// The header naming the API version the payload was written in.
pub const VERSION_HEADER: &str = "x-deel-webhook-version";

/// The default limit on a webhook body (1 MiB).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `x-deel-signature` header.
    MissingSignature,
    /// The header is not a hex HMAC-SHA256.
    MalformedSignature,
    /// The signature does not match the body and any key (the labelled one, when a known label
    /// came with it).
    InvalidSignature,
    /// The body is larger than the configured limit.
    TooLarge {
        /// The body's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is signed correctly but is not a webhook envelope, or its resource does not fit
    /// its event type even leniently (the text quotes no value).
    InvalidPayload(String),
    /// A simulated delivery (`data.meta.is_simulation`), refused by
    /// [`WebhookVerifier::refuse_simulations`]. Answer it with a 2xx: it is not an error.
    Simulation,
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature => write!(f, "missing {SIGNATURE_HEADER} header"),
            WebhookError::MalformedSignature => write!(f, "{SIGNATURE_HEADER} is not a hex HMAC-SHA256"),
            WebhookError::InvalidSignature => f.write_str("webhook signature does not match"),
            WebhookError::TooLarge { size, limit } => {
                write!(f, "webhook body of {size} bytes exceeds {limit}")
            }
            WebhookError::InvalidPayload(m) => write!(f, "webhook body is not a Deel event: {m}"),
            WebhookError::Simulation => f.write_str("a simulated delivery, refused by configuration"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// A signing key, and the label Deel sends with deliveries it signed (none for the one key of
/// [`WebhookVerifier::new`]).
#[derive(Clone)]
struct SigningKey {
    label: Option<String>,
    key: SecretString,
}

/// Verifies deliveries: their signature, against the key their label names, and their size; then
/// reads the envelope and the typed event.
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Vec<SigningKey>,
    max_body: usize,
    refuse_simulations: bool,
    mode: DecodeMode,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<Option<&str>> = self.keys.iter().map(|k| k.label.as_deref()).collect();
        f.debug_struct("WebhookVerifier")
            .field("keys", &format_args!("{} key(s) labelled {labels:?}", self.keys.len()))
            .field("max_body", &self.max_body)
            .field("refuse_simulations", &self.refuse_simulations)
            .field("mode", &self.mode)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for one subscription's signing key (tried whatever the delivery's label).
    pub fn new(signing_key: impl Into<String>) -> Self {
        Self {
            keys: vec![SigningKey { label: None, key: SecretString::from(signing_key.into()) }],
            max_body: DEFAULT_MAX_BODY,
            refuse_simulations: false,
            mode: DecodeMode::Lenient,
        }
    }

    /// A verifier with no key yet: add them with [`Self::with_key`].
    pub fn with_keys<L: Into<String>, K: Into<String>>(keys: impl IntoIterator<Item = (L, K)>) -> Self {
        let mut verifier = Self::new(String::new());
        verifier.keys.clear();
        keys.into_iter().fold(verifier, |v, (label, key)| v.with_key(label, key))
    }

    /// Adds `signing_key` under `label` (the label Deel shows for it, sent as
    /// `x-deel-hmac-label`); a key already under that label is replaced.
    pub fn with_key(mut self, label: impl Into<String>, signing_key: impl Into<String>) -> Self {
        let label = label.into();
        self.keys.retain(|k| k.label.as_deref() != Some(label.as_str()));
        self.keys.push(SigningKey { label: Some(label), key: SecretString::from(signing_key.into()) });
        self
    }

    /// Drops the key under `label` (the old key, once a rotation is done).
    pub fn without_key(mut self, label: &str) -> Self {
        self.keys.retain(|k| k.label.as_deref() != Some(label));
        self
    }

    /// Rejects bodies larger than `bytes` (default 1 MiB).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The largest body accepted, for the HTTP server's own limit.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Refuses simulated deliveries ([`WebhookError::Simulation`]): Deel's simulations are for
    /// trying a receiver, and a production service usually must not act on them (default off).
    pub fn refuse_simulations(mut self, refuse: bool) -> Self {
        self.refuse_simulations = refuse;
        self
    }

    /// Decodes event resources strictly: any difference from their type is
    /// [`WebhookError::InvalidPayload`] (default: lenient, with corrections recorded).
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.mode = if strict { DecodeMode::Strict } else { DecodeMode::Lenient };
        self
    }

    /// Checks the signature against the raw body with any of the keys, in constant time per key.
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_labelled(signature, None, body).map(drop)
    }

    /// Checks the signature against the key `label` names, or each key in turn when the label is
    /// absent or unknown; returns the label of the key that verified (none for an unlabelled
    /// key).
    pub fn verify_labelled(
        &self,
        signature: Option<&str>,
        label: Option<&str>,
        body: &[u8],
    ) -> Result<Option<&str>, WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::TooLarge { size: body.len(), limit: self.max_body });
        }
        let signature =
            signature.map(str::trim).filter(|s| !s.is_empty()).ok_or(WebhookError::MissingSignature)?;
        let expected = hex::decode(signature).map_err(|_| WebhookError::MalformedSignature)?;
        if expected.len() != 32 {
            return Err(WebhookError::MalformedSignature);
        }
        let named = label.and_then(|l| self.keys.iter().find(|k| k.label.as_deref() == Some(l)));
        let candidates: Vec<&SigningKey> = match named {
            Some(key) => vec![key],
            None => self.keys.iter().collect(),
        };
        for key in candidates {
            let mut mac = mac(key.key.expose_secret());
            mac.update(b"POST");
            mac.update(body);
            if mac.verify_slice(&expected).is_ok() {
                return Ok(key.label.as_deref());
            }
        }
        Err(WebhookError::InvalidSignature)
    }

    /// Verifies a delivery from its headers (`x-deel-signature`, `x-deel-hmac-label`,
    /// `x-deel-webhook-version`) and raw body, then reads its envelope and typed event.
    pub fn verify_delivery(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let label = self.verify_labelled(header(SIGNATURE_HEADER), header(LABEL_HEADER), body)?;
        let label = label.map(String::from);
        let mut event = WebhookEvent::parse_with(body, self.mode)?;
        event.label = label;
        event.webhook_version = header(VERSION_HEADER).map(String::from);
        self.admit(event)
    }

    /// Verifies against any key (no label known), then parses the envelope.
    pub fn verify_and_parse(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let label = self.verify_labelled(signature, None, body)?.map(String::from);
        let mut event = WebhookEvent::parse_with(body, self.mode)?;
        event.label = label;
        self.admit(event)
    }

    fn admit(&self, event: WebhookEvent) -> Result<WebhookEvent, WebhookError> {
        if self.refuse_simulations && event.is_simulation {
            return Err(WebhookError::Simulation);
        }
        Ok(event)
    }
}

fn mac(key: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps that explicit.
    <HmacSha256 as KeyInit>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()))
}

/// The signature Deel would send for `body` under `signing_key`: for testing your own receiver.
pub fn sign(signing_key: &str, body: &[u8]) -> String {
    let mut mac = mac(signing_key);
    mac.update(b"POST");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A verified webhook delivery: its envelope, typed, its resource as sent, and (with the
/// `webhooks` feature) its event decoded into its type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `data.meta.event_type`, e.g. `contract.created`.
    pub event_type: String,
    /// `data.meta.event_id`, where Deel sends one: the event's own id.
    pub event_id: Option<String>,
    /// `data.meta.event_type_id` (Deel's guides disagree on whether it names the event or its
    /// type: not a de-duplication key).
    pub event_type_id: Option<String>,
    /// `data.meta.organization_id`.
    pub organization_id: Option<String>,
    /// `data.meta.organization_name`.
    pub organization_name: Option<String>,
    /// `data.meta.tracking_id`: the same across redeliveries of one event.
    pub tracking_id: Option<String>,
    /// The top-level `timestamp`, when it reads as a date-time.
    pub timestamp: Option<DateTime<Utc>>,
    /// `data.meta.occurred_at`, when sent and readable.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Whether Deel simulated this delivery (`data.meta.is_simulation`): a test, not an event.
    pub is_simulation: bool,
    /// The label of the signing key that verified it (none for an unlabelled key).
    pub label: Option<String>,
    /// `x-deel-webhook-version`: the API version the payload was written in.
    pub webhook_version: Option<String>,
    /// All of `data.meta`.
    pub meta: Value,
    /// `data.resource` as sent: an object, or an array for batched events.
    pub resource: Value,
    /// The event, its resource decoded into its type ([`Event::Unknown`] for a type this SDK
    /// does not know).
    #[cfg(feature = "webhooks")]
    pub event: Event,
    /// What lenient decoding corrected in the resource (pointers within `data.resource`).
    pub corrections: Vec<Correction>,
    /// The key [`Self::dedupe_key`] returns.
    dedupe: String,
}

impl WebhookEvent {
    /// Parses a (verified) body, decoding its resource leniently.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        Self::parse_with(body, DecodeMode::Lenient)
    }

    fn parse_with(body: &[u8], mode: DecodeMode) -> Result<Self, WebhookError> {
        // The resource is kept as the text Deel sent, and decoded from it: a parsed and printed
        // again `Value` would turn `1500.00` into `1500.0`.
        #[derive(serde::Deserialize)]
        struct Envelope<'a> {
            #[serde(default)]
            timestamp: Value,
            #[serde(borrow, default)]
            data: Option<Data<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Data<'a> {
            #[serde(default)]
            meta: Value,
            #[serde(borrow, default)]
            resource: Option<&'a serde_json::value::RawValue>,
        }
        let invalid = |e: serde_json::Error| WebhookError::InvalidPayload(e.to_string());
        let root: Envelope<'_> = serde_json::from_slice(body).map_err(invalid)?;
        let (meta, raw) = root.data.map_or((Value::Null, None), |d| (d.meta, d.resource));
        let raw = raw.map_or("null", serde_json::value::RawValue::get);
        let text = |key: &str| match meta.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let event_type = text("event_type")
            .ok_or_else(|| WebhookError::InvalidPayload("no data.meta.event_type".into()))?;
        let when = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
                .map(|d| d.with_timezone(&Utc))
        };
        let resource: Value = serde_json::from_str(raw).map_err(invalid)?;
        #[cfg(feature = "webhooks")]
        let (event, corrections) = {
            Event::decode(&event_type, raw.as_bytes().to_vec(), mode)
                .map_err(|e| WebhookError::InvalidPayload(format!("{event_type}: {e}")))?
        };
        #[cfg(not(feature = "webhooks"))]
        let corrections = {
            let _ = mode;
            Vec::new()
        };
        let event_id = text("event_id");
        let tracking_id = text("tracking_id");
        let dedupe = match (&event_id, &tracking_id) {
            (Some(id), _) => format!("event:{id}"),
            (None, Some(id)) => format!("tracking:{id}"),
            (None, None) => format!("body:{}", hex::encode(Sha256::digest(body))),
        };
        Ok(WebhookEvent {
            event_id,
            event_type_id: text("event_type_id"),
            organization_id: text("organization_id"),
            organization_name: text("organization_name"),
            tracking_id,
            timestamp: when(Some(&root.timestamp)),
            occurred_at: when(meta.get("occurred_at")),
            is_simulation: meta.get("is_simulation") == Some(&Value::Bool(true)),
            label: None,
            webhook_version: None,
            resource,
            #[cfg(feature = "webhooks")]
            event,
            corrections,
            event_type,
            meta,
            dedupe,
        })
    }

    /// The resource(s) as a list, whether Deel sent one object or an array.
    pub fn resources(&self) -> Vec<&Value> {
        match &self.resource {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            one => vec![one],
        }
    }

    /// A key that is the same for every delivery of one event: its `event_id`, else its
    /// `tracking_id`, else a hash of the whole body.
    pub fn dedupe_key(&self) -> &str {
        &self.dedupe
    }
}

/// Which events have been handled already, so that a delivery Deel repeats is acknowledged
/// without being handled twice: [`MemorySeenEvents`] for one process, `redis::RedisSeenEvents`
/// (feature `redis`) for every replica of a service.
pub trait SeenEvents: Send + Sync + fmt::Debug {
    /// Claims `key` (a [`WebhookEvent::dedupe_key`]): `true` the first time, `false` when it was
    /// claimed before (within the store's memory).
    fn first_time<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, Error>>;
    /// Gives a claim back, when handling the event failed and its redelivery should be handled.
    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>>;
}

/// How long a seen event is remembered by default: longer than Deel's retries (up to 16 hours
/// after the first attempt).
pub const DEFAULT_SEEN_TTL: Duration = Duration::from_secs(48 * 3600);

/// [`SeenEvents`] in this process's memory, for at most `capacity` events (the oldest forgotten
/// first) and `ttl` each.
#[derive(Debug)]
pub struct MemorySeenEvents {
    ttl: Duration,
    capacity: usize,
    seen: Mutex<HashMap<String, Instant>>,
}

impl Default for MemorySeenEvents {
    fn default() -> Self {
        Self::new(DEFAULT_SEEN_TTL, 100_000)
    }
}

impl MemorySeenEvents {
    /// Remembers up to `capacity` events for `ttl` each.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { ttl, capacity: capacity.max(1), seen: Mutex::default() }
    }
}

impl SeenEvents for MemorySeenEvents {
    fn first_time<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let now = Instant::now();
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.get(key).is_some_and(|at| now.duration_since(*at) < self.ttl) {
                return Ok(false);
            }
            if seen.len() >= self.capacity {
                seen.retain(|_, at| now.duration_since(*at) < self.ttl);
                if seen.len() >= self.capacity {
                    if let Some(oldest) = seen.iter().min_by_key(|(_, at)| **at).map(|(k, _)| k.clone()) {
                        seen.remove(&oldest);
                    }
                }
            }
            seen.insert(key.to_string(), now);
            Ok(true)
        })
    }

    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.seen.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "whsec-unit-test";
    const BODY: &[u8] = br#"{"data":{"meta":{"event_type":"timesheet.reviewed","event_type_id":"et-9","organization_id":"org-1","tracking_id":"trk-1"},"resource":[{"id":"ts-1"},{"id":"ts-2"}]},"timestamp":"2026-11-28T10:00:00Z"}"#;

    #[test]
    fn a_valid_signature_passes_and_the_envelope_parses() {
        let event = WebhookVerifier::new(KEY).verify_and_parse(Some(&sign(KEY, BODY)), BODY);
        let event = event.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(event.event_type, "timesheet.reviewed");
        assert_eq!(event.organization_id.as_deref(), Some("org-1"));
        assert_eq!(event.dedupe_key(), "tracking:trk-1");
        assert_eq!(event.resources().len(), 2);
        assert_eq!(event.timestamp.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-28T10:00:00+00:00"));
        assert_eq!(event.label, None, "the one key of `new` has no label");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, reqwest::header::HeaderValue::from_str(v).unwrap_or_else(|_| panic!("{v}")));
        }
        map
    }

    #[test]
    fn keys_are_picked_by_label_and_tried_in_turn_without_one() {
        let verifier = WebhookVerifier::with_keys([("old", "whsec-old-key"), ("new", "whsec-new-key")]);
        for (key, label) in [("whsec-old-key", "old"), ("whsec-new-key", "new")] {
            let signed = sign(key, BODY);
            let event = verifier
                .verify_delivery(
                    &headers(&[(SIGNATURE_HEADER, &signed), (LABEL_HEADER, label), (VERSION_HEADER, "v2")]),
                    BODY,
                )
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!((event.label.as_deref(), event.webhook_version.as_deref()), (Some(label), Some("v2")));
            // No label, or one this verifier does not know: each key is tried.
            for extra in [vec![], vec![(LABEL_HEADER, "retired")]] {
                let mut h = vec![(SIGNATURE_HEADER, signed.as_str())];
                h.extend(extra);
                let event = verifier.verify_delivery(&headers(&h), BODY).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(event.label.as_deref(), Some(label));
            }
        }
        // A known label with another key's signature is refused, not tried against the rest.
        let crossed = headers(&[(SIGNATURE_HEADER, &sign("whsec-old-key", BODY)), (LABEL_HEADER, "new")]);
        assert!(matches!(verifier.verify_delivery(&crossed, BODY), Err(WebhookError::InvalidSignature)));
        // Rotation done: the old key is dropped.
        let rotated = verifier.without_key("old");
        let old = headers(&[(SIGNATURE_HEADER, &sign("whsec-old-key", BODY)), (LABEL_HEADER, "old")]);
        assert!(matches!(rotated.verify_delivery(&old, BODY), Err(WebhookError::InvalidSignature)));
        assert!(!format!("{rotated:?}").contains("whsec"), "{rotated:?}");
    }

    #[test]
    fn simulations_are_marked_and_can_be_refused() {
        let body = br#"{"data":{"meta":{"event_type":"contract.created","is_simulation":true,"tracking_id":"sim-1"},"resource":{"id":"c-9"}},"timestamp":"2026-11-28T10:00:00Z"}"#;
        let h = headers(&[(SIGNATURE_HEADER, &sign(KEY, body))]);
        let event = WebhookVerifier::new(KEY).verify_delivery(&h, body).unwrap_or_else(|e| panic!("{e}"));
        assert!(event.is_simulation);
        let refusing = WebhookVerifier::new(KEY).refuse_simulations(true);
        assert_eq!(refusing.verify_delivery(&h, body).err(), Some(WebhookError::Simulation));
        let real = headers(&[(SIGNATURE_HEADER, &sign(KEY, BODY))]);
        assert!(refusing.verify_delivery(&real, BODY).is_ok_and(|e| !e.is_simulation));
    }

    #[tokio::test]
    async fn a_repeated_delivery_is_seen_once_and_a_forgotten_one_again() {
        let seen = MemorySeenEvents::new(Duration::from_secs(60), 2);
        assert_eq!(seen.first_time("a").await.ok(), Some(true));
        assert_eq!(seen.first_time("a").await.ok(), Some(false));
        assert!(seen.forget("a").await.is_ok());
        assert_eq!(seen.first_time("a").await.ok(), Some(true));
        // Bounded: the oldest is forgotten first.
        assert_eq!(seen.first_time("b").await.ok(), Some(true));
        assert_eq!(seen.first_time("c").await.ok(), Some(true));
        assert_eq!(seen.first_time("c").await.ok(), Some(false));
        assert_eq!(seen.first_time("a").await.ok(), Some(true), "the oldest was dropped");
    }

    #[test]
    fn the_dedupe_key_is_the_event_id_then_the_tracking_id_then_the_body() {
        let with_id =
            br#"{"data":{"meta":{"event_type":"x.y","event_id":"evt-1","tracking_id":"t"},"resource":{}}}"#;
        let bare = br#"{"data":{"meta":{"event_type":"x.y"},"resource":{}}}"#;
        assert_eq!(
            WebhookEvent::parse(with_id).map(|e| e.dedupe_key().to_string()).ok().as_deref(),
            Some("event:evt-1")
        );
        let key = WebhookEvent::parse(bare).map(|e| e.dedupe_key().to_string()).unwrap_or_default();
        assert!(key.starts_with("body:") && key.len() == 5 + 64, "{key}");
    }

    #[test]
    fn the_signature_covers_post_and_the_body() {
        // HMAC-SHA256("whsec-unit-test", "POST" + body), computed independently of `sign`.
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(KEY.as_bytes()).unwrap_or_else(|_| panic!("key"));
        mac.update(&[b"POST".as_slice(), BODY].concat());
        assert_eq!(sign(KEY, BODY), hex::encode(mac.finalize().into_bytes()));
    }

    #[test]
    fn tampering_a_wrong_key_a_missing_header_and_size_are_rejected() {
        let verifier = WebhookVerifier::new(KEY);
        let good = sign(KEY, BODY);
        let mut body = BODY.to_vec();
        body[20] ^= 1;
        assert_eq!(verifier.verify(Some(&good), &body), Err(WebhookError::InvalidSignature));
        let mut sig = good.clone().into_bytes();
        sig[0] = if sig[0] == b'a' { b'b' } else { b'a' };
        let flipped = String::from_utf8(sig).unwrap_or_default();
        assert_eq!(verifier.verify(Some(&flipped), BODY), Err(WebhookError::InvalidSignature));
        assert_eq!(
            WebhookVerifier::new("other").verify(Some(&good), BODY),
            Err(WebhookError::InvalidSignature)
        );
        assert_eq!(verifier.verify(None, BODY), Err(WebhookError::MissingSignature));
        assert_eq!(verifier.verify(Some("zz"), BODY), Err(WebhookError::MalformedSignature));
        assert_eq!(verifier.verify(Some("abcd"), BODY), Err(WebhookError::MalformedSignature));
        let small = WebhookVerifier::new(KEY).with_max_body(16);
        assert_eq!(
            small.verify(Some(&good), BODY),
            Err(WebhookError::TooLarge { size: BODY.len(), limit: 16 })
        );
    }

    #[test]
    fn unknown_event_shapes_keep_their_resource_and_bad_envelopes_are_typed_errors() {
        let body = br#"{"data":{"meta":{"event_type":"brand.new"},"resource":{"anything":[1,2]}}}"#;
        let event = WebhookEvent::parse(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(event.resource["anything"][1], 2);
        assert!(matches!(WebhookEvent::parse(b"{}"), Err(WebhookError::InvalidPayload(_))));
        assert!(matches!(WebhookEvent::parse(b"not json"), Err(WebhookError::InvalidPayload(_))));
    }

    #[test]
    fn the_key_never_prints() {
        assert!(!format!("{:?}", WebhookVerifier::new(KEY)).contains("unit-test"));
    }
}
