//! The output types of the server GraphQL API (`UserModel`, `TenantModel`, `RoleModel`, their
//! pages), with ROQ's names and fields, each wrapping the domain entity it shows.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result, SimpleObject};

use crate::domain::list::{FilterId, IdFilter};
use tandem_core::access::Scope;

use crate::domain::{Page, Permission, PermissionKind, Role, Tenant, User};
use crate::error::{IntoGraphql, PlatformError};
use crate::service::{PlatformService, Principal};

use super::args::{
    RoleFilterArgType, RoleOrderArgType, RoleSearchArgType, UserGroupFilterArgType,
    UserGroupOrderArgType, UserGroupSearchArgType, role_query,
};
use super::dtos::{PermissionScope, PermissionType};
use super::loaders::{RoleUserCountLoader, TenantLoader, TenantUserCountLoader, UserRolesLoader};
use super::scalars::{Date, JsonObject};

pub struct UserModel(pub User);

/// A user of the environment. Users are never deleted: deactivate one with
/// `updateUser(id, user: {active: false})`, reactivate it with `active: true`.
#[Object(name = "UserModel")]
impl UserModel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn reference(&self) -> &str {
        &self.0.reference
    }
    async fn email(&self) -> &str {
        self.0.email.as_str()
    }
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn locale(&self) -> Option<&str> {
        self.0.locale.as_deref()
    }
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    async fn avatar_url(&self) -> Option<&str> {
        self.0.avatar_url.as_deref()
    }
    /// `false` once the user is deactivated; deactivated users cannot sign in.
    async fn active(&self) -> Option<bool> {
        Some(self.0.active)
    }
    async fn is_opted_in(&self) -> Option<bool> {
        Some(self.0.is_opted_in)
    }
    async fn custom_data(&self) -> Option<JsonObject> {
        self.0.custom_data.clone().map(JsonObject)
    }
    async fn two_factor_enabled(&self) -> Option<bool> {
        Some(self.0.two_factor_enabled)
    }
    /// Whether the user has reached the BaaS.
    async fn synced(&self) -> Option<bool> {
        Some(self.0.synced)
    }
    async fn tenant_id(&self) -> Option<ID> {
        Some(ID(self.0.tenant_id.to_string()))
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at)
    }
    async fn updated_at(&self) -> Date {
        Date(self.0.updated_at)
    }

    async fn tenant(&self, ctx: &Context<'_>) -> Result<Option<TenantModel>> {
        let loader = ctx.data::<DataLoader<TenantLoader>>()?;
        let tenant = loader
            .load_one(self.0.tenant_id)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(tenant.map(TenantModel))
    }

    async fn roles(
        &self,
        ctx: &Context<'_>,
        filter: Option<RoleFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<RoleOrderArgType>,
        search: Option<RoleSearchArgType>,
    ) -> Result<Option<RolePageModel>> {
        let plain = filter.is_none()
            && limit.is_none()
            && offset.is_none()
            && order.is_none()
            && search.is_none();
        if plain {
            let loader = ctx.data::<DataLoader<UserRolesLoader>>()?;
            let roles = loader
                .load_one(self.0.id)
                .await
                .map_err(|e| e.to_graphql())?
                .unwrap_or_default();
            return Ok(Some(RolePageModel::from(Page {
                total_count: roles.len() as i64,
                data: roles,
            })));
        }
        let service = ctx.data::<Arc<PlatformService>>()?;
        let principal = ctx.data::<Principal>()?;
        if filter.as_ref().is_some_and(|f| f.user_id.is_some()) {
            return Err(PlatformError::InvalidInput(
                "`userId` cannot be used inside UserModel.roles; it is the user itself".into(),
            )
            .to_graphql());
        }
        let mut query = role_query(filter, limit, offset, order, search).gql()?;
        query.filter.user_id = Some(IdFilter {
            equal_to: Some(FilterId::Id(self.0.id)),
            ..IdFilter::default()
        });
        let page = service.roles(principal, query).await.gql()?;
        Ok(Some(RolePageModel::from(page)))
    }

    /// Tandem has no user groups; always empty.
    #[allow(clippy::too_many_arguments)]
    async fn user_groups(
        &self,
        filter: Option<UserGroupFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<UserGroupOrderArgType>,
        search: Option<UserGroupSearchArgType>,
    ) -> Option<UserGroupPageModel> {
        let _ = (filter, limit, offset, order, search);
        Some(UserGroupPageModel::default())
    }
}

#[derive(SimpleObject)]
#[graphql(name = "UserPageModel")]
pub struct UserPageModel {
    pub data: Vec<UserModel>,
    pub total_count: i32,
}

