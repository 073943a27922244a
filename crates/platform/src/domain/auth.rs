//! End-user authentication as data: the environment's auth settings, signing keys,
//! authorization codes and refresh tokens. Plain data, as stored; the rules are in
//! `service::sessions`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_core::UserId;

/// Where a sign-up's user goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SignUpTenant {
    /// A new tenant per sign-up, named from the form (ROQ's default: every sign-up is a
    /// new organisation).
    #[default]
    New,
    /// Every sign-up joins the default tenant.
    Default,
}

/// How ID tokens are signed. Access tokens are always EdDSA (Ed25519).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum IdTokenAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256: OpenID Connect's default, which every client accepts
    /// without being told (Auth.js, openid-client, Keycloak adapters).
    #[default]
    #[serde(rename = "RS256")]
    Rs256,
    /// Ed25519, as access tokens; smaller, but clients must be configured to accept it.
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl IdTokenAlgorithm {
    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => crate::token::RS256,
            Self::EdDsa => crate::token::EDDSA,
        }
    }
}

/// The environment's end-user authentication settings. Changed through the server GraphQL
/// (`updateAuthSettings`); every replica sees a change within [`SETTINGS_TTL`].
///
/// [`SETTINGS_TTL`]: crate::service::SETTINGS_TTL
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthSettings {
    /// The name people see on the hosted pages.
    pub environment_name: String,
    pub sign_up_enabled: bool,
    pub sign_up_tenant: SignUpTenant,
    /// Roles a sign-up gets (keys of existing roles).
    pub sign_up_role_keys: Vec<String>,
    /// Where the hosted pages may send the browser back to, matched exactly. A relative
    /// `redirect_uri` is resolved against the first entry's origin. Their origins may also call
    /// the APIs from a browser (CORS).
    pub redirect_uris: Vec<String>,
    /// Browser origins allowed to call the APIs (CORS), besides the redirect URIs' origins.
    pub allowed_origins: Vec<String>,
    /// Seconds an end user's access token lives.
    pub access_token_lifetime: i64,
    /// Seconds a refresh token lives.
    pub refresh_token_lifetime: i64,
    /// Seconds an invitation link works.
    pub invite_lifetime: i64,
    /// Sign-ups must confirm their email (by a link in a mail) before they can log in.
    pub email_verification_required: bool,
    /// How ID tokens are signed.
    pub id_token_signing_alg: IdTokenAlgorithm,
}

/// `@roq/nextjs`'s callback on Next.js's default port.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:3000/api/auth/callback";

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            environment_name: "Tandem".to_owned(),
            sign_up_enabled: true,
            sign_up_tenant: SignUpTenant::New,
            sign_up_role_keys: Vec::new(),
            redirect_uris: vec![DEFAULT_REDIRECT_URI.to_owned()],
            allowed_origins: Vec::new(),
            access_token_lifetime: 3600,
            refresh_token_lifetime: 30 * 24 * 3600,
            invite_lifetime: 7 * 24 * 3600,
            email_verification_required: false,
            id_token_signing_alg: IdTokenAlgorithm::Rs256,
        }
    }
}

/// A token-signing key as stored: its Ed25519 private half is derived, never stored; its RSA
/// private half is stored sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub salt: String,
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    /// `None` for the current key; a rotated-out key stays published until then.
    pub retire_at: Option<DateTime<Utc>>,
    /// The RSA key that signs RS256 ID tokens beside this key, once one was made: its public
    /// half (`n.e`, base64url) and its private half sealed under the API key.
    pub rsa: Option<RsaKeyRecord>,
}

/// An RSA key as stored (see `token::seal_rsa_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKeyRecord {
    pub public_key: String,
    pub sealed: String,
}

/// Which protocol a code or refresh token belongs to: they differ in wire format and in
/// refresh-token rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// ROQ's hosted auth (`@roq/nextjs`): the refresh token is reused until it expires.
    Roq,
    /// Standard OpenID Connect: the refresh token rotates on every use.
    Oidc,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Roq => "roq",
            Self::Oidc => "oidc",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "roq" => Some(Self::Roq),
            "oidc" => Some(Self::Oidc),
            _ => None,
        }
    }
}

/// What the user agreed to at the hosted page, carried by the code to the token exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// PKCE S256 challenge, when the client sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `login` or `signUp` (ROQ's callback reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// When the user authenticated (OIDC `auth_time`), seconds since the epoch.
    #[serde(default)]
    pub auth_time: i64,
}

/// An authorization code as stored (the code itself only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub code_hash: String,
    pub user_id: UserId,
    pub client_id: String,
    pub redirect_uri: String,
    pub flow: Flow,
    pub grant: Grant,
    pub family_id: String,
    pub generation: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// A refresh token as stored (the token itself only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub token_hash: String,
    pub family_id: String,
    pub user_id: UserId,
    pub client_id: String,
    pub flow: Flow,
    pub scope: String,
    pub nonce: Option<String>,
    pub generation: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Issued to a client that authenticated with its secret: refreshing needs it too.
    pub confidential: bool,
}

/// A message the Platform sends: queued in the transaction of what it is about, then delivered
/// by the mail sender (SMTP, or kept in the embedded dev mailbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    pub id: String,
    /// What it is for (`password_reset`, `invitation`, …).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Delivery,
}

/// Where a message is on its way out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// `queued`, `sent` or `failed` (gave up after the last attempt).
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// How it went out: `smtp`, or `mailbox` (kept for the dev mailbox only).
    pub transport: Option<String>,
}

impl Delivery {
    pub fn queued() -> Self {
        Self {
            status: "queued".to_owned(),
            ..Self::default()
        }
    }
}

/// The mail queue at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailQueueStatus {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub oldest_queued_at: Option<DateTime<Utc>>,
}

/// A password-reset link as stored (its token only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Where a user's email verification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailVerification {
    pub user_id: UserId,
    pub email: String,
    pub verified_at: Option<DateTime<Utc>>,
}
