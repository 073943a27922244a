//! The checked query tree → sea-query expressions, per dialect. Values are always bound
//! parameters; identifiers come from the schema, never from the request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_query::extension::postgres::PgBinOper;
use sea_query::{Alias, Cond, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement, SimpleExpr};
use tandem_sql::Dialect;

use crate::error::{BaasError, BaasResult};
use crate::query::ast::{CmpOp, Cond as C, FieldFilter, Filter, Masks, Quantifier};
use crate::schema::policy::Compare;
use crate::schema::{FieldId, Model, ModelId, Relation, ScalarType, Schema};
use crate::value::{NullMarker, Value};

pub struct Compiler<'s> {
    pub schema: &'s Schema,
    pub dialect: Dialect,
    aliases: AtomicUsize,
    /// The caller's field read rules: what `visible` columns show (none for the super
    /// admin, and for the lookups writes make).
    masks: Option<Arc<Masks>>,
}

pub fn always(b: bool) -> SimpleExpr {
    Expr::cust(if b { "1 = 1" } else { "1 = 0" })
}

impl<'s> Compiler<'s> {
    pub fn new(schema: &'s Schema, dialect: Dialect) -> Self {
        Self {
            schema,
            dialect,
            aliases: AtomicUsize::new(0),
            masks: None,
        }
    }

    /// A compiler whose `visible` columns show what `masks` let the caller see.
    pub fn masked(schema: &'s Schema, dialect: Dialect, masks: Arc<Masks>) -> Self {
        Self {
            masks: (!masks.is_empty()).then_some(masks),
            ..Self::new(schema, dialect)
        }
    }

    /// Whether `field` of `model` reads as NULL on some rows for this caller.
    pub fn is_masked(&self, model: ModelId, field: FieldId) -> bool {
        self.masks
            .as_ref()
            .is_some_and(|m| m.contains_key(&(model, field)))
    }

    /// The refusal of grouping or `distinct` on hidden fields on PostgreSQL, where each copy
    /// of the masking expression carries its own parameters, so the database cannot tell they
    /// are the same expression.
    pub fn refuse_masked(&self, model: ModelId, fields: &[FieldId], what: &str) -> BaasResult<()> {
        // A mask decided before SQL (`CASE WHEN 1 = 0 …`) has no parameters and is fine.
        let parametrised = |f: &FieldId| {
            self.masks
                .as_ref()
                .and_then(|m| m.get(&(model, *f)))
                .is_some_and(|mask| !matches!(mask, Filter::Const(_)))
        };
        match fields.iter().find(|f| parametrised(f)) {
            Some(f) if self.dialect == Dialect::Postgres => Err(BaasError::NotSupported(format!(
                "{what} `{}`, a field that field-level policies hide from this caller on some rows, is not supported on PostgreSQL yet",
                self.model(model).fields[*f].name
            ))),
            _ => Ok(()),
        }
    }

    /// Whether some field reads as NULL on some rows for this caller.
    pub fn hides_fields(&self) -> bool {
        self.masks.is_some()
    }

    /// The column as the caller sees it: NULL on the rows where a field read rule hides it
    /// (`CASE WHEN <rule> THEN col END`).
    pub fn visible(&self, model: ModelId, alias: &str, field: FieldId) -> SimpleExpr {
        let col = self.column(model, alias, field);
        match self.masks.as_ref().and_then(|m| m.get(&(model, field))) {
            Some(mask) => self.masked_column(model, alias, mask, col),
            None => col,
        }
    }

    /// What ORDER BY sorts a field by: its visible column, except that on PostgreSQL an
    /// enum sorts in the order its values are declared, as the native enum ZenStack creates
    /// there does (`CASE col WHEN 'A' THEN 0 …`); SQLite sorts the text, as ZenStack there.
    pub fn ordered(&self, model: ModelId, alias: &str, field: FieldId) -> SimpleExpr {
        let col = self.visible(model, alias, field);
        match (self.dialect, self.model(model).fields[field].scalar()) {
            (Dialect::Postgres, Some(ScalarType::Enum(id))) => self.enum_rank(id, col),
            _ => col,
        }
    }

