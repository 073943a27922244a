//! PostgreSQL text search as ZenStack v3 compiles it: full-text search with `to_tsvector` /
//! `to_tsquery` / `ts_rank`, fuzzy search with `pg_trgm`'s similarity (the extensions are
//! installed by `migrate` when the schema has `@fuzzy` fields). The search text, the
//! configuration name and the threshold are always bound parameters.

use sea_query::{Alias, Expr, Func, SimpleExpr};

use super::sql::Compiler;
use crate::query::ast::{FuzzyMode, Search};
use crate::schema::{FieldId, ModelId};

/// `name(args…)`, for PostgreSQL functions sea-query does not know.
fn call(name: &str, args: impl IntoIterator<Item = SimpleExpr>) -> SimpleExpr {
    Func::cust(Alias::new(name)).args(args).into()
}

/// A configuration name as `regconfig` (`CAST($n AS regconfig)`).
fn regconfig(config: &str) -> SimpleExpr {
    Expr::val(config).cast_as(Alias::new("regconfig"))
}

/// `to_tsvector([config,] doc)` and `to_tsquery([config,] query)`.
fn ts_pair(doc: SimpleExpr, query: &str, config: Option<&str>) -> (SimpleExpr, SimpleExpr) {
    match config {
        None => (
            call("to_tsvector", [doc]),
            call("to_tsquery", [Expr::val(query).into()]),
        ),
        Some(cfg) => (
            call("to_tsvector", [regconfig(cfg), doc]),
            call("to_tsquery", [regconfig(cfg), Expr::val(query).into()]),
        ),
    }
}

/// Both sides of a trigram comparison are lower-cased, and unaccented when asked.
fn normalized(expr: SimpleExpr, unaccent: bool) -> SimpleExpr {
    let lower: SimpleExpr = Func::lower(expr).into();
    if unaccent {
        call("unaccent", [lower])
    } else {
        lower
    }
}

/// The similarity of `value` to the search `term` in a mode (`similarity(value, term)`,
/// `word_similarity(term, value)`, `strict_word_similarity(term, value)`).
fn similarity(value: SimpleExpr, term: SimpleExpr, mode: FuzzyMode) -> SimpleExpr {
    match mode {
        FuzzyMode::Simple => call("similarity", [value, term]),
        FuzzyMode::Word => call("word_similarity", [term, value]),
        FuzzyMode::StrictWord => call("strict_word_similarity", [term, value]),
    }
}

impl Compiler<'_> {
    /// Whether `column` matches the search (`fts` / `fuzzy` filters).
    pub fn search_match(&self, column: SimpleExpr, search: &Search) -> SimpleExpr {
        match search {
            Search::FullText { query, config } => {
                let (vector, query) = ts_pair(column, query, config.as_deref());
                Expr::cust_with_exprs("($1 @@ $2)", [vector, query])
            }
            Search::Fuzzy {
                term,
                mode,
                threshold,
                unaccent,
            } => {
                let value = normalized(column, *unaccent);
                let term = normalized(Expr::val(term.as_str()).into(), *unaccent);
                match threshold {
                    // The operators use the session's pg_trgm thresholds (0.3, 0.6, 0.5).
                    None => match mode {
                        FuzzyMode::Simple => Expr::cust_with_exprs("($1 % $2)", [value, term]),
                        FuzzyMode::Word => Expr::cust_with_exprs("($1 <% $2)", [term, value]),
                        FuzzyMode::StrictWord => {
                            Expr::cust_with_exprs("($1 <<% $2)", [term, value])
                        }
                    },
                    Some(t) => Expr::cust_with_exprs(
                        "($1 > $2)",
                        [similarity(value, term, *mode), Expr::val(*t).into()],
                    ),
                }
            }
        }
    }

    /// What `_ftsRelevance` / `_fuzzyRelevance` sort by. Full text: one `ts_rank` over the
    /// fields joined by spaces (a lone field's NULL reads as empty, ranking 0). Fuzzy: the
    /// greatest similarity of any field (NULL for a NULL field, as in ZenStack).
    pub fn relevance(
        &self,
        model: ModelId,
        alias: &str,
        fields: &[FieldId],
        search: &Search,
    ) -> SimpleExpr {
        let columns: Vec<SimpleExpr> = fields
            .iter()
            .map(|f| self.visible(model, alias, *f))
            .collect();
        match search {
            Search::FullText { query, config } => {
                let doc = match <[SimpleExpr; 1]>::try_from(columns) {
                    Ok([one]) => call("coalesce", [one, Expr::val("").into()]),
                    Err(many) => call(
                        "concat_ws",
                        std::iter::once(Expr::val(" ").into()).chain(many),
                    ),
                };
                let (vector, query) = ts_pair(doc, query, config.as_deref());
                call("ts_rank", [vector, query])
            }
            Search::Fuzzy {
                term,
                mode,
                unaccent,
                ..
            } => {
                let term: SimpleExpr = normalized(Expr::val(term.as_str()).into(), *unaccent);
                let mut each: Vec<SimpleExpr> = columns
                    .into_iter()
                    .map(|c| similarity(normalized(c, *unaccent), term.clone(), *mode))
                    .collect();
                if each.len() == 1 {
                    each.remove(0)
                } else {
                    call("GREATEST", each)
                }
            }
        }
    }
}
