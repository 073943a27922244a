//! The checked query tree. Every field here was looked up in the schema and every value was
//! read by its field's type; nothing carries request text that could reach SQL except as a
//! bound value.

use std::collections::HashMap;

use crate::schema::policy::Compare;
use crate::schema::{FieldId, ModelId, ScalarType};
use crate::value::Value;

/// Fields a caller may read only on some rows, with the rule saying on which
/// (`Guard::read_masks`): elsewhere they read as NULL.
pub type Masks = HashMap<(ModelId, FieldId), Filter>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

/// Conditions on one scalar column; `insensitive` compares lower-cased (`mode: insensitive`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldFilter {
    pub insensitive: bool,
    pub conds: Vec<Cond>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `= value`, or `IS NULL` for `Value::Null`.
    Eq(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Cmp(CmpOp, Value),
    Between(Value, Value),
    /// A LIKE pattern with `\` escapes (contains/startsWith/endsWith).
    Like(String),
    Not(FieldFilter),
    /// A PostgreSQL text search on a `@fullText` / `@fuzzy` field (`fts`, `fuzzy`).
    Search(Search),
}

/// A text search as ZenStack v3 compiles it on PostgreSQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// `to_tsvector([config,] doc) @@ to_tsquery([config,] query)`: `query` is in
    /// `to_tsquery` syntax (`cat & !dog`); no `config` means the database's
    /// `default_text_search_config`.
    FullText {
        query: String,
        config: Option<String>,
    },
    /// Trigram similarity (`pg_trgm`), case-insensitive, accent-insensitive with `unaccent`.
    /// Without a threshold the `%` / `<%` / `<<%` operators decide (their session thresholds);
    /// with one, `similarity(…) > threshold`.
    Fuzzy {
        term: String,
        mode: FuzzyMode,
        threshold: Option<f64>,
        unaccent: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuzzyMode {
    /// The whole value is like the term (`similarity`).
    Simple,
    /// The term is like a part of the value (`word_similarity`).
    Word,
    /// The term is like whole words of the value (`strict_word_similarity`).
    StrictWord,
}

/// A condition on a Json column (or on the value at `path` inside it).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonCond {
    /// Equal to this JSON value; `null` means no value (SQL NULL).
    Equals(serde_json::Value),
    Not(serde_json::Value),
    /// `equals: JsonNull | DbNull | AnyNull`: the JSON value `null`, no value, or either.
    IsNull(crate::value::NullMarker),
    /// `not: JsonNull | DbNull | AnyNull` (a row without a value is not JSON `null`).
    NotNull(crate::value::NullMarker),
    /// A LIKE pattern over the value's JSON text (quotes included), `\` escapes.
    StringLike(String),
    ArrayContains(serde_json::Value),
    ArrayStartsWith(serde_json::Value),
    ArrayEndsWith(serde_json::Value),
}

/// A filter on a JSON value by the fields of its `type`: each part names a path below the
/// value (or below a list element, inside `List`).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedFilter {
    All(Vec<TypedFilter>),
    Not(Box<TypedFilter>),
    /// The scalar at `path`, filtered as a field of its type.
    Scalar {
        path: Vec<String>,
        ty: ScalarType,
        filter: FieldFilter,
    },
    /// The value at `path` is null or missing (`negated`: it is not); for a value of a
    /// `type` (`json_null`), only the JSON `null` (not a missing one), as in ZenStack.
    Null {
        path: Vec<String>,
        negated: bool,
        json_null: bool,
    },
    /// Some / every / none of the elements of the list at `path` match `inner`.
    List {
        path: Vec<String>,
        quantifier: Quantifier,
        inner: Box<TypedFilter>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Some,
    Every,
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    /// NOT (a AND b AND …)
    Not(Vec<Filter>),
    /// Rows for which (a AND b AND …) is not true: false, or unknown because of a NULL. Access
    /// rules use it where SQL's `NOT` would drop the unknown rows (a deny that cannot be
    /// decided does not deny; a row a rule cannot vouch for is outside it).
    NotTrue(Vec<Filter>),
    Field {
        field: FieldId,
        ty: ScalarType,
        filter: FieldFilter,
    },
    Json {
        field: FieldId,
        /// A JSON path (`$.color` on SQLite, a jsonpath on PostgreSQL).
        path: Option<String>,
        insensitive: bool,
        conds: Vec<JsonCond>,
    },
    /// A to-many relation: some / every / none of the related rows match.
    Many {
        relation: FieldId,
        quantifier: Quantifier,
        filter: Box<Filter>,
    },
    /// A to-one relation: the related row exists and matches (`is`), or it does not
    /// (`isNot`). `filter: None` tests for no related row at all (`is: null`).
    One {
        relation: FieldId,
        negated: bool,
        filter: Option<Box<Filter>>,
    },
    Const(bool),
    /// A typed JSON field filtered by its type's fields (ZenStack v3's typed-JSON filters).
    Typed {
        field: FieldId,
        filter: TypedFilter,
    },
    /// Two scalar columns of the row compared (`a < b`; unknown when either is NULL). Only
    /// access policies produce it.
    Columns {
        left: FieldId,
        op: Compare,
        right: FieldId,
    },
    /// `filter` (a `Field` or `Json` filter of the caller's) on the field as the caller may
    /// see it: its value where `mask` (the field's read rule) holds, NULL elsewhere.
    Masked {
        mask: Box<Filter>,
        filter: Box<Filter>,
    },
}

