//! What the database should look like for a schema: one table per model, with its columns,
//! key, unique and plain indexes and foreign keys, named as ZenStack names them
//! (`fk_book_author`, `unique_book_title_author_id`). Also the snapshot kept in the store of
//! the schema last applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// A column type written as declared (`Unsupported("xml")`), after this prefix.
pub const RAW_TYPE: &str = "raw:";
/// A default that is SQL (`dbgenerated("…")`), after this prefix.
pub const RAW_SQL: &str = "sql:";

/// Between a PostgreSQL schema and a table's name in the plan's table names
/// (`billing\u{1f}invoice`); quoted as `"billing"."invoice"` (see `ddl::quote`).
pub const IN_SCHEMA: char = '\u{1f}';

/// A model's table as the plan names it: `schema\u{1f}table` when it is in a PostgreSQL
/// schema of its own (`@@schema`), quoted `"schema"."table"` (see `ddl::quote`).
pub fn qualified(m: &crate::schema::Model) -> String {
    match &m.db_schema {
        Some(schema) => format!("{schema}{IN_SCHEMA}{}", m.table),
        None => m.table.clone(),
    }
}

/// What the database should look like for a schema.
pub fn tables(schema: &Schema) -> Vec<TableDef> {
    schema
        .models
        .iter()
        .map(|m| {
            // A sub-model's table holds its own fields, keyed by its base row's id.
            let held = |id: usize| m.fields[id].inherited.is_none() || m.primary_key.contains(&id);
            let columns = m
                .scalar_fields()
                .filter(|(id, _)| held(*id))
                .map(|(id, f)| {
                    let ty = f.scalar().unwrap_or(ScalarType::String);
                    ColumnDef {
                        name: f.column.clone(),
                        ty: match f.list_of {
                            // PostgreSQL's array (SQLite has none: refused before migrating).
                            Some(element) => format!(
                                "{RAW_TYPE}{}[]",
                                match element {
                                    ScalarType::Int => "INTEGER",
                                    ScalarType::Float => "DOUBLE PRECISION",
                                    ScalarType::Boolean => "BOOLEAN",
                                    _ => "TEXT",
                                }
                            ),
                            None => ty.name().to_owned(),
                        },
                        // A list never written is NULL (read as empty), as in ZenStack.
                        nullable: f.optional || f.list_of.is_some(),
                        autoincrement: f.default == Some(Default::Autoincrement)
                            && m.primary_key == [id]
                            && m.base.is_none(),
                        default: match &f.default {
                            // An enum's default is stored as its `@map`ped text.
                            Some(Default::Literal(serde_json::Value::String(v)))
                                if let ScalarType::Enum(e) = ty =>
                            {
                                Some(
                                    serde_json::Value::from(schema.enums[e].stored_of(v))
                                        .to_string(),
                                )
                            }
                            Some(Default::Literal(v)) => Some(v.to_string()),
                            Some(Default::Now) => Some("now".into()),
                            _ if f.updated_at => Some("now".into()),
                            _ => None,
                        },
                    }
                })
                .chain(m.hidden.iter().map(|h| ColumnDef {
                    name: h.column.clone(),
                    ty: format!("{RAW_TYPE}{}", h.raw_type),
                    nullable: h.optional,
                    autoincrement: false,
                    default: h.default_sql.as_ref().map(|sql| format!("{RAW_SQL}{sql}")),
                }))
                .collect();
            let names = |ids: &[usize]| {
                ids.iter()
                    .map(|id| m.fields[*id].column.clone())
                    .collect::<Vec<_>>()
            };
            // Keys and indexes over columns of this table; a sub-model's inherited ones are
            // its base table's.
            let own_set = |set: &Vec<usize>| {
                set.iter().all(|id| held(*id))
                    && !(m.base.is_some() && set.iter().all(|id| m.primary_key.contains(id)))
            };
            let mut uniques = BTreeMap::new();
            for set in m.uniques.iter().filter(|s| own_set(s)) {
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
            for set in m.indexes.iter().filter(|s| own_set(s)) {
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
                if !r.owner || f.inherited.is_some() {
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
                    table: qualified(target),
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
            if let Some(base) = m.base.map(|b| &schema.models[b]) {
                // The row of the base: deleting it (or changing its id) reaches this one.
                foreign_keys.push(ForeignKeyDef {
                    name: format!("fk_{}_{}_delegate", base.name, m.name),
                    columns: names(&m.primary_key),
                    table: qualified(base),
                    references: base
                        .primary_key
                        .iter()
                        .map(|id| base.fields[*id].column.clone())
                        .collect(),
                    on_delete: ReferentialAction::Cascade.name().to_owned(),
                });
            }
            TableDef {
                name: qualified(m),
                columns,
                primary_key: names(&m.primary_key),
                uniques,
                indexes,
                foreign_keys,
            }
        })
        .chain(join_tables(schema))
        .collect()
}

/// The join tables of implicit many-to-many relations, as Prisma makes them: `A` and `B`
/// referencing the two ids (a pair at most once; deleting either row deletes the pair), and an
/// index on `B`.
fn join_tables(schema: &Schema) -> Vec<TableDef> {
    let mut out: BTreeMap<String, TableDef> = BTreeMap::new();
    for m in &schema.models {
        for f in &m.fields {
            let FieldKind::Relation(r) = &f.kind else {
                continue;
            };
            let Some(join) = &r.join else {
                continue;
            };
            let target = &schema.models[r.target];
            let ends = [
                (&join.this_column, m, r.local[0]),
                (&join.other_column, target, r.foreign[0]),
            ];
            let mut columns: Vec<ColumnDef> = Vec::new();
            let mut foreign_keys = Vec::new();
            for (column, model, id) in ends {
                let key = &model.fields[id];
                columns.push(ColumnDef {
                    name: column.clone(),
                    ty: key.scalar().unwrap_or(ScalarType::String).name().to_owned(),
                    nullable: false,
                    autoincrement: false,
                    default: None,
                });
                foreign_keys.push(ForeignKeyDef {
                    name: format!("{}_{column}_fkey", join.table),
                    columns: vec![column.clone()],
                    table: qualified(model),
                    references: vec![key.column.clone()],
                    on_delete: ReferentialAction::Cascade.name().to_owned(),
                });
            }
            columns.sort_by(|a, b| a.name.cmp(&b.name));
            foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            out.entry(join.table.clone()).or_insert_with(|| TableDef {
                name: join.table.clone(),
                columns,
                primary_key: vec!["A".into(), "B".into()],
                uniques: BTreeMap::new(),
                indexes: BTreeMap::from([(format!("{}_B_index", join.table), vec!["B".into()])]),
                foreign_keys,
            });
        }
    }
    out.into_values().collect()
}
