//! Tokens: compact JWS (JWT) signed with Ed25519 (`alg: EdDSA`), named by a key id (`kid`).
//!
//! The public halves are published at `/.well-known/jwks.json`, so anyone holding them — a
//! BaaS-only process, an OpenID Connect client — verifies tokens without a shared secret.
//! Written out here rather than pulled from a JWT crate because we need exactly one algorithm
//! and expiry checked against the injected clock.
//!
//! A key's private half is never stored: it is derived from the environment's API key and the
//! key's random salt ([`derive_signing_key`]), so every replica configured with the API key
//! signs with the same key and a copy of the database alone cannot forge tokens.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::{Signer, Verifier};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const ALGORITHM: &str = "EdDSA";

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// The environment's service account (`asSuperAdmin()`).
    ServiceAccount,
    /// One user (`asUser(userId)`, or a user who logged in).
    User,
}

/// An access token's claims. ROQ's clients read `roqUserId`, `roqEnvironmentId` and `exp`;
/// OpenID Connect resource servers read `iss`, `sub`, `aud`, `exp` and `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The service account's email or the user's id.
    pub sub: String,
    /// The client the token was issued to (OpenID Connect), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The environment the token was issued for.
    pub env: String,
    pub kind: TokenKind,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The user's token generation when issued (see `User::token_generation`); 0 for the
    /// service account.
    #[serde(default)]
    pub generation: i64,
    #[serde(rename = "roqUserId", default, skip_serializing_if = "Option::is_none")]
    pub roq_user_id: Option<String>,
    #[serde(rename = "roqEnvironmentId", default)]
    pub roq_environment_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Claims {
    /// Fresh claims for `subject`, valid from `now` for `lifetime`.
    pub fn new(
        issuer: &str,
        kind: TokenKind,
        subject: &str,
        environment_id: &str,
        generation: i64,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Self {
        Self {
            iss: issuer.to_owned(),
            sub: subject.to_owned(),
            aud: None,
            env: environment_id.to_owned(),
            kind,
            iat: now.timestamp(),
            exp: (now + lifetime).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
            roq_user_id: (kind == TokenKind::User).then(|| subject.to_owned()),
            roq_environment_id: environment_id.to_owned(),
            scope: None,
        }
    }
}

impl Claims {
    /// The user a user token of `environment_id` speaks for; otherwise why it is not one.
    pub fn user_for(&self, environment_id: &str) -> Result<&str, &'static str> {
        if self.env != environment_id {
            return Err("the access token was issued for another environment");
        }
        match self.kind {
            TokenKind::User => Ok(&self.sub),
            TokenKind::ServiceAccount => Err(
                "a service-account token does not speak for a user here: send a user's access token, or `Authorization: Basic base64(environmentId:apiKey)` for the super admin",
            ),
        }
    }
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

/// The key that signs with `kid`: HMAC-SHA256 keyed with the API key over a label and the
/// key's salt gives the Ed25519 seed.
pub fn derive_signing_key(api_key: &str, salt: &str) -> ed25519_dalek::SigningKey {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(api_key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"tandem/token-signing/ed25519/v1\0");
    mac.update(salt.as_bytes());
    let seed: [u8; 32] = mac.finalize().into_bytes().into();
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

/// The public half as stored and published (base64url of the 32 bytes).
pub fn public_key_text(key: &ed25519_dalek::SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())
}

/// One published verification key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub kid: String,
    key: ed25519_dalek::VerifyingKey,
}

impl PublicKey {
    /// From the stored base64url text; `None` when it is not an Ed25519 point.
    pub fn parse(kid: &str, text: &str) -> Option<Self> {
        let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
        Some(Self {
            kid: kid.to_owned(),
            key,
        })
    }

    /// The key as a JWK (RFC 8037).
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.key.as_bytes()),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        })
    }
}

/// The keys a replica signs and verifies with: one current signing key, and every published
/// public key (the current one and those kept for overlap after a rotation).
#[derive(Clone)]
pub struct KeyRing {
    kid: String,
    signing: ed25519_dalek::SigningKey,
    keys: PublicKeys,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("kid", &self.kid)
            .field("published", &self.keys.verifying.len())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(
        kid: String,
        signing: ed25519_dalek::SigningKey,
        published: impl IntoIterator<Item = PublicKey>,
    ) -> Self {
        let mut verifying: HashMap<String, PublicKey> =
            published.into_iter().map(|k| (k.kid.clone(), k)).collect();
        verifying.insert(
            kid.clone(),
            PublicKey {
                kid: kid.clone(),
                key: signing.verifying_key(),
            },
        );
        Self {
            kid,
            signing,
            keys: PublicKeys { verifying },
        }
    }

    pub fn signing_kid(&self) -> &str {
        &self.kid
    }

    pub fn knows(&self, kid: &str) -> bool {
        self.keys.knows(kid)
    }

    /// `{"keys": [...]}` for `/.well-known/jwks.json`, the signing key first.
    pub fn jwks(&self) -> Value {
        let mut keys: Vec<&PublicKey> = self.keys.verifying.values().collect();
        keys.sort_by_key(|k| (k.kid != self.kid, k.kid.clone()));
        json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
    }

    /// Signs any claims set as a compact JWS.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let header = json!({"alg": ALGORITHM, "typ": "JWT", "kid": self.kid});
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// The key id a token names, without checking anything else.
    pub fn kid_of(token: &str) -> Option<String> {
        let header = token.trim().split('.').next()?;
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        header.get("kid")?.as_str().map(str::to_owned)
    }

    /// Checks the signature and header and returns the payload (expiry is the caller's).
    pub fn verify_payload<T: DeserializeOwned>(&self, token: &str) -> Result<T, TokenError> {
        self.keys.verify_payload(token)
    }

