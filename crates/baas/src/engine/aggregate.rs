//! count, aggregate and groupBy: aggregates over the rows a read selects (respecting its
//! order, cursor, skip and take), typed as ZenStack types them.

use sea_query::{Alias, Asterisk, Cond, Expr, Func, Order, Query, SimpleExpr};
use serde_json::{Map, Value as Json};
use tandem_sql::Dialect;

use super::read::Reader;
use super::sql::Compiler;
use crate::error::BaasResult;
use crate::exec::Exec;
use crate::query::ast::{
    Aggregate, AggregateFn, AggregateSpec, CountShape, GroupOrder, Having, Operation, ReadArgs,
    Selection,
};
use crate::schema::{FieldId, ModelId, ScalarType};
use crate::value::{Annotations, Value, decode_rows};

/// The type an aggregate's result has.
/// How an aggregate's result column is decoded.
fn result_type(function: AggregateFn, field: Option<ScalarType>) -> ScalarType {
    match (function, field) {
        (AggregateFn::Count, _) | (_, None) => ScalarType::BigInt,
        (AggregateFn::Avg, Some(_)) => ScalarType::Float,
        // min/max of a boolean: SQLite answers 0/1 (PostgreSQL refuses the statement).
        (_, Some(ScalarType::Boolean)) => ScalarType::Int,
        (_, Some(t)) => t,
    }
}

/// An aggregate's JSON as ZenStack answers it: numbers for averages and for decimal sums,
/// minimums and maximums; big integers annotated only on PostgreSQL (SQLite's driver reads
/// them as numbers); dates annotated only on PostgreSQL (SQLite answers the stored text).
fn aggregate_json(
    dialect: Dialect,
    function: AggregateFn,
    field: Option<ScalarType>,
    value: &Value,
) -> (Json, Option<&'static str>) {
    let number = |v: &Value| match v {
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Decimal(d) => d
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, |n| {
                // Integral decimals read as integers, as JavaScript prints them.
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map_or(Json::Number(n), |f| Json::from(f as i64))
            }),
        _ => Json::Null,
    };
    if value.is_null() {
        return (Json::Null, None);
    }
    match (function, field, dialect) {
        (AggregateFn::Count, _, _) => (number(value), None),
        (AggregateFn::Avg, _, _) | (_, Some(ScalarType::Decimal), _) => {
            (crate::value::integral(number(value)), None)
        }
        (_, Some(ScalarType::BigInt), Dialect::Sqlite) => (number(value), None),
        (_, Some(ScalarType::Boolean), _) => (number(value), None),
        (_, Some(ScalarType::DateTime), Dialect::Sqlite) => match value {
            Value::DateTime(at) => (Json::String(crate::value::iso(at)), None),
            Value::String(s) => (Json::String(s.clone()), None),
            other => other.to_json(ScalarType::DateTime),
        },
        (_, ty, _) => value.to_json(ty.unwrap_or(ScalarType::String)),
    }
}

fn field_type(reader: &Reader<'_>, model: ModelId, field: Option<FieldId>) -> Option<ScalarType> {
    field.and_then(|f| reader.c.model(model).fields[f].scalar())
}

/// The SQL of one aggregate over `column`, cast on PostgreSQL so every result decodes.
fn aggregate_expr(
    c: &Compiler<'_>,
    aggregate: &Aggregate,
    column: Option<SimpleExpr>,
    ty: Option<ScalarType>,
) -> SimpleExpr {
    let dialect = c.dialect;
    // PostgreSQL's native enums (ZenStack's) take the least and greatest in the declared
    // order: the value at the least or greatest rank.
    // An enum with `@map`ped values is read through its names, and ZenStack takes their least
    // and greatest as text.
    if let (Some(ScalarType::Enum(id)), Some(col)) = (ty, &column)
        && c.schema.enums[id].is_mapped()
        && matches!(aggregate.function, AggregateFn::Min | AggregateFn::Max)
    {
        let names = c.readable(col.clone(), ty);
        return match aggregate.function {
            AggregateFn::Min => Func::min(names).into(),
            _ => Func::max(names).into(),
        };
    }
    if let (Dialect::Postgres, Some(ScalarType::Enum(id)), Some(col)) = (dialect, ty, &column) {
        let rank = c.enum_rank(id, col.clone());
        match aggregate.function {
            AggregateFn::Min => return c.enum_at_rank(id, Func::min(rank).into()),
            AggregateFn::Max => return c.enum_at_rank(id, Func::max(rank).into()),
            _ => {}
        }
    }
    let expr: SimpleExpr = match (aggregate.function, column) {
        (AggregateFn::Count, None) | (_, None) => Expr::col(Asterisk).count(),
        (AggregateFn::Count, Some(c)) => Func::count(c).into(),
        (AggregateFn::Sum, Some(c)) => Func::sum(c).into(),
        (AggregateFn::Avg, Some(c)) => Func::avg(c).into(),
        (AggregateFn::Min, Some(c)) => Func::min(c).into(),
        (AggregateFn::Max, Some(c)) => Func::max(c).into(),
    };
    if dialect != Dialect::Postgres || aggregate.function == AggregateFn::Count {
        return expr;
    }
    match (aggregate.function, ty) {
        (AggregateFn::Avg, _) => expr.cast_as(Alias::new("double precision")),
        (_, Some(ScalarType::Decimal)) | (AggregateFn::Sum, Some(ScalarType::BigInt)) => {
            expr.cast_as(Alias::new("text"))
        }
        (AggregateFn::Sum, Some(ScalarType::Int)) => expr.cast_as(Alias::new("bigint")),
        _ => expr,
    }
}

