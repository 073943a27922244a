//! How one side reaches the other: in the same process ([`LocalPeer`]) or over HTTP
//! ([`HttpPeer`]) with every request signed by an HMAC under the shared secret, stamped with
//! the time and a nonce so a captured request cannot be replayed.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, SyncEvent};
use tandem_core::{Clock, Side};

use crate::SyncError;
use crate::side::SideStore;
use crate::status::{DirectionStatus, direction_status};

/// The other side, as a relay or a reconcile pass uses it.
#[async_trait]
pub trait Peer: Send + Sync + 'static {
    /// Which side this is.
    fn side(&self) -> Side;
    /// Applies events in order; one outcome per event.
    async fn apply(&self, events: &[SyncEvent]) -> Result<Vec<ApplyOutcome>, SyncError>;
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError>;
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError>;
    /// The direction this side sends.
    async fn status(&self) -> Result<DirectionStatus, SyncError>;
    /// Re-queues this side's parked events (all, or the one with `event_id`); how many.
    async fn retry(&self, event_id: Option<&str>) -> Result<u64, SyncError>;
}

/// Events applied in one transaction.
pub const APPLY_CHUNK: usize = 50;

/// Applies events in order, one outcome each: one transaction for up to [`APPLY_CHUNK`] of
/// them. When one fails, its chunk is rolled back and applied again an event at a time, so
/// only the failing one is refused.
pub async fn apply_all(
    side: &dyn SideStore,
    events: &[SyncEvent],
) -> Result<Vec<ApplyOutcome>, SyncError> {
    let mut out = Vec::with_capacity(events.len());
    for chunk in events.chunks(APPLY_CHUNK) {
        let mut tx = side.db().begin().await?;
        let mut outcomes = Vec::with_capacity(chunk.len());
        for event in chunk {
            let outcome = side.apply_in(&mut tx, event).await?;
            if matches!(outcome, ApplyOutcome::Failed { .. }) {
                break;
            }
            outcomes.push(outcome);
        }
        if outcomes.len() == chunk.len() {
            tx.commit().await?;
            side.observe(chunk);
            out.extend(outcomes);
            continue;
        }
        drop(tx);
        for event in chunk {
            let mut tx = side.db().begin().await?;
            let outcome = side.apply_in(&mut tx, event).await?;
            if !matches!(outcome, ApplyOutcome::Failed { .. }) {
                tx.commit().await?;
                side.observe(std::slice::from_ref(event));
            }
            out.push(outcome);
        }
    }
    Ok(out)
}

pub async fn retry_parked(side: &dyn SideStore, event_id: Option<&str>) -> Result<u64, SyncError> {
    let n = side
        .tables()
        .retry_failed(side.db(), side.now().timestamp_millis(), event_id)
        .await?;
    if n > 0 {
        side.signal().notify_one();
    }
    Ok(n)
}

/// A side in this process.
pub struct LocalPeer(pub Arc<dyn SideStore>);

#[async_trait]
impl Peer for LocalPeer {
    fn side(&self) -> Side {
        self.0.side()
    }
    async fn apply(&self, events: &[SyncEvent]) -> Result<Vec<ApplyOutcome>, SyncError> {
        apply_all(self.0.as_ref(), events).await
    }
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError> {
        self.0.states(entity, ids).await
    }
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError> {
        self.0.digests(entity, after, limit).await
    }
    async fn status(&self) -> Result<DirectionStatus, SyncError> {
        direction_status(self.0.as_ref()).await
    }
    async fn retry(&self, event_id: Option<&str>) -> Result<u64, SyncError> {
        retry_parked(self.0.as_ref(), event_id).await
    }
}

pub const HEADER_TIMESTAMP: &str = "x-tandem-sync-timestamp";
pub const HEADER_NONCE: &str = "x-tandem-sync-nonce";
pub const HEADER_SIGNATURE: &str = "x-tandem-sync-signature";
/// How far a signed request's timestamp may be from the receiver's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;
/// The shortest shared secret accepted.
pub const MIN_SECRET_LEN: usize = 32;

/// The most event bytes one `/sync/v1/apply` request carries (the server accepts 1 MiB).
pub const MAX_APPLY_BYTES: usize = 512 * 1024;

