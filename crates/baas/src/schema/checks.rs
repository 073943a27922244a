//! ZenStack's field validation attributes, applied to what creates and updates write, with
//! zod's messages (ZenStack validates input with zod): `@length(min, max)`, `@startsWith`,
//! `@endsWith`, `@contains`, `@regex`, `@email`, `@url`, `@datetime` on strings; `@gt`, `@gte`,
//! `@lt`, `@lte` on numbers; and the transforms `@trim`, `@lower`, `@upper`. Each check takes
//! an optional message last, which replaces zod's.

use super::ScalarType;
use super::parser::{Attribute, Expr};

#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CheckKind,
    pub message: Option<String>,
    /// The attribute as written, printed back by `GET /api/schema`.
    pub text: String,
}

impl PartialEq for Check {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    StartsWith(String),
    EndsWith(String),
    Contains(String),
    Regex(regex::Regex),
    Email,
    Url,
    Datetime,
    Gt(f64),
    Gte(f64),
    Lt(f64),
    Lte(f64),
    Trim,
    Lower,
    Upper,
}

const STRING_CHECKS: [&str; 11] = [
    "length",
    "startsWith",
    "endsWith",
    "contains",
    "regex",
    "email",
    "url",
    "datetime",
    "trim",
    "lower",
    "upper",
];
const NUMBER_CHECKS: [&str; 4] = ["gt", "gte", "lt", "lte"];

impl Check {
    /// The attribute names this module reads.
    pub fn names() -> Vec<&'static str> {
        STRING_CHECKS
            .iter()
            .chain(&NUMBER_CHECKS)
            .copied()
            .collect()
    }

    /// The check an attribute on a field of type `ty` declares, or why it cannot be one.
    pub(super) fn parse(attribute: &Attribute, ty: Option<ScalarType>) -> Result<Self, String> {
        let name = attribute.name.as_str();
        let strings = ty == Some(ScalarType::String);
        let numbers = ty.is_some_and(ScalarType::is_numeric);
        if STRING_CHECKS.contains(&name) && !strings {
            return Err(format!("@{name} applies to String fields"));
        }
        if NUMBER_CHECKS.contains(&name) && !numbers {
            return Err(format!(
                "@{name} applies to Int, BigInt, Float and Decimal fields"
            ));
        }
        let positional: Vec<&Expr> = attribute
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .map(|a| &a.value)
            .collect();
        let named = |key: &str| {
            attribute
                .args
                .iter()
                .find(|a| a.name.as_deref() == Some(key))
                .map(|a| &a.value)
        };
        let text_arg = |i: usize| match positional.get(i) {
            Some(Expr::String(s)) => Ok(s.clone()),
            _ => Err(format!("@{name} takes a string: @{name}(\"…\")")),
        };
        let number = |e: Option<&Expr>| -> Result<Option<f64>, String> {
            match e {
                None => Ok(None),
                Some(Expr::Number(n)) => n
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| format!("@{name}: `{n}` is not a number")),
                Some(_) => Err(format!("@{name} takes numbers")),
            }
        };
        // The message, when given, is the last string argument (or `message:`).
        let message_at = |i: usize| -> Result<Option<String>, String> {
            match named("message").or_else(|| positional.get(i).copied()) {
                None => Ok(None),
                Some(Expr::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("@{name}: the message is a string")),
            }
        };
        let size = |e: Option<&Expr>| -> Result<Option<usize>, String> {
            Ok(match number(e)? {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => Some(n as usize),
                Some(_) => return Err(format!("@{name} takes whole numbers of characters")),
                None => None,
            })
        };
        let (kind, message) = match name {
            "length" => {
                let min = size(named("min").or_else(|| positional.first().copied()))?;
                let max = size(named("max").or_else(|| positional.get(1).copied()))?;
                (CheckKind::Length { min, max }, message_at(2)?)
            }
            "startsWith" => (CheckKind::StartsWith(text_arg(0)?), message_at(1)?),
            "endsWith" => (CheckKind::EndsWith(text_arg(0)?), message_at(1)?),
            "contains" => (CheckKind::Contains(text_arg(0)?), message_at(1)?),
            "regex" => {
                let pattern = text_arg(0)?;
                let compiled = regex::Regex::new(&pattern).map_err(|e| {
                    format!("@regex(\"{pattern}\") is not a pattern Tandem can run: {e}")
                })?;
                (CheckKind::Regex(compiled), message_at(1)?)
            }
            "email" => (CheckKind::Email, message_at(0)?),
            "url" => (CheckKind::Url, message_at(0)?),
            "datetime" => (CheckKind::Datetime, message_at(0)?),
            "trim" => (CheckKind::Trim, None),
            "lower" => (CheckKind::Lower, None),
            "upper" => (CheckKind::Upper, None),
            _ => {
                let value = number(positional.first().copied())?
                    .ok_or_else(|| format!("@{name} takes a number: @{name}(0)"))?;
                let kind = match name {
                    "gt" => CheckKind::Gt(value),
                    "gte" => CheckKind::Gte(value),
                    "lt" => CheckKind::Lt(value),
                    _ => CheckKind::Lte(value),
                };
                (kind, message_at(1)?)
            }
        };
        Ok(Self {
            kind,
            message,
            text: attribute_text(attribute),
        })
    }

    /// Applies a transform to `text` (checks leave it as it is).
    pub fn transform(&self, text: String) -> String {
        match self.kind {
            CheckKind::Trim => text.trim().to_owned(),
            CheckKind::Lower => text.to_lowercase(),
            CheckKind::Upper => text.to_uppercase(),
            _ => text,
        }
    }

    /// Why `text` fails this check, if it does.
    pub fn failure_of_text(&self, text: &str) -> Option<String> {
        let failed = match &self.kind {
            CheckKind::Length { min, max } => {
                let n = text.chars().count();
                if min.is_some_and(|m| n < m) {
                    Some(format!(
                        "Too small: expected string to have >={} characters",
                        min.unwrap_or_default()
                    ))
                } else if max.is_some_and(|m| n > m) {
                    Some(format!(
                        "Too big: expected string to have <={} characters",
                        max.unwrap_or_default()
                    ))
                } else {
                    None
                }
            }
            CheckKind::StartsWith(p) => (!text.starts_with(p.as_str()))
                .then(|| format!("Invalid string: must start with \"{p}\"")),
            CheckKind::EndsWith(p) => (!text.ends_with(p.as_str()))
                .then(|| format!("Invalid string: must end with \"{p}\"")),
            CheckKind::Contains(p) => (!text.contains(p.as_str()))
                .then(|| format!("Invalid string: must include \"{p}\"")),
            CheckKind::Regex(r) => (!r.is_match(text))
                .then(|| format!("Invalid string: must match pattern /{}/", r.as_str())),
            CheckKind::Email => (text.trim() != text
                || tandem_core::email::Email::parse(text).is_err())
            .then(|| "Invalid email address".to_owned()),
            CheckKind::Url => url::Url::parse(text)
                .is_err()
                .then(|| "Invalid URL".to_owned()),
            CheckKind::Datetime => chrono::DateTime::parse_from_rfc3339(text)
                .is_err()
                .then(|| "Invalid ISO datetime".to_owned()),
            _ => None,
        };
        failed.map(|m| self.message.clone().unwrap_or(m))
    }

    /// Why `n` fails this check, if it does.
    pub fn failure_of_number(&self, n: f64) -> Option<String> {
        let failed = match self.kind {
            CheckKind::Gt(v) => (n <= v).then(|| format!("Too small: expected number to be >{v}")),
            CheckKind::Gte(v) => (n < v).then(|| format!("Too small: expected number to be >={v}")),
            CheckKind::Lt(v) => (n >= v).then(|| format!("Too big: expected number to be <{v}")),
            CheckKind::Lte(v) => (n > v).then(|| format!("Too big: expected number to be <={v}")),
            _ => None,
        };
        failed.map(|m| self.message.clone().unwrap_or(m))
    }
}

