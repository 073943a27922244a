//! Schema text, parsed, → a checked [`Schema`]: the built-in `user` and `tenant` models
//! merged with the app's additions, then each model's scalar fields, keys, uniques and
//! indexes, then the relations between models, each side resolved against its opposite.
//! Every problem is refused with its file, line and column.

use std::collections::{BTreeSet, HashMap};

use super::parser::{Arg, Attribute, Datasource, EnumBlock, Expr, FieldDecl, ModelBlock, Pos};
use super::policy::Checker;
use super::{
    Builtin, Default, Enum, EnumId, Field, FieldId, FieldKind, IdKind, Model, ModelId,
    ReferentialAction, Relation, ScalarType, Schema, SchemaError, lower_first,
};

/// Builds the schema of `file` from the built-in model blocks and the app's.
pub(super) fn build(
    file: &str,
    builtin: Vec<ModelBlock>,
    app: Vec<ModelBlock>,
    enums: Vec<EnumBlock>,
    types: &[ModelBlock],
    datasource: Option<Datasource>,
) -> Result<Schema, SchemaError> {
    let mut builder = Builder {
        file: file.to_owned(),
        enums: Vec::new(),
        enum_ids: HashMap::new(),
        types: Vec::new(),
        type_ids: HashMap::new(),
        datasource,
    };
    builder.check_datasource(&app, &enums)?;
    builder.enums(enums, &app)?;
    builder.json_types(types)?;
    builder.build(builtin, app)
}

struct Builder {
    file: String,
    enums: Vec<Enum>,
    enum_ids: HashMap<String, EnumId>,
    /// Every `type` as typed JSON, with why it cannot be one (a relation field), if so.
    types: Vec<(super::JsonType, Option<(Pos, String)>)>,
    type_ids: HashMap<String, usize>,
    /// The `datasource` block's `provider`, `schemas` and `defaultSchema`, if declared.
    datasource: Option<Datasource>,
}

/// A model block with the built-in fields merged in, before relations are resolved.
struct Draft {
    block: ModelBlock,
    builtin: Option<Builtin>,
}

impl Builder {
    /// The datasource's PostgreSQL schemas, checked as ZenStack checks them.
    fn check_datasource(
        &self,
        models: &[ModelBlock],
        enums: &[EnumBlock],
    ) -> Result<(), SchemaError> {
        let Some(ds) = &self.datasource else {
            return Ok(());
        };
        let postgres = ds.provider.as_deref().is_none_or(|p| p == "postgresql");
        if !postgres && ds.default_schema.is_some() {
            return self.err(
                ds.pos,
                "\"defaultSchema\" is only supported for \"postgresql\" provider",
            );
        }
        if !postgres && ds.schemas.is_some() {
            return self.err(
                ds.pos,
                "\"schemas\" is only supported for \"postgresql\" provider",
            );
        }
        let Some(schemas) = &ds.schemas else {
            return Ok(());
        };
        match &ds.default_schema {
            Some((default, _)) if !schemas.contains(default) => self.err(
                ds.pos,
                format!("\"{default}\" must be included in the \"schemas\" array"),
            ),
            Some(_) => Ok(()),
            None => {
                let explicit =
                    |attributes: &[Attribute]| attributes.iter().any(|a| a.name == "schema");
                let implicit_public = models.iter().any(|m| !explicit(&m.attributes))
                    || enums.iter().any(|e| !explicit(&e.attributes));
                if implicit_public && !schemas.iter().any(|s| s == "public") {
                    return self.err(
                        ds.pos,
                        "\"public\" must be included in the \"schemas\" array",
                    );
                }
                Ok(())
            }
        }
    }

    /// `@@schema("name")`: a schema the datasource lists.
    fn db_schema(&self, attribute: &Attribute) -> Result<String, SchemaError> {
        let name = self.string_arg(attribute, "map")?;
        if let Some(ds) = &self.datasource
            && !ds.schemas.as_ref().is_some_and(|s| s.contains(&name))
        {
            return self.err(
                attribute.pos,
                format!("Schema \"{name}\" is not defined in the datasource"),
            );
        }
        Ok(name)
    }

    fn err<T>(&self, pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
        Err(SchemaError {
            file: self.file.clone(),
            pos,
            message: message.into(),
        })
    }

    /// Every `type` block as a typed-JSON type: its fields are scalars, enums or types. A
    /// `type` with other fields (a relation, for a mixin) can only be a mixin.
    fn json_types(&mut self, blocks: &[ModelBlock]) -> Result<(), SchemaError> {
        for (id, block) in blocks.iter().enumerate() {
            self.type_ids.insert(block.name.clone(), id);
        }
        for block in blocks {
            let mut fields = Vec::new();
            let mut unusable = None;
            for decl in &block.fields {
                let shape = ScalarType::from_name(&decl.type_name)
                    .or_else(|| {
                        self.enum_ids
                            .get(&decl.type_name)
                            .map(|id| ScalarType::Enum(*id))
                    })
                    .map(super::JsonShape::Scalar)
                    .or_else(|| {
                        self.type_ids
                            .get(&decl.type_name)
                            .map(|id| super::JsonShape::Type(*id))
                    });
                match shape {
                    Some(shape) => fields.push(super::JsonTypeField {
                        name: decl.name.clone(),
                        shape,
                        list: decl.list,
                        optional: decl.optional,
                    }),
                    None => {
                        unusable.get_or_insert((
                            decl.type_pos,
                            format!(
                                "`{}.{}` is of type `{}`, which a JSON value cannot hold",
                                block.name, decl.name, decl.type_name
                            ),
                        ));
                    }
                }
            }
            self.types.push((
                super::JsonType {
                    name: block.name.clone(),
                    fields,
                },
                unusable,
            ));
        }
        Ok(())
    }

