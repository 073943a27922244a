//! Text search, as ZenStack v3 offers it on PostgreSQL: `fts` (to_tsvector / to_tsquery) and
//! `fuzzy` (pg_trgm) filters on fields marked `@fullText` / `@fuzzy`, and the `_ftsRelevance`
//! / `_fuzzyRelevance` orderings. On SQLite the schema loads and the searches are refused by
//! name.

use serde_json::{Value, json};
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema};

use super::{data, served_schema};

const NOTES: &str = r#"
model article {
  id       Int     @id @default(autoincrement())
  title    String  @fullText
  body     String  @fullText @fuzzy
  subtitle String? @fullText
  name     String? @fuzzy
  notes    String?
}
"#;

async fn notes(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, NOTES).await;
    let created = app
        .rpc_post(
            "article",
            "createMany",
            json!({"data": [
                {"title": "The quick brown fox", "body": "the quick brown fox jumps over the lazy dog", "name": "Apple"},
                {"title": "A cat and a dog", "body": "cat and dog make great pets together", "name": "Apricot"},
                {"title": "Lazy cat sleeps all day", "body": "some cat sleeps more than others", "name": "Crème brûlée"},
                {"title": "The running man", "body": "He runs every morning before work", "name": "Éclair au chocolat"},
                {"title": "Untitled", "body": "just some notes", "notes": "not searchable"},
            ]}),
        )
        .await;
    assert_eq!(created.body, json!({"data": {"count": 5}}), "seeding");
    app
}

fn refused(answer: &tandem_testkit::Answer, status: u16, needle: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    let message = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{needle:?} in {message}");
}

