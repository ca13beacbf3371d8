//! The replay server: answers each request from the fixture it matches, and refuses, with a
//! diagnostic naming the closest fixture, a request that matches none.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use serde_json::{json, Value};

use super::fixture::{json_difference, Fixture, FixtureError, QueryValue};
use super::http::{self, Handler, Incoming, Outgoing, Server};
use crate::Environment;

/// Status of the answer to a request that matches no fixture: not retried by the client, and
/// not one Deel answers with, so it cannot pass for a real response.
pub const NO_MATCH_STATUS: u16 = 501;

/// A local server on 127.0.0.1 that replays fixtures.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use deel_api::testing::ReplayServer;
/// let server = ReplayServer::from_dir("tests/fixtures/contracts").await?;
/// let client = deel_api::Client::builder().environment(server.environment()).token("test").build()?;
/// let page = client.get_contracts().limit(2).send().await?;
/// server.verify()?; // every fixture used, no request refused
/// # Ok(()) }
/// ```
pub struct ReplayServer {
    server: Server,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    fixtures: Vec<Fixture>,
    uses: Vec<usize>,
    refused: Vec<String>,
}

impl fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayServer").field("addr", &self.server.addr).finish_non_exhaustive()
    }
}

/// Why [`ReplayServer::verify`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    /// Requests that matched no fixture, each with its diagnostic.
    pub refused: Vec<String>,
    /// Fixtures no request used.
    pub unused: Vec<String>,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replay: {} request(s) refused, {} fixture(s) unused",
            self.refused.len(),
            self.unused.len()
        )?;
        for r in &self.refused {
            write!(f, "\n  refused: {r}")?;
        }
        for u in &self.unused {
            write!(f, "\n  unused: {u}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReplayError {}

impl ReplayServer {
    /// Starts a server answering from `fixtures`.
    pub async fn start(fixtures: Vec<Fixture>) -> std::io::Result<Self> {
        let uses = vec![0; fixtures.len()];
        let state = Arc::new(Mutex::new(State { fixtures, uses, refused: Vec::new() }));
        let shared = state.clone();
        let handler: Handler = Arc::new(move |req| {
            let out = answer(&shared, &req);
            Box::pin(async move { out })
        });
        Ok(ReplayServer { server: http::serve(handler).await?, state })
    }

    /// Starts a server answering from every fixture file under `dir`.
    pub async fn from_dir(dir: impl AsRef<Path>) -> Result<Self, FixtureError> {
        let dir = dir.as_ref();
        let fixtures = Fixture::load_dir(dir)?;
        ReplayServer::start(fixtures)
            .await
            .map_err(|e| FixtureError { path: dir.into(), reason: e.to_string() })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// The server as a client [`Environment`].
    pub fn environment(&self) -> Environment {
        Environment::Custom(self.url())
    }

    /// Diagnostics of the requests refused so far.
    pub fn refused(&self) -> Vec<String> {
        self.lock().refused.clone()
    }

    /// Names of the fixtures no request has used yet.
    pub fn unused(&self) -> Vec<String> {
        let state = self.lock();
        state
            .fixtures
            .iter()
            .zip(&state.uses)
            .filter(|(_, n)| **n == 0)
            .map(|(f, _)| f.name.clone())
            .collect()
    }

    /// How many times each fixture was used, by name.
    pub fn uses(&self) -> BTreeMap<String, usize> {
        let state = self.lock();
        state.fixtures.iter().zip(&state.uses).map(|(f, n)| (f.name.clone(), *n)).collect()
    }

    /// Succeeds when no request was refused and every fixture was used.
    pub fn verify(&self) -> Result<(), ReplayError> {
        let error = ReplayError { refused: self.refused(), unused: self.unused() };
        if error.refused.is_empty() && error.unused.is_empty() {
            Ok(())
        } else {
            Err(error)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The request in the fixture's terms.
struct Seen {
    method: String,
    path: String,
    query: BTreeMap<String, QueryValue>,
    headers: BTreeMap<String, String>,
    body: Option<Result<Value, String>>,
}

impl Seen {
    fn from(req: &Incoming) -> Self {
        let body = (!req.body.is_empty()).then(|| {
            let is_json = req
                .headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.to_ascii_lowercase().contains("json"));
            if is_json {
                serde_json::from_slice(&req.body).map_err(|e| format!("a body that is not JSON ({e})"))
            } else {
                // Multipart uploads and other non-JSON bodies are not compared.
                Err(String::new())
            }
        });
        Seen {
            method: req.method.to_uppercase(),
            path: req.path.clone(),
            query: http::query_map(req.query.as_deref()),
            headers: req.headers.iter().cloned().collect(),
            body,
        }
    }

    /// How this request differs from `f`; empty when it matches.
    fn differences(&self, f: &Fixture) -> Vec<String> {
        let want = &f.request;
        let mut out = Vec::new();
        if want.method != self.method {
            out.push(format!("method: expected {}, got {}", want.method, self.method));
        }
        if want.path != self.path {
            out.push(format!("path: expected {}, got {}", want.path, self.path));
        }
        for (k, v) in &want.query {
            match self.query.get(k) {
                None => out.push(format!("query `{k}`: expected {:?}, not sent", v.values())),
                Some(got) if got.values() != v.values() => {
                    out.push(format!("query `{k}`: expected {:?}, got {:?}", v.values(), got.values()))
                }
                Some(_) => {}
            }
        }
        for (k, v) in &self.query {
            if !want.query.contains_key(k) {
                out.push(format!("query `{k}`: not expected, got {:?}", v.values()));
            }
        }
        for (k, v) in &want.headers {
            match self.headers.get(k) {
                Some(got) if got == v => {}
                Some(got) => out.push(format!("header `{k}`: expected {v:?}, got {got:?}")),
                None => out.push(format!("header `{k}`: expected {v:?}, not sent")),
            }
        }
        match (&want.body, &self.body) {
            (None, None) => {}
            (Some(_), None) => out.push("body: expected JSON, none sent".into()),
            (None, Some(Ok(_))) => out.push("body: none expected, got JSON".into()),
            (_, Some(Err(reason))) if reason.is_empty() => {}
            (_, Some(Err(reason))) => out.push(format!("body: expected JSON, got {reason}")),
            (Some(w), Some(Ok(got))) => {
                if let Some(d) = json_difference(w, got) {
                    out.push(format!("body {d}"));
                }
            }
        }
        out
    }
}

fn answer(state: &Mutex<State>, req: &Incoming) -> Outgoing {
    let seen = Seen::from(req);
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    // Only fixtures for the same method and path can match; the full comparison (and its
    // messages) is for those, or for every fixture once nothing matched.
    let matching: Vec<usize> = (0..state.fixtures.len())
        .filter(|i| {
            let f = &state.fixtures[*i];
            f.request.method == seen.method && f.request.path == seen.path && seen.differences(f).is_empty()
        })
        .collect();
    // Identical requests (a token fetched twice, say) take their fixtures in order, then reuse
    // the last one.
    let chosen = matching.iter().copied().find(|i| state.uses[*i] == 0).or_else(|| matching.last().copied());
    if let Some(i) = chosen {
        state.uses[i] += 1;
        return replay(&state.fixtures[i]);
    }
    let diffs: Vec<Vec<String>> = state.fixtures.iter().map(|f| seen.differences(f)).collect();
    let target = format!(
        "{} {}{}",
        seen.method,
        seen.path,
        req.query.as_ref().map(|q| format!("?{q}")).unwrap_or_default()
    );
    // Closest: the most path segments in common, then the same method, then the fewest
    // differences.
    let segments: Vec<&str> = seen.path.split('/').collect();
    let closest = (0..diffs.len()).min_by_key(|i| {
        let f = &state.fixtures[*i].request;
        let theirs: Vec<&str> = f.path.split('/').collect();
        let common = segments.iter().zip(&theirs).filter(|(a, b)| a == b).count();
        let apart = segments.len().abs_diff(theirs.len()) + segments.len().max(theirs.len()) - common;
        (apart, f.method != seen.method, diffs[*i].len())
    });
    let diagnostic = match closest {
        Some(i) => format!(
            "no fixture matches {target}; closest is {} ({} {}): {}",
            state.fixtures[i].name,
            state.fixtures[i].request.method,
            state.fixtures[i].request.path,
            diffs[i].join("; ")
        ),
        None => format!("no fixture matches {target}; the server has no fixtures"),
    };
    state.refused.push(diagnostic.clone());
    Outgoing::json(NO_MATCH_STATUS, &json!({ "errors": [{ "message": diagnostic }] }))
}

fn replay(f: &Fixture) -> Outgoing {
    let mut headers: Vec<(String, String)> =
        f.response.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let body = match &f.response.body {
        Some(body) => {
            if !f.response.headers.contains_key("content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    Outgoing { status: f.response.status, headers, body }
}
