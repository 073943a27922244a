//! The sync engine's HTTP surface.
//!
//! For operators (service-account credentials): `GET /sync/v1/status`,
//! `POST /sync/v1/reconcile`, `POST /sync/v1/retry`; and `GET /metrics` (Prometheus text).
//!
//! For the other half of a split deployment (HMAC-signed, replay-safe): `POST /sync/v1/apply`,
//! `/sync/v1/states`, `/sync/v1/digests`, `/sync/v1/peer/status`, `/sync/v1/peer/retry`.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::link::{
    self, ApplyBody, ApplyReply, DigestsBody, DigestsReply, HEADER_NONCE, HEADER_SIGNATURE,
    HEADER_TIMESTAMP, MAX_SKEW_MS, RetryReply, StatesBody, StatesReply,
};
use crate::side::SideStore;
use crate::{SyncEngine, SyncError};

/// Decides whether a request carries the service account's credentials.
#[async_trait]
pub trait OperatorAuth: Send + Sync + 'static {
    async fn is_operator(&self, headers: &HeaderMap) -> bool;
    /// What to send, for the 401's message (only what this process accepts).
    fn accepted(&self) -> &'static str;
}

#[derive(Clone)]
struct SyncState {
    engine: Arc<SyncEngine>,
    auth: Arc<dyn OperatorAuth>,
}

pub fn router(engine: Arc<SyncEngine>, auth: Arc<dyn OperatorAuth>) -> Router {
    Router::new()
        .route("/sync/v1/status", get(status))
        .route("/sync/v1/reconcile", post(reconcile))
        .route("/sync/v1/retry", post(retry))
        .route("/metrics", get(metrics))
        .route("/sync/v1/apply", post(peer_apply))
        .route("/sync/v1/states", post(peer_states))
        .route("/sync/v1/digests", post(peer_digests))
        .route("/sync/v1/peer/status", post(peer_status))
        .route("/sync/v1/peer/retry", post(peer_retry))
        .with_state(SyncState { engine, auth })
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"statusCode": status.as_u16(), "errorCode": code, "message": message.into()})),
    )
        .into_response()
}

fn failed(err: &SyncError) -> Response {
    match err {
        SyncError::Link(_) => error(
            StatusCode::BAD_GATEWAY,
            "SYNC_PEER_UNREACHABLE",
            err.to_string(),
        ),
        SyncError::Store(_) => {
            tracing::error!(error = %err, "sync request failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SYNC_STORE_UNAVAILABLE",
                "the sync store does not answer; see the server log",
            )
        }
    }
}

async fn operator(state: &SyncState, headers: &HeaderMap) -> Result<(), Response> {
    if state.auth.is_operator(headers).await {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            format!(
                "sync endpoints need the environment's credentials: send {}",
                state.auth.accepted()
            ),
        ))
    }
}

async fn status(State(state): State<SyncState>, headers: HeaderMap) -> Response {
    if let Err(r) = operator(&state, &headers).await {
        return r;
    }
    Json(state.engine.status().await).into_response()
}

async fn reconcile(State(state): State<SyncState>, headers: HeaderMap) -> Response {
    if let Err(r) = operator(&state, &headers).await {
        return r;
    }
    match state.engine.reconcile().await {
        Ok(report) => Json(report).into_response(),
        Err(err) => failed(&err),
    }
}

async fn retry(State(state): State<SyncState>, headers: HeaderMap) -> Response {
    if let Err(r) = operator(&state, &headers).await {
        return r;
    }
    match state.engine.retry(None).await {
        Ok(n) => Json(RetryReply { retried: n }).into_response(),
        Err(err) => failed(&err),
    }
}

async fn metrics(State(state): State<SyncState>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.engine.metrics_text().await,
    )
        .into_response()
}

