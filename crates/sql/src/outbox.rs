//! The sync bookkeeping every store keeps, on either dialect: the outbox of events waiting for
//! the other side, the per-field stamps of synced rows, the ids of events already applied, a
//! few counters, and the nonces of signed requests already seen.
//!
//! Each store names its own tables ([`SyncTables`]) and writes them inside its own
//! transactions, so an event is recorded exactly when the change it describes commits.

use std::collections::{BTreeMap, HashMap};

use sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, LockBehavior, LockType, OnConflict, Order, Query,
    SelectStatement, SimpleExpr,
};
use serde::{Deserialize, Serialize};
use tandem_core::merge::{Entity, FieldState, SyncEvent, digest};
use tandem_core::{Hlc, Side};

use crate::{Db, DbError, Dialect, Tx};

/// Outbox rows are spread over this many shards (by entity id) for metrics and leases.
const SHARDS: i64 = 64;

/// The names of one store's sync tables.
#[derive(Debug, Clone, Copy)]
pub struct SyncTables {
    pub outbox: &'static str,
    pub stamps: &'static str,
    pub applied: &'static str,
    pub counters: &'static str,
    pub nonces: &'static str,
}

/// An outbox row as the relay sees it.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub seq: i64,
    pub event: SyncEvent,
    pub attempts: i32,
}

/// A batch taken from the outbox. On PostgreSQL its rows stay locked (`FOR UPDATE SKIP
/// LOCKED`) until [`SyncTables::finish`], so replicas sharing the store never deliver the same
/// rows at once.
pub struct Claim {
    tx: Option<Tx>,
    pub rows: Vec<OutboxRow>,
    /// Rows the query returned, before dropping those that must wait for their entity's head:
    /// `limit` of them means more may be due.
    pub fetched: usize,
}

/// What became of a claimed row that was not delivered.
#[derive(Debug, Clone)]
pub struct Deferral {
    pub seq: i64,
    pub attempts: i32,
    pub next_attempt_ms: i64,
    pub error: String,
    /// Parked as failed: left alone until someone retries it.
    pub park: bool,
}

/// The outbox at a glance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OutboxStats {
    pub pending: i64,
    /// Pending events that failed at least once and wait for their next attempt.
    pub retrying: i64,
    pub failed: i64,
    /// Commit time (Unix ms) of the oldest event not yet delivered, failed ones included.
    pub oldest_ms: Option<i64>,
}

/// One parked event, for status output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FailedEvent {
    pub event_id: String,
    pub entity: Entity,
    pub entity_id: String,
    pub attempts: i32,
    pub error: String,
    pub committed_ms: i64,
}

#[derive(sqlx::FromRow)]
struct RawOutbox {
    seq: i64,
    payload: String,
    attempts: i32,
}

#[derive(sqlx::FromRow)]
struct RawStamps {
    entity_id: String,
    stamps: String,
}

#[derive(sqlx::FromRow)]
struct RawHead {
    entity: String,
    entity_id: String,
    head: i64,
}

