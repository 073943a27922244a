//! Property test of the merge and the relay on the real stores (SQLite and PostgreSQL): random
//! interleavings of Platform writes (`updateUser`) and BaaS writes (`user.update`) to the same
//! users, delivered through a link that duplicates, delays, reorders, refuses and loses
//! acknowledgements. Afterwards both sides hold the same state, field for field and stamp for
//! stamp, and it is the last-writer-wins outcome: the last write of each field.
//!
//! Writes happen 1 ms apart on the shared test clock, so "last writer" is the last write in the
//! generated order. Cases are random on every run; a failing case is printed in full.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{Value, json};
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, SyncEvent};
use tandem_platform::domain::Change;
use tandem_platform::domain::input::{NewUser, UserUpdate};
use tandem_platform::service::Principal;
use tandem_sync::SyncError;
use tandem_sync::link::{LocalPeer, Peer};
use tandem_sync::relay::{Relay, RelayConfig};
use tandem_sync::side::SideStore;
use tandem_sync::status::DirectionStatus;
use tandem_testkit::{Backend, TestStores, build_stores};

const USERS: usize = 3;
const FIELDS: [&str; 5] = [
    "first_name",
    "last_name",
    "locale",
    "timezone",
    "avatar_url",
];

/// What the link does with one batch.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// Applied, acknowledged.
    Deliver,
    /// Applied twice (a retried request that had already arrived), acknowledged.
    Duplicate,
    /// Applied, but the acknowledgement is lost: the sender will send it again.
    LoseAck,
    /// Never arrives: the sender will send it again.
    Drop,
    /// Arrives much later (after newer batches), out of order; the sender sends it again.
    Delay,
    /// The receiver refuses every event: the sender backs off and retries.
    Refuse,
}

#[derive(Debug, Clone)]
enum Op {
    Platform {
        user: usize,
        field: usize,
        value: Option<u8>,
    },
    Baas {
        user: usize,
        field: usize,
        value: Option<u8>,
    },
    Relay {
        from_platform: bool,
        fate: Fate,
    },
    /// Delivers the delayed batches, newest first.
    ReleaseDelayed,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Deliver),
        1 => Just(Fate::Duplicate),
        1 => Just(Fate::LoseAck),
        1 => Just(Fate::Drop),
        1 => Just(Fate::Delay),
        1 => Just(Fate::Refuse),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let write = || (0..USERS, 0..FIELDS.len(), proptest::option::of(0u8..4));
    prop_oneof![
        3 => write().prop_map(|(user, field, value)| Op::Platform { user, field, value }),
        3 => write().prop_map(|(user, field, value)| Op::Baas { user, field, value }),
        4 => (any::<bool>(), fate()).prop_map(|(from_platform, fate)| Op::Relay { from_platform, fate }),
        1 => Just(Op::ReleaseDelayed),
    ]
}

/// The `value`-th of four valid values of `field` (both sides validate what they store).
fn text(field: usize, value: Option<u8>) -> Option<String> {
    let v = usize::from(value?);
    Some(match FIELDS[field] {
        "locale" => ["en", "de", "fr-CA", "pt-BR"][v].to_owned(),
        "timezone" => ["UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York"][v].to_owned(),
        "avatar_url" => format!("https://example.com/{v}.png"),
        _ => format!("v{v}"),
    })
}

/// The link to one side, misbehaving as the current fate says.
struct ChaosPeer {
    inner: LocalPeer,
    fate: Mutex<Fate>,
    delayed: Mutex<Vec<Vec<SyncEvent>>>,
}

impl ChaosPeer {
    fn new(side: Arc<dyn SideStore>) -> Self {
        Self {
            inner: LocalPeer(side),
            fate: Mutex::new(Fate::Deliver),
            delayed: Mutex::new(Vec::new()),
        }
    }

    fn set(&self, fate: Fate) {
        *self.fate.lock().unwrap() = fate;
    }

    async fn release_delayed(&self) {
        let batches: Vec<_> = std::mem::take(&mut *self.delayed.lock().unwrap());
        for batch in batches.into_iter().rev() {
            self.inner.apply(&batch).await.expect("late delivery");
        }
    }
}

