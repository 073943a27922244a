//! The command line: `tandem serve | migrate | credentials`. Every flag has an environment
//! variable of the same meaning.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tandem",
    version,
    about = "A self-hosted backend for SaaS apps: identity Platform + BaaS, ROQ-compatible."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (migrates the stores first).
    #[command(
        after_help = "Environment (never flags, so secrets stay out of `ps`):\n  \
        TANDEM_ENVIRONMENT_ID, TANDEM_API_KEY  the credentials clients present; both or neither.\n  \
        When unset, the first start generates them into <data-dir>/credentials.json (mode 0600).\n  \
        RUST_LOG           log filter (default info), e.g. tandem=debug\n  \
        TANDEM_LOG_FORMAT  json for one JSON object per log line"
    )]
    Serve(ServeArgs),
    /// Create or upgrade the stores' tables, then exit.
    Migrate(StoreArgs),
    /// Print the environment id and API key that clients authenticate with.
    Credentials(CredentialsArgs),
}

#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Directory for the embedded databases and generated credentials.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./tandem_data")]
    pub data_dir: PathBuf,

    /// Platform store: a postgres:// URL, or a SQLite file (default <data-dir>/platform.db).
    #[arg(long, env = "TANDEM_PLATFORM_DB")]
    pub platform_db: Option<String>,

    /// BaaS store: a postgres:// URL, or a SQLite file (default <data-dir>/baas.db).
    #[arg(long, env = "TANDEM_BAAS_DB")]
    pub baas_db: Option<String>,

    /// The app's Prisma schema (default <data-dir>/schema.prisma when present).
    #[arg(long, env = "TANDEM_SCHEMA")]
    pub schema: Option<PathBuf>,

    /// Apply schema changes that drop or change columns and tables (their data is lost).
    #[arg(long)]
    pub accept_data_loss: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Address to listen on.
    #[arg(long, env = "TANDEM_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: String,

    /// Replace the environment's stored API key with TANDEM_API_KEY (clients must switch).
    #[arg(long)]
    pub rotate_api_key: bool,
}

#[derive(Debug, Args, Clone)]
pub struct CredentialsArgs {
    /// Directory holding credentials.json.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./tandem_data")]
    pub data_dir: PathBuf,

    /// Print as JSON instead of shell variables.
    #[arg(long)]
    pub json: bool,
}
