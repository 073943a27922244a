//! The Platform's operations: every rule about identity lives here — validation, who may do
//! what, defaults — between the API front-ends (GraphQL, token endpoints) and the store.
//!
//! `access` holds credentials and tokens, `users`, `tenants` and `roles` one resource each,
//! `validate` the checks on client input. Callers hand in domain inputs
//! ([`crate::domain::input`], [`crate::domain::list`]); nothing here knows GraphQL.

mod access;
mod console;
mod invites;
mod keys;
mod limits;
mod mail;
mod permissions;
mod recovery;
mod roles;
mod sessions;
mod settings;
mod tenants;
mod users;
pub mod validate;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tandem_core::{Clock, TenantId, UserId};

use crate::domain::Tenant;
use crate::domain::list::{MAX_LIMIT, Window};
use crate::environment::{Credentials, EnvironmentRecord, api_key_digest, random_secret};
use crate::error::{PlatformError, PlatformResult};
use crate::store::PlatformStore;

pub use access::{IssuedToken, SERVICE_ACCOUNT_EMAIL, SERVICE_TOKEN_LIFETIME};
pub use console::{CONSOLE_SESSION_LIFETIME, create_console_admin, reset_console_admin_password};
pub use invites::{InviteView, MAX_INVITES_PER_REQUEST, invite_link};
pub use keys::{KEYS_TTL, ROTATION_OVERLAP};
pub use mail::run_mail_sender;
pub use recovery::{RESET_LIFETIME, VERIFY_LIFETIME};
pub use sessions::{CODE_LIFETIME, CodeExchange, RefreshExchange, SignUp, TokenSet, digest};
pub use settings::{AuthSettingsUpdate, SETTINGS_TTL};

pub const DEFAULT_TENANT_NAME: &str = "Default";

/// Who is calling. Resolved from the request's credentials before any operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The environment's service account: may do everything.
    ServiceAccount,
    /// One active user: reads within its tenant, edits its own profile and password.
    User { id: UserId, tenant_id: TenantId },
}

impl Principal {
    pub fn require_service_account(&self, action: &str) -> PlatformResult<()> {
        match self {
            Self::ServiceAccount => Ok(()),
            Self::User { .. } => Err(PlatformError::Forbidden(format!(
                "{action} needs the service account (asSuperAdmin); a user token may not do it"
            ))),
        }
    }

    /// Checked before the user is loaded, so the answer reveals nothing about other users.
    fn require_self_or_service(&self, user: UserId, action: &str) -> PlatformResult<()> {
        match self {
            Self::ServiceAccount => Ok(()),
            Self::User { id, .. } if *id == user => Ok(()),
            Self::User { .. } => Err(PlatformError::Forbidden(format!(
                "a user token may only {action} for its own user"
            ))),
        }
    }

    /// The tenant a user principal is confined to; `None` for the service account.
    pub fn tenant_scope(&self) -> Option<TenantId> {
        match self {
            Self::ServiceAccount => None,
            Self::User { tenant_id, .. } => Some(*tenant_id),
        }
    }
}

/// What `PlatformService::start` may do to an existing environment.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Replace the stored API key with the configured one (otherwise a different key is an
    /// error, so a replica started with a stale key cannot lock everyone else out).
    pub rotate_api_key: bool,
    /// The public base URL (`--public-url`): the issuer of tokens and the base of links.
    /// When unset, each request's `Host` decides.
    pub public_url: Option<String>,
    /// Where mail templates may be overridden (`<data-dir>/mail`); built-in ones only if unset.
    pub mail_templates: Option<std::path::PathBuf>,
}

pub struct PlatformService {
    store: Arc<dyn PlatformStore>,
    clock: Arc<dyn Clock>,
    environment_id: String,
    /// Kept in memory only: token-signing keys are derived from it.
    api_key: String,
    keys: keys::CachedRing,
    /// Held while an RSA key for ID tokens is being made, so concurrent requests make one.
    rsa_making: tokio::sync::Mutex<()>,
    settings: settings::CachedSettings,
    limits: limits::Limits,
    public_url: Option<String>,
    templates: crate::mail::Templates,
    /// The stored environment, re-read at most every [`CREDENTIALS_TTL`]: every request
    /// checks credentials, and a rotated key reaches every replica within that time.
    credentials_cache: std::sync::RwLock<Option<(EnvironmentRecord, std::time::Instant)>>,
}

/// How long a replica trusts its copy of the stored API key digest.
pub const CREDENTIALS_TTL: std::time::Duration = std::time::Duration::from_secs(2);

impl std::fmt::Debug for PlatformService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformService")
            .field("environment", &self.environment_id)
            .finish_non_exhaustive()
    }
}

