//! ROQ's list arguments: the filter, order and search input types (`…ArgType`) and their enums
//! (`…Enum`), with the names and fields `@roq/nodejs` sends, and their conversion into the
//! domain's list queries ([`crate::domain::list`]). Converting parses ids and refuses the
//! filters Tandem cannot honour (user groups, identity providers, permissions); everything
//! else is checked by the service. A list's arguments are checked in one order — the window,
//! then the filter here, then the filter's text in the service — so a request with several
//! mistakes always gets the same error.
//!
//! Rust names here are ROQ's GraphQL names, so `UserFilterArgType` is what the client sends
//! and `UserFilter` what the service and the store see.

use std::str::FromStr;

use async_graphql::{Enum, ID, InputObject};

use crate::domain::list::{
    BoolFilter, DateFilter, FilterId, IdFilter, PermissionFilter, PermissionOrder, PermissionQuery,
    RoleFilter, RoleOrder, RoleQuery, RoleSearch, StringFilter, TenantFilter, TenantOrder,
    TenantQuery, UserFilter, UserOrder, UserQuery, UserSearch,
};
use crate::error::{PlatformError, PlatformResult};
use crate::graphql::scalars::Date;
use crate::service::window;

/// The list query of `users(filter, limit, offset, order, search)`.
pub fn user_query(
    filter: Option<UserFilterArgType>,
    limit: Option<i32>,
    offset: Option<i32>,
    order: Option<UserOrderArgType>,
    search: Option<UserSearchArgType>,
) -> PlatformResult<UserQuery> {
    let window = window(limit, offset)?;
    Ok(UserQuery {
        filter: filter.unwrap_or_default().try_into()?,
        tenant_scope: None,
        search: search.map(Into::into),
        order: order.map(Into::into),
        window,
    })
}

/// The list query of `tenants(filter, limit, offset, order)`.
pub fn tenant_query(
    filter: Option<TenantFilterArgType>,
    limit: Option<i32>,
    offset: Option<i32>,
    order: Option<TenantOrderArgType>,
) -> PlatformResult<TenantQuery> {
    let window = window(limit, offset)?;
    Ok(TenantQuery {
        filter: filter.unwrap_or_default().into(),
        tenant_scope: None,
        order: order.map(Into::into),
        window,
    })
}

/// The list query of `roles(filter, limit, offset, order, search)`, at the top level or on a
/// user.
pub fn role_query(
    filter: Option<RoleFilterArgType>,
    limit: Option<i32>,
    offset: Option<i32>,
    order: Option<RoleOrderArgType>,
    search: Option<RoleSearchArgType>,
) -> PlatformResult<RoleQuery> {
    let window = window(limit, offset)?;
    Ok(RoleQuery {
        filter: filter.unwrap_or_default().try_into()?,
        tenant_scope: None,
        search: search.map(Into::into),
        order: order.map(Into::into),
        window,
    })
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "StringFilterArgType")]
pub struct StringFilterArgType {
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
pub struct IdFilterArgType {
    pub equal_to: Option<ID>,
    pub not_equal_to: Option<ID>,
    pub value_in: Option<Vec<ID>>,
    pub value_not_in: Option<Vec<ID>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "BooleanFilterArgType")]
pub struct BooleanFilterArgType {
    pub equal_to: Option<bool>,
    pub not_equal_to: Option<bool>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "DateFilterArgType")]
