//! Invitations: sent through the server GraphQL as `@roq/nodejs` sends them, mailed (read from
//! the dev mailbox, or from an SMTP server), accepted once on the hosted page; resent, canceled,
//! expired (injected clock); who may invite; and the mail queue retrying until the SMTP server
//! answers.

use chrono::Duration;
use reqwest::StatusCode;
use sea_query::{Alias, Expr, Query};
use serde_json::{Value, json};
use tandem_testkit::smtp::FakeSmtp;

use super::recovery::mailbox;
use super::*;
use crate::common::{create_role, create_user, unique_email};

const INVITE_FIELDS: &str = "id email firstName lastName locale roleKeys status statusUpdatedAt tenantId createdByUserId acceptedByUserId userTokenId createdAt updatedAt";

fn send_doc() -> String {
    format!(
        "mutation sendUserInvites($data: UserInvitesCreateV2Dto!) {{ sendUserInvitesV2(data: $data) {{
           success {{ {INVITE_FIELDS} }} errors {{ email error message firstName lastName }} }} }}"
    )
}

fn one_doc(op: &str) -> String {
    format!("mutation($id: ID!) {{ {op}(id: $id) {{ {INVITE_FIELDS} }} }}")
}

async fn create_tenant(app: &TestApp, name: &str) -> String {
    let answer = app
        .graphql(
            "mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }",
            json!({"t": {"name": name}}),
        )
        .await;
    answer.data("createTenant")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A tenant with an inviting user in it (service account fixtures).
async fn setup(app: &TestApp) -> (String, Value) {
    let tenant = create_tenant(app, "Acme").await;
    create_role(app, "member").await;
    let inviter = create_user(
        app,
        json!({"tenantId": tenant, "firstName": "Ann", "lastName": "Admin"}),
    )
    .await;
    (tenant, inviter)
}

async fn send(app: &TestApp, token: Option<&str>, tenant: &str, invites: Value) -> Answer {
    let variables = json!({"data": {"tenantId": tenant, "userInvites": invites}});
    match token {
        Some(token) => app.graphql_with(token, &send_doc(), variables).await,
        None => app.graphql(&send_doc(), variables).await,
    }
}

/// Invites one address as the service account; the invite.
async fn invite(app: &TestApp, tenant: &str, inviter: &Value, email: &str) -> Value {
    let answer = send(
        app,
        None,
        tenant,
        json!([{"email": email, "firstName": "Nia", "roles": ["member"], "createdByUserId": inviter["id"]}]),
    )
    .await;
    let result = answer.data("sendUserInvitesV2");
    assert_eq!(result["errors"], json!([]), "{result}");
    result["success"][0].clone()
}

/// The path and query of the link in the newest message to `email`.
async fn link_to(app: &TestApp, email: &str) -> String {
    let messages = mailbox(app).await;
    let message = messages
        .iter()
        .find(|m| m["to"] == email)
        .unwrap_or_else(|| panic!("no message to {email} in {messages:?}"));
    let text = message["text"].as_str().unwrap();
    let start = text.find("http").expect("a link in the message");
    let url = Url::parse(text[start..].split_whitespace().next().unwrap()).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap())
}

