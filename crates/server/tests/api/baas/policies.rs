//! ZenStack's access policies in the schema (`@@allow`, `@@deny` with `auth()`, relations and
//! collection predicates), enforced in SQL for every caller but the super admin, on their own
//! and next to roles' permissions.

use serde_json::{Value, json};
use tandem_testkit::{Answer, Backend, TestApp, spawn_app_with_schema};

use super::access::{as_user, no_access, q};
use super::{T1, T2, U1, U2, U3, data, ids, served_schema};

const BLOG: &str = r#"
plugin policy {
  provider = "@zenstackhq/plugin-policy"
}

model user {
  email    String    @allow('read', id == auth().id || auth().role == 'ADMIN')
  role     String?
  posts    post[]
  entries  entry[]
  profiles profile[]
  tasks    task[]

  @@auth
  @@allow('read', auth() != null && auth().tenant_id == tenant_id)
}

model post {
  id        String    @id
  title     String
  published Boolean   @default(false)
  secret    Boolean   @default(false)
  rank      Int       @default(0)
  author_id String
  author    user      @relation(fields: [author_id], references: [id])
  comments  comment[]
  replies   reply[]

  @@allow('read', published || author == auth())
  @@allow('create', author == auth())
  @@allow('update', author == auth() && !published)
  @@allow('delete', auth().role == 'ADMIN')
  @@deny('all', secret && auth().role != 'ADMIN')
}

model comment {
  id      String @id
  body    String
  post_id String
  post    post   @relation(fields: [post_id], references: [id])

  @@allow('read', post.published)
  @@allow('create', auth() != null && post.author_id == auth().id)
}

model topic {
  id      String  @id
  name    String
  level   Int?
  entries entry[]

  @@allow('read', entries?[author_id == auth().id] || level >= 3)
  @@deny('read', level < 2)
}

model entry {
  id        String @id
  topic_id  String
  topic     topic  @relation(fields: [topic_id], references: [id])
  author_id String
  author    user   @relation(fields: [author_id], references: [id])

  @@allow('read', true)
}

model profile {
  id       String  @id
  owner_id String
  owner    user    @relation(fields: [owner_id], references: [id])
  bio      String
  salary   Int?    @allow('read', owner_id == auth().id || auth().role == 'ADMIN') @deny('update', auth().role != 'ADMIN')
  note     String? @deny('read', owner_id != auth().id)

  @@allow('all', auth() != null)
}

model reply {
  id      String @id
  post_id String
  post    post   @relation(fields: [post_id], references: [id])

  @@allow('read', check(post))
  @@allow('create', check(post, 'update'))
}

model bid {
  id    String @id
  price Int
  cap   Int?

  @@allow('read', auth() != null && price <= cap)
  @@allow('create', price <= cap)
  @@deny('read', price == cap)
}

model board {
  id    String @id
  tasks task[]

  @@allow('all', auth() != null)
}

model task {
  id       String  @id
  title    String
  status   String
  owner_id String
  owner    user    @relation(fields: [owner_id], references: [id])
  board_id String?
  board    board?  @relation(fields: [board_id], references: [id])

  @@allow('all', auth() != null)
  @@deny('post-update', before().status == 'done' && status != 'done')
  @@deny('post-update', before().board_id != null && board_id != before().board_id)
  @@allow('post-update', owner_id == before().owner_id || auth().role == 'ADMIN')
}

"#;

