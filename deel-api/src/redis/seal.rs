//! Optional encryption of tokens at rest in Redis (XChaCha20-Poly1305).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;

use crate::Error;

/// What a sealed value starts with, so that a plaintext value and a sealed one are told apart
/// (and a store written without a key is not read as garbage with one).
const SEALED: &str = "xc20p1:";

/// Seals values with one 32-byte key, each under a fresh random nonce, bound to the Redis key
/// it is stored under (a sealed value copied to another key does not open).
#[derive(Clone)]
pub(crate) struct Sealer {
    cipher: Option<XChaCha20Poly1305>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cipher.is_some() { "Sealer(encrypting)" } else { "Sealer(plaintext)" })
    }
}

impl Sealer {
    /// Values are stored as they are.
    pub(crate) fn plaintext() -> Self {
        Self { cipher: None }
    }

    /// Values are encrypted with `key` (exactly 32 bytes).
    pub(crate) fn with_key(key: &[u8]) -> Result<Self, Error> {
        let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| Error::SharedState {
            message: format!("the Redis encryption key must be 32 bytes, not {}", key.len()),
            source: None,
        })?;
        Ok(Self { cipher: Some(cipher) })
    }

    pub(crate) fn seal(&self, redis_key: &str, value: &str) -> Result<String, Error> {
        let Some(cipher) = &self.cipher else { return Ok(value.to_string()) };
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: value.as_bytes(), aad: redis_key.as_bytes() })
            .map_err(|_| Error::SharedState {
                message: "could not encrypt a value for Redis".into(),
                source: None,
            })?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{SEALED}{}", STANDARD.encode(bytes)))
    }

    /// The value of `stored`. A value that does not open is a configuration error (every
    /// process needs the same key, or none), not Redis being down: [`Error::InvalidRequest`],
    /// which no caller mistakes for an outage to work around.
    pub(crate) fn open(&self, redis_key: &str, stored: &str) -> Result<String, Error> {
        let failed = |why: &str| {
            Error::InvalidRequest(format!(
                "the value stored in Redis at `{redis_key}` cannot be read: {why} (every process sharing \
                 this namespace needs the same encryption key)"
            ))
        };
        match (&self.cipher, stored.strip_prefix(SEALED)) {
            (None, None) => Ok(stored.to_string()),
            (None, Some(_)) => Err(failed("it is encrypted and no encryption key is configured")),
            (Some(_), None) => Err(failed("it is not encrypted, and an encryption key is configured")),
            (Some(cipher), Some(encoded)) => {
                let bytes = STANDARD.decode(encoded).map_err(|_| failed("not valid base64"))?;
                if bytes.len() < 24 {
                    return Err(failed("too short"));
                }
                let (nonce, sealed) = bytes.split_at(24);
                let plain = cipher
                    .decrypt(nonce.into(), Payload { msg: sealed, aad: redis_key.as_bytes() })
                    .map_err(|_| failed("it does not open with the configured key"))?;
                String::from_utf8(plain).map_err(|_| failed("not UTF-8"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_redis_key() {
        let sealer = Sealer::with_key(&[7; 32]).expect("a 32-byte key");
        let sealed = sealer.seal("deel:worker:p1", "secret-token-value").expect("seals");
        assert!(!sealed.contains("secret-token-value"));
        assert_ne!(
            sealed,
            sealer.seal("deel:worker:p1", "secret-token-value").expect("seals"),
            "fresh nonce"
        );
        assert_eq!(sealer.open("deel:worker:p1", &sealed).expect("opens"), "secret-token-value");
        assert!(sealer.open("deel:worker:p2", &sealed).is_err(), "bound to its Redis key");
        assert!(Sealer::with_key(&[8; 32]).expect("key").open("deel:worker:p1", &sealed).is_err());
        assert!(Sealer::plaintext().open("deel:worker:p1", &sealed).is_err());
        assert!(sealer.open("deel:worker:p1", "plain").is_err());
        assert!(Sealer::with_key(&[1; 16]).is_err());
    }
}
