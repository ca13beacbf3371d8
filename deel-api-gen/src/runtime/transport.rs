//! The path of every request: headers, credentials, rate limit, retries, tracing.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::future::Future;
use std::pin::Pin;

use crate::runtime::decode::{Correction, DecodeMode};
use crate::runtime::operation::Operation;
use reqwest::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use tracing::Instrument;

use crate::runtime::auth::Credentials;
use crate::runtime::error::Error;
use crate::runtime::hook::{self, CallHook};
use crate::runtime::idempotency::{self, IdempotencyKeys};
use crate::runtime::limiter::Limiter;
use crate::runtime::retry::{Attempt, Decision, RetryPolicy, Wait};
use crate::runtime::versioning;

/// The future of one request through the transport.
pub(crate) type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<reqwest::Response, Error>> + Send + 'a>>;

/// What every request goes through beyond what its operation built: credentials, versioning
/// headers, idempotency keys, the rate limit, retries and tracing. The builder makes one per
/// client; clones of the client share it.
#[derive(Clone)]
pub(crate) struct DeelTransport {
    pub(crate) credentials: Option<Arc<dyn Credentials>>,
    /// The client's `X-Version` pin; without one, each operation's own version is sent.
    pub(crate) version: Option<HeaderValue>,
    pub(crate) beta: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Arc<dyn Limiter>>,
    pub(crate) idempotency: IdempotencyKeys,
    /// One key for every POST and PATCH of this client (the deprecated `with_idempotency_key`).
    pub(crate) fixed_key: Option<HeaderValue>,
    pub(crate) decode_mode: DecodeMode,
    /// What sees each attempt, in the order the builder was given them.
    pub(crate) hooks: Arc<[Arc<dyn CallHook>]>,
    /// Corrections and deprecated versions already logged (hashes of operation, pointer pattern
    /// and kind; of the operation), so that each is logged once per client.
    pub(crate) warned: Arc<Mutex<HashSet<u64>>>,
}

/// How many distinct corrections a client remembers having logged; past that, further new ones
/// are still logged but no longer remembered (the set must not grow without bound).
const WARNED_CAP: usize = 4096;

/// A correction's pointer segments with array indices as `*`, so that one difference repeated
/// on every item of a list is logged once.
fn pattern(pointer: &str) -> impl Iterator<Item = &str> {
    pointer.split('/').map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "*" } else { s })
}

/// Identifies a correction for logging without allocating: a drifted page can carry a correction
/// on every item, and this runs for each.
fn correction_key(operation: &Operation, c: &Correction) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    operation.id.hash(&mut h);
    pattern(&c.pointer).for_each(|s| s.hash(&mut h));
    c.kind.hash(&mut h);
    h.finish()
}

impl fmt::Debug for DeelTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials print as their kind only; their own Debug redacts the secret.
        f.debug_struct("DeelTransport")
            .field("credentials", &self.credentials)
            .field("version", &self.version)
            .field("beta", &self.beta)
            .field("retry", &self.retry)
            .field("limiter", &self.limiter)
            .field("decode_mode", &self.decode_mode)
            .field("idempotency", &self.idempotency)
            .field("fixed_key", &self.fixed_key.as_ref().map(|_| "set"))
            .field("hooks", &self.hooks)
            .finish()
    }
}

impl DeelTransport {
    /// Sends `request` (built by `operation`) with `http` and returns the final response.
    pub(crate) fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Operation,
    ) -> TransportFuture<'a> {
        let span = tracing::info_span!(
            "deel.request",
            operation = operation.id,
            method = operation.method,
            path = operation.path,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        Box::pin(self.send(http, request, operation).instrument(span))
    }

    /// How success bodies are decoded.
    pub(crate) fn decode_mode(&self) -> DecodeMode {
        self.decode_mode
    }

    /// Logs what lenient decoding corrected in a response of `operation`, each difference once
    /// per client.
    pub(crate) fn corrected(&self, operation: Operation, corrections: &[Correction]) {
        let mut warned = self.warned.lock().unwrap_or_else(|p| p.into_inner());
        for c in corrections {
            let key = correction_key(&operation, c);
            if warned.contains(&key) {
                continue;
            }
            let pointer = pattern(&c.pointer).collect::<Vec<_>>().join("/");
            tracing::warn!(
                operation = operation.id,
                pointer = %pointer,
                kind = c.kind.as_str(),
                found = c.found.as_str(),
                expected = c.expected,
                "Deel's response differs from the spec; corrected (logged once per client)"
            );
            if warned.len() < WARNED_CAP {
                warned.insert(key);
            }
        }
    }
}

