//! Implicit many-to-many relations (both sides lists, no `fields`): the pairs live in Prisma's
//! join table (`_AToB`, or `_<relation name>`), and every read and nested write goes through it.

use serde_json::{Value, json};
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema, try_spawn_app_with_schema};

use super::{T1, U1, data, error};

const TAGS: &str = r#"
model post {
  id    Int    @id
  title String
  tags  tag[]
  likes person[] @relation("likes")
}

model tag {
  id    String @id
  posts post[]
}

model person {
  id        Int      @id
  liked     post[]   @relation("likes")
  following person[] @relation("follows")
  followers person[] @relation("follows")
}
"#;

async fn tags(backend: Backend) -> TestApp {
    spawn_app_with_schema(backend, TAGS).await
}

fn ids(value: &Value) -> Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|row| row["id"].clone())
        .collect()
}

on_both_backends! {
    with tags;

    async fn pairs_are_written_read_and_filtered_through_the_join_table(app: TestApp) {
        let created = app.rpc_post("post", "create", json!({
            "data": {"id": 1, "title": "One", "tags": {"create": [{"id": "rust"}, {"id": "db"}]}},
            "include": {"tags": {"orderBy": {"id": "asc"}}},
        })).await;
        assert_eq!(data(&created)["tags"], json!([{"id": "db"}, {"id": "rust"}]), "{}", created.body);
        let second = app.rpc_post("post", "create", json!({"data": {"id": 2, "title": "Two", "tags": {"connect": [{"id": "rust"}], "connectOrCreate": [{"where": {"id": "web"}, "create": {"id": "web"}}]}}})).await;
        assert_eq!(second.status, 201, "{}", second.body);
        // Connecting an already paired row changes nothing; a missing one is not found.
        let again = app.rpc_put("post", "update", json!({"where": {"id": 2}, "data": {"tags": {"connect": {"id": "rust"}}}, "include": {"_count": {"select": {"tags": true}}}})).await;
        assert_eq!(data(&again)["_count"]["tags"], 2);
        let missing = app.rpc_put("post", "update", json!({"where": {"id": 2}, "data": {"tags": {"connect": {"id": "nope"}}}})).await;
        assert_eq!(error(&missing), (404, "not-found".into()));

        // Both sides read the pairs; filters and counts go through them.
        let rust = app.rpc_get("tag", "findUnique", json!({"where": {"id": "rust"}, "include": {"posts": {"orderBy": {"id": "desc"}, "take": 1}}})).await;
        assert_eq!(ids(&data(&rust)["posts"]), [json!(2)], "take applies per parent");
        let tagged = app.rpc_get("post", "findMany", json!({"where": {"tags": {"some": {"id": "db"}}}})).await;
        assert_eq!(ids(data(&tagged)), [json!(1)]);
        let untagged_web = app.rpc_get("post", "findMany", json!({"where": {"tags": {"none": {"id": "web"}}}, "orderBy": {"id": "asc"}})).await;
        assert_eq!(ids(data(&untagged_web)), [json!(1)]);
        let by_count = app.rpc_get("tag", "findMany", json!({"orderBy": [{"posts": {"_count": "desc"}}, {"id": "asc"}], "select": {"id": true, "_count": {"select": {"posts": true}}}})).await;
        assert_eq!(data(&by_count), &json!([
            {"id": "rust", "_count": {"posts": 2}},
            {"id": "db", "_count": {"posts": 1}},
            {"id": "web", "_count": {"posts": 1}},
        ]));

        // Disconnect and set change pairs only; delete removes the row and its pairs.
        let off = app.rpc_put("post", "update", json!({"where": {"id": 1}, "data": {"tags": {"disconnect": {"id": "db"}}}, "include": {"tags": true}})).await;
        assert_eq!(ids(&data(&off)["tags"]), [json!("rust")]);
        let db = app.rpc_get("tag", "count", json!({"where": {"id": "db"}})).await;
        assert_eq!(data(&db), &json!(1), "the tag stays");
        let set = app.rpc_put("post", "update", json!({"where": {"id": 2}, "data": {"tags": {"set": [{"id": "db"}]}}, "include": {"tags": true}})).await;
        assert_eq!(ids(&data(&set)["tags"]), [json!("db")]);
        let renamed = app.rpc_put("post", "update", json!({"where": {"id": 2}, "data": {"tags": {"updateMany": {"where": {}, "data": {}}, "delete": {"id": "db"}}}, "include": {"tags": true}})).await;
        assert_eq!(data(&renamed)["tags"], json!([]), "{}", renamed.body);
        let gone = app.rpc_get("tag", "findMany", json!({"orderBy": {"id": "asc"}, "include": {"posts": true}})).await;
        assert_eq!(data(&gone), &json!([{"id": "rust", "posts": [{"id": 1, "title": "One"}]}, {"id": "web", "posts": []}]));
        let deleted = app.rpc_delete("post", "delete", json!({"where": {"id": 1}})).await;
        assert_eq!(deleted.status, 200, "{}", deleted.body);
        let rust = app.rpc_get("tag", "findUnique", json!({"where": {"id": "rust"}, "include": {"posts": true}})).await;
        assert_eq!(data(&rust)["posts"], json!([]), "the deleted post's pairs went with it");

        // The tables are Prisma's: `_postTotag` with A = the post (first by name), B = the tag;
        // a named relation's is `_<name>` (A = the person, as `person` < `post`).
        assert_eq!(app.rpc_post("person", "create", json!({"data": {"id": 1}})).await.status, 201);
        let store = tandem_sql::Db::connect(&app.config.baas_db, Default::default()).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.execute_ddl(r#"INSERT INTO "_postTotag" ("A", "B") VALUES (2, 'web'); INSERT INTO "_likes" ("A", "B") VALUES (1, 2)"#).await.unwrap();
        tx.commit().await.unwrap();
        store.close().await;
        let two = app.rpc_get("post", "findUnique", json!({"where": {"id": 2}, "include": {"tags": true, "likes": true}})).await;
        assert_eq!((ids(&data(&two)["tags"]), ids(&data(&two)["likes"])), (vec![json!("web")], vec![json!(1)]));
    }

    async fn named_and_self_relations_keep_their_sides_apart(app: TestApp) {
        for id in [1, 2, 3] {
            let p = app.rpc_post("person", "create", json!({"data": {"id": id}})).await;
            assert_eq!(p.status, 201, "{}", p.body);
        }
        let follow = app.rpc_put("person", "update", json!({"where": {"id": 1}, "data": {"following": {"connect": [{"id": 2}, {"id": 3}]}}})).await;
        assert_eq!(follow.status, 200, "{}", follow.body);
        let two = app.rpc_get("person", "findUnique", json!({"where": {"id": 2}, "include": {"followers": true, "following": true}})).await;
        assert_eq!((ids(&data(&two)["followers"]), ids(&data(&two)["following"])), (vec![json!(1)], vec![]));
        let one = app.rpc_get("person", "findUnique", json!({"where": {"id": 1}, "select": {"_count": {"select": {"followers": true, "following": true}}}})).await;
        assert_eq!(data(&one), &json!({"_count": {"followers": 0, "following": 2}}));

        let post = app.rpc_post("post", "create", json!({"data": {"id": 7, "title": "P", "likes": {"connect": {"id": 3}}}})).await;
        assert_eq!(post.status, 201, "{}", post.body);
        let liked = app.rpc_get("person", "findMany", json!({"where": {"liked": {"some": {}}}})).await;
        assert_eq!(ids(data(&liked)), [json!(3)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_many_to_many_relation_needs_single_field_ids() {
    let refused = try_spawn_app_with_schema(
        Backend::Sqlite,
        Some("model a {\n  x Int\n  y Int\n  bs b[]\n  @@id([x, y])\n}\nmodel b {\n  id Int @id\n  as a[]\n}\n"),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        refused.contains("needs a single-field @id on `a`"),
        "{refused}"
    );
}

/// Pairing with the Platform's users changes no user row: it is allowed like any other.
const TEAMS: &str = r#"
model user {
  teams team[]
}

model team {
  id      Int    @id
  members user[]
}
"#;

async fn teams(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, TEAMS).await;
    app.seed_people(json!({
        "tenant": [{"id": T1, "name": "Acme", "created_at": "2020-01-01T00:00:00.000Z"}],
        "user": [{"id": U1, "email": "alice@example.com", "tenant_id": T1, "created_at": "2020-02-01T00:00:00.000Z"}],
    }))
    .await;
    app
}

on_both_backends! {
    with teams;

    async fn users_are_paired_without_changing_them(app: TestApp) {
        let team = app.rpc_post("team", "create", json!({"data": {"id": 1, "members": {"connect": {"id": U1}}}, "include": {"members": {"select": {"email": true}}}})).await;
        assert_eq!(data(&team)["members"], json!([{"email": "alice@example.com"}]), "{}", team.body);
        let off = app.rpc_put("team", "update", json!({"where": {"id": 1}, "data": {"members": {"disconnect": {"id": U1}}}, "include": {"members": true}})).await;
        assert_eq!(data(&off)["members"], json!([]), "{}", off.body);
        let from_user = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"teams": {"connect": {"id": 1}}}, "include": {"teams": true}})).await;
        assert_eq!(data(&from_user)["teams"], json!([{"id": 1}]), "{}", from_user.body);
        // Creating a user through the relation stays refused: users come from the Platform.
        let create = app.rpc_put("team", "update", json!({"where": {"id": 1}, "data": {"members": {"create": {"id": "00000000-0000-4000-8000-000000000009", "email": "x@example.com", "tenant_id": T1}}}})).await;
        assert_eq!(create.status, 403, "{}", create.body);
    }
}
