//! The BaaS's errors and the one place they become HTTP responses, in ZenStack's RPC shape:
//! `{"error": {"message", "reason", …}}` with ZenStack's statuses — 400 for malformed
//! requests and database constraint failures (with the dialect's code), 404 not found, 422
//! invalid input, 403 refused by a rule (with Tandem's stable `code`), 401 without valid
//! credentials. Server faults are logged and returned opaque as 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tandem_sql::DbError;

#[derive(Debug, thiserror::Error)]
pub enum BaasError {
    /// The request itself is malformed (path, method, `q`, body).
    #[error("{0}")]
    BadRequest(String),
    /// The arguments do not fit the schema.
    #[error("Invalid {op} args for model \"{model}\": Validation error: {detail}")]
    InvalidInput {
        op: String,
        model: String,
        detail: String,
    },
    #[error("Record not found")]
    NotFound { model: String },
    #[error("{0}")]
    NotSupported(String),
    /// The database refused the statement (unique, foreign key, not null).
    #[error("Failed to execute query: {message}")]
    Db { message: String, code: String },
    /// A Tandem rule refused the write (users and tenants belong to the Platform).
    #[error("{message}")]
    Rejected {
        model: String,
        code: &'static str,
        message: String,
    },
    /// A value of a synced `user`/`tenant` field that the Platform would refuse (its shape,
    /// length or a control character): 422 like ZenStack's validation errors.
    #[error("{message}")]
    SyncedFieldInvalid { model: String, message: String },
    /// The query would need more bound values than the database takes (huge `in` lists).
    #[error("{0}")]
    QueryTooLarge(String),
    #[error("{0}")]
    Unauthorized(String),
    /// The caller's rules refuse the operation, or let it run but not read its result.
    #[error("{}", reason.message(model))]
    PolicyRejected { model: String, reason: RejectReason },
    /// A scoped permission on a model with several relations to `user` (or `tenant`): which
    /// one decides is ambiguous.
    #[error(
        "model `{model}` has several relations to `{target}`, so which one scopes its rows to the caller is ambiguous; name the one that does with `@@owner(relation)` (to `user`) or `@@tenant(relation)` (to `tenant`) on the model, or grant `all`"
    )]
    AmbiguousScope { model: String, target: &'static str },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type BaasResult<T> = Result<T, BaasError>;

/// Why the caller's rules refused an operation (ZenStack's `rejectReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The caller may not do this to these rows.
    NoAccess,
    /// The write ran but its result is not readable by the caller (and was rolled back).
    CannotReadBack,
}

impl RejectReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::NoAccess => "no-access",
            Self::CannotReadBack => "cannot-read-back",
        }
    }

    fn message(self, model: &str) -> String {
        match self {
            Self::NoAccess => format!(
                "operation is not allowed by policy on model \"{model}\": neither the caller's roles nor the schema's @@allow rules permit it for these rows, or an @@deny forbids it"
            ),
            Self::CannotReadBack => format!(
                "result is not allowed to be read back on model \"{model}\": the caller may not read the row it wrote, so the write was undone"
            ),
        }
    }
}