    /// An enum value's position among its declared values (NULL stays NULL).
    pub fn enum_rank(&self, id: crate::schema::EnumId, value: SimpleExpr) -> SimpleExpr {
        let mut case = sea_query::CaseStatement::new();
        for (rank, v) in self.schema.enums[id].stored.iter().enumerate() {
            case = case.case(value.clone().eq(v.as_str()), Expr::val(rank as i64));
        }
        case.into()
    }

    /// The enum value at `rank` (NULL when it is NULL).
    pub fn enum_at_rank(&self, id: crate::schema::EnumId, rank: SimpleExpr) -> SimpleExpr {
        let mut case = sea_query::CaseStatement::new();
        for (i, v) in self.schema.enums[id].values.iter().enumerate() {
            case = case.case(rank.clone().eq(i as i64), Expr::val(v.as_str()));
        }
        case.into()
    }

    fn masked_column(
        &self,
        model: ModelId,
        alias: &str,
        mask: &Filter,
        col: SimpleExpr,
    ) -> SimpleExpr {
        sea_query::CaseStatement::new()
            .case(self.filter(model, alias, mask), col)
            .into()
    }

    /// A fresh table alias (`t1`, `t2`, …).
    pub fn alias(&self) -> String {
        let n = self.aliases.fetch_add(1, Ordering::Relaxed) + 1;
        format!("t{n}")
    }

