//! The DDL text of tables, columns, indexes and foreign keys, per dialect. Identifiers come
//! from the schema and are always quoted.

use tandem_sql::Dialect;

use super::tables::{ColumnDef, ForeignKeyDef, IN_SCHEMA, TableDef};

pub(super) fn quote(name: &str) -> String {
    name.split(IN_SCHEMA)
        .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

pub(super) fn column_type(dialect: Dialect, column: &ColumnDef) -> std::borrow::Cow<'_, str> {
    if let Some(raw) = column.ty.strip_prefix(super::tables::RAW_TYPE) {
        return raw.into();
    }
    let ty = match (dialect, column.ty.as_str(), column.autoincrement) {
        (Dialect::Sqlite, "Int" | "BigInt", _) => "INTEGER",
        (Dialect::Sqlite, "Float", _) => "REAL",
        (Dialect::Sqlite, "Decimal", _) => "DECIMAL",
        (Dialect::Sqlite, "Boolean", _) => "BOOLEAN",
        (Dialect::Sqlite, "DateTime", _) => "DATETIME",
        (Dialect::Sqlite, "Bytes", _) => "BLOB",
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
        (Dialect::Postgres, "Bytes", _) => "BYTEA",
        (Dialect::Postgres, _, _) => "TEXT",
    };
    ty.into()
}

pub(super) fn default_sql(dialect: Dialect, column: &ColumnDef) -> Option<String> {
    let default = column.default.as_ref()?;
    if let Some(sql) = default.strip_prefix(super::tables::RAW_SQL) {
        return Some(format!("({sql})"));
    }
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

pub(super) fn column_sql(dialect: Dialect, column: &ColumnDef, inline_key: bool) -> String {
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

pub(super) fn on_delete_sql(action: &str) -> &'static str {
    match action {
        "Cascade" => "CASCADE",
        "SetNull" => "SET NULL",
        "SetDefault" => "SET DEFAULT",
        "NoAction" => "NO ACTION",
        _ => "RESTRICT",
    }
}

pub(super) fn foreign_key_sql(fk: &ForeignKeyDef) -> String {
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

pub(super) fn create_table_sql(
    dialect: Dialect,
    table: &TableDef,
    with_foreign_keys: bool,
) -> String {
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

pub(super) fn index_sql(table: &str, name: &str, columns: &[String], unique: bool) -> String {
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
