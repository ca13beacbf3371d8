//! Receiving Deel webhooks: verify the signature before trusting anything in the body.
//!
//! Deel signs each delivery with the subscription's signing key: the `x-deel-signature` header
//! is the hex HMAC-SHA256 of the string `POST` followed by the raw request body.
//!
//! ```
//! use deel_api::webhooks::{sign, WebhookVerifier};
//!
//! let body = br#"{"data":{"meta":{"event_type":"contract.created","tracking_id":"t-1"},"resource":{"id":"c-1"}},"timestamp":"2026-11-28T10:00:00Z"}"#;
//! let signature = sign("whsec-test", body);
//! let verifier = WebhookVerifier::new("whsec-test");
//! let event = verifier.verify_and_parse(Some(&signature), body).unwrap();
//! assert_eq!(event.event_type, "contract.created");
//! ```

use std::fmt;

/// The `webhooks` area's request builders and types (subscriptions, event types), beside the
/// signature checks of this module.
#[cfg(feature = "webhooks")]
pub use deel_api_gen::areas::webhooks::*;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-deel-signature";

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
    /// The signature does not match the body and key.
    InvalidSignature,
    /// The body is larger than the configured limit.
    TooLarge {
        /// The body's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is signed correctly but is not a webhook envelope.
    InvalidPayload(String),
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
        }
    }
}

impl std::error::Error for WebhookError {}

/// Verifies deliveries for one subscription.
#[derive(Clone)]
pub struct WebhookVerifier {
    key: SecretString,
    max_body: usize,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("key", &"<redacted>")
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for the subscription's signing key.
    pub fn new(signing_key: impl Into<String>) -> Self {
        Self { key: SecretString::from(signing_key.into()), max_body: DEFAULT_MAX_BODY }
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

    /// Checks the signature header against the raw body, in constant time.
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::TooLarge { size: body.len(), limit: self.max_body });
        }
        let signature =
            signature.map(str::trim).filter(|s| !s.is_empty()).ok_or(WebhookError::MissingSignature)?;
        let expected = hex::decode(signature).map_err(|_| WebhookError::MalformedSignature)?;
        if expected.len() != 32 {
            return Err(WebhookError::MalformedSignature);
        }
        let mut mac = mac(self.key.expose_secret());
        mac.update(b"POST");
        mac.update(body);
        mac.verify_slice(&expected).map_err(|_| WebhookError::InvalidSignature)
    }

    /// Verifies, then parses the envelope.
    pub fn verify_and_parse(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify(signature, body)?;
        WebhookEvent::parse(body)
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

/// A webhook delivery: the event's metadata and its resource, kept as JSON so that event types
/// this SDK does not know are still delivered whole.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `data.meta.event_type`, e.g. `contract.created`.
    pub event_type: String,
    /// `data.meta.event_type_id`.
    pub event_type_id: Option<String>,
    /// `data.meta.organization_id`.
    pub organization_id: Option<String>,
    /// `data.meta.tracking_id`: the same across redeliveries of one event.
    pub tracking_id: Option<String>,
    /// The top-level `timestamp`.
    pub timestamp: Option<String>,
    /// All of `data.meta`.
    pub meta: Value,
    /// `data.resource`: an object, or an array for batched events.
    pub resource: Value,
}

impl WebhookEvent {
    /// Parses a (verified) body.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let root: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::InvalidPayload(e.to_string()))?;
        let meta = root.pointer("/data/meta").cloned().unwrap_or(Value::Null);
        let text = |key: &str| match meta.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let event_type = text("event_type")
            .ok_or_else(|| WebhookError::InvalidPayload("no data.meta.event_type".into()))?;
        Ok(WebhookEvent {
            event_type,
            event_type_id: text("event_type_id"),
            organization_id: text("organization_id"),
            tracking_id: text("tracking_id"),
            timestamp: root.get("timestamp").and_then(Value::as_str).map(String::from),
            resource: root.pointer("/data/resource").cloned().unwrap_or(Value::Null),
            meta,
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

    /// A key for de-duplicating redeliveries: the tracking id, else the event type id.
    pub fn dedupe_key(&self) -> Option<&str> {
        self.tracking_id.as_deref().or(self.event_type_id.as_deref())
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
        assert_eq!(event.dedupe_key(), Some("trk-1"));
        assert_eq!(event.resources().len(), 2);
        assert_eq!(event.timestamp.as_deref(), Some("2026-11-28T10:00:00Z"));
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
