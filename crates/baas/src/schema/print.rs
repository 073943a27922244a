//! The effective schema written back as Prisma (what `GET /api/schema` serves and what the
//! differential harness feeds to ZenStack).

use std::fmt::Write;

use super::{Default, FieldKind, JsonShape, Model, Schema};

pub fn print(schema: &Schema) -> String {
    let mut out = String::new();
    for declared in &schema.enums {
        let _ = writeln!(out, "enum {} {{", declared.name);
        for (value, stored) in declared.values.iter().zip(&declared.stored) {
            if value == stored {
                let _ = writeln!(out, "  {value}");
            } else {
                let _ = writeln!(out, "  {value} @map(\"{stored}\")");
            }
        }
        if let Some(map) = &declared.map {
            let _ = writeln!(out, "\n  @@map(\"{map}\")");
        }
        out.push_str("}\n\n");
    }
    for id in used_types(schema) {
        let declared = &schema.types[id];
        let _ = writeln!(out, "type {} {{", declared.name);
        let width = declared
            .fields
            .iter()
            .map(|f| f.name.len())
            .max()
            .unwrap_or(0);
        for field in &declared.fields {
            let type_name = match field.shape {
                JsonShape::Scalar(t) => schema.type_name(t),
                JsonShape::Type(t) => &schema.types[t].name,
            };
            let suffix = match (field.list, field.optional) {
                (true, true) => "[]?",
                (true, false) => "[]",
                (false, true) => "?",
                (false, false) => "",
            };
            let _ = writeln!(out, "  {:width$} {type_name}{suffix}", field.name);
        }
        out.push_str("}\n\n");
    }
    for (i, model) in schema.models.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        print_model(schema, model, &mut out);
    }
    out
}

/// The types that type some Json field, directly or through another type, in schema order.
fn used_types(schema: &Schema) -> Vec<usize> {
    let mut used = vec![false; schema.types.len()];
    let mut pending: Vec<usize> = schema
        .models
        .iter()
        .flat_map(|m| &m.fields)
        .filter_map(|f| f.typed.map(|t| t.id))
        .collect();
    while let Some(id) = pending.pop() {
        if std::mem::replace(&mut used[id], true) {
            continue;
        }
        pending.extend(
            schema.types[id]
                .fields
                .iter()
                .filter_map(|f| match f.shape {
                    JsonShape::Type(t) => Some(t),
                    JsonShape::Scalar(_) => None,
                }),
        );
    }
    (0..used.len()).filter(|i| used[*i]).collect()
}

