//! What is particular to SQLite: its migrations, and pattern matching (SQLite's LIKE ignores
//! ASCII case, so the case-sensitive `like` is compiled to GLOB).

use sea_query::extension::sqlite::SqliteBinOper;
use sea_query::{Expr, Func, LikeExpr, SimpleExpr};
use sqlx::migrate::Migrator;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// `expr LIKE pattern`, case-sensitive, with `\` escaping the next character.
pub(super) fn like(expr: SimpleExpr, pattern: &str) -> SimpleExpr {
    expr.binary(SqliteBinOper::Glob, Expr::val(like_to_glob(pattern)))
}

/// `expr LIKE pattern`, case-insensitive for ASCII letters only: SQLite's `lower` folds
/// nothing else, so the pattern is folded the same way (PostgreSQL's ILIKE folds all letters).
pub(super) fn ilike(expr: SimpleExpr, pattern: &str) -> SimpleExpr {
    Expr::expr(Func::lower(expr)).like(LikeExpr::new(pattern.to_ascii_lowercase()).escape('\\'))
}

/// Rewrites a LIKE pattern (`%`, `_`, `\` escapes) as the equivalent GLOB pattern.
pub(super) fn like_to_glob(pattern: &str) -> String {
    let mut glob = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => glob.push('*'),
            '_' => glob.push('?'),
            '\\' => match chars.next() {
                Some(escaped) => push_literal(&mut glob, escaped),
                None => push_literal(&mut glob, '\\'),
            },
            other => push_literal(&mut glob, other),
        }
    }
    glob
}

fn push_literal(glob: &mut String, c: char) {
    match c {
        '*' | '?' | '[' => {
            glob.push('[');
            glob.push(c);
            glob.push(']');
        }
        other => glob.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::like_to_glob;

    #[test]
    fn like_patterns_become_globs() {
        assert_eq!(like_to_glob("%@roq.dev"), "*@roq.dev");
        assert_eq!(like_to_glob("a_c"), "a?c");
        assert_eq!(like_to_glob(r"100\%"), "100%");
        assert_eq!(like_to_glob("what?*[x]"), "what[?][*][[]x]");
    }
}
