//! Field values: read from request JSON by the field's declared type, bound into SQL per
//! dialect, decoded from result rows, and written back as JSON with superjson annotations
//! (`Date`, `bigint`, `Decimal`), exactly as ZenStack's RPC handler does.

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row, TypeInfo, ValueRef};
use tandem_sql::Dialect;

use crate::schema::ScalarType;

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// `Int` and `BigInt`.
    Int(i64),
    Float(f64),
    /// Exact decimal text, e.g. `19.50`.
    Decimal(String),
    String(String),
    DateTime(DateTime<Utc>),
    Json(Json),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The SQL parameter for this value in a column of type `ty`. A null is bound with the
    /// same parameter type as a value of `ty`: PostgreSQL prepares a statement once per
    /// connection with the first call's parameter types, so the same SQL bound once with a
    /// null INT8 and then with an INT4 fails (08P01 "insufficient data left in message").
    pub fn to_sql(&self, ty: ScalarType, dialect: Dialect) -> sea_query::Value {
        use sea_query::Value as V;
        match (self, ty) {
            (Self::Null, ScalarType::String | ScalarType::Enum(_)) => V::String(None),
            (Self::Null, ScalarType::Int) if dialect == Dialect::Postgres => V::Int(None),
            (Self::Null, ScalarType::Int | ScalarType::BigInt) => V::BigInt(None),
            (Self::Null, ScalarType::Float) => V::Double(None),
            (Self::Null, ScalarType::Boolean) => V::Bool(None),
            (Self::Null, ScalarType::DateTime) => match dialect {
                Dialect::Sqlite => V::String(None),
                Dialect::Postgres => V::ChronoDateTime(None),
            },
            (Self::Null, ScalarType::Decimal) => V::String(None),
            (Self::Null, ScalarType::Bytes) => V::Bytes(None),
            // Bytes travel as base64 text and are stored as bytes.
            (Self::String(text), ScalarType::Bytes) => V::Bytes(Some(Box::new(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_default(),
            ))),
            (Self::Null, ScalarType::Json) => match dialect {
                Dialect::Sqlite => V::String(None),
                Dialect::Postgres => V::Json(None),
            },
            (Self::Bool(b), _) => V::Bool(Some(*b)),
            (Self::Int(i), ScalarType::Int) if dialect == Dialect::Postgres => {
                V::Int(Some(i32::try_from(*i).unwrap_or(if *i < 0 {
                    i32::MIN
                } else {
                    i32::MAX
                })))
            }
            (Self::Int(i), ScalarType::Float) => V::Double(Some(*i as f64)),
            (Self::Int(i), _) => V::BigInt(Some(*i)),
            (Self::Float(f), _) => V::Double(Some(*f)),
            (Self::Decimal(d), _) => V::String(Some(Box::new(d.clone()))),
            (Self::String(s), _) => V::String(Some(Box::new(s.clone()))),
            (Self::DateTime(at), _) => match dialect {
                Dialect::Sqlite => V::String(Some(Box::new(iso(at)))),
                Dialect::Postgres => V::ChronoDateTime(Some(Box::new(at.naive_utc()))),
            },
            (Self::Json(j), _) => match dialect {
                // Stored as text on SQLite, as ZenStack does.
                Dialect::Sqlite => V::String(Some(Box::new(j.to_string()))),
                Dialect::Postgres => V::Json(Some(Box::new(j.clone()))),
            },
        }
    }

    /// The JSON written in a response, and the superjson annotation it needs, if any.
    pub fn to_json(&self, ty: ScalarType) -> (Json, Option<&'static str>) {
        match self {
            Self::Null => (Json::Null, None),
            Self::Bool(b) => (Json::Bool(*b), None),
            Self::Int(i) if ty == ScalarType::BigInt => {
                (Json::String(i.to_string()), Some("bigint"))
            }
            Self::Int(i) => (Json::from(*i), None),
            Self::Float(f) if ty == ScalarType::Decimal => {
                (Json::String(decimal_text(*f)), Some("Decimal"))
            }
            Self::Float(f) => (number(*f), None),
            Self::Decimal(d) => (Json::String(normalize_decimal(d)), Some("Decimal")),
            Self::String(s) if ty == ScalarType::Bytes => (Json::String(s.clone()), Some("Bytes")),
            Self::String(s) => (Json::String(s.clone()), None),
            Self::DateTime(at) => (Json::String(iso(at)), Some("Date")),
            Self::Json(j) => (j.clone(), None),
        }
    }
}

