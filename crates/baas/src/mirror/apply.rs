//! Applies the Platform's events to the BaaS: merges each one into its row field by field
//! under the stamps (per-field last-writer-wins), inserting the row when it is new. Applied
//! changes are not recorded in the outbox: the Platform has them already.

use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, Query, SimpleExpr};
use tandem_core::Side;
use tandem_core::access::{decode_role_ids, decode_rules};
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, SyncEvent, merge};
use tandem_sql::Tx;
use tandem_sql::outbox::{StateRows, WriteError};

use super::{Home, SYNC_TABLES, access_table, load_states, model_id};
use crate::Baas;
use crate::error::BaasResult;
use crate::exec::Exec;
use crate::schema::{ModelId, ScalarType};
use crate::value::{self, Value};

impl Baas {
    /// Takes note of applied events' stamps, after their commit, so later local stamps come
    /// after them, and forgets the remembered rows of callers whose user row they changed.
    pub fn observe(&self, events: &[SyncEvent]) {
        for max in events.iter().filter_map(SyncEvent::max_stamp) {
            self.engine.sync.hlc.observe(max);
        }
        for event in events {
            match event.entity {
                Entity::User | Entity::UserRoles => self.callers.forget_user(&event.entity_id),
                Entity::Role => self.callers.forget_roles(),
                Entity::Tenant => {}
            }
        }
    }

    /// Merges one event from the Platform into the BaaS's row (inserting it when new), field by
    /// field, inside `tx` (the sync engine batches and commits). Not recorded in the outbox:
    /// the Platform has it already. A `Failed` outcome may leave `tx` half-written (or, on
    /// PostgreSQL, aborted): the caller rolls it back.
    #[tracing::instrument(skip_all, fields(entity = event.entity.name(), entity_id = %event.entity_id, event = %event.id))]
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
            &mut exec,
            event.entity,
            StateRows::Ids(std::slice::from_ref(&event.entity_id)),
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
        let written = if access_table(event.entity).is_some() {
            write_access(tx, schema, event, &merged.writes, current.is_none()).await
        } else if current.is_none() {
            let model_id = model_id(schema, event.entity)?;
            self.insert_synced(tx, model_id, event, &merged.writes, now)
                .await
        } else if merged.writes.is_empty() {
            Ok(())
        } else {
            let model_id = model_id(schema, event.entity)?;
            self.update_synced(tx, model_id, event, &merged.writes, now)
                .await
        };
        match written {
            Ok(()) => {}
            Err(WriteError::Refused(error)) => return Ok(ApplyOutcome::Failed { error }),
            Err(WriteError::Store(err)) => return Err(err.into()),
        }
        if !merged.writes.is_empty() {
            SYNC_TABLES
                .save_merged_stamps(tx, event, current.as_ref(), &merged.writes)
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

/// Writes merged access fields (a role, a user's roles) into the BaaS's own table, inserting
/// the row when it is `new`.
async fn write_access(
    tx: &mut Tx,
    schema: &crate::schema::Schema,
    event: &SyncEvent,
    writes: &FieldState,
    new: bool,
) -> Result<(), WriteError> {
    let entity = event.entity;
    let home = Home::of(schema, entity).map_err(|e| WriteError::Refused(e.to_string()))?;
    let mut cols: Vec<(Alias, SimpleExpr)> = Vec::new();
    for field in entity.fields() {
        let Some(s) = writes.get(field.name) else {
            if new {
                return Err(WriteError::Refused(format!(
                    "the {} {} is not on the BaaS yet and the event lacks {}",
                    entity.name(),
                    event.entity_id,
                    field.name
                )));
            }
            continue;
        };
        field.check_value(&s.value).map_err(WriteError::Refused)?;
        let text = s.value.as_str().unwrap_or_default().to_owned();
        // Stored only in a form the access checks can read (`caller`).
        let decoded = match field.name {
            "permissions" => decode_rules(&text).map(drop),
            "roles" => decode_role_ids(&text).map(drop),
            _ => Ok(()),
        };
        decoded.map_err(|e| {
            WriteError::Refused(format!(
                "the {}'s `{}` is not in the form this BaaS reads: {e}",
                entity.name(),
                field.name
            ))
        })?;
        cols.push((Alias::new(field.name), SimpleExpr::from(Expr::val(text))));
    }
    if cols.is_empty() {
        return Ok(());
    }
    let table = Alias::new(home.table.as_str());
    if new {
        cols.push((
            Alias::new("id"),
            SimpleExpr::from(Expr::val(event.entity_id.as_str())),
        ));
        let mut q = Query::insert();
        q.into_table(table)
            .columns(cols.iter().map(|(c, _)| c.clone()))
            .values(cols.into_iter().map(|(_, v)| v))
            .map_err(|e| WriteError::Refused(e.to_string()))?;
        tx.execute(&q).await.map_err(|e| write_error(e, entity))?;
    } else {
        let mut q = Query::update();
        q.table(table)
            .values(cols)
            .and_where(Expr::col(Alias::new("id")).eq(event.entity_id.as_str()));
        tx.execute(&q).await.map_err(|e| write_error(e, entity))?;
    }
    Ok(())
}

fn write_error(err: tandem_sql::DbError, entity: Entity) -> WriteError {
    WriteError::from_db(err, |err| describe(err, entity))
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
