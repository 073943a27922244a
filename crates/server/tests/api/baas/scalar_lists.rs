//! Scalar lists (`tags String[]`): PostgreSQL's arrays, written, filtered and pushed to as
//! ZenStack does; refused at start on SQLite, which has no arrays (as Prisma refuses them).

use serde_json::json;
use tandem_testkit::{Backend, spawn_app_with_schema, try_spawn_app_with_schema};

use super::{data, error, served_schema};

const LISTS: &str = r#"
enum Flavour {
  SWEET
  SOUR
}

model item {
  id       Int       @id
  tags     String[]
  sizes    Int[]
  flags    Boolean[]
  flavours Flavour[]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scalar_lists_are_arrays_on_postgres() {
    let app = spawn_app_with_schema(Backend::Postgres, LISTS).await;
    let created = app.rpc_post("item", "create", json!({"data": {"id": 1, "tags": ["a", "b"], "sizes": {"set": [3, 1]}, "flavours": ["SOUR"]}})).await;
    assert_eq!(
        data(&created),
        &json!({"id": 1, "tags": ["a", "b"], "sizes": [3, 1], "flags": [], "flavours": ["SOUR"]}),
        "a list never written reads as empty"
    );
    for (id, tags) in [(2, json!([])), (3, json!(["c"]))] {
        let made = app
            .rpc_post("item", "create", json!({"data": {"id": id, "tags": tags}}))
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    assert_eq!(
        app.rpc_post("item", "create", json!({"data": {"id": 4}}))
            .await
            .status,
        201
    );

    // Element types are checked like any value of the type.
    let bad = app
        .rpc_post(
            "item",
            "create",
            json!({"data": {"id": 9, "sizes": [1, "x"]}}),
        )
        .await;
    assert_eq!(error(&bad).0, 422, "{}", bad.body);
    assert!(
        bad.body.to_string().contains("data.sizes[1]"),
        "{}",
        bad.body
    );
    let bad_enum = app
        .rpc_post(
            "item",
            "create",
            json!({"data": {"id": 9, "flavours": ["SALTY"]}}),
        )
        .await;
    assert_eq!(error(&bad_enum).0, 422, "{}", bad_enum.body);
    let not_list = app
        .rpc_post("item", "create", json!({"data": {"id": 9, "tags": "a"}}))
        .await;
    assert_eq!(error(&not_list).0, 422, "{}", not_list.body);

    // ZenStack's list filters; a list never written is neither empty nor holds anything.
    let ids = |q: serde_json::Value| {
        let app = &app;
        async move {
            let found = app
                .rpc_get(
                    "item",
                    "findMany",
                    json!({"where": q, "orderBy": {"id": "asc"}, "select": {"id": true}}),
                )
                .await;
            data(&found)
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(json!({"tags": {"has": "a"}})).await, [1]);
    assert_eq!(ids(json!({"tags": {"hasSome": ["c", "b"]}})).await, [1, 3]);
    assert_eq!(
        ids(json!({"tags": {"hasSome": []}})).await,
        Vec::<i64>::new()
    );
    assert_eq!(ids(json!({"tags": {"hasEvery": ["a", "b"]}})).await, [1]);
    assert_eq!(
        ids(json!({"tags": {"hasEvery": ["a", "c"]}})).await,
        Vec::<i64>::new()
    );
    assert_eq!(ids(json!({"tags": {"equals": ["a", "b"]}})).await, [1]);
    assert_eq!(
        ids(json!({"tags": {"equals": ["b", "a"]}})).await,
        Vec::<i64>::new(),
        "order matters"
    );
    assert_eq!(ids(json!({"tags": {"isEmpty": true}})).await, [2]);
    assert_eq!(ids(json!({"tags": {"isEmpty": false}})).await, [1, 3]);
    assert_eq!(
        ids(json!({"sizes": {"has": 3}, "flavours": {"has": "SOUR"}})).await,
        [1]
    );

    // Updates set or push (one item or several; onto a list never written too).
    let pushed = app
        .rpc_put(
            "item",
            "update",
            json!({"where": {"id": 1}, "data": {"tags": {"push": "c"}, "sizes": {"push": [5, 6]}}}),
        )
        .await;
    assert_eq!(
        (&data(&pushed)["tags"], &data(&pushed)["sizes"]),
        (&json!(["a", "b", "c"]), &json!([3, 1, 5, 6])),
        "{}",
        pushed.body
    );
    let onto_none = app
        .rpc_put(
            "item",
            "update",
            json!({"where": {"id": 4}, "data": {"flags": {"push": true}}}),
        )
        .await;
    assert_eq!(data(&onto_none)["flags"], json!([true]));
    let set = app
        .rpc_put(
            "item",
            "update",
            json!({"where": {"id": 1}, "data": {"tags": {"set": []}, "sizes": [7]}}),
        )
        .await;
    assert_eq!(
        (&data(&set)["tags"], &data(&set)["sizes"]),
        (&json!([]), &json!([7]))
    );
    let two_ops = app
        .rpc_put(
            "item",
            "update",
            json!({"where": {"id": 1}, "data": {"tags": {"set": [], "push": "x"}}}),
        )
        .await;
    assert_eq!(error(&two_ops).0, 422, "{}", two_ops.body);

    let min = app
        .rpc_get("item", "aggregate", json!({"_min": {"tags": true}}))
        .await;
    assert_eq!(error(&min).0, 422, "a list has no order: {}", min.body);

    let schema = served_schema(&app).await;
    assert!(
        schema.contains("  tags     String[]\n") && schema.contains("  flavours Flavour[]\n"),
        "{schema}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_models_list_reads_the_same_through_its_base() {
    let app = spawn_app_with_schema(
        Backend::Postgres,
        "model media {\n  id Int @id\n  kind String\n  @@delegate(kind)\n}\nmodel clip extends media {\n  tags String[]\n}\n",
    )
    .await;
    for (id, data) in [(1, json!({"id": 1})), (2, json!({"id": 2, "tags": ["a"]}))] {
        let made = app.rpc_post("clip", "create", json!({"data": data})).await;
        assert_eq!(made.status, 201, "{id}: {}", made.body);
    }
    let through_base = app
        .rpc_get("media", "findMany", json!({"orderBy": {"id": "asc"}}))
        .await;
    assert_eq!(
        data(&through_base),
        &json!([{"id": 1, "kind": "clip", "tags": []}, {"id": 2, "kind": "clip", "tags": ["a"]}])
    );
    let filtered = app
        .rpc_get(
            "clip",
            "findMany",
            json!({"where": {"tags": {"has": "a"}}, "select": {"id": true}}),
        )
        .await;
    assert_eq!(data(&filtered), &json!([{"id": 2}]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scalar_lists_are_refused_on_sqlite_and_take_no_default() {
    let refused = try_spawn_app_with_schema(Backend::Sqlite, Some(LISTS))
        .await
        .err()
        .expect("refused on SQLite");
    assert!(
        refused.contains("the scalar list `item.tags` needs PostgreSQL (SQLite has no arrays)"),
        "{refused}"
    );
    let defaulted = try_spawn_app_with_schema(
        Backend::Postgres,
        Some("model a {\n  id Int @id\n  tags String[] @default([])\n}\n"),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        defaulted.contains("`@default` does not apply to the scalar list `tags`"),
        "{defaulted}"
    );
    let dates = try_spawn_app_with_schema(
        Backend::Postgres,
        Some("model a {\n  id Int @id\n  at DateTime[]\n}\n"),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        dates.contains("lists of `DateTime` are not supported"),
        "{dates}"
    );
}
