//! Roles and their assignment to users: create, read, list, assign, unassign, count holders.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, NullOrdering, OnConflict, Order, Query};
use tandem_core::{RoleId, TenantId, UserId};
use tandem_sql::Tx;

use tandem_core::merge::Entity;

use super::filter::order_of;
use super::outbox;
use super::tables::{
    AssignedRoleRow, CountRow, GroupCountRow, PERMISSION_COLUMNS, PermissionRow, Permissions,
    ROLE_COLUMNS, RoleRow, Roles, UserRoles, Users, convert_all, millis, opt_json, parse_id,
    select_permissions, select_roles,
};
use super::{RoleStore, SqlPlatformStore, StoreError, StoreResult, unique_violation};
use crate::domain::list::{PermissionQuery, PermissionSort, RoleQuery, RoleSort};
use crate::domain::{Page, Permission, Role};

#[async_trait]
impl RoleStore for SqlPlatformStore {
    #[tracing::instrument(skip_all, fields(role = %role.id, key = %role.key, permissions = permissions.len()))]
    async fn insert_role(&self, role: &Role, permissions: &[Permission]) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Roles::Table)
            .columns(ROLE_COLUMNS)
            .values_panic([
                role.id.to_string().into(),
                role.key.clone().into(),
                role.name.clone().into(),
                role.description.clone().into(),
                role.reference.clone().into(),
                role.is_system_managed.into(),
                opt_json(Some(&role.invite_role_keys)).into(),
                millis(role.created_at).into(),
                millis(role.updated_at).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&insert)
            .await
            .map_err(|e| unique_violation(e, StoreError::DuplicateRoleKey))?;
        Self::insert_permissions(&mut tx, permissions).await?;
        let id = role.id.to_string();
        self.record_access(
            &mut tx,
            Entity::Role,
            &id,
            &outbox::all_fields(Entity::Role),
            role.created_at,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(role = %role, entity = ?entity, permissions = permissions.len()))]
    async fn replace_permissions(
        &self,
        role: RoleId,
        entity: Option<&str>,
        permissions: &[Permission],
        max: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Role>> {
        let mut tx = self.db.begin().await?;
        let touch = Query::update()
            .table(Roles::Table)
            .value(Roles::UpdatedAt, millis(now))
            .and_where(Expr::col(Roles::Id).eq(role.to_string()))
            .returning(Query::returning().columns(ROLE_COLUMNS))
            .to_owned();
        let Some(row) = tx.fetch_optional::<RoleRow>(&touch).await? else {
            return Ok(None);
        };
        let mut delete = Query::delete();
        delete
            .from_table(Permissions::Table)
            .and_where(Expr::col(Permissions::RoleId).eq(role.to_string()));
        if let Some(entity) = entity {
            delete.and_where(Expr::col(Permissions::Entity).eq(entity));
        }
        tx.execute(&delete).await?;
        Self::insert_permissions(&mut tx, permissions).await?;
        let count = Query::select()
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"))
            .from(Permissions::Table)
            .and_where(Expr::col(Permissions::RoleId).eq(role.to_string()))
            .to_owned();
        let count: CountRow = tx
            .fetch_optional(&count)
            .await?
            .ok_or_else(|| StoreError::Corrupt("COUNT(*) returned no row".into()))?;
        if count.count > max {
            // Dropping `tx` rolls everything back.
            return Err(StoreError::TooManyPermissions {
                count: count.count,
                max,
            });
        }
        self.record_access(
            &mut tx,
            Entity::Role,
            &role.to_string(),
            &["permissions"],
            now,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(Some(Role::try_from(row)?))
    }

    #[tracing::instrument(skip_all, fields(window = ?query.window))]
    async fn list_permissions(&self, query: &PermissionQuery) -> StoreResult<Page<Permission>> {
        let (sort, order) = query
            .order
            .map(|o| (o.sort, order_of(o.order)))
            .unwrap_or((PermissionSort::Key, Order::Asc));
        let col = match sort {
            PermissionSort::CreatedAt => Permissions::CreatedAt,
            PermissionSort::Key => Permissions::Key,
            PermissionSort::Scope => Permissions::Scope,
            PermissionSort::UpdatedAt => Permissions::UpdatedAt,
        };
        let select = select_permissions()
            .cond_where(self.permission_condition(query))
            .order_by((Permissions::Table, col), order.clone())
            .order_by((Permissions::Table, Permissions::Id), order)
            .to_owned();
        self.page::<PermissionRow, Permission>(select, query.window.limit, query.window.offset)
            .await
    }

    #[tracing::instrument(skip_all, fields(role = %id))]
    async fn role(&self, id: RoleId) -> StoreResult<Option<Role>> {
        let select = select_roles()
            .and_where(Expr::col((Roles::Table, Roles::Id)).eq(id.to_string()))
            .to_owned();
        let row: Option<RoleRow> = self.db.fetch_optional(&select).await?;
        row.map(Role::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(keys = keys.len()))]
    async fn roles_by_keys(&self, keys: &[String]) -> StoreResult<Vec<Role>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let select = select_roles()
            .and_where(Expr::col((Roles::Table, Roles::Key)).is_in(keys.iter().cloned()))
            .to_owned();
        let rows: Vec<RoleRow> = self.db.fetch_all(&select).await?;
        convert_all(rows)
    }

    #[tracing::instrument(skip_all, fields(scope = ?query.tenant_scope, window = ?query.window))]
    async fn list_roles(&self, query: &RoleQuery) -> StoreResult<Page<Role>> {
        let (sort, order) = query
            .order
            .map(|o| (o.sort, order_of(o.order)))
            .unwrap_or((RoleSort::Key, Order::Asc));
        let col = match sort {
            RoleSort::CreatedAt => Roles::CreatedAt,
            RoleSort::Description => Roles::Description,
            RoleSort::Id => Roles::Id,
            RoleSort::IsSystemManaged => Roles::IsSystemManaged,
            RoleSort::Key => Roles::Key,
            RoleSort::Name => Roles::Name,
            RoleSort::UpdatedAt => Roles::UpdatedAt,
        };
        let select = select_roles()
            .cond_where(self.role_condition(query))
            .order_by_with_nulls((Roles::Table, col), order.clone(), NullOrdering::Last)
            .order_by((Roles::Table, Roles::Id), order)
            .to_owned();
        self.page::<RoleRow, Role>(select, query.window.limit, query.window.offset)
            .await
    }

    #[tracing::instrument(skip_all, fields(user = %user, roles = roles.len()))]
    async fn assign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        Self::lock_user(&mut tx, user).await?;
        Self::insert_role_assignments(&mut tx, user, roles, now)
            .await
            .map_err(|e| match e {
                StoreError::Db(db) => unique_violation(db, StoreError::ForeignKeyViolation),
                other => other,
            })?;
        self.record_access(
            &mut tx,
            Entity::UserRoles,
            &user.to_string(),
            &["roles"],
            now,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %user, roles = roles.len()))]
    async fn unassign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if roles.is_empty() {
            return Ok(());
        }
        let delete = Query::delete()
            .from_table(UserRoles::Table)
            .and_where(Expr::col(UserRoles::UserId).eq(user.to_string()))
            .and_where(Expr::col(UserRoles::RoleId).is_in(roles.iter().map(ToString::to_string)))
            .to_owned();
        let mut tx = self.db.begin().await?;
        Self::lock_user(&mut tx, user).await?;
        tx.execute(&delete).await?;
        self.record_access(
            &mut tx,
            Entity::UserRoles,
            &user.to_string(),
            &["roles"],
            now,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(users = users.len()))]
    async fn roles_of_users(&self, users: &[UserId]) -> StoreResult<HashMap<UserId, Vec<Role>>> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let select = select_roles()
            .column((UserRoles::Table, UserRoles::UserId))
            .inner_join(
                UserRoles::Table,
                Expr::col((UserRoles::Table, UserRoles::RoleId)).equals((Roles::Table, Roles::Id)),
            )
            .and_where(
                Expr::col((UserRoles::Table, UserRoles::UserId))
                    .is_in(users.iter().map(ToString::to_string)),
            )
            .order_by((Roles::Table, Roles::Key), Order::Asc)
            .to_owned();
        let rows: Vec<AssignedRoleRow> = self.db.fetch_all(&select).await?;
        let mut out: HashMap<UserId, Vec<Role>> = HashMap::new();
        for row in rows {
            let user = parse_id(&row.user_id, UserId::parse)?;
            out.entry(user).or_default().push(Role::try_from(row.role)?);
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(roles = roles.len(), tenant = ?tenant))]
    async fn count_users_by_role(
        &self,
        roles: &[RoleId],
        tenant: Option<TenantId>,
    ) -> StoreResult<HashMap<RoleId, i64>> {
        if roles.is_empty() {
            return Ok(HashMap::new());
        }
        let mut select = Query::select()
            .from(UserRoles::Table)
            .expr_as(
                Expr::col((UserRoles::Table, UserRoles::RoleId)),
                Alias::new("id"),
            )
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"))
            .and_where(
                Expr::col((UserRoles::Table, UserRoles::RoleId))
                    .is_in(roles.iter().map(ToString::to_string)),
            )
            .group_by_col((UserRoles::Table, UserRoles::RoleId))
            .to_owned();
        if let Some(tenant) = tenant {
            select
                .inner_join(
                    Users::Table,
                    Expr::col((Users::Table, Users::Id))
                        .equals((UserRoles::Table, UserRoles::UserId)),
                )
                .and_where(Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()));
        }
        let rows: Vec<GroupCountRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| Ok((parse_id(&r.id, RoleId::parse)?, r.count)))
            .collect()
    }
}

