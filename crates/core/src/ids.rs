//! Typed identifiers. Each is a UUID on the wire and in storage (hyphenated text), but the
//! types keep a tenant id from being passed where a user id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind} id (expected a UUID)")]
pub struct IdParseError {
    pub kind: &'static str,
    pub value: String,
}

macro_rules! id_type {
    ($name:ident, $kind:literal) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the wire form; the error names the kind of id and the offending text.
            pub fn parse(value: &str) -> Result<Self, IdParseError> {
                Uuid::parse_str(value.trim())
                    .map(Self)
                    .map_err(|_| IdParseError {
                        kind: $kind,
                        value: value.chars().take(80).collect(),
                    })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

id_type!(UserId, "user");
id_type!(TenantId, "tenant");
id_type!(RoleId, "role");
id_type!(PermissionId, "permission");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = UserId::new();
        assert_eq!(UserId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn a_bad_id_names_its_kind() {
        let err = TenantId::parse("nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`nope` is not a valid tenant id (expected a UUID)"
        );
    }
}
