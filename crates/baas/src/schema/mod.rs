//! The BaaS schema: an app's Prisma models merged with the built-in `user` and `tenant`,
//! checked for meaning (types, defaults, relations), ready for the query engine and DDL.
//!
//! `parser` reads the text; `build` (here) validates it into a [`Schema`]; `print` writes the
//! effective schema back as Prisma (`GET /api/schema`).

pub mod parser;
pub mod print;

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use parser::{Arg, Attribute, Expr, FieldDecl, ModelBlock, Pos};

/// The models every Tandem BaaS has, mirrored from the Platform (DESIGN's field-ownership
/// table). An app's schema may add fields and relations to them.
pub const BUILTIN_SCHEMA: &str = r#"
model tenant {
  id         String   @id
  name       String
  created_at DateTime @default(now())
  updated_at DateTime @updatedAt
  users      user[]
}

model user {
  id         String   @id
  email      String   @unique
  first_name String?
  last_name  String?
  locale     String?
  timezone   String?
  avatar_url String?
  tenant_id  String
  tenant     tenant   @relation(fields: [tenant_id], references: [id])
  active     Boolean  @default(true)
  created_at DateTime @default(now())
  updated_at DateTime @updatedAt
}
"#;

pub type ModelId = usize;
pub type FieldId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    String,
    Int,
    BigInt,
    Float,
    Decimal,
    Boolean,
    DateTime,
    Json,
}

impl ScalarType {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "String" => Self::String,
            "Int" => Self::Int,
            "BigInt" => Self::BigInt,
            "Float" => Self::Float,
            "Decimal" => Self::Decimal,
            "Boolean" => Self::Boolean,
            "DateTime" => Self::DateTime,
            "Json" => Self::Json,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Int => "Int",
            Self::BigInt => "BigInt",
            Self::Float => "Float",
            Self::Decimal => "Decimal",
            Self::Boolean => "Boolean",
            Self::DateTime => "DateTime",
            Self::Json => "Json",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Int | Self::BigInt | Self::Float | Self::Decimal)
    }
}

/// How a column gets its value when a create leaves it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Default {
    Uuid,
    Cuid,
    Now,
    Autoincrement,
    Literal(serde_json::Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferentialAction {
    Cascade,
    Restrict,
    NoAction,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "Cascade" => Self::Cascade,
            "Restrict" => Self::Restrict,
            "NoAction" => Self::NoAction,
            "SetNull" => Self::SetNull,
            "SetDefault" => Self::SetDefault,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Cascade => "Cascade",
            Self::Restrict => "Restrict",
            Self::NoAction => "NoAction",
            Self::SetNull => "SetNull",
            Self::SetDefault => "SetDefault",
        }
    }
}

/// One side of a relation. The join is always `this.local[i] = target.foreign[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub target: ModelId,
    /// To-many (`book[]`).
    pub many: bool,
    /// `@relation("name")`, needed when two relations join the same models.
    pub name: Option<String>,
    /// This side holds the foreign key (`fields:`/`references:`).
    pub owner: bool,
    pub local: Vec<FieldId>,
    pub foreign: Vec<FieldId>,
    pub opposite: FieldId,
    /// On the owner side: what deleting the referenced row does.
    pub on_delete: Option<ReferentialAction>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Scalar(ScalarType),
    Relation(Relation),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// The column (`@map`), for scalars.
    pub column: String,
    pub pos: Pos,
    pub kind: FieldKind,
    pub optional: bool,
    pub default: Option<Default>,
    pub updated_at: bool,
}

impl Field {
    pub fn scalar(&self) -> Option<ScalarType> {
        match &self.kind {
            FieldKind::Scalar(t) => Some(*t),
            FieldKind::Relation(_) => None,
        }
    }

    pub fn relation(&self) -> Option<&Relation> {
        match &self.kind {
            FieldKind::Relation(r) => Some(r),
            FieldKind::Scalar(_) => None,
        }
    }
}

/// Which of the Platform-mirrored models this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    User,
    Tenant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub table: String,
    pub pos: Pos,
    pub fields: Vec<Field>,
    pub primary_key: Vec<FieldId>,
    /// Every unique constraint, single-field `@unique` ones included (the key is first).
    pub uniques: Vec<Vec<FieldId>>,
    pub indexes: Vec<Vec<FieldId>>,
    pub builtin: Option<Builtin>,
}

impl Model {
    pub fn field(&self, name: &str) -> Option<(FieldId, &Field)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }

    pub fn scalar_fields(&self) -> impl Iterator<Item = (FieldId, &Field)> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.scalar().is_some())
    }

    /// Fields that are part of at least one unique constraint (or the key).
    pub fn unique_sets(&self) -> impl Iterator<Item = &Vec<FieldId>> {
        std::iter::once(&self.primary_key).chain(self.uniques.iter())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub models: Vec<Model>,
}

