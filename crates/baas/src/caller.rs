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
//!
//! What a caller may do comes from the roles sync keeps here (`mirror::ACCESS_TABLES`): the
//! user's role ids are remembered with their row, and every role's permissions in one
//! [`RoleBook`], both for at most [`USER_MEMORY`] and forgotten as soon as sync changes them in
//! this process. So a permission or role change takes effect on the next request here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use tandem_core::BasicCredentials;
use tandem_core::access::{Rule, Scope, decode_role_ids, decode_rules};
use tandem_core::merge::{Entity, FieldState};
use tandem_sql::outbox::STATE_CHUNK;

use crate::error::{BaasError, BaasResult};
use crate::query::access::{Caller, Grants, Guard, UserCaller};
use crate::query::policy::AuthRow;
use crate::query::{self, OpName};
use crate::schema::{Builtin, ScalarType};
use crate::value::{self, Value};
use crate::{Baas, VerifiedUser};

/// The longest a verified token is taken on trust.
pub const TOKEN_MEMORY: Duration = Duration::seconds(60);
/// The longest a caller's synced row is taken on trust (when no sync apply here changed it).
pub const USER_MEMORY: Duration = Duration::seconds(2);
/// Remembered entries of each kind at most; past it, the expired ones go (or all).
const MAX_REMEMBERED: usize = 10_000;

/// What the BaaS needs of a caller's synced `user` row, and the ids of their roles.
#[derive(Debug, Clone, PartialEq)]
struct UserRow {
    tenant_id: String,
    active: bool,
    roles: Vec<String>,
    /// Their whole `user` row, for `auth()` in the schema's policies (empty without any).
    auth: Arc<AuthRow>,
}

/// Every role's permissions, as synced here.
#[derive(Debug, Default)]
pub struct RoleBook {
    roles: HashMap<String, Vec<Rule>>,
    /// The `public` permissions of every role: what anybody may do.
    public: Arc<Grants>,
    public_rules: Vec<Rule>,
}

impl RoleBook {
    pub fn new(roles: HashMap<String, Vec<Rule>>) -> Self {
        // The Platform lets `public` open only reading, never of the people; the BaaS holds
        // to that whatever it is sent.
        let public_rules: Vec<Rule> = roles
            .values()
            .flatten()
            .filter(|r| {
                r.scope == Scope::Public
                    && r.operation == tandem_core::access::Operation::Read
                    && !matches!(
                        crate::schema::lower_first(&r.entity).as_str(),
                        "user" | "tenant"
                    )
            })
            .cloned()
            .collect();
        Self {
            public: Arc::new(Grants::new(&public_rules)),
            public_rules,
            roles,
        }
    }

    /// What a holder of `role_ids` may do: their roles' permissions and the public ones.
    /// Ids of roles not (yet) here count for nothing.
    pub fn grants(&self, role_ids: &[String]) -> Grants {
        let held = role_ids
            .iter()
            .filter_map(|id| self.roles.get(id))
            .flatten()
            .filter(|r| r.scope != Scope::Public);
        Grants::new(held.chain(&self.public_rules))
    }
}

/// Verified tokens, callers' rows and the roles, each with the time it may be used until.
#[derive(Debug, Default)]
pub struct Callers {
    tokens: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    users: Mutex<HashMap<String, (UserRow, DateTime<Utc>)>>,
    roles: Mutex<Option<(Arc<RoleBook>, DateTime<Utc>)>>,
    /// Counts forgets: what was read before one (and so may predate the change that caused
    /// it) is not remembered.
    generation: AtomicU64,
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
    if let Ok(mut map) = map.lock() {
        remember_in(&mut map, key, value, until, now);
    }
}