fn lost() -> SyncError {
    SyncError::Link("lost on the way (test link)".into())
}

#[async_trait]
impl Peer for ChaosPeer {
    fn side(&self) -> tandem_core::Side {
        self.inner.side()
    }
    async fn apply(&self, events: &[SyncEvent]) -> Result<Vec<ApplyOutcome>, SyncError> {
        let fate = *self.fate.lock().unwrap();
        match fate {
            Fate::Deliver => self.inner.apply(events).await,
            Fate::Duplicate => {
                self.inner.apply(events).await?;
                self.inner.apply(events).await
            }
            Fate::LoseAck => {
                self.inner.apply(events).await?;
                Err(lost())
            }
            Fate::Drop => Err(lost()),
            Fate::Delay => {
                self.delayed.lock().unwrap().push(events.to_vec());
                Err(lost())
            }
            Fate::Refuse => Ok(events
                .iter()
                .map(|_| ApplyOutcome::Failed {
                    error: "refused (test link)".into(),
                })
                .collect()),
        }
    }
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError> {
        self.inner.states(entity, ids).await
    }
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError> {
        self.inner.digests(entity, after, limit).await
    }
    async fn status(&self) -> Result<DirectionStatus, SyncError> {
        self.inner.status().await
    }
    async fn retry(&self, event_id: Option<&str>) -> Result<u64, SyncError> {
        self.inner.retry(event_id).await
    }
}

/// The two relays of an all-in-one Tandem, each through a chaotic link.
struct Harness {
    stores: TestStores,
    platform: Arc<dyn SideStore>,
    baas: Arc<dyn SideStore>,
    to_baas: Arc<ChaosPeer>,
    to_platform: Arc<ChaosPeer>,
    relay_config: RelayConfig,
}

impl Harness {
    async fn new(backend: Backend) -> Self {
        let stores = build_stores(backend).await;
        let sync = stores.app.sync().clone();
        let (platform, baas) = (sync.local[0].clone(), sync.local[1].clone());
        assert_eq!(platform.side(), tandem_core::Side::Platform);
        let relay_config = RelayConfig {
            // Failed events come back after a few writes, and are never parked.
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            max_attempts: i32::MAX,
            ..RelayConfig::default()
        };
        Self {
            to_baas: Arc::new(ChaosPeer::new(baas.clone())),
            to_platform: Arc::new(ChaosPeer::new(platform.clone())),
            stores,
            platform,
            baas,
            relay_config,
        }
    }

    fn relay(&self, from_platform: bool) -> Relay {
        let (local, peer) = if from_platform {
            (self.platform.clone(), self.to_baas.clone() as Arc<dyn Peer>)
        } else {
            (self.baas.clone(), self.to_platform.clone() as Arc<dyn Peer>)
        };
        Relay {
            local,
            peer,
            metrics: self.stores.app.sync().metrics.clone(),
            config: self.relay_config,
        }
    }

    async fn pass(&self, from_platform: bool, fate: Fate) {
        let peer = if from_platform {
            &self.to_baas
        } else {
            &self.to_platform
        };
        peer.set(fate);
        match self.relay(from_platform).pass().await {
            Ok(_) | Err(SyncError::Link(_)) => {}
            Err(err) => panic!("relay pass failed: {err}"),
        }
        peer.set(Fate::Deliver);
    }

    /// Delivers everything with a well-behaved link, letting backoffs expire.
    async fn drain(&self) {
        for _ in 0..50 {
            self.stores.clock.advance(chrono::Duration::seconds(1));
            self.pass(true, Fate::Deliver).await;
            self.pass(false, Fate::Deliver).await;
            let a = self
                .platform
                .tables()
                .stats(self.platform.db())
                .await
                .unwrap();
            let b = self.baas.tables().stats(self.baas.db()).await.unwrap();
            if a.pending + a.failed + b.pending + b.failed == 0 {
                return;
            }
        }
        panic!("the outboxes did not drain");
    }

