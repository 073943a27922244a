//! Connections to a Tandem store — an embedded SQLite file or a PostgreSQL database, chosen by
//! URL — and one way to run [`sea_query`] statements on either.
//!
//! Domain crates (Platform, BaaS) build their statements once with sea-query; this crate renders
//! them for the connected dialect with bound parameters only, runs them, and classifies database
//! errors (a unique violation is a client's duplicate, not a server fault). It knows nothing of
//! users or tenants; [`outbox`] keeps the sync engine's bookkeeping tables, which every store has.

#[cfg(feature = "capture")]
pub mod capture;
mod combine;
pub mod outbox;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_binder::{SqlxBinder, SqlxValues};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::mpsc;

/// Which SQL dialect a store speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Where a store lives, parsed from `--platform-db` / `--baas-db`. Its `Debug` form is
/// redacted, so a PostgreSQL password never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl DbUrl {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite://path`, `sqlite:path` or a bare path.
    pub fn parse(raw: &str) -> Result<Self, DbError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || raw.contains("://") && !raw.starts_with("sqlite://") {
            return Err(DbError::Config(format!(
                "`{}` is not a database URL Tandem understands: use postgres://user@host:port/db or a SQLite file path",
                redact_url(raw)
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn sqlite_file(path: impl AsRef<Path>) -> Self {
        Self::Sqlite(path.as_ref().to_path_buf())
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A form safe to log: the password, if any, is replaced.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

/// Replaces the password in `scheme://user:password@host/…?password=…` with `***`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = base
        .split_once("://")
        .and_then(|(scheme, rest)| {
            let (userinfo, host) = rest.split_once('@')?;
            let (user, _) = userinfo.split_once(':')?;
            Some(format!("{scheme}://{user}:***@{host}"))
        })
        .unwrap_or_else(|| base.to_owned());
    match query {
        None => base,
        Some(query) => {
            let params: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", params.join("&"))
        }
    }
}

/// Creates the directory (mode 0700) and an empty database file (mode 0600) when missing:
/// the file holds password hashes and signing secrets, and SQLite gives its `-wal`/`-shm`
/// files the database file's permissions.
fn create_private_file(path: &Path) -> Result<(), DbError> {
    let fail = |what: &Path, e: std::io::Error| {
        DbError::Config(format!("cannot create {}: {e}", what.display()))
    };
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(|e| fail(parent, e))?;
    }
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|e| fail(path, e))?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique index refused the write; `detail` names the constraint (PostgreSQL) or carries
    /// SQLite's message, which names the table and columns.
    #[error("unique constraint violated: {detail}")]
    UniqueViolation {
        detail: String,
        code: String,
        message: String,
    },
    #[error("foreign key constraint violated: {detail}")]
    ForeignKeyViolation {
        detail: String,
        code: String,
        message: String,
    },
    /// Another constraint (NOT NULL, CHECK) refused the write.
    #[error("constraint violated: {message}")]
    ConstraintViolation { code: String, message: String },
    #[error("database configuration: {0}")]
    Config(String),
    // Its source is printed after it (`{:#}`).
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    /// The statement would bind more values than the database takes in one statement (a
    /// list filter with tens of thousands of values): refused before it is sent.
    #[error(
        "the query needs {count} values, more than the {max} one statement can carry; split it into smaller ones"
    )]
    TooManyValues { count: usize, max: usize },
    /// A grouped write could not be committed (the message says why).
    #[error("database write failed: {0}")]
    Write(String),
}

impl DbError {
    /// The database could not do it now but may later: a deadlock, a serialization failure, a
    /// lock or statement timeout, a busy SQLite file, a lost connection. Retrying is right;
    /// blaming the data is not.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Sqlx(sqlx::Error::Database(db)) => db.code().is_some_and(|code| {
                matches!(
                    code.as_ref(),
                    "40001" | "40P01" | "55P03" | "57014" | "5" | "6" | "261" | "262" | "517"
                ) || code.starts_with("08")
                    || code.starts_with("53")
            }),
            Self::Sqlx(
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed,
            ) => true,
            _ => false,
        }
    }

    /// A constraint refused the statement; SQLite undoes only that statement.
    pub fn is_constraint(&self) -> bool {
        matches!(
            self,
            Self::UniqueViolation { .. }
                | Self::ForeignKeyViolation { .. }
                | Self::ConstraintViolation { .. }
        )
    }
}

