//! Write inputs of the GraphQL API, with ROQ's type and field names. The service turns each
//! into validated domain values before anything is stored.
//!
//! `email` and `reference` of `UserCreateDto` are nullable here (ROQ marks them required) so
//! that leaving them out gets Tandem's specific error code instead of a generic GraphQL one.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

use crate::graphql::scalars::{Date, JsonObject};

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserCreateDto")]
pub struct UserCreateDto {
    /// Tandem extension for migrations: keep the user's id from the system it comes from (a
    /// UUID). Left out, the Platform assigns one.
    pub id: Option<ID>,
    /// Tandem extension for migrations: when the user was created in the system it comes from.
    /// Left out, now.
    pub created_at: Option<Date>,
    pub active: Option<bool>,
    pub avatar_url: Option<String>,
    pub custom_data: Option<JsonObject>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub is_opted_in: Option<bool>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub password: Option<String>,
    pub phone: Option<String>,
    pub reference: Option<String>,
    pub roles: Option<Vec<String>>,
    pub tenant_id: Option<ID>,
    pub timezone: Option<String>,
    pub two_factor_enabled: Option<bool>,
}

/// Absent fields are left as they are; `null` clears the nullable profile fields.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserUpdateDto")]
pub struct UserUpdateDto {
    /// `false` deactivates the user, `true` reactivates it. Users are never deleted.
    pub active: Option<bool>,
    pub avatar_url: MaybeUndefined<String>,
    pub custom_data: MaybeUndefined<JsonObject>,
    pub email: Option<String>,
    pub first_name: MaybeUndefined<String>,
    pub is_opted_in: Option<bool>,
    pub last_name: MaybeUndefined<String>,
    pub locale: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub tenant_id: Option<ID>,
    pub timezone: MaybeUndefined<String>,
    pub two_factor_enabled: Option<bool>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "ChangeUserPasswordDto")]
pub struct ChangeUserPasswordDto {
    pub new_password: String,
    /// The current password.
    pub password: String,
    pub user_id: String,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "TenantCreateDto")]
pub struct TenantCreateDto {
    /// Tandem extension for migrations: keep the tenant's id (a UUID). Left out, assigned.
    pub id: Option<ID>,
    /// Tandem extension for migrations: the original creation time. Left out, now.
    pub created_at: Option<Date>,
    pub name: String,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "TenantUpdateDto")]
pub struct TenantUpdateDto {
    pub name: String,
    pub reference: MaybeUndefined<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "ResourceOperationEnum", rename_items = "lowercase")]
pub enum ResourceOperation {
    Create,
    Delete,
    Read,
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "PermissionScopeEnum", rename_items = "lowercase")]
pub enum PermissionScope {
    All,
    Own,
    Public,
    Tenant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "PermissionTypeEnum", rename_items = "lowercase")]
pub enum PermissionType {
    Platform,
    Project,
}

/// ROQ's permission assignment. Tandem takes access rules from the BaaS schema, so a role
/// created with assignments is refused rather than silently losing them.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "RolePermissionAssignDto")]
pub struct RolePermissionAssignDto {
    pub id: Option<ID>,
    pub key: Option<String>,
    pub operation: Option<ResourceOperation>,
    pub platform_entity: Option<ID>,
    pub project_entity_id: Option<String>,
    pub scope: Option<PermissionScope>,
    #[graphql(name = "type")]
    pub kind: Option<PermissionType>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "RoleCreateDto")]
pub struct RoleCreateDto {
    pub description: Option<String>,
    pub invite_role_keys: Option<Vec<String>>,
    pub is_system_managed: bool,
    pub key: String,
    pub name: String,
    pub permission_assignments: Vec<RolePermissionAssignDto>,
    pub reference: Option<String>,
}
