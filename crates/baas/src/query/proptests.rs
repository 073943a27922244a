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

    /// Writes that validate are run for real in `writes_send_request_values_only_as_parameters`.
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
            // A read that validated compiles: an error here would be a hole in validation.
            let sql = Reader::new(&schema, dialect).sql_text(read);
            let sql = sql.map_err(|e| TestCaseError::fail(format!("{args} validated but did not compile: {e}")))?;
            prop_assert!(!sql.contains(SENTINEL), "request text reached SQL: {sql}");
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

/// The author every generated book belongs to (seeded straight into the store: the BaaS
/// cannot create users).
const AUTHOR: &str = "00000000-0000-4000-8000-0000000000a1";

/// Writes shaped like the library schema's, strings carrying the sentinel (also in the filters
/// that pick the rows): most validate and run.
fn book_write() -> impl Strategy<Value = (&'static str, &'static str, Json)> {
    fn book() -> impl Strategy<Value = Json> {
        (text(), 0i32..500).prop_map(|(title, pages)| {
            serde_json::json!({"title": title, "pages": pages, "author_id": AUTHOR})
        })
    }
    prop_oneof![
        (book(), text(), any::<i32>()).prop_map(|(mut data, chapter, position)| {
            data["chapters"] = serde_json::json!({"create": [{"title": chapter, "position": position}]});
            ("book", "create", serde_json::json!({"data": data}))
        }),
        prop::collection::vec(book(), 1..4)
            .prop_map(|data| ("book", "createMany", serde_json::json!({"data": data}))),
        (text(), text(), -5i32..5).prop_map(|(id, title, n)| (
            "book",
            "update",
            serde_json::json!({"where": {"id": id}, "data": {"title": title, "pages": {"increment": n}}})
        )),
        (book_filter(), text()).prop_map(|(filter, title)| (
            "book",
            "updateMany",
            serde_json::json!({"where": filter, "data": {"title": title}})
        )),
        (text(), book(), text()).prop_map(|(id, create, title)| (
            "book",
            "upsert",
            serde_json::json!({"where": {"id": id}, "create": create, "update": {"title": title}})
        )),
        text().prop_map(|id| ("book", "delete", serde_json::json!({"where": {"id": id}}))),
        book_filter().prop_map(|filter| ("book", "deleteMany", serde_json::json!({"where": filter}))),
        (text(), book_filter(), text()).prop_map(|(nickname, filter, title)| (
            "user",
            "update",
            serde_json::json!({"where": {"id": AUTHOR}, "data": {"nickname": nickname, "books": {"updateMany": {"where": filter, "data": {"title": title}}}}})
        )),
    ]
}

/// A BaaS engine on a fresh SQLite store with the library schema and one author.
async fn library_engine(dir: &std::path::Path) -> crate::engine::Engine {
    use sea_query::{Alias, Query};
    let db = tandem_sql::Db::connect(
        &tandem_sql::DbUrl::sqlite_file(dir.join("baas.db")),
        tandem_sql::DbOptions::default(),
    )
    .await
    .unwrap();
    crate::mirror::SYNC_TABLES
        .create_if_missing(&db)
        .await
        .unwrap();
    crate::migrate::migrate(&db, &schema(), false, "test")
        .await
        .unwrap();
    let now = "2026-01-01T00:00:00.000Z";
    let mut tx = db.begin().await.unwrap();
    tx.execute(
        Query::insert()
            .into_table(Alias::new("tenant"))
            .columns(["id", "name", "created_at", "updated_at"].map(Alias::new))
            .values_panic(["t1".into(), "T".into(), now.into(), now.into()]),
    )
    .await
    .unwrap();
    tx.execute(
        Query::insert()
            .into_table(Alias::new("user"))
            .columns(
                [
                    "id",
                    "email",
                    "tenant_id",
                    "active",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                AUTHOR.into(),
                "a@x.io".into(),
                "t1".into(),
                true.into(),
                now.into(),
                now.into(),
            ]),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    crate::engine::Engine {
        db,
        schema: std::sync::Arc::new(schema()),
        sync: std::sync::Arc::new(crate::mirror::outbox::SyncHooks::new()),
    }
}

/// Writes run for real (on SQLite), and every statement they send is captured: none carries
/// request text, and most generated writes do reach the database.
#[test]
fn writes_send_request_values_only_as_parameters() {
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = runtime.block_on(library_engine(dir.path()));
    let schema = schema();
    let (cases, reached) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = TestRunner::new(Config::with_cases(300));
    tandem_sql::capture::start();
    let result = runner.run(&book_write(), |(model, op, args)| {
        let model = schema.model_id(model).unwrap();
        cases.set(cases.get() + 1);
        // `mode` is refused on SQLite (as in ZenStack); such a case counts as not reaching SQL.
        let Ok(operation) = prepare(&schema, model, OpName::parse(op).unwrap(), &args, false)
        else {
            return Ok(());
        };
        tandem_sql::capture::take();
        let guard = crate::query::access::Guard::new(
            &engine.schema,
            crate::query::access::Caller::SuperAdmin,
            chrono::Utc::now(),
        );
        let _ = runtime.block_on(engine.run(model, &operation, chrono::Utc::now(), &guard));
        let statements = tandem_sql::capture::take();
        reached.set(reached.get() + u32::from(!statements.is_empty()));
        for sql in &statements {
            prop_assert!(!sql.contains(SENTINEL), "request text reached SQL: {sql}");
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (cases, reached) = (cases.get(), reached.get());
    eprintln!("{reached} of {cases} generated writes reached the database");
    assert!(
        reached * 10 >= cases * 9,
        "only {reached} of {cases} generated writes reached the database"
    );
}
