//! Write inputs of the GraphQL API (`…Dto`), with ROQ's type and field names, and their
//! conversion into the service's inputs ([`crate::domain::input`]). Converting only unwraps
//! GraphQL's types (`ID`, `Date`, `JsonObject`, `MaybeUndefined`); the service validates.
//!
//! `email` and `reference` of `UserCreateDto` are nullable here (ROQ marks them required) so
//! that leaving them out gets Tandem's specific error code instead of a generic GraphQL one.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

use tandem_core::access::{Operation, Scope};

use crate::domain::input::{
    NewRole, NewTenant, NewUser, PasswordChange, PermissionAssignment, ProjectPermissions,
    TenantUpdate, UserUpdate,
};
use crate::domain::{Change, PermissionKind};
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

/// ROQ's permission assignment: `operation` on the BaaS model `projectEntityId` (or, for
/// `type: platform`, the built-in model `platformEntity`: `user` or `tenant`) within `scope`.
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

/// ROQ's path from a model to the user (`updateProjectPermissions`); Tandem follows its
/// convention instead and refuses non-empty paths.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "ProjectEntityPathDto")]
pub struct ProjectEntityPathDto {
    pub id: ID,
    pub path: Vec<ID>,
    pub project_entity_id: ID,
    pub role_id: ID,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "ProjectPermissionsDto")]
pub struct ProjectPermissionsDto {
    pub permission_assignments: Vec<RolePermissionAssignDto>,
    pub project_entity_id: ID,
    pub project_entity_paths: Vec<ProjectEntityPathDto>,
    pub user_id_field: Option<String>,
}

impl From<RolePermissionAssignDto> for PermissionAssignment {
    fn from(dto: RolePermissionAssignDto) -> Self {
        Self {
            key: dto.key,
            operation: dto.operation.map(|o| match o {
                ResourceOperation::Create => Operation::Create,
                ResourceOperation::Read => Operation::Read,
                ResourceOperation::Update => Operation::Update,
                ResourceOperation::Delete => Operation::Delete,
            }),
            scope: dto.scope.map(|s| match s {
                PermissionScope::Own => Scope::Own,
                PermissionScope::Tenant => Scope::Tenant,
                PermissionScope::All => Scope::All,
                PermissionScope::Public => Scope::Public,
            }),
            kind: dto.kind.map(|k| match k {
                PermissionType::Project => PermissionKind::Project,
                PermissionType::Platform => PermissionKind::Platform,
            }),
            project_entity: dto.project_entity_id,
            platform_entity: dto.platform_entity.map(|id| id.0),
        }
    }
}

impl From<ProjectPermissionsDto> for ProjectPermissions {
    fn from(dto: ProjectPermissionsDto) -> Self {
        Self {
            entity: dto.project_entity_id.0,
            assignments: dto
                .permission_assignments
                .into_iter()
                .map(Into::into)
                .collect(),
            paths: dto.project_entity_paths.len(),
            user_id_field: dto.user_id_field,
        }
    }
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

/// A nullable field: left out keeps it, `null` clears it.
fn change<T>(value: MaybeUndefined<T>) -> Change<Option<T>> {
    match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Set(None),
        MaybeUndefined::Value(v) => Change::Set(Some(v)),
    }
}

/// A non-nullable field: left out (or `null`) keeps it.
fn keep_or_set<T>(value: Option<T>) -> Change<T> {
    value.map_or(Change::Keep, Change::Set)
}

impl From<UserCreateDto> for NewUser {
    fn from(dto: UserCreateDto) -> Self {
        Self {
            id: dto.id.map(|id| id.0),
            created_at: dto.created_at.map(|d| d.0),
            active: dto.active,
            avatar_url: dto.avatar_url,
            custom_data: dto.custom_data.map(|d| d.0),
            email: dto.email,
            first_name: dto.first_name,
            is_opted_in: dto.is_opted_in,
            last_name: dto.last_name,
            locale: dto.locale,
            password: dto.password,
            phone: dto.phone,
            reference: dto.reference,
            roles: dto.roles.unwrap_or_default(),
            tenant_id: dto.tenant_id.map(|id| id.0),
            timezone: dto.timezone,
            two_factor_enabled: dto.two_factor_enabled,
        }
    }
}

impl From<UserUpdateDto> for UserUpdate {
    fn from(dto: UserUpdateDto) -> Self {
        Self {
            active: keep_or_set(dto.active),
            avatar_url: change(dto.avatar_url),
            custom_data: change(dto.custom_data.map_value(|d| d.0)),
            email: keep_or_set(dto.email),
            first_name: change(dto.first_name),
            is_opted_in: keep_or_set(dto.is_opted_in),
            last_name: change(dto.last_name),
            locale: change(dto.locale),
            phone: change(dto.phone),
            tenant_id: keep_or_set(dto.tenant_id.map(|id| id.0)),
            timezone: change(dto.timezone),
            two_factor_enabled: keep_or_set(dto.two_factor_enabled),
        }
    }
}

impl From<ChangeUserPasswordDto> for PasswordChange {
    fn from(dto: ChangeUserPasswordDto) -> Self {
        Self {
            user_id: dto.user_id,
            current_password: dto.password,
            new_password: dto.new_password,
        }
    }
}

impl From<TenantCreateDto> for NewTenant {
    fn from(dto: TenantCreateDto) -> Self {
        Self {
            id: dto.id.map(|id| id.0),
            created_at: dto.created_at.map(|d| d.0),
            name: dto.name,
            reference: dto.reference,
        }
    }
}

impl From<TenantUpdateDto> for TenantUpdate {
    fn from(dto: TenantUpdateDto) -> Self {
        Self {
            name: dto.name,
            reference: change(dto.reference),
        }
    }
}

impl From<RoleCreateDto> for NewRole {
    fn from(dto: RoleCreateDto) -> Self {
        Self {
            description: dto.description,
            invite_role_keys: dto.invite_role_keys.unwrap_or_default(),
            is_system_managed: dto.is_system_managed,
            key: dto.key,
            name: dto.name,
            permission_assignments: dto
                .permission_assignments
                .into_iter()
                .map(Into::into)
                .collect(),
            reference: dto.reference,
        }
    }
}
