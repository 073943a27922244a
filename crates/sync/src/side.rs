//! One side's store as the sync engine sees it: its outbox tables, how it applies the other
//! side's events, and its synced state for reconciliation. Implemented here for the Platform
//! and the BaaS, so neither of them depends on the other or on this crate.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_baas::Baas;
use tandem_core::merge::{ApplyOutcome, Entity, FieldState, SyncEvent};
use tandem_core::{Clock, Side};
use tandem_platform::SqlPlatformStore;
use tandem_sql::outbox::SyncTables;
use tandem_sql::{Db, Tx};
use tokio::sync::Notify;

use crate::SyncError;

#[async_trait]
pub trait SideStore: Send + Sync + 'static {
    fn side(&self) -> Side;
    fn db(&self) -> &Db;
    fn tables(&self) -> SyncTables;
    /// Notified after every commit that recorded events.
    fn signal(&self) -> Arc<Notify>;
    fn now(&self) -> DateTime<Utc>;
    /// Applies one event from the other side inside `tx`; [`crate::link::apply_all`] batches
    /// and commits. `Err` is this store failing (retry later), not the event being refused
    /// (that is `ApplyOutcome::Failed`, after which the caller rolls `tx` back).
    async fn apply_in(&self, tx: &mut Tx, event: &SyncEvent) -> Result<ApplyOutcome, SyncError>;
    /// After the commit of applied events: their stamps move this side's clock.
    fn observe(&self, events: &[SyncEvent]);
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError>;
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError>;
    /// Called after the other side accepted these events of ours.
    async fn delivered(&self, _events: &[SyncEvent]) -> Result<(), SyncError> {
        Ok(())
    }
}

fn store_error(e: impl std::error::Error + Send + Sync + 'static) -> SyncError {
    SyncError::Store(Box::new(e))
}

/// The Platform's store.
pub struct PlatformSide {
    pub store: SqlPlatformStore,
    pub clock: Arc<dyn Clock>,
}

#[async_trait]
impl SideStore for PlatformSide {
    fn side(&self) -> Side {
        Side::Platform
    }
    fn db(&self) -> &Db {
        self.store.db()
    }
    fn tables(&self) -> SyncTables {
        tandem_platform::store::outbox::SYNC_TABLES
    }
    fn signal(&self) -> Arc<Notify> {
        self.store.outbox_signal().clone()
    }
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
    async fn apply_in(&self, tx: &mut Tx, event: &SyncEvent) -> Result<ApplyOutcome, SyncError> {
        self.store
            .apply_in(tx, event, self.clock.now())
            .await
            .map_err(store_error)
    }
    fn observe(&self, events: &[SyncEvent]) {
        self.store.observe(events);
    }
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError> {
        self.store
            .sync_states(entity, ids)
            .await
            .map_err(store_error)
    }
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError> {
        self.store
            .sync_digests(entity, after, limit)
            .await
            .map_err(store_error)
    }
    async fn delivered(&self, events: &[SyncEvent]) -> Result<(), SyncError> {
        let users: Vec<String> = events
            .iter()
            .filter(|e| e.entity == Entity::User)
            .map(|e| e.entity_id.clone())
            .collect();
        self.store.mark_synced(&users).await.map_err(store_error)
    }
}

/// The BaaS's store.
pub struct BaasSide {
    pub baas: Arc<Baas>,
}

#[async_trait]
impl SideStore for BaasSide {
    fn side(&self) -> Side {
        Side::Baas
    }
    fn db(&self) -> &Db {
        self.baas.db()
    }
    fn tables(&self) -> SyncTables {
        tandem_baas::mirror::SYNC_TABLES
    }
    fn signal(&self) -> Arc<Notify> {
        self.baas.engine.sync.signal.clone()
    }
    fn now(&self) -> DateTime<Utc> {
        self.baas.clock.now()
    }
    async fn apply_in(&self, tx: &mut Tx, event: &SyncEvent) -> Result<ApplyOutcome, SyncError> {
        self.baas
            .apply_in(tx, event, self.baas.clock.now())
            .await
            .map_err(store_error)
    }
    fn observe(&self, events: &[SyncEvent]) {
        self.baas.observe(events);
    }
    async fn states(
        &self,
        entity: Entity,
        ids: &[String],
    ) -> Result<Vec<(String, FieldState)>, SyncError> {
        self.baas
            .sync_states(entity, ids)
            .await
            .map_err(store_error)
    }
    async fn digests(
        &self,
        entity: Entity,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, SyncError> {
        self.baas
            .sync_digests(entity, after, limit)
            .await
            .map_err(store_error)
    }
}
