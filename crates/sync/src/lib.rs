//! The sync engine between the Platform and the BaaS (DESIGN's "Sync engine").
//!
//! Each side records its changes to users and tenants in its own outbox, in the transaction
//! of the change ([`tandem_platform::store::outbox`], [`tandem_baas::mirror`]). Here:
//! - [`relay`] delivers each outbox to the other side, in order, batched, at least once;
//! - [`link`] reaches the other side in-process, or over HTTP signed with a shared secret;
//! - [`reconcile`] compares both sides and repairs any difference;
//! - [`status`], [`metrics`] and [`http`] report it all.
//!
//! This is the only crate that knows both halves.

pub mod http;
pub mod link;
pub mod metrics;
pub mod reconcile;
pub mod relay;
pub mod side;
pub mod status;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tandem_core::Side;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use link::{LocalPeer, Peer};
use metrics::Metrics;
use reconcile::ReconcileReport;
use relay::{Relay, RelayConfig};
use side::SideStore;
use status::{Status, Unreachable, direction_name};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A store could not be read or written; the cause keeps its type for the log.
    #[error("sync store: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the other side cannot be reached: {0}")]
    Link(String),
}

impl From<tandem_sql::DbError> for SyncError {
    fn from(err: tandem_sql::DbError) -> Self {
        Self::Store(Box::new(err))
    }
}

/// The counter row whose value is the expiry of the periodic reconcile's lease.
const RECONCILE_LEASE: &str = "reconcile_lease_until";

