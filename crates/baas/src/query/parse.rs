//! Request arguments (JSON) → the checked query tree, validated against the schema.
//!
//! Anything unknown — a model, field, operator or argument — is refused with a message that
//! names it and where it was (`Unrecognized key: "nickname" at "where"`), as ZenStack does.
//! Nesting depth and `take` are bounded.

use serde_json::{Map, Value as Json};

use super::ast::*;
use crate::schema::{FieldId, FieldKind, Model, ModelId, Relation, ScalarType, Schema};
use crate::value::{self, Value};

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

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
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
            kind(json),
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
    /// Whether `mode: "insensitive"` is accepted (PostgreSQL only, as in ZenStack).
    pub insensitive_mode: bool,
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
        Ok(match op {
            FindMany | FindFirst => {
                only_keys(
                    map,
                    &[
                        "where", "select", "include", "omit", "orderBy", "cursor", "take", "skip",
                        "distinct",
                    ],
                    "",
                )?;
                if op == FindFirst && map.get("take").is_some_and(|t| t.as_i64() != Some(1)) {
                    return invalid(format!("Invalid input: expected 1{}", at("take")));
                }
                let mut read = self.read_args(model, map, "", 0)?;
                if op == FindFirst {
                    read.take = Some(1);
                    Operation::FindOne(read)
                } else {
                    Operation::FindMany(read)
                }
            }
            FindUnique => {
                only_keys(map, &["where", "select", "include", "omit"], "")?;
                let unique = self.unique_where(model, map.get("where"), "where", 0)?;
                let selection = self.selection(model, map, "", 0)?;
                let mut read = ReadArgs::all(model, selection);
                read.filter = Some(unique);
                read.take = Some(1);
                Operation::FindOne(read)
            }
            Exists => {
                only_keys(map, &["where"], "")?;
                let mut read = ReadArgs::all(model, Selection::default());
                read.filter = self.optional_filter(model, map.get("where"), "where", 0)?;
                Operation::Exists(read)
            }
            Count => {
                only_keys(map, &["where", "select", "orderBy", "take", "skip"], "")?;
                let shape = match map.get("select") {
                    None => CountShape::Number,
                    Some(select) => CountShape::Fields(self.count_fields(model, select, "select")?),
                };
                let mut read = self.read_args(model, &without(map, "select"), "", 0)?;
                read.selection = Selection::default();
                Operation::Count { args: read, shape }
            }
            Aggregate => {
                only_keys(
                    map,
                    &[
                        "where", "orderBy", "take", "skip", "_count", "_sum", "_avg", "_min",
                        "_max",
                    ],
                    "",
                )?;
                let spec = self.aggregate_spec(model, map)?;
                let mut read = self.read_args(
                    model,
                    &only(map, &["where", "orderBy", "take", "skip"]),
                    "",
                    0,
                )?;
                read.selection = Selection::default();
                Operation::Aggregate { args: read, spec }
            }
            GroupBy => self.group_by(model, map)?,
            Create => {
                only_keys(map, &["data", "select", "include", "omit"], "")?;
                let data =
                    self.create_data(model, required(map, "data", "data")?, "data", 0, None)?;
                Operation::Create {
                    data,
                    selection: self.selection(model, map, "", 0)?,
                }
            }
            CreateMany | CreateManyAndReturn => {
                let allowed: &[&str] = if op == CreateMany {
                    &["data", "skipDuplicates"]
                } else {
                    &["data", "skipDuplicates", "select", "omit"]
                };
                only_keys(map, allowed, "")?;
                let data = required(map, "data", "data")?;
                let rows: Vec<&Json> = match data {
                    Json::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                let data = rows
                    .iter()
                    .enumerate()
                    .map(|(i, row)| self.flat_create_data(model, row, &format!("data.{i}")))
                    .collect::<PResult<Vec<_>>>()?;
                let skip_duplicates = self
                    .boolean(map.get("skipDuplicates"), "skipDuplicates")?
                    .unwrap_or(false);
                let returning = if op == CreateManyAndReturn {
                    Some(self.selection(model, map, "", 0)?)
                } else {
                    None
                };
                Operation::CreateMany {
                    data,
                    skip_duplicates,
                    returning,
                }
            }
            Update => {
                only_keys(map, &["where", "data", "select", "include", "omit"], "")?;
                let unique = self.unique_where(model, map.get("where"), "where", 0)?;
                let data =
                    self.update_data(model, required(map, "data", "data")?, "data", 0, None)?;
                Operation::Update {
                    unique,
                    data,
                    selection: self.selection(model, map, "", 0)?,
                }
            }
            UpdateMany | UpdateManyAndReturn => {
                let allowed: &[&str] = if op == UpdateMany {
                    &["where", "data", "limit"]
                } else {
                    &["where", "data", "limit", "select", "omit"]
                };
                only_keys(map, allowed, "")?;
                let filter = self.optional_filter(model, map.get("where"), "where", 0)?;
                let data = self.flat_update_data(model, required(map, "data", "data")?, "data")?;
                let limit = self.limit(map.get("limit"))?;
                let returning = if op == UpdateManyAndReturn {
                    Some(self.selection(model, map, "", 0)?)
                } else {
                    None
                };
                Operation::UpdateMany {
                    filter,
                    data,
                    limit,
                    returning,
                }
            }
            Upsert => {
                only_keys(
                    map,
                    &["where", "create", "update", "select", "include", "omit"],
                    "",
                )?;
                let unique = self.unique_where(model, map.get("where"), "where", 0)?;
                let create =
                    self.create_data(model, required(map, "create", "create")?, "create", 0, None)?;
                let update =
                    self.update_data(model, required(map, "update", "update")?, "update", 0, None)?;
                Operation::Upsert {
                    unique,
                    create,
                    update,
                    selection: self.selection(model, map, "", 0)?,
                }
            }
            Delete => {
                only_keys(map, &["where", "select", "include", "omit"], "")?;
                let unique = self.unique_where(model, map.get("where"), "where", 0)?;
                Operation::Delete {
                    unique,
                    selection: self.selection(model, map, "", 0)?,
                }
            }
            DeleteMany => {
                only_keys(map, &["where", "limit"], "")?;
                let filter = self.optional_filter(model, map.get("where"), "where", 0)?;
                Operation::DeleteMany {
                    filter,
                    limit: self.limit(map.get("limit"))?,
                }
            }
        })
    }

    fn boolean(&self, json: Option<&Json>, path: &str) -> PResult<Option<bool>> {
        match json {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(other) => invalid(format!(
                "Invalid input: expected boolean, received {}{}",
                kind(other),
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
                    kind(j),
                    at("limit")
                )),
            },
        }
    }

    // ---- reads --------------------------------------------------------------------------

    fn read_args(
        &self,
        model: ModelId,
        map: &Map<String, Json>,
        path: &str,
        depth: usize,
    ) -> PResult<ReadArgs> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "the query nests deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let mut read = ReadArgs::all(model, self.selection(model, map, path, depth)?);
        read.filter = self.optional_filter(model, map.get("where"), &join(path, "where"), depth)?;
        if let Some(order) = map.get("orderBy") {
            read.order_by = self.order_by(model, order, &join(path, "orderBy"), depth)?;
        }
        if let Some(skip) = map.get("skip") {
            read.skip = skip.as_u64().ok_or_else(|| {
                Invalid(format!(
                    "Invalid input: expected a non-negative integer, received {}{}",
                    kind(skip),
                    at(&join(path, "skip"))
                ))
            })?;
        }
        if let Some(take) = map.get("take") {
            let n = take.as_i64().ok_or_else(|| {
                Invalid(format!(
                    "Invalid input: expected an integer, received {}{}",
                    kind(take),
                    at(&join(path, "take"))
                ))
            })?;
            if n.abs() > MAX_TAKE {
                return invalid(format!(
                    "take may be at most {MAX_TAKE} (page with skip or cursor){}",
                    at(&join(path, "take"))
                ));
            }
            read.take = Some(n);
        }
        if let Some(cursor) = map.get("cursor") {
            read.cursor =
                Some(self.unique_where(model, Some(cursor), &join(path, "cursor"), depth)?);
        }
        if let Some(distinct) = map.get("distinct") {
            let names: Vec<&Json> = match distinct {
                Json::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for name in names {
                let field = name
                    .as_str()
                    .and_then(|n| self.model(model).field(n))
                    .filter(|(_, f)| f.scalar().is_some());
                match field {
                    Some((id, _)) => read.distinct.push(id),
                    None => {
                        return invalid(format!(
                            "Invalid option value for distinct: {name}{}",
                            at(&join(path, "distinct"))
                        ));
                    }
                }
            }
        }
        Ok(read)
    }

    /// select / include / omit → what to return (defaults to every scalar field).
    pub fn selection(
        &self,
        model_id: ModelId,
        map: &Map<String, Json>,
        path: &str,
        depth: usize,
    ) -> PResult<Selection> {
        let model = self.model(model_id);
        let (select, include, omit) = (map.get("select"), map.get("include"), map.get("omit"));
        if select.is_some_and(|s| !s.is_null()) && include.is_some_and(|i| !i.is_null()) {
            return invalid(format!(
                "\"select\" and \"include\" cannot be used together{}",
                at(path)
            ));
        }
        if select.is_some_and(|s| !s.is_null()) && omit.is_some_and(|o| !o.is_null()) {
            return invalid(format!(
                "\"select\" and \"omit\" cannot be used together{}",
                at(path)
            ));
        }
        let mut selection = Selection::default();
        let mut omitted = Vec::new();
        if let Some(omit) = omit.filter(|o| !o.is_null()) {
            let omit_path = join(path, "omit");
            for (key, value) in object(omit, &omit_path)? {
                match model.field(key) {
                    Some((id, f)) if f.scalar().is_some() => {
                        if self.boolean(Some(value), &join(&omit_path, key))? == Some(true) {
                            omitted.push(id);
                        }
                    }
                    _ => return invalid(format!("Unrecognized key: \"{key}\"{}", at(&omit_path))),
                }
            }
        }
        let listing = match (
            select.filter(|s| !s.is_null()),
            include.filter(|i| !i.is_null()),
        ) {
            (Some(select), _) => Some((select, "select", true)),
            (None, Some(include)) => Some((include, "include", false)),
            (None, None) => None,
        };
        let all_scalars = || {
            model
                .scalar_fields()
                .map(|(id, _)| id)
                .filter(|id| !omitted.contains(id))
                .collect::<Vec<_>>()
        };
        let Some((listing, key, is_select)) = listing else {
            selection.scalars = all_scalars();
            return Ok(selection);
        };
        let list_path = join(path, key);
        let entries = object(listing, &list_path)?;
        if !is_select {
            selection.scalars = all_scalars();
        }
        let mut any_truthy = false;
        for (name, value) in entries {
            if name == "_count" {
                if truthy(value) {
                    any_truthy = true;
                    selection.counts =
                        self.count_selection(model_id, value, &join(&list_path, "_count"), depth)?;
                }
                continue;
            }
            let Some((id, field)) = model.field(name) else {
                return invalid(format!("Unrecognized key: \"{name}\"{}", at(&list_path)));
            };
            match &field.kind {
                FieldKind::Scalar(_) => {
                    if !is_select {
                        return invalid(format!(
                            "Unrecognized key: \"{name}\"{} (include takes relations; scalar fields are always included)",
                            at(&list_path)
                        ));
                    }
                    if self.boolean(Some(value), &join(&list_path, name))? == Some(true) {
                        any_truthy = true;
                        selection.scalars.push(id);
                    }
                }
                FieldKind::Relation(relation) => {
                    if !truthy(value) {
                        continue;
                    }
                    any_truthy = true;
                    let nested_path = join(&list_path, name);
                    let nested = match value {
                        Json::Bool(true) => ReadArgs::all(
                            relation.target,
                            self.selection(relation.target, &Map::new(), &nested_path, depth + 1)?,
                        ),
                        Json::Object(args) => {
                            let allowed: &[&str] = if relation.many {
                                &[
                                    "select", "include", "omit", "where", "orderBy", "cursor",
                                    "take", "skip", "distinct",
                                ]
                            } else {
                                &["select", "include", "omit", "where"]
                            };
                            only_keys(args, allowed, &nested_path)?;
                            self.read_args(relation.target, args, &nested_path, depth + 1)?
                        }
                        other => {
                            return invalid(format!(
                                "Invalid input: expected boolean or object, received {}{}",
                                kind(other),
                                at(&nested_path)
                            ));
                        }
                    };
                    selection.relations.push((id, nested));
                }
            }
        }
        if is_select && !any_truthy {
            return invalid(format!(
                "\"select\" must have at least one truthy value{}",
                at(&list_path)
            ));
        }
        selection.scalars.sort_unstable();
        selection.scalars.dedup();
        Ok(selection)
    }

    fn count_selection(
        &self,
        model_id: ModelId,
        value: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<Vec<(FieldId, Option<Filter>)>> {
        let model = self.model(model_id);
        let to_many = || {
            model
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.relation().is_some_and(|r| r.many))
                .map(|(id, _)| (id, None))
                .collect()
        };
        match value {
            Json::Bool(true) => Ok(to_many()),
            Json::Object(map) => {
                only_keys(map, &["select"], path)?;
                let select_path = join(path, "select");
                let select = object(required(map, "select", &select_path)?, &select_path)?;
                let mut out = Vec::new();
                for (name, v) in select {
                    let relation = model
                        .field(name)
                        .and_then(|(id, f)| f.relation().filter(|r| r.many).map(|r| (id, r)));
                    let Some((id, relation)) = relation else {
                        return invalid(format!(
                            "Unrecognized key: \"{name}\"{}",
                            at(&select_path)
                        ));
                    };
                    match v {
                        Json::Bool(true) => out.push((id, None)),
                        Json::Bool(false) => {}
                        Json::Object(args) => {
                            let p = join(&select_path, name);
                            only_keys(args, &["where"], &p)?;
                            out.push((
                                id,
                                self.optional_filter(
                                    relation.target,
                                    args.get("where"),
                                    &join(&p, "where"),
                                    depth + 1,
                                )?,
                            ));
                        }
                        other => {
                            return invalid(format!(
                                "Invalid input: expected boolean or object, received {}{}",
                                kind(other),
                                at(&join(&select_path, name))
                            ));
                        }
                    }
                }
                Ok(out)
            }
            other => invalid(format!(
                "Invalid input: expected boolean or object, received {}{}",
                kind(other),
                at(path)
            )),
        }
    }

    fn order_by(
        &self,
        model_id: ModelId,
        json: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<Vec<OrderItem>> {
        let items: Vec<(String, &Json)> = match json {
            Json::Array(list) => list
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{path}.{i}"), item))
                .collect(),
            other => vec![(path.to_owned(), other)],
        };
        let mut out = Vec::new();
        for (item_path, item) in items {
            let entries = object(item, &item_path)?;
            if entries.len() > 1 {
                return invalid(format!(
                    "Each orderBy element must have at most one key{}",
                    at(path)
                ));
            }
            for (name, value) in entries {
                out.push(self.order_item(model_id, name, value, &item_path, depth, true)?);
            }
        }
        Ok(out)
    }

    fn direction(value: &Json, path: &str) -> PResult<bool> {
        match value.as_str() {
            Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            _ => invalid(format!(
                "Invalid option: expected one of \"asc\"|\"desc\"{}",
                at(path)
            )),
        }
    }

    fn order_item(
        &self,
        model_id: ModelId,
        name: &str,
        value: &Json,
        path: &str,
        depth: usize,
        top: bool,
    ) -> PResult<OrderItem> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "orderBy nests deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let model = self.model(model_id);
        let Some((id, field)) = model.field(name) else {
            return invalid(format!("Unrecognized key: \"{name}\"{}", at(path)));
        };
        let here = join(path, name);
        match &field.kind {
            FieldKind::Scalar(_) => match value {
                Json::String(_) => Ok(OrderItem::Field {
                    field: id,
                    desc: Self::direction(value, &here)?,
                    nulls: None,
                }),
                // `{sort, nulls}` is for the model's own fields; through a relation only a
                // direction is accepted (as in ZenStack).
                Json::Object(map) if top => {
                    only_keys(map, &["sort", "nulls"], &here)?;
                    let desc = Self::direction(
                        required(map, "sort", &join(&here, "sort"))?,
                        &join(&here, "sort"),
                    )?;
                    let nulls = match map.get("nulls").and_then(Json::as_str) {
                        None if map.get("nulls").is_none() => None,
                        Some("first") => Some(Nulls::First),
                        Some("last") => Some(Nulls::Last),
                        _ => {
                            return invalid(format!(
                                "Invalid option: expected one of \"first\"|\"last\"{}",
                                at(&join(&here, "nulls"))
                            ));
                        }
                    };
                    Ok(OrderItem::Field {
                        field: id,
                        desc,
                        nulls,
                    })
                }
                other => invalid(format!(
                    "Invalid input: expected \"asc\" or \"desc\", received {}{}",
                    kind(other),
                    at(&here)
                )),
            },
            FieldKind::Relation(relation) if relation.many => {
                let map = object(value, &here)?;
                only_keys(map, &["_count"], &here)?;
                let desc = Self::direction(
                    required(map, "_count", &join(&here, "_count"))?,
                    &join(&here, "_count"),
                )?;
                Ok(OrderItem::Count { relation: id, desc })
            }
            FieldKind::Relation(relation) => {
                let map = object(value, &here)?;
                let mut inner = Vec::new();
                for (k, v) in map {
                    inner.push(self.order_item(relation.target, k, v, &here, depth + 1, false)?);
                }
                if inner.len() != 1 {
                    return invalid(format!(
                        "ordering by a relation needs exactly one field{}",
                        at(&here)
                    ));
                }
                Ok(OrderItem::Relation {
                    relation: id,
                    inner: Box::new(inner.remove(0)),
                })
            }
        }
    }

    // ---- filters ------------------------------------------------------------------------

    fn optional_filter(
        &self,
        model: ModelId,
        json: Option<&Json>,
        path: &str,
        depth: usize,
    ) -> PResult<Option<Filter>> {
        match json {
            None | Some(Json::Null) => Ok(None),
            Some(json) => self.filter(model, json, path, depth).map(Some),
        }
    }

    pub fn filter(
        &self,
        model_id: ModelId,
        json: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<Filter> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "the filter nests deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let model = self.model(model_id);
        let map = object(json, path)?;
        let mut parts = Vec::new();
        for (key, value) in map {
            let here = join(path, key);
            match key.as_str() {
                "AND" | "NOT" => {
                    let list = match value {
                        Json::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| {
                                self.filter(model_id, v, &format!("{here}.{i}"), depth + 1)
                            })
                            .collect::<PResult<Vec<_>>>()?,
                        other => vec![self.filter(model_id, other, &here, depth + 1)?],
                    };
                    parts.push(if key == "AND" {
                        Filter::And(list)
                    } else {
                        Filter::Not(list)
                    });
                }
                "OR" => {
                    let Json::Array(items) = value else {
                        return invalid(format!(
                            "Invalid input: expected array, received {}{}",
                            kind(value),
                            at(&here)
                        ));
                    };
                    let list = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.filter(model_id, v, &format!("{here}.{i}"), depth + 1))
                        .collect::<PResult<Vec<_>>>()?;
                    parts.push(Filter::Or(list));
                }
                name => {
                    if let Some(filter) = self.compound_unique(model, name, value, &here)? {
                        parts.push(filter);
                        continue;
                    }
                    let Some((id, field)) = model.field(name) else {
                        return invalid(format!("Unrecognized key: \"{name}\"{}", at(path)));
                    };
                    parts.push(match &field.kind {
                        FieldKind::Scalar(ScalarType::Json) => {
                            self.json_filter(id, value, &here)?
                        }
                        FieldKind::Scalar(ty) => Filter::Field {
                            field: id,
                            ty: *ty,
                            filter: self.field_filter(*ty, value, &here, depth)?,
                        },
                        FieldKind::Relation(relation) => {
                            self.relation_filter(id, relation, value, &here, depth)?
                        }
                    });
                }
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    /// A Json field's filter: `{path?, equals, not, string_contains, string_starts_with,
    /// string_ends_with, array_contains, array_starts_with, array_ends_with, mode?}`.
    fn json_filter(&self, field: FieldId, json: &Json, path: &str) -> PResult<Filter> {
        let map = object(json, path)?;
        only_keys(
            map,
            &[
                "path",
                "equals",
                "not",
                "string_contains",
                "string_starts_with",
                "string_ends_with",
                "array_contains",
                "array_starts_with",
                "array_ends_with",
                "mode",
            ],
            path,
        )?;
        if !map.keys().any(|k| k != "path" && k != "mode") {
            return invalid(format!("Invalid JSON filter payload{}", at(path)));
        }
        let json_path = match map.get("path") {
            None | Some(Json::Null) => None,
            Some(Json::String(p)) => Some(p.clone()),
            Some(other) => {
                return invalid(format!(
                    "Invalid input: expected string, received {}{}",
                    kind(other),
                    at(&join(path, "path"))
                ));
            }
        };
        let insensitive = match map.get("mode").and_then(Json::as_str) {
            None | Some("default") => false,
            Some("insensitive") => true,
            Some(_) => {
                return invalid(format!(
                    "Invalid option: expected one of \"default\"|\"insensitive\"{}",
                    at(&join(path, "mode"))
                ));
            }
        };
        let mut conds = Vec::new();
        for (key, value) in map {
            let string = |this: &Self| -> PResult<String> {
                let _ = this;
                value.as_str().map(escape_like).ok_or_else(|| {
                    Invalid(format!(
                        "Invalid input: expected string, received {}{}",
                        kind(value),
                        at(&join(path, key))
                    ))
                })
            };
            conds.push(match key.as_str() {
                "path" | "mode" => continue,
                "equals" => JsonCond::Equals(value.clone()),
                "not" => JsonCond::Not(value.clone()),
                "string_contains" => JsonCond::StringLike(format!("\"%{}%\"", string(self)?)),
                "string_starts_with" => JsonCond::StringLike(format!("\"{}%\"", string(self)?)),
                "string_ends_with" => JsonCond::StringLike(format!("\"%{}\"", string(self)?)),
                "array_contains" => JsonCond::ArrayContains(value.clone()),
                "array_starts_with" => JsonCond::ArrayStartsWith(value.clone()),
                _ => JsonCond::ArrayEndsWith(value.clone()),
            });
        }
        Ok(Filter::Json {
            field,
            path: json_path,
            insensitive,
            conds,
        })
    }

    /// `{title_author_id: {title, author_id}}`: Prisma's name for a compound unique.
    fn compound_unique(
        &self,
        model: &Model,
        name: &str,
        value: &Json,
        path: &str,
    ) -> PResult<Option<Filter>> {
        if model.field(name).is_some() {
            return Ok(None);
        }
        let compound = model.unique_sets().filter(|set| set.len() > 1).find(|set| {
            set.iter()
                .map(|id| model.fields[*id].name.as_str())
                .collect::<Vec<_>>()
                .join("_")
                == name
        });
        let Some(set) = compound else {
            return Ok(None);
        };
        let map = object(value, path)?;
        let names: Vec<&str> = set
            .iter()
            .map(|id| model.fields[*id].name.as_str())
            .collect();
        only_keys(map, &names, path)?;
        let mut parts = Vec::new();
        for id in set {
            let field = &model.fields[*id];
            let ty = field.scalar().unwrap_or(ScalarType::String);
            let v = required(map, &field.name, &join(path, &field.name))?;
            let v = self.value(v, ty, &join(path, &field.name))?;
            parts.push(Filter::Field {
                field: *id,
                ty,
                filter: FieldFilter {
                    insensitive: false,
                    conds: vec![Cond::Eq(v)],
                },
            });
        }
        Ok(Some(Filter::And(parts)))
    }

    fn value(&self, json: &Json, ty: ScalarType, path: &str) -> PResult<Value> {
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
            Value::Null => invalid(format!(
                "Invalid input: expected {}, received null{}",
                ty.name().to_lowercase(),
                at(path)
            )),
            v => Ok(v),
        }
    }

    fn field_filter(
        &self,
        ty: ScalarType,
        json: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<FieldFilter> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "the filter nests deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let Json::Object(map) = json else {
            // A bare value means `equals`; null means IS NULL.
            return Ok(FieldFilter {
                insensitive: false,
                conds: vec![Cond::Eq(self.value(json, ty, path)?)],
            });
        };
        if ty == ScalarType::Json {
            only_keys(map, &["equals", "not"], path)?;
        }
        let mut allowed: Vec<&str> = vec!["equals", "not"];
        if ty != ScalarType::Boolean && ty != ScalarType::Json {
            allowed.extend(["in", "notIn", "lt", "lte", "gt", "gte", "between"]);
        }
        if ty == ScalarType::String {
            allowed.extend(["contains", "startsWith", "endsWith"]);
            if self.insensitive_mode {
                allowed.push("mode");
            }
        }
        only_keys(map, &allowed, path)?;
        let insensitive = match map.get("mode") {
            None => false,
            Some(Json::String(m)) if m == "insensitive" => true,
            Some(Json::String(m)) if m == "default" => false,
            Some(_) => {
                return invalid(format!(
                    "Invalid option: expected one of \"default\"|\"insensitive\"{}",
                    at(&join(path, "mode"))
                ));
            }
        };
        let mut conds = Vec::new();
        for (op, v) in map {
            let here = join(path, op);
            let list = |this: &Self| -> PResult<Vec<Value>> {
                let Json::Array(items) = v else {
                    return invalid(format!(
                        "Invalid input: expected array, received {}{}",
                        kind(v),
                        at(&here)
                    ));
                };
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| this.non_null_value(item, ty, &format!("{here}.{i}")))
                    .collect()
            };
            match op.as_str() {
                "mode" => {}
                "equals" => conds.push(Cond::Eq(self.value(v, ty, &here)?)),
                "in" => conds.push(Cond::In(list(self)?)),
                "notIn" => conds.push(Cond::NotIn(list(self)?)),
                "lt" | "lte" | "gt" | "gte" => {
                    let cmp = match op.as_str() {
                        "lt" => CmpOp::Lt,
                        "lte" => CmpOp::Lte,
                        "gt" => CmpOp::Gt,
                        _ => CmpOp::Gte,
                    };
                    conds.push(Cond::Cmp(cmp, self.non_null_value(v, ty, &here)?));
                }
                "between" => {
                    let values = list(self)?;
                    let [a, b] = <[Value; 2]>::try_from(values).map_err(|_| {
                        Invalid(format!(
                            "Invalid input: expected an array of 2 values{}",
                            at(&here)
                        ))
                    })?;
                    conds.push(Cond::Between(a, b));
                }
                "contains" | "startsWith" | "endsWith" => {
                    let Json::String(text) = v else {
                        return invalid(format!(
                            "Invalid input: expected string, received {}{}",
                            kind(v),
                            at(&here)
                        ));
                    };
                    let escaped = escape_like(text);
                    conds.push(Cond::Like(match op.as_str() {
                        "contains" => format!("%{escaped}%"),
                        "startsWith" => format!("{escaped}%"),
                        _ => format!("%{escaped}"),
                    }));
                }
                // A bare value under `not` compares exactly; `mode` does not reach it
                // (as in ZenStack).
                "not" => conds.push(Cond::Not(self.field_filter(ty, v, &here, depth + 1)?)),
                _ => return invalid(format!("Unrecognized key: \"{op}\"{}", at(path))),
            }
        }
        Ok(FieldFilter { insensitive, conds })
    }

    fn relation_filter(
        &self,
        id: FieldId,
        relation: &Relation,
        json: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<Filter> {
        if relation.many {
            let map = object(json, path)?;
            only_keys(map, &["some", "every", "none"], path)?;
            let mut parts = Vec::new();
            for (key, value) in map {
                let quantifier = match key.as_str() {
                    "some" => Quantifier::Some,
                    "every" => Quantifier::Every,
                    _ => Quantifier::None,
                };
                let inner = self
                    .optional_filter(relation.target, Some(value), &join(path, key), depth + 1)?
                    .unwrap_or(Filter::Const(true));
                parts.push(Filter::Many {
                    relation: id,
                    quantifier,
                    filter: Box::new(inner),
                });
            }
            return Ok(if parts.len() == 1 {
                parts.remove(0)
            } else {
                Filter::And(parts)
            });
        }
        if json.is_null() {
            return Ok(Filter::One {
                relation: id,
                negated: false,
                filter: None,
            });
        }
        let map = object(json, path)?;
        let is_wrapped = !map.is_empty() && map.keys().all(|k| k == "is" || k == "isNot");
        if !is_wrapped {
            let inner = self.filter(relation.target, json, path, depth + 1)?;
            return Ok(Filter::One {
                relation: id,
                negated: false,
                filter: Some(Box::new(inner)),
            });
        }
        let mut parts = Vec::new();
        for (key, value) in map {
            let negated = key == "isNot";
            let filter = match value {
                Json::Null => None,
                other => Some(Box::new(self.filter(
                    relation.target,
                    other,
                    &join(path, key),
                    depth + 1,
                )?)),
            };
            parts.push(match (negated, filter) {
                // isNot: null means "has a related row".
                (true, None) => Filter::Not(vec![Filter::One {
                    relation: id,
                    negated: false,
                    filter: None,
                }]),
                (negated, filter) => Filter::One {
                    relation: id,
                    negated,
                    filter,
                },
            });
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    /// A `where` that must single out at most one row: it has to set the id or a unique
    /// field (set) by equality.
    pub fn unique_where(
        &self,
        model_id: ModelId,
        json: Option<&Json>,
        path: &str,
        depth: usize,
    ) -> PResult<Filter> {
        let Some(json) = json.filter(|j| !j.is_null()) else {
            return invalid(format!(
                "Invalid input: expected object, received undefined{}",
                at(path)
            ));
        };
        let filter = self.filter(model_id, json, path, depth)?;
        let mut equal = Vec::new();
        collect_equalities(&filter, &mut equal);
        let model = self.model(model_id);
        if !model
            .unique_sets()
            .any(|set| set.iter().all(|id| equal.contains(id)))
        {
            return invalid(format!(
                "At least one unique field or field set must be set{}",
                at(path)
            ));
        }
        Ok(filter)
    }

    // ---- aggregates ---------------------------------------------------------------------

    fn count_fields(
        &self,
        model_id: ModelId,
        json: &Json,
        path: &str,
    ) -> PResult<Vec<Option<FieldId>>> {
        let model = self.model(model_id);
        let map = object(json, path)?;
        let mut out = Vec::new();
        for (key, value) in map {
            if !truthy(value) {
                continue;
            }
            if key == "_all" {
                out.push(None);
                continue;
            }
            match model.field(key) {
                Some((id, f)) if f.scalar().is_some() => out.push(Some(id)),
                _ => return invalid(format!("Unrecognized key: \"{key}\"{}", at(path))),
            }
        }
        Ok(out)
    }

    fn aggregate_spec(&self, model_id: ModelId, map: &Map<String, Json>) -> PResult<AggregateSpec> {
        let model = self.model(model_id);
        let mut spec = AggregateSpec {
            items: Vec::new(),
            count_as_number: false,
        };
        for (key, function) in [
            ("_count", AggregateFn::Count),
            ("_sum", AggregateFn::Sum),
            ("_avg", AggregateFn::Avg),
            ("_min", AggregateFn::Min),
            ("_max", AggregateFn::Max),
        ] {
            let Some(value) = map.get(key) else { continue };
            if function == AggregateFn::Count && value == &Json::Bool(true) {
                spec.count_as_number = true;
                spec.items.push(Aggregate {
                    function,
                    field: None,
                });
                continue;
            }
            let fields = object(value, key)?;
            for (name, v) in fields {
                if !truthy(v) {
                    continue;
                }
                if function == AggregateFn::Count && name == "_all" {
                    spec.items.push(Aggregate {
                        function,
                        field: None,
                    });
                    continue;
                }
                let field = model
                    .field(name)
                    .and_then(|(id, f)| f.scalar().map(|t| (id, t)));
                let Some((id, ty)) = field else {
                    return invalid(format!("Unrecognized key: \"{name}\"{}", at(key)));
                };
                let numeric_only = matches!(function, AggregateFn::Sum | AggregateFn::Avg);
                if numeric_only && !ty.is_numeric() {
                    return invalid(format!(
                        "Unrecognized key: \"{name}\"{} ({key} needs a numeric field)",
                        at(key)
                    ));
                }
                spec.items.push(Aggregate {
                    function,
                    field: Some(id),
                });
            }
        }
        Ok(spec)
    }

    fn group_by(&self, model_id: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(
            map,
            &[
                "by", "where", "having", "orderBy", "take", "skip", "_count", "_sum", "_avg",
                "_min", "_max",
            ],
            "",
        )?;
        let model = self.model(model_id);
        let by_json = required(map, "by", "by")?;
        let names: Vec<&Json> = match by_json {
            Json::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut by = Vec::new();
        for name in names {
            match name
                .as_str()
                .and_then(|n| model.field(n))
                .filter(|(_, f)| f.scalar().is_some())
            {
                Some((id, _)) => by.push(id),
                None => return invalid(format!("Invalid option value for by: {name}")),
            }
        }
        if by.is_empty() {
            return invalid("\"by\" needs at least one field");
        }
        let spec = self.aggregate_spec(model_id, map)?;
        let filter = self.optional_filter(model_id, map.get("where"), "where", 0)?;
        let having = match map.get("having") {
            None | Some(Json::Null) => None,
            Some(h) => Some(self.having(model_id, &by, h, "having", 0)?),
        };
        let mut order_by = Vec::new();
        if let Some(order) = map.get("orderBy") {
            let items: Vec<&Json> = match order {
                Json::Array(list) => list.iter().collect(),
                other => vec![other],
            };
            for item in items {
                for (key, value) in object(item, "orderBy")? {
                    order_by.push(self.group_order(model_id, &by, key, value)?);
                }
            }
        }
        let skip = match map.get("skip") {
            None => 0,
            Some(s) => s.as_u64().ok_or_else(|| {
                Invalid(format!(
                    "Invalid input: expected a non-negative integer{}",
                    at("skip")
                ))
            })?,
        };
        let take = match map.get("take") {
            None => None,
            Some(t) => Some(t.as_i64().ok_or_else(|| {
                Invalid(format!("Invalid input: expected an integer{}", at("take")))
            })?),
        };
        for item in &order_by {
            if let GroupOrder::Field { field, .. } = item
                && !by.contains(field)
            {
                return invalid(format!(
                    "field \"{}\" used in \"orderBy\" must appear in \"by\"",
                    model.fields[*field].name
                ));
            }
        }
        Ok(Operation::GroupBy {
            model: model_id,
            by,
            filter,
            having,
            order_by,
            skip,
            take,
            spec,
        })
    }

    fn group_order(
        &self,
        model_id: ModelId,
        by: &[FieldId],
        key: &str,
        value: &Json,
    ) -> PResult<GroupOrder> {
        let model = self.model(model_id);
        let function = match key {
            "_count" => Some(AggregateFn::Count),
            "_sum" => Some(AggregateFn::Sum),
            "_avg" => Some(AggregateFn::Avg),
            "_min" => Some(AggregateFn::Min),
            "_max" => Some(AggregateFn::Max),
            _ => None,
        };
        if let Some(function) = function {
            let map = object(value, &join("orderBy", key))?;
            let (name, dir) = map
                .iter()
                .next()
                .ok_or_else(|| Invalid(format!("{key} in orderBy needs a field")))?;
            let field = if name == "_all" {
                None
            } else {
                Some(
                    model
                        .field(name)
                        .filter(|(_, f)| f.scalar().is_some())
                        .map(|(id, _)| id)
                        .ok_or_else(|| {
                            Invalid(format!(
                                "Unrecognized key: \"{name}\"{}",
                                at(&join("orderBy", key))
                            ))
                        })?,
                )
            };
            return Ok(GroupOrder::Aggregate {
                aggregate: Aggregate { function, field },
                desc: Self::direction(dir, &join(&join("orderBy", key), name))?,
            });
        }
        let _ = by;
        match self.order_item(model_id, key, value, "orderBy", 0, true)? {
            OrderItem::Field { field, desc, nulls } => Ok(GroupOrder::Field { field, desc, nulls }),
            _ => invalid("groupBy can only order by fields and aggregates"),
        }
    }

    fn having(
        &self,
        model_id: ModelId,
        by: &[FieldId],
        json: &Json,
        path: &str,
        depth: usize,
    ) -> PResult<Having> {
        if depth > MAX_DEPTH {
            return invalid(format!("\"having\" nests deeper than {MAX_DEPTH} levels"));
        }
        let model = self.model(model_id);
        let map = object(json, path)?;
        let mut parts = Vec::new();
        for (key, value) in map {
            let here = join(path, key);
            match key.as_str() {
                "AND" | "OR" | "NOT" => {
                    let list = match value {
                        Json::Array(items) => items
                            .iter()
                            .map(|v| self.having(model_id, by, v, &here, depth + 1))
                            .collect::<PResult<Vec<_>>>()?,
                        other => vec![self.having(model_id, by, other, &here, depth + 1)?],
                    };
                    parts.push(match key.as_str() {
                        "AND" => Having::And(list),
                        "OR" => Having::Or(list),
                        _ => Having::Not(list),
                    });
                }
                name => {
                    let field = model
                        .field(name)
                        .and_then(|(id, f)| f.scalar().map(|t| (id, t)));
                    let Some((id, ty)) = field else {
                        return invalid(format!("Unrecognized key: \"{name}\"{}", at(path)));
                    };
                    // `{field: {_count: {gte: 1}}}` filters on an aggregate; otherwise on the field.
                    let aggregate_key = value
                        .as_object()
                        .and_then(|m| m.keys().find(|k| k.starts_with('_')).cloned());
                    match aggregate_key {
                        Some(agg) => {
                            let map = object(value, &here)?;
                            for (agg, filter_json) in map {
                                let function = match agg.as_str() {
                                    "_count" => AggregateFn::Count,
                                    "_sum" => AggregateFn::Sum,
                                    "_avg" => AggregateFn::Avg,
                                    "_min" => AggregateFn::Min,
                                    "_max" => AggregateFn::Max,
                                    other => {
                                        return invalid(format!(
                                            "Unrecognized key: \"{other}\"{}",
                                            at(&here)
                                        ));
                                    }
                                };
                                let result_ty = match function {
                                    AggregateFn::Count => ScalarType::Int,
                                    AggregateFn::Avg => ScalarType::Float,
                                    _ => ty,
                                };
                                let filter = self.field_filter(
                                    result_ty,
                                    filter_json,
                                    &join(&here, agg),
                                    depth + 1,
                                )?;
                                parts.push(Having::Aggregate {
                                    aggregate: Aggregate {
                                        function,
                                        field: Some(id),
                                    },
                                    ty: result_ty,
                                    filter,
                                });
                            }
                            let _ = agg;
                        }
                        None => {
                            if !by.contains(&id) {
                                return invalid(format!(
                                    "field \"{name}\" used in \"having\" must appear in \"by\""
                                ));
                            }
                            parts.push(Having::Field {
                                field: id,
                                ty,
                                filter: self.field_filter(ty, value, &here, depth + 1)?,
                            });
                        }
                    }
                }
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Having::And(parts)
        })
    }

    // ---- writes -------------------------------------------------------------------------

    /// Data for a new row, with nested writes. `via` is the relation field (on the parent)
    /// the row is created through; its foreign key is filled by the engine, so it is not
    /// required here.
    pub fn create_data(
        &self,
        model_id: ModelId,
        json: &Json,
        path: &str,
        depth: usize,
        via: Option<&Relation>,
    ) -> PResult<CreateData> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "nested writes go deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let model = self.model(model_id);
        let map = object(json, path)?;
        let mut data = CreateData {
            model: model_id,
            scalars: Vec::new(),
            relations: Vec::new(),
        };
        for (key, value) in map {
            let here = join(path, key);
            let Some((id, field)) = model.field(key) else {
                return invalid(format!("Unrecognized key: \"{key}\"{}", at(path)));
            };
            match &field.kind {
                FieldKind::Scalar(ty) => {
                    let v = self.value(value, *ty, &here)?;
                    if v.is_null() && !field.optional {
                        return invalid(format!(
                            "Invalid input: expected {}, received null{}",
                            ty.name().to_lowercase(),
                            at(&here)
                        ));
                    }
                    data.scalars.push((id, v));
                }
                FieldKind::Relation(relation) => {
                    let writes =
                        self.relation_writes(relation, field.optional, value, &here, depth, false)?;
                    data.relations.push((id, writes));
                }
            }
        }
        // Fields filled through the parent relation or an owning relation write.
        let mut covered: Vec<FieldId> = data.scalars.iter().map(|(id, _)| *id).collect();
        if let Some(via) = via.filter(|v| v.owner) {
            covered.extend(&via.local);
        }
        for (id, _) in &data.relations {
            if let Some(r) = model.fields[*id].relation()
                && r.owner
            {
                covered.extend(&r.local);
            }
        }
        for (id, field) in model.scalar_fields() {
            if !field.optional
                && field.default.is_none()
                && !field.updated_at
                && !covered.contains(&id)
            {
                let relation = model.fields.iter().find(|f| {
                    f.relation()
                        .is_some_and(|r| r.owner && r.local.contains(&id))
                });
                return invalid(match relation {
                    Some(r) => format!(
                        "Invalid input: expected {}, received undefined{} or Invalid input: expected object, received undefined{}",
                        field.scalar().map_or("value", |t| t.name()).to_lowercase(),
                        at(&join(path, &field.name)),
                        at(&join(path, &r.name))
                    ),
                    None => format!(
                        "Invalid input: expected {}, received undefined{}",
                        field.scalar().map_or("value", |t| t.name()).to_lowercase(),
                        at(&join(path, &field.name))
                    ),
                });
            }
        }
        // Nested writes run in the model's field order, as ZenStack's validation leaves them.
        data.relations.sort_by_key(|(id, _)| *id);
        Ok(data)
    }

    /// createMany rows: scalars only.
    fn flat_create_data(&self, model_id: ModelId, json: &Json, path: &str) -> PResult<CreateData> {
        let data = self.create_data(model_id, json, path, 0, None)?;
        if let Some((id, _)) = data.relations.first() {
            return invalid(format!(
                "Unrecognized key: \"{}\"{} (createMany takes scalar fields only)",
                self.model(model_id).fields[*id].name,
                at(path)
            ));
        }
        Ok(data)
    }

    fn flat_update_data(&self, model_id: ModelId, json: &Json, path: &str) -> PResult<UpdateData> {
        let data = self.update_data(model_id, json, path, 0, None)?;
        if let Some((id, _)) = data.relations.first() {
            return invalid(format!(
                "Unrecognized key: \"{}\"{} (updateMany takes scalar fields only)",
                self.model(model_id).fields[*id].name,
                at(path)
            ));
        }
        Ok(data)
    }

    pub fn update_data(
        &self,
        model_id: ModelId,
        json: &Json,
        path: &str,
        depth: usize,
        _via: Option<&Relation>,
    ) -> PResult<UpdateData> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "nested writes go deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let model = self.model(model_id);
        let map = object(json, path)?;
        let mut data = UpdateData {
            model: model_id,
            scalars: Vec::new(),
            relations: Vec::new(),
        };
        for (key, value) in map {
            let here = join(path, key);
            let Some((id, field)) = model.field(key) else {
                return invalid(format!("Unrecognized key: \"{key}\"{}", at(path)));
            };
            match &field.kind {
                FieldKind::Scalar(ty) => {
                    let op = match value {
                        Json::Object(ops) if *ty != ScalarType::Json => {
                            let mut allowed = vec!["set"];
                            if ty.is_numeric() {
                                allowed.extend(["increment", "decrement", "multiply", "divide"]);
                            }
                            only_keys(ops, &allowed, &here)?;
                            if ops.len() != 1 {
                                return invalid(format!(
                                    "Invalid input: exactly one update operator is expected{}",
                                    at(&here)
                                ));
                            }
                            let (name, v) = ops
                                .iter()
                                .next()
                                .ok_or_else(|| Invalid("unreachable".into()))?;
                            let op_path = join(&here, name);
                            if name == "set" {
                                UpdateOp::Set(self.value(v, *ty, &op_path)?)
                            } else {
                                if !v.is_number() {
                                    return invalid(format!(
                                        "Invalid input: expected number, received {}{}",
                                        kind(v),
                                        at(&op_path)
                                    ));
                                }
                                let v = self.non_null_value(v, *ty, &op_path)?;
                                match name.as_str() {
                                    "increment" => UpdateOp::Increment(v),
                                    "decrement" => UpdateOp::Decrement(v),
                                    "multiply" => UpdateOp::Multiply(v),
                                    _ => UpdateOp::Divide(v),
                                }
                            }
                        }
                        other => UpdateOp::Set(self.value(other, *ty, &here)?),
                    };
                    if matches!(&op, UpdateOp::Set(Value::Null)) && !field.optional {
                        return invalid(format!(
                            "Invalid input: expected {}, received null{}",
                            ty.name().to_lowercase(),
                            at(&here)
                        ));
                    }
                    data.scalars.push((id, op));
                }
                FieldKind::Relation(relation) => {
                    let writes =
                        self.relation_writes(relation, field.optional, value, &here, depth, true)?;
                    data.relations.push((id, writes));
                }
            }
        }
        // Nested writes run in the model's field order, as ZenStack's validation leaves them.
        data.relations.sort_by_key(|(id, _)| *id);
        Ok(data)
    }

    /// Nested writes through one relation field, in a create (`update == false`) or an update.
    fn relation_writes(
        &self,
        relation: &Relation,
        optional: bool,
        json: &Json,
        path: &str,
        depth: usize,
        update: bool,
    ) -> PResult<Vec<RelationWrite>> {
        let map = object(json, path)?;
        let target = relation.target;
        let many = relation.many;
        // ZenStack's order, whatever the request's key order: connect, create,
        // connectOrCreate, createMany, disconnect, delete, update, upsert, set, updateMany,
        // deleteMany. A required to-one relation cannot be disconnected or deleted.
        let mut allowed = vec!["connect", "create", "connectOrCreate"];
        if many {
            allowed.push("createMany");
        }
        if update {
            if many || optional {
                allowed.extend(["disconnect", "delete"]);
            }
            allowed.extend(["update", "upsert"]);
            if many {
                allowed.extend(["set", "updateMany", "deleteMany"]);
            }
        }
        only_keys(map, &allowed, path)?;
        let map: Map<String, Json> = allowed
            .iter()
            .filter_map(|k| map.get(*k).map(|v| ((*k).to_owned(), v.clone())))
            .collect();
        let map = &map;
        let each = |v: &'_ Json| -> Vec<(usize, Json)> {
            match v {
                Json::Array(items) if many => items.iter().cloned().enumerate().collect(),
                other => vec![(usize::MAX, other.clone())],
            }
        };
        let item_path = |key: &str, i: usize| {
            if i == usize::MAX {
                join(path, key)
            } else {
                format!("{}.{i}", join(path, key))
            }
        };
        let back = self
            .model(target)
            .fields
            .get(relation.opposite)
            .and_then(|f| f.relation());
        let mut out = Vec::new();
        for (key, value) in map {
            match key.as_str() {
                "create" => {
                    for (i, v) in each(value) {
                        out.push(RelationWrite::Create(self.create_data(
                            target,
                            &v,
                            &item_path(key, i),
                            depth + 1,
                            back,
                        )?));
                    }
                }
                "createMany" => {
                    let here = join(path, key);
                    let m = object(value, &here)?;
                    only_keys(m, &["data", "skipDuplicates"], &here)?;
                    let rows = match required(m, "data", &join(&here, "data"))? {
                        Json::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    };
                    let data = rows
                        .iter()
                        .enumerate()
                        .map(|(i, row)| {
                            let d = self.create_data(
                                target,
                                row,
                                &format!("{here}.data.{i}"),
                                depth + 1,
                                back,
                            )?;
                            if !d.relations.is_empty() {
                                return invalid(format!(
                                    "createMany takes scalar fields only{}",
                                    at(&format!("{here}.data.{i}"))
                                ));
                            }
                            Ok(d)
                        })
                        .collect::<PResult<Vec<_>>>()?;
                    let skip_duplicates = self
                        .boolean(m.get("skipDuplicates"), &join(&here, "skipDuplicates"))?
                        .unwrap_or(false);
                    out.push(RelationWrite::CreateMany {
                        data,
                        skip_duplicates,
                    });
                }
                "connect" => {
                    for (i, v) in each(value) {
                        out.push(RelationWrite::Connect(self.unique_where(
                            target,
                            Some(&v),
                            &item_path(key, i),
                            depth + 1,
                        )?));
                    }
                }
                "connectOrCreate" => {
                    for (i, v) in each(value) {
                        let here = item_path(key, i);
                        let m = object(&v, &here)?;
                        only_keys(m, &["where", "create"], &here)?;
                        let unique = self.unique_where(
                            target,
                            m.get("where"),
                            &join(&here, "where"),
                            depth + 1,
                        )?;
                        let create = self.create_data(
                            target,
                            required(m, "create", &join(&here, "create"))?,
                            &join(&here, "create"),
                            depth + 1,
                            back,
                        )?;
                        out.push(RelationWrite::ConnectOrCreate { unique, create });
                    }
                }
                "set" => {
                    let items = match value {
                        Json::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    };
                    let filters = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            self.unique_where(
                                target,
                                Some(v),
                                &format!("{}.{i}", join(path, key)),
                                depth + 1,
                            )
                        })
                        .collect::<PResult<Vec<_>>>()?;
                    out.push(RelationWrite::Set(filters));
                }
                "disconnect" | "delete" => {
                    let targets: Vec<Option<Filter>> = if many {
                        each(value)
                            .into_iter()
                            .map(|(i, v)| {
                                self.unique_where(target, Some(&v), &item_path(key, i), depth + 1)
                                    .map(Some)
                            })
                            .collect::<PResult<Vec<_>>>()?
                    } else {
                        match value {
                            Json::Bool(true) => vec![None],
                            Json::Bool(false) => vec![],
                            other => vec![Some(self.filter(
                                target,
                                other,
                                &join(path, key),
                                depth + 1,
                            )?)],
                        }
                    };
                    for t in targets {
                        out.push(if key == "disconnect" {
                            RelationWrite::Disconnect(t)
                        } else {
                            RelationWrite::Delete(t)
                        });
                    }
                }
                "update" => {
                    for (i, v) in each(value) {
                        let here = item_path(key, i);
                        let m = object(&v, &here)?;
                        let wrapped =
                            m.contains_key("data") && m.keys().all(|k| k == "data" || k == "where");
                        if many && !wrapped {
                            return invalid(format!(
                                "Invalid input: expected {{where, data}}{}",
                                at(&here)
                            ));
                        }
                        let (filter, data_json) = if wrapped {
                            let filter = if many {
                                Some(self.unique_where(
                                    target,
                                    m.get("where"),
                                    &join(&here, "where"),
                                    depth + 1,
                                )?)
                            } else {
                                self.optional_filter(
                                    target,
                                    m.get("where"),
                                    &join(&here, "where"),
                                    depth + 1,
                                )?
                            };
                            (filter, required(m, "data", &join(&here, "data"))?.clone())
                        } else {
                            (None, v.clone())
                        };
                        let data_path = if wrapped {
                            join(&here, "data")
                        } else {
                            here.clone()
                        };
                        let data =
                            self.update_data(target, &data_json, &data_path, depth + 1, back)?;
                        out.push(RelationWrite::Update { filter, data });
                    }
                }
                "updateMany" => {
                    for (i, v) in each(value) {
                        let here = item_path(key, i);
                        let m = object(&v, &here)?;
                        only_keys(m, &["where", "data"], &here)?;
                        let filter = self.optional_filter(
                            target,
                            m.get("where"),
                            &join(&here, "where"),
                            depth + 1,
                        )?;
                        let data = self.update_data(
                            target,
                            required(m, "data", &join(&here, "data"))?,
                            &join(&here, "data"),
                            depth + 1,
                            back,
                        )?;
                        out.push(RelationWrite::UpdateMany { filter, data });
                    }
                }
                "upsert" => {
                    for (i, v) in each(value) {
                        let here = item_path(key, i);
                        let m = object(&v, &here)?;
                        only_keys(m, &["where", "create", "update"], &here)?;
                        let unique = if many {
                            Some(self.unique_where(
                                target,
                                m.get("where"),
                                &join(&here, "where"),
                                depth + 1,
                            )?)
                        } else {
                            self.optional_filter(
                                target,
                                m.get("where"),
                                &join(&here, "where"),
                                depth + 1,
                            )?
                        };
                        let create = self.create_data(
                            target,
                            required(m, "create", &join(&here, "create"))?,
                            &join(&here, "create"),
                            depth + 1,
                            back,
                        )?;
                        let update = self.update_data(
                            target,
                            required(m, "update", &join(&here, "update"))?,
                            &join(&here, "update"),
                            depth + 1,
                            back,
                        )?;
                        out.push(RelationWrite::Upsert {
                            unique,
                            create,
                            update,
                        });
                    }
                }
                "deleteMany" => {
                    for (i, v) in each(value) {
                        out.push(RelationWrite::DeleteMany(self.optional_filter(
                            target,
                            Some(&v),
                            &item_path(key, i),
                            depth + 1,
                        )?));
                    }
                }
                _ => return invalid(format!("Unrecognized key: \"{key}\"{}", at(path))),
            }
        }
        Ok(out)
    }
}

/// Fields the filter pins by top-level (ANDed) equality to a non-null value.
fn collect_equalities(filter: &Filter, out: &mut Vec<FieldId>) {
    match filter {
        Filter::And(parts) => parts.iter().for_each(|p| collect_equalities(p, out)),
        Filter::Field { field, filter, .. }
            if filter
                .conds
                .iter()
                .any(|c| matches!(c, Cond::Eq(v) if !v.is_null())) =>
        {
            out.push(*field);
        }
        _ => {}
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

/// `%`, `_` and `\` taken literally inside a LIKE pattern (escape character `\`).
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
