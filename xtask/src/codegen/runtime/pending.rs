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

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::{Error, Operation};

/// A boxed, sendable future of `T`.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// An operation's call, still to come: `.await` it to send the request and get the decoded value
/// or a typed [`Error`].
///
/// `T` is the success body's type and `K` how the body is read: [`Json`] (the default), [`Empty`]
/// or [`Stream`]. Nothing is sent until the first poll.
#[must_use = "a request is sent only when its `Pending` is awaited"]
pub struct Pending<'a, T, K: Body = Json> {
    received: Boxed<'a, K::Received>,
    decoded: PhantomData<fn() -> T>,
}

impl<'a, T, K: Body> Pending<'a, T, K> {
    /// Starts the call of `operation` (used by the generated operations).
    #[doc(hidden)]
    pub fn new(
        client: &'a crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Self {
        Self { received: K::receive(client, request, operation), decoded: PhantomData }
    }
}

impl<T, K: Body> std::fmt::Debug for Pending<'_, T, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl<T: serde::de::DeserializeOwned> Future for Pending<'_, T, Json> {
    type Output = Result<ResponseValue<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (status, headers, bytes) = match self.get_mut().received.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(received)) => received,
        };
        Poll::Ready(match serde_json::from_slice::<T>(&bytes) {
            Ok(value) => Ok(ResponseValue::new(value, status, headers)),
            Err(e) => Err(Error::decode(status.as_u16(), &e.to_string(), &bytes)),
        })
    }
}

impl Future for Pending<'_, (), Empty> {
    type Output = Result<ResponseValue<()>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().received.as_mut().poll(cx)
    }
}

impl Future for Pending<'_, ByteStream, Stream> {
    type Output = Result<ResponseValue<ByteStream>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().received.as_mut().poll(cx)
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
    fn receive<'a>(
        client: &'a crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Boxed<'a, Self::Received>;
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

    fn receive<'a>(
        client: &'a crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Boxed<'a, Self::Received> {
        Box::pin(async move {
            let mut response = respond(client, request, operation).await?;
            let status = response.status();
            // Moved, not cloned: reading the body does not need them.
            let headers = std::mem::take(response.headers_mut());
            let bytes = response.bytes().await.map_err(Error::from)?;
            Ok((status, headers, bytes))
        })
    }
}

impl Body for Empty {
    type Received = ResponseValue<()>;

    fn receive<'a>(
        client: &'a crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Boxed<'a, Self::Received> {
        Box::pin(async move {
            let mut response = respond(client, request, operation).await?;
            let headers = std::mem::take(response.headers_mut());
            Ok(ResponseValue::new((), response.status(), headers))
        })
    }
}

impl Body for Stream {
    type Received = ResponseValue<ByteStream>;

    fn receive<'a>(
        client: &'a crate::Client,
        request: reqwest::Result<reqwest::Request>,
        operation: Operation,
    ) -> Boxed<'a, Self::Received> {
        Box::pin(async move { Ok(ResponseValue::stream(respond(client, request, operation).await?)) })
    }
}

/// Sends the request through the installed transport (straight through `reqwest` without one)
/// and passes a 2xx response on; a request that could not be built, a transport failure or
/// another status becomes the matching [`Error`].
async fn respond(
    client: &crate::Client,
    request: reqwest::Result<reqwest::Request>,
    operation: Operation,
) -> Result<reqwest::Response, Error> {
    use progenitor_client::ClientInfo;
    let request = request.map_err(Error::from)?;
    let response = match client.inner().transport() {
        Some(transport) => transport.execute(client.client(), request, operation).await?,
        None => client.client().execute(request).await.map_err(Error::from)?,
    };
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(Error::from_response(response).await)
    }
}