    /// Checks the enum blocks: unique names that no model or scalar type has, at least one
    /// value, no value twice.
    fn enums(&mut self, blocks: Vec<EnumBlock>, models: &[ModelBlock]) -> Result<(), SchemaError> {
        for block in blocks {
            if self.enum_ids.contains_key(&block.name) {
                return self.err(
                    block.pos,
                    format!("enum `{}` is declared twice", block.name),
                );
            }
            let clashes = ScalarType::from_name(&block.name).is_some()
                || ["user", "tenant"].contains(&lower_first(&block.name).as_str())
                || models.iter().any(|m| m.name == block.name);
            if clashes {
                return self.err(
                    block.pos,
                    format!(
                        "enum `{}` has the name of a model or a type; give it another name",
                        block.name
                    ),
                );
            }
            let mut map = None;
            for attribute in &block.attributes {
                match attribute.name.as_str() {
                    // The name of PostgreSQL's native type, where ZenStack creates one: Tandem
                    // stores the values as text, so it is kept only to be printed back.
                    "map" => map = Some(self.string_arg(attribute, "name")?),
                    // Checked; the values are text, so the enum has no type to place there.
                    "schema" => {
                        self.db_schema(attribute)?;
                    }
                    other => {
                        return self.err(
                            attribute.pos,
                            format!("`@@{other}` on an enum is not supported yet"),
                        );
                    }
                }
            }
            if block.values.is_empty() {
                return self.err(
                    block.pos,
                    format!("enum `{}` needs at least one value", block.name),
                );
            }
            let mut values: Vec<String> = Vec::with_capacity(block.values.len());
            let mut stored: Vec<String> = Vec::with_capacity(block.values.len());
            for (value, pos, attributes) in block.values {
                if values.contains(&value) {
                    return self.err(
                        pos,
                        format!("value `{value}` appears twice in enum `{}`", block.name),
                    );
                }
                let mut text = value.clone();
                for attribute in &attributes {
                    if attribute.name != "map" {
                        return self.err(
                            attribute.pos,
                            format!(
                                "`@{}` on an enum value is not supported: use `@map(\"…\")` to store `{value}` under another text",
                                attribute.name
                            ),
                        );
                    }
                    text = self.string_arg(attribute, "name")?;
                }
                if let Some(i) = stored.iter().position(|s| *s == text) {
                    return self.err(
                        pos,
                        format!("`{value}` is stored as \"{text}\", as `{}` is", values[i]),
                    );
                }
                values.push(value);
                stored.push(text);
            }
            self.enum_ids.insert(block.name.clone(), self.enums.len());
            self.enums.push(Enum {
                name: block.name,
                pos: block.pos,
                values,
                stored,
                map,
            });
        }
        Ok(())
    }

