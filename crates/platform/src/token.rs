//! Tokens: compact JWS (JWT) named by a key id (`kid`). Access tokens are signed with Ed25519
//! (`alg: EdDSA`); ID tokens with RSA (`RS256`, OpenID Connect's default, which every client
//! accepts unasked) or, when the environment says so, with Ed25519 too.
//!
//! The public halves are published at `/.well-known/jwks.json`, so anyone holding them — a
//! BaaS-only process, an OpenID Connect client — verifies tokens without a shared secret.
//! Written out here rather than pulled from a JWT crate because we need exactly two algorithms
//! and expiry checked against the injected clock.
//!
//! A key's private half is never stored in the clear. The Ed25519 key is derived from the
//! environment's API key and the key's random salt ([`derive_signing_key`]); the RSA key (which
//! cannot be derived: it is a prime search) is generated once and stored sealed with AES-256-GCM
//! under a key derived the same way ([`seal_rsa_key`]). So every replica configured with the API
//! key signs with the same keys, and a copy of the database alone cannot forge tokens.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::{Signer, Verifier};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Access tokens, and ID tokens when the environment asks for it.
pub const EDDSA: &str = "EdDSA";
/// ID tokens by default.
pub const RS256: &str = "RS256";

/// The bits of a generated RSA key.
const RSA_BITS: usize = 2048;

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
    key: Verifying,
}

#[derive(Debug, Clone)]
enum Verifying {
    Ed25519(ed25519_dalek::VerifyingKey),
    /// Modulus and exponent, big-endian.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl PublicKey {
    /// From the stored base64url text; `None` when it is not an Ed25519 point.
    pub fn parse(kid: &str, text: &str) -> Option<Self> {
        let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
        Some(Self {
            kid: kid.to_owned(),
            key: Verifying::Ed25519(key),
        })
    }

    /// An RSA key from its stored text (`n.e`, each base64url, as [`RsaSigner::public_text`]
    /// writes it); `None` when it is not one.
    pub fn parse_rsa(kid: &str, text: &str) -> Option<Self> {
        let (n, e) = text.split_once('.')?;
        let (n, e) = (
            URL_SAFE_NO_PAD.decode(n).ok()?,
            URL_SAFE_NO_PAD.decode(e).ok()?,
        );
        (n.len() * 8 >= RSA_BITS && !e.is_empty()).then(|| Self {
            kid: kid.to_owned(),
            key: Verifying::Rsa { n, e },
        })
    }

    /// The JWS algorithm this key verifies.
    fn algorithm(&self) -> &'static str {
        match self.key {
            Verifying::Ed25519(_) => EDDSA,
            Verifying::Rsa { .. } => RS256,
        }
    }

    /// The key as a JWK (RFC 8037 for Ed25519, RFC 7518 for RSA).
    pub fn jwk(&self) -> Value {
        match &self.key {
            Verifying::Ed25519(key) => json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(key.as_bytes()),
                "kid": self.kid,
                "alg": EDDSA,
                "use": "sig",
            }),
            Verifying::Rsa { n, e } => json!({
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(n),
                "e": URL_SAFE_NO_PAD.encode(e),
                "kid": self.kid,
                "alg": RS256,
                "use": "sig",
            }),
        }
    }

    /// Checks `signature` over `input`, for a token whose header says `alg`: the algorithm must
    /// be this key's (a token cannot pick how its key is used).
    fn check(&self, alg: &str, input: &[u8], signature: &[u8]) -> Result<(), TokenError> {
        if alg != self.algorithm() {
            return Err(TokenError::BadSignature);
        }
        match &self.key {
            Verifying::Ed25519(key) => {
                let signature: [u8; 64] =
                    signature.try_into().map_err(|_| TokenError::Malformed)?;
                key.verify(input, &ed25519_dalek::Signature::from_bytes(&signature))
                    .map_err(|_| TokenError::BadSignature)
            }
            Verifying::Rsa { n, e } => ring::signature::RsaPublicKeyComponents { n, e }
                .verify(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    input,
                    signature,
                )
                .map_err(|_| TokenError::BadSignature),
        }
    }
}

