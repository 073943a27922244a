//! Users: create (with their roles), update only the columns a change sets (recording synced
//! fields in the outbox for the BaaS), read, list, and passwords.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Expr, Func, NullOrdering, Order, Query, SimpleExpr};
use tandem_core::merge::Entity;
use tandem_core::{Email, RoleId, UserId};
use tandem_sql::Tx;

use super::filter::order_of;
use super::outbox;
use super::tables::{
    PasswordRow, USER_COLUMNS, UserRow, UserWithPasswordRow, Users, millis, opt_json, select_users,
};
use super::{
    SqlPlatformStore, StoreError, StoreResult, UserStore, is_primary_key, unique_violation,
};
use crate::domain::list::{UserQuery, UserSort};
use crate::domain::{Change, Page, Tenant, User, UserChanges};

#[async_trait]
impl UserStore for SqlPlatformStore {
    #[tracing::instrument(
        skip_all,
        fields(user = %user.id, tenant = %user.tenant_id, roles = roles.len())
    )]
    async fn insert_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        self.insert_user_in(&mut tx, user, password_hash, roles)
            .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %user.id, tenant = %tenant.id))]
    async fn insert_tenant_with_user(
        &self,
        tenant: &Tenant,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        self.insert_tenant_in(&mut tx, tenant).await?;
        self.insert_user_in(&mut tx, user, password_hash, roles)
            .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<(User, Option<String>)>> {
        let select = select_users()
            .column((Users::Table, Users::PasswordHash))
            .and_where(Expr::col((Users::Table, Users::Email)).eq(email.as_str()))
            .to_owned();
        let row: Option<UserWithPasswordRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| Ok((User::try_from(r.user)?, r.password_hash)))
            .transpose()
    }

    #[tracing::instrument(skip_all, fields(user = %id))]
    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let mut update = Query::update();
        update
            .table(Users::Table)
            .value(Users::UpdatedAt, millis(now))
            .and_where(Expr::col(Users::Id).eq(id.to_string()))
            .returning(Query::returning().columns(USER_COLUMNS));
        if let Change::Set(email) = &changes.email {
            update.value(Users::Email, email.as_str());
        }
        for (col, change) in [
            (Users::FirstName, &changes.first_name),
            (Users::LastName, &changes.last_name),
            (Users::Phone, &changes.phone),
            (Users::Locale, &changes.locale),
            (Users::Timezone, &changes.timezone),
            (Users::AvatarUrl, &changes.avatar_url),
        ] {
            if let Change::Set(value) = change {
                update.value(col, value.clone());
            }
        }
        for (col, change) in [
            (Users::Active, &changes.active),
            (Users::TwoFactorEnabled, &changes.two_factor_enabled),
        ] {
            if let Change::Set(value) = change {
                update.value(col, *value);
            }
        }
        if changes.active == Change::Set(false) {
            // Deactivation revokes every token issued so far; reactivating revives none.
            update.value(
                Users::TokenGeneration,
                Expr::col(Users::TokenGeneration).add(1),
            );
        }
        if let Change::Set(opted_in) = changes.is_opted_in {
            update.value(Users::IsOptedIn, opted_in);
            // Keep the first opt-in instant; clear it on opt-out.
            let at: SimpleExpr = if opted_in {
                Func::coalesce([
                    Expr::col(Users::OptedInAt).into(),
                    Expr::val(millis(now)).into(),
                ])
                .into()
            } else {
                Expr::val(Option::<i64>::None).into()
            };
            update.value(Users::OptedInAt, at);
        }
        if let Change::Set(data) = &changes.custom_data {
            update.value(Users::CustomData, opt_json(data.as_ref()));
        }
        if let Change::Set(tenant) = changes.tenant_id {
            update.value(Users::TenantId, tenant.to_string());
        }
        let mut tx = self.db.begin().await?;
        let row: Option<UserRow> = tx
            .fetch_optional(&update)
            .await
            .map_err(|e| unique_violation(e, StoreError::DuplicateEmail))?;
        let Some(user) = row.map(User::try_from).transpose()? else {
            return Ok(None);
        };
        let changed = outbox::changed_user_fields(changes);
        let id = user.id.to_string();
        self.record(
            &mut tx,
            Entity::User,
            &id,
            outbox::user_values(&user),
            &changed,
            now,
        )
        .await?;
        tx.commit().await?;
        if !changed.is_empty() {
            self.signal_outbox();
        }
        Ok(Some(user))
    }

    #[tracing::instrument(skip_all, fields(user = %id))]
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let select = select_users()
            .and_where(Expr::col((Users::Table, Users::Id)).eq(id.to_string()))
            .to_owned();
        let row: Option<UserRow> = self.db.fetch_optional(&select).await?;
        row.map(User::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(scope = ?query.tenant_scope, window = ?query.window))]
    async fn list_users(&self, query: &UserQuery) -> StoreResult<Page<User>> {
        let mut select = select_users()
            .cond_where(self.user_condition(query))
            .to_owned();
        let (sort, order) = query
            .order
            .map(|o| (o.sort, order_of(o.order)))
            .unwrap_or((UserSort::CreatedAt, Order::Asc));
        let col = match sort {
            UserSort::Active => Users::Active,
            UserSort::CreatedAt => Users::CreatedAt,
            UserSort::Email => Users::Email,
            UserSort::FirstName => Users::FirstName,
            UserSort::LastName => Users::LastName,
            UserSort::Locale => Users::Locale,
            UserSort::Phone => Users::Phone,
            UserSort::Timezone => Users::Timezone,
            UserSort::UpdatedAt => Users::UpdatedAt,
        };
        select
            .order_by_with_nulls((Users::Table, col), order.clone(), NullOrdering::Last)
            .order_by((Users::Table, Users::Id), order);
        self.page::<UserRow, User>(select, query.window.limit, query.window.offset)
            .await
    }

    #[tracing::instrument(skip_all, fields(user = %id))]
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<Option<String>>> {
        let select = Query::select()
            .from(Users::Table)
            .column(Users::PasswordHash)
            .and_where(Expr::col(Users::Id).eq(id.to_string()))
            .to_owned();
        let row: Option<PasswordRow> = self.db.fetch_optional(&select).await?;
        Ok(row.map(|r| r.password_hash))
    }

    #[tracing::instrument(skip_all, fields(user = %id))]
    async fn replace_password_hash(
        &self,
        id: UserId,
        expected: Option<&str>,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(Users::Table)
            .value(Users::PasswordHash, hash)
            .value(
                Users::TokenGeneration,
                Expr::col(Users::TokenGeneration).add(1),
            )
            .value(Users::UpdatedAt, millis(now))
            .and_where(Expr::col(Users::Id).eq(id.to_string()));
        match expected {
            Some(old) => update.and_where(Expr::col(Users::PasswordHash).eq(old)),
            None => update.and_where(Expr::col(Users::PasswordHash).is_null()),
        };
        Ok(self.db.execute(&update).await? == 1)
    }
}

