//! Tandem's own server GraphQL for end-user authentication (ROQ configures it in its Console):
//! the auth settings and the token-signing keys. Service account only.

use async_graphql::{Enum, InputObject, SimpleObject};

use super::scalars::Date;
use crate::domain::auth::{AuthSettings, IdTokenAlgorithm, SignUpTenant, SigningKeyRecord};
use crate::service::AuthSettingsUpdate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "SignUpTenantEnum")]
pub enum SignUpTenantEnum {
    /// Every sign-up creates its own tenant, named on the form.
    New,
    /// Every sign-up joins the default tenant.
    Default,
}

impl From<SignUpTenant> for SignUpTenantEnum {
    fn from(t: SignUpTenant) -> Self {
        match t {
            SignUpTenant::New => Self::New,
            SignUpTenant::Default => Self::Default,
        }
    }
}

impl From<SignUpTenantEnum> for SignUpTenant {
    fn from(t: SignUpTenantEnum) -> Self {
        match t {
            SignUpTenantEnum::New => Self::New,
            SignUpTenantEnum::Default => Self::Default,
        }
    }
}

/// How ID tokens are signed (the JWS `alg`). Access tokens are always EdDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "IdTokenSigningAlgEnum")]
pub enum IdTokenSigningAlgEnum {
    /// RSA with SHA-256, OpenID Connect's default: clients accept it without being told.
    #[graphql(name = "RS256")]
    Rs256,
    /// Ed25519: clients must be configured to expect it.
    #[graphql(name = "EdDSA")]
    EdDsa,
}

impl From<IdTokenAlgorithm> for IdTokenSigningAlgEnum {
    fn from(a: IdTokenAlgorithm) -> Self {
        match a {
            IdTokenAlgorithm::Rs256 => Self::Rs256,
            IdTokenAlgorithm::EdDsa => Self::EdDsa,
        }
    }
}

impl From<IdTokenSigningAlgEnum> for IdTokenAlgorithm {
    fn from(a: IdTokenSigningAlgEnum) -> Self {
        match a {
            IdTokenSigningAlgEnum::Rs256 => Self::Rs256,
            IdTokenSigningAlgEnum::EdDsa => Self::EdDsa,
        }
    }
}

/// How end users sign up and log in.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "AuthSettingsModel")]
pub struct AuthSettingsModel {
    /// The name people see on the hosted pages.
    pub environment_name: String,
    pub sign_up_enabled: bool,
    pub sign_up_tenant: SignUpTenantEnum,
    /// Role keys every sign-up gets.
    pub sign_up_role_keys: Vec<String>,
    /// Where the hosted pages may send the browser back to, matched exactly. A relative
    /// redirect URI resolves against the first one's origin.
    pub redirect_uris: Vec<String>,
    /// Browser origins allowed to call the APIs (CORS), besides the redirect URIs' origins.
    pub allowed_origins: Vec<String>,
    /// Seconds an end user's access token lives.
    pub access_token_lifetime: i64,
    /// Seconds a refresh token lives.
    pub refresh_token_lifetime: i64,
    /// Seconds an invitation link works (default 7 days).
    pub invite_lifetime: i64,
    /// Sign-ups must confirm their email by a mailed link before they can log in.
    pub email_verification_required: bool,
    /// How ID tokens are signed (default RS256).
    pub id_token_signing_alg: IdTokenSigningAlgEnum,
}

impl From<AuthSettings> for AuthSettingsModel {
    fn from(s: AuthSettings) -> Self {
        Self {
            environment_name: s.environment_name,
            sign_up_enabled: s.sign_up_enabled,
            sign_up_tenant: s.sign_up_tenant.into(),
            sign_up_role_keys: s.sign_up_role_keys,
            redirect_uris: s.redirect_uris,
            allowed_origins: s.allowed_origins,
            access_token_lifetime: s.access_token_lifetime,
            refresh_token_lifetime: s.refresh_token_lifetime,
            invite_lifetime: s.invite_lifetime,
            email_verification_required: s.email_verification_required,
            id_token_signing_alg: s.id_token_signing_alg.into(),
        }
    }
}

/// A change to the auth settings; fields left out stay as they are.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "AuthSettingsUpdateDto")]
pub struct AuthSettingsUpdateDto {
    pub environment_name: Option<String>,
    pub sign_up_enabled: Option<bool>,
    pub sign_up_tenant: Option<SignUpTenantEnum>,
    pub sign_up_role_keys: Option<Vec<String>>,
    pub redirect_uris: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub access_token_lifetime: Option<i64>,
    pub refresh_token_lifetime: Option<i64>,
    pub invite_lifetime: Option<i64>,
    pub email_verification_required: Option<bool>,
    pub id_token_signing_alg: Option<IdTokenSigningAlgEnum>,
}

impl From<AuthSettingsUpdateDto> for AuthSettingsUpdate {
    fn from(d: AuthSettingsUpdateDto) -> Self {
        Self {
            environment_name: d.environment_name,
            sign_up_enabled: d.sign_up_enabled,
            sign_up_tenant: d.sign_up_tenant.map(Into::into),
            sign_up_role_keys: d.sign_up_role_keys,
            redirect_uris: d.redirect_uris,
            allowed_origins: d.allowed_origins,
            access_token_lifetime: d.access_token_lifetime,
            refresh_token_lifetime: d.refresh_token_lifetime,
            invite_lifetime: d.invite_lifetime,
            email_verification_required: d.email_verification_required,
            id_token_signing_alg: d.id_token_signing_alg.map(Into::into),
        }
    }
}

/// A published token-signing key (its private half is never stored).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "SigningKeyModel")]
pub struct SigningKeyModel {
    pub kid: String,
    pub created_at: Date,
    /// Unset for the current key; a rotated-out key is published until then.
    pub retire_at: Option<Date>,
}

impl From<SigningKeyRecord> for SigningKeyModel {
    fn from(k: SigningKeyRecord) -> Self {
        Self {
            kid: k.kid,
            created_at: Date(k.created_at),
            retire_at: k.retire_at.map(Date),
        }
    }
}
