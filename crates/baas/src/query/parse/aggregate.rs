//! count, aggregate and groupBy: which fields to count or aggregate, `by`, `having` and the
//! ordering of groups.

use serde_json::{Map, Value as Json};

use super::{
    Invalid, MAX_DEPTH, PResult, Parser, at, invalid, join, object, only, only_keys, required,
    truthy, without,
};
use crate::query::ast::*;
use crate::schema::{FieldId, ModelId, ScalarType, Searchable};

impl Parser<'_> {
    pub(super) fn count(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(map, &["where", "select", "orderBy", "take", "skip"], "")?;
        let shape = match map.get("select") {
            // `select: true` counts the rows, as no select does (ZenStack accepts it).
            None | Some(Json::Bool(true)) => CountShape::Number,
            Some(select) => CountShape::Fields(self.count_fields(model, select, "select")?),
        };
        let mut read = self.read_args(model, &without(map, "select"), "", 0)?;
        read.selection = Selection::default();
        Ok(Operation::Count { args: read, shape })
    }

    pub(super) fn aggregate(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(
            map,
            &[
                "where", "orderBy", "take", "skip", "_count", "_sum", "_avg", "_min", "_max",
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
        Ok(Operation::Aggregate { args: read, spec })
    }

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
        for function in AggregateFn::ALL {
            let key = function.key();
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
                // Json (scalar lists too) and Bytes have no order to take a minimum in.
                let unordered = matches!(ty, ScalarType::Json | ScalarType::Bytes);
                if matches!(function, AggregateFn::Min | AggregateFn::Max) && unordered {
                    return invalid(format!(
                        "Unrecognized key: \"{name}\"{} ({key} needs a field whose values are ordered, not {})",
                        at(key),
                        ty.name()
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

    pub(super) fn group_by(
        &self,
        model_id: ModelId,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
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
                    "fields in \"orderBy\" must be in \"by\" (\"{}\" is not)",
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
        if let Some(function) = AggregateFn::from_key(key) {
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
                        Some(_) => {
                            parts.extend(self.having_aggregates(id, ty, value, &here, depth)?);
                        }
                        None => {
                            if !by.contains(&id) {
                                return invalid(format!(
                                    "fields in \"having\" must be in \"by\" (\"{name}\" is not)"
                                ));
                            }
                            parts.push(Having::Field {
                                field: id,
                                ty,
                                filter: self.field_filter(
                                    ty,
                                    model.fields[id].searchable,
                                    value,
                                    &here,
                                    depth + 1,
                                )?,
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

    /// `{_count: {gte: 1}, _avg: {…}}` on one field: a condition on each aggregate of it.
    fn having_aggregates(
        &self,
        id: FieldId,
        ty: ScalarType,
        value: &Json,
        here: &str,
        depth: usize,
    ) -> PResult<Vec<Having>> {
        let map = object(value, here)?;
        let mut parts = Vec::new();
        for (agg, filter_json) in map {
            let Some(function) = AggregateFn::from_key(agg) else {
                return invalid(format!("Unrecognized key: \"{agg}\"{}", at(here)));
            };
            let result_ty = match function {
                AggregateFn::Count => ScalarType::Int,
                AggregateFn::Avg => ScalarType::Float,
                _ => ty,
            };
            let filter = self.field_filter(
                result_ty,
                Searchable::NONE,
                filter_json,
                &join(here, agg),
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
        Ok(parts)
    }
}
