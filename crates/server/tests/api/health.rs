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
