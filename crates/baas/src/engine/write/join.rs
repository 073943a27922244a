//! Nested writes through an implicit many-to-many relation: the related rows are paired with
//! the parent in the relation's join table (Prisma's `_AToB`). Connecting adds a pair (once),
//! disconnecting removes it, and deleting a row removes its pairs (the join table's foreign
//! keys cascade). Updates and deletes reach the rows paired with the parent.

use sea_query::{Alias, Expr, OnConflict, Query};

use super::{Boxed, Writer, equals};
use crate::engine::not_found;
use crate::engine::read::Record;
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::query::access::Action;
use crate::query::ast::{Filter, Quantifier, RelationWrite};
use crate::schema::{JoinTable, ModelId, Relation, ScalarType};

impl<'r, 's> Writer<'r, 's> {
    /// The related rows paired with `record` (and matching `extra`): those whose opposite
    /// relation has `record` among its rows.
    fn paired_filter(
        &self,
        model: ModelId,
        record: &Record,
        r: &Relation,
        extra: Option<&Filter>,
    ) -> Filter {
        let key = [record.value(r.local[0]).clone()];
        Filter::Many {
            relation: r.opposite,
            quantifier: Quantifier::Some,
            filter: Box::new(equals(&self.typed(model, &r.local), &key)),
        }
        .and(extra)
    }

    /// Pairs `record` with `child` (nothing when they are paired already).
    async fn pair(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        join: &JoinTable,
        child: &Record,
    ) -> BaasResult<()> {
        let c = &self.reader.c;
        let ours = c.value(record.value(r.local[0]), self.key_type(model, r.local[0]));
        let theirs = c.value(
            child.value(r.foreign[0]),
            self.key_type(r.target, r.foreign[0]),
        );
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(join.table.as_str()))
            .columns([
                Alias::new(join.this_column.as_str()),
                Alias::new(join.other_column.as_str()),
            ])
            .values([ours, theirs])
            .map_err(BaasError::internal)?
            .on_conflict(
                OnConflict::columns([Alias::new("A"), Alias::new("B")])
                    .do_nothing()
                    .to_owned(),
            );
        exec.execute(&insert).await?;
        Ok(())
    }

    /// Removes the pairs of `record` with `children`.
    async fn unpair(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        join: &JoinTable,
        children: &[Record],
    ) -> BaasResult<()> {
        if children.is_empty() {
            return Ok(());
        }
        let c = &self.reader.c;
        let ty = self.key_type(r.target, r.foreign[0]);
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(join.table.as_str()))
            .and_where(
                Expr::col(Alias::new(join.this_column.as_str()))
                    .eq(c.value(record.value(r.local[0]), self.key_type(model, r.local[0]))),
            )
            .and_where(
                Expr::col(Alias::new(join.other_column.as_str())).is_in(
                    children
                        .iter()
                        .map(|child| c.value(child.value(r.foreign[0]), ty)),
                ),
            );
        exec.execute(&delete).await?;
        Ok(())
    }

    fn key_type(&self, model: ModelId, field: usize) -> ScalarType {
        self.schema().model(model).fields[field]
            .scalar()
            .unwrap_or(ScalarType::String)
    }

    /// A nested write through the many-to-many relation `r` of `record`.
    pub(super) fn write_pairs<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        record: &'a Record,
        r: &'a Relation,
        join: &'a JoinTable,
        write: &'a RelationWrite,
    ) -> Boxed<'a, ()> {
        Box::pin(async move {
            let ours = |extra: Option<&Filter>| self.paired_filter(model, record, r, extra);
            match write {
                RelationWrite::Create(data) => {
                    let child = self.insert(exec, data, None).await?;
                    self.pair(exec, model, record, r, join, &child).await?;
                }
                RelationWrite::CreateMany { data, .. } => {
                    for row in data {
                        let child = self.insert(exec, row, None).await?;
                        self.pair(exec, model, record, r, join, &child).await?;
                    }
                }
                RelationWrite::Connect(unique) => {
                    let child = self
                        .one(exec, r.target, unique.clone())
                        .await?
                        .ok_or_else(|| not_found(self.schema(), r.target))?;
                    self.pair(exec, model, record, r, join, &child).await?;
                }
                RelationWrite::ConnectOrCreate { unique, create } => {
                    let child = match self.one(exec, r.target, unique.clone()).await? {
                        Some(child) => child,
                        None => self.insert(exec, create, None).await?,
                    };
                    self.pair(exec, model, record, r, join, &child).await?;
                }
                RelationWrite::Set(list) => {
                    // Only the rows the caller may update are let go; others stay paired.
                    let mine = self.guard.rule(r.target, Action::Update)?;
                    let paired = self.rows(exec, r.target, ours(mine.as_ref()), None).await?;
                    self.unpair(exec, model, record, r, join, &paired).await?;
                    for unique in list {
                        let child = self
                            .one(exec, r.target, unique.clone())
                            .await?
                            .ok_or_else(|| not_found(self.schema(), r.target))?;
                        self.pair(exec, model, record, r, join, &child).await?;
                    }
                }
                RelationWrite::Disconnect(filter) => {
                    let paired = self
                        .rows(exec, r.target, ours(filter.as_ref()), None)
                        .await?;
                    self.unpair(exec, model, record, r, join, &paired).await?;
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
                        let child = self.insert(exec, create, None).await?;
                        self.pair(exec, model, record, r, join, &child).await?;
                    }
                },
                RelationWrite::Delete(filter) => {
                    let targets = self
                        .rows(exec, r.target, ours(filter.as_ref()), None)
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
}
