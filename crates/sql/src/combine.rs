//! Group commit for SQLite's single writer. Single-statement writes that arrive while the
//! writer is busy queue up; the next round runs all of them in one transaction and answers
//! each after the commit. The database does the same work per statement, but N statements
//! share one commit (one WAL append of the touched pages, one lock cycle) instead of N.
//!
//! A statement refused by a constraint is undone alone (SQLite rolls back only the failing
//! statement) and its caller gets the error; the others commit. Any other failure rolls the
//! whole group back and runs each statement again on its own, so every caller gets exactly
//! the answer it would have got alone.
//!
//! Also here: the WAL checkpointer, which runs outside the write path.

use std::time::Duration;

use sea_query_binder::SqlxValues;
use sqlx::SqlitePool;
use sqlx::sqlite::SqliteRow;
use tokio::sync::{mpsc, oneshot};

use crate::DbError;

/// Most statements in one group.
const MAX_GROUP: usize = 128;

pub struct Job {
    sql: String,
    values: SqlxValues,
    reply: oneshot::Sender<Result<Vec<SqliteRow>, DbError>>,
}

pub fn spawn(writer: SqlitePool) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(run(writer, rx));
    tx
}

pub async fn submit(
    combiner: &mpsc::Sender<Job>,
    sql: String,
    values: SqlxValues,
) -> Result<Vec<SqliteRow>, DbError> {
    let (reply, answer) = oneshot::channel();
    combiner
        .send(Job { sql, values, reply })
        .await
        .map_err(|_| DbError::Write("the store is closed".into()))?;
    answer
        .await
        .map_err(|_| DbError::Write("the writer stopped before answering".into()))?
}

async fn run(writer: SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while jobs.recv_many(&mut group, MAX_GROUP).await > 0 {
        if group.len() == 1 {
            if let Some(job) = group.pop() {
                alone(&writer, job).await;
            }
        } else {
            together(&writer, std::mem::take(&mut group)).await;
        }
        group.clear();
    }
}

async fn alone(writer: &SqlitePool, job: Job) {
    let result = sqlx::query_with(&job.sql, job.values)
        .fetch_all(writer)
        .await
        .map_err(DbError::from);
    let _ = job.reply.send(result);
}

async fn together(writer: &SqlitePool, group: Vec<Job>) {
    match try_together(writer, &group).await {
        Ok(results) => {
            for (job, result) in group.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, statements = group.len(), "grouped write rolled back; running its statements one by one");
            for job in group {
                alone(writer, job).await;
            }
        }
    }
}

/// Runs the group in one transaction: per-statement results, or `Err` when the group as a
/// whole failed (nothing of it committed).
async fn try_together(
    writer: &SqlitePool,
    group: &[Job],
) -> Result<Vec<Result<Vec<SqliteRow>, DbError>>, DbError> {
    let mut tx = writer.begin().await?;
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        match sqlx::query_with(&job.sql, job.values.clone())
            .fetch_all(&mut *tx)
            .await
            .map_err(DbError::from)
        {
            Ok(rows) => results.push(Ok(rows)),
            Err(err) if err.is_constraint() => results.push(Err(err)),
            Err(err) => return Err(err),
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// Checkpoints the WAL every half second with a connection of its own. PASSIVE never waits
/// for readers or the writer; with automatic checkpoints off, this keeps the WAL short
/// without putting a checkpoint's fsyncs into some request's commit.
pub fn spawn_checkpointer(checkpointer: SqlitePool, writer: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if writer.is_closed() {
                checkpointer.close().await;
                return;
            }
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&checkpointer)
                .await
            {
                tracing::debug!(error = %err, "WAL checkpoint skipped");
            }
        }
    });
}