#[derive(sqlx::FromRow)]
struct RawStats {
    pending: i64,
    retrying: i64,
    failed: i64,
    oldest: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RawFailed {
    payload: String,
    attempts: i32,
    last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RawCounter {
    name: String,
    value: i64,
}

#[derive(sqlx::FromRow)]
struct RawMax {
    max_stamp: Option<String>,
}

fn shard_of(entity_id: &str) -> i64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in entity_id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    i64::from(h) % SHARDS
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> DbError {
    DbError::Config(format!("corrupt sync {what}: {err}"))
}

impl SyncTables {
    /// Creates the tables when they do not exist yet.
    pub async fn create_if_missing(&self, db: &Db) -> Result<(), DbError> {
        let serial = match db.dialect() {
            Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
        };
        let Self {
            outbox,
            stamps,
            applied,
            counters,
            nonces,
        } = self;
        let ddl = format!(
            "CREATE TABLE IF NOT EXISTS {outbox} (
                seq              {serial},
                event_id         TEXT NOT NULL UNIQUE,
                entity           TEXT NOT NULL,
                entity_id        TEXT NOT NULL,
                shard            INTEGER NOT NULL,
                payload          TEXT NOT NULL,
                created_at       BIGINT NOT NULL,
                attempts         INTEGER NOT NULL DEFAULT 0,
                next_attempt_at  BIGINT NOT NULL,
                last_error       TEXT,
                failed           BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE INDEX IF NOT EXISTS {outbox}_entity_idx ON {outbox} (entity, entity_id, seq);
            CREATE TABLE IF NOT EXISTS {stamps} (
                entity     TEXT NOT NULL,
                entity_id  TEXT NOT NULL,
                stamps     TEXT NOT NULL,
                max_stamp  TEXT NOT NULL,
                PRIMARY KEY (entity, entity_id)
            );
            CREATE INDEX IF NOT EXISTS {stamps}_max_idx ON {stamps} (max_stamp);
            CREATE TABLE IF NOT EXISTS {applied} (
                event_id    TEXT PRIMARY KEY,
                applied_at  BIGINT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {applied}_at_idx ON {applied} (applied_at);
            CREATE TABLE IF NOT EXISTS {counters} (
                name   TEXT PRIMARY KEY,
                value  BIGINT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS {nonces} (
                nonce    TEXT PRIMARY KEY,
                seen_at  BIGINT NOT NULL
            );"
        );
        let mut tx = db.begin().await?;
        if db.dialect() == Dialect::Postgres {
            // Replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
            tx.execute_ddl("SELECT pg_advisory_xact_lock(7366434, 1)")
                .await?;
        }
        tx.execute_ddl(&ddl).await?;
        tx.commit().await
    }

    /// The per-field stamps of `ids` (absent ids have none).
    pub async fn load_stamps(
        &self,
        tx: &mut Tx,
        entity: Entity,
        ids: &[String],
    ) -> Result<HashMap<String, BTreeMap<String, Hlc>>, DbError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Query::select();
        q.columns([Alias::new("entity_id"), Alias::new("stamps")])
            .from(Alias::new(self.stamps))
            .and_where(Expr::col(Alias::new("entity")).eq(entity.name()))
            .and_where(Expr::col(Alias::new("entity_id")).is_in(ids.iter().cloned()));
        let rows: Vec<RawStamps> = tx.fetch_all(&q).await?;
        rows.into_iter()
            .map(|r| Ok((r.entity_id, decode_stamps(&r.stamps)?)))
            .collect()
    }

    /// A SELECT of synced state: `table`'s `id`, then `columns`, then the row's stamps as a
    /// last column `stamps` (NULL when it has none), for the rows `rows` names. Each store
    /// decodes the columns into values its own way.
    pub fn state_select(
        &self,
        entity: Entity,
        table: &str,
        columns: &[&str],
        rows: &StateRows<'_>,
    ) -> SelectStatement {
        let table = Alias::new(table);
        let stamps = Alias::new(self.stamps);
        let id_col = SimpleExpr::from(Expr::col((table.clone(), Alias::new("id"))));
        let mut q = Query::select();
        q.expr_as(id_col.clone(), Alias::new("id"));
        for column in columns {
            q.column((table.clone(), Alias::new(*column)));
        }
        q.column((stamps.clone(), Alias::new("stamps")))
            .from(table)
            .left_join(
                stamps.clone(),
                Expr::col((stamps.clone(), Alias::new("entity")))
                    .eq(entity.name())
                    .and(Expr::col((stamps, Alias::new("entity_id"))).eq(id_col.clone())),
            );
        match rows {
            StateRows::Ids(ids) => {
                q.and_where(id_col.is_in(ids.iter().cloned()));
            }
            StateRows::After(after, limit) => {
                if let Some(after) = after {
                    q.and_where(id_col.clone().gt(*after));
                }
                q.order_by_expr(id_col, Order::Asc).limit(*limit);
            }
        }
        q
    }

    /// Before an apply reads, merges and writes rows of `table`: on PostgreSQL, locks them in
    /// a statement of its own. (A locking read that waited for another transaction sees that
    /// transaction's row but not its stamps: the joined rows come from the statement's older
    /// snapshot.) SQLite has one writer; nothing to do.
    pub async fn lock_rows(&self, tx: &mut Tx, table: &str, ids: &[String]) -> Result<(), DbError> {
        if tx.dialect() != Dialect::Postgres {
            return Ok(());
        }
        let table = Alias::new(table);
        let mut l = Query::select();
        l.expr(Expr::val(1))
            .from(table.clone())
            .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().cloned()))
            .lock_with_tables(LockType::Update, [table]);
        tx.fetch_rows(&l).await?;
        Ok(())
    }

    /// After a merge wrote `writes`: the row keeps its other stamps and takes those of the
    /// fields written.
    pub async fn save_merged_stamps(
        &self,
        tx: &mut Tx,
        event: &SyncEvent,
        current: Option<&FieldState>,
        writes: &FieldState,
    ) -> Result<(), DbError> {
        let mut stamps: BTreeMap<String, Hlc> = current
            .iter()
            .flat_map(|s| s.iter().map(|(k, v)| (k.clone(), v.stamp)))
            .collect();
        for (name, s) in writes {
            stamps.insert(name.clone(), s.stamp);
        }
        stamps.retain(|_, s| *s != Hlc::ZERO);
        self.save_stamps(tx, event.entity, &event.entity_id, &stamps)
            .await
    }

    /// Replaces the stamps of one entity.
    pub async fn save_stamps(
        &self,
        tx: &mut Tx,
        entity: Entity,
        id: &str,
        stamps: &BTreeMap<String, Hlc>,
    ) -> Result<(), DbError> {
        let text: BTreeMap<&String, String> = stamps.iter().map(|(k, v)| (k, v.encode())).collect();
        let json = serde_json::to_string(&text).map_err(|e| corrupt("stamps", e))?;
        let max = stamps.values().max().copied().unwrap_or(Hlc::ZERO).encode();
        let mut q = Query::insert();
        q.into_table(Alias::new(self.stamps))
            .columns([
                Alias::new("entity"),
                Alias::new("entity_id"),
                Alias::new("stamps"),
                Alias::new("max_stamp"),
            ])
            .values_panic([entity.name().into(), id.into(), json.into(), max.into()])
            .on_conflict(
                OnConflict::columns([Alias::new("entity"), Alias::new("entity_id")])
                    .update_columns([Alias::new("stamps"), Alias::new("max_stamp")])
                    .to_owned(),
            );
        tx.execute(&q).await?;
        Ok(())
    }

    /// The highest stamp stored, so a restarted side's clock continues after it.
    pub async fn max_stamp(&self, db: &Db) -> Result<Option<Hlc>, DbError> {
        let mut q = Query::select();
        q.expr_as(
            Func::max(Expr::col(Alias::new("max_stamp"))),
            Alias::new("max_stamp"),
        )
        .from(Alias::new(self.stamps));
        let row: Option<RawMax> = db.fetch_optional(&q).await?;
        Ok(row.and_then(|r| r.max_stamp).and_then(|s| Hlc::decode(&s)))
    }

    /// Records `event` in the outbox, in the transaction of the change it describes.
    pub async fn enqueue(&self, tx: &mut Tx, event: &SyncEvent) -> Result<(), DbError> {
        let payload = serde_json::to_string(event).map_err(|e| corrupt("event", e))?;
        let mut q = Query::insert();
        q.into_table(Alias::new(self.outbox))
            .columns([
                Alias::new("event_id"),
                Alias::new("entity"),
                Alias::new("entity_id"),
                Alias::new("shard"),
                Alias::new("payload"),
                Alias::new("created_at"),
                Alias::new("next_attempt_at"),
            ])
            .values_panic([
                event.id.as_str().into(),
                event.entity.name().into(),
                event.entity_id.as_str().into(),
                shard_of(&event.entity_id).into(),
                payload.into(),
                event.committed_ms.into(),
                event.committed_ms.into(),
            ]);
        tx.execute(&q).await?;
        Ok(())
    }

    /// Takes up to `limit` due events, oldest first, keeping only entities whose oldest
    /// outbox row (in any state) is among them: an entity with an earlier event in backoff,
    /// parked, or held by another replica waits, so one entity's events are never delivered
    /// out of order or by two relays at once.
    pub async fn claim(&self, db: &Db, now_ms: i64, limit: u64) -> Result<Claim, DbError> {
        let mut q = Query::select();
        q.columns([
            Alias::new("seq"),
            Alias::new("payload"),
            Alias::new("attempts"),
        ])
        .from(Alias::new(self.outbox))
        .and_where(Expr::col(Alias::new("failed")).eq(false))
        .and_where(Expr::col(Alias::new("next_attempt_at")).lte(now_ms))
        // Rows behind an earlier row of their entity that is parked or backing off wait (in
        // the query, so a long queue of such rows cannot crowd out everyone else's).
        .and_where(Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM {o} AS earlier WHERE earlier.entity = {o}.entity \
             AND earlier.entity_id = {o}.entity_id AND earlier.seq < {o}.seq \
             AND (earlier.failed OR earlier.next_attempt_at > {now_ms}))",
            o = self.outbox
        )))
        .order_by(Alias::new("seq"), Order::Asc)
        .limit(limit);
        let (mut tx, raw): (Option<Tx>, Vec<RawOutbox>) = match db.dialect() {
            Dialect::Postgres => {
                q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
                let mut tx = db.begin().await?;
                let raw = tx.fetch_all(&q).await?;
                (Some(tx), raw)
            }
            // One process owns a SQLite store: no locks, and no transaction held open while
            // delivering (it would stall every other write).
            Dialect::Sqlite => (None, db.fetch_all(&q).await?),
        };
        let fetched = raw.len();
        let mut rows = Vec::with_capacity(raw.len());
        for r in raw {
            let event: SyncEvent =
                serde_json::from_str(&r.payload).map_err(|e| corrupt("outbox payload", e))?;
            rows.push(OutboxRow {
                seq: r.seq,
                event,
                attempts: r.attempts,
            });
        }
        if rows.is_empty() {
            return Ok(Claim { tx, rows, fetched });
        }
        // The head (oldest row) of every entity in the batch, as the store has it now.
        let mut keys: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.event.entity.name().to_owned(), r.event.entity_id.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        let mut heads: HashMap<(String, String), i64> = HashMap::new();
        let mut by_entity: Vec<(String, Vec<String>)> = Vec::new();
        for (entity, id) in keys {
            match by_entity.last_mut() {
                Some((e, ids)) if *e == entity => ids.push(id),
                _ => by_entity.push((entity, vec![id])),
            }
        }
        let mut chunks: Vec<(String, Vec<String>)> = Vec::new();
        for (entity, ids) in by_entity {
            for chunk in ids.chunks(200) {
                chunks.push((entity.clone(), chunk.to_vec()));
            }
        }
        for (entity, chunk) in chunks {
            let mut hq = Query::select();
            hq.columns([Alias::new("entity"), Alias::new("entity_id")])
                .expr_as(Func::min(Expr::col(Alias::new("seq"))), Alias::new("head"))
                .from(Alias::new(self.outbox))
                .and_where(Expr::col(Alias::new("entity")).eq(entity.as_str()))
                .and_where(Expr::col(Alias::new("entity_id")).is_in(chunk.iter().cloned()))
                .group_by_columns([Alias::new("entity"), Alias::new("entity_id")]);
            let found: Vec<RawHead> = match tx.as_mut() {
                Some(tx) => tx.fetch_all(&hq).await?,
                None => db.fetch_all(&hq).await?,
            };
            for h in found {
                heads.insert((h.entity, h.entity_id), h.head);
            }
        }
        let mut first_seen: HashMap<(String, String), i64> = HashMap::new();
        for r in &rows {
            first_seen
                .entry((r.event.entity.name().to_owned(), r.event.entity_id.clone()))
                .or_insert(r.seq);
        }
        rows.retain(|r| {
            let key = (r.event.entity.name().to_owned(), r.event.entity_id.clone());
            heads.get(&key) == first_seen.get(&key)
        });
        Ok(Claim { tx, rows, fetched })
    }

    /// Removes delivered rows and reschedules (or parks) the others, releasing the claim.
    pub async fn finish(
        &self,
        db: &Db,
        claim: Claim,
        delivered: &[i64],
        deferred: &[Deferral],
    ) -> Result<(), DbError> {
        self.finish_with_counters(db, claim, delivered, deferred, &[], &[])
            .await
    }

    /// [`Self::finish`], adding `bumps` to counters and setting `sets`, in the same commit.
    pub async fn finish_with_counters(
        &self,
        db: &Db,
        claim: Claim,
        delivered: &[i64],
        deferred: &[Deferral],
        bumps: &[(&str, i64)],
        sets: &[(&str, i64)],
    ) -> Result<(), DbError> {
        if claim.tx.is_none()
            && delivered.is_empty()
            && deferred.is_empty()
            && bumps.is_empty()
            && sets.is_empty()
        {
            return Ok(());
        }
        let mut tx = match claim.tx {
            Some(tx) => tx,
            None => db.begin().await?,
        };
        for chunk in delivered.chunks(500) {
            let mut q = Query::delete();
            q.from_table(Alias::new(self.outbox))
                .and_where(Expr::col(Alias::new("seq")).is_in(chunk.iter().copied()));
            tx.execute(&q).await?;
        }
        for d in deferred {
            let mut q = Query::update();
            q.table(Alias::new(self.outbox))
                .value(Alias::new("attempts"), d.attempts)
                .value(Alias::new("next_attempt_at"), d.next_attempt_ms)
                .value(Alias::new("last_error"), d.error.as_str())
                .value(Alias::new("failed"), d.park)
                .and_where(Expr::col(Alias::new("seq")).eq(d.seq));
            tx.execute(&q).await?;
        }
        for (name, delta) in bumps {
            self.bump(&mut tx, name, *delta).await?;
        }
        for (name, value) in sets {
            self.set_counter(&mut tx, name, *value).await?;
        }
        tx.commit().await
    }

    /// Puts parked events (all, or the one with `event_id`) back in the queue, due now;
    /// returns how many.
    pub async fn retry_failed(
        &self,
        db: &Db,
        now_ms: i64,
        event_id: Option<&str>,
    ) -> Result<u64, DbError> {
        let mut q = Query::update();
        q.table(Alias::new(self.outbox))
            .value(Alias::new("failed"), false)
            .value(Alias::new("attempts"), 0)
            .value(Alias::new("next_attempt_at"), now_ms)
            .and_where(Expr::col(Alias::new("failed")).eq(true));
        if let Some(id) = event_id {
            q.and_where(Expr::col(Alias::new("event_id")).eq(id));
        }
        db.execute(&q).await
    }

    pub async fn stats(&self, db: &Db) -> Result<OutboxStats, DbError> {
        let failed_sum = Expr::cust("COALESCE(SUM(CASE WHEN failed THEN 1 ELSE 0 END), 0)");
        let mut q = Query::select();
        q.expr_as(Expr::cust("COUNT(*)"), Alias::new("pending"))
            .expr_as(failed_sum, Alias::new("failed"))
            .expr_as(
                Expr::cust(
                    "COALESCE(SUM(CASE WHEN attempts > 0 AND NOT failed THEN 1 ELSE 0 END), 0)",
                ),
                Alias::new("retrying"),
            )
            .expr_as(
                Func::min(Expr::col(Alias::new("created_at"))),
                Alias::new("oldest"),
            )
            .from(Alias::new(self.outbox));
        let s: RawStats = db.fetch_one(&q).await?;
        Ok(OutboxStats {
            pending: s.pending - s.failed,
            retrying: s.retrying,
            failed: s.failed,
            oldest_ms: s.oldest,
        })
    }

    /// Parked events (`parked`), or events waiting out a backoff after failing, oldest first (at
    /// most `limit`), with their last error.
    pub async fn failed(
        &self,
        db: &Db,
        parked: bool,
        limit: u64,
    ) -> Result<Vec<FailedEvent>, DbError> {
        let mut q = Query::select();
        q.columns([
            Alias::new("payload"),
            Alias::new("attempts"),
            Alias::new("last_error"),
        ])
        .from(Alias::new(self.outbox))
        .and_where(Expr::col(Alias::new("failed")).eq(parked))
        .and_where(Expr::col(Alias::new("attempts")).gt(0))
        .order_by(Alias::new("seq"), Order::Asc)
        .limit(limit);
        let rows: Vec<RawFailed> = db.fetch_all(&q).await?;
        rows.into_iter()
            .map(|r| {
                let e: SyncEvent =
                    serde_json::from_str(&r.payload).map_err(|e| corrupt("outbox payload", e))?;
                Ok(FailedEvent {
                    event_id: e.id,
                    entity: e.entity,
                    entity_id: e.entity_id,
                    attempts: r.attempts,
                    error: r.last_error.unwrap_or_default(),
                    committed_ms: e.committed_ms,
                })
            })
            .collect()
    }

    /// Notes that `event_id` is being applied here; `false` when it was applied before (then
    /// nothing is written). In the apply's transaction, so a failed apply forgets it again.
    pub async fn first_apply(
        &self,
        tx: &mut Tx,
        event_id: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut q = Query::insert();
        q.into_table(Alias::new(self.applied))
            .columns([Alias::new("event_id"), Alias::new("applied_at")])
            .values_panic([event_id.into(), now_ms.into()])
            .on_conflict(
                OnConflict::column(Alias::new("event_id"))
                    .do_nothing()
                    .to_owned(),
            );
        Ok(tx.execute(&q).await? > 0)
    }

    /// Forgets applied event ids older than `applied_before` and nonces older than
    /// `nonces_before` (Unix ms). Re-applying an event that old is harmless anyway: every event
    /// carries stamps, and older stamps never win; a nonce only has to outlive the accepted
    /// clock skew of a signed request.
    pub async fn prune(
        &self,
        db: &Db,
        applied_before: i64,
        nonces_before: i64,
    ) -> Result<(), DbError> {
        let mut tx = db.begin().await?;
        let mut q = Query::delete();
        q.from_table(Alias::new(self.applied))
            .and_where(Expr::col(Alias::new("applied_at")).lt(applied_before));
        tx.execute(&q).await?;
        let mut q = Query::delete();
        q.from_table(Alias::new(self.nonces))
            .and_where(Expr::col(Alias::new("seen_at")).lt(nonces_before));
        tx.execute(&q).await?;
        tx.commit().await
    }

    /// Adds `delta` to a counter.
    pub async fn bump(&self, tx: &mut Tx, name: &str, delta: i64) -> Result<(), DbError> {
        self.upsert_counter(tx, name, delta, true).await
    }

    /// Sets a counter (a timestamp, say) to `value`.
    pub async fn set_counter(&self, tx: &mut Tx, name: &str, value: i64) -> Result<(), DbError> {
        self.upsert_counter(tx, name, value, false).await
    }

    async fn upsert_counter(
        &self,
        tx: &mut Tx,
        name: &str,
        value: i64,
        add: bool,
    ) -> Result<(), DbError> {
        let table = Alias::new(self.counters);
        let update: SimpleExpr = if add {
            Expr::col((table.clone(), Alias::new("value"))).add(value)
        } else {
            Expr::val(value).into()
        };
        let mut q = Query::insert();
        q.into_table(table)
            .columns([Alias::new("name"), Alias::new("value")])
            .values_panic([name.into(), value.into()])
            .on_conflict(
                OnConflict::column(Alias::new("name"))
                    .value(Alias::new("value"), update)
                    .to_owned(),
            );
        tx.execute(&q).await?;
        Ok(())
    }

    pub async fn counters(&self, db: &Db) -> Result<HashMap<String, i64>, DbError> {
        let mut q = Query::select();
        q.column(Asterisk).from(Alias::new(self.counters));
        let rows: Vec<RawCounter> = db.fetch_all(&q).await?;
        Ok(rows.into_iter().map(|r| (r.name, r.value)).collect())
    }

    /// Takes the lease `name` until `until_ms` if nobody holds it at `now_ms` (a counter row
    /// holding the expiry): one of several processes sharing this store gets it.
    pub async fn try_lease(
        &self,
        db: &Db,
        name: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, DbError> {
        let table = Alias::new(self.counters);
        let mut q = Query::insert();
        q.into_table(table.clone())
            .columns([Alias::new("name"), Alias::new("value")])
            .values_panic([name.into(), until_ms.into()])
            .on_conflict(
                OnConflict::column(Alias::new("name"))
                    .value(Alias::new("value"), until_ms)
                    .action_and_where(Expr::col((table, Alias::new("value"))).lte(now_ms))
                    .to_owned(),
            );
        Ok(db.execute(&q).await? == 1)
    }

    /// Records a request nonce; `false` when it was seen before (a replay).
    pub async fn remember_nonce(&self, db: &Db, nonce: &str, now_ms: i64) -> Result<bool, DbError> {
        let mut q = Query::insert();
        q.into_table(Alias::new(self.nonces))
            .columns([Alias::new("nonce"), Alias::new("seen_at")])
            .values_panic([nonce.into(), now_ms.into()])
            .on_conflict(
                OnConflict::column(Alias::new("nonce"))
                    .do_nothing()
                    .to_owned(),
            );
        Ok(db.execute(&q).await? == 1)
    }
}

