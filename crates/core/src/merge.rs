//! What the sync engine moves between the Platform and the BaaS, and the rule that merges it.
//!
//! Every synced entity (a user or a tenant) is a map of fields, each holding a value and the
//! [`Hlc`] stamp of the write that set it. An event carries the sending side's whole current
//! state of one entity (not only the fields that changed), so a receiver can apply any event
//! on its own: applying keeps, per field, the value with the higher stamp. That merge is
//! commutative, associative and idempotent, so duplicated, delayed or reordered deliveries all
//! end in the same state — the last writer's, field by field.
//!
//! Field names are the BaaS column names (`first_name`); the Platform maps its own.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hlc::{Hlc, Side};
use crate::profile::{self, FieldError, FieldProblem, TextShape};

/// The two kinds of synced rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Tenant,
    User,
    /// A role's key and its permissions (what the BaaS's access rules need of it).
    Role,
    /// Which roles one user holds (keyed by the user's id).
    #[serde(rename = "user_roles")]
    UserRoles,
}

impl Entity {
    pub const ALL: [Entity; 4] = [
        Entity::Tenant,
        Entity::User,
        Entity::Role,
        Entity::UserRoles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::User => "user",
            Self::Role => "role",
            Self::UserRoles => "user_roles",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "tenant" => Some(Self::Tenant),
            "user" => Some(Self::User),
            "role" => Some(Self::Role),
            "user_roles" => Some(Self::UserRoles),
            _ => None,
        }
    }

    /// The synced fields, in a fixed order.
    pub fn fields(self) -> &'static [SyncedField] {
        match self {
            Self::Tenant => TENANT_FIELDS,
            Self::User => USER_FIELDS,
            Self::Role => ROLE_FIELDS,
            Self::UserRoles => USER_ROLES_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static SyncedField> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// Which way a field's changes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Written on the Platform only; the BaaS has a read-only copy.
    PlatformToBaas,
    /// Writable on both sides; per-field last-writer-wins.
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncedField {
    pub name: &'static str,
    pub flow: Flow,
    /// Must be present to create the row on the BaaS.
    pub required: bool,
    /// What its text must look like (`active` is a boolean and has none).
    pub shape: Option<TextShape>,
}

impl SyncedField {
    /// Whether both sides can store and serve `value` in this field: text of the field's
    /// [`TextShape`], bounded, without control characters, and present (not blank) where the
    /// field is required. The BaaS refuses a write that breaks this, and both apply paths
    /// refuse an event that carries one, so a bad value never reaches either store.
    pub fn check_text(&self, value: Option<&str>) -> Result<(), FieldError> {
        let fail = |problem| {
            Err(FieldError {
                field: self.name.to_owned(),
                problem,
            })
        };
        match value {
            Some(text) if self.required && text.trim().is_empty() => fail(FieldProblem::Blank),
            Some(text) => profile::check(self.name, self.shape.unwrap_or(TextShape::Plain), text),
            None if self.required => fail(FieldProblem::Null),
            None => Ok(()),
        }
    }

    /// [`Self::check_text`] for a value as events carry it (JSON); `active` must be a boolean.
    pub fn check_value(&self, value: &Value) -> Result<(), String> {
        match (value, self.shape) {
            (Value::Bool(_), None) => Ok(()),
            (Value::String(text), Some(_)) => {
                self.check_text(Some(text)).map_err(|e| e.to_string())
            }
            (Value::Null, _) => self.check_text(None).map_err(|e| e.to_string()),
            (other, None) => Err(format!(
                "`{}` must be true or false, not {other}",
                self.name
            )),
            (other, Some(_)) => Err(format!(
                "`{}` must be a string or null, not {other}",
                self.name
            )),
        }
    }

    /// Whether `side` may write this field (and so send it).
    pub fn writable_by(&self, side: Side) -> bool {
        match self.flow {
            Flow::Both => true,
            Flow::PlatformToBaas => side == Side::Platform,
        }
    }
}

const fn field(
    name: &'static str,
    flow: Flow,
    required: bool,
    shape: Option<TextShape>,
) -> SyncedField {
    SyncedField {
        name,
        flow,
        required,
        shape,
    }
}

use TextShape::{Email, HttpUrl, Json, LanguageTag, Plain, TimeZone, Timestamp, Uuid};

/// DESIGN's field-ownership table for users. `created_at` travels once, at create, so both
/// sides show the same creation time.
pub const USER_FIELDS: &[SyncedField] = &[
    field("email", Flow::PlatformToBaas, true, Some(Email)),
    field("first_name", Flow::Both, false, Some(Plain)),
    field("last_name", Flow::Both, false, Some(Plain)),
    field("locale", Flow::Both, false, Some(LanguageTag)),
    field("timezone", Flow::Both, false, Some(TimeZone)),
    field("avatar_url", Flow::Both, false, Some(HttpUrl)),
    field("tenant_id", Flow::PlatformToBaas, true, Some(Uuid)),
    field("active", Flow::PlatformToBaas, true, None),
    field("created_at", Flow::PlatformToBaas, false, Some(Timestamp)),
];

pub const TENANT_FIELDS: &[SyncedField] = &[
    field("name", Flow::Both, true, Some(Plain)),
    field("created_at", Flow::PlatformToBaas, false, Some(Timestamp)),
];

/// A role as the BaaS needs it: its key, and its permissions as a JSON array of
/// `{"entity", "operation", "scope"}` (see [`crate::access`]).
pub const ROLE_FIELDS: &[SyncedField] = &[
    field("key", Flow::PlatformToBaas, true, Some(Plain)),
    field("permissions", Flow::PlatformToBaas, true, Some(Json)),
];

/// A user's roles: a JSON array of role ids.
pub const USER_ROLES_FIELDS: &[SyncedField] =
    &[field("roles", Flow::PlatformToBaas, true, Some(Json))];

/// A field's value and the stamp of the write that set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    pub value: Value,
    pub stamp: Hlc,
}

