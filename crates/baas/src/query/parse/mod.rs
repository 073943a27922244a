//! Request arguments (JSON) → the checked query tree, validated against the schema.
//!
//! Anything unknown — a model, field, operator or argument — is refused with a message that
//! names it and where it was (`Unrecognized key: "nickname" at "where"`), as ZenStack does.
//! Nesting depth and `take` are bounded.
//!
//! One file per part of a request: `select` (reads: selections, ordering, paging), `filter`
//! (`where` and unique lookups), `aggregate` (count, aggregate, groupBy) and `write` (create
//! and update data with their nested writes), `search` (PostgreSQL's full-text and fuzzy
//! search), `typed` (what typed JSON fields take). Here: the entry point, [`OpName`], and the
//! checks every part shares.

mod aggregate;
mod filter;
mod search;
mod select;
mod typed;
mod write;

use serde_json::{Map, Value as Json};

use super::ast::*;
use crate::schema::{Model, ModelId, ScalarType, Schema};
use crate::value::{self, Value, json_kind};

/// Deepest nesting of filters, selections and nested writes.
pub const MAX_DEPTH: usize = 12;
/// Largest `take` a single read may ask for.
pub const MAX_TAKE: i64 = 10_000;

/// A validation failure, before it is given its operation and model.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid(pub String);

type PResult<T> = Result<T, Invalid>;

fn invalid<T>(message: impl Into<String>) -> PResult<T> {
    Err(Invalid(message.into()))
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at \"{path}\"")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn object<'a>(json: &'a Json, path: &str) -> PResult<&'a Map<String, Json>> {
    json.as_object().ok_or_else(|| {
        Invalid(format!(
            "Invalid input: expected object, received {}{}",
            json_kind(json),
            at(path)
        ))
    })
}

fn only_keys(map: &Map<String, Json>, allowed: &[&str], path: &str) -> PResult<()> {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            return invalid(format!("Unrecognized key: \"{key}\"{}", at(path)));
        }
    }
    Ok(())
}

fn truthy(json: &Json) -> bool {
    !matches!(json, Json::Null | Json::Bool(false))
}

/// Which operation the arguments are for; decides the keys allowed at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpName {
    FindMany,
    FindFirst,
    FindUnique,
    Count,
    Aggregate,
    GroupBy,
    Exists,
    Create,
    CreateMany,
    CreateManyAndReturn,
    Update,
    UpdateMany,
    UpdateManyAndReturn,
    Upsert,
    Delete,
    DeleteMany,
}

impl OpName {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "findMany" => Self::FindMany,
            "findFirst" => Self::FindFirst,
            "findUnique" => Self::FindUnique,
            "count" => Self::Count,
            "aggregate" => Self::Aggregate,
            "groupBy" => Self::GroupBy,
            "exists" => Self::Exists,
            "create" => Self::Create,
            "createMany" => Self::CreateMany,
            "createManyAndReturn" => Self::CreateManyAndReturn,
            "update" => Self::Update,
            "updateMany" => Self::UpdateMany,
            "updateManyAndReturn" => Self::UpdateManyAndReturn,
            "upsert" => Self::Upsert,
            "delete" => Self::Delete,
            "deleteMany" => Self::DeleteMany,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::FindMany => "findMany",
            Self::FindFirst => "findFirst",
            Self::FindUnique => "findUnique",
            Self::Count => "count",
            Self::Aggregate => "aggregate",
            Self::GroupBy => "groupBy",
            Self::Exists => "exists",
            Self::Create => "create",
            Self::CreateMany => "createMany",
            Self::CreateManyAndReturn => "createManyAndReturn",
            Self::Update => "update",
            Self::UpdateMany => "updateMany",
            Self::UpdateManyAndReturn => "updateManyAndReturn",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
            Self::DeleteMany => "deleteMany",
        }
    }
}

pub struct Parser<'s> {
    pub schema: &'s Schema,
    /// The store is PostgreSQL: `mode: "insensitive"` and the text searches (`fts`, `fuzzy`
    /// and their relevance orderings) are accepted there only, as in ZenStack.
    pub postgres: bool,
}

