//! Forgotten passwords: the link by mail (read from the embedded dev mailbox), setting a new
//! password with it once, and what that does to the user's sessions.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;

/// The messages in the dev mailbox, newest first (as the environment's operator sees them).
pub(super) async fn mailbox(app: &TestApp) -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(format!("{}/dev/mailbox", app.base_url))
        .basic_auth(
            &app.credentials.environment_id,
            Some(&app.credentials.api_key),
        )
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["messages"].as_array().unwrap().clone()
}

/// The path and query of the reset link in a message.
fn reset_link(message: &Value) -> String {
    let text = message["text"].as_str().unwrap();
    let start = text.find("http").expect("a link in the message");
    let link = text[start..].split_whitespace().next().unwrap();
    let url = Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// Asks for a reset link on the hosted page reached from the log-in page.
async fn ask_for_link(app: &TestApp, browser: &mut Browser, email: &str) -> Page {
    let login = browser
        .get(&roq_authorize_path(app, ROQ_CALLBACK, "login"))
        .await;
    let forgot_path = login
        .html
        .split("href=\"")
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|href| href.starts_with("/authorize/forgot?"))
        .expect("a forgot-password link on the log-in page");
    let forgot = browser.get(&forgot_path).await;
    assert_eq!(forgot.status, StatusCode::OK, "{}", forgot.html);
    browser
        .submit(&forgot, "/authorize/forgot", &[("email", email)])
        .await
}

