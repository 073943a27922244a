//! `enum` blocks: fields typed by an enum take only its values (in writes, filters and
//! defaults), filter by equality only, sort in the declared order on PostgreSQL (as the native
//! enum ZenStack creates there) and by text on SQLite, and enum values work in policies.

use serde_json::{Value, json};
use tandem_testkit::{Backend, TestApp, spawn_app_with_schema};

use super::access::{as_user, q};
use super::{T1, U1, U2, data, ids, served_schema};

const TASKS: &str = r#"
enum Role {
  MEMBER
  ADMIN
}

/// Declared out of alphabetical order on purpose.
enum Priority {
  LOW
  MEDIUM
  HIGH
}

model user {
  role  Role   @default(MEMBER)
  tasks task[]
}

model task {
  id       String    @id
  title    String
  priority Priority  @default(MEDIUM)
  label    Priority?
  owner_id String
  owner    user      @relation(fields: [owner_id], references: [id])

  @@allow('read', owner == auth() || auth().role == ADMIN)
  @@allow('create,update,delete', auth().role == ADMIN)
}
"#;

async fn tasks(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, TASKS).await;
    app.seed_people(json!({
        "tenant": [{"id": T1, "name": "Acme", "created_at": "2020-01-01T00:00:00.000Z"}],
        "user": [
            {"id": U1, "email": "alice@example.com", "tenant_id": T1, "created_at": "2020-02-01T00:00:00.000Z"},
            {"id": U2, "email": "bob@example.com", "tenant_id": T1, "created_at": "2020-02-02T00:00:00.000Z"},
        ],
    }))
    .await;
    let created = app
        .rpc_post(
            "task",
            "createMany",
            json!({"data": [
                {"id": "t1", "title": "a", "priority": "HIGH", "owner_id": U1},
                {"id": "t2", "title": "b", "priority": "LOW", "label": "HIGH", "owner_id": U1},
                {"id": "t3", "title": "c", "owner_id": U2},
            ]}),
        )
        .await;
    assert_eq!(created.body, json!({"data": {"count": 3}}), "seeding tasks");
    app
}

fn refused(answer: &tandem_testkit::Answer, needle: &str) {
    assert_eq!(answer.status, 422, "{}", answer.body);
    let message = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{needle} in {message}");
}

