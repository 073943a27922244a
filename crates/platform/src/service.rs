//! The Platform's operations: every rule about identity lives here — validation, who may do
//! what, defaults — between the API front-ends (GraphQL, token endpoints) and the store.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::{ID, MaybeUndefined};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use tandem_core::{Clock, Email, RoleId, TenantId, UserId};

use crate::dto::{
    ChangeUserPasswordDto, RoleCreateDto, TenantCreateDto, TenantUpdateDto, UserCreateDto,
    UserUpdateDto,
};
use crate::environment::{Credentials, EnvironmentRecord, api_key_digest, random_secret};
use crate::error::{PlatformError, PlatformResult};
use crate::model::{Change, Page, Role, Tenant, User, UserChanges};
use crate::password::{self, Password};
use crate::query::{MAX_LIMIT, RoleQuery, TenantQuery, UserQuery, Window};
use crate::store::{PlatformStore, StoreError};
use crate::token::{Claims, TokenKind, TokenSigner};

/// The email `@roq/nodejs` presents for the service account.
pub const SERVICE_ACCOUNT_EMAIL: &str = "project-service-account@roq.tech";
pub const SERVICE_TOKEN_LIFETIME: Duration = Duration::hours(1);
pub const DEFAULT_USER_TOKEN_LIFETIME: Duration = Duration::hours(1);
pub const MAX_USER_TOKEN_LIFETIME: Duration = Duration::days(30);
pub const DEFAULT_TENANT_NAME: &str = "Default";

const MAX_TEXT_CHARS: usize = 1000;
const MAX_CUSTOM_DATA_BYTES: usize = 64 * 1024;
const MAX_ROLE_KEYS: usize = 100;

/// Who is calling. Resolved from the request's credentials before any operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The environment's service account: may do everything.
    ServiceAccount,
    /// One active user: reads within its tenant, edits its own profile and password.
    User { id: UserId, tenant_id: TenantId },
}

impl Principal {
    fn require_service_account(&self, action: &str) -> PlatformResult<()> {
        match self {
            Self::ServiceAccount => Ok(()),
            Self::User { .. } => Err(PlatformError::Forbidden(format!(
                "{action} needs the service account (asSuperAdmin); a user token may not do it"
            ))),
        }
    }

    fn require_self_or_service(&self, user: UserId, action: &str) -> PlatformResult<()> {
        match self {
            Self::ServiceAccount => Ok(()),
            Self::User { id, .. } if *id == user => Ok(()),
            Self::User { .. } => Err(PlatformError::Forbidden(format!(
                "a user token may only {action} for its own user"
            ))),
        }
    }

    fn tenant_scope(&self) -> Option<TenantId> {
        match self {
            Self::ServiceAccount => None,
            Self::User { tenant_id, .. } => Some(*tenant_id),
        }
    }
}

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub claims: Claims,
}

pub struct PlatformService {
    store: Arc<dyn PlatformStore>,
    clock: Arc<dyn Clock>,
    environment: EnvironmentRecord,
    signer: TokenSigner,
}

impl std::fmt::Debug for PlatformService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformService")
            .field("environment", &self.environment.id)
            .finish_non_exhaustive()
    }
}

fn store_err(err: StoreError) -> PlatformError {
    PlatformError::internal(err)
}

