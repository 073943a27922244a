//! The environment's auth settings: reading them (cached per replica for [`SETTINGS_TTL`]),
//! changing them, and the two questions every hosted-auth request asks of them — may the
//! browser be sent back to this `redirect_uri`, and may this origin call the APIs (CORS).

use std::time::Instant;

use url::Url;

use super::{PlatformService, Principal};
use crate::domain::auth::{AuthSettings, IdTokenAlgorithm, SignUpTenant};
use crate::error::{PlatformError, PlatformResult};

/// How long a replica trusts its copy of the settings: a change reaches every replica
/// within this time.
pub const SETTINGS_TTL: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) type CachedSettings = std::sync::RwLock<Option<(AuthSettings, Instant)>>;

/// A change to the settings: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AuthSettingsUpdate {
    pub environment_name: Option<String>,
    pub sign_up_enabled: Option<bool>,
    pub sign_up_tenant: Option<SignUpTenant>,
    pub sign_up_role_keys: Option<Vec<String>>,
    pub redirect_uris: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub access_token_lifetime: Option<i64>,
    pub refresh_token_lifetime: Option<i64>,
    pub invite_lifetime: Option<i64>,
    pub email_verification_required: Option<bool>,
    pub id_token_signing_alg: Option<IdTokenAlgorithm>,
}

const MAX_LIST: usize = 50;
const ACCESS_LIFETIME: (i64, i64) = (60, 24 * 3600);
const REFRESH_LIFETIME: (i64, i64) = (300, 365 * 24 * 3600);
const INVITE_LIFETIME: (i64, i64) = (3600, 90 * 24 * 3600);

impl PlatformService {
    /// The current settings (the defaults until someone changes them).
    pub async fn auth_settings(&self) -> PlatformResult<AuthSettings> {
        let cached = self.settings.read().ok().and_then(|cached| {
            cached
                .as_ref()
                .filter(|(_, at)| at.elapsed() < SETTINGS_TTL)
                .map(|(settings, _)| settings.clone())
        });
        if let Some(settings) = cached {
            return Ok(settings);
        }
        let settings = self
            .store
            .auth_settings(&self.environment_id)
            .await?
            .unwrap_or_default();
        if let Ok(mut cached) = self.settings.write() {
            *cached = Some((settings.clone(), Instant::now()));
        }
        Ok(settings)
    }

