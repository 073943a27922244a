//! Reconciliation: compares both sides entity by entity (a digest of every synced field's
//! value and stamp) and repairs each difference by sending each side the other's state, as if
//! both had just sent an event. The merge then leaves both holding the same values. It repairs
//! what the relay cannot see: a restored backup, a lost outbox row, a manual edit.

use serde::{Deserialize, Serialize};
use tandem_core::Side;
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, SyncEvent, digest};

use crate::SyncError;
use crate::link::Peer;

/// Entities compared per round trip.
const PAGE: u64 = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    /// Entities compared (tenants and users).
    pub checked: u64,
    /// Entities that differed and were repaired.
    pub repaired: u64,
    /// Differences that could not be repaired, with the reason.
    pub unrepaired: Vec<String>,
}

/// Compares and repairs every tenant, then every user.
pub async fn reconcile(platform: &dyn Peer, baas: &dyn Peer) -> Result<ReconcileReport, SyncError> {
    debug_assert!(platform.side() == Side::Platform && baas.side() == Side::Baas);
    let mut report = ReconcileReport::default();
    for entity in Entity::ALL {
        let mut cursor: Option<String> = None;
        loop {
            let a = platform.digests(entity, cursor.as_deref(), PAGE).await?;
            let b = baas.digests(entity, cursor.as_deref(), PAGE).await?;
            if a.is_empty() && b.is_empty() {
                break;
            }
            // Both lists are complete up to the smaller last id of a full page.
            let last = |l: &Vec<(String, u64)>| -> Option<String> {
                (l.len() as u64 >= PAGE)
                    .then(|| l.last().map(|(id, _)| id.clone()))
                    .flatten()
            };
            let bound = match (last(&a), last(&b)) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            let within = |id: &String| bound.as_ref().is_none_or(|b| id <= b);
            let mut differing: Vec<String> = Vec::new();
            let (mut i, mut j) = (0, 0);
            let (a, b): (Vec<_>, Vec<_>) = (
                a.into_iter().filter(|(id, _)| within(id)).collect(),
                b.into_iter().filter(|(id, _)| within(id)).collect(),
            );
            while i < a.len() || j < b.len() {
                report.checked += 1;
                match (a.get(i), b.get(j)) {
                    (Some((x, dx)), Some((y, dy))) if x == y => {
                        if dx != dy {
                            differing.push(x.clone());
                        }
                        i += 1;
                        j += 1;
                    }
                    (Some((x, _)), Some((y, _))) if x < y => {
                        differing.push(x.clone());
                        i += 1;
                    }
                    (Some(_), Some((y, _))) => {
                        differing.push(y.clone());
                        j += 1;
                    }
                    (Some((x, _)), None) => {
                        differing.push(x.clone());
                        i += 1;
                    }
                    (None, Some((y, _))) => {
                        differing.push(y.clone());
                        j += 1;
                    }
                    (None, None) => break,
                }
            }
            if !differing.is_empty() {
                repair(platform, baas, entity, &differing, &mut report).await?;
            }
            match bound {
                Some(b) => cursor = Some(b),
                None => break,
            }
        }
    }
    if report.repaired > 0 || !report.unrepaired.is_empty() {
        tracing::info!(
            checked = report.checked,
            repaired = report.repaired,
            unrepaired = report.unrepaired.len(),
            "sync: reconcile repaired differences"
        );
    }
    Ok(report)
}

fn repair_event(entity: Entity, id: &str, origin: Side, fields: FieldState) -> SyncEvent {
    SyncEvent {
        id: tandem_sql::outbox::event_id(origin).replacen('-', "-reconcile-", 1),
        entity,
        entity_id: id.to_owned(),
        origin,
        fields,
        changed: Default::default(),
        committed_ms: chrono::Utc::now().timestamp_millis(),
    }
}

async fn repair(
    platform: &dyn Peer,
    baas: &dyn Peer,
    entity: Entity,
    ids: &[String],
    report: &mut ReconcileReport,
) -> Result<(), SyncError> {
    let on_platform: std::collections::HashMap<String, FieldState> =
        platform.states(entity, ids).await?.into_iter().collect();
    let on_baas: std::collections::HashMap<String, FieldState> =
        baas.states(entity, ids).await?.into_iter().collect();
    let mut to_baas = Vec::new();
    let mut to_platform = Vec::new();
    for id in ids {
        match (on_platform.get(id), on_baas.get(id)) {
            (None, None) => {}
            (None, Some(_)) => report.unrepaired.push(format!(
                "{} {id} exists on the BaaS only; {}s are created on the Platform, so it cannot be repaired automatically",
                entity.name(),
                entity.name()
            )),
            (Some(p), b) => {
                to_baas.push(repair_event(entity, id, Side::Platform, p.clone()));
                if let Some(b) = b {
                    let writable: FieldState = b
                        .iter()
                        .filter(|(name, _)| {
                            entity
                                .field(name)
                                .is_some_and(|f| f.writable_by(Side::Baas))
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    to_platform.push(repair_event(entity, id, Side::Baas, writable));
                }
            }
        }
    }
    // The BaaS first: its merged values then go to the Platform in the same pass.
    let mut failed = std::collections::HashSet::new();
    for (events, peer) in [(&to_baas, baas), (&to_platform, platform)] {
        if events.is_empty() {
            continue;
        }
        let outcomes = peer.apply(events).await?;
        for (e, o) in events.iter().zip(outcomes) {
            if let ApplyOutcome::Failed { error } = o {
                failed.insert(e.entity_id.clone());
                report.unrepaired.push(format!(
                    "{} {}: the {} refused the repair: {error}",
                    entity.name(),
                    e.entity_id,
                    peer.side().name()
                ));
            }
        }
    }
    // Repaired is what now reads the same on both sides; anything else is reported.
    let exchanged: Vec<String> = ids
        .iter()
        .filter(|id| on_platform.contains_key(*id) && !failed.contains(*id))
        .cloned()
        .collect();
    if exchanged.is_empty() {
        return Ok(());
    }
    let after_platform: std::collections::HashMap<String, FieldState> = platform
        .states(entity, &exchanged)
        .await?
        .into_iter()
        .collect();
    let after_baas: std::collections::HashMap<String, FieldState> =
        baas.states(entity, &exchanged).await?.into_iter().collect();
    let newest = |s: Option<&FieldState>| s.and_then(|s| s.values().map(|f| f.stamp).max());
    for id in &exchanged {
        let (p, b) = (after_platform.get(id), after_baas.get(id));
        // A repair only moves existing stamps between the sides; a newer stamp is a write made
        // while reconciling, which the relay carries: not a failure of the repair.
        let before = newest(on_platform.get(id)).max(newest(on_baas.get(id)));
        if newest(p).max(newest(b)) > before {
            continue;
        }
        match (p, b) {
            (Some(p), Some(b)) if digest(entity, p) == digest(entity, b) => report.repaired += 1,
            (p, b) => {
                let differing: Vec<&str> = entity
                    .fields()
                    .iter()
                    .map(|f| f.name)
                    .filter(|name| p.and_then(|p| p.get(*name)) != b.and_then(|b| b.get(*name)))
                    .collect();
                report.unrepaired.push(format!(
                    "{} {id} still differs after the repair (fields: {})",
                    entity.name(),
                    differing.join(", ")
                ));
            }
        }
    }
    Ok(())
}
