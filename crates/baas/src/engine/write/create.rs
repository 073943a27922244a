//! Creates: one INSERT per row with its defaults filled (generated ids, now, literals), the
//! related rows whose key it holds connected or created first, and its children after.

use sea_query::{Alias, Expr, Query, SimpleExpr};

use super::{Boxed, Writer};
use crate::engine::not_found;
use crate::engine::read::Record;
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::query::access::Action;
use crate::query::ast::{Cond, CreateData, Filter, RelationWrite};
use crate::query::rules;
use crate::schema::{Default, FieldId, ModelId, Relation, ScalarType};
use crate::value::{self, Value, decode_rows};

impl<'r, 's> Writer<'r, 's> {
    /// A value for a field the create left out.
    fn default_value(&self, ty: ScalarType, default: &Default) -> Option<Value> {
        match default {
            Default::Id(kind, format) => {
                let id = super::ids::generate(*kind, self.now);
                Some(Value::String(match format {
                    Some(format) => super::ids::fill_format(format, &id),
                    None => id,
                }))
            }
            Default::Now => Some(Value::DateTime(self.now)),
            Default::Autoincrement => None,
            // A Json field's default is JSON text, as in Prisma: `@default("{\"a\": 1}")` is
            // the object, not the string (text that is not JSON stays the string it was).
            Default::Literal(serde_json::Value::String(text)) if ty == ScalarType::Json => {
                let parsed = serde_json::from_str(text)
                    .unwrap_or_else(|_| serde_json::Value::String(text.clone()));
                value::from_json(&parsed, ty).ok()
            }
            Default::Literal(json) => value::from_json(json, ty).ok(),
        }
    }

    /// `values` with the defaults filled in for the fields they leave out.
    fn with_defaults(
        &self,
        model: ModelId,
        mut values: Vec<(FieldId, Value)>,
    ) -> Vec<(FieldId, Value)> {
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
        values
    }

    fn bound(&self, model: ModelId, field: FieldId, value: &Value) -> SimpleExpr {
        let f = &self.schema().model(model).fields[field];
        if let Some(element) = f.list_of {
            return self.reader.c.list_value(element, value);
        }
        self.reader
            .c
            .value(value, f.scalar().unwrap_or(ScalarType::String))
    }

    /// Runs an INSERT that returns every scalar of `model`; the row it wrote, if any.
    async fn insert_returning(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        insert: &mut sea_query::InsertStatement,
    ) -> BaasResult<Option<Record>> {
        let m = self.schema().model(model);
        let scalars: Vec<(FieldId, ScalarType)> = m
            .scalar_fields()
            .map(|(id, f)| (id, f.scalar().unwrap_or(ScalarType::String)))
            .collect();
        let returning: Vec<SimpleExpr> = scalars
            .iter()
            .map(|(f, _)| {
                let col: SimpleExpr = Expr::col(Alias::new(m.fields[*f].column.as_str())).into();
                self.reader.c.read_stored(&m.fields[*f], col)
            })
            .collect();
        insert.returning(Query::returning().exprs(returning));
        let rows = exec.rows(&*insert).await?;
        let types: Vec<ScalarType> = scalars.iter().map(|(_, t)| *t).collect();
        Ok(decode_rows(&rows, &types).into_iter().next().map(|row| {
            let mut record = Record::default();
            for ((field, _), value) in scalars.iter().zip(row) {
                record.values.insert(*field, value);
            }
            record
        }))
    }

