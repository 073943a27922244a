//! Tenants: create, rename, read, list.

use std::collections::HashMap;

use tandem_core::TenantId;

use super::{PlatformService, Principal, parse_tenant_id, validate};
use crate::domain::input::{NewTenant, TenantUpdate};
use crate::domain::list::TenantQuery;
use crate::domain::{Change, Page, Tenant};
use crate::error::{PlatformError, PlatformResult};

impl PlatformService {
    #[tracing::instrument(skip_all)]
    pub async fn create_tenant(
        &self,
        principal: &Principal,
        new: NewTenant,
    ) -> PlatformResult<Tenant> {
        principal.require_service_account("createTenant")?;
        let now = self.clock.now();
        let created_at = new.created_at.unwrap_or(now);
        let tenant = Tenant {
            id: match &new.id {
                Some(id) => validate::new_id("tenant", id)?,
                None => TenantId::new(),
            },
            reference: validate::optional_text("reference", new.reference)?,
            name: validate::tenant_name(&new.name)?,
            is_default: false,
            created_at,
            updated_at: created_at,
        };
        self.store.insert_tenant(&tenant).await?;
        Ok(tenant)
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_tenant(
        &self,
        principal: &Principal,
        id: &str,
        update: TenantUpdate,
    ) -> PlatformResult<Tenant> {
        principal.require_service_account("updateTenant")?;
        let tenant_id = parse_tenant_id(id)?;
        let name = validate::tenant_name(&update.name)?;
        let reference = match update.reference {
            Change::Set(v) => Change::Set(validate::optional_text("reference", v)?),
            Change::Keep => Change::Keep,
        };
        self.store
            .update_tenant(tenant_id, &name, reference, self.clock.now())
            .await?
            .ok_or_else(|| PlatformError::TenantNotFound(id.to_owned()))
    }

    pub async fn tenant(&self, principal: &Principal, id: &str) -> PlatformResult<Tenant> {
        let tenant_id = parse_tenant_id(id)?;
        let visible = principal
            .tenant_scope()
            .is_none_or(|scope| scope == tenant_id);
        match self.store.tenant(tenant_id).await? {
            Some(tenant) if visible => Ok(tenant),
            _ => Err(PlatformError::TenantNotFound(id.to_owned())),
        }
    }

    pub async fn tenants(
        &self,
        principal: &Principal,
        mut query: TenantQuery,
    ) -> PlatformResult<Page<Tenant>> {
        validate::tenant_filter(&query.filter)?;
        query.tenant_scope = principal.tenant_scope();
        Ok(self.store.list_tenants(&query).await?)
    }

    pub async fn tenants_by_ids(&self, ids: &[TenantId]) -> PlatformResult<Vec<Tenant>> {
        Ok(self.store.tenants_by_ids(ids).await?)
    }

    pub async fn count_users_by_tenant(
        &self,
        ids: &[TenantId],
    ) -> PlatformResult<HashMap<TenantId, i64>> {
        Ok(self.store.count_users_by_tenant(ids).await?)
    }
}