/// The RSA key that signs RS256 ID tokens.
#[derive(Clone)]
pub struct RsaSigner {
    kid: String,
    pair: std::sync::Arc<ring::signature::RsaKeyPair>,
}

impl RsaSigner {
    /// The public half as stored: `n.e`, each base64url.
    pub fn public_text(&self) -> String {
        let parts: ring::rsa::PublicKeyComponents<Vec<u8>> = self.pair.public().into();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(parts.n),
            URL_SAFE_NO_PAD.encode(parts.e)
        )
    }

    fn public_key(&self) -> Option<PublicKey> {
        PublicKey::parse_rsa(&self.kid, &self.public_text())
    }

    /// The RS256 signature of `input` (RSA PKCS#1 v1.5 over SHA-256); `None` if RSA failed.
    fn signature(&self, input: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                input,
                &mut signature,
            )
            .ok()?;
        Some(signature)
    }
}

/// Why an RSA key could not be made, sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RSA signing key: {0}")]
pub struct RsaKeyError(String);

/// A new RSA key (PKCS#8 DER). Slow (a prime search, ~0.1–1 s): run it off the async threads.
pub fn generate_rsa_key() -> Result<rsa::pkcs8::SecretDocument, RsaKeyError> {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, RSA_BITS)
        .map_err(|e| RsaKeyError(e.to_string()))?;
    key.to_pkcs8_der().map_err(|e| RsaKeyError(e.to_string()))
}

/// The AES-256-GCM key that seals the RSA key of the signing key with `salt`: HMAC-SHA256 keyed
/// with the API key, under its own label (the Ed25519 seed uses another).
fn sealing_key(api_key: &str, salt: &str) -> Result<ring::aead::LessSafeKey, RsaKeyError> {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(api_key.as_bytes())
        .map_err(|e| RsaKeyError(e.to_string()))?;
    mac.update(b"tandem/token-signing/rsa-seal/v1\0");
    mac.update(salt.as_bytes());
    let bytes: [u8; 32] = mac.finalize().into_bytes().into();
    let key = ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &bytes)
        .map_err(|_| RsaKeyError("AES-256-GCM refused the key".into()))?;
    Ok(ring::aead::LessSafeKey::new(key))
}

/// `pkcs8` sealed for storage (base64url of nonce ‖ ciphertext ‖ tag; the key id is bound as
/// associated data, so a sealed key cannot be moved to another row).
pub fn seal_rsa_key(
    api_key: &str,
    salt: &str,
    kid: &str,
    pkcs8: &[u8],
) -> Result<String, RsaKeyError> {
    let key = sealing_key(api_key, salt)?;
    let mut nonce = [0u8; ring::aead::NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|e| RsaKeyError(e.to_string()))?;
    let mut sealed = pkcs8.to_vec();
    key.seal_in_place_append_tag(
        ring::aead::Nonce::assume_unique_for_key(nonce),
        ring::aead::Aad::from(kid.as_bytes()),
        &mut sealed,
    )
    .map_err(|_| RsaKeyError("sealing failed".into()))?;
    let mut text = nonce.to_vec();
    text.append(&mut sealed);
    Ok(URL_SAFE_NO_PAD.encode(text))
}

/// Opens a key [`seal_rsa_key`] sealed; `None` when this API key did not seal it (or the text
/// was changed).
pub fn open_rsa_key(api_key: &str, salt: &str, kid: &str, sealed: &str) -> Option<RsaSigner> {
    let key = sealing_key(api_key, salt).ok()?;
    let mut bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() <= ring::aead::NONCE_LEN {
        return None;
    }
    let mut body = bytes.split_off(ring::aead::NONCE_LEN);
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(&bytes).ok()?;
    let pkcs8 = key
        .open_in_place(nonce, ring::aead::Aad::from(kid.as_bytes()), &mut body)
        .ok()?;
    let pair = ring::signature::RsaKeyPair::from_pkcs8(pkcs8).ok();
    zeroize::Zeroize::zeroize(&mut body);
    Some(RsaSigner {
        kid: kid.to_owned(),
        pair: std::sync::Arc::new(pair?),
    })
}

