//! Wiring: opens the stores, starts the services and the sync engine, and assembles the HTTP
//! router. All-in-one by default; with `--only` one half, syncing with the other over HTTP.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use subtle::ConstantTimeEq;
use tandem_baas::{Baas, BaasAuth, BaasConfig, VerifiedUser};
use tandem_core::{BasicCredentials, Clock};
use tandem_platform::http::PlatformState;
use tandem_platform::mail::delivery::{DevMailbox, Smtp, Transport};
use tandem_platform::{Credentials, PlatformService, SqlPlatformStore, StartOptions};
use tandem_sql::Db;
use tandem_sync::SyncEngine;
use tandem_sync::http::OperatorAuth;
use tandem_sync::link::HttpPeer;
use tandem_sync::side::{BaasSide, PlatformSide, SideStore};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::connections::HttpLimits;
use crate::reply::error_response;

/// A configured, migrated Tandem, ready to serve.
pub struct App {
    platform: Option<(Arc<PlatformService>, SqlPlatformStore)>,
    baas: Option<Arc<Baas>>,
    sync: Arc<SyncEngine>,
    auth: Arc<Operators>,
    http: HttpLimits,
    cors_origins: Vec<String>,
    trusted_proxies: Vec<crate::proxies::Network>,
    /// Where the Platform's mail goes (with the Platform only).
    mail: Option<Arc<dyn Transport>>,
    /// How the Console reads the BaaS: in this process, or the peer's RPC API.
    console_baas: Option<Arc<dyn tandem_console::BaasReader>>,
}

/// Who holds the environment's credentials: the BaaS's super admin and the sync operator.
enum Operators {
    /// Checked against the Platform store (all-in-one, or the Platform half).
    Platform(Arc<PlatformService>),
    /// A BaaS-only process checks the configured credentials, and users' tokens with the
    /// Platform's published keys.
    Fixed(Credentials, crate::jwks::RemoteKeys),
}

impl Operators {
    async fn accepts(&self, environment_id: &str, api_key: &str) -> bool {
        match self {
            Self::Platform(p) => p.accepts_credentials(environment_id, api_key).await,
            Self::Fixed(c, _) => {
                let id = c.environment_id.as_bytes().ct_eq(environment_id.as_bytes());
                let key = c.api_key.as_bytes().ct_eq(api_key.as_bytes());
                bool::from(id & key)
            }
        }
    }
}

#[async_trait::async_trait]
impl BaasAuth for Operators {
    async fn is_super_admin(&self, environment_id: &str, api_key: &str) -> bool {
        self.accepts(environment_id, api_key).await
    }

    async fn verify_user_token(&self, token: &str) -> Result<VerifiedUser, String> {
        let (user_id, expires_at) = match self {
            Self::Platform(p) => p.verify_user_token(token).await,
            Self::Fixed(_, keys) => keys.verify_user_token(token).await,
        }?;
        Ok(VerifiedUser {
            user_id,
            expires_at,
        })
    }
}

#[async_trait::async_trait]
impl OperatorAuth for Operators {
    /// `Authorization: Basic base64(environmentId:apiKey)`, or (with the Platform here) a
    /// service-account access token as `Bearer`.
    async fn is_operator(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        else {
            return false;
        };
        if let Some(basic) = BasicCredentials::parse(value) {
            return self.accepts(&basic.environment_id, &basic.api_key).await;
        }
        match (self, value.strip_prefix("Bearer ")) {
            (Self::Platform(p), Some(token)) => p.is_service_token(token).await,
            _ => false,
        }
    }

    fn accepted(&self) -> &'static str {
        match self {
            Self::Platform(_) => {
                "`Authorization: Basic base64(environmentId:apiKey)`, or `Bearer <token>` with a service-account token from POST /v01/authorize/serviceAccount"
            }
            Self::Fixed(..) => {
                "`Authorization: Basic base64(environmentId:apiKey)` (this BaaS-only process issues no tokens, so it takes no Bearer token)"
            }
        }
    }
}