pub struct DateFilterArgType {
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
pub struct UserGroupIdFilterArgType {
    pub all: Option<Vec<ID>>,
    pub equal_to: Option<ID>,
    pub not_equal_to: Option<ID>,
    pub value_in: Option<Vec<ID>>,
    pub value_not_in: Option<Vec<ID>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserGroupNameFilterArgType")]
pub struct UserGroupNameFilterArgType {
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
pub struct UserFilterArgType {
    pub active: Option<BooleanFilterArgType>,
    pub email: Option<StringFilterArgType>,
    pub first_name: Option<StringFilterArgType>,
    pub id: Option<IdFilterArgType>,
    pub last_name: Option<StringFilterArgType>,
    pub locale: Option<StringFilterArgType>,
    pub opted_in_at: Option<DateFilterArgType>,
    pub phone: Option<StringFilterArgType>,
    pub reference: Option<StringFilterArgType>,
    pub role_id: Option<IdFilterArgType>,
    pub role_key: Option<StringFilterArgType>,
    /// Case-insensitive substring of email, first name or last name.
    pub search: Option<String>,
    pub tenant_id: Option<IdFilterArgType>,
    pub timezone: Option<StringFilterArgType>,
    pub user_group_id: Option<UserGroupIdFilterArgType>,
    pub user_group_name: Option<UserGroupNameFilterArgType>,
    pub user_provider_id: Option<IdFilterArgType>,
    /// Deactivated users are left out unless this is `equalTo: true` (or `active` asks for them).
    pub with_deactivated: Option<BooleanFilterArgType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "OrderEnum", remote = "crate::domain::list::SortOrder")]
pub enum OrderEnum {
    #[graphql(name = "ASC")]
    Asc,
    #[graphql(name = "DESC")]
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "UserOrderSortEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::UserSort"
)]
pub enum UserOrderSortEnum {
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
pub struct UserOrderArgType {
    pub order: OrderEnum,
    pub sort: UserOrderSortEnum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "UserSearchKeyEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::UserSearchKey"
)]
pub enum UserSearchKeyEnum {
    Email,
    FirstName,
    LastName,
    Locale,
    Phone,
    Timezone,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserSearchArgType")]
pub struct UserSearchArgType {
    pub key: UserSearchKeyEnum,
    pub value: String,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "TenantFilterArgType")]
pub struct TenantFilterArgType {
    pub id: Option<IdFilterArgType>,
    pub reference: Option<StringFilterArgType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "TenantOrderSortEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::TenantSort"
)]
pub enum TenantOrderSortEnum {
    CreatedAt,
}

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "TenantOrderArgType")]
pub struct TenantOrderArgType {
    pub order: OrderEnum,
    pub sort: TenantOrderSortEnum,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "RoleFilterArgType")]
pub struct RoleFilterArgType {
    pub description: Option<StringFilterArgType>,
    pub id: Option<IdFilterArgType>,
    pub invite: Option<BooleanFilterArgType>,
    pub is_system_managed: Option<BooleanFilterArgType>,
    pub key: Option<StringFilterArgType>,
    pub name: Option<StringFilterArgType>,
    pub permission_id: Option<IdFilterArgType>,
    pub user_group_id: Option<IdFilterArgType>,
    pub user_id: Option<IdFilterArgType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "RoleOrderSortEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::RoleSort"
)]
pub enum RoleOrderSortEnum {
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
pub struct RoleOrderArgType {
    pub order: OrderEnum,
    pub sort: RoleOrderSortEnum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "RoleSearchKeyEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::RoleSearchKey"
)]
pub enum RoleSearchKeyEnum {
    Description,
    Key,
    Name,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "RoleSearchArgType")]
pub struct RoleSearchArgType {
    pub key: RoleSearchKeyEnum,
    pub value: String,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "PermissionFilterArgType")]
pub struct PermissionFilterArgType {
    pub id: Option<IdFilterArgType>,
    pub key: Option<StringFilterArgType>,
    pub resolver_mapping: Option<StringFilterArgType>,
    pub role_id: Option<IdFilterArgType>,
    pub scope: Option<StringFilterArgType>,
    #[graphql(name = "type")]
    pub kind: Option<StringFilterArgType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "PermissionOrderSortEnum",
    rename_items = "camelCase",
    remote = "crate::domain::list::PermissionSort"
)]
pub enum PermissionOrderSortEnum {
    CreatedAt,
    Key,
    Scope,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "PermissionOrderArgType")]
