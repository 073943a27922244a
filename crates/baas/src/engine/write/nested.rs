//! Nested writes through a relation: to the related rows that hold the parent's key
//! (create, connect, set, disconnect, update, delete, … their foreign key set or cleared), or
//! that are paired with the parent in a many-to-many join table (the pairing is `join`'s), and
//! the lookups of a related row by the key the parent holds.

use sea_query::{Alias, Query, SimpleExpr};

use super::{Boxed, Writer, equals};
use crate::engine::not_found;
use crate::engine::read::Record;
use crate::error::BaasResult;
use crate::exec::Exec;
use crate::query::access::Action;
use crate::query::ast::{Filter, Quantifier, RelationWrite};
use crate::schema::{FieldId, ModelId, Relation, ScalarType};
use crate::value::Value;

impl<'r, 's> Writer<'r, 's> {
    /// The rows of relation `r` currently linked to `record` (and matching `extra`): those
    /// holding its key, or through a many-to-many join table, those whose opposite relation
    /// has `record` among its rows.
    pub(super) fn children_filter(
        &self,
        parent_model: ModelId,
        record: &Record,
        r: &Relation,
        extra: Option<&Filter>,
    ) -> Filter {
        let values: Vec<Value> = r.local.iter().map(|f| record.value(*f).clone()).collect();
        let linked = match r.join {
            Some(_) => Filter::Many {
                relation: r.opposite,
                quantifier: Quantifier::Some,
                filter: Box::new(equals(&self.typed(parent_model, &r.local), &values)),
            },
            None => equals(&self.typed(r.target, &r.foreign), &values),
        };
        linked.and(extra)
    }

    /// Creates a row linked to `record` through `r`: holding its key, or paired with it.
    async fn create_child(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        data: &crate::query::ast::CreateData,
    ) -> BaasResult<()> {
        match &r.join {
            Some(join) => {
                let child = self.insert(exec, data, None).await?;
                self.pair(exec, model, record, r, join, &child).await
            }
            None => {
                self.insert(exec, data, Some(self.link_of(record, r)))
                    .await?;
                Ok(())
            }
        }
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
            let sets = r
                .foreign
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let ty = m.fields[*f].scalar().unwrap_or(ScalarType::String);
                    let v = values.map_or(Value::Null, |vs| vs[i].clone());
                    (*f, self.reader.c.value(&v, ty))
                })
                .collect();
            // Moving a row to another parent changes its key fields: their update rules and
            // the model's post-update policies hold here as for any update.
            let key = self.key_filter(r.target, row);
            self.check_field_updates(exec, r.target, key.clone(), r.foreign.iter().copied())
                .await?;
            for (level, sets) in self.by_table(r.target, sets) {
                let mut update = Query::update();
                update.table(self.reader.c.stored_table(level));
                for (f, expr) in sets {
                    update.value(Alias::new(m.fields[f].column.as_str()), expr);
                }
                self.where_key(&mut update, r.target, row);
                changed += exec.execute(&update).await?;
            }
            self.check_post_update(exec, r.target, &[(row, key)])
                .await?;
        }
        Ok(changed)
    }

    /// A nested write through a relation whose related rows hold `record`'s key.
    pub(super) fn write_children<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        record: &'a Record,
        r: &'a Relation,
        write: &'a RelationWrite,
    ) -> Boxed<'a, ()> {
        Box::pin(async move {
            // Through a join table, what links rows is written there (`join`).
            if let Some(join) = &r.join
                && self.link_pairs(exec, model, record, r, join, write).await?
            {
                return Ok(());
            }
            let ours = |extra: Option<&Filter>| self.children_filter(model, record, r, extra);
            let (_, our_values) = self.link_of(record, r);
            match write {
                RelationWrite::Create(data) => {
                    self.create_child(exec, model, record, r, data).await?;
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
                    self.release_one(exec, model, record, r, unique).await?;
                    self.connect_child(exec, r, unique, &our_values).await?;
                }
                RelationWrite::ConnectOrCreate { unique, create } => {
                    if !r.many && self.one(exec, r.target, unique.clone()).await?.is_some() {
                        self.release_one(exec, model, record, r, unique).await?;
                    }
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
                    // Only the children the caller may update are let go; others stay linked.
                    let mine = self.guard.rule(r.target, Action::Update)?;
                    self.set_link(exec, r, ours(mine.as_ref()), None).await?;
                    for unique in list {
                        self.connect_child(exec, r, unique, &our_values).await?;
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
                    None => self.create_child(exec, model, record, r, create).await?,
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

    /// Before a to-one relation held by the related row is pointed at another row: lets go
    /// of the row linked now (its foreign key cleared), as ZenStack does, so the unique
    /// foreign key does not refuse the move. The row being connected, if already linked,
    /// stays.
    async fn release_one(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        unique: &Filter,
    ) -> BaasResult<()> {
        if r.many {
            return Ok(());
        }
        let others = Filter::Not(vec![unique.clone()]);
        let linked = self.children_filter(model, record, r, Some(&others));
        self.set_link(exec, r, linked, None).await?;
        Ok(())
    }

    /// Points the related row `unique` singles out at the parent (`values`, its key); 404
    /// when there is no such row.
    async fn connect_child(
        &self,
        exec: &mut Exec<'_>,
        r: &Relation,
        unique: &Filter,
        values: &[Value],
    ) -> BaasResult<()> {
        if self.set_link(exec, r, unique.clone(), Some(values)).await? == 0 {
            return Err(not_found(self.schema(), r.target));
        }
        Ok(())
    }

    /// The row a relation held by `record` points at, if it matches `filter`.
    pub(super) async fn linked(
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
        let target_filter = equals(&self.typed(r.target, &r.foreign), &values).and(filter);
        self.one(exec, r.target, target_filter).await
    }

    /// A nested write through a relation whose key `record` holds: connect, create,
    /// connectOrCreate and disconnect set that key (in `sets`, for the row's UPDATE); update,
    /// upsert and delete reach the related row it points at.
    pub(super) async fn write_owned(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        write: &RelationWrite,
        sets: &mut Vec<(FieldId, SimpleExpr)>,
    ) -> BaasResult<()> {
        let m = self.schema().model(model);
        let c = &self.reader.c;
        let ty = |f: FieldId| m.fields[f].scalar().unwrap_or(ScalarType::String);
        match write {
            RelationWrite::Connect(_)
            | RelationWrite::Create(_)
            | RelationWrite::ConnectOrCreate { .. } => {
                if let Some(values) = self.resolve_owned(exec, r, write, false).await? {
                    for (f, v) in r.local.iter().zip(values) {
                        replace_set(sets, *f, c.value(&v, ty(*f)));
                    }
                }
            }
            RelationWrite::Disconnect(filter) => {
                let linked = self.linked(exec, model, record, r, filter.as_ref()).await?;
                if linked.is_some() {
                    for f in &r.local {
                        replace_set(sets, *f, c.value(&Value::Null, ty(*f)));
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
                Some(target) => self.update_record(exec, r.target, &target, update).await?,
                None => {
                    let created = self.insert(exec, create, None).await?;
                    for (f, t) in r.local.iter().zip(&r.foreign) {
                        replace_set(sets, *f, c.value(created.value(*t), ty(*f)));
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
        Ok(())
    }
}

/// Sets `field` in an UPDATE's `sets`, in place of any value set for it before.
fn replace_set(sets: &mut Vec<(FieldId, SimpleExpr)>, field: FieldId, expr: SimpleExpr) {
    sets.retain(|(existing, _)| *existing != field);
    sets.push((field, expr));
}
