//! Nested writes through an implicit many-to-many relation that link rows: the related rows are
//! paired with the parent in the relation's join table (Prisma's `_AToB`). Connecting adds a
//! pair (once), disconnecting removes it; deleting a row removes its pairs (the join table's
//! foreign keys cascade). Creates, updates and deletes of the paired rows are `nested`'s, as
//! for any to-many relation.

use sea_query::{Alias, Expr, OnConflict, Query, SimpleExpr};

use super::Writer;
use crate::engine::not_found;
use crate::engine::read::Record;
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::query::access::Action;
use crate::query::ast::{Filter, RelationWrite};
use crate::schema::{JoinTable, ModelId, Relation, ScalarType};

impl<'r, 's> Writer<'r, 's> {
    /// `record`'s key, and `child`'s, as bound values for the join table's columns.
    fn pair_keys(
        &self,
        model: ModelId,
        record: &Record,
        r: &Relation,
        child: &Record,
    ) -> (SimpleExpr, SimpleExpr) {
        let ty = |model: ModelId, field: usize| {
            self.schema().model(model).fields[field]
                .scalar()
                .unwrap_or(ScalarType::String)
        };
        let c = &self.reader.c;
        (
            c.value(record.value(r.local[0]), ty(model, r.local[0])),
            c.value(child.value(r.foreign[0]), ty(r.target, r.foreign[0])),
        )
    }

    /// Pairs `record` with `child` (nothing when they are paired already).
    pub(super) async fn pair(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        join: &JoinTable,
        child: &Record,
    ) -> BaasResult<()> {
        let (ours, theirs) = self.pair_keys(model, record, r, child);
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
        let Some(first) = children.first() else {
            return Ok(());
        };
        let (ours, _) = self.pair_keys(model, record, r, first);
        let theirs = children
            .iter()
            .map(|child| self.pair_keys(model, record, r, child).1);
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(join.table.as_str()))
            .and_where(Expr::col(Alias::new(join.this_column.as_str())).eq(ours))
            .and_where(Expr::col(Alias::new(join.other_column.as_str())).is_in(theirs));
        exec.execute(&delete).await?;
        Ok(())
    }

    /// A nested write through the many-to-many relation `r` of `record` that links rows
    /// (createMany, connect, connectOrCreate, set, disconnect); `false` for the others.
    pub(super) async fn link_pairs(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        record: &Record,
        r: &Relation,
        join: &JoinTable,
        write: &RelationWrite,
    ) -> BaasResult<bool> {
        let ours = |extra: Option<&Filter>| self.children_filter(model, record, r, extra);
        match write {
            RelationWrite::CreateMany { data, .. } => {
                for row in data {
                    let child = self.insert(exec, row, None).await?;
                    self.pair(exec, model, record, r, join, &child).await?;
                }
            }
            RelationWrite::Connect(unique) => {
                let child = self.existing(exec, r.target, unique).await?;
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
                    let child = self.existing(exec, r.target, unique).await?;
                    self.pair(exec, model, record, r, join, &child).await?;
                }
            }
            RelationWrite::Disconnect(filter) => {
                let paired = self
                    .rows(exec, r.target, ours(filter.as_ref()), None)
                    .await?;
                self.unpair(exec, model, record, r, join, &paired).await?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The row `unique` singles out; 404 when there is none.
    async fn existing(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        unique: &Filter,
    ) -> BaasResult<Record> {
        self.one(exec, model, unique.clone())
            .await?
            .ok_or_else(|| not_found(self.schema(), model))
    }
}
