//! Mail and password resets: a reset and the message carrying its link are written in one
//! transaction; a reset is taken (used) atomically.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Cond, Expr, Iden, OnConflict, Order, Query};
use tandem_core::UserId;

use super::tables::{instant, millis, parse_id};
use super::{MailStore, SqlPlatformStore, StoreResult};
use crate::domain::auth::{
    Delivery, EmailVerification, MailMessage, MailQueueStatus, PasswordReset,
};

#[derive(Iden, Clone, Copy)]
enum MailMessages {
    Table,
    Id,
    Kind,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    SentAt,
    Transport,
}

#[derive(Iden, Clone, Copy)]
enum PasswordResets {
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(Iden, Clone, Copy)]
enum EmailVerifications {
    Table,
    UserId,
    Email,
    TokenHash,
    ExpiresAt,
    CreatedAt,
    VerifiedAt,
}

#[derive(sqlx::FromRow)]
struct VerificationRow {
    user_id: String,
    email: String,
    verified_at: Option<i64>,
}

impl TryFrom<VerificationRow> for EmailVerification {
    type Error = super::StoreError;
    fn try_from(r: VerificationRow) -> StoreResult<Self> {
        Ok(Self {
            user_id: parse_id(&r.user_id, UserId::parse)?,
            email: r.email,
            verified_at: r.verified_at.map(instant).transpose()?,
        })
    }
}

const MAIL_COLUMNS: [MailMessages; 7] = [
    MailMessages::Id,
    MailMessages::Kind,
    MailMessages::Recipient,
    MailMessages::Subject,
    MailMessages::TextBody,
    MailMessages::HtmlBody,
    MailMessages::CreatedAt,
];

/// What is read of a message: its content, then where its delivery stands.
const READ_COLUMNS: [MailMessages; 12] = [
    MailMessages::Id,
    MailMessages::Kind,
    MailMessages::Recipient,
    MailMessages::Subject,
    MailMessages::TextBody,
    MailMessages::HtmlBody,
    MailMessages::CreatedAt,
    MailMessages::Status,
    MailMessages::Attempts,
    MailMessages::LastError,
    MailMessages::SentAt,
    MailMessages::Transport,
];

#[derive(sqlx::FromRow)]
struct MailRow {
    id: String,
    kind: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    created_at: i64,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    sent_at: Option<i64>,
    transport: Option<String>,
}

