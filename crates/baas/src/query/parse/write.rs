//! Writes: create / createMany / update / updateMany / upsert / delete / deleteMany, the data
//! of a row to create or update, and the nested writes through its relations.

use serde_json::{Map, Value as Json};

use super::{
    Invalid, MAX_DEPTH, OpName, PResult, Parser, at, invalid, join, object, only_keys, required,
};
use crate::query::ast::*;
use crate::schema::{Field, FieldId, FieldKind, ModelId, Relation, ScalarType};
use crate::value::{Value, json_kind};

impl<'s> Parser<'s> {
    pub(super) fn create(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(map, &["data", "select", "include", "omit"], "")?;
        let data = self.create_data(model, required(map, "data", "data")?, "data", 0, None)?;
        Ok(Operation::Create {
            data,
            selection: self.selection(model, map, "", 0)?,
        })
    }

    pub(super) fn create_many(
        &self,
        model: ModelId,
        op: OpName,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
        let allowed: &[&str] = if op == OpName::CreateMany {
            &["data", "skipDuplicates"]
        } else {
            &["data", "skipDuplicates", "select", "omit"]
        };
        only_keys(map, allowed, "")?;
        // ZenStack's createManyAndReturn takes no arguments at all (and creates nothing).
        let rows: Vec<&Json> = match map.get("data") {
            None if op == OpName::CreateManyAndReturn && map.is_empty() => Vec::new(),
            None => {
                return invalid(format!(
                    "Invalid input: expected object, received undefined{}",
                    at("data")
                ));
            }
            Some(Json::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
        };
        let data = rows
            .iter()
            .enumerate()
            .map(|(i, row)| self.flat_create_data(model, row, &format!("data.{i}")))
            .collect::<PResult<Vec<_>>>()?;
        let skip_duplicates = self
            .boolean(map.get("skipDuplicates"), "skipDuplicates")?
            .unwrap_or(false);
        let returning = if op == OpName::CreateManyAndReturn {
            Some(self.selection(model, map, "", 0)?)
        } else {
            None
        };
        Ok(Operation::CreateMany {
            data,
            skip_duplicates,
            returning,
        })
    }

    pub(super) fn update(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(map, &["where", "data", "select", "include", "omit"], "")?;
        let unique = self.unique_where(model, map.get("where"), "where", 0)?;
        let data = self.update_data(model, required(map, "data", "data")?, "data", 0, None)?;
        Ok(Operation::Update {
            unique,
            data,
            selection: self.selection(model, map, "", 0)?,
        })
    }

    pub(super) fn update_many(
        &self,
        model: ModelId,
        op: OpName,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
        let allowed: &[&str] = if op == OpName::UpdateMany {
            &["where", "data", "limit"]
        } else {
            &["where", "data", "limit", "select", "omit"]
        };
        only_keys(map, allowed, "")?;
        let filter = self.optional_filter(model, map.get("where"), "where", 0)?;
        let data = self.flat_update_data(model, required(map, "data", "data")?, "data")?;
        let limit = self.limit(map.get("limit"))?;
        let returning = if op == OpName::UpdateManyAndReturn {
            Some(self.selection(model, map, "", 0)?)
        } else {
            None
        };
        Ok(Operation::UpdateMany {
            filter,
            data,
            limit,
            returning,
        })
    }

    pub(super) fn upsert(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
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
        Ok(Operation::Upsert {
            unique,
            create,
            update,
            selection: self.selection(model, map, "", 0)?,
        })
    }

    pub(super) fn delete(&self, model: ModelId, map: &Map<String, Json>) -> PResult<Operation> {
        only_keys(map, &["where", "select", "include", "omit"], "")?;
        let unique = self.unique_where(model, map.get("where"), "where", 0)?;
        Ok(Operation::Delete {
            unique,
            selection: self.selection(model, map, "", 0)?,
        })
    }

    pub(super) fn delete_many(
        &self,
        model: ModelId,
        map: &Map<String, Json>,
    ) -> PResult<Operation> {
        only_keys(map, &["where", "limit"], "")?;
        let filter = self.optional_filter(model, map.get("where"), "where", 0)?;
        Ok(Operation::DeleteMany {
            filter,
            limit: self.limit(map.get("limit"))?,
        })
    }

    /// The prologue create and update data share: the nesting bound, an object, and each of
    /// its keys looked up as a field of the model (an unknown key is refused where it stands),
    /// handed to `visit` with its value and path, in the request's order.
    fn each_data_field<'j>(
        &self,
        model_id: ModelId,
        json: &'j Json,
        path: &str,
        depth: usize,
        mut visit: impl FnMut(FieldId, &'s Field, &'j Json, String) -> PResult<()>,
    ) -> PResult<()> {
        if depth > MAX_DEPTH {
            return invalid(format!(
                "nested writes go deeper than {MAX_DEPTH} levels{}",
                at(path)
            ));
        }
        let model = self.model(model_id);
        let map = object(json, path)?;
        for (key, value) in map {
            let here = join(path, key);
            // A delegate's discriminator is Tandem's to fill: not part of any write's data.
            let Some((id, field)) = model
                .field(key)
                .filter(|(id, _)| !self.schema.is_discriminator(model_id, *id))
            else {
                return invalid(format!("Unrecognized key: \"{key}\"{}", at(path)));
            };
            visit(id, field, value, here)?;
        }
        Ok(())
    }

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
        let model = self.model(model_id);
        if let Some(hidden) = model.blocks_create() {
            return invalid(format!(
                "model \"{}\" cannot be created: its field \"{}\" is `Unsupported(\"{}\")`, required and without a default{}",
                model.name,
                hidden.name,
                hidden.raw_type,
                at(path)
            ));
        }
        let mut data = CreateData {
            model: model_id,
            scalars: Vec::new(),
            relations: Vec::new(),
        };
        self.each_data_field(model_id, json, path, depth, |id, field, value, here| {
            match &field.kind {
                FieldKind::Scalar(_) if let Some(element) = field.list_of => {
                    // A list, or `{set: list}`.
                    let (list, list_path) = match value {
                        Json::Object(ops) => {
                            only_keys(ops, &["set"], &here)?;
                            (required(ops, "set", &here)?, join(&here, "set"))
                        }
                        other => (other, here.clone()),
                    };
                    data.scalars
                        .push((id, self.list(element, list, &list_path)?));
                }
                FieldKind::Scalar(ty) => {
                    let v = self.value(value, *ty, &here)?;
                    if v.is_null() && !field.optional {
                        return invalid(self.missing(*ty, "null", &here));
                    }
                    let v = self.checked(field, v, &here)?;
                    data.scalars.push((id, v));
                }
                // `null` for an optional to-one in a create: no related row (ZenStack takes it
                // so on the side without the key).
                FieldKind::Relation(relation)
                    if value.is_null() && field.optional && !relation.many => {}
                FieldKind::Relation(relation) => {
                    let writes =
                        self.relation_writes(relation, field.optional, value, &here, depth, false)?;
                    data.relations.push((id, writes));
                }
            }
            Ok(())
        })?;
        let scalars: Vec<FieldId> = data.scalars.iter().map(|(id, _)| *id).collect();
        self.refuse_key_and_relation(model_id, &scalars, &data.relations, path)?;
        self.check_required_given(&data, path, via)?;
        self.check_rules(model_id, path, &|f| {
            data.scalars.iter().find(|(id, _)| *id == f).map(|(_, v)| v)
        })?;
        // Nested writes run in the model's field order, as ZenStack's validation leaves them.
        data.relations.sort_by_key(|(id, _)| *id);
        Ok(data)
    }

    /// A write gives a relation either by its foreign-key fields or as the relation, not both
    /// (Prisma's checked and unchecked inputs; ZenStack refuses the mix).
    fn refuse_key_and_relation<T>(
        &self,
        model_id: ModelId,
        scalars: &[FieldId],
        relations: &[(FieldId, T)],
        path: &str,
    ) -> PResult<()> {
        let model = self.model(model_id);
        for (id, _) in relations {
            if let Some(r) = model.fields[*id].relation()
                && r.owner
                && let Some(key) = r.local.iter().find(|f| scalars.contains(f))
            {
                return invalid(format!(
                    "Invalid input: give either \"{}\" or \"{}\", not both{}",
                    model.fields[*key].name,
                    model.fields[*id].name,
                    at(path)
                ));
            }
        }
        Ok(())
    }

    /// Every required field without a default is in the create's data, or filled through the
    /// parent relation or an owning relation write.
    fn check_required_given(
        &self,
        data: &CreateData,
        path: &str,
        via: Option<&Relation>,
    ) -> PResult<()> {
        let model = self.model(data.model);
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
                && !self.schema.is_discriminator(data.model, id)
                && field.list_of.is_none()
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
        Ok(())
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
        let mut data = UpdateData {
            model: model_id,
            scalars: Vec::new(),
            relations: Vec::new(),
        };
        self.each_data_field(model_id, json, path, depth, |id, field, value, here| {
            match &field.kind {
                FieldKind::Scalar(_) if let Some(element) = field.list_of => {
                    data.scalars
                        .push((id, self.list_update(element, value, &here)?));
                }
                FieldKind::Scalar(ty) => {
                    let op = match self.update_op(*ty, value, &here)? {
                        UpdateOp::Set(v) => UpdateOp::Set(self.checked(field, v, &here)?),
                        other => other,
                    };
                    if matches!(&op, UpdateOp::Set(Value::Null)) && !field.optional {
                        return invalid(self.missing(*ty, "null", &here));
                    }
                    data.scalars.push((id, op));
                }
                FieldKind::Relation(relation) => {
                    let writes =
                        self.relation_writes(relation, field.optional, value, &here, depth, true)?;
                    data.relations.push((id, writes));
                }
            }
            Ok(())
        })?;
        let scalars: Vec<FieldId> = data.scalars.iter().map(|(id, _)| *id).collect();
        self.refuse_key_and_relation(model_id, &scalars, &data.relations, path)?;
        // A field changed by an operator (`increment`) counts as left out.
        self.check_rules(model_id, path, &|f| {
            data.scalars.iter().find_map(|(id, op)| match op {
                UpdateOp::Set(v) if *id == f => Some(v),
                _ => None,
            })
        })?;
        // Nested writes run in the model's field order, as ZenStack's validation leaves them.
        data.relations.sort_by_key(|(id, _)| *id);
        Ok(data)
    }

    /// The model's `@@validate` rules on a write's input (`input`: a field's new value, or
    /// `None` when the input leaves it out); the first that fails is refused, with its message
    /// (zod's "Invalid input" otherwise) at its path.
    fn check_rules<'v>(
        &self,
        model_id: ModelId,
        path: &str,
        input: &impl Fn(FieldId) -> Option<&'v Value>,
    ) -> PResult<()> {
        match self
            .model(model_id)
            .validations
            .iter()
            .find(|rule| !crate::query::validate::holds(rule, input))
        {
            Some(rule) => invalid(format!(
                "{}{}",
                rule.message.as_deref().unwrap_or("Invalid input"),
                at(&rule
                    .path
                    .iter()
                    .fold(path.to_owned(), |p, part| join(&p, part)))
            )),
            None => Ok(()),
        }
    }

    /// A scalar list's value: a list of the element type (no nulls), as JSON.
    fn list(&self, element: ScalarType, json: &Json, here: &str) -> PResult<Value> {
        let Json::Array(items) = json else {
            return invalid(format!(
                "Invalid input: expected array, received {}{}",
                json_kind(json),
                at(here)
            ));
        };
        for (i, item) in items.iter().enumerate() {
            self.non_null_value(item, element, &format!("{here}[{i}]"))?;
        }
        Ok(Value::Json(json.clone()))
    }

    /// A scalar list's update: a list (or `{set: list}`) replaces it; `{push: item | list}`
    /// appends.
    fn list_update(&self, element: ScalarType, json: &Json, here: &str) -> PResult<UpdateOp> {
        let Json::Object(ops) = json else {
            return Ok(UpdateOp::Set(self.list(element, json, here)?));
        };
        only_keys(ops, &["set", "push"], here)?;
        if ops.len() != 1 {
            return invalid(format!(
                "Invalid input: exactly one update operator is expected{}",
                at(here)
            ));
        }
        Ok(match (ops.get("set"), ops.get("push")) {
            (Some(list), _) => UpdateOp::Set(self.list(element, list, &join(here, "set"))?),
            (_, Some(Json::Array(items))) => UpdateOp::Push(self.list(
                element,
                &Json::Array(items.clone()),
                &join(here, "push"),
            )?),
            (_, Some(item)) => UpdateOp::Push(self.list(
                element,
                &Json::Array(vec![item.clone()]),
                &join(here, "push"),
            )?),
            _ => return invalid(format!("Invalid input{}", at(here))),
        })
    }

    /// One scalar field's update: a bare value sets it; `{set}`, or for numbers
    /// `{increment | decrement | multiply | divide}`, exactly one operator.
    fn update_op(&self, ty: ScalarType, value: &Json, here: &str) -> PResult<UpdateOp> {
        let ops = match value {
            // ZenStack takes an enum's new value bare only (no `{set}`).
            Json::Object(ops) if ty != ScalarType::Json && !matches!(ty, ScalarType::Enum(_)) => {
                ops
            }
            other => return Ok(UpdateOp::Set(self.value(other, ty, here)?)),
        };
        let mut allowed = vec!["set"];
        if ty.is_numeric() {
            allowed.extend(["increment", "decrement", "multiply", "divide"]);
        }
        only_keys(ops, &allowed, here)?;
        if ops.len() != 1 {
            return invalid(format!(
                "Invalid input: exactly one update operator is expected{}",
                at(here)
            ));
        }
        let (name, v) = ops
            .iter()
            .next()
            .ok_or_else(|| Invalid("unreachable".into()))?;
        let op_path = join(here, name);
        if name == "set" {
            return Ok(UpdateOp::Set(self.value(v, ty, &op_path)?));
        }
        if !v.is_number() {
            return invalid(format!(
                "Invalid input: expected number, received {}{}",
                json_kind(v),
                at(&op_path)
            ));
        }
        let v = self.non_null_value(v, ty, &op_path)?;
        Ok(match name.as_str() {
            "increment" => UpdateOp::Increment(v),
            "decrement" => UpdateOp::Decrement(v),
            "multiply" => UpdateOp::Multiply(v),
            _ => UpdateOp::Divide(v),
        })
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
        let mut allowed = nested_write_keys(relation.many, optional, update);
        if self.model(relation.target).delegate.is_some() {
            // Rows of a delegate are created only as one of its sub-models.
            allowed
                .retain(|k| !matches!(*k, "create" | "createMany" | "connectOrCreate" | "upsert"));
        }
        only_keys(map, &allowed, path)?;
        let nested = Nested {
            target: relation.target,
            many: relation.many,
            back: self
                .model(relation.target)
                .fields
                .get(relation.opposite)
                .and_then(|f| f.relation()),
            path,
            depth: depth + 1,
        };
        let mut out = Vec::new();
        // In ZenStack's order (the allowed keys'), whatever the request's key order.
        for key in allowed {
            let Some(value) = map.get(key) else {
                continue;
            };
            match key {
                "create" => out.extend(self.nested_creates(&nested, key, value)?),
                "createMany" => out.push(self.nested_create_many(&nested, key, value)?),
                "connect" => out.extend(self.nested_connects(&nested, key, value)?),
                "connectOrCreate" => {
                    out.extend(self.nested_connect_or_creates(&nested, key, value)?)
                }
                "set" => out.push(self.nested_set(&nested, key, value)?),
                "disconnect" | "delete" => {
                    out.extend(self.nested_disconnects_or_deletes(&nested, key, value)?);
                }
                "update" => out.extend(self.nested_updates(&nested, key, value)?),
                "updateMany" => out.extend(self.nested_update_manys(&nested, key, value)?),
                "upsert" => out.extend(self.nested_upserts(&nested, key, value)?),
                "deleteMany" => out.extend(self.nested_delete_manys(&nested, key, value)?),
                _ => return invalid(format!("Unrecognized key: \"{key}\"{}", at(path))),
            }
        }
        Ok(out)
    }

    fn nested_creates(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        n.each(value)
            .into_iter()
            .map(|(i, v)| {
                Ok(RelationWrite::Create(self.create_data(
                    n.target,
                    &v,
                    &n.item_path(key, i),
                    n.depth,
                    n.back,
                )?))
            })
            .collect()
    }

    fn nested_create_many(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<RelationWrite> {
        let here = join(n.path, key);
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
                let d =
                    self.create_data(n.target, row, &format!("{here}.data.{i}"), n.depth, n.back)?;
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
        Ok(RelationWrite::CreateMany {
            data,
            skip_duplicates,
        })
    }

    fn nested_connects(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        n.each(value)
            .into_iter()
            .map(|(i, v)| {
                Ok(RelationWrite::Connect(self.unique_where(
                    n.target,
                    Some(&v),
                    &n.item_path(key, i),
                    n.depth,
                )?))
            })
            .collect()
    }

    fn nested_connect_or_creates(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        let mut out = Vec::new();
        for (i, v) in n.each(value) {
            let here = n.item_path(key, i);
            let m = object(&v, &here)?;
            only_keys(m, &["where", "create"], &here)?;
            let unique =
                self.unique_where(n.target, m.get("where"), &join(&here, "where"), n.depth)?;
            let create = self.nested_create_data(n, m, &here, "create")?;
            out.push(RelationWrite::ConnectOrCreate { unique, create });
        }
        Ok(out)
    }

    fn nested_set(&self, n: &Nested<'_>, key: &str, value: &Json) -> PResult<RelationWrite> {
        let items = match value {
            Json::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let filters = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                self.unique_where(
                    n.target,
                    Some(v),
                    &format!("{}.{i}", join(n.path, key)),
                    n.depth,
                )
            })
            .collect::<PResult<Vec<_>>>()?;
        Ok(RelationWrite::Set(filters))
    }

    /// `disconnect` / `delete`: unique rows of a to-many relation; `true`, `false` or a filter
    /// on a to-one.
    fn nested_disconnects_or_deletes(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        let targets: Vec<Option<Filter>> = if n.many {
            n.each(value)
                .into_iter()
                .map(|(i, v)| {
                    self.unique_where(n.target, Some(&v), &n.item_path(key, i), n.depth)
                        .map(Some)
                })
                .collect::<PResult<Vec<_>>>()?
        } else {
            match value {
                Json::Bool(true) => vec![None],
                Json::Bool(false) => vec![],
                other => vec![Some(self.filter(
                    n.target,
                    other,
                    &join(n.path, key),
                    n.depth,
                )?)],
            }
        };
        Ok(targets
            .into_iter()
            .map(|t| {
                if key == "disconnect" {
                    RelationWrite::Disconnect(t)
                } else {
                    RelationWrite::Delete(t)
                }
            })
            .collect())
    }

    /// The row to create that a nested write carries under `key` (required).
    fn nested_create_data(
        &self,
        n: &Nested<'_>,
        m: &Map<String, Json>,
        here: &str,
        key: &str,
    ) -> PResult<CreateData> {
        let path = join(here, key);
        self.create_data(n.target, required(m, key, &path)?, &path, n.depth, n.back)
    }

    /// The update that a nested write carries under `key` (required).
    fn nested_update_data(
        &self,
        n: &Nested<'_>,
        m: &Map<String, Json>,
        here: &str,
        key: &str,
    ) -> PResult<UpdateData> {
        let path = join(here, key);
        self.update_data(n.target, required(m, key, &path)?, &path, n.depth, n.back)
    }

    /// The `where` of a nested update or upsert: unique on a to-many relation, any filter (or
    /// none) on a to-one.
    fn nested_where(
        &self,
        n: &Nested<'_>,
        m: &Map<String, Json>,
        here: &str,
    ) -> PResult<Option<Filter>> {
        if n.many {
            Ok(Some(self.unique_where(
                n.target,
                m.get("where"),
                &join(here, "where"),
                n.depth,
            )?))
        } else {
            self.optional_filter(n.target, m.get("where"), &join(here, "where"), n.depth)
        }
    }

    /// `update`: `{where, data}` (always on a to-many relation), or the data alone on a to-one.
    fn nested_updates(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        let mut out = Vec::new();
        for (i, v) in n.each(value) {
            let here = n.item_path(key, i);
            let m = object(&v, &here)?;
            let wrapped = m.contains_key("data") && m.keys().all(|k| k == "data" || k == "where");
            if n.many && !wrapped {
                return invalid(format!(
                    "Invalid input: expected {{where, data}}{}",
                    at(&here)
                ));
            }
            let (filter, data_json) = if wrapped {
                let filter = self.nested_where(n, m, &here)?;
                (filter, required(m, "data", &join(&here, "data"))?.clone())
            } else {
                (None, v.clone())
            };
            let data_path = if wrapped {
                join(&here, "data")
            } else {
                here.clone()
            };
            let data = self.update_data(n.target, &data_json, &data_path, n.depth, n.back)?;
            out.push(RelationWrite::Update { filter, data });
        }
        Ok(out)
    }

    fn nested_update_manys(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        let mut out = Vec::new();
        for (i, v) in n.each(value) {
            let here = n.item_path(key, i);
            let m = object(&v, &here)?;
            only_keys(m, &["where", "data"], &here)?;
            let filter =
                self.optional_filter(n.target, m.get("where"), &join(&here, "where"), n.depth)?;
            let data = self.nested_update_data(n, m, &here, "data")?;
            out.push(RelationWrite::UpdateMany { filter, data });
        }
        Ok(out)
    }

    fn nested_upserts(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        let mut out = Vec::new();
        for (i, v) in n.each(value) {
            let here = n.item_path(key, i);
            let m = object(&v, &here)?;
            only_keys(m, &["where", "create", "update"], &here)?;
            let unique = self.nested_where(n, m, &here)?;
            let create = self.nested_create_data(n, m, &here, "create")?;
            let update = self.nested_update_data(n, m, &here, "update")?;
            out.push(RelationWrite::Upsert {
                unique,
                create,
                update,
            });
        }
        Ok(out)
    }

    fn nested_delete_manys(
        &self,
        n: &Nested<'_>,
        key: &str,
        value: &Json,
    ) -> PResult<Vec<RelationWrite>> {
        n.each(value)
            .into_iter()
            .map(|(i, v)| {
                Ok(RelationWrite::DeleteMany(self.optional_filter(
                    n.target,
                    Some(&v),
                    &n.item_path(key, i),
                    n.depth,
                )?))
            })
            .collect()
    }
}

