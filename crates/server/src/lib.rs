//! The `tandem` binary as a library: configuration, wiring of the Platform, the BaaS and the
//! sync engine into one HTTP server, and telemetry. `main.rs` is only the command line;
//! tests start the same [`App`] in-process through `tandem-testkit`.

pub mod app;
pub mod cli;
pub mod config;
pub mod connections;
pub mod cors;
pub mod jwks;
pub mod proxies;
pub mod reply;
pub mod sync_cli;
pub mod telemetry;

pub use app::App;
pub use config::{Config, CredentialSource};
pub use connections::HttpLimits;