on_both_backends! {
    with tasks;

    async fn enum_fields_take_their_values_and_defaults(app: TestApp) {
        let schema = served_schema(&app).await;
        assert!(schema.contains("enum Priority {\n  LOW\n  MEDIUM\n  HIGH\n}"), "{schema}");
        assert!(schema.contains("Priority @default(MEDIUM)"), "{schema}");

        // Users come from the Platform; the column's default fills the app's enum field.
        let alice = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}, "select": {"role": true}})).await;
        assert_eq!(data(&alice), &json!({"role": "MEMBER"}));
        let t3 = app.rpc_get("task", "findUnique", json!({"where": {"id": "t3"}})).await;
        assert_eq!(data(&t3)["priority"], "MEDIUM");
        assert_eq!(data(&t3)["label"], Value::Null);

        let bad = app.rpc_post("task", "create", json!({"data": {"id": "t9", "title": "x", "priority": "URGENT", "owner_id": U1}})).await;
        refused(&bad, r#"expected one of "LOW" | "MEDIUM" | "HIGH" at "data.priority""#);
        let bad = app.rpc_post("task", "create", json!({"data": {"id": "t9", "title": "x", "priority": 2, "owner_id": U1}})).await;
        refused(&bad, "expected one of");
        let bad = app.rpc_put("task", "update", json!({"where": {"id": "t1"}, "data": {"priority": "low"}})).await;
        refused(&bad, "expected one of");
        // ZenStack takes an enum's new value bare, not as `{set}`.
        let bad = app.rpc_put("task", "update", json!({"where": {"id": "t1"}, "data": {"priority": {"set": "LOW"}}})).await;
        refused(&bad, "expected one of");
        let bad = app.rpc_put("task", "update", json!({"where": {"id": "t1"}, "data": {"priority": null}})).await;
        refused(&bad, "expected one of");
        let count = app.rpc_get("task", "count", json!({})).await;
        assert_eq!(count.body, json!({"data": 3}), "nothing was written");

        let set = app.rpc_put("task", "update", json!({"where": {"id": "t1"}, "data": {"priority": "LOW", "label": "MEDIUM"}})).await;
        assert_eq!((&data(&set)["priority"], &data(&set)["label"]), (&json!("LOW"), &json!("MEDIUM")));
    }

    async fn enum_filters_are_equality_only(app: TestApp) {
        let find = |filter: Value| {
            let app = &app;
            async move { app.rpc_get("task", "findMany", json!({"where": filter, "orderBy": {"id": "asc"}})).await }
        };
        assert_eq!(ids(&find(json!({"priority": "HIGH"})).await), ["t1"]);
        assert_eq!(ids(&find(json!({"priority": {"equals": "LOW"}})).await), ["t2"]);
        assert_eq!(ids(&find(json!({"priority": {"in": ["LOW", "MEDIUM"]}})).await), ["t2", "t3"]);
        assert_eq!(ids(&find(json!({"priority": {"notIn": ["LOW"]}})).await), ["t1", "t3"]);
        assert_eq!(ids(&find(json!({"priority": {"not": "HIGH"}})).await), ["t2", "t3"]);
        assert_eq!(ids(&find(json!({"label": null})).await), ["t1", "t3"]);
        assert_eq!(ids(&find(json!({"label": {"not": null}})).await), ["t2"]);
        refused(&find(json!({"priority": "URGENT"})).await, "expected one of");
        refused(&find(json!({"priority": {"in": ["LOW", "NOPE"]}})).await, r#"at "where.priority.in.1""#);
        refused(&find(json!({"priority": {"contains": "H"}})).await, r#"Unrecognized key: "contains""#);
        refused(&find(json!({"priority": {"gt": "LOW"}})).await, r#"Unrecognized key: "gt""#);

        let groups = app.rpc_get("task", "groupBy", json!({"by": ["priority"], "_count": {"_all": true}, "orderBy": {"priority": "asc"}})).await;
        let order: Vec<&str> = data(&groups).as_array().unwrap().iter().map(|g| g["priority"].as_str().unwrap()).collect();
        assert_eq!(order, expected_order(&app, ["HIGH", "LOW", "MEDIUM"]));
    }

    async fn enums_sort_as_zenstack_sorts_them_on_each_dialect(app: TestApp) {
        let sorted = |order: &'static str| {
            let app = &app;
            async move {
                let rows = app.rpc_get("task", "findMany", json!({"orderBy": [{"priority": order}, {"id": "asc"}]})).await;
                ids(&rows)
            }
        };
        // Ranks: t1 HIGH, t2 LOW, t3 MEDIUM.
        assert_eq!(sorted("asc").await, expected_order(&app, ["t1", "t2", "t3"]));
        let mut desc = expected_order(&app, ["t1", "t2", "t3"]);
        desc.reverse();
        assert_eq!(sorted("desc").await, desc);
        // A cursor walks the same order.
        let first = ids(&app.rpc_get("task", "findMany", json!({"orderBy": {"priority": "asc"}, "take": 1})).await);
        let next = app.rpc_get("task", "findMany", json!({"orderBy": {"priority": "asc"}, "cursor": {"id": first[0]}, "skip": 1})).await;
        assert_eq!(ids(&next), expected_order(&app, ["t1", "t2", "t3"])[1..]);
    }

    async fn enum_values_decide_policies(app: TestApp) {
        let token = app.user_token(U1).await;
        let read = |token: String| {
            let app = &app;
            async move {
                let path = format!("/api/model/task/findMany{}", q(json!({"orderBy": {"id": "asc"}})));
                as_user(app, reqwest::Method::GET, &path, &token, "authorization", None).await
            }
        };
        assert_eq!(ids(&read(token.clone()).await), ["t1", "t2"], "a MEMBER reads their own tasks");
        let promoted = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"role": "ADMIN"}})).await;
        assert_eq!(data(&promoted)["role"], "ADMIN");
        // A caller's row is taken on trust for up to two seconds (`USER_MEMORY`).
        app.clock.advance(chrono::Duration::seconds(3));
        assert_eq!(ids(&read(token).await), ["t1", "t2", "t3"], "an ADMIN reads every task");
    }
}

