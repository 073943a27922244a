//! Roles' permissions (ROQ's access management): entity × operation × scope per role, given
//! with `createRole`, replaced per model with `updateProjectPermissions`, listed with
//! `permissions`. The BaaS enforces them: each change reaches it by sync.

use std::collections::BTreeSet;

use tandem_core::access::{Operation, Rule, Scope};
use tandem_core::{PermissionId, RoleId};

use super::{PlatformService, Principal, validate};
use crate::domain::input::{PermissionAssignment, ProjectPermissions};
use crate::domain::list::PermissionQuery;
use crate::domain::{Page, Permission, PermissionKind, Role};
use crate::error::{PlatformError, PlatformResult};

/// The most permissions one role holds (4 operations on 250 models).
pub const MAX_PERMISSIONS_PER_ROLE: usize = 1000;

impl PlatformService {
    /// Replaces a role's permissions on one BaaS model (`updateProjectPermissions`).
    #[tracing::instrument(skip_all, fields(role = %role_id))]
    pub async fn update_project_permissions(
        &self,
        principal: &Principal,
        role_id: &str,
        update: ProjectPermissions,
    ) -> PlatformResult<Role> {
        principal.require_service_account("updateProjectPermissions")?;
        if update.paths > 0 {
            return Err(PlatformError::Unsupported(
                "projectEntityPaths are not supported: pass an empty list; Tandem finds a model's tenant and owner through its relations to `tenant` and `user`".into(),
            ));
        }
        if update.user_id_field.is_some() {
            return Err(PlatformError::Unsupported(
                "userIdField is not supported: a model's owner is its relation to `user`".into(),
            ));
        }
        let role =
            RoleId::parse(role_id).map_err(|_| PlatformError::RoleNotFound(role_id.to_owned()))?;
        let entity = validate::entity_name("projectEntityId", &update.entity)?;
        let mut assignments = update.assignments;
        for (i, a) in assignments.iter_mut().enumerate() {
            let field = format!("permissionAssignments[{i}].projectEntityId");
            match a.project_entity.as_deref() {
                None => a.project_entity = Some(entity.clone()),
                Some(e) if validate::entity_name(&field, e)? == entity => {}
                Some(other) => {
                    return Err(PlatformError::InvalidInput(format!(
                        "`{field}` is `{other}`, but this call changes the permissions on `{entity}`"
                    )));
                }
            }
            if a.kind == Some(PermissionKind::Platform) {
                return Err(PlatformError::InvalidInput(format!(
                    "permissionAssignments[{i}].type must be `project` here"
                )));
            }
        }
        let permissions = self.permissions_of(role, assignments)?;
        self.store
            .replace_permissions(
                role,
                Some(&entity),
                &permissions,
                MAX_PERMISSIONS_PER_ROLE as i64,
                self.clock.now(),
            )
            .await?
            .ok_or_else(|| PlatformError::RoleNotFound(role_id.to_owned()))
    }

    pub async fn permissions(&self, query: PermissionQuery) -> PlatformResult<Page<Permission>> {
        validate::permission_filter(&query.filter)?;
        if let Some(value) = &query.key_search {
            validate::text("search.value", value)?;
        }
        Ok(self.store.list_permissions(&query).await?)
    }

    /// Checks a role's permission assignments into permissions: each names an operation, a
    /// scope and a BaaS model, and no model × operation comes twice.
    pub(super) fn permissions_of(
        &self,
        role: RoleId,
        assignments: Vec<PermissionAssignment>,
    ) -> PlatformResult<Vec<Permission>> {
        if assignments.len() > MAX_PERMISSIONS_PER_ROLE {
            return Err(PlatformError::InvalidInput(format!(
                "a role holds at most {MAX_PERMISSIONS_PER_ROLE} permissions"
            )));
        }
        let now = self.clock.now();
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(assignments.len());
        for (i, a) in assignments.into_iter().enumerate() {
            let at = |field: &str| format!("permissionAssignments[{i}].{field}");
            let operation = a.operation.ok_or_else(|| {
                PlatformError::InvalidInput(format!(
                    "`{}` is required: create, read, update or delete",
                    at("operation")
                ))
            })?;
            let scope = a.scope.ok_or_else(|| {
                PlatformError::InvalidInput(format!(
                    "`{}` is required: own, tenant, all or public",
                    at("scope")
                ))
            })?;
            let (kind, field, raw) = match (&a.project_entity, &a.platform_entity, a.kind) {
                (Some(e), _, None | Some(PermissionKind::Project)) => {
                    (PermissionKind::Project, "projectEntityId", e)
                }
                (_, Some(e), None | Some(PermissionKind::Platform)) => {
                    (PermissionKind::Platform, "platformEntity", e)
                }
                (_, _, Some(PermissionKind::Platform)) => {
                    return Err(PlatformError::InvalidInput(format!(
                        "`{}` is required for a permission of type platform (such as `user`)",
                        at("platformEntity")
                    )));
                }
                _ => {
                    return Err(PlatformError::InvalidInput(format!(
                        "`{}` is required: the BaaS model the permission is on",
                        at("projectEntityId")
                    )));
                }
            };
            let entity = validate::entity_name(&at(field), raw)?;
            if scope == Scope::Public
                && (operation != Operation::Read || matches!(entity.as_str(), "user" | "tenant"))
            {
                return Err(PlatformError::InvalidInput(format!(
                    "`{}`: scope `public` opens reading a model to everybody, anonymous callers included; it is for `read` only, and never on `user` or `tenant`",
                    at("scope")
                )));
            }
            if !seen.insert((entity.clone(), operation)) {
                return Err(PlatformError::InvalidInput(format!(
                    "`{}`: the role already has a permission to {} `{entity}`; give one scope per model and operation",
                    at("operation"),
                    operation.name()
                )));
            }
            let key = match a.key {
                Some(key) => validate::role_key(&key)?,
                None => format!("{}-{entity}", operation.name()),
            };
            out.push(Permission {
                id: PermissionId::new(),
                role_id: role,
                key,
                rule: Rule {
                    entity,
                    operation,
                    scope,
                },
                kind,
                platform_entity: match kind {
                    PermissionKind::Platform => a.platform_entity,
                    PermissionKind::Project => None,
                },
                created_at: now,
                updated_at: now,
            });
        }
        Ok(out)
    }
}