impl App {
    /// Opens and migrates the stores and starts the services (not yet the sync relays: see
    /// [`App::serve`]).
    pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        config.check_mode()?;
        if config.only.is_none() && config.platform_db == config.baas_db {
            anyhow::bail!(
                "the Platform and the BaaS need separate databases (both are {})",
                config.platform_db.redacted()
            );
        }
        let platform = if config.runs_platform() {
            let store = SqlPlatformStore::open(&config.platform_db, config.db_options)
                .await
                .with_context(|| {
                    format!(
                        "cannot open the Platform store at {}",
                        config.platform_db.redacted()
                    )
                })?;
            let backfilled = store
                .backfill_user_roles(clock.now())
                .await
                .context("cannot record the users' roles for the BaaS")?;
            if backfilled > 0 {
                tracing::info!(
                    users = backfilled,
                    "recorded the roles of users who held some before roles synced to the BaaS"
                );
            }
            let service = PlatformService::start(
                Arc::new(store.clone()),
                clock.clone(),
                &config.credentials,
                StartOptions {
                    rotate_api_key: config.rotate_api_key,
                    public_url: config.public_url.clone(),
                    mail_templates: Some(config.data_dir.join("mail")),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            Some((Arc::new(service), store))
        } else {
            None
        };
        let auth = Arc::new(match &platform {
            Some((service, _)) => Operators::Platform(service.clone()),
            None => Operators::Fixed(
                config.credentials.clone(),
                crate::jwks::RemoteKeys::new(
                    config.peer_url.as_deref().unwrap_or_default(),
                    &config.credentials.environment_id,
                    clock.clone(),
                ),
            ),
        });
        let baas = if config.runs_baas() {
            let baas = Baas::open(
                &BaasConfig {
                    db: config.baas_db.clone(),
                    db_options: config.db_options,
                    schema_path: config.schema.clone(),
                    accept_data_loss: config.accept_data_loss,
                },
                clock.clone(),
                auth.clone(),
            )
            .await
            .with_context(|| format!("cannot start the BaaS on {}", config.baas_db.redacted()))?;
            Some(Arc::new(baas))
        } else {
            None
        };
        let platform_side: Option<Arc<dyn SideStore>> = platform.as_ref().map(|(_, store)| {
            Arc::new(PlatformSide {
                store: store.clone(),
                clock: clock.clone(),
            }) as Arc<dyn SideStore>
        });
        let baas_side: Option<Arc<dyn SideStore>> = baas
            .as_ref()
            .map(|b| Arc::new(BaasSide { baas: b.clone() }) as Arc<dyn SideStore>);
        let sync = match (platform_side, baas_side) {
            (Some(p), Some(b)) => SyncEngine::all_in_one(p, b, config.sync),
            (Some(local), None) | (None, Some(local)) => {
                let (Some(url), Some(secret)) = (&config.peer_url, &config.sync_secret) else {
                    anyhow::bail!("a split deployment needs --peer-url and TANDEM_SYNC_SECRET");
                };
                let peer = HttpPeer::new(local.side().other(), url, secret, clock.clone())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                SyncEngine::split(local, Arc::new(peer), secret, config.sync)
            }
            (None, None) => anyhow::bail!("nothing to run"),
        };
        let mail: Option<Arc<dyn Transport>> = match (&platform, &config.mail.smtp_url) {
            (None, _) => None,
            (Some(_), None) => {
                tracing::info!(
                    "no SMTP server configured (--smtp-url): mail is kept in the dev mailbox at /dev/mailbox"
                );
                Some(Arc::new(DevMailbox))
            }
            (Some(_), Some(url)) => Some(Arc::new(
                Smtp::new(url, &config.mail.from)
                    .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?,
            )),
        };
        let console_baas: Option<Arc<dyn tandem_console::BaasReader>> =
            match (&baas, &config.peer_url) {
                (Some(b), _) => Some(Arc::new(InProcessBaas(b.clone()))),
                (None, Some(peer)) => Some(Arc::new(PeerBaas::new(peer, &config.credentials))),
                (None, None) => None,
            };
        Ok(Self {
            console_baas,
            mail,
            platform,
            baas,
            sync: Arc::new(sync),
            auth,
            http: config.http,
            cors_origins: config.cors_origins.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
        })
    }

    /// The BaaS, when this process runs it.
    pub fn baas(&self) -> Option<&Arc<Baas>> {
        self.baas.as_ref()
    }

    /// The Platform, when this process runs it.
    pub fn platform(&self) -> Option<&Arc<PlatformService>> {
        self.platform.as_ref().map(|(p, _)| p)
    }

    /// The Platform's store, when this process runs the Platform.
    pub fn platform_store(&self) -> Option<&SqlPlatformStore> {
        self.platform.as_ref().map(|(_, s)| s)
    }

    pub fn sync(&self) -> &Arc<SyncEngine> {
        &self.sync
    }

    fn stores(&self) -> Vec<(&'static str, Db)> {
        let mut stores = Vec::new();
        if let Some((_, store)) = &self.platform {
            stores.push(("Platform", store.db().clone()));
        }
        if let Some(baas) = &self.baas {
            stores.push(("BaaS", baas.db().clone()));
        }
        stores
    }

    pub fn router(&self) -> Router {
        let health = Router::new()
            .route("/health", get(health))
            .with_state(Arc::new(self.stores()));
        let mut router = Router::new().merge(health);
        if let Some((service, _)) = &self.platform {
            let state = PlatformState::new(service.clone());
            let baas = self.console_baas.clone();
            router = router
                .merge(tandem_platform::http::router(state.clone()))
                .merge(tandem_platform::oauth::router(state.clone()))
                .merge(tandem_web::hosted::router(state))
                .merge(tandem_console::router(tandem_console::ConsoleState {
                    service: service.clone(),
                    sync: self.sync.clone(),
                    baas,
                }));
        }
        if let Some(baas) = &self.baas {
            router = router.merge(tandem_baas::rpc::router(baas.clone()));
        }
        router
            .merge(tandem_sync::http::router(
                self.sync.clone(),
                self.auth.clone(),
            ))
            .fallback(not_found)
            .layer(axum::middleware::map_response(json_framework_errors))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(crate::proxies::TrustedProxies(self.trusted_proxies.clone())),
                crate::proxies::client_address,
            ))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(crate::cors::Cors::new(
                    self.platform().cloned(),
                    self.cors_origins.clone(),
                )),
                crate::cors::cors,
            ))
            // The path only: query strings carry reset and confirmation tokens, id_token_hint.
            .layer(TraceLayer::new_for_http().make_span_with(
                |request: &axum::http::Request<axum::body::Body>| {
                    tracing::debug_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                },
            ))
    }

    /// Starts the sync engine and serves until `shutdown` resolves; then finishes in-flight
    /// requests, stops the relays and closes the stores.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = self.router();
        self.sync.start();
        let (stop_mail, stopped) = tokio::sync::watch::channel(false);
        let sender = match (&self.platform, &self.mail) {
            (Some((service, store)), Some(transport)) => {
                Some(tokio::spawn(tandem_platform::service::run_mail_sender(
                    service.clone(),
                    transport.clone(),
                    store.mail_signal().clone(),
                    stopped,
                )))
            }
            _ => None,
        };
        let served = crate::connections::serve(listener, router, self.http, shutdown)
            .await
            .context("the HTTP server failed");
        let _ = stop_mail.send(true);
        if let Some(sender) = sender {
            // A message in the middle of an SMTP conversation gets its timeout to finish; one
            // cut off is sent again by the next start (its lease ends).
            let _ = tokio::time::timeout(std::time::Duration::from_secs(35), sender).await;
        }
        self.sync.stop().await;
        for (_, db) in self.stores() {
            db.close().await;
        }
        served
    }
}

