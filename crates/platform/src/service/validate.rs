//! Checks on client input that are not types of their own: text bounds, patterns, JSON
//! sizes, durations. Every failure is an `INVALID_INPUT` (or a more specific code) naming the
//! field, before anything reaches the store.

use chrono::Duration;
use serde_json::{Map, Value};
use tandem_core::profile::{self, TextShape};

use crate::domain::Change;
use crate::domain::list::{PermissionFilter, RoleFilter, StringFilter, TenantFilter, UserFilter};
use crate::error::{PlatformError, PlatformResult};

pub const MAX_TEXT_CHARS: usize = 1000;
pub const MAX_CUSTOM_DATA_BYTES: usize = 64 * 1024;
pub const MAX_ROLE_KEYS: usize = 100;
pub const DEFAULT_USER_TOKEN_LIFETIME: Duration = Duration::hours(1);
pub const MAX_USER_TOKEN_LIFETIME: Duration = Duration::days(30);

/// Text a person typed: bounded, and free of NUL (which PostgreSQL cannot store).
pub fn text(field: &str, value: &str) -> PlatformResult<()> {
    if value.contains('\0') {
        return Err(PlatformError::InvalidInput(format!(
            "`{field}` contains a NUL character"
        )));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(PlatformError::InvalidInput(format!(
            "`{field}` is too long: at most {MAX_TEXT_CHARS} characters"
        )));
    }
    Ok(())
}

/// Profile fields synced with the BaaS follow the one rule both halves share
/// (`tandem_core::profile`): `avatarUrl` is an http(s) URL, `locale` a language tag,
/// `timezone` an IANA zone name, the names plain text without control characters. Other
/// text is only bounded.
fn field_value(field: &str, value: &str) -> PlatformResult<()> {
    let shape = match field {
        "avatarUrl" => TextShape::HttpUrl,
        "locale" => TextShape::LanguageTag,
        "timezone" => TextShape::TimeZone,
        "firstName" | "lastName" => TextShape::Plain,
        _ => return text(field, value),
    };
    synced_text(field, shape, value)
}

fn synced_text(field: &str, shape: TextShape, value: &str) -> PlatformResult<()> {
    profile::check(field, shape, value).map_err(|e| PlatformError::InvalidInput(e.to_string()))
}

pub fn optional_text(field: &str, value: Option<String>) -> PlatformResult<Option<String>> {
    if let Some(v) = &value {
        field_value(field, v)?;
    }
    Ok(value)
}

pub fn text_change(
    field: &str,
    value: Change<Option<String>>,
) -> PlatformResult<Change<Option<String>>> {
    if let Change::Set(Some(v)) = &value {
        field_value(field, v)?;
    }
    Ok(value)
}

/// A `customData` object: bounded, and free of NUL anywhere (PostgreSQL's jsonb refuses it).
pub fn custom_data(data: Map<String, Value>) -> PlatformResult<Map<String, Value>> {
    let json = serde_json::to_string(&data).unwrap_or_default();
    if json.len() > MAX_CUSTOM_DATA_BYTES {
        return Err(PlatformError::InvalidInput(format!(
            "`customData` is too large: at most {} KiB of JSON",
            MAX_CUSTOM_DATA_BYTES / 1024
        )));
    }
    if json.contains("\\u0000") {
        return Err(PlatformError::InvalidInput(
            "`customData` contains a NUL character".into(),
        ));
    }
    Ok(data)
}

pub fn tenant_name(raw: &str) -> PlatformResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(PlatformError::InvalidInput(
            "the tenant's name must not be empty".into(),
        ));
    }
    synced_text("name", TextShape::Plain, name)?;
    Ok(name.to_owned())
}

pub fn role_key(raw: &str) -> PlatformResult<String> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(key.to_owned())
    } else {
        Err(PlatformError::InvalidInput(format!(
            "`{}` is not a valid role key: use 1 to 64 letters, digits, `_`, `-` or `.`",
            key.chars().take(80).collect::<String>()
        )))
    }
}

