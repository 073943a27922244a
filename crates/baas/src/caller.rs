//! Who is calling the BaaS, from the request's headers: `Authorization: Basic
//! base64(environmentId:apiKey)` is the super admin; `Authorization: Bearer <access token>` (or
//! `roq-platform-authorization: Bearer …`, as `@roq/client` sends it) is that user, if they are
//! on the BaaS and active; no credentials is anonymous.
//!
//! A token is verified once (its signature through [`crate::BaasAuth`]) and then remembered
//! until it expires, for at most [`TOKEN_MEMORY`]; a user's synced row (active, tenant) for at
//! most [`USER_MEMORY`], and forgotten as soon as sync changes it in this process
//! ([`crate::Baas::observe`]). So a deactivation stops the user's next request here, and on
//! another BaaS replica within [`USER_MEMORY`]; a signing key withdrawn on the Platform stops
//! working within [`TOKEN_MEMORY`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use tandem_core::BasicCredentials;
use tandem_core::merge::Entity;

use crate::error::{BaasError, BaasResult};
use crate::query::access::{Caller, Grants, UserCaller};
use crate::{Baas, VerifiedUser};

/// The longest a verified token is taken on trust.
pub const TOKEN_MEMORY: Duration = Duration::seconds(60);
/// The longest a caller's synced row is taken on trust (when no sync apply here changed it).
pub const USER_MEMORY: Duration = Duration::seconds(2);
/// Remembered entries of each kind at most; past it, the expired ones go (or all).
const MAX_REMEMBERED: usize = 10_000;

/// What the BaaS needs of a caller's synced `user` row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserRow {
    tenant_id: String,
    active: bool,
}

/// Verified tokens and callers' rows, each with the time it may be used until.
#[derive(Debug, Default)]
pub struct Callers {
    tokens: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    users: Mutex<HashMap<String, (UserRow, DateTime<Utc>)>>,
}

fn recall<V: Clone>(
    map: &Mutex<HashMap<String, (V, DateTime<Utc>)>>,
    key: &str,
    now: DateTime<Utc>,
) -> Option<V> {
    let map = map.lock().ok()?;
    map.get(key)
        .filter(|(_, until)| *until > now)
        .map(|(v, _)| v.clone())
}

fn remember<V>(
    map: &Mutex<HashMap<String, (V, DateTime<Utc>)>>,
    key: &str,
    value: V,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let Ok(mut map) = map.lock() else {
        return;
    };
    if map.len() >= MAX_REMEMBERED {
        map.retain(|_, (_, until)| *until > now);
        if map.len() >= MAX_REMEMBERED {
            map.clear();
        }
    }
    map.insert(key.to_owned(), (value, until));
}

impl Callers {
    fn token(&self, token: &str, now: DateTime<Utc>) -> Option<String> {
        recall(&self.tokens, token, now)
    }

    fn remember_token(&self, token: &str, verified: &VerifiedUser, now: DateTime<Utc>) {
        let expires = DateTime::from_timestamp(verified.expires_at, 0).unwrap_or(now);
        let until = expires.min(now + TOKEN_MEMORY);
        remember(&self.tokens, token, verified.user_id.clone(), until, now);
    }

    fn user(&self, user_id: &str, now: DateTime<Utc>) -> Option<UserRow> {
        recall(&self.users, user_id, now)
    }

    fn remember_user(&self, user_id: &str, row: &UserRow, now: DateTime<Utc>) {
        remember(&self.users, user_id, row.clone(), now + USER_MEMORY, now);
    }