    /// Changes the settings (service account only); every field is checked before any is saved.
    #[tracing::instrument(skip_all)]
    pub async fn update_auth_settings(
        &self,
        principal: &Principal,
        update: AuthSettingsUpdate,
    ) -> PlatformResult<AuthSettings> {
        principal.require_service_account("updateAuthSettings")?;
        let mut settings = self
            .store
            .auth_settings(&self.environment_id)
            .await?
            .unwrap_or_default();
        if let Some(name) = update.environment_name {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                return Err(PlatformError::InvalidInput(
                    "environmentName must be 1 to 100 characters without control characters".into(),
                ));
            }
            settings.environment_name = name;
        }
        if let Some(on) = update.email_verification_required {
            settings.email_verification_required = on;
        }
        if let Some(alg) = update.id_token_signing_alg {
            settings.id_token_signing_alg = alg;
        }
        if let Some(on) = update.sign_up_enabled {
            settings.sign_up_enabled = on;
        }
        if let Some(tenant) = update.sign_up_tenant {
            settings.sign_up_tenant = tenant;
        }
        if let Some(keys) = update.sign_up_role_keys {
            check_len("signUpRoleKeys", &keys)?;
            // Every key must name an existing role.
            self.roles_for_keys(&keys).await?;
            settings.sign_up_role_keys = keys;
        }
        if let Some(uris) = update.redirect_uris {
            check_len("redirectUris", &uris)?;
            settings.redirect_uris = uris
                .iter()
                .map(|u| registered_redirect(u))
                .collect::<PlatformResult<_>>()?;
        }
        if let Some(origins) = update.allowed_origins {
            check_len("allowedOrigins", &origins)?;
            settings.allowed_origins = origins
                .iter()
                .map(|o| origin_entry(o))
                .collect::<PlatformResult<_>>()?;
        }
        if let Some(secs) = update.access_token_lifetime {
            settings.access_token_lifetime =
                check_range("accessTokenLifetime", secs, ACCESS_LIFETIME)?;
        }
        if let Some(secs) = update.invite_lifetime {
            settings.invite_lifetime = check_range("inviteLifetime", secs, INVITE_LIFETIME)?;
        }
        if let Some(secs) = update.refresh_token_lifetime {
            settings.refresh_token_lifetime =
                check_range("refreshTokenLifetime", secs, REFRESH_LIFETIME)?;
        }
        let now = self.clock.now();
        self.store
            .save_auth_settings(&self.environment_id, &settings, now)
            .await?;
        if let Ok(mut cached) = self.settings.write() {
            *cached = Some((settings.clone(), Instant::now()));
        }
        tracing::info!("auth settings changed");
        Ok(settings)
    }

    /// The absolute redirect URI the browser may be sent to, or why not: it must be one of the
    /// registered URIs, exactly. A relative one (`/api/auth/callback`, what `@roq/nextjs` sends
    /// by default) is first resolved against the origin of the first registered URI.
    pub async fn check_redirect_uri(&self, raw: Option<&str>) -> PlatformResult<String> {
        let settings = self.auth_settings().await?;
        resolve_redirect(&settings, raw)
    }

    /// Whether a browser page on `origin` may call the APIs: an allowed origin, or the origin
    /// of a registered redirect URI. Never `*`.
    pub async fn allows_origin(&self, origin: &str) -> bool {
        match self.auth_settings().await {
            Ok(settings) => origin_allowed(&settings, origin),
            Err(_) => false,
        }
    }
}

fn check_len(field: &str, list: &[String]) -> PlatformResult<()> {
    if list.len() > MAX_LIST {
        return Err(PlatformError::InvalidInput(format!(
            "{field} may hold at most {MAX_LIST} entries"
        )));
    }
    Ok(())
}

fn check_range(field: &str, secs: i64, (min, max): (i64, i64)) -> PlatformResult<i64> {
    if !(min..=max).contains(&secs) {
        return Err(PlatformError::InvalidInput(format!(
            "{field} must be between {min} and {max} seconds"
        )));
    }
    Ok(secs)
}

/// An absolute http(s) URL without credentials or fragment.
fn parse_web_url(field: &str, raw: &str) -> PlatformResult<Url> {
    let invalid = |why: &str| {
        PlatformError::InvalidInput(format!(
            "{field}: {:?} {why}",
            raw.chars().take(200).collect::<String>()
        ))
    };
    let url = Url::parse(raw.trim()).map_err(|_| invalid("is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must be an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials"));
    }
    if url.fragment().is_some() {
        return Err(invalid("must not contain a fragment (#…)"));
    }
    Ok(url)
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether a URL is a bare origin (`https://app.example.com` or with a trailing `/`).
fn is_bare_origin(url: &Url) -> bool {
    url.path() == "/" && url.query().is_none()
}

/// A registered redirect URI, normalised as the URL parser writes it (`http://app` →
/// `http://app/`); it is then matched exactly.
fn registered_redirect(raw: &str) -> PlatformResult<String> {
    Ok(parse_web_url("redirectUris", raw)?.to_string())
}

fn origin_entry(raw: &str) -> PlatformResult<String> {
    let url = parse_web_url("allowedOrigins", raw)?;
    if !is_bare_origin(&url) {
        return Err(PlatformError::InvalidInput(format!(
            "allowedOrigins: {raw:?} must be an origin only, like https://app.example.com"
        )));
    }
    Ok(origin_of(&url))
}

