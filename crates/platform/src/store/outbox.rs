//! The Platform store's outbox and its way back in — its half of the sync engine's storage:
//! every write to a synced field stamps the field and records an outbox event in the same
//! transaction ([`SqlPlatformStore::record`]); events from the BaaS are applied, merged field
//! by field under those stamps ([`SqlPlatformStore::apply_in`]); and the synced state can be
//! read for reconciliation. The sync engine (`tandem-sync`) drives all of it; this module only
//! touches the Platform's own tables and its sync tables ([`SYNC_TABLES`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use sea_query::{Alias, Expr, Query};
use serde_json::{Value, json};
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, Stamped, SyncEvent, merge};
use tandem_core::{Hlc, Side};
use tandem_sql::Tx;
use tandem_sql::outbox::{
    STATE_CHUNK, StateRows, SyncTables, WriteError, decode_stamps, digests, event_id,
};

use tandem_core::access::{Rule, encode_role_ids, encode_rules};

use super::tables::{
    PermissionRow, Permissions, Tenants, UserRoles, Users, instant, millis, select_permissions,
};
use super::{SqlPlatformStore, StoreError, StoreResult};
use crate::domain::{Permission, Tenant, User};

/// The Platform store's sync tables.
pub const SYNC_TABLES: SyncTables = SyncTables {
    outbox: "sync_outbox",
    stamps: "sync_stamps",
    applied: "sync_applied",
    counters: "sync_counters",
    nonces: "sync_nonces",
};

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A user's synced fields as values.
pub(super) fn user_values(u: &User) -> Vec<(&'static str, Value)> {
    vec![
        ("email", json!(u.email.as_str())),
        ("first_name", json!(u.first_name)),
        ("last_name", json!(u.last_name)),
        ("locale", json!(u.locale)),
        ("timezone", json!(u.timezone)),
        ("avatar_url", json!(u.avatar_url)),
        ("tenant_id", json!(u.tenant_id.to_string())),
        ("active", json!(u.active)),
        ("created_at", json!(iso(u.created_at))),
    ]
}

pub(super) fn tenant_values(t: &Tenant) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!(t.name)),
        ("created_at", json!(iso(t.created_at))),
    ]
}

/// The column a BaaS-writable field lands in.
fn user_column(field: &str) -> Option<Users> {
    Some(match field {
        "first_name" => Users::FirstName,
        "last_name" => Users::LastName,
        "locale" => Users::Locale,
        "timezone" => Users::Timezone,
        "avatar_url" => Users::AvatarUrl,
        _ => return None,
    })
}

