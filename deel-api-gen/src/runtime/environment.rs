//! Which Deel deployment a client talks to.

use std::fmt;

use crate::Error;

/// A Deel deployment: its API host and its OAuth endpoints.
///
/// The base URL is the API host: operation paths carry their own `/rest/v2` or `/scim/v2`
/// prefix, so one client reaches both APIs. A URL given with a trailing `/rest/v2` (as Deel's
/// documentation writes it) is accepted and trimmed.
///
/// Deel's sources name two hosts for testing. Its sandbox guide
/// (<https://developer.deel.com/api/sandbox>) names `api-sandbox.demo.deel.com`, with API keys of
/// its own, which is [`Environment::Sandbox`]. Its OpenAPI document's second server, some of its
/// quickstart pages and its own command-line tool's `demo` environment (letsdeel/deel-cli,
/// `src/core/config.ts`) name `api-staging.letsdeel.com`, which is [`Environment::Demo`]. Use the
/// one your API token was issued for.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.letsdeel.com`; OAuth on `https://app.deel.com/oauth2/…`
    /// (<https://developer.deel.com/api/oauth>).
    Production,
    /// Deel's sandbox as its guides describe it: `https://api-sandbox.demo.deel.com`
    /// (<https://developer.deel.com/api/sandbox>); OAuth on `https://demo.deel.com/oauth2/…`, the
    /// sandbox OAuth host of Deel's OAuth guide (<https://developer.deel.com/docs/getting-started-1>;
    /// some integrations use `app.demo.deel.com` instead, which Deel's guides do not name).
    Sandbox,
    /// `https://api-staging.letsdeel.com`: the second server of Deel's OpenAPI document and the
    /// `demo` environment of Deel's command-line tool (letsdeel/deel-cli, `src/core/config.ts`),
    /// which Deel's sandbox guide does not mention; OAuth on `https://demo.letsdeel.com/oauth2/…`,
    /// the demo host Deel's changelog gave when OAuth moved to `/oauth2`
    /// (<https://developer.deel.com/changelog/v1-27>). Called `Sandbox` before version 0.2.
    Demo,
    /// Any other base URL: `https://`, or plain `http://` on a loopback address (for tests). It
    /// has no known OAuth endpoints: give an OAuth app its own.
    Custom(String),
}

/// Where an OAuth app sends the user to authorize it, and where it trades codes and refresh
/// tokens for access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthEndpoints {
    /// The authorization page.
    pub authorize_url: &'static str,
    /// The token endpoint (code exchange and refresh).
    pub token_url: &'static str,
}

impl Environment {
    /// The production API host.
    pub const PRODUCTION_URL: &'static str = "https://api.letsdeel.com";
    /// The sandbox API host of Deel's sandbox guide.
    pub const SANDBOX_URL: &'static str = "https://api-sandbox.demo.deel.com";
    /// The demo (staging) API host of Deel's OpenAPI document and command-line tool.
    pub const DEMO_URL: &'static str = "https://api-staging.letsdeel.com";

