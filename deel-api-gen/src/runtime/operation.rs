//! [`Operation`]: what the generated code knows about the operation it sends, and the check
//! that a request still addresses that operation's endpoint.

use crate::runtime::error::Error;

/// What the generated code knows about the operation being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation id, as a Rust method name (`create_worker_access_token`).
    pub id: &'static str,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path template (`/rest/v2/workers/session`), never the filled-in path.
    pub path: &'static str,
    /// The API version this operation is called with unless the client or the call pins another
    /// (`X-Version`): versions are per endpoint on Deel's platform, and most are on the
    /// [`API_VERSION`](crate::runtime::API_VERSION) baseline.
    pub version: &'static str,
    /// Whether Deel serves this operation only to requests that say `X-Beta: true`.
    pub beta: bool,
}

/// Refuses a request whose path no longer matches its operation's template: a path parameter
/// such as `..` or `.` would otherwise make the URL parser move the request to another endpoint
/// (with the caller's credentials), and an empty one would address another route.
pub fn check_path(url: &reqwest::Url, operation: &Operation) -> Result<(), Error> {
    // Compared from the end (the base URL may carry a prefix), without allocating: this runs
    // before every request.
    let mut actual = url.path().rsplit('/');
    let fits = operation.path.trim_start_matches('/').rsplit('/').all(|t| match actual.next() {
        // A parameter: any non-empty segment that is not a dot segment.
        Some(a) if t.contains('{') => !a.is_empty() && !is_dot_segment(a),
        Some(a) => t == a,
        None => false,
    });
    if fits {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "a path parameter of {} would change the endpoint called (empty, `.` or `..`); refused",
            operation.id
        )))
    }
}

fn is_dot_segment(segment: &str) -> bool {
    [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."].iter().any(|d| segment.eq_ignore_ascii_case(d))
}
