//! Keeps the BaaS tables in step with the schema. The schema last applied is kept in the
//! store (`_tandem_schema`); at start the new one is compared with it:
//!
//! - new models, fields, unique constraints and indexes are added automatically;
//! - dropping a model or field, or changing a field's type or optionality, loses data, so it
//!   is refused with a message naming each change — unless `accept_data_loss` is set.
//!
//! Table, column and constraint names follow ZenStack's (`fk_book_author`,
//! `unique_book_title_author_id`), so database errors read the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tandem_sql::{Db, DbError, Dialect};

use crate::schema::{Default, FieldKind, ReferentialAction, ScalarType, Schema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub ty: String,
    pub nullable: bool,
    pub autoincrement: bool,
    /// A database default, for columns added to tables that already have rows.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    pub name: String,
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Vec<String>,
    /// Unique indexes by name.
    pub uniques: BTreeMap<String, Vec<String>>,
    /// Plain indexes by name (declared ones and one per foreign key).
    pub indexes: BTreeMap<String, Vec<String>>,
    pub foreign_keys: Vec<ForeignKeyDef>,
}

/// What the database should look like for a schema.
pub fn tables(schema: &Schema) -> Vec<TableDef> {
    schema
        .models
        .iter()
        .map(|m| {
            let columns = m
                .scalar_fields()
                .map(|(id, f)| {
                    let ty = f.scalar().unwrap_or(ScalarType::String);
                    ColumnDef {
                        name: f.column.clone(),
                        ty: ty.name().to_owned(),
                        nullable: f.optional,
                        autoincrement: f.default == Some(Default::Autoincrement)
                            && m.primary_key == [id],
                        default: match &f.default {
                            Some(Default::Literal(v)) => Some(v.to_string()),
                            Some(Default::Now) => Some("now".into()),
                            _ if f.updated_at => Some("now".into()),
                            _ => None,
                        },
                    }
                })
                .collect();
            let names = |ids: &[usize]| {
                ids.iter()
                    .map(|id| m.fields[*id].column.clone())
                    .collect::<Vec<_>>()
            };
            let mut uniques = BTreeMap::new();
            for set in &m.uniques {
                let name = if set.len() == 1 {
                    format!("{}_{}_key", m.table, m.fields[set[0]].column)
                } else {
                    format!(
                        "unique_{}_{}",
                        m.name,
                        set.iter()
                            .map(|id| m.fields[*id].name.as_str())
                            .collect::<Vec<_>>()
                            .join("_")
                    )
                };
                uniques.insert(name, names(set));
            }
            let mut indexes = BTreeMap::new();
            for set in &m.indexes {
                indexes.insert(
                    format!("{}_{}_idx", m.table, names(set).join("_")),
                    names(set),
                );
            }
            let mut foreign_keys = Vec::new();
            for f in &m.fields {
                let FieldKind::Relation(r) = &f.kind else {
                    continue;
                };
                if !r.owner {
                    continue;
                }
                let target = &schema.models[r.target];
                let columns = names(&r.local);
                indexes
                    .entry(format!("{}_{}_fk_idx", m.table, columns.join("_")))
                    .or_insert_with(|| columns.clone());
                foreign_keys.push(ForeignKeyDef {
                    name: format!("fk_{}_{}", m.name, f.name),
                    columns,
                    table: target.table.clone(),
                    references: r
                        .foreign
                        .iter()
                        .map(|id| target.fields[*id].column.clone())
                        .collect(),
                    on_delete: r
                        .on_delete
                        .unwrap_or(ReferentialAction::Restrict)
                        .name()
                        .to_owned(),
                });
            }
            TableDef {
                name: m.table.clone(),
                columns,
                primary_key: names(&m.primary_key),
                uniques,
                indexes,
                foreign_keys,
            }
        })
        .collect()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_type(dialect: Dialect, column: &ColumnDef) -> &'static str {
    match (dialect, column.ty.as_str(), column.autoincrement) {
        (Dialect::Sqlite, "Int" | "BigInt", _) => "INTEGER",
        (Dialect::Sqlite, "Float", _) => "REAL",
        (Dialect::Sqlite, "Decimal", _) => "DECIMAL",
        (Dialect::Sqlite, "Boolean", _) => "BOOLEAN",
        (Dialect::Sqlite, "DateTime", _) => "DATETIME",
        (Dialect::Sqlite, _, _) => "TEXT",
        (Dialect::Postgres, "Int", true) => "SERIAL",
        (Dialect::Postgres, "BigInt", true) => "BIGSERIAL",
        (Dialect::Postgres, "Int", false) => "INTEGER",
        (Dialect::Postgres, "BigInt", false) => "BIGINT",
        (Dialect::Postgres, "Float", _) => "DOUBLE PRECISION",
        // Unconstrained, as ZenStack declares it: no padding to a fixed scale.
        (Dialect::Postgres, "Decimal", _) => "DECIMAL",
        (Dialect::Postgres, "Boolean", _) => "BOOLEAN",
        (Dialect::Postgres, "DateTime", _) => "TIMESTAMP(3)",
        (Dialect::Postgres, "Json", _) => "JSONB",
        (Dialect::Postgres, _, _) => "TEXT",
    }
}