    /// INSERT one row with these column values (defaults filled), returning every scalar.
    pub(super) async fn insert_values(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        values: Vec<(FieldId, Value)>,
        skip_duplicates: bool,
    ) -> BaasResult<Option<Record>> {
        if let Some(err) = rules::create_refused(self.schema(), model) {
            return Err(err);
        }
        let m = self.schema().model(model);
        if m.in_hierarchy() {
            if skip_duplicates {
                return Err(BaasError::NotSupported(
                    "\"skipDuplicates\" options is not supported for polymorphic models".into(),
                ));
            }
            return self
                .insert_in_hierarchy(exec, model, values)
                .await
                .map(Some);
        }
        let values = self.with_defaults(model, values);
        let mut insert = Query::insert();
        insert.into_table(self.reader.c.stored_table(model));
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
                .map(|(f, v)| self.bound(model, *f, v))
                .collect();
            insert.values_panic(row);
        }
        if skip_duplicates {
            insert.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
        }
        let record = self.insert_returning(exec, model, &mut insert).await?;
        if let Some(record) = &record {
            self.check_written(exec, model, std::slice::from_ref(record), Action::Create)
                .await?;
        }
        Ok(record)
    }

    /// A row of a delegate's sub-model: one INSERT per table from the topmost base down, each
    /// with the columns it holds and the discriminator naming the sub-model below; the rows
    /// below take the key the top one got.
    async fn insert_in_hierarchy(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        values: Vec<(FieldId, Value)>,
    ) -> BaasResult<Record> {
        let schema = self.schema();
        let m = schema.model(model);
        let mut values = self.with_defaults(model, values);
        let lineage = schema.lineage(model);
        for pair in lineage.windows(2) {
            let (base, sub) = (schema.model(pair[0]), schema.model(pair[1]));
            if let (Some(d), Some(value)) = (base.delegate, &sub.delegate_value)
                && let Some((field, _)) = m.field(&base.fields[d].name)
            {
                values.retain(|(f, _)| *f != field);
                values.push((field, Value::String(value.clone())));
            }
        }
        let mut key: Vec<(FieldId, Value)> = Vec::new();
        for level in lineage {
            let mut row: Vec<(FieldId, Value)> = values
                .iter()
                .filter(|(f, _)| !m.primary_key.contains(f) && m.holder(model, *f) == level)
                .cloned()
                .collect();
            row.extend(key.iter().cloned());
            if key.is_empty() {
                row.extend(
                    values
                        .iter()
                        .filter(|(f, _)| m.primary_key.contains(f))
                        .cloned(),
                );
            }
            let mut insert = Query::insert();
            insert.into_table(self.reader.c.stored_table(level));
            if row.is_empty() {
                insert.or_default_values();
            } else {
                insert.columns(
                    row.iter()
                        .map(|(f, _)| Alias::new(m.fields[*f].column.as_str())),
                );
                insert.values_panic(row.iter().map(|(f, v)| self.bound(model, *f, v)));
            }
            if key.is_empty() {
                // The topmost row's key (it may be generated), for the rows below.
                let types: Vec<ScalarType> = m
                    .primary_key
                    .iter()
                    .map(|f| m.fields[*f].scalar().unwrap_or(ScalarType::String))
                    .collect();
                insert.returning(Query::returning().exprs(m.primary_key.iter().map(|f| {
                    SimpleExpr::from(Expr::col(Alias::new(m.fields[*f].column.as_str())))
                })));
                let rows = exec.rows(&insert).await?;
                let decoded = decode_rows(&rows, &types)
                    .into_iter()
                    .next()
                    .ok_or_else(|| BaasError::internal("INSERT returned no row"))?;
                key = m.primary_key.iter().copied().zip(decoded).collect();
            } else {
                exec.execute(&insert).await?;
            }
        }
        let mut record = Record::default();
        record.values.extend(key);
        let record = self
            .one(exec, model, self.key_filter(model, &record))
            .await?
            .ok_or_else(|| BaasError::internal("a created row was not found"))?;
        self.check_written(exec, model, std::slice::from_ref(&record), Action::Create)
            .await?;
        Ok(record)
    }

    /// A single-row create by a caller with rules, as one statement that needs no
    /// transaction: `INSERT INTO t (…) SELECT … FROM (SELECT <values>) AS n WHERE <create
    /// rule> AND <read rule> RETURNING …`, both rules judged on the new row's values before it
    /// exists. `None` when nothing was written — the rules refused the row, or cannot be
    /// judged that way (below) — and the caller then takes the transactional path, which
    /// checks the stored row and tells why it is refused.
    ///
    /// Judged before the row exists, a rule that reaches the model's own table again (a
    /// self-relation, or `author.posts` from a post) could see a different world than after
    /// the INSERT, and a field the database fills (autoincrement) has no value yet: such rules
    /// always take the transactional path.
    pub(in crate::engine) async fn insert_checked(
        &self,
        exec: &mut Exec<'_>,
        data: &CreateData,
    ) -> BaasResult<Option<Record>> {
        let model = data.model;
        if rules::create_refused(self.schema(), model).is_some()
            || self.schema().model(model).in_hierarchy()
        {
            return Ok(None);
        }
        let mut parts = Vec::new();
        for action in [Action::Create, Action::Read] {
            parts.extend(self.guard.rule(model, action)?);
        }
        let rule = Filter::And(parts);
        if self.reaches(model, &rule, model) || !self.judged_alike(model, &rule) {
            return Ok(None);
        }
        let m = self.schema().model(model);
        let values = self.with_defaults(model, data.scalars.clone());
        if values.is_empty() {
            return Ok(None);
        }
        // The new row as a one-row table: the values, and a typed NULL for each field left
        // empty (one the database would fill instead sends the row the long way).
        let mut row = Query::select();
        for (id, field) in m.scalar_fields() {
            let value = match values.iter().find(|(f, _)| *f == id) {
                Some((_, v)) => v,
                None if field.default.is_some() => return Ok(None),
                None => &Value::Null,
            };
            row.expr_as(
                self.bound(model, id, value),
                Alias::new(field.column.as_str()),
            );
        }
        let alias = self.reader.c.alias();
        let mut select = Query::select();
        select
            .columns(values.iter().map(|(f, _)| {
                (
                    Alias::new(alias.as_str()),
                    Alias::new(m.fields[*f].column.as_str()),
                )
            }))
            .from_subquery(row, Alias::new(alias.as_str()))
            .and_where(self.reader.c.filter(model, &alias, &rule));
        let mut insert = Query::insert();
        insert
            .into_table(self.reader.c.stored_table(model))
            .columns(
                values
                    .iter()
                    .map(|(f, _)| Alias::new(m.fields[*f].column.as_str())),
            )
            .select_from(select)
            .map_err(|e| BaasError::internal(format!("INSERT … SELECT: {e}")))?;
        self.insert_returning(exec, model, &mut insert).await
    }

    /// Whether `filter` judges the new row's bound values as it would the stored row: not
    /// when it compares a Decimal (SQLite compares the bound text as text, the stored column as
    /// a number) or a DateTime (PostgreSQL rounds the stored one to milliseconds) of the row.
    fn judged_alike(&self, model: ModelId, filter: &Filter) -> bool {
        let m = self.schema().model(model);
        let plain = |field: &FieldId| {
            !matches!(
                m.fields[*field].scalar(),
                Some(ScalarType::Decimal | ScalarType::DateTime)
            )
        };
        match filter {
            Filter::And(parts)
            | Filter::Or(parts)
            | Filter::Not(parts)
            | Filter::NotTrue(parts) => parts.iter().all(|p| self.judged_alike(model, p)),
            Filter::Masked { mask, filter } => {
                self.judged_alike(model, mask) && self.judged_alike(model, filter)
            }
            Filter::Field { field, .. }
            | Filter::Json { field, .. }
            | Filter::Typed { field, .. } => plain(field),
            Filter::Columns { left, right, .. } => plain(left) && plain(right),
            // Related rows are stored ones; the link compares key columns.
            Filter::Many { .. } | Filter::One { .. } | Filter::Const(_) => true,
        }
    }

    /// Whether `filter` on rows of `model` follows a relation to `target`'s table.
    fn reaches(&self, model: ModelId, filter: &Filter, target: ModelId) -> bool {
        match filter {
            Filter::And(parts)
            | Filter::Or(parts)
            | Filter::Not(parts)
            | Filter::NotTrue(parts) => parts.iter().any(|p| self.reaches(model, p, target)),
            Filter::Many {
                relation, filter, ..
            } => {
                let related = self.reader.c.relation(model, *relation).target;
                related == target || self.reaches(related, filter, target)
            }
            Filter::One {
                relation, filter, ..
            } => {
                let related = self.reader.c.relation(model, *relation).target;
                related == target
                    || filter
                        .as_deref()
                        .is_some_and(|f| self.reaches(related, f, target))
            }
            Filter::Masked { mask, filter } => {
                self.reaches(model, mask, target) || self.reaches(model, filter, target)
            }
            Filter::Field { .. }
            | Filter::Json { .. }
            | Filter::Typed { .. }
            | Filter::Columns { .. }
            | Filter::Const(_) => false,
        }
    }

    /// createMany rows: scalars only; `None` when skipped as a duplicate.
    pub(super) async fn insert_flat(
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
    pub(super) fn resolve_owned<'a>(
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
                // Creating, a connect by a one-field key uses the key as is and lets the
                // foreign key check it (400); updating, or by a compound key (`id1_id2`, which
                // names no key field itself), the row is looked up (404) — as ZenStack does.
                RelationWrite::Connect(unique) => Some(
                    match pinned_values(unique, &r.foreign)
                        .filter(|_| creating && r.foreign.len() == 1)
                    {
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