async fn blog(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, BLOG).await;
    app.seed_people(json!({
        "tenant": [{"id": T1, "name": "Acme"}, {"id": T2, "name": "Globex"}],
        "user": [
            {"id": U1, "email": "alice@example.com", "tenant_id": T1},
            {"id": U2, "email": "bob@example.com", "tenant_id": T1},
            {"id": U3, "email": "carol@example.com", "tenant_id": T2},
        ],
    }))
    .await;
    let admin = app
        .rpc_put(
            "user",
            "update",
            json!({"where": {"id": U2}, "data": {"role": "ADMIN"}}),
        )
        .await;
    assert!(admin.status.is_success(), "{}", admin.body);
    for (model, rows) in [
        (
            "post",
            json!([
                {"id": "p1", "title": "Alice's draft", "author_id": U1},
                {"id": "p2", "title": "Alice's post", "published": true, "author_id": U1},
                {"id": "p3", "title": "Bob's draft", "author_id": U2},
                {"id": "p4", "title": "Bob's secret", "published": true, "secret": true, "author_id": U2},
                {"id": "p5", "title": "Carol's post", "published": true, "author_id": U3},
            ]),
        ),
        (
            "comment",
            json!([
                {"id": "c1", "body": "on a draft", "post_id": "p1"},
                {"id": "c2", "body": "on a post", "post_id": "p2"},
            ]),
        ),
        (
            "topic",
            json!([
                {"id": "t1", "name": "Alice writes here"},
                {"id": "t2", "name": "Nobody writes here"},
                {"id": "t3", "name": "Advanced", "level": 3},
                {"id": "t4", "name": "Beginners", "level": 1},
            ]),
        ),
        (
            "entry",
            json!([{"id": "e1", "topic_id": "t1", "author_id": U1}, {"id": "e2", "topic_id": "t4", "author_id": U1}]),
        ),
        (
            "bid",
            json!([
                {"id": "b1", "price": 5, "cap": 10}, {"id": "b2", "price": 15, "cap": 10},
                {"id": "b3", "price": 5}, {"id": "b4", "price": 10, "cap": 10},
            ]),
        ),
        (
            "reply",
            json!([
                // (None on p3, which a test deletes.)
                {"id": "r1", "post_id": "p1"}, {"id": "r2", "post_id": "p2"},
                {"id": "r4", "post_id": "p4"}, {"id": "r5", "post_id": "p5"},
            ]),
        ),
        ("board", json!([{"id": "bd1"}, {"id": "bd2"}])),
        (
            "task",
            json!([
                {"id": "x1", "title": "Write", "status": "open", "owner_id": U1},
                {"id": "x2", "title": "Ship", "status": "done", "owner_id": U1},
                {"id": "x3", "title": "Placed", "status": "open", "owner_id": U1, "board_id": "bd1"},
            ]),
        ),
        (
            "profile",
            json!([
                {"id": "pa", "owner_id": U1, "bio": "Alice's", "salary": 100, "note": "a note"},
                {"id": "pb", "owner_id": U2, "bio": "Bob's", "salary": 200, "note": "b note"},
                {"id": "pc", "owner_id": U3, "bio": "Carol's", "note": "c note"},
            ]),
        ),
    ] {
        let seeded = app
            .rpc_post(model, "createMany", json!({"data": rows}))
            .await;
        assert!(
            seeded.status.is_success(),
            "seeding {model}: {}",
            seeded.body
        );
    }
    app
}

/// A schema without field-level rules, so a user's single-row create takes the one-statement
/// path (`insert_checked`), whose rule is judged before the row exists.
const FOLDERS: &str = r#"
model folder {
  id        String   @id
  locked    Boolean  @default(false)
  parent_id String?
  parent    folder?  @relation("tree", fields: [parent_id], references: [id])
  children  folder[] @relation("tree")

  @@allow('all', auth() != null)
  @@deny('create', parent.locked)
}
"#;

async fn folders(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, FOLDERS).await;
    app.seed_people(json!({
        "tenant": [{"id": T1, "name": "Acme"}],
        "user": [{"id": U1, "email": "alice@example.com", "tenant_id": T1}],
    }))
    .await;
    app
}

on_both_backends! {
    with folders;

    async fn a_create_rule_through_the_models_own_table_sees_the_new_row(app: TestApp) {
        let alice = app.user_token(U1).await;
        let create = |body| { let (app, alice) = (&app, &alice); async move { write(app, alice, reqwest::Method::POST, "folder", "create", json!({"data": body})).await } };
        assert_eq!(data(&create(json!({"id": "f1", "locked": true})).await)["id"], "f1");
        no_access(&create(json!({"id": "f2", "parent_id": "f1"})).await);
        assert_eq!(data(&create(json!({"id": "f3", "parent_id": "f3"})).await)["id"], "f3", "its own unlocked parent");
        // Its own parent, and locked: the deny holds for the stored row (a check made before
        // the row exists would find no parent, and let it through).
        no_access(&create(json!({"id": "f4", "locked": true, "parent_id": "f4"})).await);
        let left = app.rpc_get("folder", "findMany", json!({"select": {"id": true}})).await;
        assert_eq!(sorted(&left), ["f1", "f3"], "nothing refused was written");
    }
}

