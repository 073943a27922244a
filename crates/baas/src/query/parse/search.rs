//! PostgreSQL text search, as ZenStack v3 takes it: the `fts` and `fuzzy` filters on fields
//! marked `@fullText` / `@fuzzy`, and the `_ftsRelevance` / `_fuzzyRelevance` orderings.
//! On SQLite they are refused by name.

use serde_json::{Map, Value as Json};

use super::{Invalid, PResult, Parser, at, invalid, join, object, only_keys};
use crate::query::ast::{FuzzyMode, OrderItem, Search};
use crate::schema::{ModelId, Searchable};
use crate::value::json_kind;

/// The two searches: filter key, ordering key, attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    FullText,
    Fuzzy,
}

impl Kind {
    pub(super) fn filter_key(self) -> &'static str {
        match self {
            Self::FullText => "fts",
            Self::Fuzzy => "fuzzy",
        }
    }

    fn order_key(self) -> &'static str {
        match self {
            Self::FullText => "_ftsRelevance",
            Self::Fuzzy => "_fuzzyRelevance",
        }
    }

    fn attribute(self) -> &'static str {
        match self {
            Self::FullText => "@fullText",
            Self::Fuzzy => "@fuzzy",
        }
    }

    fn allowed_on(self, searchable: Searchable) -> bool {
        match self {
            Self::FullText => searchable.full_text,
            Self::Fuzzy => searchable.fuzzy,
        }
    }

    pub(super) fn from_order_key(key: &str) -> Option<Self> {
        [Self::FullText, Self::Fuzzy]
            .into_iter()
            .find(|k| k.order_key() == key)
    }
}

