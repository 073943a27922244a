//! What is particular to PostgreSQL: its migrations, and pattern matching (LIKE is
//! case-sensitive; ILIKE is not).

use sea_query::extension::postgres::PgBinOper;
use sea_query::{Expr, SimpleExpr};
use sqlx::migrate::Migrator;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

// PostgreSQL's default LIKE escape character is `\`, as on the SQLite side.

/// `expr LIKE pattern`, case-sensitive, with `\` escaping the next character.
pub(super) fn like(expr: SimpleExpr, pattern: &str) -> SimpleExpr {
    expr.like(pattern)
}

/// `expr ILIKE pattern`.
pub(super) fn ilike(expr: SimpleExpr, pattern: &str) -> SimpleExpr {
    expr.binary(PgBinOper::ILike, Expr::val(pattern))
}