/// An entity's synced fields by name.
pub type FieldState = BTreeMap<String, Stamped>;

/// One committed change, as the outbox keeps it and the relay delivers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncEvent {
    /// Unique per event (random), the key of idempotent apply.
    pub id: String,
    pub entity: Entity,
    pub entity_id: String,
    pub origin: Side,
    /// The origin's whole state of the entity after the change (fields it may write).
    pub fields: FieldState,
    /// The fields this change wrote.
    pub changed: BTreeSet<String>,
    /// When the change committed (origin's clock, Unix ms): the start of propagation lag.
    pub committed_ms: i64,
}

impl SyncEvent {
    /// The highest stamp the event carries.
    pub fn max_stamp(&self) -> Option<Hlc> {
        self.fields.values().map(|f| f.stamp).max()
    }
}

/// What became of one delivered event on the receiving side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum ApplyOutcome {
    /// Merged: `changed` when some field took the incoming value.
    Applied { changed: bool, conflicts: u32 },
    /// Applied before (same event id): nothing done.
    Duplicate,
    /// Could not be applied; the sender retries it and eventually parks it.
    Failed { error: String },
}

/// What applying an incoming state to a local one does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merge {
    /// Fields to store (value and stamp): the incoming ones that won.
    pub writes: FieldState,
    /// Changed fields of the incoming event that lost to a newer local write with another value.
    pub conflicts: u32,
}

/// Per-field last-writer-wins of `incoming` (sent by `origin`) over `local`, as seen by the
/// side that is not `origin`. Fields the origin may not write are ignored, so a side never
/// takes a value it owns from the other.
pub fn merge(
    entity: Entity,
    origin: Side,
    local: &FieldState,
    incoming: &FieldState,
    changed: &BTreeSet<String>,
) -> Merge {
    let mut out = Merge::default();
    for (name, theirs) in incoming {
        let Some(spec) = entity.field(name) else {
            continue;
        };
        if !spec.writable_by(origin) {
            continue;
        }
        match local.get(name) {
            Some(ours) if keeps(ours, theirs, origin) => {
                if ours.stamp > theirs.stamp && ours.value != theirs.value && changed.contains(name)
                {
                    out.conflicts += 1;
                }
            }
            _ => {
                out.writes.insert(name.clone(), theirs.clone());
            }
        }
    }
    out
}

/// Whether the local value stands against an incoming one. The higher stamp wins. Equal
/// stamps mean the same write, so equal values; if they differ anyway (a restored backup, a
/// manual edit), the side that made the write holds the truth: the incoming value wins only
/// when its sender is the stamp's side. Both sides agree on that, so reconciling converges.
fn keeps(ours: &Stamped, theirs: &Stamped, origin: Side) -> bool {
    ours.stamp > theirs.stamp
        || (ours.stamp == theirs.stamp
            && (ours.value == theirs.value || theirs.stamp.side != origin))
}