async fn get(app: &TestApp, token: Option<&str>, model: &str, op: &str, args: Value) -> Answer {
    let path = format!("/api/model/{model}/{op}{}", q(args));
    match token {
        Some(token) => {
            as_user(
                app,
                reqwest::Method::GET,
                &path,
                token,
                "authorization",
                None,
            )
            .await
        }
        None => {
            let response = app.client.get(app.url(&path)).send().await.unwrap();
            let status = response.status();
            Answer {
                status,
                body: response.json().await.unwrap(),
            }
        }
    }
}

async fn write(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    model: &str,
    op: &str,
    body: Value,
) -> Answer {
    if method == reqwest::Method::DELETE {
        let path = format!("/api/model/{model}/{op}{}", q(body));
        return as_user(app, method, &path, token, "authorization", None).await;
    }
    as_user(
        app,
        method,
        &format!("/api/model/{model}/{op}"),
        token,
        "authorization",
        Some(body),
    )
    .await
}

fn sorted(answer: &Answer) -> Vec<String> {
    let mut out = ids(answer);
    out.sort();
    out
}

on_both_backends! {
    with blog;

    async fn reads_see_what_the_policies_allow_and_nothing_a_deny_holds(app: TestApp) {
        let alice = app.user_token(U1).await;
        let bob = app.user_token(U2).await;
        let carol = app.user_token(U3).await;
        let posts = |token| { let app = &app; async move { sorted(&get(app, token, "post", "findMany", json!({})).await) } };
        // Published, or Alice's own; Bob's secret post is denied to everyone but an admin.
        assert_eq!(posts(Some(&alice)).await, ["p1", "p2", "p5"]);
        assert_eq!(posts(Some(&bob)).await, ["p2", "p3", "p4", "p5"], "Bob is an admin: the deny does not hold for him");
        assert_eq!(posts(Some(&carol)).await, ["p2", "p5"]);
        assert_eq!(posts(None).await, ["p2", "p5"], "anonymous");
        // Counted, nested and filtered the same way.
        assert_eq!(data(&get(&app, Some(&carol), "post", "count", json!({})).await), &json!(2));
        let authors = get(&app, Some(&alice), "user", "findMany", json!({"include": {"posts": {"select": {"id": true}}}, "orderBy": {"id": "asc"}})).await;
        assert_eq!(ids(&authors), [U1, U2], "users of Alice's tenant (the user policy), not Carol");
        let bobs: Vec<&str> = data(&authors)[1]["posts"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert!(bobs.is_empty(), "Bob's draft and secret stay hidden inside the include: {bobs:?}");
        assert_eq!(ids(&get(&app, None, "user", "findMany", json!({})).await), Vec::<String>::new(), "anonymous sees no user");
        // A condition through a relation: comments of published posts.
        assert_eq!(sorted(&get(&app, Some(&alice), "comment", "findMany", json!({})).await), ["c2"]);
        // A collection predicate, or a field: topics Alice wrote in, or advanced ones; not
        // beginners' (denied), while a deny that a NULL leaves undecided does not deny (t1).
        assert_eq!(sorted(&get(&app, Some(&alice), "topic", "findMany", json!({})).await), ["t1", "t3"]);
        assert_eq!(sorted(&get(&app, Some(&bob), "topic", "findMany", json!({})).await), ["t3"]);
        // A page may ask first: deleting posts is for admins (a deny on the model does not
        // make it look possible to others).
        for (token, expected) in [(&alice, false), (&bob, true)] {
            let check = get(&app, Some(token), "post", "check", json!({"operation": "delete"})).await;
            assert_eq!(data(&check), &json!(expected));
        }
        // The super admin is not bound by policies.
        assert_eq!(sorted(&app.rpc_get("post", "findMany", json!({})).await), ["p1", "p2", "p3", "p4", "p5"]);
    }

    async fn writes_are_checked_against_the_policies(app: TestApp) {
        let alice = app.user_token(U1).await;
        let bob = app.user_token(U2).await;
        let post = reqwest::Method::POST;
        // Create: the new row must satisfy the create policy.
        let mine = write(&app, &alice, post.clone(), "post", "create", json!({"data": {"id": "n1", "title": "New", "author_id": U1}})).await;
        assert_eq!(data(&mine)["id"], "n1");
        no_access(&write(&app, &alice, post.clone(), "post", "create", json!({"data": {"id": "n2", "title": "Forged", "author_id": U2}})).await);
        // A secret post is refused outright (the deny covers create), and a comment on her own
        // draft may be created but not read back, so it is undone.
        let secret = write(&app, &alice, post.clone(), "post", "create", json!({"data": {"id": "n3", "title": "Hush", "secret": true, "author_id": U1}})).await;
        no_access(&secret);
        let unreadable = write(&app, &alice, post.clone(), "comment", "create", json!({"data": {"id": "c7", "body": "draft note", "post_id": "p1"}})).await;
        assert_eq!(unreadable.body["error"]["rejectReason"], "cannot-read-back", "{}", unreadable.body);
        assert_eq!(data(&app.rpc_get("comment", "findUnique", json!({"where": {"id": "c7"}})).await), &Value::Null, "undone");
        // Update: checked on the row before the change; a published post is no longer hers to edit.
        let edited = write(&app, &alice, reqwest::Method::PUT, "post", "update", json!({"where": {"id": "p1"}, "data": {"title": "Edited", "published": true}})).await;
        assert_eq!(data(&edited)["title"], "Edited", "the policy holds before the change, which is what counts");
        no_access(&write(&app, &alice, reqwest::Method::PUT, "post", "update", json!({"where": {"id": "p2"}, "data": {"title": "Again"}})).await);
        let many = write(&app, &alice, reqwest::Method::PUT, "post", "updateMany", json!({"data": {"rank": 7}})).await;
        assert_eq!(data(&many), &json!({"count": 1}), "only her remaining draft");
        // Her own profile is hers to change; the fields the app added to `user` are not, unless
        // a rule says so (else anyone could make themselves an admin).
        let renamed = write(&app, &alice, reqwest::Method::PUT, "user", "update", json!({"where": {"id": U1}, "data": {"first_name": "Ally"}})).await;
        assert_eq!(data(&renamed)["first_name"], "Ally");
        for (op, body) in [
            ("update", json!({"where": {"id": U1}, "data": {"role": "ADMIN"}})),
            ("update", json!({"where": {"id": U1}, "data": {"first_name": "A", "role": "ADMIN"}})),
            ("updateMany", json!({"data": {"role": "ADMIN"}})),
        ] {
            let escalate = write(&app, &alice, reqwest::Method::PUT, "user", op, body).await;
            assert!(escalate.status == 403 || escalate.body["data"] == json!({"count": 0}), "{op}: {}", escalate.body);
        }
        let nested = write(&app, &alice, reqwest::Method::PUT, "post", "update", json!({"where": {"id": "n1"}, "data": {"author": {"update": {"role": "ADMIN"}}}})).await;
        assert_ne!(nested.status, 200, "{}", nested.body);
        assert_eq!(data(&app.rpc_get("user", "findUnique", json!({"where": {"id": U1}})).await)["role"], Value::Null);

        // Delete: admins only.
        no_access(&write(&app, &alice, reqwest::Method::DELETE, "post", "delete", json!({"where": {"id": "n1"}})).await);
        let removed = write(&app, &bob, reqwest::Method::DELETE, "post", "delete", json!({"where": {"id": "p3"}})).await;
        assert_eq!(data(&removed)["id"], "p3");
        // A delete answers with the row: one the admin may not read is refused, and undone.
        let unreadable = write(&app, &bob, reqwest::Method::DELETE, "post", "delete", json!({"where": {"id": "n1"}})).await;
        assert_eq!(unreadable.body["error"]["rejectReason"], "cannot-read-back", "{}", unreadable.body);
        // A create rule through a relation: comments on one's own posts only.
        let comment = write(&app, &alice, post.clone(), "comment", "create", json!({"data": {"id": "c8", "body": "mine", "post_id": "p2"}})).await;
        assert_eq!(data(&comment)["id"], "c8");
        no_access(&write(&app, &alice, post, "comment", "create", json!({"data": {"id": "c9", "body": "theirs", "post_id": "p4"}})).await);
        let left = app.rpc_get("post", "findMany", json!({"select": {"id": true}})).await;
        assert_eq!(sorted(&left), ["n1", "p1", "p2", "p4", "p5"], "nothing refused was written");
        assert_eq!(data(&app.rpc_get("post", "findUnique", json!({"where": {"id": "p2"}})).await)["title"], "Alice's post");
    }

    async fn field_policies_hide_values_and_guard_changes(app: TestApp) {
        let alice = app.user_token(U1).await;
        let bob = app.user_token(U2).await;
        let profiles = |token, args| { let app = &app; async move { data(&get(app, Some(token), "profile", "findMany", args).await).clone() } };
        let by_id = json!({"orderBy": {"id": "asc"}});
        // Every row, each field as its reader may see it: NULL where a field rule hides it.
        let mine = profiles(&alice, by_id.clone()).await;
        let seen: Vec<(Value, Value)> = mine.as_array().unwrap().iter().map(|p| (p["salary"].clone(), p["note"].clone())).collect();
        assert_eq!(seen, [(json!(100), json!("a note")), (Value::Null, Value::Null), (Value::Null, Value::Null)]);
        assert_eq!(mine[1]["bio"], "Bob's", "fields without rules stay readable");
        let boss = profiles(&bob, by_id.clone()).await;
        let salaries: Vec<&Value> = boss.as_array().unwrap().iter().map(|p| &p["salary"]).collect();
        assert_eq!(salaries, [&json!(100), &json!(200), &Value::Null], "the admin sees every salary");
        // Filters, order and aggregates see the field as the caller does: a hidden value
        // cannot be found by searching for it.
        let found = profiles(&alice, json!({"where": {"salary": {"gte": 150}}})).await;
        assert_eq!(found, json!([]), "Bob's salary is hidden from Alice, so no filter finds it");
        let found = profiles(&alice, json!({"where": {"salary": null}, "orderBy": {"id": "asc"}, "select": {"id": true}})).await;
        assert_eq!(found, json!([{"id": "pb"}, {"id": "pc"}]), "hidden values are null to the filter");
        let found = profiles(&alice, json!({"where": {"note": {"contains": "note"}}, "orderBy": {"id": "asc"}, "select": {"id": true}})).await;
        assert_eq!(found, json!([{"id": "pa"}]), "only her own note is there to be found");
        let sum = get(&app, Some(&alice), "profile", "aggregate", json!({"_sum": {"salary": true}, "_count": {"note": true}})).await;
        assert_eq!(data(&sum), &json!({"_sum": {"salary": 100}, "_count": {"note": 1}}));
        let ordered = profiles(&alice, json!({"orderBy": [{"salary": {"sort": "desc", "nulls": "last"}}, {"id": "asc"}], "select": {"id": true}})).await;
        assert_eq!(ordered, json!([{"id": "pa"}, {"id": "pb"}, {"id": "pc"}]));
        let users = get(&app, Some(&alice), "user", "findMany", json!({"orderBy": {"id": "asc"}, "select": {"id": true, "email": true}})).await;
        assert_eq!(data(&users), &json!([{"id": U1, "email": "alice@example.com"}, {"id": U2, "email": null}]), "other users' emails are hidden, even in her tenant");
        let nested = get(&app, Some(&alice), "user", "findUnique", json!({"where": {"id": U2}, "include": {"profiles": true}})).await;
        assert_eq!(data(&nested)["profiles"][0]["salary"], Value::Null, "inside an include too");
        // Updates: a field an update rule guards is refused as a whole, before any change.
        let bio = write(&app, &alice, reqwest::Method::PUT, "profile", "update", json!({"where": {"id": "pa"}, "data": {"bio": "new"}})).await;
        assert_eq!(data(&bio)["bio"], "new");
        assert_eq!(data(&bio)["salary"], 100, "the row read back as she may see it");
        let theirs = write(&app, &alice, reqwest::Method::PUT, "profile", "update", json!({"where": {"id": "pb"}, "data": {"bio": "Bob's, edited"}})).await;
        assert_eq!(data(&theirs)["bio"], "Bob's, edited");
        assert_eq!((&data(&theirs)["salary"], &data(&theirs)["note"]), (&Value::Null, &Value::Null), "another's row read back as she may see it");
        // Grouping by a hidden field groups what the caller sees (refused on PostgreSQL for now).
        let grouped = get(&app, Some(&alice), "profile", "groupBy", json!({"by": ["salary"], "_count": {"_all": true}, "orderBy": {"salary": {"sort": "asc", "nulls": "last"}}})).await;
        match grouped.status.as_u16() {
            200 => assert_eq!(data(&grouped), &json!([{"salary": 100, "_count": {"_all": 1}}, {"salary": null, "_count": {"_all": 2}}]), "{}", grouped.body),
            status => {
                assert_eq!(status, 400, "{}", grouped.body);
                assert!(grouped.body["error"]["message"].as_str().unwrap().contains("`salary`, a field that field-level policies hide"), "{}", grouped.body);
            }
        }
        no_access(&write(&app, &alice, reqwest::Method::PUT, "profile", "update", json!({"where": {"id": "pa"}, "data": {"salary": 1000}})).await);
        no_access(&write(&app, &alice, reqwest::Method::PUT, "profile", "updateMany", json!({"data": {"bio": "x", "salary": 0}})).await);
        let raise = write(&app, &bob, reqwest::Method::PUT, "profile", "update", json!({"where": {"id": "pa"}, "data": {"salary": 150}})).await;
        assert_eq!(data(&raise)["salary"], 150, "{}", raise.body);
        let left = app.rpc_get("profile", "findMany", json!({"orderBy": {"id": "asc"}, "select": {"bio": true, "salary": true}})).await;
        assert_eq!(data(&left), &json!([{"bio": "new", "salary": 150}, {"bio": "Bob's, edited", "salary": 200}, {"bio": "Carol's", "salary": null}]), "nothing refused was written; the super admin sees every field");
        // A created row answers as the caller may see it.
        let created = write(&app, &bob, reqwest::Method::POST, "profile", "create", json!({"data": {"id": "pd", "owner_id": U1, "bio": "by Bob", "note": "for Alice"}})).await;
        assert_eq!(data(&created)["note"], Value::Null, "{}", created.body);
        // The schema says so.
        let printed = served_schema(&app).await;
        assert!(printed.contains(r#"salary   Int? @allow("read", ((owner_id == auth().id) || (auth().role == "ADMIN"))) @deny("update", (auth().role != "ADMIN"))"#), "{printed}");
    }

    async fn post_update_policies_judge_the_changed_row_against_the_row_before(app: TestApp) {
        let alice = app.user_token(U1).await;
        let bob = app.user_token(U2).await;
        let update = |token, id: &str, data: Value| { let app = &app; let body = json!({"where": {"id": id}, "data": data}); async move { write(app, token, reqwest::Method::PUT, "task", "update", body).await } };
        assert_eq!(data(&update(&alice, "x1", json!({"status": "done"})).await)["status"], "done");
        // A done task cannot be reopened, by anyone.
        no_access(&update(&alice, "x1", json!({"status": "open"})).await);
        no_access(&update(&bob, "x2", json!({"status": "open"})).await);
        assert_eq!(data(&update(&alice, "x2", json!({"title": "Shipped"})).await)["title"], "Shipped", "it may change while it stays done");
        // Only an admin hands a task to someone else.
        no_access(&update(&alice, "x2", json!({"owner_id": U2})).await);
        assert_eq!(data(&update(&bob, "x2", json!({"owner_id": U2})).await)["owner_id"], U2);
        // updateMany: one row that fails refuses them all.
        no_access(&write(&app, &alice, reqwest::Method::PUT, "task", "updateMany", json!({"data": {"status": "open"}})).await);
        let left = app.rpc_get("task", "findMany", json!({"where": {"id": {"in": ["x1", "x2"]}}, "orderBy": {"id": "asc"}, "select": {"status": true, "owner_id": true, "title": true}})).await;
        assert_eq!(data(&left), &json!([{"status": "done", "owner_id": U1, "title": "Write"}, {"status": "done", "owner_id": U2, "title": "Shipped"}]), "nothing refused was written");
        let renamed = write(&app, &alice, reqwest::Method::PUT, "task", "updateMany", json!({"where": {"owner_id": U1}, "data": {"title": "Written"}})).await;
        assert_eq!(data(&renamed), &json!({"count": 2}), "{}", renamed.body);
        // A task placed on a board stays there: moving it through the other board's nested
        // connect is an update of the task too.
        let moved = write(&app, &alice, reqwest::Method::PUT, "board", "update", json!({"where": {"id": "bd2"}, "data": {"tasks": {"connect": {"id": "x3"}}}})).await;
        no_access(&moved);
        let placed = write(&app, &alice, reqwest::Method::PUT, "board", "update", json!({"where": {"id": "bd2"}, "data": {"tasks": {"connect": {"id": "x1"}}}})).await;
        assert_eq!(placed.status, 200, "an unplaced task may be placed: {}", placed.body);
        let boards = app.rpc_get("task", "findMany", json!({"where": {"id": {"in": ["x1", "x3"]}}, "orderBy": {"id": "asc"}, "select": {"board_id": true}})).await;
        assert_eq!(data(&boards), &json!([{"board_id": "bd2"}, {"board_id": "bd1"}]));
    }

    async fn two_fields_of_the_row_compared(app: TestApp) {
        let alice = app.user_token(U1).await;
        // Within its cap, and not at it (the deny); without a cap, unknown: hidden.
        assert_eq!(sorted(&get(&app, Some(&alice), "bid", "findMany", json!({})).await), ["b1"]);
        no_access(&write(&app, &alice, reqwest::Method::POST, "bid", "create", json!({"data": {"id": "b5", "price": 20, "cap": 10}})).await);
        no_access(&write(&app, &alice, reqwest::Method::POST, "bid", "create", json!({"data": {"id": "b6", "price": 20}})).await);
        let ok = write(&app, &alice, reqwest::Method::POST, "bid", "create", json!({"data": {"id": "b7", "price": 1, "cap": 2}})).await;
        assert_eq!(data(&ok)["id"], "b7");
    }

    async fn check_asks_the_related_rows_own_policies(app: TestApp) {
        let alice = app.user_token(U1).await;
        let bob = app.user_token(U2).await;
        let replies = |token| { let app = &app; async move { sorted(&get(app, token, "reply", "findMany", json!({})).await) } };
        // A reply is readable where its post is (the post's @@allow and @@deny decide).
        assert_eq!(replies(Some(&alice)).await, ["r1", "r2", "r5"]);
        assert_eq!(replies(Some(&bob)).await, ["r2", "r4", "r5"]);
        assert_eq!(replies(None).await, ["r2", "r5"]);
        // Created only on a post the caller may update (her own draft).
        let ok = write(&app, &alice, reqwest::Method::POST, "reply", "create", json!({"data": {"id": "r6", "post_id": "p1"}})).await;
        assert_eq!(data(&ok)["id"], "r6");
        no_access(&write(&app, &alice, reqwest::Method::POST, "reply", "create", json!({"data": {"id": "r7", "post_id": "p2"}})).await);
    }

    async fn policies_and_role_permissions_combine(app: TestApp) {
        // A role grants reading every post; the deny still holds.
        let role = app.graphql("mutation($role: RoleCreateDto!) { createRole(role: $role) { id } }", json!({"role": {"key": "editor", "name": "Editor", "isSystemManaged": false, "permissionAssignments": [{"operation": "read", "scope": "all", "projectEntityId": "post"}]}})).await;
        role.data("createRole");
        app.graphql("mutation { assignRolesToUser(userId: \"00000000-0000-4000-8000-000000000003\", roleKeys: [\"editor\"]) }", json!({})).await.data("assignRolesToUser");
        app.wait_for_sync().await;
        let carol = app.user_token(U3).await;
        assert_eq!(sorted(&get(&app, Some(&carol), "post", "findMany", json!({})).await), ["p1", "p2", "p3", "p5"], "every post but the denied secret one");
        // A role's scope keeps a row inside it, next to a policy that governs updates too.
        let granted = app.graphql("mutation($role: RoleCreateDto!) { createRole(role: $role) { id } }", json!({"role": {"key": "mover", "name": "Mover", "isSystemManaged": false, "permissionAssignments": [{"operation": "update", "scope": "tenant", "projectEntityId": "post"}]}})).await;
        granted.data("createRole");
        app.graphql("mutation { assignRolesToUser(userId: \"00000000-0000-4000-8000-000000000003\", roleKeys: [\"mover\"]) }", json!({})).await.data("assignRolesToUser");
        app.wait_for_sync().await;
        let retitled = write(&app, &carol, reqwest::Method::PUT, "post", "update", json!({"where": {"id": "p5"}, "data": {"title": "Carol's, retitled"}})).await;
        assert_eq!(data(&retitled)["title"], "Carol's, retitled", "her tenant's post, by the role");
        let moved = write(&app, &carol, reqwest::Method::PUT, "post", "update", json!({"where": {"id": "p5"}, "data": {"author_id": U1}})).await;
        no_access(&moved);
        assert_eq!(data(&app.rpc_get("post", "findUnique", json!({"where": {"id": "p5"}})).await)["author_id"], U3, "not moved to another tenant");
    }
}

#[test]
fn policies_outside_the_supported_subset_are_refused_with_their_position() {
    let error = |policy: &str| {
        let schema = format!("model post {{\n  id String @id\n  n Int\n  {policy}\n}}\n");
        tandem_baas::schema::Schema::from_source("schema.prisma", &schema)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("@@allow('read', nope == 1)"),
        "schema.prisma:4:24: `post` has no field `nope`"
    );
    assert!(error("@@allow('read', future().n == 1)").starts_with(
        "schema.prisma:4:27: `future()` is ZenStack v2's: in v3 write a 'post-update' policy"
    ));
    assert!(error("@@allow('write', true)").contains("unknown operation 'write'"));
    assert!(error("@@allow('read', n == 'x')").contains("\"x\" is not a value of a Int field"));
    assert!(error("@@allow('read', n)").contains("`n` is not a Boolean"));
    assert!(
        error("@@allow('read', auth().nickname == 'a')")
            .contains("the `user` model has no field `nickname`")
    );
    assert!(
        error("@@deny('read', before().n == 1)")
            .contains("`before()` is the row before an update: it is only known in a policy of 'post-update' alone")
    );
    assert!(
        error("@@deny('post-update', before().nope == 1)")
            .contains("the `post` model has no field `nope`")
    );
    assert!(error("@@allow('read')").contains("takes two arguments"));
    assert!(error("@@allow('read', check(n))").contains("`n` is not a relation"));
    assert!(error("@@owner(n)").contains("`n` is not a relation to `user` holding its key"));
    assert!(
        error("@@allow('read', n == id)")
            .contains("`n` (Int) and `id` (String) are of different types")
    );
    let circle = "model a {\n  id String @id\n  b_id String\n  b b @relation(fields: [b_id], references: [id])\n  cs c[]\n  @@allow('read', check(b))\n}\nmodel b {\n  id String @id\n  as a[]\n  c_id String\n  c c @relation(fields: [c_id], references: [id])\n  @@allow('read', check(c))\n}\nmodel c {\n  id String @id\n  bs b[]\n  a_id String\n  a a @relation(fields: [a_id], references: [id])\n  @@allow('read', check(a))\n}\n";
    let refused = tandem_baas::schema::Schema::from_source("schema.prisma", circle)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("`check()` goes round in a circle (a → b → c → a)"),
        "{refused}"
    );
    let field = |policy: &str| {
        let schema = format!(
            "model post {{
  id String @id {policy}
  n Int @deny('create', true)
}}
"
        );
        tandem_baas::schema::Schema::from_source("schema.prisma", &schema)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert!(
        field("@allow('read', n > 1)").starts_with("schema.prisma:2:18: `id` is the id of `post`"),
        "{}",
        field("@allow('read', n > 1)")
    );
    assert!(
        field("")
            .starts_with("schema.prisma:3:15: a field-level policy applies to 'read' and 'update'"),
        "{}",
        field("")
    );
    // A literal the field cannot hold is refused at start, not on every request.
    assert!(error("@@allow('read', n > 1.5)").contains("is not a value of a Int field"));
    assert!(error("@@allow('read', n == 3000000000)").contains("is not a value of a Int field"));
}

const CLEARANCE: &str = r#"
model user {
  clearance Int @default(0) @omit
}

model dossier {
  id    String @id
  level Int
  @@allow('all', auth().clearance >= level)
}
"#;

async fn clearance(backend: Backend) -> TestApp {
    let app = spawn_app_with_schema(backend, CLEARANCE).await;
    app.seed_people(json!({
        "tenant": [{"id": T1, "name": "Acme"}],
        "user": [{"id": U1, "email": "alice@example.com", "tenant_id": T1}],
    }))
    .await;
    app
}

on_both_backends! {
    with clearance;

    async fn auth_reads_the_users_omitted_fields_too(app: TestApp) {
        let made = app.rpc_post("dossier", "createMany", json!({"data": [{"id": "d0", "level": 0}, {"id": "d5", "level": 5}]})).await;
        assert_eq!(data(&made), &json!({"count": 2}));
        let raised = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"clearance": 5}})).await;
        assert_eq!(raised.status, 200, "{}", raised.body);
        assert!(data(&raised).get("clearance").is_none(), "@omit hides it from reads");
        let alice = app.user_token(U1).await;
        let seen = get(&app, Some(&alice), "dossier", "findMany", json!({"select": {"id": true}})).await;
        assert_eq!(sorted(&seen), ["d0", "d5"], "auth().clearance is 5, though reads leave it out");
    }
}
