//! [`Pending`]: what an operation's `send()` returns, the response still to come.
//!
//! All operations share a non-generic future (one per way of reading the body) that sends the
//! request and reads the body; only the last step, decoding into the operation's type, is
//! generic. So the generated crate holds no state machine per operation, and a decoder is
//! compiled only for the operations a program awaits, in that program.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use progenitor_client::ByteStream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::decode::{self, DecodeMode, Lenient};
use super::transport::DeelTransport;
use super::{Error, Operation, Response};

/// A boxed, sendable future of `T`.
type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// An operation's call, still to come: `.await` it to send the request and get the decoded value
/// or a typed [`Error`].
///
/// `T` is the success body's type and `K` how the body is read: [`Json`] (the default), [`Empty`]
/// or [`Stream`]. Nothing is sent until the first poll. It borrows nothing: it can be stored,
/// moved to another task and awaited there.
#[must_use = "a request is sent only when its `Pending` is awaited"]
pub struct Pending<T, K: Body = Json> {
    /// The request and what sends it, until the first poll (options may still change it).
    ready: Option<(Sender, Result<reqwest::Request, Error>)>,
    /// The call under way, from the first poll.
    received: Option<Boxed<K::Received>>,
    /// Told of corrections, and says how to decode.
    transport: Arc<DeelTransport>,
    operation: Operation,
    decoded: PhantomData<fn() -> T>,
}

impl<T, K: Body> Pending<T, K> {
    /// Starts the call of `operation` (used by the generated operations).
    #[doc(hidden)]
    pub fn new(
        client: &crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Self {
        use progenitor_client::ClientInfo;
        let transport = client.inner().transport().clone();
        let sender = Sender { transport: transport.clone(), http: client.client().clone() };
        let request = request.map_err(Error::from);
        Self { ready: Some((sender, request)), received: None, transport, operation, decoded: PhantomData }
    }

    /// Applies per-call options (from a request builder) before anything is sent.
    #[doc(hidden)]
    pub fn with_options(mut self, options: CallOptions) -> Self {
        if let Some((_, Ok(request))) = &mut self.ready {
            if let Some(timeout) = options.timeout {
                *request.timeout_mut() = Some(timeout);
            }
            for (name, value) in options.headers {
                request.headers_mut().insert(name, value);
            }
        }
        if let (Some(error), Some((_, request))) = (options.error, &mut self.ready) {
            *request = Err(Error::InvalidRequest(error));
        }
        self
    }

    /// The call under way, started on first use.
    fn received(&mut self) -> &mut Boxed<K::Received> {
        let (operation, ready) = (self.operation, &mut self.ready);
        self.received.get_or_insert_with(|| start::<K>(ready.take(), operation))
    }

    fn into_received(mut self) -> Boxed<K::Received> {
        match self.received.take() {
            Some(received) => received,
            None => start::<K>(self.ready.take(), self.operation),
        }
    }
}

fn start<K: Body>(
    ready: Option<(Sender, Result<reqwest::Request, Error>)>,
    operation: Operation,
) -> Boxed<K::Received> {
    match ready {
        Some((sender, request)) => K::receive(sender, request, operation),
        None => Box::pin(async { Err(Error::InvalidRequest("this call was already started".into())) }),
    }
}

/// Options of one call, set on its request builder: sent with this request only, whatever the
/// client's configuration.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    timeout: Option<std::time::Duration>,
    headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    /// Why a header could not be set, reported when the call is awaited.
    error: Option<String>,
}

impl CallOptions {
    /// Time allowed for this call's request and response (each attempt).
    pub fn timeout(&mut self, timeout: std::time::Duration) {
        self.timeout = Some(timeout);
    }

    /// Sends `name: value` with this call; an invalid name or value fails the call with
    /// [`Error::InvalidRequest`] when it is awaited.
    pub fn header(&mut self, name: &str, value: &str) {
        let parsed = reqwest::header::HeaderName::try_from(name)
            .ok()
            .zip(reqwest::header::HeaderValue::try_from(value).ok());
        match parsed {
            Some(header) => self.headers.push(header),
            None => self.error = Some(format!("`{name}` is not a valid header with that value")),
        }
    }

    /// Sends `key` as this call's `Idempotency-Key`: a POST or PATCH that carries one may be
    /// retried, and Deel performs it once however many times it arrives.
    pub fn idempotency_key(&mut self, key: &str) {
        self.header("idempotency-key", key);
    }
}

/// What sending needs from the client, owned (two reference-counted handles), so that a
/// [`Pending`] borrows nothing.
#[doc(hidden)]
pub struct Sender {
    transport: Arc<DeelTransport>,
    http: reqwest::Client,
}

