//! The Console: the admin web UI at `/console` (and `/`, which redirects there). Server-rendered
//! HTML (maud) with one embedded stylesheet; no script, no CDN, no build step.
//!
//! Admins are not end users: they are created with `tandem admin create --email …` and log in
//! with a password (`auth`). A session is an HttpOnly, SameSite=Strict cookie holding a random
//! token (the store keeps its digest), a new one at every log-in; every form carries the
//! session's CSRF token, checked before anything is done. Pages call the Platform service, the
//! sync engine and — for BaaS rows — a [`BaasReader`] the server wires in; never a store.
//!
//! `web` holds what every page shares (the document, forms, responses); one module per area:
//! `users`, `invites`, `tenants`, `roles`, `sync`, `settings`, `data`, `mailbox`. Every change
//! an admin makes writes an audit line (`PlatformService::audit`).

mod auth;
mod data;
mod invites;
mod mailbox;
mod roles;
mod settings;
mod sync;
mod tenants;
mod users;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use tandem_platform::PlatformService;
use tandem_sync::SyncEngine;

/// Reads the BaaS as its super admin, for the user page's BaaS row and the data browser.
#[async_trait::async_trait]
pub trait BaasReader: Send + Sync + 'static {
    /// The models of the app's schema (built-in ones included).
    async fn models(&self) -> Result<Vec<String>, String>;
    /// One RPC operation (`findMany`, `findUnique`, `count`, …): the answer's `data`.
    async fn call(
        &self,
        model: &str,
        op: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, String>;
}

/// What the Console's pages work with.
pub struct ConsoleState {
    pub service: Arc<PlatformService>,
    pub sync: Arc<SyncEngine>,
    /// In process, or the other process's RPC API in a split deployment.
    pub baas: Option<Arc<dyn BaasReader>>,
}

pub type State = Arc<ConsoleState>;

/// Where the stylesheet is served.
pub const STYLESHEET_PATH: &str = "/console/assets/console.css";

pub fn router(state: ConsoleState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .route("/console", get(|| async { Redirect::to("/console/users") }))
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/users") }),
        )
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(
            "/console/login",
            get(auth::login_page).post(auth::login_submit),
        )
        .route("/console/logout", post(auth::logout))
        .route("/console/users", get(users::list))
        .route(
            "/console/users/{id}",
            get(users::detail).post(users::update),
        )
        .route(
            "/console/users/{id}/active",
            get(users::confirm_active).post(users::set_active),
        )
        .route("/console/users/{id}/roles", post(users::set_roles))
        .route("/console/users/{id}/reset", post(users::send_reset))
        .route(
            "/console/invitations",
            get(invites::list).post(invites::invite),
        )
        .route("/console/invitations/{id}/resend", post(invites::resend))
        .route("/console/invitations/{id}/cancel", post(invites::cancel))
        .route("/console/tenants", get(tenants::list).post(tenants::create))
        .route("/console/tenants/{id}", post(tenants::rename))
        .route("/console/roles", get(roles::list).post(roles::create))
        .route(
            "/console/roles/{id}",
            get(roles::grid).post(roles::save_grid),
        )
        .route("/console/sync", get(sync::show))
        .route("/console/sync/retry", post(sync::retry))
        .route("/console/sync/reconcile", post(sync::reconcile))
        .route(
            "/console/settings",
            get(settings::show).post(settings::save),
        )
        .route("/console/settings/rotate-key", post(settings::rotate_key))
        .route("/console/data", get(data::models))
        .route("/console/data/{model}", get(data::rows))
        .route("/console/mailbox", get(mailbox::show))
        .with_state(Arc::new(state))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "public, max-age=300"),
        ],
        include_str!("../assets/console.css"),
    )
}
