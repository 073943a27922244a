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
        TANDEM_SYNC_SECRET shared secret of a split deployment's two processes (≥ 32 characters).\n  \
        RUST_LOG           log filter (default info), e.g. tandem=debug\n  \
        TANDEM_LOG_FORMAT  json for one JSON object per log line"
    )]
    Serve(ServeArgs),
    /// Create or upgrade the stores' tables, then exit.
    Migrate(StoreArgs),
    /// Print the environment id and API key that clients authenticate with.
    Credentials(CredentialsArgs),
    /// Inspect and repair the Platform ⇄ BaaS sync of a running server.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Console administrators: who may log in at /console.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a Console admin; prints a generated password unless --password-stdin gives one.
    Create(AdminArgs),
    /// Give a Console admin a new password (their sessions end); generated unless --password-stdin.
    Password(AdminArgs),
}

#[derive(Debug, Args, Clone)]
pub struct AdminArgs {
    /// The admin's email (what they log in with).
    #[arg(long)]
    pub email: String,

    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,

    /// Directory of the embedded databases.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./tandem_data")]
    pub data_dir: PathBuf,

    /// Platform store: a postgres:// URL, or a SQLite file (default <data-dir>/platform.db).
    #[arg(long, env = "TANDEM_PLATFORM_DB")]
    pub platform_db: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Pending, failed and delivered events per direction; lag; conflicts; parked errors.
    Status(SyncArgs),
    /// Compare both sides and repair every difference now.
    Reconcile(SyncArgs),
    /// Put parked (failed) events back in the queue, after fixing their cause.
    Retry(SyncArgs),
}

#[derive(Debug, Args, Clone)]
pub struct SyncArgs {
    /// The running server's base URL.
    #[arg(long, env = "TANDEM_URL", default_value = "http://127.0.0.1:8787")]
    pub url: String,

    /// Where credentials.json is, unless TANDEM_ENVIRONMENT_ID/TANDEM_API_KEY are set.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./tandem_data")]
    pub data_dir: PathBuf,

    /// Print the server's JSON answer.
    #[arg(long)]
    pub json: bool,
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

    /// The URL people and apps reach Tandem at (`https://auth.example.com`): the issuer of
    /// its tokens and the base of its links. Taken from each request's Host header when unset.
    #[arg(long, env = "TANDEM_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The SMTP server the Platform's mail goes through: `smtp://host:port` (plain),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host:465`
    /// (TLS). Unset, no mail leaves the machine: the embedded dev mailbox (`/dev/mailbox`) shows it.
    #[arg(long, env = "TANDEM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of the Platform's mail, e.g. `Acme <no-reply@acme.com>`.
    #[arg(long, env = "TANDEM_MAIL_FROM", default_value = crate::config::DEFAULT_MAIL_FROM)]
    pub mail_from: String,

    /// Browser origins allowed to call the APIs (CORS), comma-separated, besides those in the
    /// auth settings. A BaaS-only process (`--only baas`) has no auth settings: list them here.
    #[arg(long, env = "TANDEM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Reverse proxies in front of Tandem (addresses or networks, comma-separated, e.g.
    /// `10.0.0.0/8`): from them, the client's address is read from X-Forwarded-For, so per-IP
    /// limits count people. Unset, the header is ignored.
    #[arg(long, env = "TANDEM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// Replace the environment's stored API key with TANDEM_API_KEY (clients must switch).
    #[arg(long)]
    pub rotate_api_key: bool,

    /// Most client connections open at once (lowered to fit the file-descriptor limit).
    #[arg(long, env = "TANDEM_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Run one half only, syncing with the other over HTTP (needs --peer-url and
    /// TANDEM_SYNC_SECRET). Both halves by default.
    #[arg(long, env = "TANDEM_ONLY", value_enum)]
    pub only: Option<crate::config::Half>,

    /// With --only: the base URL of the process running the other half.
    #[arg(long, env = "TANDEM_PEER_URL")]
    pub peer_url: Option<String>,

    /// Seconds between automatic reconcile passes (0: only on demand).
    #[arg(long, env = "TANDEM_SYNC_RECONCILE_SECS", default_value_t = 600)]
    pub sync_reconcile_secs: u64,

    /// Delivery attempts before a failing sync event is parked as failed.
    #[arg(long, env = "TANDEM_SYNC_MAX_ATTEMPTS", default_value_t = 8)]
    pub sync_max_attempts: i32,
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
