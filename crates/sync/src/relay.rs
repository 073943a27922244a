//! The relay: delivers one side's outbox to the other, oldest first, in batches, at least
//! once. It wakes as soon as a commit records an event, and polls as a fallback (for events
//! coming out of backoff, and for commits made by other replicas on a shared PostgreSQL).
//!
//! Events carry the sender's whole state of an entity, so of several queued events for one
//! entity only the newest is sent; the older ones are superseded and removed with it. When the
//! other side cannot apply it, nothing is removed: the entity's oldest row is retried with
//! capped exponential backoff, row by row in commit order (see [`units`]), and parked as failed
//! after `max_attempts`; later events of the same entity wait behind it (so an entity's changes
//! are never applied out of order), other entities' events keep flowing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tandem_core::merge::{ApplyOutcome, SyncEvent};
use tandem_sql::outbox::{Deferral, OutboxRow};
use tokio::sync::watch;

use crate::SyncError;
use crate::link::Peer;
use crate::metrics::Metrics;
use crate::side::SideStore;
use crate::status::{CONFLICTS, DELIVERED, LAST_DELIVERY_MS, PARKED_TOTAL};

#[derive(Debug, Clone, Copy)]
pub struct RelayConfig {
    pub batch: u64,
    /// Backoff of a failing event: `first_backoff · 2^(attempt-1)`, at most `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts before an event is parked.
    pub max_attempts: i32,
    /// How often the relay looks at the outbox without being woken.
    pub poll: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            batch: 200,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            max_attempts: 8,
            poll: Duration::from_secs(1),
        }
    }
}

impl RelayConfig {
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.first_backoff
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.max_backoff)
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Outbox rows removed (delivered or superseded by a delivered event).
    pub delivered: usize,
    pub failed: usize,
    /// The batch was full: more may be waiting.
    pub full: bool,
}

pub struct Relay {
    pub local: Arc<dyn SideStore>,
    pub peer: Arc<dyn Peer>,
    pub metrics: Arc<Metrics>,
    pub config: RelayConfig,
}

type Key<'a> = (&'static str, &'a str);

fn key(row: &OutboxRow) -> Key<'_> {
    (row.event.entity.name(), row.event.entity_id.as_str())
}

/// What one pass sends, each unit as the event of its last row.
///
/// Normally every claimed row of an entity forms one unit (events carry the whole state, so the
/// newest supersedes the rest), ordered by each entity's newest row: the unit sends the state of
/// that row, so it goes after every change that state may depend on (a user moved to a tenant
/// created after the user's first queued change goes after that tenant). Once a delivery has failed
/// (a claimed row has attempts), the pass is strict: one row per unit in commit order, and at
/// most one per entity, so the other side goes through every intermediate state. That is what
/// lets changes that only work in order — two users swapping emails under `@unique` — get
/// through after coalescing them failed.
fn units(rows: &[OutboxRow]) -> Vec<Vec<&OutboxRow>> {
    let mut seen: HashMap<Key<'_>, usize> = HashMap::new();
    let mut units: Vec<Vec<&OutboxRow>> = Vec::new();
    if rows.iter().any(|r| r.attempts > 0) {
        for row in rows {
            if seen.insert(key(row), units.len()).is_some() {
                break;
            }
            units.push(vec![row]);
        }
        return units;
    }
    for row in rows {
        match seen.get(&key(row)) {
            Some(&i) => units[i].push(row),
            None => {
                seen.insert(key(row), units.len());
                units.push(vec![row]);
            }
        }
    }
    units.sort_by_key(|unit| unit.last().map(|row| row.seq));
    units
}

