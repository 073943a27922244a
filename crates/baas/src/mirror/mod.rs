//! The BaaS's half of the sync engine's storage: the built-in `user` and `tenant` models,
//! mirrored from the Platform, and the access data (roles with their permissions, each user's
//! roles) in the BaaS's own tables ([`ACCESS_TABLES`]), which only sync writes. A local write to a synced field stamps the field and records an
//! outbox event in the write's own transaction ([`outbox`]); events from the Platform are
//! merged field by field under those stamps, creating the row when it is new ([`apply`]).
//! This is the only way `user` and `tenant` rows are created here.
//!
//! Here: the sync tables, which fields sync, and reading their synced state (values and
//! stamps), for both halves and for the reconcile pass. It runs its statements through
//! [`crate::exec`] and never calls the engine.

pub mod apply;
pub mod outbox;

use std::collections::BTreeMap;

use serde_json::Value as Json;
use tandem_core::Hlc;
use tandem_core::merge::{Entity, FieldState, Stamped};
use tandem_sql::outbox::{STATE_CHUNK, StateRows, SyncTables, decode_stamps, digests};

use crate::Baas;
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::schema::{Builtin, FieldId, Model, ModelId, ScalarType, Schema};
use crate::value::{Value, decode_rows};

/// The BaaS store's sync tables (prefixed, so they never meet an app's model names).
pub const SYNC_TABLES: SyncTables = SyncTables {
    outbox: "_tandem_sync_outbox",
    stamps: "_tandem_sync_stamps",
    applied: "_tandem_sync_applied",
    counters: "_tandem_sync_counters",
    nonces: "_tandem_sync_nonces",
};

/// Where the roles (`id`, `key`, `permissions`) and each user's roles (`id` = the user's id,
/// `roles`) live: text columns named as the entity's fields, never part of the API.
pub const ACCESS_TABLES: [(Entity, &str); 2] = [
    (Entity::Role, "_tandem_roles"),
    (Entity::UserRoles, "_tandem_user_roles"),
];

/// The BaaS's table of an access entity (`None` for `user` and `tenant`, which are models).
pub fn access_table(entity: Entity) -> Option<&'static str> {
    ACCESS_TABLES
        .iter()
        .find(|(e, _)| *e == entity)
        .map(|(_, table)| *table)
}

/// Creates the access tables when they do not exist yet.
pub async fn create_access_tables(db: &tandem_sql::Db) -> Result<(), tandem_sql::DbError> {
    let mut ddl = String::new();
    for (entity, table) in ACCESS_TABLES {
        let columns: Vec<String> = entity
            .fields()
            .iter()
            .map(|f| format!(", \"{}\" TEXT NOT NULL", f.name))
            .collect();
        ddl.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY{});\n",
            columns.concat()
        ));
    }
    let mut tx = db.begin().await?;
    if db.dialect() == tandem_sql::Dialect::Postgres {
        // Replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
        tx.execute_ddl("SELECT pg_advisory_xact_lock(7366434, 2)")
            .await?;
    }
    tx.execute_ddl(&ddl).await?;
    tx.commit().await
}

/// Where an entity's synced state lives here: its table and its fields' (column, name, type).
pub(crate) struct Home {
    pub table: String,
    pub fields: Vec<(String, &'static str, ScalarType)>,
}

impl Home {
    pub(crate) fn of(schema: &Schema, entity: Entity) -> BaasResult<Self> {
        if let Some(table) = access_table(entity) {
            return Ok(Self {
                table: table.to_owned(),
                fields: entity
                    .fields()
                    .iter()
                    .map(|f| (f.name.to_owned(), f.name, ScalarType::String))
                    .collect(),
            });
        }
        let model = schema.model(model_id(schema, entity)?);
        Ok(Self {
            table: model.table.clone(),
            fields: synced_fields(model, entity)
                .into_iter()
                .map(|(id, name, ty)| (model.fields[id].column.clone(), name, ty))
                .collect(),
        })
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

/// Reads the synced state of an entity's rows (values and stamps); with `lock`, first locks
/// the rows of the transaction's apply (see `SyncTables::lock_rows`).
async fn load_states(
    schema: &Schema,
    exec: &mut Exec<'_>,
    entity: Entity,
    which: StateRows<'_>,
    lock: bool,
) -> BaasResult<Vec<(String, FieldState)>> {
    let home = Home::of(schema, entity)?;
    let fields = &home.fields;
    let columns: Vec<&str> = fields.iter().map(|(c, _, _)| c.as_str()).collect();
    let q = SYNC_TABLES.state_select(entity, &home.table, &columns, &which);
    if let (true, StateRows::Ids(ids), Exec::Tx(tx)) = (lock, &which, &mut *exec) {
        SYNC_TABLES.lock_rows(tx, &home.table, ids).await?;
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

fn model_id(schema: &Schema, entity: Entity) -> BaasResult<ModelId> {
    schema
        .model_id(entity.name())
        .ok_or_else(|| internal("built-in model missing"))
}

impl Baas {
    /// The synced state (values and stamps) of the given entities that exist here.
    #[tracing::instrument(skip_all, fields(entity = entity.name(), ids = ids.len()))]
    pub async fn sync_states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> BaasResult<Vec<(String, FieldState)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(STATE_CHUNK) {
            out.extend(
                load_states(
                    &self.engine.schema,
                    &mut Exec::Pool(&self.engine.db),
                    entity,
                    StateRows::Ids(chunk),
                    false,
                )
                .await?,
            );
        }
        Ok(out)
    }

    /// The synced state of up to `limit` entities with ids after `after`, in id order.
    pub async fn sync_state_page(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> BaasResult<Vec<(String, FieldState)>> {
        load_states(
            &self.engine.schema,
            &mut Exec::Pool(&self.engine.db),
            entity,
            StateRows::After(after, limit),
            false,
        )
        .await
    }

    /// Digests of up to `limit` entities with ids after `after`, in id order.
    #[tracing::instrument(skip_all, fields(entity = entity.name(), after, limit))]
    pub async fn sync_digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> BaasResult<Vec<(String, u64)>> {
        let states = self.sync_state_page(entity, after, limit).await?;
        Ok(digests(entity, states))
    }
}
