//! Reads: findMany / findFirst / findUnique / exists, and what every read shares — select,
//! include and omit, `_count` of relations, orderBy, cursor, take, skip and distinct.

use serde_json::{Map, Value as Json};

use super::{
    Invalid, MAX_DEPTH, MAX_TAKE, OpName, PResult, Parser, at, invalid, join, object, only_keys,
    required, truthy,
};
use crate::query::ast::*;
use crate::schema::{FieldId, FieldKind, ModelId, Relation};
use crate::value::json_kind;

impl Parser<'_> {
    pub(super) fn find(
        &self,
        model: ModelId,
        op: OpName,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
        only_keys(
            map,
            &[
                "where", "select", "include", "omit", "orderBy", "cursor", "take", "skip",
                "distinct",
            ],
            "",
        )?;
        if op == OpName::FindFirst && map.get("take").is_some_and(|t| t.as_i64() != Some(1)) {
            return invalid(format!("Invalid input: expected 1{}", at("take")));
        }
        let mut read = self.read_args(model, map, "", 0)?;
        Ok(if op == OpName::FindFirst {
            read.take = Some(1);
            Operation::FindOne(read)
        } else {
            Operation::FindMany(read)
        })
    }

    pub(super) fn find_unique(
        &self,
        model: ModelId,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
        only_keys(map, &["where", "select", "include", "omit"], "")?;
        let unique = self.unique_where(model, map.get("where"), "where", 0)?;
        let selection = self.selection(model, map, "", 0)?;
        let mut read = ReadArgs::all(model, selection);
        read.filter = Some(unique);
        read.take = Some(1);
        Ok(Operation::FindOne(read))
    }

    pub(super) fn exists(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(map, &["where"], "")?;
        let mut read = ReadArgs::all(model, Selection::default());
        read.filter = self.optional_filter(model, map.get("where"), "where", 0)?;
        Ok(Operation::Exists(read))
    }

    pub(super) fn read_args(
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
                    json_kind(skip),
                    at(&join(path, "skip"))
                ))
            })?;
        }
        if let Some(take) = map.get("take") {
            let n = take.as_i64().ok_or_else(|| {
                Invalid(format!(
                    "Invalid input: expected an integer, received {}{}",
                    json_kind(take),
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
        let omitted = match omit.filter(|o| !o.is_null()) {
            Some(omit) => self.omitted(model_id, omit, &join(path, "omit"))?,
            None => Vec::new(),
        };
        let listing = match (
            select.filter(|s| !s.is_null()),
            include.filter(|i| !i.is_null()),
        ) {
            (Some(select), _) => Some((select, "select", true)),
            (None, Some(include)) => Some((include, "include", false)),
            (None, None) => None,
        };
        // `omit: {f: true|false}` over the schema's `@omit`.
        let all_scalars = || {
            model
                .scalar_fields()
                .filter(|(id, f)| {
                    !omitted
                        .iter()
                        .find(|(o, _)| o == id)
                        .map_or(f.omit, |(_, omit)| *omit)
                })
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        let Some((listing, key, is_select)) = listing else {
            selection.scalars = all_scalars();
            selection.descendants = self.sub_model_fields(model_id);
            return Ok(selection);
        };
        let list_path = join(path, key);
        let entries = object(listing, &list_path)?;
        if !is_select {
            selection.scalars = all_scalars();
            selection.descendants = self.sub_model_fields(model_id);
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
                    let nested = self.related_read(
                        relation,
                        model.fields[id].optional,
                        value,
                        &join(&list_path, name),
                        depth,
                    )?;
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

    /// The fields a delegate model's default selection merges in from each sub-model below
    /// it: their own scalars, except the id (the row's) and fields with their own read rules
    /// — and none of a sub-model with model rules of its own — which the base's read could
    /// not apply.
    fn sub_model_fields(&self, model_id: ModelId) -> Vec<(ModelId, Vec<FieldId>)> {
        let own_rules = |sub: ModelId| {
            let s = self.model(sub);
            s.base
                .is_some_and(|b| s.policies.len() > self.model(b).policies.len())
        };
        self.schema
            .descendants(model_id)
            .into_iter()
            .filter(|sub| !own_rules(*sub))
            .map(|sub| {
                let m = self.model(sub);
                let fields = m
                    .scalar_fields()
                    .filter(|(id, f)| {
                        f.inherited.is_none()
                            && !m.primary_key.contains(id)
                            && f.policies.is_empty()
                            && !f.omit
                    })
                    .map(|(id, _)| id)
                    .collect();
                (sub, fields)
            })
            .collect()
    }

    /// `omit`: the scalar fields left out of the default selection.
    fn omitted(
        &self,
        model_id: ModelId,
        omit: &Json,
        omit_path: &str,
    ) -> PResult<Vec<(FieldId, bool)>> {
        let model = self.model(model_id);
        let mut omitted = Vec::new();
        for (key, value) in object(omit, omit_path)? {
            match model.field(key) {
                Some((id, f)) if f.scalar().is_some() => {
                    if let Some(omit) = self.boolean(Some(value), &join(omit_path, key))? {
                        omitted.push((id, omit));
                    }
                }
                _ => return invalid(format!("Unrecognized key: \"{key}\"{}", at(omit_path))),
            }
        }
        Ok(omitted)
    }

    /// A relation in select / include: `true` for its default selection, or the read
    /// arguments it takes (paging and ordering only on a to-many relation; a `where` also on
    /// an optional to-one, which then reads null when the row does not match — ZenStack's
    /// rules).
    fn related_read(
        &self,
        relation: &Relation,
        optional: bool,
        value: &Json,
        nested_path: &str,
        depth: usize,
    ) -> PResult<ReadArgs> {
        match value {
            Json::Bool(true) => Ok(ReadArgs::all(
                relation.target,
                self.selection(relation.target, &Map::new(), nested_path, depth + 1)?,
            )),
            Json::Object(args) => {
                let allowed: &[&str] = if relation.many {
                    &[
                        "select", "include", "omit", "where", "orderBy", "cursor", "take", "skip",
                        "distinct",
                    ]
                } else if optional {
                    &["select", "include", "omit", "where"]
                } else {
                    // A required to-one relation is always there: ZenStack refuses a `where`.
                    &["select", "include", "omit"]
                };
                only_keys(args, allowed, nested_path)?;
                self.read_args(relation.target, args, nested_path, depth + 1)
            }
            other => invalid(format!(
                "Invalid input: expected boolean or object, received {}{}",
                json_kind(other),
                at(nested_path)
            )),
        }
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
                                json_kind(other),
                                at(&join(&select_path, name))
                            ));
                        }
                    }
                }
                Ok(out)
            }
            other => invalid(format!(
                "Invalid input: expected boolean or object, received {}{}",
                json_kind(other),
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

    pub(super) fn direction(value: &Json, path: &str) -> PResult<bool> {
        match value.as_str() {
            Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            _ => invalid(format!(
                "Invalid option: expected one of \"asc\"|\"desc\"{}",
                at(path)
            )),
        }
    }

    pub(super) fn order_item(
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
        if let Some(kind) = super::search::Kind::from_order_key(name).filter(|_| top) {
            return self.relevance(model_id, kind, value, path);
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
                    json_kind(other),
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
                Ok(OrderItem::Count {
                    relation: id,
                    desc,
                    visible: None,
                })
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
                    visible: None,
                })
            }
        }
    }
}
