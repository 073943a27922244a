//! A BaaS-only process verifies users' access tokens with the Platform's published keys
//! (`{peer}/.well-known/jwks.json`): fetched on first use, again when a token names a key it
//! does not know (a rotation; at most once per [`REFETCH_AFTER`]), and at the latest every
//! [`MAX_AGE`] (so a withdrawn key stops working). No secret is shared for this.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tandem_core::Clock;
use tandem_platform::token::{KeyRing, PublicKeys};
use tokio::sync::RwLock;

/// How long fetched keys are trusted before they are fetched again.
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// The least time between two fetches for an unknown key id.
pub const REFETCH_AFTER: Duration = Duration::from_secs(1);

pub struct RemoteKeys {
    url: String,
    environment_id: String,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    cache: RwLock<Option<(Arc<PublicKeys>, Instant)>>,
}

impl RemoteKeys {
    pub fn new(peer_url: &str, environment_id: &str, clock: Arc<dyn Clock>) -> Self {
        Self {
            url: format!("{}/.well-known/jwks.json", peer_url.trim_end_matches('/')),
            environment_id: environment_id.to_owned(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            clock,
            cache: RwLock::new(None),
        }
    }

    async fn fetch(&self) -> Result<Arc<PublicKeys>, String> {
        let unreachable = |e: reqwest::Error| {
            tracing::warn!(url = %self.url, error = %e, "cannot fetch the Platform's signing keys");
            "the Platform's signing keys cannot be fetched right now; try again".to_owned()
        };
        let jwks: serde_json::Value = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unreachable)?
            .json()
            .await
            .map_err(unreachable)?;
        let keys = Arc::new(PublicKeys::from_jwks(&jwks));
        *self.cache.write().await = Some((keys.clone(), Instant::now()));
        Ok(keys)
    }

    async fn keys_for(&self, token: &str) -> Result<Arc<PublicKeys>, String> {
        let cached = self.cache.read().await.clone();
        let kid = KeyRing::kid_of(token);
        match cached {
            Some((keys, at)) if at.elapsed() < MAX_AGE => {
                let unknown = kid.is_some_and(|kid| !keys.knows(&kid));
                if unknown && at.elapsed() >= REFETCH_AFTER {
                    self.fetch().await
                } else {
                    Ok(keys)
                }
            }
            _ => self.fetch().await,
        }
    }

    /// The user id of a valid user access token of this environment.
    pub async fn verify_user_token(&self, token: &str) -> Result<(String, i64), String> {
        self.keys_for(token)
            .await?
            .verify_user(token, self.clock.now(), &self.environment_id)
    }
}
