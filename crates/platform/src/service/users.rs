//! Users: create, read, list, update (deactivate/reactivate), passwords.

use tandem_core::{Email, RoleId, TenantId, UserId};

use super::{PlatformService, Principal, parse_tenant_id, parse_user_id, validate};
use crate::domain::input::{NewUser, PasswordChange, UserUpdate};
use crate::domain::list::UserQuery;
use crate::domain::{Change, Page, User, UserChanges};
use crate::error::{PlatformError, PlatformResult};
use crate::password::{self, Password};

impl PlatformService {
    #[tracing::instrument(skip_all)]
    pub async fn create_user(&self, principal: &Principal, new: NewUser) -> PlatformResult<User> {
        principal.require_service_account("createUser")?;
        let email = Email::parse(new.email.as_deref().unwrap_or_default())?;
        let reference = new
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or(PlatformError::MissingReference)?
            .to_owned();
        validate::text("reference", &reference)?;
        let password = new.password.as_deref().map(Password::parse).transpose()?;
        let tenant_id = match &new.tenant_id {
            Some(id) => self.existing_tenant(id).await?,
            None => self.ensure_default_tenant().await?.id,
        };
        let roles = self.roles_for_keys(&new.roles).await?;
        let custom_data = new.custom_data.map(validate::custom_data).transpose()?;
        let now = self.clock.now();
        let created_at = new.created_at.unwrap_or(now);
        let is_opted_in = new.is_opted_in.unwrap_or(false);
        let user = User {
            id: match &new.id {
                Some(id) => validate::new_id("user", id)?,
                None => UserId::new(),
            },
            reference,
            email,
            first_name: validate::optional_text("firstName", new.first_name)?,
            last_name: validate::optional_text("lastName", new.last_name)?,
            phone: validate::optional_text("phone", new.phone)?,
            locale: validate::optional_text("locale", new.locale)?,
            timezone: validate::optional_text("timezone", new.timezone)?,
            avatar_url: validate::optional_text("avatarUrl", new.avatar_url)?,
            active: new.active.unwrap_or(true),
            is_opted_in,
            opted_in_at: is_opted_in.then_some(now),
            custom_data,
            two_factor_enabled: new.two_factor_enabled.unwrap_or(false),
            synced: false,
            tenant_id,
            token_generation: 0,
            created_at,
            updated_at: created_at,
        };
        let hash = match password {
            Some(password) => Some(password::hash(password).await?),
            None => None,
        };
        let role_ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .insert_user(&user, hash.as_deref(), &role_ids)
            .await?;
        tracing::info!(user = %user.id, tenant = %user.tenant_id, "user created");
        Ok(user)
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_user(
        &self,
        principal: &Principal,
        id: &str,
        update: UserUpdate,
    ) -> PlatformResult<User> {
        let user_id = self.authorize_self(principal, id, "updateUser")?;
        if let Principal::User { .. } = principal {
            // A user edits its profile; everything else is the administrator's.
            let administrative = [
                ("email", update.email.is_set()),
                ("active", update.active.is_set()),
                ("tenantId", update.tenant_id.is_set()),
                ("twoFactorEnabled", update.two_factor_enabled.is_set()),
                ("isOptedIn", update.is_opted_in.is_set()),
                ("customData", update.custom_data.is_set()),
            ];
            if let Some((field, _)) = administrative.iter().find(|(_, set)| *set) {
                return Err(PlatformError::Forbidden(format!(
                    "a user token may not change `{field}`; use the service account (asSuperAdmin)"
                )));
            }
        }
        let changes = UserChanges {
            email: match &update.email {
                Change::Set(raw) => Change::Set(Email::parse(raw)?),
                Change::Keep => Change::Keep,
            },
            first_name: validate::text_change("firstName", update.first_name)?,
            last_name: validate::text_change("lastName", update.last_name)?,
            phone: validate::text_change("phone", update.phone)?,
            locale: validate::text_change("locale", update.locale)?,
            timezone: validate::text_change("timezone", update.timezone)?,
            avatar_url: validate::text_change("avatarUrl", update.avatar_url)?,
            active: update.active,
            is_opted_in: update.is_opted_in,
            custom_data: match update.custom_data {
                Change::Set(Some(data)) => Change::Set(Some(validate::custom_data(data)?)),
                keep_or_clear => keep_or_clear,
            },
            two_factor_enabled: update.two_factor_enabled,
            tenant_id: match &update.tenant_id {
                Change::Set(tenant) => Change::Set(self.existing_tenant(tenant).await?),
                Change::Keep => Change::Keep,
            },
        };
        if changes.is_empty() {
            return self.load_user(id).await;
        }
        let user = self
            .store
            .update_user(user_id, &changes, self.clock.now())
            .await?
            .ok_or_else(|| PlatformError::UserNotFound(id.to_owned()))?;
        if let Change::Set(active) = changes.active {
            tracing::info!(user = %user.id, active, "user activation changed");
        }
        Ok(user)
    }

    pub async fn user(&self, principal: &Principal, id: &str) -> PlatformResult<User> {
        let user = self.load_user(id).await?;
        match principal.tenant_scope() {
            Some(scope) if scope != user.tenant_id => {
                Err(PlatformError::UserNotFound(id.to_owned()))
            }
            _ => Ok(user),
        }
    }

    pub async fn users(
        &self,
        principal: &Principal,
        mut query: UserQuery,
    ) -> PlatformResult<Page<User>> {
        validate::user_filter(&query.filter)?;
        if let Some(search) = &query.search {
            validate::text("search.value", &search.value)?;
        }
        query.tenant_scope = principal.tenant_scope();
        Ok(self.store.list_users(&query).await?)
    }

    /// Whether `candidate` is the user's password; `false` for deactivated users and users
    /// without one.
    pub async fn verify_password(
        &self,
        principal: &Principal,
        user_id: &str,
        candidate: String,
    ) -> PlatformResult<bool> {
        self.authorize_self(principal, user_id, "verifyPassword")?;
        let user = self.load_user(user_id).await?;
        if !user.active {
            return Ok(false);
        }
        match self.store.password_hash(user.id).await? {
            Some(Some(stored)) => Ok(password::verify(candidate, stored).await?),
            _ => Ok(false),
        }
    }

    /// Changes a password given the current one, and revokes the user's earlier tokens. The
    /// service account may also set the first password of a user who has none (the current
    /// password is then ignored).
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        principal: &Principal,
        change: PasswordChange,
    ) -> PlatformResult<bool> {
        self.authorize_self(principal, &change.user_id, "changeUserPasswordV2")?;
        let user = self.load_user(&change.user_id).await?;
        let new_password = Password::parse(&change.new_password)?;
        let stored = self
            .store
            .password_hash(user.id)
            .await?
            .ok_or_else(|| PlatformError::UserNotFound(change.user_id.clone()))?;
        match (&stored, principal) {
            (Some(stored), _) => {
                if !password::verify(change.current_password, stored.clone()).await? {
                    return Err(PlatformError::WrongPassword);
                }
            }
            (None, Principal::ServiceAccount) => {}
            (None, Principal::User { .. }) => {
                return Err(PlatformError::PasswordNotSet(user.id.to_string()));
            }
        }
        let hash = password::hash(new_password).await?;
        let now = self.clock.now();
        if !self
            .store
            .replace_password_hash(user.id, stored.as_deref(), &hash, now)
            .await?
        {
            // Someone else changed it between our check and our write.
            return Err(PlatformError::WrongPassword);
        }
        tracing::info!(user = %user.id, "password changed; earlier tokens revoked");
        Ok(true)
    }

    pub(super) async fn load_user(&self, id: &str) -> PlatformResult<User> {
        let user_id = parse_user_id(id)?;
        self.store
            .user(user_id)
            .await?
            .ok_or_else(|| PlatformError::UserNotFound(id.to_owned()))
    }

    pub(super) async fn existing_tenant(&self, id: &str) -> PlatformResult<TenantId> {
        let tenant_id = parse_tenant_id(id)?;
        match self.store.tenant(tenant_id).await? {
            Some(_) => Ok(tenant_id),
            None => Err(PlatformError::TenantNotFound(id.to_string())),
        }
    }
}
