//! A model's `@@allow`/`@@deny` conditions (`schema::policy`) for one caller: a [`Filter`]
//! the query compiler ANDs into SQL like every other rule. `auth()` is the caller's `user` row
//! ([`AuthRow`]), absent for anonymous callers; what depends only on it is decided here, so the
//! SQL carries plain `true`/`false` for it.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::ast::{CmpOp, Cond, FieldFilter, Filter, Quantifier};
use crate::error::{BaasError, BaasResult};
use crate::schema::parser::CollectionOp;
use crate::schema::policy::{Compare, Condition, Operand, PolicyOp, TextMatch};
use crate::schema::{FieldId, ScalarType, Schema};
use crate::value::{self, Value};

/// The caller's `user` row as policies read it: its scalar fields by field id.
pub type AuthRow = HashMap<FieldId, Value>;

/// What a policy is evaluated against: the caller's row (`auth()`, absent when anonymous) and
/// the request's time (`now()`).
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub auth: Option<&'a AuthRow>,
    pub now: DateTime<Utc>,
    /// The row as it was before an update (`before()`), for `post-update` policies.
    pub before: Option<&'a AuthRow>,
    /// The models, for `check()` (which reads another model's policies).
    pub schema: Option<&'a Schema>,
    /// The operation being decided, which `check(relation)` asks of the related row; `None`
    /// for `post-update`.
    pub action: Option<PolicyOp>,
}

fn literal(json: &serde_json::Value, ty: ScalarType) -> BaasResult<Value> {
    value::from_json(json, ty)
        .map_err(|m| BaasError::internal(format!("a policy literal is not a {}", m.expected)))
}

/// A field of a row known before SQL (`auth()`, `before()`); null when there is no row.
fn value_of(row: Option<&AuthRow>, field: FieldId) -> Value {
    row.and_then(|row| row.get(&field))
        .cloned()
        .unwrap_or(Value::Null)
}

fn operand(value: &Operand, ty: ScalarType, env: &Env<'_>) -> BaasResult<Vec<Value>> {
    Ok(match value {
        Operand::Now => vec![Value::DateTime(env.now)],
        Operand::Literal(json) => vec![literal(json, ty)?],
        Operand::List(items) => items
            .iter()
            .map(|j| literal(j, ty))
            .collect::<BaasResult<_>>()?,
        Operand::Auth(field) => vec![value_of(env.auth, *field)],
        Operand::Before(field) => vec![value_of(env.before, *field)],
    })
}

/// `condition` over rows of its model, for the caller and time of `env`.
///
/// Negations are pushed down to the leaves, so each part keeps ZenStack's meaning, where a
/// field through a to-one relation (`author.banned`) is a value that is unknown (SQL's NULL)
/// when there is no related row: unknown allows nothing and denies nothing, and stays unknown
/// under `!`. What SQL cannot be asked (a comparison decided before SQL, on `auth()`) is decided
/// here; an unknown result is `false` wherever it stands, since after the push-down no `!` is
/// above it.
pub fn filter(condition: &Condition, env: &Env<'_>) -> BaasResult<Filter> {
    compile(condition, env, false)
}

