//! Forgotten passwords: a reset link by mail, and setting a new password with it. The answer
//! to a request is the same whether or not the email has an account; only an active user's
//! account gets a message. A reset ends every session of the user (next token generation).

use chrono::Duration;
use tandem_core::{Email, UserId};

use super::PlatformService;
use crate::domain::User;
use crate::domain::auth::{MailMessage, PasswordReset};
use crate::environment::random_secret;
use crate::error::{PlatformError, PlatformResult};
use crate::mail::Kind;
use crate::password::{self, Password};

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);

/// How long an email-confirmation link works.
pub const VERIFY_LIFETIME: Duration = Duration::hours(24);

impl PlatformService {
    /// Sends a reset link to `email` when it belongs to an active user; `link` builds the
    /// page's address from the token. Succeeds alike for unknown emails.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(
        &self,
        email: &str,
        ip: Option<&str>,
        link: impl FnOnce(&str) -> String,
    ) -> PlatformResult<()> {
        let email = Email::parse(email)?;
        self.limits.reset(email.as_str(), ip)?;
        let Some((user, _)) = self.store.user_by_email(&email).await? else {
            tracing::info!("password reset asked for an unknown email");
            return Ok(());
        };
        if !user.active {
            tracing::info!(user = %user.id, "password reset asked for a deactivated user");
            return Ok(());
        }
        let token = random_secret()?;
        let now = self.clock.now();
        let settings = self.auth_settings().await?;
        let mail = self
            .templates
            .render(
                Kind::PasswordReset,
                &[
                    ("environment_name", &settings.environment_name),
                    ("link", &link(&token)),
                    (
                        "valid_for",
                        &format!("{} minutes", RESET_LIFETIME.num_minutes()),
                    ),
                ],
            )
            .await;
        self.store
            .create_password_reset(
                &PasswordReset {
                    token_hash: super::sessions::digest(&token),
                    user_id: user.id,
                    created_at: now,
                    expires_at: now + RESET_LIFETIME,
                    used_at: None,
                },
                &mail.to(user.email.as_str(), now),
            )
            .await?;
        tracing::info!(user = %user.id, "password reset link sent");
        Ok(())
    }

    /// Sets a new password with a reset token (once). Every session of the user ends.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(&self, token: &str, new_password: &str) -> PlatformResult<User> {
        // Checked first, so a password the policy refuses does not use up the link.
        let new_password = Password::parse(new_password)?;
        let now = self.clock.now();
        let reset = self
            .store
            .take_password_reset(&super::sessions::digest(token.trim()), now)
            .await?
            .ok_or_else(|| {
                PlatformError::InvalidGrant(
                    "this reset link is not valid any more (it works once, for an hour); ask for a new one"
                        .into(),
                )
            })?;
        let user = self.active_user(reset.user_id).await?;
        let current = self.store.password_hash(user.id).await?.flatten();
        let hash = password::hash(new_password).await?;
        if !self
            .store
            .replace_password_hash(user.id, current.as_deref(), &hash, now)
            .await?
        {
            return Err(PlatformError::InvalidGrant(
                "the password changed meanwhile; ask for a new reset link".into(),
            ));
        }
        tracing::info!(user = %user.id, "password reset; earlier sessions ended");
        Ok(user)
    }

    /// Mails `user` a link that confirms their email address (and logs them in).
    #[tracing::instrument(skip_all, fields(user = %user.id))]
    pub async fn send_email_verification(
        &self,
        user: &User,
        link: impl FnOnce(&str) -> String,
    ) -> PlatformResult<()> {
        let token = random_secret()?;
        let now = self.clock.now();
        let settings = self.auth_settings().await?;
        let mail = self
            .templates
            .render(
                Kind::EmailVerification,
                &[
                    ("environment_name", &settings.environment_name),
                    ("link", &link(&token)),
                    (
                        "valid_for",
                        &format!("{} hours", VERIFY_LIFETIME.num_hours()),
                    ),
                ],
            )
            .await;
        self.store
            .start_email_verification(
                user.id,
                user.email.as_str(),
                &super::sessions::digest(&token),
                now + VERIFY_LIFETIME,
                &mail.to(user.email.as_str(), now),
            )
            .await?;
        tracing::info!("email confirmation link sent");
        Ok(())
    }

    /// Sends a new confirmation link to `email` if it belongs to an active user whose
    /// confirmation is pending (rate-limited like reset requests); silent otherwise.
    pub async fn resend_email_verification(
        &self,
        email: &str,
        ip: Option<&str>,
        link: impl FnOnce(&str) -> String,
    ) -> PlatformResult<()> {
        let email = Email::parse(email)?;
        self.limits.reset(email.as_str(), ip)?;
        let Some((user, _)) = self.store.user_by_email(&email).await? else {
            return Ok(());
        };
        if user.active && self.email_pending(&user).await? {
            self.send_email_verification(&user, link).await?;
        }
        Ok(())
    }

    /// Confirms an email with the link's token (once); the user, to log them in.
    #[tracing::instrument(skip_all)]
    pub async fn verify_email(&self, token: &str) -> PlatformResult<User> {
        let now = self.clock.now();
        let verification = self
            .store
            .verify_email(&super::sessions::digest(token.trim()), now)
            .await?
            .ok_or_else(|| {
                PlatformError::InvalidGrant(
                    "this confirmation link is not valid any more (it works once, for a day); log in to get a new one"
                        .into(),
                )
            })?;
        let user = self.active_user(verification.user_id).await?;
        tracing::info!(user = %user.id, "email confirmed");
        Ok(user)
    }

    /// The user a mailed link was for, who must still exist and be active.
    async fn active_user(&self, id: UserId) -> PlatformResult<User> {
        let user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| PlatformError::UserNotFound(id.to_string()))?;
        if user.active {
            Ok(user)
        } else {
            Err(PlatformError::UserDeactivated)
        }
    }

    /// Whether the user signed up while confirmation was required and has not confirmed yet.
    pub(super) async fn email_pending(&self, user: &User) -> PlatformResult<bool> {
        Ok(self
            .store
            .email_verification(user.id)
            .await?
            .is_some_and(|v| v.verified_at.is_none()))
    }

    /// Whether the user's current email was confirmed by a link.
    pub(super) async fn email_verified(&self, user: &User) -> PlatformResult<bool> {
        Ok(self
            .store
            .email_verification(user.id)
            .await?
            .is_some_and(|v| v.verified_at.is_some() && v.email == user.email.as_str()))
    }

    /// The embedded dev mailbox: the newest messages (the caller checked the credentials).
    pub async fn mailbox(&self, limit: u64) -> PlatformResult<Vec<MailMessage>> {
        Ok(self.store.mailbox(limit.min(200)).await?)
    }
}
