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
        for (body, missing) in [
            (json!({}), "environmentId"),
            (json!({"environmentId": app.credentials.environment_id}), "apiKey"),
            (json!({"environmentId": "", "apiKey": ""}), "environmentId"),
        ] {
            let answer = app.post_json("/v01/authorize/serviceAccount", &body, &[]).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
            assert_eq!(answer.body["errorCode"], "INVALID_INPUT");
            assert!(answer.body["message"].as_str().unwrap().contains(missing), "{}", answer.body);
        }
    }

    async fn the_service_token_always_names_the_service_account(app: TestApp) {
        let answer = app
            .post_json("/v01/authorize/serviceAccount", &json!({"email": "ceo@example.com", "environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key}), &[])
            .await;
        let claims = payload(answer.body["accessToken"].as_str().unwrap());
        assert_eq!(claims["sub"], "project-service-account@roq.tech");
    }

    async fn a_missing_sdk_token_is_named(app: TestApp) {
        let answer = app
            .post_json("/v01/server/graphql", &json!({"query": WHO}), &[
                ("roq-platform-authorization", "Bearer undefined".to_owned()),
                ("roq-platform-server-authorization", app.server_authorization()),
            ])
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.error_message().unwrap().contains("no access token was sent"), "{}", answer.body);
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
        let array = app.post_json("/v01/authorize/serviceAccount", &json!(["a", "b", "c"]), &[]).await;
        assert_eq!(array.status, StatusCode::BAD_REQUEST);
        assert!(!array.body["message"].as_str().unwrap().contains("struct"), "no internal names: {}", array.body);
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

        // Reactivating does not bring the old token back; a new one works.
        app.graphql(&update_user_doc(), json!({"id": id, "user": {"active": true}})).await.data("updateUser");
        let answer = app.graphql_with(&token, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert!(answer.error_message().unwrap().contains("revoked"), "{}", answer.body);
        let fresh = app.user_token(id).await;
        let me = app.graphql_with(&fresh, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(me.data("user")["id"], id);
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

on_both_backends! {
    async fn user_tokens_cannot_administer(app: TestApp) {
        let home = create_tenant(&app, "Home").await;
        let me = create_user(&app, json!({"tenantId": home["id"], "password": "secret-pass-1"})).await;
        let neighbour = create_user(&app, json!({"tenantId": home["id"], "password": "secret-pass-1"})).await;
        create_role(&app, "admin").await;
        let token = app.user_token(me["id"].as_str().unwrap()).await;
        let forbidden: Vec<(&str, String, Value)> = vec![
            ("assign itself a role", "mutation($u: ID!) { assignRolesToUser(roleKeys: [\"admin\"], userId: $u) }".into(), json!({"u": me["id"]})),
            ("create a role", "mutation { createRole(role: {key: \"x\", name: \"X\", isSystemManaged: false, permissionAssignments: []}) { id } }".into(), json!({})),
            ("create a tenant", "mutation { createTenant(tenant: {name: \"Mine\"}) { id } }".into(), json!({})),
            ("rename its tenant", "mutation($id: ID!) { updateTenant(id: $id, tenant: {name: \"Mine\"}) { id } }".into(), json!({"id": home["id"]})),
            ("deactivate itself", update_user_doc(), json!({"id": me["id"], "user": {"active": false}})),
            ("move tenant", update_user_doc(), json!({"id": me["id"], "user": {"tenantId": home["id"]}})),
            ("write customData", update_user_doc(), json!({"id": me["id"], "user": {"customData": {"isAdmin": true}}})),
            ("opt in", update_user_doc(), json!({"id": me["id"], "user": {"isOptedIn": true}})),
            ("verify another's password", "mutation($u: ID!) { verifyPassword(userId: $u, password: \"secret-pass-1\") }".into(), json!({"u": neighbour["id"]})),
            ("verify an unknown user's password", "mutation($u: ID!) { verifyPassword(userId: $u, password: \"x\") }".into(), json!({"u": uuid::Uuid::new_v4().to_string()})),
            ("change another's password", "mutation($d: ChangeUserPasswordDto!) { changeUserPasswordV2(data: $d) }".into(), json!({"d": {"userId": neighbour["id"], "password": "secret-pass-1", "newPassword": "hijacked-1"}})),
        ];
        for (what, doc, variables) in forbidden {
            let answer = app.graphql_with(&token, &doc, variables).await;
            assert_eq!(answer.error_code(), Some("FORBIDDEN"), "a user token may not {what}: {}", answer.body);
        }
        let me_now = app.graphql(&user_profile_doc(), json!({"id": me["id"], "withRoles": true})).await;
        assert_eq!(me_now.data("user")["active"], true);
        assert_eq!(me_now.data("user")["customData"], Value::Null);
        assert_eq!(me_now.data("user")["roles"]["totalCount"], 0);
        let verify = "mutation($u: ID!) { verifyPassword(userId: $u, password: \"secret-pass-1\") }";
        assert_eq!(app.graphql(verify, json!({"u": neighbour["id"]})).await.data("verifyPassword"), &json!(true));
        let mine = app.graphql_with(&token, verify, json!({"u": me["id"]})).await;
        assert_eq!(mine.data("verifyPassword"), &json!(true), "its own password it may verify");
    }

    async fn user_tokens_see_role_holders_only_in_their_tenant(app: TestApp) {
        let home = create_tenant(&app, "Home").await;
        let away = create_tenant(&app, "Away").await;
        create_role(&app, "admin").await;
        let me = create_user(&app, json!({"tenantId": home["id"], "roles": ["admin"]})).await;
        let stranger = create_user(&app, json!({"tenantId": away["id"], "roles": ["admin"]})).await;
        let token = app.user_token(me["id"].as_str().unwrap()).await;

        let counted = app.graphql_with(&token, "query { roles { data { key users { totalCount } } } }", json!({})).await;
        assert_eq!(counted.data("roles")["data"][0]["users"]["totalCount"], 1);
        let admin_view = app.graphql("query { roles { data { key users { totalCount } } } }", json!({})).await;
        assert_eq!(admin_view.data("roles")["data"][0]["users"]["totalCount"], 2);

        let doc = "query($u: ID!) { roles(filter: {userId: {equalTo: $u}}) { totalCount } }";
        let theirs = app.graphql_with(&token, doc, json!({"u": stranger["id"]})).await;
        assert_eq!(theirs.data("roles")["totalCount"], 0, "another tenant's assignments stay hidden");
        let own = app.graphql_with(&token, doc, json!({"u": me["id"]})).await;
        assert_eq!(own.data("roles")["totalCount"], 1);
        let tenants = app.graphql_with(&token, "query { tenants { data { id } totalCount } }", json!({})).await;
        assert_eq!(tenants.data("tenants")["totalCount"], 1);
        assert_eq!(tenants.data("tenants")["data"][0]["id"], home["id"]);
    }

    async fn expires_in_follows_jsonwebtoken(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let service = app.service_token().await;
        let bearer = [("roq-platform-authorization", format!("Bearer {service}"))];
        for (expires_in, seconds) in [(json!(600), 600), (json!("2 days"), 172_800), (json!("90m"), 5400)] {
            let answer = app.post_json("/v01/authorize", &json!({"environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key, "userId": user["id"], "expiresIn": expires_in}), &bearer).await;
            assert_eq!(answer.status, StatusCode::OK, "{expires_in}: {}", answer.body);
            let claims = payload(answer.body["accessToken"].as_str().unwrap());
            assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), seconds, "{expires_in}");
        }
        for bad in [json!("forever"), json!(-1), json!("400d")] {
            let answer = app.post_json("/v01/authorize", &json!({"environmentId": app.credentials.environment_id, "apiKey": app.credentials.api_key, "userId": user["id"], "expiresIn": bad}), &bearer).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(answer.body["errorCode"], "INVALID_INPUT");
        }
    }

    async fn credentials_and_tokens_survive_a_restart(app: TestApp) {
        let mut app = app;
        let user = create_user(&app, json!({})).await;
        let token = app.service_token().await;
        app.restart(|_| {}).await.expect("restart");
        let answer = app.graphql_with(&token, &user_profile_doc(), json!({"id": user["id"]})).await;
        assert_eq!(answer.data("user")["email"], user["email"], "same data, and the token secret persisted");
    }

    async fn a_store_refuses_another_environment(app: TestApp) {
        let mut app = app;
        let err = app
            .restart(|c| c.credentials.environment_id = "someone-else".into())
            .await
            .expect_err("another environment id must be refused");
        assert!(err.contains("belongs to environment"), "{err}");
    }

    async fn the_api_key_is_rotated_only_when_asked(app: TestApp) {
        let mut app = app;
        let old = app.credentials.clone();
        let new_key = "a-brand-new-api-key-for-this-env".to_owned();
        let key = new_key.clone();
        let err = app
            .restart(move |c| c.credentials.api_key = key)
            .await
            .expect_err("a different key without --rotate-api-key");
        assert!(err.contains("--rotate-api-key"), "{err}");

        let key = new_key.clone();
        app.restart(move |c| {
            c.credentials.api_key = key;
            c.rotate_api_key = true;
        })
        .await
        .expect("rotation");
        let with_old = app
            .post_json("/v01/authorize/serviceAccount", &json!({"environmentId": old.environment_id, "apiKey": old.api_key}), &[])
            .await;
        assert_eq!(with_old.status, StatusCode::UNAUTHORIZED, "the old key stops working");
        assert!(app.service_token().await.len() > 20, "the new key works");
    }
}

on_both_backends! {
    async fn a_graphql_parse_error_does_not_echo_a_huge_query(app: TestApp) {
        let query = format!("query {{ users {{ data {{ id {} }} ", "email ".repeat(9000));
        let answer = app.graphql(&format!("{query} )"), json!({})).await;
        assert_eq!(answer.error_code(), Some("GRAPHQL_VALIDATION_FAILED"), "{}", answer.body);
        let size = answer.body.to_string().len();
        assert!(size < 4096, "a {} byte query got a {size} byte error", query.len());
        assert!(answer.error_message().unwrap().ends_with("(shortened)"));
    }
}
