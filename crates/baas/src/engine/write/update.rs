//! Updates: one row at a time with its nested writes (`update`, `upsert`), or every matching
//! row in one UPDATE (`updateMany`, scalars only).

use sea_query::{Alias, Expr, ExprTrait, Func, Query, SimpleExpr};

use super::{Boxed, Writer};
use crate::engine::read::Record;
use crate::error::{BaasError, BaasResult, RejectReason};
use crate::exec::Exec;
use crate::query::access::Action;
use crate::query::ast::{Filter, UpdateData, UpdateOp};
use crate::query::policy::AuthRow;
use crate::schema::{FieldId, ModelId, ScalarType};
use crate::value::{Value, decode_rows};

impl<'r, 's> Writer<'r, 's> {
    /// One UPDATE for every matching row (scalar changes only, and — as in ZenStack —
    /// without touching `@updatedAt`); returns the updated rows' keys in the database's order.
    pub(super) async fn update_many(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Option<&Filter>,
        data: &UpdateData,
        limit: Option<u64>,
    ) -> BaasResult<Vec<Record>> {
        let m = self.schema().model(model);
        if m.in_hierarchy() {
            return self
                .update_many_in_hierarchy(exec, model, filter, data, limit)
                .await;
        }
        let c = &self.reader.c;
        let mut update = Query::update();
        update.table(c.stored_table(model));
        for (field, op) in &data.scalars {
            update.value(
                Alias::new(m.fields[*field].column.as_str()),
                self.set_expr(model, *field, op),
            );
        }
        let types: Vec<ScalarType> = m
            .primary_key
            .iter()
            .map(|pk| m.fields[*pk].scalar().unwrap_or(ScalarType::String))
            .collect();
        if data.scalars.is_empty() {
            // Nothing to change: the matching rows, unchanged.
            let rows = self
                .rows(
                    exec,
                    model,
                    filter.cloned().unwrap_or(Filter::Const(true)),
                    limit,
                )
                .await?;
            return Ok(rows);
        }
        self.check_field_updates(
            exec,
            model,
            filter.cloned().unwrap_or(Filter::Const(true)),
            data.scalars.iter().map(|(f, _)| *f),
        )
        .await?;
        // `post-update` policies compare each changed row with how it was: read it first.
        let before = if self.guard.checks_post_update(model) {
            if data.scalars.iter().any(|(f, _)| m.primary_key.contains(f)) {
                return Err(BaasError::NotSupported(format!(
                    "updating the id of `{}` rows, which have 'post-update' policies",
                    m.name
                )));
            }
            self.rows(
                exec,
                model,
                filter.cloned().unwrap_or(Filter::Const(true)),
                limit,
            )
            .await?
        } else {
            Vec::new()
        };
        if self.guard.checks_post_update(model) {
            // Exactly the rows read above (and still matching), so each changed row is judged
            // against how it was.
            let c = &self.reader.c;
            let read: SimpleExpr = match m.primary_key.as_slice() {
                [pk] => c.column(model, &m.table, *pk).is_in(
                    before
                        .iter()
                        .map(|row| c.value(row.value(*pk), types[0]))
                        .collect::<Vec<_>>(),
                ),
                _ => c.filter(
                    model,
                    &m.table,
                    &Filter::Or(
                        before
                            .iter()
                            .map(|row| self.key_filter(model, row))
                            .collect(),
                    ),
                ),
            };
            update.cond_where(self.many_condition(model, filter, None).and(read));
        } else {
            update.cond_where(self.many_condition(model, filter, limit));
        }
        update.returning(
            Query::returning().exprs(
                m.primary_key.iter().map(|pk| {
                    SimpleExpr::from(Expr::col(Alias::new(m.fields[*pk].column.as_str())))
                }),
            ),
        );
        let rows = exec.rows(&update).await?;
        let _ = c;
        let keys: Vec<Record> = decode_rows(&rows, &types)
            .into_iter()
            .map(|values| {
                let mut record = Record::default();
                for (pk, v) in m.primary_key.iter().zip(values) {
                    record.values.insert(*pk, v);
                }
                record
            })
            .collect();
        self.check_written(exec, model, &keys, Action::Update)
            .await?;
        let changed: Vec<(&Record, Filter)> = before
            .iter()
            .map(|row| (row, self.key_filter(model, row)))
            .filter(|(row, _)| {
                keys.iter()
                    .any(|k| k.values.iter().all(|(f, v)| row.value(*f) == v))
            })
            .collect();
        self.check_post_update(exec, model, &changed).await?;
        let written: Vec<FieldId> = data.scalars.iter().map(|(f, _)| *f).collect();
        self.record_sync(exec, model, &keys, &written).await?;
        Ok(keys)
    }

