//! Delegate (polymorphic) models, as ZenStack v3 stores them: a table per model of the
//! hierarchy, each sub-model's row keyed by the id of its base's row. Reads see a model of a
//! hierarchy as one derived table — its table joined with its bases' (whose columns it
//! inherits) and LEFT JOINed with its sub-models' (whose fields a read of the base merges in)
//! — with the columns named as the model's, so filters, orderings, relations and aggregates
//! compile as for any table. Writes split their columns by the table holding them (see
//! `write`).

use sea_query::{Alias, Cond, Expr, Query, SelectStatement, SimpleExpr, TableRef};

use super::sql::Compiler;
use crate::schema::{FieldId, ModelId};

/// The column of the derived table telling whether a row has a sub-model's row (its id).
fn exists_column(sub: &str) -> String {
    format!("{sub}$")
}

/// The column of the derived table holding a sub-model's field.
fn sub_column(sub: &str, column: &str) -> String {
    format!("{sub}${column}")
}

impl Compiler<'_> {
    /// A model's rows under `alias`, for FROM and JOIN: its table, or its hierarchy's tables
    /// as one derived table.
    pub fn table_ref(&self, model: ModelId, alias: &str) -> TableRef {
        let m = self.model(model);
        if m.in_hierarchy() {
            TableRef::SubQuery(
                self.hierarchy(model),
                sea_query::SeaRc::new(Alias::new(alias)),
            )
        } else {
            self.stored_as(model, alias)
        }
    }

    /// A model's own table, in its PostgreSQL schema if it has one (`@@schema`).
    pub fn stored_table(&self, model: ModelId) -> TableRef {
        let m = self.model(model);
        let table = sea_query::SeaRc::new(Alias::new(m.table.as_str()));
        match &m.db_schema {
            Some(schema) => {
                TableRef::SchemaTable(sea_query::SeaRc::new(Alias::new(schema.as_str())), table)
            }
            None => TableRef::Table(table),
        }
    }

    /// A model's own table under `alias`.
    fn stored_as(&self, model: ModelId, alias: &str) -> TableRef {
        let alias = sea_query::SeaRc::new(Alias::new(alias));
        match self.stored_table(model) {
            TableRef::SchemaTable(schema, table) => {
                TableRef::SchemaTableAlias(schema, table, alias)
            }
            TableRef::Table(table) => TableRef::TableAlias(table, alias),
            other => other,
        }
    }

    /// `SELECT <the model's columns>, <each sub-model's> FROM model JOIN bases LEFT JOIN subs`.
    fn hierarchy(&self, model: ModelId) -> SelectStatement {
        let m = self.model(model);
        let lineage = self.schema.lineage(model);
        let table_alias = |i: usize| format!("_h{i}");
        let own = table_alias(lineage.len() - 1);
        let key_match = |other: &str, other_model: ModelId| {
            let other_m = self.model(other_model);
            let mut cond = Cond::all();
            for (pk, other_pk) in m.primary_key.iter().zip(&other_m.primary_key) {
                cond = cond.add(
                    Expr::col((
                        Alias::new(other),
                        Alias::new(other_m.fields[*other_pk].column.as_str()),
                    ))
                    .eq(Expr::col((
                        Alias::new(own.as_str()),
                        Alias::new(m.fields[*pk].column.as_str()),
                    ))),
                );
            }
            cond
        };
        let mut select = Query::select();
        select.from(self.stored_as(model, &own));
        for (i, base) in lineage.iter().enumerate().take(lineage.len() - 1) {
            let alias = table_alias(i);
            select.inner_join(self.stored_as(*base, &alias), key_match(&alias, *base));
        }
        for (id, field) in m.scalar_fields() {
            let holder = if m.primary_key.contains(&id) {
                model
            } else {
                m.holder(model, id)
            };
            let at = lineage
                .iter()
                .position(|l| *l == holder)
                .unwrap_or(lineage.len() - 1);
            select.expr_as(
                Expr::col((
                    Alias::new(table_alias(at)),
                    Alias::new(field.column.as_str()),
                )),
                Alias::new(field.column.as_str()),
            );
        }
        for (i, sub) in self.schema.descendants(model).into_iter().enumerate() {
            let alias = format!("_d{i}");
            let s = self.model(sub);
            select.left_join(self.stored_as(sub, &alias), key_match(&alias, sub));
            select.expr_as(
                Expr::col((
                    Alias::new(alias.as_str()),
                    Alias::new(s.fields[s.primary_key[0]].column.as_str()),
                )),
                Alias::new(exists_column(&s.name)),
            );
            for (id, field) in s.scalar_fields() {
                if field.inherited.is_none() && !s.primary_key.contains(&id) {
                    select.expr_as(
                        Expr::col((
                            Alias::new(alias.as_str()),
                            Alias::new(field.column.as_str()),
                        )),
                        Alias::new(sub_column(&s.name, &field.column)),
                    );
                }
            }
        }
        select
    }

    /// Whether the row under `alias` (a delegate's derived table) is also a row of `sub`.
    pub fn is_sub_row(&self, alias: &str, sub: ModelId) -> SimpleExpr {
        Expr::col((
            Alias::new(alias),
            Alias::new(exists_column(&self.model(sub).name)),
        ))
        .is_not_null()
    }

    /// A sub-model's field on the row under `alias` (a delegate's derived table), as read.
    pub fn sub_field(&self, alias: &str, sub: ModelId, field: FieldId) -> SimpleExpr {
        let f = &self.model(sub).fields[field];
        let col: SimpleExpr = Expr::col((
            Alias::new(alias),
            Alias::new(sub_column(&self.model(sub).name, &f.column)),
        ))
        .into();
        self.read_stored(f, col)
    }
}