impl Filter {
    /// `self AND other`; no `other` adds nothing.
    pub fn and(self, other: Option<&Filter>) -> Filter {
        match other {
            Some(other) => Filter::And(vec![self, other.clone()]),
            None => self,
        }
    }

    /// `a AND b`, where a missing filter lets every row through.
    pub fn both(a: Option<Filter>, b: Option<&Filter>) -> Option<Filter> {
        match a {
            Some(a) => Some(a.and(b)),
            None => b.cloned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderItem {
    Field {
        field: FieldId,
        desc: bool,
        nulls: Option<Nulls>,
    },
    /// By a field of a to-one related row; a related row that does not match `visible` (the
    /// caller's read rule) counts as none.
    Relation {
        relation: FieldId,
        inner: Box<OrderItem>,
        visible: Option<Filter>,
    },
    /// By how well the fields match a search (`_ftsRelevance`: `ts_rank` over the fields
    /// joined by spaces; `_fuzzyRelevance`: the greatest similarity of a field). A fuzzy
    /// search here has no threshold.
    Relevance {
        fields: Vec<FieldId>,
        search: Search,
        desc: bool,
    },
    /// By how many rows a to-many relation has (of those matching `visible`, the caller's
    /// read rule).
    Count {
        relation: FieldId,
        desc: bool,
        visible: Option<Filter>,
    },
}

/// What to return for each row of a model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    /// Scalar fields, in schema order.
    pub scalars: Vec<FieldId>,
    pub relations: Vec<(FieldId, ReadArgs)>,
    /// `_count` of to-many relations, each with its own filter.
    pub counts: Vec<(FieldId, Option<Filter>)>,
    /// A delegate model's rows read without `select` show the fields of the sub-model they
    /// are (ZenStack merges them in): each sub-model below with its own scalar fields.
    pub descendants: Vec<(ModelId, Vec<FieldId>)>,
}

/// A read of one model: findMany, and the nested reads of a selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadArgs {
    pub model: ModelId,
    pub filter: Option<Filter>,
    pub order_by: Vec<OrderItem>,
    pub skip: u64,
    /// Negative takes read backwards from the end.
    pub take: Option<i64>,
    pub cursor: Option<Filter>,
    pub distinct: Vec<FieldId>,
    pub selection: Selection,
}

impl ReadArgs {
    pub fn all(model: ModelId, selection: Selection) -> Self {
        Self {
            model,
            filter: None,
            order_by: Vec::new(),
            skip: 0,
            take: None,
            cursor: None,
            distinct: Vec::new(),
            selection,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl AggregateFn {
    /// Every aggregate, in the order ZenStack answers them.
    pub const ALL: [Self; 5] = [Self::Count, Self::Sum, Self::Avg, Self::Min, Self::Max];

    /// The aggregate a request key (`_count`, `_sum`, …) names.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Count => "_count",
            Self::Sum => "_sum",
            Self::Avg => "_avg",
            Self::Min => "_min",
            Self::Max => "_max",
        }
    }
}

/// One requested aggregate: `_count: {_all: true}` has `field: None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub function: AggregateFn,
    pub field: Option<FieldId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CountShape {
    /// `count()` → a number.
    Number,
    /// `count({select: {_all, field…}})` → an object.
    Fields(Vec<Option<FieldId>>),
}

/// aggregate / groupBy output: `_count: true` answers a number instead of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSpec {
    pub items: Vec<Aggregate>,
    pub count_as_number: bool,
}

/// A condition on a group (`having`).
#[derive(Debug, Clone, PartialEq)]
pub enum Having {
    And(Vec<Having>),
    Or(Vec<Having>),
    Not(Vec<Having>),
    /// On a `by` field itself.
    Field {
        field: FieldId,
        ty: ScalarType,
        filter: FieldFilter,
    },
    /// On an aggregate of a field.
    Aggregate {
        aggregate: Aggregate,
        ty: ScalarType,
        filter: FieldFilter,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum GroupOrder {
    Field {
        field: FieldId,
        desc: bool,
        nulls: Option<Nulls>,
    },
    Aggregate {
        aggregate: Aggregate,
        desc: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum UpdateOp {
    Set(Value),
    Increment(Value),
    Decrement(Value),
    Multiply(Value),
    Divide(Value),
    /// A scalar list's `push`: these elements (a JSON list) appended.
    Push(Value),
}

/// Data for one new row.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateData {
    pub model: ModelId,
    pub scalars: Vec<(FieldId, Value)>,
    pub relations: Vec<(FieldId, Vec<RelationWrite>)>,
}

/// Changes to existing rows.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateData {
    pub model: ModelId,
    pub scalars: Vec<(FieldId, UpdateOp)>,
    pub relations: Vec<(FieldId, Vec<RelationWrite>)>,
}

impl UpdateData {
    pub fn is_empty(&self) -> bool {
        self.scalars.is_empty() && self.relations.is_empty()
    }
}

/// A nested write through a relation field. `Filter`s named `unique` identify one row.
#[derive(Debug, Clone, PartialEq)]
pub enum RelationWrite {
    Create(CreateData),
    CreateMany {
        data: Vec<CreateData>,
        skip_duplicates: bool,
    },
    Connect(Filter),
    ConnectOrCreate {
        unique: Filter,
        create: CreateData,
    },
    /// To-many: replace all related rows with these.
    Set(Vec<Filter>),
    /// To-many: these rows; to-one: the current one (if it matches the filter).
    Disconnect(Option<Filter>),
    Update {
        filter: Option<Filter>,
        data: UpdateData,
    },
    UpdateMany {
        filter: Option<Filter>,
        data: UpdateData,
    },
    Upsert {
        unique: Option<Filter>,
        create: CreateData,
        update: UpdateData,
    },
    Delete(Option<Filter>),
    DeleteMany(Option<Filter>),
}

/// A parsed operation, ready for the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    FindMany(ReadArgs),
    /// findFirst and findUnique: at most one row, `null` when none.
    FindOne(ReadArgs),
    Exists(ReadArgs),
    Count {
        args: ReadArgs,
        shape: CountShape,
    },
    Aggregate {
        args: ReadArgs,
        spec: AggregateSpec,
    },
    GroupBy {
        model: ModelId,
        by: Vec<FieldId>,
        filter: Option<Filter>,
        having: Option<Having>,
        order_by: Vec<GroupOrder>,
        skip: u64,
        take: Option<i64>,
        spec: AggregateSpec,
    },
    Create {
        data: CreateData,
        selection: Selection,
    },
    CreateMany {
        data: Vec<CreateData>,
        skip_duplicates: bool,
        /// `createManyAndReturn`: the created rows with this selection.
        returning: Option<Selection>,
    },
    Update {
        unique: Filter,
        data: UpdateData,
        selection: Selection,
    },
    UpdateMany {
        filter: Option<Filter>,
        data: UpdateData,
        limit: Option<u64>,
        returning: Option<Selection>,
    },
    Upsert {
        unique: Filter,
        create: CreateData,
        update: UpdateData,
        selection: Selection,
    },
    Delete {
        unique: Filter,
        selection: Selection,
    },
    DeleteMany {
        filter: Option<Filter>,
        limit: Option<u64>,
    },
}

impl Operation {
    /// What the operation does, for logs (`findOne` stands for findFirst and findUnique).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::FindMany(_) => "findMany",
            Self::FindOne(_) => "findOne",
            Self::Exists(_) => "exists",
            Self::Count { .. } => "count",
            Self::Aggregate { .. } => "aggregate",
            Self::GroupBy { .. } => "groupBy",
            Self::Create { .. } => "create",
            Self::CreateMany { .. } => "createMany",
            Self::Update { .. } => "update",
            Self::UpdateMany { .. } => "updateMany",
            Self::Upsert { .. } => "upsert",
            Self::Delete { .. } => "delete",
            Self::DeleteMany { .. } => "deleteMany",
        }
    }
}