/// `2026-11-28T09:15:00.000Z`, as JavaScript's `Date.toISOString`.
pub fn iso(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A JSON number that is integral, written as an integer (as JavaScript prints it).
pub fn integral(json: Json) -> Json {
    match json.as_f64() {
        Some(f) if json.is_f64() => number(f),
        _ => json,
    }
}

fn number(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

fn decimal_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Decimal.js's `toJSON`: no trailing zeros, no trailing point.
fn normalize_decimal(text: &str) -> String {
    let t = text.trim();
    if let Some((int, frac)) = t.split_once('.') {
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        }
    } else {
        t.to_owned()
    }
}

/// Why a JSON input value does not fit a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMismatch {
    pub expected: &'static str,
    pub received: &'static str,
}

/// The JSON type of a value, as validation messages name it (`received string`).
pub fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// ZenStack's null markers for Json fields: `JsonNull` (the JSON value `null`), `DbNull` (no
/// value: SQL NULL) and, in filters, `AnyNull` (either).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullMarker {
    Json,
    Db,
    Any,
}

/// The key of the object a marker is carried as inside request arguments, once the RPC layer
/// has read superjson's annotation (`["custom", "JsonNull"]`): no JSON a client sends has it.
const MARKER_KEY: &str = "\u{0}zenstack-null";

impl NullMarker {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "JsonNull" => Some(Self::Json),
            "DbNull" => Some(Self::Db),
            "AnyNull" => Some(Self::Any),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "JsonNull",
            Self::Db => "DbNull",
            Self::Any => "AnyNull",
        }
    }

    /// The marker as it travels inside the arguments.
    pub fn to_json(self) -> Json {
        Json::Object(Map::from_iter([(
            MARKER_KEY.to_owned(),
            Json::from(self.name()),
        )]))
    }

    /// The marker `json` carries, if it is one.
    pub fn of(json: &Json) -> Option<Self> {
        match json.as_object() {
            Some(map) if map.len() == 1 => map.get(MARKER_KEY)?.as_str().and_then(Self::from_name),
            _ => None,
        }
    }
}

/// Reads a request value for a field of type `ty`. `null` is `Value::Null`; whether null is
/// allowed is the caller's business. A Json field takes `JsonNull` (stored as JSON `null`) and
/// `DbNull` (no value).
pub fn from_json(json: &Json, ty: ScalarType) -> Result<Value, TypeMismatch> {
    if let Some(marker) = NullMarker::of(json) {
        return match (ty, marker) {
            (ScalarType::Json, NullMarker::Json) => Ok(Value::Json(Json::Null)),
            (ScalarType::Json, NullMarker::Db) => Ok(Value::Null),
            (ScalarType::Json, NullMarker::Any) => Err(TypeMismatch {
                expected: "JsonNull or DbNull (AnyNull is for filters)",
                received: "AnyNull",
            }),
            _ => Err(TypeMismatch {
                expected: match ty {
                    ScalarType::String | ScalarType::Enum(_) => "string",
                    ScalarType::Boolean => "boolean",
                    ScalarType::DateTime => "date",
                    _ => "number",
                },
                received: marker.name(),
            }),
        };
    }
    let mismatch = |expected| TypeMismatch {
        expected,
        received: json_kind(json),
    };
    if json.is_null() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        // Whether an enum's text is one of its values is checked where the schema is known.
        ScalarType::String | ScalarType::Enum(_) => {
            Value::String(json.as_str().ok_or_else(|| mismatch("string"))?.to_owned())
        }
        ScalarType::Boolean => Value::Bool(json.as_bool().ok_or_else(|| mismatch("boolean"))?),
        ScalarType::Int => {
            let n = json
                .as_i64()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| mismatch("number"))?;
            Value::Int(n)
        }
        // A big integer arrives as a JSON integer, or as a string annotated `bigint` in the
        // superjson meta (turned into an integer before this); a bare string is refused.
        ScalarType::BigInt => match json {
            Json::Number(n) => Value::Int(n.as_i64().ok_or_else(|| mismatch("bigint"))?),
            _ => return Err(mismatch("bigint")),
        },
        ScalarType::Float => Value::Float(json.as_f64().ok_or_else(|| mismatch("number"))?),
        ScalarType::Decimal => match json {
            Json::Number(n) => Value::Decimal(n.to_string()),
            Json::String(s) if s.trim().parse::<f64>().is_ok() => {
                Value::Decimal(s.trim().to_owned())
            }
            _ => return Err(mismatch("decimal")),
        },
        ScalarType::DateTime => {
            let s = json.as_str().ok_or_else(|| mismatch("date"))?;
            Value::DateTime(parse_datetime(s).ok_or_else(|| mismatch("date"))?)
        }
        // A marker inside a Json value has no meaning there (ZenStack's are top-level only).
        ScalarType::Json if holds_marker(json) => {
            return Err(TypeMismatch {
                expected: "JSON (JsonNull, DbNull and AnyNull stand for a whole Json field)",
                received: "a null marker inside the value",
            });
        }
        ScalarType::Json => Value::Json(json.clone()),
        // Base64 text (superjson's `Bytes`), or a list of byte values (superjson's typed
        // array, as a `Uint8Array` is sent).
        ScalarType::Bytes => {
            let engine = &base64::engine::general_purpose::STANDARD;
            let bytes = match json {
                Json::String(text) => engine.decode(text).map_err(|_| mismatch("base64 bytes"))?,
                Json::Array(items) => items
                    .iter()
                    .map(|i| i.as_u64().and_then(|b| u8::try_from(b).ok()))
                    .collect::<Option<Vec<u8>>>()
                    .ok_or_else(|| mismatch("bytes"))?,
                _ => return Err(mismatch("bytes")),
            };
            Value::String(engine.encode(bytes))
        }
    })
}