impl PlatformService {
    /// Binds the store to the configured credentials and makes sure the default tenant exists.
    ///
    /// A store bound to another environment id is refused; so is a different API key for the
    /// same environment, unless `options.rotate_api_key` says to replace it.
    #[tracing::instrument(skip_all, fields(environment = %credentials.environment_id))]
    pub async fn start(
        store: Arc<dyn PlatformStore>,
        clock: Arc<dyn Clock>,
        credentials: &Credentials,
        options: StartOptions,
    ) -> PlatformResult<Self> {
        credentials.validate()?;
        let now = clock.now();
        let digest = api_key_digest(&credentials.api_key);
        match store.environment().await? {
            Some(existing) if existing.id != credentials.environment_id => {
                return Err(PlatformError::InvalidInput(format!(
                    "this Platform database belongs to environment {} but the configured environment id is {}; \
                     start Tandem with that environment's TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY \
                     (or restore its credentials.json)",
                    existing.id, credentials.environment_id
                )));
            }
            Some(existing) if existing.api_key_hash == digest => {}
            Some(existing) if !options.rotate_api_key => {
                let _ = existing;
                return Err(PlatformError::InvalidInput(
                    "the configured API key is not this environment's; to replace the stored key, \
                     start once with --rotate-api-key (every client must then use the new key)"
                        .into(),
                ));
            }
            existing => {
                if existing.is_some() {
                    tracing::warn!(
                        "replacing the environment's API key; the previous key stops working"
                    );
                }
                store
                    .save_environment(&EnvironmentRecord {
                        id: credentials.environment_id.clone(),
                        api_key_hash: digest,
                        token_key_salt: random_secret()?,
                        created_at: now,
                        updated_at: now,
                    })
                    .await?;
            }
        }
        // Re-read: another replica may have created the environment (and its secret) first.
        let environment = store
            .environment()
            .await?
            .ok_or_else(|| PlatformError::internal("environment row vanished after saving it"))?;
        // The stored key digest matched the configured key above, so every replica that
        // reaches here derives the same signing keys.
        let ring = keys::load_ring(store.as_ref(), &credentials.api_key, now).await?;
        let service = Self {
            store,
            limits: limits::Limits::new(clock.clone()),
            clock,
            environment_id: environment.id,
            api_key: credentials.api_key.clone(),
            keys: std::sync::RwLock::new((Arc::new(ring), std::time::Instant::now())),
            rsa_making: tokio::sync::Mutex::new(()),
            settings: std::sync::RwLock::new(None),
            public_url: options
                .public_url
                .as_deref()
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty()),
            credentials_cache: std::sync::RwLock::new(None),
            templates: crate::mail::Templates::new(options.mail_templates),
        };
        service.ensure_default_tenant().await?;
        Ok(service)
    }

    async fn ensure_default_tenant(&self) -> PlatformResult<Tenant> {
        if let Some(tenant) = self.store.default_tenant().await? {
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
            return match self.store.default_tenant().await? {
                Some(existing) => Ok(existing),
                None => Err(err.into()),
            };
        }
        tracing::info!(tenant = %tenant.id, "created the default tenant");
        Ok(tenant)
    }

    pub fn environment_id(&self) -> &str {
        &self.environment_id
    }

    /// The base of links sent by mail: `--public-url`, or — without it — the request's host
    /// only when it is this machine's loopback (a forged `Host` must never put an attacker's
    /// address into a reset link).
    pub fn link_base(&self, host: Option<&str>) -> PlatformResult<String> {
        if let Some(url) = &self.public_url {
            return Ok(url.clone());
        }
        match host.map(str::trim).filter(|h| valid_host(h) && is_loopback_host(h)) {
            Some(host) => Ok(format!("http://{host}")),
            None => Err(PlatformError::Unsupported(
                "this server cannot send links by mail until its public address is configured (tandem serve --public-url https://…)".into(),
            )),
        }
    }

    /// The issuer and base URL: `--public-url` when configured, else from the request's
    /// `Host` header (plain http), else `http://localhost`.
    pub fn issuer(&self, host: Option<&str>) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        match host.map(str::trim).filter(|h| valid_host(h)) {
            Some(host) => format!("http://{host}"),
            None => "http://localhost".to_owned(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Checks a list window: `limit` 0..=MAX_LIMIT (default 100), `offset` ≥ 0.
pub fn window(limit: Option<i32>, offset: Option<i32>) -> PlatformResult<Window> {
    let limit = match limit {
        None => Window::default().limit,
        Some(l) => u32::try_from(l)
            .map_err(|_| PlatformError::InvalidInput("limit must not be negative".into()))?,
    };
    if limit > MAX_LIMIT {
        return Err(PlatformError::InvalidInput(format!(
            "limit may be at most {MAX_LIMIT}; page through larger lists with offset"
        )));
    }
    let offset = match offset {
        None => 0,
        Some(o) => u32::try_from(o)
            .map_err(|_| PlatformError::InvalidInput("offset must not be negative".into()))?,
    };
    Ok(Window { limit, offset })
}

/// Whether a `Host` value names this machine's loopback interface (any port).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

/// A `Host` header value we are willing to echo into URLs: host[:port], no paths or quotes.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
}

fn parse_user_id(id: &str) -> PlatformResult<UserId> {
    UserId::parse(id).map_err(|_| PlatformError::UserNotFound(id.chars().take(80).collect()))
}

fn parse_tenant_id(id: &str) -> PlatformResult<TenantId> {
    TenantId::parse(id).map_err(|_| PlatformError::TenantNotFound(id.chars().take(80).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_trusted_for_links() {
        for ok in ["localhost:8787", "127.0.0.1:3000", "[::1]:80", "localhost"] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.com",
            "127.0.0.1.evil.com:80",
            "localhost.evil:1",
            "[::2]:80",
            "10.0.0.1",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
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
}