    /// Forgets the remembered row of a user (sync changed it).
    pub fn forget_user(&self, user_id: &str) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(user_id);
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Who is calling: `Authorization: Basic base64(environmentId:apiKey)` is the super admin;
/// `Authorization: Bearer <access token>` (or `roq-platform-authorization: Bearer …`, as
/// `@roq/client` sends it) is that user, if active; no credentials is anonymous.
pub async fn caller(baas: &Baas, headers: &HeaderMap) -> BaasResult<Caller> {
    let authorization = header(headers, axum::http::header::AUTHORIZATION.as_str());
    if let Some(value) = authorization
        && value.len() > 6
        && value[..6].eq_ignore_ascii_case("basic ")
    {
        let Some(BasicCredentials {
            environment_id,
            api_key,
        }) = BasicCredentials::parse(value)
        else {
            return Err(BaasError::Unauthorized(
                "the Basic credentials are malformed: send base64(environmentId:apiKey)".into(),
            ));
        };
        return if baas.auth.is_super_admin(&environment_id, &api_key).await {
            Ok(Caller::SuperAdmin)
        } else {
            Err(BaasError::Unauthorized(
                "the environment id or API key is not correct".into(),
            ))
        };
    }
    let bearer = authorization
        .or_else(|| header(headers, "roq-platform-authorization"))
        .map(|value| {
            value
                .get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .map(|_| value[7..].trim())
                .ok_or_else(|| {
                    BaasError::Unauthorized(
                        "unsupported credentials: send `Authorization: Bearer <access token>` or `Basic base64(environmentId:apiKey)`".into(),
                    )
                })
        })
        .transpose()?;
    let Some(token) = bearer else {
        return Ok(Caller::Anonymous);
    };
    let now = baas.clock.now();
    let user_id = match baas.callers.token(token, now) {
        Some(user_id) => user_id,
        None => {
            let verified = baas
                .auth
                .verify_user_token(token)
                .await
                .map_err(BaasError::Unauthorized)?;
            baas.callers.remember_token(token, &verified, now);
            verified.user_id
        }
    };
    let row = match baas.callers.user(&user_id, now) {
        Some(row) => row,
        None => {
            let row = user_row(baas, &user_id).await?;
            baas.callers.remember_user(&user_id, &row, now);
            row
        }
    };
    if !row.active {
        return Err(BaasError::Unauthorized(
            "this user is deactivated: their access tokens are no longer accepted".into(),
        ));
    }
    Ok(Caller::User(UserCaller {
        id: user_id,
        tenant_id: row.tenant_id,
        grants: Arc::new(Grants::default()),
    }))
}

/// The synced row of `user_id` (who must be on the BaaS), as sync keeps it.
async fn user_row(baas: &Baas, user_id: &str) -> BaasResult<UserRow> {
    let state = baas
        .sync_states(Entity::User, &[user_id.to_owned()])
        .await?
        .pop()
        .map(|(_, state)| state)
        .ok_or_else(|| {
            BaasError::Unauthorized(
                "the access token's user is not on the BaaS (a new user arrives within moments; try again)".into(),
            )
        })?;
    let field = |name: &str| state.get(name).map(|s| &s.value);
    let tenant_id = field("tenant_id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| BaasError::internal("a user row without a tenant"))?;
    Ok(UserRow {
        tenant_id: tenant_id.to_owned(),
        active: field("active") == Some(&serde_json::Value::Bool(true)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_remembered_until_it_expires_and_at_most_a_minute() {
        let callers = Callers::default();
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let soon = VerifiedUser {
            user_id: "u1".into(),
            expires_at: now.timestamp() + 10,
        };
        callers.remember_token("t1", &soon, now);
        assert_eq!(callers.token("t1", now), Some("u1".into()));
        assert_eq!(
            callers.token("t1", now + Duration::seconds(10)),
            None,
            "expired"
        );
        let long = VerifiedUser {
            user_id: "u2".into(),
            expires_at: now.timestamp() + 3600,
        };
        callers.remember_token("t2", &long, now);
        assert_eq!(
            callers.token("t2", now + Duration::seconds(59)),
            Some("u2".into())
        );
        assert_eq!(
            callers.token("t2", now + TOKEN_MEMORY),
            None,
            "checked again after a minute"
        );
        assert_eq!(callers.token("other", now), None);
    }

    #[test]
    fn a_users_row_is_forgotten_when_sync_changes_it_or_after_a_while() {
        let callers = Callers::default();
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let row = UserRow {
            tenant_id: "t".into(),
            active: true,
        };
        callers.remember_user("u1", &row, now);
        assert_eq!(callers.user("u1", now), Some(row.clone()));
        assert_eq!(callers.user("u1", now + USER_MEMORY), None);
        callers.remember_user("u1", &row, now);
        callers.forget_user("u1");
        assert_eq!(callers.user("u1", now), None);
    }
}