/// `{"_count": …, "_sum": {…}, …}` from decoded aggregate values, in `spec` order.
fn render_aggregates(
    reader: &Reader<'_>,
    model: ModelId,
    spec: &AggregateSpec,
    values: &[Value],
    path: &str,
    annotations: &mut Annotations,
    out: &mut Map<String, Json>,
) {
    let m = reader.c.model(model);
    for (aggregate, value) in spec.items.iter().zip(values) {
        let ty = result_type(
            aggregate.function,
            field_type(reader, model, aggregate.field),
        );
        let _ = ty;
        let (json, annotation) = match (aggregate.function, value) {
            (AggregateFn::Count, Value::Null) => (Json::from(0), None),
            _ => aggregate_json(
                reader.c.dialect,
                aggregate.function,
                field_type(reader, model, aggregate.field),
                value,
            ),
        };
        let key = aggregate.function.key();
        if aggregate.function == AggregateFn::Count && spec.count_as_number {
            out.insert(key.to_owned(), json);
            continue;
        }
        let name = aggregate
            .field
            .map_or("_all".to_owned(), |f| m.fields[f].name.clone());
        if let Some(a) = annotation {
            let prefix = if path.is_empty() {
                String::new()
            } else {
                format!("{path}.")
            };
            annotations.add(&format!("{prefix}{key}.{name}"), a, &json);
        }
        let entry = out
            .entry(key.to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(map) = entry {
            map.insert(name, json);
        }
    }
}

pub async fn count(
    reader: &Reader<'_>,
    exec: &mut Exec<'_>,
    args: &ReadArgs,
    shape: &CountShape,
) -> BaasResult<Json> {
    let m = reader.c.model(args.model);
    let fields: Vec<FieldId> = match shape {
        CountShape::Number => Vec::new(),
        CountShape::Fields(list) => list.iter().flatten().copied().collect(),
    };
    let (inner, columns) = reader.statement_with_columns(&subquery_args(args, &fields))?;
    let mut outer = Query::select();
    outer.from_subquery(inner, Alias::new("s"));
    let requested: Vec<Option<FieldId>> = match shape {
        CountShape::Number => vec![None],
        CountShape::Fields(list) => list.clone(),
    };
    for field in &requested {
        match field {
            None => outer.expr(Expr::col(Asterisk).count()),
            Some(f) => outer.expr(Func::count(Expr::col((
                Alias::new("s"),
                Alias::new(columns[f].as_str()),
            )))),
        };
    }
    let rows = exec.rows(&outer).await?;
    let values = decode_rows(&rows, &vec![ScalarType::BigInt; requested.len()])
        .into_iter()
        .next()
        .unwrap_or_default();
    let n = |v: Option<&Value>| if let Some(Value::Int(n)) = v { *n } else { 0 };
    Ok(match shape {
        CountShape::Number => Json::from(n(values.first())),
        CountShape::Fields(list) => Json::Object(
            list.iter()
                .enumerate()
                .map(|(i, f)| {
                    (
                        f.map_or("_all".to_owned(), |f| m.fields[f].name.clone()),
                        Json::from(n(values.get(i))),
                    )
                })
                .collect(),
        ),
    })
}

fn subquery_args(args: &ReadArgs, fields: &[FieldId]) -> ReadArgs {
    let mut inner = args.clone();
    inner.selection = Selection {
        scalars: fields.to_vec(),
        ..Selection::default()
    };
    inner
}

pub async fn aggregate(
    reader: &Reader<'_>,
    exec: &mut Exec<'_>,
    args: &ReadArgs,
    spec: &AggregateSpec,
    annotations: &mut Annotations,
) -> BaasResult<Json> {
    let fields: Vec<FieldId> = spec.items.iter().filter_map(|a| a.field).collect();
    let (inner, columns) = reader.statement_with_columns(&subquery_args(args, &fields))?;
    let mut outer = Query::select();
    outer.from_subquery(inner, Alias::new("s"));
    let mut types = Vec::new();
    for a in &spec.items {
        let ty = field_type(reader, args.model, a.field);
        let column = a.field.map(|f| {
            SimpleExpr::from(Expr::col((
                Alias::new("s"),
                Alias::new(columns[&f].as_str()),
            )))
        });
        outer.expr(aggregate_expr(&reader.c, a, column, ty));
        types.push(result_type(a.function, ty));
    }
    let rows = exec.rows(&outer).await?;
    let values = decode_rows(&rows, &types)
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut out = Map::new();
    render_aggregates(reader, args.model, spec, &values, "", annotations, &mut out);
    Ok(Json::Object(out))
}

pub async fn group_by(
    reader: &Reader<'_>,
    exec: &mut Exec<'_>,
    operation: &Operation,
    annotations: &mut Annotations,
) -> BaasResult<Json> {
    let Operation::GroupBy {
        model,
        by,
        filter,
        having,
        order_by,
        skip,
        take,
        spec,
    } = operation
    else {
        return Ok(Json::Null);
    };
    let model = *model;
    let m = reader.c.model(model);
    reader.c.refuse_masked(model, by, "grouping by")?;
    let alias = reader.c.alias();
    let mut select = Query::select();
    select.from(reader.c.table_ref(model, &alias));
    let mut types = Vec::new();
    for field in by {
        select.expr(reader.c.read_column(model, &alias, *field));
        types.push(m.fields[*field].scalar().unwrap_or(ScalarType::String));
    }
    let agg = |a: &Aggregate| {
        let ty = field_type(reader, model, a.field);
        aggregate_expr(
            &reader.c,
            a,
            a.field.map(|f| reader.c.visible(model, &alias, f)),
            ty,
        )
    };
    for a in &spec.items {
        select.expr(agg(a));
        types.push(result_type(a.function, field_type(reader, model, a.field)));
    }
    if let Some(filter) = filter {
        select.and_where(reader.c.filter(model, &alias, filter));
    }
    for field in by {
        select.add_group_by([reader.c.visible(model, &alias, *field)]);
    }
    if let Some(having) = having {
        select.cond_having(Cond::all().add(having_expr(reader, model, &alias, having)));
    }
    // A negative take reads the groups' order backwards and the result is turned back (as
    // findMany does, and ZenStack for both).
    let backwards = take.is_some_and(|t| t < 0);
    let flip = |desc: bool| {
        if desc != backwards {
            Order::Desc
        } else {
            Order::Asc
        }
    };
    for item in order_by {
        match item {
            GroupOrder::Field { field, desc, nulls } => {
                let order = flip(*desc);
                let nulls = nulls.map(|n| match (n, backwards) {
                    (n, false) => n,
                    (crate::query::ast::Nulls::First, true) => crate::query::ast::Nulls::Last,
                    (crate::query::ast::Nulls::Last, true) => crate::query::ast::Nulls::First,
                });
                let col = reader.c.ordered(model, &alias, *field);
                match nulls {
                    Some(crate::query::ast::Nulls::First) => {
                        select.order_by_expr_with_nulls(col, order, sea_query::NullOrdering::First)
                    }
                    Some(crate::query::ast::Nulls::Last) => {
                        select.order_by_expr_with_nulls(col, order, sea_query::NullOrdering::Last)
                    }
                    None => select.order_by_expr(col, order),
                };
            }
            GroupOrder::Aggregate { aggregate, desc } => {
                select.order_by_expr(agg(aggregate), flip(*desc));
            }
        }
    }
    if let Some(t) = take {
        select.limit(t.unsigned_abs());
    }
    if *skip > 0 {
        if take.is_none() {
            select.limit(i64::MAX as u64);
        }
        select.offset(*skip);
    }
    let rows = exec.rows(&select).await?;
    let mut list = Vec::new();
    let mut decoded = decode_rows(&rows, &types);
    if backwards {
        decoded.reverse();
    }
    for (i, values) in decoded.into_iter().enumerate() {
        let mut out = Map::new();
        for (field, value) in by.iter().zip(&values) {
            let f = &m.fields[*field];
            let (json, annotation) = value.to_json(f.scalar().unwrap_or(ScalarType::String));
            if let Some(a) = annotation {
                annotations.add(&format!("{i}.{}", f.name), a, &json);
            }
            out.insert(f.name.clone(), json);
        }
        render_aggregates(
            reader,
            model,
            spec,
            &values[by.len()..],
            &i.to_string(),
            annotations,
            &mut out,
        );
        list.push(Json::Object(out));
    }
    Ok(Json::Array(list))
}

fn having_expr(reader: &Reader<'_>, model: ModelId, alias: &str, having: &Having) -> SimpleExpr {
    let combine = |parts: &[Having], any: bool| -> SimpleExpr {
        let cond = parts
            .iter()
            .fold(if any { Cond::any() } else { Cond::all() }, |c, p| {
                c.add(having_expr(reader, model, alias, p))
            });
        cond.into()
    };
    match having {
        Having::And(parts) => combine(parts, false),
        Having::Or(parts) => combine(parts, true),
        Having::Not(parts) => combine(parts, false).not(),
        Having::Field { field, ty, filter } => {
            reader
                .c
                .field_filter(reader.c.visible(model, alias, *field), *ty, filter)
        }
        Having::Aggregate {
            aggregate,
            ty,
            filter,
        } => {
            let field_ty = field_type(reader, model, aggregate.field);
            let expr = aggregate_expr(
                &reader.c,
                aggregate,
                aggregate.field.map(|f| reader.c.visible(model, alias, f)),
                field_ty,
            );
            reader.c.field_filter(expr, *ty, filter)
        }
    }
}