/// Whether a null marker (or the key markers travel under) is anywhere inside `json`.
pub fn holds_marker(json: &Json) -> bool {
    match json {
        Json::Object(map) => map.contains_key(MARKER_KEY) || map.values().any(holds_marker),
        Json::Array(items) => items.iter().any(holds_marker),
        _ => false,
    }
}

/// ISO 8601 as JavaScript's `new Date(string)` reads it: full timestamps with an offset, or
/// a date alone (midnight UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// What a column held, before its declared type gives it meaning.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Timestamp(DateTime<Utc>),
    Json(Json),
    Bytes(Vec<u8>),
}

fn sqlite_raw(row: &SqliteRow, i: usize) -> Raw {
    let Ok(value) = row.try_get_raw(i) else {
        return Raw::Null;
    };
    if value.is_null() {
        return Raw::Null;
    }
    match value.type_info().name() {
        "INTEGER" | "BOOLEAN" => row.try_get::<i64, _>(i).map_or(Raw::Null, Raw::Int),
        "REAL" | "NUMERIC" => row.try_get::<f64, _>(i).map_or(Raw::Null, Raw::Float),
        "BLOB" => row.try_get::<Vec<u8>, _>(i).map_or(Raw::Null, Raw::Bytes),
        _ => row.try_get::<String, _>(i).map_or(Raw::Null, Raw::Text),
    }
}

fn pg_raw(row: &PgRow, i: usize) -> Raw {
    let Ok(value) = row.try_get_raw(i) else {
        return Raw::Null;
    };
    if value.is_null() {
        return Raw::Null;
    }
    let name = row.column(i).type_info().name().to_owned();
    match name.as_str() {
        "INT2" => row
            .try_get::<i16, _>(i)
            .map_or(Raw::Null, |v| Raw::Int(v.into())),
        "INT4" => row
            .try_get::<i32, _>(i)
            .map_or(Raw::Null, |v| Raw::Int(v.into())),
        "INT8" => row.try_get::<i64, _>(i).map_or(Raw::Null, Raw::Int),
        "FLOAT4" => row
            .try_get::<f32, _>(i)
            .map_or(Raw::Null, |v| Raw::Float(v.into())),
        "FLOAT8" => row.try_get::<f64, _>(i).map_or(Raw::Null, Raw::Float),
        "BOOL" => row.try_get::<bool, _>(i).map_or(Raw::Null, Raw::Bool),
        "TIMESTAMP" => row
            .try_get::<NaiveDateTime, _>(i)
            .map_or(Raw::Null, |v| Raw::Timestamp(v.and_utc())),
        "TIMESTAMPTZ" => row
            .try_get::<DateTime<Utc>, _>(i)
            .map_or(Raw::Null, Raw::Timestamp),
        "JSON" | "JSONB" => row.try_get::<Json, _>(i).map_or(Raw::Null, Raw::Json),
        "BYTEA" => row.try_get::<Vec<u8>, _>(i).map_or(Raw::Null, Raw::Bytes),
        _ => row.try_get::<String, _>(i).map_or(Raw::Null, Raw::Text),
    }
}

