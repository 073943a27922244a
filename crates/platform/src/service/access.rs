//! Credentials and tokens: the service-account token, user tokens, and resolving a request's
//! headers to a [`Principal`].

use chrono::Duration;
use serde_json::Value;
use tandem_core::{BasicCredentials, UserId};

use super::{PlatformService, Principal, parse_user_id, validate};
use crate::error::{PlatformError, PlatformResult};
use crate::token::{Claims, TokenKind};

/// The email `@roq/nodejs` presents for the service account.
pub const SERVICE_ACCOUNT_EMAIL: &str = "project-service-account@roq.tech";
pub const SERVICE_TOKEN_LIFETIME: Duration = Duration::hours(1);

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub claims: Claims,
}

impl PlatformService {
    /// Whether these are the environment's credentials (the BaaS's super admin).
    pub async fn accepts_credentials(&self, environment_id: &str, api_key: &str) -> bool {
        self.check_credentials(environment_id, api_key)
            .await
            .is_ok()
    }

    /// Whether `token` is a valid service-account access token of this environment.
    pub async fn is_service_token(&self, token: &str) -> bool {
        matches!(
            self.principal_from_bearer(Some(token)).await,
            Ok(super::Principal::ServiceAccount)
        )
    }

    /// Checks against the stored environment, so every replica agrees on the current key.
    pub(super) async fn check_credentials(
        &self,
        environment_id: &str,
        api_key: &str,
    ) -> PlatformResult<()> {
        let cached = self
            .credentials_cache
            .read()
            .ok()
            .and_then(|c| c.clone())
            .filter(|(_, at)| at.elapsed() < super::CREDENTIALS_TTL)
            .map(|(env, _)| env);
        let environment = match cached {
            Some(env) => Some(env),
            None => {
                let fresh = self.store.environment().await?;
                if let (Some(env), Ok(mut cache)) = (&fresh, self.credentials_cache.write()) {
                    *cache = Some((env.clone(), std::time::Instant::now()));
                }
                fresh
            }
        };
        let accepted = environment.is_some_and(|env| env.accepts(environment_id, api_key));
        if accepted {
            Ok(())
        } else {
            Err(PlatformError::Unauthorized(
                "the environment id or API key is not correct".into(),
            ))
        }
    }

    /// `POST /v01/authorize/serviceAccount`. The `email` the SDK sends is not trusted: every
    /// service token names the one service account, so audit trails cannot be spoofed.
    #[tracing::instrument(skip_all)]
    pub async fn issue_service_token(
        &self,
        environment_id: &str,
        api_key: &str,
    ) -> PlatformResult<IssuedToken> {
        self.check_credentials(environment_id, api_key).await?;
        let claims = Claims::new(
            &self.issuer(None),
            TokenKind::ServiceAccount,
            SERVICE_ACCOUNT_EMAIL,
            &self.environment_id,
            0,
            self.clock.now(),
            SERVICE_TOKEN_LIFETIME,
        );
        let access_token = self.key_ring().await?.sign(&claims);
        Ok(IssuedToken {
            access_token,
            claims,
        })
    }

