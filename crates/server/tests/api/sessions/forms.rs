//! The hosted log-in and sign-up forms as a person (or an attacker) uses them: where the
//! browser may be sent back to, CSRF, rate limits, error messages that do not tell which
//! accounts exist, and sign-up.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::*;

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// What the person sees when the email or password is wrong.
const INVALID_LOGIN: &str = "The email or password is not correct.";

/// The page refuses the sign-in link: an HTML error, and the browser is sent nowhere.
fn assert_refused_link(page: &Page, what: &str) {
    assert_eq!(
        page.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        page.html
    );
    assert!(
        page.content_type.starts_with("text/html"),
        "{what}: {}",
        page.content_type
    );
    assert!(
        page.location.is_none(),
        "{what}: sent to {:?}",
        page.location
    );
    assert!(page.html.contains("not valid"), "{what}: {}", page.html);
    assert!(
        !page.has_input("password"),
        "{what}: no form to log in with"
    );
}

/// The form came back instead of a redirect: no code was issued.
fn assert_form_again(page: &Page, what: &str) {
    assert!(
        page.location.is_none(),
        "{what}: redirected to {:?}",
        page.location
    );
    assert_ne!(page.status, StatusCode::SEE_OTHER, "{what}");
    assert!(!page.html.contains("authorization_code="), "{what}");
    assert!(
        page.has_input("password"),
        "{what}: the form is shown again: {}",
        page.html
    );
}

async fn tenant_count(app: &TestApp) -> i64 {
    app.graphql("query { tenants { totalCount } }", json!({}))
        .await
        .data("tenants")["totalCount"]
        .as_i64()
        .unwrap()
}