/// The HMAC-SHA256 (hex) of a request: method, path, timestamp, nonce and body.
/// The signature of a peer request to the `to` side: HMAC-SHA256 under the shared secret over
/// the receiving side, method, path, timestamp, nonce and body (naming the receiver keeps a
/// request captured on its way to one half from being replayed to the other).
pub fn sign(
    secret: &[u8],
    to: Side,
    method: &str,
    path: &str,
    ts: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(format!("{}\n{method}\n{path}\n{ts}\n{nonce}\n", to.name()).as_bytes());
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bodies of the peer endpoints.
#[derive(Debug, Serialize, Deserialize)]
pub struct ApplyBody {
    pub events: Vec<SyncEvent>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ApplyReply {
    pub outcomes: Vec<ApplyOutcome>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StatesBody {
    pub entity: Entity,
    pub ids: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StatesReply {
    pub states: Vec<(String, FieldState)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DigestsBody {
    pub entity: Entity,
    pub after: Option<String>,
    pub limit: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DigestsReply {
    /// `[id, digest as 16 hex digits]`.
    pub digests: Vec<(String, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RetryReply {
    pub retried: u64,
}

/// The other side, in another process, at `base_url`.
pub struct HttpPeer {
    side: Side,
    base_url: String,
    secret: Arc<Vec<u8>>,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl HttpPeer {
    pub fn new(
        side: Side,
        base_url: &str,
        secret: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, SyncError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| SyncError::Link(e.to_string()))?;
        Ok(Self {
            side,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret: Arc::new(secret.as_bytes().to_vec()),
            client,
            clock,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, SyncError> {
        let body = serde_json::to_vec(body).map_err(|e| SyncError::Link(e.to_string()))?;
        let ts = self.clock.now().timestamp_millis();
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).map_err(|e| SyncError::Link(e.to_string()))?;
        let nonce = hex(&raw);
        let signature = sign(&self.secret, self.side, "POST", path, ts, &nonce, &body);
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header(HEADER_TIMESTAMP, ts.to_string())
            .header(HEADER_NONCE, nonce)
            .header(HEADER_SIGNATURE, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| SyncError::Link(format!("{}{path}: {e}", self.base_url)))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(SyncError::Link(format!(
                "{}{path} answered {status}: {}",
                self.base_url,
                text.chars().take(500).collect::<String>()
            )));
        }
        response.json().await.map_err(|e| {
            SyncError::Link(format!("{}{path}: unreadable answer: {e}", self.base_url))
        })
    }
}

#[async_trait]
impl Peer for HttpPeer {
    fn side(&self) -> Side {
        self.side
    }
    async fn apply(&self, events: &[SyncEvent]) -> Result<Vec<ApplyOutcome>, SyncError> {
        // Requests stay well under the server's body limit: a batch of large events goes in
        // several requests, in order. (Text fields are bounded, so one event always fits.)
        let mut outcomes = Vec::with_capacity(events.len());
        let mut start = 0;
        while start < events.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < events.len() {
                let size = serde_json::to_vec(&events[end]).map_or(0, |v| v.len());
                if end > start && bytes + size > MAX_APPLY_BYTES {
                    break;
                }
                bytes += size;
                end += 1;
            }
            let chunk = &events[start..end];
            let reply: ApplyReply = self
                .call(
                    "/sync/v1/apply",
                    &ApplyBody {
                        events: chunk.to_vec(),
                    },
                )
                .await?;
            if reply.outcomes.len() != chunk.len() {
                return Err(SyncError::Link(format!(
                    "the peer answered {} outcomes for {} events",
                    reply.outcomes.len(),
                    chunk.len()
                )));
            }
            outcomes.extend(reply.outcomes);
            start = end;
        }
        Ok(outcomes)
    }
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError> {
        let reply: StatesReply = self
            .call(
                "/sync/v1/states",
                &StatesBody {
                    entity,
                    ids: ids.to_vec(),
                },
            )
            .await?;
        Ok(reply.states)
    }
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError> {
        let reply: DigestsReply = self
            .call(
                "/sync/v1/digests",
                &DigestsBody {
                    entity,
                    after: after.map(str::to_owned),
                    limit,
                },
            )
            .await?;
        reply
            .digests
            .into_iter()
            .map(|(id, d)| {
                u64::from_str_radix(&d, 16)
                    .map(|d| (id, d))
                    .map_err(|_| SyncError::Link(format!("the peer sent a malformed digest {d}")))
            })
            .collect()
    }
    async fn status(&self) -> Result<DirectionStatus, SyncError> {
        self.call("/sync/v1/peer/status", &serde_json::json!({}))
            .await
    }
    async fn retry(&self, event_id: Option<&str>) -> Result<u64, SyncError> {
        let reply: RetryReply = self
            .call(
                "/sync/v1/peer/retry",
                &serde_json::json!({ "eventId": event_id }),
            )
            .await?;
        Ok(reply.retried)
    }
}
