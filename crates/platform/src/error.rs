//! The Platform's errors and the one place they become HTTP and GraphQL responses.
//!
//! Every client mistake has a stable `errorCode` and a message a person can act on, in ROQ's
//! shape `{statusCode, errorCode, message}` (the body of the token endpoints, and
//! `errors[0].extensions.response` in GraphQL), which `@roq/nodejs` turns into its
//! `HttpException`. Server faults are logged with their cause and returned opaque.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tandem_core::EmailError;

use crate::environment::CredentialsError;
use crate::password::{HashingError, PasswordError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("{0}")]
    InvalidEmail(#[from] EmailError),
    #[error("a user with this email already exists (emails are compared case-insensitively)")]
    DuplicateEmail,
    #[error("tenant {0} does not exist")]
    TenantNotFound(String),
    #[error("a {0} with id {1} already exists; leave `id` out to have one assigned")]
    DuplicateId(&'static str, String),
    #[error(
        "no role with the key(s) {0}; create the role first (createRole) or check the spelling"
    )]
    RoleKeyNotFound(String),
    #[error("role {0} does not exist")]
    RoleNotFound(String),
    #[error("user {0} does not exist")]
    UserNotFound(String),
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    #[error(
        "reference is required: pass your application's own identifier for the user (for example its id in your database)"
    )]
    MissingReference,
    #[error("a role with this key already exists")]
    DuplicateRoleKey,
    #[error("the current password is not correct")]
    WrongPassword,
    #[error(
        "this email already has a pending invitation; resend it (resendUserInvite) or cancel it first"
    )]
    InvitePending,
    #[error("invitation {0} does not exist")]
    InviteNotFound(String),
    /// The invitation was accepted or canceled: nothing more can happen to it.
    #[error("{0}")]
    InviteClosed(String),
    #[error("user {0} has no password yet; it is set through the invitation or sign-up flow")]
    PasswordNotSet(String),
    #[error(
        "one request may check or set at most {0} passwords; send the others in further requests"
    )]
    TooManyPasswordOperations(u32),
    #[error("the email or password is not correct")]
    InvalidLogin,
    #[error("too many attempts; wait {retry_after_secs} seconds and try again")]
    RateLimited { retry_after_secs: u64 },
    #[error("sign-up is turned off for this app; ask its administrator for an invitation")]
    SignUpDisabled,
    #[error("this account is deactivated; ask the app's administrator to reactivate it")]
    UserDeactivated,
    #[error("confirm your email address first: open the link in the message we sent you")]
    EmailNotVerified,
    /// OAuth `invalid_grant`: a code or refresh token that is unknown, used, expired or revoked.
    #[error("{0}")]
    InvalidGrant(String),
    /// OAuth `invalid_client`: wrong client id or secret.
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidRedirectUri(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    GraphqlValidation(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// Overloaded for now (503); the client may retry.
    #[error("{0}")]
    Busy(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PlatformError {
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidEmail(_)
            | Self::InvalidPassword(_)
            | Self::MissingReference
            | Self::WrongPassword
            | Self::PasswordNotSet(_)
            | Self::InvalidInput(_)
            | Self::InvalidGrant(_)
            | Self::InvalidRedirectUri(_)
            | Self::TooManyPasswordOperations(_)
            | Self::GraphqlValidation(_)
            | Self::Unsupported(_) => StatusCode::BAD_REQUEST,
            Self::DuplicateEmail
            | Self::DuplicateRoleKey
            | Self::DuplicateId(..)
            | Self::InvitePending
            | Self::InviteClosed(_) => StatusCode::CONFLICT,
            Self::TenantNotFound(_)
            | Self::RoleKeyNotFound(_)
            | Self::RoleNotFound(_)
            | Self::InviteNotFound(_)
            | Self::UserNotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized(_) | Self::InvalidLogin | Self::InvalidClient(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::SignUpDisabled | Self::UserDeactivated | Self::EmailNotVerified => {
                StatusCode::FORBIDDEN
            }
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidEmail(_) => "INVALID_EMAIL",
            Self::DuplicateEmail => "USER_EMAIL_ALREADY_EXISTS",
            Self::TenantNotFound(_) => "TENANT_NOT_FOUND",
            Self::DuplicateId(..) => "ID_ALREADY_EXISTS",
            Self::RoleKeyNotFound(_) => "ROLE_KEY_NOT_FOUND",
            Self::RoleNotFound(_) => "ROLE_NOT_FOUND",
            Self::UserNotFound(_) => "USER_NOT_FOUND",
            Self::InvalidPassword(PasswordError::TooShort) => "PASSWORD_TOO_SHORT",
            Self::InvalidPassword(PasswordError::TooLong) => "PASSWORD_TOO_LONG",
            Self::MissingReference => "USER_REFERENCE_REQUIRED",
            Self::DuplicateRoleKey => "ROLE_KEY_ALREADY_EXISTS",
            Self::WrongPassword => "WRONG_PASSWORD",
            Self::InvitePending => "USER_INVITE_PENDING",
            Self::InviteNotFound(_) => "USER_INVITE_NOT_FOUND",
            Self::InviteClosed(_) => "USER_INVITE_CLOSED",
            Self::PasswordNotSet(_) => "PASSWORD_NOT_SET",
            Self::InvalidInput(_) => "INVALID_INPUT",
            Self::InvalidLogin => "INVALID_CREDENTIALS",
            Self::RateLimited { .. } => "TOO_MANY_ATTEMPTS",
            Self::SignUpDisabled => "SIGN_UP_DISABLED",
            Self::UserDeactivated => "USER_DEACTIVATED",
            Self::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Self::InvalidGrant(_) => "INVALID_GRANT",
            Self::InvalidClient(_) => "INVALID_CLIENT",
            Self::InvalidRedirectUri(_) => "INVALID_REDIRECT_URI",
            Self::TooManyPasswordOperations(_) => "TOO_MANY_PASSWORD_OPERATIONS",
            Self::GraphqlValidation(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::Unsupported(_) => "NOT_SUPPORTED",
            Self::Unauthorized(_) => "UNAUTHORIZED_EXCEPTION",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Busy(_) => "SERVER_BUSY",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// What the client is told: the message, except for server faults, which stay opaque.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error; the server log has the details".to_owned(),
            other => other.to_string(),
        }
    }

    /// ROQ's error body, logging server faults on the way out.
    pub fn body(&self) -> ErrorBody {
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = %cause, cause = ?cause, "platform request failed");
            }
            Self::Unauthorized(reason) => tracing::warn!(%reason, "authentication failed"),
            _ => {}
        }
        ErrorBody {
            status_code: self.status().as_u16(),
            error_code: self.code(),
            message: self.public_message(),
        }
    }

    /// The OAuth 2.0 error code (RFC 6749 §5.2) for the standard endpoints.
    pub fn oauth_code(&self) -> &'static str {
        match self {
            Self::InvalidGrant(_) | Self::InvalidLogin | Self::UserDeactivated => "invalid_grant",
            Self::InvalidClient(_) => "invalid_client",
            Self::Unauthorized(_) => "invalid_token",
            Self::RateLimited { .. } => "slow_down",
            Self::Forbidden(_) | Self::SignUpDisabled | Self::EmailNotVerified => "access_denied",
            Self::Internal(_) => "server_error",
            Self::Busy(_) => "temporarily_unavailable",
            _ => "invalid_request",
        }
    }

    /// The GraphQL form: the message, plus ROQ's `extensions.response`.
    pub fn to_graphql(&self) -> async_graphql::Error {
        let body = self.body();
        let mut error = async_graphql::Error::new(body.message.clone());
        error = async_graphql::ErrorExtensions::extend_with(error, |_, ext| {
            ext.set("code", body.error_code);
            ext.set(
                "response",
                async_graphql::Value::from_json(serde_json::json!(body)).unwrap_or_default(),
            );
        });
        error
    }
}