fn remember_in<V>(
    map: &mut HashMap<String, (V, DateTime<Utc>)>,
    key: &str,
    value: V,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) {
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

    /// Where a read that may be remembered starts: see [`Self::remember_user`].
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers a row read since `generation`, unless something was forgotten meanwhile.
    fn remember_user(&self, user_id: &str, row: &UserRow, generation: u64, now: DateTime<Utc>) {
        let Ok(mut users) = self.users.lock() else {
            return;
        };
        if self.generation() == generation {
            remember_in(&mut users, user_id, row.clone(), now + USER_MEMORY, now);
        }
    }

    /// Forgets the remembered row and roles of a user (sync changed them).
    pub fn forget_user(&self, user_id: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut users) = self.users.lock() {
            users.remove(user_id);
        }
    }

    fn roles(&self, now: DateTime<Utc>) -> Option<Arc<RoleBook>> {
        let roles = self.roles.lock().ok()?;
        roles
            .as_ref()
            .filter(|(_, until)| *until > now)
            .map(|(book, _)| book.clone())
    }

    fn remember_roles(&self, book: Arc<RoleBook>, generation: u64, now: DateTime<Utc>) {
        if let Ok(mut roles) = self.roles.lock()
            && self.generation() == generation
        {
            *roles = Some((book, now + USER_MEMORY));
        }
    }

    /// Forgets the remembered roles (sync changed one).
    pub fn forget_roles(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut roles) = self.roles.lock() {
            *roles = None;
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
    let now = baas.clock.now();
    let Some(token) = bearer else {
        return Ok(Caller::Anonymous(
            role_book(baas, now).await?.public.clone(),
        ));
    };
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
            let generation = baas.callers.generation();
            let row = user_row(baas, &user_id).await?;
            baas.callers.remember_user(&user_id, &row, generation, now);
            row
        }
    };
    if !row.active {
        return Err(BaasError::Unauthorized(
            "this user is deactivated: their access tokens are no longer accepted".into(),
        ));
    }
    let grants = role_book(baas, now).await?.grants(&row.roles);
    Ok(Caller::User(UserCaller {
        id: user_id,
        tenant_id: row.tenant_id,
        grants: Arc::new(grants),
        auth: row.auth,
    }))
}

/// Every role's permissions, remembered or read from the synced access table.
async fn role_book(baas: &Baas, now: DateTime<Utc>) -> BaasResult<Arc<RoleBook>> {
    if let Some(book) = baas.callers.roles(now) {
        return Ok(book);
    }
    let generation = baas.callers.generation();
    let mut roles = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let page = baas
            .sync_state_page(Entity::Role, after.as_deref(), STATE_CHUNK as u64)
            .await?;
        let full = page.len() >= STATE_CHUNK;
        for (id, state) in page {
            after = Some(id.clone());
            // Sync stores only what decodes; a role that does not (a manual edit) grants
            // nothing rather than failing every caller's request.
            match text_field(&state, "permissions").map(decode_rules) {
                Some(Ok(rules)) => {
                    roles.insert(id, rules);
                }
                Some(Err(e)) => {
                    tracing::warn!(role = %id, error = %e, "a synced role's permissions do not decode; it grants nothing");
                }
                None => {}
            }
        }
        if !full {
            break;
        }
    }
    let book = Arc::new(RoleBook::new(roles));
    baas.callers.remember_roles(book.clone(), generation, now);
    Ok(book)
}

fn text_field<'s>(state: &'s FieldState, name: &str) -> Option<&'s str> {
    state.get(name).and_then(|s| s.value.as_str())
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
    let roles = match baas
        .sync_states(Entity::UserRoles, &[user_id.to_owned()])
        .await?
        .pop()
    {
        Some((_, state)) => text_field(&state, "roles")
            .map(decode_role_ids)
            .transpose()
            .map_err(|e| BaasError::internal(format!("roles of user {user_id}: {e}")))?
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let schema = &baas.engine.schema;
    let auth = if schema.has_policies() {
        auth_row(baas, user_id).await?
    } else {
        AuthRow::new()
    };
    Ok(UserRow {
        tenant_id: tenant_id.to_owned(),
        active: field("active") == Some(&serde_json::Value::Bool(true)),
        roles,
        auth: Arc::new(auth),
    })
}

