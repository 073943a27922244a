//! The Platform: Tandem's identity half.
//!
//! It owns the environment's credentials, tenants, users, roles and passwords, stores them in
//! its own database (SQLite or PostgreSQL), and serves them through ROQ's server API: the
//! service-account token endpoints and the GraphQL schema at `/v01/server/graphql`, so
//! `@roq/nodejs` works against it unchanged. It never touches the BaaS store.
//!
//! Layers, each using only those below it: `http` (the routes) → `graphql` (ROQ's schema; it
//! converts its types to and from `domain`) → `service` (every identity rule) → `store` (SQL on
//! SQLite or PostgreSQL), all over `domain` (plain data), with `password`, `environment` and
//! `token` alongside. Lower modules report their own errors; `error` maps them to ROQ's
//! responses in one place.

pub mod domain;
pub mod environment;
pub mod error;
pub mod graphql;
pub mod http;
pub mod mail;
pub mod oauth;
pub mod password;
pub mod service;
pub mod store;
pub mod token;

pub use environment::Credentials;
pub use error::PlatformError;
pub use service::{PlatformService, Principal, StartOptions};
pub use store::{
    AuthStore, ConsoleStore, EnvironmentStore, InviteStore, MailStore, PlatformStore, RoleStore,
    SqlPlatformStore, TenantStore, UserStore,
};
