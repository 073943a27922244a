//! CORS for browser apps on other origins: only the app's origins, echoed, never `*`, never
//! with credentials.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    VARY,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url("/v01/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, roq-platform-authorization",
        )
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<&str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

on_both_backends! {
    async fn only_the_apps_origins_may_call_from_a_browser(app: TestApp) {
        let app_origin = "http://localhost:3000";
        let allowed = preflight(&app, app_origin).await;
        assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&allowed, ACCESS_CONTROL_ALLOW_ORIGIN), Some(app_origin), "the origin echoed, not *");
        assert_eq!(header(&allowed, ACCESS_CONTROL_ALLOW_CREDENTIALS), None);
        assert!(header(&allowed, ACCESS_CONTROL_ALLOW_HEADERS).unwrap().contains("roq-platform-authorization"));
        assert!(header(&allowed, VARY).unwrap().contains("Origin"));

        let evil = preflight(&app, "http://evil.example").await;
        assert_eq!(evil.status(), StatusCode::FORBIDDEN);
        assert_eq!(header(&evil, ACCESS_CONTROL_ALLOW_ORIGIN), None);
        let body: Value = evil.json().await.unwrap();
        assert_eq!(body["errorCode"], "CORS_ORIGIN_NOT_ALLOWED", "{body}");

        // An actual request from a foreign origin gets no CORS headers (the browser hides it).
        let posted = app.client.post(app.url("/v01/graphql")).header("origin", "http://evil.example").json(&json!({"query": "{ __typename }"})).send().await.unwrap();
        assert_eq!(header(&posted, ACCESS_CONTROL_ALLOW_ORIGIN), None);

        let vite = "http://127.0.0.1:5173";
        assert_eq!(preflight(&app, vite).await.status(), StatusCode::FORBIDDEN);
        update_auth_settings(&app, json!({"allowedOrigins": [vite]})).await;
        let now_allowed = preflight(&app, vite).await;
        assert_eq!(now_allowed.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&now_allowed, ACCESS_CONTROL_ALLOW_ORIGIN), Some(vite));
        let posted = app.client.post(app.url("/v01/graphql")).header("origin", vite).json(&json!({"query": "{ __typename }"})).send().await.unwrap();
        assert_eq!(header(&posted, ACCESS_CONTROL_ALLOW_ORIGIN), Some(vite));
        assert_eq!(header(&posted, ACCESS_CONTROL_ALLOW_CREDENTIALS), None);
    }
}

on_both_backends! {
    async fn cors_origins_from_the_command_line_are_allowed_too(app: TestApp) {
        let mut app = app;
        assert_eq!(preflight(&app, "https://admin.example.com").await.status(), StatusCode::FORBIDDEN);
        app.restart(|c| c.cors_origins = vec!["https://admin.example.com".into()])
            .await
            .unwrap();
        let allowed = preflight(&app, "https://admin.example.com").await;
        assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&allowed, ACCESS_CONTROL_ALLOW_ORIGIN), Some("https://admin.example.com"));
        assert_eq!(preflight(&app, "https://other.example.com").await.status(), StatusCode::FORBIDDEN);
    }
}
