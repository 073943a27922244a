//! The BaaS schema: an app's Prisma models merged with the built-in `user` and `tenant`,
//! checked for meaning (types, defaults, relations), ready for the query engine and DDL.
//!
//! Here: the checked schema's types. `parser` reads the text; `build` validates it into a
//! [`Schema`]; `print` writes the effective schema back as Prisma (`GET /api/schema`).

mod build;
pub mod checks;
pub mod parser;
pub mod policy;
pub mod print;
pub mod validate;
mod zmodel;

use std::fmt;

use parser::Pos;

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
pub type EnumId = usize;

/// `enum Role { ADMIN MEMBER }`. Stored as text on both dialects; what may be written is
/// checked against `values` by the query layer. On PostgreSQL `orderBy` follows the declared
/// order, as a native enum would (ZenStack creates one); on SQLite the text order, as there.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    pub pos: Pos,
    pub values: Vec<String>,
    /// The text stored for each value: its `@map("…")`, or its name.
    pub stored: Vec<String>,
    /// `@@map("…")`, printed back as declared.
    pub map: Option<String>,
}

impl Enum {
    pub fn has(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// Whether some value is stored under another text (`@map`).
    pub fn is_mapped(&self) -> bool {
        self.values != self.stored
    }

    /// The text stored for a value (text that is no value stays as it is).
    pub fn stored_of<'a>(&'a self, value: &'a str) -> &'a str {
        self.values
            .iter()
            .position(|v| v == value)
            .map_or(value, |i| self.stored[i].as_str())
    }

    /// `"ADMIN" | "MEMBER"`, for messages.
    pub fn listed(&self) -> String {
        self.values
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

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
    /// Binary data: BLOB / BYTEA; base64 text in the API (superjson's `Bytes`).
    Bytes,
    /// One of the schema's enums.
    Enum(EnumId),
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
            "Bytes" => Self::Bytes,
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
            Self::Bytes => "Bytes",
            // Stored, bound and compared as text; `Schema::type_name` names the enum.
            Self::Enum(_) => "String",
        }
    }

    /// The name as declared: an enum's own name (from `enums`), otherwise the scalar's.
    pub fn declared_name(self, enums: &[Enum]) -> &str {
        match self {
            Self::Enum(id) => &enums[id].name,
            other => other.name(),
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Int | Self::BigInt | Self::Float | Self::Decimal)
    }
}

/// How a column gets its value when a create leaves it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Default {
    /// A generated id (`uuid()`, `cuid(2)`, `nanoid(8)`, `ulid()`, …), with ZenStack's format
    /// string when given (`uuid(4, "user_%s")`).
    Id(IdKind, Option<String>),
    Now,
    Autoincrement,
    Literal(serde_json::Value),
}

/// The generated ids ZenStack's `@default` functions give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Uuid4,
    Uuid7,
    Cuid1,
    Cuid2,
    /// Of this many characters (21 by default).
    Nanoid(u8),
    Ulid,
}

impl IdKind {
    /// The call as written in a schema, without a format string.
    pub fn call(self) -> String {
        match self {
            Self::Uuid4 => "uuid()".into(),
            Self::Uuid7 => "uuid(7)".into(),
            Self::Cuid1 => "cuid()".into(),
            Self::Cuid2 => "cuid(2)".into(),
            Self::Nanoid(21) => "nanoid()".into(),
            Self::Nanoid(n) => format!("nanoid({n})"),
            Self::Ulid => "ulid()".into(),
        }
    }
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

/// One side of a relation. The join is `this.local[i] = target.foreign[i]`, or for an implicit
/// many-to-many relation (`join`), a row of the join table pairing `this.local[0]` with
/// `target.foreign[0]` (both ids).
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
    /// An implicit many-to-many relation (both sides lists, no `fields`): its join table.
    pub join: Option<JoinTable>,
}

