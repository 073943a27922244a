//! The HTTP listener: accepts connections and serves them with bounds, so that slow, idle or
//! oversized clients cannot hold memory or file descriptors that ordinary clients need.
//!
//! - a request head (line and headers) must arrive within [`HttpLimits::header_timeout`] —
//!   hyper restarts that deadline for every request of a keep-alive connection, so it is also
//!   the idle timeout;
//! - a request body must arrive in full within [`HttpLimits::body_timeout`];
//! - a request head is at most [`HttpLimits::max_header_bytes`];
//! - at most [`HttpLimits::max_connections`] connections are open at once (and fewer when the
//!   process's file-descriptor limit would not leave room for the databases); further ones wait
//!   in the kernel's backlog until one closes.
//!
//! It may touch the socket and the router only; what a request means is the router's business.

use axum::extract::ConnectInfo;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::reply::error_response;

/// File descriptors kept free for the database pools, log files and SQLite's WAL files.
const RESERVED_FDS: u64 = 64;
/// How much of an oversized body is still read (and thrown away) before the 413 goes out, so
/// that a client that sends its whole body before reading the answer sees the 413, not a reset.
const MAX_DRAIN_BYTES: usize = 64 * 1024 * 1024;
/// Longest request URI (path and query) accepted: room for a ZenStack read's `q=` with a
/// few hundred ids.
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// Bounds on what one client connection may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_header_bytes: usize,
    pub max_body_bytes: usize,
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 32 * 1024,
            max_body_bytes: 1024 * 1024,
            max_connections: 1024,
        }
    }
}

impl HttpLimits {
    /// The connection cap actually used: the configured one, lowered when the process may
    /// open only `fds` files.
    pub fn connection_cap(&self, fds: Option<u64>) -> usize {
        let room = fds.map_or(usize::MAX, |n| {
            usize::try_from(n.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX)
        });
        self.max_connections.clamp(1, room.max(1))
    }
}

/// Raises the soft file-descriptor limit to the hard one (as Go and nginx do) and returns it.
fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum
        && setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )
        .is_ok()
    {
        return limit.maximum;
    }
    limit.current
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves, then lets open
/// connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router.layer(axum::middleware::from_fn_with_state(limits, read_body));
    let max_connections = limits.connection_cap(raise_fd_limit());
    let slots = Arc::new(Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // hyper's own bound (a 431 with an empty body) is past what `read_body` answers with
        // a JSON 414/431, so clients near the limits get the readable error.
        .max_header_size(MAX_URI_BYTES + limits.max_header_bytes * 2)
        .max_buf_size(MAX_URI_BYTES + limits.max_header_bytes * 2 + 8 * 1024);
    tracing::debug!(max_connections, "accepting connections");
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(&err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        // The peer address, for per-IP rate limits (`ConnectInfo` as axum's extractor reads it).
        let service = TowerToHyperService::new(tower::Layer::layer(
            &axum::Extension(ConnectInfo(peer)),
            router.clone(),
        ));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Accept errors are about one connection (it was reset before we took it) or about this
/// process (out of file descriptors): neither may end the server. Back off a little on the
/// latter so the loop does not spin.
async fn accept_failed(err: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %err, "cannot accept a connection; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Reads the whole request body, within the body deadline and the size limit, before the
/// request reaches a handler.
async fn read_body(State(limits): State<HttpLimits>, request: Request, next: Next) -> Response {
    if let Some(refusal) = head_refused(&request, &limits) {
        return close(refusal);
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(limits.body_timeout, collect(body, limits.max_body_bytes));
    match read.await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(BodyRead::TooLarge)) => too_large(limits.max_body_bytes),
        Ok(Err(BodyRead::Broken)) => error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST_BODY",
            "the request body could not be read (the connection broke off, or its framing is invalid)".into(),
        ),
        Err(_) => close(error_response(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            format!(
                "the request body did not arrive within {} s",
                limits.body_timeout.as_secs()
            ),
        )),
    }
}

/// URIs and header blocks past the documented bounds (hyper's own bound is larger).
fn head_refused(request: &Request, limits: &HttpLimits) -> Option<Response> {
    let uri = request.uri().to_string().len();
    if uri > MAX_URI_BYTES {
        return Some(error_response(
            StatusCode::URI_TOO_LONG,
            "URI_TOO_LONG",
            format!(
                "the request URI is {uri} bytes long; at most {MAX_URI_BYTES} are accepted (send large queries in a POST body)"
            ),
        ));
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (headers > limits.max_header_bytes).then(|| {
        error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            format!(
                "the request headers take {headers} bytes; at most {} KiB are accepted",
                limits.max_header_bytes / 1024
            ),
        )
    })
}

enum BodyRead {
    TooLarge,
    Broken,
}

/// Collects up to `max` bytes; past that, keeps reading and discarding (up to
/// [`MAX_DRAIN_BYTES`]) so the client's send completes before the 413 is written.
async fn collect(mut body: Body, max: usize) -> Result<axum::body::Bytes, BodyRead> {
    let mut buffer = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyRead::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen <= max {
            buffer.extend_from_slice(&data);
        } else if seen > max.saturating_add(MAX_DRAIN_BYTES) {
            return Err(BodyRead::TooLarge);
        }
    }
    if seen > max {
        return Err(BodyRead::TooLarge);
    }
    Ok(buffer.into())
}

fn too_large(max: usize) -> Response {
    close(error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("the request body is larger than {} KiB", max / 1024),
    ))
}

/// Asks hyper to close the connection after this response.
fn close(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_room_for_the_databases() {
        let limits = HttpLimits::default();
        assert_eq!(
            limits.connection_cap(None),
            1024,
            "no known limit: as configured"
        );
        assert_eq!(limits.connection_cap(Some(1_048_576)), 1024);
        assert_eq!(
            limits.connection_cap(Some(256)),
            256 - 64,
            "64 fds stay free"
        );
        assert_eq!(
            limits.connection_cap(Some(20)),
            16,
            "a tiny limit still serves someone"
        );
    }
}
