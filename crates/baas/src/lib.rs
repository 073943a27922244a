//! The BaaS: an app's data, declared in a Prisma schema and served through the ZenStack/ROQ
//! RPC API (`/api/model/{model}/{op}`) with Prisma's query semantics, on SQLite or PostgreSQL.
//!
//! `schema` reads and checks the schema; `migrate` keeps the store's tables in step with it;
//! `query` parses request arguments into a checked query tree and `query::access` ANDs the
//! caller's rules into it; `engine` compiles that tree to SQL and runs it (through `exec`);
//! `rpc` is the HTTP surface and `caller` tells who is calling. `mirror` is the BaaS's half of
//! sync: the built-in `user` and `tenant` models, their outbox and the applying of the
//! Platform's events. The BaaS never touches the Platform's store.

pub mod caller;
pub mod engine;
pub mod error;
pub mod exec;
pub mod migrate;
pub mod mirror;
pub mod query;
pub mod rpc;
pub mod schema;
pub mod value;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use tandem_core::Clock;
use tandem_sql::{Db, DbOptions, DbUrl, Dialect};

use engine::Engine;
use error::{BaasError, BaasResult};
use query::access::{Caller, Guard};
use schema::Schema;

/// Who may call the BaaS: the environment's credentials make the super admin; a user's
/// access token (signed by the Platform) makes that user.
#[async_trait]
pub trait BaasAuth: Send + Sync + 'static {
    async fn is_super_admin(&self, environment_id: &str, api_key: &str) -> bool;

    /// Who a valid (well signed, unexpired, this environment's) user access token speaks
    /// for; otherwise why not, in words for the caller.
    async fn verify_user_token(&self, token: &str) -> Result<VerifiedUser, String>;
}

/// A verified user access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedUser {
    pub user_id: String,
    /// When the token expires (Unix seconds).
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct BaasConfig {
    pub db: DbUrl,
    pub db_options: DbOptions,
    /// The app's schema file; `None` serves only the built-in models.
    pub schema_path: Option<PathBuf>,
    pub accept_data_loss: bool,
}

/// The largest schema file read (real schemas are tens of KiB).
pub const MAX_SCHEMA_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BaasStartError {
    // Each error's source is printed after it (`{:#}`), so no message repeats its source.
    #[error("cannot read the schema {path}")]
    SchemaFile {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the schema {path} is not a regular file (a device, a pipe or a directory); point --schema at a .prisma file"
    )]
    SchemaNotAFile { path: String },
    #[error("the schema {path} is larger than {} MiB; is it the right file?", MAX_SCHEMA_BYTES / 1024 / 1024)]
    SchemaTooLarge { path: String },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error(transparent)]
    Migrate(#[from] migrate::MigrateError),
    #[error("cannot open the BaaS store")]
    Db(#[from] tandem_sql::DbError),
}

/// The app's schema from `path` (only a regular file, of at most [`MAX_SCHEMA_BYTES`]), or
/// the built-in models alone.
pub fn load_schema(path: Option<&std::path::Path>) -> Result<Schema, BaasStartError> {
    use std::io::Read;
    let Some(path) = path else {
        return Ok(Schema::builtin()?);
    };
    let name = path.display().to_string();
    let unreadable = |source| BaasStartError::SchemaFile {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(BaasStartError::SchemaNotAFile { path: name });
    }
    let mut source = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SCHEMA_BYTES + 1).read_to_string(&mut source))
        .map_err(unreadable)?;
    // Checked on what was read, not the metadata: the file may grow in between.
    if source.len() as u64 > MAX_SCHEMA_BYTES {
        return Err(BaasStartError::SchemaTooLarge { path: name });
    }
    let mut files = vec![(name, source)];
    read_imports(path, &mut files)?;
    Ok(Schema::from_sources(&files)?)
}

/// The files `import`ed by `files` (ZModel: `import "./post"`, relative to the importing
/// file, `.zmodel` added when the name has no extension), each once, appended in the order
/// met; together at most [`MAX_SCHEMA_BYTES`].
fn read_imports(
    main: &std::path::Path,
    files: &mut Vec<(String, String)>,
) -> Result<(), BaasStartError> {
    let mut seen = vec![std::fs::canonicalize(main).unwrap_or_else(|_| main.to_owned())];
    let mut paths = vec![main.to_owned()];
    let mut next = 0;
    while next < files.len() {
        let dir = paths[next]
            .parent()
            .map(std::path::Path::to_owned)
            .unwrap_or_default();
        for import in Schema::imports_of(&files[next].1) {
            let mut path = dir.join(&import);
            if path.extension().is_none() {
                path.set_extension("zmodel");
            }
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.contains(&canonical) {
                continue;
            }
            let name = path.display().to_string();
            let source =
                std::fs::read_to_string(&path).map_err(|source| BaasStartError::SchemaFile {
                    path: format!("{name} (imported by {})", files[next].0),
                    source,
                })?;
            let total: usize = files.iter().map(|(_, s)| s.len()).sum::<usize>() + source.len();
            if total as u64 > MAX_SCHEMA_BYTES {
                return Err(BaasStartError::SchemaTooLarge { path: name });
            }
            seen.push(canonical);
            paths.push(path);
            files.push((name, source));
        }
        next += 1;
    }
    Ok(())
}

