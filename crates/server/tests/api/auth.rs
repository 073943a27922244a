//! Service-account and user tokens, and the two headers of the server GraphQL endpoint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use tandem_core::Clock;

use crate::common::*;

const WHO: &str = "query { tenants { totalCount } }";

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

on_both_backends! {
    async fn service_account_token_is_a_jwt_that_expires_in_an_hour(app: TestApp) {
        let token = app.service_token().await;
        let claims = payload(&token);
        let now = app.clock.now().timestamp();
        assert_eq!(claims["exp"].as_i64().unwrap() - now, 3600);
        assert_eq!(claims["env"], app.credentials.environment_id.as_str());
        assert_eq!(app.graphql_with(&token, WHO, json!({})).await.status, StatusCode::OK);
    }

    async fn wrong_credentials_get_401_with_roq_error_body(app: TestApp) {
        for (env, key) in [
            (app.credentials.environment_id.clone(), "not-the-key-not-the-key".to_owned()),
            ("another-environment".to_owned(), app.credentials.api_key.clone()),
            (String::new(), String::new()),
        ] {
            let answer = app
                .post_json("/v01/authorize/serviceAccount", &json!({"email": "x@y.z", "environmentId": env, "apiKey": key}), &[])
                .await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
            assert_eq!(answer.body["statusCode"], 401);
            assert_eq!(answer.body["errorCode"], "UNAUTHORIZED_EXCEPTION");
            assert!(answer.body["message"].as_str().unwrap().contains("API key"));
            assert!(answer.body.get("accessToken").is_none());
        }
    }

    async fn a_malformed_token_request_is_400(app: TestApp) {
        let response = app
            .client
            .post(app.url("/v01/authorize/serviceAccount"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "INVALID_INPUT");
    }

    async fn graphql_needs_both_headers(app: TestApp) {
        let token = app.service_token().await;
        let query = json!({"query": WHO});
        let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
            ("no headers", vec![]),
            ("bearer only", vec![("roq-platform-authorization", format!("Bearer {token}"))]),
            ("server header only", vec![("roq-platform-server-authorization", app.server_authorization())]),
            ("wrong api key", vec![
                ("roq-platform-authorization", format!("Bearer {token}")),
                ("roq-platform-server-authorization", format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{}:wrong-wrong-wrong", app.credentials.environment_id)))),
            ]),
            ("garbage token", vec![
                ("roq-platform-authorization", "Bearer abc.def.ghi".to_owned()),
                ("roq-platform-server-authorization", app.server_authorization()),
            ]),
        ];
        for (case, headers) in cases {
            let answer = app.post_json("/v01/server/graphql", &query, &headers).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{case}: {}", answer.body);
            assert_eq!(answer.error_code(), Some("UNAUTHORIZED_EXCEPTION"), "{case}");
            assert_eq!(answer.error_status(), Some(401), "{case}");
            assert!(answer.body["data"].is_null(), "{case}");
        }
    }

    async fn an_expired_token_is_refused(app: TestApp) {
        let token = app.service_token().await;
        app.clock.advance(Duration::minutes(59));
        assert_eq!(app.graphql_with(&token, WHO, json!({})).await.status, StatusCode::OK);
        app.clock.advance(Duration::minutes(2));
        let answer = app.graphql_with(&token, WHO, json!({})).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.error_message().unwrap().contains("expired"), "{}", answer.body);
    }

    async fn a_token_from_another_tandem_is_refused(app: TestApp) {
        let other = tandem_testkit::spawn_app(app.backend).await;
        let foreign = other.service_token().await;
        let answer = app.graphql_with(&foreign, WHO, json!({})).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }

    async fn user_tokens_need_the_service_token_and_an_active_user(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let id = user["id"].as_str().unwrap();
        let body = json!({"environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key, "userId": id});

        let answer = app.post_json("/v01/authorize", &body, &[]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);

        let user_token = app.user_token(id).await;
        let answer = app
            .post_json("/v01/authorize", &body, &[("roq-platform-authorization", format!("Bearer {user_token}"))])
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "a user token cannot mint tokens: {}", answer.body);

        let service = app.service_token().await;
        let bearer = [("roq-platform-authorization", format!("Bearer {service}"))];
        let answer = app
            .post_json("/v01/authorize", &json!({"environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key, "userId": uuid::Uuid::new_v4().to_string()}), &bearer)
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body["errorCode"], "USER_NOT_FOUND");

        let answer = app
            .post_json("/v01/authorize", &json!({"environmentId": app.credentials.environment_id, "apiKey": "wrong-wrong-wrong-wrong", "userId": id}), &bearer)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

        let answer = app.post_json("/v01/authorize", &json!({"environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key, "userId": id, "expiresIn": 120}), &bearer).await;
        assert_eq!(answer.status, StatusCode::OK);
        let claims = payload(answer.body["accessToken"].as_str().unwrap());
        assert_eq!(claims["exp"].as_i64().unwrap() - app.clock.now().timestamp(), 120);
        assert_eq!(claims["sub"], id);

        app.graphql(&update_user_doc(), json!({"id": id, "user": {"active": false}})).await.data("updateUser");
        let answer = app.post_json("/v01/authorize", &body, &bearer).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert!(answer.body["message"].as_str().unwrap().contains("deactivated"));
    }

    async fn deactivation_stops_existing_user_tokens(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let id = user["id"].as_str().unwrap();
        let token = app.user_token(id).await;
        let me = app.graphql_with(&token, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(me.data("user")["id"], id);

        app.graphql(&update_user_doc(), json!({"id": id, "user": {"active": false}})).await.data("updateUser");
        let answer = app.graphql_with(&token, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.error_message().unwrap().contains("deactivated"));
    }

    async fn a_user_token_reads_its_tenant_and_edits_only_its_own_profile(app: TestApp) {
        let home = create_tenant(&app, "Home").await;
        let away = create_tenant(&app, "Away").await;
        let me = create_user(&app, json!({"tenantId": home["id"]})).await;
        let neighbour = create_user(&app, json!({"tenantId": home["id"]})).await;
        let stranger = create_user(&app, json!({"tenantId": away["id"]})).await;
        let token = app.user_token(me["id"].as_str().unwrap()).await;

        let page = app.graphql_with(&token, &user_profiles_doc(), json!({})).await;
        let mut seen = emails(page.data("users"));
        seen.sort();
        let mut expected = vec![me["email"].as_str().unwrap().to_owned(), neighbour["email"].as_str().unwrap().to_owned()];
        expected.sort();
        assert_eq!(seen, expected, "only the user's own tenant is visible");

        let answer = app.graphql_with(&token, &user_profile_doc(), json!({"id": stranger["id"]})).await;
        assert_eq!(answer.error_code(), Some("USER_NOT_FOUND"));
        let answer = app.graphql_with(&token, &format!("query($id: ID!) {{ tenant(id: $id) {{ {TENANT_FIELDS} }} }}"), json!({"id": away["id"]})).await;
        assert_eq!(answer.error_code(), Some("TENANT_NOT_FOUND"));

        let answer = app.graphql_with(&token, &update_user_doc(), json!({"id": me["id"], "user": {"firstName": "Me"}})).await;
        assert_eq!(answer.data("updateUser")["firstName"], "Me");
        let answer = app.graphql_with(&token, &update_user_doc(), json!({"id": me["id"], "user": {"email": unique_email("me")}})).await;
        assert_eq!(answer.error_code(), Some("FORBIDDEN"));
        assert_eq!(answer.error_status(), Some(403));
        let answer = app.graphql_with(&token, &update_user_doc(), json!({"id": neighbour["id"], "user": {"firstName": "Not you"}})).await;
        assert_eq!(answer.error_code(), Some("FORBIDDEN"));
        let answer = app.graphql_with(&token, &create_user_doc(), json!({"user": {"email": unique_email("x"), "reference": "r"}})).await;
        assert_eq!(answer.error_code(), Some("FORBIDDEN"));
        assert_eq!(count_all_users(&app).await, 3);
    }
}
