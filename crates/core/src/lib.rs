//! Tandem's shared vocabulary: identifiers, validated values, the clock, and the sync
//! engine's events and merge rule.
//!
//! Pure code only — no I/O, no async. Both halves of the product (Platform and BaaS) and the
//! sync engine depend on this crate, so everything here must mean the same thing on both sides.

pub mod access;
pub mod basic;
pub mod clock;
pub mod email;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod profile;

pub use basic::BasicCredentials;
pub use clock::{Clock, ManualClock, SystemClock};
pub use email::{Email, EmailError};
pub use hlc::{Hlc, HlcClock, Side, incoming_wins};
pub use ids::{IdParseError, PermissionId, RoleId, TenantId, UserId};
