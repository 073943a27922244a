//! Writes, inside the caller's transaction: create (with nested create / connect /
//! connectOrCreate), update (scalar operators and every nested relation write), upsert,
//! delete, and their many-row forms. Each statement touches rows found by their key, so a
//! nested write can never reach rows outside its parent. A failure anywhere rolls the whole
//! operation back.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use serde_json::Value as Json;

use super::not_found;
use super::read::{Reader, Record};
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::mirror::outbox::{LocalWrite, SyncHooks, record_local};
use crate::query::ast::{
    Cond, CreateData, FieldFilter, Filter, Operation, ReadArgs, RelationWrite, Selection,
    UpdateData, UpdateOp,
};
use crate::query::rules;
use crate::schema::{Default, FieldId, ModelId, Relation, ScalarType};
use crate::value::{self, Annotations, Value, decode_rows};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = BaasResult<T>> + Send + 'a>>;

pub struct Writer<'r, 's> {
    pub reader: &'r Reader<'s>,
    pub now: DateTime<Utc>,
    pub sync: &'r SyncHooks,
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

fn and(a: Filter, b: Option<&Filter>) -> Filter {
    match b {
        Some(b) => Filter::And(vec![a, b.clone()]),
        None => a,
    }
}

static CUID_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A collision-resistant id in the shape of a cuid: `c`, the time, a counter and randomness,
/// in base 36.
fn cuid(now: DateTime<Utc>) -> String {
    fn base36(mut n: u128, width: usize) -> String {
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        while n > 0 {
            out.push(digits[(n % 36) as usize]);
            n /= 36;
        }
        while out.len() < width {
            out.push(b'0');
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
    let count = CUID_COUNTER.fetch_add(1, Ordering::Relaxed) % (36u32.pow(4));
    let random = uuid::Uuid::new_v4().as_u128();
    let time = u128::try_from(now.timestamp_millis()).unwrap_or_default();
    let mut id = format!(
        "c{}{}{}",
        base36(time, 8),
        base36(count.into(), 4),
        base36(random, 25)
    );
    id.truncate(25);
    id
}

impl<'r, 's> Writer<'r, 's> {
    fn schema(&self) -> &'s crate::schema::Schema {
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

    /// Reads back a written row with the caller's selection.
    async fn read_back(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        selection: &Selection,
        annotations: &mut Annotations,
    ) -> BaasResult<Json> {
        let mut args = ReadArgs::all(model, selection.clone());
        args.filter = Some(self.key_filter(model, record));
        let rows = self.reader.find(exec, &args).await?;
        Ok(match rows.first() {
            Some(row) => self.reader.render(model, selection, row, "", annotations),
            None => Json::Null,
        })
    }

    pub async fn run(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        operation: &Operation,
        annotations: &mut Annotations,
    ) -> BaasResult<Json> {
        match operation {
            Operation::Create { data, selection } => {
                if super::single_statement(operation) {
                    // The INSERT returned every field; no second read.
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
                        let mut out = Vec::new();
                        for (i, record) in created.iter().enumerate() {
                            let mut local = Annotations::default();
                            let json = self
                                .read_back(exec, model, record, selection, &mut local)
                                .await?;
                            local.prefix_into(&i.to_string(), annotations);
                            out.push(json);
                        }
                        Ok(Json::Array(out))
                    }
                }
            }
            Operation::Update {
                unique,
                data,
                selection,
            } => {
                let record = self
                    .one(exec, model, unique.clone())
                    .await?
                    .ok_or_else(|| not_found(self.schema(), model))?;
                self.update_record(exec, model, &record, data).await?;
                self.read_back(exec, model, &record, selection, annotations)
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
                        let mut out = Vec::new();
                        for (i, record) in keys.iter().enumerate() {
                            let mut local = Annotations::default();
                            out.push(
                                self.read_back(exec, model, record, selection, &mut local)
                                    .await?,
                            );
                            local.prefix_into(&i.to_string(), annotations);
                        }
                        Ok(Json::Array(out))
                    }
                }
            }
            Operation::Upsert {
                unique,
                create,
                update,
                selection,
            } => {
                let record = match self.one(exec, model, unique.clone()).await? {
                    Some(existing) => {
                        self.update_record(exec, model, &existing, update).await?;
                        existing
                    }
                    None => self.insert(exec, create, None).await?,
                };
                self.read_back(exec, model, &record, selection, annotations)
                    .await
            }
            Operation::Delete { unique, selection } => {
                let record = self
                    .one(exec, model, unique.clone())
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
                keys.from_as(c.table(model), Alias::new(alias.as_str()))
                    .limit(limit);
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

    /// One UPDATE for every matching row (scalar changes only, and — as in ZenStack —
    /// without touching `@updatedAt`); returns the updated rows' keys in the database's order.
    async fn update_many(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Option<&Filter>,
        data: &UpdateData,
        limit: Option<u64>,
    ) -> BaasResult<Vec<Record>> {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        let mut update = Query::update();
        update.table(Alias::new(m.table.as_str()));
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
        update.cond_where(self.many_condition(model, filter, limit));
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
        let written: Vec<FieldId> = data.scalars.iter().map(|(f, _)| *f).collect();
        self.record_sync(exec, model, &keys, &written).await?;
        Ok(keys)
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
            self.reader.c.dialect,
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
    async fn delete_many(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        filter: Option<&Filter>,
        limit: Option<u64>,
    ) -> BaasResult<u64> {
        rules::check_delete(self.schema(), model)?;
        let m = self.schema().model(model);
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(m.table.as_str()))
            .cond_where(self.many_condition(model, filter, limit));
        exec.execute(&delete).await
    }

    /// The SET expression of one scalar update operator.
    fn set_expr(&self, model: ModelId, field: FieldId, op: &UpdateOp) -> SimpleExpr {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        let ty = m.fields[field].scalar().unwrap_or(ScalarType::String);
        let col: SimpleExpr = Expr::col(Alias::new(m.fields[field].column.as_str())).into();
        match op {
            UpdateOp::Set(v) => c.value(v, ty),
            UpdateOp::Increment(v) => col.add(c.value(v, ty)),
            UpdateOp::Decrement(v) => col.sub(c.value(v, ty)),
            UpdateOp::Multiply(v) => col.mul(c.value(v, ty)),
            UpdateOp::Divide(v) => col.div(c.value(v, ty)),
        }
    }

    async fn delete_rows(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        records: &[Record],
    ) -> BaasResult<u64> {
        rules::check_delete(self.schema(), model)?;
        let m = self.schema().model(model);
        let mut count = 0;
        for record in records {
            let mut delete = Query::delete();
            delete.from_table(Alias::new(m.table.as_str()));
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

    /// A value for a field the create left out.
    fn default_value(&self, ty: ScalarType, default: &Default) -> Option<Value> {
        match default {
            Default::Uuid => Some(Value::String(uuid::Uuid::new_v4().to_string())),
            Default::Cuid => Some(Value::String(cuid(self.now))),
            Default::Now => Some(Value::DateTime(self.now)),
            Default::Autoincrement => None,
            Default::Literal(json) => value::from_json(json, ty).ok(),
        }
    }

    /// INSERT one row with these column values (defaults filled), returning every scalar.
    async fn insert_values(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        mut values: Vec<(FieldId, Value)>,
        skip_duplicates: bool,
    ) -> BaasResult<Option<Record>> {
        if let Some(err) = rules::create_refused(self.schema(), model) {
            return Err(err);
        }
        let m = self.schema().model(model);
        for (id, field) in m.scalar_fields() {
            if values.iter().any(|(f, _)| *f == id) {
                continue;
            }
            let ty = field.scalar().unwrap_or(ScalarType::String);
            let filled = match &field.default {
                Some(d) => self.default_value(ty, d),
                None if field.updated_at => Some(Value::DateTime(self.now)),
                None => None,
            };
            if let Some(v) = filled {
                values.push((id, v));
            }
        }
        let mut insert = Query::insert();
        insert.into_table(Alias::new(m.table.as_str()));
        if values.is_empty() {
            insert.or_default_values();
        } else {
            insert.columns(
                values
                    .iter()
                    .map(|(f, _)| Alias::new(m.fields[*f].column.as_str())),
            );
            let row: Vec<SimpleExpr> = values
                .iter()
                .map(|(f, v)| {
                    self.reader
                        .c
                        .value(v, m.fields[*f].scalar().unwrap_or(ScalarType::String))
                })
                .collect();
            insert.values_panic(row);
        }
        if skip_duplicates {
            insert.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
        }
        let scalars: Vec<(FieldId, ScalarType)> = m
            .scalar_fields()
            .map(|(id, f)| (id, f.scalar().unwrap_or(ScalarType::String)))
            .collect();
        let returning: Vec<SimpleExpr> = scalars
            .iter()
            .map(|(f, ty)| {
                let col: SimpleExpr = Expr::col(Alias::new(m.fields[*f].column.as_str())).into();
                match (self.reader.c.dialect, ty) {
                    (tandem_sql::Dialect::Postgres, ScalarType::Decimal) => {
                        col.cast_as(Alias::new("text"))
                    }
                    _ => col,
                }
            })
            .collect();
        insert.returning(Query::returning().exprs(returning));
        let rows = exec.rows(&insert).await?;
        let types: Vec<ScalarType> = scalars.iter().map(|(_, t)| *t).collect();
        Ok(decode_rows(&rows, &types).into_iter().next().map(|row| {
            let mut record = Record::default();
            for ((field, _), value) in scalars.iter().zip(row) {
                record.values.insert(*field, value);
            }
            record
        }))
    }

    /// createMany rows: scalars only; `None` when skipped as a duplicate.
    async fn insert_flat(
        &self,
        exec: &mut Exec<'_>,
        data: &CreateData,
        skip_duplicates: bool,
    ) -> BaasResult<Option<Record>> {
        self.insert_values(exec, data.model, data.scalars.clone(), skip_duplicates)
            .await
    }

    /// Creates a row with its nested writes. `link` fills the row's foreign key to the parent
    /// it is created through.
    pub fn insert<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        data: &'a CreateData,
        link: Option<(Vec<FieldId>, Vec<Value>)>,
    ) -> Boxed<'a, Record> {
        Box::pin(async move {
            let model = data.model;
            let m = self.schema().model(model);
            let mut values = data.scalars.clone();
            if let Some((fields, link_values)) = link {
                for (f, v) in fields.into_iter().zip(link_values) {
                    values.retain(|(existing, _)| *existing != f);
                    values.push((f, v));
                }
            }
            // Relations whose key this row holds: resolve the related row first.
            for (field, writes) in &data.relations {
                let Some(r) = m.fields[*field].relation() else {
                    continue;
                };
                if !r.owner {
                    continue;
                }
                for write in writes {
                    let target_values = self.resolve_owned(exec, r, write, true).await?;
                    if let Some(target_values) = target_values {
                        for (f, v) in r.local.iter().zip(target_values) {
                            values.retain(|(existing, _)| existing != f);
                            values.push((*f, v));
                        }
                    }
                }
            }
            let record = self
                .insert_values(exec, model, values, false)
                .await?
                .ok_or_else(|| BaasError::internal("INSERT returned no row"))?;
            // Relations whose rows hold this row's key.
            for (field, writes) in &data.relations {
                let Some(r) = m.fields[*field].relation() else {
                    continue;
                };
                if r.owner {
                    continue;
                }
                for write in writes {
                    self.write_children(exec, model, &record, r, write).await?;
                }
            }
            Ok(record)
        })
    }

    /// For a relation this row holds the key of: the related row's referenced values after
    /// a connect / create / connectOrCreate.
    fn resolve_owned<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        r: &'a Relation,
        write: &'a RelationWrite,
        creating: bool,
    ) -> Boxed<'a, Option<Vec<Value>>> {
        Box::pin(async move {
            let referenced = |record: &Record| {
                r.foreign
                    .iter()
                    .map(|f| record.value(*f).clone())
                    .collect::<Vec<_>>()
            };
            Ok(match write {
                // Creating, a connect by key uses the key as is and lets the foreign key check
                // it (400); updating, the row is looked up (404) — as ZenStack does.
                RelationWrite::Connect(unique) => Some(
                    match pinned_values(unique, &r.foreign).filter(|_| creating) {
                        Some(values) => values,
                        None => {
                            let target = self
                                .one(exec, r.target, unique.clone())
                                .await?
                                .ok_or_else(|| not_found(self.schema(), r.target))?;
                            referenced(&target)
                        }
                    },
                ),
                RelationWrite::Create(data) => {
                    Some(referenced(&self.insert(exec, data, None).await?))
                }
                RelationWrite::ConnectOrCreate { unique, create } => {
                    Some(match self.one(exec, r.target, unique.clone()).await? {
                        Some(existing) => referenced(&existing),
                        None => referenced(&self.insert(exec, create, None).await?),
                    })
                }
                _ => None,
            })
        })
    }

    /// The rows of relation `r` (held by the related rows) currently linked to `record`.
    fn children_filter(
        &self,
        parent_model: ModelId,
        record: &Record,
        r: &Relation,
        extra: Option<&Filter>,
    ) -> Filter {
        let values: Vec<Value> = r.local.iter().map(|f| record.value(*f).clone()).collect();
        let _ = parent_model;
        and(equals(&self.typed(r.target, &r.foreign), &values), extra)
    }

    fn link_of(&self, record: &Record, r: &Relation) -> (Vec<FieldId>, Vec<Value>) {
        (
            r.foreign.clone(),
            r.local.iter().map(|f| record.value(*f).clone()).collect(),
        )
    }

    /// UPDATE the related rows matching `filter` so their foreign key is `values`.
    async fn set_link(
        &self,
        exec: &mut Exec<'_>,
        r: &Relation,
        filter: Filter,
        values: Option<&[Value]>,
    ) -> BaasResult<u64> {
        let rows = self.rows(exec, r.target, filter, None).await?;
        let m = self.schema().model(r.target);
        let mut changed = 0;
        for row in &rows {
            let mut update = Query::update();
            update.table(Alias::new(m.table.as_str()));
            for (i, f) in r.foreign.iter().enumerate() {
                let ty = m.fields[*f].scalar().unwrap_or(ScalarType::String);
                let v = values.map_or(Value::Null, |vs| vs[i].clone());
                update.value(
                    Alias::new(m.fields[*f].column.as_str()),
                    self.reader.c.value(&v, ty),
                );
            }
            self.where_key(&mut update, r.target, row);
            changed += exec.execute(&update).await?;
        }
        Ok(changed)
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

    /// A nested write through a relation whose related rows hold `record`'s key.
    fn write_children<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        record: &'a Record,
        r: &'a Relation,
        write: &'a RelationWrite,
    ) -> Boxed<'a, ()> {
        Box::pin(async move {
            let ours = |extra: Option<&Filter>| self.children_filter(model, record, r, extra);
            let (_, our_values) = self.link_of(record, r);
            match write {
                RelationWrite::Create(data) => {
                    self.insert(exec, data, Some(self.link_of(record, r)))
                        .await?;
                }
                RelationWrite::CreateMany {
                    data,
                    skip_duplicates,
                } => {
                    for row in data {
                        let mut values = row.scalars.clone();
                        for (f, v) in r.foreign.iter().zip(&our_values) {
                            values.retain(|(existing, _)| existing != f);
                            values.push((*f, v.clone()));
                        }
                        self.insert_values(exec, row.model, values, *skip_duplicates)
                            .await?;
                    }
                }
                RelationWrite::Connect(unique) => {
                    if self
                        .set_link(exec, r, unique.clone(), Some(&our_values))
                        .await?
                        == 0
                    {
                        return Err(not_found(self.schema(), r.target));
                    }
                }
                RelationWrite::ConnectOrCreate { unique, create } => {
                    if self
                        .set_link(exec, r, unique.clone(), Some(&our_values))
                        .await?
                        == 0
                    {
                        self.insert(exec, create, Some(self.link_of(record, r)))
                            .await?;
                    }
                }
                RelationWrite::Set(list) => {
                    self.set_link(exec, r, ours(None), None).await?;
                    for unique in list {
                        if self
                            .set_link(exec, r, unique.clone(), Some(&our_values))
                            .await?
                            == 0
                        {
                            return Err(not_found(self.schema(), r.target));
                        }
                    }
                }
                RelationWrite::Disconnect(filter) => {
                    self.set_link(exec, r, ours(filter.as_ref()), None).await?;
                }
                RelationWrite::Update { filter, data } => {
                    let target = self
                        .one(exec, r.target, ours(filter.as_ref()))
                        .await?
                        .ok_or_else(|| not_found(self.schema(), r.target))?;
                    self.update_record(exec, r.target, &target, data).await?;
                }
                RelationWrite::UpdateMany { filter, data } => {
                    self.update_many(exec, r.target, Some(&ours(filter.as_ref())), data, None)
                        .await?;
                }
                RelationWrite::Upsert {
                    unique,
                    create,
                    update,
                } => match self.one(exec, r.target, ours(unique.as_ref())).await? {
                    Some(target) => self.update_record(exec, r.target, &target, update).await?,
                    None => {
                        self.insert(exec, create, Some(self.link_of(record, r)))
                            .await?;
                    }
                },
                RelationWrite::Delete(filter) => {
                    let targets = self
                        .rows(exec, r.target, ours(filter.as_ref()), Some(1))
                        .await?;
                    if targets.is_empty() {
                        return Err(not_found(self.schema(), r.target));
                    }
                    self.delete_rows(exec, r.target, &targets).await?;
                }
                RelationWrite::DeleteMany(filter) => {
                    self.delete_many(exec, r.target, Some(&ours(filter.as_ref())), None)
                        .await?;
                }
            }
            Ok(())
        })
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
            let c = &self.reader.c;
            let mut sets: Vec<(FieldId, SimpleExpr)> = Vec::new();
            for (field, op) in &data.scalars {
                sets.push((*field, self.set_expr(model, *field, op)));
            }
            // Relations whose key this row holds.
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
                    match write {
                        RelationWrite::Connect(_)
                        | RelationWrite::Create(_)
                        | RelationWrite::ConnectOrCreate { .. } => {
                            if let Some(values) = self.resolve_owned(exec, r, write, false).await? {
                                for (f, v) in r.local.iter().zip(values) {
                                    let ty = m.fields[*f].scalar().unwrap_or(ScalarType::String);
                                    sets.retain(|(existing, _)| existing != f);
                                    sets.push((*f, c.value(&v, ty)));
                                }
                            }
                        }
                        RelationWrite::Disconnect(filter) => {
                            let linked =
                                self.linked(exec, model, record, r, filter.as_ref()).await?;
                            if linked.is_some() {
                                for f in &r.local {
                                    sets.retain(|(existing, _)| existing != f);
                                    sets.push((
                                        *f,
                                        c.value(
                                            &Value::Null,
                                            m.fields[*f].scalar().unwrap_or(ScalarType::String),
                                        ),
                                    ));
                                }
                            }
                        }
                        RelationWrite::Update { filter, data } => {
                            let target = self
                                .linked(exec, model, record, r, filter.as_ref())
                                .await?
                                .ok_or_else(|| not_found(self.schema(), r.target))?;
                            self.update_record(exec, r.target, &target, data).await?;
                        }
                        RelationWrite::Upsert {
                            unique,
                            create,
                            update,
                        } => match self.linked(exec, model, record, r, unique.as_ref()).await? {
                            Some(target) => {
                                self.update_record(exec, r.target, &target, update).await?
                            }
                            None => {
                                let created = self.insert(exec, create, None).await?;
                                for (f, t) in r.local.iter().zip(&r.foreign) {
                                    let ty = m.fields[*f].scalar().unwrap_or(ScalarType::String);
                                    sets.retain(|(existing, _)| existing != f);
                                    sets.push((*f, c.value(created.value(*t), ty)));
                                }
                            }
                        },
                        RelationWrite::Delete(filter) => {
                            let target = self
                                .linked(exec, model, record, r, filter.as_ref())
                                .await?
                                .ok_or_else(|| not_found(self.schema(), r.target))?;
                            self.delete_rows(exec, r.target, &[target]).await?;
                        }
                        _ => {}
                    }
                }
            }
            if !sets.is_empty() {
                for (id, field) in m.scalar_fields() {
                    if field.updated_at && !sets.iter().any(|(f, _)| *f == id) {
                        sets.push((
                            id,
                            c.value(&Value::DateTime(self.now), ScalarType::DateTime),
                        ));
                    }
                }
                let written: Vec<FieldId> = sets.iter().map(|(f, _)| *f).collect();
                let mut update = Query::update();
                update.table(Alias::new(m.table.as_str()));
                for (field, expr) in sets {
                    update.value(Alias::new(m.fields[field].column.as_str()), expr);
                }
                self.where_key(&mut update, model, record);
                exec.execute(&update).await?;
                self.record_sync(exec, model, std::slice::from_ref(record), &written)
                    .await?;
            }
            // Relations whose rows hold this row's key (after the row's own key may change).
            let current = if data.scalars.iter().any(|(f, _)| m.primary_key.contains(f)) {
                self.one(exec, model, self.key_filter_after(model, record, data))
                    .await?
                    .unwrap_or_else(|| record.clone())
            } else {
                record.clone()
            };
            for (r, writes) in later {
                for write in writes {
                    self.write_children(exec, model, &current, r, write).await?;
                }
            }
            Ok(())
        })
    }

    /// The row's key after an update that sets key fields.
    fn key_filter_after(&self, model: ModelId, record: &Record, data: &UpdateData) -> Filter {
        let mut after = record.clone();
        for (f, op) in &data.scalars {
            if let UpdateOp::Set(v) = op {
                after.values.insert(*f, v.clone());
            }
        }
        self.key_filter(model, &after)
    }

    /// The row a relation held by `record` points at, if it matches `filter`.
    async fn linked(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        filter: Option<&Filter>,
    ) -> BaasResult<Option<Record>> {
        let _ = model;
        let values: Vec<Value> = r.local.iter().map(|f| record.value(*f).clone()).collect();
        if values.iter().any(Value::is_null) {
            return Ok(None);
        }
        let target_filter = and(equals(&self.typed(r.target, &r.foreign), &values), filter);
        self.one(exec, r.target, target_filter).await
    }
}

/// The values a unique filter pins `fields` to by plain equality, if it pins all of them.
fn pinned_values(filter: &Filter, fields: &[FieldId]) -> Option<Vec<Value>> {
    let mut found = std::collections::HashMap::new();
    fn walk(filter: &Filter, found: &mut std::collections::HashMap<FieldId, Value>) {
        match filter {
            Filter::And(parts) => parts.iter().for_each(|p| walk(p, found)),
            Filter::Field { field, filter, .. } if !filter.insensitive => {
                for c in &filter.conds {
                    if let Cond::Eq(v) = c
                        && !v.is_null()
                    {
                        found.insert(*field, v.clone());
                    }
                }
            }
            _ => {}
        }
    }
    walk(filter, &mut found);
    fields.iter().map(|f| found.get(f).cloned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuids_are_distinct_and_shaped() {
        let now = Utc::now();
        let a = cuid(now);
        let b = cuid(now);
        assert_ne!(a, b);
        assert_eq!(a.len(), 25);
        assert!(
            a.starts_with('c')
                && a.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