/// Prisma's join table of an implicit many-to-many relation: `_AToB` (the models' names in
/// order, or `_<relation name>`), with column `A` holding the id of the model first in that
/// order (of a self-relation: of the field first by name) and `B` the other's; a row per pair.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinTable {
    pub table: String,
    /// The column holding this side's id.
    pub this_column: String,
    /// The column holding the target's id.
    pub other_column: String,
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
    /// `@updatedAt(ignore: [a, b])`: an update that sets only these fields leaves the time.
    pub updated_at_ignore: Vec<FieldId>,
    /// Field-level `@allow` / `@deny` (operations `read` and `update` only), in the order
    /// declared.
    pub policies: Vec<policy::Policy>,
    /// ZenStack's input validation (`@email`, `@length(1, 80)`, `@gt(0)`, `@trim`, …), applied
    /// to the values creates and updates write, in the order declared.
    pub checks: Vec<checks::Check>,
    /// The PostgreSQL text searches a `String` field takes part in (`@fullText`, `@fuzzy`).
    pub searchable: Searchable,
    /// A Json field typed by a `type` (typed JSON).
    pub typed: Option<TypedJson>,
    /// A field a delegate sub-model inherits: the model declaring it, whose table holds the
    /// column (the id is in every table of the hierarchy).
    pub inherited: Option<ModelId>,
    /// `@omit`: left out of what reads return unless a query asks for it (`omit: {f: false}`
    /// or `select`).
    pub omit: bool,
    /// A scalar list (`tags String[]`, PostgreSQL only): a native array of this element type,
    /// read and written through the API as a JSON list (the field's kind is `Json`).
    pub list_of: Option<ScalarType>,
}

/// Which searches a `String` field allows (ZenStack's `@fullText` and `@fuzzy`): the `fts`
/// and `fuzzy` filters and the `_ftsRelevance` / `_fuzzyRelevance` orderings, PostgreSQL only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Searchable {
    pub full_text: bool,
    pub fuzzy: bool,
}

impl Searchable {
    pub const NONE: Self = Self {
        full_text: false,
        fuzzy: false,
    };

    pub fn any(self) -> bool {
        self.full_text || self.fuzzy
    }
}

impl Schema {
    /// Whether any model or field has access policies (`auth()` may then be consulted).
    pub fn has_policies(&self) -> bool {
        self.models
            .iter()
            .any(|m| !m.policies.is_empty() || m.has_field_policies())
    }
}

impl Model {
    pub fn has_field_policies(&self) -> bool {
        self.fields.iter().any(|f| !f.policies.is_empty())
    }
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

/// An `Unsupported("…")` field: a column of the table the API does not show, as in ZenStack.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenColumn {
    pub name: String,
    pub column: String,
    /// The database type, as written.
    pub raw_type: String,
    pub optional: bool,
    /// `@default(dbgenerated("…"))`: SQL the database fills the column with.
    pub default_sql: Option<String>,
}

impl HiddenColumn {
    fn from_decl(decl: &parser::FieldDecl) -> Result<Self, (Pos, String)> {
        let mut hidden = Self {
            name: decl.name.clone(),
            column: decl.name.clone(),
            raw_type: decl.raw_type.clone().unwrap_or_default(),
            optional: decl.optional,
            default_sql: None,
        };
        if decl.list {
            return Err((
                decl.type_pos,
                "a list of `Unsupported` is not supported".into(),
            ));
        }
        for attribute in &decl.attributes {
            let text = attribute.arg("value", 0).map(|a| &a.value);
            match (attribute.name.as_str(), text) {
                ("map", Some(parser::Expr::String(column))) => hidden.column = column.clone(),
                ("default", Some(parser::Expr::Call(f, args))) if f == "dbgenerated" => {
                    match args.first().map(|a| &a.value) {
                        Some(parser::Expr::String(sql)) => hidden.default_sql = Some(sql.clone()),
                        _ => {
                            return Err((
                                attribute.pos,
                                "dbgenerated() takes the SQL as a string".into(),
                            ));
                        }
                    }
                }
                _ => {
                    return Err((
                        attribute.pos,
                        format!(
                            "an `Unsupported` field takes only @map and @default(dbgenerated(\"…\")), not @{}",
                            attribute.name
                        ),
                    ));
                }
            }
        }
        Ok(hidden)
    }
}