pub struct Baas {
    pub engine: Engine,
    pub clock: Arc<dyn Clock>,
    pub auth: Arc<dyn BaasAuth>,
    /// Verified tokens and callers' synced rows, remembered briefly.
    pub callers: caller::Callers,
    /// The effective schema in Prisma syntax (`GET /api/schema`).
    pub schema_text: String,
}

impl Baas {
    /// Reads the schema, opens the store and brings its tables in line.
    pub async fn open(
        config: &BaasConfig,
        clock: Arc<dyn Clock>,
        auth: Arc<dyn BaasAuth>,
    ) -> Result<Self, BaasStartError> {
        let schema = load_schema(config.schema_path.as_deref())?;
        let db = Db::connect(&config.db, config.db_options).await?;
        mirror::SYNC_TABLES.create_if_missing(&db).await?;
        mirror::create_access_tables(&db).await?;
        let hooks = mirror::outbox::SyncHooks::new();
        if let Some(max) = mirror::SYNC_TABLES.max_stamp(&db).await? {
            hooks.hlc.observe(max);
        }
        let done =
            migrate::migrate(&db, &schema, config.accept_data_loss, &config.db.redacted()).await?;
        for change in &done {
            tracing::info!(change = %change, "BaaS schema change applied");
        }
        Ok(Self {
            schema_text: schema::print::print(&schema),
            engine: Engine {
                db,
                schema: Arc::new(schema),
                sync: Arc::new(hooks),
            },
            clock,
            auth,
            callers: caller::Callers::default(),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.engine.db.dialect() == Dialect::Postgres
    }

    pub fn db(&self) -> &Db {
        &self.engine.db
    }

    /// Runs one operation with the super admin's rights, as `/api/model/{model}/{op}` would
    /// (for embedding Tandem and for tests); the `data` of the answer.
    pub async fn call(
        &self,
        model_name: &str,
        op: &str,
        args: &serde_json::Value,
    ) -> BaasResult<serde_json::Value> {
        let model_id =
            self.engine.schema.model_id(model_name).ok_or_else(|| {
                BaasError::BadRequest(format!("unknown model name: {model_name}"))
            })?;
        let op = query::parse::OpName::parse(op)
            .ok_or_else(|| BaasError::BadRequest(format!("invalid operation: {op}")))?;
        self.call_as(Caller::SuperAdmin, model_id, op, args).await
    }

    /// Runs one operation as `caller` would through `/api/model/{model}/{op}`.
    pub async fn call_as(
        &self,
        caller: Caller,
        model_id: schema::ModelId,
        op: query::parse::OpName,
        args: &serde_json::Value,
    ) -> BaasResult<serde_json::Value> {
        let mut operation =
            query::prepare(&self.engine.schema, model_id, op, args, self.is_postgres())?;
        let guard =
            Guard::new(&self.engine.schema, caller, self.clock.now()).for_operations([&operation]);
        query::access::authorize(&guard, model_id, &mut operation)?;
        Ok(self
            .engine
            .run(model_id, &operation, self.clock.now(), &guard)
            .await?
            .data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_files_join_the_schema_and_errors_name_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.zmodel");
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "main.zmodel",
            "import './post'\nimport \"./user\"\n\ndatasource db {\n  provider = \"sqlite\"\n}\n",
        );
        write(
            "post.zmodel",
            "import './main'\nmodel post {\n  id        Int    @id\n  author    user   @relation(fields: [author_id], references: [id])\n  author_id String\n}\n",
        );
        write("user.zmodel", "model user {\n  posts post[]\n}\n");
        let schema = load_schema(Some(&main)).unwrap();
        let post = schema.model_id("post").expect("the imported model");
        assert!(schema.model(post).field("author").is_some());

        write(
            "post.zmodel",
            "model post {\n  id    Int @id\n  title Strin\n}\n",
        );
        let err = load_schema(Some(&main)).unwrap_err().to_string();
        assert!(
            err.contains("post.zmodel:3:9") && err.contains("unknown type `Strin`"),
            "{err}"
        );

        write("main.zmodel", "\nimport './nope'\n");
        let err = load_schema(Some(&main)).unwrap_err().to_string();
        assert!(err.contains("nope.zmodel (imported by"), "{err}");
    }
}