impl PlatformService {
    /// Binds the store to the configured credentials and makes sure the default tenant exists.
    ///
    /// A store already bound to another environment id is refused; a changed API key for the
    /// same environment replaces the stored one (key rotation).
    #[tracing::instrument(skip_all, fields(environment = %credentials.environment_id))]
    pub async fn start(
        store: Arc<dyn PlatformStore>,
        clock: Arc<dyn Clock>,
        credentials: &Credentials,
    ) -> PlatformResult<Self> {
        credentials.validate()?;
        let now = clock.now();
        let digest = api_key_digest(&credentials.api_key);
        match store.environment().await.map_err(store_err)? {
            Some(existing) if existing.id != credentials.environment_id => {
                return Err(PlatformError::InvalidInput(format!(
                    "this Platform database belongs to environment {} but the configured environment id is {}; \
                     start Tandem with that environment's TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY",
                    existing.id, credentials.environment_id
                )));
            }
            Some(existing) if existing.api_key_hash == digest => {}
            existing => {
                if existing.is_some() {
                    tracing::info!("the API key changed; storing the new key's digest");
                }
                store
                    .save_environment(&EnvironmentRecord {
                        id: credentials.environment_id.clone(),
                        api_key_hash: digest,
                        token_secret: random_secret()?,
                        created_at: now,
                        updated_at: now,
                    })
                    .await
                    .map_err(store_err)?;
            }
        }
        // Re-read: another replica may have created the environment (and its secret) first.
        let environment = store
            .environment()
            .await
            .map_err(store_err)?
            .ok_or_else(|| PlatformError::internal("environment row vanished after saving it"))?;
        let key = URL_SAFE_NO_PAD
            .decode(&environment.token_secret)
            .map_err(|e| PlatformError::internal(format!("stored token secret is corrupt: {e}")))?;
        let service = Self {
            store,
            clock,
            signer: TokenSigner::new(key),
            environment,
        };
        service.ensure_default_tenant().await?;
        Ok(service)
    }

    async fn ensure_default_tenant(&self) -> PlatformResult<Tenant> {
        if let Some(tenant) = self.store.default_tenant().await.map_err(store_err)? {
            return Ok(tenant);
        }
        let now = self.clock.now();
        let tenant = Tenant {
            id: TenantId::new(),
            reference: None,
            name: DEFAULT_TENANT_NAME.to_owned(),
            is_default: true,
            created_at: now,
            updated_at: now,
        };
        if let Err(err) = self.store.insert_tenant(&tenant).await {
            // A replica starting at the same time may have won the race.
            return match self.store.default_tenant().await.map_err(store_err)? {
                Some(existing) => Ok(existing),
                None => Err(store_err(err)),
            };
        }
        tracing::info!(tenant = %tenant.id, "created the default tenant");
        Ok(tenant)
    }