on_both_backends! {
    async fn a_reset_link_sets_a_new_password_once_and_ends_sessions(app: TestApp) {
        let user = user_with_password(&app, json!({"email": "reset.me@example.com"})).await;
        let old_session = log_in_tokens(&app, "reset.me@example.com", PASSWORD).await;

        let mut browser = Browser::new(&app);
        let sent = ask_for_link(&app, &mut browser, "reset.me@example.com").await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
        assert!(sent.html.contains("If an account exists"), "{}", sent.html);

        let messages = mailbox(&app).await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["to"], "reset.me@example.com");
        let link = reset_link(&messages[0]);
        assert!(link.starts_with("/authorize/reset?"), "{link}");

        // The link opens the reset form (in whatever browser the mail is read).
        let mut reader = Browser::new(&app);
        let form = reader.get(&link).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.html);
        let action = form
            .html
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        // A password the policy refuses does not use up the link.
        let short = reader.submit(&form, &action, &[("password", "short")]).await;
        assert!(short.field_error("password").is_some(), "{}", short.html);
        let done = reader.submit(&form, &action, &[("password", "a-brand-new-pass")]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.html);
        assert!(done.html.contains("Your password was changed"), "{}", done.html);
        assert!(done.has_input("email"), "back on the app's log-in form: {}", done.html);

        // Once only.
        let again = reader.submit(&form, &action, &[("password", "yet-another-pass")]).await;
        assert!(again.alert().unwrap().contains("not valid any more"), "{}", again.html);

        // The old password is refused, the new one works, and the old session has ended.
        let mut browser = Browser::new(&app);
        let login = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let refused = browser.log_in(&login, "reset.me@example.com", PASSWORD).await;
        assert!(refused.location.is_none());
        log_in_tokens(&app, "reset.me@example.com", "a-brand-new-pass").await;
        let refresh = roq_refresh(&app, old_session["refreshToken"].as_str().unwrap()).await;
        assert_eq!(refresh.status, StatusCode::BAD_REQUEST, "{}", refresh.body);
        let id = user["id"].as_str().unwrap();
        let old = whoami(&app, old_session["accessToken"].as_str().unwrap(), id).await;
        assert_ne!(old.status, StatusCode::OK, "{}", old.body);
    }

    async fn unknown_emails_get_the_same_page_and_no_mail(app: TestApp) {
        user_with_password(&app, json!({"email": "known@example.com"})).await;
        let mut browser = Browser::new(&app);
        let known = ask_for_link(&app, &mut browser, "known@example.com").await;
        let unknown = ask_for_link(&app, &mut browser, "nobody@example.com").await;
        assert_eq!(known.status, unknown.status);
        let main = |page: &Page| {
            page.html
                .split("<main")
                .nth(1)
                .unwrap()
                .split("</main>")
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            main(&known).replace("known@example.com", "X"),
            main(&unknown).replace("nobody@example.com", "X")
        );
        let messages = mailbox(&app).await;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0]["to"], "known@example.com");
    }

    async fn a_reset_link_expires_after_an_hour(app: TestApp) {
        user_with_password(&app, json!({"email": "slow.reader@example.com"})).await;
        let mut browser = Browser::new(&app);
        ask_for_link(&app, &mut browser, "slow.reader@example.com").await;
        let link = reset_link(&mailbox(&app).await[0]);
        app.clock.advance(Duration::minutes(61));
        let mut reader = Browser::new(&app);
        let form = reader.get(&link).await;
        let action = format!("/authorize/reset?{}", link.split_once('?').unwrap().1);
        let late = reader.submit(&form, &action, &[("password", "a-brand-new-pass")]).await;
        assert!(late.alert().unwrap().contains("not valid any more"), "{}", late.html);
        log_in_tokens(&app, "slow.reader@example.com", PASSWORD).await;
    }

    async fn a_forged_host_never_reaches_a_reset_link(app: TestApp) {
        user_with_password(&app, json!({"email": "victim@example.com"})).await;
        let mut browser = Browser::new(&app);
        let login = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let forgot_path = login
            .html
            .split("href=\"")
            .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
            .find(|href| href.starts_with("/authorize/forgot?"))
            .unwrap();
        let forgot = browser.get(&forgot_path).await;
        let mut fields = forgot.hidden_inputs();
        fields.push(("email".into(), "victim@example.com".into()));
        let response = reqwest::Client::new()
            .post(format!("{}/authorize/forgot", app.base_url))
            .header("host", "attacker.example")
            .header("cookie", format!("tandem_form={}", browser.cookie("tandem_form").unwrap()))
            .form(&fields)
            .send()
            .await
            .unwrap();
        let page = response.text().await.unwrap();
        assert!(page.contains("public address"), "{page}");
        assert!(mailbox(&app).await.is_empty(), "no link built from a forged Host is sent");
    }

    async fn one_reset_spends_every_link_the_user_was_sent(app: TestApp) {
        user_with_password(&app, json!({"email": "twice@example.com"})).await;
        let mut browser = Browser::new(&app);
        ask_for_link(&app, &mut browser, "twice@example.com").await;
        app.clock.advance(Duration::seconds(1));
        ask_for_link(&app, &mut browser, "twice@example.com").await;
        let messages = mailbox(&app).await;
        let (newest, older) = (reset_link(&messages[0]), reset_link(&messages[1]));
        let mut reader = Browser::new(&app);
        let form = reader.get(&newest).await;
        let action = format!("/authorize/reset?{}", newest.split_once('?').unwrap().1);
        let done = reader.submit(&form, &action, &[("password", "a-brand-new-pass")]).await;
        assert!(done.html.contains("Your password was changed"), "{}", done.html);
        let form = reader.get(&older).await;
        let action = format!("/authorize/reset?{}", older.split_once('?').unwrap().1);
        let late = reader.submit(&form, &action, &[("password", "an-attacker-pass")]).await;
        assert!(late.alert().unwrap().contains("not valid any more"), "{}", late.html);
        log_in_tokens(&app, "twice@example.com", "a-brand-new-pass").await;
    }

    async fn the_dev_mailbox_needs_the_credentials(app: TestApp) {
        let anonymous = reqwest::get(format!("{}/dev/mailbox", app.base_url)).await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert!(anonymous.headers().contains_key("www-authenticate"));
        let wrong = reqwest::Client::new()
            .get(format!("{}/dev/mailbox", app.base_url))
            .basic_auth(&app.credentials.environment_id, Some("not-the-api-key-0123456789"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
}

on_both_backends! {
    async fn a_sign_up_confirms_its_email_before_it_can_log_in(app: TestApp) {
        update_auth_settings(&app, json!({"emailVerificationRequired": true})).await;
        // Users the service account creates are vouched for: they log in as before.
        user_with_password(&app, json!({"email": "made.by.admin@example.com"})).await;
        log_in_tokens(&app, "made.by.admin@example.com", PASSWORD).await;

        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "signUp")).await;
        let signed_up = browser
            .submit(
                &form,
                "/authorize/signup",
                &[("firstName", "Vera"), ("lastName", "Fied"), ("tenantName", "Vera Co"),
                  ("email", "vera@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.html);
        assert!(signed_up.location.is_none(), "no code before the email is confirmed");
        assert!(signed_up.html.contains("Confirm your email"), "{}", signed_up.html);
        assert_eq!(mailbox(&app).await.len(), 1);

        // Logging in first is refused, and sends a fresh link (a second later: the mailbox
        // orders by time).
        app.clock.advance(Duration::seconds(1));
        let login = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let refused = browser.log_in(&login, "vera@example.com", PASSWORD).await;
        assert!(refused.location.is_none());
        assert!(refused.alert().unwrap().contains("Confirm your email"), "{}", refused.html);
        let messages = mailbox(&app).await;
        assert_eq!(messages.len(), 2, "a new link");
        assert_eq!(messages[0]["kind"], "email_verification");

        // The newest link confirms and logs in: back to the app with a code (action signUp).
        let mut reader = Browser::new(&app);
        let done = reader.get(&reset_link(&messages[0])).await;
        let (_, query) = done.redirect();
        assert_eq!(query["action"], "signUp");
        let tokens = exchange(&app, &query["authorization_code"]).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        let id = decode_jwt(tokens.body["idToken"].as_str().unwrap());
        assert_eq!(id.claims["email_verified"], true);
        // The superseded first link no longer works; from now on the password is enough.
        let stale = reader.get(&reset_link(&messages[1])).await;
        assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{}", stale.html);
        log_in_tokens(&app, "vera@example.com", PASSWORD).await;
    }
}