impl BaasError {
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_)
            | Self::NotSupported(_)
            | Self::Db { .. }
            | Self::QueryTooLarge(_) => StatusCode::BAD_REQUEST,
            Self::InvalidInput { .. } | Self::SyncedFieldInvalid { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Rejected { .. } | Self::PolicyRejected { .. } => StatusCode::FORBIDDEN,
            Self::AmbiguousScope { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error` object of the response body.
    pub fn body(&self) -> Value {
        let message = self.to_string();
        match self {
            Self::BadRequest(_) => json!({"message": message}),
            Self::InvalidInput { model, .. } => json!({
                "message": message, "reason": "invalid-input", "rejectedByValidation": true, "model": model,
            }),
            Self::NotFound { model } => {
                json!({"message": message, "reason": "not-found", "model": model})
            }
            Self::NotSupported(_) => json!({"message": message, "reason": "not-supported"}),
            Self::QueryTooLarge(_) => {
                json!({"message": message, "reason": "invalid-input", "code": "QUERY_TOO_LARGE"})
            }
            Self::Db { code, .. } => {
                json!({"message": message, "reason": "db-query-error", "dbErrorCode": code})
            }
            Self::Rejected { model, code, .. } => json!({
                "message": message, "reason": "rejected-by-policy", "rejectedByPolicy": true,
                "model": model, "code": code,
            }),
            Self::SyncedFieldInvalid { model, .. } => json!({
                "message": message, "reason": "invalid-input", "rejectedByValidation": true,
                "model": model, "code": "SYNCED_FIELD_INVALID",
            }),
            Self::Unauthorized(_) => {
                json!({"message": message, "reason": "unauthorized", "code": "UNAUTHORIZED"})
            }
            // ZenStack v3's shape, plus what `@roq/client`'s fetcher looks for to answer
            // `undefined` for an unreadable result (`prisma`, `P2004`, `RESULT_NOT_READABLE`).
            Self::PolicyRejected {
                model,
                reason: RejectReason::CannotReadBack,
            } => json!({
                "message": message, "reason": "RESULT_NOT_READABLE", "rejectedByPolicy": true,
                "rejectReason": "cannot-read-back", "model": model, "prisma": true, "code": "P2004",
            }),
            // ZenStack v3's shape exactly (its policy plugin's): `reason` is the stable code.
            Self::PolicyRejected { model, reason } => json!({
                "message": message, "reason": "rejected-by-policy", "rejectedByPolicy": true,
                "rejectReason": reason.code(), "model": model,
            }),
            Self::AmbiguousScope { model, .. } => json!({
                "message": message, "reason": "invalid-input", "model": model, "code": "AMBIGUOUS_SCOPE",
            }),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, cause = ?cause, "BaaS request failed");
                json!({"message": "internal error; the server log has the details", "reason": "internal-error"})
            }
        }
    }
}

impl IntoResponse for BaasError {
    fn into_response(self) -> Response {
        (self.status(), Json(json!({"error": self.body()}))).into_response()
    }
}

/// SQLite's extended result codes by name, as ZenStack reports them.
fn sqlite_code_name(code: &str) -> String {
    match code {
        "2067" => "SQLITE_CONSTRAINT_UNIQUE",
        "1555" => "SQLITE_CONSTRAINT_PRIMARYKEY",
        "787" => "SQLITE_CONSTRAINT_FOREIGNKEY",
        "1811" => "SQLITE_CONSTRAINT_TRIGGER",
        "1299" => "SQLITE_CONSTRAINT_NOTNULL",
        "275" => "SQLITE_CONSTRAINT_CHECK",
        "19" => "SQLITE_CONSTRAINT",
        "1" => "SQLITE_ERROR",
        other => return other.to_owned(),
    }
    .to_owned()
}

impl From<DbError> for BaasError {
    /// Anything the database itself refused (constraints, and statements it cannot run for
    /// these arguments, such as `min` of a boolean on PostgreSQL) is ZenStack's 400
    /// `db-query-error` with the database's code; connection and pool failures stay 500.
    fn from(err: DbError) -> Self {
        let (code, message) = match err {
            too_many @ DbError::TooManyValues { .. } => {
                return Self::QueryTooLarge(too_many.to_string());
            }
            DbError::UniqueViolation { code, message, .. }
            | DbError::ForeignKeyViolation { code, message, .. }
            | DbError::ConstraintViolation { code, message } => (code, message),
            DbError::Sqlx(sqlx::Error::Database(db)) => (
                db.code().map(|c| c.into_owned()).unwrap_or_default(),
                db.message().to_owned(),
            ),
            other => return Self::internal(other),
        };
        // PostgreSQL's SQLSTATEs are five characters (23505, 42883); SQLite's result codes
        // are shorter numbers.
        let is_pg = code.len() == 5;
        if is_pg {
            Self::Db {
                message: format!("error: {message}"),
                code,
            }
        } else {
            Self::Db {
                message: format!("SqliteError: {message}"),
                code: sqlite_code_name(&code),
            }
        }
    }
}
