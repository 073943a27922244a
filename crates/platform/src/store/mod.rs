//! The Platform store: one narrow trait ([`PlatformStore`]) that the service uses, and one
//! implementation ([`SqlPlatformStore`]) that serves SQLite and PostgreSQL alike by building
//! its statements with sea-query. What differs per backend (migrations, pattern matching) is in
//! `sqlite.rs` and `postgres.rs`.

pub mod outbox;
mod postgres;
mod sqlite;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use sea_query::{
    Alias, Cond, Condition, Expr, Func, Iden, IntoColumnRef, NullOrdering, OnConflict, Order,
    Query, SelectStatement, SimpleExpr,
};
use serde_json::{Map, Value};
use sqlx::types::Json;
use tandem_core::sync::Entity;
use tandem_core::{Email, HlcClock, RoleId, Side, TenantId, UserId};
use tandem_sql::{Db, DbError, DbOptions, DbUrl, Dialect, Migrations, Tx};
use tokio::sync::Notify;

use crate::domain::list::{
    BoolFilter, DateFilter, DateOp, FilterId, IdFilter, RoleQuery, RoleSearchKey, RoleSort,
    SortOrder, StringFilter, TenantQuery, UserQuery, UserSearchKey, UserSort,
};
use crate::domain::{Change, Page, Role, Tenant, User, UserChanges};
use crate::environment::EnvironmentRecord;

