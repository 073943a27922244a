//! Standard OpenID Connect: discovery, the authorization code flow with PKCE through the hosted
//! log-in page, and refresh-token rotation with reuse detection.

use reqwest::StatusCode;
use serde_json::json;

use super::*;

const APP_CALLBACK: &str = "http://localhost:3000/api/auth/callback";

/// Logs in through `/oauth/authorize`; the code the browser is sent back with.
async fn oidc_login(app: &TestApp, email: &str, challenge: Option<&str>) -> String {
    let mut browser = Browser::new(app);
    let form = browser
        .get(&oidc_authorize_path(app, APP_CALLBACK, challenge))
        .await;
    let (url, query) = browser.log_in(&form, email, PASSWORD).await.redirect();
    assert_eq!(
        format!("{}{}", url.origin().ascii_serialization(), url.path()),
        APP_CALLBACK
    );
    assert_eq!(query["state"], "st-1");
    assert_eq!(
        query["iss"], app.base_url,
        "RFC 9207: the issuer comes back with the code"
    );
    assert!(
        !query.contains_key("authorization_code"),
        "the OIDC flow names it `code`"
    );
    query["code"].clone()
}

/// A public client's code exchange (no secret) with `verifier`.
async fn public_exchange(app: &TestApp, code: &str, verifier: Option<&str>) -> Answer {
    let env = app.credentials.environment_id.as_str();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", APP_CALLBACK),
        ("client_id", env),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    oidc_token(app, &form).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Answer {
    oidc_token(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", app.credentials.environment_id.as_str()),
        ],
    )
    .await
}

fn assert_invalid_grant(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        answer.body
    );
    assert_eq!(
        answer.body["error"], "invalid_grant",
        "{what}: {}",
        answer.body
    );
    assert!(answer.body.get("access_token").is_none(), "{what}");
}

on_both_backends! {
    async fn discovery_names_this_server_and_its_endpoints(app: TestApp) {
        let doc = app.get_json("/.well-known/openid-configuration", &[]).await;
        assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
        let issuer = app.base_url.as_str();
        assert_eq!(doc.body["issuer"], issuer, "the issuer is this request's host");
        for (field, path) in [
            ("authorization_endpoint", "/oauth/authorize"),
            ("token_endpoint", "/oauth/token"),
            ("userinfo_endpoint", "/oauth/userinfo"),
            ("jwks_uri", "/.well-known/jwks.json"),
            ("end_session_endpoint", "/oauth/logout"),
        ] {
            assert_eq!(doc.body[field], format!("{issuer}{path}"), "{field}");
        }
        assert_eq!(doc.body["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc.body["id_token_signing_alg_values_supported"], json!(["EdDSA"]));
        assert_eq!(doc.body["response_types_supported"], json!(["code"]));
        let keys = app.get_json(&doc.body["jwks_uri"].as_str().unwrap()[issuer.len()..], &[]).await;
        assert!(!kids(&keys.body).is_empty(), "{}", keys.body);
    }

    async fn a_public_client_logs_in_with_pkce(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();

        let code = oidc_login(&app, email, Some(PKCE_CHALLENGE)).await;
        let tokens = public_exchange(&app, &code, Some(PKCE_VERIFIER)).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        assert_eq!(tokens.body["token_type"], "Bearer");
        let id_token = decode_jwt(tokens.body["id_token"].as_str().unwrap()).claims;
        assert_eq!(id_token["nonce"], "n1");
        assert_eq!(id_token["aud"], app.credentials.environment_id.as_str());
        assert_eq!(id_token["iss"], app.base_url);
        assert_eq!(id_token["sub"], user["id"]);
        let access = tokens.body["access_token"].as_str().unwrap();
        assert!(verifies_with(&jwks(&app).await, access));
        let info = app.get_json("/oauth/userinfo", &[("authorization", format!("Bearer {access}"))]).await;
        assert_eq!(info.body["email"], user["email"], "{}", info.body);

        let code = oidc_login(&app, email, Some(PKCE_CHALLENGE)).await;
        let wrong = public_exchange(&app, &code, Some("a-different-verifier-that-is-long-enough-0123456789")).await;
        assert_invalid_grant(&wrong, "a wrong code_verifier");
        let code = oidc_login(&app, email, Some(PKCE_CHALLENGE)).await;
        assert_invalid_grant(&public_exchange(&app, &code, None).await, "a missing code_verifier");

        let code = oidc_login(&app, email, None).await;
        let without_pkce = public_exchange(&app, &code, None).await;
        assert_invalid_grant(&without_pkce, "a public client without PKCE");
        assert!(without_pkce.body["error_description"].as_str().unwrap().contains("PKCE"), "{}", without_pkce.body);
    }

    async fn a_reused_refresh_token_revokes_its_whole_family(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let code = oidc_login(&app, user["email"].as_str().unwrap(), Some(PKCE_CHALLENGE)).await;
        let tokens = public_exchange(&app, &code, Some(PKCE_VERIFIER)).await;
        let old = tokens.body["refresh_token"].as_str().unwrap().to_owned();

        let rotated = refresh(&app, &old).await;
        assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
        let new = rotated.body["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(new, old, "the refresh token rotates");
        assert_ne!(rotated.body["access_token"], tokens.body["access_token"]);
        assert!(rotated.body["id_token"].is_string());

        assert_invalid_grant(&refresh(&app, &old).await, "the rotated-out token");
        assert_invalid_grant(&refresh(&app, &new).await, "its successor, after the reuse");
    }
}

on_both_backends! {
    async fn a_confidential_client_s_refresh_token_needs_its_secret(app: TestApp) {
        let user = user_with_password(&app, json!({"email": "conf@example.com"})).await;
        let _ = user;
        let code = oidc_login(&app, "conf@example.com", None).await;
        let env = app.credentials.environment_id.clone();
        let key = app.credentials.api_key.clone();
        let tokens = oidc_token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", APP_CALLBACK),
                ("client_id", &env),
                ("client_secret", &key),
            ],
        )
        .await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        let refresh_token = tokens.body["refresh_token"].as_str().unwrap();
        let stolen = refresh(&app, refresh_token).await;
        assert_eq!(stolen.status, StatusCode::UNAUTHORIZED, "{}", stolen.body);
        assert_eq!(stolen.body["error"], "invalid_client");
        let owner = oidc_token(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", &env),
                ("client_secret", &key),
            ],
        )
        .await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
    }

    async fn replacing_the_api_key_ends_tokens_signed_under_the_old_one(app: TestApp) {
        let mut app = app;
        user_with_password(&app, json!({"email": "old.key@example.com"})).await;
        let tokens = log_in_tokens(&app, "old.key@example.com", PASSWORD).await;
        let access = tokens["accessToken"].as_str().unwrap().to_owned();
        // A fresh client each time: a pooled connection could still reach the stopped server.
        let userinfo = |app: &TestApp, token: String| {
            let request = reqwest::Client::new()
                .get(app.url("/oauth/userinfo"))
                .bearer_auth(token);
            async move { request.send().await.unwrap().status() }
        };
        assert_eq!(userinfo(&app, access.clone()).await, StatusCode::OK);
        app.restart(|c| {
            c.credentials.api_key = "a-brand-new-api-key-after-a-leak-0123456789".into();
            c.rotate_api_key = true;
        })
        .await
        .unwrap();
        assert_eq!(userinfo(&app, access).await, StatusCode::UNAUTHORIZED);
    }
}