fn interpret(raw: Raw, ty: ScalarType) -> Value {
    match (raw, ty) {
        (Raw::Null, _) => Value::Null,
        (Raw::Bool(b), _) => Value::Bool(b),
        (Raw::Int(i), ScalarType::Boolean) => Value::Bool(i != 0),
        (Raw::Int(i), ScalarType::Float) => Value::Float(i as f64),
        (Raw::Int(i), ScalarType::Decimal) => Value::Decimal(i.to_string()),
        (Raw::Int(i), _) => Value::Int(i),
        (Raw::Float(f), ScalarType::Int | ScalarType::BigInt) if f.fract() == 0.0 => {
            Value::Int(f as i64)
        }
        (Raw::Float(f), ScalarType::Decimal) => Value::Decimal(decimal_text(f)),
        (Raw::Float(f), _) => Value::Float(f),
        (Raw::Timestamp(at), _) => Value::DateTime(at),
        (Raw::Bytes(b), _) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        (Raw::Json(j), ScalarType::Json) => Value::Json(j),
        (Raw::Json(j), _) => Value::String(j.to_string()),
        (Raw::Text(t), ScalarType::DateTime) => {
            parse_datetime(&t).map_or(Value::String(t), Value::DateTime)
        }
        (Raw::Text(t), ScalarType::Json) => {
            serde_json::from_str(&t).map_or(Value::String(t), Value::Json)
        }
        (Raw::Text(t), ScalarType::Decimal) => Value::Decimal(t),
        (Raw::Text(t), ScalarType::Int | ScalarType::BigInt) => {
            t.parse().map_or(Value::String(t), Value::Int)
        }
        (Raw::Text(t), ScalarType::Float) => t.parse().map_or(Value::String(t), Value::Float),
        (Raw::Text(t), _) => Value::String(t),
    }
}

/// Decodes every row: column `i` as `types[i]`.
pub fn decode_rows(rows: &tandem_sql::Rows, types: &[ScalarType]) -> Vec<Vec<Value>> {
    match rows {
        tandem_sql::Rows::Sqlite(rows) => rows
            .iter()
            .map(|row| {
                (0..types.len())
                    .map(|i| interpret(sqlite_raw(row, i), types[i]))
                    .collect()
            })
            .collect(),
        tandem_sql::Rows::Postgres(rows) => rows
            .iter()
            .map(|row| {
                (0..types.len())
                    .map(|i| interpret(pg_raw(row, i), types[i]))
                    .collect()
            })
            .collect(),
    }
}

/// Builds a response body part and its superjson annotations (`path` → type).
#[derive(Debug, Default)]
pub struct Annotations {
    pub values: Map<String, Json>,
    /// Big integers by value: superjson tracks them by identity, and equal big integers are
    /// one identity in JavaScript, so it reports them as `referentialEqualities`.
    bigints: Vec<(String, String)>,
}

impl Annotations {
    pub fn add(&mut self, path: &str, kind: &'static str, value: &Json) {
        if kind == "bigint" {
            self.bigints.push((path.to_owned(), value.to_string()));
        }
        let annotation = match kind {
            // superjson writes a custom type's annotation nested: [["custom", name]].
            "Decimal" => serde_json::json!([["custom", "Decimal"]]),
            "Bytes" => serde_json::json!([["custom", "Bytes"]]),
            other => serde_json::json!([other]),
        };
        self.values.insert(path.to_owned(), annotation);
    }

    /// Moves these annotations under `prefix` (a row's index) into `into`.
    pub fn prefix_into(self, prefix: &str, into: &mut Annotations) {
        for (path, a) in self.values {
            into.values.insert(format!("{prefix}.{path}"), a);
        }
        for (path, v) in self.bigints {
            into.bigints.push((format!("{prefix}.{path}"), v));
        }
    }

