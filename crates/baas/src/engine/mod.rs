//! Runs checked operations against the BaaS store: compiles them to SQL (`sql`), reads with
//! nested relations batched one SELECT per relation level (`read`), writes in one transaction
//! with nested writes (`write`), and aggregates (`aggregate`); `search` compiles PostgreSQL's
//! full-text and fuzzy search. Statements run through
//! [`crate::exec`]; writes to the built-in models are recorded for the Platform through
//! [`crate::mirror::outbox`]. Keeping the tables in step with the schema is
//! [`crate::migrate`]'s.

pub mod aggregate;
mod delegate;
pub mod read;
pub mod search;
pub mod sql;
pub mod write;

use std::sync::Arc;

use serde_json::Value as Json;
use tandem_sql::{Db, Dialect};

use crate::error::{BaasError, BaasResult};
use crate::exec::Exec;
use crate::mirror::outbox::SyncHooks;
use crate::query::access::Guard;
use crate::query::ast::{Masks, Operation};
use crate::schema::{ModelId, Schema};
use crate::value::Annotations;

/// A create of one row with no nested writes, returning only its own fields: a single
/// `INSERT … RETURNING`, so it needs no transaction and no read-back. (Never a row of a
/// delegate hierarchy, which is an INSERT per table.)
pub fn single_statement(schema: &Schema, operation: &Operation) -> bool {
    match operation {
        Operation::Create { data, selection } => {
            data.relations.is_empty()
                && selection.relations.is_empty()
                && selection.counts.is_empty()
                && !schema.model(data.model).in_hierarchy()
        }
        _ => false,
    }
}

/// The result of an operation, as the RPC handler sends it.
pub struct Output {
    pub data: Json,
    pub annotations: Annotations,
    /// The write recorded sync events.
    pub recorded: bool,
}

#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub schema: Arc<Schema>,
    pub sync: Arc<SyncHooks>,
}

impl Engine {
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Runs one operation on `model` for `guard`'s caller (the operation already
    /// authorized: see `query::access`); writes in their own transaction.
    #[tracing::instrument(skip_all, fields(model = %self.schema.model(model).name, op = operation.kind()))]
    pub async fn run(
        &self,
        model: ModelId,
        operation: &Operation,
        now: chrono::DateTime<chrono::Utc>,
        guard: &Guard<'_>,
    ) -> BaasResult<Output> {
        let masks = Arc::new(guard.read_masks()?);
        if single_statement(&self.schema, operation) {
            if guard.is_super_admin() {
                return self
                    .run_in(
                        &mut Exec::Single(&self.db),
                        model,
                        operation,
                        now,
                        guard,
                        &masks,
                    )
                    .await;
            }
            // A caller with rules: one INSERT that writes the row only if the rules pass;
            // if it does not, the transaction below writes, checks and undoes, telling why.
            // (Not when some field reads as NULL for them: the row is then read back.)
            if masks.is_empty()
                && let Some(out) = self.create_checked(model, operation, now, guard).await?
            {
                return Ok(out);
            }
        }
        if operation_writes(operation) {
            let mut tx = self.db.begin().await?;
            let out = self
                .run_in(&mut Exec::Tx(&mut tx), model, operation, now, guard, &masks)
                .await?;
            tx.commit().await?;
            if out.recorded {
                self.sync.signal.notify_one();
            }
            Ok(out)
        } else {
            self.run_in(
                &mut Exec::Pool(&self.db),
                model,
                operation,
                now,
                guard,
                &masks,
            )
            .await
        }
    }

