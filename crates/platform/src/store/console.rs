//! The Console's administrators, sessions and audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Expr, Iden, Order, Query};
use tandem_core::{Email, UserId};

use super::tables::{instant, millis, parse_id};
use super::{ConsoleStore, SqlPlatformStore, StoreError, StoreResult, unique_violation};
use crate::domain::console::{AuditEntry, ConsoleAdmin, ConsoleSession};

#[derive(Iden, Clone, Copy)]
enum ConsoleAdmins {
    Table,
    Id,
    Email,
    PasswordHash,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
enum ConsoleSessions {
    Table,
    TokenHash,
    AdminId,
    Csrf,
    CreatedAt,
    ExpiresAt,
}

#[derive(Iden, Clone, Copy)]
enum ConsoleAudit {
    Table,
    Id,
    At,
    Actor,
    Action,
    UserId,
    Detail,
}

#[derive(sqlx::FromRow)]
struct AdminRow {
    id: String,
    email: String,
    password_hash: String,
    created_at: i64,
}

impl AdminRow {
    fn admin(&self) -> StoreResult<ConsoleAdmin> {
        Ok(ConsoleAdmin {
            id: self.id.clone(),
            email: Email::from_storage(self.email.clone()),
            created_at: instant(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    email: String,
    password_hash: String,
    created_at: i64,
    csrf: String,
    expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    actor: String,
    action: String,
    user_id: Option<String>,
    detail: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id,
            at: instant(r.at)?,
            actor: r.actor,
            action: r.action,
            user_id: r
                .user_id
                .as_deref()
                .map(|id| parse_id(id, UserId::parse))
                .transpose()?,
            detail: r.detail,
        })
    }
}

const ADMIN_COLUMNS: [ConsoleAdmins; 4] = [
    ConsoleAdmins::Id,
    ConsoleAdmins::Email,
    ConsoleAdmins::PasswordHash,
    ConsoleAdmins::CreatedAt,
];

#[async_trait]
impl ConsoleStore for SqlPlatformStore {
    async fn insert_console_admin(
        &self,
        admin: &ConsoleAdmin,
        password_hash: &str,
    ) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(ConsoleAdmins::Table)
            .columns(ADMIN_COLUMNS)
            .values_panic([
                admin.id.clone().into(),
                admin.email.as_str().into(),
                password_hash.into(),
                millis(admin.created_at).into(),
            ])
            .to_owned();
        self.db
            .execute(&insert)
            .await
            .map_err(|e| unique_violation(e, StoreError::DuplicateEmail))?;
        Ok(())
    }

