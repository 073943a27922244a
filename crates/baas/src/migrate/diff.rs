//! The changes between the tables of the schema last applied and those of the new one, and
//! which of them lose data.

use super::tables::{ColumnDef, TableDef};

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

    /// The change in words (a table in a PostgreSQL schema named `schema.table`).
    pub fn describe(&self) -> String {
        self.words().replace(super::tables::IN_SCHEMA, ".")
    }

    fn words(&self) -> String {
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
            Some(old) => table_changes(&old, table, &mut changes),
        }
    }
    for table in applied {
        if find(desired, &table.name).is_none() {
            changes.push(Change::DropTable(table.name.clone()));
        }
    }
    changes
}

/// The changes to a table both schemas have: its columns, then its indexes, then its
/// foreign keys (drops before additions).
fn table_changes(old: &TableDef, table: &TableDef, changes: &mut Vec<Change>) {
    for column in &table.columns {
        match old.columns.iter().find(|c| c.name == column.name) {
            None => changes.push(Change::AddColumn {
                table: table.name.clone(),
                column: column.name.clone(),
            }),
            Some(before) if before.ty != column.ty || before.nullable != column.nullable => changes
                .push(Change::AlterColumn {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    from: describe_column(before),
                    to: describe_column(column),
                }),
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