/// A LIKE pattern: bounded text that does not end in a lone escape character.
fn pattern(field: &str, value: &str) -> PlatformResult<()> {
    text(field, value)?;
    let trailing = value.chars().rev().take_while(|c| *c == '\\').count();
    if trailing % 2 == 1 {
        return Err(PlatformError::InvalidInput(format!(
            "`{field}` ends with an unescaped `\\`; write `\\\\` for a literal backslash"
        )));
    }
    Ok(())
}

fn string_filter(field: &str, f: &StringFilter) -> PlatformResult<()> {
    for v in [&f.equal_to, &f.not_equal_to].into_iter().flatten() {
        text(field, v)?;
    }
    for v in [&f.value_in, &f.value_not_in]
        .into_iter()
        .flatten()
        .flatten()
    {
        text(field, v)?;
    }
    for p in [&f.like, &f.i_like].into_iter().flatten() {
        pattern(field, p)?;
    }
    Ok(())
}

pub fn user_filter(f: &UserFilter) -> PlatformResult<()> {
    for (name, filter) in [
        ("email", &f.email),
        ("firstName", &f.first_name),
        ("lastName", &f.last_name),
        ("locale", &f.locale),
        ("phone", &f.phone),
        ("reference", &f.reference),
        ("roleKey", &f.role_key),
        ("timezone", &f.timezone),
    ] {
        if let Some(filter) = filter {
            string_filter(name, filter)?;
        }
    }
    if let Some(search) = &f.search {
        text("search", search)?;
    }
    Ok(())
}

pub fn role_filter(f: &RoleFilter) -> PlatformResult<()> {
    for (name, filter) in [
        ("key", &f.key),
        ("name", &f.name),
        ("description", &f.description),
    ] {
        if let Some(filter) = filter {
            string_filter(name, filter)?;
        }
    }
    Ok(())
}

pub fn permission_filter(f: &PermissionFilter) -> PlatformResult<()> {
    for (name, filter) in [("key", &f.key), ("scope", &f.scope), ("type", &f.kind)] {
        if let Some(filter) = filter {
            string_filter(name, filter)?;
        }
    }
    Ok(())
}

/// The name of a BaaS model a permission is on: an identifier, as the schema's model names are,
/// in the form the BaaS's API names models (first letter lower-case: `Project` → `project`).
pub fn entity_name(field: &str, raw: &str) -> PlatformResult<String> {
    let name = raw.trim();
    let ok = name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        let mut chars = name.chars();
        Ok(chars
            .next()
            .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default())
    } else {
        Err(PlatformError::InvalidInput(format!(
            "`{field}` must name a BaaS model (such as `project`): 1 to 64 letters, digits or `_`, not starting with a digit; got `{}`",
            name.chars().take(80).collect::<String>()
        )))
    }
}

pub fn tenant_filter(f: &TenantFilter) -> PlatformResult<()> {
    match &f.reference {
        Some(filter) => string_filter("reference", filter),
        None => Ok(()),
    }
}

/// `expiresIn` as the `jsonwebtoken` package reads it (what ROQ's servers use): a number is
/// seconds; a string is a `ms` duration (`"2 days"`, `"10h"`, `"1.5h"`), a bare number string
/// being milliseconds.
pub fn token_lifetime(expires_in: Option<&Value>) -> PlatformResult<Duration> {
    let invalid = || {
        PlatformError::InvalidInput(
            "expiresIn must be a number of seconds or a duration like \"15m\", \"2h\" or \"7 days\""
                .into(),
        )
    };
    let millis: f64 = match expires_in {
        None | Some(Value::Null) => return Ok(DEFAULT_USER_TOKEN_LIFETIME),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(invalid)? * 1000.0,
        Some(Value::String(s)) => ms_duration(s).ok_or_else(invalid)?,
        Some(_) => return Err(invalid()),
    };
    if !millis.is_finite() || millis < 1000.0 {
        return Err(PlatformError::InvalidInput(
            "expiresIn must be at least one second".into(),
        ));
    }
    if millis > MAX_USER_TOKEN_LIFETIME.num_milliseconds() as f64 {
        return Err(PlatformError::InvalidInput(format!(
            "expiresIn may be at most {} days",
            MAX_USER_TOKEN_LIFETIME.num_days()
        )));
    }
    Ok(Duration::milliseconds(millis as i64))
}