impl<T> Pending<T, Json> {
    /// The success body as received, not decoded: for a response the SDK's types cannot read.
    /// Retries, credentials and error statuses are handled as for the typed call.
    pub async fn bytes(self) -> Result<Response<bytes::Bytes>, Error> {
        let (status, headers, bytes) = self.into_received().await?;
        Ok(Response::new(bytes, status, headers))
    }

    /// The success body as a `serde_json::Value` (an empty body reads as `null`), with the
    /// typed call's retries, credentials and errors.
    pub async fn json(self) -> Result<Response<serde_json::Value>, Error> {
        let (status, headers, bytes) = self.into_received().await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Response::new(serde_json::Value::Null, status, headers));
        }
        match decode::decode::<serde_json::Value>(status.as_u16(), bytes, DecodeMode::Strict) {
            Ok((value, _)) => Ok(Response::new(value, status, headers)),
            Err(e) => Err(Error::Decode(Box::new(e))),
        }
    }
}

impl<T, K: Body> std::fmt::Debug for Pending<T, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl<T> Future for Pending<T, Json>
where
    T: serde::de::DeserializeOwned + for<'de> Lenient<'de>,
{
    type Output = Result<Response<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (status, headers, bytes) = match this.received().as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(received)) => received,
        };
        let mode = this.transport.decode_mode();
        Poll::Ready(match decode::decode::<T>(status.as_u16(), bytes, mode) {
            Ok((value, corrections)) => {
                if !corrections.is_empty() {
                    this.transport.corrected(this.operation, &corrections);
                }
                Ok(Response::new(value, status, headers).with_corrections(corrections))
            }
            Err(e) => Err(Error::Decode(Box::new(e))),
        })
    }
}

impl Future for Pending<(), Empty> {
    type Output = Result<Response<()>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().received().as_mut().poll(cx)
    }
}

impl Future for Pending<ByteStream, Stream> {
    type Output = Result<Response<ByteStream>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().received().as_mut().poll(cx)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Json {}
    impl Sealed for super::Empty {}
    impl Sealed for super::Stream {}
}

/// How a success body is read: [`Json`], [`Empty`] or [`Stream`].
pub trait Body: sealed::Sealed {
    /// What is left to decode once the body is read.
    #[doc(hidden)]
    type Received: Send;

    /// Sends `request` and reads the success body this way.
    #[doc(hidden)]
    fn receive(
        sender: Sender,
        request: Result<reqwest::Request, Error>,
        operation: Operation,
    ) -> Boxed<Self::Received>;
}

/// The success body is JSON, decoded into the operation's type.
#[derive(Debug, Clone, Copy)]
pub enum Json {}

/// The success body is ignored (`204` and the like).
#[derive(Debug, Clone, Copy)]
pub enum Empty {}

/// The success body is handed over as a byte stream (downloads).
#[derive(Debug, Clone, Copy)]
pub enum Stream {}

impl Body for Json {
    type Received = (StatusCode, HeaderMap, bytes::Bytes);

    fn receive(
        sender: Sender,
        request: Result<reqwest::Request, Error>,
        operation: Operation,
    ) -> Boxed<Self::Received> {
        Box::pin(async move {
            let mut response = respond(&sender, request, operation).await?;
            let status = response.status();
            // Moved, not cloned: reading the body does not need them.
            let headers = std::mem::take(response.headers_mut());
            let bytes = response.bytes().await.map_err(Error::from)?;
            Ok((status, headers, bytes))
        })
    }
}

impl Body for Empty {
    type Received = Response<()>;

    fn receive(
        sender: Sender,
        request: Result<reqwest::Request, Error>,
        operation: Operation,
    ) -> Boxed<Self::Received> {
        Box::pin(async move {
            let mut response = respond(&sender, request, operation).await?;
            let headers = std::mem::take(response.headers_mut());
            Ok(Response::new((), response.status(), headers))
        })
    }
}

impl Body for Stream {
    type Received = Response<ByteStream>;

    fn receive(
        sender: Sender,
        request: Result<reqwest::Request, Error>,
        operation: Operation,
    ) -> Boxed<Self::Received> {
        Box::pin(async move {
            let mut response = respond(&sender, request, operation).await?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            Ok(Response::new(ByteStream::new(Box::pin(response.bytes_stream())), status, headers))
        })
    }
}

/// Sends the request through the client's transport and passes a 2xx response on; a request that could not be built, a transport failure or
/// another status becomes the matching [`Error`].
async fn respond(
    sender: &Sender,
    request: Result<reqwest::Request, Error>,
    operation: Operation,
) -> Result<reqwest::Response, Error> {
    let request = request?;
    super::check_path(request.url(), &operation)?;
    super::idempotency::check(&request)?;
    let response = sender.transport.execute(&sender.http, request, operation).await?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(Error::from_response(response).await)
    }
}
