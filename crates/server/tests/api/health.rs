use reqwest::StatusCode;
use serde_json::json;

on_both_backends! {
    async fn health_answers_ok_once_started(app: TestApp) {
        let response = app.client.get(app.url("/health")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<serde_json::Value>().await.unwrap(), json!({"status": "ok"}));
    }

    async fn unknown_paths_get_a_json_404(app: TestApp) {
        let response = app.client.get(app.url("/v01/nope")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "NOT_FOUND");
    }

    async fn oversized_bodies_are_refused_before_parsing(app: TestApp) {
        let huge = "x".repeat(2 * 1024 * 1024);
        let response = app
            .client
            .post(app.url("/v01/authorize/serviceAccount"))
            .header("content-type", "application/json")
            .body(format!("{{\"email\":\"{huge}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "PAYLOAD_TOO_LARGE");
    }
}

on_both_backends! {
    async fn a_wrong_method_gets_a_json_405(app: TestApp) {
        let response = app.client.get(app.url("/v01/server/graphql")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(response.headers().get("allow").is_some());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "METHOD_NOT_ALLOWED");
    }
}

/// PostgreSQL only (a SQLite file connection cannot be cut). Pooled connections are checked
/// before each use: connections cut while the server was quiet (a database restart, a proxy's
/// idle timeout) are found dead and replaced before any request meets them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_connections_cut_while_idle_are_replaced_before_use() {
    use sqlx::Connection;
    let app = tandem_testkit::spawn_app(tandem_testkit::Backend::Postgres).await;
    let tandem_sql::DbUrl::Postgres(url) = &app.config.platform_db else {
        panic!("a PostgreSQL Platform store");
    };
    let database = url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let tenants = || app.graphql("query { tenants(limit: 5) { totalCount } }", json!({}));
    let before = tenants().await;
    assert!(
        before.body["data"]["tenants"]["totalCount"].is_number(),
        "the pool holds live connections: {}",
        before.body
    );

    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut admin = sqlx::PgConnection::connect(&tandem_testkit::test_pg_url())
        .await
        .unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&database)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(
        !cut.is_empty(),
        "the server's connections to {database} were cut"
    );

    for attempt in 0..3 {
        let answer = tenants().await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "request {attempt} after the cut: {}",
            answer.body
        );
        assert!(
            answer.body.get("errors").is_none(),
            "request {attempt} after the cut: {}",
            answer.body
        );
        assert!(
            answer.body["data"]["tenants"]["totalCount"].is_number(),
            "{}",
            answer.body
        );
    }
}
