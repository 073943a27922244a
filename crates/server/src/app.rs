//! Wiring: opens the stores, starts the services and assembles the HTTP router.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tandem_baas::{Baas, BaasAuth, BaasConfig};
use tandem_core::Clock;
use tandem_platform::http::PlatformState;
use tandem_platform::{PlatformService, SqlPlatformStore, StartOptions};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// Largest request body any route accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A configured, migrated Tandem, ready to serve.
pub struct App {
    platform: Arc<PlatformService>,
    platform_store: SqlPlatformStore,
    baas: Arc<Baas>,
}

/// The BaaS's super admin is whoever holds the Platform environment's credentials.
struct PlatformCredentials(Arc<PlatformService>);

#[async_trait::async_trait]
impl BaasAuth for PlatformCredentials {
    async fn is_super_admin(&self, environment_id: &str, api_key: &str) -> bool {
        self.0.accepts_credentials(environment_id, api_key).await
    }
}

impl App {
    /// Opens and migrates the stores and starts the services.
    pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        if config.platform_db == config.baas_db {
            anyhow::bail!(
                "the Platform and the BaaS need separate databases (both are {})",
                config.platform_db.redacted()
            );
        }
        let platform_store = SqlPlatformStore::open(&config.platform_db, config.db_options)
            .await
            .with_context(|| {
                format!(
                    "cannot open the Platform store at {}",
                    config.platform_db.redacted()
                )
            })?;
        let platform = PlatformService::start(
            Arc::new(platform_store.clone()),
            clock.clone(),
            &config.credentials,
            StartOptions {
                rotate_api_key: config.rotate_api_key,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let platform = Arc::new(platform);
        let baas = Baas::open(
            &BaasConfig {
                db: config.baas_db.clone(),
                db_options: config.db_options,
                schema_path: config.schema.clone(),
                accept_data_loss: config.accept_data_loss,
                test_endpoints: config.test_endpoints,
            },
            clock,
            Arc::new(PlatformCredentials(platform.clone())),
        )
        .await
        .with_context(|| format!("cannot start the BaaS on {}", config.baas_db.redacted()))?;
        Ok(Self {
            platform,
            platform_store,
            baas: Arc::new(baas),
        })
    }

    pub fn baas(&self) -> &Arc<Baas> {
        &self.baas
    }

    pub fn platform(&self) -> &Arc<PlatformService> {
        &self.platform
    }

    pub fn router(&self) -> Router {
        let health = Router::new()
            .route("/health", get(health))
            .with_state((self.platform_store.clone(), self.baas.clone()));
        Router::new()
            .merge(health)
            .merge(tandem_platform::http::router(PlatformState::new(
                self.platform.clone(),
            )))
            .merge(tandem_baas::rpc::router(self.baas.clone()))
            .fallback(not_found)
            .layer(axum::middleware::map_response(json_framework_errors))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(TraceLayer::new_for_http())
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes the stores.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = self.router();
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed")?;
        self.platform_store.db().close().await;
        self.baas.db().close().await;
        Ok(())
    }
}

async fn health(State((store, baas)): State<(SqlPlatformStore, Arc<Baas>)>) -> Response {
    let (name, err) = match (store.db().ping().await, baas.db().ping().await) {
        (Ok(()), Ok(())) => return Json(json!({"status": "ok"})).into_response(),
        (Err(err), _) => ("Platform", err),
        (_, Err(err)) => ("BaaS", err),
    };
    tracing::warn!(error = %err, store = name, "health check: a store does not answer");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(
            json!({"status": "unavailable", "reason": format!("the {name} store does not answer")}),
        ),
    )
        .into_response()
}

/// axum answers an oversized body (413) and a wrong method (405) without the JSON error shape
/// clients expect; this gives them one.
async fn json_framework_errors(response: Response) -> Response {
    let (code, message) = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "PAYLOAD_TOO_LARGE",
            format!(
                "the request body is larger than {} KiB",
                MAX_BODY_BYTES / 1024
            ),
        ),
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
    let status = response.status();
    let mut out = (
        status,
        Json(json!({"statusCode": status.as_u16(), "errorCode": code, "message": message})),
    )
        .into_response();
    if let Some(allow) = response.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "statusCode": 404,
            "errorCode": "NOT_FOUND",
            "message": "no such endpoint; see the README for Tandem's API",
        })),
    )
        .into_response()
}
