//! Writes, inside the caller's transaction: create (with nested create / connect /
//! connectOrCreate), update (scalar operators and every nested relation write), upsert,
//! delete, and their many-row forms. Each statement touches rows found by their key, so a
//! nested write can never reach rows outside its parent. A failure anywhere rolls the whole
//! operation back.
//!
//! `create` inserts rows (defaults filled, the relations a row holds resolved first, its
//! children written after); `update` changes rows; `nested` writes through a relation to the
//! related rows, and `join` through a many-to-many relation's join table. Here: the entry point, the lookups they share, deletes, and recording writes
//! to the built-in models for the Platform ([`crate::mirror::outbox`]).

mod create;
mod ids;
mod join;
mod nested;
mod update;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use serde_json::Value as Json;

use super::not_found;
use super::read::{Reader, Record};
use crate::error::{BaasError, BaasResult, RejectReason};
use crate::exec::Exec;
use crate::mirror::outbox::{LocalWrite, SyncHooks, record_local};
use crate::query::access::{Action, Guard};
use crate::query::ast::{Cond, FieldFilter, Filter, Operation, ReadArgs, Selection};
use crate::query::rules;
use crate::schema::{FieldId, ModelId, ScalarType};
use crate::value::{Annotations, Value};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = BaasResult<T>> + Send + 'a>>;

pub struct Writer<'r, 's> {
    /// Reads rows as they are (the lookups a write makes).
    pub reader: &'r Reader<'s>,
    /// Reads written rows back as the caller sees them (field read rules applied).
    pub output: &'r Reader<'s>,
    pub now: DateTime<Utc>,
    pub sync: &'r SyncHooks,
    /// The caller's rules: rows created or changed must pass them afterwards, and the rows
    /// a top-level write targets before.
    pub guard: &'r Guard<'s>,
    /// Set when a write recorded sync events (the relay is woken after the commit).
    pub recorded: AtomicBool,
}

/// A filter pinning `fields` to `values`.
pub fn equals(model_fields: &[(FieldId, ScalarType)], values: &[Value]) -> Filter {
    Filter::And(
        model_fields
            .iter()
            .zip(values)
            .map(|((field, ty), v)| Filter::Field {
                field: *field,
                ty: *ty,
                filter: FieldFilter {
                    insensitive: false,
                    conds: vec![Cond::Eq(v.clone())],
                },
            })
            .collect(),
    )
}