fn default_sql(dialect: Dialect, column: &ColumnDef) -> Option<String> {
    let default = column.default.as_ref()?;
    if default == "now" {
        return Some(match dialect {
            Dialect::Sqlite => "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))".into(),
            Dialect::Postgres => "(now() AT TIME ZONE 'utc')".into(),
        });
    }
    let json: serde_json::Value = serde_json::from_str(default).ok()?;
    Some(match json {
        serde_json::Value::Bool(b) => match dialect {
            Dialect::Sqlite => {
                if b {
                    "1".into()
                } else {
                    "0".into()
                }
            }
            Dialect::Postgres => {
                if b {
                    "TRUE".into()
                } else {
                    "FALSE".into()
                }
            }
        },
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    })
}

fn column_sql(dialect: Dialect, column: &ColumnDef, inline_key: bool) -> String {
    let mut sql = format!("{} {}", quote(&column.name), column_type(dialect, column));
    if inline_key {
        sql.push_str(" PRIMARY KEY");
        if column.autoincrement && dialect == Dialect::Sqlite {
            sql.push_str(" AUTOINCREMENT");
        }
    }
    if !column.nullable && !inline_key {
        sql.push_str(" NOT NULL");
    }
    if let Some(d) = default_sql(dialect, column) {
        sql.push_str(&format!(" DEFAULT {d}"));
    }
    sql
}

fn on_delete_sql(action: &str) -> &'static str {
    match action {
        "Cascade" => "CASCADE",
        "SetNull" => "SET NULL",
        "SetDefault" => "SET DEFAULT",
        "NoAction" => "NO ACTION",
        _ => "RESTRICT",
    }
}

fn foreign_key_sql(fk: &ForeignKeyDef) -> String {
    let cols = |c: &[String]| c.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ");
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE CASCADE",
        quote(&fk.name),
        cols(&fk.columns),
        quote(&fk.table),
        cols(&fk.references),
        on_delete_sql(&fk.on_delete)
    )
}

