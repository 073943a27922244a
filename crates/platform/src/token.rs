//! Access tokens: compact JWS (JWT) signed with HMAC-SHA256 under the environment's secret.
//!
//! Written out here rather than pulled from a JWT crate because we need exactly one algorithm
//! and expiry checked against the injected clock; the current JWT crates bring RSA/EC stacks.
//! Clients (`@roq/nodejs`) only decode the payload to read `exp`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
pub const ISSUER: &str = "tandem";

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// The environment's service account (`asSuperAdmin()`).
    ServiceAccount,
    /// One user (`asUser(userId)`).
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The service account's email or the user's id.
    pub sub: String,
    /// The environment the token was issued for.
    pub env: String,
    pub kind: TokenKind,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The user's token generation when issued (see `User::token_generation`); 0 for the
    /// service account and for tokens from before generations existed.
    #[serde(default)]
    pub generation: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed")]
    Malformed,
    #[error("the access token's signature is not valid")]
    BadSignature,
    #[error("the access token has expired; request a new one")]
    Expired,
}

/// Signs and verifies tokens with one environment's secret.
#[derive(Clone)]
pub struct TokenSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(***)")
    }
}

impl TokenSigner {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    pub fn issue(
        &self,
        kind: TokenKind,
        subject: &str,
        environment_id: &str,
        generation: i64,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> (String, Claims) {
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: subject.to_owned(),
            env: environment_id.to_owned(),
            kind,
            iat: now.timestamp(),
            exp: (now + lifetime).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
        };
        (self.sign(&claims), claims)
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks signature (in constant time), header and expiry against `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let mut parts = token.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let header: serde_json::Value = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or(TokenError::Malformed)?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenError::Malformed);
        }
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(TokenError::Malformed)?;
        if claims.iss != ISSUER {
            return Err(TokenError::Malformed);
        }
        if now.timestamp() >= claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> TokenSigner {
        TokenSigner::new(b"0123456789abcdef0123456789abcdef".to_vec())
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let now = Utc::now();
        let (token, claims) =
            signer().issue(TokenKind::User, "u1", "env", 0, now, Duration::minutes(5));
        assert_eq!(signer().verify(&token, now), Ok(claims.clone()));
        assert_eq!(
            signer().verify(&token, now + Duration::minutes(4)),
            Ok(claims)
        );
        assert_eq!(
            signer().verify(&token, now + Duration::minutes(5)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampering_or_another_key_breaks_the_signature() {
        let now = Utc::now();
        let (token, mut claims) =
            signer().issue(TokenKind::User, "u1", "env", 0, now, Duration::minutes(5));
        let other = TokenSigner::new(b"another key".to_vec());
        assert_eq!(other.verify(&token, now), Err(TokenError::BadSignature));

        claims.kind = TokenKind::ServiceAccount;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert_eq!(
            signer().verify(&parts.join("."), now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for junk in ["", "a.b", "a.b.c.d", "...", "eyJ.eyJ.!!!"] {
            assert!(signer().verify(junk, Utc::now()).is_err(), "{junk:?}");
        }
    }
}
