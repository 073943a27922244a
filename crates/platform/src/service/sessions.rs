//! End users' sessions: log-in and sign-up on the hosted pages, authorization codes, the
//! token exchange, refresh, userinfo and log-out — for ROQ's hosted auth (`@roq/nextjs`) and
//! for standard OpenID Connect clients alike. The two differ only in wire format (the HTTP
//! layer's concern) and in one rule: an OIDC refresh token rotates on every use and a reused
//! one revokes its family, while ROQ's stays valid until it expires, because `@roq/nextjs`
//! keeps sending the original one.
//!
//! Every refresh token carries the user's token generation: a password change or a
//! deactivation moves the user to the next generation, which cuts every session at once.

use chrono::Duration;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tandem_core::{Email, RoleId, TenantId, UserId};

use super::{PlatformService, validate};
use crate::domain::auth::{CodeRecord, Flow, Grant, IdTokenAlgorithm, RefreshRecord, SignUpTenant};
use crate::domain::{Tenant, User};
use crate::environment::random_secret;
use crate::error::{PlatformError, PlatformResult};
use crate::password::{self, Password};
use crate::store::CodeTake;
use crate::token::{Claims, TokenKind};

/// How long an authorization code may wait for its exchange.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);

/// What the hosted sign-up form sends.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
    /// The new tenant's name (when sign-ups get a tenant of their own).
    pub tenant_name: String,
    pub locale: Option<String>,
}

/// Tokens handed to a client.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    pub scope: String,
}

/// A code exchange as a client asks for it.
#[derive(Debug, Clone)]
pub struct CodeExchange<'a> {
    pub flow: Flow,
    pub code: &'a str,
    pub client_id: &'a str,
    /// The API key; `None` for a public OIDC client (which then must use PKCE).
    pub client_secret: Option<&'a str>,
    /// OIDC: must repeat the one given to the authorize request.
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

/// A refresh as a client asks for it.
#[derive(Debug, Clone)]
pub struct RefreshExchange<'a> {
    pub flow: Flow,
    pub refresh_token: &'a str,
    pub client_id: &'a str,
    pub client_secret: Option<&'a str>,
}