fn create_table_sql(dialect: Dialect, table: &TableDef, with_foreign_keys: bool) -> String {
    let inline_key = table.primary_key.len() == 1;
    let mut parts: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_sql(dialect, c, inline_key && table.primary_key[0] == c.name))
        .collect();
    if !inline_key {
        parts.push(format!(
            "PRIMARY KEY ({})",
            table
                .primary_key
                .iter()
                .map(|n| quote(n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if with_foreign_keys {
        parts.extend(table.foreign_keys.iter().map(foreign_key_sql));
    }
    format!(
        "CREATE TABLE {} (\n  {}\n)",
        quote(&table.name),
        parts.join(",\n  ")
    )
}

fn index_sql(table: &str, name: &str, columns: &[String], unique: bool) -> String {
    format!(
        "CREATE {}INDEX {} ON {} ({})",
        if unique { "UNIQUE " } else { "" },
        quote(name),
        quote(table),
        columns
            .iter()
            .map(|n| quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A change between the applied schema and the new one.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    CreateTable(String),
    AddColumn {
        table: String,
        column: String,
    },
    AddIndex {
        table: String,
        name: String,
    },
    DropIndex {
        table: String,
        name: String,
    },
    AddForeignKey {
        table: String,
        name: String,
    },
    DropForeignKey {
        table: String,
        name: String,
    },
    // Changes that lose data:
    DropTable(String),
    DropColumn {
        table: String,
        column: String,
    },
    AlterColumn {
        table: String,
        column: String,
        from: String,
        to: String,
    },
}

impl Change {
    pub fn loses_data(&self) -> bool {
        matches!(
            self,
            Self::DropTable(_) | Self::DropColumn { .. } | Self::AlterColumn { .. }
        )
    }

    pub fn describe(&self) -> String {
        match self {
            Self::CreateTable(t) => format!("create table `{t}`"),
            Self::AddColumn { table, column } => format!("add column `{table}.{column}`"),
            Self::AddIndex { table, name } => format!("add index `{name}` on `{table}`"),
            Self::DropIndex { table, name } => format!("drop index `{name}` on `{table}`"),
            Self::AddForeignKey { table, name } => format!("add foreign key `{name}` on `{table}`"),
            Self::DropForeignKey { table, name } => {
                format!("drop foreign key `{name}` on `{table}`")
            }
            Self::DropTable(t) => format!("drop table `{t}` and all its rows"),
            Self::DropColumn { table, column } => {
                format!("drop column `{table}.{column}` and its values")
            }
            Self::AlterColumn {
                table,
                column,
                from,
                to,
            } => format!("change column `{table}.{column}` from {from} to {to}"),
        }
    }
}

fn describe_column(c: &ColumnDef) -> String {
    format!("{}{}", c.ty, if c.nullable { "?" } else { "" })
}

/// The changes that turn `applied` into `desired`, in the order they must run.
pub fn diff(applied: &[TableDef], desired: &[TableDef]) -> Vec<Change> {
    let mut changes = Vec::new();
    let find = |list: &[TableDef], name: &str| list.iter().find(|t| t.name == name).cloned();
    for table in desired {
        match find(applied, &table.name) {
            None => changes.push(Change::CreateTable(table.name.clone())),
            Some(old) => {
                for column in &table.columns {
                    match old.columns.iter().find(|c| c.name == column.name) {
                        None => changes.push(Change::AddColumn {
                            table: table.name.clone(),
                            column: column.name.clone(),
                        }),
                        Some(before)
                            if before.ty != column.ty || before.nullable != column.nullable =>
                        {
                            changes.push(Change::AlterColumn {
                                table: table.name.clone(),
                                column: column.name.clone(),
                                from: describe_column(before),
                                to: describe_column(column),
                            })
                        }
                        Some(_) => {}
                    }
                }
                for column in &old.columns {
                    if !table.columns.iter().any(|c| c.name == column.name) {
                        changes.push(Change::DropColumn {
                            table: table.name.clone(),
                            column: column.name.clone(),
                        });
                    }
                }
                for (name, cols) in old.uniques.iter().chain(&old.indexes) {
                    let kept = table.uniques.get(name).or_else(|| table.indexes.get(name));
                    if kept != Some(cols) {
                        changes.push(Change::DropIndex {
                            table: table.name.clone(),
                            name: name.clone(),
                        });
                    }
                }
                for (name, cols) in table.uniques.iter().chain(&table.indexes) {
                    let existed = old.uniques.get(name).or_else(|| old.indexes.get(name));
                    if existed != Some(cols) {
                        changes.push(Change::AddIndex {
                            table: table.name.clone(),
                            name: name.clone(),
                        });
                    }
                }
                for fk in &old.foreign_keys {
                    if !table.foreign_keys.contains(fk) {
                        changes.push(Change::DropForeignKey {
                            table: table.name.clone(),
                            name: fk.name.clone(),
                        });
                    }
                }
                for fk in &table.foreign_keys {
                    if !old.foreign_keys.contains(fk) {
                        changes.push(Change::AddForeignKey {
                            table: table.name.clone(),
                            name: fk.name.clone(),
                        });
                    }
                }
            }
        }
    }
    for table in applied {
        if find(desired, &table.name).is_none() {
            changes.push(Change::DropTable(table.name.clone()));
        }
    }
    changes
}

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
pub async fn migrate(
    db: &Db,
    schema: &Schema,
    accept_data_loss: bool,
    store_name: &str,
) -> Result<Vec<String>, MigrateError> {
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
    }
    tx.execute_ddl(&format!(
        "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, tables TEXT NOT NULL, applied_at TEXT NOT NULL)",
        quote(META_TABLE)
    ))
    .await?;
    let applied: Vec<TableDef> = {
        let select = sea_query::Query::select()
            .column(sea_query::Alias::new("tables"))
            .from(sea_query::Alias::new(META_TABLE))
            .and_where(sea_query::Expr::col(sea_query::Alias::new("id")).eq(1))
            .to_owned();
        let rows = tx.fetch_rows(&select).await?;
        let values = crate::value::decode_rows(&rows, &[ScalarType::String]);
        match values.first().and_then(|r| r.first()) {
            Some(crate::value::Value::String(json)) => serde_json::from_str(json).map_err(|e| {
                MigrateError::Refused(format!("the stored schema snapshot is unreadable: {e}"))
            })?,
            _ => Vec::new(),
        }
    };
    let desired = tables(schema);
    let changes = diff(&applied, &desired);
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
    let mut done = Vec::new();
    let table_of = |name: &str| desired.iter().find(|t| t.name == name);
    let old_of = |name: &str| applied.iter().find(|t| t.name == name);
    // Drops first (their indexes and keys), then creates, then additions.
    for change in &changes {
        let sql: Vec<String> = match change {
            Change::DropForeignKey { table, name } if dialect == Dialect::Postgres => {
                vec![format!(
                    "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                    quote(table),
                    quote(name)
                )]
            }
            Change::DropIndex { name, .. } => vec![format!("DROP INDEX IF EXISTS {}", quote(name))],
            Change::DropTable(t) => vec![match dialect {
                Dialect::Postgres => format!("DROP TABLE IF EXISTS {} CASCADE", quote(t)),
                Dialect::Sqlite => format!("DROP TABLE IF EXISTS {}", quote(t)),
            }],
            Change::DropColumn { table, column } if dialect == Dialect::Postgres => vec![format!(
                "ALTER TABLE {} DROP COLUMN {} CASCADE",
                quote(table),
                quote(column)
            )],
            _ => continue,
        };
        for s in sql {
            tx.execute_ddl(&s).await?;
        }
        done.push(change.describe());
    }
    // SQLite cannot alter or drop constrained columns in place: rebuild those tables.
    let mut rebuilt = Vec::new();
    if dialect == Dialect::Sqlite {
        for change in &changes {
            let table = match change {
                Change::DropColumn { table, .. }
                | Change::AlterColumn { table, .. }
                | Change::AddForeignKey { table, .. }
                | Change::DropForeignKey { table, .. } => table,
                _ => continue,
            };
            if old_of(table).is_none() || rebuilt.contains(table) {
                continue;
            }
            if let (Some(new), Some(old)) = (table_of(table), old_of(table)) {
                rebuild_sqlite(&mut tx, old, new).await?;
                rebuilt.push(table.clone());
                done.push(format!("rebuild table `{table}`"));
            }
        }
    }
    let created: Vec<&String> = changes
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
        if let Some(table) = table_of(name) {
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
    for change in &changes {
        match change {
            Change::AddColumn { table, column } if !rebuilt.contains(table) => {
                let Some(def) =
                    table_of(table).and_then(|t| t.columns.iter().find(|c| &c.name == column))
                else {
                    continue;
                };
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
                    && let Some(fk) = table_of(table).and_then(|t| {
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
                done.push(change.describe());
            }
            Change::AlterColumn { table, column, .. } if dialect == Dialect::Postgres => {
                let Some(def) =
                    table_of(table).and_then(|t| t.columns.iter().find(|c| &c.name == column))
                else {
                    continue;
                };
                let ty = column_type(dialect, def);
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
                done.push(change.describe());
            }
            Change::AddIndex { table, name } if !rebuilt.contains(table) => {
                let Some(t) = table_of(table) else { continue };
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
    if dialect == Dialect::Postgres {
        // Foreign keys last, once every referenced table exists.
        for change in &changes {
            let fks: Vec<&ForeignKeyDef> = match change {
                Change::CreateTable(name) => table_of(name)
                    .map(|t| t.foreign_keys.iter().collect())
                    .unwrap_or_default(),
                Change::AddForeignKey { table, name } if old_of(table).is_some() => table_of(table)
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
                let table = desired
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
    }
    if dialect == Dialect::Sqlite && !rebuilt.is_empty() {
        let violations = tx.fetch_raw("PRAGMA foreign_key_check").await?;
        if !violations.is_empty() {
            return Err(MigrateError::Refused(format!(
                "rebuilding {} would break {} foreign key reference(s); fix the data first",
                rebuilt.join(", "),
                violations.len()
            )));
        }
    }
    let snapshot =
        serde_json::to_string(&desired).map_err(|e| MigrateError::Refused(e.to_string()))?;
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
    tx.commit().await?;
    Ok(done)
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
