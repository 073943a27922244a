//! `spawn_app(Backend::Sqlite | Backend::Postgres)`: starts the real Tandem server in-process
//! on port 0 with fresh stores — a temporary directory for SQLite, a uniquely named database
//! for PostgreSQL (`TANDEM_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`)
//! — and a [`ManualClock`] the test controls. Tests then talk to it over HTTP like a client.
//!
//! PostgreSQL is required: when it is unreachable the test fails with the reason, it is never
//! skipped.

// Test support: failing loudly (panicking) on a broken environment is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use tandem::{App, Config};
use tandem_core::{Clock, Email, ManualClock, TenantId, UserId};
use tandem_platform::domain::{Tenant, User};
use tandem_platform::{Credentials, SqlPlatformStore, TenantStore, UserStore};
use tandem_sql::{DbOptions, DbUrl};
use tokio::sync::oneshot;

pub mod process;
pub mod smtp;

/// Whether a `GET /sync/v1/status` answer shows both directions with nothing pending or failed.
pub fn sync_idle(status: &Value) -> bool {
    status["directions"]
        .as_array()
        .is_some_and(|d| d.len() == 2 && d.iter().all(|d| d["pending"] == 0 && d["failed"] == 0))
}

pub const DEFAULT_TEST_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
}

/// The admin URL tests create their databases from.
pub fn test_pg_url() -> String {
    std::env::var("TANDEM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_PG_URL.to_owned())
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// A pair of PostgreSQL databases (Platform and BaaS) that exist for one test and are
/// dropped after it.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
    pub baas_url: String,
    admin_url: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let admin_url = test_pg_url();
        let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required for the test suite and is not reachable at {admin_url}: {e}. \
                 Start it, or point TANDEM_TEST_PG_URL at one."
            )
        });
        for db in [name.clone(), format!("{name}_baas")] {
            sqlx::query(&format!("CREATE DATABASE \"{db}\""))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("cannot create test database {db}: {e}"));
        }
        let _ = admin.close().await;
        Self {
            url: with_database(&admin_url, &name),
            baas_url: with_database(&admin_url, &format!("{name}_baas")),
            name,
            admin_url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside (or after) the test's runtime, so use a thread with its own.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    for db in [name.clone(), format!("{name}_baas")] {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                    }
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// A running Tandem for one test.
pub struct TestApp {
    pub backend: Backend,
    pub address: SocketAddr,
    pub base_url: String,
    pub credentials: Credentials,
    pub config: Config,
    pub clock: ManualClock,
    pub client: reqwest::Client,
    /// The Platform's store of the running server, for seeding fixed rows.
    pub platform_store: Option<SqlPlatformStore>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    // Kept for their `Drop`: the temporary directory and PostgreSQL database of this test.
    _data_dir: Option<tempfile::TempDir>,
    _database: Option<TestDatabase>,
}

/// Server logs reach the test output when `RUST_LOG` is set (e.g. `RUST_LOG=tandem=debug`).
fn init_logs() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, None).await
}

/// A Tandem whose BaaS serves `schema` (Prisma text) besides the built-in models.
pub async fn spawn_app_with_schema(backend: Backend, schema: &str) -> TestApp {
    spawn_app_with(backend, Some(schema)).await
}

async fn spawn_app_with(backend: Backend, schema: Option<&str>) -> TestApp {
    try_spawn_app_with_schema(backend, schema)
        .await
        .unwrap_or_else(|e| panic!("Tandem did not start on {backend:?}: {e}"))
}

/// Like [`spawn_app_with_schema`], but a start-up failure is returned, for tests of it.
pub async fn try_spawn_app_with_schema(
    backend: Backend,
    schema: Option<&str>,
) -> Result<TestApp, String> {
    let (config, data_dir, database) = test_config(backend, schema).await;
    start(
        backend,
        config,
        ManualClock::starting_now(),
        data_dir,
        database,
    )
    .await
}

