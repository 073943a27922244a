//! Invitations: stored with the message carrying their link in one transaction; accepted
//! atomically together with the user they create (so a link works once, and the user reaches
//! the BaaS through the outbox like any other).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Cond, Condition, Expr, Iden, NullOrdering, Order, Query, SelectStatement};
use serde_json::{Map, Value};
use sqlx::types::Json;
use tandem_core::{Email, RoleId, TenantId, UserId};
use tandem_sql::{DbError, Tx};

use super::filter::{id_filter, order_of};
use super::mail::insert_mail;
use super::tables::{instant, millis, opt_json, parse_id};
use super::{InviteStore, SqlPlatformStore, StoreError, StoreResult};
use crate::domain::auth::MailMessage;
use crate::domain::invite::{
    InviteQuery, InviteSearchKey, InviteSort, InviteStatus, InviteUpdate, UserInvite,
};
use crate::domain::{Page, User};

#[derive(Iden, Clone, Copy)]
pub(super) enum UserInvites {
    Table,
    Id,
    Email,
    FirstName,
    LastName,
    Locale,
    Data,
    RoleKeys,
    TenantId,
    CreatedByUserId,
    CreatedByAdmin,
    AcceptedByUserId,
    Status,
    StatusUpdatedAt,
    TokenHash,
    UserTokenId,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

const INVITE_COLUMNS: [UserInvites; 17] = [
    UserInvites::Id,
    UserInvites::Email,
    UserInvites::FirstName,
    UserInvites::LastName,
    UserInvites::Locale,
    UserInvites::Data,
    UserInvites::RoleKeys,
    UserInvites::TenantId,
    UserInvites::CreatedByUserId,
    UserInvites::CreatedByAdmin,
    UserInvites::AcceptedByUserId,
    UserInvites::Status,
    UserInvites::StatusUpdatedAt,
    UserInvites::UserTokenId,
    UserInvites::ExpiresAt,
    UserInvites::CreatedAt,
    UserInvites::UpdatedAt,
];

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    data: Option<Json<Map<String, Value>>>,
    role_keys: String,
    tenant_id: String,
    created_by_user_id: Option<String>,
    created_by_admin: Option<String>,
    accepted_by_user_id: Option<String>,
    status: String,
    status_updated_at: i64,
    user_token_id: String,
    expires_at: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<InviteRow> for UserInvite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> StoreResult<Self> {
        Ok(Self {
            email: Email::parse(&r.email).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            first_name: r.first_name,
            last_name: r.last_name,
            locale: r.locale,
            data: r.data.map(|j| j.0),
            role_keys: serde_json::from_str(&r.role_keys)
                .map_err(|e| StoreError::Corrupt(format!("invite role keys: {e}")))?,
            tenant_id: parse_id(&r.tenant_id, TenantId::parse)?,
            created_by_user_id: r
                .created_by_user_id
                .as_deref()
                .map(|id| parse_id(id, UserId::parse))
                .transpose()?,
            created_by_admin: r.created_by_admin,
            accepted_by_user_id: r
                .accepted_by_user_id
                .as_deref()
                .map(|id| parse_id(id, UserId::parse))
                .transpose()?,
            status: InviteStatus::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("invite status `{}`", r.status)))?,
            status_updated_at: instant(r.status_updated_at)?,
            user_token_id: r.user_token_id,
            expires_at: instant(r.expires_at)?,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
            id: r.id,
        })
    }
}

fn select_invites() -> SelectStatement {
    Query::select()
        .from(UserInvites::Table)
        .columns(INVITE_COLUMNS.map(|c| (UserInvites::Table, c)))
        .to_owned()
}

fn returning() -> sea_query::ReturningClause {
    Query::returning().columns(INVITE_COLUMNS)
}

/// A unique violation on insert is the one-pending-invite-per-email index (ids are fresh).
fn pending_exists(err: DbError) -> StoreError {
    match err {
        DbError::UniqueViolation { .. } => StoreError::DuplicateInvite,
        DbError::ForeignKeyViolation { .. } => StoreError::ForeignKeyViolation,
        other => StoreError::Db(other),
    }
}

impl SqlPlatformStore {
    /// Writes down that pending invites past their expiry are expired (of one email, or all).
    async fn expire_invites(
        &self,
        tx: &mut Tx,
        email: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table(UserInvites::Table)
            .value(UserInvites::Status, InviteStatus::Expired.as_str())
            .value(
                UserInvites::StatusUpdatedAt,
                Expr::col(UserInvites::ExpiresAt),
            )
            .and_where(Expr::col(UserInvites::Status).eq(InviteStatus::Pending.as_str()))
            .and_where(Expr::col(UserInvites::ExpiresAt).lte(millis(now)));
        if let Some(email) = email {
            update.and_where(Expr::col(UserInvites::Email).eq(email));
        }
        tx.execute(&update).await?;
        Ok(())
    }