#[derive(sqlx::FromRow)]
struct UserSyncRow {
    id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    timezone: Option<String>,
    avatar_url: Option<String>,
    tenant_id: String,
    active: bool,
    created_at: i64,
    stamps: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RoleSyncRow {
    id: String,
    key: String,
    stamps: Option<String>,
}

#[derive(sqlx::FromRow)]
struct IdSyncRow {
    id: String,
    stamps: Option<String>,
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: String,
}

#[derive(sqlx::FromRow)]
struct HeldRoleRow {
    user_id: String,
    role_id: String,
}

#[derive(sqlx::FromRow)]
struct TenantSyncRow {
    id: String,
    name: String,
    created_at: i64,
    stamps: Option<String>,
}

fn with_stamps(values: Vec<(&'static str, Value)>, stamps: &BTreeMap<String, Hlc>) -> FieldState {
    values
        .into_iter()
        .map(|(name, value)| {
            let stamp = stamps.get(name).copied().unwrap_or(Hlc::ZERO);
            (name.to_owned(), Stamped { value, stamp })
        })
        .collect()
}

fn stamps_of(raw: Option<&str>) -> StoreResult<BTreeMap<String, Hlc>> {
    match raw {
        Some(text) => Ok(decode_stamps(text)?),
        None => Ok(BTreeMap::new()),
    }
}

impl SqlPlatformStore {
    /// Stamps the `changed` fields of an entity with a fresh stamp and records the entity's
    /// whole synced state as an outbox event, inside the transaction of the change.
    #[tracing::instrument(
        skip_all,
        fields(entity = entity.name(), id = %id, changed = changed.len())
    )]
    pub(super) async fn record(
        &self,
        tx: &mut Tx,
        entity: Entity,
        id: &str,
        values: Vec<(&'static str, Value)>,
        changed: &[&str],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if changed.is_empty() {
            return Ok(());
        }
        let mut stamps = SYNC_TABLES
            .load_stamps(tx, entity, &[id.to_owned()])
            .await?
            .remove(id)
            .unwrap_or_default();
        // The row is locked by this transaction's write: a stamp after every stamp it holds
        // orders this change after the ones before it, even when they came from another
        // process (scale-out) whose clock runs ahead of ours.
        for s in stamps.values() {
            self.hlc.observe(*s);
        }
        let stamp = self.hlc.now_at(millis(now));
        for name in changed {
            stamps.insert((*name).to_owned(), stamp);
        }
        SYNC_TABLES.save_stamps(tx, entity, id, &stamps).await?;
        let event = SyncEvent {
            id: event_id(Side::Platform),
            entity,
            entity_id: id.to_owned(),
            origin: Side::Platform,
            fields: with_stamps(values, &stamps),
            changed: changed.iter().map(|c| (*c).to_owned()).collect(),
            committed_ms: millis(now),
        };
        SYNC_TABLES.enqueue(tx, &event).await?;
        Ok(())
    }

    /// Wakes the relay after a commit that recorded events.
    pub(super) fn signal_outbox(&self) {
        self.signal.notify_one();
    }

    async fn states_in(
        &self,
        exec: &mut Option<&mut Tx>,
        entity: Entity,
        rows: StateRows<'_>,
    ) -> StoreResult<Vec<(String, FieldState)>> {
        let (table, columns): (&str, &[&str]) = match entity {
            Entity::User => (
                "users",
                &[
                    "email",
                    "first_name",
                    "last_name",
                    "locale",
                    "timezone",
                    "avatar_url",
                    "tenant_id",
                    "active",
                    "created_at",
                ],
            ),
            Entity::Tenant => ("tenants", &["name", "created_at"]),
            Entity::Role => ("roles", &["key"]),
            // A user's roles are gathered from `user_roles` below.
            Entity::UserRoles => ("users", &[]),
        };
        let mut q = SYNC_TABLES.state_select(entity, table, columns, &rows);
        if entity == Entity::UserRoles {
            // A user has this state once they held a role: a user who never did has none on
            // either side (nothing to sync, nothing for reconcile to repair).
            let held = Query::select()
                .column(UserRoles::UserId)
                .from(UserRoles::Table)
                .to_owned();
            q.and_where(
                Expr::col((Alias::new(SYNC_TABLES.stamps), Alias::new("stamps")))
                    .is_not_null()
                    .or(Expr::col((Users::Table, Users::Id)).in_subquery(held)),
            );
        }
        if let (Some(tx), StateRows::Ids(ids)) = (exec.as_mut(), &rows) {
            // Applying reads, merges and writes: hold the entity's row meanwhile.
            SYNC_TABLES.lock_rows(tx, table, ids).await?;
        }
        let mut out = Vec::new();
        match entity {
            Entity::User => {
                let found: Vec<UserSyncRow> = match exec {
                    Some(tx) => tx.fetch_all(&q).await?,
                    None => self.db.fetch_all(&q).await?,
                };
                for r in found {
                    let values = vec![
                        ("email", json!(r.email)),
                        ("first_name", json!(r.first_name)),
                        ("last_name", json!(r.last_name)),
                        ("locale", json!(r.locale)),
                        ("timezone", json!(r.timezone)),
                        ("avatar_url", json!(r.avatar_url)),
                        ("tenant_id", json!(r.tenant_id)),
                        ("active", json!(r.active)),
                        ("created_at", json!(iso(instant(r.created_at)?))),
                    ];
                    let stamps = stamps_of(r.stamps.as_deref())?;
                    out.push((r.id, with_stamps(values, &stamps)));
                }
            }
            Entity::Tenant => {
                let found: Vec<TenantSyncRow> = match exec {
                    Some(tx) => tx.fetch_all(&q).await?,
                    None => self.db.fetch_all(&q).await?,
                };
                for r in found {
                    let values = vec![
                        ("name", json!(r.name)),
                        ("created_at", json!(iso(instant(r.created_at)?))),
                    ];
                    let stamps = stamps_of(r.stamps.as_deref())?;
                    out.push((r.id, with_stamps(values, &stamps)));
                }
            }
            Entity::Role => {
                let found: Vec<RoleSyncRow> = match exec {
                    Some(tx) => tx.fetch_all(&q).await?,
                    None => self.db.fetch_all(&q).await?,
                };
                let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
                let mut rules = self.rules_of(exec, &ids).await?;
                for r in found {
                    let own = rules.remove(&r.id).unwrap_or_default();
                    let values = vec![
                        ("key", json!(r.key)),
                        ("permissions", json!(encode_rules(&own))),
                    ];
                    let stamps = stamps_of(r.stamps.as_deref())?;
                    out.push((r.id, with_stamps(values, &stamps)));
                }
            }
            Entity::UserRoles => {
                let found: Vec<IdSyncRow> = match exec {
                    Some(tx) => tx.fetch_all(&q).await?,
                    None => self.db.fetch_all(&q).await?,
                };
                let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
                let mut held = self.role_ids_of(exec, &ids).await?;
                for r in found {
                    let own = held.remove(&r.id).unwrap_or_default();
                    let values = vec![(
                        "roles",
                        json!(encode_role_ids(own.iter().map(String::as_str))),
                    )];
                    let stamps = stamps_of(r.stamps.as_deref())?;
                    out.push((r.id, with_stamps(values, &stamps)));
                }
            }
        }
        Ok(out)
    }

    /// The permissions of these roles, as rules.
    async fn rules_of(
        &self,
        exec: &mut Option<&mut Tx>,
        roles: &[String],
    ) -> StoreResult<HashMap<String, Vec<Rule>>> {
        let mut out: HashMap<String, Vec<Rule>> = HashMap::new();
        if roles.is_empty() {
            return Ok(out);
        }
        let q = select_permissions()
            .and_where(
                Expr::col((Permissions::Table, Permissions::RoleId)).is_in(roles.iter().cloned()),
            )
            .to_owned();
        let rows: Vec<PermissionRow> = match exec {
            Some(tx) => tx.fetch_all(&q).await?,
            None => self.db.fetch_all(&q).await?,
        };
        for row in rows {
            let p = Permission::try_from(row)?;
            out.entry(p.role_id.to_string()).or_default().push(p.rule);
        }
        Ok(out)
    }

    /// The role ids each of these users holds.
    async fn role_ids_of(
        &self,
        exec: &mut Option<&mut Tx>,
        users: &[String],
    ) -> StoreResult<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        if users.is_empty() {
            return Ok(out);
        }
        let q = Query::select()
            .columns([UserRoles::UserId, UserRoles::RoleId])
            .from(UserRoles::Table)
            .and_where(Expr::col(UserRoles::UserId).is_in(users.iter().cloned()))
            .to_owned();
        let rows: Vec<HeldRoleRow> = match exec {
            Some(tx) => tx.fetch_all(&q).await?,
            None => self.db.fetch_all(&q).await?,
        };
        for row in rows {
            out.entry(row.user_id).or_default().push(row.role_id);
        }
        Ok(out)
    }