async fn titles(app: &TestApp, args: Value) -> Vec<String> {
    let answer = app.rpc_get("article", "findMany", args).await;
    data(&answer)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    with notes;

    async fn search_attributes_are_kept_and_gate_the_searches(app: TestApp) {
        let schema = served_schema(&app).await;
        assert!(schema.contains("body     String @fullText @fuzzy"), "{schema}");
        assert!(schema.contains("name     String? @fuzzy"), "{schema}");

        // A field without the attribute has no search operator, on either store.
        let bad = app.rpc_get("article", "findMany", json!({"where": {"notes": {"fts": {"search": "note"}}}})).await;
        refused(&bad, 422, r#"Unrecognized key: "fts" at "where.notes""#);
        let bad = app.rpc_get("article", "findMany", json!({"where": {"title": {"fuzzy": {"search": "fox"}}}})).await;
        refused(&bad, 422, r#"Unrecognized key: "fuzzy" at "where.title""#);

        let fts = app.rpc_get("article", "findMany", json!({"where": {"title": {"fts": {"search": "fox"}}}})).await;
        let fuzzy = app.rpc_get("article", "count", json!({"where": {"name": {"fuzzy": {"search": "Aple"}}}})).await;
        // NULL similarities sort first when descending (PostgreSQL's default, as in ZenStack).
        let ranked = app.rpc_get("article", "findMany", json!({"where": {"name": {"not": null}}, "orderBy": {"_fuzzyRelevance": {"fields": ["name"], "search": "apple", "sort": "desc"}}})).await;
        match app.backend {
            Backend::Sqlite => {
                refused(&fts, 422, r#""fts" (text search) needs PostgreSQL"#);
                refused(&fuzzy, 422, r#""fuzzy" (text search) needs PostgreSQL"#);
                refused(&ranked, 422, r#""_fuzzyRelevance" (text search) needs PostgreSQL"#);
            }
            Backend::Postgres => {
                assert_eq!(data(&fts)[0]["title"], "The quick brown fox", "{}", fts.body);
                assert_eq!(data(&fts).as_array().unwrap().len(), 1);
                assert_eq!(data(&fuzzy), &json!(1), "{}", fuzzy.body);
                assert_eq!(data(&ranked)[0]["name"], "Apple", "{}", ranked.body);
            }
        }
    }
}

async fn postgres() -> TestApp {
    notes(Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_search_on_postgres() {
    let app = postgres().await;
    let search = |field: &str, search: Value| json!({"where": {field: {"fts": search}}, "orderBy": {"id": "asc"}});

    // to_tsquery's operators.
    let both = titles(&app, search("title", json!({"search": "cat & dog"}))).await;
    assert_eq!(both, ["A cat and a dog"]);
    let either = titles(&app, search("title", json!({"search": "fox | cat"}))).await;
    assert_eq!(
        either,
        [
            "The quick brown fox",
            "A cat and a dog",
            "Lazy cat sleeps all day"
        ]
    );
    let not = titles(&app, search("title", json!({"search": "cat & !lazy"}))).await;
    assert_eq!(not, ["A cat and a dog"]);
    // A configuration is per query: `english` stems, `simple` does not.
    let stemmed = titles(
        &app,
        search("body", json!({"search": "run", "config": "english"})),
    )
    .await;
    assert_eq!(stemmed, ["The running man"]);
    let literal = titles(
        &app,
        search("body", json!({"search": "run", "config": "simple"})),
    )
    .await;
    assert!(literal.is_empty(), "{literal:?}");
    // With another operator on the field, and in writes.
    let lazy = titles(
        &app,
        json!({"where": {"title": {"fts": {"search": "cat"}, "contains": "Lazy"}}}),
    )
    .await;
    assert_eq!(lazy, ["Lazy cat sleeps all day"]);
    let updated = app
        .rpc_put(
            "article",
            "updateMany",
            json!({"where": {"body": {"fts": {"search": "pets"}}}, "data": {"notes": "pets"}}),
        )
        .await;
    assert_eq!(data(&updated), &json!({"count": 1}));

    // Relevance: ts_rank over the fields joined, a NULL field ranking 0.
    let ranked = titles(&app, json!({
        "where": {"body": {"fts": {"search": "cat | dog"}}},
        "orderBy": [{"_ftsRelevance": {"fields": ["body"], "search": "cat & dog", "sort": "desc"}}, {"id": "asc"}],
    })).await;
    assert_eq!(ranked.len(), 3, "{ranked:?}");
    assert_eq!(
        ranked[0], "A cat and a dog",
        "the one with both terms first"
    );
    let split = app.rpc_post("article", "create", json!({"data": {"title": "cat in the hat", "body": "plus a friendly dog", "subtitle": "cat"}})).await;
    let split_id = data(&split)["id"].clone();
    let by_both = app.rpc_get("article", "findMany", json!({
        "orderBy": [{"_ftsRelevance": {"fields": ["title", "body"], "search": "cat & dog", "sort": "desc"}}, {"id": "asc"}],
        "take": 2,
    })).await;
    let ids: Vec<&Value> = data(&by_both)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert!(
        ids.contains(&&split_id),
        "terms split over title and body rank: {ids:?}"
    );
    let by_subtitle = app.rpc_get("article", "findMany", json!({
        "orderBy": [{"_ftsRelevance": {"fields": ["subtitle"], "search": "cat", "sort": "desc"}}, {"id": "asc"}],
        "take": 1,
    })).await;
    assert_eq!(
        data(&by_subtitle)[0]["id"],
        split_id,
        "NULL subtitles rank 0, after a match"
    );

    // What the database refuses is its error; what Tandem refuses is named.
    let fts = |search: Value| json!({"where": {"title": {"fts": search}}});
    let ranked = |fields: Value| json!({"orderBy": {"_ftsRelevance": {"fields": fields, "search": "cat", "sort": "desc"}}});
    let mut with_cursor = ranked(json!(["body"]));
    with_cursor["cursor"] = json!({"id": 1});
    for (args, status, needle) in [
        (
            fts(json!({"search": "foo &&"})),
            400,
            "syntax error in tsquery",
        ),
        (
            fts(json!({"search": "fox", "config": "klingon"})),
            400,
            "klingon",
        ),
        (
            fts(json!({"search": ""})),
            422,
            r#"Too small: expected string to have >=1 characters at "where.title.fts.search""#,
        ),
        (
            fts(json!({"search": "fox", "mode": "word"})),
            422,
            r#"Unrecognized key: "mode" at "where.title.fts""#,
        ),
        (
            ranked(json!(["notes"])),
            422,
            r#"expected one of "title"|"body"|"subtitle" at "orderBy._ftsRelevance.fields.0""#,
        ),
        (
            with_cursor,
            400,
            r#"cursor pagination cannot be combined with "_ftsRelevance" ordering"#,
        ),
    ] {
        refused(
            &app.rpc_get("article", "findMany", args).await,
            status,
            needle,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzy_search_on_postgres() {
    let app = postgres().await;
    let names = |args: Value| {
        let app = &app;
        async move {
            let answer = app.rpc_get("article", "findMany", args).await;
            data(&answer)
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap_or("<null>").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let fuzzy =
        |search: Value| json!({"where": {"name": {"fuzzy": search}}, "orderBy": {"id": "asc"}});

    // Typos, case; NULL names never match.
    assert_eq!(names(fuzzy(json!({"search": "aple"}))).await, ["Apple"]);
    assert_eq!(names(fuzzy(json!({"search": "Appel"}))).await, ["Apple"]);
    // Accents count unless `unaccent` is asked for.
    assert!(names(fuzzy(json!({"search": "creme"}))).await.is_empty());
    assert_eq!(
        names(fuzzy(json!({"search": "creme", "unaccent": true}))).await,
        ["Crème brûlée"]
    );
    // A word inside a longer value.
    assert!(names(fuzzy(json!({"search": "choco"}))).await.is_empty());
    assert_eq!(
        names(fuzzy(json!({"search": "choco", "mode": "word"}))).await,
        ["Éclair au chocolat"]
    );
    assert_eq!(
        names(fuzzy(json!({"search": "chocolat", "mode": "strictWord"}))).await,
        ["Éclair au chocolat"]
    );
    // An explicit threshold: `similarity > t` (0 lets every shared trigram through, 1 none).
    assert_eq!(
        names(fuzzy(json!({"search": "Apple", "threshold": 0.9}))).await,
        ["Apple"]
    );
    let loose = names(fuzzy(json!({"search": "Apple", "threshold": 0}))).await;
    assert!(
        loose.starts_with(&["Apple".to_owned(), "Apricot".to_owned()]),
        "{loose:?}"
    );
    assert!(
        !loose.contains(&"Crème brûlée".to_owned()),
        "no trigram in common: {loose:?}"
    );
    assert!(
        names(fuzzy(json!({"search": "Apple", "threshold": 1})))
            .await
            .is_empty()
    );
    // Under NOT, and on another field in the same where.
    let not_apple = names(json!({"where": {"NOT": {"name": {"fuzzy": {"search": "apple"}}}}, "orderBy": {"id": "asc"}})).await;
    assert_eq!(
        not_apple,
        ["Apricot", "Crème brûlée", "Éclair au chocolat"],
        "NULL names are neither"
    );
    let both = names(json!({"where": {"name": {"fuzzy": {"search": "apple"}}, "body": {"fuzzy": {"search": "fox", "mode": "word"}}}})).await;
    assert_eq!(both, ["Apple"]);

    // Relevance: the best match first; over several fields the greatest similarity.
    let ranked = names(json!({"where": {"name": {"not": null}}, "orderBy": [{"_fuzzyRelevance": {"fields": ["name"], "search": "apricot", "sort": "desc"}}, {"id": "asc"}]})).await;
    assert_eq!(ranked[0], "Apricot");
    let across = names(json!({"where": {"name": {"not": null}}, "orderBy": [{"_fuzzyRelevance": {"fields": ["name", "body"], "search": "lazy dog", "mode": "word", "sort": "desc"}}, {"id": "asc"}]})).await;
    assert_eq!(across[0], "Apple", "the fox's body mentions the lazy dog");
    let ascending = names(json!({"where": {"name": {"not": null}}, "orderBy": [{"_fuzzyRelevance": {"fields": ["name"], "search": "apricot", "sort": "asc"}}, {"id": "asc"}]})).await;
    assert_eq!(ascending.last().map(String::as_str), Some("Apricot"));

    for (args, needle) in [
        (
            fuzzy(json!({"search": "x", "mode": "sound"})),
            r#"expected one of "simple"|"word"|"strictWord" at "where.name.fuzzy.mode""#,
        ),
        (
            fuzzy(json!({"search": "x", "threshold": 2})),
            r#"expected a number from 0 to 1 at "where.name.fuzzy.threshold""#,
        ),
        (
            json!({"orderBy": {"_fuzzyRelevance": {"fields": [], "search": "x", "sort": "desc"}}}),
            r#"expected array to have >=1 items at "orderBy._fuzzyRelevance.fields""#,
        ),
        (
            json!({"orderBy": {"_fuzzyRelevance": {"fields": ["body"], "search": "x"}}}),
            r#"expected one of "asc"|"desc" at "orderBy._fuzzyRelevance.sort""#,
        ),
    ] {
        refused(&app.rpc_get("article", "findMany", args).await, 422, needle);
    }
}