/// The Console reads the BaaS of this process as its super admin.
struct InProcessBaas(Arc<Baas>);

#[async_trait::async_trait]
impl tandem_console::BaasReader for InProcessBaas {
    async fn models(&self) -> Result<Vec<String>, String> {
        Ok(self
            .0
            .engine
            .schema
            .models
            .iter()
            .map(|m| m.name.clone())
            .collect())
    }

    async fn call(
        &self,
        model: &str,
        op: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.0
            .call(model, op, &args)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The Console of a Platform-only process reads the other process's BaaS through its RPC API,
/// as its super admin (the environment's credentials).
struct PeerBaas {
    base: String,
    authorization: String,
    client: reqwest::Client,
}

impl PeerBaas {
    fn new(base: &str, credentials: &Credentials) -> Self {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            credentials.environment_id, credentials.api_key
        ));
        Self {
            base: base.trim_end_matches('/').to_owned(),
            authorization: format!("Basic {basic}"),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Result<serde_json::Value, String> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("authorization", &self.authorization)
            .send()
            .await
            .map_err(|e| format!("the BaaS at {} did not answer: {e}", self.base))?;
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|e| format!("the BaaS answered something else than JSON: {e}"))?;
        match body.get("error") {
            Some(error) => Err(error
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("the BaaS refused the query")
                .to_owned()),
            None => Ok(body),
        }
    }
}

#[async_trait::async_trait]
impl tandem_console::BaasReader for PeerBaas {
    async fn models(&self) -> Result<Vec<String>, String> {
        let body = self.get("/api/schema").await?;
        let schema = body
            .get("schema")
            .and_then(|s| s.as_str())
            .unwrap_or_default();
        Ok(schema
            .lines()
            .filter_map(|l| l.trim().strip_prefix("model "))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect())
    }

    async fn call(
        &self,
        model: &str,
        op: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let q: String = url::form_urlencoded::byte_serialize(args.to_string().as_bytes()).collect();
        let body = self.get(&format!("/api/model/{model}/{op}?q={q}")).await?;
        Ok(body.get("data").cloned().unwrap_or(serde_json::Value::Null))
    }
}

async fn health(State(stores): State<Arc<Vec<(&'static str, Db)>>>) -> Response {
    for (name, db) in stores.iter() {
        if let Err(err) = db.ping().await {
            tracing::warn!(error = %err, store = name, "health check: a store does not answer");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": format!("the {name} store does not answer")})),
            )
                .into_response();
        }
    }
    Json(json!({"status": "ok"})).into_response()
}

/// axum answers a wrong method (405) without the JSON error shape clients expect; this gives it
/// one. (Oversized bodies never reach the router: `connections::read_body` answers them.)
async fn json_framework_errors(response: Response) -> Response {
    let (code, message) = match response.status() {
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = response
                .headers()
                .get(axum::http::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("another method")
                .to_owned();
            (
                "METHOD_NOT_ALLOWED",
                format!("this endpoint accepts {allowed}"),
            )
        }
        _ => return response,
    };
    let mut out = error_response(response.status(), code, message);
    if let Some(allow) = response.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such endpoint; see the README for Tandem's API".into(),
    )
}
