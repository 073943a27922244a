//! Roles: create (with their permissions), read, list, assign and unassign.

use std::collections::{BTreeSet, HashMap};

use tandem_core::{RoleId, TenantId, UserId};

use super::{PlatformService, Principal, validate};
use crate::domain::input::NewRole;
use crate::domain::list::RoleQuery;
use crate::domain::{Page, Role};
use crate::error::{PlatformError, PlatformResult};

impl PlatformService {
    #[tracing::instrument(skip_all)]
    pub async fn create_role(&self, principal: &Principal, new: NewRole) -> PlatformResult<Role> {
        principal.require_service_account("createRole")?;
        let key = validate::role_key(&new.key)?;
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(PlatformError::InvalidInput(
                "the role's name must not be empty".into(),
            ));
        }
        validate::text("name", &name)?;
        let invite_role_keys = dedupe(new.invite_role_keys);
        let others: Vec<String> = invite_role_keys
            .iter()
            .filter(|k| **k != key)
            .cloned()
            .collect();
        self.roles_for_keys(&others).await?;
        let now = self.clock.now();
        let id = RoleId::new();
        let permissions = self.permissions_of(id, new.permission_assignments)?;
        let role = Role {
            id,
            key,
            name,
            description: validate::optional_text("description", new.description)?,
            reference: validate::optional_text("reference", new.reference)?,
            is_system_managed: new.is_system_managed,
            invite_role_keys,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_role(&role, &permissions).await?;
        Ok(role)
    }

    pub async fn role(&self, id: &str) -> PlatformResult<Role> {
        let role_id = RoleId::parse(id).map_err(|_| PlatformError::RoleNotFound(id.to_owned()))?;
        self.store
            .role(role_id)
            .await?
            .ok_or_else(|| PlatformError::RoleNotFound(id.to_owned()))
    }

    /// Role definitions are visible to every principal; which users hold them only within the
    /// principal's tenant.
    pub async fn roles(
        &self,
        principal: &Principal,
        mut query: RoleQuery,
    ) -> PlatformResult<Page<Role>> {
        validate::role_filter(&query.filter)?;
        if let Some(search) = &query.search {
            validate::text("search.value", &search.value)?;
        }
        query.tenant_scope = principal.tenant_scope();
        Ok(self.store.list_roles(&query).await?)
    }

    #[tracing::instrument(skip_all)]
    /// The keys of the roles `user` holds.
    pub async fn roles_of_user(&self, user: tandem_core::UserId) -> PlatformResult<Vec<String>> {
        let roles = self.store.roles_of_users(&[user]).await?;
        Ok(roles
            .get(&user)
            .into_iter()
            .flatten()
            .map(|r| r.key.clone())
            .collect())
    }

    pub async fn assign_roles(
        &self,
        principal: &Principal,
        user_id: &str,
        keys: &[String],
    ) -> PlatformResult<bool> {
        principal.require_service_account("assignRolesToUser")?;
        let user = self.load_user(user_id).await?;
        let roles = self.roles_for_keys(keys).await?;
        let ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .assign_roles(user.id, &ids, self.clock.now())
            .await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    pub async fn unassign_roles(
        &self,
        principal: &Principal,
        user_id: &str,
        keys: &[String],
    ) -> PlatformResult<bool> {
        principal.require_service_account("unassignRolesFromUser")?;
        let user = self.load_user(user_id).await?;
        let roles = self.roles_for_keys(keys).await?;
        let ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .unassign_roles(user.id, &ids, self.clock.now())
            .await?;
        Ok(true)
    }

    pub async fn roles_of_users(
        &self,
        users: &[UserId],
    ) -> PlatformResult<HashMap<UserId, Vec<Role>>> {
        Ok(self.store.roles_of_users(users).await?)
    }

    pub async fn count_users_by_role(
        &self,
        roles: &[RoleId],
        tenant: Option<TenantId>,
    ) -> PlatformResult<HashMap<RoleId, i64>> {
        Ok(self.store.count_users_by_role(roles, tenant).await?)
    }

    /// The roles with these keys; every key must exist.
    pub(super) async fn roles_for_keys(&self, keys: &[String]) -> PlatformResult<Vec<Role>> {
        if keys.len() > validate::MAX_ROLE_KEYS {
            return Err(PlatformError::InvalidInput(format!(
                "at most {} role keys may be given at once",
                validate::MAX_ROLE_KEYS
            )));
        }
        for key in keys {
            validate::text("roleKeys", key)?;
        }
        let wanted: BTreeSet<&str> = keys.iter().map(|k| k.trim()).collect();
        let wanted_owned: Vec<String> = wanted.iter().map(|k| (*k).to_owned()).collect();
        let roles = self.store.roles_by_keys(&wanted_owned).await?;
        let found: BTreeSet<&str> = roles.iter().map(|r| r.key.as_str()).collect();
        let missing: Vec<&str> = wanted.difference(&found).copied().collect();
        if missing.is_empty() {
            Ok(roles)
        } else {
            Err(PlatformError::RoleKeyNotFound(missing.join(", ")))
        }
    }
}

pub(super) fn dedupe(keys: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    keys.into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| seen.insert(k.clone()))
        .collect()
}
