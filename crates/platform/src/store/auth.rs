//! End-user authentication's tables: signing keys, auth settings, authorization codes and
//! refresh tokens. Codes and refresh tokens are only ever looked up by their digest.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sea_query::{Expr, Iden, OnConflict, Order, Query};
use tandem_core::UserId;

use super::tables::{instant, millis, parse_id};
use super::{AuthStore, SqlPlatformStore, StoreError, StoreResult};
use crate::domain::auth::{
    AuthSettings, CodeRecord, Flow, Grant, RefreshRecord, RsaKeyRecord, SigningKeyRecord,
};

#[derive(Iden, Clone, Copy)]
enum SigningKeys {
    Table,
    Kid,
    Salt,
    PublicKey,
    CreatedAt,
    RetireAt,
    RsaPublicKey,
    RsaSealed,
}

#[derive(Iden, Clone, Copy)]
enum AuthSettingsTable {
    #[iden = "auth_settings"]
    Table,
    EnvironmentId,
    Settings,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum AuthorizationCodes {
    Table,
    CodeHash,
    UserId,
    ClientId,
    RedirectUri,
    Flow,
    GrantJson,
    FamilyId,
    Generation,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    ReplayedAt,
}

#[derive(Iden, Clone, Copy)]
enum RefreshTokens {
    Table,
    TokenHash,
    FamilyId,
    UserId,
    ClientId,
    Flow,
    Scope,
    Nonce,
    Generation,
    CreatedAt,
    ExpiresAt,
    RotatedAt,
    RevokedAt,
    Confidential,
}

const CODE_COLUMNS: [AuthorizationCodes; 11] = [
    AuthorizationCodes::CodeHash,
    AuthorizationCodes::UserId,
    AuthorizationCodes::ClientId,
    AuthorizationCodes::RedirectUri,
    AuthorizationCodes::Flow,
    AuthorizationCodes::GrantJson,
    AuthorizationCodes::FamilyId,
    AuthorizationCodes::Generation,
    AuthorizationCodes::CreatedAt,
    AuthorizationCodes::ExpiresAt,
    AuthorizationCodes::UsedAt,
];

const REFRESH_COLUMNS: [RefreshTokens; 13] = [
    RefreshTokens::TokenHash,
    RefreshTokens::FamilyId,
    RefreshTokens::UserId,
    RefreshTokens::ClientId,
    RefreshTokens::Flow,
    RefreshTokens::Scope,
    RefreshTokens::Nonce,
    RefreshTokens::Generation,
    RefreshTokens::CreatedAt,
    RefreshTokens::ExpiresAt,
    RefreshTokens::RotatedAt,
    RefreshTokens::RevokedAt,
    RefreshTokens::Confidential,
];

#[derive(sqlx::FromRow)]
struct SigningKeyRow {
    kid: String,
    salt: String,
    public_key: String,
    created_at: i64,
    retire_at: Option<i64>,
    rsa_public_key: Option<String>,
    rsa_sealed: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    settings: String,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    code_hash: String,
    user_id: String,
    client_id: String,
    redirect_uri: String,
    flow: String,
    grant_json: String,
    family_id: String,
    generation: i64,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_hash: String,
    family_id: String,
    user_id: String,
    client_id: String,
    flow: String,
    scope: String,
    nonce: Option<String>,
    generation: i64,
    created_at: i64,
    expires_at: i64,
    rotated_at: Option<i64>,
    revoked_at: Option<i64>,
    confidential: bool,
}

fn flow(raw: &str) -> StoreResult<Flow> {
    Flow::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("unknown flow {raw:?}")))
}

fn optional_instant(ms: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    ms.map(instant).transpose()
}

impl TryFrom<CodeRow> for CodeRecord {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> StoreResult<Self> {
        Ok(Self {
            code_hash: r.code_hash,
            user_id: parse_id(&r.user_id, UserId::parse)?,
            client_id: r.client_id,
            redirect_uri: r.redirect_uri,
            flow: flow(&r.flow)?,
            grant: serde_json::from_str::<Grant>(&r.grant_json)
                .map_err(|e| StoreError::Corrupt(format!("authorization code grant: {e}")))?,
            family_id: r.family_id,
            generation: r.generation,
            created_at: instant(r.created_at)?,
            expires_at: instant(r.expires_at)?,
            used_at: optional_instant(r.used_at)?,
        })
    }
}

impl TryFrom<RefreshRow> for RefreshRecord {
    type Error = StoreError;
    fn try_from(r: RefreshRow) -> StoreResult<Self> {
        Ok(Self {
            token_hash: r.token_hash,
            family_id: r.family_id,
            user_id: parse_id(&r.user_id, UserId::parse)?,
            client_id: r.client_id,
            flow: flow(&r.flow)?,
            scope: r.scope,
            nonce: r.nonce,
            generation: r.generation,
            created_at: instant(r.created_at)?,
            expires_at: instant(r.expires_at)?,
            rotated_at: optional_instant(r.rotated_at)?,
            revoked_at: optional_instant(r.revoked_at)?,
            confidential: r.confidential,
        })
    }
}