impl Schema {
    /// Looks a model up the way ZenStack's RPC does: the first letter's case is ignored.
    pub fn model_id(&self, name: &str) -> Option<ModelId> {
        let wanted = lower_first(name);
        self.models
            .iter()
            .position(|m| lower_first(&m.name) == wanted)
    }

    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id]
    }

    /// The schema with only the built-in models.
    pub fn builtin() -> Result<Self, SchemaError> {
        Self::from_source("<built-in>", "")
    }

    /// Parses and validates an app's schema, merged with the built-in models.
    pub fn from_source(file: &str, source: &str) -> Result<Self, SchemaError> {
        let located = |e: parser::SyntaxError| SchemaError {
            file: file.to_owned(),
            pos: e.pos,
            message: e.message,
        };
        let app = parser::parse(source).map_err(located)?;
        if let Some((what, pos)) = app.unsupported.first() {
            return Err(SchemaError {
                file: file.to_owned(),
                pos: *pos,
                message: format!("`{what}` is not supported yet: Tandem reads `model` blocks"),
            });
        }
        let builtin = parser::parse(BUILTIN_SCHEMA).map_err(|e| SchemaError {
            file: "<built-in>".into(),
            pos: e.pos,
            message: e.message,
        })?;
        Builder {
            file: file.to_owned(),
        }
        .build(builtin.models, app.models)
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A schema problem at `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.pos, self.message)
    }
}

impl std::error::Error for SchemaError {}

struct Builder {
    file: String,
}

/// A model block with the built-in fields merged in, before relations are resolved.
struct Draft {
    block: ModelBlock,
    builtin: Option<Builtin>,
}

impl Builder {
    fn err<T>(&self, pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
        Err(SchemaError {
            file: self.file.clone(),
            pos,
            message: message.into(),
        })
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
        Ok(Schema { models })
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
        };
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
            let scalar = ScalarType::from_name(&decl.type_name);
            if scalar.is_none() && !names.contains_key(&decl.type_name) {
                return self.err(decl.type_pos, format!(
                    "unknown type `{}`: use String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json or a model name",
                    decl.type_name
                ));
            }
            if scalar.is_some() && decl.list {
                return self.err(
                    decl.type_pos,
                    format!(
                        "scalar lists (`{}[]`) are not supported; use Json or a related model",
                        decl.type_name
                    ),
                );
            }
            let mut field = Field {
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
                    }),
                },
                optional: decl.optional,
                default: None,
                updated_at: false,
            };
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
        for attribute in &block.attributes {
            match attribute.name.as_str() {
                "map" => model.table = self.string_arg(attribute, "name")?,
                "id" | "unique" | "index" => {
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
                "schema" | "ignore" | "fulltext" => {
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
        }
        if model.primary_key.is_empty() {
            return self.err(model.pos, format!(
                "model `{}` has no id: mark a field with @id (e.g. `id String @id @default(uuid())`)",
                model.name
            ));
        }
        Ok(model)
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
            "updatedAt" => {
                if scalar != Some(ScalarType::DateTime) {
                    return self.err(attribute.pos, "@updatedAt applies to DateTime fields");
                }
                field.updated_at = true;
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
            name if name.starts_with("db.") => {}
            "ignore" => return self.err(attribute.pos, "@ignore is not supported"),
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
                format!("@default({what}) does not fit a {} field", ty.name()),
            )
        }
        Ok(Some(match value {
            Some(Expr::Call(f, _)) => match f.as_str() {
                "uuid" if ty == ScalarType::String => Default::Uuid,
                "cuid" if ty == ScalarType::String => Default::Cuid,
                "now" if ty == ScalarType::DateTime => Default::Now,
                "autoincrement" if matches!(ty, ScalarType::Int | ScalarType::BigInt) => Default::Autoincrement,
                // Database-generated UUIDs in ROQ schemas (`dbgenerated("uuid_generate_v4()")`).
                "dbgenerated" if ty == ScalarType::String => Default::Uuid,
                "dbgenerated" => return Ok(None),
                "uuid" | "cuid" | "now" | "autoincrement" => return mismatch(self, attribute, ty, &format!("{f}()")),
                other => return self.err(attribute.pos, format!("unknown default function `{other}()`: use uuid(), cuid(), now(), autoincrement() or a literal")),
            },
            Some(Expr::String(s)) => match ty {
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
            Some(Expr::Ident(b)) if b == "true" || b == "false" => {
                if ty != ScalarType::Boolean {
                    return mismatch(self, attribute, ty, b);
                }
                Default::Literal(serde_json::Value::Bool(b == "true"))
            }
            _ => return self.err(attribute.pos, "@default needs a value: a literal or uuid(), cuid(), now(), autoincrement()"),
        }))
    }

    fn resolve_relations(
        &self,
        drafts: &[Draft],
        names: &HashMap<String, ModelId>,
        models: &mut [Model],
    ) -> Result<(), SchemaError> {
        // First pass: names and owning sides.
        struct Side {
            model: ModelId,
            field: FieldId,
            name: Option<String>,
            fields: Vec<(String, Pos)>,
            references: Vec<(String, Pos)>,
            on_delete: Option<ReferentialAction>,
            pos: Pos,
        }
        let mut sides = Vec::new();
        for (model_id, draft) in drafts.iter().enumerate() {
            for (field_id, decl) in draft.block.fields.iter().enumerate() {
                if !names.contains_key(&decl.type_name) {
                    continue;
                }
                let mut side = Side {
                    model: model_id,
                    field: field_id,
                    name: None,
                    fields: Vec::new(),
                    references: Vec::new(),
                    on_delete: None,
                    pos: decl.pos,
                };
                if let Some(attribute) = decl.attributes.iter().find(|a| a.name == "relation") {
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
                            return self.err(arg.pos, "onDelete must be Cascade, Restrict, NoAction, SetNull or SetDefault");
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
                }
                sides.push(side);
            }
        }
        for (i, side) in sides.iter().enumerate() {
            let model = &models[side.model];
            let field = &model.fields[side.field];
            let target = match &field.kind {
                FieldKind::Relation(r) => r.target,
                FieldKind::Scalar(_) => continue,
            };
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
            let opposite = match candidates.as_slice() {
                [one] => &sides[*one],
                [] => {
                    return self.err(side.pos, format!(
                        "relation field `{}` on `{}` has no opposite field on `{}`; add one (e.g. `{} {}[]`){}",
                        field.name,
                        model.name,
                        models[target].name,
                        lower_first(&model.name),
                        model.name,
                        if side.name.is_some() { " with the same @relation name" } else { "" }
                    ));
                }
                _ => {
                    return self.err(side.pos, format!(
                        "relation field `{}` on `{}` is ambiguous: name both sides with @relation(\"…\")",
                        field.name, model.name
                    ));
                }
            };
            let (owner, owner_model) = match (side.fields.is_empty(), opposite.fields.is_empty()) {
                (false, true) => (side, side.model),
                (true, false) => (opposite, opposite.model),
                (false, false) => {
                    return self.err(side.pos, format!(
                        "both sides of the relation `{}.{}` declare `fields`; only the side holding the foreign key does",
                        model.name, field.name
                    ));
                }
                (true, true) => {
                    return self.err(side.pos, format!(
                        "relation `{}.{}` needs `@relation(fields: [...], references: [...])` on the side holding the foreign key",
                        model.name, field.name
                    ));
                }
            };
            let referenced_model = if owner_model == side.model {
                target
            } else {
                side.model
            };
            let mut fk = Vec::new();
            for (name, pos) in &owner.fields {
                match models[owner_model].field(name) {
                    Some((id, f)) if f.scalar().is_some() => fk.push(id),
                    _ => {
                        return self.err(
                            *pos,
                            format!(
                                "`{name}` is not a scalar field of `{}`",
                                models[owner_model].name
                            ),
                        );
                    }
                }
            }
            let mut referenced = Vec::new();
            for (name, pos) in &owner.references {
                match models[referenced_model].field(name) {
                    Some((id, f)) if f.scalar().is_some() => referenced.push(id),
                    _ => {
                        return self.err(
                            *pos,
                            format!(
                                "`{name}` is not a scalar field of `{}`",
                                models[referenced_model].name
                            ),
                        );
                    }
                }
            }
            for (a, b) in fk.iter().zip(&referenced) {
                let (fa, fb) = (
                    &models[owner_model].fields[*a],
                    &models[referenced_model].fields[*b],
                );
                if fa.scalar() != fb.scalar() {
                    return self.err(
                        owner.pos,
                        format!(
                            "`{}.{}` ({}) cannot reference `{}.{}` ({})",
                            models[owner_model].name,
                            fa.name,
                            fa.scalar().map_or("?", ScalarType::name),
                            models[referenced_model].name,
                            fb.name,
                            fb.scalar().map_or("?", ScalarType::name)
                        ),
                    );
                }
            }
            if !models[referenced_model]
                .unique_sets()
                .any(|set| *set == referenced)
            {
                return self.err(
                    owner.pos,
                    format!(
                        "`references` must name the id or a @unique field of `{}`",
                        models[referenced_model].name
                    ),
                );
            }
            let is_owner = owner.model == side.model && owner.field == side.field;
            let fk_optional = fk.iter().any(|id| models[owner_model].fields[*id].optional);
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
            models[side.model].fields[side.field].kind = FieldKind::Relation(relation);
        }
        Ok(())
    }
}

/// Schemas shared by tests across the crate.
#[cfg(test)]
pub(crate) mod tests_support {
    pub const LIBRARY: &str = r#"
model user {
  books book[]
  nickname String?
}

model book {
  id        String    @id @default(uuid())
  title     String
  pages     Int       @default(0)
  price     Float?
  published Boolean   @default(false)
  author_id String
  author    user      @relation(fields: [author_id], references: [id])
  chapters  chapter[]
  created_at DateTime @default(now())
  @@unique([title, author_id])
  @@index([published])
}

model chapter {
  id       String @id @default(cuid())
  title    String
  position Int
  book_id  String @map("book")
  book     book   @relation(fields: [book_id], references: [id], onDelete: Cascade)
  @@map("chapters")
}
"#;
}

#[cfg(test)]
mod tests {
    use super::tests_support::LIBRARY;
    use super::*;

    #[test]
    fn builds_the_library_with_builtins_merged() {
        let schema = Schema::from_source("schema.prisma", LIBRARY).unwrap();
        let names: Vec<&str> = schema.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["tenant", "user", "book", "chapter"]);
        let user = schema.model(schema.model_id("user").unwrap());
        assert_eq!(user.builtin, Some(Builtin::User));
        assert!(user.field("nickname").is_some());
        assert!(user.field("email").is_some(), "built-in fields stay");
        let books = user.field("books").unwrap().1.relation().unwrap();
        assert!(books.many && !books.owner);
        let book_id = schema.model_id("Book").unwrap();
        assert_eq!(books.target, book_id);
        let book = schema.model(book_id);
        let author = book.field("author").unwrap().1.relation().unwrap();
        assert!(author.owner);
        assert_eq!(author.on_delete, Some(ReferentialAction::Restrict));
        assert_eq!(book.field("author_id").unwrap().0, author.local[0]);
        assert_eq!(book.uniques, vec![vec![1, 5]]);
        let chapter = schema.model(schema.model_id("chapter").unwrap());
        assert_eq!(chapter.table, "chapters");
        assert_eq!(chapter.field("book_id").unwrap().1.column, "book");
        assert_eq!(chapter.field("id").unwrap().1.default, Some(Default::Cuid));
    }

    fn error_of(source: &str) -> String {
        Schema::from_source("schema.prisma", source)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn mistakes_are_named_with_file_line_and_column() {
        let e = error_of("model a {\n  id Strin @id\n}");
        assert_eq!(
            e,
            "schema.prisma:2:6: unknown type `Strin`: use String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json or a model name"
        );
        assert!(
            error_of("model a {\n  name String\n}")
                .starts_with("schema.prisma:1:7: model `a` has no id")
        );
        assert!(
            error_of("model a {\n  id String @id @frobnicate\n}")
                .contains("unknown attribute `@frobnicate`")
        );
        assert!(
            error_of("model a {\n  id Int @id @default(uuid())\n}")
                .contains("@default(uuid()) does not fit a Int field")
        );
        assert!(
            error_of("model a {\n  id String @id\n  b b\n}\nmodel b {\n id String @id\n}")
                .contains("has no opposite field")
        );
        assert!(error_of("model user {\n  roq_user_id String\n}").starts_with("schema.prisma:2:3: field `roq_user_id` added to the built-in `user` model must be optional"));
        assert!(error_of("model user {\n  email Int\n}").contains("cannot be redeclared"));
        assert!(error_of("enum Role {\n A\n}").contains("not supported"));
        assert!(
            error_of("model a {\n  id String @id\n  tags String[]\n}").contains("scalar lists")
        );
    }

    #[test]
    fn self_relations_need_names_and_resolve() {
        let schema = Schema::from_source(
            "s",
            r#"
model employee {
  id         String     @id
  manager_id String?
  manager    employee?  @relation("reports", fields: [manager_id], references: [id])
  reports    employee[] @relation("reports")
}
"#,
        )
        .unwrap();
        let employee = schema.model(schema.model_id("employee").unwrap());
        let manager = employee.field("manager").unwrap().1.relation().unwrap();
        let reports = employee.field("reports").unwrap().1.relation().unwrap();
        assert!(manager.owner && !manager.many);
        assert_eq!(manager.on_delete, Some(ReferentialAction::SetNull));
        assert!(!reports.owner && reports.many);
        assert_eq!(reports.foreign, manager.local);
    }
}