impl DeelTransport {
    async fn send(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation: Operation,
    ) -> Result<reqwest::Response, Error> {
        versioning::apply(request.headers_mut(), &operation, self.version.as_ref(), self.beta);
        // A key set on the request itself (the builder's `idempotency_key`) is the caller's.
        if idempotency::applies_to(request.method()) && !request.headers().contains_key(idempotency::HEADER) {
            let key = self.fixed_key.clone().or_else(|| self.idempotency.key_for(&request));
            if let Some(key) = key {
                request.headers_mut().insert(idempotency::HEADER, key);
            }
        }
        let keyed = request.headers().contains_key(idempotency::HEADER);
        let version = request.headers().get(versioning::X_VERSION).cloned();
        let retry_safe = !idempotency::applies_to(request.method()) || keyed;
        let span = tracing::Span::current();
        let mut attempt: u32 = 0;
        let mut reauthenticated = false;
        let mut original = Some(request);
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let refreshable = !reauthenticated && self.credentials.as_ref().is_some_and(|c| c.refreshable());
            let might_resend = attempt < self.retry.max_attempts || refreshable;
            // Keep the original for another attempt when one may follow and the body allows it
            // (a streamed upload does not, and is then sent once).
            let copy = match (&original, might_resend) {
                (Some(source), true) => source.try_clone(),
                _ => None,
            };
            let mut this = match copy.or_else(|| original.take()) {
                Some(request) => request,
                None => return Err(Error::InvalidRequest("the request cannot be sent again".into())),
            };
            let can_repeat = original.is_some();
            let call = hook::Call { operation, attempt };
            for hook in self.hooks.iter() {
                hook.on_request(&mut this, &call);
            }
            let used = match &self.credentials {
                Some(credentials) => {
                    let header = credentials.authorization().await?;
                    this.headers_mut().insert(AUTHORIZATION, header.clone());
                    Some(header)
                }
                None => None,
            };
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            let repeatable = retry_safe && can_repeat;
            let started = std::time::Instant::now();
            match http.execute(this).await {
                Ok(response) => {
                    let elapsed = started.elapsed();
                    let status = response.status().as_u16();
                    span.record("status", status);
                    if let Some(id) = request_id(&response) {
                        span.record("request_id", id);
                    }
                    if status == 401 && !reauthenticated && can_repeat {
                        if let (Some(credentials), Some(used)) = (&self.credentials, &used) {
                            if credentials.unauthorized(used).await? {
                                self.report(call, elapsed, Some(&response), true);
                                reauthenticated = true;
                                tracing::debug!("401: credentials refreshed, sending once more");
                                attempt -= 1;
                                continue;
                            }
                        }
                    }
                    let outcome = Attempt::Status { status, retry_after: retry_after(&response) };
                    let decision = self.retry.decide(outcome, attempt, repeatable);
                    self.report(call, elapsed, Some(&response), matches!(decision, Decision::Retry(_)));
                    match decision {
                        Decision::Done => {
                            self.observe(&response, &operation, version.as_ref());
                            return Ok(response);
                        }
                        Decision::Retry(wait) => {
                            let wait = self.wait(wait, attempt);
                            if status == 429 && keyed && tracing::enabled!(tracing::Level::DEBUG) {
                                // Read only to tell a key conflict from the rate limit in the log:
                                // both are retried after `Retry-After` with the same key, and the
                                // log line quotes nothing from the body.
                                let error = Error::from_response(response).await;
                                if matches!(&error, Error::RateLimited { error, .. } if idempotency::is_conflict(keyed, error))
                                {
                                    tracing::debug!(
                                        wait_ms = wait.as_millis() as u64,
                                        "idempotency key in use by a request Deel is still performing; \
                                         retrying with the same key"
                                    );
                                }
                            }
                            tracing::debug!(status, wait_ms = wait.as_millis() as u64, "retrying");
                            tokio::time::sleep(wait).await;
                        }
                        Decision::Stop => return Err(self.error(response, used.as_ref(), keyed).await),
                    }
                }
                Err(e) => {
                    let elapsed = started.elapsed();
                    let outcome = if e.is_connect() { Attempt::ConnectFailed } else { Attempt::OtherFailure };
                    let decision = self.retry.decide(outcome, attempt, repeatable);
                    self.report(call, elapsed, None, matches!(decision, Decision::Retry(_)));
                    match decision {
                        Decision::Retry(wait) => {
                            let wait = self.wait(wait, attempt);
                            tracing::debug!(error = %e, wait_ms = wait.as_millis() as u64, "connection failed, retrying");
                            tokio::time::sleep(wait).await;
                        }
                        Decision::Done | Decision::Stop => return Err(Error::from(e)),
                    }
                }
            }
        }
    }

    /// What a success response says beside its body: a replay of an earlier request with the
    /// same idempotency key (DEBUG), or a deprecated version (one WARN per operation and client).
    fn observe(&self, response: &reqwest::Response, operation: &Operation, version: Option<&HeaderValue>) {
        if let Some(original) = response.headers().get(idempotency::ORIGINAL_REQUEST_ID) {
            tracing::debug!(
                original_request_id = original.to_str().unwrap_or("?"),
                "Deel replayed the response to an earlier request with this idempotency key"
            );
        }
        if let Some(versioning::Lifecycle::Deprecated { sunset }) = versioning::lifecycle(response.headers())
        {
            let key = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                ("deprecated", operation.id).hash(&mut h);
                h.finish()
            };
            let mut warned = self.warned.lock().unwrap_or_else(|p| p.into_inner());
            if !warned.contains(&key) {
                if warned.len() < WARNED_CAP {
                    warned.insert(key);
                }
                tracing::warn!(
                    operation = operation.id,
                    version = version.and_then(|v| v.to_str().ok()),
                    sunset = sunset.as_deref(),
                    "Deel reports this API version as deprecated (logged once per operation and client)"
                );
            }
        }
    }

    /// Tells the hooks what an attempt came to.
    fn report(
        &self,
        call: hook::Call,
        elapsed: Duration,
        response: Option<&reqwest::Response>,
        retried: bool,
    ) {
        if self.hooks.is_empty() {
            return;
        }
        let none = reqwest::header::HeaderMap::new();
        let attempt = hook::Attempt {
            call,
            elapsed,
            status: response.map(reqwest::Response::status),
            headers: response.map_or(&none, reqwest::Response::headers),
            retried,
        };
        for hook in self.hooks.iter() {
            hook.on_response(&attempt);
        }
    }

    fn wait(&self, wait: Wait, attempt: u32) -> Duration {
        match wait {
            Wait::Exactly(wait) => wait,
            Wait::Backoff => self.retry.backoff(attempt),
        }
    }

    /// The typed error of a response that is not a success, with every credential this client
    /// holds (and the token the request was sent with) scrubbed from its texts.
    async fn error(&self, response: reqwest::Response, used: Option<&HeaderValue>, keyed: bool) -> Error {
        let mut error = match Error::from_response(response).await {
            // Deel's idempotency conflict, not its rate limit (see `idempotency::is_conflict`).
            Error::RateLimited { retry_after, error } if idempotency::is_conflict(keyed, &error) => {
                Error::IdempotencyConflict { retry_after, error }
            }
            other => other,
        };
        let mut secrets: Vec<String> = self.credentials.as_ref().map(|c| c.secrets()).unwrap_or_default();
        if let Some(token) = used.and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer ")) {
            secrets.push(token.to_string());
        }
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        error.redact(&secrets);
        error
    }
}

fn request_id(response: &reqwest::Response) -> Option<&str> {
    crate::runtime::request_id::REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| response.headers().get(*h)?.to_str().ok())
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    crate::runtime::retry::parse_retry_after(response.headers().get(RETRY_AFTER)?.to_str().ok()?)
}