    fn build(&self, builtin: Vec<ModelBlock>, app: Vec<ModelBlock>) -> Result<Schema, SchemaError> {
        let mut drafts: Vec<Draft> = Vec::new();
        let mut seen = BTreeSet::new();
        for block in &app {
            if !seen.insert(lower_first(&block.name)) {
                return self.err(
                    block.pos,
                    format!("model `{}` is declared twice", block.name),
                );
            }
        }
        for base in builtin {
            let kind = if base.name == "user" {
                Builtin::User
            } else {
                Builtin::Tenant
            };
            let block = match app.iter().find(|m| m.name == base.name) {
                Some(extension) => self.merge_builtin(base, extension, kind)?,
                None => base,
            };
            drafts.push(Draft {
                block,
                builtin: Some(kind),
            });
        }
        for block in app {
            if block.name == "user" || block.name == "tenant" {
                continue;
            }
            if lower_first(&block.name) == "user" || lower_first(&block.name) == "tenant" {
                return self.err(block.pos, format!(
                    "model `{}` clashes with the built-in `{}` model (model names are matched ignoring the first letter's case)",
                    block.name,
                    lower_first(&block.name)
                ));
            }
            drafts.push(Draft {
                block,
                builtin: None,
            });
        }
        let names: HashMap<String, ModelId> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.block.name.clone(), i))
            .collect();
        let mut models = Vec::with_capacity(drafts.len());
        for draft in &drafts {
            models.push(self.scalars(draft, &names)?);
        }
        self.resolve_relations(&drafts, &names, &mut models)?;
        self.hierarchies(&drafts, &mut models)?;
        let mut schema = Schema {
            models,
            enums: self.enums.clone(),
            types: self.types.iter().map(|(t, _)| t.clone()).collect(),
        };
        let checker = Checker {
            schema: &schema,
            file: &self.file,
            before: std::cell::Cell::new(None),
        };
        let mut policies = Vec::new();
        for (id, draft) in drafts.iter().enumerate() {
            for attribute in &draft.block.attributes {
                if attribute.name == "allow" || attribute.name == "deny" {
                    policies.push((id, checker.policy(id, attribute)?));
                }
            }
        }
        let mut field_policies = Vec::new();
        for (id, draft) in drafts.iter().enumerate() {
            for (field, decl) in draft.block.fields.iter().enumerate() {
                for attribute in &decl.attributes {
                    if attribute.name == "allow" || attribute.name == "deny" {
                        field_policies.push((
                            id,
                            field,
                            checker.field_policy(id, field, attribute)?,
                        ));
                    }
                }
            }
        }
        for (id, policy) in policies {
            schema.models[id].policies.push(policy);
        }
        for (id, draft) in drafts.iter().enumerate() {
            for attribute in &draft.block.attributes {
                let target = match attribute.name.as_str() {
                    "owner" => Builtin::User,
                    "tenant" => Builtin::Tenant,
                    _ => continue,
                };
                let field = self.scope_relation(&schema, id, attribute, target)?;
                let m = &mut schema.models[id];
                match target {
                    Builtin::User => m.scope_owner = Some(field),
                    Builtin::Tenant => m.scope_tenant = Some(field),
                }
            }
        }
        for (id, field, policy) in field_policies {
            schema.models[id].fields[field].policies.push(policy);
        }
        self.no_check_circles(&schema)?;
        Ok(schema)
    }

    /// Delegate hierarchies: each base knows its sub-models, each sub-model the value its
    /// base's discriminator holds for it; relation fields a sub-model inherits are its base's
    /// relations (the same keys, the same opposite side).
    fn hierarchies(&self, drafts: &[Draft], models: &mut [Model]) -> Result<(), SchemaError> {
        for id in 0..models.len() {
            if let Some(attribute) = drafts[id]
                .block
                .attributes
                .iter()
                .find(|a| a.name == "delegateMap")
                && models[id].base.is_none()
            {
                return self.err(
                    attribute.pos,
                    format!(
                        "`@@delegateMap` belongs on a sub-model: `{}` extends no delegate",
                        models[id].name
                    ),
                );
            }
            let Some(base) = models[id].base else {
                continue;
            };
            if models[base].builtin.is_some() || models[id].builtin.is_some() {
                return self.err(
                    models[id].pos,
                    "the built-in `user` and `tenant` cannot take part in a delegate hierarchy",
                );
            }
            let value = models[id]
                .delegate_value
                .clone()
                .unwrap_or_else(|| models[id].name.clone());
            let discriminator = models[base].delegate.map(|d| &models[base].fields[d]);
            if let Some(ScalarType::Enum(e)) = discriminator.and_then(Field::scalar)
                && !self.enums[e].has(&value)
            {
                return self.err(
                    models[id].pos,
                    format!(
                        "`{}`'s rows would hold `{value}` in `{}.{}`, which is not a value of `{}`: name one with @@delegateMap(…)",
                        models[id].name,
                        models[base].name,
                        discriminator.map_or("", |f| f.name.as_str()),
                        self.enums[e].name
                    ),
                );
            }
            models[id].delegate_value = Some(value);
            models[base].subs.push(id);
            // A key or index is one table's: over the base's columns or the sub-model's own.
            let m = &models[id];
            let key = |f: &FieldId| m.primary_key.contains(f);
            let inherited = |f: &FieldId| m.fields[*f].inherited.is_some() && !key(f);
            let own = |f: &FieldId| m.fields[*f].inherited.is_none() && !key(f);
            if let Some(set) = m
                .uniques
                .iter()
                .chain(&m.indexes)
                .find(|set| set.iter().any(inherited) && set.iter().any(own))
            {
                return self.err(
                    m.pos,
                    format!(
                        "a unique constraint or index of `{}` over [{}] mixes fields of its base with its own: they are in different tables",
                        m.name,
                        set.iter()
                            .map(|f| m.fields[*f].name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            for field in 0..models[id].fields.len() {
                let Some(holder) = models[id].fields[field].inherited else {
                    continue;
                };
                let name = models[id].fields[field].name.clone();
                let Some(FieldKind::Relation(r)) =
                    models[holder].field(&name).map(|(_, f)| f.kind.clone())
                else {
                    continue;
                };
                let remap = |ids: &[FieldId]| -> Vec<FieldId> {
                    ids.iter()
                        .filter_map(|f| models[id].field(&models[holder].fields[*f].name))
                        .map(|(i, _)| i)
                        .collect()
                };
                let relation = Relation {
                    local: remap(&r.local),
                    ..r
                };
                models[id].fields[field].kind = FieldKind::Relation(relation);
            }
        }
        Ok(())
    }

    /// The relation `@@owner(…)` (to `user`) or `@@tenant(…)` (to `tenant`) names: a to-one
    /// relation of the model holding a one-column key.
    fn scope_relation(
        &self,
        schema: &Schema,
        model: ModelId,
        attribute: &Attribute,
        target: Builtin,
    ) -> Result<FieldId, SchemaError> {
        let m = schema.model(model);
        let usage = format!(
            "`@@{}(relation)` names the relation of `{}` to `{}` that scopes its rows for roles' permissions",
            attribute.name,
            m.name,
            target.name()
        );
        let name = match attribute.args.as_slice() {
            [
                Arg {
                    value: Expr::Ident(name),
                    ..
                },
            ] => name,
            _ => return self.err(attribute.pos, usage),
        };
        let Some((id, field)) = m.field(name) else {
            return self.err(
                attribute.pos,
                format!("`{}` has no field `{name}`: {usage}", m.name),
            );
        };
        match field.relation() {
            Some(r)
                if !r.many
                    && r.owner
                    && r.local.len() == 1
                    && schema.model(r.target).builtin == Some(target) =>
            {
                Ok(id)
            }
            _ => self.err(
                attribute.pos,
                format!(
                    "`{name}` is not a relation to `{}` holding its key: {usage}",
                    target.name()
                ),
            ),
        }
    }

    /// `check()` reads the related model's policies, which may `check()` further: a path that
    /// comes back to where it started would never end.
    fn no_check_circles(&self, schema: &Schema) -> Result<(), SchemaError> {
        let edges: Vec<Vec<(ModelId, Pos)>> = schema
            .models
            .iter()
            .map(|m| {
                let mut out = Vec::new();
                for p in &m.policies {
                    let mut targets = Vec::new();
                    p.condition.checked_models(&mut targets);
                    out.extend(targets.into_iter().map(|t| (t, p.pos)));
                }
                out
            })
            .collect();
        for start in 0..schema.models.len() {
            // Depth-first from `start`, remembering the path.
            let mut stack: Vec<(ModelId, usize)> = vec![(start, 0)];
            while let Some((model, next)) = stack.pop() {
                let Some(&(target, pos)) = edges[model].get(next) else {
                    continue;
                };
                stack.push((model, next + 1));
                if target == start {
                    let mut names: Vec<&str> = stack
                        .iter()
                        .map(|(m, _)| schema.models[*m].name.as_str())
                        .collect();
                    names.push(&schema.models[start].name);
                    return self.err(
                        pos,
                        format!(
                            "`check()` goes round in a circle ({}): it would never end",
                            names.join(" → ")
                        ),
                    );
                }
                if !stack.iter().any(|(m, _)| *m == target) {
                    stack.push((target, 0));
                }
            }
        }
        Ok(())
    }

    /// The built-in model with the app's additions. Built-in fields the app repeats must keep
    /// their type; new fields must be fillable without the app (optional or defaulted),
    /// because the Platform creates these rows.
    fn merge_builtin(
        &self,
        mut base: ModelBlock,
        extension: &ModelBlock,
        kind: Builtin,
    ) -> Result<ModelBlock, SchemaError> {
        for field in &extension.fields {
            match base.fields.iter().find(|f| f.name == field.name) {
                Some(existing) => {
                    let same = existing.type_name == field.type_name
                        && existing.optional == field.optional
                        && existing.list == field.list;
                    if !same {
                        return self.err(field.pos, format!(
                            "field `{}` of the built-in `{}` model is `{}{}`; it cannot be redeclared as `{}{}`",
                            field.name,
                            base.name,
                            existing.type_name,
                            if existing.optional { "?" } else { "" },
                            field.type_name,
                            if field.optional { "?" } else if field.list { "[]" } else { "" },
                        ));
                    }
                    // A repeated built-in field may carry field-level policies (hiding
                    // `email` from other users); its other attributes stay the built-in's.
                    let policies = field
                        .attributes
                        .iter()
                        .filter(|a| a.name == "allow" || a.name == "deny")
                        .cloned();
                    if let Some(base_field) = base.fields.iter_mut().find(|f| f.name == field.name)
                    {
                        base_field.attributes.extend(policies);
                    }
                }
                None => {
                    let is_scalar = ScalarType::from_name(&field.type_name).is_some();
                    let has_default = field
                        .attributes
                        .iter()
                        .any(|a| a.name == "default" || a.name == "updatedAt");
                    if is_scalar && !field.optional && !has_default {
                        return self.err(field.pos, format!(
                            "field `{}` added to the built-in `{}` model must be optional or have a @default: {} rows are created by the Platform, which does not fill app fields",
                            field.name,
                            base.name,
                            match kind { Builtin::User => "user", Builtin::Tenant => "tenant" },
                        ));
                    }
                    base.fields.push(field.clone());
                }
            }
        }
        for attribute in &extension.attributes {
            if attribute.name == "map" || attribute.name == "id" {
                return self.err(
                    attribute.pos,
                    format!(
                        "`@@{}` cannot be used on the built-in `{}` model",
                        attribute.name, base.name
                    ),
                );
            }
            base.attributes.push(attribute.clone());
        }
        Ok(base)
    }

    /// Resolves `@updatedAt(ignore: [...])` to the model's scalar fields.
    fn updated_at_ignores(&self, block: &ModelBlock, model: &mut Model) -> Result<(), SchemaError> {
        for (index, decl) in block.fields.iter().enumerate() {
            let Some(attribute) = decl.attributes.iter().find(|a| a.name == "updatedAt") else {
                continue;
            };
            let Some(arg) = attribute.arg("ignore", usize::MAX) else {
                continue;
            };
            let mut ignored = Vec::new();
            for (name, pos) in self.field_list(attribute, Some(arg))? {
                match model.field(&name) {
                    Some((id, f)) if f.scalar().is_some() => ignored.push(id),
                    _ => {
                        return self.err(
                            pos,
                            format!("`@updatedAt(ignore: …)` names `{name}`, which is not a scalar field of `{}`", model.name),
                        );
                    }
                }
            }
            model.fields[index].updated_at_ignore = ignored;
        }
        Ok(())
    }

    fn string_arg(&self, attribute: &Attribute, name: &str) -> Result<String, SchemaError> {
        match attribute.arg(name, 0).map(|a| &a.value) {
            Some(Expr::String(s)) => Ok(s.clone()),
            _ => self.err(
                attribute.pos,
                format!("`@{}` needs a string argument", attribute.name),
            ),
        }
    }

    fn field_list(
        &self,
        attribute: &Attribute,
        arg: Option<&Arg>,
    ) -> Result<Vec<(String, Pos)>, SchemaError> {
        match arg.map(|a| &a.value) {
            Some(Expr::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Expr::Ident(name) => Ok((name.clone(), arg.map_or(attribute.pos, |a| a.pos))),
                    Expr::Call(name, _) => Ok((name.clone(), arg.map_or(attribute.pos, |a| a.pos))),
                    _ => self.err(attribute.pos, "expected a list of field names, like [a, b]"),
                })
                .collect(),
            _ => self.err(
                attribute.pos,
                format!(
                    "`{}` needs a list of field names, like [a, b]",
                    attribute.name
                ),
            ),
        }
    }

    /// Scalar fields, keys, uniques, indexes; relation fields are placeholders until
    /// `resolve_relations`.
    fn scalars(
        &self,
        draft: &Draft,
        names: &HashMap<String, ModelId>,
    ) -> Result<Model, SchemaError> {
        let block = &draft.block;
        let mut model = Model {
            name: block.name.clone(),
            table: block.name.clone(),
            pos: block.pos,
            fields: Vec::new(),
            primary_key: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
            builtin: draft.builtin,
            policies: Vec::new(),
            scope_owner: None,
            scope_tenant: None,
            hidden: Vec::new(),
            base: None,
            delegate: None,
            delegate_value: None,
            subs: Vec::new(),
            validations: Vec::new(),
            db_schema: None,
        };
        if let Some((base, _)) = &block.base {
            model.base = Some(names[base]);
        }
        let mut field_names = BTreeSet::new();
        let mut single_uniques = Vec::new();
        for (index, decl) in block.fields.iter().enumerate() {
            if !field_names.insert(decl.name.clone()) {
                return self.err(
                    decl.pos,
                    format!(
                        "field `{}` is declared twice in `{}`",
                        decl.name, block.name
                    ),
                );
            }
            let mut field = self.field(decl, names)?;
            for attribute in &decl.attributes {
                self.field_attribute(
                    decl,
                    attribute,
                    &mut field,
                    &mut model,
                    index,
                    &mut single_uniques,
                )?;
            }
            model.fields.push(field);
        }
        model.uniques = single_uniques;
        self.updated_at_ignores(block, &mut model)?;
        for attribute in &block.attributes {
            self.block_attribute(attribute, &mut model)?;
        }
        if model.db_schema.is_none() && model.builtin.is_none() {
            model.db_schema = self
                .datasource
                .as_ref()
                .and_then(|d| d.default_schema.as_ref())
                .map(|(name, _)| name.clone());
        }
        // `public` is where an unqualified table is anyway.
        if model.db_schema.as_deref() == Some("public") {
            model.db_schema = None;
        }
        if model.table.to_ascii_lowercase().starts_with("_tandem") {
            return self.err(
                block.pos,
                format!(
                    "the table `{}` of `{}` is reserved: names starting with `_tandem` are Tandem's own tables",
                    model.table, block.name
                ),
            );
        }
        if model.primary_key.is_empty() {
            return self.err(model.pos, format!(
                "model `{}` has no id: mark a field with @id (e.g. `id String @id @default(uuid())`)",
                model.name
            ));
        }
        Ok(model)
    }

    /// A field declaration's name and type, checked; before its attributes. A relation field
    /// is a placeholder until `resolve_relations`.
    fn field(
        &self,
        decl: &FieldDecl,
        names: &HashMap<String, ModelId>,
    ) -> Result<Field, SchemaError> {
        if decl.name.starts_with('_')
            || decl.name == "AND"
            || decl.name == "OR"
            || decl.name == "NOT"
        {
            return self.err(
                decl.pos,
                format!("`{}` is reserved and cannot name a field", decl.name),
            );
        }
        if decl.list && decl.optional {
            return self.err(
                decl.type_pos,
                format!(
                    "a list field cannot be optional (`{}[]?`): an empty list says there is none",
                    decl.type_name
                ),
            );
        }
        // A `type` as a field's type: a Json field holding that shape (typed JSON).
        let typed = self
            .type_ids
            .get(&decl.type_name)
            .map(|&id| super::TypedJson {
                id,
                list: decl.list,
            });
        if let Some(typed) = typed
            && let Some((pos, why)) = &self.types[typed.id].1
        {
            return self.err(
                decl.type_pos,
                format!(
                    "`{}` cannot type the JSON field `{}`: {why} (at {pos}); use it as a mixin (`with {}`)",
                    decl.type_name, decl.name, decl.type_name
                ),
            );
        }
        let scalar = ScalarType::from_name(&decl.type_name)
            .or_else(|| {
                self.enum_ids
                    .get(&decl.type_name)
                    .map(|id| ScalarType::Enum(*id))
            })
            .or(typed.map(|_| ScalarType::Json));
        if scalar.is_none() && !names.contains_key(&decl.type_name) {
            return self.err(decl.type_pos, format!(
                "unknown type `{}`: use String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json, an enum, a `type` or a model name",
                decl.type_name
            ));
        }
        // A scalar list: PostgreSQL's array of the element type (see `Field::list_of`).
        let list_of = match scalar {
            Some(element) if typed.is_none() && decl.list => match element {
                ScalarType::String | ScalarType::Int | ScalarType::Float | ScalarType::Boolean => {
                    Some(element)
                }
                ScalarType::Enum(id) if !self.enums[id].is_mapped() => Some(element),
                _ => {
                    return self.err(
                        decl.type_pos,
                        format!(
                            "lists of `{}` are not supported (String, Int, Float, Boolean and enums without @map are); use Json or a related model",
                            decl.type_name
                        ),
                    );
                }
            },
            _ => None,
        };
        let scalar = if list_of.is_some() {
            Some(ScalarType::Json)
        } else {
            scalar
        };
        Ok(Field {
            name: decl.name.clone(),
            column: decl.name.clone(),
            pos: decl.pos,
            kind: match scalar {
                Some(t) => FieldKind::Scalar(t),
                // Filled in by resolve_relations.
                None => FieldKind::Relation(Relation {
                    target: names[&decl.type_name],
                    many: decl.list,
                    name: None,
                    owner: false,
                    local: Vec::new(),
                    foreign: Vec::new(),
                    opposite: 0,
                    on_delete: None,
                    join: None,
                }),
            },
            optional: decl.optional,
            default: None,
            updated_at: false,
            updated_at_ignore: Vec::new(),
            policies: Vec::new(),
            checks: Vec::new(),
            searchable: super::Searchable::NONE,
            typed,
            inherited: decl.inherited.as_ref().map(|name| names[name]),
            omit: false,
            list_of,
        })
    }

    /// A model's `@@map`, `@@id`, `@@unique` or `@@index`; any other is refused.
    fn block_attribute(&self, attribute: &Attribute, model: &mut Model) -> Result<(), SchemaError> {
        match attribute.name.as_str() {
            "map" => model.table = self.string_arg(attribute, "name")?,
            // Checked once every model's relations are known (`policy`, `scope_relation`).
            "allow" | "deny" | "owner" | "tenant" => {}
            // ZModel's marker of the model `auth()` returns: here always the built-in `user`.
            "auth" if model.builtin == Some(Builtin::User) => {}
            "auth" => {
                return self.err(
                    attribute.pos,
                    "`@@auth` belongs on the built-in `user` model: `auth()` is always the caller's user row",
                );
            }
            "id" | "unique" | "index" => {
                let ids = self.listed_scalars(attribute, model)?;
                match attribute.name.as_str() {
                    "id" => {
                        if !model.primary_key.is_empty() {
                            return self.err(
                                attribute.pos,
                                format!("`{}` has more than one id", model.name),
                            );
                        }
                        model.primary_key = ids;
                    }
                    "unique" => model.uniques.push(ids),
                    _ => model.indexes.push(ids),
                }
            }
            "delegate" => {
                let field = match attribute.arg("discriminator", 0).map(|a| &a.value) {
                    Some(Expr::Ident(name)) => model.field(name),
                    _ => None,
                };
                match field {
                    Some((id, f))
                        if f.inherited.is_none()
                            && matches!(
                                f.scalar(),
                                Some(ScalarType::String | ScalarType::Enum(_))
                            ) =>
                    {
                        model.delegate = Some(id);
                    }
                    _ => {
                        return self.err(
                            attribute.pos,
                            format!(
                                "`@@delegate` names the discriminator: a String or enum field of `{}` itself (`@@delegate(kind)`)",
                                model.name
                            ),
                        );
                    }
                }
            }
            "validate" => match super::validate::Rule::parse(attribute, model) {
                Ok(rule) => model.validations.push(rule),
                Err(why) => return self.err(attribute.pos, why),
            },
            "delegateMap" => match attribute.arg("value", 0).map(|a| &a.value) {
                Some(Expr::Ident(v) | Expr::String(v)) => model.delegate_value = Some(v.clone()),
                _ => {
                    return self.err(
                        attribute.pos,
                        "`@@delegateMap` takes the discriminator's value for this model (`@@delegateMap(VIDEO)`)",
                    );
                }
            },
            "schema" if model.builtin.is_some() => {
                return self.err(
                    attribute.pos,
                    format!(
                        "the built-in `{}` table stays in the default schema: `@@schema` does not apply to it",
                        model.name
                    ),
                );
            }
            "schema" => model.db_schema = Some(self.db_schema(attribute)?),
            "fulltext" => {
                return self.err(
                    attribute.pos,
                    format!("`@@{}` is not supported", attribute.name),
                );
            }
            other => {
                return self.err(
                    attribute.pos,
                    format!("unknown block attribute `@@{other}`"),
                );
            }
        }
        Ok(())
    }

    /// The fields a block attribute lists (`@@unique([a, b])`): scalar fields of the model.
    fn listed_scalars(
        &self,
        attribute: &Attribute,
        model: &Model,
    ) -> Result<Vec<FieldId>, SchemaError> {
        let fields = self.field_list(attribute, attribute.arg("fields", 0))?;
        let mut ids = Vec::new();
        for (name, pos) in fields {
            match model.field(&name) {
                Some((id, f)) if f.scalar().is_some() => ids.push(id),
                Some(_) => {
                    return self.err(
                        pos,
                        format!(
                            "`{name}` is a relation; list scalar fields in `@@{}`",
                            attribute.name
                        ),
                    );
                }
                None => {
                    return self.err(
                        pos,
                        format!(
                            "`@@{}` names `{name}`, which is not a field of `{}`",
                            attribute.name, model.name
                        ),
                    );
                }
            }
        }
        Ok(ids)
    }

    fn field_attribute(
        &self,
        decl: &FieldDecl,
        attribute: &Attribute,
        field: &mut Field,
        model: &mut Model,
        index: FieldId,
        single_uniques: &mut Vec<Vec<FieldId>>,
    ) -> Result<(), SchemaError> {
        let scalar = field.scalar();
        let needs_scalar = |this: &Self| {
            if scalar.is_none() {
                this.err(
                    attribute.pos,
                    format!(
                        "`@{}` applies to scalar fields, not to the relation `{}`",
                        attribute.name, decl.name
                    ),
                )
            } else {
                Ok(())
            }
        };
        if field.list_of.is_some()
            && !matches!(attribute.name.as_str(), "map" | "omit" | "allow" | "deny")
            && !attribute.name.starts_with("db.")
        {
            return self.err(
                attribute.pos,
                format!(
                    "`@{}` does not apply to the scalar list `{}` (it takes @map, @omit, @allow and @deny; a list starts empty)",
                    attribute.name, decl.name
                ),
            );
        }
        match attribute.name.as_str() {
            "id" => {
                needs_scalar(self)?;
                if decl.optional {
                    return self.err(attribute.pos, "an @id field cannot be optional");
                }
                if !model.primary_key.is_empty() {
                    return self.err(
                        attribute.pos,
                        format!("`{}` has more than one @id", model.name),
                    );
                }
                model.primary_key = vec![index];
            }
            "unique" => {
                needs_scalar(self)?;
                single_uniques.push(vec![index]);
            }
            "map" => {
                needs_scalar(self)?;
                field.column = self.string_arg(attribute, "name")?;
            }
            "omit" => {
                needs_scalar(self)?;
                field.omit = true;
            }
            "updatedAt" => {
                if scalar != Some(ScalarType::DateTime) {
                    return self.err(attribute.pos, "@updatedAt applies to DateTime fields");
                }
                field.updated_at = true;
                // The ignored fields are looked up once the model's fields are all known.
                if let Some(arg) = attribute.arg("ignore", usize::MAX) {
                    self.field_list(attribute, Some(arg))?;
                }
            }
            "default" => {
                needs_scalar(self)?;
                let ty = scalar.unwrap_or(ScalarType::String);
                let value = attribute.arg("value", 0).map(|a| &a.value);
                field.default = self.default_value(attribute, ty, value)?;
            }
            "relation" => {
                if scalar.is_some() {
                    return self.err(attribute.pos, "@relation applies to relation fields");
                }
            }
            "fullText" | "fuzzy" => {
                if scalar != Some(ScalarType::String) {
                    return self.err(
                        attribute.pos,
                        format!("`@{}` applies to String fields", attribute.name),
                    );
                }
                if attribute.name == "fullText" {
                    field.searchable.full_text = true;
                } else {
                    field.searchable.fuzzy = true;
                }
            }
            // Typed JSON's marker: the field is stored as JSON (as every typed field is here).
            "json" if field.typed.is_some() => {}
            "json" => {
                return self.err(attribute.pos, "`@json` applies to fields typed by a `type`");
            }
            name if name.starts_with("db.") => {}
            // Checked once every model's relations are known (`field_policy`).
            "allow" | "deny" => needs_scalar(self)?,
            name if super::checks::Check::names().contains(&name) => {
                let check = super::checks::Check::parse(attribute, scalar).map_err(|message| {
                    SchemaError {
                        file: self.file.clone(),
                        pos: attribute.pos,
                        message,
                    }
                })?;
                field.checks.push(check);
            }
            other => return self.err(attribute.pos, format!("unknown attribute `@{other}`")),
        }
        Ok(())
    }

    fn default_value(
        &self,
        attribute: &Attribute,
        ty: ScalarType,
        value: Option<&Expr>,
    ) -> Result<Option<Default>, SchemaError> {
        fn mismatch<T>(
            this: &Builder,
            attribute: &Attribute,
            ty: ScalarType,
            what: &str,
        ) -> Result<T, SchemaError> {
            this.err(
                attribute.pos,
                format!(
                    "@default({what}) does not fit a {} field",
                    ty.declared_name(&this.enums)
                ),
            )
        }
        Ok(Some(match value {
            Some(Expr::Call(f, args)) if matches!(f.as_str(), "uuid" | "cuid" | "nanoid" | "ulid") && ty == ScalarType::String => {
                self.id_default(attribute, f, args)?
            }
            Some(Expr::Call(f, _)) => match f.as_str() {
                "now" if ty == ScalarType::DateTime => Default::Now,
                "autoincrement" if matches!(ty, ScalarType::Int | ScalarType::BigInt) => Default::Autoincrement,
                // Database-generated UUIDs in ROQ schemas (`dbgenerated("uuid_generate_v4()")`).
                "dbgenerated" if ty == ScalarType::String => Default::Id(IdKind::Uuid4, None),
                "dbgenerated" => return Ok(None),
                "uuid" | "cuid" | "nanoid" | "ulid" | "now" | "autoincrement" => return mismatch(self, attribute, ty, &format!("{f}()")),
                other => return self.err(attribute.pos, format!("unknown default function `{other}()`: use uuid(), cuid(), nanoid(), ulid(), now(), autoincrement() or a literal")),
            },
            Some(Expr::String(s)) => match ty {
                // A Json field's default is JSON text (Prisma's rule; PostgreSQL refuses other text).
                ScalarType::Json if serde_json::from_str::<serde_json::Value>(s).is_err() => {
                    return self.err(attribute.pos, format!("@default of a Json field must be JSON text, e.g. @default(\"{{}}\"); \"{s}\" is not JSON"));
                }
                ScalarType::String | ScalarType::Json | ScalarType::DateTime | ScalarType::Decimal | ScalarType::BigInt => {
                    Default::Literal(serde_json::Value::String(s.clone()))
                }
                _ => return mismatch(self, attribute, ty, &format!("\"{s}\"")),
            },
            Some(Expr::Number(n)) => {
                let number: serde_json::Value = match ty {
                    ScalarType::Int | ScalarType::BigInt => n.parse::<i64>().map(Into::into).map_err(|_| ()),
                    ScalarType::Float | ScalarType::Decimal => n.parse::<f64>().map_err(|_| ()).and_then(|f| serde_json::Number::from_f64(f).map(Into::into).ok_or(())),
                    _ => Err(()),
                }
                .or_else(|_| mismatch(self, attribute, ty, n))?;
                Default::Literal(number)
            }
            Some(Expr::Ident(value)) if matches!(ty, ScalarType::Enum(_)) => {
                let ScalarType::Enum(id) = ty else {
                    unreachable!("matched above")
                };
                let declared = &self.enums[id];
                if !declared.has(value) {
                    return self.err(
                        attribute.pos,
                        format!(
                            "`{value}` is not a value of enum `{}`: use one of {}",
                            declared.name,
                            declared.listed()
                        ),
                    );
                }
                Default::Literal(serde_json::Value::String(value.clone()))
            }
            Some(Expr::Ident(b)) if b == "true" || b == "false" => {
                if ty != ScalarType::Boolean {
                    return mismatch(self, attribute, ty, b);
                }
                Default::Literal(serde_json::Value::Bool(b == "true"))
            }
            _ => return self.err(attribute.pos, "@default needs a value: a literal or uuid(), cuid(), now(), autoincrement()"),
        }))
    }

    /// `uuid()`, `uuid(7)`, `cuid(2)`, `nanoid(8)`, `ulid()`, each optionally with ZenStack's
    /// format string last (`uuid(4, "user_%s")`, `ulid("u_%s")`).
    fn id_default(
        &self,
        attribute: &Attribute,
        function: &str,
        args: &[Arg],
    ) -> Result<Default, SchemaError> {
        let mut number = None;
        let mut format = None;
        for arg in args {
            match &arg.value {
                Expr::Number(n) if number.is_none() && format.is_none() && function != "ulid" => {
                    number = Some(n.clone());
                }
                Expr::String(text) if format.is_none() => {
                    if !text.contains("%s") {
                        return self.err(arg.pos, format!("the format string of {function}() must hold `%s` where the id goes, e.g. \"user_%s\""));
                    }
                    format = Some(text.clone());
                }
                _ => {
                    return self.err(
                        arg.pos,
                        format!(
                            "{function}() takes {}",
                            match function {
                                "uuid" =>
                                    "an optional version (4 or 7) and an optional format string",
                                "cuid" =>
                                    "an optional version (1 or 2) and an optional format string",
                                "nanoid" => "an optional length and an optional format string",
                                _ => "an optional format string",
                            }
                        ),
                    );
                }
            }
        }
        let kind = match (function, number.as_deref()) {
            ("uuid", None | Some("4")) => IdKind::Uuid4,
            ("uuid", Some("7")) => IdKind::Uuid7,
            ("cuid", None | Some("1")) => IdKind::Cuid1,
            ("cuid", Some("2")) => IdKind::Cuid2,
            ("nanoid", None) => IdKind::Nanoid(21),
            ("nanoid", Some(n)) => match n.parse::<u8>() {
                Ok(len) if (2..=255).contains(&len) => IdKind::Nanoid(len),
                _ => {
                    return self.err(
                        attribute.pos,
                        format!("nanoid({n}): the length is from 2 to 255"),
                    );
                }
            },
            ("ulid", None) => IdKind::Ulid,
            (_, Some(n)) => {
                return self.err(attribute.pos, format!("{function}({n}) is not a version Tandem generates: use uuid(4), uuid(7), cuid(1) or cuid(2)"));
            }
            _ => unreachable!("the caller passes uuid, cuid, nanoid or ulid"),
        };
        Ok(Default::Id(kind, format))
    }

    /// Completes each relation field's placeholder: its opposite field, which side holds
    /// the foreign key, the key fields on both sides, and what a delete does.
    fn resolve_relations(
        &self,
        drafts: &[Draft],
        names: &HashMap<String, ModelId>,
        models: &mut [Model],
    ) -> Result<(), SchemaError> {
        let sides = self.relation_sides(drafts, names)?;
        // Each many-to-many join table belongs to one pair of relation fields.
        let mut join_tables: HashMap<String, (ModelId, FieldId)> = HashMap::new();
        for (i, side) in sides.iter().enumerate() {
            if let Some(relation) = self.resolve_side(i, &sides, models)? {
                if let Some(join) = &relation.join {
                    let pair = (side.model, side.field).min((relation.target, relation.opposite));
                    let owner = *join_tables.entry(join.table.clone()).or_insert(pair);
                    if owner != pair {
                        return self.err(
                            side.pos,
                            format!(
                                "the many-to-many relation `{}.{}` would share the join table `{}` with `{}.{}`; give one of them another @relation name",
                                models[side.model].name,
                                models[side.model].fields[side.field].name,
                                join.table,
                                models[owner.0].name,
                                models[owner.0].fields[owner.1].name
                            ),
                        );
                    }
                }
                models[side.model].fields[side.field].kind = FieldKind::Relation(relation);
            }
        }
        Ok(())
    }

    /// First pass: every relation field with its `@relation` arguments.
    fn relation_sides(
        &self,
        drafts: &[Draft],
        names: &HashMap<String, ModelId>,
    ) -> Result<Vec<RelationSide>, SchemaError> {
        let mut sides = Vec::new();
        for (model_id, draft) in drafts.iter().enumerate() {
            for (field_id, decl) in draft.block.fields.iter().enumerate() {
                // An inherited relation is its base's (`hierarchies`).
                if !names.contains_key(&decl.type_name) || decl.inherited.is_some() {
                    continue;
                }
                sides.push(self.relation_side(model_id, field_id, decl)?);
            }
        }
        Ok(sides)
    }

    /// One relation field's `@relation(name, fields, references, onDelete)`, checked on its own.
    fn relation_side(
        &self,
        model_id: ModelId,
        field_id: FieldId,
        decl: &FieldDecl,
    ) -> Result<RelationSide, SchemaError> {
        let mut side = RelationSide {
            model: model_id,
            field: field_id,
            name: None,
            fields: Vec::new(),
            references: Vec::new(),
            on_delete: None,
            pos: decl.pos,
        };
        let Some(attribute) = decl.attributes.iter().find(|a| a.name == "relation") else {
            return Ok(side);
        };
        side.name = match attribute.arg("name", 0).map(|a| &a.value) {
            Some(Expr::String(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(arg) = attribute.arg("fields", 99) {
            side.fields = self.field_list(attribute, Some(arg))?;
        }
        if let Some(arg) = attribute.arg("references", 99) {
            side.references = self.field_list(attribute, Some(arg))?;
        }
        if let Some(arg) = attribute.arg("onDelete", 99) {
            side.on_delete = match &arg.value {
                Expr::Ident(a) => ReferentialAction::parse(a),
                _ => None,
            };
            if side.on_delete.is_none() {
                return self.err(
                    arg.pos,
                    "onDelete must be Cascade, Restrict, NoAction, SetNull or SetDefault",
                );
            }
        }
        if side.fields.len() != side.references.len() {
            return self.err(
                attribute.pos,
                "@relation needs as many `fields` as `references`",
            );
        }
        if !side.fields.is_empty() && decl.list {
            return self.err(attribute.pos, format!(
                "the list side `{}` cannot hold `fields`/`references`; put them on the other side",
                decl.name
            ));
        }
        Ok(side)
    }

    /// The relation `sides[i]` declares, once its opposite side is found and the key fields
    /// of the owning side are checked against the referenced model.
    fn resolve_side(
        &self,
        i: usize,
        sides: &[RelationSide],
        models: &[Model],
    ) -> Result<Option<Relation>, SchemaError> {
        let side = &sides[i];
        let model = &models[side.model];
        let field = &model.fields[side.field];
        let target = match &field.kind {
            FieldKind::Relation(r) => r.target,
            FieldKind::Scalar(_) => return Ok(None),
        };
        let opposite = self.opposite_of(i, sides, models, target)?;
        let lists = |s: &RelationSide| {
            models[s.model].fields[s.field]
                .relation()
                .is_some_and(|r| r.many)
        };
        if lists(side) && lists(opposite) {
            return self.many_to_many(side, opposite, models, target).map(Some);
        }
        let owner = self.owning_side(side, opposite, model, field)?;
        let referenced_model = if owner.model == side.model {
            target
        } else {
            side.model
        };
        let (owner_model, referenced_model) = (&models[owner.model], &models[referenced_model]);
        let fk = self.key_fields(&owner.fields, owner_model)?;
        let referenced = self.key_fields(&owner.references, referenced_model)?;
        self.check_reference(owner, owner_model, &fk, referenced_model, &referenced)?;
        let is_owner = owner.model == side.model && owner.field == side.field;
        let fk_optional = fk.iter().any(|id| owner_model.fields[*id].optional);
        if is_owner && !field.optional && fk_optional {
            return self.err(side.pos, format!(
                "relation `{}.{}` is required but its foreign key is optional; make both optional or both required",
                model.name, field.name
            ));
        }
        let relation = Relation {
            target,
            many: field.relation().is_some_and(|r| r.many),
            name: side.name.clone(),
            owner: is_owner,
            local: if is_owner {
                fk.clone()
            } else {
                referenced.clone()
            },
            foreign: if is_owner { referenced } else { fk },
            opposite: opposite.field,
            on_delete: if is_owner {
                Some(side.on_delete.unwrap_or(if fk_optional {
                    ReferentialAction::SetNull
                } else {
                    ReferentialAction::Restrict
                }))
            } else {
                None
            },
            join: None,
        };
        if !relation.owner && !relation.many && !field.optional {
            return self.err(
                side.pos,
                format!(
                    "the back side `{}.{}` of a one-to-one relation must be optional",
                    model.name, field.name
                ),
            );
        }
        Ok(Some(relation))
    }

    /// An implicit many-to-many relation (both sides lists): Prisma's join table, between the
    /// two models' single-field ids.
    fn many_to_many(
        &self,
        side: &RelationSide,
        opposite: &RelationSide,
        models: &[Model],
        target: ModelId,
    ) -> Result<Relation, SchemaError> {
        let model = &models[side.model];
        let field = &model.fields[side.field];
        let id_of = |m: &Model| {
            match m.primary_key.as_slice() {
            [id] => Ok(*id),
            _ => self.err(
                side.pos,
                format!(
                    "the many-to-many relation `{}.{}` needs a single-field @id on `{}` (its join table holds one id per side)",
                    model.name, field.name, m.name
                ),
            ),
        }
        };
        let local = id_of(model)?;
        let foreign = id_of(&models[target])?;
        let this_first = if side.model == target {
            field.name <= models[opposite.model].fields[opposite.field].name
        } else {
            model.name <= models[target].name
        };
        let (first, second) = if model.name <= models[target].name {
            (&model.name, &models[target].name)
        } else {
            (&models[target].name, &model.name)
        };
        let (this_column, other_column) = if this_first { ("A", "B") } else { ("B", "A") };
        Ok(Relation {
            target,
            many: true,
            name: side.name.clone(),
            owner: false,
            local: vec![local],
            foreign: vec![foreign],
            opposite: opposite.field,
            on_delete: None,
            join: Some(super::JoinTable {
                table: match &side.name {
                    Some(name) => format!("_{name}"),
                    None => format!("_{first}To{second}"),
                },
                this_column: this_column.into(),
                other_column: other_column.into(),
            }),
        })
    }

    /// The one relation field on `target` that points back at `sides[i]`'s model under the
    /// same `@relation` name.
    fn opposite_of<'a>(
        &self,
        i: usize,
        sides: &'a [RelationSide],
        models: &[Model],
        target: ModelId,
    ) -> Result<&'a RelationSide, SchemaError> {
        let side = &sides[i];
        let model = &models[side.model];
        let field = &model.fields[side.field];
        let candidates: Vec<usize> = sides
            .iter()
            .enumerate()
            .filter(|(j, other)| {
                *j != i
                    && other.model == target
                    && other.name == side.name
                    && matches!(&models[other.model].fields[other.field].kind, FieldKind::Relation(r) if r.target == side.model)
            })
            .map(|(j, _)| j)
            .collect();
        match candidates.as_slice() {
            [one] => Ok(&sides[*one]),
            [] => self.err(side.pos, format!(
                "relation field `{}` on `{}` has no opposite field on `{}`; add one (e.g. `{} {}[]`){}",
                field.name,
                model.name,
                models[target].name,
                lower_first(&model.name),
                model.name,
                if side.name.is_some() { " with the same @relation name" } else { "" }
            )),
            _ => self.err(side.pos, format!(
                "relation field `{}` on `{}` is ambiguous: name both sides with @relation(\"…\")",
                field.name, model.name
            )),
        }
    }

    /// The side holding the foreign key: the one of the two that declares `fields`.
    fn owning_side<'a>(
        &self,
        side: &'a RelationSide,
        opposite: &'a RelationSide,
        model: &Model,
        field: &Field,
    ) -> Result<&'a RelationSide, SchemaError> {
        match (side.fields.is_empty(), opposite.fields.is_empty()) {
            (false, true) => Ok(side),
            (true, false) => Ok(opposite),
            (false, false) => self.err(side.pos, format!(
                "both sides of the relation `{}.{}` declare `fields`; only the side holding the foreign key does",
                model.name, field.name
            )),
            (true, true) => self.err(side.pos, format!(
                "relation `{}.{}` needs `@relation(fields: [...], references: [...])` on the side holding the foreign key",
                model.name, field.name
            )),
        }
    }

    /// The scalar fields of `model` that `fields:` or `references:` names.
    fn key_fields(
        &self,
        names: &[(String, Pos)],
        model: &Model,
    ) -> Result<Vec<FieldId>, SchemaError> {
        let mut ids = Vec::new();
        for (name, pos) in names {
            match model.field(name) {
                Some((id, f)) if f.scalar().is_some() => ids.push(id),
                _ => {
                    return self.err(
                        *pos,
                        format!("`{name}` is not a scalar field of `{}`", model.name),
                    );
                }
            }
        }
        Ok(ids)
    }

    /// A foreign key matches the type of what it references, and references the id or a
    /// unique field (set).
    fn check_reference(
        &self,
        owner: &RelationSide,
        owner_model: &Model,
        fk: &[FieldId],
        referenced_model: &Model,
        referenced: &[FieldId],
    ) -> Result<(), SchemaError> {
        for (a, b) in fk.iter().zip(referenced) {
            let (fa, fb) = (&owner_model.fields[*a], &referenced_model.fields[*b]);
            if fa.scalar() != fb.scalar() {
                return self.err(
                    owner.pos,
                    format!(
                        "`{}.{}` ({}) cannot reference `{}.{}` ({})",
                        owner_model.name,
                        fa.name,
                        fa.scalar().map_or("?", ScalarType::name),
                        referenced_model.name,
                        fb.name,
                        fb.scalar().map_or("?", ScalarType::name)
                    ),
                );
            }
        }
        if !referenced_model.unique_sets().any(|set| set == referenced) {
            return self.err(
                owner.pos,
                format!(
                    "`references` must name the id or a @unique field of `{}`",
                    referenced_model.name
                ),
            );
        }
        Ok(())
    }
}

/// One relation field as declared, with its `@relation` arguments (names still unresolved).
struct RelationSide {
    model: ModelId,
    field: FieldId,
    name: Option<String>,
    fields: Vec<(String, Pos)>,
    references: Vec<(String, Pos)>,
    on_delete: Option<ReferentialAction>,
    pos: Pos,
}
