//! The Platform's tables as the store's SQL sees them: sea-query identifiers and column
//! lists, the rows they read, and the conversions between rows and domain entities. Shared by
//! the store's resource modules and its outbox; nothing here runs a statement.

use chrono::{DateTime, TimeZone, Utc};
use sea_query::{Iden, Query, SelectStatement};
use serde_json::{Map, Value};
use sqlx::types::Json;
use tandem_core::access::{Operation, Rule, Scope};
use tandem_core::{Email, PermissionId, RoleId, TenantId, UserId};

use super::{StoreError, StoreResult};
use crate::domain::{Permission, PermissionKind, Role, Tenant, User};

#[derive(Iden, Clone, Copy)]
pub(super) enum Environment {
    Table,
    Id,
    ApiKeyHash,
    TokenKeySalt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Tenants {
    Table,
    Id,
    Reference,
    Name,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Users {
    Table,
    Id,
    Reference,
    Email,
    FirstName,
    LastName,
    Phone,
    Locale,
    Timezone,
    AvatarUrl,
    Active,
    IsOptedIn,
    OptedInAt,
    CustomData,
    TwoFactorEnabled,
    Synced,
    TenantId,
    PasswordHash,
    TokenGeneration,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Roles {
    Table,
    Id,
    Key,
    Name,
    Description,
    Reference,
    IsSystemManaged,
    InviteRoleKeys,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Permissions {
    Table,
    Id,
    RoleId,
    Key,
    Entity,
    Operation,
    Scope,
    Type,
    PlatformEntity,
    CreatedAt,
    UpdatedAt,
}

pub(super) const PERMISSION_COLUMNS: [Permissions; 10] = [
    Permissions::Id,
    Permissions::RoleId,
    Permissions::Key,
    Permissions::Entity,
    Permissions::Operation,
    Permissions::Scope,
    Permissions::Type,
    Permissions::PlatformEntity,
    Permissions::CreatedAt,
    Permissions::UpdatedAt,
];

#[derive(Iden, Clone, Copy)]
pub(super) enum UserRoles {
    Table,
    UserId,
    RoleId,
    CreatedAt,
}

pub(super) const TENANT_COLUMNS: [Tenants; 6] = [
    Tenants::Id,
    Tenants::Reference,
    Tenants::Name,
    Tenants::IsDefault,
    Tenants::CreatedAt,
    Tenants::UpdatedAt,
];

pub(super) const USER_COLUMNS: [Users; 19] = [
    Users::Id,
    Users::Reference,
    Users::Email,
    Users::FirstName,
    Users::LastName,
    Users::Phone,
    Users::Locale,
    Users::Timezone,
    Users::AvatarUrl,
    Users::Active,
    Users::IsOptedIn,
    Users::OptedInAt,
    Users::CustomData,
    Users::TwoFactorEnabled,
    Users::Synced,
    Users::TenantId,
    Users::TokenGeneration,
    Users::CreatedAt,
    Users::UpdatedAt,
];

pub(super) const ROLE_COLUMNS: [Roles; 9] = [
    Roles::Id,
    Roles::Key,
    Roles::Name,
    Roles::Description,
    Roles::Reference,
    Roles::IsSystemManaged,
    Roles::InviteRoleKeys,
    Roles::CreatedAt,
    Roles::UpdatedAt,
];

pub(super) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(super) fn instant(ms: i64) -> StoreResult<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} is out of range")))
}

pub(super) fn parse_id<T>(
    raw: &str,
    parse: fn(&str) -> Result<T, tandem_core::IdParseError>,
) -> StoreResult<T> {
    parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A user row with its password hash (for log-in).
#[derive(sqlx::FromRow)]
pub(super) struct UserWithPasswordRow {
    #[sqlx(flatten)]
    pub(super) user: UserRow,
    pub(super) password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct EnvironmentRow {
    pub(super) id: String,
    pub(super) api_key_hash: String,
    pub(super) token_key_salt: String,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct TenantRow {
    pub(super) id: String,
    pub(super) reference: Option<String>,
    pub(super) name: String,
    pub(super) is_default: bool,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> StoreResult<Self> {
        Ok(Tenant {
            id: parse_id(&row.id, TenantId::parse)?,
            reference: row.reference,
            name: row.name,
            is_default: row.is_default,
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub(super) id: String,
    pub(super) reference: String,
    pub(super) email: String,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) locale: Option<String>,
    pub(super) timezone: Option<String>,
    pub(super) avatar_url: Option<String>,
    pub(super) active: bool,
    pub(super) is_opted_in: bool,
    pub(super) opted_in_at: Option<i64>,
    pub(super) custom_data: Option<Json<Map<String, Value>>>,
    pub(super) two_factor_enabled: bool,
    pub(super) synced: bool,
    pub(super) tenant_id: String,
    pub(super) token_generation: i64,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> StoreResult<Self> {
        Ok(User {
            id: parse_id(&row.id, UserId::parse)?,
            reference: row.reference,
            email: Email::from_storage(row.email),
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row.phone,
            locale: row.locale,
            timezone: row.timezone,
            avatar_url: row.avatar_url,
            active: row.active,
            is_opted_in: row.is_opted_in,
            opted_in_at: row.opted_in_at.map(instant).transpose()?,
            custom_data: row.custom_data.map(|j| j.0),
            two_factor_enabled: row.two_factor_enabled,
            synced: row.synced,
            tenant_id: parse_id(&row.tenant_id, TenantId::parse)?,
            token_generation: row.token_generation,
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RoleRow {
    pub(super) id: String,
    pub(super) key: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) reference: Option<String>,
    pub(super) is_system_managed: bool,
    pub(super) invite_role_keys: Option<Json<Vec<String>>>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;
    fn try_from(row: RoleRow) -> StoreResult<Self> {
        Ok(Role {
            id: parse_id(&row.id, RoleId::parse)?,
            key: row.key,
            name: row.name,
            description: row.description,
            reference: row.reference,
            is_system_managed: row.is_system_managed,
            invite_role_keys: row.invite_role_keys.map(|j| j.0).unwrap_or_default(),
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PermissionRow {
    pub(super) id: String,
    pub(super) role_id: String,
    pub(super) key: String,
    pub(super) entity: String,
    pub(super) operation: String,
    pub(super) scope: String,
    #[sqlx(rename = "type")]
    pub(super) kind: String,
    pub(super) platform_entity: Option<String>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

impl TryFrom<PermissionRow> for Permission {
    type Error = StoreError;
    fn try_from(row: PermissionRow) -> StoreResult<Self> {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("permission {what} {v:?}"));
        Ok(Permission {
            id: parse_id(&row.id, PermissionId::parse)?,
            role_id: parse_id(&row.role_id, RoleId::parse)?,
            key: row.key,
            rule: Rule {
                operation: Operation::parse(&row.operation)
                    .ok_or_else(|| corrupt("operation", &row.operation))?,
                scope: Scope::parse(&row.scope).ok_or_else(|| corrupt("scope", &row.scope))?,
                entity: row.entity,
            },
            kind: PermissionKind::parse(&row.kind).ok_or_else(|| corrupt("type", &row.kind))?,
            platform_entity: row.platform_entity,
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

pub(super) fn select_permissions() -> SelectStatement {
    Query::select()
        .from(Permissions::Table)
        .columns(PERMISSION_COLUMNS.map(|c| (Permissions::Table, c)))
        .to_owned()
}

#[derive(sqlx::FromRow)]
pub(super) struct AssignedRoleRow {
    pub(super) user_id: String,
    #[sqlx(flatten)]
    pub(super) role: RoleRow,
}

#[derive(sqlx::FromRow)]
pub(super) struct CountRow {
    pub(super) count: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct GroupCountRow {
    pub(super) id: String,
    pub(super) count: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct PasswordRow {
    pub(super) password_hash: Option<String>,
}

pub(super) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

pub(super) fn select_users() -> SelectStatement {
    Query::select()
        .from(Users::Table)
        .columns(USER_COLUMNS.map(|c| (Users::Table, c)))
        .to_owned()
}

pub(super) fn select_roles() -> SelectStatement {
    Query::select()
        .from(Roles::Table)
        .columns(ROLE_COLUMNS.map(|c| (Roles::Table, c)))
        .to_owned()
}

pub(super) fn opt_json<T: serde::Serialize>(value: Option<&T>) -> sea_query::Value {
    sea_query::Value::Json(
        value
            .and_then(|v| serde_json::to_value(v).ok())
            .map(Box::new),
    )
}
