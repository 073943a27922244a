//! Access data as the Platform sends it to the BaaS: the permissions of a role (entity ×
//! operation × scope) and the roles of a user, each as canonical JSON text in one synced
//! field, so both sides store, compare and digest the same bytes.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a permission lets its holder do to rows of its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Read,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 4] = [Self::Create, Self::Read, Self::Update, Self::Delete];

    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// Which rows a permission reaches: the holder's own, their tenant's, every row, or every row
/// for everybody (anonymous callers included). Each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Own,
    Tenant,
    All,
    Public,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Self::Own, Self::Tenant, Self::All, Self::Public];

    pub fn name(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Tenant => "tenant",
            Self::All => "all",
            Self::Public => "public",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One permission of a role: `operation` on rows of the BaaS model named `entity`, within
/// `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rule {
    pub entity: String,
    pub operation: Operation,
    pub scope: Scope,
}

/// The canonical text of a role's permissions: sorted, without repeats.
pub fn encode_rules<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> String {
    let set: BTreeSet<&Rule> = rules.into_iter().collect();
    serde_json::to_string(&set).unwrap_or_else(|_| "[]".to_owned())
}

pub fn decode_rules(text: &str) -> Result<Vec<Rule>, serde_json::Error> {
    serde_json::from_str(text)
}

/// The canonical text of a user's role ids: sorted, without repeats.
pub fn encode_role_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let set: BTreeSet<&str> = ids.into_iter().collect();
    serde_json::to_string(&set).unwrap_or_else(|_| "[]".to_owned())
}

pub fn decode_role_ids(text: &str) -> Result<Vec<String>, serde_json::Error> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(entity: &str, operation: Operation, scope: Scope) -> Rule {
        Rule {
            entity: entity.to_owned(),
            operation,
            scope,
        }
    }

    #[test]
    fn rules_encode_canonically_and_decode_back() {
        let a = rule("project", Operation::Read, Scope::Tenant);
        let b = rule("invoice", Operation::Delete, Scope::Own);
        let text = encode_rules([&a, &b, &a]);
        assert_eq!(
            text,
            r#"[{"entity":"invoice","operation":"delete","scope":"own"},{"entity":"project","operation":"read","scope":"tenant"}]"#
        );
        assert_eq!(encode_rules([&b, &a]), text);
        assert_eq!(decode_rules(&text).unwrap(), vec![b, a]);
    }

    #[test]
    fn role_ids_encode_sorted_without_repeats() {
        assert_eq!(encode_role_ids(["b", "a", "b"]), r#"["a","b"]"#);
        assert_eq!(decode_role_ids(r#"["a","b"]"#).unwrap(), vec!["a", "b"]);
        assert_eq!(encode_role_ids([]), "[]");
    }

    #[test]
    fn scopes_widen_in_order() {
        assert!(Scope::Own < Scope::Tenant && Scope::Tenant < Scope::All);
        assert!(Scope::All < Scope::Public);
        assert_eq!(Scope::parse("tenant"), Some(Scope::Tenant));
        assert_eq!(Operation::parse("delete"), Some(Operation::Delete));
        assert_eq!(Operation::parse("write"), None);
    }
}