/// `condition`, or with `negated` its negation, pushed down to the leaves.
fn compile(condition: &Condition, env: &Env<'_>, negated: bool) -> BaasResult<Filter> {
    let each = |items: &[Condition]| -> BaasResult<Vec<Filter>> {
        items.iter().map(|c| compile(c, env, negated)).collect()
    };
    let one = |relation: &FieldId, filter: Option<Filter>| Filter::One {
        relation: *relation,
        negated: false,
        filter: filter.map(Box::new),
    };
    Ok(match condition {
        Condition::Const(b) => Filter::Const(*b != negated),
        // De Morgan: NOT (a AND b) is NOT a OR NOT b.
        Condition::And(items) if negated => Filter::Or(each(items)?),
        Condition::And(items) => Filter::And(each(items)?),
        Condition::Or(items) if negated => Filter::And(each(items)?),
        Condition::Or(items) => Filter::Or(each(items)?),
        Condition::Not(inner) => compile(inner, env, !negated)?,
        Condition::LoggedIn => Filter::Const(env.auth.is_some() != negated),
        Condition::AuthField {
            field,
            ty,
            op,
            value,
        } => {
            let mine = value_of(env.auth, *field);
            let values = operand(value, *ty, env)?;
            // Unknown (`None`) is false either way.
            Filter::Const(holds(&mine, *op, &values) == Some(!negated))
        }
        Condition::BeforeField {
            field,
            ty,
            op,
            value,
        } => {
            let was = value_of(env.before, *field);
            let values = operand(value, *ty, env)?;
            // ZenStack compares the row before in SQL: a NULL there (or on the other side,
            // unless it is the literal `null`) makes the comparison unknown.
            let null_literal = matches!(value, Operand::Literal(serde_json::Value::Null));
            let unknown =
                !null_literal && (was.is_null() || values.first().is_none_or(Value::is_null));
            Filter::Const(!unknown && holds(&was, *op, &values) == Some(!negated))
        }
        // `path.field == null` also holds when there is no related row (the path's value is
        // null then).
        Condition::Via {
            relation,
            condition,
        } if !negated
            && matches!(
                condition.as_ref(),
                Condition::Field {
                    op: Compare::Eq,
                    value: Operand::Literal(serde_json::Value::Null),
                    ..
                }
            ) =>
        {
            Filter::Or(vec![
                one(relation, None),
                one(relation, Some(compile(condition, env, false)?)),
            ])
        }
        // Otherwise the related row must exist: without it the path's value is unknown, and
        // so is its negation.
        Condition::Via {
            relation,
            condition,
        } => one(relation, Some(compile(condition, env, negated)?)),
        Condition::Check {
            relation,
            target,
            op,
        } => {
            let schema = env
                .schema
                .ok_or_else(|| BaasError::internal("check() compiled without the schema"))?;
            let op = op.or(env.action);
            let inner = Env {
                before: None,
                action: op,
                ..*env
            };
            let mut allows = Vec::new();
            let mut denies = Vec::new();
            for p in &schema.model(*target).policies {
                let applies = match op {
                    Some(op) => p.operations.contains(&op),
                    None => p.post_update,
                };
                if applies {
                    let c = compile(&p.condition, &inner, false)?;
                    if p.allow {
                        allows.push(c)
                    } else {
                        denies.push(c)
                    }
                }
            }
            // The related row's policies as ZenStack's `check()` reads them: no allow lets
            // nothing through (but for post-update), a deny that NULL leaves open denies nothing.
            let mut passes = vec![if allows.is_empty() {
                Filter::Const(op.is_none())
            } else {
                Filter::Or(allows)
            }];
            if !denies.is_empty() {
                passes.push(Filter::NotTrue(vec![Filter::Or(denies)]));
            }
            let passes = Filter::And(passes);
            // No related row: unknown, under `!` too.
            one(
                relation,
                Some(if negated {
                    Filter::Not(vec![passes])
                } else {
                    passes
                }),
            )
        }
        Condition::NoRelated { relation } if negated => one(relation, Some(Filter::Const(true))),
        Condition::NoRelated { relation } => one(relation, None),
        // SQL's NOT keeps unknown unknown; a leaf decided unknown here stays `false`.
        Condition::Field { .. }
        | Condition::Text { .. }
        | Condition::Rows { .. }
        | Condition::Columns { .. } => match leaf(condition, env)? {
            Filter::Const(false) => Filter::Const(false),
            leaf if negated => Filter::Not(vec![leaf]),
            leaf => leaf,
        },
    })
}

