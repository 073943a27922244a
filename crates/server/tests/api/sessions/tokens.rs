//! ROQ's hosted log-in from code to tokens: what the tokens carry, how codes and refresh tokens
//! are used up, what cuts a session, and signing-key rotation.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::common::{create_role, update_user_doc};

const CHANGE_PASSWORD: &str =
    "mutation($data: ChangeUserPasswordDto!) { changeUserPasswordV2(data: $data) }";

on_both_backends! {
    async fn roq_log_in_gives_signed_tokens_that_carry_the_user(app: TestApp) {
        create_role(&app, "admin").await;
        let user = user_with_password(&app, json!({"firstName": "Ada", "lastName": "Byron", "roles": ["admin"]})).await;
        let id = user["id"].as_str().unwrap();
        let tokens = log_in_tokens(&app, user["email"].as_str().unwrap(), PASSWORD).await;
        assert_eq!(tokens["tokenType"], "Bearer");
        assert!(!tokens["refreshToken"].as_str().unwrap().is_empty());

        let id_token = decode_jwt(tokens["idToken"].as_str().unwrap()).claims;
        assert_eq!(id_token["roqUserId"], id);
        assert_eq!(id_token["roqEnvironmentId"], app.credentials.environment_id.as_str());
        assert_eq!(id_token["email"], user["email"]);
        assert_eq!((id_token["firstName"].as_str(), id_token["lastName"].as_str()), (Some("Ada"), Some("Byron")));
        assert_eq!(id_token["tenantId"], user["tenantId"]);
        assert_eq!(id_token["roles"], json!(["admin"]));

        let access = tokens["accessToken"].as_str().unwrap();
        let header = decode_jwt(access).header;
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(decode_jwt(tokens["idToken"].as_str().unwrap()).header["alg"], "RS256");
        let keys = jwks(&app).await;
        assert!(kids(&keys).contains(&header["kid"].as_str().unwrap().to_owned()), "{keys}");
        assert!(verifies_with(&keys, access), "the access token verifies with the published key");
        assert!(verifies_with(&keys, tokens["idToken"].as_str().unwrap()));
        let mut forged = access.to_owned();
        forged.replace_range(forged.len() - 4.., "AAAA");
        assert!(!verifies_with(&keys, &forged), "the check in this test can fail");

        let me = whoami(&app, access, id).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.data("user")["email"], user["email"]);
        let info = app.get_json("/oauth/userinfo", &[("authorization", format!("Bearer {access}"))]).await;
        assert_eq!(info.status, StatusCode::OK, "{}", info.body);
        assert_eq!((&info.body["sub"], &info.body["email"]), (&user["id"], &user["email"]));
        let refused = app.get_json("/oauth/userinfo", &[("authorization", format!("Bearer {forged}"))]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }

    async fn a_code_works_once_for_a_minute_and_only_with_the_api_key(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();

        let code = login(&app, email, PASSWORD).await;
        let wrong = exchange_with(&app, &code, "not-the-api-key-at-all").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
        assert_eq!(wrong.body["errorCode"], "INVALID_CLIENT");
        assert!(wrong.body.get("accessToken").is_none());

        let first = exchange(&app, &code).await;
        assert_eq!(first.status, StatusCode::OK, "a refused client does not use the code up: {}", first.body);
        let refresh = first.body["refreshToken"].as_str().unwrap();
        assert_eq!(roq_refresh(&app, refresh).await.status, StatusCode::OK);

        let replay = exchange(&app, &code).await;
        assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.body);
        assert_eq!(replay.body["errorCode"], "INVALID_GRANT");
        let after = roq_refresh(&app, refresh).await;
        assert_eq!(after.status, StatusCode::BAD_REQUEST, "a replayed code revokes its tokens: {}", after.body);
        assert_eq!(after.body["errorCode"], "INVALID_GRANT");

        let late = login(&app, email, PASSWORD).await;
        app.clock.advance(Duration::seconds(61));
        let expired = exchange(&app, &late).await;
        assert_eq!(expired.status, StatusCode::BAD_REQUEST, "{}", expired.body);
        assert_eq!(expired.body["errorCode"], "INVALID_GRANT");
        assert!(expired.body["message"].as_str().unwrap().contains("expired"), "{}", expired.body);
    }

    async fn the_rsa_key_survives_a_restart_and_old_id_tokens_still_verify(app: TestApp) {
        let mut app = app;
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap().to_owned();
        let id_token = log_in_tokens(&app, &email, PASSWORD).await["idToken"].as_str().unwrap().to_owned();
        let kid = decode_jwt(&id_token).header["kid"].clone();
        app.restart(|_| {}).await.unwrap();
        // A fresh client: a pooled connection could still reach the stopped server.
        let keys: Value = reqwest::get(app.url("/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
        assert!(verifies_with(&keys, &id_token), "the stored key was opened again, not replaced: {keys}");
        let again = log_in_tokens(&app, &email, PASSWORD).await["idToken"].as_str().unwrap().to_owned();
        assert_eq!(decode_jwt(&again).header["kid"], kid, "new ID tokens are signed with the same RSA key");
    }

    async fn spent_codes_are_kept_a_day_to_recognise_replays_then_purged(app: TestApp) {
        use tandem_platform::store::{AuthStore, CodeTake};
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();
        let store = app.platform_store.clone().expect("the Platform store");
        let take = |code: String| {
            let store = store.clone();
            let now = tandem_core::Clock::now(&app.clock);
            async move { store.take_code(&tandem_platform::service::digest(&code), now).await.unwrap() }
        };
        let old = login(&app, email, PASSWORD).await;
        assert_eq!(exchange(&app, &old).await.status, StatusCode::OK);
        // Log-ins within the day (and within a minute of each other) keep it: a replay is known.
        app.clock.advance(Duration::hours(23));
        login(&app, email, PASSWORD).await;
        assert!(matches!(take(old.clone()).await, CodeTake::Replayed(_)));
        // A day past its expiry, the next log-in purges it.
        app.clock.advance(Duration::hours(2));
        let fresh = login(&app, email, PASSWORD).await;
        assert!(matches!(take(old).await, CodeTake::Unknown), "the dead code is purged");
        assert!(matches!(take(fresh).await, CodeTake::Fresh(_)), "the new one is not");
    }

    async fn a_replay_during_the_first_exchange_leaves_it_no_tokens(app: TestApp) {
        use tandem_platform::domain::auth::RefreshRecord;
        use tandem_platform::store::{AuthStore, CodeTake};
        let user = user_with_password(&app, json!({})).await;
        let code = login(&app, user["email"].as_str().unwrap(), PASSWORD).await;
        let store = app.platform_store.clone().expect("the Platform store");
        let now = chrono::Utc::now();
        // The first exchange has taken the code, and not yet stored its refresh token…
        let CodeTake::Fresh(taken) = store.take_code(&tandem_platform::service::digest(&code), now).await.unwrap() else {
            panic!("the code was fresh");
        };
        // …when the code is presented again.
        let replay = exchange(&app, &code).await;
        assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.body);
        assert_eq!(replay.body["errorCode"], "INVALID_GRANT");
        // The first exchange, finishing, stores nothing: its tokens would have outlived the
        // replay's revocation.
        let record = RefreshRecord {
            token_hash: tandem_platform::service::digest("a refresh token"),
            family_id: taken.family_id.clone(),
            user_id: taken.user_id,
            client_id: taken.client_id.clone(),
            flow: taken.flow,
            scope: taken.grant.scope.clone(),
            nonce: None,
            generation: taken.generation,
            created_at: now,
            expires_at: now + Duration::days(1),
            rotated_at: None,
            revoked_at: None,
            confidential: true,
        };
        assert!(!store.insert_refresh_token(&record).await.unwrap(), "a replayed code's family takes no refresh token");
        assert!(store.refresh_token(&record.token_hash).await.unwrap().is_none());
        // Another code's first exchange is unaffected.
        let other = login(&app, user["email"].as_str().unwrap(), PASSWORD).await;
        assert_eq!(exchange(&app, &other).await.status, StatusCode::OK);
    }

    async fn roq_refresh_tokens_keep_working_when_reused(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let tokens = log_in_tokens(&app, user["email"].as_str().unwrap(), PASSWORD).await;
        let refresh = tokens["refreshToken"].as_str().unwrap();
        let mut seen = vec![tokens["accessToken"].as_str().unwrap().to_owned()];
        for _ in 0..2 {
            let answer = roq_refresh(&app, refresh).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            assert_eq!(answer.body["refreshToken"], refresh, "ROQ's refresh token stays the same");
            let access = answer.body["accessToken"].as_str().unwrap().to_owned();
            assert!(!seen.contains(&access), "a new access token each time");
            let me = whoami(&app, &access, user["id"].as_str().unwrap()).await;
            assert_eq!(me.data("user")["id"], user["id"]);
            seen.push(access);
        }
        let unknown = roq_refresh(&app, "not-a-refresh-token").await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert_eq!(unknown.body["errorCode"], "INVALID_GRANT");
    }

    async fn deactivation_ends_sessions_and_log_in_says_why(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let (id, email) = (user["id"].as_str().unwrap(), user["email"].as_str().unwrap());
        let tokens = log_in_tokens(&app, email, PASSWORD).await;
        let access = tokens["accessToken"].as_str().unwrap();
        assert_eq!(whoami(&app, access, id).await.status, StatusCode::OK);

        app.graphql(&update_user_doc(), json!({"id": id, "user": {"active": false}})).await.data("updateUser");
        let refresh = roq_refresh(&app, tokens["refreshToken"].as_str().unwrap()).await;
        assert!(refresh.status.is_client_error(), "{}", refresh.body);
        assert!(refresh.body.get("accessToken").is_none());
        let me = whoami(&app, access, id).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
        assert_eq!(me.error_code(), Some("UNAUTHORIZED_EXCEPTION"));

        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let refused = browser.log_in(&form, email, PASSWORD).await;
        assert!(refused.location.is_none(), "no redirect for a deactivated user");
        let alert = refused.alert().expect("an alert");
        assert!(alert.contains("This account is deactivated"), "{alert}");
    }

    async fn a_password_change_ends_sessions(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let (id, email) = (user["id"].as_str().unwrap(), user["email"].as_str().unwrap());
        let tokens = log_in_tokens(&app, email, PASSWORD).await;
        let access = tokens["accessToken"].as_str().unwrap();

        let changed = app
            .graphql(CHANGE_PASSWORD, json!({"data": {"userId": id, "password": PASSWORD, "newPassword": "new-secret-2"}}))
            .await;
        assert_eq!(changed.data("changeUserPasswordV2"), &json!(true));
        let refresh = roq_refresh(&app, tokens["refreshToken"].as_str().unwrap()).await;
        assert_eq!(refresh.status, StatusCode::BAD_REQUEST, "{}", refresh.body);
        assert_eq!(refresh.body["errorCode"], "INVALID_GRANT");
        assert_eq!(whoami(&app, access, id).await.status, StatusCode::UNAUTHORIZED);

        let fresh = log_in_tokens(&app, email, "new-secret-2").await;
        let me = whoami(&app, fresh["accessToken"].as_str().unwrap(), id).await;
        assert_eq!(me.data("user")["id"], id);
    }

    async fn rotated_keys_stay_published_until_revoked(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let (id, email) = (user["id"].as_str().unwrap(), user["email"].as_str().unwrap());
        let rotate = "mutation($revoke: Boolean!) { rotateSigningKey(revokePrevious: $revoke) { kid retireAt } }";

        let before = log_in_tokens(&app, email, PASSWORD).await;
        let first_token = before["accessToken"].as_str().unwrap().to_owned();
        let first_id_token = before["idToken"].as_str().unwrap().to_owned();
        let first_kid = decode_jwt(&first_token).header["kid"].as_str().unwrap().to_owned();

        let rotated = app.graphql(rotate, json!({"revoke": false})).await;
        let second_kid = rotated.data("rotateSigningKey")["kid"].as_str().unwrap().to_owned();
        assert_ne!(second_kid, first_kid);
        let keys = jwks(&app).await;
        assert_eq!(kids(&keys)[0], second_kid, "the new key is listed first");
        assert!(kids(&keys).contains(&first_kid), "the old key stays published");
        assert!(verifies_with(&keys, &first_token));
        assert!(verifies_with(&keys, &first_id_token), "the old RSA key stays published too");
        assert_eq!(whoami(&app, &first_token, id).await.status, StatusCode::OK, "tokens signed before keep working");
        let second_token = log_in_tokens(&app, email, PASSWORD).await["accessToken"].as_str().unwrap().to_owned();
        assert_eq!(decode_jwt(&second_token).header["kid"], second_kid.as_str(), "new tokens use the new key");
        let second_id_token = log_in_tokens(&app, email, PASSWORD).await["idToken"].as_str().unwrap().to_owned();
        assert_eq!(
            decode_jwt(&second_id_token).header["kid"],
            format!("{second_kid}-rs256").as_str(),
            "new ID tokens use an RSA key made for the new key"
        );
        assert!(verifies_with(&jwks(&app).await, &second_id_token));

        let revoked = app.graphql(rotate, json!({"revoke": true})).await;
        let third_kid = revoked.data("rotateSigningKey")["kid"].as_str().unwrap().to_owned();
        let keys = jwks(&app).await;
        assert_eq!(kids(&keys), vec![third_kid.clone(), format!("{third_kid}-rs256")], "every earlier key is withdrawn");
        assert!(!verifies_with(&keys, &first_id_token), "so are their RSA keys");
        for (token, which) in [(&first_token, "first"), (&second_token, "second")] {
            let me = whoami(&app, token, id).await;
            assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a token of the {which} key: {}", me.body);
        }
        let third = log_in_tokens(&app, email, PASSWORD).await;
        assert_eq!(whoami(&app, third["accessToken"].as_str().unwrap(), id).await.status, StatusCode::OK);
    }
}
