//! The BaaS's half of the sync engine's storage. A local write to a synced field of `user` or
//! `tenant` (`update`, `updateMany`, nested updates) stamps the field and records an outbox
//! event in the write's own transaction ([`record_local`]); events from the Platform are
//! merged field by field under those stamps, creating the row when it is new
//! ([`Baas::apply_in`]). This is the only way `user` and `tenant` rows are created here.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, LockType, Order, Query, SimpleExpr};
use serde_json::Value as Json;
use tandem_core::sync::{ApplyOutcome, Entity, FieldState, Stamped, SyncEvent, digest, merge};
use tandem_core::{Hlc, HlcClock, Side};
use tandem_sql::sync::{SyncTables, decode_stamps, event_id};
use tandem_sql::{Dialect, Tx};
use tokio::sync::Notify;

use crate::Baas;
use crate::engine::Exec;
use crate::engine::read::Record;
use crate::error::{BaasError, BaasResult};
use crate::schema::{Builtin, FieldId, Model, ModelId, ScalarType, Schema};
use crate::value::{self, Value, decode_rows};

/// The BaaS store's sync tables (prefixed, so they never meet an app's model names).
pub const SYNC_TABLES: SyncTables = SyncTables {
    outbox: "_tandem_sync_outbox",
    stamps: "_tandem_sync_stamps",
    applied: "_tandem_sync_applied",
    counters: "_tandem_sync_counters",
    nonces: "_tandem_sync_nonces",
};

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

pub fn entity_of(model: &Model) -> Option<Entity> {
    model.builtin.map(|b| match b {
        Builtin::User => Entity::User,
        Builtin::Tenant => Entity::Tenant,
    })
}

/// The synced fields of a built-in model: (field id, name, type), in the entity's order.
fn synced_fields(model: &Model, entity: Entity) -> Vec<(FieldId, &'static str, ScalarType)> {
    entity
        .fields()
        .iter()
        .filter_map(|f| {
            model
                .field(f.name)
                .map(|(id, field)| (id, f.name, field.scalar().unwrap_or(ScalarType::String)))
        })
        .collect()
}

fn to_json(v: &Value, ty: ScalarType) -> Json {
    v.to_json(ty).0
}

fn internal(e: impl std::fmt::Display) -> BaasError {
    BaasError::internal(e.to_string())
}

/// Which rows a state query reads.
enum Which<'a> {
    Ids(&'a [String]),
    After(Option<&'a str>, u64),
}

/// Reads the synced state of a built-in model's rows (values and stamps).
async fn load_states(
    schema: &Schema,
    dialect: Dialect,
    exec: &mut Exec<'_>,
    model_id: ModelId,
    entity: Entity,
    which: Which<'_>,
    lock: bool,
) -> BaasResult<Vec<(String, FieldState)>> {
    let model = schema.model(model_id);
    let fields = synced_fields(model, entity);
    let table = Alias::new(model.table.as_str());
    let stamps = Alias::new(SYNC_TABLES.stamps);
    let id_col = SimpleExpr::from(Expr::col((table.clone(), Alias::new("id"))));
    let mut q = Query::select();
    q.expr(id_col.clone());
    for (id, _, _) in &fields {
        q.column((table.clone(), Alias::new(model.fields[*id].column.as_str())));
    }
    q.column((stamps.clone(), Alias::new("stamps")))
        .from(table.clone())
        .left_join(
            stamps.clone(),
            Expr::col((stamps.clone(), Alias::new("entity")))
                .eq(entity.name())
                .and(Expr::col((stamps, Alias::new("entity_id"))).eq(id_col.clone())),
        );
    match which {
        Which::Ids(ids) => {
            q.and_where(id_col.clone().is_in(ids.iter().cloned()));
            if lock && dialect == Dialect::Postgres {
                // Lock first, then read in a separate statement: a locking read that waited
                // for another transaction sees that transaction's row but not its stamps (the
                // joined rows come from the statement's older snapshot).
                let mut l = Query::select();
                l.expr(Expr::val(1))
                    .from(table.clone())
                    .and_where(id_col.is_in(ids.iter().cloned()))
                    .lock_with_tables(LockType::Update, [table]);
                exec.rows(&l).await?;
            }
        }
        Which::After(after, limit) => {
            if let Some(after) = after {
                q.and_where(id_col.clone().gt(after));
            }
            q.order_by_expr(id_col, Order::Asc).limit(limit);
        }
    }
    let rows = exec.rows(&q).await?;
    let mut types = vec![ScalarType::String];
    types.extend(fields.iter().map(|(_, _, ty)| *ty));
    types.push(ScalarType::String);
    let mut out = Vec::new();
    for row in decode_rows(&rows, &types) {
        let Some(Value::String(id)) = row.first().cloned() else {
            return Err(internal("a built-in row without a text id"));
        };
        let stamp_map = match row.last() {
            Some(Value::String(text)) => decode_stamps(text).map_err(internal)?,
            _ => BTreeMap::new(),
        };
        let mut state = FieldState::new();
        for (i, (_, name, ty)) in fields.iter().enumerate() {
            state.insert(
                (*name).to_owned(),
                Stamped {
                    value: to_json(&row[i + 1], *ty),
                    stamp: stamp_map.get(*name).copied().unwrap_or(Hlc::ZERO),
                },
            );
        }
        out.push((id, state));
    }
    Ok(out)
}

fn tx_of<'e>(exec: &'e mut Exec<'_>) -> BaasResult<&'e mut Tx> {
    match exec {
        Exec::Tx(tx) => Ok(tx),
        _ => Err(internal("a write to a synced row outside a transaction")),
    }
}

/// A local write to rows of one model: the rows (identified by their key) and the fields the
/// write set.
pub(crate) struct LocalWrite<'a> {
    pub model: ModelId,
    pub rows: &'a [Record],
    pub written: &'a [FieldId],
    pub now: DateTime<Utc>,
}