/// A comparison, text match or collection predicate, as it stands (not negated).
fn leaf(condition: &Condition, env: &Env<'_>) -> BaasResult<Filter> {
    let scalar = |field: &FieldId, ty: ScalarType, insensitive: bool, cond: Cond| Filter::Field {
        field: *field,
        ty,
        filter: FieldFilter {
            insensitive,
            conds: vec![cond],
        },
    };
    Ok(match condition {
        Condition::Text {
            field,
            how,
            value,
            insensitive,
        } => {
            let Some(Value::String(text)) = operand(value, ScalarType::String, env)?.pop() else {
                // Matching against a missing value is unknown.
                return Ok(Filter::Const(false));
            };
            let text = tandem_sql::escape_like(&text);
            let pattern = match how {
                TextMatch::Contains => format!("%{text}%"),
                TextMatch::StartsWith => format!("{text}%"),
                TextMatch::EndsWith => format!("%{text}"),
            };
            scalar(field, ScalarType::String, *insensitive, Cond::Like(pattern))
        }
        Condition::Field {
            field,
            ty,
            op,
            value,
        } => {
            let values = operand(value, *ty, env)?;
            let one = values.first().cloned().unwrap_or(Value::Null);
            // A NULL of the row before is a NULL in ZenStack's SQL: unknown.
            if matches!(value, Operand::Before(_)) && one.is_null() {
                return Ok(Filter::Const(false));
            }
            let cond = match op {
                Compare::Eq => Cond::Eq(one),
                Compare::Ne => Cond::Not(FieldFilter {
                    insensitive: false,
                    conds: vec![Cond::Eq(one)],
                }),
                Compare::In => Cond::In(values),
                // Ordering against a missing value is unknown (SQL's NULL).
                _ if one.is_null() => return Ok(Filter::Const(false)),
                Compare::Lt => Cond::Cmp(CmpOp::Lt, one),
                Compare::Le => Cond::Cmp(CmpOp::Lte, one),
                Compare::Gt => Cond::Cmp(CmpOp::Gt, one),
                Compare::Ge => Cond::Cmp(CmpOp::Gte, one),
            };
            scalar(field, *ty, false, cond)
        }
        Condition::Rows {
            relation,
            op,
            condition,
        } => Filter::Many {
            relation: *relation,
            quantifier: match op {
                CollectionOp::Some => Quantifier::Some,
                CollectionOp::None => Quantifier::None,
                CollectionOp::Every => Quantifier::Every,
            },
            filter: Box::new(filter(condition, env)?),
        },
        Condition::Columns { left, op, right } => Filter::Columns {
            left: *left,
            op: *op,
            right: *right,
        },
        _ => return Err(BaasError::internal("a policy leaf that is not one")),
    })
}