    /// Checks signature, header and expiry against `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        self.keys.verify(token, now)
    }

    /// See [`PublicKeys::verify_user`].
    pub fn verify_user(
        &self,
        token: &str,
        now: DateTime<Utc>,
        environment_id: &str,
    ) -> Result<(String, i64), String> {
        self.keys.verify_user(token, now, environment_id)
    }
}

/// Verification keys alone: what a process that only checks tokens holds (a BaaS-only
/// process, from the Platform's `/.well-known/jwks.json`).
#[derive(Debug, Clone, Default)]
pub struct PublicKeys {
    verifying: HashMap<String, PublicKey>,
}

impl PublicKeys {
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        Self {
            verifying: keys.into_iter().map(|k| (k.kid.clone(), k)).collect(),
        }
    }

    /// The Ed25519 keys of a JWKS document (`{"keys": [...]}`); others are skipped.
    pub fn from_jwks(jwks: &Value) -> Self {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|k| {
                k.get("kty").and_then(Value::as_str) == Some("OKP")
                    && k.get("crv").and_then(Value::as_str) == Some("Ed25519")
            })
            .filter_map(|k| PublicKey::parse(k.get("kid")?.as_str()?, k.get("x")?.as_str()?));
        Self::new(keys)
    }

    pub fn knows(&self, kid: &str) -> bool {
        self.verifying.contains_key(kid)
    }

    /// Checks the signature and header and returns the payload (expiry is the caller's).
    pub fn verify_payload<T: DeserializeOwned>(&self, token: &str) -> Result<T, TokenError> {
        let mut parts = token.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header_json: Value = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or(TokenError::Malformed)?;
        if header_json.get("alg").and_then(Value::as_str) != Some(ALGORITHM) {
            return Err(TokenError::Malformed);
        }
        let key = header_json
            .get("kid")
            .and_then(Value::as_str)
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(TokenError::BadSignature)?;
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(TokenError::Malformed)?;
        let signing_input = &token.trim()[..header.len() + 1 + payload.len()];
        key.key
            .verify(
                signing_input.as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&signature),
            )
            .map_err(|_| TokenError::BadSignature)?;
        URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(TokenError::Malformed)
    }

    /// Checks signature, header and expiry against `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims: Claims = self.verify_payload(token)?;
        if now.timestamp() >= claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// The user id and expiry (Unix seconds) of a valid user access token of `environment_id` (signature, expiry,
    /// environment, kind); otherwise why not, in words for the caller. Whether the user is
    /// still active is the verifier's to check.
    pub fn verify_user(
        &self,
        token: &str,
        now: DateTime<Utc>,
        environment_id: &str,
    ) -> Result<(String, i64), String> {
        let claims = self.verify(token, now).map_err(|e| e.to_string())?;
        let user = claims.user_for(environment_id)?;
        Ok((user.to_owned(), claims.exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(api_key: &str, salt: &str) -> KeyRing {
        KeyRing::new(format!("kid-{salt}"), derive_signing_key(api_key, salt), [])
    }

    fn claims(now: DateTime<Utc>) -> Claims {
        Claims::new(
            "http://issuer",
            TokenKind::User,
            "u1",
            "env",
            0,
            now,
            Duration::minutes(5),
        )
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let now = Utc::now();
        let keys = ring("api-key-0123456789", "a");
        let c = claims(now);
        let token = keys.sign(&c);
        assert_eq!(keys.verify(&token, now), Ok(c.clone()));
        assert_eq!(keys.verify(&token, now + Duration::minutes(4)), Ok(c));
        assert_eq!(
            keys.verify(&token, now + Duration::minutes(5)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampering_or_another_key_breaks_the_signature() {
        let now = Utc::now();
        let keys = ring("api-key-0123456789", "a");
        let mut c = claims(now);
        let token = keys.sign(&c);
        // Same kid, different API key: the derived key differs.
        let impostor = KeyRing::new(
            "kid-a".into(),
            derive_signing_key("other-key-0123456", "a"),
            [],
        );
        assert_eq!(impostor.verify(&token, now), Err(TokenError::BadSignature));

        c.kind = TokenKind::ServiceAccount;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert_eq!(
            keys.verify(&parts.join("."), now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_published_old_key_still_verifies_after_rotation() {
        let now = Utc::now();
        let old = ring("api-key-0123456789", "old");
        let token = old.sign(&claims(now));
        let old_public = PublicKey::parse(
            "kid-old",
            &public_key_text(&derive_signing_key("api-key-0123456789", "old")),
        )
        .unwrap();
        let new = KeyRing::new(
            "kid-new".into(),
            derive_signing_key("api-key-0123456789", "new"),
            [old_public],
        );
        assert!(new.verify(&token, now).is_ok());
        assert_eq!(
            KeyRing::kid_of(&new.sign(&claims(now))).as_deref(),
            Some("kid-new")
        );
        let jwks = new.jwks();
        assert_eq!(
            jwks["keys"][0]["kid"], "kid-new",
            "the signing key comes first"
        );
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        // Without the old key published, its tokens are refused.
        let fresh = ring("api-key-0123456789", "new");
        assert_eq!(fresh.verify(&token, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let keys = ring("api-key-0123456789", "a");
        for junk in ["", "a.b", "a.b.c.d", "...", "eyJ.eyJ.!!!"] {
            assert!(keys.verify(junk, Utc::now()).is_err(), "{junk:?}");
        }
        // alg: none is refused outright.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"kid-a"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(Utc::now())).unwrap())
        );
        assert_eq!(keys.verify(&none, Utc::now()), Err(TokenError::Malformed));
    }
}