/// Stamps as stored: `{"field": "<encoded hlc>"}`.
/// Which rows a read of synced state covers: given ids (at most [`STATE_CHUNK`] at a time), or
/// a page in id order (reconcile's digests).
pub enum StateRows<'a> {
    Ids(&'a [String]),
    After(Option<&'a str>, u64),
}

/// Ids per state read, so an IN list stays small.
pub const STATE_CHUNK: usize = 500;

/// Each state's digest, for reconcile.
pub fn digests(entity: Entity, states: Vec<(String, FieldState)>) -> Vec<(String, u64)> {
    states
        .into_iter()
        .map(|(id, state)| {
            let d = digest(entity, &state);
            (id, d)
        })
        .collect()
}

/// Why a synced write did not happen: the data was refused (the event fails, with this
/// message), or the store could not do it now (the batch is retried as a whole later).
pub enum WriteError {
    Refused(String),
    Store(DbError),
}

impl From<String> for WriteError {
    fn from(message: String) -> Self {
        Self::Refused(message)
    }
}

impl WriteError {
    /// A database error of a synced write: transient ones are retried; others refuse the
    /// event, in the words `describe` finds for an operator.
    pub fn from_db(err: DbError, describe: impl FnOnce(&DbError) -> String) -> Self {
        if err.is_transient() {
            Self::Store(err)
        } else {
            Self::Refused(describe(&err))
        }
    }
}

pub fn decode_stamps(text: &str) -> Result<BTreeMap<String, Hlc>, DbError> {
    let raw: BTreeMap<String, String> =
        serde_json::from_str(text).map_err(|e| corrupt("stamps", e))?;
    raw.into_iter()
        .map(|(k, v)| {
            Hlc::decode(&v)
                .map(|h| (k, h))
                .ok_or_else(|| corrupt("stamp", &v))
        })
        .collect()
}

/// A fresh event id.
pub fn event_id(side: Side) -> String {
    format!("{}-{}", side.name(), uuid::Uuid::new_v4().simple())
}
