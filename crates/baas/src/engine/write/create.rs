//! Creates: one INSERT per row with its defaults filled (uuid, cuid, now, literals), the
//! related rows whose key it holds connected or created first, and its children after.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
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
    pub(super) async fn insert_values(
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
        let record = decode_rows(&rows, &types).into_iter().next().map(|row| {
            let mut record = Record::default();
            for ((field, _), value) in scalars.iter().zip(row) {
                record.values.insert(*field, value);
            }
            record
        });
        if let Some(record) = &record {
            self.check_written(exec, model, std::slice::from_ref(record), Action::Create)
                .await?;
        }
        Ok(record)
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