    async fn create_users(&self) -> Vec<String> {
        let platform = self.stores.app.platform().expect("platform");
        let mut ids = Vec::new();
        for _ in 0..USERS {
            let user = platform
                .create_user(
                    &Principal::ServiceAccount,
                    NewUser {
                        email: Some(format!("{}@props.example", uuid::Uuid::new_v4())),
                        reference: Some("props".into()),
                        ..Default::default()
                    },
                )
                .await
                .expect("create user");
            ids.push(user.id.to_string());
        }
        self.drain().await;
        ids
    }

    async fn write_platform(&self, id: &str, field: &str, value: Option<String>) {
        let v = Change::Set(value);
        let mut update = UserUpdate::default();
        match field {
            "first_name" => update.first_name = v,
            "last_name" => update.last_name = v,
            "locale" => update.locale = v,
            "timezone" => update.timezone = v,
            "avatar_url" => update.avatar_url = v,
            other => unreachable!("{other}"),
        }
        self.stores
            .app
            .platform()
            .expect("platform")
            .update_user(&Principal::ServiceAccount, id, update)
            .await
            .expect("updateUser");
    }

    async fn write_baas(&self, id: &str, field: &str, value: Option<String>) {
        self.stores
            .app
            .baas()
            .expect("baas")
            .call(
                "user",
                "update",
                &json!({"where": {"id": id}, "data": {field: value}}),
            )
            .await
            .expect("user.update");
    }

    /// Runs one case on fresh users; `Err` describes how the sides disagree.
    async fn run(&self, ops: &[Op]) -> Result<(), String> {
        let ids = self.create_users().await;
        let mut expected: Vec<[Option<String>; FIELDS.len()]> = vec![Default::default(); USERS];
        for op in ops {
            match op {
                Op::Platform { user, field, value } | Op::Baas { user, field, value } => {
                    self.stores.clock.advance(chrono::Duration::milliseconds(1));
                    let (id, name) = (&ids[*user], FIELDS[*field]);
                    if matches!(op, Op::Platform { .. }) {
                        self.write_platform(id, name, text(*field, *value)).await;
                    } else {
                        self.write_baas(id, name, text(*field, *value)).await;
                    }
                    expected[*user][*field] = text(*field, *value);
                }
                Op::Relay {
                    from_platform,
                    fate,
                } => self.pass(*from_platform, *fate).await,
                Op::ReleaseDelayed => {
                    self.to_baas.release_delayed().await;
                    self.to_platform.release_delayed().await;
                }
            }
        }
        // Stale batches still in flight arrive last of all, after everything else.
        self.drain().await;
        self.to_baas.release_delayed().await;
        self.to_platform.release_delayed().await;
        self.drain().await;

        let on_platform = self.platform.states(Entity::User, &ids).await.unwrap();
        let on_baas = self.baas.states(Entity::User, &ids).await.unwrap();
        for (i, id) in ids.iter().enumerate() {
            let p = &on_platform
                .iter()
                .find(|(x, _)| x == id)
                .expect("platform row")
                .1;
            let b = &on_baas.iter().find(|(x, _)| x == id).expect("baas row").1;
            for (f, name) in FIELDS.iter().enumerate() {
                let want = expected[i][f].clone().map_or(Value::Null, Value::String);
                let (pv, bv) = (&p[*name], &b[*name]);
                if pv.value != want || bv.value != want || pv.stamp != bv.stamp {
                    return Err(format!(
                        "user {i}, {name}: expected {want}, Platform has {} ({:?}), BaaS has {} ({:?})",
                        pv.value, pv.stamp, bv.value, bv.stamp
                    ));
                }
            }
            if p != b {
                return Err(format!("user {i}: Platform {p:?} ≠ BaaS {b:?}"));
            }
        }
        let digests = |side: &Arc<dyn SideStore>| {
            let side = side.clone();
            async move { side.digests(Entity::User, None, 10_000).await.unwrap() }
        };
        if digests(&self.platform).await != digests(&self.baas).await {
            return Err("the per-user digests differ".into());
        }
        Ok(())
    }
}

