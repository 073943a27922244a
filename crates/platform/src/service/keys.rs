//! Token-signing keys: the current Ed25519 key (and its RSA key, for RS256 ID tokens) and the
//! published ones, their rotation, and the JWKS. Each replica keeps the ring in memory and
//! re-reads it from the store every [`KEYS_TTL`], or at once when a token names a key it does
//! not know (another replica rotated).
//!
//! The RSA key is made the first time it is needed (an RS256 ID token, or the JWKS), not with
//! the Ed25519 key: generating one is a prime search of a fraction of a second, which
//! environments that never issue RS256 ID tokens need not pay.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::{PlatformService, Principal};
use crate::domain::auth::{IdTokenAlgorithm, RsaKeyRecord, SigningKeyRecord};
use crate::environment::random_secret;
use crate::error::{PlatformError, PlatformResult};
use crate::store::PlatformStore;
use crate::token::{
    KeyRing, PublicKey, derive_signing_key, generate_rsa_key, open_rsa_key, public_key_text,
    seal_rsa_key,
};

/// How long a replica trusts its copy of the key ring.
pub const KEYS_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a rotated-out key stays published: the longest any access token lives, so no
/// token issued before a rotation stops working early.
pub const ROTATION_OVERLAP: Duration = super::validate::MAX_USER_TOKEN_LIFETIME;

/// The cached ring and when it was read.
pub(super) type CachedRing = std::sync::RwLock<(Arc<KeyRing>, Instant)>;

/// Reads the published keys; creates a current key when there is none, or when the current
/// one was derived from another API key (the key was rotated with `--rotate-api-key`).
pub(super) async fn load_ring(
    store: &dyn PlatformStore,
    api_key: &str,
    now: DateTime<Utc>,
) -> PlatformResult<KeyRing> {
    let records = store.signing_keys(now).await?;
    if let Some(ring) = ring_from(&records, api_key) {
        return Ok(ring);
    }
    tracing::info!("creating a token-signing key");
    let record = new_key(api_key, now)?;
    // Either there is no key yet, or the API key was replaced (`--rotate-api-key`, perhaps
    // after a leak): then tokens signed under the old key stop working at once.
    store.add_signing_key(&record, now).await?;
    let records = store.signing_keys(now).await?;
    ring_from(&records, api_key)
        .ok_or_else(|| PlatformError::internal("the new signing key did not verify after saving"))
}

fn new_key(api_key: &str, now: DateTime<Utc>) -> PlatformResult<SigningKeyRecord> {
    let salt = random_secret()?;
    let kid = format!("{}-{}", now.format("%Y%m%d"), &salt[..8]);
    Ok(SigningKeyRecord {
        kid,
        public_key: public_key_text(&derive_signing_key(api_key, &salt)),
        salt,
        created_at: now,
        retire_at: None,
        rsa: None,
    })
}

/// The key id of the RSA key made beside the key `kid`.
fn rsa_kid(kid: &str) -> String {
    format!("{kid}-rs256")
}

/// The ring whose signing key is the newest current key, when this API key derives it.
fn ring_from(records: &[SigningKeyRecord], api_key: &str) -> Option<KeyRing> {
    let current = records.iter().find(|r| r.retire_at.is_none())?;
    let signing = derive_signing_key(api_key, &current.salt);
    if public_key_text(&signing) != current.public_key {
        return None;
    }
    let rsa = current.rsa.as_ref().and_then(|r| {
        let signer = open_rsa_key(api_key, &current.salt, &rsa_kid(&current.kid), &r.sealed)
            .filter(|s| s.public_text() == r.public_key);
        if signer.is_none() {
            tracing::warn!(kid = %current.kid, "the stored RSA key does not open with this API key, or does not match its public half; RS256 ID tokens cannot be signed until the signing key is rotated");
        }
        signer
    });
    let published = records
        .iter()
        .filter(|r| r.kid != current.kid)
        .flat_map(|r| {
            let rsa = r.rsa.as_ref();
            [
                PublicKey::parse(&r.kid, &r.public_key),
                rsa.and_then(|k| PublicKey::parse_rsa(&rsa_kid(&r.kid), &k.public_key)),
            ]
        })
        .flatten();
    Some(KeyRing::new(current.kid.clone(), signing, rsa, published))
}

impl PlatformService {
    /// The ring, re-read when older than [`KEYS_TTL`].
    pub(super) async fn key_ring(&self) -> PlatformResult<Arc<KeyRing>> {
        let cached = self
            .keys
            .read()
            .ok()
            .and_then(|cached| (cached.1.elapsed() < KEYS_TTL).then(|| cached.0.clone()));
        match cached {
            Some(ring) => Ok(ring),
            None => self.reload_keys().await,
        }
    }

    async fn reload_keys(&self) -> PlatformResult<Arc<KeyRing>> {
        let ring = Arc::new(load_ring(self.store.as_ref(), &self.api_key, self.clock.now()).await?);
        if let Ok(mut cached) = self.keys.write() {
            *cached = (ring.clone(), Instant::now());
        }
        Ok(ring)
    }

