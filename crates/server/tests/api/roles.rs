//! Roles: create, read, list, assign and unassign.

use serde_json::{Value, json};

use crate::common::*;

fn assign_doc() -> &'static str {
    "mutation assignRolesToUser($roleKeys: [String!]!, $userId: ID!) { assignRolesToUser(roleKeys: $roleKeys, userId: $userId) }"
}

fn unassign_doc() -> &'static str {
    "mutation unassignRolesFromUser($roleKeys: [String!]!, $userId: ID!) { unassignRolesFromUser(roleKeys: $roleKeys, userId: $userId) }"
}

fn roles_doc() -> String {
    format!(
        "query($filter: RoleFilterArgType, $limit: Int, $offset: Int, $order: RoleOrderArgType, $search: RoleSearchArgType) {{ roles(filter: $filter, limit: $limit, offset: $offset, order: $order, search: $search) {{ data {{ {ROLE_FIELDS} users {{ totalCount }} }} totalCount }} }}"
    )
}

fn keys(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect()
}

async fn role_keys_of(app: &tandem_testkit::TestApp, user: &Value) -> Vec<String> {
    let answer = app
        .graphql(
            &user_profile_doc(),
            json!({"id": user["id"], "withRoles": true}),
        )
        .await;
    answer.data("user")["roles"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn roles_are_created_and_read(app: TestApp) {
        let answer = app
            .graphql(
                &format!("mutation($role: RoleCreateDto!) {{ createRole(role: $role) {{ {ROLE_FIELDS} inviteRoleKeys }} }}"),
                json!({"role": {"key": "owner", "name": "Owner", "description": "Runs the tenant", "isSystemManaged": true, "permissionAssignments": [], "inviteRoleKeys": ["owner"]}}),
            )
            .await;
        let role = answer.data("createRole").clone();
        assert_eq!(role["key"], "owner");
        assert_eq!(role["isSystemManaged"], true);
        assert_eq!(role["inviteRoleKeys"], json!(["owner"]));
        let read = app.graphql(&format!("query($id: ID!) {{ role(id: $id) {{ {ROLE_FIELDS} }} }}"), json!({"id": role["id"]})).await;
        assert_eq!(read.data("role")["description"], "Runs the tenant");
        let missing = app.graphql("query($id: ID!) { role(id: $id) { id } }", json!({"id": uuid::Uuid::new_v4().to_string()})).await;
        assert_eq!(missing.error_code(), Some("ROLE_NOT_FOUND"));
    }

    async fn role_creation_errors_are_clear(app: TestApp) {
        create_role(&app, "editor").await;
        let doc = "mutation($role: RoleCreateDto!) { createRole(role: $role) { id } }";
        let base = json!({"name": "N", "isSystemManaged": false, "permissionAssignments": []});
        let cases = [
            (json!({"key": "editor"}), "ROLE_KEY_ALREADY_EXISTS", 409),
            (json!({"key": "has space"}), "INVALID_INPUT", 400),
            (json!({"key": ""}), "INVALID_INPUT", 400),
            (json!({"key": "ok", "name": " "}), "INVALID_INPUT", 400),
            (json!({"key": "ok", "inviteRoleKeys": ["ghost"]}), "ROLE_KEY_NOT_FOUND", 404),
            (json!({"key": "ok", "permissionAssignments": [{"key": "read-all", "operation": "read", "scope": "all"}]}), "INVALID_INPUT", 400),
            (json!({"key": "ok", "permissionAssignments": [{"operation": "read", "projectEntityId": "book"}]}), "INVALID_INPUT", 400),
        ];
        for (fields, code, status) in cases {
            let mut role = base.clone();
            merge(&mut role, fields.clone());
            let answer = app.graphql(doc, json!({"role": role})).await;
            assert_eq!(answer.error_code(), Some(code), "{fields}: {}", answer.body);
            assert_eq!(answer.error_status(), Some(status));
        }
        let page = app.graphql(&roles_doc(), json!({})).await;
        assert_eq!(keys(page.data("roles")), vec!["editor"], "nothing written by the failures");
    }

    async fn roles_are_assigned_and_unassigned_idempotently(app: TestApp) {
        for key in ["admin", "editor", "viewer"] {
            create_role(&app, key).await;
        }
        let user = create_user(&app, json!({"roles": ["viewer"]})).await;
        let answer = app.graphql(assign_doc(), json!({"userId": user["id"], "roleKeys": ["admin", "editor", "viewer"]})).await;
        assert_eq!(answer.data("assignRolesToUser"), &json!(true));
        assert_eq!(role_keys_of(&app, &user).await, vec!["admin", "editor", "viewer"]);
        let again = app.graphql(assign_doc(), json!({"userId": user["id"], "roleKeys": ["admin"]})).await;
        assert_eq!(again.data("assignRolesToUser"), &json!(true));
        assert_eq!(role_keys_of(&app, &user).await.len(), 3);

        let answer = app.graphql(unassign_doc(), json!({"userId": user["id"], "roleKeys": ["admin", "viewer"]})).await;
        assert_eq!(answer.data("unassignRolesFromUser"), &json!(true));
        assert_eq!(role_keys_of(&app, &user).await, vec!["editor"]);
        let answer = app.graphql(unassign_doc(), json!({"userId": user["id"], "roleKeys": ["admin"]})).await;
        assert_eq!(answer.data("unassignRolesFromUser"), &json!(true), "unassigning an unassigned role is fine");
    }

    async fn assignment_errors_change_nothing(app: TestApp) {
        create_role(&app, "admin").await;
        let user = create_user(&app, json!({})).await;
        let answer = app.graphql(assign_doc(), json!({"userId": user["id"], "roleKeys": ["admin", "ghost"]})).await;
        assert_eq!(answer.error_code(), Some("ROLE_KEY_NOT_FOUND"));
        assert!(role_keys_of(&app, &user).await.is_empty(), "no partial assignment");
        let answer = app.graphql(assign_doc(), json!({"userId": uuid::Uuid::new_v4().to_string(), "roleKeys": ["admin"]})).await;
        assert_eq!(answer.error_code(), Some("USER_NOT_FOUND"));
        let answer = app.graphql(unassign_doc(), json!({"userId": user["id"], "roleKeys": ["ghost"]})).await;
        assert_eq!(answer.error_code(), Some("ROLE_KEY_NOT_FOUND"));
    }

    async fn roles_are_listed_filtered_and_counted(app: TestApp) {
        for key in ["admin", "editor", "viewer"] {
            create_role(&app, key).await;
        }
        let u1 = create_user(&app, json!({"roles": ["admin", "viewer"]})).await;
        create_user(&app, json!({"roles": ["viewer"]})).await;

        let page = app.graphql(&roles_doc(), json!({})).await;
        let page = page.data("roles");
        assert_eq!(keys(page), vec!["admin", "editor", "viewer"]);
        let counts: Vec<i64> = page["data"].as_array().unwrap().iter().map(|r| r["users"]["totalCount"].as_i64().unwrap()).collect();
        assert_eq!(counts, vec![1, 0, 2]);

        let of_user = app.graphql(&roles_doc(), json!({"filter": {"userId": {"equalTo": u1["id"]}}})).await;
        assert_eq!(keys(of_user.data("roles")), vec!["admin", "viewer"]);
        let desc = app.graphql(&roles_doc(), json!({"order": {"sort": "key", "order": "DESC"}, "limit": 2})).await;
        assert_eq!(keys(desc.data("roles")), vec!["viewer", "editor"]);
        assert_eq!(desc.data("roles")["totalCount"], 3);
        let search = app.graphql(&roles_doc(), json!({"search": {"key": "name", "value": "dit"}})).await;
        assert_eq!(keys(search.data("roles")), vec!["editor"]);
        let filtered = app.graphql(&roles_doc(), json!({"filter": {"key": {"valueNotIn": ["admin"]}}})).await;
        assert_eq!(keys(filtered.data("roles")), vec!["editor", "viewer"]);

        let nested = app.graphql(
            "query($id: ID!) { user(id: $id) { roles(filter: {key: {equalTo: \"viewer\"}}) { data { key } totalCount } } }",
            json!({"id": u1["id"]}),
        ).await;
        assert_eq!(nested.data("user")["roles"], json!({"data": [{"key": "viewer"}], "totalCount": 1}));
    }
}
