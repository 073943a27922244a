//! The environment's credentials: the `environmentId` and API key that server code presents
//! (as `@roq/nodejs`'s `environmentId` / `apiKey`).
//!
//! The API key is kept only as a SHA-256 digest in the store (it is 256 random bits, so a fast
//! digest is enough) and compared in constant time. The keys that sign access tokens are not
//! stored at all: every Platform replica derives them from the API key it is configured with
//! and a random salt per key in the store (`token::derive_signing_key`), so a copy of the
//! database alone cannot forge tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why credentials were refused or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    // `:` separates id and key in the Basic credentials clients send.
    #[error("the environment id must be 1 to 200 characters without `:` or control characters")]
    InvalidEnvironmentId,
    #[error("the API key must be 16 to 512 characters")]
    InvalidApiKey,
    /// A server fault: the operating system's random source failed.
    #[error("the system's random source failed: {0}")]
    RandomSource(String),
}

/// The plaintext credentials, as configured or generated at first start.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub environment_id: String,
    pub api_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("environment_id", &self.environment_id)
            .field("api_key", &"***")
            .finish()
    }
}

impl Credentials {
    /// Fresh credentials: a UUID environment id and a 256-bit random API key.
    pub fn generate() -> Result<Self, CredentialsError> {
        Ok(Self {
            environment_id: uuid::Uuid::new_v4().to_string(),
            api_key: random_secret()?,
        })
    }

    pub fn validate(&self) -> Result<(), CredentialsError> {
        let id = &self.environment_id;
        if id.trim().is_empty()
            || id.len() > 200
            || id.contains(':')
            || id.chars().any(char::is_control)
        {
            return Err(CredentialsError::InvalidEnvironmentId);
        }
        if self.api_key.len() < 16 || self.api_key.len() > 512 {
            return Err(CredentialsError::InvalidApiKey);
        }
        Ok(())
    }
}

/// 32 random bytes, URL-safe base64.
pub fn random_secret() -> Result<String, CredentialsError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| CredentialsError::RandomSource(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub fn api_key_digest(api_key: &str) -> String {
    let digest = Sha256::digest(api_key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The environment as stored: what is needed to check credentials and sign tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvironmentRecord {
    pub id: String,
    pub api_key_hash: String,
    /// Random; with the API key it gives the token-signing key.
    pub token_key_salt: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for EnvironmentRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentRecord")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl EnvironmentRecord {
    /// Both parts must match; the key comparison takes the same time wherever it differs.
    pub fn accepts(&self, environment_id: &str, api_key: &str) -> bool {
        let key_ok: bool = api_key_digest(api_key)
            .as_bytes()
            .ct_eq(self.api_key_hash.as_bytes())
            .into();
        let id_ok: bool = environment_id.as_bytes().ct_eq(self.id.as_bytes()).into();
        key_ok & id_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_pair_is_accepted() {
        let creds = Credentials::generate().unwrap();
        let record = EnvironmentRecord {
            id: creds.environment_id.clone(),
            api_key_hash: api_key_digest(&creds.api_key),
            token_key_salt: random_secret().unwrap(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(record.accepts(&creds.environment_id, &creds.api_key));
        assert!(!record.accepts(&creds.environment_id, "wrong-key-wrong-key"));
        assert!(!record.accepts("other-env", &creds.api_key));
        assert!(!format!("{creds:?}").contains(&creds.api_key));
    }
}