/// The nested writes a relation field takes, in ZenStack's order: connect, create,
/// connectOrCreate, createMany, disconnect, delete, update, upsert, set, updateMany,
/// deleteMany. A required to-one relation cannot be disconnected or deleted.
fn nested_write_keys(many: bool, optional: bool, update: bool) -> Vec<&'static str> {
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
    allowed
}

/// Where one relation field's nested writes point, shared by each kind of nested write.
struct Nested<'a> {
    target: ModelId,
    many: bool,
    /// The relation back from the target to the parent (its key is filled by the engine).
    back: Option<&'a Relation>,
    /// The relation field's path in the request.
    path: &'a str,
    /// The depth of the rows the nested writes reach.
    depth: usize,
}

impl Nested<'_> {
    /// The items of a nested write: each element of an array on a to-many relation, else the
    /// value itself (without an index).
    fn each(&self, value: &Json) -> Vec<(usize, Json)> {
        match value {
            Json::Array(items) if self.many => items.iter().cloned().enumerate().collect(),
            other => vec![(usize::MAX, other.clone())],
        }
    }

    /// The path of item `i` under `key` (no index for a lone value).
    fn item_path(&self, key: &str, i: usize) -> String {
        if i == usize::MAX {
            join(self.path, key)
        } else {
            format!("{}.{i}", join(self.path, key))
        }
    }
}
