//! Resolved configuration: where the stores live, where to listen, and the environment's
//! credentials (from `TANDEM_ENVIRONMENT_ID`/`TANDEM_API_KEY`, else `<data-dir>/credentials.json`,
//! else generated on first start and written there with mode 0600).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use tandem_platform::Credentials;
use tandem_sql::{DbOptions, DbUrl};

pub const CREDENTIALS_FILE: &str = "credentials.json";
pub const PLATFORM_DB_FILE: &str = "platform.db";
pub const BAAS_DB_FILE: &str = "baas.db";
pub const SCHEMA_FILE: &str = "schema.prisma";

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: String,
    pub platform_db: DbUrl,
    pub baas_db: DbUrl,
    /// The app's Prisma schema, if any (built-in models only otherwise).
    pub schema: Option<PathBuf>,
    /// Apply schema changes that drop or change columns.
    pub accept_data_loss: bool,
    pub credentials: Credentials,
    pub db_options: DbOptions,
    /// Replace a stored API key that differs from the configured one.
    pub rotate_api_key: bool,
    /// `--public-url`: the issuer of tokens and the base of links (else each request's Host).
    pub public_url: Option<String>,
    /// `--cors-origins`: origins allowed besides the auth settings' (normalised `scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// `--trusted-proxies`: peers whose X-Forwarded-For names the client.
    pub trusted_proxies: Vec<crate::proxies::Network>,
    /// Run one half only (split deployment); both when `None`.
    pub only: Option<Half>,
    /// The other half's base URL (split deployment).
    pub peer_url: Option<String>,
    /// The secret both halves of a split deployment sign their requests with.
    pub sync_secret: Option<String>,
    pub sync: tandem_sync::SyncConfig,
    /// Bounds on client connections: timeouts, sizes, how many at once.
    pub http: crate::connections::HttpLimits,
    /// How the Platform's mail goes out.
    pub mail: MailConfig,
}

/// The sender of the Platform's mail: SMTP when a URL is set, else the embedded dev mailbox.
#[derive(Clone)]
pub struct MailConfig {
    /// `--smtp-url`; may hold a password, so it is never printed.
    pub smtp_url: Option<String>,
    /// `--mail-from`: the From of every message.
    pub from: String,
}

pub const DEFAULT_MAIL_FROM: &str = "Tandem <no-reply@localhost>";

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_MAIL_FROM.to_owned(),
        }
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(tandem_sql::redact_url),
            )
            .field("from", &self.from)
            .finish()
    }
}

/// One half of Tandem, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Half {
    Platform,
    Baas,
}

impl Config {
    /// Checks the split-deployment settings hang together.
    pub fn check_mode(&self) -> anyhow::Result<()> {
        match (self.only, &self.peer_url, &self.sync_secret) {
            (None, None, _) => Ok(()),
            (None, Some(_), _) => {
                bail!("--peer-url is for split deployments; add --only platform or --only baas")
            }
            (Some(_), None, _) => {
                bail!("--only needs --peer-url: the base URL of the process running the other half")
            }
            (Some(_), Some(_), None) => bail!(
                "a split deployment needs TANDEM_SYNC_SECRET (the same value, at least {} characters, on both processes)",
                tandem_sync::link::MIN_SECRET_LEN
            ),
            (Some(_), Some(url), Some(secret)) => {
                if secret.len() < tandem_sync::link::MIN_SECRET_LEN {
                    bail!(
                        "TANDEM_SYNC_SECRET must be at least {} characters",
                        tandem_sync::link::MIN_SECRET_LEN
                    );
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("--peer-url must be an http:// or https:// URL, not {url}");
                }
                Ok(())
            }
        }
    }

    pub fn runs_platform(&self) -> bool {
        self.only != Some(Half::Baas)
    }

    pub fn runs_baas(&self) -> bool {
        self.only != Some(Half::Platform)
    }
}

/// Where the credentials came from (for the start-up log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    Environment,
    File,
    Generated,
}

pub fn credentials_path(data_dir: &Path) -> PathBuf {
    data_dir.join(CREDENTIALS_FILE)
}

/// The platform store's URL: the flag when given, else `<data-dir>/platform.db`.
pub fn platform_db_url(data_dir: &Path, flag: Option<&str>) -> anyhow::Result<DbUrl> {
    match flag.map(str::trim).filter(|f| !f.is_empty()) {
        Some(raw) => Ok(DbUrl::parse(raw)?),
        None => Ok(DbUrl::sqlite_file(data_dir.join(PLATFORM_DB_FILE))),
    }
}

