//! `where`: filters on scalar, Json and relation fields with AND / OR / NOT, compound
//! uniques, and the unique lookups (`where` of findUnique, update, delete, connect) that must
//! single out at most one row.

use serde_json::Value as Json;
use tandem_sql::escape_like;

use super::search::Kind;
use super::{Invalid, MAX_DEPTH, PResult, Parser, at, invalid, join, object, only_keys, required};
use crate::query::ast::*;
use crate::schema::{FieldId, FieldKind, Model, ModelId, Relation, ScalarType, Searchable};
use crate::value::{NullMarker, Value, json_kind};

impl Parser<'_> {
    pub(super) fn optional_filter(
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
                    // An empty branch (`{}`, or one whose fields were all `undefined`) is
                    // dropped, as ZenStack drops it: `NOT: [{}]` and `NOT: []` change nothing.
                    let list = match value {
                        Json::Array(items) => items
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| !is_empty_object(v))
                            .map(|(i, v)| {
                                self.filter(model_id, v, &format!("{here}.{i}"), depth + 1)
                            })
                            .collect::<PResult<Vec<_>>>()?,
                        other if is_empty_object(other) => Vec::new(),
                        other => vec![self.filter(model_id, other, &here, depth + 1)?],
                    };
                    parts.push(if key == "AND" || list.is_empty() {
                        Filter::And(list)
                    } else {
                        Filter::Not(list)
                    });
                }
                "OR" => {
                    let Json::Array(items) = value else {
                        return invalid(format!(
                            "Invalid input: expected array, received {}{}",
                            json_kind(value),
                            at(&here)
                        ));
                    };
                    // `OR: [{}]` matches nothing, like `OR: []` (ZenStack drops empty branches).
                    let list = items
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| !is_empty_object(v))
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
                        FieldKind::Scalar(_) if let Some(element) = field.list_of => {
                            self.list_filter(id, element, value, &here)?
                        }
                        FieldKind::Scalar(ScalarType::Json)
                            if let Some(typed) = field.typed
                                && self.is_typed_filter(typed, value) =>
                        {
                            Filter::Typed {
                                field: id,
                                filter: self.typed_filter(
                                    typed.id,
                                    typed.list,
                                    value,
                                    &here,
                                    Vec::new(),
                                    depth,
                                )?,
                            }
                        }
                        FieldKind::Scalar(ScalarType::Json) => {
                            self.json_filter(id, value, &here)?
                        }
                        FieldKind::Scalar(ty) => Filter::Field {
                            field: id,
                            ty: *ty,
                            filter: self.field_filter(
                                *ty,
                                field.searchable,
                                value,
                                &here,
                                depth,
                            )?,
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

    /// A scalar list's filter (PostgreSQL), as ZenStack's: `{equals: list, has: item,
    /// hasEvery: list, hasSome: list, isEmpty: bool}`, all of them holding; compiled over the
    /// list as JSON.
    fn list_filter(
        &self,
        field: FieldId,
        element: ScalarType,
        json: &Json,
        path: &str,
    ) -> PResult<Filter> {
        use crate::query::ast::JsonCond as J;
        let map = object(json, path)?;
        only_keys(
            map,
            &["equals", "has", "hasEvery", "hasSome", "isEmpty"],
            path,
        )?;
        let on = |conds: Vec<J>| Filter::Json {
            field,
            path: None,
            insensitive: false,
            conds,
        };
        let list = |key: &str, v: &Json| -> PResult<Vec<Json>> {
            let here = join(path, key);
            let Json::Array(items) = v else {
                return invalid(format!(
                    "Invalid input: expected array, received {}{}",
                    json_kind(v),
                    at(&here)
                ));
            };
            for (i, item) in items.iter().enumerate() {
                self.non_null_value(item, element, &format!("{here}[{i}]"))?;
            }
            Ok(items.clone())
        };
        let mut parts = Vec::new();
        for (key, v) in map {
            parts.push(match key.as_str() {
                "equals" => on(vec![J::Equals(Json::Array(list(key, v)?))]),
                "has" => {
                    self.non_null_value(v, element, &join(path, key))?;
                    on(vec![J::ArrayContains(Json::Array(vec![v.clone()]))])
                }
                "hasEvery" => on(vec![J::ArrayContains(Json::Array(list(key, v)?))]),
                "hasSome" => {
                    let items = list(key, v)?;
                    if items.is_empty() {
                        Filter::Const(false)
                    } else {
                        Filter::Or(
                            items
                                .into_iter()
                                .map(|item| on(vec![J::ArrayContains(Json::Array(vec![item]))]))
                                .collect(),
                        )
                    }
                }
                _ => match self.boolean(Some(v), &join(path, key))? {
                    Some(true) => on(vec![J::Equals(Json::Array(Vec::new()))]),
                    Some(false) => on(vec![J::Not(Json::Array(Vec::new()))]),
                    None => continue,
                },
            });
        }
        Ok(Filter::And(parts))
    }

    /// Whether a typed JSON field's filter names the type's fields (ZenStack's typed filter),
    /// rather than being a plain Json filter (`equals`, `path`, …). Mixed, it is refused
    /// as either.
    fn is_typed_filter(&self, typed: crate::schema::TypedJson, json: &Json) -> bool {
        let Json::Object(map) = json else {
            return false;
        };
        let shape = &self.schema.types[typed.id];
        // A list field takes the Json filters only, as in ZenStack.
        !typed.list
            && map
                .keys()
                .any(|k| k == "is" || k == "isNot" || shape.fields.iter().any(|f| &f.name == k))
    }

    /// A filter on a value of `type_id` (a list of them when `list`) by its fields, at
    /// `prefix` below the filtered value.
    fn typed_filter(
        &self,
        type_id: usize,
        list: bool,
        json: &Json,
        path: &str,
        prefix: Vec<String>,
        depth: usize,
    ) -> PResult<TypedFilter> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "the filter nests deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        if json.is_null() {
            return Ok(TypedFilter::Null {
                path: prefix,
                negated: false,
                json_null: true,
            });
        }
        let map = object(json, path)?;
        let mut parts = Vec::new();
        if list {
            only_keys(map, &["some", "every", "none"], path)?;
            for (key, v) in map {
                let quantifier = match key.as_str() {
                    "some" => Quantifier::Some,
                    "every" => Quantifier::Every,
                    _ => Quantifier::None,
                };
                let inner =
                    self.typed_filter(type_id, false, v, &join(path, key), Vec::new(), depth + 1)?;
                parts.push(TypedFilter::List {
                    path: prefix.clone(),
                    quantifier,
                    inner: Box::new(inner),
                });
            }
            return Ok(TypedFilter::All(parts));
        }
        let shape = &self.schema.types[type_id];
        for (key, v) in map {
            let here = join(path, key);
            if key == "is" || key == "isNot" {
                let inner =
                    self.typed_filter(type_id, false, v, &here, prefix.clone(), depth + 1)?;
                parts.push(if key == "is" {
                    inner
                } else {
                    TypedFilter::Not(Box::new(inner))
                });
                continue;
            }
            let Some(field) = shape.fields.iter().find(|f| &f.name == key) else {
                return invalid(format!("Unrecognized key: \"{key}\"{}", at(path)));
            };
            let mut at_path = prefix.clone();
            at_path.push(key.clone());
            parts.push(match field.shape {
                crate::schema::JsonShape::Type(inner) => {
                    self.typed_filter(inner, field.list, v, &here, at_path, depth + 1)?
                }
                crate::schema::JsonShape::Scalar(_) if field.list => {
                    return invalid(format!(
                        "filtering by the list `{key}` of a typed JSON value is not supported yet{}",
                        at(path)
                    ));
                }
                crate::schema::JsonShape::Scalar(ScalarType::Json) => {
                    return invalid(format!(
                        "filtering by the Json field `{key}` of a typed JSON value is not supported yet{}",
                        at(path)
                    ));
                }
                crate::schema::JsonShape::Scalar(_) if v.is_null() => TypedFilter::Null {
                    path: at_path,
                    negated: false,
                    json_null: false,
                },
                crate::schema::JsonShape::Scalar(ty) => TypedFilter::Scalar {
                    path: at_path,
                    ty,
                    filter: self.field_filter(ty, Searchable::NONE, v, &here, depth + 1)?,
                },
            });
        }
        Ok(TypedFilter::All(parts))
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
                    json_kind(other),
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
            if NullMarker::of(value).is_none() && crate::value::holds_marker(value) {
                return invalid(format!(
                    "Invalid input: JsonNull, DbNull and AnyNull stand for a whole value, not a part of one{}",
                    at(&join(path, key))
                ));
            }
            let string = |this: &Self| -> PResult<String> {
                let _ = this;
                value.as_str().map(escape_like).ok_or_else(|| {
                    Invalid(format!(
                        "Invalid input: expected string, received {}{}",
                        json_kind(value),
                        at(&join(path, key))
                    ))
                })
            };
            conds.push(match key.as_str() {
                "path" | "mode" => continue,
                "equals" => match NullMarker::of(value) {
                    Some(marker) => JsonCond::IsNull(marker),
                    None => JsonCond::Equals(value.clone()),
                },
                "not" => match NullMarker::of(value) {
                    Some(marker) => JsonCond::NotNull(marker),
                    None => JsonCond::Not(value.clone()),
                },
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

    pub(super) fn field_filter(
        &self,
        ty: ScalarType,
        searchable: Searchable,
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
        if let ScalarType::Enum(_) | ScalarType::Bytes = ty {
            // ZenStack's enum and Bytes filters: equality only.
            allowed.extend(["in", "notIn"]);
        } else if ty != ScalarType::Boolean && ty != ScalarType::Json {
            allowed.extend(["in", "notIn", "lt", "lte", "gt", "gte", "between"]);
        }
        if ty == ScalarType::String {
            allowed.extend(["contains", "startsWith", "endsWith"]);
            if self.postgres {
                allowed.push("mode");
            }
            allowed.extend(self.search_keys(searchable, map, path)?);
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
                        json_kind(v),
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
                            json_kind(v),
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
                "fts" => conds.push(Cond::Search(self.search_filter(
                    Kind::FullText,
                    v,
                    &here,
                )?)),
                "fuzzy" => conds.push(Cond::Search(self.search_filter(Kind::Fuzzy, v, &here)?)),
                "not" => conds.push(Cond::Not(self.field_filter(
                    ty,
                    searchable,
                    v,
                    &here,
                    depth + 1,
                )?)),
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
        // As ZenStack: a field set is named by its compound key (`id1_id2: {id1, id2}`); its
        // fields given one by one do not single out a row.
        let named = |set: &Vec<FieldId>| {
            set.len() == 1
                || json
                    .as_object()
                    .is_some_and(|map| map.contains_key(&compound_name(model, set)))
        };
        if !model
            .unique_sets()
            .any(|set| named(set) && set.iter().all(|id| equal.contains(id)))
        {
            let sets: Vec<&Vec<FieldId>> = model.unique_sets().collect();
            return invalid(match sets.as_slice() {
                // ZenStack marks the one unique field (set) required.
                [only] => format!(
                    "Invalid input: expected {}, received undefined{}",
                    match only.as_slice() {
                        [field] => model.fields[*field]
                            .scalar()
                            .map_or("value", |t| t.name())
                            .to_lowercase(),
                        _ => "object".to_owned(),
                    },
                    at(&join(path, &compound_name(model, only)))
                ),
                _ => format!(
                    "At least one unique field or field set must be set{}",
                    at(path)
                ),
            });
        }
        Ok(filter)
    }
}

/// A unique field set's name in a `where`: `id1_id2` (one field: its name).
fn compound_name(model: &Model, set: &[FieldId]) -> String {
    set.iter()
        .map(|id| model.fields[*id].name.as_str())
        .collect::<Vec<_>>()
        .join("_")
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

fn is_empty_object(json: &Json) -> bool {
    json.as_object().is_some_and(|o| o.is_empty())
}