impl SqlPlatformStore {
    /// Before changing a user's roles: holds the user's row, first thing, so concurrent
    /// changes of one user's roles run one after the other, each recording all the earlier
    /// ones (taking it later, after the assignment's foreign-key check has share-locked the
    /// row, would deadlock two such changes).
    async fn lock_user(tx: &mut Tx, user: UserId) -> StoreResult<()> {
        outbox::SYNC_TABLES
            .lock_rows(tx, "users", &[user.to_string()])
            .await?;
        Ok(())
    }

    async fn insert_permissions(tx: &mut Tx, permissions: &[Permission]) -> StoreResult<()> {
        if permissions.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(Permissions::Table)
            .columns(PERMISSION_COLUMNS);
        for p in permissions {
            insert.values_panic([
                p.id.to_string().into(),
                p.role_id.to_string().into(),
                p.key.clone().into(),
                p.rule.entity.clone().into(),
                p.rule.operation.name().into(),
                p.rule.scope.name().into(),
                p.kind.name().into(),
                p.platform_entity.clone().into(),
                millis(p.created_at).into(),
                millis(p.updated_at).into(),
            ]);
        }
        tx.execute(&insert).await?;
        Ok(())
    }

    pub(super) async fn insert_role_assignments(
        tx: &mut Tx,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if roles.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(UserRoles::Table)
            .columns([UserRoles::UserId, UserRoles::RoleId, UserRoles::CreatedAt])
            .on_conflict(
                OnConflict::columns([UserRoles::UserId, UserRoles::RoleId])
                    .do_nothing()
                    .to_owned(),
            );
        for role in roles {
            insert.values_panic([
                user.to_string().into(),
                role.to_string().into(),
                millis(now).into(),
            ]);
        }
        tx.execute(&insert).await?;
        Ok(())
    }
}