pub struct PermissionOrderArgType {
    pub order: OrderEnum,
    pub sort: PermissionOrderSortEnum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "PermissionSearchKeyEnum", rename_items = "camelCase")]
pub enum PermissionSearchKeyEnum {
    Key,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "PermissionSearchArgType")]
pub struct PermissionSearchArgType {
    pub key: PermissionSearchKeyEnum,
    pub value: String,
}

pub fn permission_query(
    filter: Option<PermissionFilterArgType>,
    limit: Option<i32>,
    offset: Option<i32>,
    order: Option<PermissionOrderArgType>,
    search: Option<PermissionSearchArgType>,
) -> PlatformResult<PermissionQuery> {
    let window = window(limit, offset)?;
    let filter = filter.unwrap_or_default();
    if filter.resolver_mapping.is_some() {
        return Err(PlatformError::Unsupported(
            "the `resolverMapping` permission filter is not supported by Tandem".into(),
        ));
    }
    Ok(PermissionQuery {
        filter: PermissionFilter {
            id: filter.id.map(Into::into),
            key: filter.key.map(Into::into),
            role_id: filter.role_id.map(Into::into),
            scope: filter.scope.map(Into::into),
            kind: filter.kind.map(Into::into),
        },
        key_search: search.map(|s| match s.key {
            PermissionSearchKeyEnum::Key => s.value,
        }),
        order: order.map(|o| PermissionOrder {
            order: o.order.into(),
            sort: o.sort.into(),
        }),
        window,
    })
}

#[derive(InputObject, Default)]
#[graphql(name = "UserGroupFilterArgType")]
pub struct UserGroupFilterArgType {
    pub id: Option<IdFilterArgType>,
    pub name: Option<StringFilterArgType>,
    pub reference: Option<StringFilterArgType>,
    pub role_id: Option<IdFilterArgType>,
    #[graphql(name = "type")]
    pub kind: Option<StringFilterArgType>,
    pub user_id: Option<IdFilterArgType>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "UserGroupOrderSortEnum", rename_items = "camelCase")]
pub enum UserGroupOrderSortEnum {
    CreatedAt,
    Name,
    Reference,
    Type,
    UpdatedAt,
}

#[derive(InputObject)]
#[graphql(name = "UserGroupOrderArgType")]
pub struct UserGroupOrderArgType {
    pub order: OrderEnum,
    pub sort: UserGroupOrderSortEnum,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "UserGroupSearchKeyEnum", rename_items = "camelCase")]
pub enum UserGroupSearchKeyEnum {
    Name,
    Reference,
    Type,
}

#[derive(InputObject)]
#[graphql(name = "UserGroupSearchArgType")]
pub struct UserGroupSearchArgType {
    pub key: UserGroupSearchKeyEnum,
    pub value: String,
}

impl From<StringFilterArgType> for StringFilter {
    fn from(arg: StringFilterArgType) -> Self {
        Self {
            equal_to: arg.equal_to,
            not_equal_to: arg.not_equal_to,
            value_in: arg.value_in,
            value_not_in: arg.value_not_in,
            like: arg.like,
            i_like: arg.i_like,
        }
    }
}

impl<T: FromStr> From<IdFilterArgType> for IdFilter<T> {
    fn from(arg: IdFilterArgType) -> Self {
        let one = |id: ID| FilterId::parse(&id);
        let many = |ids: Vec<ID>| ids.into_iter().map(one).collect();
        Self {
            equal_to: arg.equal_to.map(one),
            not_equal_to: arg.not_equal_to.map(one),
            value_in: arg.value_in.map(many),
            value_not_in: arg.value_not_in.map(many),
        }
    }
}

impl From<BooleanFilterArgType> for BoolFilter {
    fn from(arg: BooleanFilterArgType) -> Self {
        Self {
            equal_to: arg.equal_to,
            not_equal_to: arg.not_equal_to,
        }
    }
}

