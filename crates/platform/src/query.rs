//! List queries: ROQ's filter, order and search argument types.
//!
//! These are the wire types of the GraphQL API (names and fields exactly as `@roq/nodejs`
//! sends them) and, unchanged, the input of the store's list queries, which compile them to SQL.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Utc};

use tandem_core::TenantId;

use crate::graphql::scalars::Date;

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "StringFilterArgType")]
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

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "IdFilterArgType")]
pub struct IdFilter {
    pub equal_to: Option<ID>,
    pub not_equal_to: Option<ID>,
    pub value_in: Option<Vec<ID>>,
    pub value_not_in: Option<Vec<ID>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "BooleanFilterArgType")]
pub struct BoolFilter {
    pub equal_to: Option<bool>,
    pub not_equal_to: Option<bool>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "DateFilterArgType")]
pub struct DateFilter {
    pub equal_to: Option<Date>,
    pub not_equal_to: Option<Date>,
    pub less_than: Option<Date>,
    pub less_than_equal: Option<Date>,
    pub more_than: Option<Date>,
    pub more_than_equal: Option<Date>,
}

/// ROQ's user-group filters. Tandem has no user groups; the types exist so ROQ's documents
/// validate, and using them is refused with a clear error.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserGroupIdFilterArgType")]
pub struct UserGroupIdFilter {
    pub all: Option<Vec<ID>>,
    pub equal_to: Option<ID>,
    pub not_equal_to: Option<ID>,
    pub value_in: Option<Vec<ID>>,
    pub value_not_in: Option<Vec<ID>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserGroupNameFilterArgType")]
pub struct UserGroupNameFilter {
    pub all: Option<Vec<String>>,
    pub equal_to: Option<String>,
    pub i_like: Option<String>,
    pub like: Option<String>,
    pub not_equal_to: Option<String>,
    pub value_in: Option<Vec<String>>,
    pub value_not_in: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserFilterArgType")]
pub struct UserFilter {
    pub active: Option<BoolFilter>,
    pub email: Option<StringFilter>,
    pub first_name: Option<StringFilter>,
    pub id: Option<IdFilter>,
    pub last_name: Option<StringFilter>,
    pub locale: Option<StringFilter>,
    pub opted_in_at: Option<DateFilter>,
    pub phone: Option<StringFilter>,
    pub reference: Option<StringFilter>,
    pub role_id: Option<IdFilter>,
    pub role_key: Option<StringFilter>,
    /// Case-insensitive substring of email, first name or last name.
    pub search: Option<String>,
    pub tenant_id: Option<IdFilter>,
    pub timezone: Option<StringFilter>,
    pub user_group_id: Option<UserGroupIdFilter>,
    pub user_group_name: Option<UserGroupNameFilter>,
    pub user_provider_id: Option<IdFilter>,
    /// Deactivated users are left out unless this is `equalTo: true` (or `active` asks for them).
    pub with_deactivated: Option<BoolFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "OrderEnum")]
pub enum SortOrder {
    #[graphql(name = "ASC")]
    Asc,
    #[graphql(name = "DESC")]
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "UserOrderSortEnum", rename_items = "camelCase")]
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

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "UserOrderArgType")]
pub struct UserOrder {
    pub order: SortOrder,
    pub sort: UserSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "UserSearchKeyEnum", rename_items = "camelCase")]
pub enum UserSearchKey {
    Email,
    FirstName,
    LastName,
    Locale,
    Phone,
    Timezone,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserSearchArgType")]
pub struct UserSearch {
    pub key: UserSearchKey,
    pub value: String,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "TenantFilterArgType")]
pub struct TenantFilter {
    pub id: Option<IdFilter>,
    pub reference: Option<StringFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "TenantOrderSortEnum", rename_items = "camelCase")]
pub enum TenantSort {
    CreatedAt,
}

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "TenantOrderArgType")]
pub struct TenantOrder {
    pub order: SortOrder,
    pub sort: TenantSort,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "RoleFilterArgType")]
pub struct RoleFilter {
    pub description: Option<StringFilter>,
    pub id: Option<IdFilter>,
    pub invite: Option<BoolFilter>,
    pub is_system_managed: Option<BoolFilter>,
    pub key: Option<StringFilter>,
    pub name: Option<StringFilter>,
    pub permission_id: Option<IdFilter>,
    pub user_group_id: Option<IdFilter>,
    pub user_id: Option<IdFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "RoleOrderSortEnum", rename_items = "camelCase")]
pub enum RoleSort {
    CreatedAt,
    Description,
    Id,
    IsSystemManaged,
    Key,
    Name,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "RoleOrderArgType")]
pub struct RoleOrder {
    pub order: SortOrder,
    pub sort: RoleSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "RoleSearchKeyEnum", rename_items = "camelCase")]
pub enum RoleSearchKey {
    Description,
    Key,
    Name,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "RoleSearchArgType")]
pub struct RoleSearch {
    pub key: RoleSearchKey,
    pub value: String,
}

/// Default and maximum page sizes of every list.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

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
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub filter: UserFilter,
    /// Set for user principals: nothing outside this tenant is visible.
    pub tenant_scope: Option<TenantId>,
    pub search: Option<UserSearch>,
    pub order: Option<UserOrder>,
    pub window: Window,
}

#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    pub filter: TenantFilter,
    /// Set for user principals: only their own tenant is visible.
    pub tenant_scope: Option<TenantId>,
    pub order: Option<TenantOrder>,
    pub window: Window,
}

#[derive(Debug, Clone, Default)]
pub struct RoleQuery {
    pub filter: RoleFilter,
    /// Set for user principals: role assignments are only visible within this tenant.
    pub tenant_scope: Option<TenantId>,
    pub search: Option<RoleSearch>,
    pub order: Option<RoleOrder>,
    pub window: Window,
}

impl DateFilter {
    /// The bounds as instants, in the order (op, value).
    pub fn bounds(&self) -> Vec<(DateOp, DateTime<Utc>)> {
        [
            (DateOp::Eq, &self.equal_to),
            (DateOp::Ne, &self.not_equal_to),
            (DateOp::Lt, &self.less_than),
            (DateOp::Lte, &self.less_than_equal),
            (DateOp::Gt, &self.more_than),
            (DateOp::Gte, &self.more_than_equal),
        ]
        .into_iter()
        .filter_map(|(op, v)| v.as_ref().map(|d| (op, d.0)))
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