/// `@name(args…)` as written (strings quoted again).
fn attribute_text(attribute: &Attribute) -> String {
    fn expr(e: &Expr) -> String {
        match e {
            Expr::String(s) => format!("{s:?}"),
            Expr::Number(n) | Expr::Ident(n) => n.clone(),
            _ => String::new(),
        }
    }
    if attribute.args.is_empty() {
        return format!("@{}", attribute.name);
    }
    let args: Vec<String> = attribute
        .args
        .iter()
        .map(|a| match &a.name {
            Some(name) => format!("{name}: {}", expr(&a.value)),
            None => expr(&a.value),
        })
        .collect();
    format!("@{}({})", attribute.name, args.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn checks_of(field: &str) -> Vec<Check> {
        let schema =
            Schema::from_source("s", &format!("model a {{\n  id Int @id\n  {field}\n}}")).unwrap();
        schema.models.last().unwrap().fields[1].checks.clone()
    }

    #[test]
    fn string_checks_fail_with_zods_messages_or_the_schemas() {
        let email = checks_of("e String @email");
        assert_eq!(
            email[0].failure_of_text("foo").as_deref(),
            Some("Invalid email address")
        );
        assert_eq!(email[0].failure_of_text("a@example.com"), None);
        let length = checks_of("n String @length(2, 4, \"2 to 4\")");
        assert_eq!(length[0].failure_of_text("a").as_deref(), Some("2 to 4"));
        assert_eq!(length[0].failure_of_text("abc"), None);
        let max = checks_of("n String @length(max: 3)");
        assert_eq!(
            max[0].failure_of_text("abcd").as_deref(),
            Some("Too big: expected string to have <=3 characters")
        );
        let regex = checks_of("n String @regex(\"^[a-z]+$\")");
        assert!(
            regex[0]
                .failure_of_text("ABC")
                .unwrap()
                .contains("must match pattern /^[a-z]+$/")
        );
        let url = checks_of("u String? @url");
        assert_eq!(
            url[0].failure_of_text("not a url").as_deref(),
            Some("Invalid URL")
        );
        assert_eq!(url[0].failure_of_text("https://zenstack.dev"), None);
        let both = checks_of("s String @trim @lower @startsWith(\"x\")");
        let text = both.iter().fold("  XY ".to_owned(), |t, c| c.transform(t));
        assert_eq!(text, "xy");
        assert_eq!(both[2].failure_of_text(&text), None);
        assert_eq!(both[2].text, "@startsWith(\"x\")");
    }

    #[test]
    fn number_checks_and_mistakes() {
        let gt = checks_of("n Int @gt(0) @lte(10)");
        assert_eq!(
            gt[0].failure_of_number(0.0).as_deref(),
            Some("Too small: expected number to be >0")
        );
        assert_eq!(
            gt[1].failure_of_number(11.0).as_deref(),
            Some("Too big: expected number to be <=10")
        );
        assert_eq!(gt[1].failure_of_number(10.0), None);
        let error = |field: &str| {
            Schema::from_source("s", &format!("model a {{\n  id Int @id\n  {field}\n}}"))
                .unwrap_err()
                .to_string()
        };
        assert!(error("n Int @email").contains("@email applies to String fields"));
        assert!(error("n String @gt(1)").contains("@gt applies to Int"));
        assert!(error("n String @regex(\"(?=a)\")").contains("is not a pattern Tandem can run"));
    }
}
