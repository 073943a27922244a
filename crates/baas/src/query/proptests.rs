//! Property tests of the gate between request JSON and SQL: arbitrary arguments never panic
//! the parser or the compiler, and no text from a request ever becomes SQL text — values only
//! travel as bound parameters.

use proptest::prelude::*;
use serde_json::{Map, Value as Json};
use tandem_sql::Dialect;

use super::{OpName, prepare};
use crate::engine::read::Reader;
use crate::query::ast::Operation;
use crate::schema::Schema;

/// Every string value a test generates carries this, so it can be looked for in the SQL.
const SENTINEL: &str = "ZQXJ";

const KEYS: &[&str] = &[
    "where",
    "select",
    "include",
    "omit",
    "orderBy",
    "cursor",
    "take",
    "skip",
    "distinct",
    "data",
    "by",
    "having",
    "_count",
    "_sum",
    "_avg",
    "_min",
    "_max",
    "_all",
    "AND",
    "OR",
    "NOT",
    "some",
    "every",
    "none",
    "is",
    "isNot",
    "equals",
    "not",
    "in",
    "notIn",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "contains",
    "startsWith",
    "endsWith",
    "mode",
    "sort",
    "nulls",
    "id",
    "email",
    "first_name",
    "tenant_id",
    "active",
    "books",
    "author",
    "title",
    "pages",
    "price",
    "published",
    "chapters",
    "position",
    "created_at",
    "title_author_id",
    "connect",
    "create",
    "update",
    "set",
    "increment",
    "multiply",
    "limit",
    "bogus",
    "user",
    "tenant",
];

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        (-1e6f64..1e6).prop_map(Json::from),
        "[a-zA-Z0-9 %_'\"\\\\;-]{0,12}".prop_map(|s| Json::String(format!("{SENTINEL}{s}"))),
        prop::sample::select(vec!["asc", "desc", "insensitive", "first", "last"])
            .prop_map(|s| Json::String(s.into())),
        Just(Json::String("2021-06-01T00:00:00.000Z".into())),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(|entries| {
                let map: Map<String, Json> = entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                Json::Object(map)
            }),
        ]
    })
}

fn schema() -> Schema {
    Schema::from_source("s", crate::schema::tests_support::LIBRARY).unwrap()
}

const OPS: &[&str] = &[
    "findMany",
    "findFirst",
    "findUnique",
    "count",
    "aggregate",
    "groupBy",
    "exists",
    "create",
    "createMany",
    "update",
    "updateMany",
    "upsert",
    "delete",
    "deleteMany",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn arbitrary_arguments_never_panic_and_never_become_sql(
        args in json(),
        op in prop::sample::select(OPS),
        model in prop::sample::select(vec!["user", "book", "chapter", "tenant"]),
    ) {
        let schema = schema();
        let model = schema.model_id(model).unwrap();
        let op = OpName::parse(op).unwrap();
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let Ok(operation) = prepare(&schema, model, op, &args, dialect == Dialect::Postgres) else { continue };
            let read = match &operation {
                Operation::FindMany(read) | Operation::FindOne(read) | Operation::Exists(read) => read,
                Operation::Count { args, .. } | Operation::Aggregate { args, .. } => args,
                _ => continue,
            };
            let reader = Reader::new(&schema, dialect);
            if let Ok(sql) = reader.sql_text(read) {
                prop_assert!(!sql.contains(SENTINEL), "request text reached SQL: {sql}");
            }
        }
    }
}

#[test]
fn a_filter_value_only_ever_becomes_a_parameter() {
    let schema = schema();
    let book = schema.model_id("book").unwrap();
    let args = serde_json::json!({"where": {"title": {"contains": format!("{SENTINEL}'); DROP TABLE book; --")}, "author": {"email": SENTINEL}}, "orderBy": {"title": "asc"}});
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let Operation::FindMany(read) =
            prepare(&schema, book, OpName::FindMany, &args, false).unwrap()
        else {
            panic!()
        };
        let sql = Reader::new(&schema, dialect).sql_text(&read).unwrap();
        assert!(!sql.contains(SENTINEL) && !sql.contains("DROP"), "{sql}");
        assert!(sql.contains("LIKE"), "{sql}");
    }
}