    /// updateMany of a delegate hierarchy's rows: the matching keys first, then an UPDATE per
    /// table holding a changed column (ZenStack refuses a `limit` here).
    async fn update_many_in_hierarchy(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Option<&Filter>,
        data: &UpdateData,
        limit: Option<u64>,
    ) -> BaasResult<Vec<Record>> {
        if limit.is_some() {
            return Err(BaasError::NotSupported(
                "Updating with a limit is not supported for polymorphic models".into(),
            ));
        }
        let m = self.schema().model(model);
        if data
            .scalars
            .iter()
            .any(|(f, op)| m.primary_key.contains(f) && !matches!(op, UpdateOp::Set(_)))
        {
            return Err(BaasError::NotSupported(format!(
                "changing the id of `{}` rows (a delegate hierarchy) with an operator is not supported; set it",
                m.name
            )));
        }
        let targets = filter.cloned().unwrap_or(Filter::Const(true));
        let before = self.rows(exec, model, targets.clone(), None).await?;
        if data.scalars.is_empty() || before.is_empty() {
            return Ok(before);
        }
        self.check_field_updates(exec, model, targets, data.scalars.iter().map(|(f, _)| *f))
            .await?;
        let c = &self.reader.c;
        let sets: Vec<(FieldId, SimpleExpr)> = data
            .scalars
            .iter()
            .map(|(f, op)| (*f, self.set_expr(model, *f, op)))
            .collect();
        for chunk in before.chunks(200) {
            let keys = Filter::Or(chunk.iter().map(|r| self.key_filter(model, r)).collect());
            for (level, sets) in self.by_table(model, sets.clone()) {
                let table = self.schema().model(level).table.as_str();
                let mut update = Query::update();
                update.table(c.stored_table(level));
                for (field, expr) in sets {
                    update.value(Alias::new(m.fields[field].column.as_str()), expr);
                }
                // The key columns are in every table of the hierarchy, under the same names.
                update.cond_where(c.filter(model, table, &keys));
                exec.execute(&update).await?;
            }
        }
        let after: Vec<Record> = before.iter().map(|r| Self::rekeyed(r, data)).collect();
        self.check_written(exec, model, &after, Action::Update)
            .await?;
        let changed: Vec<(&Record, Filter)> = before
            .iter()
            .zip(&after)
            .map(|(row, now)| (row, self.key_filter(model, now)))
            .collect();
        self.check_post_update(exec, model, &changed).await?;
        Ok(after)
    }

    /// Refuses the whole update when a row it targets (`targets`) may not have one of
    /// `fields` changed by the caller (the fields' `@allow('update')` / `@deny('update')`),
    /// checked before the change, as ZenStack does.
    pub(super) async fn check_field_updates(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        targets: Filter,
        fields: impl Iterator<Item = FieldId>,
    ) -> BaasResult<()> {
        let Some(rule) = self.guard.fields_update_rule(model, fields)? else {
            return Ok(());
        };
        let refused = Filter::And(vec![targets, Filter::NotTrue(vec![rule])]);
        if self.one(exec, model, refused).await?.is_some() {
            return Err(self.rejected(model, RejectReason::NoAccess));
        }
        Ok(())
    }