/// Both stores of a Tandem on `backend`, built as the server builds them but not serving and
/// with sync not started: for tests that drive the sync engine step by step.
pub struct TestStores {
    pub app: App,
    pub clock: ManualClock,
    // Kept for their `Drop`.
    _data_dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

pub async fn build_stores(backend: Backend) -> TestStores {
    build_stores_with_schema(backend, None).await
}

/// [`build_stores`] with the BaaS serving `schema` besides the built-in models.
pub async fn build_stores_with_schema(backend: Backend, schema: Option<&str>) -> TestStores {
    let (config, data_dir, database) = test_config(backend, schema).await;
    let clock = ManualClock::starting_now();
    let app = App::build(&config, Arc::new(clock.clone()))
        .await
        .unwrap_or_else(|e| panic!("Tandem's stores did not build on {backend:?}: {e:#}"));
    TestStores {
        app,
        clock,
        _data_dir: data_dir,
        _database: database,
    }
}

/// A fresh configuration on `backend`: a temporary data directory and, on PostgreSQL, new
/// databases.
async fn test_config(
    backend: Backend,
    schema: Option<&str>,
) -> (Config, tempfile::TempDir, Option<TestDatabase>) {
    init_logs();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(TestDatabase::create().await),
    };
    let (platform_db, baas_db) = match &database {
        Some(db) => (
            DbUrl::Postgres(db.url.clone()),
            DbUrl::Postgres(db.baas_url.clone()),
        ),
        None => (
            DbUrl::sqlite_file(data_dir.path().join("platform.db")),
            DbUrl::sqlite_file(data_dir.path().join("baas.db")),
        ),
    };
    let config = Config {
        data_dir: data_dir.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        platform_db,
        baas_db,
        schema: schema.map(|text| {
            let path = data_dir.path().join("schema.prisma");
            std::fs::write(&path, text).expect("schema file");
            path
        }),
        accept_data_loss: false,
        credentials: Credentials::generate().expect("credentials"),
        db_options: DbOptions { max_connections: 5 },
        rotate_api_key: false,
        public_url: None,
        cors_origins: Vec::new(),
        trusted_proxies: Vec::new(),
        only: None,
        peer_url: None,
        sync_secret: None,
        sync: tandem_sync::SyncConfig::default(),
        http: tandem::HttpLimits::default(),
        mail: tandem::config::MailConfig::default(),
    };
    (config, data_dir, database)
}

async fn start(
    backend: Backend,
    config: Config,
    clock: ManualClock,
    data_dir: tempfile::TempDir,
    database: Option<TestDatabase>,
) -> Result<TestApp, String> {
    let mut app = TestApp {
        backend,
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
        base_url: String::new(),
        credentials: config.credentials.clone(),
        config,
        clock,
        client: reqwest::Client::new(),
        platform_store: None,
        shutdown: None,
        server: None,
        _data_dir: Some(data_dir),
        _database: database,
    };
    app.launch().await?;
    Ok(app)
}