    fn invite_condition(&self, query: &InviteQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(tenant) = query.tenant_scope {
            cond = cond
                .add(Expr::col((UserInvites::Table, UserInvites::TenantId)).eq(tenant.to_string()));
        }
        for (col, filter, fold) in [
            (UserInvites::Email, &f.email, true),
            (UserInvites::FirstName, &f.first_name, false),
            (UserInvites::Id, &f.id, false),
            (UserInvites::LastName, &f.last_name, false),
            (UserInvites::Locale, &f.locale, false),
            (UserInvites::Status, &f.status, false),
            (UserInvites::UserTokenId, &f.user_token_id, false),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((UserInvites::Table, col), filter, fold));
            }
        }
        if let Some(filter) = &f.tenant_id {
            cond = cond.add(id_filter(
                (UserInvites::Table, UserInvites::TenantId),
                filter,
            ));
        }
        for (col, filter) in [
            (UserInvites::CreatedByUserId, &f.created_by_user_id),
            (UserInvites::AcceptedByUserId, &f.accepted_by_user_id),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(id_filter((UserInvites::Table, col), filter));
            }
        }
        if let Some((key, value)) = &query.search {
            let col = match key {
                InviteSearchKey::FirstName => UserInvites::FirstName,
                InviteSearchKey::LastName => UserInvites::LastName,
                InviteSearchKey::Locale => UserInvites::Locale,
            };
            cond = cond.add(self.contains(Expr::col((UserInvites::Table, col)).into(), value));
        }
        cond
    }
}

