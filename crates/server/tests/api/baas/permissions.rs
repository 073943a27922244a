//! ROQ's permissions, managed through the server GraphQL as `@roq/nodejs` sends them
//! (`createRole` with `permissionAssignments`, `updateProjectPermissions`, `permissions`),
//! reach the BaaS by sync and decide what a user's token (or an anonymous caller) may do there,
//! from the next request after sync delivers the change.

use serde_json::{Value, json};
use tandem_testkit::{Answer, TestApp};

use super::access::{as_user, no_access, q};
use super::{U1, U2, U3, data, ids, library};

const CREATE_ROLE: &str = "mutation($role: RoleCreateDto!) { createRole(role: $role) { id key } }";
const UPDATE: &str = "mutation($roleId: ID!, $p: ProjectPermissionsDto!) {
    updateProjectPermissions(roleId: $roleId, projectPermissions: $p) { id key } }";
const ASSIGN: &str =
    "mutation($u: ID!, $k: [String!]!) { assignRolesToUser(userId: $u, roleKeys: $k) }";
const UNASSIGN: &str =
    "mutation($u: ID!, $k: [String!]!) { unassignRolesFromUser(userId: $u, roleKeys: $k) }";

async fn create_role(app: &TestApp, key: &str, assignments: Value) -> String {
    let answer = app
        .graphql(
            CREATE_ROLE,
            json!({"role": {"key": key, "name": key, "isSystemManaged": false, "permissionAssignments": assignments}}),
        )
        .await;
    answer.data("createRole")["id"].as_str().unwrap().to_owned()
}

async fn set_book_permissions(app: &TestApp, role_id: &str, assignments: Value) -> Answer {
    app.graphql(
        UPDATE,
        json!({"roleId": role_id, "p": {"projectEntityId": "book", "permissionAssignments": assignments, "projectEntityPaths": []}}),
    )
    .await
}

async fn books(app: &TestApp, token: &str) -> Vec<String> {
    let answer = as_user(
        app,
        reqwest::Method::GET,
        &format!(
            "/api/model/book/findMany{}",
            q(json!({"orderBy": {"id": "asc"}}))
        ),
        token,
        "authorization",
        None,
    )
    .await;
    ids(&answer)
}

async fn create_book(app: &TestApp, token: &str, title: &str, author: &str) -> Answer {
    as_user(
        app,
        reqwest::Method::POST,
        "/api/model/book/create",
        token,
        "authorization",
        Some(json!({"data": {"title": title, "author_id": author}})),
    )
    .await
}

fn error_code(answer: &Answer) -> &str {
    answer.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a GraphQL error: {}", answer.body))
}

