//! The shape of each synced text field (a user's names, locale, time zone, avatar URL; a
//! tenant's name), defined once: the Platform's input, the BaaS's write rules and both sync
//! apply paths all ask [`check`], so a value one side accepts is a value the other can store
//! and serve.

use std::fmt;

/// The longest text a synced field may hold (the Platform's limit for profile text).
pub const MAX_TEXT_CHARS: usize = 1000;
/// The longest JSON text a synced field holds (a role's permissions, a user's role ids).
pub const MAX_JSON_CHARS: usize = 256 * 1024;

/// What a synced text field must look like, besides being bounded text without control
/// characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextShape {
    /// Any text a person typed.
    Plain,
    /// An absolute `http://` or `https://` URL (no `javascript:`, no `data:`).
    HttpUrl,
    /// A BCP 47 language tag: `en`, `en-GB`, `zh_Hant_TW`.
    LanguageTag,
    /// An IANA time zone name: `UTC`, `Europe/London`, `America/Argentina/Buenos_Aires`.
    TimeZone,
    /// An email address in its stored (trimmed, lower-case) form.
    Email,
    /// A UUID, hyphenated.
    Uuid,
    /// An RFC 3339 time stamp.
    Timestamp,
    /// A JSON document as text (at most [`MAX_JSON_CHARS`] characters), machine-written.
    Json,
}

impl TextShape {
    /// An example a person can follow, for error messages.
    pub fn example(self) -> &'static str {
        match self {
            Self::Plain => "text",
            Self::HttpUrl => "an http(s) URL such as https://example.com/me.png",
            Self::LanguageTag => "a language tag such as en or en-GB",
            Self::TimeZone => "an IANA time zone such as Europe/London",
            Self::Email => "an email address such as name@example.com",
            Self::Uuid => "a UUID",
            Self::Timestamp => "a time stamp such as 2026-01-31T12:00:00Z",
            Self::Json => "a JSON document",
        }
    }
}

/// Why a value does not fit its field. The `Display` names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    TooLong,
    ControlCharacter,
    Blank,
    Null,
    Shape(TextShape),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match self.problem {
            FieldProblem::TooLong => {
                write!(
                    f,
                    "`{field}` is too long: at most {MAX_TEXT_CHARS} characters ({MAX_JSON_CHARS} for JSON)"
                )
            }
            FieldProblem::ControlCharacter => write!(
                f,
                "`{field}` contains a control character (such as NUL, a tab or a line break)"
            ),
            FieldProblem::Blank => write!(f, "`{field}` must not be empty"),
            FieldProblem::Null => write!(f, "`{field}` must not be null"),
            FieldProblem::Shape(shape) => write!(f, "`{field}` must be {}", shape.example()),
        }
    }
}

impl std::error::Error for FieldError {}

/// Checks one value of the field `field` (named as the caller's API names it).
pub fn check(field: &str, shape: TextShape, value: &str) -> Result<(), FieldError> {
    let fail = |problem| {
        Err(FieldError {
            field: field.to_owned(),
            problem,
        })
    };
    // JSON is machine-written: it has its own bound.
    let limit = match shape {
        TextShape::Json => MAX_JSON_CHARS,
        _ => MAX_TEXT_CHARS,
    };
    if value.chars().count() > limit {
        return fail(FieldProblem::TooLong);
    }
    if value.chars().any(char::is_control) {
        return fail(FieldProblem::ControlCharacter);
    }
    let fits = match shape {
        TextShape::Plain => true,
        TextShape::HttpUrl => http_url(value),
        TextShape::LanguageTag => language_tag(value),
        TextShape::TimeZone => time_zone(value),
        TextShape::Email => crate::Email::parse(value).is_ok_and(|e| e.as_str() == value),
        TextShape::Uuid => uuid::Uuid::parse_str(value).is_ok(),
        TextShape::Timestamp => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
        TextShape::Json => serde_json::from_str::<serde_json::Value>(value).is_ok(),
    };
    if fits {
        Ok(())
    } else {
        fail(FieldProblem::Shape(shape))
    }
}

fn http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

fn language_tag(value: &str) -> bool {
    let mut parts = value.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// IANA names: `UTC`, or `/`-separated parts of letters, digits, `_`, `-`, `+`, each starting
/// with a letter or digit (`Etc/GMT+3`, `America/Port-au-Prince`).
fn time_zone(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value.split('/').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaped_fields_take_what_people_write() {
        for (shape, ok) in [
            (TextShape::HttpUrl, "https://example.com/a.png"),
            (TextShape::HttpUrl, "http://localhost:3000/me"),
            (TextShape::LanguageTag, "en"),
            (TextShape::LanguageTag, "en-GB"),
            (TextShape::LanguageTag, "zh_Hant_TW"),
            (TextShape::TimeZone, "UTC"),
            (TextShape::TimeZone, "America/Argentina/Buenos_Aires"),
            (TextShape::TimeZone, "Etc/GMT+3"),
            (TextShape::TimeZone, "America/Port-au-Prince"),
            (TextShape::Plain, "Zoë O'Neil-Łukasz 李"),
            (TextShape::Email, "a@example.com"),
            (TextShape::Timestamp, "2026-11-29T18:00:00.123Z"),
        ] {
            assert_eq!(check("f", shape, ok), Ok(()), "{shape:?} {ok}");
        }
    }

    #[test]
    fn what_an_attacker_sends_is_refused() {
        for (shape, bad) in [
            (TextShape::HttpUrl, "javascript:alert(document.cookie)"),
            (TextShape::HttpUrl, "https://"),
            (TextShape::HttpUrl, "data:text/html,<script>"),
            (TextShape::HttpUrl, "https://a b"),
            (TextShape::LanguageTag, "'; DROP TABLE--"),
            (TextShape::LanguageTag, "<script>"),
            (TextShape::LanguageTag, "english"),
            (TextShape::TimeZone, "<script>x</script>"),
            (TextShape::TimeZone, "Europe/London; DROP"),
            (TextShape::TimeZone, "../../etc/passwd"),
            (TextShape::TimeZone, "/"),
            (TextShape::Plain, "a\u{0}b"),
            (TextShape::Plain, "line\nbreak"),
            (TextShape::Plain, "bell\u{7}"),
            (TextShape::Email, "A@example.com"),
            (TextShape::Uuid, "nope"),
        ] {
            assert!(
                check("f", shape, bad).is_err(),
                "{shape:?} {bad:?} was accepted"
            );
        }
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check("first_name", TextShape::Plain, &long)
                .unwrap_err()
                .problem,
            FieldProblem::TooLong
        );
        assert_eq!(
            check("first_name", TextShape::Plain, "a\u{0}b")
                .unwrap_err()
                .to_string(),
            "`first_name` contains a control character (such as NUL, a tab or a line break)"
        );
    }
}