/// The scalar fields of the caller's `user` row, as `auth()` in a policy reads them.
async fn auth_row(baas: &Baas, user_id: &str) -> BaasResult<AuthRow> {
    let schema = &baas.engine.schema;
    let model = schema
        .model_id(Builtin::User.name())
        .ok_or_else(|| BaasError::internal("no user model"))?;
    // Every scalar, `@omit` ones too: a rule may read any of them.
    let every: serde_json::Map<String, serde_json::Value> = schema
        .model(model)
        .scalar_fields()
        .map(|(_, f)| (f.name.clone(), serde_json::Value::Bool(true)))
        .collect();
    let args = serde_json::json!({"where": {"id": user_id}, "select": every});
    let find = query::prepare(schema, model, OpName::FindUnique, &args, baas.is_postgres())?;
    let guard = Guard::new(schema, Caller::SuperAdmin, baas.clock.now());
    let found = baas
        .engine
        .run(model, &find, baas.clock.now(), &guard)
        .await?
        .data;
    if found.is_null() {
        return Err(BaasError::Unauthorized(
            "the access token's user is not on the BaaS (a new user arrives within moments; try again)".into(),
        ));
    }
    Ok(schema
        .model(model)
        .scalar_fields()
        .map(|(id, f)| {
            let ty = f.scalar().unwrap_or(ScalarType::String);
            let value = value::from_json(&found[&f.name], ty).unwrap_or(Value::Null);
            (id, value)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::access::Operation;

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
            roles: vec!["r1".into()],
            auth: Arc::new(AuthRow::new()),
        };
        callers.remember_user("u1", &row, callers.generation(), now);
        assert_eq!(callers.user("u1", now), Some(row.clone()));
        assert_eq!(callers.user("u1", now + USER_MEMORY), None);
        callers.remember_user("u1", &row, callers.generation(), now);
        callers.forget_user("u1");
        assert_eq!(callers.user("u1", now), None);
        // A row read before sync changed something is not remembered after it.
        let before = callers.generation();
        callers.forget_user("u2");
        callers.remember_user("u1", &row, before, now);
        assert_eq!(callers.user("u1", now), None);
    }

    fn rule(entity: &str, operation: Operation, scope: Scope) -> Rule {
        Rule {
            entity: entity.into(),
            operation,
            scope,
        }
    }

    #[test]
    fn a_holder_gets_their_roles_permissions_and_everybody_the_public_ones() {
        let book = RoleBook::new(HashMap::from([
            (
                "editor".to_owned(),
                vec![rule("project", Operation::Update, Scope::Tenant)],
            ),
            (
                "viewer".to_owned(),
                vec![
                    rule("project", Operation::Read, Scope::Own),
                    rule("post", Operation::Read, Scope::Public),
                ],
            ),
        ]));
        let editor = book.grants(&["editor".into(), "gone".into()]);
        assert_eq!(
            editor.scope("project", Operation::Update),
            Some(Scope::Tenant)
        );
        assert_eq!(editor.scope("project", Operation::Read), None);
        assert_eq!(
            editor.scope("post", Operation::Read),
            Some(Scope::Public),
            "public permissions of roles one does not hold count too"
        );
        assert_eq!(
            book.public.scope("post", Operation::Read),
            Some(Scope::Public)
        );
        assert_eq!(book.public.scope("project", Operation::Read), None);
        let nobody = book.grants(&[]);
        assert_eq!(nobody.scope("project", Operation::Read), None);
    }

    #[test]
    fn the_roles_are_forgotten_when_sync_changes_one_or_after_a_while() {
        let callers = Callers::default();
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let book = || Arc::new(RoleBook::default());
        callers.remember_roles(book(), callers.generation(), now);
        assert!(callers.roles(now).is_some());
        assert!(callers.roles(now + USER_MEMORY).is_none());
        callers.remember_roles(book(), callers.generation(), now);
        callers.forget_roles();
        assert!(callers.roles(now).is_none());
        let before = callers.generation();
        callers.forget_roles();
        callers.remember_roles(book(), before, now);
        assert!(
            callers.roles(now).is_none(),
            "read before a change, not remembered"
        );
    }
}
