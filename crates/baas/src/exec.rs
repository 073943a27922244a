//! Where the BaaS's statements run: the pool, an open transaction, or a single statement
//! committed on its own. A leaf: the engine and the mirror of the Platform's models both run
//! their statements through it, and it knows neither of them.

use sea_query_binder::SqlxBinder;
use tandem_sql::{Db, Rows, Tx};

use crate::error::BaasResult;

/// Where statements run: the pool (reads, on SQLite's reader connections) or an open
/// transaction (writes and the reads inside them).
pub enum Exec<'a> {
    Pool(&'a Db),
    Tx(&'a mut Tx),
    /// A write that is one statement, committed on its own (no BEGIN/COMMIT round trips).
    Single(&'a Db),
}

impl Exec<'_> {
    pub async fn rows(&mut self, stmt: &impl SqlxBinder) -> BaasResult<Rows> {
        Ok(match self {
            Exec::Pool(db) => db.fetch_rows(stmt).await?,
            Exec::Tx(tx) => tx.fetch_rows(stmt).await?,
            Exec::Single(db) => db.write_rows(stmt).await?,
        })
    }

    pub async fn execute(&mut self, stmt: &impl SqlxBinder) -> BaasResult<u64> {
        match self {
            Exec::Pool(db) | Exec::Single(db) => Ok(db.execute(stmt).await?),
            Exec::Tx(tx) => Ok(tx.execute(stmt).await?),
        }
    }
}