/// The grammar of the `ms` package: a decimal number, optional spaces, an optional unit.
fn ms_duration(raw: &str) -> Option<f64> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(s.len());
    let number: f64 = s[..split].parse().ok()?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let factor = match unit.as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        "w" | "week" | "weeks" => 604_800_000.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600_000.0,
        _ => return None,
    };
    Some(number * factor)
}

/// An id the caller chose for a new tenant or user (the migration extension of `createUser` and
/// `createTenant`): it must be a UUID.
pub fn new_id<T: std::str::FromStr>(kind: &str, id: &str) -> PlatformResult<T> {
    id.parse().map_err(|_| {
        PlatformError::InvalidInput(format!(
            "the {kind} id `{}` is not a UUID; leave `id` out to have one assigned",
            id.chars().take(80).collect::<String>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_lifetimes_follow_jsonwebtoken() {
        assert_eq!(token_lifetime(None).unwrap(), DEFAULT_USER_TOKEN_LIFETIME);
        assert_eq!(
            token_lifetime(Some(&json!(90))).unwrap(),
            Duration::seconds(90)
        );
        assert_eq!(
            token_lifetime(Some(&json!("15m"))).unwrap(),
            Duration::minutes(15)
        );
        assert_eq!(
            token_lifetime(Some(&json!("2 days"))).unwrap(),
            Duration::days(2)
        );
        assert_eq!(
            token_lifetime(Some(&json!("1.5h"))).unwrap(),
            Duration::minutes(90)
        );
        assert_eq!(
            token_lifetime(Some(&json!("3600000"))).unwrap(),
            Duration::hours(1),
            "bare strings are milliseconds"
        );
        for bad in [
            json!(0),
            json!(-5),
            json!("soon"),
            json!("5 fortnights"),
            json!(true),
            json!("500"),
            json!("31d"),
        ] {
            assert!(token_lifetime(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn patterns_may_not_end_in_a_lone_escape() {
        assert!(pattern("p", r"100\%").is_ok());
        assert!(pattern("p", r"a\\").is_ok());
        assert!(pattern("p", r"a\").is_err());
        assert!(pattern("p", "nul\0").is_err());
    }

    #[test]
    fn role_keys_are_plain_identifiers() {
        assert_eq!(role_key(" freelancer ").unwrap(), "freelancer");
        assert!(role_key("team-lead.v2").is_ok());
        for bad in ["", "has space", "ümlaut", &"k".repeat(65)] {
            assert!(role_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_fields_have_shapes() {
        for (field, ok) in [
            ("avatarUrl", "https://example.com/a.png"),
            ("locale", "en"),
            ("locale", "en-GB"),
            ("locale", "zh_Hant_TW"),
            ("timezone", "America/Argentina/Buenos_Aires"),
            ("timezone", "Etc/GMT+3"),
            ("phone", "+44 (0)20"),
        ] {
            assert!(field_value(field, ok).is_ok(), "{field}={ok}");
        }
        for (field, bad) in [
            ("avatarUrl", "javascript:alert(1)"),
            ("avatarUrl", "https://"),
            ("locale", "<script>"),
            ("locale", "english"),
            ("timezone", "Europe/London; DROP"),
            ("firstName", "a\u{0}b"),
            ("lastName", "tab\there"),
        ] {
            assert!(field_value(field, bad).is_err(), "{field}={bad}");
        }
    }

    #[test]
    fn custom_data_refuses_nul_and_bulk() {
        let mut nul = Map::new();
        nul.insert("k".into(), json!("a\u{0}b"));
        assert!(custom_data(nul).is_err());
        let mut big = Map::new();
        big.insert("k".into(), json!("x".repeat(MAX_CUSTOM_DATA_BYTES)));
        assert!(custom_data(big).is_err());
    }
}