/// Which halves run in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    AllInOne,
    PlatformOnly,
    BaasOnly,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Self::AllInOne => "all-in-one",
            Self::PlatformOnly => "platform",
            Self::BaasOnly => "baas",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SyncConfig {
    pub relay: RelayConfig,
    /// How often a reconcile pass runs on its own (`None`: only on demand).
    pub reconcile_every: Option<Duration>,
    /// How long applied event ids are remembered.
    pub applied_retention: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            relay: RelayConfig::default(),
            reconcile_every: Some(Duration::from_secs(600)),
            applied_retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The running sync engine of one process.
pub struct SyncEngine {
    pub mode: Mode,
    /// The sides whose stores this process holds (both, or one in a split deployment).
    pub local: Vec<Arc<dyn SideStore>>,
    pub platform: Arc<dyn Peer>,
    pub baas: Arc<dyn Peer>,
    pub metrics: Arc<Metrics>,
    pub config: SyncConfig,
    /// The shared secret of the HTTP link (split deployments).
    pub secret: Option<Vec<u8>>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl SyncEngine {
    /// Both sides in this process, linked directly.
    pub fn all_in_one(
        platform: Arc<dyn SideStore>,
        baas: Arc<dyn SideStore>,
        config: SyncConfig,
    ) -> Self {
        Self::new(
            Mode::AllInOne,
            vec![platform.clone(), baas.clone()],
            Arc::new(LocalPeer(platform)),
            Arc::new(LocalPeer(baas)),
            config,
            None,
        )
    }

    /// One side here, the other reached through `peer` (HTTP), sharing `secret`.
    pub fn split(
        local: Arc<dyn SideStore>,
        peer: Arc<dyn Peer>,
        secret: &str,
        config: SyncConfig,
    ) -> Self {
        let here: Arc<dyn Peer> = Arc::new(LocalPeer(local.clone()));
        let (mode, platform, baas) = match local.side() {
            Side::Platform => (Mode::PlatformOnly, here, peer),
            Side::Baas => (Mode::BaasOnly, peer, here),
        };
        Self::new(
            mode,
            vec![local],
            platform,
            baas,
            config,
            Some(secret.as_bytes().to_vec()),
        )
    }

    fn new(
        mode: Mode,
        local: Vec<Arc<dyn SideStore>>,
        platform: Arc<dyn Peer>,
        baas: Arc<dyn Peer>,
        config: SyncConfig,
        secret: Option<Vec<u8>>,
    ) -> Self {
        Self {
            mode,
            local,
            platform,
            baas,
            metrics: Arc::new(Metrics::default()),
            config,
            secret,
            shutdown: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
        }
    }

    fn peer_of(&self, side: Side) -> Arc<dyn Peer> {
        match side {
            Side::Platform => self.baas.clone(),
            Side::Baas => self.platform.clone(),
        }
    }

    /// The relay that delivers `side`'s outbox (for tests driving it step by step).
    pub fn relay_for(&self, side: &Arc<dyn SideStore>) -> Relay {
        Relay {
            local: side.clone(),
            peer: self.peer_of(side.side()),
            metrics: self.metrics.clone(),
            config: self.config.relay,
        }
    }

    /// Starts the relays, the periodic reconcile and housekeeping.
    pub fn start(self: &Arc<Self>) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        for side in &self.local {
            let relay = self.relay_for(side);
            tasks.push(tokio::spawn(relay.run(self.shutdown.subscribe())));
        }
        let engine = self.clone();
        let mut stop = self.shutdown.subscribe();
        tasks.push(tokio::spawn(async move {
            // The first pass soon after start repairs what happened while we were down.
            let mut next = Duration::from_secs(2);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(next) => {}
                    _ = stop.changed() => return,
                }
                engine.housekeeping().await;
                if let Some(every) = engine.config.reconcile_every {
                    engine.periodic_reconcile(every).await;
                }
                next = engine
                    .config
                    .reconcile_every
                    .unwrap_or(Duration::from_secs(3600));
            }
        }));
    }

    /// One periodic pass, by the process that runs the Platform (in a split deployment, the
    /// Platform process), and by one of several replicas sharing a PostgreSQL store: the one
    /// that takes the lease for this period.
    async fn periodic_reconcile(&self, every: Duration) {
        let Some(platform) = self.local.iter().find(|s| s.side() == Side::Platform) else {
            return;
        };
        let now = platform.now().timestamp_millis();
        let period = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
        // A little short of the period, so the next tick of whoever runs it finds it free.
        let until = now.saturating_add(period - period / 10);
        match platform
            .tables()
            .try_lease(platform.db(), RECONCILE_LEASE, now, until)
            .await
        {
            Ok(true) => {
                if let Err(err) = self.reconcile().await {
                    tracing::warn!(error = %err, "sync: periodic reconcile failed");
                }
            }
            Ok(false) => tracing::debug!("sync: another process runs this period's reconcile"),
            Err(err) => tracing::warn!(error = %err, "sync: reconcile lease failed"),
        }
    }

    async fn housekeeping(&self) {
        for side in &self.local {
            let now = side.now().timestamp_millis();
            let retention =
                i64::try_from(self.config.applied_retention.as_millis()).unwrap_or(i64::MAX);
            let nonce_window = 2 * link::MAX_SKEW_MS;
            if let Err(err) = side
                .tables()
                .prune(side.db(), now.saturating_sub(retention), now - nonce_window)
                .await
            {
                tracing::warn!(error = %err, "sync: pruning applied ids failed");
            }
        }
    }

    /// Stops the relays and waits for them.
    pub async fn stop(&self) {
        let _ = self.shutdown.send(true);
        let tasks: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Both directions; a split deployment asks its peer for the direction it sends.
    pub async fn status(&self) -> Status {
        let mut status = Status {
            mode: self.mode.name().to_owned(),
            directions: Vec::new(),
            unreachable: Vec::new(),
        };
        for side in [Side::Platform, Side::Baas] {
            let peer = match side {
                Side::Platform => &self.platform,
                Side::Baas => &self.baas,
            };
            match peer.status().await {
                Ok(d) => status.directions.push(d),
                Err(err) => status.unreachable.push(Unreachable {
                    direction: direction_name(side).to_owned(),
                    error: err.to_string(),
                }),
            }
        }
        status
    }

    pub async fn reconcile(&self) -> Result<ReconcileReport, SyncError> {
        reconcile::reconcile(self.platform.as_ref(), self.baas.as_ref()).await
    }

    /// Re-queues parked events on both sides — all, or the one with `event_id` (which only
    /// one side holds); how many.
    pub async fn retry(&self, event_id: Option<&str>) -> Result<u64, SyncError> {
        Ok(self.platform.retry(event_id).await? + self.baas.retry(event_id).await?)
    }

    /// Prometheus text for `/metrics`.
    pub async fn metrics_text(&self) -> String {
        let mut directions = Vec::new();
        for side in &self.local {
            if let Ok(d) = status::direction_status(side.as_ref()).await {
                directions.push(d);
            }
        }
        let relayed: Vec<Side> = self.local.iter().map(|s| s.side()).collect();
        self.metrics.render(&relayed, &directions)
    }
}
