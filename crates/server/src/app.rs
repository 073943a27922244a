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
use tandem_core::Clock;
use tandem_platform::http::PlatformState;
use tandem_platform::{PlatformService, SqlPlatformStore};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// Largest request body any route accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A configured, migrated Tandem, ready to serve.
pub struct App {
    platform: Arc<PlatformService>,
    platform_store: SqlPlatformStore,
}

impl App {
    /// Opens and migrates the stores and starts the services.
    pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let platform_store = SqlPlatformStore::open(&config.platform_db, config.db_options)
            .await
            .with_context(|| {
                format!(
                    "cannot open the Platform store at {}",
                    config.platform_db.redacted()
                )
            })?;
        let platform =
            PlatformService::start(Arc::new(platform_store.clone()), clock, &config.credentials)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Self {
            platform: Arc::new(platform),
            platform_store,
        })
    }

    pub fn platform(&self) -> &Arc<PlatformService> {
        &self.platform
    }

    pub fn router(&self) -> Router {
        let health = Router::new()
            .route("/health", get(health))
            .with_state(self.platform_store.clone());
        Router::new()
            .merge(health)
            .merge(tandem_platform::http::router(PlatformState::new(
                self.platform.clone(),
            )))
            .fallback(not_found)
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
        Ok(())
    }
}

async fn health(State(store): State<SqlPlatformStore>) -> Response {
    match store.db().ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: the Platform store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "the Platform store does not answer"})),
            )
                .into_response()
        }
    }
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