impl From<Page<User>> for UserPageModel {
    fn from(page: Page<User>) -> Self {
        Self {
            data: page.data.into_iter().map(UserModel).collect(),
            total_count: count(page.total_count),
        }
    }
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub struct TenantModel(pub Tenant);

#[Object(name = "TenantModel")]
impl TenantModel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The tenant users land in when created without a tenantId.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at)
    }
    async fn updated_at(&self) -> Date {
        Date(self.0.updated_at)
    }
    /// How many users (active or not) belong to the tenant.
    async fn users(&self, ctx: &Context<'_>) -> Result<UsersCountModel> {
        let loader = ctx.data::<DataLoader<TenantUserCountLoader>>()?;
        let n = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(UsersCountModel {
            total_count: count(n.unwrap_or(0)),
        })
    }
}

#[derive(SimpleObject)]
#[graphql(name = "TenantPageModel")]
pub struct TenantPageModel {
    pub data: Vec<TenantModel>,
    pub total_count: i32,
}

impl From<Page<Tenant>> for TenantPageModel {
    fn from(page: Page<Tenant>) -> Self {
        Self {
            data: page.data.into_iter().map(TenantModel).collect(),
            total_count: count(page.total_count),
        }
    }
}

pub struct PermissionModel(pub Permission);

/// One permission of a role: `operation` on rows of the BaaS model `projectEntityId` within
/// `scope`.
#[Object(name = "PermissionModel")]
impl PermissionModel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Tandem names a permission by its key.
    async fn name(&self) -> &str {
        &self.0.key
    }
    async fn operation(&self) -> &str {
        self.0.rule.operation.name()
    }
    async fn scope(&self) -> PermissionScope {
        match self.0.rule.scope {
            Scope::Own => PermissionScope::Own,
            Scope::Tenant => PermissionScope::Tenant,
            Scope::All => PermissionScope::All,
            Scope::Public => PermissionScope::Public,
        }
    }
    #[graphql(name = "type")]
    async fn kind(&self) -> PermissionType {
        match self.0.kind {
            PermissionKind::Project => PermissionType::Project,
            PermissionKind::Platform => PermissionType::Platform,
        }
    }
    /// The BaaS model the permission is on.
    async fn project_entity_id(&self) -> Option<ID> {
        Some(ID(self.0.rule.entity.clone()))
    }
    async fn platform_entity(&self) -> Option<&str> {
        self.0.platform_entity.as_deref()
    }
    async fn role_id(&self) -> ID {
        ID(self.0.role_id.to_string())
    }
    async fn role(&self, ctx: &Context<'_>) -> Result<RoleModel> {
        let service = ctx.data::<Arc<PlatformService>>()?;
        service
            .role(&self.0.role_id.to_string())
            .await
            .gql()
            .map(RoleModel)
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at)
    }
    async fn updated_at(&self) -> Date {
        Date(self.0.updated_at)
    }
}

#[derive(SimpleObject)]
#[graphql(name = "PermissionPageModel")]
pub struct PermissionPageModel {
    pub data: Vec<PermissionModel>,
    pub total_count: i64,
}

impl From<Page<Permission>> for PermissionPageModel {
    fn from(page: Page<Permission>) -> Self {
        Self {
            data: page.data.into_iter().map(PermissionModel).collect(),
            total_count: page.total_count,
        }
    }
}

pub struct RoleModel(pub Role);

#[Object(name = "RoleModel")]
impl RoleModel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    async fn is_system_managed(&self) -> bool {
        self.0.is_system_managed
    }
    async fn invite_role_keys(&self) -> Option<Vec<String>> {
        Some(self.0.invite_role_keys.clone())
    }
    async fn project_entity_id(&self) -> Option<ID> {
        None
    }
    async fn user_id_field(&self) -> Option<String> {
        None
    }
    /// Tandem has no user groups; always empty.
    async fn user_groups(&self) -> UserGroupPageModel {
        UserGroupPageModel::default()
    }
    /// How many users have this role.
    async fn users(&self, ctx: &Context<'_>) -> Result<UsersCountModel> {
        let loader = ctx.data::<DataLoader<RoleUserCountLoader>>()?;
        let n = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(UsersCountModel {
            total_count: count(n.unwrap_or(0)),
        })
    }
}

#[derive(SimpleObject)]
#[graphql(name = "RolePageModel")]
pub struct RolePageModel {
    pub data: Vec<RoleModel>,
    pub total_count: i32,
}

impl From<Page<Role>> for RolePageModel {
    fn from(page: Page<Role>) -> Self {
        Self {
            data: page.data.into_iter().map(RoleModel).collect(),
            total_count: count(page.total_count),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "UsersCountModel")]
pub struct UsersCountModel {
    pub total_count: i32,
}

/// ROQ's user group. Tandem has none; the type exists so ROQ's documents validate.
#[derive(SimpleObject)]
#[graphql(name = "UserGroupModel")]
pub struct UserGroupModel {
    pub id: ID,
    pub name: String,
    pub reference: String,
    #[graphql(name = "type")]
    pub kind: String,
}

#[derive(SimpleObject, Default)]
#[graphql(name = "UserGroupPageModel")]
pub struct UserGroupPageModel {
    pub data: Vec<UserGroupModel>,
    pub total_count: i32,
}
