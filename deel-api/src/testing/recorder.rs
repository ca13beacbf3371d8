//! The recorder: a local proxy that passes calls through to a real Deel environment and writes
//! each exchange as a fixture, with secrets scrubbed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use serde_json::{json, Value};

use super::fixture::{Fixture, FixtureRequest, FixtureResponse};
use super::http::{self, Handler, Incoming, Outgoing, Server};
use super::scrub;
use crate::{Environment, Error};

/// A proxy on 127.0.0.1 that records what passes through it.
///
/// Point a client at [`Recorder::environment`] with a real token: every call goes to the
/// upstream environment unchanged, and its exchange is written to the recorder's directory as
/// `NNNN-<method>-<path>.json`. Authorization, cookies and token-like fields never reach the
/// files, and people's personal data is replaced by placeholders of the same shape (see
/// [`scrub`](super::scrub)).
pub struct Recorder {
    server: Server,
    written: Arc<Mutex<Vec<PathBuf>>>,
    failures: Arc<Mutex<Vec<String>>>,
    keep_personal: Arc<std::sync::atomic::AtomicBool>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder").field("addr", &self.server.addr).finish_non_exhaustive()
    }
}

impl Recorder {
    /// Starts recording calls to `upstream` into `dir` (created if missing).
    pub async fn start(upstream: &Environment, dir: impl AsRef<Path>) -> Result<Self, Error> {
        let base = upstream.base_url()?;
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::InvalidRequest(format!("recorder directory {}: {e}", dir.display())))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::InvalidRequest(format!("recorder HTTP client: {e}")))?;
        let written = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicUsize::new(0));
        let keep_personal = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let placeholders = Arc::new(scrub::Placeholders::new());
        let (w, fl, keep) = (written.clone(), failures.clone(), keep_personal.clone());
        let handler: Handler = Arc::new(move |req| {
            let (http, base, dir, w, fl, counter) =
                (http.clone(), base.clone(), dir.clone(), w.clone(), fl.clone(), counter.clone());
            let personal = (!keep.load(Ordering::SeqCst)).then(|| placeholders.clone());
            Box::pin(async move {
                let seq = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let (out, fixture) = match forward(&http, &base, &req, personal.as_deref()).await {
                    Ok(pair) => pair,
                    Err(message) => {
                        lock(&fl).push(message.clone());
                        return Outgoing::json(502, &json!({ "errors": [{ "message": message }] }));
                    }
                };
                let path = dir.join(file_name(seq, &req));
                match std::fs::write(&path, fixture.to_json()) {
                    Ok(()) => lock(&w).push(path),
                    Err(e) => lock(&fl).push(format!("writing {}: {e}", path.display())),
                }
                out
            })
        });
        let server =
            http::serve(handler).await.map_err(|e| Error::InvalidRequest(format!("recorder server: {e}")))?;
        Ok(Recorder { server, written, failures, keep_personal })
    }

    /// Keeps people's personal data in the fixtures as Deel sent it (default `false`: replaced by
    /// placeholders). Only for recordings that never leave a trusted machine.
    pub fn keep_personal_data(self, keep: bool) -> Self {
        self.keep_personal.store(keep, Ordering::SeqCst);
        self
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// The recorder as a client [`Environment`].
    pub fn environment(&self) -> Environment {
        Environment::Custom(self.url())
    }

    /// The fixture files written so far, in order.
    pub fn written(&self) -> Vec<PathBuf> {
        lock(&self.written).clone()
    }

    /// Calls that could not be forwarded or written.
    pub fn failures(&self) -> Vec<String> {
        lock(&self.failures).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `0003-post-rest-v2-workers-session.json`
fn file_name(seq: usize, req: &Incoming) -> String {
    let slug: String = req
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{seq:04}-{}-{slug}.json", req.method.to_ascii_lowercase())
}

/// Sends `req` upstream; returns the response for the client and the scrubbed fixture.
async fn forward(
    http: &reqwest::Client,
    base: &str,
    req: &Incoming,
    personal: Option<&scrub::Placeholders>,
) -> Result<(Outgoing, Fixture), String> {
    let url =
        format!("{base}{}{}", req.path, req.query.as_ref().map(|q| format!("?{q}")).unwrap_or_default());
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| format!("method: {e}"))?;
    let mut call = http.request(method, &url).body(req.body.clone());
    for (k, v) in &req.headers {
        if !matches!(k.as_str(), "host" | "content-length" | "connection") {
            call = call.header(k, v);
        }
    }
    let response = call.send().await.map_err(|e| format!("forwarding {} {}: {e}", req.method, req.path))?;
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body: Bytes = response.bytes().await.map_err(|e| format!("reading the response: {e}"))?;

    let secrets = scrub::secrets_in(&req.headers);
    let fixture = Fixture {
        name: String::new(),
        operation: None,
        request: FixtureRequest {
            method: req.method.to_uppercase(),
            path: req.path.clone(),
            query: http::query_map(req.query.as_deref()),
            headers: scrub::request_headers(&req.headers),
            body: json_body(&req.body).map(|b| scrub::body(b, &secrets, personal)),
        },
        response: FixtureResponse {
            status,
            headers: scrub::response_headers(&headers),
            body: json_body(&body).map(|b| scrub::body(b, &secrets, personal)),
        },
    };
    Ok((Outgoing { status, headers, body }, fixture))
}

fn json_body(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    // A body that is not JSON (a PDF download, say) is kept out of the fixture, not mangled.
    serde_json::from_slice(bytes).ok()
}