    /// Parses `production`, `sandbox`, `demo` (or `staging`) or a URL: the format of
    /// `DEEL_ENVIRONMENT`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let value = value.trim();
        match value.to_ascii_lowercase().as_str() {
            "" | "production" | "prod" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            "demo" | "staging" => Ok(Environment::Demo),
            _ if value.contains("://") => Ok(Environment::Custom(value.to_string())),
            _ => Err(Error::InvalidRequest(format!(
                "unknown Deel environment `{value}`: use `production`, `sandbox`, `demo` or a URL"
            ))),
        }
    }

    /// The environment `DEEL_ENVIRONMENT` names (production when it is unset).
    pub fn from_env() -> Result<Self, Error> {
        match std::env::var("DEEL_ENVIRONMENT") {
            Ok(value) => Environment::parse(&value),
            Err(_) => Ok(Environment::Production),
        }
    }

    /// The OAuth endpoints of this deployment; `None` for a custom URL.
    pub fn oauth_endpoints(&self) -> Option<OAuthEndpoints> {
        let (authorize_url, token_url) = match self {
            Environment::Production => {
                ("https://app.deel.com/oauth2/authorize", "https://app.deel.com/oauth2/tokens")
            }
            Environment::Sandbox => {
                ("https://demo.deel.com/oauth2/authorize", "https://demo.deel.com/oauth2/tokens")
            }
            Environment::Demo => {
                ("https://demo.letsdeel.com/oauth2/authorize", "https://demo.letsdeel.com/oauth2/tokens")
            }
            Environment::Custom(_) => return None,
        };
        Some(OAuthEndpoints { authorize_url, token_url })
    }

    /// The validated base URL (scheme and host, no trailing slash or API prefix).
    pub fn base_url(&self) -> Result<String, Error> {
        let raw = match self {
            Environment::Production => return Ok(Self::PRODUCTION_URL.to_string()),
            Environment::Sandbox => return Ok(Self::SANDBOX_URL.to_string()),
            Environment::Demo => return Ok(Self::DEMO_URL.to_string()),
            Environment::Custom(url) => url,
        };
        let url = url::Url::parse(raw)
            .map_err(|e| Error::InvalidRequest(format!("invalid base URL `{raw}`: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::InvalidRequest(format!(
                    "refusing plain http:// base URL `{raw}`: credentials would travel unencrypted \
                     (http is allowed only for loopback addresses)"
                )))
            }
            other => {
                return Err(Error::InvalidRequest(format!("unsupported URL scheme `{other}` in `{raw}`")))
            }
        }
        if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(Error::InvalidRequest(format!("base URL `{raw}` must be a scheme and host only")));
        }
        let mut base = url.as_str().trim_end_matches('/').to_string();
        for prefix in ["/rest/v2", "/scim/v2"] {
            if let Some(stripped) = base.strip_suffix(prefix) {
                base = stripped.to_string();
            }
        }
        Ok(base)
    }
}

/// Whether `url` names this machine (where plain `http://` carries nothing over a network).
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Sandbox => f.write_str("Sandbox"),
            Environment::Demo => f.write_str("Demo"),
            Environment::Custom(url) => f.debug_tuple("Custom").field(url).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_environment_builds_its_documented_api_and_oauth_urls() {
        let cases = [
            (Environment::Production, "https://api.letsdeel.com", "https://app.deel.com"),
            (Environment::Sandbox, "https://api-sandbox.demo.deel.com", "https://demo.deel.com"),
            (Environment::Demo, "https://api-staging.letsdeel.com", "https://demo.letsdeel.com"),
        ];
        for (env, api, oauth) in cases {
            assert_eq!(env.base_url().ok().as_deref(), Some(api), "{env:?}");
            let endpoints = env.oauth_endpoints().unwrap_or_else(|| panic!("{env:?} has OAuth endpoints"));
            assert_eq!(endpoints.authorize_url, format!("{oauth}/oauth2/authorize"), "{env:?}");
            assert_eq!(endpoints.token_url, format!("{oauth}/oauth2/tokens"), "{env:?}");
        }
        assert_eq!(Environment::Custom("http://127.0.0.1:9".into()).oauth_endpoints(), None);
    }

    #[test]
    fn documented_rest_prefix_is_trimmed() {
        let env = Environment::Custom("https://api.letsdeel.com/rest/v2/".into());
        assert_eq!(env.base_url().ok().as_deref(), Some("https://api.letsdeel.com"));
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        for ok in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"] {
            assert!(Environment::Custom(ok.into()).base_url().is_ok(), "{ok}");
        }
        for bad in ["http://api.letsdeel.com", "http://10.0.0.1", "ftp://127.0.0.1", "not a url", "https://"]
        {
            let err = Environment::Custom(bad.into()).base_url();
            assert!(matches!(err, Err(Error::InvalidRequest(_))), "{bad}: {err:?}");
        }
    }

    #[test]
    fn environment_names_parse() {
        assert_eq!(Environment::parse("Sandbox").ok(), Some(Environment::Sandbox));
        assert_eq!(Environment::parse("demo").ok(), Some(Environment::Demo));
        assert_eq!(Environment::parse("staging").ok(), Some(Environment::Demo), "the old name of that host");
        assert_eq!(Environment::parse("production").ok(), Some(Environment::Production));
        assert_eq!(
            Environment::parse("http://127.0.0.1:1").ok(),
            Some(Environment::Custom("http://127.0.0.1:1".into()))
        );
        assert!(Environment::parse("moon").is_err());
    }
}
