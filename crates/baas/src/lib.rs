//! The BaaS: an app's data, declared in a Prisma schema and served through the ZenStack/ROQ
//! RPC API (`/api/model/{model}/{op}`) with Prisma's query semantics, on SQLite or PostgreSQL.
//!
//! `schema` reads and checks the schema; `query` parses request arguments into a checked
//! query tree; `engine` compiles that tree to SQL and runs it; `rpc` is the HTTP surface.
//! The BaaS never touches the Platform's store.

pub mod engine;
pub mod error;
pub mod query;
pub mod rpc;
pub mod schema;
pub mod value;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use sea_query::{Alias, OnConflict, Query};
use serde_json::Value as Json;
use tandem_core::Clock;
use tandem_sql::{Db, DbOptions, DbUrl, Dialect};

use engine::Engine;
use error::{BaasError, BaasResult};
use schema::{Builtin, ScalarType, Schema};

/// Who may call the BaaS: the environment's credentials make the super admin.
#[async_trait]
pub trait BaasAuth: Send + Sync + 'static {
    async fn is_super_admin(&self, environment_id: &str, api_key: &str) -> bool;
}

#[derive(Debug, Clone)]
pub struct BaasConfig {
    pub db: DbUrl,
    pub db_options: DbOptions,
    /// The app's schema file; `None` serves only the built-in models.
    pub schema_path: Option<PathBuf>,
    pub accept_data_loss: bool,
    /// Serves the test-only endpoint that writes Platform rows directly.
    pub test_endpoints: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BaasStartError {
    #[error("cannot read the schema {path}: {source}")]
    SchemaFile {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Schema(#[from] schema::SchemaError),
    #[error("{0}")]
    Migrate(#[from] engine::ddl::MigrateError),
    #[error("cannot open the BaaS store: {0}")]
    Db(#[from] tandem_sql::DbError),
}

pub struct Baas {
    pub engine: Engine,
    pub clock: Arc<dyn Clock>,
    pub auth: Arc<dyn BaasAuth>,
    /// The effective schema in Prisma syntax (`GET /api/schema`).
    pub schema_text: String,
    pub test_endpoints: bool,
}

impl Baas {
    /// Reads the schema, opens the store and brings its tables in line.
    pub async fn open(
        config: &BaasConfig,
        clock: Arc<dyn Clock>,
        auth: Arc<dyn BaasAuth>,
    ) -> Result<Self, BaasStartError> {
        let schema = match &config.schema_path {
            Some(path) => {
                let source =
                    std::fs::read_to_string(path).map_err(|source| BaasStartError::SchemaFile {
                        path: path.display().to_string(),
                        source,
                    })?;
                Schema::from_source(&path.display().to_string(), &source)?
            }
            None => Schema::builtin()?,
        };
        let db = Db::connect(&config.db, config.db_options).await?;
        let done =
            engine::ddl::migrate(&db, &schema, config.accept_data_loss, &config.db.redacted())
                .await?;
        for change in &done {
            tracing::info!(change = %change, "BaaS schema change applied");
        }
        Ok(Self {
            schema_text: schema::print::print(&schema),
            engine: Engine {
                db,
                schema: Arc::new(schema),
            },
            clock,
            auth,
            test_endpoints: config.test_endpoints,
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.engine.db.dialect() == Dialect::Postgres
    }

    pub fn db(&self) -> &Db {
        &self.engine.db
    }

    /// Writes `user`/`tenant` rows as the Platform has them (insert, or update by id), the
    /// only way those rows change besides the BaaS-writable fields. `rows` is
    /// `{"tenant": [...], "user": [...]}`; tenants first, so users can reference them.
    pub async fn put_platform_rows(&self, rows: &Json) -> BaasResult<()> {
        let schema = &self.engine.schema;
        let dialect = self.engine.db.dialect();
        let mut tx = self.engine.db.begin().await?;
        for name in ["tenant", "user"] {
            let Some(list) = rows.get(name).and_then(Json::as_array) else {
                continue;
            };
            let model_id = schema
                .model_id(name)
                .ok_or_else(|| BaasError::internal("built-in model missing"))?;
            let model = schema.model(model_id);
            debug_assert!(
                model.builtin
                    == Some(if name == "user" {
                        Builtin::User
                    } else {
                        Builtin::Tenant
                    })
            );
            for row in list {
                let Json::Object(fields) = row else {
                    return Err(BaasError::BadRequest(format!(
                        "each {name} row must be an object"
                    )));
                };
                let mut columns: Vec<String> = Vec::new();
                let mut values = Vec::new();
                for (key, json) in fields {
                    let Some((_, field)) = model.field(key) else {
                        return Err(BaasError::BadRequest(format!(
                            "`{name}` has no field `{key}`"
                        )));
                    };
                    let ty = field.scalar().unwrap_or(ScalarType::String);
                    let value = value::from_json(json, ty).map_err(|m| {
                        BaasError::BadRequest(format!("`{name}.{key}`: expected {}", m.expected))
                    })?;
                    columns.push(field.column.clone());
                    values.push(sea_query::SimpleExpr::from(sea_query::Expr::val(
                        value.to_sql(ty, dialect),
                    )));
                }
                let mut insert = Query::insert();
                insert
                    .into_table(Alias::new(model.table.as_str()))
                    .columns(columns.iter().map(|c| Alias::new(c.as_str())))
                    .values_panic(values);
                let updated: Vec<Alias> = columns
                    .iter()
                    .filter(|c| *c != "id")
                    .map(|c| Alias::new(c.as_str()))
                    .collect();
                insert.on_conflict(if updated.is_empty() {
                    OnConflict::column(Alias::new("id")).do_nothing().to_owned()
                } else {
                    OnConflict::column(Alias::new("id"))
                        .update_columns(updated)
                        .to_owned()
                });
                tx.execute(&insert).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
