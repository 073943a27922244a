//! `tandem` — the command line. Everything else lives in the library (`tandem::…`).

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tandem::cli::{Cli, Command, CredentialsArgs, ServeArgs, StoreArgs};
use tandem::config::{self, Config, CredentialSource};
use tandem::{App, telemetry};
use tandem_core::SystemClock;
use tandem_platform::SqlPlatformStore;
use tandem_sql::DbOptions;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => migrate(args).await,
        Command::Credentials(args) => credentials(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn resolve_config(
    store: &StoreArgs,
    listen: String,
    rotate_api_key: bool,
) -> anyhow::Result<Config> {
    // Secrets come from the environment, never from flags (which `ps` shows).
    let from_env = config::credentials_from_env(
        std::env::var("TANDEM_ENVIRONMENT_ID").ok(),
        std::env::var("TANDEM_API_KEY").ok(),
    )?;
    let (credentials, source) = config::resolve_credentials(&store.data_dir, from_env)?;
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
        test_endpoints: std::env::var("TANDEM_TEST_ENDPOINTS").is_ok_and(|v| v == "1"),
        data_dir: store.data_dir.clone(),
        listen,
        credentials,
        db_options: DbOptions::default(),
        rotate_api_key,
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
    let config = resolve_config(&args.store, args.listen.clone(), args.rotate_api_key)?;
    let app = App::build(&config, Arc::new(SystemClock)).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        platform_db = %config.platform_db.redacted(),
        baas_db = %config.baas_db.redacted(),
        schema = %config.schema.as_ref().map_or("(built-in models only)".into(), |p| p.display().to_string()),
        "tandem is ready"
    );
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("tandem stopped");
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
    let schema = match config::schema_path(&args.data_dir, args.schema.as_deref())? {
        Some(path) => tandem_baas::schema::Schema::from_source(
            &path.display().to_string(),
            &std::fs::read_to_string(&path)?,
        )?,
        None => tandem_baas::schema::Schema::builtin()?,
    };
    let db = tandem_sql::Db::connect(&baas_url, DbOptions::default()).await?;
    let done = tandem_baas::engine::ddl::migrate(
        &db,
        &schema,
        args.accept_data_loss,
        &baas_url.redacted(),
    )
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
