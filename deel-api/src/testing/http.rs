//! A small HTTP/1 server on 127.0.0.1 shared by the replay server and the recorder.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::fixture::QueryValue;
use crate::auth::BoxFuture;

/// Request bodies above this size are refused with 413 rather than buffered.
pub(crate) const MAX_BODY: usize = 32 * 1024 * 1024;

/// A request as the handlers see it.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// A response to send back.
pub(crate) struct Outgoing {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Outgoing {
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Self {
        Outgoing {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
        }
    }
}

pub(crate) type Handler = Arc<dyn Fn(Incoming) -> BoxFuture<'static, Outgoing> + Send + Sync>;

/// A running server; stops accepting connections when dropped.
pub(crate) struct Server {
    pub addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Starts serving `handler` on `127.0.0.1:0`.
pub(crate) async fn serve(handler: Handler) -> std::io::Result<Server> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(respond(handler, req).await) }
                });
                // A client that hangs up mid-request is not the server's problem.
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok(Server { addr, accept })
}

async fn respond(
    handler: Handler,
    req: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let message =
                serde_json::json!({ "errors": [{ "message": format!("request body refused: {e}") }] });
            return to_hyper(Outgoing::json(413, &message));
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        body,
    };
    to_hyper(handler(incoming).await)
}

fn to_hyper(out: Outgoing) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(out.body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(out.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in out.headers {
        if let (Ok(name), Ok(value)) =
            (hyper::header::HeaderName::try_from(name), hyper::header::HeaderValue::try_from(value))
        {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// `a=1&b=2&b=3` → `{a: "1", b: ["2", "3"]}`, percent-decoded.
pub(crate) fn query_map(query: Option<&str>) -> std::collections::BTreeMap<String, QueryValue> {
    let mut grouped: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in query_pairs(query) {
        grouped.entry(k).or_default().push(v);
    }
    grouped.into_iter().map(|(k, v)| (k, QueryValue::from_values(v))).collect()
}

/// `a=1&b=2&b=3` → pairs, percent-decoded.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}
