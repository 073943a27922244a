//! `@@validate` rules (see `schema::validate`) evaluated on a write's input, as ZenStack's zod
//! refinement evaluates them (JavaScript's truthiness and loose equality; a field the input
//! leaves out is a symbol: truthy, null for `==`, passing `<`/`>`, false for functions).

use crate::schema::FieldId;
use crate::schema::parser::BinOp;
use crate::schema::validate::{Cond, Function, Rule};
use crate::value::Value;

/// Whether the input meets the rule; `input` gives each field's value, or `None` when the
/// input leaves it out.
pub fn holds<'v>(rule: &Rule, input: &impl Fn(FieldId) -> Option<&'v Value>) -> bool {
    truthy(&eval(&rule.condition, input))
}

/// A value while evaluating, as JavaScript has it.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Absent,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
}

fn of_value(value: &Value) -> V {
    match value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Int(i) => V::Num(*i as f64),
        Value::Float(f) => V::Num(*f),
        Value::Decimal(d) => V::Num(d.parse().unwrap_or(f64::NAN)),
        Value::String(s) => V::Str(s.clone()),
        Value::DateTime(at) => V::Num(at.timestamp_millis() as f64),
        Value::Json(serde_json::Value::Array(items)) => V::List(
            items
                .iter()
                .map(|i| match i {
                    serde_json::Value::Bool(b) => V::Bool(*b),
                    serde_json::Value::Number(n) => V::Num(n.as_f64().unwrap_or(f64::NAN)),
                    serde_json::Value::String(s) => V::Str(s.clone()),
                    _ => V::Null,
                })
                .collect(),
        ),
        Value::Json(_) => V::Null,
    }
}

fn truthy(v: &V) -> bool {
    match v {
        // A JavaScript symbol stands for an absent field: truthy.
        V::Absent | V::List(_) => true,
        V::Null => false,
        V::Bool(b) => *b,
        V::Num(n) => *n != 0.0 && !n.is_nan(),
        V::Str(s) => !s.is_empty(),
    }
}

/// JavaScript's `Number(v)`.
fn number(v: &V) -> f64 {
    match v {
        V::Null => 0.0,
        V::Bool(b) => f64::from(u8::from(*b)),
        V::Num(n) => *n,
        V::Str(s) if s.trim().is_empty() => 0.0,
        V::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        V::Absent | V::List(_) => f64::NAN,
    }
}

/// JavaScript's `==`, an absent field counting as null.
fn loose_eq(a: &V, b: &V) -> bool {
    let null = |v: &V| matches!(v, V::Null | V::Absent);
    match (a, b) {
        _ if null(a) || null(b) => null(a) && null(b),
        (V::Str(x), V::Str(y)) => x == y,
        (V::List(_), _) | (_, V::List(_)) => false,
        _ => number(a) == number(b),
    }
}

fn eval<'v>(cond: &Cond, input: &impl Fn(FieldId) -> Option<&'v Value>) -> V {
    match cond {
        Cond::Field(id) => input(*id).map_or(V::Absent, of_value),
        Cond::Null => V::Null,
        Cond::Bool(b) => V::Bool(*b),
        Cond::Num(n) => V::Num(*n),
        Cond::Str(s) => V::Str(s.clone()),
        Cond::List(items) => V::List(items.iter().map(|i| eval(i, input)).collect()),
        Cond::Not(inner) => V::Bool(!truthy(&eval(inner, input))),
        Cond::Binary(op, a, b) => {
            let (a, b) = (eval(a, input), eval(b, input));
            V::Bool(match op {
                BinOp::And => truthy(&a) && truthy(&b),
                BinOp::Or => truthy(&a) || truthy(&b),
                BinOp::Eq => loose_eq(&a, &b),
                BinOp::Ne => !loose_eq(&a, &b),
                BinOp::In => match &b {
                    V::List(items) => items.contains(&a),
                    _ => false,
                },
                _ if a == V::Absent || b == V::Absent => true,
                _ => {
                    let ordering = match (&a, &b) {
                        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
                        _ => number(&a).partial_cmp(&number(&b)),
                    };
                    ordering.is_some_and(|o| match op {
                        BinOp::Lt => o.is_lt(),
                        BinOp::Le => o.is_le(),
                        BinOp::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    })
                }
            })
        }
        Cond::Call(function, args) => {
            let values: Vec<V> = args.iter().map(|a| eval(a, input)).collect();
            call(function, &values)
        }
    }
}

fn call(function: &Function, args: &[V]) -> V {
    let Some(first) = args.first().filter(|v| !matches!(v, V::Absent | V::Null)) else {
        return V::Bool(false);
    };
    let text = match first {
        V::Str(s) => Some(s.as_str()),
        _ => None,
    };
    let search = || match args.get(1) {
        Some(V::Str(s)) => s.clone(),
        _ => String::new(),
    };
    let cased = |s: &str, ignore: bool| {
        if ignore {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let list = match first {
        V::List(items) => Some(items),
        _ => None,
    };
    V::Bool(match function {
        Function::Length => {
            return match (text, list) {
                (Some(t), _) => V::Num(t.encode_utf16().count() as f64),
                (_, Some(items)) => V::Num(items.len() as f64),
                _ => V::Bool(false),
            };
        }
        Function::StartsWith { ignore_case } => text
            .is_some_and(|t| cased(t, *ignore_case).starts_with(&cased(&search(), *ignore_case))),
        Function::EndsWith { ignore_case } => {
            text.is_some_and(|t| cased(t, *ignore_case).ends_with(&cased(&search(), *ignore_case)))
        }
        Function::Contains { ignore_case } => {
            text.is_some_and(|t| cased(t, *ignore_case).contains(&cased(&search(), *ignore_case)))
        }
        Function::Regex(r) => text.is_some_and(|t| r.is_match(t)),
        Function::IsEmail => text.is_some_and(|t| tandem_core::email::Email::parse(t).is_ok()),
        Function::IsUrl => text.is_some_and(|t| url::Url::parse(t).is_ok()),
        Function::IsDateTime => {
            text.is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
        }
        Function::Has => list.is_some_and(|items| args.get(1).is_some_and(|x| items.contains(x))),
        Function::HasEvery | Function::HasSome => {
            let (Some(items), Some(V::List(wanted))) = (list, args.get(1)) else {
                return V::Bool(false);
            };
            if matches!(function, Function::HasEvery) {
                wanted.iter().all(|w| items.contains(w))
            } else {
                wanted.iter().any(|w| items.contains(w))
            }
        }
        Function::IsEmpty => list.is_some_and(Vec::is_empty),
    })
}