impl TryFrom<MailRow> for MailMessage {
    type Error = super::StoreError;
    fn try_from(r: MailRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id,
            kind: r.kind,
            recipient: r.recipient,
            subject: r.subject,
            text_body: r.text_body,
            html_body: r.html_body,
            created_at: instant(r.created_at)?,
            delivery: Delivery {
                status: r.status,
                attempts: r.attempts,
                last_error: r.last_error,
                sent_at: r.sent_at.map(instant).transpose()?,
                transport: r.transport,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    status: String,
    count: i64,
    oldest: Option<i64>,
}

/// What replaces the body of a message once an SMTP server took it: its one-time links must
/// not outlive the mail in the database (the dev mailbox keeps bodies, as it is their only copy).
const SENT_BODY: &str = "(delivered by SMTP; the body is not kept)";

/// Longest delivery error kept (an SMTP server's answer can be long).
const MAX_ERROR_CHARS: usize = 500;

#[derive(sqlx::FromRow)]
struct ResetRow {
    token_hash: String,
    user_id: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Spent and expired resets are kept this long, then purged.
const KEEP_DEAD: chrono::Duration = chrono::Duration::days(1);

/// Queues a message (due at once).
pub(super) fn insert_mail(mail: &MailMessage) -> sea_query::InsertStatement {
    Query::insert()
        .into_table(MailMessages::Table)
        .columns(
            MAIL_COLUMNS
                .into_iter()
                .chain([MailMessages::Status, MailMessages::NextAttemptAt]),
        )
        .values_panic([
            mail.id.clone().into(),
            mail.kind.clone().into(),
            mail.recipient.clone().into(),
            mail.subject.clone().into(),
            mail.text_body.clone().into(),
            mail.html_body.clone().into(),
            millis(mail.created_at).into(),
            "queued".into(),
            millis(mail.created_at).into(),
        ])
        .to_owned()
}

#[async_trait]
impl MailStore for SqlPlatformStore {
    #[tracing::instrument(skip_all, fields(user = %user_id))]
    async fn start_email_verification(
        &self,
        user_id: UserId,
        email: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &MailMessage,
    ) -> StoreResult<()> {
        let upsert = Query::insert()
            .into_table(EmailVerifications::Table)
            .columns([
                EmailVerifications::UserId,
                EmailVerifications::Email,
                EmailVerifications::TokenHash,
                EmailVerifications::ExpiresAt,
                EmailVerifications::CreatedAt,
                EmailVerifications::VerifiedAt,
            ])
            .values_panic([
                user_id.to_string().into(),
                email.into(),
                token_hash.into(),
                millis(expires_at).into(),
                millis(mail.created_at).into(),
                Option::<i64>::None.into(),
            ])
            .on_conflict(
                OnConflict::column(EmailVerifications::UserId)
                    .update_columns([
                        EmailVerifications::Email,
                        EmailVerifications::TokenHash,
                        EmailVerifications::ExpiresAt,
                        EmailVerifications::CreatedAt,
                        EmailVerifications::VerifiedAt,
                    ])
                    .to_owned(),
            )
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&upsert).await?;
        tx.execute(&insert_mail(mail)).await?;
        tx.commit().await?;
        self.signal_mail();
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn verify_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<EmailVerification>> {
        let verify = Query::update()
            .table(EmailVerifications::Table)
            .value(EmailVerifications::VerifiedAt, millis(now))
            .value(EmailVerifications::TokenHash, Option::<String>::None)
            .and_where(Expr::col(EmailVerifications::TokenHash).eq(token_hash))
            .and_where(Expr::col(EmailVerifications::ExpiresAt).gt(millis(now)))
            .and_where(Expr::col(EmailVerifications::VerifiedAt).is_null())
            .returning(Query::returning().columns([
                EmailVerifications::UserId,
                EmailVerifications::Email,
                EmailVerifications::VerifiedAt,
            ]))
            .to_owned();
        let mut tx = self.db.begin().await?;
        let row: Option<VerificationRow> = tx.fetch_optional(&verify).await?;
        tx.commit().await?;
        row.map(EmailVerification::try_from).transpose()
    }

    async fn email_verification(&self, user_id: UserId) -> StoreResult<Option<EmailVerification>> {
        let select = Query::select()
            .from(EmailVerifications::Table)
            .columns([
                EmailVerifications::UserId,
                EmailVerifications::Email,
                EmailVerifications::VerifiedAt,
            ])
            .and_where(Expr::col(EmailVerifications::UserId).eq(user_id.to_string()))
            .to_owned();
        let row: Option<VerificationRow> = self.db.fetch_optional(&select).await?;
        row.map(EmailVerification::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(user = %reset.user_id))]
    async fn create_password_reset(
        &self,
        reset: &PasswordReset,
        mail: &MailMessage,
    ) -> StoreResult<()> {
        let purge = Query::delete()
            .from_table(PasswordResets::Table)
            .and_where(
                Expr::col(PasswordResets::ExpiresAt).lt(millis(reset.created_at - KEEP_DEAD)),
            )
            .to_owned();
        let insert_reset = Query::insert()
            .into_table(PasswordResets::Table)
            .columns([
                PasswordResets::TokenHash,
                PasswordResets::UserId,
                PasswordResets::CreatedAt,
                PasswordResets::ExpiresAt,
                PasswordResets::UsedAt,
            ])
            .values_panic([
                reset.token_hash.clone().into(),
                reset.user_id.to_string().into(),
                millis(reset.created_at).into(),
                millis(reset.expires_at).into(),
                reset.used_at.map(millis).into(),
            ])
            .to_owned();
        let insert_mail = insert_mail(mail);
        let mut tx = self.db.begin().await?;
        tx.execute(&purge).await?;
        tx.execute(&insert_reset).await?;
        tx.execute(&insert_mail).await?;
        tx.commit().await?;
        self.signal_mail();
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn take_password_reset(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PasswordReset>> {
        let take = Query::update()
            .table(PasswordResets::Table)
            .value(PasswordResets::UsedAt, millis(now))
            .and_where(Expr::col(PasswordResets::TokenHash).eq(token_hash))
            .and_where(Expr::col(PasswordResets::UsedAt).is_null())
            .and_where(Expr::col(PasswordResets::ExpiresAt).gt(millis(now)))
            .returning(Query::returning().columns([
                PasswordResets::TokenHash,
                PasswordResets::UserId,
                PasswordResets::CreatedAt,
                PasswordResets::ExpiresAt,
                PasswordResets::UsedAt,
            ]))
            .to_owned();
        let mut tx = self.db.begin().await?;
        let row: Option<ResetRow> = tx.fetch_optional(&take).await?;
        if let Some(row) = &row {
            // One reset spends every link the user was sent: older ones stop working too.
            let spend_others = Query::update()
                .table(PasswordResets::Table)
                .value(PasswordResets::UsedAt, millis(now))
                .and_where(Expr::col(PasswordResets::UserId).eq(row.user_id.clone()))
                .and_where(Expr::col(PasswordResets::UsedAt).is_null())
                .to_owned();
            tx.execute(&spend_others).await?;
        }
        tx.commit().await?;
        row.map(|r| {
            Ok(PasswordReset {
                token_hash: r.token_hash,
                user_id: parse_id(&r.user_id, UserId::parse)?,
                created_at: instant(r.created_at)?,
                expires_at: instant(r.expires_at)?,
                used_at: r.used_at.map(instant).transpose()?,
            })
        })
        .transpose()
    }

    async fn mailbox(&self, limit: u64) -> StoreResult<Vec<MailMessage>> {
        let select = Query::select()
            .from(MailMessages::Table)
            .columns(READ_COLUMNS)
            .order_by(MailMessages::CreatedAt, Order::Desc)
            .order_by(MailMessages::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        let rows: Vec<MailRow> = self.db.fetch_all(&select).await?;
        rows.into_iter().map(MailMessage::try_from).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> StoreResult<Vec<MailMessage>> {
        let claimable = || {
            Cond::all()
                .add(Expr::col(MailMessages::Status).eq("queued"))
                .add(Expr::col(MailMessages::NextAttemptAt).lte(millis(now)))
                .add(
                    Cond::any()
                        .add(Expr::col(MailMessages::ClaimedUntil).is_null())
                        .add(Expr::col(MailMessages::ClaimedUntil).lte(millis(now))),
                )
        };
        let due = Query::select()
            .column(MailMessages::Id)
            .from(MailMessages::Table)
            .cond_where(claimable())
            .order_by(MailMessages::NextAttemptAt, Order::Asc)
            .order_by(MailMessages::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        // The outer condition is checked again on the row as it is when updated, so of two
        // senders racing for a message only the first claims it.
        let claim = Query::update()
            .table(MailMessages::Table)
            .value(MailMessages::ClaimedUntil, millis(lease_until))
            .value(
                MailMessages::Attempts,
                Expr::col(MailMessages::Attempts).add(1),
            )
            .and_where(Expr::col(MailMessages::Id).in_subquery(due))
            .cond_where(claimable())
            .returning(Query::returning().columns(READ_COLUMNS))
            .to_owned();
        let mut tx = self.db.begin().await?;
        let rows: Vec<MailRow> = tx.fetch_all(&claim).await?;
        tx.commit().await?;
        rows.into_iter().map(MailMessage::try_from).collect()
    }

    #[tracing::instrument(skip_all, fields(mail = %id))]
    async fn mail_sent(
        &self,
        id: &str,
        lease: DateTime<Utc>,
        transport: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(MailMessages::Table)
            .value(MailMessages::Status, "sent")
            .value(MailMessages::SentAt, millis(now))
            .value(MailMessages::Transport, transport)
            .value(MailMessages::ClaimedUntil, Option::<i64>::None)
            .value(MailMessages::LastError, Option::<String>::None)
            .and_where(Expr::col(MailMessages::Id).eq(id))
            .and_where(Expr::col(MailMessages::Status).eq("queued"))
            .and_where(Expr::col(MailMessages::ClaimedUntil).eq(millis(lease)));
        if transport != "mailbox" {
            update
                .value(MailMessages::TextBody, SENT_BODY)
                .value(MailMessages::HtmlBody, SENT_BODY);
        }
        Ok(self.db.execute(&update).await? == 1)
    }

    #[tracing::instrument(skip_all, fields(mail = %id))]
    async fn mail_failed(
        &self,
        id: &str,
        lease: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let mut update = Query::update();
        update
            .table(MailMessages::Table)
            .value(MailMessages::LastError, error)
            .value(MailMessages::ClaimedUntil, Option::<i64>::None)
            .and_where(Expr::col(MailMessages::Id).eq(id))
            .and_where(Expr::col(MailMessages::Status).eq("queued"))
            .and_where(Expr::col(MailMessages::ClaimedUntil).eq(millis(lease)));
        match retry_at {
            Some(at) => update.value(MailMessages::NextAttemptAt, millis(at)),
            None => update.value(MailMessages::Status, "failed"),
        };
        Ok(self.db.execute(&update).await? == 1)
    }

    async fn mail_queue_status(&self) -> StoreResult<MailQueueStatus> {
        let select = Query::select()
            .from(MailMessages::Table)
            .column(MailMessages::Status)
            .expr_as(
                Expr::col(sea_query::Asterisk).count(),
                sea_query::Alias::new("count"),
            )
            .expr_as(
                Expr::col(MailMessages::CreatedAt).min(),
                sea_query::Alias::new("oldest"),
            )
            .group_by_col(MailMessages::Status)
            .to_owned();
        let rows: Vec<StatusRow> = self.db.fetch_all(&select).await?;
        let mut status = MailQueueStatus::default();
        for row in rows {
            match row.status.as_str() {
                "queued" => {
                    status.queued = row.count;
                    status.oldest_queued_at = row.oldest.map(instant).transpose()?;
                }
                "sent" => status.sent = row.count,
                "failed" => status.failed = row.count,
                _ => {}
            }
        }
        Ok(status)
    }
}
