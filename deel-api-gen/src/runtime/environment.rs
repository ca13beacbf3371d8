//! Which Deel deployment a client talks to.

use std::fmt;

use crate::Error;

/// A Deel deployment.
///
/// The base URL is the API host: operation paths carry their own `/rest/v2` or `/scim/v2`
/// prefix, so one client reaches both APIs. A URL given with a trailing `/rest/v2` (as Deel's
/// documentation writes it) is accepted and trimmed.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.letsdeel.com`.
    Production,
    /// `https://api-staging.letsdeel.com`, the sandbox host listed in Deel's OpenAPI document
    /// (Deel's guides also mention `api-sandbox.demo.deel.com`; use [`Environment::Custom`]
    /// for it).
    Sandbox,
    /// Any other base URL: `https://`, or plain `http://` on a loopback address (for tests).
    Custom(String),
}

impl Environment {
    /// The production API host.
    pub const PRODUCTION_URL: &'static str = "https://api.letsdeel.com";
    /// The sandbox API host.
    pub const SANDBOX_URL: &'static str = "https://api-staging.letsdeel.com";

    /// Parses `production`, `sandbox` or a URL (the format of `DEEL_ENVIRONMENT`).
    pub fn parse(value: &str) -> Result<Self, Error> {
        let value = value.trim();
        match value.to_ascii_lowercase().as_str() {
            "" | "production" | "prod" => Ok(Environment::Production),
            "sandbox" | "staging" => Ok(Environment::Sandbox),
            _ if value.contains("://") => Ok(Environment::Custom(value.to_string())),
            _ => Err(Error::InvalidRequest(format!(
                "unknown Deel environment `{value}`: use `production`, `sandbox` or a URL"
            ))),
        }
    }

    /// The validated base URL (scheme and host, no trailing slash or API prefix).
    pub fn base_url(&self) -> Result<String, Error> {
        let raw = match self {
            Environment::Production => return Ok(Self::PRODUCTION_URL.to_string()),
            Environment::Sandbox => return Ok(Self::SANDBOX_URL.to_string()),
            Environment::Custom(url) => url,
        };
        let url = url::Url::parse(raw)
            .map_err(|e| Error::InvalidRequest(format!("invalid base URL `{raw}`: {e}")))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
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

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Sandbox => f.write_str("Sandbox"),
            Environment::Custom(url) => f.debug_tuple("Custom").field(url).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_environments_have_fixed_hosts() {
        assert_eq!(Environment::Production.base_url().ok().as_deref(), Some("https://api.letsdeel.com"));
        assert_eq!(Environment::Sandbox.base_url().ok().as_deref(), Some("https://api-staging.letsdeel.com"));
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
        assert_eq!(Environment::parse("production").ok(), Some(Environment::Production));
        assert_eq!(
            Environment::parse("http://127.0.0.1:1").ok(),
            Some(Environment::Custom("http://127.0.0.1:1".into()))
        );
        assert!(Environment::parse("moon").is_err());
    }
}
