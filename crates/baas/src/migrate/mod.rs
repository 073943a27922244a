//! Keeps the BaaS tables in step with the schema. The schema last applied is kept in the
//! store (`_tandem_schema`); at start the new one is compared with it:
//!
//! - new models, fields, unique constraints and indexes are added automatically;
//! - dropping a model or field, or changing a field's type or optionality, loses data, so it
//!   is refused with a message naming each change — unless `accept_data_loss` is set.
//!
//! Table, column and constraint names follow ZenStack's (`fk_book_author`,
//! `unique_book_title_author_id`), so database errors read the same.
//!
//! `tables` says what the database should look like, `diff` what changed since the last
//! schema, `ddl` the statements' text. Here: one migration, run in one transaction as a
//! sequence of named steps (drops, SQLite rebuilds, creates, additions, foreign keys).

mod ddl;
mod diff;
mod tables;

pub use diff::{Change, diff};
pub use tables::{ColumnDef, ForeignKeyDef, TableDef, tables};

use tandem_sql::{Db, DbError, Dialect, Tx};

use crate::schema::{ScalarType, Schema};
use ddl::{
    column_sql, column_type, create_table_sql, foreign_key_sql, index_sql, on_delete_sql, quote,
};

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the schema change would lose data:\n  - {}\nRestart with --accept-data-loss to apply it anyway (back up {} first).",
        .changes.join("\n  - "), .store
    )]
    DataLoss { changes: Vec<String>, store: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

const META_TABLE: &str = "_tandem_schema";

/// Brings the store in line with `schema`; returns what was done.
#[tracing::instrument(skip_all, fields(store = store_name))]
pub async fn migrate(
    db: &Db,
    schema: &Schema,
    accept_data_loss: bool,
    store_name: &str,
) -> Result<Vec<String>, MigrateError> {
    if db.dialect() == Dialect::Sqlite
        && let Some((model, field)) = schema.models.iter().find_map(|m| {
            m.fields
                .iter()
                .find(|f| f.list_of.is_some())
                .map(|f| (&m.name, &f.name))
        })
    {
        // As Prisma: SQLite has no arrays.
        return Err(MigrateError::Refused(format!(
            "the scalar list `{model}.{field}` needs PostgreSQL (SQLite has no arrays): use Json or a related model, or a postgres:// store"
        )));
    }
    if db.dialect() == Dialect::Sqlite
        && let Some(m) = schema.models.iter().find(|m| m.db_schema.is_some())
    {
        return Err(MigrateError::Refused(format!(
            "`{}` is in the PostgreSQL schema `{}` (@@schema or the datasource's defaultSchema): SQLite has no schemas; use a postgres:// store",
            m.name,
            m.db_schema.as_deref().unwrap_or_default()
        )));
    }
    // SQLite rebuilds tables with foreign-key enforcement off (its documented procedure), and
    // checks every key before committing.
    db.set_sqlite_foreign_keys(false).await?;
    let result = migrate_in(db, schema, accept_data_loss, store_name).await;
    db.set_sqlite_foreign_keys(true).await?;
    result
}

async fn migrate_in(
    db: &Db,
    schema: &Schema,
    accept_data_loss: bool,
    store_name: &str,
) -> Result<Vec<String>, MigrateError> {
    let dialect = db.dialect();
    let mut tx = db.begin().await?;
    if dialect == Dialect::Postgres {
        // One replica migrates at a time.
        tx.execute_ddl("SELECT pg_advisory_xact_lock(7270011)")
            .await?;
        install_search_extensions(&mut tx, schema).await?;
        let mut schemas: Vec<&str> = schema
            .models
            .iter()
            .filter_map(|m| m.db_schema.as_deref())
            .collect();
        schemas.sort_unstable();
        schemas.dedup();
        for name in schemas {
            tx.execute_ddl(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(name)))
                .await?;
        }
    }
    let applied = read_applied(&mut tx).await?;
    let desired = tables(schema);
    let changes = diff(&applied, &desired);
    refuse_data_loss(&changes, accept_data_loss, store_name)?;
    let plan = Plan {
        dialect,
        applied: &applied,
        desired: &desired,
        changes: &changes,
    };
    let mut done = Vec::new();
    // Drops first (their indexes and keys), then creates, then additions.
    plan.drop(&mut tx, &mut done).await?;
    let rebuilt = plan.rebuild_sqlite_tables(&mut tx, &mut done).await?;
    plan.create_tables(&mut tx, &mut done).await?;
    plan.add(&mut tx, &rebuilt, &mut done).await?;
    plan.add_foreign_keys_postgres(&mut tx).await?;
    plan.check_rebuilt_sqlite(&mut tx, &rebuilt).await?;
    save_applied(&mut tx, &applied, &desired, &changes).await?;
    tx.commit().await?;
    Ok(done)
}

