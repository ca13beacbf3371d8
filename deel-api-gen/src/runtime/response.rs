//! [`Response`]: a decoded success body with its status, headers and what decoding corrected.

use std::ops::{Deref, DerefMut};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::decode::Correction;
use super::request_id::REQUEST_ID_HEADERS;

/// A success response: the decoded body (reachable through `Deref`), the status, the headers,
/// and the [`Correction`]s lenient decoding made to fit the body to its declared type.
pub struct Response<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
    corrections: Vec<Correction>,
}

impl<T> Response<T> {
    /// A response from its parts (for tests and transports).
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self { inner, status, headers, corrections: Vec::new() }
    }

    /// The same, with what decoding corrected.
    pub fn with_corrections(mut self, corrections: Vec<Correction>) -> Self {
        self.corrections = corrections;
        self
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// What lenient decoding corrected to fit the body to its type (empty when the body matched
    /// the spec). Each names a JSON pointer, the kind of correction and the JSON type found.
    pub fn corrections(&self) -> &[Correction] {
        &self.corrections
    }

    /// Whether Deel replayed this response from its idempotency cache: an earlier request with
    /// the same `Idempotency-Key` succeeded within 24 hours, and this is its response (the call
    /// was not performed again).
    pub fn replayed(&self) -> bool {
        self.headers.contains_key(super::idempotency::ORIGINAL_REQUEST_ID)
    }

    /// The id of the request whose response this is a replay of (`x-original-request-id`).
    pub fn original_request_id(&self) -> Option<&str> {
        self.headers.get(super::idempotency::ORIGINAL_REQUEST_ID).and_then(|v| v.to_str().ok())
    }

    /// Deel's id of this request, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS.iter().find_map(|h| self.headers.get(*h)?.to_str().ok())
    }

    /// The lifecycle state Deel reports for the API version that answered, when it reports one
    /// (see [`versioning`](super::versioning)); a deprecated version is also logged once per
    /// operation and client.
    pub fn lifecycle(&self) -> Option<super::versioning::Lifecycle> {
        super::versioning::lifecycle(&self.headers)
    }

    /// The body, status, headers and corrections.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap, Vec<Correction>) {
        (self.inner, self.status, self.headers, self.corrections)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T> AsRef<T> for Response<T> {
    fn as_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("corrections", &self.corrections.len())
            .field("inner", &self.inner)
            .finish()
    }
}