impl Relay {
    /// One pass: claim a batch, deliver it, record what happened.
    pub async fn pass(&self) -> Result<Pass, SyncError> {
        let tables = self.local.tables();
        let db = self.local.db();
        let now = self.local.now().timestamp_millis();
        let claim = tables.claim(db, now, self.config.batch).await?;
        let fetched = claim.fetched;
        if claim.rows.is_empty() {
            tables.finish(db, claim, &[], &[]).await?;
            return Ok(Pass::default());
        }
        let units = units(&claim.rows);
        // A strict pass may leave claimed rows unsent: more is due right away.
        let unsent = units.iter().map(Vec::len).sum::<usize>() < claim.rows.len();
        let sent: Vec<SyncEvent> = units
            .iter()
            .filter_map(|u| u.last().map(|r| r.event.clone()))
            .collect();
        let outcomes = match self.peer.apply(&sent).await {
            Ok(outcomes) => outcomes,
            Err(err) => {
                // Nothing is known to have been applied: release the rows untouched.
                tables.finish(db, claim, &[], &[]).await?;
                self.metrics.link_error(self.local.side());
                return Err(err);
            }
        };
        let after = self.local.now().timestamp_millis();
        let mut removed = Vec::new();
        let mut deferred = Vec::new();
        let mut lags = Vec::new();
        let mut accepted = Vec::new();
        let mut conflicts = 0i64;
        let mut parked = 0i64;
        for (group, outcome) in units.iter().zip(outcomes) {
            let (Some(head), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            match outcome {
                ApplyOutcome::Applied { conflicts: c, .. } => {
                    conflicts += i64::from(c);
                    removed.extend(group.iter().map(|r| r.seq));
                    lags.extend(group.iter().map(|r| (after - r.event.committed_ms).max(0)));
                    accepted.push(last.event.clone());
                }
                ApplyOutcome::Duplicate => {
                    removed.extend(group.iter().map(|r| r.seq));
                    accepted.push(last.event.clone());
                }
                ApplyOutcome::Failed { error } => {
                    // Nothing of the group is dropped: the retry (strict, see `units`) sends
                    // its rows one by one, and the others wait behind the head.
                    let attempts = head.attempts.saturating_add(1);
                    // Several rows sent as one: the retry tries them one by one before any of
                    // them can be parked, and the error says it was the combined change.
                    let park = attempts >= self.config.max_attempts && group.len() == 1;
                    let error = if group.len() > 1 {
                        format!(
                            "{error} (sending {} queued changes of this {} as one; retried one by one)",
                            group.len(),
                            last.event.entity.name()
                        )
                    } else {
                        error
                    };
                    let wait = i64::try_from(self.config.backoff(attempts).as_millis())
                        .unwrap_or(i64::MAX);
                    tracing::warn!(
                        event = %last.event.id,
                        entity = last.event.entity.name(),
                        id = %last.event.entity_id,
                        attempts,
                        parked = park,
                        error = %error,
                        "sync: the other side could not apply an event"
                    );
                    self.metrics.apply_failed(self.local.side(), park);
                    if park {
                        parked += 1;
                    }
                    deferred.push(Deferral {
                        seq: head.seq,
                        attempts,
                        next_attempt_ms: after.saturating_add(wait),
                        error,
                        park,
                    });
                }
            }
        }
        let mut bumps = vec![(DELIVERED, removed.len() as i64)];
        if conflicts > 0 {
            bumps.push((CONFLICTS, conflicts));
        }
        if parked > 0 {
            bumps.push((PARKED_TOTAL, parked));
        }
        let mut sets = Vec::new();
        if !removed.is_empty() {
            sets.push((LAST_DELIVERY_MS, after));
        }
        tables
            .finish_with_counters(db, claim, &removed, &deferred, &bumps, &sets)
            .await?;
        self.metrics.delivered(self.local.side(), &lags);
        if !accepted.is_empty() {
            self.local.delivered(&accepted).await?;
        }
        Ok(Pass {
            delivered: removed.len(),
            failed: deferred.len(),
            full: unsent || fetched as u64 >= self.config.batch,
        })
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let signal = self.local.signal();
        let mut link_backoff = Duration::ZERO;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let wait = match self.pass().await {
                Ok(pass) => {
                    if !link_backoff.is_zero() {
                        tracing::info!(from = self.local.side().name(), "sync: delivering again");
                    }
                    link_backoff = Duration::ZERO;
                    if pass.full {
                        continue;
                    }
                    self.config.poll
                }
                Err(err) => {
                    let first = link_backoff.is_zero();
                    link_backoff = (link_backoff * 2)
                        .max(Duration::from_millis(100))
                        .min(Duration::from_secs(10));
                    let retry_in_ms = link_backoff.as_millis() as u64;
                    let from = self.local.side().name();
                    // Once when it starts failing, then at most every 10 s (the longest wait).
                    if first || link_backoff == Duration::from_secs(10) {
                        tracing::warn!(error = %err, retry_in_ms, from, "sync: delivery failed");
                    } else {
                        tracing::debug!(error = %err, retry_in_ms, from, "sync: delivery failed");
                    }
                    link_backoff
                }
            };
            tokio::select! {
                _ = signal.notified(), if link_backoff.is_zero() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::Side;
    use tandem_core::merge::Entity;

    fn row(seq: i64, entity: Entity, id: &str, attempts: i32) -> OutboxRow {
        OutboxRow {
            seq,
            attempts,
            event: SyncEvent {
                id: format!("e{seq}"),
                entity,
                entity_id: id.to_owned(),
                origin: Side::Platform,
                fields: Default::default(),
                changed: Default::default(),
                committed_ms: seq,
            },
        }
    }

    fn seqs(units: &[Vec<&OutboxRow>]) -> Vec<Vec<i64>> {
        units
            .iter()
            .map(|u| u.iter().map(|r| r.seq).collect())
            .collect()
    }

    #[test]
    fn a_coalesced_change_goes_after_what_its_newest_row_followed() {
        // A user is created, a tenant is created, the user moves into it: the user's newest
        // state names the tenant, so it must not overtake the tenant's creation.
        let rows = [
            row(1, Entity::User, "u1", 0),
            row(2, Entity::Tenant, "t1", 0),
            row(3, Entity::User, "u1", 0),
        ];
        assert_eq!(seqs(&units(&rows)), vec![vec![2], vec![1, 3]]);
    }

    #[test]
    fn after_a_failure_rows_go_one_by_one_in_commit_order() {
        let rows = [
            row(1, Entity::User, "u1", 1),
            row(2, Entity::Tenant, "t1", 0),
            row(3, Entity::User, "u1", 0),
        ];
        assert_eq!(seqs(&units(&rows)), vec![vec![1], vec![2]]);
    }
}
