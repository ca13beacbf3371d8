//! Following the short-lived links that some operations answer with instead of a file.
//!
//! Ten of Deel's operations (an invoice's PDF, a payslip, a contract's PDF, …) return
//! `{"data": {"url": …}}`: a pre-signed link to a storage host, valid for minutes (Deel's guide
//! gives 15 for an amendment's PDF). Fetching it with the API client would send the
//! organization's bearer token and Deel's headers to that host, so [`Download`] fetches it with a
//! client of its own that sends neither, follows redirects only to `https`, bounds the size and
//! time, and asks Deel for a new link once when the storage host refuses an expired one. The
//! link itself is a credential (anyone holding it can read the file): no error or log quotes it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;

use super::environment::is_loopback;
use super::Response;
use crate::Error;

/// What asks Deel for the link: the operation's own call, sent again for a fresh link.
type AskLink =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, Error>> + Send>> + Send + Sync>;

/// The default largest file, in bytes (100 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 100 * 1024 * 1024;

/// The default time allowed for the file's transfer (each attempt).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The file behind an operation's link, fetched when awaited through [`Download::bytes`] or
/// [`Download::to_writer`]. Made by a request builder's `download()`.
#[must_use = "a download does nothing until `bytes()` or `to_writer()` is awaited"]
pub struct Download {
    ask: AskLink,
    pointer: &'static str,
    max_bytes: u64,
    timeout: Duration,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("pointer", &self.pointer)
            .field("max_bytes", &self.max_bytes)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// A download whose link is at `pointer` in the body `ask` returns (used by the generated
    /// builders).
    #[doc(hidden)]
    pub fn new<F, Fut>(pointer: &'static str, ask: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Bytes>, Error>> + Send + 'static,
    {
        let ask: AskLink = Arc::new(move || Box::pin(ask()));
        Self { ask, pointer, max_bytes: DEFAULT_MAX_BYTES, timeout: DEFAULT_TIMEOUT }
    }

    /// The largest file accepted (default [`DEFAULT_MAX_BYTES`]); a larger one fails with
    /// [`Error::Download`] without being read whole.
    pub fn max_bytes(mut self, max: u64) -> Self {
        self.max_bytes = max;
        self
    }

    /// Time allowed for the file's transfer, each attempt (default [`DEFAULT_TIMEOUT`]); asking
    /// Deel for the link keeps the client's own timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The whole file.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        let mut response = self.open().await?;
        let mut out =
            Vec::with_capacity(usize::try_from(response.content_length().unwrap_or(0)).unwrap_or(0));
        while let Some(chunk) = next_chunk(&mut response).await? {
            self.admit(out.len() as u64, chunk.len())?;
            out.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(out))
    }

    /// Writes the file into `writer` as it arrives, and returns its length. On an error part of
    /// the file may have been written.
    pub async fn to_writer<W>(self, writer: &mut W) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut response = self.open().await?;
        let mut written: u64 = 0;
        while let Some(chunk) = next_chunk(&mut response).await? {
            self.admit(written, chunk.len())?;
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| failed(format!("writing the file failed: {e}"), None))?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(|e| failed(format!("writing the file failed: {e}"), None))?;
        Ok(written)
    }

    fn admit(&self, so_far: u64, more: usize) -> Result<(), Error> {
        if so_far.saturating_add(more as u64) > self.max_bytes {
            return Err(failed(
                format!("the file is larger than the {} bytes allowed", self.max_bytes),
                None,
            ));
        }
        Ok(())
    }

    /// Asks Deel for the link and opens it; an expired link (403 from the storage host) is asked
    /// for again, once.
    async fn open(&self) -> Result<reqwest::Response, Error> {
        for attempt in 1..=2 {
            let link = self.link().await?;
            let response = storage()?
                .get(link)
                .timeout(self.timeout)
                .send()
                .await
                .map_err(|e| Error::from(e.without_url()))?;
            let status = response.status();
            if status.is_success() {
                if response.content_length().is_some_and(|n| n > self.max_bytes) {
                    return Err(failed(
                        format!("the file is larger than the {} bytes allowed", self.max_bytes),
                        None,
                    ));
                }
                return Ok(response);
            }
            if status == reqwest::StatusCode::FORBIDDEN && attempt == 1 {
                tracing::debug!("the storage host refused the link (expired?); asking Deel for a new one");
                continue;
            }
            let why = if status.is_redirection() {
                "the storage host redirected to a location that is not https".to_string()
            } else {
                format!("the storage host answered {status}")
            };
            return Err(failed(why, Some(status.as_u16())));
        }
        Err(failed("the storage host refused a fresh link too".into(), Some(403)))
    }

    /// The link in Deel's answer, checked: `https`, or `http` on this machine (for tests).
    async fn link(&self) -> Result<url::Url, Error> {
        let body = (self.ask)().await?.into_inner();
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| failed("Deel's answer is not JSON, so it holds no link".into(), None))?;
        let text = value
            .pointer(self.pointer)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| failed(format!("Deel's answer holds no link at {}", self.pointer), None))?;
        let url = url::Url::parse(text).map_err(|_| failed("Deel's link is not a URL".into(), None))?;
        if !allowed(&url) {
            return Err(failed("Deel's link is not https; not followed".into(), None));
        }
        Ok(url)
    }
}

fn allowed(url: &url::Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url))
}

async fn next_chunk(response: &mut reqwest::Response) -> Result<Option<Bytes>, Error> {
    response.chunk().await.map_err(|e| Error::from(e.without_url()))
}

fn failed(message: String, status: Option<u16>) -> Error {
    Error::Download { message, status }
}

/// The client that fetches files: shared by every download of the process, with no default
/// headers (no token, no `X-Version`), no cookies, and redirects followed only to `https`.
fn storage() -> Result<&'static reqwest::Client, Error> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .user_agent(super::USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 5 || !allowed(attempt.url()) {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| e.to_string())
    });
    client.as_ref().map_err(|e| failed(format!("could not build the download client: {e}"), None))
}