/// `{statusCode, errorCode, message}`
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status_code: u16,
    pub error_code: &'static str,
    pub message: String,
}

impl IntoResponse for PlatformError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        let retry_after = match self {
            Self::RateLimited { retry_after_secs } => Some(retry_after_secs),
            Self::Busy(_) => Some(5),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}

impl From<StoreError> for PlatformError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::DuplicateEmail => Self::DuplicateEmail,
            StoreError::DuplicateRoleKey => Self::DuplicateRoleKey,
            StoreError::DuplicateInvite => Self::InvitePending,
            StoreError::DuplicateId(kind, id) => Self::DuplicateId(kind, id),
            StoreError::Db(too_many @ tandem_sql::DbError::TooManyValues { .. }) => {
                Self::InvalidInput(too_many.to_string())
            }
            too_many @ StoreError::TooManyPermissions { .. } => {
                Self::InvalidInput(too_many.to_string())
            }
            // Tenants, users and roles are never deleted, so a dangling reference is a bug.
            other @ (StoreError::ForeignKeyViolation
            | StoreError::Corrupt(_)
            | StoreError::Db(_)) => Self::internal(other),
        }
    }
}

impl From<CredentialsError> for PlatformError {
    fn from(err: CredentialsError) -> Self {
        match err {
            CredentialsError::RandomSource(_) => Self::internal(err),
            refused => Self::InvalidInput(refused.to_string()),
        }
    }
}

impl From<HashingError> for PlatformError {
    fn from(err: HashingError) -> Self {
        match err {
            HashingError::Busy => Self::Busy(err.to_string()),
            failed @ HashingError::Failed(_) => Self::internal(failed),
        }
    }
}

pub type PlatformResult<T> = Result<T, PlatformError>;

/// Converts a Platform result for a GraphQL resolver, keeping ROQ's error extensions
/// (async-graphql's blanket `From<Display>` would drop them).
pub trait IntoGraphql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGraphql<T> for PlatformResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|err| err.to_graphql())
    }
}
