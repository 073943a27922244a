//! The Console's own records: its administrators, their sessions, and the audit log.

use chrono::{DateTime, Utc};
use tandem_core::{Email, UserId};

/// Someone who may log in to the Console (not an end user: they live in their own table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleAdmin {
    pub id: String,
    pub email: Email,
    pub created_at: DateTime<Utc>,
}

/// A logged-in Console session: who, and the token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub admin: ConsoleAdmin,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The admin's email.
    pub actor: String,
    /// What was done, e.g. `user.deactivate`.
    pub action: String,
    pub user_id: Option<UserId>,
    /// In words, for people.
    pub detail: String,
}