impl<'r, 's> Writer<'r, 's> {
    pub(super) fn schema(&self) -> &'s crate::schema::Schema {
        self.reader.schema()
    }

    fn typed(&self, model: ModelId, fields: &[FieldId]) -> Vec<(FieldId, ScalarType)> {
        let m = self.schema().model(model);
        fields
            .iter()
            .map(|f| (*f, m.fields[*f].scalar().unwrap_or(ScalarType::String)))
            .collect()
    }

    fn key_filter(&self, model: ModelId, record: &Record) -> Filter {
        let pk = &self.schema().model(model).primary_key;
        let values: Vec<Value> = pk.iter().map(|f| record.value(*f).clone()).collect();
        equals(&self.typed(model, pk), &values)
    }

    fn all_scalars(&self, model: ModelId) -> Selection {
        Selection {
            scalars: self
                .schema()
                .model(model)
                .scalar_fields()
                .map(|(id, _)| id)
                .collect(),
            ..Selection::default()
        }
    }

    /// Rows of `model` matching `filter`, every scalar read.
    async fn rows(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Filter,
        limit: Option<u64>,
    ) -> BaasResult<Vec<Record>> {
        let mut args = ReadArgs::all(model, self.all_scalars(model));
        args.filter = Some(filter);
        args.take = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        self.reader.find(exec, &args).await
    }

    async fn one(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Filter,
    ) -> BaasResult<Option<Record>> {
        Ok(self
            .rows(exec, model, filter, Some(1))
            .await?
            .into_iter()
            .next())
    }

    /// Reads back a written row with the caller's selection; a row the caller may not read
    /// is refused (and the write undone by the caller's transaction).
    async fn read_back(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        selection: &Selection,
        annotations: &mut Annotations,
    ) -> BaasResult<Json> {
        let mut args = ReadArgs::all(model, selection.clone());
        let rule = self.guard.rule(model, Action::Read)?;
        args.filter = Some(self.key_filter(model, record).and(rule.as_ref()));
        let rows = self.output.find(exec, &args).await?;
        match rows.first() {
            Some(row) => Ok(self.output.render(model, selection, row, "", annotations)),
            None if rule.is_some() => Err(self.rejected(model, RejectReason::CannotReadBack)),
            None => Ok(Json::Null),
        }
    }

    fn rejected(&self, model: ModelId, reason: RejectReason) -> BaasError {
        BaasError::PolicyRejected {
            model: self.schema().model(model).name.clone(),
            reason,
        }
    }

    /// Checks that written rows pass the caller's rule for `action` (a create's rows as
    /// created, an update's as changed): otherwise the whole write is refused.
    pub(super) async fn check_written(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        records: &[Record],
        action: Action,
    ) -> BaasResult<()> {
        let rule = match action {
            Action::Update => self.guard.after_update_rule(model)?,
            _ => self.guard.rule(model, action)?,
        };
        let Some(rule) = rule else {
            return Ok(());
        };
        for chunk in records.chunks(200) {
            let keys = Filter::Or(chunk.iter().map(|r| self.key_filter(model, r)).collect());
            // A row the rule cannot vouch for (unknown, for a NULL) is outside it too.
            let outside = Filter::And(vec![keys, Filter::NotTrue(vec![rule.clone()])]);
            if self.one(exec, model, outside).await?.is_some() {
                return Err(self.rejected(model, RejectReason::NoAccess));
            }
        }
        Ok(())
    }

    /// The one row a top-level update or delete targets, within the caller's rule for
    /// `action`. A row the caller may read but not change is refused; one they may not even
    /// read is not found.
    async fn target(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        unique: &Filter,
        action: Action,
    ) -> BaasResult<Option<Record>> {
        let rule = self.guard.rule(model, action)?;
        if let Some(record) = self
            .one(exec, model, unique.clone().and(rule.as_ref()))
            .await?
        {
            return Ok(Some(record));
        }
        if rule.is_some() {
            let readable = self.guard.rule(model, Action::Read)?;
            if self
                .one(exec, model, unique.clone().and(readable.as_ref()))
                .await?
                .is_some()
            {
                return Err(self.rejected(model, RejectReason::NoAccess));
            }
        }
        Ok(None)
    }

    /// Reads back written rows with the caller's selection (`…AndReturn`), each row's
    /// annotations under its index.
    async fn read_back_all(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        records: &[Record],
        selection: &Selection,
        annotations: &mut Annotations,
    ) -> BaasResult<Json> {
        let mut out = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let mut local = Annotations::default();
            let json = self
                .read_back(exec, model, record, selection, &mut local)
                .await?;
            local.prefix_into(&i.to_string(), annotations);
            out.push(json);
        }
        Ok(Json::Array(out))
    }

    /// Runs one write operation on `model`; its answer's data.
    pub async fn run(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        operation: &Operation,
        annotations: &mut Annotations,
    ) -> BaasResult<Json> {
        match operation {
            Operation::Create { data, selection } => {
                if super::single_statement(self.schema(), operation)
                    && self.guard.rule(model, Action::Read)?.is_none()
                    && !self.output.c.hides_fields()
                {
                    // The INSERT returned every field, and the caller may read any row and
                    // field: no second read.
                    let record = self
                        .insert_values(exec, data.model, data.scalars.clone(), false)
                        .await?
                        .ok_or_else(|| BaasError::internal("INSERT returned no row"))?;
                    return Ok(self
                        .reader
                        .render(model, selection, &record, "", annotations));
                }
                let record = self.insert(exec, data, None).await?;
                self.read_back(exec, model, &record, selection, annotations)
                    .await
            }
            Operation::CreateMany {
                data,
                skip_duplicates,
                returning,
            } => {
                let mut created = Vec::new();
                for row in data {
                    if let Some(record) = self.insert_flat(exec, row, *skip_duplicates).await? {
                        created.push(record);
                    }
                }
                match returning {
                    None => Ok(serde_json::json!({"count": created.len()})),
                    Some(selection) => {
                        self.read_back_all(exec, model, &created, selection, annotations)
                            .await
                    }
                }
            }
            Operation::Update {
                unique,
                data,
                selection,
            } => {
                let record = self
                    .target(exec, model, unique, Action::Update)
                    .await?
                    .ok_or_else(|| not_found(self.schema(), model))?;
                self.update_record(exec, model, &record, data).await?;
                // Found again by its key as the update left it (it may have changed the key).
                let after = Self::rekeyed(&record, data);
                self.read_back(exec, model, &after, selection, annotations)
                    .await
            }
            Operation::UpdateMany {
                filter,
                data,
                limit,
                returning,
            } => {
                let keys = self
                    .update_many(exec, model, filter.as_ref(), data, *limit)
                    .await?;
                match returning {
                    None => Ok(serde_json::json!({"count": keys.len()})),
                    Some(selection) => {
                        self.read_back_all(exec, model, &keys, selection, annotations)
                            .await
                    }
                }
            }
            Operation::Upsert {
                unique,
                create,
                update,
                selection,
            } => {
                let record = match self.target(exec, model, unique, Action::Update).await? {
                    Some(existing) => {
                        self.update_record(exec, model, &existing, update).await?;
                        Self::rekeyed(&existing, update)
                    }
                    None => self.insert(exec, create, None).await?,
                };
                self.read_back(exec, model, &record, selection, annotations)
                    .await
            }
            Operation::Delete { unique, selection } => {
                let record = self
                    .target(exec, model, unique, Action::Delete)
                    .await?
                    .ok_or_else(|| not_found(self.schema(), model))?;
                let json = self
                    .read_back(exec, model, &record, selection, annotations)
                    .await?;
                self.delete_rows(exec, model, &[record]).await?;
                Ok(json)
            }
            Operation::DeleteMany { filter, limit } => {
                let count = self
                    .delete_many(exec, model, filter.as_ref(), *limit)
                    .await?;
                Ok(serde_json::json!({"count": count}))
            }
            _ => Ok(Json::Null),
        }
    }

    /// The rows a many-row write targets: `filter` on the table itself (so the database
    /// visits rows in its own order, as ZenStack's statements do), or the first `limit` keys.
    fn many_condition(
        &self,
        model: ModelId,
        filter: Option<&Filter>,
        limit: Option<u64>,
    ) -> SimpleExpr {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        match limit {
            None => match filter {
                Some(f) => c.filter(model, &m.table, f),
                None => super::sql::always(true),
            },
            Some(limit) => {
                let alias = c.alias();
                let mut keys = Query::select();
                keys.from(c.table_ref(model, &alias)).limit(limit);
                for pk in &m.primary_key {
                    keys.expr(c.column(model, &alias, *pk));
                }
                if let Some(f) = filter {
                    keys.and_where(c.filter(model, &alias, f));
                }
                let columns: Vec<SimpleExpr> = m
                    .primary_key
                    .iter()
                    .map(|pk| c.column(model, &m.table, *pk))
                    .collect();
                let lhs = if columns.len() == 1 {
                    columns
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| super::sql::always(false))
                } else {
                    SimpleExpr::Tuple(columns)
                };
                lhs.in_subquery(keys)
            }
        }
    }

    /// Records sync events for written rows of the built-in models (nothing for app models).
    async fn record_sync(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        rows: &[Record],
        written: &[FieldId],
    ) -> BaasResult<()> {
        let m = self.schema().model(model);
        if m.builtin.is_none() {
            return Ok(());
        }
        let Some((key, _)) = m.field("id") else {
            return Err(BaasError::internal("a built-in model without `id`"));
        };
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|r| match r.value(key) {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        if record_local(
            self.schema(),
            self.sync,
            exec,
            LocalWrite {
                model,
                ids: &ids,
                written,
                now: self.now,
            },
        )
        .await?
        {
            self.recorded.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// One DELETE for every matching row; the database applies each relation's onDelete.
    /// Rows of a delegate hierarchy, and rows whose deletion cascades to a sub-model's rows,
    /// are found first and deleted by key (see `delete_rows`).
    fn delete_many<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        filter: Option<&'a Filter>,
        limit: Option<u64>,
    ) -> Boxed<'a, u64> {
        Box::pin(async move {
            rules::check_delete(self.schema(), model)?;
            let m = self.schema().model(model);
            if m.in_hierarchy() && limit.is_some() {
                return Err(BaasError::NotSupported(
                    "Deleting with a limit is not supported for polymorphic models".into(),
                ));
            }
            if m.in_hierarchy() || !self.delegate_cascades(model).is_empty() {
                // Found before anything is deleted: the filter may name the rows the
                // cascade removes.
                let targets = filter.cloned().unwrap_or(Filter::Const(true));
                let rows = self.rows(exec, model, targets, limit).await?;
                return self.delete_rows(exec, model, &rows).await;
            }
            let mut delete = Query::delete();
            delete
                .from_table(self.reader.c.stored_table(model))
                .cond_where(self.many_condition(model, filter, limit));
            exec.execute(&delete).await
        })
    }

    async fn delete_rows(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        records: &[Record],
    ) -> BaasResult<u64> {
        rules::check_delete(self.schema(), model)?;
        let m = self.schema().model(model);
        let cascades = self.delegate_cascades(model);
        if !cascades.is_empty() {
            for chunk in records.chunks(200) {
                let keys = Filter::Or(chunk.iter().map(|r| self.key_filter(model, r)).collect());
                self.delete_cascading(exec, &keys, &cascades).await?;
            }
        }
        // A row of a delegate hierarchy goes at its topmost base (the rows below cascade).
        let root = self.schema().lineage(model)[0];
        let mut count = 0;
        for record in records {
            let mut delete = Query::delete();
            delete.from_table(self.reader.c.stored_table(root));
            for pk in &m.primary_key {
                let ty = m.fields[*pk].scalar().unwrap_or(ScalarType::String);
                delete.and_where(
                    Expr::col(Alias::new(m.fields[*pk].column.as_str()))
                        .eq(self.reader.c.value(record.value(*pk), ty)),
                );
            }
            count += exec.execute(&delete).await?;
        }
        Ok(count)
    }

    /// The relations through which deleting rows of `model` cascades to rows of a delegate's
    /// sub-model: `(relation field of model, the sub-model, its field holding the key)`. The
    /// database deletes those rows but not their bases' rows, so Tandem deletes them first,
    /// at their topmost base (as ZenStack does).
    fn delegate_cascades(&self, model: ModelId) -> Vec<(ModelId, FieldId)> {
        let schema = self.schema();
        schema
            .model(model)
            .fields
            .iter()
            .filter_map(|f| f.relation())
            .filter_map(|r| {
                let sub = schema.model(r.target);
                let back = &sub.fields[r.opposite];
                let cascades = back.relation().is_some_and(|b| {
                    b.owner && b.on_delete == Some(crate::schema::ReferentialAction::Cascade)
                });
                (sub.base.is_some() && back.inherited.is_none() && cascades)
                    .then_some((r.target, r.opposite))
            })
            .collect()
    }

    /// Deletes the sub-model rows that deleting the rows matching `targets` cascades to.
    async fn delete_cascading(
        &self,
        exec: &mut Exec<'_>,
        targets: &Filter,
        cascades: &[(ModelId, FieldId)],
    ) -> BaasResult<()> {
        for (sub, back) in cascades {
            let theirs = Filter::One {
                relation: *back,
                negated: false,
                filter: Some(Box::new(targets.clone())),
            };
            self.delete_many(exec, *sub, Some(&theirs), None).await?;
        }
        Ok(())
    }

    fn where_key(&self, update: &mut sea_query::UpdateStatement, model: ModelId, record: &Record) {
        let m = self.schema().model(model);
        for pk in &m.primary_key {
            let ty = m.fields[*pk].scalar().unwrap_or(ScalarType::String);
            update.and_where(
                Expr::col(Alias::new(m.fields[*pk].column.as_str()))
                    .eq(self.reader.c.value(record.value(*pk), ty)),
            );
        }
    }
}
