//! Users: create, read, list, update (deactivate/reactivate), passwords.

use async_graphql::{ID, MaybeUndefined};
use tandem_core::{Email, RoleId, TenantId, UserId};

use super::{PlatformService, Principal, input, parse_tenant_id, parse_user_id};
use crate::domain::list::UserQuery;
use crate::domain::{Change, Page, User, UserChanges};
use crate::dto::{ChangeUserPasswordDto, UserCreateDto, UserUpdateDto};
use crate::error::{PlatformError, PlatformResult};
use crate::password::{self, Password};

impl PlatformService {
    #[tracing::instrument(skip_all)]
    pub async fn create_user(
        &self,
        principal: &Principal,
        dto: UserCreateDto,
    ) -> PlatformResult<User> {
        principal.require_service_account("createUser")?;
        let email = Email::parse(dto.email.as_deref().unwrap_or_default())?;
        let reference = dto
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or(PlatformError::MissingReference)?
            .to_owned();
        input::text("reference", &reference)?;
        let password = dto.password.as_deref().map(Password::parse).transpose()?;
        let tenant_id = match &dto.tenant_id {
            Some(id) => self.existing_tenant(id).await?,
            None => self.ensure_default_tenant().await?.id,
        };
        let roles = self
            .roles_for_keys(dto.roles.as_deref().unwrap_or_default())
            .await?;
        let custom_data = dto
            .custom_data
            .map(|d| input::custom_data(d.0))
            .transpose()?;
        let now = self.clock.now();
        let created_at = dto.created_at.map_or(now, |d| d.0);
        let is_opted_in = dto.is_opted_in.unwrap_or(false);
        let user = User {
            id: match &dto.id {
                Some(id) => input::new_id("user", id)?,
                None => UserId::new(),
            },
            reference,
            email,
            first_name: input::optional_text("firstName", dto.first_name)?,
            last_name: input::optional_text("lastName", dto.last_name)?,
            phone: input::optional_text("phone", dto.phone)?,
            locale: input::optional_text("locale", dto.locale)?,
            timezone: input::optional_text("timezone", dto.timezone)?,
            avatar_url: input::optional_text("avatarUrl", dto.avatar_url)?,
            active: dto.active.unwrap_or(true),
            is_opted_in,
            opted_in_at: is_opted_in.then_some(now),
            custom_data,
            two_factor_enabled: dto.two_factor_enabled.unwrap_or(false),
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
        dto: UserUpdateDto,
    ) -> PlatformResult<User> {
        let user_id = self.authorize_self(principal, id, "updateUser")?;
        if let Principal::User { .. } = principal {
            // A user edits its profile; everything else is the administrator's.
            let administrative = [
                ("email", dto.email.is_some()),
                ("active", dto.active.is_some()),
                ("tenantId", dto.tenant_id.is_some()),
                ("twoFactorEnabled", dto.two_factor_enabled.is_some()),
                ("isOptedIn", dto.is_opted_in.is_some()),
                ("customData", !dto.custom_data.is_undefined()),
            ];
            if let Some((field, _)) = administrative.iter().find(|(_, set)| *set) {
                return Err(PlatformError::Forbidden(format!(
                    "a user token may not change `{field}`; use the service account (asSuperAdmin)"
                )));
            }
        }
        let changes = UserChanges {
            email: match dto.email.as_deref() {
                Some(raw) => Change::Set(Email::parse(raw)?),
                None => Change::Keep,
            },
            first_name: input::text_change("firstName", dto.first_name)?,
            last_name: input::text_change("lastName", dto.last_name)?,
            phone: input::text_change("phone", dto.phone)?,
            locale: input::text_change("locale", dto.locale)?,
            timezone: input::text_change("timezone", dto.timezone)?,
            avatar_url: input::text_change("avatarUrl", dto.avatar_url)?,
            active: dto.active.map_or(Change::Keep, Change::Set),
            is_opted_in: dto.is_opted_in.map_or(Change::Keep, Change::Set),
            custom_data: match dto.custom_data {
                MaybeUndefined::Undefined => Change::Keep,
                MaybeUndefined::Null => Change::Set(None),
                MaybeUndefined::Value(d) => Change::Set(Some(input::custom_data(d.0)?)),
            },
            two_factor_enabled: dto.two_factor_enabled.map_or(Change::Keep, Change::Set),
            tenant_id: match &dto.tenant_id {
                Some(tenant) => Change::Set(self.existing_tenant(tenant).await?),
                None => Change::Keep,
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
        input::user_filter(&query.filter)?;
        if let Some(search) = &query.search {
            input::text("search.value", &search.value)?;
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
        dto: ChangeUserPasswordDto,
    ) -> PlatformResult<bool> {
        self.authorize_self(principal, &dto.user_id, "changeUserPasswordV2")?;
        let user = self.load_user(&dto.user_id).await?;
        let new_password = Password::parse(&dto.new_password)?;
        let stored = self
            .store
            .password_hash(user.id)
            .await?
            .ok_or_else(|| PlatformError::UserNotFound(dto.user_id.clone()))?;
        match (&stored, principal) {
            (Some(stored), _) => {
                if !password::verify(dto.password, stored.clone()).await? {
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

    pub(super) async fn existing_tenant(&self, id: &ID) -> PlatformResult<TenantId> {
        let tenant_id = parse_tenant_id(id)?;
        match self.store.tenant(tenant_id).await? {
            Some(_) => Ok(tenant_id),
            None => Err(PlatformError::TenantNotFound(id.to_string())),
        }
    }
}