/// `[HIGH, LOW, MEDIUM]`-ranked items in the order each dialect sorts the enum: declared
/// (LOW, MEDIUM, HIGH) on PostgreSQL, text on SQLite.
fn expected_order<const N: usize>(
    app: &TestApp,
    text_order: [&'static str; N],
) -> Vec<&'static str> {
    match app.backend {
        Backend::Sqlite => text_order.to_vec(),
        Backend::Postgres => vec![text_order[1], text_order[2], text_order[0]],
    }
}

/// `@map` on enum values: the database holds the mapped texts, the API the values' names.
const LEVELS: &str = r#"
enum Level {
  LOW  @map("lvl_low")
  HIGH @map("lvl_high")
  MID
}

model item {
  id    Int     @id
  level Level   @default(LOW)
  note  String?
}
"#;

async fn levels(backend: Backend) -> TestApp {
    spawn_app_with_schema(backend, LEVELS).await
}

on_both_backends! {
    with levels;

    async fn mapped_enum_values_are_stored_as_mapped_and_read_as_named(app: TestApp) {
        let created = app.rpc_post("item", "createManyAndReturn", json!({"data": [{"id": 1}, {"id": 2, "level": "HIGH"}, {"id": 3, "level": "MID"}]})).await;
        assert_eq!(data(&created), &json!([
            {"id": 1, "level": "LOW", "note": null},
            {"id": 2, "level": "HIGH", "note": null},
            {"id": 3, "level": "MID", "note": null},
        ]));
        let high = app.rpc_get("item", "findMany", json!({"where": {"level": {"in": ["HIGH", "LOW"]}}, "orderBy": {"id": "asc"}, "select": {"id": true}})).await;
        assert_eq!(data(&high), &json!([{"id": 1}, {"id": 2}]));
        let not_low = app.rpc_get("item", "count", json!({"where": {"level": {"not": "LOW"}}})).await;
        assert_eq!(data(&not_low), &json!(2));
        let updated = app.rpc_put("item", "update", json!({"where": {"id": 3}, "data": {"level": "LOW"}})).await;
        assert_eq!(data(&updated)["level"], "LOW");
        let extremes = app.rpc_get("item", "aggregate", json!({"_min": {"level": true}, "_max": {"level": true}})).await;
        assert_eq!(data(&extremes), &json!({"_min": {"level": "HIGH"}, "_max": {"level": "LOW"}}), "least and greatest of the names, as ZenStack");
        let groups = app.rpc_get("item", "groupBy", json!({"by": ["level"], "_count": true, "orderBy": {"level": "asc"}})).await;
        let levels: Vec<&Value> = data(&groups).as_array().unwrap().iter().map(|g| &g["level"]).collect();
        assert!(levels.contains(&&json!("LOW")) && levels.contains(&&json!("HIGH")), "{}", groups.body);

        // The table holds the mapped texts (and takes them as the column's default).
        let db = tandem_sql::Db::connect(&app.config.baas_db, Default::default()).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.execute_ddl("UPDATE item SET note = 'raw' WHERE level = 'lvl_low'; INSERT INTO item (id) VALUES (9)").await.unwrap();
        tx.commit().await.unwrap();
        db.close().await;
        let raw = app.rpc_get("item", "findMany", json!({"where": {"note": "raw"}, "orderBy": {"id": "asc"}, "select": {"id": true}})).await;
        assert_eq!(data(&raw), &json!([{"id": 1}, {"id": 3}]));
        let inserted = app.rpc_get("item", "findUnique", json!({"where": {"id": 9}})).await;
        assert_eq!(data(&inserted)["level"], "LOW", "the column's default is the mapped text");

        let schema = served_schema(&app).await;
        assert!(schema.contains("  LOW @map(\"lvl_low\")\n  HIGH @map(\"lvl_high\")\n  MID\n"), "{schema}");
    }
}