async fn property(backend: Backend) {
    let harness = Harness::new(backend).await;
    let mut runner = TestRunner::new(RunnerConfig::with_cases(24));
    let ops = proptest::collection::vec(op(), 1..40);
    for case in 0..24 {
        let tree = ops.new_tree(&mut runner).expect("a case");
        let ops = tree.current();
        if let Err(problem) = harness.run(&ops).await {
            panic!("case {case} on {backend:?} did not converge: {problem}\nops: {ops:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_interleavings_converge_to_the_last_writer_sqlite() {
    property(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_interleavings_converge_to_the_last_writer_postgres() {
    property(Backend::Postgres).await;
}

impl Harness {
    async fn set_email(&self, id: &str, email: &str) {
        let update = UserUpdate {
            email: Change::Set(email.to_owned()),
            ..Default::default()
        };
        self.stores
            .app
            .platform()
            .expect("platform")
            .update_user(&Principal::ServiceAccount, id, update)
            .await
            .expect("updateUser");
    }

    /// The BaaS's `user` row.
    async fn baas_row(&self, id: &str) -> Value {
        self.stores
            .app
            .baas()
            .expect("baas")
            .call("user", "findUnique", &json!({"where": {"id": id}}))
            .await
            .expect("findUnique")
    }
}

/// Two users swap emails through a temporary one while the relay is not looking. Sent
/// coalesced (each user's newest state only), the BaaS's unique email refuses both; the retry
/// goes row by row in commit order and gets through.
async fn swapped_emails(backend: Backend) {
    let h = Harness::new(backend).await;
    let ids = h.create_users().await;
    let (a, b) = (&ids[0], &ids[1]);
    let (ea, eb) = (
        format!("a-{}@swap.example", uuid::Uuid::new_v4()),
        format!("b-{}@swap.example", uuid::Uuid::new_v4()),
    );
    h.set_email(a, &ea).await;
    h.set_email(b, &eb).await;
    h.drain().await;
    h.set_email(a, "tmp@swap.example").await;
    h.set_email(b, &ea).await;
    h.set_email(a, &eb).await;
    h.drain().await;
    assert_eq!(h.baas_row(a).await["email"], eb.as_str());
    assert_eq!(h.baas_row(b).await["email"], ea.as_str());
}

/// A long queue behind one user's failing event does not hold up other users.
async fn one_stuck_user_does_not_starve_the_others(backend: Backend) {
    let h = Harness::new(backend).await;
    let ids = h.create_users().await;
    h.write_platform(&ids[0], "first_name", Some("first".into()))
        .await;
    h.pass(true, Fate::Refuse).await; // in backoff now; the clock does not move below
    for i in 0..12 {
        h.write_platform(&ids[0], "first_name", Some(format!("n{i}")))
            .await;
    }
    h.write_platform(&ids[1], "first_name", Some("other".into()))
        .await;
    let relay = Relay {
        config: RelayConfig {
            batch: 5,
            ..h.relay_config
        },
        ..h.relay(true)
    };
    relay.pass().await.expect("pass");
    let row = h.baas_row(&ids[1]).await;
    assert_eq!(
        row["first_name"], "other",
        "the other user's event went through"
    );
    h.drain().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_emails_get_through_sqlite() {
    swapped_emails(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_emails_get_through_postgres() {
    swapped_emails(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stuck_user_does_not_starve_the_others_sqlite() {
    one_stuck_user_does_not_starve_the_others(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stuck_user_does_not_starve_the_others_postgres() {
    one_stuck_user_does_not_starve_the_others(Backend::Postgres).await;
}

/// The periodic reconcile's lease: one holder per period among processes sharing a store.
async fn one_lease_holder_at_a_time(backend: Backend) {
    let h = Harness::new(backend).await;
    let (tables, db) = (h.platform.tables(), h.platform.db());
    let lease = |now: i64, until: i64| {
        let db = db.clone();
        async move {
            tables
                .try_lease(&db, "test_lease", now, until)
                .await
                .unwrap()
        }
    };
    assert!(lease(1_000, 2_000).await, "free: taken");
    assert!(!lease(1_500, 2_500).await, "held until 2000: refused");
    assert!(!lease(1_999, 2_999).await);
    assert!(lease(2_000, 3_000).await, "expired: taken again");
    assert!(!lease(2_500, 3_500).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lease_holder_at_a_time_sqlite() {
    one_lease_holder_at_a_time(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lease_holder_at_a_time_postgres() {
    one_lease_holder_at_a_time(Backend::Postgres).await;
}