    pub fn model(&self, id: ModelId) -> &'s Model {
        self.schema.model(id)
    }

    /// A field's column under `alias`; a scalar list's as JSON (`to_jsonb`), which is how the
    /// API reads, filters and compares it.
    pub fn column(&self, model: ModelId, alias: &str, field: FieldId) -> SimpleExpr {
        let f = &self.model(model).fields[field];
        let col: SimpleExpr = Expr::col((Alias::new(alias), Alias::new(f.column.as_str()))).into();
        json_if_list(f, col)
    }

    /// A field's stored value (`col`, read from wherever the statement holds it) as read back:
    /// a scalar list as JSON, otherwise `readable`.
    pub fn read_stored(&self, field: &crate::schema::Field, col: SimpleExpr) -> SimpleExpr {
        match field.list_of {
            Some(_) => json_if_list(field, col),
            None => self.readable(col, field.scalar()),
        }
    }

    /// A scalar list's value for its array column (PostgreSQL): the JSON list bound as one
    /// parameter, made an array of the element type.
    pub fn list_value(&self, element: ScalarType, value: &Value) -> SimpleExpr {
        let array_type = match element {
            ScalarType::Int => "INTEGER[]",
            ScalarType::Float => "DOUBLE PRECISION[]",
            ScalarType::Boolean => "BOOLEAN[]",
            _ => "TEXT[]",
        };
        match value {
            Value::Json(list) => Expr::cust_with_exprs(
                format!("ARRAY(SELECT jsonb_array_elements_text($1))::{array_type}"),
                [Expr::val(sea_query::Value::Json(Some(Box::new(list.clone())))).into()],
            ),
            _ => Expr::cust(format!("NULL::{array_type}")),
        }
    }

    /// The column as read back (as the caller sees it): PostgreSQL's NUMERIC is read as text,
    /// so no precision is lost; an enum stored under `@map`ped texts reads as its values' names.
    pub fn read_column(&self, model: ModelId, alias: &str, field: FieldId) -> SimpleExpr {
        self.readable(
            self.visible(model, alias, field),
            self.model(model).fields[field].scalar(),
        )
    }

    /// A stored value of type `ty` as read back (see `read_column`).
    pub fn readable(&self, col: SimpleExpr, ty: Option<ScalarType>) -> SimpleExpr {
        match (self.dialect, ty) {
            (Dialect::Postgres, Some(ScalarType::Decimal)) => col.cast_as(Alias::new("text")),
            (_, Some(ScalarType::Enum(id))) if self.schema.enums[id].is_mapped() => {
                let mut case = sea_query::CaseStatement::new();
                let declared = &self.schema.enums[id];
                for (name, stored) in declared.values.iter().zip(&declared.stored) {
                    case = case.case(col.clone().eq(stored.as_str()), Expr::val(name.as_str()));
                }
                case.finally(col).into()
            }
            _ => col,
        }
    }

    /// A bound value for a column of type `ty`.
    pub fn value(&self, value: &Value, ty: ScalarType) -> SimpleExpr {
        // An enum value is stored as its `@map`ped text.
        if let (ScalarType::Enum(id), Value::String(name)) = (ty, value)
            && self.schema.enums[id].is_mapped()
        {
            let stored = Value::String(self.schema.enums[id].stored_of(name).to_owned());
            return Expr::val(stored.to_sql(ty, self.dialect)).into();
        }
        let bound: SimpleExpr = Expr::val(value.to_sql(ty, self.dialect)).into();
        match (self.dialect, ty) {
            // Bound as text (nulls too), so PostgreSQL needs the cast to NUMERIC.
            (Dialect::Postgres, ScalarType::Decimal) => bound.cast_as(Alias::new("decimal")),
            _ => bound,
        }
    }

    /// `parent.local = child.foreign` for every key column of the relation.
    pub fn link(
        &self,
        parent_model: ModelId,
        parent_alias: &str,
        relation: &Relation,
        child_alias: &str,
    ) -> SimpleExpr {
        if let Some(join) = &relation.join {
            // A pair in the join table: EXISTS (SELECT 1 FROM _AToB j WHERE j.this = parent.id
            // AND j.other = child.id).
            let j = self.alias();
            let mut pair = Query::select();
            pair.expr(Expr::val(1))
                .from_as(Alias::new(join.table.as_str()), Alias::new(j.as_str()))
                .and_where(
                    Expr::col((
                        Alias::new(j.as_str()),
                        Alias::new(join.this_column.as_str()),
                    ))
                    .eq(self.column(
                        parent_model,
                        parent_alias,
                        relation.local[0],
                    )),
                )
                .and_where(
                    Expr::col((
                        Alias::new(j.as_str()),
                        Alias::new(join.other_column.as_str()),
                    ))
                    .eq(Expr::col((
                        Alias::new(child_alias),
                        Alias::new(
                            self.model(relation.target).fields[relation.foreign[0]]
                                .column
                                .as_str(),
                        ),
                    ))),
                );
            return Expr::exists(pair);
        }
        let mut cond = Cond::all();
        for (local, foreign) in relation.local.iter().zip(&relation.foreign) {
            cond = cond.add(
                self.column(parent_model, parent_alias, *local)
                    .eq(Expr::col((
                        Alias::new(child_alias),
                        Alias::new(self.model(relation.target).fields[*foreign].column.as_str()),
                    ))),
            );
        }
        cond.into()
    }

    pub fn relation(&self, model: ModelId, field: FieldId) -> &'s Relation {
        match self.model(model).fields[field].relation() {
            Some(r) => r,
            None => unreachable_relation(),
        }
    }

    pub fn filter(&self, model: ModelId, alias: &str, filter: &Filter) -> SimpleExpr {
        match filter {
            Filter::Const(b) => always(*b),
            Filter::And(parts) => {
                if parts.is_empty() {
                    return always(true);
                }
                parts
                    .iter()
                    .fold(Cond::all(), |c, p| c.add(self.filter(model, alias, p)))
                    .into()
            }
            Filter::Or(parts) => {
                if parts.is_empty() {
                    return always(false);
                }
                parts
                    .iter()
                    .fold(Cond::any(), |c, p| c.add(self.filter(model, alias, p)))
                    .into()
            }
            Filter::Not(parts) => {
                // `NOT: []` filters nothing, as in ZenStack.
                if parts.is_empty() {
                    return always(true);
                }
                let inner: SimpleExpr = {
                    parts
                        .iter()
                        .fold(Cond::all(), |c, p| c.add(self.filter(model, alias, p)))
                        .into()
                };
                inner.not()
            }
            Filter::NotTrue(parts) => {
                let inner: SimpleExpr = parts
                    .iter()
                    .fold(Cond::all(), |c, p| c.add(self.filter(model, alias, p)))
                    .into();
                SimpleExpr::from(Func::coalesce([inner, always(false)])).not()
            }
            Filter::Json {
                field,
                path,
                insensitive,
                conds,
            } => self.json_filter(
                self.column(model, alias, *field),
                path.as_deref(),
                *insensitive,
                conds,
            ),
            Filter::Field { field, ty, filter } => {
                self.field_filter(self.column(model, alias, *field), *ty, filter)
            }
            Filter::Typed { field, filter } => {
                self.typed_filter(self.column(model, alias, *field), filter)
            }
            Filter::Columns { left, op, right } => {
                let (l, r) = (
                    self.column(model, alias, *left),
                    self.column(model, alias, *right),
                );
                match op {
                    Compare::Eq => l.eq(r),
                    Compare::Ne => l.ne(r),
                    Compare::Lt => l.lt(r),
                    Compare::Le => l.lte(r),
                    Compare::Gt => l.gt(r),
                    Compare::Ge => l.gte(r),
                    Compare::In => l.is_in([r]),
                }
            }
            Filter::Masked { mask, filter } => match filter.as_ref() {
                Filter::Field { field, ty, filter } => {
                    let col = self.column(model, alias, *field);
                    self.field_filter(self.masked_column(model, alias, mask, col), *ty, filter)
                }
                Filter::Json {
                    field,
                    path,
                    insensitive,
                    conds,
                } => {
                    let col = self.column(model, alias, *field);
                    self.json_filter(
                        self.masked_column(model, alias, mask, col),
                        path.as_deref(),
                        *insensitive,
                        conds,
                    )
                }
                Filter::Typed { field, filter } => {
                    let col = self.column(model, alias, *field);
                    self.typed_filter(self.masked_column(model, alias, mask, col), filter)
                }
                // Only field filters are masked (`query::access`).
                other => self.filter(model, alias, other),
            },
            Filter::Many {
                relation,
                quantifier,
                filter,
            } => {
                let r = self.relation(model, *relation);
                let child = self.alias();
                let inner = self.filter(r.target, &child, filter);
                let matching = match quantifier {
                    Quantifier::Every => inner.not(),
                    _ => inner,
                };
                let sub = self.related(model, alias, r, &child, Some(matching));
                match quantifier {
                    Quantifier::Some => Expr::exists(sub),
                    Quantifier::Every | Quantifier::None => Expr::exists(sub).not(),
                }
            }
            Filter::One {
                relation,
                negated,
                filter,
            } => {
                let r = self.relation(model, *relation);
                match filter {
                    None if r.owner => r
                        .local
                        .iter()
                        .fold(Cond::all(), |c, f| {
                            c.add(self.column(model, alias, *f).is_null())
                        })
                        .into(),
                    None => {
                        let child = self.alias();
                        Expr::exists(self.related(model, alias, r, &child, None)).not()
                    }
                    Some(f) => {
                        let child = self.alias();
                        let inner = self.filter(r.target, &child, f);
                        let exists =
                            Expr::exists(self.related(model, alias, r, &child, Some(inner)));
                        if *negated { exists.not() } else { exists }
                    }
                }
            }
        }
    }

    /// `SELECT 1 FROM target AS child WHERE link AND extra`.
    pub fn related(
        &self,
        model: ModelId,
        alias: &str,
        relation: &Relation,
        child: &str,
        extra: Option<SimpleExpr>,
    ) -> SelectStatement {
        let mut sub = Query::select();
        sub.expr(Expr::val(1))
            .from(self.table_ref(relation.target, child))
            .and_where(self.link(model, alias, relation, child));
        if let Some(extra) = extra {
            sub.and_where(extra);
        }
        sub
    }

    pub fn field_filter(
        &self,
        column: SimpleExpr,
        ty: ScalarType,
        filter: &FieldFilter,
    ) -> SimpleExpr {
        let insensitive = filter.insensitive && ty == ScalarType::String;
        let lhs = if insensitive {
            SimpleExpr::FunctionCall(Func::lower(column.clone()))
        } else {
            column.clone()
        };
        let rhs = |v: &Value| -> SimpleExpr {
            let bound = self.value(v, ty);
            if insensitive {
                SimpleExpr::FunctionCall(Func::lower(bound))
            } else {
                bound
            }
        };
        let mut cond = Cond::all();
        for c in &filter.conds {
            cond = cond.add(match c {
                C::Eq(Value::Null) => lhs.clone().is_null(),
                C::Eq(v) => lhs.clone().eq(rhs(v)),
                C::In(values) if values.is_empty() => always(false),
                C::In(values) => lhs.clone().is_in(values.iter().map(rhs)),
                C::NotIn(values) if values.is_empty() => always(true),
                C::NotIn(values) => lhs.clone().is_in(values.iter().map(rhs)).not(),
                C::Cmp(op, v) => {
                    let r = rhs(v);
                    match op {
                        CmpOp::Lt => lhs.clone().lt(r),
                        CmpOp::Lte => lhs.clone().lte(r),
                        CmpOp::Gt => lhs.clone().gt(r),
                        CmpOp::Gte => lhs.clone().gte(r),
                    }
                }
                C::Between(a, b) => lhs.clone().gte(rhs(a)).and(lhs.clone().lte(rhs(b))),
                C::Like(pattern) => self.like(column.clone(), pattern, filter.insensitive),
                C::Not(inner) => self.field_filter(column.clone(), ty, inner).not(),
                C::Search(search) => self.search_match(column.clone(), search),
            });
        }
        if filter.conds.is_empty() {
            return always(true);
        }
        cond.into()
    }

    /// A typed JSON value (`doc`) filtered by its type's fields: each scalar read at its path
    /// as its type (`json_extract` on SQLite; `#>>` cast on PostgreSQL), lists through their
    /// elements (`json_each` / `jsonb_array_elements`).
    fn typed_filter(&self, doc: SimpleExpr, filter: &crate::query::ast::TypedFilter) -> SimpleExpr {
        use crate::query::ast::TypedFilter as T;
        let postgres = self.dialect == Dialect::Postgres;
        // SQL over `doc` and a path below it: PostgreSQL's template takes them as `$1` and `$2`
        // (the path as `text[]`), SQLite's as `?` pairs (the path as `$."a"."b"`).
        let at_path = |postgres_sql: &str, sqlite_sql: &str, path: &[String]| -> SimpleExpr {
            if postgres {
                Expr::cust_with_exprs(
                    postgres_sql,
                    [
                        doc.clone(),
                        Expr::val(format!("{{{}}}", path.join(","))).into(),
                    ],
                )
            } else {
                let pair: [SimpleExpr; 2] = [doc.clone(), Expr::val(sqlite_path(path)).into()];
                let args: Vec<SimpleExpr> = pair
                    .iter()
                    .cycle()
                    .take(sqlite_sql.matches('?').count())
                    .cloned()
                    .collect();
                Expr::cust_with_exprs(sqlite_sql, args)
            }
        };
        // The value at `path` as SQL: text or number on SQLite, text on PostgreSQL.
        let at_text =
            |path: &[String]| at_path("($1 #>> CAST($2 AS text[]))", "json_extract(?, ?)", path);
        match filter {
            T::All(parts) => parts
                .iter()
                .fold(Cond::all(), |c, p| c.add(self.typed_filter(doc.clone(), p)))
                .into(),
            T::Not(inner) => self.typed_filter(doc, inner).not(),
            T::Null {
                path,
                negated,
                json_null,
            } => {
                let is_null = if *json_null {
                    // The JSON `null` itself, not a missing value.
                    at_path(
                        "(($1 #> CAST($2 AS text[])) = 'null'::jsonb)",
                        "(json_type(?, ?) = 'null')",
                        path,
                    )
                } else {
                    at_text(path).is_null()
                };
                if *negated { is_null.not() } else { is_null }
            }
            T::Scalar { path, ty, filter } => {
                let value = at_text(path);
                let value = match (postgres, ty) {
                    (
                        true,
                        ScalarType::Int
                        | ScalarType::BigInt
                        | ScalarType::Float
                        | ScalarType::Decimal,
                    ) => value.cast_as(Alias::new("double precision")),
                    (true, ScalarType::Boolean) => value.cast_as(Alias::new("boolean")),
                    (true, ScalarType::DateTime) => value.cast_as(Alias::new("timestamp")),
                    _ => value,
                };
                self.field_filter(value, *ty, filter)
            }
            T::List {
                path,
                quantifier,
                inner,
            } => {
                // The list's elements as rows (none when the value is not a list).
                let e = self.alias();
                let source = at_path(
                    "jsonb_array_elements(CASE WHEN jsonb_typeof($1 #> CAST($2 AS text[])) = 'array' THEN $1 #> CAST($2 AS text[]) ELSE '[]'::jsonb END)",
                    "json_each(CASE WHEN json_type(?, ?) = 'array' THEN json_extract(?, ?) ELSE '[]' END)",
                    path,
                );
                let element = Expr::col((Alias::new(e.as_str()), Alias::new("value")));
                let matches = self.typed_filter(element.into(), inner);
                let test = match quantifier {
                    Quantifier::Every => {
                        SimpleExpr::from(Func::coalesce([matches, always(false)])).not()
                    }
                    _ => matches,
                };
                let exists = Expr::cust_with_exprs(
                    format!(
                        "EXISTS (SELECT 1 FROM {} AS \"{e}\" WHERE {})",
                        if postgres { "$1" } else { "?" },
                        if postgres { "$2" } else { "?" }
                    ),
                    [source, test],
                );
                match quantifier {
                    Quantifier::Some => exists,
                    _ => exists.not(),
                }
            }
        }
    }

    /// A Json column's filter, as ZenStack compiles it per dialect.
    fn json_filter(
        &self,
        column: SimpleExpr,
        path: Option<&str>,
        insensitive: bool,
        conds: &[crate::query::ast::JsonCond],
    ) -> SimpleExpr {
        use crate::query::ast::JsonCond as J;
        let postgres = self.dialect == Dialect::Postgres;
        let receiver = match (path, postgres) {
            (None, _) => column,
            // Custom SQL: SQLite's placeholder is `?` (in order), PostgreSQL's `$n`.
            (Some(p), false) => Expr::cust_with_exprs("(? -> ?)", [column, Expr::val(p).into()]),
            (Some(p), true) => Expr::cust_with_exprs(
                "jsonb_path_query_first($1, CAST($2 AS jsonpath))",
                [column, Expr::val(p).into()],
            ),
        };
        let json_value = |v: &serde_json::Value| -> SimpleExpr {
            match self.dialect {
                Dialect::Sqlite => Expr::val(v.to_string()).into(),
                Dialect::Postgres => {
                    Expr::val(sea_query::Value::Json(Some(Box::new(v.clone())))).into()
                }
            }
        };
        let equals = |v: &serde_json::Value| -> SimpleExpr {
            if v.is_null() {
                receiver.clone().is_null()
            } else {
                receiver.clone().eq(json_value(v))
            }
        };
        // The JSON value `null` (not a missing value).
        let json_null = || receiver.clone().eq(json_value(&serde_json::Value::Null));
        let mut cond = Cond::all();
        for c in conds {
            cond = cond.add(match c {
                J::Equals(v) => equals(v),
                J::Not(v) => equals(v).not(),
                J::IsNull(NullMarker::Json) => json_null(),
                J::IsNull(NullMarker::Db) => receiver.clone().is_null(),
                J::IsNull(NullMarker::Any) => receiver.clone().is_null().or(json_null()),
                J::NotNull(NullMarker::Json) => receiver.clone().is_null().or(json_null().not()),
                J::NotNull(NullMarker::Db) => receiver.clone().is_not_null(),
                J::NotNull(NullMarker::Any) => {
                    receiver.clone().is_not_null().and(json_null().not())
                }
                J::StringLike(pattern) => {
                    let text = receiver.clone().cast_as(Alias::new("text"));
                    match (postgres, insensitive) {
                        (true, true) => text.binary(PgBinOper::ILike, Expr::val(pattern.as_str())),
                        _ => text.like(LikeExpr::new(pattern.as_str()).escape('\\')),
                    }
                }
                J::ArrayContains(v) => {
                    if postgres {
                        let list = if v.is_array() {
                            v.clone()
                        } else {
                            serde_json::Value::Array(vec![v.clone()])
                        };
                        Expr::cust_with_exprs("($1 @> $2)", [receiver.clone(), json_value(&list)])
                    } else {
                        Expr::cust_with_exprs(
                            "EXISTS (SELECT 1 FROM json_each(?) WHERE value = ?)",
                            [receiver.clone(), self.sqlite_scalar(v)],
                        )
                    }
                }
                J::ArrayStartsWith(v) => {
                    if postgres {
                        Expr::cust_with_exprs("jsonb_extract_path($1, '0')", [receiver.clone()])
                            .eq(json_value(v))
                    } else {
                        Expr::cust_with_exprs("json_extract(?, '$[0]')", [receiver.clone()])
                            .eq(self.sqlite_scalar(v))
                    }
                }
                J::ArrayEndsWith(v) => {
                    if postgres {
                        Expr::cust_with_exprs(
                            "jsonb_extract_path($1, (jsonb_array_length($2) - 1)::text)",
                            [receiver.clone(), receiver.clone()],
                        )
                        .eq(json_value(v))
                    } else {
                        Expr::cust_with_exprs(
                            "json_extract(?, '$[' || (json_array_length(?) - 1) || ']')",
                            [receiver.clone(), receiver.clone()],
                        )
                        .eq(self.sqlite_scalar(v))
                    }
                }
            });
        }
        cond.into()
    }

    /// A JSON scalar as SQLite's JSON functions return it (numbers and strings unquoted).
    fn sqlite_scalar(&self, v: &serde_json::Value) -> SimpleExpr {
        match v {
            serde_json::Value::String(s) => Expr::val(s.as_str()).into(),
            serde_json::Value::Bool(b) => Expr::val(i64::from(*b)).into(),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Expr::val(i).into(),
                None => Expr::val(n.as_f64().unwrap_or_default()).into(),
            },
            other => Expr::val(other.to_string()).into(),
        }
    }

    /// `LIKE pattern ESCAPE '\'`; ILIKE on PostgreSQL for `mode: insensitive` (whose default
    /// escape character is `\` already). SQLite's LIKE ignores ASCII case, as with ZenStack
    /// on SQLite.
    fn like(&self, column: SimpleExpr, pattern: &str, insensitive: bool) -> SimpleExpr {
        match (self.dialect, insensitive) {
            (Dialect::Postgres, true) => column.binary(PgBinOper::ILike, Expr::val(pattern)),
            _ => column.like(LikeExpr::new(pattern).escape('\\')),
        }
    }
}

