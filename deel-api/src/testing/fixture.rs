//! The fixture format: one JSON file per HTTP exchange.
//!
//! ```json
//! {
//!   "operation": "create_worker_access_token",
//!   "request": {
//!     "method": "POST",
//!     "path": "/rest/v2/workers/session",
//!     "query": { "limit": "2" },
//!     "headers": { "x-version": "2026-01-01" },
//!     "body": { "data": { "profile_id": "prf-1" } }
//!   },
//!   "response": {
//!     "status": 201,
//!     "headers": { "content-type": "application/json" },
//!     "body": { "data": { "token": "<redacted>", "expires_at": "2026-11-29T12:00:00Z" } }
//!   }
//! }
//! ```
//!
//! `operation`, `query`, `headers` and both `body` fields are optional. A query value is a string,
//! or a list of strings for a repeated parameter. Request headers listed in a fixture must be sent
//! (others are not compared); a request body is compared as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One recorded exchange: what the client sends and what the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixture {
    /// Where it was loaded from, relative to the fixture directory (not stored in the file).
    #[serde(skip)]
    pub name: String,
    /// The generated client method that makes this request, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The request the client must send.
    pub request: FixtureRequest,
    /// The answer the replay server gives.
    pub response: FixtureResponse,
}

/// The request half of a [`Fixture`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixtureRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Path from the host on, without the query (`/rest/v2/contracts`).
    pub path: String,
    /// Query parameters; the request must carry exactly these.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, QueryValue>,
    /// Headers the request must carry (names in lower case).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body the request must carry; `None` for no body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The response half of a [`Fixture`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixtureResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (names in lower case); `content-type` defaults to JSON when a body is set.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body; `None` for an empty body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A query parameter's value: once, or repeated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueryValue {
    /// `?limit=2`
    One(String),
    /// `?status=a&status=b`
    Many(Vec<String>),
}

impl QueryValue {
    /// The values in order.
    pub fn values(&self) -> Vec<&str> {
        match self {
            QueryValue::One(v) => vec![v.as_str()],
            QueryValue::Many(vs) => vs.iter().map(String::as_str).collect(),
        }
    }

    pub(crate) fn from_values(mut values: Vec<String>) -> Self {
        match values.len() {
            1 => QueryValue::One(values.remove(0)),
            _ => QueryValue::Many(values),
        }
    }
}

/// A fixture file that cannot be read or is not in the format above.
#[derive(Debug)]
pub struct FixtureError {
    /// The file (or directory) concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fixture {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for FixtureError {}

impl Fixture {
    /// Parses one fixture file's text; `name` is used in diagnostics.
    pub fn parse(name: &str, text: &str) -> Result<Self, FixtureError> {
        let mut fixture: Fixture = serde_json::from_str(text)
            .map_err(|e| FixtureError { path: name.into(), reason: e.to_string() })?;
        fixture.name = name.to_string();
        fixture.request.method = fixture.request.method.to_uppercase();
        Ok(fixture)
    }

    /// Every `*.json` file under `dir`, recursively, in path order.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Fixture>, FixtureError> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            let entries =
                std::fs::read_dir(&d).map_err(|e| FixtureError { path: d.clone(), reason: e.to_string() })?;
            for entry in entries {
                let path = entry.map_err(|e| FixtureError { path: d.clone(), reason: e.to_string() })?.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| FixtureError { path: path.clone(), reason: e.to_string() })?;
                let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                Fixture::parse(&name, &text)
                    .map_err(|e| FixtureError { path: path.clone(), reason: e.reason })
            })
            .collect()
    }

    /// The file text: pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The first place where `got` differs from `want`, as a JSON pointer with both values
/// (`at /data/id: expected "a", got "b"`); `None` when they are equal.
pub fn json_difference(want: &Value, got: &Value) -> Option<String> {
    difference_at(want, got, String::new())
}

fn difference_at(want: &Value, got: &Value, at: String) -> Option<String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let here = format!("{at}/{k}");
                match g.get(k) {
                    None => return Some(format!("at {here}: expected {wv}, missing")),
                    Some(gv) => {
                        if let Some(d) = difference_at(wv, gv, here) {
                            return Some(d);
                        }
                    }
                }
            }
            g.iter()
                .find(|(k, _)| !w.contains_key(*k))
                .map(|(k, v)| format!("at {at}/{k}: not expected, got {v}"))
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            w.iter().zip(g).enumerate().find_map(|(i, (wv, gv))| difference_at(wv, gv, format!("{at}/{i}")))
        }
        _ if want == got => None,
        _ => Some(format!("at {}: expected {want}, got {got}", if at.is_empty() { "/" } else { &at })),
    }
}
