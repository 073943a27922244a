//! Per-request batch loaders, so a list of users with their tenants and roles costs one query
//! per relation, not one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use tandem_core::{RoleId, TenantId, UserId};

use crate::domain::{Role, Tenant};
use crate::error::PlatformError;
use crate::service::{PlatformService, Principal};

pub struct TenantLoader(pub Arc<PlatformService>);
pub struct UserRolesLoader(pub Arc<PlatformService>);
pub struct TenantUserCountLoader(pub Arc<PlatformService>);
/// Counts only users of the principal's tenant for user principals.
pub struct RoleUserCountLoader(pub Arc<PlatformService>, pub Option<TenantId>);

impl Loader<TenantId> for TenantLoader {
    type Value = Tenant;
    type Error = Arc<PlatformError>;

    async fn load(&self, keys: &[TenantId]) -> Result<HashMap<TenantId, Tenant>, Self::Error> {
        let tenants = self.0.tenants_by_ids(keys).await.map_err(Arc::new)?;
        Ok(tenants.into_iter().map(|t| (t.id, t)).collect())
    }
}

impl Loader<UserId> for UserRolesLoader {
    type Value = Vec<Role>;
    type Error = Arc<PlatformError>;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Vec<Role>>, Self::Error> {
        self.0.roles_of_users(keys).await.map_err(Arc::new)
    }
}

impl Loader<TenantId> for TenantUserCountLoader {
    type Value = i64;
    type Error = Arc<PlatformError>;

    async fn load(&self, keys: &[TenantId]) -> Result<HashMap<TenantId, i64>, Self::Error> {
        self.0.count_users_by_tenant(keys).await.map_err(Arc::new)
    }
}

impl Loader<RoleId> for RoleUserCountLoader {
    type Value = i64;
    type Error = Arc<PlatformError>;

    async fn load(&self, keys: &[RoleId]) -> Result<HashMap<RoleId, i64>, Self::Error> {
        self.0
            .count_users_by_role(keys, self.1)
            .await
            .map_err(Arc::new)
    }
}

/// Attaches the principal and fresh loaders to one request.
pub fn attach(
    request: async_graphql::Request,
    service: &Arc<PlatformService>,
    principal: Principal,
) -> async_graphql::Request {
    let scope = principal.tenant_scope();
    request
        .data(principal)
        .data(DataLoader::new(TenantLoader(service.clone()), tokio::spawn))
        .data(DataLoader::new(
            UserRolesLoader(service.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            TenantUserCountLoader(service.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            RoleUserCountLoader(service.clone(), scope),
            tokio::spawn,
        ))
}