/// The keys a replica signs and verifies with: one current signing key, and every published
/// public key (the current one and those kept for overlap after a rotation).
#[derive(Clone)]
pub struct KeyRing {
    kid: String,
    signing: ed25519_dalek::SigningKey,
    /// The current RSA key, once one was made for this signing key (see `service::keys`).
    rsa: Option<RsaSigner>,
    keys: PublicKeys,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("kid", &self.kid)
            .field("rsa", &self.rsa.as_ref().map(|r| &r.kid))
            .field("published", &self.keys.verifying.len())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(
        kid: String,
        signing: ed25519_dalek::SigningKey,
        rsa: Option<RsaSigner>,
        published: impl IntoIterator<Item = PublicKey>,
    ) -> Self {
        let mut verifying: HashMap<String, PublicKey> =
            published.into_iter().map(|k| (k.kid.clone(), k)).collect();
        verifying.insert(
            kid.clone(),
            PublicKey {
                kid: kid.clone(),
                key: Verifying::Ed25519(signing.verifying_key()),
            },
        );
        if let Some(public) = rsa.as_ref().and_then(RsaSigner::public_key) {
            verifying.insert(public.kid.clone(), public);
        }
        Self {
            kid,
            signing,
            rsa,
            keys: PublicKeys { verifying },
        }
    }

    pub fn signing_kid(&self) -> &str {
        &self.kid
    }

    /// Whether RS256 tokens can be signed (an RSA key was made for the current signing key).
    pub fn has_rsa(&self) -> bool {
        self.rsa.is_some()
    }

    pub fn knows(&self, kid: &str) -> bool {
        self.keys.knows(kid)
    }

    /// `{"keys": [...]}` for `/.well-known/jwks.json`, the current keys first.
    pub fn jwks(&self) -> Value {
        let rsa_kid = self.rsa.as_ref().map(|r| r.kid.as_str());
        let mut keys: Vec<&PublicKey> = self.keys.verifying.values().collect();
        keys.sort_by_key(|k| {
            let current = k.kid == self.kid || Some(k.kid.as_str()) == rsa_kid;
            (!current, k.kid.clone())
        });
        json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
    }