    pub fn environment_id(&self) -> &str {
        &self.environment.id
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    // ---- credentials and tokens -------------------------------------------------------

    fn check_credentials(&self, environment_id: &str, api_key: &str) -> PlatformResult<()> {
        if self.environment.accepts(environment_id, api_key) {
            Ok(())
        } else {
            Err(PlatformError::Unauthorized(
                "the environment id or API key is not correct".into(),
            ))
        }
    }

    /// `POST /v01/authorize/serviceAccount`
    pub fn issue_service_token(
        &self,
        email: Option<&str>,
        environment_id: &str,
        api_key: &str,
    ) -> PlatformResult<IssuedToken> {
        self.check_credentials(environment_id, api_key)?;
        let subject = email
            .filter(|e| !e.is_empty())
            .unwrap_or(SERVICE_ACCOUNT_EMAIL);
        let (access_token, claims) = self.signer.issue(
            TokenKind::ServiceAccount,
            subject,
            &self.environment.id,
            self.clock.now(),
            SERVICE_TOKEN_LIFETIME,
        );
        Ok(IssuedToken {
            access_token,
            claims,
        })
    }

    /// `POST /v01/authorize`: a token for one active user, requested with the service token.
    pub async fn issue_user_token(
        &self,
        service_token: Option<&str>,
        environment_id: &str,
        api_key: &str,
        user_id: &str,
        expires_in: Option<&Value>,
    ) -> PlatformResult<IssuedToken> {
        let principal = self.principal_from_bearer(service_token).await?;
        principal.require_service_account("issuing a user token")?;
        self.check_credentials(environment_id, api_key)?;
        let lifetime = token_lifetime(expires_in)?;
        let user = self.load_user(user_id).await?;
        if !user.active {
            return Err(PlatformError::Forbidden(format!(
                "user {} is deactivated; reactivate it (updateUser with active: true) before issuing tokens",
                user.id
            )));
        }
        let (access_token, claims) = self.signer.issue(
            TokenKind::User,
            &user.id.to_string(),
            &self.environment.id,
            self.clock.now(),
            lifetime,
        );
        Ok(IssuedToken {
            access_token,
            claims,
        })
    }

    /// Resolves the two headers of a server GraphQL request to a principal.
    pub async fn authenticate_server_request(
        &self,
        server_authorization: Option<&str>,
        authorization: Option<&str>,
    ) -> PlatformResult<Principal> {
        let basic = server_authorization
            .and_then(|h| h.trim().strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .ok_or_else(|| {
                PlatformError::Unauthorized(
                    "the roq-platform-server-authorization header is missing or malformed: expected `Basic base64(environmentId:apiKey)`".into(),
                )
            })?;
        let (environment_id, api_key) = basic.split_once(':').ok_or_else(|| {
            PlatformError::Unauthorized(
                "the roq-platform-server-authorization header must encode `environmentId:apiKey`"
                    .into(),
            )
        })?;
        self.check_credentials(environment_id, api_key)?;
        let bearer = authorization.and_then(|h| h.trim().strip_prefix("Bearer ")).ok_or_else(|| {
            PlatformError::Unauthorized(
                "the roq-platform-authorization header is missing: expected `Bearer <access token>` from /v01/authorize/serviceAccount".into(),
            )
        })?;
        self.principal_from_bearer(Some(bearer)).await
    }

    async fn principal_from_bearer(&self, token: Option<&str>) -> PlatformResult<Principal> {
        let token = token
            .map(|t| t.trim().trim_start_matches("Bearer ").trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PlatformError::Unauthorized("an access token is required".into()))?;
        let claims = self
            .signer
            .verify(token, self.clock.now())
            .map_err(|e| PlatformError::Unauthorized(e.to_string()))?;
        if claims.env != self.environment.id {
            return Err(PlatformError::Unauthorized(
                "the access token was issued for another environment".into(),
            ));
        }
        match claims.kind {
            TokenKind::ServiceAccount => Ok(Principal::ServiceAccount),
            TokenKind::User => {
                let id = UserId::parse(&claims.sub).map_err(|_| {
                    PlatformError::Unauthorized("the access token is malformed".into())
                })?;
                match self.store.user(id).await.map_err(store_err)? {
                    Some(user) if user.active => Ok(Principal::User {
                        id,
                        tenant_id: user.tenant_id,
                    }),
                    Some(_) => Err(PlatformError::Unauthorized(
                        "the user of this access token is deactivated".into(),
                    )),
                    None => Err(PlatformError::Unauthorized(
                        "the user of this access token no longer exists".into(),
                    )),
                }
            }
        }
    }

    // ---- tenants ----------------------------------------------------------------------

    pub async fn create_tenant(
        &self,
        principal: &Principal,
        input: TenantCreateDto,
    ) -> PlatformResult<Tenant> {
        principal.require_service_account("createTenant")?;
        let now = self.clock.now();
        let tenant = Tenant {
            id: TenantId::new(),
            reference: optional_text("reference", input.reference)?,
            name: tenant_name(&input.name)?,
            is_default: false,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_tenant(&tenant).await.map_err(store_err)?;
        Ok(tenant)
    }

    pub async fn update_tenant(
        &self,
        principal: &Principal,
        id: &str,
        input: TenantUpdateDto,
    ) -> PlatformResult<Tenant> {
        principal.require_service_account("updateTenant")?;
        let tenant_id = parse_tenant_id(id)?;
        let name = tenant_name(&input.name)?;
        let reference = match input.reference {
            MaybeUndefined::Undefined => Change::Keep,
            MaybeUndefined::Null => Change::Set(None),
            MaybeUndefined::Value(v) => Change::Set(optional_text("reference", Some(v))?),
        };
        self.store
            .update_tenant(tenant_id, &name, reference, self.clock.now())
            .await
            .map_err(store_err)?
            .ok_or_else(|| PlatformError::TenantNotFound(id.to_owned()))
    }

    pub async fn tenant(&self, principal: &Principal, id: &str) -> PlatformResult<Tenant> {
        let tenant_id = parse_tenant_id(id)?;
        let visible = principal
            .tenant_scope()
            .is_none_or(|scope| scope == tenant_id);
        match self.store.tenant(tenant_id).await.map_err(store_err)? {
            Some(tenant) if visible => Ok(tenant),
            _ => Err(PlatformError::TenantNotFound(id.to_owned())),
        }
    }

    pub async fn tenants(
        &self,
        principal: &Principal,
        mut query: TenantQuery,
    ) -> PlatformResult<Page<Tenant>> {
        query.tenant_scope = principal.tenant_scope();
        self.store.list_tenants(&query).await.map_err(store_err)
    }

    pub async fn tenants_by_ids(&self, ids: &[TenantId]) -> PlatformResult<Vec<Tenant>> {
        self.store.tenants_by_ids(ids).await.map_err(store_err)
    }

    pub async fn count_users_by_tenant(
        &self,
        ids: &[TenantId],
    ) -> PlatformResult<HashMap<TenantId, i64>> {
        self.store
            .count_users_by_tenant(ids)
            .await
            .map_err(store_err)
    }

    // ---- users ------------------------------------------------------------------------

    #[tracing::instrument(skip_all)]
    pub async fn create_user(
        &self,
        principal: &Principal,
        input: UserCreateDto,
    ) -> PlatformResult<User> {
        principal.require_service_account("createUser")?;
        let email = Email::parse(input.email.as_deref().unwrap_or_default())?;
        let reference = input
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or(PlatformError::MissingReference)?
            .to_owned();
        bounded("reference", &reference)?;
        let password = input.password.as_deref().map(Password::parse).transpose()?;
        let tenant_id = match &input.tenant_id {
            Some(id) => self.existing_tenant(id).await?,
            None => self.ensure_default_tenant().await?.id,
        };
        let roles = self
            .roles_for_keys(input.roles.as_deref().unwrap_or_default())
            .await?;
        let custom_data = input.custom_data.map(|d| custom_data(d.0)).transpose()?;
        let now = self.clock.now();
        let is_opted_in = input.is_opted_in.unwrap_or(false);
        let user = User {
            id: UserId::new(),
            reference,
            email,
            first_name: optional_text("firstName", input.first_name)?,
            last_name: optional_text("lastName", input.last_name)?,
            phone: optional_text("phone", input.phone)?,
            locale: optional_text("locale", input.locale)?,
            timezone: optional_text("timezone", input.timezone)?,
            avatar_url: optional_text("avatarUrl", input.avatar_url)?,
            active: input.active.unwrap_or(true),
            is_opted_in,
            opted_in_at: is_opted_in.then_some(now),
            custom_data,
            two_factor_enabled: input.two_factor_enabled.unwrap_or(false),
            synced: false,
            tenant_id,
            created_at: now,
            updated_at: now,
        };
        let hash = match password {
            Some(password) => Some(password::hash(password).await?),
            None => None,
        };
        let role_ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .insert_user(&user, hash.as_deref(), &role_ids)
            .await
            .map_err(|e| match e {
                StoreError::DuplicateEmail => PlatformError::DuplicateEmail(user.email.to_string()),
                StoreError::MissingReference => {
                    PlatformError::TenantNotFound(user.tenant_id.to_string())
                }
                other => store_err(other),
            })?;
        tracing::info!(user = %user.id, tenant = %user.tenant_id, "user created");
        Ok(user)
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_user(
        &self,
        principal: &Principal,
        id: &str,
        input: UserUpdateDto,
    ) -> PlatformResult<User> {
        let user_id = parse_user_id(id)?;
        principal.require_self_or_service(user_id, "updateUser")?;
        if let Principal::User { .. } = principal {
            let platform_only = [
                ("email", input.email.is_some()),
                ("active", input.active.is_some()),
                ("tenantId", input.tenant_id.is_some()),
                ("twoFactorEnabled", input.two_factor_enabled.is_some()),
            ];
            if let Some((field, _)) = platform_only.iter().find(|(_, set)| *set) {
                return Err(PlatformError::Forbidden(format!(
                    "a user token may not change `{field}`; use the service account (asSuperAdmin)"
                )));
            }
        }
        let changes = UserChanges {
            email: match input.email.as_deref() {
                Some(raw) => Change::Set(Email::parse(raw)?),
                None => Change::Keep,
            },
            first_name: text_change("firstName", input.first_name)?,
            last_name: text_change("lastName", input.last_name)?,
            phone: text_change("phone", input.phone)?,
            locale: text_change("locale", input.locale)?,
            timezone: text_change("timezone", input.timezone)?,
            avatar_url: text_change("avatarUrl", input.avatar_url)?,
            active: input.active.map_or(Change::Keep, Change::Set),
            is_opted_in: input.is_opted_in.map_or(Change::Keep, Change::Set),
            custom_data: match input.custom_data {
                MaybeUndefined::Undefined => Change::Keep,
                MaybeUndefined::Null => Change::Set(None),
                MaybeUndefined::Value(d) => Change::Set(Some(custom_data(d.0)?)),
            },
            two_factor_enabled: input.two_factor_enabled.map_or(Change::Keep, Change::Set),
            tenant_id: match &input.tenant_id {
                Some(tenant) => Change::Set(self.existing_tenant(tenant).await?),
                None => Change::Keep,
            },
        };
        if changes.is_empty() {
            return self.load_user(id).await;
        }
        let email = match &changes.email {
            Change::Set(e) => e.to_string(),
            Change::Keep => String::new(),
        };
        let user = self
            .store
            .update_user(user_id, &changes, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::DuplicateEmail => PlatformError::DuplicateEmail(email.clone()),
                StoreError::MissingReference => PlatformError::TenantNotFound(
                    input.tenant_id.map(|t| t.to_string()).unwrap_or_default(),
                ),
                other => store_err(other),
            })?
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
        let f = &query.filter;
        for (name, used) in [
            ("userGroupId", f.user_group_id.is_some()),
            ("userGroupName", f.user_group_name.is_some()),
            ("userProviderId", f.user_provider_id.is_some()),
        ] {
            if used {
                return Err(PlatformError::Unsupported(format!(
                    "the `{name}` filter is not supported: Tandem has no user groups or external identity providers"
                )));
            }
        }
        query.tenant_scope = principal.tenant_scope();
        self.store.list_users(&query).await.map_err(store_err)
    }

    pub async fn verify_password(
        &self,
        principal: &Principal,
        user_id: &str,
        candidate: String,
    ) -> PlatformResult<bool> {
        let user = self.load_user(user_id).await?;
        principal.require_self_or_service(user.id, "verifyPassword")?;
        if !user.active {
            return Ok(false);
        }
        match self.store.password_hash(user.id).await.map_err(store_err)? {
            Some(Some(stored)) => password::verify(candidate, stored).await,
            _ => Ok(false),
        }
    }

    pub async fn change_password(
        &self,
        principal: &Principal,
        input: ChangeUserPasswordDto,
    ) -> PlatformResult<bool> {
        let user = self.load_user(&input.user_id).await?;
        principal.require_self_or_service(user.id, "changeUserPasswordV2")?;
        let new_password = Password::parse(&input.new_password)?;
        let stored = self
            .store
            .password_hash(user.id)
            .await
            .map_err(store_err)?
            .flatten()
            .ok_or_else(|| PlatformError::PasswordNotSet(user.id.to_string()))?;
        if !password::verify(input.password, stored).await? {
            return Err(PlatformError::WrongPassword);
        }
        let hash = password::hash(new_password).await?;
        if !self
            .store
            .set_password_hash(user.id, &hash, self.clock.now())
            .await
            .map_err(store_err)?
        {
            return Err(PlatformError::UserNotFound(input.user_id));
        }
        tracing::info!(user = %user.id, "password changed");
        Ok(true)
    }

    async fn load_user(&self, id: &str) -> PlatformResult<User> {
        let user_id = parse_user_id(id)?;
        self.store
            .user(user_id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| PlatformError::UserNotFound(id.to_owned()))
    }

    async fn existing_tenant(&self, id: &ID) -> PlatformResult<TenantId> {
        let tenant_id = parse_tenant_id(id)?;
        match self.store.tenant(tenant_id).await.map_err(store_err)? {
            Some(_) => Ok(tenant_id),
            None => Err(PlatformError::TenantNotFound(id.to_string())),
        }
    }

    // ---- roles ------------------------------------------------------------------------

    pub async fn create_role(
        &self,
        principal: &Principal,
        input: RoleCreateDto,
    ) -> PlatformResult<Role> {
        principal.require_service_account("createRole")?;
        if !input.permission_assignments.is_empty() {
            return Err(PlatformError::Unsupported(
                "permissionAssignments are not supported: pass an empty list; access rules come from the BaaS schema".into(),
            ));
        }
        let key = role_key(&input.key)?;
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            return Err(PlatformError::InvalidInput(
                "the role's name must not be empty".into(),
            ));
        }
        bounded("name", &name)?;
        let invite_role_keys = dedupe(input.invite_role_keys.unwrap_or_default());
        let others: Vec<String> = invite_role_keys
            .iter()
            .filter(|k| **k != key)
            .cloned()
            .collect();
        self.roles_for_keys(&others).await?;
        let now = self.clock.now();
        let role = Role {
            id: RoleId::new(),
            key,
            name,
            description: optional_text("description", input.description)?,
            reference: optional_text("reference", input.reference)?,
            is_system_managed: input.is_system_managed,
            invite_role_keys,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_role(&role).await.map_err(|e| match e {
            StoreError::DuplicateRoleKey => PlatformError::DuplicateRoleKey(role.key.clone()),
            other => store_err(other),
        })?;
        Ok(role)
    }

    pub async fn role(&self, id: &str) -> PlatformResult<Role> {
        let role_id = RoleId::parse(id).map_err(|_| PlatformError::RoleNotFound(id.to_owned()))?;
        self.store
            .role(role_id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| PlatformError::RoleNotFound(id.to_owned()))
    }

    pub async fn roles(&self, query: RoleQuery) -> PlatformResult<Page<Role>> {
        let f = &query.filter;
        for (name, used) in [
            ("invite", f.invite.is_some()),
            ("permissionId", f.permission_id.is_some()),
            ("userGroupId", f.user_group_id.is_some()),
        ] {
            if used {
                return Err(PlatformError::Unsupported(format!(
                    "the `{name}` role filter is not supported by Tandem"
                )));
            }
        }
        self.store.list_roles(&query).await.map_err(store_err)
    }

    pub async fn assign_roles(
        &self,
        principal: &Principal,
        user_id: &str,
        keys: &[String],
    ) -> PlatformResult<bool> {
        principal.require_service_account("assignRolesToUser")?;
        let user = self.load_user(user_id).await?;
        let roles = self.roles_for_keys(keys).await?;
        let ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .assign_roles(user.id, &ids, self.clock.now())
            .await
            .map_err(store_err)?;
        Ok(true)
    }

    pub async fn unassign_roles(
        &self,
        principal: &Principal,
        user_id: &str,
        keys: &[String],
    ) -> PlatformResult<bool> {
        principal.require_service_account("unassignRolesFromUser")?;
        let user = self.load_user(user_id).await?;
        let roles = self.roles_for_keys(keys).await?;
        let ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        self.store
            .unassign_roles(user.id, &ids)
            .await
            .map_err(store_err)?;
        Ok(true)
    }

    pub async fn roles_of_users(
        &self,
        users: &[UserId],
    ) -> PlatformResult<HashMap<UserId, Vec<Role>>> {
        self.store.roles_of_users(users).await.map_err(store_err)
    }

    pub async fn count_users_by_role(
        &self,
        roles: &[RoleId],
    ) -> PlatformResult<HashMap<RoleId, i64>> {
        self.store
            .count_users_by_role(roles)
            .await
            .map_err(store_err)
    }

    /// The roles with these keys; every key must exist.
    async fn roles_for_keys(&self, keys: &[String]) -> PlatformResult<Vec<Role>> {
        if keys.len() > MAX_ROLE_KEYS {
            return Err(PlatformError::InvalidInput(format!(
                "at most {MAX_ROLE_KEYS} role keys may be given at once"
            )));
        }
        let wanted: BTreeSet<&str> = keys.iter().map(|k| k.trim()).collect();
        let wanted_owned: Vec<String> = wanted.iter().map(|k| (*k).to_owned()).collect();
        let roles = self
            .store
            .roles_by_keys(&wanted_owned)
            .await
            .map_err(store_err)?;
        let found: BTreeSet<&str> = roles.iter().map(|r| r.key.as_str()).collect();
        let missing: Vec<&str> = wanted.difference(&found).copied().collect();
        if missing.is_empty() {
            Ok(roles)
        } else {
            Err(PlatformError::RoleKeyNotFound(missing.join(", ")))
        }
    }
}

/// Checks a list window: `limit` 0..=MAX_LIMIT (default 100), `offset` ≥ 0.
pub fn window(limit: Option<i32>, offset: Option<i32>) -> PlatformResult<Window> {
    let limit = match limit {
        None => Window::default().limit,
        Some(l) if l < 0 => {
            return Err(PlatformError::InvalidInput(
                "limit must not be negative".into(),
            ));
        }
        Some(l) if l as u32 > MAX_LIMIT => {
            return Err(PlatformError::InvalidInput(format!(
                "limit may be at most {MAX_LIMIT}; page through larger lists with offset"
            )));
        }
        Some(l) => l as u32,
    };
    let offset = match offset {
        None => 0,
        Some(o) if o < 0 => {
            return Err(PlatformError::InvalidInput(
                "offset must not be negative".into(),
            ));
        }
        Some(o) => o as u32,
    };
    Ok(Window { limit, offset })
}

fn parse_user_id(id: &str) -> PlatformResult<UserId> {
    UserId::parse(id).map_err(|_| PlatformError::UserNotFound(id.chars().take(80).collect()))
}

fn parse_tenant_id(id: &str) -> PlatformResult<TenantId> {
    TenantId::parse(id).map_err(|_| PlatformError::TenantNotFound(id.chars().take(80).collect()))
}

fn bounded(field: &str, value: &str) -> PlatformResult<()> {
    if value.chars().count() > MAX_TEXT_CHARS {
        Err(PlatformError::InvalidInput(format!(
            "`{field}` is too long: at most {MAX_TEXT_CHARS} characters"
        )))
    } else {
        Ok(())
    }
}

fn optional_text(field: &str, value: Option<String>) -> PlatformResult<Option<String>> {
    if let Some(v) = &value {
        bounded(field, v)?;
    }
    Ok(value)
}

fn text_change(
    field: &str,
    value: MaybeUndefined<String>,
) -> PlatformResult<Change<Option<String>>> {
    Ok(match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Set(None),
        MaybeUndefined::Value(v) => {
            bounded(field, &v)?;
            Change::Set(Some(v))
        }
    })
}

fn custom_data(data: Map<String, Value>) -> PlatformResult<Map<String, Value>> {
    let size = serde_json::to_vec(&data)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_CUSTOM_DATA_BYTES {
        return Err(PlatformError::InvalidInput(format!(
            "`customData` is too large: at most {} KiB of JSON",
            MAX_CUSTOM_DATA_BYTES / 1024
        )));
    }
    Ok(data)
}

fn tenant_name(raw: &str) -> PlatformResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(PlatformError::InvalidInput(
            "the tenant's name must not be empty".into(),
        ));
    }
    bounded("name", name)?;
    Ok(name.to_owned())
}