    /// Records the roles of every user who holds some but whose roles were never recorded
    /// (assigned before roles synced to the BaaS), so the BaaS learns them at once rather
    /// than at the next reconcile. Returns how many; nothing to do on later starts.
    pub async fn backfill_user_roles(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let recorded = Query::select()
            .column(Alias::new("entity_id"))
            .from(Alias::new(SYNC_TABLES.stamps))
            .and_where(Expr::col(Alias::new("entity")).eq(Entity::UserRoles.name()))
            .to_owned();
        let q = Query::select()
            .distinct()
            .expr_as(Expr::col(UserRoles::UserId), Alias::new("id"))
            .from(UserRoles::Table)
            .and_where(Expr::col(UserRoles::UserId).not_in_subquery(recorded))
            .to_owned();
        let users: Vec<IdRow> = self.db.fetch_all(&q).await?;
        for user in &users {
            let mut tx = self.db.begin().await?;
            SYNC_TABLES
                .lock_rows(&mut tx, "users", std::slice::from_ref(&user.id))
                .await?;
            self.record_access(&mut tx, Entity::UserRoles, &user.id, &["roles"], now)
                .await?;
            tx.commit().await?;
        }
        if !users.is_empty() {
            self.signal_outbox();
        }
        Ok(users.len() as u64)
    }

