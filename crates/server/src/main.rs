//! `tandem` — the command line. Everything else lives in the library (`tandem::…`).

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tandem::cli::{Cli, Command, CredentialsArgs, ServeArgs, StoreArgs, SyncArgs, SyncCommand};
use tandem::config::{self, Config, CredentialSource};
use tandem::{App, telemetry};
use tandem_core::SystemClock;
use tandem_platform::SqlPlatformStore;
use tandem_sql::DbOptions;

/// mimalloc: about a fifth of the CPU of a busy server went to glibc's malloc (bench/NOTES.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => migrate(args).await,
        Command::Credentials(args) => credentials(args),
        Command::Sync(cmd) => sync(cmd).await,
        Command::Admin(cmd) => admin(cmd).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn resolve_config(args: &ServeArgs) -> anyhow::Result<Config> {
    let store = &args.store;
    // Secrets come from the environment, never from flags (which `ps` shows).
    let from_env = config::credentials_from_env(
        std::env::var("TANDEM_ENVIRONMENT_ID").ok(),
        std::env::var("TANDEM_API_KEY").ok(),
    )?;
    let (credentials, source) = config::resolve_credentials(
        &store.data_dir,
        from_env,
        args.only != Some(config::Half::Baas),
    )?;
    match source {
        CredentialSource::Generated => tracing::info!(
            environment_id = %credentials.environment_id,
            file = %config::credentials_path(&store.data_dir).display(),
            "generated new credentials; `tandem credentials` prints them"
        ),
        CredentialSource::File => {
            tracing::info!(environment_id = %credentials.environment_id, "using stored credentials")
        }
        CredentialSource::Environment => {
            tracing::info!(environment_id = %credentials.environment_id, "using credentials from the environment")
        }
    }
    Ok(Config {
        platform_db: config::platform_db_url(&store.data_dir, store.platform_db.as_deref())?,
        baas_db: config::baas_db_url(&store.data_dir, store.baas_db.as_deref())?,
        schema: config::schema_path(&store.data_dir, store.schema.as_deref())?,
        accept_data_loss: store.accept_data_loss,
        data_dir: store.data_dir.clone(),
        listen: args.listen.clone(),
        credentials,
        db_options: DbOptions::default(),
        rotate_api_key: args.rotate_api_key,
        public_url: match args
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                anyhow::bail!("--public-url must be an http:// or https:// URL, not {url}")
            }
            None => None,
        },
        cors_origins: cors_origins(&args.cors_origins)?,
        trusted_proxies: args
            .trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                tandem::proxies::Network::parse(p).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--trusted-proxies: {p:?} is not an address or network like 10.0.0.0/8"
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?,
        only: args.only,
        peer_url: args.peer_url.clone(),
        sync_secret: std::env::var("TANDEM_SYNC_SECRET")
            .ok()
            .filter(|s| !s.is_empty()),
        sync: tandem_sync::SyncConfig {
            relay: tandem_sync::relay::RelayConfig {
                max_attempts: args.sync_max_attempts.max(1),
                ..Default::default()
            },
            reconcile_every: (args.sync_reconcile_secs > 0)
                .then(|| std::time::Duration::from_secs(args.sync_reconcile_secs)),
            ..Default::default()
        },
        http: tandem::HttpLimits {
            max_connections: args.max_connections,
            ..Default::default()
        },
        mail: tandem::config::MailConfig {
            smtp_url: args
                .smtp_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
            from: args.mail_from.trim().to_owned(),
        },
    })
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Bind first: a busy port should fail before anything is written to the data dir.
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (choose another with --listen)",
                args.listen
            )
        })?;
    let config = resolve_config(&args)?;
    if let Some(mode) = config::make_data_dir_private(&config.data_dir)? {
        tracing::warn!(
            data_dir = %config.data_dir.display(),
            was = format!("{mode:o}"),
            "the data directory was readable by other users; made it private (700)"
        );
    }
    let app = App::build(&config, Arc::new(SystemClock)).await?;
    if let Some(platform) = app.platform()
        && !platform.console_has_admins().await.unwrap_or(true)
    {
        tracing::warn!(
            "no Console admin yet: create one with `tandem admin create --email you@example.com --data-dir {}`, then open http://{}/console",
            config.data_dir.display(),
            listener.local_addr()?
        );
    }
    tracing::info!(
        address = %listener.local_addr()?,
        mode = app.sync().mode.name(),
        platform_db = %if config.runs_platform() { config.platform_db.redacted() } else { "(not here)".into() },
        baas_db = %if config.runs_baas() { config.baas_db.redacted() } else { "(not here)".into() },
        peer = config.peer_url.as_deref().unwrap_or("(in-process)"),
        schema = %config.schema.as_ref().map_or("(built-in models only)".into(), |p| p.display().to_string()),
        "tandem is ready"
    );
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("tandem stopped");
    Ok(())
}