    /// Refuses the whole update when a changed row fails the model's `post-update` policies:
    /// each `(row as it was, filter finding it now)`.
    pub(super) async fn check_post_update(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        changed: &[(&Record, Filter)],
    ) -> BaasResult<()> {
        if !self.guard.checks_post_update(model) {
            return Ok(());
        }
        for chunk in changed.chunks(100) {
            let mut failing = Vec::new();
            for (before, now) in chunk {
                let was: AuthRow = before.values.iter().map(|(f, v)| (*f, v.clone())).collect();
                if let Some(rule) = self.guard.post_update_rule(model, &was)? {
                    failing.push(Filter::And(vec![now.clone(), Filter::NotTrue(vec![rule])]));
                }
            }
            if !failing.is_empty() && self.one(exec, model, Filter::Or(failing)).await?.is_some() {
                return Err(self.rejected(model, RejectReason::NoAccess));
            }
        }
        Ok(())
    }

    /// The SET expression of one scalar update operator.
    fn set_expr(&self, model: ModelId, field: FieldId, op: &UpdateOp) -> SimpleExpr {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        let ty = m.fields[field].scalar().unwrap_or(ScalarType::String);
        let col: SimpleExpr = Expr::col(Alias::new(m.fields[field].column.as_str())).into();
        if let Some(element) = m.fields[field].list_of {
            return match op {
                // `push`: appended (to an empty list when there is none).
                UpdateOp::Push(v) => Func::cust(Alias::new("array_cat"))
                    .arg(col)
                    .arg(c.list_value(element, v))
                    .into(),
                UpdateOp::Set(v)
                | UpdateOp::Increment(v)
                | UpdateOp::Decrement(v)
                | UpdateOp::Multiply(v)
                | UpdateOp::Divide(v) => c.list_value(element, v),
            };
        }
        match op {
            UpdateOp::Push(v) => c.value(v, ty),
            UpdateOp::Set(v) => c.value(v, ty),
            UpdateOp::Increment(v) => col.add(c.value(v, ty)),
            UpdateOp::Decrement(v) => col.sub(c.value(v, ty)),
            UpdateOp::Multiply(v) => col.mul(c.value(v, ty)),
            UpdateOp::Divide(v) => col.div(c.value(v, ty)),
        }
    }

