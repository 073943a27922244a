//! Integration tests of the `tandem` server over HTTP, each run on SQLite and on PostgreSQL.
//!
//! One test binary for the crate (link time on two cores): add modules here, not new files in
//! `tests/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Defines each test twice: `name::sqlite` and `name::postgres`, each on a fresh server
/// (made by `with`, default `spawn_app`; the argument may be any type `with` makes).
macro_rules! on_both_backends {
    (with $setup:path; $(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        on_both_backends!(@each $setup; $(async fn $name($app: tandem_testkit::TestApp) $body)*);
    };
    (with $setup:path; $(async fn $name:ident($app:ident: $ty:ty) $body:block)*) => {
        on_both_backends!(@each $setup; $(async fn $name($app: $ty) $body)*);
    };
    (@each $setup:path; $(async fn $name:ident($app:ident: $ty:ty) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $ty) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($setup(tandem_testkit::Backend::Sqlite).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run($setup(tandem_testkit::Backend::Postgres).await).await
                }
            }
        )*
    };
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        on_both_backends!(@each tandem_testkit::spawn_app; $(async fn $name($app: tandem_testkit::TestApp) $body)*);
    };
}

mod auth;
mod baas;
mod common;
mod connections;
mod console;
mod faults;
mod health;
mod passwords;
mod roles;
mod sessions;
mod sync;
mod sync_props;
mod tenants;
mod users;
