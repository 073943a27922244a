//! `Authorization: Basic base64(environmentId:apiKey)`: how server code and operators present
//! the environment's credentials. Parsed here once for every endpoint that takes them (the
//! Platform's server GraphQL, the BaaS's super admin, the sync operator endpoints).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The two halves of a Basic credential. A value without `:` is all environment id and an
/// empty key (which no environment accepts).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub environment_id: String,
    pub api_key: String,
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("environment_id", &self.environment_id)
            .field("api_key", &"***")
            .finish()
    }
}

impl BasicCredentials {
    /// The credentials of an `Authorization` header value, or `None` when it is not `Basic`
    /// with base64 of UTF-8 text.
    pub fn parse(header: &str) -> Option<Self> {
        let encoded = header.trim().strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (environment_id, api_key) = decoded.split_once(':').unwrap_or((&decoded, ""));
        Some(Self {
            environment_id: environment_id.to_owned(),
            api_key: api_key.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_clients_send() {
        let header = format!("Basic {}", STANDARD.encode("env-1:key:with:colons"));
        let creds = BasicCredentials::parse(&format!("  {header} ")).unwrap();
        assert_eq!(creds.environment_id, "env-1");
        assert_eq!(
            creds.api_key, "key:with:colons",
            "only the first colon splits"
        );
        let no_colon =
            BasicCredentials::parse(&format!("Basic {}", STANDARD.encode("env"))).unwrap();
        assert_eq!(
            (no_colon.environment_id.as_str(), no_colon.api_key.as_str()),
            ("env", "")
        );
        for bad in [
            "Bearer abc",
            "Basic !!!",
            "basic ZW52OmtleQ==",
            "",
            "Basic ",
        ] {
            assert!(
                BasicCredentials::parse(bad).is_none_or(|c| c.environment_id.is_empty()),
                "{bad}"
            );
        }
        let not_utf8 = format!("Basic {}", STANDARD.encode([0xff, 0xfe, b':', b'k']));
        assert!(BasicCredentials::parse(&not_utf8).is_none());
        assert!(
            !format!("{creds:?}").contains("colons"),
            "the key is never printed"
        );
    }
}
