//! Reads: one SELECT for the rows asked for, then one SELECT per selected relation per level
//! for all parents at once (`WHERE fk IN (…)`, windowed when each parent has its own
//! take/skip), stitched into records and rendered as ZenStack renders them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, NullOrdering, Order, OverStatement, Query,
    SelectStatement, SimpleExpr, WindowStatement,
};
use serde_json::{Map, Value as Json};
use tandem_sql::Dialect;

use super::sql::{Compiler, always};
use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::query::ast::{Filter, Masks, Nulls, OrderItem, ReadArgs, Search, Selection};
use crate::schema::{FieldId, JoinTable, ModelId, ScalarType, Schema};
use crate::value::{Annotations, Value, decode_rows};

/// Parent keys per nested SELECT: bounded so statements stay within parameter limits.
const KEY_CHUNK: usize = 500;

/// One row of a model with whatever was loaded for it.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub values: BTreeMap<FieldId, Value>,
    pub relations: BTreeMap<FieldId, Related>,
    pub counts: Vec<(FieldId, i64)>,
    /// Read through a many-to-many join table: the key of the parent row it was read for.
    pub via: Option<String>,
    /// A delegate's row: the fields of each sub-model it is a row of (see
    /// `Selection::descendants`).
    pub subs: BTreeMap<ModelId, BTreeMap<FieldId, Value>>,
}

#[derive(Debug, Clone)]
pub enum Related {
    Many(Vec<Record>),
    One(Option<Box<Record>>),
}

impl Record {
    pub fn value(&self, field: FieldId) -> &Value {
        self.values.get(&field).unwrap_or(&Value::Null)
    }

    fn key(&self, fields: &[FieldId]) -> Option<String> {
        key_of(fields.iter().map(|f| self.value(*f)))
    }
}

/// A hashable identity for a tuple of key values; `None` when any is null (never joins).
pub fn key_of<'a>(values: impl Iterator<Item = &'a Value>) -> Option<String> {
    let mut key = String::new();
    for v in values {
        match v {
            Value::Null => return None,
            Value::Int(i) => key.push_str(&format!("i{i}\u{1}")),
            Value::String(s) => key.push_str(&format!("s{s}\u{1}")),
            Value::DateTime(d) => key.push_str(&format!("d{}\u{1}", d.timestamp_millis())),
            Value::Bool(b) => key.push_str(&format!("b{b}\u{1}")),
            Value::Float(f) => key.push_str(&format!("f{f}\u{1}")),
            Value::Decimal(d) => key.push_str(&format!("m{d}\u{1}")),
            Value::Json(j) => key.push_str(&format!("j{j}\u{1}")),
        }
    }
    Some(key)
}

/// What a result column holds.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Field(FieldId, ScalarType),
    Count(FieldId),
    /// The parent's key, from a many-to-many join table.
    Via(ScalarType),
    /// Whether a delegate's row is a row of this sub-model too.
    SubRow(ModelId),
    /// A field of that sub-model.
    Sub(ModelId, FieldId, ScalarType),
}

pub struct Reader<'s> {
    pub c: Compiler<'s>,
}

/// The rows a nested SELECT is restricted to: `child.link IN keys`, or through a many-to-many
/// join table (`via`, with the type of the parent's key), the rows paired with those keys.
struct Link<'k> {
    fields: &'k [FieldId],
    keys: &'k [Vec<Value>],
    via: Option<(&'k JoinTable, ScalarType)>,
}

impl<'s> Reader<'s> {
    pub fn new(schema: &'s Schema, dialect: Dialect) -> Self {
        Self {
            c: Compiler::new(schema, dialect),
        }
    }

    /// A reader that answers with what `masks` let the caller see.
    pub fn masked(schema: &'s Schema, dialect: Dialect, masks: Arc<Masks>) -> Self {
        Self {
            c: Compiler::masked(schema, dialect, masks),
        }
    }