/// The BaaS store's URL: the flag when given, else `<data-dir>/baas.db`.
pub fn baas_db_url(data_dir: &Path, flag: Option<&str>) -> anyhow::Result<DbUrl> {
    match flag.map(str::trim).filter(|f| !f.is_empty()) {
        Some(raw) => Ok(DbUrl::parse(raw)?),
        None => Ok(DbUrl::sqlite_file(data_dir.join(BAAS_DB_FILE))),
    }
}

/// The schema file: the flag when given (it must exist), else `<data-dir>/schema.prisma`
/// when present.
pub fn schema_path(data_dir: &Path, flag: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    match flag {
        Some(path) if path.exists() => Ok(Some(path.to_path_buf())),
        Some(path) => bail!("the schema file {} does not exist", path.display()),
        None => {
            let default = data_dir.join(SCHEMA_FILE);
            Ok(default.exists().then_some(default))
        }
    }
}

/// Credentials from the environment variables, if set (both or neither).
pub fn credentials_from_env(
    environment_id: Option<String>,
    api_key: Option<String>,
) -> anyhow::Result<Option<Credentials>> {
    match (
        environment_id.filter(|s| !s.is_empty()),
        api_key.filter(|s| !s.is_empty()),
    ) {
        (Some(environment_id), Some(api_key)) => {
            let creds = Credentials {
                environment_id,
                api_key,
            };
            creds.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(Some(creds))
        }
        (None, None) => Ok(None),
        _ => bail!("set both TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY, or neither"),
    }
}

pub fn read_credentials_file(data_dir: &Path) -> anyhow::Result<Option<Credentials>> {
    let path = credentials_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let creds: Credentials = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a valid credentials file", path.display()))?;
            Ok(Some(creds))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Makes an existing data directory private (mode 0700): it holds the credentials and, by
/// default, the databases. Returns the mode it had when it was tightened.
#[cfg(unix)]
pub fn make_data_dir_private(data_dir: &Path) -> anyhow::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(data_dir) else {
        return Ok(None);
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700)).with_context(
        || {
            format!(
                "the data directory {} is readable by other users (mode {mode:o}) and cannot be made private; chmod 700 it",
                data_dir.display()
            )
        },
    )?;
    Ok(Some(mode))
}

#[cfg(not(unix))]
pub fn make_data_dir_private(_data_dir: &Path) -> anyhow::Result<Option<u32>> {
    Ok(None)
}

/// Writes the credentials file readable by the owner only.
pub fn write_credentials_file(data_dir: &Path, creds: &Credentials) -> anyhow::Result<()> {
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let path = credentials_path(data_dir);
    let json = serde_json::to_vec_pretty(creds)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, &json)?;
    file.sync_all()?;
    Ok(())
}

/// Environment variables win; then the file; else new credentials are generated and saved
/// (unless `generate` is false: a BaaS-only process must use the Platform's credentials).
pub fn resolve_credentials(
    data_dir: &Path,
    from_env: Option<Credentials>,
    generate: bool,
) -> anyhow::Result<(Credentials, CredentialSource)> {
    if let Some(creds) = from_env {
        return Ok((creds, CredentialSource::Environment));
    }
    if let Some(creds) = read_credentials_file(data_dir)? {
        return Ok((creds, CredentialSource::File));
    }
    if !generate {
        bail!(
            "a BaaS-only process (--only baas) uses the Platform's credentials: set TANDEM_ENVIRONMENT_ID and TANDEM_API_KEY to the values `tandem credentials` prints on the Platform's host"
        );
    }
    let creds = Credentials::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
    write_credentials_file(data_dir, &creds)?;
    Ok((creds, CredentialSource::Generated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_are_saved_privately_and_reused() {
        let dir = std::env::temp_dir().join(format!("tandem-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            resolve_credentials(&dir, None, false).is_err(),
            "a BaaS-only process never invents credentials"
        );
        let (first, source) = resolve_credentials(&dir, None, true).unwrap();
        assert_eq!(source, CredentialSource::Generated);
        let (again, source) = resolve_credentials(&dir, None, true).unwrap();
        assert_eq!(source, CredentialSource::File);
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(credentials_path(&dir))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the data directory is private");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_open_data_dir_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(make_data_dir_private(&dir).unwrap(), Some(0o755));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(
            make_data_dir_private(&dir).unwrap(),
            None,
            "already private"
        );
        assert_eq!(
            make_data_dir_private(&tmp.path().join("missing")).unwrap(),
            None
        );
    }

    #[test]
    fn environment_variables_come_as_a_pair() {
        assert!(credentials_from_env(Some("env".into()), None).is_err());
        assert!(credentials_from_env(None, None).unwrap().is_none());
        let creds = credentials_from_env(Some("env-1".into()), Some("k".repeat(32))).unwrap();
        assert_eq!(creds.unwrap().environment_id, "env-1");
    }
}