/// Which of the Platform-mirrored models this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    User,
    Tenant,
}

impl Builtin {
    /// The model's name in every schema.
    pub fn name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Tenant => "tenant",
        }
    }
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
    /// `@@allow` / `@@deny`, in the order declared.
    pub policies: Vec<policy::Policy>,
    /// `@@owner(relation)` / `@@tenant(relation)`: the relation to `user` / `tenant` that
    /// scopes the rows for roles' `own` and `tenant` permissions, where the model has several.
    pub scope_owner: Option<FieldId>,
    pub scope_tenant: Option<FieldId>,
    /// `Unsupported("…")` fields: columns the API does not show.
    pub hidden: Vec<HiddenColumn>,
    /// ZenStack's delegate (polymorphic) models. A sub-model (`model Video extends Asset`)
    /// has its base's fields; its table holds only its own, in a row keyed by the same id as
    /// the base's row (which cascades deletes and id changes down).
    pub base: Option<ModelId>,
    /// `@@delegate(field)`: the discriminator, naming each row's sub-model. A delegate model
    /// is not created directly, only through a sub-model.
    pub delegate: Option<FieldId>,
    /// For a sub-model: what its base's discriminator holds for its rows (`@@delegateMap(…)`,
    /// or the model's name).
    pub delegate_value: Option<String>,
    /// A delegate's direct sub-models.
    pub subs: Vec<ModelId>,
    /// `@@validate(…)`: conditions what creates and updates write must meet, in the order
    /// declared.
    pub validations: Vec<validate::Rule>,
    /// The PostgreSQL schema holding the table (`@@schema("billing")`, or the datasource's
    /// `defaultSchema`); `None` is the connection's own (`public`).
    pub db_schema: Option<String>,
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

    /// A hidden column rows cannot be created without (required, no default): ZenStack then
    /// offers no create for the model.
    pub fn blocks_create(&self) -> Option<&HiddenColumn> {
        self.hidden
            .iter()
            .find(|h| !h.optional && h.default_sql.is_none())
    }

    /// The table holding a field's column: the model declaring it (see `Field::inherited`).
    pub fn holder(&self, own: ModelId, field: FieldId) -> ModelId {
        self.fields[field].inherited.unwrap_or(own)
    }

    /// Whether rows of this model span several tables (a delegate or a sub-model of one).
    pub fn in_hierarchy(&self) -> bool {
        self.base.is_some() || self.delegate.is_some()
    }

    /// Fields that are part of at least one unique constraint (or the key).
    pub fn unique_sets(&self) -> impl Iterator<Item = &Vec<FieldId>> {
        std::iter::once(&self.primary_key).chain(self.uniques.iter())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    /// The `type`s Json fields are typed by (typed JSON).
    pub types: Vec<JsonType>,
}

