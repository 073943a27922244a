//! The BaaS as the caller: a user's access token (`Authorization: Bearer`, or
//! `roq-platform-authorization: Bearer` as `@roq/client` sends it) makes that user, with only
//! the rights every user has — their own `user` row (read, update the profile) and their own
//! `tenant` (read) — until their roles grant more; no credentials is anonymous.

use serde_json::{Value, json};
use tandem_testkit::{Answer, TestApp};

use super::{T1, T2, U1, U2, U3, data, ids, library};

pub(super) async fn as_user(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    header: &str,
    body: Option<Value>,
) -> Answer {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header(header, format!("Bearer {token}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, body }
}

pub(super) fn q(args: Value) -> String {
    let url = reqwest::Url::parse_with_params("http://x/", &[("q", args.to_string())]).unwrap();
    format!("?{}", url.query().unwrap())
}

pub(super) fn no_access(answer: &Answer) {
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.body["error"]["reason"], "rejected-by-policy");
    assert_eq!(answer.body["error"]["rejectedByPolicy"], true);
    assert_eq!(answer.body["error"]["rejectReason"], "no-access");
}

on_both_backends! {
    with library;

    async fn a_user_sees_their_own_row_and_tenant_and_nothing_else(app: TestApp) {
        let token = app.user_token(U1).await;
        let get = |path: String, header: &'static str| {
            let token = token.clone();
            let app = &app;
            async move { as_user(app, reqwest::Method::GET, &path, &token, header, None).await }
        };
        for header in ["authorization", "roq-platform-authorization"] {
            let users = get(format!("/api/model/user/findMany{}", q(json!({}))), header).await;
            assert_eq!(ids(&users), vec![U1], "{header}");
        }
        let tenants = get(format!("/api/model/tenant/findMany{}", q(json!({"include": {"users": true}}))), "authorization").await;
        assert_eq!(ids(&tenants), vec![T1]);
        // The tenant's other users stay hidden inside the included relation as well.
        let members: Vec<&str> = data(&tenants)[0]["users"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert_eq!(members, vec![U1]);
        let count = get(format!("/api/model/user/count{}", q(json!({}))), "authorization").await;
        assert_eq!(data(&count), &json!(1));
        let other = get(format!("/api/model/user/findUnique{}", q(json!({"where": {"id": U3}}))), "authorization").await;
        assert_eq!(data(&other), &Value::Null, "another tenant's user is absent, not forbidden");
        // No role grants books yet: none are visible, directly, nested, counted or filtered on.
        let books = get(format!("/api/model/book/findMany{}", q(json!({}))), "authorization").await;
        assert_eq!(data(&books), &json!([]));
        let mine = get(format!("/api/model/user/findUnique{}", q(json!({"where": {"id": U1}, "include": {"books": true, "_count": {"select": {"books": true}}}}))), "authorization").await;
        assert_eq!(data(&mine)["books"], json!([]));
        assert_eq!(data(&mine)["_count"]["books"], json!(0));
        let probing = get(format!("/api/model/user/findMany{}", q(json!({"where": {"books": {"some": {"title": "Rust Basics"}}}}))), "authorization").await;
        assert_eq!(data(&probing), &json!([]), "a relation filter cannot see unreadable rows");
        let grouped = get(format!("/api/model/user/groupBy{}", q(json!({"by": ["tenant_id"], "_count": {"_all": true}}))), "authorization").await;
        assert_eq!(data(&grouped), &json!([{"tenant_id": T1, "_count": {"_all": 1}}]));
    }

    async fn a_user_updates_their_own_profile_only(app: TestApp) {
        let token = app.user_token(U1).await;
        let put = |body: Value| {
            let token = token.clone();
            let app = &app;
            async move { as_user(app, reqwest::Method::PUT, "/api/model/user/update", &token, "authorization", Some(body)).await }
        };
        let renamed = put(json!({"where": {"id": U1}, "data": {"first_name": "Alicia"}})).await;
        assert_eq!(data(&renamed)["first_name"], "Alicia");
        // The change flows back to the Platform like any BaaS write.
        app.wait_for_sync().await;
        let profile = app.graphql("query($id: ID!) { user(id: $id) { firstName } }", json!({"id": U1})).await;
        assert_eq!(profile.body["data"]["user"]["firstName"], "Alicia", "{}", profile.body);
        // Someone else in the same tenant: not readable, so not found.
        let theirs = put(json!({"where": {"id": U2}, "data": {"first_name": "Robert"}})).await;
        assert_eq!(theirs.status, 404, "{}", theirs.body);
        let many = as_user(&app, reqwest::Method::PUT, "/api/model/user/updateMany", &token, "authorization", Some(json!({"data": {"locale": "de"}}))).await;
        assert_eq!(data(&many), &json!({"count": 1}));
        let bob = app.rpc_get("user", "findUnique", json!({"where": {"id": U2}})).await;
        assert_eq!(data(&bob)["first_name"], "Bob");
        assert_eq!(data(&bob)["locale"], "fr", "updateMany touched only the caller's own row");
        // Platform-owned fields stay read-only for users too.
        let moved = put(json!({"where": {"id": U1}, "data": {"tenant_id": T2}})).await;
        assert_eq!(moved.status, 403, "{}", moved.body);
        assert_eq!(moved.body["error"]["code"], "PLATFORM_FIELD_READ_ONLY");
    }

    async fn a_user_without_grants_creates_and_deletes_nothing(app: TestApp) {
        let token = app.user_token(U1).await;
        let created = as_user(&app, reqwest::Method::POST, "/api/model/book/create", &token, "authorization", Some(json!({"data": {"title": "Mine", "author_id": U1}}))).await;
        no_access(&created);
        let deleted = as_user(&app, reqwest::Method::DELETE, &format!("/api/model/book/delete{}", q(json!({"where": {"id": "b1"}}))), &token, "authorization", None).await;
        assert_eq!(deleted.status, 404, "an unreadable row is not found: {}", deleted.body);
        let deleted_many = as_user(&app, reqwest::Method::DELETE, &format!("/api/model/book/deleteMany{}", q(json!({}))), &token, "authorization", None).await;
        assert_eq!(data(&deleted_many), &json!({"count": 0}));
        // Nothing was written.
        let books = app.rpc_get("book", "findMany", json!({"select": {"id": true}})).await;
        assert_eq!(ids(&books), vec!["b1", "b2", "b3", "b4"]);
        // Anonymous callers see nothing and write nothing.
        let anonymous = app.client.post(app.url("/api/model/book/create")).json(&json!({"data": {"title": "Anon", "author_id": U1}})).send().await.unwrap();
        assert_eq!(anonymous.status(), 403);
    }

    async fn a_deactivated_users_token_stops_working_on_the_baas(app: TestApp) {
        let token = app.user_token(U2).await;
        let before = as_user(&app, reqwest::Method::GET, &format!("/api/model/user/findMany{}", q(json!({}))), &token, "authorization", None).await;
        assert_eq!(ids(&before), vec![U2]);
        let deactivated = app.graphql("mutation($id: ID!) { updateUser(id: $id, user: {active: false}) { id active } }", json!({"id": U2})).await;
        assert_eq!(deactivated.body["data"]["updateUser"]["active"], false, "{}", deactivated.body);
        app.wait_for_sync().await;
        let after = as_user(&app, reqwest::Method::GET, &format!("/api/model/user/findMany{}", q(json!({}))), &token, "authorization", None).await;
        assert_eq!(after.status, 401, "{}", after.body);
        assert!(after.body["error"]["message"].as_str().unwrap().contains("deactivated"));
        // A service-account token is not a user.
        let service = app.service_token().await;
        let refused = as_user(&app, reqwest::Method::GET, &format!("/api/model/user/findMany{}", q(json!({}))), &service, "authorization", None).await;
        assert_eq!(refused.status, 401, "{}", refused.body);
    }
}
