//! The schema: served back as Prisma, mistakes reported with their place, tables migrated on
//! start — additive changes applied, data-losing ones refused unless accepted.

use serde_json::json;
use tandem_testkit::{Backend, try_spawn_app_with_schema};

use super::{LIBRARY, U1, data, library, served_schema};

on_both_backends! {
    with library;

    async fn the_effective_schema_is_served_as_prisma(app: TestApp) {
        let schema = served_schema(&app).await;
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in ["model user {", "email      String   @unique", "books      book[]", "nickname   String?", "model tenant {", "@@unique([title, author_id])", "@relation(fields: [book_id], references: [id], onDelete: Cascade)"] {
            assert!(flat(&schema).contains(&flat(needle)), "{needle} in\n{schema}");
        }
        assert_eq!(tandem_baas::schema::Schema::from_source("served", &schema).unwrap().models.len(), 5, "it parses back");
    }

    async fn additive_changes_apply_on_restart_and_destructive_ones_need_consent(app: TestApp) {
        let mut app = app;
        let path = app.config.schema.clone().unwrap();
        std::fs::write(&path, LIBRARY.replace("nickname String?", "nickname String?\n  bio String? @default(\"hi\")") + "\nmodel tag {\n  id String @id\n  label String\n}\n").unwrap();
        app.restart(|_| {}).await.expect("additive change");
        let alice = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"first_name": true, "bio": true}})).await;
        assert_eq!(data(&alice), &json!({"first_name": "Alice", "bio": "hi"}));
        assert_eq!(app.rpc_post("tag", "create", json!({"data": {"id": "x", "label": "y"}})).await.status, 201);

        std::fs::write(&path, LIBRARY.replace("  price      Float?\n", "")).unwrap();
        let err = app.restart(|_| {}).await.expect_err("dropping columns needs consent");
        assert!(err.contains("drop column `book.price`"), "{err}");
        assert!(err.contains("drop table `tag`"), "{err}");
        assert!(err.contains("--accept-data-loss"), "{err}");
        app.restart(|c| c.accept_data_loss = true).await.expect("accepted");
        let book = app.rpc_get("book", "findUnique", json!({"where": {"id": "b1"}})).await;
        assert_eq!(data(&book)["title"], "Rust Basics", "other columns keep their data");
        assert!(data(&book).get("price").is_none());
        let chapters = app.rpc_get("chapter", "count", json!({})).await;
        assert_eq!(chapters.body, json!({"data": 5}), "rows of rebuilt tables' children stay");
    }
}

#[tokio::test]
async fn schema_mistakes_stop_the_start_with_their_place() {
    for backend in Backend::ALL {
        let bad = "model book {\n  id String @id\n  title Strin\n}\n";
        let message = try_spawn_app_with_schema(backend, Some(bad))
            .await
            .map(|_| ())
            .expect_err("the start must fail");
        assert!(
            message.contains("schema.prisma:3:9: unknown type `Strin`"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_schema_that_is_no_file_or_too_big_stops_the_start_without_reading_it() {
    let mut app = tandem_testkit::spawn_app(Backend::Sqlite).await;
    let message = app
        .restart(|c| c.schema = Some("/dev/zero".into()))
        .await
        .expect_err("a device is no schema");
    assert!(
        message.contains("/dev/zero is not a regular file"),
        "{message}"
    );

    let big = app.config.data_dir.join("big.prisma");
    std::fs::write(&big, "/".repeat(5 * 1024 * 1024)).unwrap();
    let message = app
        .restart(|c| c.schema = Some(big.clone()))
        .await
        .expect_err("too big");
    assert!(message.contains("larger than 4 MiB"), "{message}");

    app.restart(|c| c.schema = None)
        .await
        .expect("starts again without it");
}

/// A Json field's `@default` is JSON text, as in Prisma: the row gets the object (issue 7).
async fn with_json_default(backend: Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(
        backend,
        "model setting {\n  id    Int  @id @default(autoincrement())\n  prefs Json @default(\"{\\\"theme\\\": \\\"dark\\\", \\\"n\\\": [1, 2]}\")\n  label Json @default(\"\\\"hi\\\"\")\n}\n",
    )
    .await
}

on_both_backends! {
    with with_json_default;

    async fn a_json_default_is_the_document_its_text_holds(app: TestApp) {
        let created = app.rpc_post("setting", "create", json!({"data": {}})).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(data(&created)["prefs"], json!({"theme": "dark", "n": [1, 2]}));
        assert_eq!(data(&created)["label"], json!("hi"), "a JSON string is a string");
        let read = app.rpc_get("setting", "findFirst", json!({})).await;
        assert_eq!(data(&read)["prefs"]["theme"], "dark");
    }
}

#[tokio::test]
async fn a_json_default_that_is_not_json_is_refused_with_its_place() {
    let message = try_spawn_app_with_schema(
        Backend::Sqlite,
        Some("model setting {\n  id   Int  @id\n  note Json @default(\"not json\")\n}\n"),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        message.contains("must be JSON text") && message.contains(":3:"),
        "{message}"
    );
}

/// ZModel's `Unsupported("…")` fields and what the API makes of them.
const HIDDEN: &str = r#"
model item {
  id   Int                 @id @default(autoincrement())
  name String
  data Unsupported("text")?
}

model record {
  id    Int                 @id @default(autoincrement())
  extra Unsupported("text")
}

model stamped {
  id   Int                 @id @default(autoincrement())
  area Unsupported("text") @default(dbgenerated("'none'"))
}
"#;

async fn hidden(backend: Backend) -> tandem_testkit::TestApp {
    tandem_testkit::spawn_app_with_schema(backend, HIDDEN).await
}

on_both_backends! {
    with hidden;

    async fn unsupported_fields_are_columns_the_api_does_not_show(app: TestApp) {
        let item = app.rpc_post("item", "create", json!({"data": {"name": "a"}})).await;
        assert_eq!(data(&item), &json!({"id": 1, "name": "a"}));
        for (args, op) in [
            (json!({"where": {"data": "x"}}), "findMany"),
            (json!({"select": {"data": true}}), "findMany"),
            (json!({"orderBy": {"data": "asc"}}), "findMany"),
        ] {
            let refused = app.rpc_get("item", op, args.clone()).await;
            assert_eq!(refused.status, 422, "{args}: {}", refused.body);
        }
        let refused = app.rpc_post("item", "create", json!({"data": {"name": "b", "data": "x"}})).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        // A required column without a default: rows cannot be created through the API.
        let blocked = app.rpc_post("record", "create", json!({"data": {}})).await;
        assert_eq!(blocked.status, 422, "{}", blocked.body);
        assert!(blocked.body["error"]["message"].as_str().unwrap().contains(r#"its field "extra" is `Unsupported("text")`"#));
        let defaulted = app.rpc_post("stamped", "create", json!({"data": {}})).await;
        assert_eq!(data(&defaulted), &json!({"id": 1}), "the database fills the column");
        let served = served_schema(&app).await;
        assert!(served.contains(r#"area Unsupported("text") @default(dbgenerated("'none'"))"#), "{served}");
    }
}