    /// A single-statement create by a caller with rules, when its rules pass on the new row
    /// (`Writer::insert_checked`); `None` when nothing was written.
    async fn create_checked(
        &self,
        model: ModelId,
        operation: &Operation,
        now: chrono::DateTime<chrono::Utc>,
        guard: &Guard<'_>,
    ) -> BaasResult<Option<Output>> {
        let Operation::Create { data, selection } = operation else {
            return Ok(None);
        };
        let reader = read::Reader::new(&self.schema, self.dialect());
        let writer = write::Writer {
            reader: &reader,
            output: &reader,
            now,
            sync: &self.sync,
            guard,
            recorded: std::sync::atomic::AtomicBool::new(false),
        };
        let Some(record) = writer
            .insert_checked(&mut Exec::Single(&self.db), data)
            .await?
        else {
            return Ok(None);
        };
        let mut annotations = Annotations::default();
        let data = reader.render(model, selection, &record, "", &mut annotations);
        Ok(Some(Output {
            data,
            annotations,
            recorded: false,
        }))
    }

    /// Runs several operations in one transaction (`$transaction/sequential`).
    #[tracing::instrument(skip_all, fields(ops = ops.len()))]
    pub async fn run_all(
        &self,
        ops: &[(ModelId, Operation)],
        now: chrono::DateTime<chrono::Utc>,
        guard: &Guard<'_>,
    ) -> BaasResult<Vec<Output>> {
        let masks = Arc::new(guard.read_masks()?);
        let mut tx = self.db.begin().await?;
        let mut outputs = Vec::with_capacity(ops.len());
        for (model, op) in ops {
            outputs.push(
                self.run_in(&mut Exec::Tx(&mut tx), *model, op, now, guard, &masks)
                    .await?,
            );
        }
        tx.commit().await?;
        if outputs.iter().any(|o| o.recorded) {
            self.sync.signal.notify_one();
        }
        Ok(outputs)
    }

    async fn run_in(
        &self,
        exec: &mut Exec<'_>,
        model: ModelId,
        operation: &Operation,
        now: chrono::DateTime<chrono::Utc>,
        guard: &Guard<'_>,
        masks: &Arc<Masks>,
    ) -> BaasResult<Output> {
        // Reads answer as the caller sees the rows; a write's own lookups see them as they are.
        let reader = read::Reader::masked(&self.schema, self.dialect(), masks.clone());
        let raw = read::Reader::new(&self.schema, self.dialect());
        let mut annotations = Annotations::default();
        let mut recorded = false;
        let data = match operation {
            Operation::FindMany(args) => {
                let rows = reader.find(exec, args).await?;
                reader.render_list(args.model, &args.selection, &rows, "", &mut annotations)
            }
            Operation::FindOne(args) => {
                let rows = reader.find(exec, args).await?;
                match rows.first() {
                    Some(row) => {
                        reader.render(args.model, &args.selection, row, "", &mut annotations)
                    }
                    None => Json::Null,
                }
            }
            Operation::Exists(args) => Json::Bool(reader.exists(exec, args).await?),
            Operation::Count { args, shape } => {
                aggregate::count(&reader, exec, args, shape).await?
            }
            Operation::Aggregate { args, spec } => {
                aggregate::aggregate(&reader, exec, args, spec, &mut annotations).await?
            }
            Operation::GroupBy { .. } => {
                aggregate::group_by(&reader, exec, operation, &mut annotations).await?
            }
            _ => {
                let writer = write::Writer {
                    reader: &raw,
                    output: &reader,
                    now,
                    sync: &self.sync,
                    guard,
                    recorded: std::sync::atomic::AtomicBool::new(false),
                };
                let data = writer.run(exec, model, operation, &mut annotations).await?;
                recorded = writer.recorded.into_inner();
                data
            }
        };
        Ok(Output {
            data,
            annotations,
            recorded,
        })
    }
}

fn operation_writes(operation: &Operation) -> bool {
    !matches!(
        operation,
        Operation::FindMany(_)
            | Operation::FindOne(_)
            | Operation::Exists(_)
            | Operation::Count { .. }
            | Operation::Aggregate { .. }
            | Operation::GroupBy { .. }
    )
}

pub(crate) fn not_found(schema: &Schema, model: ModelId) -> BaasError {
    BaasError::NotFound {
        model: schema.model(model).name.clone(),
    }
}
