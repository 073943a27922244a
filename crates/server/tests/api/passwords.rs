//! verifyPassword and changeUserPasswordV2.

use serde_json::json;

use crate::common::*;

const VERIFY: &str = "mutation verifyPassword($password: String!, $userId: ID!) { verifyPassword(password: $password, userId: $userId) }";
const CHANGE: &str = "mutation changeUserPassword($data: ChangeUserPasswordDto!) { changeUserPasswordV2(data: $data) }";

async fn verifies(app: &tandem_testkit::TestApp, user: &serde_json::Value, password: &str) -> bool {
    let answer = app
        .graphql(VERIFY, json!({"userId": user["id"], "password": password}))
        .await;
    answer.data("verifyPassword").as_bool().unwrap()
}

on_both_backends! {
    async fn passwords_verify_only_when_right(app: TestApp) {
        let user = create_user(&app, json!({"password": "secret-pass-1"})).await;
        assert!(verifies(&app, &user, "secret-pass-1").await);
        assert!(!verifies(&app, &user, "secret-pass-2").await);
        assert!(!verifies(&app, &user, "").await);
        let without = create_user(&app, json!({})).await;
        assert!(!verifies(&app, &without, "anything-at-all").await, "no password set");
        let answer = app.graphql(VERIFY, json!({"userId": uuid::Uuid::new_v4().to_string(), "password": "x"})).await;
        assert_eq!(answer.error_code(), Some("USER_NOT_FOUND"));
    }

    async fn one_request_hashes_at_most_five_passwords(app: TestApp) {
        let user = create_user(&app, json!({"password": "secret-pass-1"})).await;
        let fields: String = (0..40)
            .map(|i| format!("v{i}: verifyPassword(password: $password, userId: $userId) "))
            .collect();
        let doc = format!("mutation($password: String!, $userId: ID!) {{ {fields} }}");
        let answer = app.graphql(&doc, json!({"userId": user["id"], "password": "secret-pass-1"})).await;
        let answered = (0..40).filter(|i| answer.body["data"][format!("v{i}")] == json!(true)).count();
        assert_eq!(answered, 5, "{}", answer.body);
        let errors = answer.body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 35);
        assert!(errors.iter().all(|e| e["extensions"]["response"]["errorCode"] == "TOO_MANY_PASSWORD_OPERATIONS"), "{}", answer.body);
        assert!(errors[0]["message"].as_str().unwrap().contains("at most 5 passwords"));
        // The budget is per request: the next one verifies again.
        assert!(verifies(&app, &user, "secret-pass-1").await);
    }

    async fn deactivated_users_never_verify(app: TestApp) {
        let user = create_user(&app, json!({"password": "secret-pass-1"})).await;
        app.graphql(&update_user_doc(), json!({"id": user["id"], "user": {"active": false}})).await.data("updateUser");
        assert!(!verifies(&app, &user, "secret-pass-1").await);
    }

    async fn a_password_is_changed_with_the_current_one(app: TestApp) {
        let user = create_user(&app, json!({"password": "secret-pass-1"})).await;
        let data = |current: &str, new: &str| json!({"data": {"userId": user["id"], "password": current, "newPassword": new}});

        let answer = app.graphql(CHANGE, data("wrong-password", "new-secret-2")).await;
        assert_eq!(answer.error_code(), Some("WRONG_PASSWORD"));
        let answer = app.graphql(CHANGE, data("secret-pass-1", "short")).await;
        assert_eq!(answer.error_code(), Some("PASSWORD_TOO_SHORT"));
        assert!(verifies(&app, &user, "secret-pass-1").await, "failed changes keep the old password");

        let answer = app.graphql(CHANGE, data("secret-pass-1", "new-secret-2")).await;
        assert_eq!(answer.data("changeUserPasswordV2"), &json!(true));
        assert!(verifies(&app, &user, "new-secret-2").await);
        assert!(!verifies(&app, &user, "secret-pass-1").await);

    }

    async fn the_service_account_sets_a_first_password_but_a_user_cannot(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let token = app.user_token(user["id"].as_str().unwrap()).await;
        let first = json!({"data": {"userId": user["id"], "password": "", "newPassword": "first-secret-1"}});
        let answer = app.graphql_with(&token, CHANGE, first.clone()).await;
        assert_eq!(answer.error_code(), Some("PASSWORD_NOT_SET"));
        assert!(!verifies(&app, &user, "first-secret-1").await);

        let answer = app.graphql(CHANGE, first).await;
        assert_eq!(answer.data("changeUserPasswordV2"), &json!(true));
        assert!(verifies(&app, &user, "first-secret-1").await);
    }

    async fn a_password_change_revokes_earlier_user_tokens(app: TestApp) {
        let user = create_user(&app, json!({"password": "secret-pass-1"})).await;
        let id = user["id"].as_str().unwrap();
        // No time passes (the clock is the test's): revocation does not round to the second.
        let old_token = app.user_token(id).await;
        let answer = app.graphql_with(&old_token, CHANGE, json!({"data": {"userId": id, "password": "secret-pass-1", "newPassword": "new-secret-2"}})).await;
        assert_eq!(answer.data("changeUserPasswordV2"), &json!(true));

        let refused = app.graphql_with(&old_token, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(refused.status, reqwest::StatusCode::UNAUTHORIZED);
        assert!(refused.error_message().unwrap().contains("password changed"), "{}", refused.body);
        let fresh = app.user_token(id).await;
        let ok = app.graphql_with(&fresh, &user_profile_doc(), json!({"id": id})).await;
        assert_eq!(ok.data("user")["id"], id);
    }
}