/// A digest of an entity's synced state (values and stamps of the fields both sides hold),
/// equal on both sides exactly when they agree. FNV-1a over a canonical text form: stable
/// across versions and platforms, which a std `Hasher` is not.
pub fn digest(entity: Entity, state: &FieldState) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for f in entity.fields() {
        eat(f.name.as_bytes());
        eat(b"=");
        match state.get(f.name) {
            Some(s) => {
                eat(canonical(&s.value).as_bytes());
                eat(b"@");
                eat(s.stamp.encode().as_bytes());
            }
            None => eat(b"-"),
        }
        eat(b";");
    }
    hash
}

fn canonical(value: &Value) -> String {
    // Synced values are scalars (strings, booleans, null), whose JSON text is canonical
    // (JSON-valued fields travel as text their writer made canonical).
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;
    use proptest::prelude::*;
    use serde_json::json;

    fn stamp(ms: i64, side: Side) -> Hlc {
        Hlc {
            ms,
            counter: 0,
            side,
        }
    }

    fn state(pairs: &[(&str, Value, Hlc)]) -> FieldState {
        pairs
            .iter()
            .map(|(n, v, s)| {
                (
                    (*n).to_owned(),
                    Stamped {
                        value: v.clone(),
                        stamp: *s,
                    },
                )
            })
            .collect()
    }

    fn all(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_newer_stamp_wins_per_field() {
        let local = state(&[
            ("first_name", json!("Ann"), stamp(10, Side::Baas)),
            ("last_name", json!("Lee"), stamp(30, Side::Baas)),
        ]);
        let incoming = state(&[
            ("first_name", json!("Anna"), stamp(20, Side::Platform)),
            ("last_name", json!("Li"), stamp(20, Side::Platform)),
        ]);
        let m = merge(
            Entity::User,
            Side::Platform,
            &local,
            &incoming,
            &all(&["first_name", "last_name"]),
        );
        assert_eq!(m.writes.keys().collect::<Vec<_>>(), ["first_name"]);
        assert_eq!(m.writes["first_name"].value, json!("Anna"));
        assert_eq!(m.conflicts, 1, "last_name lost to a newer local edit");
    }

    #[test]
    fn a_side_never_takes_fields_it_owns_from_the_other() {
        let incoming = state(&[
            ("email", json!("x@y.z"), stamp(99, Side::Baas)),
            ("active", json!(false), stamp(99, Side::Baas)),
            ("locale", json!("de"), stamp(99, Side::Baas)),
            ("password", json!("nope"), stamp(99, Side::Baas)),
        ]);
        let m = merge(
            Entity::User,
            Side::Baas,
            &FieldState::new(),
            &incoming,
            &BTreeSet::new(),
        );
        assert_eq!(m.writes.keys().collect::<Vec<_>>(), ["locale"]);
    }

    #[test]
    fn unchanged_stale_fields_are_not_conflicts() {
        // The Platform renamed the user's last name; its snapshot also carries an older first
        // name than the BaaS has since written. Not a conflict: that field did not change.
        let local = state(&[("first_name", json!("New"), stamp(20, Side::Baas))]);
        let incoming = state(&[
            ("first_name", json!("Old"), stamp(10, Side::Platform)),
            ("last_name", json!("X"), stamp(30, Side::Platform)),
        ]);
        let m = merge(
            Entity::User,
            Side::Platform,
            &local,
            &incoming,
            &all(&["last_name"]),
        );
        assert_eq!(m.conflicts, 0);
        assert_eq!(m.writes.keys().collect::<Vec<_>>(), ["last_name"]);
    }

    #[test]
    fn equal_stamps_with_different_values_go_to_the_writer() {
        // A manual edit changed the BaaS's copy of a Platform write behind the stamps' back.
        let s = stamp(10, Side::Platform);
        let platform = state(&[("email", json!("a@x.io"), s)]);
        let baas = state(&[("email", json!("edited@x.io"), s)]);
        let to_baas = merge(
            Entity::User,
            Side::Platform,
            &baas,
            &platform,
            &BTreeSet::new(),
        );
        assert_eq!(to_baas.writes["email"].value, json!("a@x.io"));
        let s = stamp(10, Side::Baas);
        let platform = state(&[("locale", json!("de"), s)]);
        let baas = state(&[("locale", json!("fr"), s)]);
        let to_platform = merge(Entity::User, Side::Baas, &platform, &baas, &BTreeSet::new());
        assert_eq!(to_platform.writes["locale"].value, json!("fr"));
        let to_baas = merge(
            Entity::User,
            Side::Platform,
            &baas,
            &platform,
            &BTreeSet::new(),
        );
        assert!(
            to_baas.writes.is_empty(),
            "the BaaS wrote it; it keeps its value"
        );
    }

    #[test]
    fn digests_tell_states_apart() {
        let a = state(&[("name", json!("Acme"), stamp(1, Side::Platform))]);
        let b = state(&[("name", json!("Acme"), stamp(2, Side::Platform))]);
        let c = state(&[("name", json!("Acm"), stamp(1, Side::Platform))]);
        assert_eq!(
            digest(Entity::Tenant, &a),
            digest(Entity::Tenant, &a.clone())
        );
        assert_ne!(digest(Entity::Tenant, &a), digest(Entity::Tenant, &b));
        assert_ne!(digest(Entity::Tenant, &a), digest(Entity::Tenant, &c));
        assert_ne!(
            digest(Entity::Tenant, &a),
            digest(Entity::Tenant, &FieldState::new())
        );
    }

    proptest! {
        /// Both sides write the same fields while events fly: each step is a write on one side
        /// (stamped by that side's HLC, whose wall clock jumps around) or a delivery of any
        /// event sent so far (so duplicated, delayed and reordered). At the end every event is
        /// delivered once more. Both sides end equal, holding for each field the value of the
        /// write with the highest stamp.
        #[test]
        fn any_delivery_order_converges_to_the_last_writer(
            steps in prop::collection::vec(
                prop_oneof![
                    (any::<bool>(), 0usize..3, 0u8..5, 0i64..40).prop_map(Step::Write),
                    any::<prop::sample::Index>().prop_map(Step::Deliver),
                ],
                1..60,
            ),
        ) {
            let names = ["first_name", "locale", "email"];
            let clock = crate::ManualClock::starting_now();
            let base = clock.now();
            let hlcs = [crate::HlcClock::new(Side::Platform), crate::HlcClock::new(Side::Baas)];
            let mut sides = [FieldState::new(), FieldState::new()];
            let mut sent: Vec<SyncEvent> = Vec::new();
            let mut winner: BTreeMap<&str, (Hlc, Value)> = BTreeMap::new();
            let deliver = |e: &SyncEvent, sides: &mut [FieldState; 2]| {
                let to = usize::from(e.origin == Side::Platform);
                if let Some(max) = e.max_stamp() {
                    hlcs[to].observe(max);
                }
                let m = merge(e.entity, e.origin, &sides[to], &e.fields, &e.changed);
                sides[to].extend(m.writes);
            };
            for step in steps {
                match step {
                    Step::Write((on_platform, f, v, ms)) => {
                        let side = if on_platform { Side::Platform } else { Side::Baas };
                        let name = names[f];
                        if !Entity::User.field(name).is_some_and(|s| s.writable_by(side)) {
                            continue;
                        }
                        let idx = usize::from(side == Side::Baas);
                        clock.set(base + chrono::Duration::milliseconds(ms));
                        let stamp = hlcs[idx].now(&clock);
                        let value = json!(format!("v{v}"));
                        sides[idx].insert(name.to_owned(), Stamped { value: value.clone(), stamp });
                        if winner.get(name).is_none_or(|(s, _)| stamp > *s) {
                            winner.insert(name, (stamp, value));
                        }
                        sent.push(SyncEvent {
                            id: format!("e{}", sent.len()),
                            entity: Entity::User,
                            entity_id: "u1".into(),
                            origin: side,
                            fields: sides[idx].clone(),
                            changed: all(&[name]),
                            committed_ms: ms,
                        });
                    }
                    Step::Deliver(i) => {
                        if !sent.is_empty() {
                            let e = sent[i.index(sent.len())].clone();
                            deliver(&e, &mut sides);
                        }
                    }
                }
            }
            for e in sent.iter().rev() {
                deliver(e, &mut sides);
            }
            prop_assert_eq!(&sides[0], &sides[1]);
            for (name, (stamp, value)) in winner {
                prop_assert_eq!(&sides[0][name].value, &value);
                prop_assert_eq!(sides[0][name].stamp, stamp);
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Step {
        Write((bool, usize, u8, i64)),
        Deliver(prop::sample::Index),
    }
}