/// A `type` that types a Json field (`profile Profile @json`): what creates and updates write
/// there is checked against it, as ZenStack checks it (other keys are kept).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonType {
    pub name: String,
    pub fields: Vec<JsonTypeField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonTypeField {
    pub name: String,
    pub shape: JsonShape,
    pub list: bool,
    pub optional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonShape {
    Scalar(ScalarType),
    /// Another `type`, by its index in `Schema::types`.
    Type(usize),
}

/// A Json field typed by `Schema::types[id]`, or a list of such (`jobs Job[] @json`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypedJson {
    pub id: usize,
    pub list: bool,
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

    /// A sub-model's bases and itself, the topmost base first (just the model otherwise).
    pub fn lineage(&self, model: ModelId) -> Vec<ModelId> {
        let mut chain = vec![model];
        while let Some(base) = self.models[chain[chain.len() - 1]].base {
            chain.push(base);
        }
        chain.reverse();
        chain
    }

    /// Whether a field of `model` is a delegate's discriminator (its own, or a base's it
    /// inherits), which only Tandem writes.
    pub fn is_discriminator(&self, model: ModelId, field: FieldId) -> bool {
        let m = &self.models[model];
        let holder = &self.models[m.holder(model, field)];
        holder
            .delegate
            .is_some_and(|d| holder.fields[d].name == m.fields[field].name)
    }

    /// Every sub-model below a delegate, each before its own sub-models.
    pub fn descendants(&self, model: ModelId) -> Vec<ModelId> {
        let mut out = Vec::new();
        for sub in &self.models[model].subs {
            out.push(*sub);
            out.extend(self.descendants(*sub));
        }
        out
    }

    /// The type's name as declared: an enum's own name, otherwise the scalar's.
    pub fn type_name(&self, ty: ScalarType) -> &str {
        ty.declared_name(&self.enums)
    }

    /// The schema with only the built-in models.
    pub fn builtin() -> Result<Self, SchemaError> {
        Self::from_source("<built-in>", "")
    }

    /// A schema spread over files (ZModel's `import`), read as one in the order given; an
    /// error names the file it is in and the line there.
    pub fn from_sources(files: &[(String, String)]) -> Result<Self, SchemaError> {
        if let [(name, source)] = files {
            return Self::from_source(name, source);
        }
        const COMBINED: &str = "<the schema files>";
        let mut text = String::new();
        let mut starts: Vec<(u32, &str)> = Vec::new();
        let mut line = 1u32;
        for (name, source) in files {
            starts.push((line, name.as_str()));
            text.push_str(source);
            if !source.ends_with('\n') {
                text.push('\n');
            }
            line = 1 + text.matches('\n').count() as u32;
        }
        Self::from_source(COMBINED, &text).map_err(|mut e| {
            if e.file == COMBINED
                && let Some((start, name)) = starts.iter().rev().find(|(s, _)| *s <= e.pos.line)
            {
                e.file = (*name).to_owned();
                e.pos.line -= start - 1;
            }
            e
        })
    }

    /// The files a schema source imports (`import "./other"`), as written, when it parses.
    pub fn imports_of(source: &str) -> Vec<String> {
        parser::parse(source)
            .map(|file| file.imports.into_iter().map(|(path, _)| path).collect())
            .unwrap_or_default()
    }

    /// Parses and validates an app's schema, merged with the built-in models.
    pub fn from_source(file: &str, source: &str) -> Result<Self, SchemaError> {
        let located = |e: parser::SyntaxError| SchemaError {
            file: file.to_owned(),
            pos: e.pos,
            message: e.message,
        };
        let mut app = parser::parse(source).map_err(located)?;
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
        let mut models = zmodel::expand(std::mem::take(&mut app.models), &app.types)
            .map(zmodel::without_ignored)
            .map_err(|(pos, message)| SchemaError {
                file: file.to_owned(),
                pos,
                message,
            })?;
        let unsupported = zmodel::take_unsupported(&mut models);
        let mut schema = build::build(
            file,
            builtin.models,
            models,
            std::mem::take(&mut app.enums),
            &app.types,
            app.datasource.take(),
        )?;
        for (model, decls) in unsupported {
            let id = schema
                .models
                .iter()
                .position(|m| m.name == model)
                .ok_or_else(|| SchemaError {
                    file: file.to_owned(),
                    pos: decls[0].pos,
                    message: format!("`Unsupported` fields of `{model}`, whose model was left out"),
                })?;
            for decl in decls {
                let hidden =
                    HiddenColumn::from_decl(&decl).map_err(|(pos, message)| SchemaError {
                        file: file.to_owned(),
                        pos,
                        message,
                    })?;
                schema.models[id].hidden.push(hidden);
            }
        }
        Ok(schema)
    }
}