#[async_trait]
impl InviteStore for SqlPlatformStore {
    #[tracing::instrument(skip_all, fields(invite = %invite.id, tenant = %invite.tenant_id))]
    async fn insert_invite(
        &self,
        invite: &UserInvite,
        token_hash: &str,
        mail: &MailMessage,
    ) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(UserInvites::Table)
            .columns(INVITE_COLUMNS.into_iter().chain([UserInvites::TokenHash]))
            .values_panic([
                invite.id.clone().into(),
                invite.email.as_str().into(),
                invite.first_name.clone().into(),
                invite.last_name.clone().into(),
                invite.locale.clone().into(),
                opt_json(invite.data.as_ref()).into(),
                serde_json::to_string(&invite.role_keys)
                    .unwrap_or_else(|_| "[]".into())
                    .into(),
                invite.tenant_id.to_string().into(),
                invite.created_by_user_id.map(|id| id.to_string()).into(),
                invite.created_by_admin.clone().into(),
                invite.accepted_by_user_id.map(|id| id.to_string()).into(),
                invite.status.as_str().into(),
                millis(invite.status_updated_at).into(),
                invite.user_token_id.clone().into(),
                millis(invite.expires_at).into(),
                millis(invite.created_at).into(),
                millis(invite.updated_at).into(),
                token_hash.into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        self.expire_invites(&mut tx, Some(invite.email.as_str()), invite.created_at)
            .await?;
        // (Expiring every tenant's invites of this email is harmless: they were expired anyway.)
        tx.execute(&insert).await.map_err(pending_exists)?;
        tx.execute(&insert_mail(mail)).await?;
        tx.commit().await?;
        self.signal_mail();
        Ok(())
    }

    async fn invite(&self, id: &str) -> StoreResult<Option<UserInvite>> {
        let select = select_invites()
            .and_where(Expr::col((UserInvites::Table, UserInvites::Id)).eq(id))
            .to_owned();
        let row: Option<InviteRow> = self.db.fetch_optional(&select).await?;
        row.map(UserInvite::try_from).transpose()
    }

    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<UserInvite>> {
        let select = select_invites()
            .and_where(Expr::col((UserInvites::Table, UserInvites::TokenHash)).eq(token_hash))
            .to_owned();
        let row: Option<InviteRow> = self.db.fetch_optional(&select).await?;
        row.map(UserInvite::try_from).transpose()
    }

    async fn list_invites(
        &self,
        query: &InviteQuery,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<UserInvite>> {
        // Status filters see expired invites as expired.
        let mut tx = self.db.begin().await?;
        self.expire_invites(&mut tx, None, now).await?;
        tx.commit().await?;
        let mut select = select_invites()
            .cond_where(self.invite_condition(query))
            .to_owned();
        let (sort, order) = query
            .order
            .map(|(sort, order)| (sort, order_of(order)))
            .unwrap_or((InviteSort::CreatedAt, Order::Asc));
        let col = match sort {
            InviteSort::CreatedAt => UserInvites::CreatedAt,
            InviteSort::Email => UserInvites::Email,
            InviteSort::FirstName => UserInvites::FirstName,
            InviteSort::LastName => UserInvites::LastName,
            InviteSort::Locale => UserInvites::Locale,
            InviteSort::Status => UserInvites::Status,
            InviteSort::UpdatedAt => UserInvites::UpdatedAt,
        };
        select
            .order_by_with_nulls((UserInvites::Table, col), order.clone(), NullOrdering::Last)
            .order_by((UserInvites::Table, UserInvites::Id), order);
        self.page::<InviteRow, UserInvite>(select, query.window.limit, query.window.offset)
            .await
    }

    #[tracing::instrument(skip_all, fields(invite = %id))]
    async fn renew_invite(
        &self,
        id: &str,
        token_hash: &str,
        user_token_id: &str,
        expires_at: DateTime<Utc>,
        mail: &MailMessage,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>> {
        let update = Query::update()
            .table(UserInvites::Table)
            .value(UserInvites::TokenHash, token_hash)
            .value(UserInvites::UserTokenId, user_token_id)
            .value(UserInvites::ExpiresAt, millis(expires_at))
            .value(UserInvites::Status, InviteStatus::Pending.as_str())
            .value(UserInvites::StatusUpdatedAt, millis(now))
            .value(UserInvites::UpdatedAt, millis(now))
            .and_where(Expr::col(UserInvites::Id).eq(id))
            .and_where(Expr::col(UserInvites::Status).is_in([
                InviteStatus::Pending.as_str(),
                InviteStatus::Expired.as_str(),
            ]))
            .returning(returning())
            .to_owned();
        let mut tx = self.db.begin().await?;
        let row: Option<InviteRow> = tx.fetch_optional(&update).await.map_err(pending_exists)?;
        if row.is_some() {
            tx.execute(&insert_mail(mail)).await?;
        }
        tx.commit().await?;
        if row.is_some() {
            self.signal_mail();
        }
        row.map(UserInvite::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(invite = %id))]
    async fn cancel_invite(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Option<UserInvite>> {
        let update = Query::update()
            .table(UserInvites::Table)
            .value(UserInvites::Status, InviteStatus::Canceled.as_str())
            .value(UserInvites::StatusUpdatedAt, millis(now))
            .value(UserInvites::UpdatedAt, millis(now))
            .and_where(Expr::col(UserInvites::Id).eq(id))
            .and_where(Expr::col(UserInvites::Status).is_in([
                InviteStatus::Pending.as_str(),
                InviteStatus::Expired.as_str(),
            ]))
            .returning(returning())
            .to_owned();
        let mut tx = self.db.begin().await?;
        let row: Option<InviteRow> = tx.fetch_optional(&update).await?;
        tx.commit().await?;
        row.map(UserInvite::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(invite = %id))]
    async fn update_invite(
        &self,
        id: &str,
        update: &InviteUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>> {
        let mut statement = Query::update();
        statement
            .table(UserInvites::Table)
            .value(UserInvites::UpdatedAt, millis(now))
            .and_where(Expr::col(UserInvites::Id).eq(id))
            .and_where(Expr::col(UserInvites::Status).is_in([
                InviteStatus::Pending.as_str(),
                InviteStatus::Expired.as_str(),
            ]))
            .returning(returning());
        if let Some(v) = &update.first_name {
            statement.value(UserInvites::FirstName, v.clone());
        }
        if let Some(v) = &update.last_name {
            statement.value(UserInvites::LastName, v.clone());
        }
        if let Some(v) = &update.locale {
            statement.value(UserInvites::Locale, v.clone());
        }
        if let Some(v) = &update.data {
            statement.value(UserInvites::Data, opt_json(Some(v)));
        }
        // A write (RETURNING): in a transaction, which SQLite runs on the writer.
        let mut tx = self.db.begin().await?;
        let row: Option<InviteRow> = tx.fetch_optional(&statement).await?;
        tx.commit().await?;
        row.map(UserInvite::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(user = %user.id, tenant = %user.tenant_id))]
    async fn accept_invite(
        &self,
        token_hash: &str,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
        mail: Option<&MailMessage>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>> {
        let take = Query::update()
            .table(UserInvites::Table)
            .value(UserInvites::Status, InviteStatus::Accepted.as_str())
            .value(UserInvites::AcceptedByUserId, user.id.to_string())
            .value(UserInvites::StatusUpdatedAt, millis(now))
            .value(UserInvites::UpdatedAt, millis(now))
            .and_where(Expr::col(UserInvites::TokenHash).eq(token_hash))
            .and_where(Expr::col(UserInvites::Status).eq(InviteStatus::Pending.as_str()))
            .and_where(Expr::col(UserInvites::ExpiresAt).gt(millis(now)))
            .returning(returning())
            .to_owned();
        // The user first: the invite then names it (accepted_by_user_id references users).
        // Dropping the transaction when the invite is not taken undoes the user.
        let mut tx = self.db.begin().await?;
        self.insert_user_in(&mut tx, user, password_hash, roles)
            .await?;
        let Some(row) = tx.fetch_optional::<InviteRow>(&take).await? else {
            return Ok(None);
        };
        if let Some(mail) = mail {
            tx.execute(&insert_mail(mail)).await?;
        }
        tx.commit().await?;
        self.signal_outbox();
        if mail.is_some() {
            self.signal_mail();
        }
        UserInvite::try_from(row).map(Some)
    }
}