impl Parser<'_> {
    /// The search keys a String field's filter accepts here. On SQLite a search key on a
    /// searchable field is refused by name rather than as unknown.
    pub(super) fn search_keys(
        &self,
        searchable: Searchable,
        map: &Map<String, Json>,
        path: &str,
    ) -> PResult<Vec<&'static str>> {
        let mut keys = Vec::new();
        for kind in [Kind::FullText, Kind::Fuzzy] {
            if !kind.allowed_on(searchable) {
                continue;
            }
            if self.postgres {
                keys.push(kind.filter_key());
            } else if map.contains_key(kind.filter_key()) {
                return invalid(sqlite_refusal(kind.filter_key(), path));
            }
        }
        Ok(keys)
    }

    /// `fts: {search, config?}` or `fuzzy: {search, mode?, threshold?, unaccent?}`.
    pub(super) fn search_filter(&self, kind: Kind, json: &Json, path: &str) -> PResult<Search> {
        let map = object(json, path)?;
        match kind {
            Kind::FullText => {
                only_keys(map, &["search", "config"], path)?;
                Ok(Search::FullText {
                    query: text(map.get("search"), &join(path, "search"))?,
                    config: optional_text(map.get("config"), &join(path, "config"))?,
                })
            }
            Kind::Fuzzy => {
                only_keys(map, &["search", "mode", "threshold", "unaccent"], path)?;
                let threshold = match map.get("threshold") {
                    None => None,
                    Some(Json::Number(n)) => match n.as_f64() {
                        Some(t) if (0.0..=1.0).contains(&t) => Some(t),
                        _ => {
                            return invalid(format!(
                                "Invalid input: expected a number from 0 to 1{}",
                                at(&join(path, "threshold"))
                            ));
                        }
                    },
                    Some(other) => {
                        return invalid(format!(
                            "Invalid input: expected number, received {}{}",
                            json_kind(other),
                            at(&join(path, "threshold"))
                        ));
                    }
                };
                Ok(Search::Fuzzy {
                    term: text(map.get("search"), &join(path, "search"))?,
                    mode: fuzzy_mode(map.get("mode"), &join(path, "mode"))?,
                    threshold,
                    unaccent: self
                        .boolean(map.get("unaccent"), &join(path, "unaccent"))?
                        .unwrap_or(false),
                })
            }
        }
    }

    /// `_ftsRelevance: {fields, search, config?, sort}` or
    /// `_fuzzyRelevance: {fields, search, mode?, unaccent?, sort}`.
    pub(super) fn relevance(
        &self,
        model_id: ModelId,
        kind: Kind,
        json: &Json,
        path: &str,
    ) -> PResult<OrderItem> {
        let here = join(path, kind.order_key());
        let model = self.model(model_id);
        let names: Vec<&str> = model
            .fields
            .iter()
            .filter(|f| kind.allowed_on(f.searchable))
            .map(|f| f.name.as_str())
            .collect();
        if names.is_empty() {
            return invalid(format!(
                "Unrecognized key: \"{}\"{} (no field of `{}` is marked {})",
                kind.order_key(),
                at(path),
                model.name,
                kind.attribute()
            ));
        }
        if !self.postgres {
            return invalid(sqlite_refusal(kind.order_key(), path));
        }
        let map = object(json, &here)?;
        let mut allowed = vec!["fields", "search", "sort"];
        allowed.extend(match kind {
            Kind::FullText => &["config"][..],
            Kind::Fuzzy => &["mode", "unaccent"][..],
        });
        only_keys(map, &allowed, &here)?;
        let fields_path = join(&here, "fields");
        let Some(Json::Array(list)) = map.get("fields") else {
            return invalid(format!(
                "Invalid input: expected array, received {}{}",
                map.get("fields").map_or("undefined", json_kind),
                at(&fields_path)
            ));
        };
        if list.is_empty() {
            return invalid(format!(
                "Too small: expected array to have >=1 items{}",
                at(&fields_path)
            ));
        }
        let mut fields = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let field = item
                .as_str()
                .filter(|n| names.contains(n))
                .and_then(|n| model.field(n));
            match field {
                Some((id, _)) => fields.push(id),
                None => {
                    let listed: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    return invalid(format!(
                        "Invalid option: expected one of {}{}",
                        listed.join("|"),
                        at(&format!("{fields_path}.{i}"))
                    ));
                }
            }
        }
        let search_path = join(&here, "search");
        let search = match kind {
            Kind::FullText => Search::FullText {
                query: text(map.get("search"), &search_path)?,
                config: optional_text(map.get("config"), &join(&here, "config"))?,
            },
            Kind::Fuzzy => Search::Fuzzy {
                term: text(map.get("search"), &search_path)?,
                mode: fuzzy_mode(map.get("mode"), &join(&here, "mode"))?,
                threshold: None,
                unaccent: self
                    .boolean(map.get("unaccent"), &join(&here, "unaccent"))?
                    .unwrap_or(false),
            },
        };
        let sort_path = join(&here, "sort");
        let desc = Self::direction(
            map.get("sort").ok_or_else(|| {
                Invalid(format!(
                    "Invalid option: expected one of \"asc\"|\"desc\"{}",
                    at(&sort_path)
                ))
            })?,
            &sort_path,
        )?;
        Ok(OrderItem::Relevance {
            fields,
            search,
            desc,
        })
    }
}

fn sqlite_refusal(key: &str, path: &str) -> String {
    format!(
        "\"{key}\" (text search) needs PostgreSQL: this BaaS keeps its data in SQLite{}",
        at(path)
    )
}

/// A required, non-empty string.
fn text(json: Option<&Json>, path: &str) -> PResult<String> {
    match json {
        Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Json::String(_)) => invalid(format!(
            "Too small: expected string to have >=1 characters{}",
            at(path)
        )),
        other => invalid(format!(
            "Invalid input: expected string, received {}{}",
            other.map_or("undefined", json_kind),
            at(path)
        )),
    }
}

fn optional_text(json: Option<&Json>, path: &str) -> PResult<Option<String>> {
    match json {
        None => Ok(None),
        some => text(some, path).map(Some),
    }
}

fn fuzzy_mode(json: Option<&Json>, path: &str) -> PResult<FuzzyMode> {
    match json.map(|j| j.as_str()) {
        None | Some(Some("simple")) => Ok(FuzzyMode::Simple),
        Some(Some("word")) => Ok(FuzzyMode::Word),
        Some(Some("strictWord")) => Ok(FuzzyMode::StrictWord),
        Some(_) => invalid(format!(
            "Invalid option: expected one of \"simple\"|\"word\"|\"strictWord\"{}",
            at(path)
        )),
    }
}