/// The insert of one refresh-token row.
fn insert_refresh(token: &RefreshRecord) -> sea_query::InsertStatement {
    Query::insert()
        .into_table(RefreshTokens::Table)
        .columns(REFRESH_COLUMNS)
        .values_panic([
            token.token_hash.clone().into(),
            token.family_id.clone().into(),
            token.user_id.to_string().into(),
            token.client_id.clone().into(),
            token.flow.as_str().into(),
            token.scope.clone().into(),
            token.nonce.clone().into(),
            token.generation.into(),
            millis(token.created_at).into(),
            millis(token.expires_at).into(),
            token.rotated_at.map(millis).into(),
            token.revoked_at.map(millis).into(),
            token.confidential.into(),
        ])
        .to_owned()
}

/// How long spent codes and dead refresh tokens are kept (to recognise a replay) before
/// they are purged.
const KEEP_DEAD: Duration = Duration::days(1);

/// How often a replica purges them: a purge rides along with an insert at most this often, so
/// a log-in is one INSERT (one round trip) rather than a transaction of four.
const PURGE_EVERY: Duration = Duration::minutes(1);

/// When this replica last purged codes and refresh tokens (Unix ms of the inserted record's
/// `created_at`, the injected clock's time; `i64::MIN` before the first).
#[derive(Debug)]
pub(super) struct Purges {
    codes: std::sync::atomic::AtomicI64,
    refresh_tokens: std::sync::atomic::AtomicI64,
}

impl Default for Purges {
    fn default() -> Self {
        Self {
            codes: std::sync::atomic::AtomicI64::new(i64::MIN),
            refresh_tokens: std::sync::atomic::AtomicI64::new(i64::MIN),
        }
    }
}

