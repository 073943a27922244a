//! ZModel's additions to Prisma's language, turned into plain models before the schema is built.
//!
//! Mixins: `type CommonFields { … }` and `model Post with CommonFields { … }`. A model gets each
//! mixin's fields and `@@` attributes (a mixin's own mixins first), before its own, as ZenStack
//! does. A `type` used as a field's type is typed JSON (see `build`).
//!
//! Delegate models: `model Video extends Asset` gets `Asset`'s fields (each marked as declared
//! by `Asset`, whose table holds it) and its keys, indexes and rules, before its own; `build`
//! then gives each model of the hierarchy its table (see `Model::base`).
//!
//! `@ignore` / `@@ignore`: as in ZenStack, an ignored field or model is not part of the schema —
//! not in the API, and no column or table (an existing one is dropped only with
//! `--accept-data-loss`, like any removed field).

use std::collections::HashMap;

use super::parser::{FieldDecl, ModelBlock, Pos};

/// How deep mixins may include mixins.
const MAX_DEPTH: usize = 16;

type Problem = (Pos, String);

/// The models with their mixins' fields and attributes merged in.
pub(super) fn expand(
    models: Vec<ModelBlock>,
    types: &[ModelBlock],
) -> Result<Vec<ModelBlock>, Problem> {
    let by_name: HashMap<&str, &ModelBlock> = types.iter().map(|t| (t.name.as_str(), t)).collect();
    if let Some((base, pos)) = types.iter().find_map(|t| t.base.as_ref()) {
        return Err((
            *pos,
            format!("a `type` cannot extend `{base}`: only a model extends a delegate model"),
        ));
    }
    let models = models
        .into_iter()
        .map(|mut model| {
            if model.mixins.is_empty() {
                return Ok(model);
            }
            let mut fields = Vec::new();
            let mut attributes = Vec::new();
            for (name, pos) in &model.mixins {
                collect(&by_name, name, *pos, 0, &mut fields, &mut attributes)?;
            }
            fields.append(&mut model.fields);
            attributes.append(&mut model.attributes);
            model.fields = fields;
            model.attributes = attributes;
            model.mixins.clear();
            Ok(model)
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    inherit(models)
}

/// The block attributes a delegate sub-model inherits from its base: keys, indexes (created
/// on the table holding their columns) and access rules. Not `@@delegate`, `@@map`, ….
const INHERITED_ATTRIBUTES: &[&str] = &[
    "id", "unique", "index", "allow", "deny", "owner", "tenant", "validate",
];

/// Delegate sub-models (`model Video extends Asset`) with their bases' fields (each marked
/// with the model declaring it) before their own, as ZenStack flattens them.
fn inherit(models: Vec<ModelBlock>) -> Result<Vec<ModelBlock>, Problem> {
    let declared: HashMap<String, ModelBlock> =
        models.iter().map(|m| (m.name.clone(), m.clone())).collect();
    models
        .into_iter()
        .map(|mut model| {
            let Some((base, pos)) = model.base.clone() else {
                return Ok(model);
            };
            let mut fields = Vec::new();
            let mut attributes = Vec::new();
            ancestors(&declared, &model.name, &base, pos, 0, &mut fields, &mut attributes)?;
            for own in &model.fields {
                if let Some(clash) = fields.iter().find(|f| f.name == own.name) {
                    return Err((
                        own.pos,
                        format!(
                            "`{}.{}` is already a field of its base `{}`: a sub-model cannot declare it again",
                            model.name,
                            own.name,
                            clash.inherited.as_deref().unwrap_or(&base)
                        ),
                    ));
                }
            }
            fields.append(&mut model.fields);
            attributes.append(&mut model.attributes);
            model.fields = fields;
            model.attributes = attributes;
            Ok(model)
        })
        .collect()
}

/// The fields and inherited attributes of `name` and its own bases, farthest first.
fn ancestors(
    declared: &HashMap<String, ModelBlock>,
    from: &str,
    name: &str,
    pos: Pos,
    depth: usize,
    fields: &mut Vec<FieldDecl>,
    attributes: &mut Vec<super::parser::Attribute>,
) -> Result<(), Problem> {
    if depth > MAX_DEPTH || name == from {
        return Err((pos, format!("`{from}` extends itself")));
    }
    let Some(base) = declared.get(name) else {
        return Err((
            pos,
            format!("unknown base model `{name}`: `extends` names a model marked @@delegate"),
        ));
    };
    if !base.attributes.iter().any(|a| a.name == "delegate") {
        return Err((
            pos,
            format!(
                "`{name}` is not a delegate model: mark it `@@delegate(<discriminator field>)` to let `{from}` extend it"
            ),
        ));
    }
    if let Some((further, at)) = &base.base {
        ancestors(declared, from, further, *at, depth + 1, fields, attributes)?;
    }
    // Unsupported columns stay in the base's table, out of the API.
    fields.extend(
        base.fields
            .iter()
            .filter(|f| f.raw_type.is_none())
            .map(|f| {
                let mut f = f.clone();
                f.inherited = Some(name.to_owned());
                f
            }),
    );
    attributes.extend(
        base.attributes
            .iter()
            .filter(|a| INHERITED_ATTRIBUTES.contains(&a.name.as_str()))
            .cloned(),
    );
    Ok(())
}

fn collect(
    types: &HashMap<&str, &ModelBlock>,
    name: &str,
    pos: Pos,
    depth: usize,
    fields: &mut Vec<FieldDecl>,
    attributes: &mut Vec<super::parser::Attribute>,
) -> Result<(), Problem> {
    if depth > MAX_DEPTH {
        return Err((pos, format!("mixin `{name}` includes itself")));
    }
    let Some(mixin) = types.get(name) else {
        return Err((
            pos,
            format!("unknown mixin `{name}`: declare it as `type {name} {{ … }}`"),
        ));
    };
    for (inner, at) in &mixin.mixins {
        collect(types, inner, *at, depth + 1, fields, attributes)?;
    }
    fields.extend(mixin.fields.iter().cloned());
    attributes.extend(mixin.attributes.iter().cloned());
    Ok(())
}

/// Takes the `Unsupported("…")` fields out of the models: they are columns of the table that
/// the API does not show (ZenStack's meaning). By model name, in the order declared.
pub(super) fn take_unsupported(models: &mut [ModelBlock]) -> Vec<(String, Vec<FieldDecl>)> {
    models
        .iter_mut()
        .filter_map(|m| {
            let (raw, kept): (Vec<FieldDecl>, Vec<FieldDecl>) = std::mem::take(&mut m.fields)
                .into_iter()
                .partition(|f| f.raw_type.is_some());
            m.fields = kept;
            (!raw.is_empty()).then(|| (m.name.clone(), raw))
        })
        .collect()
}

/// The models without those marked `@@ignore`, and without fields marked `@ignore`.
pub(super) fn without_ignored(models: Vec<ModelBlock>) -> Vec<ModelBlock> {
    models
        .into_iter()
        .filter(|m| !m.attributes.iter().any(|a| a.name == "ignore"))
        .map(|mut m| {
            m.fields
                .retain(|f| !f.attributes.iter().any(|a| a.name == "ignore"));
            m
        })
        .collect()
}
