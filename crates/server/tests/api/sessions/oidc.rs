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
        assert_eq!(doc.body["id_token_signing_alg_values_supported"], json!(["RS256", "EdDSA"]));
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
        let keys = jwks(&app).await;
        assert!(verifies_with(&keys, access));
        // OpenID Connect's default: a client that was told nothing expects RS256 ID tokens.
        let raw_id_token = tokens.body["id_token"].as_str().unwrap();
        assert_eq!(decode_jwt(raw_id_token).header["alg"], "RS256");
        assert!(verifies_with(&keys, raw_id_token), "the ID token verifies with the published RSA key");
        let mut forged = raw_id_token.to_owned();
        forged.replace_range(forged.len() - 4.., "AAAA");
        assert!(!verifies_with(&keys, &forged), "the check in this test can fail");
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

    async fn concurrent_uses_of_one_refresh_token_leave_no_live_successor(app: TestApp) {
        // The same token sent several times at once (a stolen copy racing the owner): at most
        // one use rotates it, the others are reuses — and a reuse revokes the family, the
        // winner's successor included, however the requests interleave.
        let user = user_with_password(&app, json!({})).await;
        for round in 0..4 {
            let code = oidc_login(&app, user["email"].as_str().unwrap(), Some(PKCE_CHALLENGE)).await;
            let tokens = public_exchange(&app, &code, Some(PKCE_VERIFIER)).await;
            let token = tokens.body["refresh_token"].as_str().unwrap().to_owned();
            let (a, b, c, d, e, f) = tokio::join!(
                refresh(&app, &token),
                refresh(&app, &token),
                refresh(&app, &token),
                refresh(&app, &token),
                refresh(&app, &token),
                refresh(&app, &token)
            );
            let answers = [a, b, c, d, e, f];
            let winners: Vec<&Answer> = answers.iter().filter(|a| a.status == StatusCode::OK).collect();
            assert!(winners.len() <= 1, "round {round}: {} uses rotated one token", winners.len());
            if winners.len() < answers.len()
                && let Some(winner) = winners.first()
            {
                let successor = winner.body["refresh_token"].as_str().unwrap();
                assert_invalid_grant(&refresh(&app, successor).await, "the successor of a reused token");
            }
        }
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

    async fn id_tokens_follow_the_signing_setting_and_end_sessions_either_way(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();
        let alg_of = |tokens: &Answer| decode_jwt(tokens.body["id_token"].as_str().unwrap()).header["alg"].clone();

        let rs256 = public_exchange(&app, &oidc_login(&app, email, Some(PKCE_CHALLENGE)).await, Some(PKCE_VERIFIER)).await;
        assert_eq!(alg_of(&rs256), "RS256", "{}", rs256.body);

        let changed = app
            .graphql(
                "mutation { updateAuthSettings(data: {idTokenSigningAlg: EdDSA}) { idTokenSigningAlg } }",
                json!({}),
            )
            .await;
        assert_eq!(changed.data("updateAuthSettings")["idTokenSigningAlg"], "EdDSA");
        let eddsa = public_exchange(&app, &oidc_login(&app, email, Some(PKCE_CHALLENGE)).await, Some(PKCE_VERIFIER)).await;
        assert_eq!(alg_of(&eddsa), "EdDSA", "{}", eddsa.body);
        let keys = jwks(&app).await;
        for tokens in [&rs256, &eddsa] {
            assert!(verifies_with(&keys, tokens.body["id_token"].as_str().unwrap()));
        }

        // A token cannot choose how its key is used: the RSA key's id under `alg: EdDSA` (or the
        // Ed25519 key's under RS256) is refused as an id_token_hint, and the session lives on.
        let rs_token = rs256.body["id_token"].as_str().unwrap();
        let (_, rest) = rs_token.split_once('.').unwrap();
        let rs_kid = decode_jwt(rs_token).header["kid"].as_str().unwrap().to_owned();
        let confused = format!(
            "{}.{rest}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "typ": "JWT", "kid": rs_kid}).to_string())
        );
        let refused = app.get_json(&format!("/oauth/logout?id_token_hint={confused}"), &[]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let still = refresh(&app, rs256.body["refresh_token"].as_str().unwrap()).await;
        assert_eq!(still.status, StatusCode::OK, "{}", still.body);

        // Either kind of ID token ends its session at the end-session endpoint: an EdDSA one,
        // and the first, RS256 one (its family is the one `still` continues).
        let ed_hint = eddsa.body["id_token"].as_str().unwrap();
        assert_eq!(decode_jwt(ed_hint).header["alg"], "EdDSA");
        assert_eq!(decode_jwt(rs_token).header["alg"], "RS256");
        for (hint, refresh_token) in [
            (ed_hint, eddsa.body["refresh_token"].as_str().unwrap()),
            (rs_token, still.body["refresh_token"].as_str().unwrap()),
        ] {
            let out = app.get_json(&format!("/oauth/logout?id_token_hint={hint}"), &[]).await;
            assert!(out.status.is_success() || out.status.is_redirection(), "{}: {}", out.status, out.body);
            assert_invalid_grant(&refresh(&app, refresh_token).await, "a refresh token after log-out");
        }
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

/// PostgreSQL only: SQLite runs one writer at a time, so a rotation is never in flight while
/// another write runs. A rotation is held open (its token marked rotated, its successor
/// inserted, not committed) while a log-out revokes the family; once the rotation commits, the
/// log-out must have revoked the successor too — it waits for the rotation and then sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_out_waits_for_a_rotation_in_flight_and_revokes_its_successor() {
    use sqlx::Connection;
    let app = tandem_testkit::spawn_app(tandem_testkit::Backend::Postgres).await;
    let tandem_sql::DbUrl::Postgres(url) = &app.config.platform_db else {
        panic!("a PostgreSQL app");
    };
    let user = user_with_password(&app, json!({})).await;
    let code = oidc_login(&app, user["email"].as_str().unwrap(), Some(PKCE_CHALLENGE)).await;
    let tokens = public_exchange(&app, &code, Some(PKCE_VERIFIER)).await;
    let token = tokens.body["refresh_token"].as_str().unwrap().to_owned();
    let hash = tandem_platform::service::digest(&token);

    let mut rotation = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut rotation).await.unwrap();
    sqlx::query("UPDATE refresh_tokens SET rotated_at = created_at WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut rotation)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, client_id, flow, scope, nonce, generation, created_at, expires_at, confidential) \
         SELECT 'successor-in-flight', family_id, user_id, client_id, flow, scope, nonce, generation, created_at, expires_at, confidential FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(&hash)
    .execute(&mut rotation)
    .await
    .unwrap();

    let log_out = {
        let url = format!("{}/oauth/revoke", app.base_url);
        let token = token.clone();
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .form(&[("token", token)])
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // The log-out is now waiting on the rotation's row lock (it cannot finish before).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !log_out.is_finished(),
        "the log-out must wait for the rotation in flight"
    );
    sqlx::query("COMMIT").execute(&mut rotation).await.unwrap();
    assert_eq!(log_out.await.unwrap(), StatusCode::OK);

    let revoked: Option<i64> = sqlx::query_scalar(
        "SELECT revoked_at FROM refresh_tokens WHERE token_hash = 'successor-in-flight'",
    )
    .fetch_one(&mut rotation)
    .await
    .unwrap();
    assert!(
        revoked.is_some(),
        "the successor committed during the log-out survived it"
    );
}