    /// After a write to a role's permissions or a user's roles (`entity` is `Role` or
    /// `UserRoles`), inside its transaction: records the entity's state as it now is. Reading
    /// it locks the role's (or user's) row first, so concurrent changes are recorded in order,
    /// each with all the earlier ones.
    pub(super) async fn record_access(
        &self,
        tx: &mut Tx,
        entity: Entity,
        id: &str,
        changed: &[&str],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let state = self
            .states_in(
                &mut Some(&mut *tx),
                entity,
                StateRows::Ids(std::slice::from_ref(&id.to_owned())),
            )
            .await?
            .pop()
            .map(|(_, state)| state)
            .unwrap_or_default();
        let values = entity
            .fields()
            .iter()
            .map(|f| {
                // Only a user who never held a role has no state yet: they hold none.
                let value = state.get(f.name).map_or(json!("[]"), |s| s.value.clone());
                (f.name, value)
            })
            .collect();
        self.record(tx, entity, id, values, changed, now).await
    }

    /// The synced state (values and stamps) of the given entities that exist here.
    #[tracing::instrument(skip_all, fields(entity = entity.name(), ids = ids.len()))]
    pub async fn sync_states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> StoreResult<Vec<(String, FieldState)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(STATE_CHUNK) {
            out.extend(
                self.states_in(&mut None, entity, StateRows::Ids(chunk))
                    .await?,
            );
        }
        Ok(out)
    }

    /// Digests of up to `limit` entities with ids after `after`, in id order.
    #[tracing::instrument(skip_all, fields(entity = entity.name(), after = ?after, limit = limit))]
    pub async fn sync_digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<(String, u64)>> {
        let states = self
            .states_in(&mut None, entity, StateRows::After(after, limit))
            .await?;
        Ok(digests(entity, states))
    }

    /// Takes note of applied events' stamps, after their commit, so later local stamps come
    /// after them.
    pub fn observe(&self, events: &[SyncEvent]) {
        for max in events.iter().filter_map(SyncEvent::max_stamp) {
            self.hlc.observe(max);
        }
    }

    /// Merges one event from the BaaS into the Platform's row, field by field, inside `tx`
    /// (the sync engine batches and commits). The change is not recorded in the outbox: the
    /// BaaS has it already. A `Failed` outcome may leave `tx` half-written (or, on PostgreSQL,
    /// aborted): the caller rolls it back.
    #[tracing::instrument(
        skip_all,
        fields(event = %event.id, entity = event.entity.name(), id = %event.entity_id)
    )]
    pub async fn apply_in(
        &self,
        tx: &mut Tx,
        event: &SyncEvent,
        now: DateTime<Utc>,
    ) -> StoreResult<ApplyOutcome> {
        if event.origin != Side::Baas {
            return Ok(ApplyOutcome::Failed {
                error: "the Platform only applies events from the BaaS".into(),
            });
        }
        if !SYNC_TABLES.first_apply(tx, &event.id, millis(now)).await? {
            return Ok(ApplyOutcome::Duplicate);
        }
        let current = self
            .states_in(
                &mut Some(&mut *tx),
                event.entity,
                StateRows::Ids(std::slice::from_ref(&event.entity_id)),
            )
            .await?
            .pop();
        let Some((_, current)) = current else {
            return Ok(ApplyOutcome::Failed {
                error: format!(
                    "the Platform has no {} with id {}; {}s are created on the Platform only",
                    event.entity.name(),
                    event.entity_id,
                    event.entity.name()
                ),
            });
        };
        let merged = merge(
            event.entity,
            event.origin,
            &current,
            &event.fields,
            &event.changed,
        );
        if !merged.writes.is_empty() {
            match self.write_fields(tx, event, &merged.writes, now).await {
                Ok(()) => {}
                Err(WriteError::Refused(error)) => return Ok(ApplyOutcome::Failed { error }),
                Err(WriteError::Store(err)) => return Err(err.into()),
            }
            SYNC_TABLES
                .save_merged_stamps(tx, event, Some(&current), &merged.writes)
                .await?;
        }
        Ok(ApplyOutcome::Applied {
            changed: !merged.writes.is_empty(),
            conflicts: merged.conflicts,
        })
    }

    /// Writes merged BaaS-writable fields; `Err` is a message about a value of the wrong type.
    async fn write_fields(
        &self,
        tx: &mut Tx,
        event: &SyncEvent,
        writes: &FieldState,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let text = |name: &str, v: &Value| -> Result<Option<String>, String> {
            if let Some(field) = event.entity.field(name) {
                field.check_value(v)?;
            }
            match v {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                other => Err(format!("`{name}` must be a string or null, not {other}")),
            }
        };
        let mut q = Query::update();
        match event.entity {
            Entity::User => {
                q.table(Users::Table)
                    .value(Users::UpdatedAt, millis(now))
                    .and_where(Expr::col(Users::Id).eq(event.entity_id.as_str()));
                for (name, s) in writes {
                    if let Some(col) = user_column(name) {
                        q.value(col, text(name, &s.value)?);
                    }
                }
            }
            Entity::Tenant => {
                q.table(Tenants::Table)
                    .value(Tenants::UpdatedAt, millis(now))
                    .and_where(Expr::col(Tenants::Id).eq(event.entity_id.as_str()));
                if let Some(s) = writes.get("name") {
                    q.value(Tenants::Name, text("name", &s.value)?);
                }
            }
            // Every field of these is the Platform's: `merge` never lets the BaaS write one.
            Entity::Role | Entity::UserRoles => {
                return Err(WriteError::Refused(format!(
                    "the BaaS cannot change a {}",
                    event.entity.name()
                )));
            }
        }
        tx.execute(&q)
            .await
            .map_err(|e| WriteError::from_db(e, ToString::to_string))?;
        Ok(())
    }

    /// Marks users whose create reached the BaaS (`UserModel.synced`).
    #[tracing::instrument(skip_all, fields(users = user_ids.len()))]
    pub async fn mark_synced(&self, user_ids: &[String]) -> StoreResult<()> {
        if user_ids.is_empty() {
            return Ok(());
        }
        let mut q = Query::update();
        q.table(Users::Table)
            .value(Users::Synced, true)
            .and_where(Expr::col(Users::Id).is_in(user_ids.iter().cloned()))
            .and_where(Expr::col(Users::Synced).eq(false));
        self.db.execute(&q).await?;
        Ok(())
    }
}

/// The synced user fields an update touches.
pub(super) fn changed_user_fields(changes: &crate::domain::UserChanges) -> Vec<&'static str> {
    use crate::domain::Change::Set;
    let mut out = Vec::new();
    let c = changes;
    for (name, set) in [
        ("email", matches!(c.email, Set(_))),
        ("first_name", matches!(c.first_name, Set(_))),
        ("last_name", matches!(c.last_name, Set(_))),
        ("locale", matches!(c.locale, Set(_))),
        ("timezone", matches!(c.timezone, Set(_))),
        ("avatar_url", matches!(c.avatar_url, Set(_))),
        ("tenant_id", matches!(c.tenant_id, Set(_))),
        ("active", matches!(c.active, Set(_))),
    ] {
        if set {
            out.push(name);
        }
    }
    out
}

/// Every synced field of an entity (a create writes them all).
pub(super) fn all_fields(entity: Entity) -> Vec<&'static str> {
    entity.fields().iter().map(|f| f.name).collect()
}

impl From<StoreError> for ApplyOutcome {
    fn from(err: StoreError) -> Self {
        ApplyOutcome::Failed {
            error: err.to_string(),
        }
    }
}