    /// `POST /v01/authorize`: a token for one active user, requested with the service token.
    #[tracing::instrument(skip_all)]
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
        self.check_credentials(environment_id, api_key).await?;
        let lifetime = validate::token_lifetime(expires_in)?;
        let user = self.load_user(user_id).await?;
        if !user.active {
            return Err(PlatformError::Forbidden(format!(
                "user {} is deactivated; reactivate it (updateUser with active: true) before issuing tokens",
                user.id
            )));
        }
        let claims = Claims::new(
            &self.issuer(None),
            TokenKind::User,
            &user.id.to_string(),
            &self.environment_id,
            user.token_generation,
            self.clock.now(),
            lifetime,
        );
        let access_token = self.key_ring().await?.sign(&claims);
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
            .and_then(BasicCredentials::parse)
            .ok_or_else(|| {
                PlatformError::Unauthorized(
                    "the roq-platform-server-authorization header is missing or malformed: expected `Basic base64(environmentId:apiKey)`".into(),
                )
            })?;
        self.check_credentials(&basic.environment_id, &basic.api_key)
            .await?;
        let authorization = authorization.ok_or_else(|| {
            PlatformError::Unauthorized(
                "the roq-platform-authorization header is missing: expected `Bearer <access token>` from /v01/authorize/serviceAccount".into(),
            )
        })?;
        let bearer = authorization
            .trim()
            .strip_prefix("Bearer ")
            .ok_or_else(|| {
                PlatformError::Unauthorized(
                    "the roq-platform-authorization header must be `Bearer <access token>`".into(),
                )
            })?;
        if matches!(bearer.trim(), "undefined" | "null") {
            // What @roq/nodejs sends when it could not obtain a token.
            return Err(PlatformError::Unauthorized(format!(
                "no access token was sent (`Bearer {}`): the client could not get one — check its environmentId and apiKey",
                bearer.trim()
            )));
        }
        self.principal_from_bearer(Some(bearer)).await
    }

    /// The CSRF token a hosted form must post back for the browser holding `cookie_secret`:
    /// HMAC-SHA256 under a key derived from the API key, so a replica needs no shared state and
    /// a page cannot mint one for a cookie it cannot read.
    pub fn form_token(&self, cookie_secret: &str) -> String {
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.api_key.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"tandem/hosted-form-csrf/v1\0");
        mac.update(cookie_secret.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `token` is the form token for `cookie_secret` (constant time).
    pub fn accepts_form_token(&self, cookie_secret: &str, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        !cookie_secret.is_empty()
            && bool::from(
                self.form_token(cookie_secret)
                    .as_bytes()
                    .ct_eq(token.trim().as_bytes()),
            )
    }

    /// The user id of a valid user access token of this environment: signature, expiry and
    /// environment only. Whether the user is still active is the verifier's to check (the
    /// BaaS has the synced `user.active`).
    pub async fn verify_user_token(&self, token: &str) -> Result<(String, i64), String> {
        self.ring_for(token)
            .await
            .map_err(|e| e.to_string())?
            .verify_user(token, self.clock.now(), &self.environment_id)
    }

    /// A request that carries only an access token (the browser's GraphQL).
    pub async fn authenticate_bearer(&self, token: Option<&str>) -> PlatformResult<Principal> {
        self.principal_from_bearer(token).await
    }

    pub(super) async fn principal_from_bearer(
        &self,
        token: Option<&str>,
    ) -> PlatformResult<Principal> {
        let token = token
            .map(|t| t.trim().trim_start_matches("Bearer ").trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PlatformError::Unauthorized("an access token is required".into()))?;
        let claims = self
            .ring_for(token)
            .await?
            .verify(token, self.clock.now())
            .map_err(|e| PlatformError::Unauthorized(e.to_string()))?;
        if claims.env != self.environment_id {
            return Err(PlatformError::Unauthorized(
                "the access token was issued for another environment".into(),
            ));
        }
        match claims.kind {
            TokenKind::ServiceAccount => Ok(Principal::ServiceAccount),
            TokenKind::User => {
                let malformed =
                    || PlatformError::Unauthorized("the access token is malformed".into());
                let id = UserId::parse(&claims.sub).map_err(|_| malformed())?;
                let user = self.store.user(id).await?.ok_or_else(|| {
                    PlatformError::Unauthorized(
                        "the user of this access token no longer exists".into(),
                    )
                })?;
                if !user.active {
                    return Err(PlatformError::Unauthorized(
                        "the user of this access token is deactivated".into(),
                    ));
                }
                if claims.generation != user.token_generation {
                    return Err(PlatformError::Unauthorized(
                        "the access token was revoked (the user's password changed or the user was deactivated since it was issued); request a new one".into(),
                    ));
                }
                Ok(Principal::User {
                    id,
                    tenant_id: user.tenant_id,
                })
            }
        }
    }

    /// Parses `id` and checks the principal may act on that user, before loading anything.
    pub(super) fn authorize_self(
        &self,
        principal: &Principal,
        id: &str,
        action: &str,
    ) -> PlatformResult<UserId> {
        let user_id = match (principal, parse_user_id(id)) {
            (_, Ok(user_id)) => user_id,
            (Principal::ServiceAccount, Err(e)) => return Err(e),
            (Principal::User { .. }, Err(_)) => {
                return Err(PlatformError::Forbidden(format!(
                    "a user token may only {action} for its own user"
                )));
            }
        };
        principal.require_self_or_service(user_id, action)?;
        Ok(user_id)
    }
}
