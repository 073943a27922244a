//! The Platform's domain: its entities (tenants, users, roles) as the rest of the code sees
//! them, already validated and typed; in [`input`], what a caller asks the service to create
//! or change; in [`list`], what a list asks for. Plain data: no I/O, and no GraphQL types (the
//! GraphQL layer converts to and from these), so the service and the store depend on this and
//! nothing here depends on them.

pub mod auth;
pub mod console;
pub mod input;
pub mod invite;
pub mod list;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tandem_core::access::Rule;
use tandem_core::{Email, PermissionId, RoleId, TenantId, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: TenantId,
    pub reference: Option<String>,
    pub name: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub reference: String,
    pub email: Email,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub avatar_url: Option<String>,
    pub active: bool,
    pub is_opted_in: bool,
    pub opted_in_at: Option<DateTime<Utc>>,
    pub custom_data: Option<Map<String, Value>>,
    pub two_factor_enabled: bool,
    pub synced: bool,
    pub tenant_id: TenantId,
    /// Only user tokens issued under this generation work; a password change or a
    /// deactivation moves to the next one.
    pub token_generation: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub is_system_managed: bool,
    pub invite_role_keys: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// ROQ's two kinds of permission: on a BaaS model (`project`) or on a Platform entity
/// (`platform`, e.g. `user`, `tenant`, which are BaaS models too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionKind {
    Project,
    Platform,
}

impl PermissionKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Platform => "platform",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Project, Self::Platform]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// One permission of a role (ROQ's `PermissionModel`): `rule.operation` on rows of the BaaS
/// model `rule.entity` within `rule.scope`.
#[derive(Debug, Clone, PartialEq)]
pub struct Permission {
    pub id: PermissionId,
    pub role_id: RoleId,
    pub key: String,
    pub rule: Rule,
    pub kind: PermissionKind,
    pub platform_entity: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of a list plus the size of the whole filtered list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total_count: i64,
}

/// A change to one optional column: leave it, or set it (possibly to NULL).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Set(T),
}

impl<T> Change<T> {
    pub fn is_set(&self) -> bool {
        matches!(self, Self::Set(_))
    }
}

/// The columns an update may touch; everything left at `Keep` is not written, so concurrent
/// updates of different fields do not overwrite each other.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChanges {
    pub email: Change<Email>,
    pub first_name: Change<Option<String>>,
    pub last_name: Change<Option<String>>,
    pub phone: Change<Option<String>>,
    pub locale: Change<Option<String>>,
    pub timezone: Change<Option<String>>,
    pub avatar_url: Change<Option<String>>,
    pub active: Change<bool>,
    pub is_opted_in: Change<bool>,
    pub custom_data: Change<Option<Map<String, Value>>>,
    pub two_factor_enabled: Change<bool>,
    pub tenant_id: Change<TenantId>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