    pub fn schema(&self) -> &'s Schema {
        self.c.schema
    }

    /// Every scalar field the read needs: the selection, the key, and the keys of selected
    /// relations.
    fn needed_fields(
        &self,
        model: ModelId,
        selection: &Selection,
        extra: &[FieldId],
    ) -> Vec<FieldId> {
        let m = self.c.model(model);
        let mut fields: Vec<FieldId> = selection.scalars.clone();
        fields.extend(&m.primary_key);
        fields.extend(extra);
        for (field, _) in &selection.relations {
            if let Some(r) = m.fields[*field].relation() {
                fields.extend(&r.local);
            }
        }
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// ORDER BY terms, with the LEFT JOINs that ordering by to-one relations needs.
    pub fn order_terms(
        &self,
        model: ModelId,
        alias: &str,
        items: &[OrderItem],
        reverse: bool,
        select: &mut SelectStatement,
    ) -> Vec<(SimpleExpr, Order, Option<NullOrdering>)> {
        let mut out = Vec::new();
        for item in items {
            self.order_term(model, alias, item, reverse, select, &mut out);
        }
        out
    }

    fn order_term(
        &self,
        model: ModelId,
        alias: &str,
        item: &OrderItem,
        reverse: bool,
        select: &mut SelectStatement,
        out: &mut Vec<(SimpleExpr, Order, Option<NullOrdering>)>,
    ) {
        let direction = |desc: bool| {
            if desc != reverse {
                Order::Desc
            } else {
                Order::Asc
            }
        };
        match item {
            OrderItem::Field { field, desc, nulls } => {
                // Explicit nulls placement stays as asked when the order is reversed.
                let nulls = nulls.map(|n| match n {
                    Nulls::First => NullOrdering::First,
                    Nulls::Last => NullOrdering::Last,
                });
                out.push((
                    self.c.ordered(model, alias, *field),
                    direction(*desc),
                    nulls,
                ));
            }
            OrderItem::Count {
                relation,
                desc,
                visible,
            } => {
                let r = self.c.relation(model, *relation);
                let child = self.c.alias();
                let mut count = Query::select();
                count
                    .expr(Expr::col(Asterisk).count())
                    .from(self.c.table_ref(r.target, &child))
                    .and_where(self.c.link(model, alias, r, &child));
                if let Some(visible) = visible {
                    count.and_where(self.c.filter(r.target, &child, visible));
                }
                out.push((
                    SimpleExpr::SubQuery(None, Box::new(count.into_sub_query_statement())),
                    direction(*desc),
                    None,
                ));
            }
            OrderItem::Relevance {
                fields,
                search,
                desc,
            } => out.push((
                self.c.relevance(model, alias, fields, search),
                direction(*desc),
                None,
            )),
            OrderItem::Relation {
                relation,
                inner,
                visible,
            } => {
                let r = self.c.relation(model, *relation);
                let joined = self.c.alias();
                let mut on = self.c.link(model, alias, r, &joined);
                if let Some(visible) = visible {
                    on = on.and(self.c.filter(r.target, &joined, visible));
                }
                select.left_join(self.c.table_ref(r.target, &joined), on);
                self.order_term(r.target, &joined, inner, reverse, select, out);
            }
        }
    }

    /// Rows at or after the cursor row, as ZenStack compares them: for each prefix of the
    /// order, the earlier fields equal the cursor row's and the last one `>=` (`<=` when
    /// descending). Without an order, the key ascending.
    fn cursor_condition(
        &self,
        model: ModelId,
        alias: &str,
        items: &[OrderItem],
        cursor: &Filter,
        reverse: bool,
    ) -> BaasResult<SimpleExpr> {
        let m = self.c.model(model);
        let mut keys: Vec<(FieldId, bool)> = Vec::new();
        for item in items {
            match item {
                OrderItem::Field { field, desc, .. } => keys.push((*field, *desc)),
                OrderItem::Relevance { search, .. } => {
                    let key = match search {
                        Search::FullText { .. } => "_ftsRelevance",
                        Search::Fuzzy { .. } => "_fuzzyRelevance",
                    };
                    return Err(BaasError::NotSupported(format!(
                        "cursor pagination cannot be combined with \"{key}\" ordering: page with skip and take"
                    )));
                }
                _ => {
                    return Err(BaasError::NotSupported(
                        "cursor pagination cannot be combined with ordering by a relation".into(),
                    ));
                }
            }
        }
        if keys.is_empty() {
            keys = m.primary_key.iter().map(|f| (*f, false)).collect();
        }
        let cursor_value = |field: FieldId| -> SimpleExpr {
            let ca = self.c.alias();
            let mut sub = Query::select();
            sub.expr(self.c.ordered(model, &ca, field))
                .from(self.c.table_ref(model, &ca))
                .and_where(self.c.filter(model, &ca, cursor));
            SimpleExpr::SubQuery(None, Box::new(sub.into_sub_query_statement()))
        };
        let mut any = Cond::any();
        for i in (0..keys.len()).rev() {
            let mut all = Cond::all();
            for (field, _) in &keys[..i] {
                all = all.add(
                    self.c
                        .ordered(model, alias, *field)
                        .eq(cursor_value(*field)),
                );
            }
            let (field, desc) = keys[i];
            let col = self.c.ordered(model, alias, field);
            all = all.add(if desc != reverse {
                col.lte(cursor_value(field))
            } else {
                col.gte(cursor_value(field))
            });
            any = any.add(all);
        }
        Ok(any.into())
    }

    /// The SELECT for `args`, reading `fields` and the selection's counts, optionally limited
    /// to children of some parents. Returns the statement and what each column holds.
    fn statement(
        &self,
        args: &ReadArgs,
        fields: &[FieldId],
        link: Option<&Link<'_>>,
        raw: bool,
    ) -> BaasResult<(SelectStatement, Vec<Slot>)> {
        let model = args.model;
        let m = self.c.model(model);
        let alias = self.c.alias();
        let mut select = Query::select();
        select.from(self.c.table_ref(model, &alias));
        let mut slots = Vec::new();
        for field in fields {
            let ty = m.fields[*field].scalar().unwrap_or(ScalarType::String);
            // Aggregates read raw columns; results read PostgreSQL's NUMERIC as text.
            let column = if raw {
                self.c.visible(model, &alias, *field)
            } else {
                self.c.read_column(model, &alias, *field)
            };
            select.expr_as(column, Alias::new(format!("c{}", slots.len())));
            slots.push(Slot::Field(*field, ty));
        }
        for (sub, sub_fields) in args.selection.descendants.iter().filter(|_| !raw) {
            select.expr_as(
                self.c.is_sub_row(&alias, *sub),
                Alias::new(format!("c{}", slots.len())),
            );
            slots.push(Slot::SubRow(*sub));
            let s = self.c.model(*sub);
            for field in sub_fields {
                let ty = s.fields[*field].scalar().unwrap_or(ScalarType::String);
                select.expr_as(
                    self.c.sub_field(&alias, *sub, *field),
                    Alias::new(format!("c{}", slots.len())),
                );
                slots.push(Slot::Sub(*sub, *field, ty));
            }
        }
        for (relation, filter) in &args.selection.counts {
            let r = self.c.relation(model, *relation);
            let child = self.c.alias();
            let mut count = Query::select();
            count
                .expr(Expr::col(Asterisk).count())
                .from(self.c.table_ref(r.target, &child))
                .and_where(self.c.link(model, &alias, r, &child));
            if let Some(f) = filter {
                count.and_where(self.c.filter(r.target, &child, f));
            }
            select.expr_as(
                SimpleExpr::SubQuery(None, Box::new(count.into_sub_query_statement())),
                Alias::new(format!("c{}", slots.len())),
            );
            slots.push(Slot::Count(*relation));
        }
        if let Some(filter) = &args.filter {
            select.and_where(self.c.filter(model, &alias, filter));
        }
        // Through a join table: its rows pairing the children with the parents' keys, whose
        // key column is read (and partitions the children per parent).
        let mut partition: Vec<SimpleExpr> = Vec::new();
        if let Some(link) = link {
            match link.via {
                None => {
                    select.and_where(self.in_keys(model, &alias, link.fields, link.keys));
                    partition = link
                        .fields
                        .iter()
                        .map(|f| self.c.column(model, &alias, *f))
                        .collect();
                }
                Some((join, key_ty)) => {
                    let j = self.c.alias();
                    let this: SimpleExpr = Expr::col((
                        Alias::new(j.as_str()),
                        Alias::new(join.this_column.as_str()),
                    ))
                    .into();
                    let other = Expr::col((
                        Alias::new(j.as_str()),
                        Alias::new(join.other_column.as_str()),
                    ));
                    select.inner_join(
                        sea_query::TableRef::TableAlias(
                            sea_query::SeaRc::new(Alias::new(join.table.as_str())),
                            sea_query::SeaRc::new(Alias::new(j.as_str())),
                        ),
                        other.eq(self.c.column(model, &alias, link.fields[0])),
                    );
                    select.and_where(if link.keys.is_empty() {
                        always(false)
                    } else {
                        this.clone()
                            .is_in(link.keys.iter().map(|k| self.c.value(&k[0], key_ty)))
                    });
                    select.expr_as(this.clone(), Alias::new(format!("c{}", slots.len())));
                    slots.push(Slot::Via(key_ty));
                    partition = vec![this];
                }
            }
        }
        // A negative take reads the order backwards (no order: the first rows, reversed
        // afterwards — as ZenStack does).
        let reverse = args.take.is_some_and(|t| t < 0);
        let order_items = args.order_by.clone();
        if let Some(cursor) = &args.cursor {
            select.and_where(self.cursor_condition(
                model,
                &alias,
                &order_items,
                cursor,
                reverse,
            )?);
        }
        let terms = self.order_terms(model, &alias, &order_items, reverse, &mut select);
        let take = args.take.map(i64::unsigned_abs);
        if !args.distinct.is_empty() {
            return self.distinct(args, select, &alias, slots, terms, take);
        }
        match link {
            Some(link) if take.is_some() || args.skip > 0 => {
                // Each parent gets its own window of children.
                let _ = link;
                let mut window = WindowStatement::new();
                for expr in partition {
                    window.add_partition_by(expr);
                }
                for (expr, order, _) in &terms {
                    window.order_by_expr(expr.clone(), order.clone());
                }
                select.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new("rn"));
                let mut outer = Query::select();
                for i in 0..slots.len() {
                    outer.expr(Expr::col((Alias::new("w"), Alias::new(format!("c{i}")))));
                }
                outer.from_subquery(select, Alias::new("w"));
                outer.and_where(Expr::col((Alias::new("w"), Alias::new("rn"))).gt(args.skip));
                if let Some(take) = take {
                    outer.and_where(
                        Expr::col((Alias::new("w"), Alias::new("rn"))).lte(args.skip + take),
                    );
                }
                outer.order_by((Alias::new("w"), Alias::new("rn")), Order::Asc);
                Ok((outer, slots))
            }
            _ => {
                for (expr, order, nulls) in terms {
                    match nulls {
                        Some(n) => select.order_by_expr_with_nulls(expr, order, n),
                        None => select.order_by_expr(expr, order),
                    };
                }
                if let Some(take) = take {
                    select.limit(take);
                }
                if args.skip > 0 {
                    if take.is_none() {
                        // SQLite needs a LIMIT before OFFSET.
                        select.limit(i64::MAX as u64);
                    }
                    select.offset(args.skip);
                }
                Ok((select, slots))
            }
        }
    }

    /// `distinct` (PostgreSQL only, as in ZenStack): the first row per distinct value in the
    /// read's order, then that order, skip and take. As ZenStack does, an order that does not
    /// start with the distinct fields gets them put first (ascending).
    fn distinct(
        &self,
        args: &ReadArgs,
        mut select: SelectStatement,
        alias: &str,
        slots: Vec<Slot>,
        terms: Vec<(SimpleExpr, Order, Option<NullOrdering>)>,
        take: Option<u64>,
    ) -> BaasResult<(SelectStatement, Vec<Slot>)> {
        if self.c.dialect == Dialect::Sqlite {
            return Err(BaasError::NotSupported(
                "\"distinct\" is not supported by \"sqlite\" provider".into(),
            ));
        }
        self.c
            .refuse_masked(args.model, &args.distinct, "\"distinct\" on")?;
        let distinct: Vec<SimpleExpr> = args
            .distinct
            .iter()
            .map(|f| self.c.visible(args.model, alias, *f))
            .collect();
        select.distinct_on(
            args.distinct
                .iter()
                .map(|f| {
                    (
                        Alias::new(alias),
                        Alias::new(self.c.model(args.model).fields[*f].column.as_str()),
                    )
                })
                .collect::<Vec<_>>(),
        );
        for d in &distinct {
            select.order_by_expr(d.clone(), Order::Asc);
        }
        let satisfied = args.distinct.iter().enumerate().all(|(i, f)| {
            matches!(args.order_by.get(i), Some(OrderItem::Field { field, .. }) if field == f)
        });
        let prepend = !args.order_by.is_empty() && !satisfied;
        if prepend {
            for (i, f) in args.distinct.iter().enumerate() {
                select.expr_as(
                    self.c.ordered(args.model, alias, *f),
                    Alias::new(format!("x{i}")),
                );
            }
        }
        for (i, (expr, order, nulls)) in terms.iter().enumerate() {
            select.expr_as(expr.clone(), Alias::new(format!("o{i}")));
            match nulls {
                Some(n) => select.order_by_expr_with_nulls(expr.clone(), order.clone(), *n),
                None => select.order_by_expr(expr.clone(), order.clone()),
            };
        }
        let mut outer = Query::select();
        for i in 0..slots.len() {
            outer.expr(Expr::col((Alias::new("d"), Alias::new(format!("c{i}")))));
        }
        outer.from_subquery(select, Alias::new("d"));
        if prepend {
            let direction = if args.take.is_some_and(|t| t < 0) {
                Order::Desc
            } else {
                Order::Asc
            };
            for i in 0..args.distinct.len() {
                outer.order_by_expr(
                    Expr::col((Alias::new("d"), Alias::new(format!("x{i}")))).into(),
                    direction.clone(),
                );
            }
        }
        for (i, (_, order, nulls)) in terms.into_iter().enumerate() {
            let col = Expr::col((Alias::new("d"), Alias::new(format!("o{i}"))));
            match nulls {
                Some(n) => outer.order_by_expr_with_nulls(col.into(), order, n),
                None => outer.order_by_expr(col.into(), order),
            };
        }
        if let Some(take) = take {
            outer.limit(take);
        }
        if args.skip > 0 {
            outer.offset(args.skip);
        }
        Ok((outer, slots))
    }

    fn in_keys(
        &self,
        model: ModelId,
        alias: &str,
        fields: &[FieldId],
        keys: &[Vec<Value>],
    ) -> SimpleExpr {
        if keys.is_empty() {
            return always(false);
        }
        let m = self.c.model(model);
        if let [field] = fields {
            let ty = m.fields[*field].scalar().unwrap_or(ScalarType::String);
            return self
                .c
                .column(model, alias, *field)
                .is_in(keys.iter().map(|k| self.c.value(&k[0], ty)));
        }
        let mut any = Cond::any();
        for key in keys {
            let mut all = Cond::all();
            for (field, value) in fields.iter().zip(key) {
                let ty = m.fields[*field].scalar().unwrap_or(ScalarType::String);
                all = all.add(
                    self.c
                        .column(model, alias, *field)
                        .eq(self.c.value(value, ty)),
                );
            }
            any = any.add(all);
        }
        any.into()
    }

    /// The SQL text (parameters as placeholders) of a read's first statement — for tests that
    /// check no request text ever becomes SQL.
    pub fn sql_text(&self, args: &ReadArgs) -> BaasResult<String> {
        let fields = self.needed_fields(args.model, &args.selection, &[]);
        let (select, _) = self.statement(args, &fields, None, false)?;
        Ok(match self.c.dialect {
            Dialect::Sqlite => select.build(sea_query::SqliteQueryBuilder).0,
            Dialect::Postgres => select.build(sea_query::PostgresQueryBuilder).0,
        })
    }

    /// The SELECT of a read without its nested relations (for aggregates over it), and the
    /// column alias each selected field is read as.
    pub fn statement_with_columns(
        &self,
        args: &ReadArgs,
    ) -> BaasResult<(SelectStatement, HashMap<FieldId, String>)> {
        let mut fields = args.selection.scalars.clone();
        if fields.is_empty() {
            // A SELECT needs a column; the key will do.
            fields.extend(&self.c.model(args.model).primary_key);
        }
        fields.sort_unstable();
        fields.dedup();
        let (select, slots) = self.statement(args, &fields, None, true)?;
        let columns = slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Slot::Field(f, _) => Some((*f, format!("c{i}"))),
                Slot::Count(_) | Slot::Via(_) | Slot::SubRow(_) | Slot::Sub(..) => None,
            })
            .collect();
        Ok((select, columns))
    }

    async fn fetch(
        &self,
        exec: &mut Exec<'_>,
        args: &ReadArgs,
        extra: &[FieldId],
        link: Option<&Link<'_>>,
    ) -> BaasResult<Vec<Record>> {
        let fields = self.needed_fields(args.model, &args.selection, extra);
        let (select, slots) = self.statement(args, &fields, link, false)?;
        let types: Vec<ScalarType> = slots
            .iter()
            .map(|s| match s {
                Slot::Field(_, ty) => *ty,
                Slot::Count(_) => ScalarType::BigInt,
                Slot::Via(ty) | Slot::Sub(_, _, ty) => *ty,
                Slot::SubRow(_) => ScalarType::Boolean,
            })
            .collect();
        let rows = exec.rows(&select).await?;
        let mut records: Vec<Record> = decode_rows(&rows, &types)
            .into_iter()
            .map(|values| {
                let mut record = Record::default();
                for (slot, value) in slots.iter().zip(values) {
                    match slot {
                        Slot::Field(field, _) => {
                            record.values.insert(*field, value);
                        }
                        Slot::Count(relation) => {
                            let n = if let Value::Int(n) = value { n } else { 0 };
                            record.counts.push((*relation, n));
                        }
                        Slot::Via(_) => record.via = key_of(std::iter::once(&value)),
                        Slot::SubRow(sub) => {
                            if value == Value::Bool(true) {
                                record.subs.insert(*sub, BTreeMap::new());
                            }
                        }
                        Slot::Sub(sub, field, _) => {
                            if let Some(fields) = record.subs.get_mut(sub) {
                                fields.insert(*field, value);
                            }
                        }
                    }
                }
                record
            })
            .collect();
        if link.is_none() && args.take.is_some_and(|t| t < 0) {
            records.reverse();
        }
        Ok(records)
    }

    /// Reads the rows of `args` with their selected relations.
    pub async fn find(&self, exec: &mut Exec<'_>, args: &ReadArgs) -> BaasResult<Vec<Record>> {
        let mut records = self.fetch(exec, args, &[], None).await?;
        self.load_relations(exec, args.model, &args.selection, &mut records)
            .await?;
        Ok(records)
    }

    /// Loads every selected relation of `records`: one SELECT per relation (per chunk of
    /// parents), then recursively for what those rows select.
    fn load_relations<'a>(
        &'a self,
        exec: &'a mut Exec<'_>,
        model: ModelId,
        selection: &'a Selection,
        records: &'a mut [Record],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = BaasResult<()>> + Send + 'a>> {
        Box::pin(async move {
            for (field, nested) in &selection.relations {
                let r = self.c.relation(model, *field);
                let mut keys: Vec<Vec<Value>> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for record in records.iter() {
                    if let Some(k) = record.key(&r.local)
                        && seen.insert(k)
                    {
                        keys.push(r.local.iter().map(|f| record.value(*f).clone()).collect());
                    }
                }
                let via = r.join.as_ref().map(|join| {
                    let key = &self.c.model(model).fields[r.local[0]];
                    (join, key.scalar().unwrap_or(ScalarType::String))
                });
                let mut children: Vec<Record> = Vec::new();
                for chunk in keys.chunks(KEY_CHUNK) {
                    let link = Link {
                        fields: &r.foreign,
                        keys: chunk,
                        via,
                    };
                    children.extend(self.fetch(exec, nested, &r.foreign, Some(&link)).await?);
                }
                self.load_relations(exec, r.target, &nested.selection, &mut children)
                    .await?;
                let mut grouped: HashMap<String, Vec<Record>> = HashMap::new();
                for child in children {
                    let parent = match via {
                        Some(_) => child.via.clone(),
                        None => child.key(&r.foreign),
                    };
                    if let Some(k) = parent {
                        grouped.entry(k).or_default().push(child);
                    }
                }
                let backwards = nested.take.is_some_and(|t| t < 0);
                for record in records.iter_mut() {
                    let mut group = record
                        .key(&r.local)
                        .and_then(|k| grouped.get(&k).cloned())
                        .unwrap_or_default();
                    if backwards {
                        group.reverse();
                    }
                    let related = if r.many {
                        Related::Many(group)
                    } else {
                        Related::One(group.into_iter().next().map(Box::new))
                    };
                    record.relations.insert(*field, related);
                }
            }
            Ok(())
        })
    }

    pub async fn exists(&self, exec: &mut Exec<'_>, args: &ReadArgs) -> BaasResult<bool> {
        let alias = self.c.alias();
        let mut select = Query::select();
        select
            .expr(Expr::val(1))
            .from(self.c.table_ref(args.model, &alias))
            .limit(1);
        if let Some(filter) = &args.filter {
            select.and_where(self.c.filter(args.model, &alias, filter));
        }
        Ok(!exec.rows(&select).await?.is_empty())
    }

    /// The rendered object of one record.
    pub fn render(
        &self,
        model: ModelId,
        selection: &Selection,
        record: &Record,
        path: &str,
        annotations: &mut Annotations,
    ) -> Json {
        let m = self.c.model(model);
        let mut out = Map::new();
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}.")
        };
        for field in &selection.scalars {
            let f = &m.fields[*field];
            let ty = f.scalar().unwrap_or(ScalarType::String);
            let (json, annotation) = match record.value(*field) {
                // A scalar list never written reads as empty, as in ZenStack.
                Value::Null if f.list_of.is_some() => (Json::Array(Vec::new()), None),
                value => value.to_json(ty),
            };
            if let Some(a) = annotation {
                annotations.add(&format!("{prefix}{}", f.name), a, &json);
            }
            out.insert(f.name.clone(), json);
        }
        // A delegate's row shows the fields of the sub-models it is a row of.
        for (sub, fields) in &selection.descendants {
            let Some(values) = record.subs.get(sub) else {
                continue;
            };
            let s = self.c.model(*sub);
            for field in fields {
                let f = &s.fields[*field];
                let ty = f.scalar().unwrap_or(ScalarType::String);
                let (json, annotation) = match values.get(field).unwrap_or(&Value::Null) {
                    Value::Null if f.list_of.is_some() => (Json::Array(Vec::new()), None),
                    value => value.to_json(ty),
                };
                if let Some(a) = annotation {
                    annotations.add(&format!("{prefix}{}", f.name), a, &json);
                }
                out.insert(f.name.clone(), json);
            }
        }
        for (field, nested) in &selection.relations {
            let f = &m.fields[*field];
            let target = self.c.relation(model, *field).target;
            let here = format!("{prefix}{}", f.name);
            let json = match record.relations.get(field) {
                Some(Related::Many(rows)) => {
                    self.render_list(target, &nested.selection, rows, &here, annotations)
                }
                Some(Related::One(Some(row))) => {
                    self.render(target, &nested.selection, row, &here, annotations)
                }
                Some(Related::One(None)) => Json::Null,
                None => Json::Null,
            };
            out.insert(f.name.clone(), json);
        }
        if !selection.counts.is_empty() {
            let counts: Map<String, Json> = record
                .counts
                .iter()
                .map(|(field, n)| (m.fields[*field].name.clone(), Json::from(*n)))
                .collect();
            out.insert("_count".into(), Json::Object(counts));
        }
        Json::Object(out)
    }

    pub fn render_list(
        &self,
        model: ModelId,
        selection: &Selection,
        records: &[Record],
        path: &str,
        annotations: &mut Annotations,
    ) -> Json {
        Json::Array(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let here = if path.is_empty() {
                        i.to_string()
                    } else {
                        format!("{path}.{i}")
                    };
                    self.render(model, selection, r, &here, annotations)
                })
                .collect(),
        )
    }
}