/// `a OP b` for values known now (the caller's own fields), as ZenStack's SQL has it: `==` and
/// `!=` with a null are `IS NULL` / `IS NOT NULL`; an ordering or `in` with a null is unknown
/// (`None`).
fn holds(a: &Value, op: Compare, values: &[Value]) -> Option<bool> {
    let b = values.first().unwrap_or(&Value::Null);
    let ordered = |want: &[Ordering]| order(a, b).map(|o| want.contains(&o));
    match op {
        Compare::Eq => Some(a == b),
        Compare::Ne => Some(a != b),
        Compare::In if a.is_null() => None,
        Compare::In => Some(values.contains(a)),
        Compare::Lt => ordered(&[Ordering::Less]),
        Compare::Le => ordered(&[Ordering::Less, Ordering::Equal]),
        Compare::Gt => ordered(&[Ordering::Greater]),
        Compare::Ge => ordered(&[Ordering::Greater, Ordering::Equal]),
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::Decimal(x), Value::Decimal(y)) => {
            x.parse::<f64>().ok()?.partial_cmp(&y.parse::<f64>().ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(auth: Option<&AuthRow>) -> Env<'_> {
        Env {
            auth,
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            before: None,
            schema: None,
            action: None,
        }
    }

    #[test]
    fn what_depends_only_on_the_caller_is_decided_before_sql() {
        let role = |v: Option<&str>| -> AuthRow {
            HashMap::from([(3, v.map_or(Value::Null, |s| Value::String(s.into())))])
        };
        let admin = Condition::AuthField {
            field: 3,
            ty: ScalarType::String,
            op: Compare::Eq,
            value: Operand::Literal(serde_json::json!("ADMIN")),
        };
        assert_eq!(
            filter(&admin, &env(Some(&role(Some("ADMIN"))))).unwrap(),
            Filter::Const(true)
        );
        assert_eq!(
            filter(&admin, &env(Some(&role(Some("MEMBER"))))).unwrap(),
            Filter::Const(false)
        );
        assert_eq!(
            filter(&admin, &env(None)).unwrap(),
            Filter::Const(false),
            "anonymous"
        );
        assert_eq!(
            filter(&Condition::LoggedIn, &env(None)).unwrap(),
            Filter::Const(false)
        );
        let within = Condition::AuthField {
            field: 3,
            ty: ScalarType::String,
            op: Compare::In,
            value: Operand::List(vec![serde_json::json!("A"), serde_json::json!("B")]),
        };
        assert_eq!(
            filter(&within, &env(Some(&role(Some("B"))))).unwrap(),
            Filter::Const(true)
        );
        assert_eq!(
            filter(&within, &env(Some(&role(None)))).unwrap(),
            Filter::Const(false)
        );
    }

    #[test]
    fn a_field_compared_with_a_missing_caller_value_matches_by_sql_rules() {
        let own = Condition::Field {
            field: 1,
            ty: ScalarType::String,
            op: Compare::Eq,
            value: Operand::Auth(0),
        };
        // Anonymous: `owner_id == null`, which SQL answers for rows without an owner only.
        assert_eq!(
            filter(&own, &env(None)).unwrap(),
            Filter::Field {
                field: 1,
                ty: ScalarType::String,
                filter: FieldFilter {
                    insensitive: false,
                    conds: vec![Cond::Eq(Value::Null)]
                }
            }
        );
        let newer = Condition::Field {
            field: 1,
            ty: ScalarType::Int,
            op: Compare::Gt,
            value: Operand::Auth(0),
        };
        assert_eq!(filter(&newer, &env(None)).unwrap(), Filter::Const(false));
    }

    #[test]
    fn a_negation_keeps_a_missing_related_row_unknown() {
        let banned = Condition::Field {
            field: 2,
            ty: ScalarType::Boolean,
            op: Compare::Eq,
            value: Operand::Literal(serde_json::json!(true)),
        };
        let leaf = || filter(&banned, &env(None)).unwrap();
        let via = Condition::Via {
            relation: 5,
            condition: Box::new(banned.clone()),
        };
        // `!author.banned`: the author exists and is not banned (no author: unknown, not true).
        assert_eq!(
            filter(&Condition::Not(Box::new(via.clone())), &env(None)).unwrap(),
            Filter::One {
                relation: 5,
                negated: false,
                filter: Some(Box::new(Filter::Not(vec![leaf()]))),
            }
        );
        // `!(a && !b)` is `!a || b`.
        let both = Condition::And(vec![via.clone(), Condition::Not(Box::new(banned.clone()))]);
        assert!(matches!(
            filter(&Condition::Not(Box::new(both)), &env(None)).unwrap(),
            Filter::Or(items) if items.len() == 2 && items[1] == leaf()
        ));
        // `author.name == null` also holds without an author.
        let unnamed = Condition::Via {
            relation: 5,
            condition: Box::new(Condition::Field {
                field: 3,
                ty: ScalarType::String,
                op: Compare::Eq,
                value: Operand::Literal(serde_json::Value::Null),
            }),
        };
        assert!(matches!(
            filter(&unnamed, &env(None)).unwrap(),
            Filter::Or(items) if items[0] == Filter::One { relation: 5, negated: false, filter: None }
        ));
        // An ordering with an unknown caller value is unknown, also under `!`.
        let older = Condition::AuthField {
            field: 3,
            ty: ScalarType::Int,
            op: Compare::Gt,
            value: Operand::Literal(serde_json::json!(18)),
        };
        assert_eq!(filter(&older, &env(None)).unwrap(), Filter::Const(false));
        assert_eq!(
            filter(&Condition::Not(Box::new(older)), &env(None)).unwrap(),
            Filter::Const(false)
        );
    }
}