    /// Applies `data` to one existing row (found by its key), nested writes included.
    pub fn update_record<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        record: &'a Record,
        data: &'a UpdateData,
    ) -> Boxed<'a, ()> {
        Box::pin(async move {
            if data.is_empty() {
                return Ok(());
            }
            let m = self.schema().model(model);
            let mut sets: Vec<(FieldId, SimpleExpr)> = Vec::new();
            for (field, op) in &data.scalars {
                sets.push((*field, self.set_expr(model, *field, op)));
            }
            // Relations whose key this row holds first: they may set its foreign key.
            let mut later = Vec::new();
            for (field, writes) in &data.relations {
                let Some(r) = m.fields[*field].relation() else {
                    continue;
                };
                if !r.owner {
                    later.push((r, writes));
                    continue;
                }
                for write in writes {
                    self.write_owned(exec, model, record, r, write, &mut sets)
                        .await?;
                }
            }
            if !sets.is_empty() {
                self.check_field_updates(
                    exec,
                    model,
                    self.key_filter(model, record),
                    sets.iter().map(|(f, _)| *f),
                )
                .await?;
                self.update_row(exec, model, record, sets).await?;
            }
            // Relations whose rows hold this row's key (after the row's own key may change).
            let current = self.reread_if_rekeyed(exec, model, record, data).await?;
            // The changed row must still be within the caller's rule (it may not move itself
            // to another tenant or owner).
            self.check_written(exec, model, std::slice::from_ref(&current), Action::Update)
                .await?;
            self.check_post_update(exec, model, &[(record, self.key_filter(model, &current))])
                .await?;
            for (r, writes) in later {
                for write in writes {
                    self.write_children(exec, model, &current, r, write).await?;
                }
            }
            Ok(())
        })
    }

    /// One UPDATE of a row by its key: `sets`, plus `@updatedAt` fields it does not set;
    /// recorded for the Platform when the row is a built-in model's.
    async fn update_row(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        mut sets: Vec<(FieldId, SimpleExpr)>,
    ) -> BaasResult<()> {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        let set_fields: Vec<FieldId> = sets.iter().map(|(f, _)| *f).collect();
        for (id, field) in m.scalar_fields() {
            // Not when the update sets only fields `@updatedAt(ignore: …)` names.
            let only_ignored = !set_fields.is_empty()
                && set_fields
                    .iter()
                    .all(|f| field.updated_at_ignore.contains(f));
            if field.updated_at && !set_fields.contains(&id) && !only_ignored {
                sets.push((
                    id,
                    c.value(&Value::DateTime(self.now), ScalarType::DateTime),
                ));
            }
        }
        let written: Vec<FieldId> = sets.iter().map(|(f, _)| *f).collect();
        for (level, sets) in self.by_table(model, sets) {
            let mut update = Query::update();
            update.table(c.stored_table(level));
            for (field, expr) in sets {
                update.value(Alias::new(m.fields[field].column.as_str()), expr);
            }
            self.where_key(&mut update, model, record);
            exec.execute(&update).await?;
        }
        self.record_sync(exec, model, std::slice::from_ref(record), &written)
            .await
    }

    /// An update's column changes grouped by the table holding them: one group for a plain
    /// model; for a delegate hierarchy, the sub-models' tables first and the topmost base's
    /// last, which holds the key (a changed key cascades down to the rows below).
    pub(super) fn by_table(
        &self,
        model: ModelId,
        sets: Vec<(FieldId, SimpleExpr)>,
    ) -> Vec<(ModelId, Vec<(FieldId, SimpleExpr)>)> {
        let schema = self.schema();
        let m = schema.model(model);
        if !m.in_hierarchy() {
            return vec![(model, sets)];
        }
        let lineage = schema.lineage(model);
        let mut groups: Vec<(ModelId, Vec<(FieldId, SimpleExpr)>)> =
            lineage.iter().rev().map(|l| (*l, Vec::new())).collect();
        for (field, expr) in sets {
            let holder = if m.primary_key.contains(&field) {
                lineage[0]
            } else {
                m.holder(model, field)
            };
            let at = lineage.len() - 1 - lineage.iter().position(|l| *l == holder).unwrap_or(0);
            groups[at].1.push((field, expr));
        }
        groups.retain(|(_, sets)| !sets.is_empty());
        groups
    }

    /// The updated row, read again by its new key when the update set key fields.
    async fn reread_if_rekeyed(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        data: &UpdateData,
    ) -> BaasResult<Record> {
        let m = self.schema().model(model);
        Ok(
            if data.scalars.iter().any(|(f, _)| m.primary_key.contains(f)) {
                self.one(exec, model, self.key_filter_after(model, record, data))
                    .await?
                    .unwrap_or_else(|| record.clone())
            } else {
                record.clone()
            },
        )
    }

    /// The row's key after an update that sets key fields.
    fn key_filter_after(&self, model: ModelId, record: &Record, data: &UpdateData) -> Filter {
        self.key_filter(model, &Self::rekeyed(record, data))
    }

    /// The record with the values `data` sets: what finds the row again after an update that
    /// changed its key.
    pub(super) fn rekeyed(record: &Record, data: &UpdateData) -> Record {
        let mut after = record.clone();
        for (f, op) in &data.scalars {
            if let UpdateOp::Set(v) = op {
                after.values.insert(*f, v.clone());
            }
        }
        after
    }
}