    async fn set_console_admin_password(
        &self,
        email: &Email,
        password_hash: &str,
    ) -> StoreResult<bool> {
        let update = Query::update()
            .table(ConsoleAdmins::Table)
            .value(ConsoleAdmins::PasswordHash, password_hash)
            .and_where(Expr::col(ConsoleAdmins::Email).eq(email.as_str()))
            .to_owned();
        // Existing sessions of the admin end with the old password.
        let mut tx = self.db.begin().await?;
        let changed = tx.execute(&update).await? == 1;
        if changed {
            let sessions = Query::delete()
                .from_table(ConsoleSessions::Table)
                .and_where(
                    Expr::col(ConsoleSessions::AdminId).in_subquery(
                        Query::select()
                            .column(ConsoleAdmins::Id)
                            .from(ConsoleAdmins::Table)
                            .and_where(Expr::col(ConsoleAdmins::Email).eq(email.as_str()))
                            .to_owned(),
                    ),
                )
                .to_owned();
            tx.execute(&sessions).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn console_admin_by_email(
        &self,
        email: &Email,
    ) -> StoreResult<Option<(ConsoleAdmin, String)>> {
        let select = Query::select()
            .from(ConsoleAdmins::Table)
            .columns(ADMIN_COLUMNS)
            .and_where(Expr::col(ConsoleAdmins::Email).eq(email.as_str()))
            .to_owned();
        let row: Option<AdminRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| Ok((r.admin()?, r.password_hash))).transpose()
    }

    async fn count_console_admins(&self) -> StoreResult<i64> {
        self.count(
            Query::select()
                .column(ConsoleAdmins::Id)
                .from(ConsoleAdmins::Table)
                .to_owned(),
        )
        .await
    }

    async fn insert_console_session(
        &self,
        token_hash: &str,
        admin_id: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let purge = Query::delete()
            .from_table(ConsoleSessions::Table)
            .and_where(Expr::col(ConsoleSessions::ExpiresAt).lt(millis(now)))
            .to_owned();
        let insert = Query::insert()
            .into_table(ConsoleSessions::Table)
            .columns([
                ConsoleSessions::TokenHash,
                ConsoleSessions::AdminId,
                ConsoleSessions::Csrf,
                ConsoleSessions::CreatedAt,
                ConsoleSessions::ExpiresAt,
            ])
            .values_panic([
                token_hash.into(),
                admin_id.into(),
                csrf.into(),
                millis(now).into(),
                millis(expires_at).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&purge).await?;
        tx.execute(&insert).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn console_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ConsoleSession>> {
        let select = Query::select()
            .from(ConsoleSessions::Table)
            .inner_join(
                ConsoleAdmins::Table,
                Expr::col((ConsoleAdmins::Table, ConsoleAdmins::Id))
                    .equals((ConsoleSessions::Table, ConsoleSessions::AdminId)),
            )
            .columns(ADMIN_COLUMNS.map(|c| (ConsoleAdmins::Table, c)))
            .columns([
                (ConsoleSessions::Table, ConsoleSessions::Csrf),
                (ConsoleSessions::Table, ConsoleSessions::ExpiresAt),
            ])
            .and_where(
                Expr::col((ConsoleSessions::Table, ConsoleSessions::TokenHash)).eq(token_hash),
            )
            .and_where(
                Expr::col((ConsoleSessions::Table, ConsoleSessions::ExpiresAt)).gt(millis(now)),
            )
            .to_owned();
        let row: Option<SessionRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| {
            Ok(ConsoleSession {
                admin: AdminRow {
                    id: r.id,
                    email: r.email,
                    password_hash: r.password_hash,
                    created_at: r.created_at,
                }
                .admin()?,
                csrf: r.csrf,
                expires_at: instant(r.expires_at)?,
            })
        })
        .transpose()
    }

    async fn delete_console_session(&self, token_hash: &str) -> StoreResult<()> {
        let delete = Query::delete()
            .from_table(ConsoleSessions::Table)
            .and_where(Expr::col(ConsoleSessions::TokenHash).eq(token_hash))
            .to_owned();
        self.db.execute(&delete).await?;
        Ok(())
    }

    async fn insert_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(ConsoleAudit::Table)
            .columns([
                ConsoleAudit::Id,
                ConsoleAudit::At,
                ConsoleAudit::Actor,
                ConsoleAudit::Action,
                ConsoleAudit::UserId,
                ConsoleAudit::Detail,
            ])
            .values_panic([
                entry.id.clone().into(),
                millis(entry.at).into(),
                entry.actor.clone().into(),
                entry.action.clone().into(),
                entry.user_id.map(|id| id.to_string()).into(),
                entry.detail.clone().into(),
            ])
            .to_owned();
        self.db.execute(&insert).await?;
        Ok(())
    }

    async fn audit(&self, user: Option<UserId>, limit: u64) -> StoreResult<Vec<AuditEntry>> {
        let mut select = Query::select();
        select
            .from(ConsoleAudit::Table)
            .columns([
                ConsoleAudit::Id,
                ConsoleAudit::At,
                ConsoleAudit::Actor,
                ConsoleAudit::Action,
                ConsoleAudit::UserId,
                ConsoleAudit::Detail,
            ])
            .order_by(ConsoleAudit::At, Order::Desc)
            .order_by(ConsoleAudit::Id, Order::Desc)
            .limit(limit);
        if let Some(user) = user {
            select.and_where(Expr::col(ConsoleAudit::UserId).eq(user.to_string()));
        }
        let rows: Vec<AuditRow> = self.db.fetch_all(&select).await?;
        rows.into_iter().map(AuditEntry::try_from).collect()
    }
}