fn token_of(link: &str) -> String {
    Url::parse(&format!("http://x{link}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned()
}

/// Opens the link and accepts with these names and password.
async fn accept(app: &TestApp, link: &str, password: &str) -> Page {
    let mut browser = Browser::new(app);
    let form = browser.get(link).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    browser
        .submit(
            &form,
            link,
            &[
                ("firstName", "Nia"),
                ("lastName", "Newcomer"),
                ("password", password),
            ],
        )
        .await
}

on_both_backends! {
    async fn an_invitation_is_mailed_accepted_once_and_creates_the_user_with_its_tenant_and_roles(app: TestApp) {
        let (tenant, inviter) = setup(&app).await;
        let email = unique_email("nia");
        let answer = send(
            &app,
            None,
            &tenant,
            json!([
                {"email": email, "firstName": "Nia", "roles": ["member"], "createdByUserId": inviter["id"]},
                {"email": "not-an-email", "createdByUserId": inviter["id"]},
                {"email": inviter["email"], "firstName": "Ann", "createdByUserId": inviter["id"]},
                {"email": unique_email("x"), "roles": ["no-such-role"], "createdByUserId": inviter["id"]},
            ]),
        )
        .await;
        let result = answer.data("sendUserInvitesV2");
        assert_eq!(result["success"].as_array().unwrap().len(), 1, "{result}");
        let sent = &result["success"][0];
        assert_eq!(sent["status"], "pending");
        assert_eq!(sent["roleKeys"], json!(["member"]));
        assert_eq!(sent["tenantId"], tenant);
        let codes: Vec<&str> = result["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["error"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["INVALID_EMAIL", "USER_EMAIL_ALREADY_EXISTS", "ROLE_KEY_NOT_FOUND"]);
        assert_eq!(result["errors"][1]["firstName"], "Ann");

        // One message, for the one invitation sent.
        let messages = mailbox(&app).await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["kind"], "invitation");
        assert_eq!(messages[0]["subject"], "Ann Admin invited you to Acme on Tandem");
        let link = link_to(&app, &email).await;
        assert!(link.starts_with("/authorize/invite?token="), "{link}");

        // The token is stored only as its digest.
        let store = app.platform_store.as_ref().unwrap();
        let select = Query::select()
            .expr_as(Expr::col(Alias::new("token_hash")), Alias::new("token_hash"))
            .from(Alias::new("user_invites"))
            .to_owned();
        let stored: Vec<(String,)> = store.db().fetch_all(&select).await.unwrap();
        let token = token_of(&link);
        assert_eq!(stored, vec![(tandem_platform::service::digest(&token),)]);
        assert_ne!(stored[0].0, token);

        // (Messages are listed by their time on the test's clock.)
        app.clock.advance(Duration::seconds(1));
        let done = accept(&app, &link, "a-good-password-1").await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.html);
        assert!(done.html.contains("Welcome aboard"), "{}", done.html);

        let users = app
            .graphql(
                "query($f: UserFilterArgType) { users(filter: $f) { data { id tenantId firstName lastName roles { data { key } } } } }",
                json!({"f": {"email": {"equalTo": email}}}),
            )
            .await;
        let user = users.data("users")["data"][0].clone();
        assert_eq!(user["tenantId"], tenant);
        assert_eq!(user["lastName"], "Newcomer");
        assert_eq!(user["roles"]["data"], json!([{"key": "member"}]));
        let verified = app
            .graphql(
                "mutation($u: ID!, $p: String!) { verifyPassword(userId: $u, password: $p) }",
                json!({"u": user["id"], "p": "a-good-password-1"}),
            )
            .await;
        assert_eq!(verified.data("verifyPassword"), &json!(true));
        let read = app.graphql(&one_doc("userInvite").replace("mutation", "query"), json!({"id": sent["id"]})).await;
        assert_eq!(read.data("userInvite")["status"], "accepted");
        assert_eq!(read.data("userInvite")["acceptedByUserId"], user["id"]);

        // The user reaches the BaaS like any other.
        app.wait_for_sync().await;
        let row = app.rpc_get("user", "findUnique", json!({"where": {"id": user["id"]}})).await;
        assert_eq!(row.body["data"]["tenant_id"], tenant, "{}", row.body);

        // The link works once: the page says so, and a second acceptance creates nothing.
        let again = Browser::new(&app).get(&link).await;
        assert_eq!(again.status, StatusCode::OK);
        assert!(again.html.contains("already accepted"), "{}", again.html);
        let api = app
            .graphql(
                &format!("mutation($d: AcceptUserInviteV2Dto!) {{ acceptUserInviteV2(data: $d) {{ {INVITE_FIELDS} }} }}"),
                json!({"d": {"token": token}}),
            )
            .await;
        assert_eq!(api.error_code(), Some("USER_INVITE_CLOSED"), "{}", api.body);
        // A welcome message followed the acceptance.
        let kinds: Vec<Value> = mailbox(&app).await.iter().map(|m| m["kind"].clone()).collect();
        assert_eq!(kinds, [json!("welcome"), json!("invitation")]);
    }

    async fn resending_voids_the_old_link_and_a_canceled_invitation_stays_closed(app: TestApp) {
        let (tenant, inviter) = setup(&app).await;
        let email = unique_email("rey");
        let sent = invite(&app, &tenant, &inviter, &email).await;
        let first = link_to(&app, &email).await;
        // A second open invitation for the same address is refused.
        let dup = send(&app, None, &tenant, json!([{"email": email, "createdByUserId": inviter["id"]}])).await;
        assert_eq!(dup.data("sendUserInvitesV2")["errors"][0]["error"], "USER_INVITE_PENDING");

        app.clock.advance(Duration::seconds(1));
        let resent = app.graphql(&one_doc("resendUserInvite"), json!({"id": sent["id"]})).await;
        let resent = resent.data("resendUserInvite");
        assert_ne!(resent["userTokenId"], sent["userTokenId"]);
        let second = link_to(&app, &email).await;
        assert_ne!(first, second);
        let old = Browser::new(&app).get(&first).await;
        assert_eq!(old.status, StatusCode::NOT_FOUND, "{}", old.html);
        assert!(old.html.contains("not valid"), "{}", old.html);
        assert_eq!(Browser::new(&app).get(&second).await.status, StatusCode::OK);

        let canceled = app.graphql(&one_doc("cancelUserInvite"), json!({"id": sent["id"]})).await;
        assert_eq!(canceled.data("cancelUserInvite")["status"], "canceled");
        let page = Browser::new(&app).get(&second).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(page.html.contains("This invitation was canceled"), "{}", page.html);
        for op in ["resendUserInvite", "cancelUserInvite"] {
            let refused = app.graphql(&one_doc(op), json!({"id": sent["id"]})).await;
            assert_eq!(refused.error_code(), Some("USER_INVITE_CLOSED"), "{op}: {}", refused.body);
        }
        // Accepting through the canceled link creates no user.
        let mut browser = Browser::new(&app);
        let posted = browser
            .post_form(
                &second,
                &[("token".into(), token_of(&second)), ("firstName".into(), "X".into()), ("lastName".into(), "Y".into()), ("password".into(), "a-good-password-1".into())],
            )
            .await;
        assert_eq!(posted.status, StatusCode::GONE, "{}", posted.html);
        let users = app
            .graphql("query($f: UserFilterArgType) { users(filter: $f) { totalCount } }", json!({"f": {"email": {"equalTo": email}}}))
            .await;
        assert_eq!(users.data("users")["totalCount"], 0);
        // Once closed, the address may be invited again.
        invite(&app, &tenant, &inviter, &email).await;
    }

    async fn two_tenants_may_invite_the_same_address_and_the_first_acceptance_wins(app: TestApp) {
        let (tenant, inviter) = setup(&app).await;
        let other = create_tenant(&app, "Other").await;
        let other_inviter = create_user(&app, json!({"tenantId": other, "firstName": "Oz"})).await;
        let email = unique_email("both");
        invite(&app, &tenant, &inviter, &email).await;
        let first = link_to(&app, &email).await;
        app.clock.advance(Duration::seconds(1));
        invite(&app, &other, &other_inviter, &email).await;
        let second = link_to(&app, &email).await;
        assert_ne!(first, second);
        let done = accept(&app, &second, "a-good-password-1").await;
        assert!(done.html.contains("Welcome aboard"), "{}", done.html);
        let late = accept(&app, &first, "a-good-password-1").await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.html);
        assert!(late.html.contains("You already have an account"), "{}", late.html);
    }

    async fn an_invitation_expires_with_the_clock_and_resending_opens_it_again(app: TestApp) {
        let (tenant, inviter) = setup(&app).await;
        let email = unique_email("eve");
        let sent = invite(&app, &tenant, &inviter, &email).await;
        let link = link_to(&app, &email).await;
        app.clock.advance(Duration::days(7) - Duration::minutes(1));
        assert_eq!(Browser::new(&app).get(&link).await.status, StatusCode::OK);

        app.clock.advance(Duration::minutes(2));
        let page = Browser::new(&app).get(&link).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(page.html.contains("This invitation has expired"), "{}", page.html);
        let posted = Browser::new(&app)
            .post_form(
                &link,
                &[("token".into(), token_of(&link)), ("firstName".into(), "X".into()), ("lastName".into(), "Y".into()), ("password".into(), "a-good-password-1".into())],
            )
            .await;
        assert_eq!(posted.status, StatusCode::GONE, "{}", posted.html);
        let listed = app
            .graphql(
                &format!("query($f: UserInviteFilterArgType) {{ userInvites(filter: $f) {{ totalCount data {{ {INVITE_FIELDS} }} }} }}"),
                json!({"f": {"status": {"equalTo": "expired"}}}),
            )
            .await;
        assert_eq!(listed.data("userInvites")["totalCount"], 1, "{}", listed.body);
        assert_eq!(listed.data("userInvites")["data"][0]["id"], sent["id"]);

        let resent = app.graphql(&one_doc("resendUserInvite"), json!({"id": sent["id"]})).await;
        assert_eq!(resent.data("resendUserInvite")["status"], "pending");
        let fresh = link_to(&app, &email).await;
        let done = accept(&app, &fresh, "a-good-password-1").await;
        assert!(done.html.contains("Welcome aboard"), "{}", done.html);
    }

    async fn a_user_token_invites_only_into_its_tenant_and_only_with_roles_its_roles_may_invite(app: TestApp) {
        let tenant = create_tenant(&app, "Acme").await;
        let other = create_tenant(&app, "Other").await;
        create_role(&app, "member").await;
        app.graphql(
            "mutation($role: RoleCreateDto!) { createRole(role: $role) { id } }",
            json!({"role": {"key": "lead", "name": "Lead", "isSystemManaged": false, "permissionAssignments": [], "inviteRoleKeys": ["member"]}}),
        )
        .await;
        let lead = create_user(&app, json!({"tenantId": tenant, "roles": ["lead"]})).await;
        let member = create_user(&app, json!({"tenantId": tenant, "roles": ["member"]})).await;
        let lead_token = app.user_token(lead["id"].as_str().unwrap()).await;
        let member_token = app.user_token(member["id"].as_str().unwrap()).await;

        let answer = send(
            &app,
            Some(&lead_token),
            &tenant,
            json!([
                {"email": unique_email("a"), "roles": ["member"], "createdByUserId": lead["id"]},
                {"email": unique_email("b"), "roles": ["lead"], "createdByUserId": lead["id"]},
            ]),
        )
        .await;
        let result = answer.data("sendUserInvitesV2");
        assert_eq!(result["success"].as_array().unwrap().len(), 1, "{result}");
        assert_eq!(result["errors"][0]["error"], "FORBIDDEN");
        assert!(result["errors"][0]["message"].as_str().unwrap().contains("`lead`"), "{result}");

        // Another tenant, or in someone else's name: the whole request is refused.
        let elsewhere = send(&app, Some(&lead_token), &other, json!([{"email": unique_email("c"), "createdByUserId": lead["id"]}])).await;
        assert_eq!(elsewhere.error_code(), Some("FORBIDDEN"), "{}", elsewhere.body);
        let impersonating = send(&app, Some(&lead_token), &tenant, json!([{"email": unique_email("d"), "createdByUserId": member["id"]}])).await;
        assert_eq!(impersonating.error_code(), Some("FORBIDDEN"), "{}", impersonating.body);
        // A user none of whose roles may invite cannot.
        let refused = send(&app, Some(&member_token), &tenant, json!([{"email": unique_email("e"), "createdByUserId": member["id"]}])).await;
        assert_eq!(refused.data("sendUserInvitesV2")["errors"][0]["error"], "FORBIDDEN");

        // Managing invitations takes the same rights as sending them.
        let sent_by_lead = result["success"][0]["id"].clone();
        for op in ["resendUserInvite", "cancelUserInvite"] {
            let refused = app.graphql_with(&member_token, &one_doc(op), json!({"id": sent_by_lead})).await;
            assert_eq!(refused.error_code(), Some("FORBIDDEN"), "{op}: {}", refused.body);
        }
        // A user sees its tenant's invitations only, and cannot touch another tenant's.
        let outsider = create_user(&app, json!({"tenantId": other})).await;
        let theirs = invite(&app, &other, &outsider, &unique_email("f")).await;
        let hidden = app.graphql_with(&lead_token, &one_doc("cancelUserInvite"), json!({"id": theirs["id"]})).await;
        assert_eq!(hidden.error_code(), Some("USER_INVITE_NOT_FOUND"), "{}", hidden.body);
        let canceled = app.graphql_with(&lead_token, &one_doc("cancelUserInvite"), json!({"id": sent_by_lead})).await;
        assert_eq!(canceled.data("cancelUserInvite")["status"], "canceled");
        let listed = app
            .graphql_with(&lead_token, "query { userInvites { totalCount data { tenantId } } }", json!({}))
            .await;
        assert_eq!(listed.data("userInvites")["totalCount"], 1, "{}", listed.body);
        assert_eq!(listed.data("userInvites")["data"][0]["tenantId"], tenant);
    }
}

