//! Error shapes and statuses, as ZenStack's RPC handler answers them.

use serde_json::json;
use tandem_testkit::Backend;

use super::{U1, error, library};

on_both_backends! {
    with library;

    async fn database_constraints_are_400_with_the_dialect_code(app: TestApp) {
        let dup = app.rpc_post("chapter", "create", json!({"data": {"id": "c1", "title": "Dup", "position": 1, "book_id": "b1"}})).await;
        assert_eq!(error(&dup), (400, "db-query-error".into()));
        let expected_code = match app.backend { Backend::Sqlite => "SQLITE_CONSTRAINT_PRIMARYKEY", Backend::Postgres => "23505" };
        assert_eq!(dup.body["error"]["dbErrorCode"], expected_code);
        assert!(dup.body["error"]["message"].as_str().unwrap().starts_with("Failed to execute query: "));
        let compound = app.rpc_put("book", "update", json!({"where": {"id": "b2"}, "data": {"title": "Rust Basics"}})).await;
        assert_eq!(error(&compound), (400, "db-query-error".into()));
        let dangling = app.rpc_post("book", "create", json!({"data": {"title": "t", "author_id": "nope"}})).await;
        assert_eq!(error(&dangling), (400, "db-query-error".into()));
        let fk_code = match app.backend { Backend::Sqlite => "SQLITE_CONSTRAINT_FOREIGNKEY", Backend::Postgres => "23503" };
        assert_eq!(dangling.body["error"]["dbErrorCode"], fk_code);
        let connect_missing = app.rpc_post("book", "create", json!({"data": {"title": "t", "author": {"connect": {"id": "nope"}}}})).await;
        assert_eq!(error(&connect_missing), (400, "db-query-error".into()));
    }

    async fn lists_too_long_for_one_statement_are_400_without_database_text(app: TestApp) {
        let ids: Vec<String> = (0..70_000).map(|i| i.to_string()).collect();
        let answer = app.rpc_put("book", "updateMany", json!({"where": {"id": {"in": ids}}, "data": {"pages": 1}})).await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(answer.body["error"]["code"], "QUERY_TOO_LARGE", "{}", answer.body);
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("split it"), "{message}");
        assert!(!message.to_lowercase().contains("sqlite") && !message.contains("error:"), "{message}");
        let unchanged = app.rpc_get("book", "findUnique", json!({"where": {"id": "b1"}})).await;
        assert_ne!(unchanged.body["data"]["pages"], 1, "nothing was written");
    }

    async fn a_query_that_is_not_utf8_is_400_not_replaced(app: TestApp) {
        // {"where":{"nickname":"\xFF"}}: percent-encoded, but not UTF-8 once decoded.
        let url = app.url("/api/model/user/findMany?q=%7B%22where%22%3A%7B%22nickname%22%3A%22%FF%22%7D%7D");
        let response = app.client.get(url).header("authorization", app.server_authorization()).send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("not valid UTF-8"), "{body}");
    }

    async fn missing_records_are_404(app: TestApp) {
        let update = app.rpc_put("book", "update", json!({"where": {"id": "nope"}, "data": {"pages": 1}})).await;
        assert_eq!(update.body, json!({"error": {"message": "Record not found", "reason": "not-found", "model": "book"}}));
        assert_eq!(update.status, 404);
        let delete = app.rpc_delete("chapter", "delete", json!({"where": {"id": "nope"}})).await;
        assert_eq!(error(&delete), (404, "not-found".into()));
    }

    async fn invalid_arguments_are_422_naming_the_problem(app: TestApp) {
        for (model, op, args, needle) in [
            ("book", "create", json!({"data": {"title": "t", "author_id": U1, "nickname": "zz"}}), "Unrecognized key: \"nickname\" at \"data\""),
            ("user", "findMany", json!({"where": {"nickname2": "zz"}}), "Unrecognized key: \"nickname2\" at \"where\""),
            ("user", "findMany", json!({"select": {"nickname2": true}}), "Unrecognized key: \"nickname2\" at \"select\""),
            ("user", "findMany", json!({"foo": 1}), "Unrecognized key: \"foo\""),
            ("book", "create", json!({"data": {"title": "t"}}), "data.author_id"),
            ("book", "create", json!({"data": {"title": "t", "pages": "many", "author_id": U1}}), "expected number, received string at \"data.pages\""),
            ("user", "findMany", json!({"where": {"email": {"like": "a"}}}), "Unrecognized key: \"like\" at \"where.email\""),
            ("book", "findMany", json!({"where": {"pages": {"equals": 1, "mode": "insensitive"}}}), "\"mode\""),
            ("user", "findMany", json!({"select": {"id": true}, "include": {"books": true}}), "cannot be used together"),
            ("user", "findUnique", json!({}), "at \"where\""),
            ("user", "findMany", json!({"take": 1_000_000}), "take may be at most"),
        ] {
            let answer = if op == "create" { app.rpc_post(model, op, args.clone()).await } else { app.rpc_get(model, op, args.clone()).await };
            assert_eq!(error(&answer), (422, "invalid-input".into()), "{args}: {}", answer.body);
            assert_eq!(answer.body["error"]["rejectedByValidation"], true);
            let message = answer.body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("Invalid {op} args for model \"{model}\": Validation error: ")), "{message}");
            assert!(message.contains(needle), "{needle} in {message}");
        }
        let mut deep = json!({"id": U1});
        for _ in 0..20 {
            deep = json!({"AND": deep});
        }
        assert_eq!(error(&app.rpc_get("user", "findMany", json!({"where": deep})).await).0, 422, "nesting is bounded");
        assert_eq!(error(&app.rpc_post("user", "createMany", json!({})).await).0, 403, "user rules come before validation");
        assert_eq!(error(&app.rpc_post("book", "create", json!({})).await), (422, "invalid-input".into()));
    }

    async fn malformed_requests_are_400(app: TestApp) {
        let auth = ("authorization", app.server_authorization());
        let message = |answer: &tandem_testkit::Answer| answer.body["error"]["message"].as_str().unwrap_or_default().to_owned();
        let get = |path: &str| { let app = &app; let auth = auth.clone(); let path = path.to_owned(); async move {
            let response = app.client.get(app.url(&path)).header(auth.0, auth.1).send().await.unwrap();
            let status = response.status();
            tandem_testkit::Answer { status, body: response.json().await.unwrap() }
        } };
        let cases = [
            (get("/api/model/user/findMany?q=not-json").await, "invalid \"q\" query parameter"),
            (get("/api/model/user/findMany?q=%7B%7D&meta=not-json").await, "invalid \"q\" query parameter"),
            (get("/api/model/user/create?q=%7B%7D").await, "invalid request method, only POST is supported"),
            (get("/api/model/user/delete?q=%7B%7D").await, "invalid request method, only DELETE is supported"),
            (get("/api/model/user/findUniqueOrThrow").await, "invalid operation: findUniqueOrThrow"),
            (get("/api/model/nosuch/findMany").await, "unknown model name: nosuch"),
            (get("/api/model/user").await, "invalid request path"),
            (app.rpc_post("user", "findMany", json!({})).await, "invalid request method, only GET is supported"),
            (app.rpc_post("user", "update", json!({"where": {"id": U1}, "data": {}})).await, "invalid request method, only PUT or PATCH are supported"),
        ];
        for (answer, expected) in cases {
            assert_eq!(answer.status, 400, "{expected}: {}", answer.body);
            assert_eq!(message(&answer), expected);
        }
        let no_body = app.client.post(app.url("/api/model/book/create")).header(auth.0, auth.1.clone()).send().await.unwrap();
        assert_eq!(no_body.status(), 400);
        assert_eq!(no_body.json::<serde_json::Value>().await.unwrap()["error"]["message"], "missing request body");
        let broken = app.client.post(app.url("/api/model/book/create")).header(auth.0, auth.1.clone()).header("content-type", "application/json").body("{\"data\":").send().await.unwrap();
        assert_eq!(broken.status(), 400);
        assert_eq!(get("/api/model/User/count").await.body, json!({"data": 5}), "the first letter's case is ignored");
    }

    async fn wrong_credentials_are_refused_and_none_is_anonymous(app: TestApp) {
        let url = app.url("/api/model/user/findMany");
        // No credentials is an anonymous caller: it sees no rows (nothing is public here).
        let none = app.client.get(&url).send().await.unwrap();
        assert_eq!(none.status(), 200);
        assert_eq!(none.json::<serde_json::Value>().await.unwrap(), json!({"data": []}));
        for value in ["Basic not-base64!", "Token abc", "Bearer not.a.token"] {
            let odd = app.client.get(&url).header("authorization", value).send().await.unwrap();
            assert_eq!(odd.status(), 401, "{value}");
            let body: serde_json::Value = odd.json().await.unwrap();
            assert_eq!(body["error"]["code"], "UNAUTHORIZED", "{value}");
        }
        let wrong = app.client.get(&url).basic_auth(&app.credentials.environment_id, Some("wrong-key-wrong-key")).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        let schema = app.client.get(app.url("/api/schema")).send().await.unwrap();
        assert_eq!(schema.status(), 401);
    }
}
