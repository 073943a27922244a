//! ZenStack's model-level validation, `@@validate(condition, message?, path?)`: a condition
//! over the model's scalar fields that what a create or update writes must meet, evaluated as
//! ZenStack's zod refinement evaluates it on the input (a field the input leaves out is
//! "absent": compared with `<`/`>` it passes, with `==` it is null, and functions of it are
//! false). Operators `== != < <= > >= && || ! in`; functions `length`, `startsWith`,
//! `endsWith`, `contains` (a third argument `true` ignores case), `regex`, `isEmail`, `isUrl`,
//! `isDateTime`, and for scalar lists `has`, `hasEvery`, `hasSome`, `isEmpty`. Here: the rule,
//! checked against the model; `query::validate` evaluates it.

use super::parser::{Attribute, BinOp, Expr};
use super::{FieldId, Model};

#[derive(Debug, Clone)]
pub struct Rule {
    /// The condition, evaluated by `query::validate`.
    pub condition: Cond,
    pub message: Option<String>,
    /// Where the failure is reported (`path: ["a", "b"]`), below the data.
    pub path: Vec<String>,
    /// The attribute as written, printed back by `GET /api/schema`.
    pub text: String,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[derive(Debug, Clone)]
pub enum Cond {
    Field(FieldId),
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Cond>),
    Not(Box<Cond>),
    Binary(BinOp, Box<Cond>, Box<Cond>),
    Call(Function, Vec<Cond>),
}

#[derive(Debug, Clone)]
pub enum Function {
    Length,
    StartsWith { ignore_case: bool },
    EndsWith { ignore_case: bool },
    Contains { ignore_case: bool },
    Regex(regex::Regex),
    IsEmail,
    IsUrl,
    IsDateTime,
    Has,
    HasEvery,
    HasSome,
    IsEmpty,
}

impl Rule {
    /// `@@validate(…)` on `model`, checked: its fields must be the model's scalar fields.
    pub fn parse(attribute: &Attribute, model: &Model) -> Result<Self, String> {
        let condition = attribute
            .arg("condition", 0)
            .ok_or("`@@validate` needs a condition: `@@validate(age >= 18, \"too young\")`")?;
        let message = match attribute.arg("message", 1).map(|a| &a.value) {
            None => None,
            Some(Expr::String(m)) => Some(m.clone()),
            Some(_) => return Err("the message of `@@validate` is a string".into()),
        };
        let path = match attribute.arg("path", 2).map(|a| &a.value) {
            None => Vec::new(),
            Some(Expr::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Expr::String(s) => Ok(s.clone()),
                    _ => Err("the path of `@@validate` is a list of strings".to_owned()),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("the path of `@@validate` is a list of strings".into()),
        };
        let args: Vec<String> = attribute
            .args
            .iter()
            .map(|a| super::parser::expr_text(&a.value))
            .collect();
        Ok(Self {
            condition: compile(&condition.value, model)?,
            message,
            path,
            text: format!("@@validate({})", args.join(", ")),
        })
    }
}

fn compile(expr: &Expr, model: &Model) -> Result<Cond, String> {
    Ok(match expr {
        Expr::String(s) => Cond::Str(s.clone()),
        Expr::Number(n) => Cond::Num(n.parse().map_err(|_| format!("`{n}` is not a number"))?),
        Expr::Ident(name) => match name.as_str() {
            "null" => Cond::Null,
            "true" => Cond::Bool(true),
            "false" => Cond::Bool(false),
            _ => match model.field(name) {
                Some((id, f)) if f.scalar().is_some() => Cond::Field(id),
                _ => {
                    return Err(format!(
                        "`@@validate` can use the scalar fields of `{}`; `{name}` is not one",
                        model.name
                    ));
                }
            },
        },
        Expr::Array(items) => Cond::List(
            items
                .iter()
                .map(|i| compile(i, model))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner, _) => Cond::Not(Box::new(compile(inner, model)?)),
        Expr::Binary(op, a, b, _) => Cond::Binary(
            *op,
            Box::new(compile(a, model)?),
            Box::new(compile(b, model)?),
        ),
        Expr::Call(name, args) => {
            let arg = |i: usize| args.get(i).map(|a| &a.value);
            let text = |i: usize| match arg(i) {
                Some(Expr::String(s)) => Ok(s.clone()),
                _ => Err(format!("`{name}` takes a string as argument {}", i + 1)),
            };
            let ignore_case = matches!(arg(2), Some(Expr::Ident(b)) if b == "true");
            let function = match name.as_str() {
                "length" => Function::Length,
                "startsWith" => Function::StartsWith { ignore_case },
                "endsWith" => Function::EndsWith { ignore_case },
                "contains" => Function::Contains { ignore_case },
                "regex" => Function::Regex(
                    regex::Regex::new(&text(1)?)
                        .map_err(|e| format!("the pattern of `regex` does not compile: {e}"))?,
                ),
                "isEmail" => Function::IsEmail,
                "isUrl" => Function::IsUrl,
                "isDateTime" => Function::IsDateTime,
                "has" => Function::Has,
                "hasEvery" => Function::HasEvery,
                "hasSome" => Function::HasSome,
                "isEmpty" => Function::IsEmpty,
                other => {
                    return Err(format!(
                        "`{other}()` is not a validation function (length, startsWith, endsWith, contains, regex, isEmail, isUrl, isDateTime, has, hasEvery, hasSome, isEmpty)"
                    ));
                }
            };
            let first = arg(0).ok_or(format!("`{name}` takes a field first"))?;
            let mut compiled = vec![compile(first, model)?];
            if matches!(
                function,
                Function::Has | Function::HasEvery | Function::HasSome
            ) {
                compiled.push(compile(
                    arg(1).ok_or(format!("`{name}` takes a value to look for"))?,
                    model,
                )?);
            }
            if matches!(
                function,
                Function::StartsWith { .. } | Function::EndsWith { .. } | Function::Contains { .. }
            ) {
                compiled.push(Cond::Str(text(1)?));
            }
            Cond::Call(function, compiled)
        }
        Expr::Member(..) | Expr::Collection(..) => {
            return Err(
                "`@@validate` can use only the model's own scalar fields (no relations)".into(),
            );
        }
    })
}
