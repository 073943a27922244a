//! The Platform store: the narrow traits the service uses, one per resource and together
//! [`PlatformStore`], and one implementation ([`SqlPlatformStore`]) that serves SQLite and
//! PostgreSQL alike by building its statements with sea-query. It reads and writes only the
//! Platform's own database.
//!
//! This file holds the traits, the store's errors and the connection. `environment`,
//! `tenants`, `users` and `roles` implement one trait each; `tables` holds the sea-query
//! identifiers and rows they share, `filter` compiles list queries to SQL, `outbox` records
//! synced writes for the BaaS and applies the BaaS's; what differs per backend (migrations,
//! pattern matching) is in `sqlite` and `postgres`.

mod auth;
mod console;
mod environment;
mod filter;
mod invites;
mod mail;
pub mod outbox;
mod postgres;
mod roles;
mod sqlite;
mod tables;
mod tenants;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_core::{Email, HlcClock, RoleId, Side, TenantId, UserId};
use tandem_sql::{Db, DbError, DbOptions, DbUrl, Dialect, Migrations};
use tokio::sync::Notify;

use crate::domain::auth::{
    AuthSettings, CodeRecord, EmailVerification, MailMessage, MailQueueStatus, PasswordReset,
    RefreshRecord, RsaKeyRecord, SigningKeyRecord,
};
use crate::domain::console::{AuditEntry, ConsoleAdmin, ConsoleSession};
use crate::domain::invite::{InviteQuery, InviteUpdate, UserInvite};
use crate::domain::list::{PermissionQuery, RoleQuery, TenantQuery, UserQuery};
use crate::domain::{Change, Page, Permission, Role, Tenant, User, UserChanges};
use crate::environment::EnvironmentRecord;