/// Waits until the newest message's delivery satisfies `done`; that message.
async fn wait_for_delivery(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let messages = mailbox(app).await;
        if let Some(m) = messages.first().filter(|m| done(&m["delivery"])) {
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the delivery never got there: {:?}", mailbox(app).await);
}

on_both_backends! {
    async fn mail_waits_in_the_queue_while_the_smtp_server_is_down_and_goes_out_once_when_it_is_back(app: TestApp) {
        let mut app = app;
        let port = tandem_testkit::process::free_port();
        app.restart(|config| config.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}")))
            .await
            .unwrap();
        let (tenant, inviter) = setup(&app).await;
        let email = unique_email("queued");
        invite(&app, &tenant, &inviter, &email).await;
        let failing = wait_for_delivery(&app, |d| d["attempts"].as_i64() >= Some(1) && !d["lastError"].is_null()).await;
        assert_eq!(failing["delivery"]["status"], "queued", "{failing}");

        let smtp = FakeSmtp::start(port).await;
        // The retry falls due on the service's clock (2 s after the first attempt).
        app.clock.advance(Duration::seconds(3));
        let got = smtp.wait_for(1, 20).await;
        assert_eq!(got[0].to, vec![email.clone()]);
        assert!(got[0].data.contains("Subject: Ann Admin invited you to Acme on Tandem"), "{}", got[0].data);
        let sent = wait_for_delivery(&app, |d| d["status"] == "sent").await;
        assert_eq!(sent["delivery"]["transport"], "smtp");
        // Once the SMTP server has it, the one-time link is not kept in the database.
        assert!(!sent["text"].as_str().unwrap().contains("token="), "{sent}");
        assert!(!sent["html"].as_str().unwrap().contains("token="), "{sent}");
        // Never twice.
        app.clock.advance(Duration::minutes(5));
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(smtp.received().len(), 1);
    }
}