on_both_backends! {
    with library;

    async fn a_roles_permissions_decide_what_its_holders_do_on_the_baas(app: TestApp) {
        let role = create_role(&app, "reader", json!([{"operation": "read", "scope": "tenant", "projectEntityId": "book"}])).await;
        let token = app.user_token(U1).await;
        assert_eq!(books(&app, &token).await, Vec::<String>::new(), "no role yet");

        let assigned = app.graphql(ASSIGN, json!({"u": U1, "k": ["reader"]})).await;
        assert_eq!(assigned.data("assignRolesToUser"), &json!(true));
        app.wait_for_sync().await;
        assert_eq!(books(&app, &token).await, ["b1", "b2"], "the books of the caller's tenant");
        let other = app.user_token(U3).await;
        assert_eq!(books(&app, &other).await, Vec::<String>::new(), "a user without the role");

        // Wider reads and own creates, from the next request after sync delivers them.
        let updated = set_book_permissions(&app, &role, json!([
            {"operation": "read", "scope": "all", "projectEntityId": "book"},
            {"operation": "create", "scope": "own"},
        ])).await;
        assert_eq!(updated.data("updateProjectPermissions")["key"], "reader");
        app.wait_for_sync().await;
        assert_eq!(books(&app, &token).await, ["b1", "b2", "b3", "b4"]);
        let mine = create_book(&app, &token, "Mine", U1).await;
        assert_eq!(data(&mine)["author_id"], U1);
        no_access(&create_book(&app, &token, "Bob's", U2).await);

        // The permissions read back as ROQ's PermissionModel.
        let listed = app.graphql(
            "query($r: ID!) { permissions(filter: {roleId: {equalTo: $r}}, order: {order: ASC, sort: key}) {
                totalCount data { key operation scope type projectEntityId roleId role { key } } } }",
            json!({"r": role}),
        ).await;
        assert_eq!(listed.data("permissions"), &json!({"totalCount": 2, "data": [
            {"key": "create-book", "operation": "create", "scope": "own", "type": "project", "projectEntityId": "book", "roleId": role, "role": {"key": "reader"}},
            {"key": "read-book", "operation": "read", "scope": "all", "type": "project", "projectEntityId": "book", "roleId": role, "role": {"key": "reader"}},
        ]}));

        // Narrowing works whatever the case of the model's first letter.
        let narrowed = app.graphql(UPDATE, json!({"roleId": role, "p": {"projectEntityId": "Book", "permissionAssignments": [{"operation": "read", "scope": "own"}], "projectEntityPaths": []}})).await;
        assert_eq!(narrowed.data("updateProjectPermissions")["key"], "reader");
        app.wait_for_sync().await;
        let mut own = vec!["b1".to_owned(), "b2".to_owned(), data(&mine)["id"].as_str().unwrap().to_owned()];
        own.sort();
        assert_eq!(books(&app, &token).await, own, "U1's own books only");
        no_access(&create_book(&app, &token, "Not any more", U1).await);

        // Taking the role away takes its rights away.
        let unassigned = app.graphql(UNASSIGN, json!({"u": U1, "k": ["reader"]})).await;
        assert_eq!(unassigned.data("unassignRolesFromUser"), &json!(true));
        app.wait_for_sync().await;
        assert_eq!(books(&app, &token).await, Vec::<String>::new());
        no_access(&create_book(&app, &token, "Again", U1).await);
    }

    async fn a_public_permission_opens_a_model_to_anonymous_callers(app: TestApp) {
        let anonymous = || async {
            let response = app.client.get(app.url(&format!("/api/model/book/findMany{}", q(json!({"select": {"id": true}}))))).send().await.unwrap();
            let status = response.status();
            Answer { status, body: response.json().await.unwrap() }
        };
        assert_eq!(ids(&anonymous().await), Vec::<&str>::new());
        create_role(&app, "guest", json!([{"operation": "read", "scope": "public", "projectEntityId": "book"}])).await;
        app.wait_for_sync().await;
        assert_eq!(ids(&anonymous().await), ["b1", "b2", "b3", "b4"], "held by nobody, public all the same");
        let created = app.client.post(app.url("/api/model/book/create")).json(&json!({"data": {"title": "Anon", "author_id": U1}})).send().await.unwrap();
        assert_eq!(created.status(), 403, "reading is public, creating is not");
        let chapters = app.client.get(app.url(&format!("/api/model/chapter/findMany{}", q(json!({}))))).send().await.unwrap();
        assert_eq!(chapters.json::<Value>().await.unwrap()["data"], json!([]));
    }

    async fn permissions_that_cannot_be_enforced_are_refused_with_a_reason(app: TestApp) {
        let refused = |assignments: Value| {
            let app = &app;
            async move {
                app.graphql(CREATE_ROLE, json!({"role": {"key": "bad", "name": "bad", "isSystemManaged": false, "permissionAssignments": assignments}})).await
            }
        };
        let no_operation = refused(json!([{"scope": "tenant", "projectEntityId": "book"}])).await;
        assert_eq!(error_code(&no_operation), "INVALID_INPUT");
        assert!(no_operation.body["errors"][0]["message"].as_str().unwrap().contains("permissionAssignments[0].operation"), "{}", no_operation.body);
        let no_entity = refused(json!([{"operation": "read", "scope": "tenant"}])).await;
        assert!(no_entity.body["errors"][0]["message"].as_str().unwrap().contains("projectEntityId"), "{}", no_entity.body);
        let twice = refused(json!([
            {"operation": "read", "scope": "tenant", "projectEntityId": "book"},
            {"operation": "read", "scope": "own", "projectEntityId": "Book"},
        ])).await;
        assert_eq!(error_code(&twice), "INVALID_INPUT", "{}", twice.body);
        let not_a_model = refused(json!([{"operation": "read", "scope": "all", "projectEntityId": "book; drop"}])).await;
        assert_eq!(error_code(&not_a_model), "INVALID_INPUT", "{}", not_a_model.body);
        // Nothing of the refused roles was stored.
        let roles = app.graphql("query { roles(filter: {key: {equalTo: \"bad\"}}) { totalCount } }", json!({})).await;
        assert_eq!(roles.data("roles")["totalCount"], 0);

        let role = create_role(&app, "editor", json!([])).await;
        let with_paths = app.graphql(UPDATE, json!({"roleId": role, "p": {"projectEntityId": "book", "permissionAssignments": [], "projectEntityPaths": [{"id": "p", "path": ["x"], "projectEntityId": "book", "roleId": role}]}})).await;
        assert_eq!(error_code(&with_paths), "NOT_SUPPORTED", "{}", with_paths.body);
        let elsewhere = set_book_permissions(&app, &role, json!([{"operation": "read", "scope": "all", "projectEntityId": "chapter"}])).await;
        assert_eq!(error_code(&elsewhere), "INVALID_INPUT", "{}", elsewhere.body);
        let missing = set_book_permissions(&app, "7b0e7a4e-0000-4000-8000-000000000000", json!([])).await;
        assert_eq!(error_code(&missing), "ROLE_NOT_FOUND", "{}", missing.body);
        // A user token may read permissions but not change them.
        let token = app.user_token(U1).await;
        let as_user = app.graphql_with(&token, UPDATE, json!({"roleId": role, "p": {"projectEntityId": "book", "permissionAssignments": [], "projectEntityPaths": []}})).await;
        assert_eq!(error_code(&as_user), "FORBIDDEN", "{}", as_user.body);
        create_role(&app, "viewer", json!([{"operation": "read", "scope": "own", "projectEntityId": "chapter"}])).await;
        let read = app.graphql_with(&token, "query { permissions { totalCount data { key scope } } }", json!({})).await;
        assert_eq!(read.data("permissions"), &json!({"totalCount": 1, "data": [{"key": "read-chapter", "scope": "own"}]}));

        // `public` opens reading only, and never the people: a mistake here would expose every
        // tenant's rows to the whole internet.
        for (assignment, why) in [
            (json!({"operation": "update", "scope": "public", "projectEntityId": "book"}), "a public write"),
            (json!({"operation": "read", "scope": "public", "projectEntityId": "user"}), "public users"),
            (json!({"operation": "read", "scope": "public", "platformEntity": "tenant", "type": "platform"}), "public tenants"),
        ] {
            let answer = refused(json!([assignment])).await;
            assert_eq!(error_code(&answer), "INVALID_INPUT", "{why}: {}", answer.body);
            assert!(answer.body["errors"][0]["message"].as_str().unwrap().contains("public"), "{}", answer.body);
        }
    }

    async fn reconcile_restores_lost_access_data_and_finds_nothing_to_repair_otherwise(app: TestApp) {
        create_role(&app, "reader", json!([{"operation": "read", "scope": "tenant", "projectEntityId": "book"}])).await;
        app.graphql(ASSIGN, json!({"u": U1, "k": ["reader"]})).await.data("assignRolesToUser");
        // Unassigning a role U2 never held records their (empty) roles; nothing fails.
        app.graphql(UNASSIGN, json!({"u": U2, "k": ["reader"]})).await.data("unassignRolesFromUser");
        app.wait_for_sync().await;
        let reconcile = || async {
            let report = app.post_json("/sync/v1/reconcile", &json!({}), &[("authorization", app.server_authorization())]).await;
            assert_eq!(report.status.as_u16(), 200, "{}", report.body);
            report.body
        };
        let healthy = reconcile().await;
        assert_eq!((healthy["repaired"].as_u64(), healthy["unrepaired"].as_array().map(Vec::len)), (Some(0), Some(0)), "{healthy}");
        let token = app.user_token(U1).await;
        assert_eq!(books(&app, &token).await, ["b1", "b2"]);

        // Behind sync's back: the BaaS loses its copy of the roles and of U1's roles.
        let db = tandem_sql::Db::connect(&app.config.baas_db, Default::default()).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.execute_ddl("DELETE FROM _tandem_roles; DELETE FROM _tandem_user_roles").await.unwrap();
        tx.commit().await.unwrap();
        db.close().await;
        app.clock.advance(chrono::Duration::seconds(3));
        assert_eq!(books(&app, &token).await, Vec::<String>::new(), "what the BaaS remembered has lapsed");
        let repaired = reconcile().await;
        assert_eq!(repaired["repaired"], 3, "the role, U1's roles and U2's: {repaired}");
        assert_eq!(books(&app, &token).await, ["b1", "b2"], "enforced again from the restored copy");
        assert_eq!(reconcile().await["repaired"], 0);
    }

    async fn concurrent_changes_of_one_users_roles_all_reach_the_baas(app: TestApp) {
        let keys: Vec<String> = (0..6).map(|i| format!("r{i}")).collect();
        for key in &keys {
            create_role(&app, key, json!([])).await;
        }
        let assign = |i: usize| {
            let app = &app;
            async move { app.graphql(ASSIGN, json!({"u": U1, "k": [format!("r{i}")]})).await }
        };
        let (a, b, c, d, e, f) = tokio::join!(assign(0), assign(1), assign(2), assign(3), assign(4), assign(5));
        for answer in [a, b, c, d, e, f] {
            assert_eq!(answer.data("assignRolesToUser"), &json!(true));
        }
        app.wait_for_sync().await;
        let held = app.graphql("query($id: ID!) { user(id: $id) { roles { data { key } } } }", json!({"id": U1})).await;
        assert_eq!(held.data("user")["roles"]["data"].as_array().unwrap().len(), keys.len(), "{}", held.body);
        // The BaaS's copy is the Platform's: nothing for reconcile to repair.
        let report = app.post_json("/sync/v1/reconcile", &json!({}), &[("authorization", app.server_authorization())]).await;
        assert_eq!(report.body["repaired"], 0, "{}", report.body);
    }

    async fn roles_held_before_they_synced_reach_the_baas_when_the_platform_starts(app: TestApp) {
        let mut app = app;
        create_role(&app, "reader", json!([{"operation": "read", "scope": "tenant", "projectEntityId": "book"}])).await;
        app.graphql(ASSIGN, json!({"u": U1, "k": ["reader"]})).await.data("assignRolesToUser");
        app.wait_for_sync().await;
        // As an older Tandem left it: the assignment, but never recorded for the BaaS.
        for (url, sql) in [
            (&app.config.platform_db, "DELETE FROM sync_stamps WHERE entity = 'user_roles'"),
            (&app.config.baas_db, "DELETE FROM _tandem_user_roles"),
        ] {
            let db = tandem_sql::Db::connect(url, Default::default()).await.unwrap();
            let mut tx = db.begin().await.unwrap();
            tx.execute_ddl(sql).await.unwrap();
            tx.commit().await.unwrap();
            db.close().await;
        }
        app.restart(|_| {}).await.unwrap();
        app.wait_for_sync().await;
        let token = app.user_token(U1).await;
        assert_eq!(books(&app, &token).await, ["b1", "b2"]);
    }

    async fn a_role_holds_at_most_a_thousand_permissions(app: TestApp) {
        let full: Vec<Value> = (0..250)
            .flat_map(|m| ["create", "read", "update", "delete"].map(|op| json!({"operation": op, "scope": "own", "projectEntityId": format!("model{m}")})))
            .collect();
        let role = create_role(&app, "busy", json!(full)).await;
        let more = app.graphql(UPDATE, json!({"roleId": role, "p": {"projectEntityId": "book", "permissionAssignments": [{"operation": "read", "scope": "all"}], "projectEntityPaths": []}})).await;
        assert_eq!(error_code(&more), "INVALID_INPUT", "{}", more.body);
        assert!(more.body["errors"][0]["message"].as_str().unwrap().contains("at most 1000"), "{}", more.body);
        let count = app.graphql("query($r: ID!) { permissions(filter: {roleId: {equalTo: $r}}) { totalCount } }", json!({"r": role})).await;
        assert_eq!(count.data("permissions")["totalCount"], 1000, "the refused change wrote nothing");
        // Replacing one model's permissions within the bound still works.
        let replaced = app.graphql(UPDATE, json!({"roleId": role, "p": {"projectEntityId": "model0", "permissionAssignments": [{"operation": "read", "scope": "all"}], "projectEntityPaths": []}})).await;
        assert_eq!(replaced.data("updateProjectPermissions")["key"], "busy");
    }

    async fn a_page_asks_whether_the_caller_may_do_something(app: TestApp) {
        create_role(&app, "author", json!([
            {"operation": "read", "scope": "tenant", "projectEntityId": "book"},
            {"operation": "update", "scope": "own", "projectEntityId": "book"},
        ])).await;
        app.graphql(ASSIGN, json!({"u": U1, "k": ["author"]})).await.data("assignRolesToUser");
        app.wait_for_sync().await;
        let token = app.user_token(U1).await;
        let check = |args: Value| {
            let token = token.clone();
            let app = &app;
            async move { as_user(app, reqwest::Method::GET, &format!("/api/model/book/check{}", q(args)), &token, "authorization", None).await }
        };
        for (args, expected) in [
            (json!({"operation": "read"}), true),
            (json!({"operation": "update"}), true),
            (json!({"operation": "create"}), false),
            (json!({"operation": "delete"}), false),
            (json!({"operation": "update", "where": {"id": "b1"}}), true),
            (json!({"operation": "update", "where": {"id": "b3"}}), false),
            (json!({"operation": "read", "where": {"title": "Cooking"}}), false),
            (json!({"operation": "read", "where": {"title": "Advanced Rust"}}), true),
        ] {
            assert_eq!(data(&check(args.clone()).await), &json!(expected), "{args}");
        }
        let anonymous = app.client.get(app.url(&format!("/api/model/book/check{}", q(json!({"operation": "read"}))))).send().await.unwrap();
        assert_eq!(anonymous.json::<Value>().await.unwrap()["data"], false);
        let admin = app.rpc_get("book", "check", json!({"operation": "delete", "where": {"id": "b3"}})).await;
        assert_eq!(data(&admin), &json!(true));
        for bad in [json!({"operation": "write"}), json!({}), json!({"operation": "create", "where": {"id": "b1"}}), json!({"operation": "read", "take": 1})] {
            let answer = check(bad.clone()).await;
            assert_eq!(answer.status, 422, "{bad}: {}", answer.body);
        }
    }
}
