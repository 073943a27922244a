//! ZModel's additions to Prisma's language, turned into plain models before the schema is built.
//!
//! Mixins: `type CommonFields { … }` and `model Post with CommonFields { … }`. A model gets each
//! mixin's fields and `@@` attributes (a mixin's own mixins first), before its own, as ZenStack
//! does. A `type` used as a field's type is typed JSON (see `build`); delegate models
//! (`extends`) are refused, naming them.
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
    for block in models.iter().chain(types) {
        if let Some((base, pos)) = &block.base {
            return Err((
                *pos,
                format!(
                    "delegate models (`{} extends {base}`) are not supported yet",
                    block.name
                ),
            ));
        }
    }
    models
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
        .collect()
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