/// `@fuzzy` fields are searched with `pg_trgm` (and `unaccent` when asked): both are
/// PostgreSQL's own trusted extensions, which the database's owner may install.
async fn install_search_extensions(tx: &mut Tx, schema: &Schema) -> Result<(), MigrateError> {
    let fuzzy = schema
        .models
        .iter()
        .flat_map(|m| &m.fields)
        .any(|f| f.searchable.fuzzy);
    if !fuzzy {
        return Ok(());
    }
    for extension in ["pg_trgm", "unaccent"] {
        tx.execute_ddl(&format!("CREATE EXTENSION IF NOT EXISTS {extension}"))
            .await
            .map_err(|err| {
                MigrateError::Refused(format!(
                    "the schema's @fuzzy fields need PostgreSQL's `{extension}` extension, and it could not be installed ({err}); install it as the database's owner (`CREATE EXTENSION {extension};`) or remove @fuzzy"
                ))
            })?;
    }
    Ok(())
}

/// The tables of the schema last applied (none on a new store, whose snapshot table is
/// created here).
async fn read_applied(tx: &mut Tx) -> Result<Vec<TableDef>, MigrateError> {
    tx.execute_ddl(&format!(
        "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, tables TEXT NOT NULL, applied_at TEXT NOT NULL)",
        quote(META_TABLE)
    ))
    .await?;
    let select = sea_query::Query::select()
        .column(sea_query::Alias::new("tables"))
        .from(sea_query::Alias::new(META_TABLE))
        .and_where(sea_query::Expr::col(sea_query::Alias::new("id")).eq(1))
        .to_owned();
    let rows = tx.fetch_rows(&select).await?;
    let values = crate::value::decode_rows(&rows, &[ScalarType::String]);
    Ok(match values.first().and_then(|r| r.first()) {
        Some(crate::value::Value::String(json)) => serde_json::from_str(json).map_err(|e| {
            MigrateError::Refused(format!("the stored schema snapshot is unreadable: {e}"))
        })?,
        _ => Vec::new(),
    })
}

/// Refuses changes that lose data, naming each, unless the operator accepted the loss.
fn refuse_data_loss(
    changes: &[Change],
    accept_data_loss: bool,
    store_name: &str,
) -> Result<(), MigrateError> {
    let losing: Vec<String> = changes
        .iter()
        .filter(|c| c.loses_data())
        .map(Change::describe)
        .collect();
    if !losing.is_empty() && !accept_data_loss {
        return Err(MigrateError::DataLoss {
            changes: losing,
            store: store_name.to_owned(),
        });
    }
    Ok(())
}

/// Keeps the new schema's tables as the snapshot the next start compares with.
async fn save_applied(
    tx: &mut Tx,
    applied: &[TableDef],
    desired: &[TableDef],
    changes: &[Change],
) -> Result<(), MigrateError> {
    let snapshot =
        serde_json::to_string(desired).map_err(|e| MigrateError::Refused(e.to_string()))?;
    if !changes.is_empty() || applied.is_empty() {
        tx.execute_ddl(&format!("DELETE FROM {}", quote(META_TABLE)))
            .await?;
        let insert = sea_query::Query::insert()
            .into_table(sea_query::Alias::new(META_TABLE))
            .columns([
                sea_query::Alias::new("id"),
                sea_query::Alias::new("tables"),
                sea_query::Alias::new("applied_at"),
            ])
            .values_panic([
                1.into(),
                snapshot.into(),
                chrono::Utc::now().to_rfc3339().into(),
            ])
            .to_owned();
        tx.execute(&insert).await?;
    }
    Ok(())
}