async fn admin(command: tandem::cli::AdminCommand) -> anyhow::Result<()> {
    use tandem::cli::AdminCommand;
    let (args, create) = match command {
        AdminCommand::Create(args) => (args, true),
        AdminCommand::Password(args) => (args, false),
    };
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let url = config::platform_db_url(&args.data_dir, args.platform_db.as_deref())?;
    let store = SqlPlatformStore::open(&url, DbOptions::default())
        .await
        .with_context(|| format!("cannot open the Platform store at {}", url.redacted()))?;
    let result = if create {
        tandem_platform::service::create_console_admin(
            &store,
            &args.email,
            password.as_deref(),
            tandem_core::Clock::now(&SystemClock),
        )
        .await
        .map(|(admin, generated)| (admin.email.as_str().to_owned(), generated))
    } else {
        tandem_platform::service::reset_console_admin_password(
            &store,
            &args.email,
            password.as_deref(),
        )
        .await
        .map(|generated| (args.email.trim().to_lowercase(), generated))
    };
    store.db().close().await;
    let (email, generated) = result.map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    match generated {
        Some(password) => println!(
            "Console admin {email}: password {password}\n(shown once; log in at /console and keep it in a password manager)"
        ),
        None => println!("Console admin {email}: password set"),
    }
    Ok(())
}

async fn migrate(args: StoreArgs) -> anyhow::Result<()> {
    let url = config::platform_db_url(&args.data_dir, args.platform_db.as_deref())?;
    let store = SqlPlatformStore::open(&url, DbOptions::default())
        .await
        .with_context(|| format!("cannot migrate the Platform store at {}", url.redacted()))?;
    store.db().close().await;
    println!("Platform store at {} is up to date", url.redacted());
    let baas_url = config::baas_db_url(&args.data_dir, args.baas_db.as_deref())?;
    let schema_path = config::schema_path(&args.data_dir, args.schema.as_deref())?;
    let schema = tandem_baas::load_schema(schema_path.as_deref())?;
    let db = tandem_sql::Db::connect(&baas_url, DbOptions::default()).await?;
    let done =
        tandem_baas::migrate::migrate(&db, &schema, args.accept_data_loss, &baas_url.redacted())
            .await?;
    db.close().await;
    for change in &done {
        println!("  {change}");
    }
    println!("BaaS store at {} is up to date", baas_url.redacted());
    Ok(())
}

fn credentials(args: CredentialsArgs) -> anyhow::Result<()> {
    let from_env = config::credentials_from_env(
        std::env::var("TANDEM_ENVIRONMENT_ID").ok(),
        std::env::var("TANDEM_API_KEY").ok(),
    )?;
    let creds = match from_env {
        Some(creds) => creds,
        None => config::read_credentials_file(&args.data_dir)?.with_context(|| {
            format!(
                "no credentials in {}: start `tandem serve` once to generate them, or set TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY",
                args.data_dir.display()
            )
        })?,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&creds)?);
    } else {
        println!("TANDEM_ENVIRONMENT_ID={}", creds.environment_id);
        println!("TANDEM_API_KEY={}", creds.api_key);
    }
    Ok(())
}

/// `tandem sync status | reconcile | retry`: asks the running server.
async fn sync(cmd: SyncCommand) -> anyhow::Result<()> {
    let (args, post, path): (SyncArgs, bool, &str) = match cmd {
        SyncCommand::Status(a) => (a, false, "/sync/v1/status"),
        SyncCommand::Reconcile(a) => (a, true, "/sync/v1/reconcile"),
        SyncCommand::Retry(a) => (a, true, "/sync/v1/retry"),
    };
    let from_env = config::credentials_from_env(
        std::env::var("TANDEM_ENVIRONMENT_ID").ok(),
        std::env::var("TANDEM_API_KEY").ok(),
    )?;
    let creds = match from_env {
        Some(c) => c,
        None => config::read_credentials_file(&args.data_dir)?.with_context(|| {
            format!(
                "no credentials: set TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY, or point --data-dir at the server's data directory (now {})",
                args.data_dir.display()
            )
        })?,
    };
    let url = format!("{}{path}", args.url.trim_end_matches('/'));
    let client = reqwest::Client::new();
    let request = if post {
        client.post(&url)
    } else {
        client.get(&url)
    };
    let response = request
        .basic_auth(&creds.environment_id, Some(&creds.api_key))
        .send()
        .await
        .with_context(|| {
            format!(
                "cannot reach Tandem at {} (is it running? see --url)",
                args.url
            )
        })?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .with_context(|| format!("{url} did not answer JSON"))?;
    if !status.is_success() {
        anyhow::bail!(
            "{url} answered {status}: {}",
            body.get("message").and_then(|m| m.as_str()).unwrap_or("")
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    print!("{}", tandem::sync_cli::human(path, &body));
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Checks `--cors-origins`: each an origin only (`https://app.example.com`), never `*`.
fn cors_origins(raw: &[String]) -> anyhow::Result<Vec<String>> {
    raw.iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .map(|o| tandem::cors::normalise_origin(o).ok_or_else(|| {
            anyhow::anyhow!("--cors-origins: {o:?} is not an origin like https://app.example.com (no path, no `*`)")
        }))
        .collect()
}