/// After a local write to rows of a built-in model: stamps the written synced fields of each
/// row and records its synced state as an outbox event. Returns whether anything was recorded.
pub(crate) async fn record_local(
    schema: &Schema,
    dialect: Dialect,
    hooks: &SyncHooks,
    exec: &mut Exec<'_>,
    write: LocalWrite<'_>,
) -> BaasResult<bool> {
    let LocalWrite {
        model: model_id,
        rows,
        written,
        now,
    } = write;
    let model = schema.model(model_id);
    let Some(entity) = entity_of(model) else {
        return Ok(false);
    };
    let changed: Vec<&'static str> = synced_fields(model, entity)
        .into_iter()
        .filter(|(id, name, _)| {
            written.contains(id)
                && entity
                    .field(name)
                    .is_some_and(|f| f.writable_by(Side::Baas))
        })
        .map(|(_, name, _)| name)
        .collect();
    if changed.is_empty() || rows.is_empty() {
        return Ok(false);
    }
    let Some((key, _)) = model.field("id") else {
        return Err(internal("a built-in model without `id`"));
    };
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| match r.value(key) {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for chunk in ids.chunks(500) {
        let states = load_states(
            schema,
            dialect,
            exec,
            model_id,
            entity,
            Which::Ids(chunk),
            false,
        )
        .await?;
        let tx = tx_of(exec)?;
        for (id, mut state) in states {
            // After every stamp the (locked) row holds, whichever process wrote it.
            for field in state.values() {
                hooks.hlc.observe(field.stamp);
            }
            let stamp = hooks.hlc.now_at(now.timestamp_millis());
            let mut stamps: BTreeMap<String, Hlc> =
                state.iter().map(|(k, v)| (k.clone(), v.stamp)).collect();
            for name in &changed {
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
        }
    }
    Ok(true)
}

fn model_for(baas: &Baas, entity: Entity) -> BaasResult<ModelId> {
    baas.engine
        .schema
        .model_id(entity.name())
        .ok_or_else(|| internal("built-in model missing"))
}

impl Baas {
    /// The synced state (values and stamps) of the given entities that exist here.
    pub async fn sync_states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> BaasResult<Vec<(String, FieldState)>> {
        let model = model_for(self, entity)?;
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            out.extend(
                load_states(
                    &self.engine.schema,
                    self.engine.dialect(),
                    &mut Exec::Pool(&self.engine.db),
                    model,
                    entity,
                    Which::Ids(chunk),
                    false,
                )
                .await?,
            );
        }
        Ok(out)
    }

    /// Digests of up to `limit` entities with ids after `after`, in id order.
    pub async fn sync_digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> BaasResult<Vec<(String, u64)>> {
        let model = model_for(self, entity)?;
        Ok(load_states(
            &self.engine.schema,
            self.engine.dialect(),
            &mut Exec::Pool(&self.engine.db),
            model,
            entity,
            Which::After(after, limit),
            false,
        )
        .await?
        .into_iter()
        .map(|(id, state)| {
            let d = digest(entity, &state);
            (id, d)
        })
        .collect())
    }

    /// Takes note of applied events' stamps, after their commit, so later local stamps come
    /// after them.
    pub fn observe(&self, events: &[SyncEvent]) {
        for max in events.iter().filter_map(SyncEvent::max_stamp) {
            self.engine.sync.hlc.observe(max);
        }
    }

    /// Merges one event from the Platform into the BaaS's row (inserting it when new), field by
    /// field, inside `tx` (the sync engine batches and commits). Not recorded in the outbox:
    /// the Platform has it already. A `Failed` outcome may leave `tx` half-written (or, on
    /// PostgreSQL, aborted): the caller rolls it back.
    pub async fn apply_in(
        &self,
        tx: &mut Tx,
        event: &SyncEvent,
        now: DateTime<Utc>,
    ) -> BaasResult<ApplyOutcome> {
        if event.origin != Side::Platform {
            return Ok(ApplyOutcome::Failed {
                error: "the BaaS only applies events from the Platform".into(),
            });
        }
        let model_id = model_for(self, event.entity)?;
        let schema = &self.engine.schema;
        if !SYNC_TABLES
            .first_apply(tx, &event.id, now.timestamp_millis())
            .await?
        {
            return Ok(ApplyOutcome::Duplicate);
        }
        let mut exec = Exec::Tx(&mut *tx);
        let current = load_states(
            schema,
            self.engine.dialect(),
            &mut exec,
            model_id,
            event.entity,
            Which::Ids(std::slice::from_ref(&event.entity_id)),
            true,
        )
        .await?
        .pop()
        .map(|(_, s)| s);
        let empty = FieldState::new();
        let merged = merge(
            event.entity,
            event.origin,
            current.as_ref().unwrap_or(&empty),
            &event.fields,
            &event.changed,
        );
        let written = if current.is_none() {
            self.insert_synced(tx, model_id, event, &merged.writes, now)
                .await
        } else if merged.writes.is_empty() {
            Ok(())
        } else {
            self.update_synced(tx, model_id, event, &merged.writes, now)
                .await
        };
        match written {
            Ok(()) => {}
            Err(WriteError::Refused(error)) => return Ok(ApplyOutcome::Failed { error }),
            Err(WriteError::Store(err)) => return Err(err.into()),
        }
        if !merged.writes.is_empty() {
            let mut stamps: BTreeMap<String, Hlc> = current
                .iter()
                .flat_map(|s| s.iter().map(|(k, v)| (k.clone(), v.stamp)))
                .collect();
            for (name, s) in &merged.writes {
                stamps.insert(name.clone(), s.stamp);
            }
            stamps.retain(|_, s| *s != Hlc::ZERO);
            SYNC_TABLES
                .save_stamps(tx, event.entity, &event.entity_id, &stamps)
                .await?;
        }
        Ok(ApplyOutcome::Applied {
            changed: !merged.writes.is_empty(),
            conflicts: merged.conflicts,
        })
    }

    fn column_values(
        &self,
        model_id: ModelId,
        entity: Entity,
        writes: &FieldState,
    ) -> Result<Vec<(String, SimpleExpr)>, String> {
        let model = self.engine.schema.model(model_id);
        let dialect = self.engine.dialect();
        let mut out = Vec::new();
        for (name, s) in writes {
            let Some(synced) = entity.field(name) else {
                continue;
            };
            synced.check_value(&s.value)?;
            let Some((_, field)) = model.field(name) else {
                continue;
            };
            let ty = field.scalar().unwrap_or(ScalarType::String);
            let v = value::from_json(&s.value, ty).map_err(|m| {
                format!(
                    "`{}.{name}`: expected {}, got {}",
                    entity.name(),
                    m.expected,
                    s.value
                )
            })?;
            out.push((
                field.column.clone(),
                SimpleExpr::from(Expr::val(v.to_sql(ty, dialect))),
            ));
        }
        Ok(out)
    }

    fn updated_at(&self, model_id: ModelId, now: DateTime<Utc>) -> Option<(String, SimpleExpr)> {
        let model = self.engine.schema.model(model_id);
        model.field("updated_at").map(|(_, f)| {
            (
                f.column.clone(),
                SimpleExpr::from(Expr::val(
                    Value::DateTime(now).to_sql(ScalarType::DateTime, self.engine.dialect()),
                )),
            )
        })
    }

    async fn insert_synced(
        &self,
        tx: &mut Tx,
        model_id: ModelId,
        event: &SyncEvent,
        writes: &FieldState,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let entity = event.entity;
        let missing: Vec<&str> = entity
            .fields()
            .iter()
            .filter(|f| f.required && !writes.contains_key(f.name))
            .map(|f| f.name)
            .collect();
        if !missing.is_empty() {
            return Err(WriteError::Refused(format!(
                "the {} {} is not on the BaaS yet and the event lacks {}",
                entity.name(),
                event.entity_id,
                missing.join(", ")
            )));
        }
        let model = self.engine.schema.model(model_id);
        let mut cols = self.column_values(model_id, entity, writes)?;
        cols.push((
            "id".to_owned(),
            SimpleExpr::from(Expr::val(event.entity_id.as_str())),
        ));
        // A new row was last updated when it was created (on the Platform).
        let created = writes
            .get("created_at")
            .and_then(|s| s.value.as_str())
            .and_then(value::parse_datetime)
            .unwrap_or(now);
        let now_value = SimpleExpr::from(Expr::val(
            Value::DateTime(created).to_sql(ScalarType::DateTime, self.engine.dialect()),
        ));
        for name in ["created_at", "updated_at"] {
            if let Some((_, f)) = model.field(name)
                && !cols.iter().any(|(c, _)| *c == f.column)
            {
                cols.push((f.column.clone(), now_value.clone()));
            }
        }
        let mut q = Query::insert();
        q.into_table(Alias::new(model.table.as_str()))
            .columns(cols.iter().map(|(c, _)| Alias::new(c.as_str())))
            .values(cols.into_iter().map(|(_, v)| v))
            .map_err(|e| e.to_string())?;
        tx.execute(&q).await.map_err(|e| write_error(e, entity))?;
        Ok(())
    }

    async fn update_synced(
        &self,
        tx: &mut Tx,
        model_id: ModelId,
        event: &SyncEvent,
        writes: &FieldState,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let model = self.engine.schema.model(model_id);
        let mut cols = self.column_values(model_id, event.entity, writes)?;
        if cols.is_empty() {
            return Ok(());
        }
        cols.extend(self.updated_at(model_id, now));
        let mut q = Query::update();
        q.table(Alias::new(model.table.as_str()))
            .values(cols.into_iter().map(|(c, v)| (Alias::new(c), v)))
            .and_where(Expr::col(Alias::new("id")).eq(event.entity_id.as_str()));
        tx.execute(&q)
            .await
            .map_err(|e| write_error(e, event.entity))?;
        Ok(())
    }
}

/// Why a synced write did not happen: the data was refused (the event fails, with this
/// message), or the store could not do it now (retried as a whole later).
enum WriteError {
    Refused(String),
    Store(tandem_sql::DbError),
}

impl From<String> for WriteError {
    fn from(message: String) -> Self {
        Self::Refused(message)
    }
}

fn write_error(err: tandem_sql::DbError, entity: Entity) -> WriteError {
    if err.is_transient() {
        WriteError::Store(err)
    } else {
        WriteError::Refused(describe(&err, entity))
    }
}

/// A database refusal of a synced write, in words an operator can act on.
fn describe(err: &tandem_sql::DbError, entity: Entity) -> String {
    match err {
        tandem_sql::DbError::ForeignKeyViolation { .. } if entity == Entity::User => {
            "the user's tenant is not on the BaaS yet (it syncs separately; retried)".into()
        }
        tandem_sql::DbError::UniqueViolation { detail, .. } => format!(
            "a unique constraint of the BaaS refused the {}: {detail}",
            entity.name()
        ),
        other => other.to_string(),
    }
}