/// `%`, `_` and `\` taken literally inside a LIKE pattern whose escape character is `\`
/// (`LikeExpr::escape('\\')`): how both halves search for text a person typed.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The most values one SQLite statement binds (`SQLITE_MAX_VARIABLE_NUMBER`).
pub const SQLITE_MAX_VALUES: usize = 32_766;
/// The most values one PostgreSQL statement binds (the protocol's 16-bit count).
pub const POSTGRES_MAX_VALUES: usize = 65_535;

fn checked(
    (sql, values): (String, SqlxValues),
    max: usize,
) -> Result<(String, SqlxValues), DbError> {
    #[cfg(feature = "capture")]
    capture::record(&sql);
    let count = values.0.0.len();
    if count > max {
        return Err(DbError::TooManyValues { count, max });
    }
    Ok((sql, values))
}

fn sqlite_statement(stmt: &impl SqlxBinder) -> Result<(String, SqlxValues), DbError> {
    checked(stmt.build_sqlx(SqliteQueryBuilder), SQLITE_MAX_VALUES)
}

fn postgres_statement(stmt: &impl SqlxBinder) -> Result<(String, SqlxValues), DbError> {
    checked(stmt.build_sqlx(PostgresQueryBuilder), POSTGRES_MAX_VALUES)
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            let detail = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let message = db.message().to_owned();
            if db.is_unique_violation() {
                return Self::UniqueViolation {
                    detail,
                    code,
                    message,
                };
            }
            if db.is_foreign_key_violation() {
                return Self::ForeignKeyViolation {
                    detail,
                    code,
                    message,
                };
            }
            if db.is_check_violation()
                || matches!(db.kind(), sqlx::error::ErrorKind::NotNullViolation)
            {
                return Self::ConstraintViolation { code, message };
            }
        }
        Self::Sqlx(err)
    }
}

/// A row type decodable from both dialects' rows (what `#[derive(sqlx::FromRow)]` gives when
/// every field type is supported by SQLite and PostgreSQL).
pub trait AnyRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// Rows whose shape is only known at run time (the BaaS's dynamic models), decoded by the
/// caller per column.
pub enum Rows {
    Sqlite(Vec<SqliteRow>),
    Postgres(Vec<PgRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Self::Sqlite(rows) => rows.len(),
            Self::Postgres(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The per-backend migration sets of one store (`migrations/{sqlite,postgres}/`).
pub struct Migrations {
    pub sqlite: &'static Migrator,
    pub postgres: &'static Migrator,
}

#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    /// Upper bound of pooled connections (readers for SQLite, all for PostgreSQL).
    pub max_connections: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
        }
    }
}

/// A connected store.
///
/// SQLite gets two pools on one WAL file: many readers and exactly one writer, so writes queue
/// in-process instead of failing with `SQLITE_BUSY`.
#[derive(Clone)]
pub enum Db {
    Sqlite {
        reader: SqlitePool,
        writer: SqlitePool,
        /// Single-statement writes, committed in groups ([`combine`]).
        combiner: mpsc::Sender<combine::Job>,
    },
    Postgres(PgPool),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not derived: the pools' connect options would print the password.
        write!(f, "Db({:?})", self.dialect())
    }
}