fn role_key(raw: &str) -> PlatformResult<String> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(key.to_owned())
    } else {
        Err(PlatformError::InvalidInput(format!(
            "`{}` is not a valid role key: use 1 to 64 letters, digits, `_`, `-` or `.`",
            key.chars().take(80).collect::<String>()
        )))
    }
}

fn dedupe(keys: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    keys.into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

/// `expiresIn` as ROQ clients send it: seconds (number or digits) or `<n>s|m|h|d`.
fn token_lifetime(expires_in: Option<&Value>) -> PlatformResult<Duration> {
    let invalid = || {
        PlatformError::InvalidInput(
            "expiresIn must be a number of seconds or a duration like \"15m\", \"2h\" or \"7d\""
                .into(),
        )
    };
    let seconds = match expires_in {
        None | Some(Value::Null) => return Ok(DEFAULT_USER_TOKEN_LIFETIME),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(invalid)?,
        Some(Value::String(s)) => {
            let s = s.trim();
            let (digits, unit) = match s.char_indices().last() {
                Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
                _ => (s, 's'),
            };
            let n: i64 = digits.trim().parse().map_err(|_| invalid())?;
            let unit = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => return Err(invalid()),
            };
            n.checked_mul(unit).ok_or_else(invalid)?
        }
        Some(_) => return Err(invalid()),
    };
    if seconds <= 0 {
        return Err(invalid());
    }
    let lifetime = Duration::seconds(seconds.min(MAX_USER_TOKEN_LIFETIME.num_seconds()));
    Ok(lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_lifetimes_accept_seconds_and_units() {
        assert_eq!(token_lifetime(None).unwrap(), DEFAULT_USER_TOKEN_LIFETIME);
        assert_eq!(
            token_lifetime(Some(&json!(90))).unwrap(),
            Duration::seconds(90)
        );
        assert_eq!(
            token_lifetime(Some(&json!("15m"))).unwrap(),
            Duration::minutes(15)
        );
        assert_eq!(
            token_lifetime(Some(&json!("2h"))).unwrap(),
            Duration::hours(2)
        );
        assert_eq!(
            token_lifetime(Some(&json!("3600"))).unwrap(),
            Duration::hours(1)
        );
        assert_eq!(
            token_lifetime(Some(&json!("365d"))).unwrap(),
            MAX_USER_TOKEN_LIFETIME
        );
        for bad in [
            json!(0),
            json!(-5),
            json!("soon"),
            json!("5y"),
            json!(true),
            json!(1.5),
        ] {
            assert!(token_lifetime(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows_are_bounded() {
        assert_eq!(
            window(None, None).unwrap(),
            Window {
                limit: 100,
                offset: 0
            }
        );
        assert_eq!(
            window(Some(5), Some(10)).unwrap(),
            Window {
                limit: 5,
                offset: 10
            }
        );
        assert!(window(Some(-1), None).is_err());
        assert!(window(Some(1001), None).is_err());
        assert!(window(None, Some(-3)).is_err());
    }

    #[test]
    fn role_keys_are_plain_identifiers() {
        assert_eq!(role_key(" freelancer ").unwrap(), "freelancer");
        assert!(role_key("team-lead.v2").is_ok());
        for bad in ["", "has space", "ümlaut", &"k".repeat(65)] {
            assert!(role_key(bad).is_err(), "{bad}");
        }
    }
}