    /// Signs any claims set as a compact JWS with the Ed25519 key (`EdDSA`).
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let signing_input = signing_input(EDDSA, &self.kid, claims);
        let signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// Signs with the RSA key (`RS256`); `None` when there is none yet, or RSA failed.
    pub fn sign_rs256<T: Serialize>(&self, claims: &T) -> Option<String> {
        let rsa = self.rsa.as_ref()?;
        let signing_input = signing_input(RS256, &rsa.kid, claims);
        let signature = rsa.signature(signing_input.as_bytes())?;
        Some(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
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

/// `header.payload` of a compact JWS.
fn signing_input<T: Serialize>(alg: &str, kid: &str, claims: &T) -> String {
    let header = json!({"alg": alg, "typ": "JWT", "kid": kid});
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload)
    )
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

    /// The Ed25519 and RSA keys of a JWKS document (`{"keys": [...]}`); others are skipped.
    /// The RSA (ID-token) keys are kept too, so an ID token sent where an access token belongs
    /// names a known key and is refused for what it is, not fetched for again and again.
    pub fn from_jwks(jwks: &Value) -> Self {
        let text = |k: &Value, field: &str| k.get(field).and_then(Value::as_str).map(str::to_owned);
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|k| {
                let kid = text(k, "kid")?;
                match (text(k, "kty")?.as_str(), text(k, "crv")) {
                    ("OKP", Some(crv)) if crv == "Ed25519" => {
                        PublicKey::parse(&kid, &text(k, "x")?)
                    }
                    ("RSA", _) => {
                        PublicKey::parse_rsa(&kid, &format!("{}.{}", text(k, "n")?, text(k, "e")?))
                    }
                    _ => None,
                }
            });
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
        let alg = header_json.get("alg").and_then(Value::as_str);
        let Some(alg) = alg.filter(|a| [EDDSA, RS256].contains(a)) else {
            return Err(TokenError::Malformed);
        };
        let key = header_json
            .get("kid")
            .and_then(Value::as_str)
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(TokenError::BadSignature)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let signing_input = &token.trim()[..header.len() + 1 + payload.len()];
        key.check(alg, signing_input.as_bytes(), &signature)?;
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
        KeyRing::new(
            format!("kid-{salt}"),
            derive_signing_key(api_key, salt),
            None,
            [],
        )
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
            None,
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
            None,
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
    fn an_rsa_key_seals_under_the_api_key_and_signs_rs256_tokens() {
        let now = Utc::now();
        let pkcs8 = generate_rsa_key().unwrap();
        let sealed =
            seal_rsa_key("api-key-0123456789", "a", "kid-a-rs256", pkcs8.as_bytes()).unwrap();
        let stored = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        assert!(
            !stored.windows(32).any(|w| w == &pkcs8.as_bytes()[40..72]),
            "the stored text does not hold the key in the clear"
        );
        // Another API key, another row's id, or a changed byte: it does not open.
        assert!(open_rsa_key("other-key-0123456", "a", "kid-a-rs256", &sealed).is_none());
        assert!(open_rsa_key("api-key-0123456789", "a", "kid-b-rs256", &sealed).is_none());
        assert!(open_rsa_key("api-key-0123456789", "b", "kid-a-rs256", &sealed).is_none());
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        bytes[20] ^= 1;
        assert!(
            open_rsa_key(
                "api-key-0123456789",
                "a",
                "kid-a-rs256",
                &URL_SAFE_NO_PAD.encode(bytes)
            )
            .is_none()
        );

        let rsa = open_rsa_key("api-key-0123456789", "a", "kid-a-rs256", &sealed).unwrap();
        let keys = KeyRing::new(
            "kid-a".into(),
            derive_signing_key("api-key-0123456789", "a"),
            Some(rsa.clone()),
            [],
        );
        let c = claims(now);
        let token = keys.sign_rs256(&c).unwrap();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (header["alg"].as_str(), header["kid"].as_str()),
            (Some("RS256"), Some("kid-a-rs256"))
        );
        assert_eq!(keys.verify(&token, now), Ok(c.clone()));
        let jwks = keys.jwks();
        let rsa_jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kty"] == "RSA")
            .unwrap();
        assert_eq!(
            (rsa_jwk["alg"].as_str(), rsa_jwk["e"].as_str()),
            (Some("RS256"), Some("AQAB"))
        );
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(rsa_jwk["n"].as_str().unwrap())
                .unwrap()
                .len(),
            256
        );

        // Published without the private half (after a rotation), it still verifies.
        let later = KeyRing::new(
            "kid-b".into(),
            derive_signing_key("api-key-0123456789", "b"),
            None,
            PublicKey::parse_rsa("kid-a-rs256", &rsa.public_text()),
        );
        assert_eq!(later.verify(&token, now), Ok(c.clone()));
        assert!(
            later.sign_rs256(&claims(now)).is_none(),
            "no RSA key of its own yet"
        );

        // A token cannot pick how a key is used, even correctly signed by that key: the RSA
        // key's id under `alg: EdDSA`, or the Ed25519 key's id under RS256, is refused.
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
        let confused_input = |alg: &str, kid: &str| {
            let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "kid": kid}).to_string());
            format!("{header}.{payload}")
        };
        let input = confused_input("EdDSA", "kid-a-rs256");
        let signature = rsa.signature(input.as_bytes()).unwrap();
        let rsa_signed = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&signature));
        let input = confused_input("RS256", "kid-a");
        let ed_signature = derive_signing_key("api-key-0123456789", "a").sign(input.as_bytes());
        let ed_signed = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(ed_signature.to_bytes())
        );
        for confused in [rsa_signed, ed_signed] {
            assert_eq!(
                keys.verify(&confused, now),
                Err(TokenError::BadSignature),
                "{confused}"
            );
        }
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
