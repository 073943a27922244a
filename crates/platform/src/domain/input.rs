//! What a caller asks the service to create or change, as plain values the service has not
//! checked yet: it validates every field, in a fixed order, before anything is stored. The
//! GraphQL layer builds these from ROQ's `…Dto` inputs; tests build them directly.
//!
//! Fields are left optional where the service has a default (`active`, the tenant…) or where
//! leaving them out gets a specific error (`email`, `reference`).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use tandem_core::access::{Operation, Scope};

use super::{Change, PermissionKind};

/// A user to create (`createUser`).
#[derive(Clone, Default)]
pub struct NewUser {
    /// For migrations: keep the user's id from the system it comes from (a UUID). `None`
    /// assigns one.
    pub id: Option<String>,
    /// For migrations: when the user was created in the system it comes from. `None` is now.
    pub created_at: Option<DateTime<Utc>>,
    pub active: Option<bool>,
    pub avatar_url: Option<String>,
    pub custom_data: Option<Map<String, Value>>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub is_opted_in: Option<bool>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub password: Option<String>,
    pub phone: Option<String>,
    pub reference: Option<String>,
    /// Keys of the roles to assign.
    pub roles: Vec<String>,
    /// `None` puts the user in the default tenant.
    pub tenant_id: Option<String>,
    pub timezone: Option<String>,
    pub two_factor_enabled: Option<bool>,
}

/// Changes to a user (`updateUser`); `Keep` leaves a field as it is, `Set(None)` clears a
/// nullable one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserUpdate {
    /// `false` deactivates the user, `true` reactivates it.
    pub active: Change<bool>,
    pub avatar_url: Change<Option<String>>,
    pub custom_data: Change<Option<Map<String, Value>>>,
    pub email: Change<String>,
    pub first_name: Change<Option<String>>,
    pub is_opted_in: Change<bool>,
    pub last_name: Change<Option<String>>,
    pub locale: Change<Option<String>>,
    pub phone: Change<Option<String>>,
    pub tenant_id: Change<String>,
    pub timezone: Change<Option<String>>,
    pub two_factor_enabled: Change<bool>,
}

/// A new password for a user, given the current one (`changeUserPasswordV2`).
#[derive(Clone)]
pub struct PasswordChange {
    pub user_id: String,
    pub current_password: String,
    pub new_password: String,
}

/// A tenant to create (`createTenant`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewTenant {
    /// For migrations: keep the tenant's id (a UUID). `None` assigns one.
    pub id: Option<String>,
    /// For migrations: the original creation time. `None` is now.
    pub created_at: Option<DateTime<Utc>>,
    pub name: String,
    pub reference: Option<String>,
}

/// Changes to a tenant (`updateTenant`): the name is always given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantUpdate {
    pub name: String,
    pub reference: Change<Option<String>>,
}

/// A role to create (`createRole`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRole {
    pub description: Option<String>,
    pub invite_role_keys: Vec<String>,
    pub is_system_managed: bool,
    pub key: String,
    pub name: String,
    pub permission_assignments: Vec<PermissionAssignment>,
    pub reference: Option<String>,
}

/// One permission as a caller gives it (ROQ's `RolePermissionAssignDto`, whose fields are all
/// optional): the service checks it into a [`crate::domain::Permission`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermissionAssignment {
    pub key: Option<String>,
    pub operation: Option<Operation>,
    pub scope: Option<Scope>,
    pub kind: Option<PermissionKind>,
    /// The BaaS model (ROQ's `projectEntityId`).
    pub project_entity: Option<String>,
    pub platform_entity: Option<String>,
}

/// `updateProjectPermissions`: the role's permissions on one model, replacing the ones it had.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectPermissions {
    pub entity: String,
    pub assignments: Vec<PermissionAssignment>,
    /// ROQ's paths from the model to the user; Tandem follows its convention instead.
    pub paths: usize,
    pub user_id_field: Option<String>,
}