    /// The ring that can verify `token`: re-read once when it names an unknown key.
    pub(super) async fn ring_for(&self, token: &str) -> PlatformResult<Arc<KeyRing>> {
        let ring = self.key_ring().await?;
        match KeyRing::kid_of(token) {
            Some(kid) if !ring.knows(&kid) => {
                let fresh_enough = self
                    .keys
                    .read()
                    .map(|c| c.1.elapsed() < std::time::Duration::from_secs(1))
                    .unwrap_or(true);
                if fresh_enough {
                    Ok(ring)
                } else {
                    self.reload_keys().await
                }
            }
            _ => Ok(ring),
        }
    }

    /// The ring that signs ID tokens with `alg`: for RS256, one with an RSA key, made now when
    /// the current key has none yet (another replica may have made it: the store is read
    /// first, and a replica that loses the race uses the winner's).
    pub(super) async fn id_token_ring(
        &self,
        alg: IdTokenAlgorithm,
    ) -> PlatformResult<Arc<KeyRing>> {
        let ring = self.key_ring().await?;
        if alg != IdTokenAlgorithm::Rs256 || ring.has_rsa() {
            return Ok(ring);
        }
        // One maker at a time in this process; the others wait and then find its key.
        let _making = self.rsa_making.lock().await;
        let ring = self.reload_keys().await?;
        if ring.has_rsa() {
            return Ok(ring);
        }
        let kid = ring.signing_kid().to_owned();
        let current = self
            .store
            .signing_keys(self.clock.now())
            .await?
            .into_iter()
            .find(|r| r.kid == kid)
            .ok_or_else(|| PlatformError::internal("the current signing key vanished"))?;
        if current.rsa.is_some() {
            // Stored but not usable (it does not open with this API key, or was altered):
            // making another would not replace it. Said once per request, never looped on.
            return Err(PlatformError::internal(
                "the stored RSA key for ID tokens does not open with this API key; rotate the signing key (rotateSigningKey)",
            ));
        }
        let rsa = tokio::task::spawn_blocking(generate_rsa_key)
            .await
            .map_err(|e| PlatformError::internal(format!("RSA key generation: {e}")))?
            .map_err(|e| PlatformError::internal(e.to_string()))?;
        let sealed = seal_rsa_key(&self.api_key, &current.salt, &rsa_kid(&kid), rsa.as_bytes())
            .map_err(|e| PlatformError::internal(e.to_string()))?;
        let signer = open_rsa_key(&self.api_key, &current.salt, &rsa_kid(&kid), &sealed)
            .ok_or_else(|| PlatformError::internal("the new RSA key did not open after sealing"))?;
        let record = RsaKeyRecord {
            public_key: signer.public_text(),
            sealed,
        };
        if self.store.add_rsa_key(&kid, &record).await? {
            tracing::info!(kid = %rsa_kid(&kid), "created an RSA key for RS256 ID tokens");
        }
        let ring = self.reload_keys().await?;
        if ring.has_rsa() {
            Ok(ring)
        } else {
            Err(PlatformError::internal(
                "the RSA key for ID tokens did not load after saving",
            ))
        }
    }

    /// `{"keys": [...]}`: the public keys tokens may be signed with — the RSA key included
    /// (made now if need be) when ID tokens are RS256, so a client that fetches the JWKS before
    /// anyone has logged in still finds it.
    pub async fn jwks(&self) -> PlatformResult<Value> {
        let alg = self.auth_settings().await?.id_token_signing_alg;
        match self.id_token_ring(alg).await {
            Ok(ring) => Ok(ring.jwks()),
            // The access-token keys must stay published (a BaaS-only process verifies with
            // them) whatever happened to the ID-token key.
            Err(err) => {
                tracing::warn!(error = %err, "publishing the JWKS without an RSA key");
                Ok(self.key_ring().await?.jwks())
            }
        }
    }

    /// Starts signing with a new key. The previous keys stay published for
    /// [`ROTATION_OVERLAP`] (tokens they signed keep working), or are withdrawn at once when
    /// `revoke_previous` (after a leak: every token signed before stops working).
    #[tracing::instrument(skip_all, fields(revoke_previous))]
    pub async fn rotate_signing_key(
        &self,
        principal: &Principal,
        revoke_previous: bool,
    ) -> PlatformResult<SigningKeyRecord> {
        principal.require_service_account("rotateSigningKey")?;
        let now = self.clock.now();
        let record = new_key(&self.api_key, now)?;
        let retire_at = if revoke_previous {
            now
        } else {
            now + ROTATION_OVERLAP
        };
        self.store.add_signing_key(&record, retire_at).await?;
        self.reload_keys().await?;
        tracing::info!(kid = %record.kid, "token-signing key rotated");
        Ok(record)
    }

    /// The published keys, newest first.
    pub async fn signing_keys(
        &self,
        principal: &Principal,
    ) -> PlatformResult<Vec<SigningKeyRecord>> {
        principal.require_service_account("signingKeys")?;
        Ok(self.store.signing_keys(self.clock.now()).await?)
    }
}