    /// superjson's `referentialEqualities`: for each big integer value seen at several
    /// paths, the shortest path (first seen among equals) maps to the others.
    fn referential_equalities(&self) -> Option<Json> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for (path, value) in &self.bigints {
            match groups.iter_mut().find(|(v, _)| v == value) {
                Some((_, paths)) => paths.push(path.clone()),
                None => groups.push((value.clone(), vec![path.clone()])),
            }
        }
        let depth = |p: &String| p.split('.').count();
        let mut out = Map::new();
        for (_, mut paths) in groups.into_iter().filter(|(_, p)| p.len() > 1) {
            paths.sort_by_key(depth);
            let first = paths.remove(0);
            out.insert(
                first,
                Json::Array(paths.into_iter().map(Json::String).collect()),
            );
        }
        (!out.is_empty()).then_some(Json::Object(out))
    }

    /// `{"serialization": {"values": …, "v": 1}}`, or nothing when no value needs one.
    pub fn into_meta(self) -> Option<Json> {
        if self.values.is_empty() {
            return None;
        }
        let mut serialization = Map::new();
        let equalities = self.referential_equalities();
        serialization.insert("values".into(), Json::Object(self.values));
        if let Some(equalities) = equalities {
            serialization.insert("referentialEqualities".into(), equalities);
        }
        serialization.insert("v".into(), Json::from(1));
        Some(serde_json::json!({"serialization": serialization}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_is_bound_with_the_parameter_type_of_a_value() {
        use std::mem::discriminant;
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let samples = [
            (ScalarType::String, vec![Value::String("a".into())]),
            (ScalarType::Enum(0), vec![Value::String("A".into())]),
            (ScalarType::Int, vec![Value::Int(1), Value::Int(i64::MAX)]),
            (ScalarType::BigInt, vec![Value::Int(1)]),
            (ScalarType::Float, vec![Value::Float(1.5), Value::Int(2)]),
            (ScalarType::Decimal, vec![Value::Decimal("1.5".into())]),
            (ScalarType::Boolean, vec![Value::Bool(true)]),
            (ScalarType::DateTime, vec![Value::DateTime(at)]),
            (ScalarType::Json, vec![Value::Json(json!({"a": 1}))]),
        ];
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            for (ty, values) in &samples {
                let null = Value::Null.to_sql(*ty, dialect);
                for value in values {
                    assert_eq!(
                        discriminant(&value.to_sql(*ty, dialect)),
                        discriminant(&null),
                        "{ty:?} on {dialect:?}: {value:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn request_values_are_read_by_field_type() {
        assert_eq!(
            from_json(&json!("a"), ScalarType::String),
            Ok(Value::String("a".into()))
        );
        assert_eq!(from_json(&json!(5), ScalarType::Int), Ok(Value::Int(5)));
        assert!(from_json(&json!(5.5), ScalarType::Int).is_err());
        assert!(from_json(&json!(3_000_000_000i64), ScalarType::Int).is_err());
        assert_eq!(
            from_json(&json!(9007199254740993i64), ScalarType::BigInt),
            Ok(Value::Int(9007199254740993))
        );
        assert_eq!(
            from_json(&json!(2), ScalarType::Float),
            Ok(Value::Float(2.0))
        );
        assert_eq!(
            from_json(&json!("19.50"), ScalarType::Decimal),
            Ok(Value::Decimal("19.50".into()))
        );
        assert!(from_json(&json!("many"), ScalarType::Int).is_err());
        let at = from_json(&json!("2021-06-01T00:00:00.000Z"), ScalarType::DateTime).unwrap();
        assert_eq!(
            at.to_json(ScalarType::DateTime),
            (json!("2021-06-01T00:00:00.000Z"), Some("Date"))
        );
        assert_eq!(
            from_json(&json!("2021-06-01"), ScalarType::DateTime)
                .unwrap()
                .to_json(ScalarType::DateTime)
                .0,
            json!("2021-06-01T00:00:00.000Z")
        );
        assert_eq!(from_json(&json!(null), ScalarType::Int), Ok(Value::Null));
    }

    #[test]
    fn equal_big_integers_are_referential_equalities() {
        let mut annotations = Annotations::default();
        for (path, v) in [
            ("0.stock", "10"),
            ("1.stock", "10"),
            ("2.stock", "11"),
            ("0.books.0.stock", "11"),
            ("1.n", "10"),
        ] {
            annotations.add(path, "bigint", &json!(v));
        }
        let meta = annotations.into_meta().unwrap();
        assert_eq!(
            meta["serialization"]["referentialEqualities"],
            json!({"0.stock": ["1.stock", "1.n"], "2.stock": ["0.books.0.stock"]})
        );
    }

    #[test]
    fn responses_annotate_like_superjson() {
        assert_eq!(
            Value::Int(7).to_json(ScalarType::BigInt),
            (json!("7"), Some("bigint"))
        );
        assert_eq!(
            Value::Decimal("19.500".into()).to_json(ScalarType::Decimal),
            (json!("19.5"), Some("Decimal"))
        );
        assert_eq!(
            Value::Float(19.0).to_json(ScalarType::Float),
            (json!(19), None)
        );
        assert_eq!(
            Value::Float(19.5).to_json(ScalarType::Float),
            (json!(19.5), None)
        );
        let mut annotations = Annotations::default();
        assert!(Annotations::default().into_meta().is_none());
        annotations.add("0.created_at", "Date", &json!("2020-01-01T00:00:00.000Z"));
        annotations.add("price", "Decimal", &json!("1.5"));
        assert_eq!(
            annotations.into_meta().unwrap(),
            json!({"serialization": {"values": {"0.created_at": ["Date"], "price": [["custom", "Decimal"]]}, "v": 1}})
        );
    }
}
