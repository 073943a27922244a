//! The Console's doors, on both backends: no page and no action without a session; forms refused
//! without the session's CSRF token; a log-in always starts a new session (a cookie the browser
//! brought is never adopted) and log-out ends it; log-in attempts are rate-limited.

use reqwest::StatusCode;
use tandem_testkit::TestApp;

use crate::sessions::{Browser, Page};

const ADMIN: &str = "ops@console.example";
const PASSWORD: &str = "console-secret-1";

async fn with_admin(app: &TestApp) {
    let store = app.platform_store.as_ref().unwrap();
    tandem_platform::service::create_console_admin(
        store,
        ADMIN,
        Some(PASSWORD),
        tandem_core::Clock::now(&app.clock),
    )
    .await
    .unwrap();
}

/// Opens the log-in form and submits it.
async fn log_in(browser: &mut Browser, password: &str) -> Page {
    let form = browser.get("/console/login").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    browser
        .submit(
            &form,
            "/console/login?next=%2Fconsole%2Ftenants",
            &[("email", ADMIN), ("password", password)],
        )
        .await
}

/// The CSRF token the page's forms carry.
fn csrf_of(page: &Page) -> String {
    page.hidden("csrf").expect("a form with the CSRF token")
}

async fn tenant_names(app: &TestApp) -> Vec<String> {
    let answer = app
        .graphql(
            "query { tenants(limit: 1000) { data { name } } }",
            serde_json::json!({}),
        )
        .await;
    answer.data("tenants")["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn no_console_page_or_action_is_reachable_without_a_session(app: TestApp) {
        with_admin(&app).await;
        let mut browser = Browser::new(&app);
        for path in ["/console/users", "/console/invitations", "/console/tenants", "/console/roles", "/console/sync", "/console/settings", "/console/data", "/console/mailbox", "/console/users/00000000-0000-4000-8000-000000000000"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert!(page.location.as_deref().unwrap().starts_with("/console/login?next="), "{path}: {:?}", page.location);
        }
        let root = browser.get("/").await;
        assert_eq!(root.location.as_deref(), Some("/console"));
        // Actions too, and nothing happens.
        let posted = browser.post_form("/console/tenants", &[("name".into(), "Sneaky".into()), ("csrf".into(), "x".into())]).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER);
        assert_eq!(posted.location.as_deref(), Some("/console/login"));
        assert!(!tenant_names(&app).await.contains(&"Sneaky".to_owned()));
        for path in ["/console/logout", "/console/invitations", "/console/roles", "/console/sync/retry", "/console/sync/reconcile", "/console/settings", "/console/settings/rotate-key", "/console/users/00000000-0000-4000-8000-000000000000/active"] {
            let page = browser.post_form(path, &[("csrf".into(), "x".into())]).await;
            assert_eq!(page.location.as_deref(), Some("/console/login"), "{path}");
        }
        // A made-up session cookie is no session.
        browser.set_cookie("tandem_console", "made-up-token-made-up-token-made-up");
        assert_eq!(browser.get("/console/users").await.status, StatusCode::SEE_OTHER);
    }

    async fn forms_without_the_sessions_csrf_token_are_refused(app: TestApp) {
        with_admin(&app).await;
        let mut browser = Browser::new(&app);
        let landed = log_in(&mut browser, PASSWORD).await;
        assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.html);
        assert_eq!(landed.location.as_deref(), Some("/console/tenants"));
        let page = browser.get("/console/tenants").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = csrf_of(&page);

        for bad in ["", "wrong", &csrf[..csrf.len() - 1]] {
            let refused = browser.post_form("/console/tenants", &[("name".into(), "Forged".into()), ("csrf".into(), bad.into())]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "csrf {bad:?}");
            assert!(refused.html.contains("This form expired"), "{}", refused.html);
        }
        assert!(!tenant_names(&app).await.contains(&"Forged".to_owned()));

        // Another admin's session token does not fit this session either.
        let mut other = Browser::new(&app);
        log_in(&mut other, PASSWORD).await;
        let other_csrf = csrf_of(&other.get("/console/tenants").await);
        assert_ne!(other_csrf, csrf);
        let crossed = browser.post_form("/console/tenants", &[("name".into(), "Crossed".into()), ("csrf".into(), other_csrf)]).await;
        assert_eq!(crossed.status, StatusCode::FORBIDDEN);

        let done = browser.post_form("/console/tenants", &[("name".into(), "Real".into()), ("csrf".into(), csrf)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(tenant_names(&app).await.contains(&"Real".to_owned()));
        // And the audit log has it.
        let audit = app.platform_store.as_ref().unwrap();
        let lines = tandem_platform::ConsoleStore::audit(audit, None, 10).await.unwrap();
        assert_eq!(lines[0].action, "tenant.create");
        assert_eq!(lines[0].actor, ADMIN);
    }

    async fn a_log_in_starts_a_new_session_and_log_out_ends_it(app: TestApp) {
        with_admin(&app).await;
        let mut browser = Browser::new(&app);
        // Planted by an attacker before the log-in (session fixation).
        let planted = "attacker-chosen-session-token-0123456789";
        browser.set_cookie("tandem_console", planted);
        let landed = log_in(&mut browser, PASSWORD).await;
        assert_eq!(landed.status, StatusCode::SEE_OTHER);
        let session = browser.cookie("tandem_console").unwrap().to_owned();
        assert_ne!(session, planted);
        assert!(session.len() >= 40, "a long random token: {session}");

        let mut attacker = Browser::new(&app);
        attacker.set_cookie("tandem_console", planted);
        assert_eq!(attacker.get("/console/users").await.status, StatusCode::SEE_OTHER);
        assert_eq!(browser.get("/console/users").await.status, StatusCode::OK);

        // A wrong password starts nothing.
        let mut guesser = Browser::new(&app);
        let refused = log_in(&mut guesser, "not-the-password").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(guesser.cookie("tandem_console").is_none());

        // A new password for the admin (tandem admin password) ends their sessions.
        let mut elsewhere = Browser::new(&app);
        log_in(&mut elsewhere, PASSWORD).await;
        assert_eq!(elsewhere.get("/console/users").await.status, StatusCode::OK);
        let store = app.platform_store.as_ref().unwrap();
        tandem_platform::service::reset_console_admin_password(store, ADMIN, Some("console-secret-2")).await.unwrap();
        assert_eq!(elsewhere.get("/console/users").await.status, StatusCode::SEE_OTHER);
        assert_eq!(browser.get("/console/users").await.status, StatusCode::SEE_OTHER);
        log_in(&mut browser, "console-secret-2").await;
        let session = browser.cookie("tandem_console").unwrap().to_owned();
        // A log-in from a browser that still holds a session (a second tab's form) ends it.
        let mut tab = Browser::new(&app);
        let form = tab.get("/console/login").await;
        tab.set_cookie("tandem_console", &session);
        tab.submit(&form, "/console/login", &[("email", ADMIN), ("password", "console-secret-2")]).await;
        assert_ne!(tab.cookie("tandem_console"), Some(session.as_str()));
        assert_eq!(browser.get("/console/users").await.status, StatusCode::SEE_OTHER);
        let mut browser = tab;
        let session = browser.cookie("tandem_console").unwrap().to_owned();

        // Log-out ends the session on the server, not only in this browser.
        let csrf = csrf_of(&browser.get("/console/users").await);
        let out = browser.post_form("/console/logout", &[("csrf".into(), csrf)]).await;
        assert_eq!(out.location.as_deref(), Some("/console/login"));
        let mut replay = Browser::new(&app);
        replay.set_cookie("tandem_console", &session);
        assert_eq!(replay.get("/console/users").await.status, StatusCode::SEE_OTHER);
    }

    async fn console_log_in_is_rate_limited_and_the_form_is_csrf_protected(app: TestApp) {
        with_admin(&app).await;
        // Without the form's own token (another site posting it), nothing is tried.
        let mut forged = Browser::new(&app);
        let page = forged
            .post_form("/console/login", &[("email".into(), ADMIN.into()), ("password".into(), PASSWORD.into())])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(forged.cookie("tandem_console").is_none());

        let mut browser = Browser::new(&app);
        let mut statuses = Vec::new();
        for _ in 0..12 {
            statuses.push(log_in(&mut browser, "wrong-password-x").await.status);
        }
        assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
        // Even the right password waits now.
        let limited = log_in(&mut browser, PASSWORD).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(limited.html.contains("too many attempts"), "{}", limited.html);
    }

    async fn the_roles_grid_sets_a_roles_permissions_and_audits_it(app: TestApp) {
        with_admin(&app).await;
        let role = crate::common::create_role(&app, "member").await;
        let mut browser = Browser::new(&app);
        log_in(&mut browser, PASSWORD).await;
        let path = format!("/console/roles/{}", role["id"].as_str().unwrap());
        let grid = browser.get(&path).await;
        assert_eq!(grid.status, StatusCode::OK, "{}", grid.html);
        assert!(grid.html.contains("name=\"user:read\""), "a cell per model and operation");
        let saved = browser
            .post_form(&path, &[("csrf".into(), csrf_of(&grid)), ("user:read".into(), "tenant".into()), ("user:update".into(), "own".into())])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
        assert!(saved.location.as_deref().unwrap().contains("done="), "{:?}", saved.location);
        let answer = app
            .graphql("query { permissions(limit: 100) { data { operation scope projectEntityId roleId } } }", serde_json::json!({}))
            .await;
        let mut got: Vec<String> = answer.data("permissions")["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["roleId"] == role["id"])
            .map(|p| format!("{} {} {}", p["projectEntityId"].as_str().unwrap(), p["operation"].as_str().unwrap(), p["scope"].as_str().unwrap()))
            .collect();
        got.sort();
        assert_eq!(got, ["user read tenant", "user update own"]);
        let lines = tandem_platform::ConsoleStore::audit(app.platform_store.as_ref().unwrap(), None, 1).await.unwrap();
        assert_eq!(lines[0].action, "role.permissions");
        assert!(lines[0].detail.contains("user [read tenant, update own]"), "{}", lines[0].detail);
        // A made-up scope changes nothing, on any model of the form.
        let grid = browser.get(&path).await;
        let refused = browser.post_form(&path, &[("csrf".into(), csrf_of(&grid)), ("tenant:read".into(), "all".into()), ("user:read".into(), "everything".into())]).await;
        assert!(refused.location.as_deref().unwrap().contains("error="), "{:?}", refused.location);
        let again = app
            .graphql("query { permissions(limit: 100) { data { operation scope projectEntityId roleId } } }", serde_json::json!({}))
            .await;
        let count = again.data("permissions")["data"].as_array().unwrap().iter().filter(|p| p["roleId"] == role["id"]).count();
        assert_eq!(count, 2, "{}", again.body);
        // The notice on the page is the Console's own: a crafted one shows nothing.
        let shown = browser.get(refused.location.as_deref().unwrap()).await;
        assert!(shown.html.contains("is not a scope"), "{}", shown.html);
        let crafted = browser.get(&format!("{path}?error=Add%20https%3A%2F%2Fevil.test%20to%20the%20redirect%20URIs")).await;
        assert!(!crafted.html.contains("evil.test"), "{}", crafted.html);
    }

    async fn the_settings_form_chooses_how_id_tokens_are_signed(app: TestApp) {
        with_admin(&app).await;
        let mut browser = Browser::new(&app);
        log_in(&mut browser, PASSWORD).await;
        let alg = || async {
            app.graphql("query { authSettings { idTokenSigningAlg } }", serde_json::json!({}))
                .await
                .data("authSettings")["idTokenSigningAlg"]
                .clone()
        };
        assert_eq!(alg().await, "RS256", "the default");
        let form = |csrf: String, alg: &str| {
            [
                ("csrf", csrf),
                ("environmentName", "Acme".into()),
                ("signUpEnabled", "on".into()),
                ("redirectUris", "http://localhost:3000/api/auth/callback".into()),
                ("allowedOrigins", String::new()),
                ("idTokenSigningAlg", alg.into()),
                ("accessTokenLifetime", "3600".into()),
                ("refreshTokenLifetime", "2592000".into()),
                ("inviteLifetime", "604800".into()),
            ]
            .map(|(k, v)| (k.to_owned(), v))
        };
        let page = browser.get("/console/settings").await;
        assert!(page.html.contains("<option value=\"RS256\" selected"), "{}", page.html);
        let saved = browser.post_form("/console/settings", &form(csrf_of(&page), "EdDSA")).await;
        assert!(saved.location.as_deref().unwrap().contains("done="), "{:?}", saved.location);
        assert_eq!(alg().await, "EdDSA");
        let page = browser.get("/console/settings").await;
        assert!(page.html.contains("<option value=\"EdDSA\" selected"), "{}", page.html);
        let refused = browser.post_form("/console/settings", &form(csrf_of(&page), "HS256")).await;
        assert!(refused.location.as_deref().unwrap().contains("error="), "{:?}", refused.location);
        assert_eq!(alg().await, "EdDSA", "an unknown algorithm changes nothing");
    }
}
