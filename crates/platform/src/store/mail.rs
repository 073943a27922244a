//! Mail and password resets: a reset and the message carrying its link are written in one
//! transaction; a reset is taken (used) atomically.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Expr, Iden, Order, Query};
use tandem_core::UserId;

use super::tables::{instant, millis, parse_id};
use super::{MailStore, SqlPlatformStore, StoreResult};
use crate::domain::auth::{MailMessage, PasswordReset};

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

const MAIL_COLUMNS: [MailMessages; 7] = [
    MailMessages::Id,
    MailMessages::Kind,
    MailMessages::Recipient,
    MailMessages::Subject,
    MailMessages::TextBody,
    MailMessages::HtmlBody,
    MailMessages::CreatedAt,
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
}

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

#[async_trait]
impl MailStore for SqlPlatformStore {
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
        let insert_mail = Query::insert()
            .into_table(MailMessages::Table)
            .columns(MAIL_COLUMNS)
            .values_panic([
                mail.id.clone().into(),
                mail.kind.clone().into(),
                mail.recipient.clone().into(),
                mail.subject.clone().into(),
                mail.text_body.clone().into(),
                mail.html_body.clone().into(),
                millis(mail.created_at).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&purge).await?;
        tx.execute(&insert_reset).await?;
        tx.execute(&insert_mail).await?;
        tx.commit().await?;
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
            .columns(MAIL_COLUMNS)
            .order_by(MailMessages::CreatedAt, Order::Desc)
            .order_by(MailMessages::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        let rows: Vec<MailRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| {
                Ok(MailMessage {
                    id: r.id,
                    kind: r.kind,
                    recipient: r.recipient,
                    subject: r.subject,
                    text_body: r.text_body,
                    html_body: r.html_body,
                    created_at: instant(r.created_at)?,
                })
            })
            .collect()
    }
}