impl<'s> Parser<'s> {
    fn model(&self, id: ModelId) -> &'s Model {
        self.schema.model(id)
    }

    pub fn operation(&self, model: ModelId, op: OpName, args: &Json) -> PResult<Operation> {
        let empty = Json::Object(Map::new());
        let args = if args.is_null() { &empty } else { args };
        let map = object(args, "")?;
        use OpName::*;
        match op {
            FindMany | FindFirst => self.find(model, op, map),
            FindUnique => self.find_unique(model, map),
            Exists => self.exists(model, map),
            Count => self.count(model, map),
            Aggregate => self.aggregate(model, map),
            GroupBy => self.group_by(model, map),
            Create => self.create(model, map),
            CreateMany | CreateManyAndReturn => self.create_many(model, op, map),
            Update => self.update(model, map),
            UpdateMany | UpdateManyAndReturn => self.update_many(model, op, map),
            Upsert => self.upsert(model, map),
            Delete => self.delete(model, map),
            DeleteMany => self.delete_many(model, map),
        }
    }

    fn boolean(&self, json: Option<&Json>, path: &str) -> PResult<Option<bool>> {
        match json {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(other) => invalid(format!(
                "Invalid input: expected boolean, received {}{}",
                json_kind(other),
                at(path)
            )),
        }
    }

    fn limit(&self, json: Option<&Json>) -> PResult<Option<u64>> {
        match json {
            None => Ok(None),
            Some(j) => match j.as_u64() {
                Some(n) => Ok(Some(n)),
                None => invalid(format!(
                    "Invalid input: expected a non-negative integer, received {}{}",
                    json_kind(j),
                    at("limit")
                )),
            },
        }
    }

    fn value(&self, json: &Json, ty: ScalarType, path: &str) -> PResult<Value> {
        // As in ZenStack, a Json field's `null` must say which: the JSON value (`JsonNull`) or
        // none (`DbNull`).
        if ty == ScalarType::Json && json.is_null() {
            return invalid(format!(
                "Invalid input: a Json field takes JsonNull (the JSON value null) or DbNull (no value), not null{}",
                at(path)
            ));
        }
        if let ScalarType::Enum(id) = ty {
            let declared = &self.schema.enums[id];
            return match json {
                Json::Null => Ok(Value::Null),
                Json::String(s) if declared.has(s) => Ok(Value::String(s.clone())),
                _ => invalid(format!(
                    "Invalid option: expected one of {}{}",
                    declared.listed(),
                    at(path)
                )),
            };
        }
        value::from_json(json, ty).map_err(|m| {
            Invalid(format!(
                "Invalid input: expected {}, received {}{}",
                m.expected,
                m.received,
                at(path)
            ))
        })
    }

    fn non_null_value(&self, json: &Json, ty: ScalarType, path: &str) -> PResult<Value> {
        match self.value(json, ty, path)? {
            Value::Null => invalid(self.missing(ty, "null", path)),
            v => Ok(v),
        }
    }

    /// `v` as the field's validation attributes leave it (`@trim`, `@lower`, `@upper`), or
    /// why it fails one of their checks (`@email`, `@length`, `@gt`, …).
    fn checked(&self, field: &crate::schema::Field, v: Value, path: &str) -> PResult<Value> {
        if let (Some(typed), Value::Json(json)) = (field.typed, &v) {
            self.check_typed(typed, json, path)?;
        }
        if field.checks.is_empty() {
            return Ok(v);
        }
        let fail = |message: String| invalid(format!("{message}{}", at(path)));
        match v {
            Value::String(text) => {
                let text = field.checks.iter().fold(text, |t, c| c.transform(t));
                if let Some(m) = field.checks.iter().find_map(|c| c.failure_of_text(&text)) {
                    return fail(m);
                }
                Ok(Value::String(text))
            }
            Value::Int(_) | Value::Float(_) | Value::Decimal(_) => {
                let n = match &v {
                    Value::Int(i) => *i as f64,
                    Value::Float(f) => *f,
                    Value::Decimal(d) => d.parse().unwrap_or(f64::NAN),
                    _ => f64::NAN,
                };
                if let Some(m) = field.checks.iter().find_map(|c| c.failure_of_number(n)) {
                    return fail(m);
                }
                Ok(v)
            }
            other => Ok(other),
        }
    }

    /// The message for a required value of type `ty` that was `received` null or undefined.
    fn missing(&self, ty: ScalarType, received: &str, path: &str) -> String {
        match ty {
            ScalarType::Enum(id) => format!(
                "Invalid option: expected one of {}{}",
                self.schema.enums[id].listed(),
                at(path)
            ),
            _ => format!(
                "Invalid input: expected {}, received {received}{}",
                ty.name().to_lowercase(),
                at(path)
            ),
        }
    }
}

fn required<'a>(map: &'a Map<String, Json>, key: &str, path: &str) -> PResult<&'a Json> {
    map.get(key).ok_or_else(|| {
        Invalid(format!(
            "Invalid input: expected object, received undefined{}",
            at(path)
        ))
    })
}

fn without(map: &Map<String, Json>, key: &str) -> Map<String, Json> {
    map.iter()
        .filter(|(k, _)| *k != key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn only(map: &Map<String, Json>, keys: &[&str]) -> Map<String, Json> {
    map.iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