/// SHA-256 (hex) of a code or refresh token: only this is stored.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// PKCE S256: base64url(SHA-256(verifier)) (RFC 7636 §4.2).
fn pkce_s256(verifier: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn bad_grant(message: &str) -> PlatformError {
    PlatformError::InvalidGrant(message.to_owned())
}

impl PlatformService {
    /// Checks an email and password for the hosted log-in page. An unknown email, a user
    /// without a password and a wrong password get the same answer after the same work; a
    /// deactivated user is told so only after giving the right password.
    #[tracing::instrument(skip_all)]
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<&str>,
    ) -> PlatformResult<User> {
        let email = Email::parse(email).map_err(|_| PlatformError::InvalidLogin)?;
        self.limits.login(email.as_str(), ip)?;
        let candidate = password.to_owned();
        let Some((user, Some(stored))) = self.store.user_by_email(&email).await? else {
            password::verify_against_nobody(candidate).await?;
            return Err(PlatformError::InvalidLogin);
        };
        if !password::verify(candidate, stored).await? {
            tracing::info!(user = %user.id, "log-in refused: wrong password");
            return Err(PlatformError::InvalidLogin);
        }
        if !user.active {
            tracing::info!(user = %user.id, "log-in refused: deactivated");
            return Err(PlatformError::UserDeactivated);
        }
        if self.auth_settings().await?.email_verification_required
            && self.email_pending(&user).await?
        {
            tracing::info!(user = %user.id, "log-in refused: email not confirmed");
            return Err(PlatformError::EmailNotVerified);
        }
        tracing::info!(user = %user.id, "logged in");
        Ok(user)
    }

    /// Creates a user (and, per the settings, its tenant) from the hosted sign-up page, through
    /// the same store path as `createUser`, so both reach the BaaS by sync.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up(&self, form: SignUp, ip: Option<&str>) -> PlatformResult<User> {
        let settings = self.auth_settings().await?;
        if !settings.sign_up_enabled {
            return Err(PlatformError::SignUpDisabled);
        }
        self.limits.sign_up(ip)?;
        let first_name = required_name("firstName", &form.first_name)?;
        let last_name = required_name("lastName", &form.last_name)?;
        let email = Email::parse(&form.email)?;
        let password = Password::parse(&form.password)?;
        let locale = form.locale.filter(|l| {
            !l.is_empty() && validate::optional_text("locale", Some(l.clone())).is_ok()
        });
        let roles = self.roles_for_keys(&settings.sign_up_role_keys).await?;
        let role_ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        let now = self.clock.now();
        let new_tenant = match settings.sign_up_tenant {
            SignUpTenant::New => Some(Tenant {
                id: TenantId::new(),
                reference: None,
                name: required_name("tenantName", &form.tenant_name)?,
                is_default: false,
                created_at: now,
                updated_at: now,
            }),
            SignUpTenant::Default => None,
        };
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(PlatformError::DuplicateEmail);
        }
        let tenant_id = match &new_tenant {
            Some(tenant) => tenant.id,
            None => self.ensure_default_tenant().await?.id,
        };
        let id = UserId::new();
        let user = User {
            id,
            reference: id.to_string(),
            email,
            first_name: Some(first_name),
            last_name: Some(last_name),
            phone: None,
            locale,
            timezone: None,
            avatar_url: None,
            active: true,
            is_opted_in: false,
            opted_in_at: None,
            custom_data: None,
            two_factor_enabled: false,
            synced: false,
            tenant_id,
            token_generation: 0,
            created_at: now,
            updated_at: now,
        };
        let hash = password::hash(password).await?;
        match &new_tenant {
            Some(tenant) => {
                self.store
                    .insert_tenant_with_user(tenant, &user, Some(&hash), &role_ids)
                    .await?
            }
            None => {
                self.store
                    .insert_user(&user, Some(&hash), &role_ids)
                    .await?
            }
        }
        tracing::info!(user = %user.id, tenant = %user.tenant_id, "signed up");
        Ok(user)
    }

    /// A single-use code for `user`, bound to the client and the redirect URI.
    #[tracing::instrument(skip_all, fields(user = %user.id, flow = flow.as_str()))]
    pub async fn issue_code(
        &self,
        user: &User,
        flow: Flow,
        client_id: &str,
        redirect_uri: &str,
        mut grant: Grant,
    ) -> PlatformResult<String> {
        if client_id != self.environment_id {
            return Err(PlatformError::InvalidClient(format!(
                "unknown client_id {:?}: use the environment id",
                client_id.chars().take(80).collect::<String>()
            )));
        }
        let code = random_secret()?;
        let now = self.clock.now();
        grant.auth_time = now.timestamp();
        self.store
            .insert_code(&CodeRecord {
                code_hash: digest(&code),
                user_id: user.id,
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                flow,
                grant,
                family_id: uuid::Uuid::new_v4().to_string(),
                generation: user.token_generation,
                created_at: now,
                expires_at: now + CODE_LIFETIME,
                used_at: None,
            })
            .await?;
        Ok(code)
    }

    /// Checks who the client is: the environment id, and the API key when one is given (or
    /// required). `Ok(true)` for a confidential client, `Ok(false)` for a public one.
    async fn authenticate_client(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        secret_required: bool,
    ) -> PlatformResult<bool> {
        let refused = || {
            PlatformError::InvalidClient(
                "the client id or secret is not correct: use the environment id and its API key"
                    .into(),
            )
        };
        match client_secret.filter(|s| !s.is_empty()) {
            Some(secret) => {
                self.check_credentials(client_id, secret)
                    .await
                    .map_err(|_| refused())?;
                Ok(true)
            }
            None if secret_required => Err(refused()),
            None if client_id == self.environment_id => Ok(false),
            None => Err(refused()),
        }
    }

    /// Exchanges an authorization code for tokens (once; a replay revokes what the first
    /// exchange issued).
    #[tracing::instrument(skip_all, fields(flow = req.flow.as_str()))]
    pub async fn exchange_code(
        &self,
        req: CodeExchange<'_>,
        issuer: &str,
    ) -> PlatformResult<TokenSet> {
        let confidential = self
            .authenticate_client(req.client_id, req.client_secret, req.flow == Flow::Roq)
            .await?;
        let now = self.clock.now();
        let code = match self.store.take_code(&digest(req.code.trim()), now).await? {
            CodeTake::Fresh(code) => code,
            CodeTake::Replayed(code) => {
                self.store.revoke_family(&code.family_id, now).await?;
                tracing::warn!(user = %code.user_id, "authorization code replayed; its tokens are revoked");
                return Err(bad_grant(
                    "the authorization code was already used; the tokens issued for it are revoked — log in again",
                ));
            }
            CodeTake::Unknown => return Err(bad_grant("the authorization code is not valid")),
        };
        if code.expires_at <= now {
            return Err(bad_grant(
                "the authorization code has expired (codes live 60 seconds); log in again",
            ));
        }
        if code.client_id != req.client_id || code.flow != req.flow {
            return Err(bad_grant(
                "the authorization code was issued to another client",
            ));
        }
        // Compared as the URL parser writes both (`http://app` and `http://app/` are one URI).
        let sent = req
            .redirect_uri
            .and_then(|r| url::Url::parse(r.trim()).ok())
            .map(|u| u.to_string());
        if req.flow == Flow::Oidc && sent.as_deref() != Some(code.redirect_uri.as_str()) {
            return Err(bad_grant(
                "redirect_uri must be the one the authorization request used",
            ));
        }
        match (&code.grant.code_challenge, req.code_verifier) {
            (Some(challenge), Some(verifier)) if pkce_s256(verifier.trim()) == *challenge => {}
            (Some(_), _) => {
                return Err(bad_grant(
                    "the PKCE code_verifier does not match the code_challenge",
                ));
            }
            (None, _) if !confidential => {
                return Err(bad_grant(
                    "a public client (no client_secret) must use PKCE: send code_challenge (S256) to /oauth/authorize",
                ));
            }
            (None, _) => {}
        }
        let user = self.session_user(code.user_id, code.generation).await?;
        let settings = self.auth_settings().await?;
        let refresh_token = random_secret()?;
        let stored = self
            .store
            .insert_refresh_token(&RefreshRecord {
                token_hash: digest(&refresh_token),
                family_id: code.family_id.clone(),
                user_id: user.id,
                client_id: code.client_id.clone(),
                flow: code.flow,
                scope: code.grant.scope.clone(),
                nonce: code.grant.nonce.clone(),
                generation: user.token_generation,
                created_at: now,
                expires_at: now + Duration::seconds(settings.refresh_token_lifetime),
                rotated_at: None,
                revoked_at: None,
                confidential,
            })
            .await?;
        if !stored {
            // The code was presented again while this exchange ran: neither gets tokens.
            return Err(bad_grant(
                "the authorization code was already used; the tokens issued for it are revoked — log in again",
            ));
        }
        let mut set = self
            .token_set(&user, &code.client_id, &code.grant, &code.family_id, issuer)
            .await?;
        set.refresh_token = refresh_token;
        Ok(set)
    }

    /// Exchanges a refresh token for new tokens. OIDC: the token rotates, and presenting a
    /// rotated one revokes its whole family. ROQ: the same token keeps working.
    #[tracing::instrument(skip_all, fields(flow = req.flow.as_str()))]
    pub async fn refresh(
        &self,
        req: RefreshExchange<'_>,
        issuer: &str,
    ) -> PlatformResult<TokenSet> {
        let authenticated = self
            .authenticate_client(req.client_id, req.client_secret, false)
            .await?;
        let now = self.clock.now();
        let hash = digest(req.refresh_token.trim());
        let Some(token) = self.store.refresh_token(&hash).await? else {
            return Err(bad_grant("the refresh token is not valid; log in again"));
        };
        // A confidential client's refresh token is useless without its secret (RFC 6749 §6).
        if token.flow == Flow::Oidc && token.confidential && !authenticated {
            return Err(PlatformError::InvalidClient(
                "this refresh token was issued to a confidential client: authenticate with the client secret".into(),
            ));
        }
        if token.client_id != req.client_id || token.flow != req.flow {
            return Err(bad_grant("the refresh token was issued to another client"));
        }
        if token.revoked_at.is_some() {
            return Err(bad_grant("the refresh token was revoked; log in again"));
        }
        if token.expires_at <= now {
            return Err(bad_grant("the refresh token has expired; log in again"));
        }
        if token.rotated_at.is_some() {
            self.store.revoke_family(&token.family_id, now).await?;
            tracing::warn!(user = %token.user_id, "rotated refresh token reused; its family is revoked");
            return Err(bad_grant(
                "the refresh token was already used; every token of this session is revoked — log in again",
            ));
        }
        let user = match self.session_user(token.user_id, token.generation).await {
            Ok(user) => user,
            Err(err) => {
                self.store.revoke_family(&token.family_id, now).await?;
                return Err(err);
            }
        };
        let grant = Grant {
            scope: token.scope.clone(),
            nonce: None,
            ..Grant::default()
        };
        let mut set = self
            .token_set(&user, &token.client_id, &grant, &token.family_id, issuer)
            .await?;
        set.refresh_token = match token.flow {
            Flow::Roq => req.refresh_token.trim().to_owned(),
            Flow::Oidc => {
                let settings = self.auth_settings().await?;
                let successor = random_secret()?;
                let record = RefreshRecord {
                    token_hash: digest(&successor),
                    created_at: now,
                    expires_at: now + Duration::seconds(settings.refresh_token_lifetime),
                    rotated_at: None,
                    revoked_at: None,
                    generation: user.token_generation,
                    ..token.clone()
                };
                if !self.store.rotate_refresh_token(&hash, &record).await? {
                    // Another request rotated it between our read and our write: a reuse.
                    self.store.revoke_family(&token.family_id, now).await?;
                    return Err(bad_grant(
                        "the refresh token was already used; every token of this session is revoked — log in again",
                    ));
                }
                successor
            }
        };
        Ok(set)
    }

    /// Ends a session: revokes the refresh-token family named by an ID token's `sid` (the
    /// signature is checked; expiry is not, a log-out may come late). Returns the client the
    /// ID token was issued to.
    #[tracing::instrument(skip_all)]
    pub async fn end_session(&self, id_token: &str) -> PlatformResult<Option<String>> {
        let ring = self.ring_for(id_token).await?;
        let claims: Value = ring
            .verify_payload(id_token)
            .map_err(|e| PlatformError::InvalidInput(format!("id_token_hint: {e}")))?;
        if let Some(sid) = claims.get("sid").and_then(Value::as_str) {
            let revoked = self.store.revoke_family(sid, self.clock.now()).await?;
            tracing::info!(revoked, "session ended");
        }
        Ok(claims.get("aud").and_then(Value::as_str).map(str::to_owned))
    }

    /// Revokes the family of a refresh token (RFC 7009: unknown tokens are not an error).
    pub async fn revoke_refresh_token(&self, refresh_token: &str) -> PlatformResult<()> {
        if let Some(token) = self
            .store
            .refresh_token(&digest(refresh_token.trim()))
            .await?
        {
            self.store
                .revoke_family(&token.family_id, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// The OIDC userinfo claims for a user access token.
    pub async fn userinfo(&self, access_token: &str) -> PlatformResult<Value> {
        let user = match self.principal_from_bearer(Some(access_token)).await? {
            super::Principal::User { id, .. } => self.store.user(id).await?.ok_or_else(|| {
                PlatformError::Unauthorized("the user of this access token no longer exists".into())
            })?,
            super::Principal::ServiceAccount => {
                return Err(PlatformError::Unauthorized(
                    "userinfo needs a user's access token, not the service account's".into(),
                ));
            }
        };
        let roles = self.role_keys_of(user.id).await?;
        let verified = self.email_verified(&user).await?;
        Ok(profile_claims(
            &user,
            &roles,
            &self.environment_id,
            verified,
        ))
    }

    /// The user a session belongs to, if it may still be used: active, and no password
    /// change since (same token generation).
    async fn session_user(&self, id: UserId, generation: i64) -> PlatformResult<User> {
        let user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| bad_grant("the user of this session no longer exists"))?;
        if !user.active {
            return Err(bad_grant("the user is deactivated; the session has ended"));
        }
        if user.token_generation != generation {
            return Err(bad_grant(
                "the session has ended (the password was changed or the user was deactivated since); log in again",
            ));
        }
        Ok(user)
    }

    async fn role_keys_of(&self, user: UserId) -> PlatformResult<Vec<String>> {
        let mut roles = self.store.roles_of_users(&[user]).await?;
        let mut keys: Vec<String> = roles
            .remove(&user)
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.key)
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// A fresh access token and ID token (no refresh token: the caller adds it).
    async fn token_set(
        &self,
        user: &User,
        client_id: &str,
        grant: &Grant,
        family_id: &str,
        issuer: &str,
    ) -> PlatformResult<TokenSet> {
        let settings = self.auth_settings().await?;
        let ring = self.id_token_ring(settings.id_token_signing_alg).await?;
        let now = self.clock.now();
        let lifetime = Duration::seconds(settings.access_token_lifetime);
        let mut access = Claims::new(
            issuer,
            TokenKind::User,
            &user.id.to_string(),
            &self.environment_id,
            user.token_generation,
            now,
            lifetime,
        );
        access.aud = Some(client_id.to_owned());
        access.scope = Some(grant.scope.clone());
        let roles = self.role_keys_of(user.id).await?;
        let verified = self.email_verified(user).await?;
        let mut id = profile_claims(user, &roles, &self.environment_id, verified);
        if let Some(map) = id.as_object_mut() {
            map.insert("iss".into(), json!(issuer));
            map.insert("aud".into(), json!(client_id));
            map.insert("iat".into(), json!(now.timestamp()));
            map.insert("exp".into(), json!((now + lifetime).timestamp()));
            map.insert("sid".into(), json!(family_id));
            if grant.auth_time > 0 {
                map.insert("auth_time".into(), json!(grant.auth_time));
            }
            if let Some(nonce) = &grant.nonce {
                map.insert("nonce".into(), json!(nonce));
            }
        }
        let id_token = match settings.id_token_signing_alg {
            IdTokenAlgorithm::EdDsa => ring.sign(&id),
            IdTokenAlgorithm::Rs256 => ring
                .sign_rs256(&id)
                .ok_or_else(|| PlatformError::internal("RS256 signing failed"))?,
        };
        Ok(TokenSet {
            access_token: ring.sign(&access),
            id_token,
            refresh_token: String::new(),
            expires_in: settings.access_token_lifetime,
            scope: grant.scope.clone(),
        })
    }
}

pub(super) fn required_name(field: &'static str, raw: &str) -> PlatformResult<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(PlatformError::InvalidInput(format!("{field} is required")));
    }
    if value.chars().any(char::is_control) {
        return Err(PlatformError::InvalidInput(format!(
            "{field} must not contain control characters"
        )));
    }
    if value.chars().count() > 200 {
        return Err(PlatformError::InvalidInput(format!(
            "{field} may be at most 200 characters"
        )));
    }
    validate::optional_text(field, Some(value.to_owned()))?;
    Ok(value.to_owned())
}

/// The user's claims as ROQ's ID token names them, and as OpenID Connect does.
fn profile_claims(
    user: &User,
    roles: &[String],
    environment_id: &str,
    email_verified: bool,
) -> Value {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    json!({
        "sub": user.id.to_string(),
        "roqUserId": user.id.to_string(),
        "roqEnvironmentId": environment_id,
        "email": user.email.as_str(),
        "email_verified": email_verified,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "name": if name.is_empty() { None } else { Some(name) },
        "locale": user.locale,
        "timezone": user.timezone,
        "zoneinfo": user.timezone,
        "picture": user.avatar_url,
        "tenantId": user.tenant_id.to_string(),
        "roles": roles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
