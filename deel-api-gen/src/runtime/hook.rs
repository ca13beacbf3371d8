//! One extension point per call: a [`CallHook`] given to
//! [`ClientBuilder::hook`](crate::runtime::ClientBuilder::hook) sees each attempt's request
//! before it is sent and what the attempt came to, which is enough to add a header, count calls
//! or export metrics without replacing anything the client does.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::runtime::operation::Operation;

/// The call an attempt belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// The operation: its id, method, path template and version.
    pub operation: Operation,
    /// 1 for the first attempt, 2 for the first retry, and so on. A resend after the
    /// credentials were refreshed (a 401) keeps the number of the attempt it repeats.
    pub attempt: u32,
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The call it belongs to.
    pub call: Call,
    /// From handing the request to the connection (after any wait for the rate limit) to the
    /// response's headers, or to the failure.
    pub elapsed: Duration,
    /// The response's status, or `None` when no response came (the connection failed or timed
    /// out).
    pub status: Option<StatusCode>,
    /// The response's headers; empty when no response came.
    pub headers: &'a HeaderMap,
    /// Whether the client tries again after this attempt.
    pub retried: bool,
}

/// Sees every call a client makes. Both methods do nothing unless implemented; both run on the
/// task that makes the call, so they should return quickly (hand slow work to another task).
///
/// A hook sees requests without their credentials: `Authorization` is set after
/// [`Self::on_request`], and replaces any a hook sets. Headers are never logged by the client, so
/// a hook that logs them decides what it shows.
pub trait CallHook: Send + Sync + fmt::Debug {
    /// Before an attempt is sent, with the API version and idempotency headers in place; may
    /// change the request (add a header, say).
    fn on_request(&self, request: &mut reqwest::Request, call: &Call) {
        let _ = (request, call);
    }

    /// When an attempt has its response headers, or has failed.
    fn on_response(&self, attempt: &Attempt<'_>) {
        let _ = attempt;
    }
}