/// What a request answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// `errors[0].extensions.response.errorCode` of a GraphQL answer.
    pub fn error_code(&self) -> Option<&str> {
        self.body
            .pointer("/errors/0/extensions/response/errorCode")
            .and_then(Value::as_str)
    }

    pub fn error_status(&self) -> Option<u64> {
        self.body
            .pointer("/errors/0/extensions/response/statusCode")
            .and_then(Value::as_u64)
    }

    pub fn error_message(&self) -> Option<&str> {
        self.body
            .pointer("/errors/0/message")
            .and_then(Value::as_str)
    }

    /// `data.<field>`, failing the test with the errors when there is none.
    pub fn data(&self, field: &str) -> &Value {
        match self.body.pointer(&format!("/data/{field}")) {
            Some(v) if self.body.get("errors").is_none() => v,
            _ => panic!("expected data.{field}, got {}: {}", self.status, self.body),
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `Basic base64(environmentId:apiKey)`
    pub fn server_authorization(&self) -> String {
        let raw = format!(
            "{}:{}",
            self.credentials.environment_id, self.credentials.api_key
        );
        format!("Basic {}", STANDARD.encode(raw))
    }

    pub async fn post_json(&self, path: &str, body: &Value, headers: &[(&str, String)]) -> Answer {
        let mut request = self.client.post(self.url(path)).json(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, body }
    }

    pub async fn get_json(&self, path: &str, headers: &[(&str, String)]) -> Answer {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        self.send(request).await
    }

    /// A service-account token, as `asSuperAdmin()` obtains it.
    pub async fn service_token(&self) -> String {
        let answer = self
            .post_json(
                "/v01/authorize/serviceAccount",
                &json!({
                    "email": "project-service-account@roq.tech",
                    "environmentId": self.credentials.environment_id,
                    "apiKey": self.credentials.api_key,
                }),
                &[],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    /// A user token, as `asUser(userId)` obtains it.
    pub async fn user_token(&self, user_id: &str) -> String {
        let service = self.service_token().await;
        let answer = self
            .post_json(
                "/v01/authorize",
                &json!({
                    "environmentId": self.credentials.environment_id,
                    "apiKey": self.credentials.api_key,
                    "userId": user_id,
                }),
                &[("roq-platform-authorization", format!("Bearer {service}"))],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    /// `Authorization: Basic …` for the BaaS.
    fn baas_headers(&self) -> Vec<(&'static str, String)> {
        vec![("authorization", self.server_authorization())]
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, body }
    }

    /// A BaaS RPC read: `GET /api/model/{model}/{op}?q=…`.
    pub async fn rpc_get(&self, model: &str, op: &str, args: Value) -> Answer {
        let url = self.url(&format!("/api/model/{model}/{op}"));
        let mut request = self.client.get(url).query(&[("q", args.to_string())]);
        for (k, v) in self.baas_headers() {
            request = request.header(k, v);
        }
        self.send(request).await
    }

    /// A BaaS RPC write with a JSON body: POST (create…), PUT (update…).
    pub async fn rpc_send(
        &self,
        method: reqwest::Method,
        model: &str,
        op: &str,
        body: Value,
    ) -> Answer {
        let url = self.url(&format!("/api/model/{model}/{op}"));
        let mut request = self.client.request(method, url).json(&body);
        for (k, v) in self.baas_headers() {
            request = request.header(k, v);
        }
        self.send(request).await
    }

    pub async fn rpc_post(&self, model: &str, op: &str, body: Value) -> Answer {
        self.rpc_send(reqwest::Method::POST, model, op, body).await
    }

    pub async fn rpc_put(&self, model: &str, op: &str, body: Value) -> Answer {
        self.rpc_send(reqwest::Method::PUT, model, op, body).await
    }

    /// A BaaS RPC delete: `DELETE /api/model/{model}/{op}?q=…`.
    pub async fn rpc_delete(&self, model: &str, op: &str, args: Value) -> Answer {
        let url = self.url(&format!("/api/model/{model}/{op}"));
        let mut request = self.client.delete(url).query(&[("q", args.to_string())]);
        for (k, v) in self.baas_headers() {
            request = request.header(k, v);
        }
        self.send(request).await
    }

    /// Creates tenants and users with fixed ids and creation times on the Platform, through
    /// its store (as `createTenant`/`createUser` do, outbox included), and waits until sync
    /// has delivered them to the BaaS. `rows` is `{"tenant": [...], "user": [...]}` with the
    /// BaaS's field names; ids are UUIDs.
    pub async fn seed_people(&self, rows: Value) {
        let store = self
            .platform_store
            .as_ref()
            .expect("seeding needs the Platform in this process");
        let at = |row: &Value| -> chrono::DateTime<chrono::Utc> {
            row["created_at"]
                .as_str()
                .map(|s| s.parse().expect("created_at"))
                .unwrap_or_else(|| self.clock.now())
        };
        let text = |row: &Value, key: &str| row[key].as_str().map(str::to_owned);
        for row in rows["tenant"].as_array().into_iter().flatten() {
            let created = at(row);
            store
                .insert_tenant(&Tenant {
                    id: TenantId::parse(row["id"].as_str().unwrap()).expect("tenant id"),
                    reference: None,
                    name: text(row, "name").expect("tenant name"),
                    is_default: false,
                    created_at: created,
                    updated_at: created,
                })
                .await
                .expect("seed tenant");
        }
        for row in rows["user"].as_array().into_iter().flatten() {
            let created = at(row);
            let user = User {
                id: UserId::parse(row["id"].as_str().unwrap()).expect("user id"),
                reference: format!("seed-{}", row["id"].as_str().unwrap()),
                email: Email::parse(row["email"].as_str().unwrap()).expect("email"),
                first_name: text(row, "first_name"),
                last_name: text(row, "last_name"),
                phone: None,
                locale: text(row, "locale"),
                timezone: text(row, "timezone"),
                avatar_url: text(row, "avatar_url"),
                active: row["active"].as_bool().unwrap_or(true),
                is_opted_in: false,
                opted_in_at: None,
                custom_data: None,
                two_factor_enabled: false,
                synced: false,
                tenant_id: TenantId::parse(row["tenant_id"].as_str().unwrap()).expect("tenant"),
                token_generation: 0,
                created_at: created,
                updated_at: created,
            };
            store
                .insert_user(&user, None, &[])
                .await
                .expect("seed user");
        }
        self.wait_for_sync().await;
    }

    /// The sync status (`GET /sync/v1/status`) as the service account.
    pub async fn sync_status(&self) -> Value {
        let answer = self.get_json("/sync/v1/status", &self.baas_headers()).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "sync status: {}",
            answer.body
        );
        answer.body
    }

    /// Waits (up to 30 s) until no event waits for delivery in either direction; panics with
    /// the status otherwise. Parked events count as not delivered.
    pub async fn wait_for_sync(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let status = self.sync_status().await;
            if sync_idle(&status) {
                return;
            }
            // The test clock does not move by itself, so an event in backoff would never be
            // retried: in these tests a failed delivery is a bug, shown as soon as it happens.
            let retrying = status["directions"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["retrying"] != 0));
            if retrying {
                panic!("a sync delivery failed: {status}");
            }
            if std::time::Instant::now() > deadline {
                panic!("sync did not finish within 30 s: {status}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// A GraphQL request with both headers, as the SDK sends it, under `token`.
    pub async fn graphql_with(&self, token: &str, query: &str, variables: Value) -> Answer {
        self.post_json(
            "/v01/server/graphql",
            &json!({"query": query, "variables": variables}),
            &[
                ("roq-platform-authorization", format!("Bearer {token}")),
                (
                    "roq-platform-server-authorization",
                    self.server_authorization(),
                ),
            ],
        )
        .await
    }

    /// A GraphQL request as the service account.
    pub async fn graphql(&self, query: &str, variables: Value) -> Answer {
        let token = self.service_token().await;
        self.graphql_with(&token, query, variables).await
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        self.stop_server().await;
    }

    async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Builds and serves a Tandem from `self.config` on the stores this test owns.
    async fn launch(&mut self) -> Result<(), String> {
        let app = App::build(&self.config, Arc::new(self.clock.clone()))
            .await
            .map_err(|e| format!("{e:#}"))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        self.address = listener.local_addr().expect("address");
        self.base_url = format!("http://{}", self.address);
        self.credentials = self.config.credentials.clone();
        self.platform_store = app.platform_store().cloned();
        let (tx, rx) = oneshot::channel();
        self.shutdown = Some(tx);
        self.server = Some(tokio::spawn(async move {
            app.serve(listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        }));
        Ok(())
    }

    /// Stops the server and starts a new one on the same stores, with the configuration as
    /// `change` leaves it. `Err` carries the start-up error when Tandem refuses to start; the
    /// stores stay, so the test may restart again.
    pub async fn restart(&mut self, change: impl FnOnce(&mut Config)) -> Result<(), String> {
        self.stop_server().await;
        let mut config = self.config.clone();
        change(&mut config);
        self.config = config;
        self.launch().await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t3"),
            "postgres://h:5432/t3"
        );
    }
}
