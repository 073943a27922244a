//! The user and tenant rules (DESIGN's user-data table): the BaaS never creates or deletes
//! them and never writes the fields the Platform owns — and a refused request writes nothing.

use serde_json::json;

use super::{T1, T2, U1, U2, data, library};

async fn refused(answer: tandem_testkit::Answer, code: &str) {
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.body["error"]["reason"], "rejected-by-policy");
    assert_eq!(answer.body["error"]["code"], code, "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().len() > 30);
}

async fn invalid(answer: tandem_testkit::Answer) {
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.body["error"]["reason"], "invalid-input");
    assert_eq!(
        answer.body["error"]["code"], "SYNCED_FIELD_INVALID",
        "{}",
        answer.body
    );
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("synced with the Platform")
    );
}

on_both_backends! {
    with library;

    async fn users_and_tenants_are_never_created_or_deleted_here(app: TestApp) {
        let create = app.rpc_post("user", "create", json!({"data": {"email": "new@example.com"}})).await;
        assert!(create.body["error"]["message"].as_str().unwrap().contains("created on the Platform"));
        refused(create, "USER_CREATE_NOT_ALLOWED").await;
        refused(app.rpc_post("user", "createMany", json!({"data": [{"id": "x", "email": "x@x.io", "tenant_id": T1}]})).await, "USER_CREATE_NOT_ALLOWED").await;
        refused(app.rpc_post("User", "createManyAndReturn", json!({"data": []})).await, "USER_CREATE_NOT_ALLOWED").await;
        let delete = app.rpc_delete("user", "delete", json!({"where": {"id": U2}})).await;
        assert!(delete.body["error"]["message"].as_str().unwrap().contains("active: false"));
        refused(delete, "USER_DELETE_NOT_ALLOWED").await;
        refused(app.rpc_delete("user", "deleteMany", json!({})).await, "USER_DELETE_NOT_ALLOWED").await;
        refused(app.rpc_post("tenant", "create", json!({"data": {"id": "t9", "name": "New"}})).await, "TENANT_CREATE_NOT_ALLOWED").await;
        refused(app.rpc_delete("tenant", "deleteMany", json!({})).await, "TENANT_DELETE_NOT_ALLOWED").await;
        refused(app.rpc_post("user", "upsert", json!({"where": {"id": "u9"}, "create": {"id": "u9", "email": "u9@x.io", "tenant_id": T1}, "update": {"first_name": "x"}})).await, "USER_CREATE_NOT_ALLOWED").await;
        refused(app.rpc_post("book", "create", json!({"data": {"id": "b9", "title": "T", "author": {"create": {"id": "u9", "email": "u9@x.io", "tenant_id": T1}}}})).await, "USER_CREATE_NOT_ALLOWED").await;
        refused(app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"users": {"delete": {"id": U1}}}})).await, "USER_DELETE_NOT_ALLOWED").await;
        assert_eq!(app.rpc_get("user", "count", json!({})).await.body, json!({"data": 5}));
        assert_eq!(app.rpc_get("tenant", "count", json!({})).await.body, json!({"data": 3}), "the Platform's default tenant, T1 and T2");
        assert_eq!(app.rpc_get("book", "exists", json!({"where": {"id": "b9"}})).await.body, json!({"data": false}));
    }

    async fn platform_fields_are_read_only_here(app: TestApp) {
        for (field, value) in [("email", json!("new@example.com")), ("tenant_id", json!(T2)), ("active", json!(false)), ("id", json!("u99"))] {
            let answer = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"first_name": "Changed", field: value}})).await;
            let message = answer.body["error"]["message"].as_str().unwrap_or_default().to_owned();
            assert!(message.contains(&format!("user.{field}")), "{message}");
            assert!(message.contains("Platform"), "{message}");
            refused(answer, "PLATFORM_FIELD_READ_ONLY").await;
        }
        refused(app.rpc_put("user", "updateMany", json!({"where": {}, "data": {"active": false}})).await, "PLATFORM_FIELD_READ_ONLY").await;
        refused(app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"tenant": {"connect": {"id": T2}}}})).await, "PLATFORM_FIELD_READ_ONLY").await;
        refused(app.rpc_put("tenant", "update", json!({"where": {"id": T2}, "data": {"users": {"connect": {"id": U1}}}})).await, "PLATFORM_FIELD_READ_ONLY").await;
        refused(app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"id": "t9"}})).await, "PLATFORM_FIELD_READ_ONLY").await;
        refused(app.rpc_put("book", "update", json!({"where": {"id": "b1"}, "data": {"author": {"update": {"email": "x@y.z"}}}})).await, "PLATFORM_FIELD_READ_ONLY").await;
        let alice = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}})).await;
        let alice = data(&alice);
        assert_eq!((alice["first_name"].as_str(), alice["email"].as_str(), alice["tenant_id"].as_str(), alice["active"].as_bool()), (Some("Alice"), Some("alice@example.com"), Some(T1), Some(true)), "nothing was written");
    }

    async fn synced_fields_take_only_what_the_platform_can_store(app: TestApp) {
        let long = "x".repeat(1001);
        invalid(app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"first_name": long}})).await).await;
        invalid(app.rpc_put("user", "updateMany", json!({"where": {}, "data": {"locale": long}})).await).await;
        let blank = app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"name": "   "}})).await;
        assert!(blank.body["error"]["message"].as_str().unwrap_or_default().contains("name"), "{}", blank.body);
        invalid(blank).await;
        // What an attacker tried: each is a value the Platform's own updateUser refuses.
        for (field, value) in [
            ("avatar_url", "javascript:alert(document.cookie)"),
            ("timezone", "<script>x</script>"),
            ("locale", "'; DROP TABLE--"),
            ("first_name", "a\u{0}b"),
            ("last_name", "two\nlines"),
        ] {
            let answer = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"nickname": "changed", field: value}})).await;
            assert!(answer.body["error"]["message"].as_str().unwrap_or_default().contains(field), "{}", answer.body);
            invalid(answer).await;
            invalid(app.rpc_put("user", "updateMany", json!({"where": {"id": U1}, "data": {field: value}})).await).await;
            invalid(app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"users": {"updateMany": {"where": {}, "data": {field: value}}}}})).await).await;
        }
        let null = app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"name": null}})).await;
        assert_eq!(null.status.as_u16(), 422, "the schema already refuses null for a required field: {}", null.body);
        let alice = app.rpc_get("user", "findUnique", json!({"where": {"id": U1}})).await;
        assert_eq!(data(&alice)["first_name"], "Alice", "nothing was written");
        assert_ne!(data(&alice)["nickname"], "changed", "nothing was written");
        let ok = app.rpc_put("user", "update", json!({"where": {"id": U1}, "data": {"first_name": "x".repeat(1000), "last_name": null}})).await;
        assert!(ok.status.is_success(), "1000 characters and null are fine: {}", ok.body);
    }

    async fn profile_and_app_fields_are_writable_here(app: TestApp) {
        let answer = app.rpc_put("user", "update", json!({
            "where": {"email": "alice@example.com"},
            "data": {"first_name": "Francis", "last_name": "Webb", "locale": "en-GB", "timezone": "Europe/London", "avatar_url": "https://example.com/a.png", "nickname": "fw", "books": {"update": {"where": {"id": "b1"}, "data": {"pages": 121}}}},
            "select": {"first_name": true, "last_name": true, "nickname": true, "email": true},
        })).await;
        assert_eq!(data(&answer), &json!({"first_name": "Francis", "last_name": "Webb", "nickname": "fw", "email": "alice@example.com"}));
        let many = app.rpc_put("user", "updateMany", json!({"where": {"tenant_id": T2}, "data": {"locale": "de"}})).await;
        assert_eq!(many.body, json!({"data": {"count": 3}}));
        let tenant = app.rpc_put("tenant", "update", json!({"where": {"id": T1}, "data": {"name": "Acme Ltd"}, "select": {"name": true}})).await;
        assert_eq!(data(&tenant), &json!({"name": "Acme Ltd"}));
        let moved = app.rpc_put("book", "update", json!({"where": {"id": "b2"}, "data": {"author": {"connect": {"id": U2}}}, "select": {"author_id": true}})).await;
        assert_eq!(data(&moved), &json!({"author_id": U2}), "linking a book to a user writes the book, not the user");
    }
}
