//! Email addresses, parsed once at the edge ("parse, don't validate").
//!
//! Addresses are compared case-insensitively across the product, so the parsed form is
//! trimmed and lower-cased: two spellings of one address are the same `Email`.

use std::fmt;

use serde::Serialize;

/// Longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is empty")]
    Empty,
    #[error("email is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("`{0}` is not a valid email address (expected something like name@example.com)")]
    Malformed(String),
    #[error(
        "the email address contains an invisible character (U+{0:04X}); type the address again without it"
    )]
    Invisible(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        // Fold first and validate the folded form: lower-casing can change length and
        // characters (`İ` becomes `i` + a combining dot), and what is stored must re-parse.
        let folded = raw.trim().to_lowercase();
        let trimmed = folded.as_str();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if let Some(c) = trimmed.chars().find(|c| invisible(*c)) {
            return Err(EmailError::Invisible(u32::from(c)));
        }
        let malformed = || EmailError::Malformed(trimmed.chars().take(80).collect());
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(malformed)?;
        let local_ok = !local.is_empty()
            && local.chars().all(local_char)
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| (c.is_alphanumeric() && !invisible_letter(c)) || c == '.' || c == '-');
        let no_forbidden = !trimmed.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '"' | '[' | ']'
                )
        });
        if local_ok && domain_ok && no_forbidden {
            Ok(Self(folded))
        } else {
            Err(malformed())
        }
    }

    /// Rebuilds an address read back from storage, which was parsed when it was written.
    pub fn from_storage(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Letters and digits of any script, and the printable ASCII symbols RFC 5322 allows in an
/// unquoted local part. Everything else is refused, notably the invisible format characters
/// (zero-width space U+200B, word joiner U+2060, bidi overrides U+202E, soft hyphen U+00AD)
/// that would make `admin\u{200b}@…` a second account that looks like `admin@…`.
fn local_char(c: char) -> bool {
    (c.is_alphanumeric() && !invisible_letter(c)) || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

/// Characters that render as nothing: format characters (zero-width spaces and joiners, bidi
/// controls, the soft hyphen, tags), variation selectors and fillers. Named in the error, so a
/// person sees why an address that looks right is refused.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Characters Unicode counts as letters that render as nothing (Hangul fillers).
fn invisible_letter(c: char) -> bool {
    matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parsing_trims_and_lowercases() {
        let email = Email::parse("  Francis.99@ROQ.dev ").unwrap();
        assert_eq!(email.as_str(), "francis.99@roq.dev");
        assert_eq!(email, Email::parse("francis.99@roq.dev").unwrap());
    }

    #[test]
    fn ordinary_addresses_are_accepted() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'neil@example.ie",
            "user_1@xn--80ak6aa92e.com",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok} should parse");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@@b.com",
            "a@b..com",
            ".a@b.com",
            "a@-b.com",
            "a@b.com.",
            "a<b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(250))),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn look_alikes_with_invisible_characters_are_refused() {
        for invisible in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{202e}',
            '\u{00ad}',
            '\u{feff}',
            '\u{180e}',
            '\u{3164}',
            '\u{115f}',
            '\u{2800}',
            '\u{034f}',
            '\u{fe0f}',
            '\u{e0041}',
        ] {
            for raw in [
                format!("admin{invisible}@example.com"),
                format!("ad{invisible}min@example.com"),
                format!("admin@exa{invisible}mple.com"),
            ] {
                assert!(
                    matches!(
                        Email::parse(&raw),
                        Err(EmailError::Malformed(_) | EmailError::Invisible(_))
                    ),
                    "{raw:?} (U+{:04X}) was accepted",
                    invisible as u32
                );
            }
        }
        assert!(
            Email::parse("josé.müller@bücher.de").is_ok(),
            "letters of any script stay"
        );
        assert!(Email::parse("用户@例子.广告").is_ok());
    }

    #[test]
    fn folding_happens_before_validation() {
        // `İ` lower-cases to `i` plus a combining dot, which is not a domain character.
        assert!(Email::parse("a@exİ.com").is_err());
        assert_eq!(
            Email::parse("A@EXAMPLE.COM").unwrap().as_str(),
            "a@example.com"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_idempotent(raw in "(\\PC|İ|Ⱥ|ẞ){0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
            }
        }

        #[test]
        fn address_shaped_input_is_accepted_as_its_lower_case(
            local in "[a-zA-Z0-9_+-]([a-zA-Z0-9._+-]{0,60}[a-zA-Z0-9_+-])?",
            domain in "[a-zA-Z0-9]([a-zA-Z0-9-]{0,18}[a-zA-Z0-9])?",
            tld in "[a-zA-Z]{2,6}",
        ) {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{domain}.{tld}");
            let lower = raw.to_lowercase();
            let email = Email::parse(&raw);
            prop_assert_eq!(email.as_ref().map(Email::as_str), Ok(lower.as_str()));
        }

        #[test]
        fn an_invisible_character_anywhere_is_refused(
            at in 0usize..20,
            invisible in prop::sample::select(vec!['\u{200b}', '\u{2060}', '\u{202e}', '\u{00ad}', '\u{feff}', '\u{200e}']),
        ) {
            let mut raw: Vec<char> = "admin.team@example.com".chars().collect();
            raw.insert(at.min(raw.len()), invisible);
            let raw: String = raw.into_iter().collect();
            prop_assert!(Email::parse(&raw).is_err(), "{:?} was accepted", raw);
        }
    }
}