pub(super) fn resolve_redirect(
    settings: &AuthSettings,
    raw: Option<&str>,
) -> PlatformResult<String> {
    let raw = raw
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| PlatformError::InvalidRedirectUri("redirect_uri is required".into()))?;
    let refused = || {
        PlatformError::InvalidRedirectUri(format!(
            "redirect_uri {:?} is not registered for this app; add it (or its origin) to the \
             environment's redirect URIs (updateAuthSettings)",
            raw.chars().take(200).collect::<String>()
        ))
    };
    let url = if raw.starts_with('/') && !raw.starts_with("//") {
        let base = settings
            .redirect_uris
            .first()
            .and_then(|b| Url::parse(b).ok())
            .ok_or_else(refused)?;
        Url::parse(&origin_of(&base))
            .and_then(|origin| origin.join(raw))
            .map_err(|_| refused())?
    } else {
        parse_web_url("redirect_uri", raw).map_err(|_| refused())?
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(refused());
    }
    // Exact matching (RFC 9700 §4.1.3): a code must never reach a page the app did not name.
    let text = url.to_string();
    let allowed = settings
        .redirect_uris
        .iter()
        .any(|entry| *entry == text || Url::parse(entry).is_ok_and(|e| e.as_str() == text));
    if allowed { Ok(text) } else { Err(refused()) }
}

pub(super) fn origin_allowed(settings: &AuthSettings, origin: &str) -> bool {
    let Ok(url) = Url::parse(origin) else {
        return false;
    };
    if !is_bare_origin(&url) || !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let origin = origin_of(&url);
    settings.allowed_origins.contains(&origin)
        || settings
            .redirect_uris
            .iter()
            .filter_map(|r| Url::parse(r).ok())
            .any(|r| origin_of(&r) == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(uris: &[&str]) -> AuthSettings {
        AuthSettings {
            redirect_uris: uris
                .iter()
                .map(|u| registered_redirect(u).unwrap())
                .collect(),
            ..AuthSettings::default()
        }
    }

    #[test]
    fn only_a_registered_uri_matches_exactly() {
        let s = settings(&["http://localhost:3000/api/auth/callback"]);
        assert_eq!(
            resolve_redirect(&s, Some("/api/auth/callback")).unwrap(),
            "http://localhost:3000/api/auth/callback"
        );
        assert!(resolve_redirect(&s, Some("http://LOCALHOST:3000/api/auth/callback")).is_ok());
        for evil in [
            "http://localhost:3000/api/auth/callback2",
            "http://localhost:3000/api/auth/callback?next=https://evil.example",
            "http://localhost:3000/",
            "/other",
            "http://localhost:3001/api/auth/callback",
            "https://localhost:3000/api/auth/callback",
            "http://localhost:3000.evil.com/api/auth/callback",
            "//evil.com/api/auth/callback",
            "http://user@localhost:3000/api/auth/callback",
            "javascript:alert(1)",
            "http://localhost:3000/api/auth/callback#frag",
        ] {
            assert!(resolve_redirect(&s, Some(evil)).is_err(), "{evil}");
        }
        assert!(resolve_redirect(&s, None).is_err());
    }

    #[test]
    fn a_bare_origin_entry_is_only_that_origin_s_root() {
        let s = settings(&["https://app.example.com"]);
        assert!(resolve_redirect(&s, Some("https://app.example.com")).is_ok());
        assert!(resolve_redirect(&s, Some("https://app.example.com/")).is_ok());
        assert!(resolve_redirect(&s, Some("https://app.example.com/callback")).is_err());
        assert!(resolve_redirect(&s, Some("/callback")).is_err());
    }

    #[test]
    fn cors_origins_come_from_the_settings_only() {
        let mut s = settings(&["https://app.example.com/callback"]);
        s.allowed_origins = vec![origin_entry("http://127.0.0.1:5173").unwrap()];
        assert!(origin_allowed(&s, "https://app.example.com"));
        assert!(origin_allowed(&s, "http://127.0.0.1:5173"));
        assert!(!origin_allowed(&s, "https://evil.example.com"));
        assert!(!origin_allowed(&s, "null"));
        assert!(!origin_allowed(&s, "*"));
        assert!(origin_entry("https://app.example.com/path").is_err());
    }
}