/// Filters shaped like the library schema's, so most of them validate and reach the SQL
/// compiler; strings carry the sentinel.
fn text() -> impl Strategy<Value = Json> {
    "[a-zA-Z0-9 %_'\"\\\\;-]{0,12}".prop_map(|s| Json::String(format!("{SENTINEL}{s}")))
}

fn string_condition() -> impl Strategy<Value = Json> {
    prop_oneof![
        text(),
        text().prop_map(|t| serde_json::json!({"equals": t})),
        text().prop_map(|t| serde_json::json!({"not": t})),
        prop::collection::vec(text(), 0..3).prop_map(|v| serde_json::json!({"in": v})),
        prop::collection::vec(text(), 0..3).prop_map(|v| serde_json::json!({"notIn": v})),
        (text(), text()).prop_map(|(a, b)| serde_json::json!({"contains": a, "startsWith": b})),
        text().prop_map(|t| serde_json::json!({"endsWith": t, "mode": "insensitive"})),
        text().prop_map(|t| serde_json::json!({"gt": t, "not": {"contains": t}})),
    ]
}

fn book_filter() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        string_condition().prop_map(|c| serde_json::json!({"title": c})),
        (any::<i32>(), any::<i32>())
            .prop_map(|(a, b)| serde_json::json!({"pages": {"gte": a, "lt": b}})),
        any::<bool>().prop_map(|b| serde_json::json!({"published": b})),
        string_condition().prop_map(|c| serde_json::json!({"author": {"is": {"email": c}}})),
        string_condition().prop_map(|c| serde_json::json!({"author": {"first_name": c}})),
        string_condition().prop_map(|c| serde_json::json!({"chapters": {"some": {"title": c}}})),
        string_condition().prop_map(|c| serde_json::json!({"chapters": {"every": {"title": c}}})),
        (text(), text()).prop_map(
            |(t, a)| serde_json::json!({"title_author_id": {"title": t, "author_id": a}})
        ),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| serde_json::json!({"AND": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| serde_json::json!({"OR": v})),
            inner.clone().prop_map(|v| serde_json::json!({"NOT": v})),
            inner.prop_map(|v| serde_json::json!({"author": {"books": {"some": v}}})),
        ]
    })
}

fn book_read() -> impl Strategy<Value = Json> {
    (
        book_filter(),
        prop::sample::select(vec!["title", "pages", "price", "created_at"]),
        any::<bool>(),
        prop::option::of(-20i64..20),
        prop::option::of(text()),
    )
        .prop_map(|(filter, order, desc, take, cursor)| {
            let mut args = serde_json::json!({"where": filter, "orderBy": [{order: if desc { "desc" } else { "asc" }}, {"author": {"email": "asc"}}], "include": {"chapters": {"where": {"title": {"contains": "x"}}}}});
            if let Some(take) = take {
                args["take"] = take.into();
            }
            if let Some(cursor) = cursor {
                args["cursor"] = serde_json::json!({"id": cursor});
                args["orderBy"] = serde_json::json!({order: "asc"});
            }
            args
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn schema_shaped_reads_compile_with_values_only_as_parameters(args in book_read()) {
        let schema = schema();
        let book = schema.model_id("book").unwrap();
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let operation = prepare(&schema, book, OpName::FindMany, &args, dialect == Dialect::Postgres);
            let operation = match operation {
                Ok(op) => op,
                // `mode` is refused on SQLite, as in ZenStack.
                Err(e) => { prop_assert!(dialect == Dialect::Sqlite, "{e}"); continue; }
            };
            let Operation::FindMany(read) = operation else { unreachable!() };
            let sql = Reader::new(&schema, dialect).sql_text(&read).unwrap();
            prop_assert!(!sql.contains(SENTINEL), "request text reached SQL: {sql}");
        }
    }
}

#[test]
fn the_generators_reach_the_compiler() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let schema = schema();
    let book = schema.model_id("book").unwrap();
    let mut runner = TestRunner::deterministic();
    let compiled = (0..200)
        .filter(|_| {
            let args = book_read().new_tree(&mut runner).unwrap().current();
            prepare(&schema, book, OpName::FindMany, &args, true).is_ok()
        })
        .count();
    assert!(
        compiled > 150,
        "only {compiled} of 200 generated reads validated"
    );
}