/// One migration: the tables before and after, and the changes between them. Each step runs
/// its part of the changes in `tx` and notes what it did in `done`.
struct Plan<'a> {
    dialect: Dialect,
    applied: &'a [TableDef],
    desired: &'a [TableDef],
    changes: &'a [Change],
}

impl Plan<'_> {
    fn table_of(&self, name: &str) -> Option<&TableDef> {
        self.desired.iter().find(|t| t.name == name)
    }

    fn old_of(&self, name: &str) -> Option<&TableDef> {
        self.applied.iter().find(|t| t.name == name)
    }

    fn column_of(&self, table: &str, column: &str) -> Option<&ColumnDef> {
        self.table_of(table)
            .and_then(|t| t.columns.iter().find(|c| c.name == column))
    }

    /// Drops tables, indexes, and (on PostgreSQL) foreign keys and columns.
    async fn drop(&self, tx: &mut Tx, done: &mut Vec<String>) -> Result<(), MigrateError> {
        let dialect = self.dialect;
        for change in self.changes {
            let sql: Vec<String> = match change {
                Change::DropForeignKey { table, name } if dialect == Dialect::Postgres => {
                    vec![format!(
                        "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                        quote(table),
                        quote(name)
                    )]
                }
                // An index lives in its table's schema.
                Change::DropIndex { name, table } => {
                    let index = match table.split_once(tables::IN_SCHEMA) {
                        Some((schema, _)) => format!("{schema}{}{name}", tables::IN_SCHEMA),
                        None => name.clone(),
                    };
                    vec![format!("DROP INDEX IF EXISTS {}", quote(&index))]
                }
                Change::DropTable(t) => vec![match dialect {
                    Dialect::Postgres => format!("DROP TABLE IF EXISTS {} CASCADE", quote(t)),
                    Dialect::Sqlite => format!("DROP TABLE IF EXISTS {}", quote(t)),
                }],
                Change::DropColumn { table, column } if dialect == Dialect::Postgres => {
                    vec![format!(
                        "ALTER TABLE {} DROP COLUMN {} CASCADE",
                        quote(table),
                        quote(column)
                    )]
                }
                _ => continue,
            };
            for s in sql {
                tx.execute_ddl(&s).await?;
            }
            done.push(change.describe());
        }
        Ok(())
    }

    /// SQLite cannot alter or drop constrained columns in place: rebuilds those tables, and
    /// returns their names.
    async fn rebuild_sqlite_tables(
        &self,
        tx: &mut Tx,
        done: &mut Vec<String>,
    ) -> Result<Vec<String>, MigrateError> {
        let mut rebuilt = Vec::new();
        if self.dialect != Dialect::Sqlite {
            return Ok(rebuilt);
        }
        for change in self.changes {
            let table = match change {
                Change::DropColumn { table, .. }
                | Change::AlterColumn { table, .. }
                | Change::AddForeignKey { table, .. }
                | Change::DropForeignKey { table, .. } => table,
                _ => continue,
            };
            if self.old_of(table).is_none() || rebuilt.contains(table) {
                continue;
            }
            if let (Some(new), Some(old)) = (self.table_of(table), self.old_of(table)) {
                rebuild_sqlite(tx, old, new).await?;
                rebuilt.push(table.clone());
                done.push(format!("rebuild table `{table}`"));
            }
        }
        Ok(rebuilt)
    }

    /// Creates the new tables with their indexes (on SQLite with their foreign keys too).
    async fn create_tables(&self, tx: &mut Tx, done: &mut Vec<String>) -> Result<(), MigrateError> {
        let dialect = self.dialect;
        let created: Vec<&String> = self
            .changes
            .iter()
            .filter_map(|c| {
                if let Change::CreateTable(t) = c {
                    Some(t)
                } else {
                    None
                }
            })
            .collect();
        for name in &created {
            if let Some(table) = self.table_of(name) {
                tx.execute_ddl(&create_table_sql(
                    dialect,
                    table,
                    dialect == Dialect::Sqlite,
                ))
                .await?;
                for (index, cols) in &table.uniques {
                    tx.execute_ddl(&index_sql(&table.name, index, cols, true))
                        .await?;
                }
                for (index, cols) in &table.indexes {
                    tx.execute_ddl(&index_sql(&table.name, index, cols, false))
                        .await?;
                }
                done.push(format!("create table `{name}`"));
            }
        }
        Ok(())
    }

    /// Adds columns and indexes to tables that were not rebuilt, and (on PostgreSQL) alters
    /// columns in place.
    async fn add(
        &self,
        tx: &mut Tx,
        rebuilt: &[String],
        done: &mut Vec<String>,
    ) -> Result<(), MigrateError> {
        for change in self.changes {
            match change {
                Change::AddColumn { table, column } if !rebuilt.contains(table) => {
                    let Some(def) = self.column_of(table, column) else {
                        continue;
                    };
                    self.add_column(tx, table, def).await?;
                    done.push(change.describe());
                }
                Change::AlterColumn { table, column, .. } if self.dialect == Dialect::Postgres => {
                    let Some(def) = self.column_of(table, column) else {
                        continue;
                    };
                    self.alter_column_postgres(tx, table, def).await?;
                    done.push(change.describe());
                }
                Change::AddIndex { table, name } if !rebuilt.contains(table) => {
                    let Some(t) = self.table_of(table) else {
                        continue;
                    };
                    let (cols, unique) = match (t.uniques.get(name), t.indexes.get(name)) {
                        (Some(cols), _) => (cols, true),
                        (None, Some(cols)) => (cols, false),
                        _ => continue,
                    };
                    tx.execute_ddl(&index_sql(table, name, cols, unique))
                        .await?;
                    done.push(change.describe());
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `ALTER TABLE … ADD COLUMN`, refused for a required column without a default (the
    /// existing rows would have no value).
    async fn add_column(
        &self,
        tx: &mut Tx,
        table: &str,
        def: &ColumnDef,
    ) -> Result<(), MigrateError> {
        let dialect = self.dialect;
        let column = &def.name;
        if !def.nullable && def.default.is_none() {
            return Err(MigrateError::Refused(format!(
                "cannot add the required field `{table}.{column}` to existing rows: give it a @default or make it optional"
            )));
        }
        let mut sql = format!(
            "ALTER TABLE {} ADD COLUMN {}",
            quote(table),
            column_sql(dialect, def, false)
        );
        if dialect == Dialect::Sqlite
            && let Some(fk) = self.table_of(table).and_then(|t| {
                t.foreign_keys
                    .iter()
                    .find(|fk| fk.columns == [column.clone()])
            })
        {
            sql.push_str(&format!(
                " REFERENCES {} ({}) ON DELETE {} ON UPDATE CASCADE",
                quote(&fk.table),
                quote(&fk.references[0]),
                on_delete_sql(&fk.on_delete)
            ));
        }
        tx.execute_ddl(&sql).await?;
        Ok(())
    }

    /// PostgreSQL changes a column's type and nullability in place.
    async fn alter_column_postgres(
        &self,
        tx: &mut Tx,
        table: &str,
        def: &ColumnDef,
    ) -> Result<(), MigrateError> {
        let column = &def.name;
        let ty = column_type(self.dialect, def);
        tx.execute_ddl(&format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}",
            t = quote(table),
            c = quote(column)
        ))
        .await?;
        tx.execute_ddl(&format!(
            "ALTER TABLE {} ALTER COLUMN {} {} NOT NULL",
            quote(table),
            quote(column),
            if def.nullable { "DROP" } else { "SET" }
        ))
        .await?;
        Ok(())
    }

    /// On PostgreSQL, foreign keys last, once every referenced table exists.
    async fn add_foreign_keys_postgres(&self, tx: &mut Tx) -> Result<(), MigrateError> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        for change in self.changes {
            let fks: Vec<&ForeignKeyDef> = match change {
                Change::CreateTable(name) => self
                    .table_of(name)
                    .map(|t| t.foreign_keys.iter().collect())
                    .unwrap_or_default(),
                Change::AddForeignKey { table, name } if self.old_of(table).is_some() => self
                    .table_of(table)
                    .map(|t| {
                        t.foreign_keys
                            .iter()
                            .filter(|fk| &fk.name == name)
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => continue,
            };
            for fk in fks {
                let table = self
                    .desired
                    .iter()
                    .find(|t| t.foreign_keys.contains(fk))
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                tx.execute_ddl(&format!(
                    "ALTER TABLE {} ADD {}",
                    quote(&table),
                    foreign_key_sql(fk)
                ))
                .await?;
            }
        }
        Ok(())
    }

    /// On SQLite, after rebuilding tables: every foreign key still finds its row.
    async fn check_rebuilt_sqlite(
        &self,
        tx: &mut Tx,
        rebuilt: &[String],
    ) -> Result<(), MigrateError> {
        if self.dialect == Dialect::Sqlite && !rebuilt.is_empty() {
            let violations = tx.fetch_raw("PRAGMA foreign_key_check").await?;
            if !violations.is_empty() {
                return Err(MigrateError::Refused(format!(
                    "rebuilding {} would break {} foreign key reference(s); fix the data first",
                    rebuilt.join(", "),
                    violations.len()
                )));
            }
        }
        Ok(())
    }
}

/// SQLite's way to change a table's columns or keys: create the new shape, copy the columns
/// both share, swap. Foreign keys are checked when the transaction's statements finish.
async fn rebuild_sqlite(
    tx: &mut tandem_sql::Tx,
    old: &TableDef,
    new: &TableDef,
) -> Result<(), MigrateError> {
    let temp = TableDef {
        name: format!("_tandem_new_{}", new.name),
        ..new.clone()
    };
    tx.execute_ddl(&create_table_sql(Dialect::Sqlite, &temp, true))
        .await?;
    let shared: Vec<String> = new
        .columns
        .iter()
        .filter(|c| old.columns.iter().any(|o| o.name == c.name))
        .map(|c| quote(&c.name))
        .collect();
    if !shared.is_empty() {
        tx.execute_ddl(&format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
            quote(&temp.name),
            quote(&old.name),
            cols = shared.join(", ")
        ))
        .await?;
    }
    tx.execute_ddl(&format!("DROP TABLE {}", quote(&old.name)))
        .await?;
    tx.execute_ddl(&format!(
        "ALTER TABLE {} RENAME TO {}",
        quote(&temp.name),
        quote(&new.name)
    ))
    .await?;
    for (index, cols) in &new.uniques {
        tx.execute_ddl(&format!("DROP INDEX IF EXISTS {}", quote(index)))
            .await?;
        tx.execute_ddl(&index_sql(&new.name, index, cols, true))
            .await?;
    }
    for (index, cols) in &new.indexes {
        tx.execute_ddl(&format!("DROP INDEX IF EXISTS {}", quote(index)))
            .await?;
        tx.execute_ddl(&index_sql(&new.name, index, cols, false))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Vec<TableDef> {
        tables(&Schema::from_source("s", crate::schema::tests_support::LIBRARY).unwrap())
    }

    #[test]
    fn tables_follow_zenstack_names() {
        let t = library();
        let book = t.iter().find(|t| t.name == "book").unwrap();
        assert_eq!(book.foreign_keys[0].name, "fk_book_author");
        assert!(book.uniques.contains_key("unique_book_title_author_id"));
        let user = t.iter().find(|t| t.name == "user").unwrap();
        assert!(user.uniques.contains_key("user_email_key"));
        let sql = create_table_sql(Dialect::Postgres, book, false);
        assert!(
            sql.contains("\"id\" TEXT PRIMARY KEY")
                && sql.contains("\"pages\" INTEGER NOT NULL DEFAULT 0"),
            "{sql}"
        );
    }

    #[test]
    fn additive_changes_apply_and_destructive_ones_are_named() {
        let before = library();
        let after = tables(
            &Schema::from_source(
                "s",
                &crate::schema::tests_support::LIBRARY
                    .replace("nickname String?", "nickname String?\n  bio String?")
                    .replace("  price     Float?\n", ""),
            )
            .unwrap(),
        );
        let changes = diff(&before, &after);
        assert!(changes.contains(&Change::AddColumn {
            table: "user".into(),
            column: "bio".into()
        }));
        assert!(changes.contains(&Change::DropColumn {
            table: "book".into(),
            column: "price".into()
        }));
        assert_eq!(changes.iter().filter(|c| c.loses_data()).count(), 1);
        assert!(diff(&before, &before).is_empty());
    }
}