/// `name` with its first letter lower-cased: how ZenStack matches and names models.
pub fn lower_first(name: &str) -> String {
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
        assert_eq!(
            chapter.field("id").unwrap().1.default,
            Some(Default::Id(IdKind::Cuid1, None))
        );
    }

    fn error_of(source: &str) -> String {
        Schema::from_source("schema.prisma", source)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn enums_type_fields_and_defaults() {
        let schema = Schema::from_source(
            "s",
            "enum Role {\n  MEMBER\n  ADMIN\n}\nmodel user {\n  role Role @default(MEMBER)\n}\nmodel doc {\n  id String @id\n  level Role?\n}\n",
        )
        .unwrap();
        assert_eq!(schema.enums[0].values, ["MEMBER", "ADMIN"]);
        let user = schema.model(schema.model_id("user").unwrap());
        let (_, role) = user.field("role").unwrap();
        assert_eq!(role.scalar(), Some(ScalarType::Enum(0)));
        assert_eq!(role.default, Some(Default::Literal("MEMBER".into())));
        assert_eq!(schema.type_name(ScalarType::Enum(0)), "Role");
        let printed = print::print(&schema);
        assert!(
            printed.starts_with("enum Role {\n  MEMBER\n  ADMIN\n}\n"),
            "{printed}"
        );
        assert!(
            printed.contains("role       Role @default(MEMBER)"),
            "{printed}"
        );
        assert_eq!(
            print::print(&Schema::from_source("p", &printed).unwrap()),
            printed
        );
        let mapped = Schema::from_source("m", "enum Role {\n  A\n  @@map(\"roles\")\n}\n").unwrap();
        assert!(print::print(&mapped).starts_with("enum Role {\n  A\n\n  @@map(\"roles\")\n}\n"));
    }

    #[test]
    fn mixins_lend_their_fields_and_ignored_things_are_left_out() {
        let schema = Schema::from_source(
            "s",
            "type Stamped {\n  createdAt DateTime @default(now())\n  @@index([createdAt])\n}\ntype Common with Stamped {\n  id String @id @default(cuid())\n}\nmodel post with Common {\n  title String\n  secret String @ignore\n}\nmodel legacy {\n  id String @id\n  @@ignore\n}\n",
        )
        .unwrap();
        let post = schema.model(schema.model_id("post").unwrap());
        let names: Vec<&str> = post.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["createdAt", "id", "title"],
            "a mixin's mixins first, then its fields, then the model's"
        );
        assert_eq!(post.indexes.len(), 1, "the mixin's @@index applies");
        assert!(schema.model_id("legacy").is_none());
        // Mixins after `with` are separated by spaces or commas.
        for list in ["Named Stamped", "Named, Stamped"] {
            let schema = Schema::from_source(
                "s",
                &format!("type Named {{\n  name String\n}}\ntype Stamped {{\n  at DateTime\n}}\nmodel tag with {list} {{\n  id Int @id\n}}\n"),
            )
            .unwrap();
            let tag = schema.model(schema.model_id("tag").unwrap());
            let names: Vec<&str> = tag.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["name", "at", "id"], "{list}");
        }
        let with = |text: &str| error_of(text);
        assert!(with("model a with Nope {\n  id String @id\n}").contains("unknown mixin `Nope`"));
        assert!(
            with("type T with T {\n  x Int\n}\nmodel a with T {\n  id String @id\n}")
                .contains("includes itself")
        );
        assert!(
            with("type T {\n  owner a\n}\nmodel a {\n  id String @id\n  t T @json\n}")
                .contains("`T` cannot type the JSON field `t`: `T.owner` is of type `a`, which a JSON value cannot hold")
        );
        assert!(
            with("model a {\n  id String @id\n  t String @json\n}")
                .contains("`@json` applies to fields typed by a `type`")
        );
        assert!(
            with("model a {\n  id String @id\n  bs b[]?\n}\nmodel b {\n  id String @id\n}")
                .contains("a list field cannot be optional")
        );
        assert!(
            with("model a {\n  id String @id\n  bs b[]\n}\nmodel b {\n  id String @id\n  as a[]\n}\nmodel c {\n  id String @id\n  ds d[] @relation(\"aTob\")\n}\nmodel d {\n  id String @id\n  cs c[] @relation(\"aTob\")\n}")
                .contains("would share the join table `_aTob`")
        );
        assert!(
            with("model a {\n  id String @id\n}\nmodel b extends a {\n  x Int\n}").contains(
                "`a` is not a delegate model: mark it `@@delegate(<discriminator field>)`"
            )
        );
    }

    #[test]
    fn delegate_sub_models_inherit_their_bases_fields_and_keys() {
        let source = "enum Kind {\n  VIDEO\n  IMAGE\n}\nmodel owner {\n  id Int @id\n  assets asset[]\n}\nmodel asset {\n  id Int @id @default(autoincrement())\n  views Int @default(0)\n  kind Kind\n  ownerId Int?\n  owner owner? @relation(fields: [ownerId], references: [id])\n  @@index([ownerId])\n  @@delegate(kind)\n}\nmodel video extends asset {\n  url String @unique\n  @@delegateMap(VIDEO)\n}\n";
        let schema = Schema::from_source("s", source).unwrap();
        let asset = schema.model_id("asset").unwrap();
        let video = schema.model_id("video").unwrap();
        let v = schema.model(video);
        let names: Vec<&str> = v.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "views", "kind", "ownerId", "owner", "url"]);
        assert_eq!(v.base, Some(asset));
        assert_eq!(v.delegate_value.as_deref(), Some("VIDEO"));
        assert_eq!(schema.model(asset).subs, [video]);
        assert_eq!(v.fields[1].inherited, Some(asset));
        assert_eq!(v.fields[5].inherited, None);
        assert!(schema.is_discriminator(video, 2));
        assert!(!schema.is_discriminator(video, 1));
        // The inherited relation is the base's, with the sub-model's own key field.
        let owner = v.fields[4].relation().unwrap();
        assert!(owner.owner);
        assert_eq!(owner.local, [3]);
        assert_eq!(schema.lineage(video), [asset, video]);
        // The sub-model's table holds its own columns and the key, referencing the base's.
        let tables = crate::migrate::tables(&schema);
        let table = tables.iter().find(|t| t.name == "video").unwrap();
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(columns, ["id", "url"]);
        assert!(!table.columns[0].autoincrement);
        assert!(table.indexes.is_empty(), "{:?}", table.indexes);
        assert_eq!(table.foreign_keys.len(), 1);
        assert_eq!(table.foreign_keys[0].table, "asset");
        assert_eq!(table.foreign_keys[0].on_delete, "Cascade");
        // Printed back as declared, and read back the same.
        let printed = print::print(&schema);
        assert!(
            printed.contains(
                "model video extends asset {\n  url String @unique\n  @@delegateMap(VIDEO)\n}"
            ),
            "{printed}"
        );
        assert_eq!(
            print::print(&Schema::from_source("p", &printed).unwrap()),
            printed
        );
        let with = |text: &str| error_of(&format!("{source}{text}"));
        assert!(
            with("model image extends asset {\n  views Int\n}")
                .contains("`image.views` is already a field of its base `asset`")
        );
        assert!(with("model image extends asset {\n  x Int\n}").contains(
            "`image`'s rows would hold `image` in `asset.kind`, which is not a value of `Kind`"
        ));
        assert!(
            with("model image extends nope {\n  x Int\n}").contains("unknown base model `nope`")
        );
        assert!(
            with("model image extends asset {\n  name String\n  @@unique([ownerId, name])\n  @@delegateMap(IMAGE)\n}")
                .contains("mixes fields of its base with its own: they are in different tables")
        );
    }

    #[test]
    fn unsupported_fields_are_columns_the_api_does_not_show() {
        let source = "model geo {\n  id Int @id\n  area Unsupported(\"xml\") @default(dbgenerated(\"'<a/>'::xml\"))\n  note Unsupported(\"xml\")?\n}\nmodel shape {\n  id Int @id\n  path Unsupported(\"path\") @map(\"p\")\n}\n";
        let schema = Schema::from_source("s", source).unwrap();
        let geo = schema.model(schema.model_id("geo").unwrap());
        assert!(geo.field("area").is_none(), "not an API field");
        assert_eq!(geo.hidden.len(), 2);
        assert_eq!(geo.hidden[0].default_sql.as_deref(), Some("'<a/>'::xml"));
        assert!(geo.blocks_create().is_none(), "defaulted or optional");
        let shape = schema.model(schema.model_id("shape").unwrap());
        assert_eq!(shape.blocks_create().map(|h| h.column.as_str()), Some("p"));
        let printed = print::print(&schema);
        assert!(
            printed.contains("Unsupported(\"xml\") @default(dbgenerated(\"'<a/>'::xml\"))"),
            "{printed}"
        );
        assert_eq!(
            print::print(&Schema::from_source("p", &printed).unwrap()),
            printed
        );
        assert!(
            error_of("model a {\n  id Int @id\n  x Unsupported(\"xml\") @unique\n}")
                .contains("takes only @map and @default")
        );
    }

    #[test]
    fn enum_mistakes_are_named() {
        let with = |decl: &str, field: &str| {
            error_of(&format!(
                "{decl}\nmodel a {{\n  id String @id\n  {field}\n}}"
            ))
        };
        assert!(
            with("enum Role {\n A\n}", "r Role @default(B)")
                .contains("`B` is not a value of enum `Role`: use one of \"A\"")
        );
        assert!(
            with("enum Role {\n A\n}", "r Role @default(\"A\")")
                .contains("does not fit a Role field")
        );
        assert!(with("enum Role {\n A\n A\n}", "").contains("value `A` appears twice"));
        assert!(with("enum Role {\n}", "").contains("needs at least one value"));
        assert!(with("enum Role {\n A\n}\nenum Role {\n B\n}", "").contains("declared twice"));
        assert!(with("enum a {\n A\n}", "").contains("the name of a model"));
        assert!(
            with("enum Role {\n A @map(\"a\")\n B @map(\"a\")\n}", "")
                .contains("`B` is stored as \"a\", as `A` is")
        );
        assert!(
            with("enum Role {\n A @db(\"a\")\n}", "")
                .contains("`@db` on an enum value is not supported: use `@map(\"…\")`")
        );
        assert!(
            with("enum Role {\n A @map(\"a\")\n}", "r Role[]")
                .contains("lists of `Role` are not supported")
        );
        // Without a datasource listing it, an enum's `@@schema` names no schema.
        assert!(
            with("datasource db {\n  provider = \"postgresql\"\n}\nenum Role {\n A\n @@schema(\"x\")\n}", "")
                .contains("Schema \"x\" is not defined in the datasource")
        );
    }

    #[test]
    fn mistakes_are_named_with_file_line_and_column() {
        let e = error_of("model a {\n  id Strin @id\n}");
        assert_eq!(
            e,
            "schema.prisma:2:6: unknown type `Strin`: use String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json, an enum, a `type` or a model name"
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
        assert!(error_of("view Address {\n A String\n}").contains("not supported"));
        assert!(
            error_of("model a {\n  id String @id\n  @@map(\"_tandem_roles\")\n}")
                .starts_with("schema.prisma:1:7: the table `_tandem_roles` of `a` is reserved")
        );
        assert!(
            error_of("model a {\n  id String @id\n  tags Decimal[]\n}")
                .contains("lists of `Decimal` are not supported")
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