/// A scalar list's array column as JSON (`to_jsonb`), how the API reads, filters and compares
/// it; any other column as it is.
fn json_if_list(field: &crate::schema::Field, col: SimpleExpr) -> SimpleExpr {
    match field.list_of {
        Some(_) => Func::cust(Alias::new("to_jsonb")).arg(col).into(),
        None => col,
    }
}

/// A JSON path for SQLite's JSON functions (`$.a.b`); the names are a `type`'s field names.
fn sqlite_path(path: &[String]) -> String {
    let mut out = String::from("$");
    for part in path {
        out.push_str(&format!(".\"{}\"", part.replace('"', "")));
    }
    out
}

fn unreachable_relation() -> ! {
    // The parser only builds relation filters for relation fields.
    unreachable!("a relation filter names a scalar field")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::Parser;
    use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    fn compile(dialect: Dialect, where_json: serde_json::Value) -> (String, String) {
        let schema = Schema::from_source("s", crate::schema::tests_support::LIBRARY).unwrap();
        let book = schema.model_id("book").unwrap();
        let parser = Parser {
            schema: &schema,
            postgres: true,
        };
        let filter = parser.filter(book, &where_json, "where", 0).unwrap();
        let compiler = Compiler::new(&schema, dialect);
        let select = Query::select()
            .expr(Expr::val(1))
            .from_as(Alias::new("book"), Alias::new("t0"))
            .and_where(compiler.filter(book, "t0", &filter))
            .to_owned();
        let (sql, values) = match dialect {
            Dialect::Sqlite => select.build(SqliteQueryBuilder),
            Dialect::Postgres => select.build(PostgresQueryBuilder),
        };
        (sql, format!("{values:?}"))
    }

    #[test]
    fn request_text_only_ever_becomes_a_parameter() {
        let evil = "x'); DROP TABLE book; --";
        let (sql, values) = compile(
            Dialect::Sqlite,
            serde_json::json!({"title": {"contains": evil}, "author": {"email": evil}}),
        );
        assert!(!sql.contains("DROP"), "{sql}");
        assert!(values.contains("DROP"));
        let (sql, _) = compile(
            Dialect::Postgres,
            serde_json::json!({"title": {"contains": evil, "mode": "insensitive"}}),
        );
        assert!(!sql.contains("DROP") && sql.contains("ILIKE"), "{sql}");
    }

    #[test]
    fn relation_filters_become_exists_subqueries() {
        let (sql, _) = compile(
            Dialect::Sqlite,
            serde_json::json!({"chapters": {"every": {"position": {"gt": 0}}}}),
        );
        assert!(sql.contains("NOT EXISTS"), "{sql}");
        let (sql, _) = compile(Dialect::Sqlite, serde_json::json!({"author": {"is": null}}));
        assert!(sql.contains("\"author_id\" IS NULL"), "{sql}");
    }
}
