//! Records the BaaS's local writes for the Platform: after a write to rows of a built-in
//! model (`update`, `updateMany`, nested updates), stamps the written synced fields of each row
//! and records its synced state as an outbox event, in the write's own transaction. The engine
//! calls [`record_local`] with the written rows' ids; this module never calls the engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tandem_core::merge::{Entity, FieldState, SyncEvent};
use tandem_core::{Hlc, HlcClock, Side};
use tandem_sql::Tx;
use tandem_sql::outbox::event_id;
use tokio::sync::Notify;

use super::{SYNC_TABLES, entity_of, internal, load_states, synced_fields};
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::schema::{FieldId, Model, ModelId, Schema};
use tandem_sql::outbox::{STATE_CHUNK, StateRows};

/// The sync engine's hooks into the BaaS's writes.
#[derive(Debug)]
pub struct SyncHooks {
    pub hlc: HlcClock,
    /// Notified after each commit that recorded events.
    pub signal: Arc<Notify>,
}

impl SyncHooks {
    pub fn new() -> Self {
        Self {
            hlc: HlcClock::new(Side::Baas),
            signal: Arc::new(Notify::new()),
        }
    }
}

impl Default for SyncHooks {
    fn default() -> Self {
        Self::new()
    }
}

fn tx_of<'e>(exec: &'e mut Exec<'_>) -> BaasResult<&'e mut Tx> {
    match exec {
        Exec::Tx(tx) => Ok(tx),
        _ => Err(internal("a write to a synced row outside a transaction")),
    }
}

/// A local write to rows of one model: the written rows' ids and the fields the write set.
pub(crate) struct LocalWrite<'a> {
    pub model: ModelId,
    pub ids: &'a [String],
    pub written: &'a [FieldId],
    pub now: DateTime<Utc>,
}

/// After a local write to rows of a built-in model: stamps the written synced fields of each
/// row and records its synced state as an outbox event. Returns whether anything was recorded.
#[tracing::instrument(skip_all, fields(model = %schema.model(write.model).name, rows = write.ids.len()))]
pub(crate) async fn record_local(
    schema: &Schema,
    hooks: &SyncHooks,
    exec: &mut Exec<'_>,
    write: LocalWrite<'_>,
) -> BaasResult<bool> {
    let LocalWrite {
        model: model_id,
        ids,
        written,
        now,
    } = write;
    let model = schema.model(model_id);
    let Some(entity) = entity_of(model) else {
        return Ok(false);
    };
    let changed = changed_fields(model, entity, written);
    if changed.is_empty() || ids.is_empty() {
        return Ok(false);
    }
    for chunk in ids.chunks(STATE_CHUNK) {
        let states = load_states(schema, exec, entity, StateRows::Ids(chunk), false).await?;
        let tx = tx_of(exec)?;
        for (id, state) in states {
            record_row(tx, hooks, entity, id, state, &changed, now).await?;
        }
    }
    Ok(true)
}

/// The synced fields the write set that the BaaS may write (the others are the Platform's).
fn changed_fields(model: &Model, entity: Entity, written: &[FieldId]) -> Vec<&'static str> {
    synced_fields(model, entity)
        .into_iter()
        .filter(|(id, name, _)| {
            written.contains(id)
                && entity
                    .field(name)
                    .is_some_and(|f| f.writable_by(Side::Baas))
        })
        .map(|(_, name, _)| name)
        .collect()
}

/// Stamps one written row's `changed` fields and enqueues its synced state as an event.
async fn record_row(
    tx: &mut Tx,
    hooks: &SyncHooks,
    entity: Entity,
    id: String,
    mut state: FieldState,
    changed: &[&'static str],
    now: DateTime<Utc>,
) -> BaasResult<()> {
    // After every stamp the (locked) row holds, whichever process wrote it.
    for field in state.values() {
        hooks.hlc.observe(field.stamp);
    }
    let stamp = hooks.hlc.now_at(now.timestamp_millis());
    let mut stamps: BTreeMap<String, Hlc> =
        state.iter().map(|(k, v)| (k.clone(), v.stamp)).collect();
    for name in changed {
        stamps.insert((*name).to_owned(), stamp);
        if let Some(f) = state.get_mut(*name) {
            f.stamp = stamp;
        }
    }
    // Only fields stamped by some write are stored; ZERO means "never written".
    stamps.retain(|_, s| *s != Hlc::ZERO);
    SYNC_TABLES
        .save_stamps(tx, entity, &id, &stamps)
        .await
        .map_err(BaasError::from)?;
    state.retain(|name, _| {
        entity
            .field(name)
            .is_some_and(|f| f.writable_by(Side::Baas))
    });
    let event = SyncEvent {
        id: event_id(Side::Baas),
        entity,
        entity_id: id,
        origin: Side::Baas,
        fields: state,
        changed: changed.iter().map(|c| (*c).to_owned()).collect(),
        committed_ms: now.timestamp_millis(),
    };
    SYNC_TABLES
        .enqueue(tx, &event)
        .await
        .map_err(BaasError::from)?;
    Ok(())
}