on_both_backends! {
    async fn the_browser_is_only_sent_back_to_registered_addresses(app: TestApp) {
        let mut browser = Browser::new(&app);
        for evil in ["http://evil.example/cb", "//evil.example/x", "http://localhost:3001/api/auth/callback"] {
            let page = browser.get(&roq_authorize_path(&app, evil, "login")).await;
            assert_refused_link(&page, evil);
            assert!(page.html.contains("not registered"), "{evil}: {}", page.html);
        }

        // A form whose hidden redirect_uri was changed does not redirect there either.
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let mut fields: Vec<(String, String)> = form
            .hidden_inputs()
            .into_iter()
            .map(|(k, v)| if k == "redirect_uri" { (k, "http://evil.example/cb".to_owned()) } else { (k, v) })
            .collect();
        fields.extend([("email".to_owned(), email.to_owned()), ("password".to_owned(), PASSWORD.to_owned())]);
        assert_refused_link(&browser.post_form("/authorize/login", &fields).await, "a tampered form");

        update_auth_settings(&app, json!({"redirectUris": ["http://app.test:4000/cb"]})).await;
        let form = browser.get(&roq_authorize_path(&app, "http://app.test:4000/cb", "login")).await;
        let (url, query) = browser.log_in(&form, email, PASSWORD).await.redirect();
        assert_eq!(format!("{}{}", url.origin().ascii_serialization(), url.path()), "http://app.test:4000/cb");
        assert!(query.contains_key("authorization_code"));
        for other in ["http://app.test:4000/other", "http://localhost:3000/api/auth/callback"] {
            assert_refused_link(&browser.get(&roq_authorize_path(&app, other, "login")).await, other);
        }

        // Exact matching only (RFC 9700): another path, a query, the origin alone are refused;
        // a relative URI resolves against the first entry's origin and must then match.
        update_auth_settings(&app, json!({"redirectUris": ["http://app.test:4000/api/auth/callback", "http://app.test:4000"]})).await;
        for other in ["http://app.test:4000/any/path", "http://app.test:4000/api/auth/callback?next=http://evil.example", "/elsewhere"] {
            assert_refused_link(&browser.get(&roq_authorize_path(&app, other, "login")).await, other);
        }
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let (url, _) = browser.log_in(&form, email, PASSWORD).await.redirect();
        assert_eq!(url.as_str().split('?').next().unwrap(), "http://app.test:4000/api/auth/callback", "relative URIs resolve against the app's URL");
        let form = browser.get(&roq_authorize_path(&app, "http://app.test:4000", "login")).await;
        let (url, _) = browser.log_in(&form, email, PASSWORD).await.redirect();
        assert_eq!(url.path(), "/", "a registered bare origin is its root, exactly");
        assert_refused_link(&browser.get(&roq_authorize_path(&app, "http://app.test:4001/cb", "login")).await, "another port");
    }

    async fn behind_a_trusted_proxy_each_client_has_its_own_budget(app: TestApp) {
        let mut app = app;
        let sign_up = |n: usize| {
            vec![
                ("firstName".to_owned(), "Pat".to_owned()),
                ("lastName".to_owned(), format!("No{n}")),
                ("tenantName".to_owned(), format!("Co {n}")),
                ("email".to_owned(), format!("pat.{n}@example.com")),
                ("password".to_owned(), PASSWORD.to_owned()),
            ]
        };
        let mut n = 0;
        // Each attempt: a new person's details, as the proxy forwards them.
        let mut attempt = |browser: &mut Browser, forwarded: &str| {
            n += 1;
            browser.set_header("x-forwarded-for", forwarded);
            sign_up(n)
        };
        // Untrusted: the header is ignored, so varying it does not buy more sign-ups.
        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "signUp")).await;
        for i in 0..5 {
            let fields = attempt(&mut browser, &format!("198.51.100.{i}"));
            let done = browser.submit(&form, "/authorize/signup", &pairs(&fields)).await;
            assert!(done.location.is_some(), "sign-up {i}: {}", done.html);
        }
        let fields = attempt(&mut browser, "198.51.100.99");
        let blocked = browser.submit(&form, "/authorize/signup", &pairs(&fields)).await;
        assert!(blocked.alert().unwrap().contains("Too many attempts"), "{}", blocked.html);

        // Trusted: each forwarded client counts on its own.
        app.restart(|c| c.trusted_proxies = vec![tandem::proxies::Network::parse("127.0.0.1").unwrap()])
            .await
            .unwrap();
        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "signUp")).await;
        for i in 0..5 {
            let fields = attempt(&mut browser, "203.0.113.1");
            let done = browser.submit(&form, "/authorize/signup", &pairs(&fields)).await;
            assert!(done.location.is_some(), "client A, sign-up {i}: {}", done.html);
        }
        let fields = attempt(&mut browser, "203.0.113.1");
        let blocked = browser.submit(&form, "/authorize/signup", &pairs(&fields)).await;
        assert!(blocked.alert().unwrap().contains("Too many attempts"), "{}", blocked.html);
        let fields = attempt(&mut browser, "203.0.113.2");
        let other = browser.submit(&form, "/authorize/signup", &pairs(&fields)).await;
        assert!(other.location.is_some(), "client B has its own budget: {}", other.html);
    }

    async fn a_stranger_cannot_lock_you_out_from_their_address(app: TestApp) {
        let user = user_with_password(&app, json!({"email": "target@example.com"})).await;
        let email = user["email"].as_str().unwrap();
        let mut stranger = Browser::from_address(&app, "127.0.0.9");
        let form = stranger.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        for _ in 0..11 {
            stranger.log_in(&form, email, "wrong-password-9").await;
        }
        let blocked = stranger.log_in(&form, email, PASSWORD).await;
        assert!(blocked.alert().unwrap().contains("Too many attempts"), "{}", blocked.html);
        // The owner, elsewhere, logs in as usual.
        let mut owner = Browser::from_address(&app, "127.0.0.1");
        let form = owner.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let (_, query) = owner.log_in(&form, email, PASSWORD).await.redirect();
        assert!(query.contains_key("authorization_code"));
    }

    async fn ten_wrong_passwords_lock_the_account_for_a_while(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();
        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        for attempt in 1..=10 {
            let page = browser.log_in(&form, email, "wrong-password-9").await;
            assert_form_again(&page, &format!("wrong attempt {attempt}"));
            assert!(page.alert().unwrap().contains(INVALID_LOGIN), "attempt {attempt}: {:?}", page.alert());
        }
        let blocked = browser.log_in(&form, email, PASSWORD).await;
        assert_form_again(&blocked, "the 11th attempt, with the right password");
        assert!(blocked.alert().unwrap().contains("Too many attempts"), "{:?}", blocked.alert());

        app.clock.advance(Duration::minutes(2));
        let (_, query) = browser.log_in(&form, email, PASSWORD).await.redirect();
        assert!(query.contains_key("authorization_code"));
    }

    async fn log_in_errors_do_not_tell_which_accounts_exist(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let without_password = crate::common::create_user(&app, json!({})).await;
        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;

        let wrong_password = browser.log_in(&form, user["email"].as_str().unwrap(), "wrong-password-9").await;
        let unknown = browser.log_in(&form, "nobody.here@example.com", "wrong-password-9").await;
        let no_password = browser.log_in(&form, without_password["email"].as_str().unwrap(), "wrong-password-9").await;
        let shown = wrong_password.alert().expect("an alert");
        assert!(shown.contains(INVALID_LOGIN), "{shown}");
        for (page, what) in [(&unknown, "an unknown email"), (&no_password, "a user without a password")] {
            assert_form_again(page, what);
            assert_eq!(page.status, wrong_password.status, "{what}");
            assert_eq!(page.alert().as_deref(), Some(shown.as_str()), "{what}");
            assert_eq!(page.field_error("email"), wrong_password.field_error("email"), "{what}");
        }
    }

    async fn a_form_needs_its_own_csrf_cookie(app: TestApp) {
        let user = user_with_password(&app, json!({})).await;
        let email = user["email"].as_str().unwrap();
        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        let cookie = browser.cookie("tandem_form").expect("the form cookie").to_owned();
        assert!(form.hidden("csrf").is_some_and(|t| !t.is_empty()));

        let mut without_cookie = Browser::new(&app);
        let page = without_cookie.log_in(&form, email, PASSWORD).await;
        assert_form_again(&page, "no cookie");
        assert!(page.alert().unwrap().contains("This form expired"), "{:?}", page.alert());
        assert!(without_cookie.cookie("tandem_form").is_some(), "the form comes back with a cookie to retry with");

        let mut other = Browser::new(&app);
        let others_form = other.get(&roq_authorize_path(&app, ROQ_CALLBACK, "login")).await;
        assert_ne!(others_form.hidden("csrf"), form.hidden("csrf"));
        let page = browser.log_in(&others_form, email, PASSWORD).await;
        assert_form_again(&page, "another cookie's csrf value");

        let mut wrong_cookie = Browser::new(&app);
        wrong_cookie.set_cookie("tandem_form", &format!("{}x", &cookie[..cookie.len() - 1]));
        assert_form_again(&wrong_cookie.log_in(&form, email, PASSWORD).await, "a changed cookie");

        let (_, query) = browser.log_in(&form, email, PASSWORD).await.redirect();
        assert!(query.contains_key("authorization_code"), "the matching pair logs in");
    }

    async fn sign_up_creates_a_tenant_and_user_with_the_configured_roles(app: TestApp) {
        crate::common::create_role(&app, "owner").await;
        update_auth_settings(&app, json!({"signUpRoleKeys": ["owner"]})).await;
        let email = crate::common::unique_email("founder");
        let tenants = tenant_count(&app).await;

        let mut browser = Browser::new(&app);
        let form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "signUp")).await;
        assert!(form.has_input("tenantName"), "{}", form.html);
        let sign_up = |tenant: &'static str| {
            [("firstName", "Grace"), ("lastName", "Hopper"), ("tenantName", tenant), ("email", email.as_str()), ("password", PASSWORD)]
        };
        let done = browser.submit(&form, "/authorize/signup", &sign_up("Hopper & Co")).await;
        let (_, query) = done.redirect();
        assert_eq!(query["action"], "signUp");
        let tokens = exchange(&app, &query["authorization_code"]).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        let claims = decode_jwt(tokens.body["idToken"].as_str().unwrap()).claims;
        assert_eq!(claims["email"], email.as_str());
        assert_eq!(claims["roles"], json!(["owner"]));
        let (user_id, tenant_id) = (claims["roqUserId"].as_str().unwrap(), claims["tenantId"].as_str().unwrap());
        assert_eq!(tenant_count(&app).await, tenants + 1);

        let profile = app
            .graphql("query($id: ID!) { user(id: $id) { firstName lastName tenant { id name } roles { data { key } } } }", json!({"id": user_id}))
            .await;
        let profile = profile.data("user");
        assert_eq!((profile["firstName"].as_str(), profile["lastName"].as_str()), (Some("Grace"), Some("Hopper")));
        assert_eq!((profile["tenant"]["id"].as_str(), profile["tenant"]["name"].as_str()), (Some(tenant_id), Some("Hopper & Co")));
        assert_eq!(profile["roles"]["data"], json!([{"key": "owner"}]));

        app.wait_for_sync().await;
        let tenant = app.rpc_get("tenant", "findUnique", json!({"where": {"id": tenant_id}})).await;
        assert_eq!(tenant.body["data"]["name"], "Hopper & Co", "{}", tenant.body);
        let user = app.rpc_get("user", "findUnique", json!({"where": {"id": user_id}})).await;
        assert_eq!((user.body["data"]["email"].as_str(), user.body["data"]["tenant_id"].as_str()), (Some(email.as_str()), Some(tenant_id)), "{}", user.body);

        let again = browser.submit(&form, "/authorize/signup", &sign_up("Second Co")).await;
        assert_form_again(&again, "a duplicate email");
        assert!(again.field_error("email").unwrap().contains("already exists"), "{}", again.html);
        assert_eq!(tenant_count(&app).await, tenants + 1, "no tenant for a refused sign-up");

        update_auth_settings(&app, json!({"signUpEnabled": false})).await;
        let login_form = browser.get(&roq_authorize_path(&app, ROQ_CALLBACK, "signUp")).await;
        assert!(!login_form.has_input("tenantName"), "the log-in form instead: {}", login_form.html);
        let other = crate::common::unique_email("late");
        let refused = browser
            .submit(&login_form, "/authorize/signup", &[("firstName", "Late"), ("lastName", "Comer"), ("tenantName", "Late Co"), ("email", other.as_str()), ("password", PASSWORD)])
            .await;
        assert_form_again(&refused, "sign-up turned off");
        assert!(refused.alert().unwrap().contains("Sign-up is turned off"), "{:?}", refused.alert());
        assert_eq!(tenant_count(&app).await, tenants + 1);
        let found = crate::common::list_users(&app, json!({"filter": {"email": {"equalTo": other}}})).await;
        assert_eq!(found["totalCount"], 0, "{found}");
    }
}