impl Db {
    #[tracing::instrument(skip_all, fields(db = %url.redacted()))]
    pub async fn connect(url: &DbUrl, options: DbOptions) -> Result<Self, DbError> {
        match url {
            DbUrl::Sqlite(path) => {
                create_private_file(path)?;
                let connect = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // Checkpoints run in the background (below), not in the commit that happens
                // to cross the threshold, so no write waits for a checkpoint's fsyncs.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(connect.clone().pragma("wal_autocheckpoint", "0"))
                    .await?;
                let reader = SqlitePoolOptions::new()
                    .max_connections(options.max_connections.max(1))
                    .connect_with(connect.clone().read_only(true))
                    .await?;
                let checkpointer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(connect.pragma("wal_autocheckpoint", "0"))
                    .await?;
                combine::spawn_checkpointer(checkpointer, writer.clone());
                let combiner = combine::spawn(writer.clone());
                Ok(Self::Sqlite {
                    reader,
                    writer,
                    combiner,
                })
            }
            DbUrl::Postgres(raw) => {
                let connect = PgConnectOptions::from_str(raw).map_err(|e| {
                    DbError::Config(format!("bad PostgreSQL URL {}: {e}", redact_url(raw)))
                })?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(connect)
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite { .. } => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies the store's pending migrations (PostgreSQL takes an advisory lock, so replicas
    /// starting together migrate once).
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), DbError> {
        match self {
            Self::Sqlite { writer, .. } => migrations.sqlite.run(writer).await?,
            Self::Postgres(pool) => migrations.postgres.run(pool).await?,
        }
        Ok(())
    }

    pub async fn fetch_all<T: AnyRow>(&self, stmt: &impl SqlxBinder) -> Result<Vec<T>, DbError> {
        Ok(match self {
            Self::Sqlite { reader, .. } => {
                let (sql, values) = sqlite_statement(stmt)?;
                sqlx::query_as_with::<_, T, _>(&sql, values)
                    .fetch_all(reader)
                    .await?
            }
            Self::Postgres(pool) => {
                let (sql, values) = postgres_statement(stmt)?;
                sqlx::query_as_with::<_, T, _>(&sql, values)
                    .fetch_all(pool)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: AnyRow>(
        &self,
        stmt: &impl SqlxBinder,
    ) -> Result<Option<T>, DbError> {
        Ok(match self {
            Self::Sqlite { reader, .. } => {
                let (sql, values) = sqlite_statement(stmt)?;
                sqlx::query_as_with::<_, T, _>(&sql, values)
                    .fetch_optional(reader)
                    .await?
            }
            Self::Postgres(pool) => {
                let (sql, values) = postgres_statement(stmt)?;
                sqlx::query_as_with::<_, T, _>(&sql, values)
                    .fetch_optional(pool)
                    .await?
            }
        })
    }

    pub async fn fetch_one<T: AnyRow>(&self, stmt: &impl SqlxBinder) -> Result<T, DbError> {
        self.fetch_optional(stmt)
            .await?
            .ok_or(DbError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// Rows of a statement built at run time, read on the reader pool.
    pub async fn fetch_rows(&self, stmt: &impl SqlxBinder) -> Result<Rows, DbError> {
        Ok(match self {
            Self::Sqlite { reader, .. } => {
                let (sql, values) = sqlite_statement(stmt)?;
                Rows::Sqlite(sqlx::query_with(&sql, values).fetch_all(reader).await?)
            }
            Self::Postgres(pool) => {
                let (sql, values) = postgres_statement(stmt)?;
                Rows::Postgres(sqlx::query_with(&sql, values).fetch_all(pool).await?)
            }
        })
    }

    /// Rows of a single write statement (`… RETURNING`) that needs no transaction of its own.
    /// On SQLite, such statements arriving together are committed together ([`combine`]):
    /// each caller is answered after the commit that includes its statement.
    pub async fn write_rows(&self, stmt: &impl SqlxBinder) -> Result<Rows, DbError> {
        Ok(match self {
            Self::Sqlite { combiner, .. } => {
                let (sql, values) = sqlite_statement(stmt)?;
                Rows::Sqlite(combine::submit(combiner, sql, values).await?)
            }
            Self::Postgres(pool) => {
                let (sql, values) = postgres_statement(stmt)?;
                Rows::Postgres(sqlx::query_with(&sql, values).fetch_all(pool).await?)
            }
        })
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Self::Sqlite { writer, .. } => Tx::Sqlite(writer.begin().await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Runs a single write statement in its own transaction. On PostgreSQL that is the
    /// statement's implicit transaction: one round trip, as atomic as a lone statement inside
    /// BEGIN and COMMIT, which cost two more round trips and PostgreSQL about 0.12 ms of CPU per
    /// write. On SQLite it takes the writer connection's transaction.
    pub async fn execute(&self, stmt: &impl SqlxBinder) -> Result<u64, DbError> {
        match self {
            Self::Sqlite { .. } => {
                let mut tx = self.begin().await?;
                let affected = tx.execute(stmt).await?;
                tx.commit().await?;
                Ok(affected)
            }
            Self::Postgres(pool) => {
                let (sql, values) = postgres_statement(stmt)?;
                Ok(sqlx::query_with(&sql, values)
                    .execute(pool)
                    .await?
                    .rows_affected())
            }
        }
    }

    /// Turns SQLite's foreign-key enforcement off or on for the writer connection (outside any
    /// transaction), as SQLite's table-rebuild procedure requires; nothing on PostgreSQL.
    pub async fn set_sqlite_foreign_keys(&self, on: bool) -> Result<(), DbError> {
        if let Self::Sqlite { writer, .. } = self {
            let pragma = if on {
                "PRAGMA foreign_keys = ON"
            } else {
                "PRAGMA foreign_keys = OFF"
            };
            sqlx::query(pragma).execute(writer).await?;
        }
        Ok(())
    }

    /// Checks the store answers (used by readiness).
    pub async fn ping(&self) -> Result<(), DbError> {
        match self {
            Self::Sqlite { reader, .. } => {
                sqlx::query("SELECT 1").execute(reader).await?;
            }
            Self::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite { reader, writer, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// An open write transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    pub async fn execute(&mut self, stmt: &impl SqlxBinder) -> Result<u64, DbError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(stmt)?;
                sqlx::query_with(&sql, values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Self::Postgres(tx) => {
                let (sql, values) = postgres_statement(stmt)?;
                sqlx::query_with(&sql, values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    pub async fn fetch_all<T: AnyRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Vec<T>, DbError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(stmt)?;
                sqlx::query_as_with::<Sqlite, T, _>(&sql, values)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Self::Postgres(tx) => {
                let (sql, values) = postgres_statement(stmt)?;
                sqlx::query_as_with::<Postgres, T, _>(&sql, values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: AnyRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Option<T>, DbError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(stmt)?;
                sqlx::query_as_with::<Sqlite, T, _>(&sql, values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Self::Postgres(tx) => {
                let (sql, values) = postgres_statement(stmt)?;
                sqlx::query_as_with::<Postgres, T, _>(&sql, values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// Rows of a statement built at run time, inside this transaction.
    pub async fn fetch_rows(&mut self, stmt: &impl SqlxBinder) -> Result<Rows, DbError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(stmt)?;
                Rows::Sqlite(sqlx::query_with(&sql, values).fetch_all(&mut **tx).await?)
            }
            Self::Postgres(tx) => {
                let (sql, values) = postgres_statement(stmt)?;
                Rows::Postgres(sqlx::query_with(&sql, values).fetch_all(&mut **tx).await?)
            }
        })
    }

    /// Rows of a fixed statement with no parameters (PRAGMAs, catalog queries).
    pub async fn fetch_raw(&mut self, sql: &str) -> Result<Rows, DbError> {
        Ok(match self {
            Self::Sqlite(tx) => Rows::Sqlite(sqlx::query(sql).fetch_all(&mut **tx).await?),
            Self::Postgres(tx) => Rows::Postgres(sqlx::query(sql).fetch_all(&mut **tx).await?),
        })
    }

    /// Runs schema statements (DDL) written for this transaction's dialect; no parameters.
    pub async fn execute_ddl(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Self::Sqlite(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await?;
            }
            Self::Postgres(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[test]
    fn urls_select_the_dialect() {
        assert_eq!(
            DbUrl::parse("postgres://u@h:5432/db").unwrap().dialect(),
            Dialect::Postgres
        );
        assert_eq!(
            DbUrl::parse("postgresql://u@h/db").unwrap().dialect(),
            Dialect::Postgres
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/p.db").unwrap(),
            DbUrl::Sqlite("data/p.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:p.db?mode=rwc").unwrap(),
            DbUrl::Sqlite("p.db".into())
        );
        assert_eq!(
            DbUrl::parse("./x/p.db").unwrap(),
            DbUrl::Sqlite("./x/p.db".into())
        );
        assert!(DbUrl::parse("mysql://root@localhost/db").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/tandem"),
            "postgres://app:***@db:5432/tandem"
        );
        assert_eq!(
            redact_url("postgres://app@db/tandem"),
            "postgres://app@db/tandem"
        );
        assert_eq!(
            redact_url("postgres://db/tandem?user=app&password=s3cret&sslmode=require"),
            "postgres://db/tandem?user=app&password=***&sslmode=require"
        );
        let url = DbUrl::parse("postgres://app:s3cret@db/t").unwrap();
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
