//! List queries: what a list of users, tenants or roles is narrowed by, ordered by and paged
//! to. They carry ROQ's filter, order and search arguments after the GraphQL layer has
//! converted them (ids parsed, features Tandem lacks refused); the service checks and scopes
//! a query, and the store compiles it to SQL.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use tandem_core::{PermissionId, RoleId, TenantId, UserId};

/// Default and maximum page sizes of every list.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringFilter {
    pub equal_to: Option<String>,
    pub not_equal_to: Option<String>,
    pub value_in: Option<Vec<String>>,
    pub value_not_in: Option<Vec<String>>,
    /// An SQL LIKE pattern: `%` matches any run of characters, `_` one character; case-sensitive.
    pub like: Option<String>,
    /// Like `like`, but case-insensitive.
    pub i_like: Option<String>,
}

/// An id as a filter names it. Stored ids are always UUIDs, so a value that is not one matches
/// no stored id; it is kept as the client wrote it and compared as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterId<T> {
    Id(T),
    NotAnId(String),
}

impl<T: FromStr> FilterId<T> {
    pub fn parse(raw: &str) -> Self {
        raw.parse()
            .map_or_else(|_| Self::NotAnId(raw.to_owned()), Self::Id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdFilter<T> {
    pub equal_to: Option<FilterId<T>>,
    pub not_equal_to: Option<FilterId<T>>,
    pub value_in: Option<Vec<FilterId<T>>>,
    pub value_not_in: Option<Vec<FilterId<T>>>,
}

impl<T> Default for IdFilter<T> {
    fn default() -> Self {
        Self {
            equal_to: None,
            not_equal_to: None,
            value_in: None,
            value_not_in: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoolFilter {
    pub equal_to: Option<bool>,
    pub not_equal_to: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateFilter {
    pub equal_to: Option<DateTime<Utc>>,
    pub not_equal_to: Option<DateTime<Utc>>,
    pub less_than: Option<DateTime<Utc>>,
    pub less_than_equal: Option<DateTime<Utc>>,
    pub more_than: Option<DateTime<Utc>>,
    pub more_than_equal: Option<DateTime<Utc>>,
}

impl DateFilter {
    /// The bounds as instants, in the order (op, value).
    pub fn bounds(&self) -> Vec<(DateOp, DateTime<Utc>)> {
        [
            (DateOp::Eq, self.equal_to),
            (DateOp::Ne, self.not_equal_to),
            (DateOp::Lt, self.less_than),
            (DateOp::Lte, self.less_than_equal),
            (DateOp::Gt, self.more_than),
            (DateOp::Gte, self.more_than_equal),
        ]
        .into_iter()
        .filter_map(|(op, v)| v.map(|at| (op, at)))
        .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub active: Option<BoolFilter>,
    pub email: Option<StringFilter>,
    pub first_name: Option<StringFilter>,
    pub id: Option<IdFilter<UserId>>,
    pub last_name: Option<StringFilter>,
    pub locale: Option<StringFilter>,
    pub opted_in_at: Option<DateFilter>,
    pub phone: Option<StringFilter>,
    pub reference: Option<StringFilter>,
    pub role_id: Option<IdFilter<RoleId>>,
    pub role_key: Option<StringFilter>,
    /// Case-insensitive substring of email, first name or last name.
    pub search: Option<String>,
    pub tenant_id: Option<IdFilter<TenantId>>,
    pub timezone: Option<StringFilter>,
    /// Deactivated users are left out unless this is `equalTo: true` (or `active` asks for them).
    pub with_deactivated: Option<BoolFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Active,
    CreatedAt,
    Email,
    FirstName,
    LastName,
    Locale,
    Phone,
    Timezone,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserOrder {
    pub order: SortOrder,
    pub sort: UserSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSearchKey {
    Email,
    FirstName,
    LastName,
    Locale,
    Phone,
    Timezone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSearch {
    pub key: UserSearchKey,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantFilter {
    pub id: Option<IdFilter<TenantId>>,
    pub reference: Option<StringFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantSort {
    CreatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantOrder {
    pub order: SortOrder,
    pub sort: TenantSort,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleFilter {
    pub description: Option<StringFilter>,
    pub id: Option<IdFilter<RoleId>>,
    pub is_system_managed: Option<BoolFilter>,
    pub key: Option<StringFilter>,
    pub name: Option<StringFilter>,
    /// Roles held by these users.
    pub user_id: Option<IdFilter<UserId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSort {
    CreatedAt,
    Description,
    Id,
    IsSystemManaged,
    Key,
    Name,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleOrder {
    pub order: SortOrder,
    pub sort: RoleSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSearchKey {
    Description,
    Key,
    Name,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSearch {
    pub key: RoleSearchKey,
    pub value: String,
}

/// A validated window into a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub offset: u32,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// Everything a user list may be narrowed by, after the service has checked and scoped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub filter: UserFilter,
    /// Set for user principals: nothing outside this tenant is visible.
    pub tenant_scope: Option<TenantId>,
    pub search: Option<UserSearch>,
    pub order: Option<UserOrder>,
    pub window: Window,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantQuery {
    pub filter: TenantFilter,
    /// Set for user principals: only their own tenant is visible.
    pub tenant_scope: Option<TenantId>,
    pub order: Option<TenantOrder>,
    pub window: Window,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleQuery {
    pub filter: RoleFilter,
    /// Set for user principals: role assignments are only visible within this tenant.
    pub tenant_scope: Option<TenantId>,
    pub search: Option<RoleSearch>,
    pub order: Option<RoleOrder>,
    pub window: Window,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionFilter {
    pub id: Option<IdFilter<PermissionId>>,
    pub key: Option<StringFilter>,
    pub role_id: Option<IdFilter<RoleId>>,
    pub scope: Option<StringFilter>,
    pub kind: Option<StringFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionSort {
    CreatedAt,
    Key,
    Scope,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionOrder {
    pub order: SortOrder,
    pub sort: PermissionSort,
}

/// `permissions(…)`: ROQ's filters, a search on the key, order and window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionQuery {
    pub filter: PermissionFilter,
    pub key_search: Option<String>,
    pub order: Option<PermissionOrder>,
    pub window: Window,
}