/// Whether a purge is due at `now` after the one recorded in `last`; records `now` if so (one
/// caller wins when several race). Recorded before the purge runs: a purge that fails waits for
/// the next turn. A clock that went back (`now` before the record) makes it due at once.
fn purge_due(last: &std::sync::atomic::AtomicI64, now: DateTime<Utc>) -> bool {
    use std::sync::atomic::Ordering;
    let (now, every) = (millis(now), PURGE_EVERY.num_milliseconds());
    let seen = last.load(Ordering::Relaxed);
    (seen == i64::MIN || now < seen || now.saturating_sub(seen) >= every)
        && last
            .compare_exchange(seen, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

#[async_trait]
impl AuthStore for SqlPlatformStore {
    async fn signing_keys(&self, now: DateTime<Utc>) -> StoreResult<Vec<SigningKeyRecord>> {
        let select = Query::select()
            .from(SigningKeys::Table)
            .columns([
                SigningKeys::Kid,
                SigningKeys::Salt,
                SigningKeys::PublicKey,
                SigningKeys::CreatedAt,
                SigningKeys::RetireAt,
                SigningKeys::RsaPublicKey,
                SigningKeys::RsaSealed,
            ])
            .cond_where(
                Expr::col(SigningKeys::RetireAt)
                    .is_null()
                    .or(Expr::col(SigningKeys::RetireAt).gt(millis(now))),
            )
            .order_by(SigningKeys::CreatedAt, Order::Desc)
            .order_by(SigningKeys::Kid, Order::Desc)
            .to_owned();
        let rows: Vec<SigningKeyRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| {
                Ok(SigningKeyRecord {
                    kid: r.kid,
                    salt: r.salt,
                    public_key: r.public_key,
                    created_at: instant(r.created_at)?,
                    retire_at: optional_instant(r.retire_at)?,
                    rsa: r
                        .rsa_public_key
                        .zip(r.rsa_sealed)
                        .map(|(public_key, sealed)| RsaKeyRecord { public_key, sealed }),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(kid = %key.kid))]
    async fn add_signing_key(
        &self,
        key: &SigningKeyRecord,
        retire_current_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let retire = Query::update()
            .table(SigningKeys::Table)
            .value(SigningKeys::RetireAt, millis(retire_current_at))
            .cond_where(
                Expr::col(SigningKeys::RetireAt)
                    .is_null()
                    .or(Expr::col(SigningKeys::RetireAt).gt(millis(retire_current_at))),
            )
            .to_owned();
        let insert = Query::insert()
            .into_table(SigningKeys::Table)
            .columns([
                SigningKeys::Kid,
                SigningKeys::Salt,
                SigningKeys::PublicKey,
                SigningKeys::CreatedAt,
                SigningKeys::RetireAt,
                SigningKeys::RsaPublicKey,
                SigningKeys::RsaSealed,
            ])
            .values_panic([
                key.kid.clone().into(),
                key.salt.clone().into(),
                key.public_key.clone().into(),
                millis(key.created_at).into(),
                key.retire_at.map(millis).into(),
                key.rsa.as_ref().map(|r| r.public_key.clone()).into(),
                key.rsa.as_ref().map(|r| r.sealed.clone()).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&retire).await?;
        tx.execute(&insert).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip(self, rsa))]
    async fn add_rsa_key(&self, kid: &str, rsa: &RsaKeyRecord) -> StoreResult<bool> {
        let update = Query::update()
            .table(SigningKeys::Table)
            .value(SigningKeys::RsaPublicKey, rsa.public_key.clone())
            .value(SigningKeys::RsaSealed, rsa.sealed.clone())
            .and_where(Expr::col(SigningKeys::Kid).eq(kid))
            .and_where(Expr::col(SigningKeys::RsaSealed).is_null())
            .to_owned();
        Ok(self.db.execute(&update).await? == 1)
    }

    async fn auth_settings(&self, environment_id: &str) -> StoreResult<Option<AuthSettings>> {
        let select = Query::select()
            .from(AuthSettingsTable::Table)
            .column(AuthSettingsTable::Settings)
            .and_where(Expr::col(AuthSettingsTable::EnvironmentId).eq(environment_id))
            .to_owned();
        let row: Option<SettingsRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| {
            serde_json::from_str(&r.settings)
                .map_err(|e| StoreError::Corrupt(format!("auth settings: {e}")))
        })
        .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn save_auth_settings(
        &self,
        environment_id: &str,
        settings: &AuthSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(settings)
            .map_err(|e| StoreError::Corrupt(format!("auth settings: {e}")))?;
        let insert = Query::insert()
            .into_table(AuthSettingsTable::Table)
            .columns([
                AuthSettingsTable::EnvironmentId,
                AuthSettingsTable::Settings,
                AuthSettingsTable::UpdatedAt,
            ])
            .values_panic([environment_id.into(), json.into(), millis(now).into()])
            .on_conflict(
                OnConflict::column(AuthSettingsTable::EnvironmentId)
                    .update_columns([AuthSettingsTable::Settings, AuthSettingsTable::UpdatedAt])
                    .to_owned(),
            )
            .to_owned();
        self.db.execute(&insert).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %code.user_id))]
    async fn insert_code(&self, code: &CodeRecord) -> StoreResult<()> {
        let grant = serde_json::to_string(&code.grant)
            .map_err(|e| StoreError::Corrupt(format!("authorization code grant: {e}")))?;
        let purge = Query::delete()
            .from_table(AuthorizationCodes::Table)
            .and_where(
                Expr::col(AuthorizationCodes::ExpiresAt).lt(millis(code.created_at - KEEP_DEAD)),
            )
            .to_owned();
        let insert = Query::insert()
            .into_table(AuthorizationCodes::Table)
            .columns(CODE_COLUMNS)
            .values_panic([
                code.code_hash.clone().into(),
                code.user_id.to_string().into(),
                code.client_id.clone().into(),
                code.redirect_uri.clone().into(),
                code.flow.as_str().into(),
                grant.into(),
                code.family_id.clone().into(),
                code.generation.into(),
                millis(code.created_at).into(),
                millis(code.expires_at).into(),
                code.used_at.map(millis).into(),
            ])
            .to_owned();
        if !purge_due(&self.purges.codes, code.created_at) {
            self.db.execute(&insert).await?;
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        tx.execute(&purge).await?;
        tx.execute(&insert).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn take_code(&self, code_hash: &str, now: DateTime<Utc>) -> StoreResult<CodeTake> {
        let claim = Query::update()
            .table(AuthorizationCodes::Table)
            .value(AuthorizationCodes::UsedAt, millis(now))
            .and_where(Expr::col(AuthorizationCodes::CodeHash).eq(code_hash))
            .and_where(Expr::col(AuthorizationCodes::UsedAt).is_null())
            .returning(Query::returning().columns(CODE_COLUMNS))
            .to_owned();
        let mut tx = self.db.begin().await?;
        let claimed: Option<CodeRow> = tx.fetch_optional(&claim).await?;
        tx.commit().await?;
        if let Some(row) = claimed {
            return Ok(CodeTake::Fresh(row.try_into()?));
        }
        let select = Query::select()
            .from(AuthorizationCodes::Table)
            .columns(CODE_COLUMNS)
            .and_where(Expr::col(AuthorizationCodes::CodeHash).eq(code_hash))
            .to_owned();
        let row: Option<CodeRow> = self.db.fetch_optional(&select).await?;
        let Some(row) = row else {
            return Ok(CodeTake::Unknown);
        };
        // Marked first: an exchange of this code still finishing stores no refresh token
        // after this (`insert_refresh_token` reads the mark under the row's lock).
        let mark = Query::update()
            .table(AuthorizationCodes::Table)
            .value(AuthorizationCodes::ReplayedAt, millis(now))
            .and_where(Expr::col(AuthorizationCodes::CodeHash).eq(code_hash))
            .and_where(Expr::col(AuthorizationCodes::ReplayedAt).is_null())
            .to_owned();
        self.db.execute(&mark).await?;
        Ok(CodeTake::Replayed(row.try_into()?))
    }

    #[tracing::instrument(skip_all, fields(user = %token.user_id, family = %token.family_id))]
    async fn insert_refresh_token(&self, token: &RefreshRecord) -> StoreResult<bool> {
        let purge = Query::delete()
            .from_table(RefreshTokens::Table)
            .and_where(Expr::col(RefreshTokens::ExpiresAt).lt(millis(token.created_at - KEEP_DEAD)))
            .to_owned();
        let insert = insert_refresh(token);
        // The code that started the family, locked (PostgreSQL; SQLite's writes are one at a
        // time anyway) against a replay marking it meanwhile.
        let mut replayed = Query::select();
        replayed
            .from(AuthorizationCodes::Table)
            .column(AuthorizationCodes::ReplayedAt)
            .and_where(Expr::col(AuthorizationCodes::FamilyId).eq(token.family_id.as_str()));
        if self.db.dialect() == tandem_sql::Dialect::Postgres {
            replayed.lock(sea_query::LockType::Update);
        }
        let mut tx = self.db.begin().await?;
        let marked: Option<(Option<i64>,)> = tx.fetch_optional(&replayed).await?;
        if matches!(marked, Some((Some(_),))) {
            tx.commit().await?;
            return Ok(false);
        }
        if purge_due(&self.purges.refresh_tokens, token.created_at) {
            tx.execute(&purge).await?;
        }
        tx.execute(&insert).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshRecord>> {
        let select = Query::select()
            .from(RefreshTokens::Table)
            .columns(REFRESH_COLUMNS)
            .and_where(Expr::col(RefreshTokens::TokenHash).eq(token_hash))
            .to_owned();
        let row: Option<RefreshRow> = self.db.fetch_optional(&select).await?;
        row.map(RefreshRecord::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(family = %successor.family_id))]
    async fn rotate_refresh_token(
        &self,
        token_hash: &str,
        successor: &RefreshRecord,
    ) -> StoreResult<bool> {
        let rotate = Query::update()
            .table(RefreshTokens::Table)
            .value(RefreshTokens::RotatedAt, millis(successor.created_at))
            .and_where(Expr::col(RefreshTokens::TokenHash).eq(token_hash))
            .and_where(Expr::col(RefreshTokens::RotatedAt).is_null())
            .and_where(Expr::col(RefreshTokens::RevokedAt).is_null())
            .to_owned();
        let mut tx = self.db.begin().await?;
        if tx.execute(&rotate).await? != 1 {
            return Ok(false);
        }
        let insert = insert_refresh(successor);
        tx.execute(&insert).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(family = %family_id))]
    async fn revoke_family(&self, family_id: &str, now: DateTime<Utc>) -> StoreResult<u64> {
        let revoke = Query::update()
            .table(RefreshTokens::Table)
            .value(RefreshTokens::RevokedAt, millis(now))
            .and_where(Expr::col(RefreshTokens::FamilyId).eq(family_id))
            .and_where(Expr::col(RefreshTokens::RevokedAt).is_null())
            .to_owned();
        let mut tx = self.db.begin().await?;
        if self.dialect() == tandem_sql::Dialect::Postgres {
            // A rotation of this family in flight holds its token's row until it commits the
            // successor. Locking the family's rows first waits for it; the UPDATE below is then
            // a new statement (read committed: a new snapshot) that sees the successor too, so
            // a reuse racing a rotation cannot leave the successor alive. (SQLite runs one
            // writer at a time: nothing is in flight.)
            let lock = Query::select()
                .column(RefreshTokens::TokenHash)
                .from(RefreshTokens::Table)
                .and_where(Expr::col(RefreshTokens::FamilyId).eq(family_id))
                .lock(sea_query::LockType::Update)
                .to_owned();
            let _: Vec<(String,)> = tx.fetch_all(&lock).await?;
        }
        let revoked = tx.execute(&revoke).await?;
        tx.commit().await?;
        Ok(revoked)
    }
}

/// What taking a code found.
#[derive(Debug)]
pub enum CodeTake {
    /// Unused until now; it is now used.
    Fresh(CodeRecord),
    /// Used before: a replay.
    Replayed(CodeRecord),
    Unknown,
}
