//! Invitations: someone asks a person (by email) to join a tenant with some roles; the person
//! accepts through a mailed link and becomes a user. What is stored, what a caller asks for, and
//! what a list of invitations is narrowed by.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tandem_core::{Email, TenantId, UserId};

use super::list::{IdFilter, SortOrder, StringFilter, Window};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteStatus {
    Pending,
    Accepted,
    Canceled,
    Expired,
}

impl InviteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "canceled" => Self::Canceled,
            "expired" => Self::Expired,
            _ => return None,
        })
    }
}

/// An invitation as stored (its link's token only as a digest, which never leaves the store).
#[derive(Debug, Clone, PartialEq)]
pub struct UserInvite {
    pub id: String,
    pub email: Email,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub data: Option<Map<String, Value>>,
    pub role_keys: Vec<String>,
    pub tenant_id: TenantId,
    /// The inviting user; `None` when a Console admin invited (`created_by_admin`).
    pub created_by_user_id: Option<UserId>,
    /// The Console admin (email) who invited, when no user did.
    pub created_by_admin: Option<String>,
    pub accepted_by_user_id: Option<UserId>,
    /// As stored: an invite past `expires_at` may still say pending; see [`Self::status_at`].
    pub status: InviteStatus,
    pub status_updated_at: DateTime<Utc>,
    /// Names the link that currently works; a resend gives a new one.
    pub user_token_id: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserInvite {
    /// The status as a person sees it at `now`: a pending invite past its expiry is expired.
    pub fn status_at(&self, now: DateTime<Utc>) -> InviteStatus {
        match self.status {
            InviteStatus::Pending if self.expires_at <= now => InviteStatus::Expired,
            status => status,
        }
    }

    /// The invite as shown at `now` (status and its time brought up to date).
    pub fn as_of(mut self, now: DateTime<Utc>) -> Self {
        if self.status_at(now) != self.status {
            self.status = InviteStatus::Expired;
            self.status_updated_at = self.expires_at;
        }
        self
    }
}

/// One invitation a caller asks to send (`UserInviteCreateDto` / `…V2Dto`).
#[derive(Debug, Clone, Default)]
pub struct NewInvite {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub data: Option<Map<String, Value>>,
    pub role_keys: Vec<String>,
    pub created_by_user_id: String,
    /// v1 only: each invite may name its tenant.
    pub tenant_id: Option<String>,
}

/// Invitations to send together (`sendUserInvites` / `sendUserInvitesV2`).
#[derive(Debug, Clone, Default)]
pub struct NewInvites {
    pub tenant_id: Option<String>,
    pub invites: Vec<NewInvite>,
}

/// Why one invitation of a batch was not sent: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteFailure {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub code: &'static str,
    pub message: String,
}

/// What a batch of invitations came to: each either sent or refused.
#[derive(Debug, Clone, Default)]
pub struct InviteResults {
    pub sent: Vec<UserInvite>,
    pub failed: Vec<InviteFailure>,
}

/// `updateUserInvite`: the profile fields the invite carries to the user it creates.
#[derive(Debug, Clone, Default)]
pub struct InviteUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub data: Option<Map<String, Value>>,
}

/// What the accept page asks of the invited person.
#[derive(Debug, Clone, Default)]
pub struct Acceptance {
    pub first_name: String,
    pub last_name: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteFilter {
    pub accepted_by_user_id: Option<IdFilter<UserId>>,
    pub created_by_user_id: Option<IdFilter<UserId>>,
    pub email: Option<StringFilter>,
    pub first_name: Option<StringFilter>,
    pub id: Option<StringFilter>,
    pub last_name: Option<StringFilter>,
    pub locale: Option<StringFilter>,
    pub status: Option<StringFilter>,
    pub tenant_id: Option<IdFilter<TenantId>>,
    pub user_token_id: Option<StringFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteSort {
    CreatedAt,
    Email,
    FirstName,
    LastName,
    Locale,
    Status,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteSearchKey {
    FirstName,
    LastName,
    Locale,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteQuery {
    pub filter: InviteFilter,
    /// Set for user principals: only invitations into their tenant are visible.
    pub tenant_scope: Option<TenantId>,
    pub search: Option<(InviteSearchKey, String)>,
    pub order: Option<(InviteSort, SortOrder)>,
    pub window: Window,
}