impl SqlPlatformStore {
    /// Inserts the user, its role assignments and its outbox record inside `tx`.
    pub(super) async fn insert_user_in(
        &self,
        tx: &mut Tx,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Users::Table)
            .columns([
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
                Users::PasswordHash,
                Users::CreatedAt,
                Users::UpdatedAt,
            ])
            .values_panic([
                user.id.to_string().into(),
                user.reference.clone().into(),
                user.email.as_str().into(),
                user.first_name.clone().into(),
                user.last_name.clone().into(),
                user.phone.clone().into(),
                user.locale.clone().into(),
                user.timezone.clone().into(),
                user.avatar_url.clone().into(),
                user.active.into(),
                user.is_opted_in.into(),
                user.opted_in_at.map(millis).into(),
                opt_json(user.custom_data.as_ref()).into(),
                user.two_factor_enabled.into(),
                user.synced.into(),
                user.tenant_id.to_string().into(),
                password_hash.map(str::to_owned).into(),
                millis(user.created_at).into(),
                millis(user.updated_at).into(),
            ])
            .to_owned();
        tx.execute(&insert).await.map_err(|e| {
            if is_primary_key(&e) {
                StoreError::DuplicateId("user", user.id.to_string())
            } else {
                unique_violation(e, StoreError::DuplicateEmail)
            }
        })?;
        Self::insert_role_assignments(tx, user.id, roles, user.created_at).await?;
        let id = user.id.to_string();
        self.record(
            tx,
            Entity::User,
            &id,
            outbox::user_values(user),
            &outbox::all_fields(Entity::User),
            user.created_at,
        )
        .await?;
        if !roles.is_empty() {
            self.record_access(tx, Entity::UserRoles, &id, &["roles"], user.created_at)
                .await?;
        }
        Ok(())
    }
}
