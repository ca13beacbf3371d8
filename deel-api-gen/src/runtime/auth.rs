//! Credentials: where the `Authorization` header of each request comes from.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// A boxed future, as returned by [`Credentials`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A Deel API token (organization or personal). Never shown by `Debug` or `Display`.
#[derive(Clone)]
pub struct ApiToken(SecretString);

impl ApiToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// The token itself, for the rare caller that must hand it on.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `Bearer <token>` as a header value marked sensitive (so `http` never prints it).
    pub(crate) fn bearer(&self) -> Result<HeaderValue, Error> {
        bearer(self.0.expose_secret())
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl From<&str> for ApiToken {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

impl From<String> for ApiToken {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

/// Builds a sensitive `Bearer` header value from a token (for [`Credentials`] implementations).
pub fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| Error::InvalidRequest("the token contains characters not allowed in a header".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A source of `Authorization` headers. Implemented for a fixed [`ApiToken`] here, and in
/// `deel-api` for worker sessions (`worker::WorkerCredentials`) and OAuth
/// (`oauth::OAuthSession`); implement it for anything else that hands out bearer tokens.
pub trait Credentials: Send + Sync + fmt::Debug {
    /// The header for the next request; may refresh an expiring token first.
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, Error>>;

    /// Whether [`Self::unauthorized`] can ever produce fresh credentials; when it cannot, a
    /// request that will not be retried is sent without keeping a copy.
    fn refreshable(&self) -> bool {
        false
    }

    /// Called once when a request sent with `used` came back 401. Returns `true` when fresh
    /// credentials are now available and the request should be sent once more.
    fn unauthorized<'a>(&'a self, used: &'a HeaderValue) -> BoxFuture<'a, Result<bool, Error>> {
        let _ = used;
        Box::pin(async { Ok(false) })
    }

    /// Every secret these credentials hold right now (tokens, client secrets), so that an error
    /// body echoing one of them is scrubbed before it reaches an error message. The token of the
    /// request itself is always scrubbed; implement this for anything else.
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A fixed token: the header is built once and reused for every request.
pub(crate) struct StaticToken {
    header: HeaderValue,
    token: ApiToken,
}

impl StaticToken {
    pub(crate) fn new(token: &ApiToken) -> Result<Self, Error> {
        Ok(Self { header: token.bearer()?, token: token.clone() })
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl Credentials for StaticToken {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, Error>> {
        let header = self.header.clone();
        Box::pin(async move { Ok(header) })
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let token = ApiToken::new("sk-live-very-secret");
        assert!(!format!("{token:?}").contains("very-secret"));
        let header = token.bearer().map(|h| format!("{h:?}")).unwrap_or_default();
        assert!(!header.contains("very-secret"), "{header}");
        let creds = StaticToken::new(&token).map(|c| format!("{c:?}")).unwrap_or_default();
        assert!(!creds.contains("very-secret"), "{creds}");
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_an_error_not_a_panic() {
        let err = ApiToken::new("bad\ntoken").bearer();
        assert!(matches!(err, Err(Error::InvalidRequest(_))));
    }
}