fn names(model: &Model, ids: &[usize]) -> String {
    ids.iter()
        .map(|id| model.fields[*id].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a sub-model has `set` (of its fields) from its base: printed there, not again.
fn from_base(schema: &Schema, model: &Model, set: &[usize]) -> bool {
    let Some(base) = model.base.map(|b| &schema.models[b]) else {
        return false;
    };
    let wanted = names(model, set);
    base.unique_sets()
        .chain(&base.indexes)
        .any(|other| names(base, other) == wanted)
}

fn print_model(schema: &Schema, model: &Model, out: &mut String) {
    match model.base {
        Some(base) => {
            let _ = writeln!(
                out,
                "model {} extends {} {{",
                model.name, schema.models[base].name
            );
        }
        None => {
            let _ = writeln!(out, "model {} {{", model.name);
        }
    }
    let width = model
        .fields
        .iter()
        .filter(|f| f.inherited.is_none())
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    for (id, field) in model.fields.iter().enumerate() {
        if field.inherited.is_some() {
            continue;
        }
        let (type_name, suffix) = match &field.kind {
            FieldKind::Scalar(_) if let Some(typed) = field.typed => (
                schema.types[typed.id].name.clone(),
                match (typed.list, field.optional) {
                    (true, _) => "[]",
                    (false, true) => "?",
                    (false, false) => "",
                },
            ),
            FieldKind::Scalar(_) if let Some(element) = field.list_of => {
                (schema.type_name(element).to_owned(), "[]")
            }
            FieldKind::Scalar(t) => (
                schema.type_name(*t).to_owned(),
                if field.optional { "?" } else { "" },
            ),
            FieldKind::Relation(r) => (
                schema.models[r.target].name.clone(),
                if r.many {
                    "[]"
                } else if field.optional {
                    "?"
                } else {
                    ""
                },
            ),
        };
        let mut line = format!("  {:width$} {type_name}{suffix}", field.name);
        if model.primary_key == [id] {
            line.push_str(" @id");
        }
        if model.uniques.iter().any(|u| *u == [id]) {
            line.push_str(" @unique");
        }
        match &field.default {
            Some(Default::Id(kind, None)) => {
                let _ = write!(line, " @default({})", kind.call());
            }
            Some(Default::Id(kind, Some(format))) => {
                // `uuid(4, "p_%s")`: the version or length goes first, always written out.
                let call = kind.call();
                let name = &call[..call.find('(').unwrap_or(call.len())];
                let arg = match kind {
                    super::IdKind::Uuid4 => "4, ".to_owned(),
                    super::IdKind::Uuid7 => "7, ".to_owned(),
                    super::IdKind::Cuid1 => "1, ".to_owned(),
                    super::IdKind::Cuid2 => "2, ".to_owned(),
                    super::IdKind::Nanoid(n) => format!("{n}, "),
                    super::IdKind::Ulid => String::new(),
                };
                let _ = write!(line, " @default({name}({arg}{format:?}))");
            }
            Some(Default::Now) => line.push_str(" @default(now())"),
            Some(Default::Autoincrement) => line.push_str(" @default(autoincrement())"),
            // An enum's default is its bare value: `@default(MEMBER)`.
            Some(Default::Literal(serde_json::Value::String(v)))
                if matches!(field.scalar(), Some(super::ScalarType::Enum(_))) =>
            {
                let _ = write!(line, " @default({v})");
            }
            Some(Default::Literal(v)) => {
                let _ = write!(line, " @default({v})");
            }
            None => {}
        }
        if field.updated_at && field.updated_at_ignore.is_empty() {
            line.push_str(" @updatedAt");
        } else if field.updated_at {
            let _ = write!(
                line,
                " @updatedAt(ignore: [{}])",
                names(model, &field.updated_at_ignore)
            );
        }
        if field.column != field.name {
            let _ = write!(line, " @map(\"{}\")", field.column);
        }
        if field.omit {
            line.push_str(" @omit");
        }
        for check in &field.checks {
            let _ = write!(line, " {}", check.text);
        }
        if field.typed.is_some() {
            line.push_str(" @json");
        }
        if field.searchable.full_text {
            line.push_str(" @fullText");
        }
        if field.searchable.fuzzy {
            line.push_str(" @fuzzy");
        }
        for policy in &field.policies {
            let _ = write!(line, " {}", policy.text);
        }
        if let FieldKind::Relation(r) = &field.kind {
            let mut parts = Vec::new();
            if let Some(name) = &r.name {
                parts.push(format!("\"{name}\""));
            }
            if r.owner {
                let target = &schema.models[r.target];
                parts.push(format!("fields: [{}]", names(model, &r.local)));
                parts.push(format!("references: [{}]", names(target, &r.foreign)));
                if let Some(action) = r.on_delete {
                    parts.push(format!("onDelete: {}", action.name()));
                }
            }
            if !parts.is_empty() {
                let _ = write!(line, " @relation({})", parts.join(", "));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for hidden in &model.hidden {
        let mut line = format!(
            "  {:width$} Unsupported({:?}){}",
            hidden.name,
            hidden.raw_type,
            if hidden.optional { "?" } else { "" }
        );
        if let Some(sql) = &hidden.default_sql {
            let _ = write!(line, " @default(dbgenerated({sql:?}))");
        }
        if hidden.column != hidden.name {
            let _ = write!(line, " @map(\"{}\")", hidden.column);
        }
        let _ = writeln!(out, "{line}");
    }
    if model.primary_key.len() > 1 && !from_base(schema, model, &model.primary_key) {
        let _ = writeln!(out, "\n  @@id([{}])", names(model, &model.primary_key));
    }
    for unique in model
        .uniques
        .iter()
        .filter(|u| u.len() > 1 && !from_base(schema, model, u))
    {
        let _ = writeln!(out, "  @@unique([{}])", names(model, unique));
    }
    for index in model
        .indexes
        .iter()
        .filter(|i| !from_base(schema, model, i))
    {
        let _ = writeln!(out, "  @@index([{}])", names(model, index));
    }
    if let Some(discriminator) = model.delegate {
        let _ = writeln!(out, "  @@delegate({})", model.fields[discriminator].name);
    }
    if let (Some(base), Some(value)) = (model.base, &model.delegate_value)
        && *value != model.name
    {
        let base = &schema.models[base];
        let enum_typed = base
            .delegate
            .and_then(|d| base.fields[d].scalar())
            .is_some_and(|t| matches!(t, super::ScalarType::Enum(_)));
        if enum_typed {
            let _ = writeln!(out, "  @@delegateMap({value})");
        } else {
            let _ = writeln!(out, "  @@delegateMap({value:?})");
        }
    }
    if model.table != model.name {
        let _ = writeln!(out, "  @@map(\"{}\")", model.table);
    }
    if let Some(schema) = &model.db_schema {
        let _ = writeln!(out, "  @@schema(\"{schema}\")");
    }
    let base = model.base.map(|b| &schema.models[b]);
    if let Some(owner) = model.scope_owner
        && base.is_none_or(|b| b.scope_owner.is_none())
    {
        let _ = writeln!(out, "  @@owner({})", model.fields[owner].name);
    }
    if let Some(tenant) = model.scope_tenant
        && base.is_none_or(|b| b.scope_tenant.is_none())
    {
        let _ = writeln!(out, "  @@tenant({})", model.fields[tenant].name);
    }
    // ZModel wants `auth()`'s model marked when it is not named `User`.
    if schema.has_policies() && model.builtin == Some(super::Builtin::User) {
        out.push_str("  @@auth\n");
    }
    // A sub-model's first rules are its base's (inherited), printed there.
    let inherited = base.map_or(0, |b| b.validations.len());
    for rule in model.validations.iter().skip(inherited) {
        let _ = writeln!(out, "  {}", rule.text);
    }
    let inherited = base.map_or(0, |b| b.policies.len());
    for policy in model.policies.iter().skip(inherited) {
        let _ = writeln!(out, "  {}", policy.text);
    }
    out.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_round_trips() {
        let schema = Schema::from_source("s", crate::schema::tests_support::LIBRARY).unwrap();
        let printed = print(&schema);
        let again = Schema::from_source("printed", &printed).unwrap();
        assert_eq!(print(&again), printed);
        assert_eq!(again.models.len(), schema.models.len());
        assert!(printed.contains("author    user      @relation(fields: [author_id], references: [id], onDelete: Restrict)") || printed.contains("@relation(fields: [author_id], references: [id], onDelete: Restrict)"), "{printed}");
    }

    #[test]
    fn policies_are_printed_so_they_parse_back_the_same() {
        let source = r#"
model user {
  posts post[]
}
model post {
  id        String  @id
  published Boolean
  author_id String
  author    user    @relation(fields: [author_id], references: [id])
  @@allow('read', published || author == auth() && auth().locale != "x\"y")
  @@deny('update,delete', published)
}
"#;
        let schema = Schema::from_source("s", source).unwrap();
        let printed = print(&schema);
        assert!(printed.contains("  @@auth\n"), "{printed}");
        assert!(
            printed.contains(r#"@@allow("read", ((published || (author == auth())) && (auth().locale != "x\"y")))"#),
            "{printed}"
        );
        assert!(
            printed.contains(r#"@@deny("update,delete", published)"#),
            "{printed}"
        );
        let again = Schema::from_source("printed", &printed).unwrap();
        assert_eq!(print(&again), printed);
        let post = again.model(again.model_id("post").unwrap());
        assert_eq!(post.policies.len(), 2);
        let meaning = |s: &Schema| {
            let post = s.model(s.model_id("post").unwrap());
            post.policies
                .iter()
                .map(|p| {
                    (
                        p.allow,
                        p.operations.clone(),
                        p.condition.clone(),
                        p.text.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(meaning(&again), meaning(&schema));
    }
}