impl From<DateFilterArgType> for DateFilter {
    fn from(arg: DateFilterArgType) -> Self {
        let at = |d: Date| d.0;
        Self {
            equal_to: arg.equal_to.map(at),
            not_equal_to: arg.not_equal_to.map(at),
            less_than: arg.less_than.map(at),
            less_than_equal: arg.less_than_equal.map(at),
            more_than: arg.more_than.map(at),
            more_than_equal: arg.more_than_equal.map(at),
        }
    }
}

impl TryFrom<UserFilterArgType> for UserFilter {
    type Error = PlatformError;

    /// Refuses the filters on user groups and identity providers, which Tandem does not have.
    fn try_from(arg: UserFilterArgType) -> PlatformResult<Self> {
        for (name, used) in [
            ("userGroupId", arg.user_group_id.is_some()),
            ("userGroupName", arg.user_group_name.is_some()),
            ("userProviderId", arg.user_provider_id.is_some()),
        ] {
            if used {
                return Err(PlatformError::Unsupported(format!(
                    "the `{name}` filter is not supported: Tandem has no user groups or external identity providers"
                )));
            }
        }
        Ok(Self {
            active: arg.active.map(Into::into),
            email: arg.email.map(Into::into),
            first_name: arg.first_name.map(Into::into),
            id: arg.id.map(Into::into),
            last_name: arg.last_name.map(Into::into),
            locale: arg.locale.map(Into::into),
            opted_in_at: arg.opted_in_at.map(Into::into),
            phone: arg.phone.map(Into::into),
            reference: arg.reference.map(Into::into),
            role_id: arg.role_id.map(Into::into),
            role_key: arg.role_key.map(Into::into),
            search: arg.search,
            tenant_id: arg.tenant_id.map(Into::into),
            timezone: arg.timezone.map(Into::into),
            with_deactivated: arg.with_deactivated.map(Into::into),
        })
    }
}

impl From<UserOrderArgType> for UserOrder {
    fn from(arg: UserOrderArgType) -> Self {
        Self {
            order: arg.order.into(),
            sort: arg.sort.into(),
        }
    }
}

impl From<UserSearchArgType> for UserSearch {
    fn from(arg: UserSearchArgType) -> Self {
        Self {
            key: arg.key.into(),
            value: arg.value,
        }
    }
}

impl From<TenantFilterArgType> for TenantFilter {
    fn from(arg: TenantFilterArgType) -> Self {
        Self {
            id: arg.id.map(Into::into),
            reference: arg.reference.map(Into::into),
        }
    }
}

impl From<TenantOrderArgType> for TenantOrder {
    fn from(arg: TenantOrderArgType) -> Self {
        Self {
            order: arg.order.into(),
            sort: arg.sort.into(),
        }
    }
}

impl TryFrom<RoleFilterArgType> for RoleFilter {
    type Error = PlatformError;

    /// Refuses the filters on invitations, permissions and user groups, which Tandem's roles
    /// do not have.
    fn try_from(arg: RoleFilterArgType) -> PlatformResult<Self> {
        for (name, used) in [
            ("invite", arg.invite.is_some()),
            ("permissionId", arg.permission_id.is_some()),
            ("userGroupId", arg.user_group_id.is_some()),
        ] {
            if used {
                return Err(PlatformError::Unsupported(format!(
                    "the `{name}` role filter is not supported by Tandem"
                )));
            }
        }
        Ok(Self {
            description: arg.description.map(Into::into),
            id: arg.id.map(Into::into),
            is_system_managed: arg.is_system_managed.map(Into::into),
            key: arg.key.map(Into::into),
            name: arg.name.map(Into::into),
            user_id: arg.user_id.map(Into::into),
        })
    }
}

impl From<RoleOrderArgType> for RoleOrder {
    fn from(arg: RoleOrderArgType) -> Self {
        Self {
            order: arg.order.into(),
            sort: arg.sort.into(),
        }
    }
}

impl From<RoleSearchArgType> for RoleSearch {
    fn from(arg: RoleSearchArgType) -> Self {
        Self {
            key: arg.key.into(),
            value: arg.value,
        }
    }
}
