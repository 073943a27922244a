//! What `GET /sync/v1/status` and `tandem sync status` report, per direction.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tandem_core::Side;
use tandem_sql::outbox::FailedEvent;

use crate::SyncError;
use crate::side::SideStore;

/// Counter names in each side's counters table (they describe that side's outbox).
pub const DELIVERED: &str = "delivered";
pub const CONFLICTS: &str = "conflicts_resolved";
pub const LAST_DELIVERY_MS: &str = "last_delivery_ms";
pub const PARKED_TOTAL: &str = "parked_total";

/// One direction of sync, as its sending side's store has it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DirectionStatus {
    /// `platform_to_baas` or `baas_to_platform`.
    pub direction: String,
    /// Events waiting for delivery (in backoff included; parked ones not).
    pub pending: i64,
    /// Of the pending events, those that failed at least once and wait out a backoff.
    pub retrying: i64,
    /// Events parked after failing repeatedly; `tandem sync retry` re-queues them.
    pub failed: i64,
    /// Age of the oldest undelivered event (parked included), in milliseconds.
    pub oldest_pending_age_ms: Option<i64>,
    pub last_delivery_at: Option<String>,
    /// Events accepted by the other side since the store was created.
    pub delivered: i64,
    /// Concurrent edits of the same field that last-writer-wins settled.
    pub conflicts_resolved: i64,
    /// The parked events (the first 20), with their errors.
    pub failed_events: Vec<FailedEvent>,
    /// The events in backoff (the first 20), with their last errors.
    pub retrying_events: Vec<FailedEvent>,
}

pub fn direction_name(from: Side) -> &'static str {
    match from {
        Side::Platform => "platform_to_baas",
        Side::Baas => "baas_to_platform",
    }
}

fn iso_ms(ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// The status of the direction `side` sends.
pub async fn direction_status(side: &dyn SideStore) -> Result<DirectionStatus, SyncError> {
    let tables = side.tables();
    let stats = tables.stats(side.db()).await?;
    let counters = tables.counters(side.db()).await?;
    let failed_events = tables.failed(side.db(), true, 20).await?;
    let retrying_events = tables.failed(side.db(), false, 20).await?;
    let now = side.now().timestamp_millis();
    Ok(DirectionStatus {
        direction: direction_name(side.side()).to_owned(),
        pending: stats.pending,
        retrying: stats.retrying,
        failed: stats.failed,
        oldest_pending_age_ms: stats.oldest_ms.map(|o| (now - o).max(0)),
        last_delivery_at: counters.get(LAST_DELIVERY_MS).and_then(|ms| iso_ms(*ms)),
        delivered: counters.get(DELIVERED).copied().unwrap_or(0),
        conflicts_resolved: counters.get(CONFLICTS).copied().unwrap_or(0),
        failed_events,
        retrying_events,
    })
}

/// The whole status: both directions (one may be unreachable in a split deployment).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `all-in-one`, `platform` or `baas` (the half this process runs).
    pub mode: String,
    pub directions: Vec<DirectionStatus>,
    /// Directions whose sending side could not be asked, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<Unreachable>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Unreachable {
    pub direction: String,
    pub error: String,
}
