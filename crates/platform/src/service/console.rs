//! The Console's administrators: created from the command line (`tandem admin create`), logged
//! in with a password (rate-limited like end users, the same answer for an unknown email and a
//! wrong password), holding a session whose token is stored only as a digest and whose CSRF
//! token guards every form. Everything an admin changes is written to the audit log.

use chrono::Duration;
use tandem_core::{Email, UserId};

use super::PlatformService;
use super::sessions::digest;
use crate::domain::console::{AuditEntry, ConsoleAdmin, ConsoleSession};
use crate::environment::random_secret;
use crate::error::{PlatformError, PlatformResult};
use crate::password::{self, Password};
use crate::store::PlatformStore;

/// How long a Console session lasts (absolute; log in again after).
pub const CONSOLE_SESSION_LIFETIME: Duration = Duration::hours(12);

/// Creates a Console admin with `password`, or a generated one (returned then, to show once).
pub async fn create_console_admin(
    store: &dyn PlatformStore,
    email: &str,
    password: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> PlatformResult<(ConsoleAdmin, Option<String>)> {
    let email = Email::parse(email)?;
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), None),
        None => {
            let p = random_secret()?;
            (p.clone(), Some(p))
        }
    };
    let hash = password::hash(Password::parse(&password)?).await?;
    let admin = ConsoleAdmin {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        created_at: now,
    };
    match store.insert_console_admin(&admin, &hash).await {
        Ok(()) => Ok((admin, generated)),
        Err(crate::store::StoreError::DuplicateEmail) => Err(PlatformError::InvalidInput(format!(
            "a Console admin {} exists already; give them a new password with `tandem admin password --email {}`",
            admin.email.as_str(),
            admin.email.as_str()
        ))),
        Err(other) => Err(other.into()),
    }
}

/// Gives an admin a new password (or a generated one, returned) and ends their sessions.
pub async fn reset_console_admin_password(
    store: &dyn PlatformStore,
    email: &str,
    password: Option<&str>,
) -> PlatformResult<Option<String>> {
    let email = Email::parse(email)?;
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), None),
        None => {
            let p = random_secret()?;
            (p.clone(), Some(p))
        }
    };
    let hash = password::hash(Password::parse(&password)?).await?;
    if !store.set_console_admin_password(&email, &hash).await? {
        return Err(PlatformError::InvalidInput(format!(
            "there is no Console admin {}; create one with `tandem admin create --email {}`",
            email.as_str(),
            email.as_str()
        )));
    }
    Ok(generated)
}

impl PlatformService {
    /// Whether any Console admin exists (the first start says how to create one otherwise).
    pub async fn console_has_admins(&self) -> PlatformResult<bool> {
        Ok(self.store.count_console_admins().await? > 0)
    }

    /// Logs an admin in: a new session (never one the browser brought along), its token to
    /// set as the cookie.
    #[tracing::instrument(skip_all)]
    pub async fn console_log_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<&str>,
    ) -> PlatformResult<(String, ConsoleSession)> {
        let email = Email::parse(email).map_err(|_| PlatformError::InvalidLogin)?;
        self.limits
            .login(&format!("console:{}", email.as_str()), ip)?;
        let Some((admin, hash)) = self.store.console_admin_by_email(&email).await? else {
            password::verify_against_nobody(password.to_owned()).await?;
            tracing::info!("Console log-in refused");
            return Err(PlatformError::InvalidLogin);
        };
        if !password::verify(password.to_owned(), hash).await? {
            tracing::info!(admin = %admin.id, "Console log-in refused");
            return Err(PlatformError::InvalidLogin);
        }
        let token = random_secret()?;
        let csrf = random_secret()?;
        let now = self.clock.now();
        let expires_at = now + CONSOLE_SESSION_LIFETIME;
        self.store
            .insert_console_session(&digest(&token), &admin.id, &csrf, now, expires_at)
            .await?;
        tracing::info!(admin = %admin.id, "Console log-in");
        Ok((
            token,
            ConsoleSession {
                admin,
                csrf,
                expires_at,
            },
        ))
    }

    /// The live session a cookie's token names.
    pub async fn console_session(&self, token: &str) -> PlatformResult<Option<ConsoleSession>> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        Ok(self
            .store
            .console_session(&digest(token), self.clock.now())
            .await?)
    }

    pub async fn console_log_out(&self, token: &str) -> PlatformResult<()> {
        Ok(self.store.delete_console_session(&digest(token)).await?)
    }

    /// Writes an audit line: `actor` (an admin's email) did `action` (about `user`).
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        user: Option<UserId>,
        detail: String,
    ) -> PlatformResult<()> {
        tracing::info!(actor, action, user = ?user.map(|u| u.to_string()), "Console action");
        Ok(self
            .store
            .insert_audit(&AuditEntry {
                id: uuid::Uuid::new_v4().to_string(),
                at: self.clock.now(),
                actor: actor.to_owned(),
                action: action.to_owned(),
                user_id: user,
                detail,
            })
            .await?)
    }

    /// The newest audit lines, about one user or about anything.
    pub async fn audit_log(
        &self,
        user: Option<UserId>,
        limit: u64,
    ) -> PlatformResult<Vec<AuditEntry>> {
        Ok(self.store.audit(user, limit.min(500)).await?)
    }
}