/// What a store operation can fail with that the service must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a user with this email already exists")]
    DuplicateEmail,
    #[error("a role with this key already exists")]
    DuplicateRoleKey,
    #[error("this email already has a pending invitation")]
    DuplicateInvite,
    #[error("a {0} with id {1} already exists")]
    DuplicateId(&'static str, String),
    #[error("a referenced row does not exist")]
    ForeignKeyViolation,
    #[error("a role holds at most {max} permissions; this change would give it {count}")]
    TooManyPermissions { count: i64, max: i64 },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Whether a unique violation is the primary key's (PostgreSQL names the constraint
/// `<table>_pkey`; SQLite says `UNIQUE constraint failed: <table>.id`).
fn is_primary_key(err: &DbError) -> bool {
    matches!(err, DbError::UniqueViolation { detail, .. }
        if detail.ends_with("_pkey") || detail.ends_with(".id"))
}

fn unique_violation(err: DbError, duplicate: StoreError) -> StoreError {
    match err {
        DbError::UniqueViolation { .. } => duplicate,
        DbError::ForeignKeyViolation { .. } => StoreError::ForeignKeyViolation,
        other => StoreError::Db(other),
    }
}

/// Everything the Platform service needs from storage.
pub trait PlatformStore:
    EnvironmentStore
    + TenantStore
    + UserStore
    + RoleStore
    + AuthStore
    + MailStore
    + InviteStore
    + ConsoleStore
{
}

impl<T> PlatformStore for T where
    T: EnvironmentStore
        + TenantStore
        + UserStore
        + RoleStore
        + AuthStore
        + MailStore
        + InviteStore
        + ConsoleStore
{
}

/// The Console's administrators, their sessions (tokens as digests) and the audit log.
#[async_trait]
pub trait ConsoleStore: Send + Sync + 'static {
    /// `DuplicateEmail` when an admin with this email exists.
    async fn insert_console_admin(
        &self,
        admin: &ConsoleAdmin,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// Replaces an admin's password and ends their sessions; `false` when there is no such admin.
    async fn set_console_admin_password(
        &self,
        email: &Email,
        password_hash: &str,
    ) -> StoreResult<bool>;
    /// The admin and their password hash.
    async fn console_admin_by_email(
        &self,
        email: &Email,
    ) -> StoreResult<Option<(ConsoleAdmin, String)>>;
    async fn count_console_admins(&self) -> StoreResult<i64>;
    /// Stores a new session (and drops expired ones).
    async fn insert_console_session(
        &self,
        token_hash: &str,
        admin_id: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The live session with this token digest, and its admin.
    async fn console_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ConsoleSession>>;
    async fn delete_console_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn insert_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// The newest entries first, about one user or about anything.
    async fn audit(&self, user: Option<UserId>, limit: u64) -> StoreResult<Vec<AuditEntry>>;
}

/// The environment: its credentials digest and token-key salt.
#[async_trait]
pub trait EnvironmentStore: Send + Sync + 'static {
    async fn environment(&self) -> StoreResult<Option<EnvironmentRecord>>;
    /// Inserts the environment, or updates it when one with the same id exists.
    async fn save_environment(&self, environment: &EnvironmentRecord) -> StoreResult<()>;
}

/// Tenants. Writes to synced fields are recorded in the outbox, in the same transaction.
#[async_trait]
pub trait TenantStore: Send + Sync + 'static {
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Sets name and reference; `None` when the tenant does not exist.
    async fn update_tenant(
        &self,
        id: TenantId,
        name: &str,
        reference: Change<Option<String>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Tenant>>;
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn default_tenant(&self) -> StoreResult<Option<Tenant>>;
    async fn tenants_by_ids(&self, ids: &[TenantId]) -> StoreResult<Vec<Tenant>>;
    async fn list_tenants(&self, query: &TenantQuery) -> StoreResult<Page<Tenant>>;
    async fn count_users_by_tenant(&self, ids: &[TenantId]) -> StoreResult<HashMap<TenantId, i64>>;
}

/// Users and their passwords. Writes to synced fields are recorded in the outbox, in the same
/// transaction.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Inserts the user and its role assignments in one transaction.
    async fn insert_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()>;
    /// Writes only the columns that `changes` sets; `None` when the user does not exist.
    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    /// Creates a tenant and its first user in one transaction (sign-up): both or neither.
    async fn insert_tenant_with_user(
        &self,
        tenant: &Tenant,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The user with this (normalised) email and its password hash, for log-in.
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<(User, Option<String>)>>;
    async fn list_users(&self, query: &UserQuery) -> StoreResult<Page<User>>;
    /// The stored password hash: `None` for an unknown user, `Some(None)` when it has none.
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<Option<String>>>;
    /// Replaces the password hash if it is still `expected` (so two concurrent changes cannot
    /// both succeed) and revokes the user's earlier tokens (the next token generation).
    /// `false` when it was not replaced.
    async fn replace_password_hash(
        &self,
        id: UserId,
        expected: Option<&str>,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// Roles and which users hold them.
#[async_trait]
pub trait RoleStore: Send + Sync + 'static {
    /// Creates a role with its permissions.
    async fn insert_role(&self, role: &Role, permissions: &[Permission]) -> StoreResult<()>;
    /// Replaces the role's permissions (only those on `entity`, when given) and touches its
    /// `updatedAt`; `None` when there is no such role.
    /// Refuses with `TooManyPermissions` (writing nothing) past `max` permissions in all.
    async fn replace_permissions(
        &self,
        role: RoleId,
        entity: Option<&str>,
        permissions: &[Permission],
        max: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Role>>;
    async fn list_permissions(&self, query: &PermissionQuery) -> StoreResult<Page<Permission>>;
    async fn role(&self, id: RoleId) -> StoreResult<Option<Role>>;
    async fn roles_by_keys(&self, keys: &[String]) -> StoreResult<Vec<Role>>;
    async fn list_roles(&self, query: &RoleQuery) -> StoreResult<Page<Role>>;
    /// Adds assignments; ones that already exist are left as they are.
    async fn assign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn unassign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn roles_of_users(&self, users: &[UserId]) -> StoreResult<HashMap<UserId, Vec<Role>>>;
    /// Users per role, counting only users of `tenant` when given.
    async fn count_users_by_role(
        &self,
        roles: &[RoleId],
        tenant: Option<TenantId>,
    ) -> StoreResult<HashMap<RoleId, i64>>;
}

pub use auth::CodeTake;

/// End-user authentication: signing keys, settings, authorization codes, refresh tokens.
#[async_trait]
pub trait AuthStore: Send + Sync + 'static {
    /// Keys still published at `now`, newest first; the current one has no `retire_at`.
    async fn signing_keys(&self, now: DateTime<Utc>) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Gives the key `kid` its RSA key, unless it has one already (another replica made it
    /// first: then `false`, and the caller reads the stored one).
    async fn add_rsa_key(&self, kid: &str, rsa: &RsaKeyRecord) -> StoreResult<bool>;
    /// Adds a new current key; every earlier key stays published until `retire_current_at` at
    /// the latest (a revoking rotation withdraws the already rotated-out keys too).
    async fn add_signing_key(
        &self,
        key: &SigningKeyRecord,
        retire_current_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn auth_settings(&self, environment_id: &str) -> StoreResult<Option<AuthSettings>>;
    async fn save_auth_settings(
        &self,
        environment_id: &str,
        settings: &AuthSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn insert_code(&self, code: &CodeRecord) -> StoreResult<()>;
    /// Marks the code used, atomically: only one caller ever gets it [`CodeTake::Fresh`].
    async fn take_code(&self, code_hash: &str, now: DateTime<Utc>) -> StoreResult<CodeTake>;
    /// Stores the first refresh token of a family; `false` (nothing stored) when the code
    /// that started it was replayed meanwhile.
    async fn insert_refresh_token(&self, token: &RefreshRecord) -> StoreResult<bool>;
    async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshRecord>>;
    /// Marks the token rotated and stores its successor, if it was neither rotated nor
    /// revoked yet; `false` otherwise (someone else used it first).
    async fn rotate_refresh_token(
        &self,
        token_hash: &str,
        successor: &RefreshRecord,
    ) -> StoreResult<bool>;
    /// Revokes every token of a family; returns how many were still live.
    async fn revoke_family(&self, family_id: &str, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// Invitations: sent with their message, renewed, canceled, accepted with the user they create.
#[async_trait]
pub trait InviteStore: Send + Sync + 'static {
    /// Stores a pending invite and the message with its link, together. Earlier pending invites
    /// of the email past their expiry become expired first; `DuplicateInvite` when one is
    /// still open.
    async fn insert_invite(
        &self,
        invite: &UserInvite,
        token_hash: &str,
        mail: &MailMessage,
    ) -> StoreResult<()>;
    async fn invite(&self, id: &str) -> StoreResult<Option<UserInvite>>;
    /// The invite whose current link this is, in whatever status.
    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<UserInvite>>;
    async fn list_invites(
        &self,
        query: &InviteQuery,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<UserInvite>>;
    /// Gives a pending or expired invite a new link (the old one stops working) and expiry,
    /// with its message; `None` when it is accepted or canceled (or unknown).
    async fn renew_invite(
        &self,
        id: &str,
        token_hash: &str,
        user_token_id: &str,
        expires_at: DateTime<Utc>,
        mail: &MailMessage,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>>;
    /// Cancels a pending or expired invite; `None` when it is accepted or canceled (or unknown).
    async fn cancel_invite(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Option<UserInvite>>;
    /// Changes an open (pending or expired) invite; `None` when it is closed (or unknown).
    async fn update_invite(
        &self,
        id: &str,
        update: &InviteUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>>;
    /// Accepts the pending, unexpired invite with this link and creates its user (with roles,
    /// and optionally a welcome message) in one transaction; `None` when the link does not
    /// (any more) accept.
    async fn accept_invite(
        &self,
        token_hash: &str,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
        mail: Option<&MailMessage>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserInvite>>;
}

/// Mail and password resets.
#[async_trait]
pub trait MailStore: Send + Sync + 'static {
    /// Stores a reset and the message carrying its link, together.
    async fn create_password_reset(
        &self,
        reset: &PasswordReset,
        mail: &MailMessage,
    ) -> StoreResult<()>;
    /// Marks a reset used, atomically, if it is unused and unexpired at `now`.
    async fn take_password_reset(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PasswordReset>>;
    /// The newest messages first.
    async fn mailbox(&self, limit: u64) -> StoreResult<Vec<MailMessage>>;
    /// Claims up to `limit` queued messages due at `now` until `lease_until` (each counts an
    /// attempt): nobody else is handed them before the lease ends, unless marked first.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> StoreResult<Vec<MailMessage>>;
    /// Marks a message delivered (by `transport`: `smtp` or `mailbox`) if it is still claimed
    /// with `lease` (the claim's `lease_until`); `false` when the claim had lapsed. A message sent
    /// by SMTP keeps no body: its links must not outlive the mail in the database.
    async fn mail_sent(
        &self,
        id: &str,
        lease: DateTime<Utc>,
        transport: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a failed attempt under the claim `lease`: retried from `retry_at`, or failed for
    /// good when `None`. `false` when the claim had lapsed (nothing written).
    async fn mail_failed(
        &self,
        id: &str,
        lease: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
    /// How many messages are queued, sent and failed; the oldest queued one's age.
    async fn mail_queue_status(&self) -> StoreResult<MailQueueStatus>;
    /// Starts (or restarts, with a new link) a user's email verification, with its message.
    async fn start_email_verification(
        &self,
        user_id: UserId,
        email: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &MailMessage,
    ) -> StoreResult<()>;
    /// Marks the verification whose link this is done, if unused and unexpired at `now`.
    async fn verify_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<EmailVerification>>;
    async fn email_verification(&self, user_id: UserId) -> StoreResult<Option<EmailVerification>>;
}

/// The Platform store over SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct SqlPlatformStore {
    db: Db,
    /// Stamps synced fields; continues after the highest stamp stored.
    hlc: Arc<HlcClock>,
    /// Notified after each commit that recorded sync events.
    signal: Arc<Notify>,
    /// Notified after each commit that queued mail.
    mail_signal: Arc<Notify>,
    /// When dead authorization codes and refresh tokens were last purged (see `auth::Purges`).
    purges: Arc<auth::Purges>,
}

impl SqlPlatformStore {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &DbUrl, options: DbOptions) -> Result<Self, DbError> {
        let db = Db::connect(url, options).await?;
        db.migrate(&Migrations {
            sqlite: &sqlite::MIGRATOR,
            postgres: &postgres::MIGRATOR,
        })
        .await?;
        outbox::SYNC_TABLES.create_if_missing(&db).await?;
        let hlc = HlcClock::new(Side::Platform);
        if let Some(max) = outbox::SYNC_TABLES.max_stamp(&db).await? {
            hlc.observe(max);
        }
        Ok(Self {
            db,
            hlc: Arc::new(hlc),
            signal: Arc::new(Notify::new()),
            mail_signal: Arc::new(Notify::new()),
            purges: Arc::default(),
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The clock stamping this side's writes to synced fields.
    pub fn hlc(&self) -> &Arc<HlcClock> {
        &self.hlc
    }

    /// Notified whenever a commit recorded sync events (the relay waits on it).
    pub fn outbox_signal(&self) -> &Arc<Notify> {
        &self.signal
    }

    /// Notified whenever a commit queued mail (the mail sender waits on it).
    pub fn mail_signal(&self) -> &Arc<Notify> {
        &self.mail_signal
    }

    fn signal_mail(&self) {
        self.mail_signal.notify_one();
    }

    fn dialect(&self) -> Dialect {
        self.db.dialect()
    }
}