/// Checks a peer request's signature, freshness and nonce; the local side it addresses.
async fn verify(
    state: &SyncState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Arc<dyn SideStore>, Response> {
    let (Some(secret), [local]) = (&state.engine.secret, state.engine.local.as_slice()) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "the sync peer link is served only by split deployments (`tandem serve --only …`)",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let unauthorized = |code: &str, message: &str| error(StatusCode::UNAUTHORIZED, code, message);
    let (Some(ts), Some(nonce), Some(signature)) = (
        header(HEADER_TIMESTAMP).and_then(|t| t.parse::<i64>().ok()),
        header(HEADER_NONCE).filter(|n| (16..=128).contains(&n.len())),
        header(HEADER_SIGNATURE),
    ) else {
        return Err(unauthorized(
            "SYNC_SIGNATURE_MISSING",
            "peer requests must be signed (timestamp, nonce and signature headers)",
        ));
    };
    let expected = link::sign(secret, local.side(), "POST", uri.path(), ts, nonce, body);
    if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
        return Err(unauthorized(
            "SYNC_SIGNATURE_INVALID",
            "the request signature does not match: both processes need the same TANDEM_SYNC_SECRET",
        ));
    }
    let now = local.now().timestamp_millis();
    if (now - ts).abs() > MAX_SKEW_MS {
        return Err(unauthorized(
            "SYNC_STALE_REQUEST",
            "the request is too old (or the two hosts' clocks differ by more than 5 minutes)",
        ));
    }
    match local.tables().remember_nonce(local.db(), nonce, now).await {
        Ok(true) => Ok(local.clone()),
        Ok(false) => Err(unauthorized(
            "SYNC_REPLAYED",
            "this signed request was already received",
        )),
        Err(err) => Err(failed(&err.into())),
    }
}

/// A verified peer request's local side and its parsed body.
async fn signed<T: DeserializeOwned>(
    state: &SyncState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Arc<dyn SideStore>, T), Response> {
    let local = verify(state, uri, headers, body).await?;
    let request = serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "SYNC_BAD_REQUEST",
            format!("unreadable sync request: {e}"),
        )
    })?;
    Ok((local, request))
}

/// The JSON answer, or the error of a failed store or link.
fn reply<T: Serialize>(result: Result<T, SyncError>) -> Response {
    match result {
        Ok(answer) => Json(answer).into_response(),
        Err(err) => failed(&err),
    }
}

async fn peer_apply(
    State(state): State<SyncState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match signed::<ApplyBody>(&state, &uri, &headers, &body).await {
        Ok((local, req)) => reply(
            link::apply_all(local.as_ref(), &req.events)
                .await
                .map(|outcomes| ApplyReply { outcomes }),
        ),
        Err(r) => r,
    }
}

async fn peer_states(
    State(state): State<SyncState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match signed::<StatesBody>(&state, &uri, &headers, &body).await {
        Ok((local, req)) => reply(
            local
                .states(req.entity, &req.ids)
                .await
                .map(|states| StatesReply { states }),
        ),
        Err(r) => r,
    }
}

async fn peer_digests(
    State(state): State<SyncState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match signed::<DigestsBody>(&state, &uri, &headers, &body).await {
        Ok((local, req)) => reply(
            local
                .digests(req.entity, req.after.as_deref(), req.limit.min(5000))
                .await
                .map(|d| DigestsReply {
                    digests: d
                        .into_iter()
                        .map(|(id, d)| (id, format!("{d:016x}")))
                        .collect(),
                }),
        ),
        Err(r) => r,
    }
}

async fn peer_status(
    State(state): State<SyncState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match verify(&state, &uri, &headers, &body).await {
        Ok(local) => reply(crate::status::direction_status(local.as_ref()).await),
        Err(r) => r,
    }
}

async fn peer_retry(
    State(state): State<SyncState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match verify(&state, &uri, &headers, &body).await {
        Ok(local) => {
            let event_id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("eventId").and_then(|e| e.as_str()).map(str::to_owned));
            reply(
                link::retry_parked(local.as_ref(), event_id.as_deref())
                    .await
                    .map(|retried| RetryReply { retried }),
            )
        }
        Err(r) => r,
    }
}