/// What a store operation can fail with that the service must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a user with this email already exists")]
    DuplicateEmail,
    #[error("a role with this key already exists")]
    DuplicateRoleKey,
    #[error("a {0} with id {1} already exists")]
    DuplicateId(&'static str, String),
    #[error("a referenced row does not exist")]
    ForeignKeyViolation,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the Platform service needs from storage.
#[async_trait]
pub trait PlatformStore: Send + Sync + 'static {
    async fn environment(&self) -> StoreResult<Option<EnvironmentRecord>>;
    /// Inserts the environment, or updates it when one with the same id exists.
    async fn save_environment(&self, environment: &EnvironmentRecord) -> StoreResult<()>;

    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Sets name and reference; `None` when the tenant does not exist.
    async fn update_tenant(
        &self,
        id: TenantId,
        name: &str,
        reference: Change<Option<String>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Tenant>>;
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn default_tenant(&self) -> StoreResult<Option<Tenant>>;
    async fn tenants_by_ids(&self, ids: &[TenantId]) -> StoreResult<Vec<Tenant>>;
    async fn list_tenants(&self, query: &TenantQuery) -> StoreResult<Page<Tenant>>;
    async fn count_users_by_tenant(&self, ids: &[TenantId]) -> StoreResult<HashMap<TenantId, i64>>;

    /// Inserts the user and its role assignments in one transaction.
    async fn insert_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()>;
    /// Writes only the columns that `changes` sets; `None` when the user does not exist.
    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn list_users(&self, query: &UserQuery) -> StoreResult<Page<User>>;
    /// The stored password hash: `None` for an unknown user, `Some(None)` when it has none.
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<Option<String>>>;
    /// Replaces the password hash if it is still `expected` (so two concurrent changes cannot
    /// both succeed) and revokes the user's earlier tokens (the next token generation).
    /// `false` when it was not replaced.
    async fn replace_password_hash(
        &self,
        id: UserId,
        expected: Option<&str>,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    async fn insert_role(&self, role: &Role) -> StoreResult<()>;
    async fn role(&self, id: RoleId) -> StoreResult<Option<Role>>;
    async fn roles_by_keys(&self, keys: &[String]) -> StoreResult<Vec<Role>>;
    async fn list_roles(&self, query: &RoleQuery) -> StoreResult<Page<Role>>;
    /// Adds assignments; ones that already exist are left as they are.
    async fn assign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn unassign_roles(&self, user: UserId, roles: &[RoleId]) -> StoreResult<()>;
    async fn roles_of_users(&self, users: &[UserId]) -> StoreResult<HashMap<UserId, Vec<Role>>>;
    /// Users per role, counting only users of `tenant` when given.
    async fn count_users_by_role(
        &self,
        roles: &[RoleId],
        tenant: Option<TenantId>,
    ) -> StoreResult<HashMap<RoleId, i64>>;
}

#[derive(Iden, Clone, Copy)]
enum Environment {
    Table,
    Id,
    ApiKeyHash,
    TokenKeySalt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum Tenants {
    Table,
    Id,
    Reference,
    Name,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Reference,
    Email,
    FirstName,
    LastName,
    Phone,
    Locale,
    Timezone,
    AvatarUrl,
    Active,
    IsOptedIn,
    OptedInAt,
    CustomData,
    TwoFactorEnabled,
    Synced,
    TenantId,
    PasswordHash,
    TokenGeneration,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    Key,
    Name,
    Description,
    Reference,
    IsSystemManaged,
    InviteRoleKeys,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
    CreatedAt,
}

const TENANT_COLUMNS: [Tenants; 6] = [
    Tenants::Id,
    Tenants::Reference,
    Tenants::Name,
    Tenants::IsDefault,
    Tenants::CreatedAt,
    Tenants::UpdatedAt,
];

const USER_COLUMNS: [Users; 19] = [
    Users::Id,
    Users::Reference,
    Users::Email,
    Users::FirstName,
    Users::LastName,
    Users::Phone,
    Users::Locale,
    Users::Timezone,
    Users::AvatarUrl,
    Users::Active,
    Users::IsOptedIn,
    Users::OptedInAt,
    Users::CustomData,
    Users::TwoFactorEnabled,
    Users::Synced,
    Users::TenantId,
    Users::TokenGeneration,
    Users::CreatedAt,
    Users::UpdatedAt,
];

const ROLE_COLUMNS: [Roles; 9] = [
    Roles::Id,
    Roles::Key,
    Roles::Name,
    Roles::Description,
    Roles::Reference,
    Roles::IsSystemManaged,
    Roles::InviteRoleKeys,
    Roles::CreatedAt,
    Roles::UpdatedAt,
];

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn instant(ms: i64) -> StoreResult<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} is out of range")))
}

fn parse_id<T>(
    raw: &str,
    parse: fn(&str) -> Result<T, tandem_core::IdParseError>,
) -> StoreResult<T> {
    parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[derive(sqlx::FromRow)]
struct EnvironmentRow {
    id: String,
    api_key_hash: String,
    token_key_salt: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: String,
    reference: Option<String>,
    name: String,
    is_default: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> StoreResult<Self> {
        Ok(Tenant {
            id: parse_id(&row.id, TenantId::parse)?,
            reference: row.reference,
            name: row.name,
            is_default: row.is_default,
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    reference: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    locale: Option<String>,
    timezone: Option<String>,
    avatar_url: Option<String>,
    active: bool,
    is_opted_in: bool,
    opted_in_at: Option<i64>,
    custom_data: Option<Json<Map<String, Value>>>,
    two_factor_enabled: bool,
    synced: bool,
    tenant_id: String,
    token_generation: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> StoreResult<Self> {
        Ok(User {
            id: parse_id(&row.id, UserId::parse)?,
            reference: row.reference,
            email: Email::from_storage(row.email),
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row.phone,
            locale: row.locale,
            timezone: row.timezone,
            avatar_url: row.avatar_url,
            active: row.active,
            is_opted_in: row.is_opted_in,
            opted_in_at: row.opted_in_at.map(instant).transpose()?,
            custom_data: row.custom_data.map(|j| j.0),
            two_factor_enabled: row.two_factor_enabled,
            synced: row.synced,
            tenant_id: parse_id(&row.tenant_id, TenantId::parse)?,
            token_generation: row.token_generation,
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: String,
    key: String,
    name: String,
    description: Option<String>,
    reference: Option<String>,
    is_system_managed: bool,
    invite_role_keys: Option<Json<Vec<String>>>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;
    fn try_from(row: RoleRow) -> StoreResult<Self> {
        Ok(Role {
            id: parse_id(&row.id, RoleId::parse)?,
            key: row.key,
            name: row.name,
            description: row.description,
            reference: row.reference,
            is_system_managed: row.is_system_managed,
            invite_role_keys: row.invite_role_keys.map(|j| j.0).unwrap_or_default(),
            created_at: instant(row.created_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AssignedRoleRow {
    user_id: String,
    #[sqlx(flatten)]
    role: RoleRow,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    count: i64,
}

#[derive(sqlx::FromRow)]
struct GroupCountRow {
    id: String,
    count: i64,
}

#[derive(sqlx::FromRow)]
struct PasswordRow {
    password_hash: Option<String>,
}

fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// The Platform store over SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct SqlPlatformStore {
    db: Db,
    /// Stamps synced fields; continues after the highest stamp stored.
    hlc: Arc<HlcClock>,
    /// Notified after each commit that recorded sync events.
    signal: Arc<Notify>,
}

impl SqlPlatformStore {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &DbUrl, options: DbOptions) -> Result<Self, DbError> {
        let db = Db::connect(url, options).await?;
        db.migrate(&Migrations {
            sqlite: &sqlite::MIGRATOR,
            postgres: &postgres::MIGRATOR,
        })
        .await?;
        outbox::SYNC_TABLES.create_if_missing(&db).await?;
        let hlc = HlcClock::new(Side::Platform);
        if let Some(max) = outbox::SYNC_TABLES.max_stamp(&db).await? {
            hlc.observe(max);
        }
        Ok(Self {
            db,
            hlc: Arc::new(hlc),
            signal: Arc::new(Notify::new()),
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The clock stamping this side's writes to synced fields.
    pub fn hlc(&self) -> &Arc<HlcClock> {
        &self.hlc
    }

    /// Notified whenever a commit recorded sync events (the relay waits on it).
    pub fn outbox_signal(&self) -> &Arc<Notify> {
        &self.signal
    }

    fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    fn select_users() -> SelectStatement {
        Query::select()
            .from(Users::Table)
            .columns(USER_COLUMNS.map(|c| (Users::Table, c)))
            .to_owned()
    }

    fn select_roles() -> SelectStatement {
        Query::select()
            .from(Roles::Table)
            .columns(ROLE_COLUMNS.map(|c| (Roles::Table, c)))
            .to_owned()
    }

    async fn count(&self, mut select: SelectStatement) -> StoreResult<i64> {
        select
            .clear_selects()
            .clear_order_by()
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"));
        let row: CountRow = self.db.fetch_one(&select).await?;
        Ok(row.count)
    }

    async fn page<R, T>(
        &self,
        select: SelectStatement,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Page<T>>
    where
        R: tandem_sql::AnyRow,
        T: TryFrom<R, Error = StoreError>,
    {
        let total_count = self.count(select.clone()).await?;
        let mut select = select;
        select.limit(u64::from(limit)).offset(u64::from(offset));
        let rows: Vec<R> = self.db.fetch_all(&select).await?;
        Ok(Page {
            data: convert_all(rows)?,
            total_count,
        })
    }

    fn like(&self, expr: SimpleExpr, pattern: &str) -> SimpleExpr {
        match self.dialect() {
            Dialect::Sqlite => sqlite::like(expr, pattern),
            Dialect::Postgres => postgres::like(expr, pattern),
        }
    }

    fn ilike(&self, expr: SimpleExpr, pattern: &str) -> SimpleExpr {
        match self.dialect() {
            Dialect::Sqlite => sqlite::ilike(expr, pattern),
            Dialect::Postgres => postgres::ilike(expr, pattern),
        }
    }

    /// Case-insensitive "contains", the needle taken literally.
    fn contains(&self, expr: SimpleExpr, needle: &str) -> SimpleExpr {
        self.ilike(expr, &format!("%{}%", escape_like(needle)))
    }

    fn string_filter(
        &self,
        col: impl IntoColumnRef + Copy,
        f: &StringFilter,
        fold: bool,
    ) -> Condition {
        // Folded columns (email) are stored lower-cased, so every comparison folds its value.
        let norm = |v: &String| if fold { v.to_lowercase() } else { v.clone() };
        let mut cond = Cond::all();
        if let Some(v) = &f.equal_to {
            cond = cond.add(Expr::col(col).eq(norm(v)));
        }
        if let Some(v) = &f.not_equal_to {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(col).ne(norm(v)))
                    .add(Expr::col(col).is_null()),
            );
        }
        if let Some(vs) = &f.value_in {
            cond = cond.add(Expr::col(col).is_in(vs.iter().map(norm)));
        }
        if let Some(vs) = &f.value_not_in {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(col).is_not_in(vs.iter().map(norm)))
                    .add(Expr::col(col).is_null()),
            );
        }
        if let Some(p) = &f.like {
            cond = cond.add(self.like(Expr::col(col).into(), &norm(p)));
        }
        if let Some(p) = &f.i_like {
            cond = cond.add(self.ilike(Expr::col(col).into(), p));
        }
        cond
    }

    /// Users whose set of roles matches: positive parts ask for a matching role, negative
    /// parts (`notEqualTo`, `valueNotIn`) for no matching role.
    fn role_membership(
        &self,
        role_cond_pos: Condition,
        role_cond_neg: Option<Condition>,
    ) -> Condition {
        let assigned = |cond: Condition| {
            Query::select()
                .column((UserRoles::Table, UserRoles::UserId))
                .from(UserRoles::Table)
                .inner_join(
                    Roles::Table,
                    Expr::col((Roles::Table, Roles::Id))
                        .equals((UserRoles::Table, UserRoles::RoleId)),
                )
                .cond_where(cond)
                .to_owned()
        };
        let mut out = Cond::all();
        if !role_cond_pos.is_empty() {
            out =
                out.add(Expr::col((Users::Table, Users::Id)).in_subquery(assigned(role_cond_pos)));
        }
        if let Some(neg) = role_cond_neg {
            out = out.add(Expr::col((Users::Table, Users::Id)).not_in_subquery(assigned(neg)));
        }
        out
    }

    fn user_condition(&self, query: &UserQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(tenant) = query.tenant_scope {
            cond = cond.add(Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()));
        }
        if let Some(id) = &f.id {
            cond = cond.add(id_filter((Users::Table, Users::Id), id));
        }
        if let Some(tenant) = &f.tenant_id {
            cond = cond.add(id_filter((Users::Table, Users::TenantId), tenant));
        }
        for (col, filter, fold) in [
            (Users::Email, &f.email, true),
            (Users::FirstName, &f.first_name, false),
            (Users::LastName, &f.last_name, false),
            (Users::Locale, &f.locale, false),
            (Users::Phone, &f.phone, false),
            (Users::Reference, &f.reference, false),
            (Users::Timezone, &f.timezone, false),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((Users::Table, col), filter, fold));
            }
        }
        match (&f.active, &f.with_deactivated) {
            (Some(active), _) => {
                cond = cond.add(bool_filter((Users::Table, Users::Active), active))
            }
            (None, Some(with))
                if with.equal_to == Some(true) || with.not_equal_to == Some(false) => {}
            _ => cond = cond.add(Expr::col((Users::Table, Users::Active)).eq(true)),
        }
        if let Some(dates) = &f.opted_in_at {
            cond = cond.add(date_filter((Users::Table, Users::OptedInAt), dates));
        }
        if let Some(role_id) = &f.role_id {
            let (pos, neg) = split_id_filter(role_id);
            cond = cond.add(
                self.role_membership(
                    pos.map(|p| id_filter((Roles::Table, Roles::Id), &p))
                        .unwrap_or_else(Cond::all),
                    neg.map(|n| id_filter((Roles::Table, Roles::Id), &n)),
                ),
            );
        }
        if let Some(role_key) = &f.role_key {
            let (pos, neg) = split_string_filter(role_key);
            cond = cond.add(
                self.role_membership(
                    pos.map(|p| self.string_filter((Roles::Table, Roles::Key), &p, false))
                        .unwrap_or_else(Cond::all),
                    neg.map(|n| self.string_filter((Roles::Table, Roles::Key), &n, false)),
                ),
            );
        }
        if let Some(text) = f.search.as_deref().filter(|s| !s.is_empty()) {
            cond = cond.add(
                Cond::any()
                    .add(self.contains(Expr::col((Users::Table, Users::Email)).into(), text))
                    .add(self.contains(Expr::col((Users::Table, Users::FirstName)).into(), text))
                    .add(self.contains(Expr::col((Users::Table, Users::LastName)).into(), text)),
            );
        }
        if let Some(search) = &query.search {
            let col = match search.key {
                UserSearchKey::Email => Users::Email,
                UserSearchKey::FirstName => Users::FirstName,
                UserSearchKey::LastName => Users::LastName,
                UserSearchKey::Locale => Users::Locale,
                UserSearchKey::Phone => Users::Phone,
                UserSearchKey::Timezone => Users::Timezone,
            };
            cond = cond.add(self.contains(Expr::col((Users::Table, col)).into(), &search.value));
        }
        cond
    }

    fn role_condition(&self, query: &RoleQuery) -> Condition {
        let f = &query.filter;
        let mut cond = Cond::all();
        if let Some(id) = &f.id {
            cond = cond.add(id_filter((Roles::Table, Roles::Id), id));
        }
        for (col, filter) in [
            (Roles::Key, &f.key),
            (Roles::Name, &f.name),
            (Roles::Description, &f.description),
        ] {
            if let Some(filter) = filter {
                cond = cond.add(self.string_filter((Roles::Table, col), filter, false));
            }
        }
        if let Some(managed) = &f.is_system_managed {
            cond = cond.add(bool_filter((Roles::Table, Roles::IsSystemManaged), managed));
        }
        if let Some(user_id) = &f.user_id {
            let (pos, neg) = split_id_filter(user_id);
            let assigned = |filter: &IdFilter<UserId>| {
                let mut select = Query::select()
                    .column((UserRoles::Table, UserRoles::RoleId))
                    .from(UserRoles::Table)
                    .cond_where(id_filter((UserRoles::Table, UserRoles::UserId), filter))
                    .to_owned();
                if let Some(tenant) = query.tenant_scope {
                    select
                        .inner_join(
                            Users::Table,
                            Expr::col((Users::Table, Users::Id))
                                .equals((UserRoles::Table, UserRoles::UserId)),
                        )
                        .and_where(
                            Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()),
                        );
                }
                select
            };
            if let Some(pos) = pos {
                cond = cond.add(Expr::col((Roles::Table, Roles::Id)).in_subquery(assigned(&pos)));
            }
            if let Some(neg) = neg {
                cond =
                    cond.add(Expr::col((Roles::Table, Roles::Id)).not_in_subquery(assigned(&neg)));
            }
        }
        if let Some(search) = &query.search {
            let col = match search.key {
                RoleSearchKey::Description => Roles::Description,
                RoleSearchKey::Key => Roles::Key,
                RoleSearchKey::Name => Roles::Name,
            };
            cond = cond.add(self.contains(Expr::col((Roles::Table, col)).into(), &search.value));
        }
        cond
    }

    async fn insert_role_assignments(
        tx: &mut Tx,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if roles.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(UserRoles::Table)
            .columns([UserRoles::UserId, UserRoles::RoleId, UserRoles::CreatedAt])
            .on_conflict(
                OnConflict::columns([UserRoles::UserId, UserRoles::RoleId])
                    .do_nothing()
                    .to_owned(),
            );
        for role in roles {
            insert.values_panic([
                user.to_string().into(),
                role.to_string().into(),
                millis(now).into(),
            ]);
        }
        tx.execute(&insert).await?;
        Ok(())
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn id_filter<T: std::fmt::Display>(col: impl IntoColumnRef + Copy, f: &IdFilter<T>) -> Condition {
    // Ids are stored in canonical form, which is how a parsed id prints: `{…}` or upper-case
    // spellings of a UUID still match.
    let text = |v: &FilterId<T>| match v {
        FilterId::Id(id) => id.to_string(),
        FilterId::NotAnId(raw) => raw.clone(),
    };
    let mut cond = Cond::all();
    if let Some(v) = &f.equal_to {
        cond = cond.add(Expr::col(col).eq(text(v)));
    }
    if let Some(v) = &f.not_equal_to {
        cond = cond.add(Expr::col(col).ne(text(v)));
    }
    if let Some(vs) = &f.value_in {
        cond = cond.add(Expr::col(col).is_in(vs.iter().map(text)));
    }
    if let Some(vs) = &f.value_not_in {
        cond = cond.add(Expr::col(col).is_not_in(vs.iter().map(text)));
    }
    cond
}

fn bool_filter(col: impl IntoColumnRef + Copy, f: &BoolFilter) -> Condition {
    let mut cond = Cond::all();
    if let Some(v) = f.equal_to {
        cond = cond.add(Expr::col(col).eq(v));
    }
    if let Some(v) = f.not_equal_to {
        cond = cond.add(Expr::col(col).ne(v));
    }
    cond
}

fn date_filter(col: impl IntoColumnRef + Copy, f: &DateFilter) -> Condition {
    f.bounds().into_iter().fold(Cond::all(), |cond, (op, at)| {
        let v = millis(at);
        let c = Expr::col(col);
        cond.add(match op {
            DateOp::Eq => c.eq(v),
            DateOp::Ne => c.ne(v),
            DateOp::Lt => c.lt(v),
            DateOp::Lte => c.lte(v),
            DateOp::Gt => c.gt(v),
            DateOp::Gte => c.gte(v),
        })
    })
}

/// Splits a filter over a to-many relation into "has a match" and "has no match" parts.
fn split_id_filter<T: Clone>(f: &IdFilter<T>) -> (Option<IdFilter<T>>, Option<IdFilter<T>>) {
    let pos = IdFilter {
        equal_to: f.equal_to.clone(),
        value_in: f.value_in.clone(),
        ..IdFilter::default()
    };
    let neg_values: Vec<_> = f
        .not_equal_to
        .iter()
        .cloned()
        .chain(f.value_not_in.iter().flatten().cloned())
        .collect();
    let neg = IdFilter {
        value_in: Some(neg_values.clone()),
        ..IdFilter::default()
    };
    (
        (pos.equal_to.is_some() || pos.value_in.is_some()).then_some(pos),
        (!neg_values.is_empty()).then_some(neg),
    )
}

fn split_string_filter(f: &StringFilter) -> (Option<StringFilter>, Option<StringFilter>) {
    let pos = StringFilter {
        equal_to: f.equal_to.clone(),
        value_in: f.value_in.clone(),
        like: f.like.clone(),
        i_like: f.i_like.clone(),
        ..StringFilter::default()
    };
    let neg_values: Vec<_> = f
        .not_equal_to
        .iter()
        .cloned()
        .chain(f.value_not_in.iter().flatten().cloned())
        .collect();
    let has_pos = pos.equal_to.is_some()
        || pos.value_in.is_some()
        || pos.like.is_some()
        || pos.i_like.is_some();
    (
        has_pos.then_some(pos),
        (!neg_values.is_empty()).then(|| StringFilter {
            value_in: Some(neg_values),
            ..StringFilter::default()
        }),
    )
}

fn order_of(order: SortOrder) -> Order {
    match order {
        SortOrder::Asc => Order::Asc,
        SortOrder::Desc => Order::Desc,
    }
}

/// Whether a unique violation is the primary key's (PostgreSQL names the constraint
/// `<table>_pkey`; SQLite says `UNIQUE constraint failed: <table>.id`).
fn is_primary_key(err: &DbError) -> bool {
    matches!(err, DbError::UniqueViolation { detail, .. }
        if detail.ends_with("_pkey") || detail.ends_with(".id"))
}

fn unique_violation(err: DbError, duplicate: StoreError) -> StoreError {
    match err {
        DbError::UniqueViolation { .. } => duplicate,
        DbError::ForeignKeyViolation { .. } => StoreError::ForeignKeyViolation,
        other => StoreError::Db(other),
    }
}

fn opt_json<T: serde::Serialize>(value: Option<&T>) -> sea_query::Value {
    sea_query::Value::Json(
        value
            .and_then(|v| serde_json::to_value(v).ok())
            .map(Box::new),
    )
}

#[async_trait]
impl PlatformStore for SqlPlatformStore {
    async fn environment(&self) -> StoreResult<Option<EnvironmentRecord>> {
        let select = Query::select()
            .from(Environment::Table)
            .columns([
                Environment::Id,
                Environment::ApiKeyHash,
                Environment::TokenKeySalt,
                Environment::CreatedAt,
                Environment::UpdatedAt,
            ])
            .limit(1)
            .to_owned();
        let row: Option<EnvironmentRow> = self.db.fetch_optional(&select).await?;
        row.map(|r| {
            Ok(EnvironmentRecord {
                id: r.id,
                api_key_hash: r.api_key_hash,
                token_key_salt: r.token_key_salt,
                created_at: instant(r.created_at)?,
                updated_at: instant(r.updated_at)?,
            })
        })
        .transpose()
    }

    async fn save_environment(&self, env: &EnvironmentRecord) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Environment::Table)
            .columns([
                Environment::Id,
                Environment::ApiKeyHash,
                Environment::TokenKeySalt,
                Environment::CreatedAt,
                Environment::UpdatedAt,
            ])
            .values_panic([
                env.id.clone().into(),
                env.api_key_hash.clone().into(),
                env.token_key_salt.clone().into(),
                millis(env.created_at).into(),
                millis(env.updated_at).into(),
            ])
            .on_conflict(
                OnConflict::column(Environment::Id)
                    .update_columns([Environment::ApiKeyHash, Environment::UpdatedAt])
                    .to_owned(),
            )
            .to_owned();
        self.db.execute(&insert).await?;
        Ok(())
    }

    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .values_panic([
                tenant.id.to_string().into(),
                tenant.reference.clone().into(),
                tenant.name.clone().into(),
                tenant.is_default.into(),
                millis(tenant.created_at).into(),
                millis(tenant.updated_at).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&insert).await.map_err(|e| {
            if is_primary_key(&e) {
                StoreError::DuplicateId("tenant", tenant.id.to_string())
            } else {
                StoreError::Db(e)
            }
        })?;
        let id = tenant.id.to_string();
        self.record(
            &mut tx,
            Entity::Tenant,
            &id,
            outbox::tenant_values(tenant),
            &outbox::all_fields(Entity::Tenant),
            tenant.created_at,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    async fn update_tenant(
        &self,
        id: TenantId,
        name: &str,
        reference: Change<Option<String>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Tenant>> {
        let mut update = Query::update();
        update
            .table(Tenants::Table)
            .value(Tenants::Name, name)
            .value(Tenants::UpdatedAt, millis(now))
            .and_where(Expr::col(Tenants::Id).eq(id.to_string()))
            .returning(Query::returning().columns(TENANT_COLUMNS));
        if let Change::Set(reference) = reference {
            update.value(Tenants::Reference, reference);
        }
        let mut tx = self.db.begin().await?;
        let row: Option<TenantRow> = tx.fetch_optional(&update).await?;
        let Some(tenant) = row.map(Tenant::try_from).transpose()? else {
            return Ok(None);
        };
        let id = tenant.id.to_string();
        self.record(
            &mut tx,
            Entity::Tenant,
            &id,
            outbox::tenant_values(&tenant),
            &["name"],
            now,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(Some(tenant))
    }

    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::Id).eq(id.to_string()))
            .to_owned();
        let row: Option<TenantRow> = self.db.fetch_optional(&select).await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn default_tenant(&self) -> StoreResult<Option<Tenant>> {
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::IsDefault).eq(true))
            .to_owned();
        let row: Option<TenantRow> = self.db.fetch_optional(&select).await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn tenants_by_ids(&self, ids: &[TenantId]) -> StoreResult<Vec<Tenant>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .and_where(Expr::col(Tenants::Id).is_in(ids.iter().map(ToString::to_string)))
            .to_owned();
        let rows: Vec<TenantRow> = self.db.fetch_all(&select).await?;
        convert_all(rows)
    }

    async fn list_tenants(&self, query: &TenantQuery) -> StoreResult<Page<Tenant>> {
        let mut cond = Cond::all();
        if let Some(tenant) = query.tenant_scope {
            cond = cond.add(Expr::col(Tenants::Id).eq(tenant.to_string()));
        }
        if let Some(id) = &query.filter.id {
            cond = cond.add(id_filter(Tenants::Id, id));
        }
        if let Some(reference) = &query.filter.reference {
            cond = cond.add(self.string_filter(Tenants::Reference, reference, false));
        }
        let order = query.order.map(|o| order_of(o.order)).unwrap_or(Order::Asc);
        let select = Query::select()
            .from(Tenants::Table)
            .columns(TENANT_COLUMNS)
            .cond_where(cond)
            .order_by(Tenants::CreatedAt, order.clone())
            .order_by(Tenants::Id, order)
            .to_owned();
        self.page::<TenantRow, Tenant>(select, query.window.limit, query.window.offset)
            .await
    }

    async fn count_users_by_tenant(&self, ids: &[TenantId]) -> StoreResult<HashMap<TenantId, i64>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .from(Users::Table)
            .expr_as(Expr::col(Users::TenantId), Alias::new("id"))
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"))
            .and_where(Expr::col(Users::TenantId).is_in(ids.iter().map(ToString::to_string)))
            .group_by_col(Users::TenantId)
            .to_owned();
        let rows: Vec<GroupCountRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| Ok((parse_id(&r.id, TenantId::parse)?, r.count)))
            .collect()
    }

    async fn insert_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        roles: &[RoleId],
    ) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Users::Table)
            .columns([
                Users::Id,
                Users::Reference,
                Users::Email,
                Users::FirstName,
                Users::LastName,
                Users::Phone,
                Users::Locale,
                Users::Timezone,
                Users::AvatarUrl,
                Users::Active,
                Users::IsOptedIn,
                Users::OptedInAt,
                Users::CustomData,
                Users::TwoFactorEnabled,
                Users::Synced,
                Users::TenantId,
                Users::PasswordHash,
                Users::CreatedAt,
                Users::UpdatedAt,
            ])
            .values_panic([
                user.id.to_string().into(),
                user.reference.clone().into(),
                user.email.as_str().into(),
                user.first_name.clone().into(),
                user.last_name.clone().into(),
                user.phone.clone().into(),
                user.locale.clone().into(),
                user.timezone.clone().into(),
                user.avatar_url.clone().into(),
                user.active.into(),
                user.is_opted_in.into(),
                user.opted_in_at.map(millis).into(),
                opt_json(user.custom_data.as_ref()).into(),
                user.two_factor_enabled.into(),
                user.synced.into(),
                user.tenant_id.to_string().into(),
                password_hash.map(str::to_owned).into(),
                millis(user.created_at).into(),
                millis(user.updated_at).into(),
            ])
            .to_owned();
        let mut tx = self.db.begin().await?;
        tx.execute(&insert).await.map_err(|e| {
            if is_primary_key(&e) {
                StoreError::DuplicateId("user", user.id.to_string())
            } else {
                unique_violation(e, StoreError::DuplicateEmail)
            }
        })?;
        Self::insert_role_assignments(&mut tx, user.id, roles, user.created_at).await?;
        let id = user.id.to_string();
        self.record(
            &mut tx,
            Entity::User,
            &id,
            outbox::user_values(user),
            &outbox::all_fields(Entity::User),
            user.created_at,
        )
        .await?;
        tx.commit().await?;
        self.signal_outbox();
        Ok(())
    }

    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let mut update = Query::update();
        update
            .table(Users::Table)
            .value(Users::UpdatedAt, millis(now))
            .and_where(Expr::col(Users::Id).eq(id.to_string()))
            .returning(Query::returning().columns(USER_COLUMNS));
        if let Change::Set(email) = &changes.email {
            update.value(Users::Email, email.as_str());
        }
        for (col, change) in [
            (Users::FirstName, &changes.first_name),
            (Users::LastName, &changes.last_name),
            (Users::Phone, &changes.phone),
            (Users::Locale, &changes.locale),
            (Users::Timezone, &changes.timezone),
            (Users::AvatarUrl, &changes.avatar_url),
        ] {
            if let Change::Set(value) = change {
                update.value(col, value.clone());
            }
        }
        for (col, change) in [
            (Users::Active, &changes.active),
            (Users::TwoFactorEnabled, &changes.two_factor_enabled),
        ] {
            if let Change::Set(value) = change {
                update.value(col, *value);
            }
        }
        if changes.active == Change::Set(false) {
            // Deactivation revokes every token issued so far; reactivating revives none.
            update.value(
                Users::TokenGeneration,
                Expr::col(Users::TokenGeneration).add(1),
            );
        }
        if let Change::Set(opted_in) = changes.is_opted_in {
            update.value(Users::IsOptedIn, opted_in);
            // Keep the first opt-in instant; clear it on opt-out.
            let at: SimpleExpr = if opted_in {
                Func::coalesce([
                    Expr::col(Users::OptedInAt).into(),
                    Expr::val(millis(now)).into(),
                ])
                .into()
            } else {
                Expr::val(Option::<i64>::None).into()
            };
            update.value(Users::OptedInAt, at);
        }
        if let Change::Set(data) = &changes.custom_data {
            update.value(Users::CustomData, opt_json(data.as_ref()));
        }
        if let Change::Set(tenant) = changes.tenant_id {
            update.value(Users::TenantId, tenant.to_string());
        }
        let mut tx = self.db.begin().await?;
        let row: Option<UserRow> = tx
            .fetch_optional(&update)
            .await
            .map_err(|e| unique_violation(e, StoreError::DuplicateEmail))?;
        let Some(user) = row.map(User::try_from).transpose()? else {
            return Ok(None);
        };
        let changed = outbox::changed_user_fields(changes);
        let id = user.id.to_string();
        self.record(
            &mut tx,
            Entity::User,
            &id,
            outbox::user_values(&user),
            &changed,
            now,
        )
        .await?;
        tx.commit().await?;
        if !changed.is_empty() {
            self.signal_outbox();
        }
        Ok(Some(user))
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let select = Self::select_users()
            .and_where(Expr::col((Users::Table, Users::Id)).eq(id.to_string()))
            .to_owned();
        let row: Option<UserRow> = self.db.fetch_optional(&select).await?;
        row.map(User::try_from).transpose()
    }

    async fn list_users(&self, query: &UserQuery) -> StoreResult<Page<User>> {
        let mut select = Self::select_users()
            .cond_where(self.user_condition(query))
            .to_owned();
        let (sort, order) = query
            .order
            .map(|o| (o.sort, order_of(o.order)))
            .unwrap_or((UserSort::CreatedAt, Order::Asc));
        let col = match sort {
            UserSort::Active => Users::Active,
            UserSort::CreatedAt => Users::CreatedAt,
            UserSort::Email => Users::Email,
            UserSort::FirstName => Users::FirstName,
            UserSort::LastName => Users::LastName,
            UserSort::Locale => Users::Locale,
            UserSort::Phone => Users::Phone,
            UserSort::Timezone => Users::Timezone,
            UserSort::UpdatedAt => Users::UpdatedAt,
        };
        select
            .order_by_with_nulls((Users::Table, col), order.clone(), NullOrdering::Last)
            .order_by((Users::Table, Users::Id), order);
        self.page::<UserRow, User>(select, query.window.limit, query.window.offset)
            .await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<Option<String>>> {
        let select = Query::select()
            .from(Users::Table)
            .column(Users::PasswordHash)
            .and_where(Expr::col(Users::Id).eq(id.to_string()))
            .to_owned();
        let row: Option<PasswordRow> = self.db.fetch_optional(&select).await?;
        Ok(row.map(|r| r.password_hash))
    }

    async fn replace_password_hash(
        &self,
        id: UserId,
        expected: Option<&str>,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(Users::Table)
            .value(Users::PasswordHash, hash)
            .value(
                Users::TokenGeneration,
                Expr::col(Users::TokenGeneration).add(1),
            )
            .value(Users::UpdatedAt, millis(now))
            .and_where(Expr::col(Users::Id).eq(id.to_string()));
        match expected {
            Some(old) => update.and_where(Expr::col(Users::PasswordHash).eq(old)),
            None => update.and_where(Expr::col(Users::PasswordHash).is_null()),
        };
        Ok(self.db.execute(&update).await? == 1)
    }

    async fn insert_role(&self, role: &Role) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(Roles::Table)
            .columns(ROLE_COLUMNS)
            .values_panic([
                role.id.to_string().into(),
                role.key.clone().into(),
                role.name.clone().into(),
                role.description.clone().into(),
                role.reference.clone().into(),
                role.is_system_managed.into(),
                opt_json(Some(&role.invite_role_keys)).into(),
                millis(role.created_at).into(),
                millis(role.updated_at).into(),
            ])
            .to_owned();
        self.db
            .execute(&insert)
            .await
            .map_err(|e| unique_violation(e, StoreError::DuplicateRoleKey))?;
        Ok(())
    }

    async fn role(&self, id: RoleId) -> StoreResult<Option<Role>> {
        let select = Self::select_roles()
            .and_where(Expr::col((Roles::Table, Roles::Id)).eq(id.to_string()))
            .to_owned();
        let row: Option<RoleRow> = self.db.fetch_optional(&select).await?;
        row.map(Role::try_from).transpose()
    }

    async fn roles_by_keys(&self, keys: &[String]) -> StoreResult<Vec<Role>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let select = Self::select_roles()
            .and_where(Expr::col((Roles::Table, Roles::Key)).is_in(keys.iter().cloned()))
            .to_owned();
        let rows: Vec<RoleRow> = self.db.fetch_all(&select).await?;
        convert_all(rows)
    }

    async fn list_roles(&self, query: &RoleQuery) -> StoreResult<Page<Role>> {
        let (sort, order) = query
            .order
            .map(|o| (o.sort, order_of(o.order)))
            .unwrap_or((RoleSort::Key, Order::Asc));
        let col = match sort {
            RoleSort::CreatedAt => Roles::CreatedAt,
            RoleSort::Description => Roles::Description,
            RoleSort::Id => Roles::Id,
            RoleSort::IsSystemManaged => Roles::IsSystemManaged,
            RoleSort::Key => Roles::Key,
            RoleSort::Name => Roles::Name,
            RoleSort::UpdatedAt => Roles::UpdatedAt,
        };
        let select = Self::select_roles()
            .cond_where(self.role_condition(query))
            .order_by_with_nulls((Roles::Table, col), order.clone(), NullOrdering::Last)
            .order_by((Roles::Table, Roles::Id), order)
            .to_owned();
        self.page::<RoleRow, Role>(select, query.window.limit, query.window.offset)
            .await
    }

    async fn assign_roles(
        &self,
        user: UserId,
        roles: &[RoleId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        Self::insert_role_assignments(&mut tx, user, roles, now)
            .await
            .map_err(|e| match e {
                StoreError::Db(db) => unique_violation(db, StoreError::ForeignKeyViolation),
                other => other,
            })?;
        tx.commit().await?;
        Ok(())
    }

    async fn unassign_roles(&self, user: UserId, roles: &[RoleId]) -> StoreResult<()> {
        if roles.is_empty() {
            return Ok(());
        }
        let delete = Query::delete()
            .from_table(UserRoles::Table)
            .and_where(Expr::col(UserRoles::UserId).eq(user.to_string()))
            .and_where(Expr::col(UserRoles::RoleId).is_in(roles.iter().map(ToString::to_string)))
            .to_owned();
        self.db.execute(&delete).await?;
        Ok(())
    }

    async fn roles_of_users(&self, users: &[UserId]) -> StoreResult<HashMap<UserId, Vec<Role>>> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Self::select_roles()
            .column((UserRoles::Table, UserRoles::UserId))
            .inner_join(
                UserRoles::Table,
                Expr::col((UserRoles::Table, UserRoles::RoleId)).equals((Roles::Table, Roles::Id)),
            )
            .and_where(
                Expr::col((UserRoles::Table, UserRoles::UserId))
                    .is_in(users.iter().map(ToString::to_string)),
            )
            .order_by((Roles::Table, Roles::Key), Order::Asc)
            .to_owned();
        let rows: Vec<AssignedRoleRow> = self.db.fetch_all(&select).await?;
        let mut out: HashMap<UserId, Vec<Role>> = HashMap::new();
        for row in rows {
            let user = parse_id(&row.user_id, UserId::parse)?;
            out.entry(user).or_default().push(Role::try_from(row.role)?);
        }
        Ok(out)
    }

    async fn count_users_by_role(
        &self,
        roles: &[RoleId],
        tenant: Option<TenantId>,
    ) -> StoreResult<HashMap<RoleId, i64>> {
        if roles.is_empty() {
            return Ok(HashMap::new());
        }
        let mut select = Query::select()
            .from(UserRoles::Table)
            .expr_as(
                Expr::col((UserRoles::Table, UserRoles::RoleId)),
                Alias::new("id"),
            )
            .expr_as(Expr::col(sea_query::Asterisk).count(), Alias::new("count"))
            .and_where(
                Expr::col((UserRoles::Table, UserRoles::RoleId))
                    .is_in(roles.iter().map(ToString::to_string)),
            )
            .group_by_col((UserRoles::Table, UserRoles::RoleId))
            .to_owned();
        if let Some(tenant) = tenant {
            select
                .inner_join(
                    Users::Table,
                    Expr::col((Users::Table, Users::Id))
                        .equals((UserRoles::Table, UserRoles::UserId)),
                )
                .and_where(Expr::col((Users::Table, Users::TenantId)).eq(tenant.to_string()));
        }
        let rows: Vec<GroupCountRow> = self.db.fetch_all(&select).await?;
        rows.into_iter()
            .map(|r| Ok((parse_id(&r.id, RoleId::parse)?, r.count)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn search_text_is_taken_literally() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
