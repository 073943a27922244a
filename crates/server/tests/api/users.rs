//! Users: create, read, list with ROQ's filters, update, deactivate — and every client error.

use reqwest::StatusCode;
use serde_json::{Value, json};

use tandem_core::Clock;

use crate::common::*;

/// Asserts a GraphQL error with this code and status, and that no user was written.
async fn assert_refused(
    app: &tandem_testkit::TestApp,
    answer: tandem_testkit::Answer,
    code: &str,
    status: u64,
    users_before: i64,
) {
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "GraphQL errors travel in a 200: {}",
        answer.body
    );
    assert_eq!(answer.error_code(), Some(code), "{}", answer.body);
    assert_eq!(answer.error_status(), Some(status), "{}", answer.body);
    assert!(
        answer.error_message().is_some_and(|m| m.len() > 10),
        "a readable message: {}",
        answer.body
    );
    assert_eq!(
        count_all_users(app).await,
        users_before,
        "nothing may be written on failure"
    );
}

on_both_backends! {
    async fn create_user_returns_every_field_and_is_readable_back(app: TestApp) {
        let tenant = create_tenant(&app, "Acme").await;
        create_role(&app, "freelancer").await;
        let reference = uuid::Uuid::new_v4().to_string();
        let user = create_user(&app, json!({
            "email": "Francis.99@roq.dev",
            "reference": reference,
            "tenantId": tenant["id"],
            "roles": ["freelancer"],
            "password": "secret-pass-1",
            "firstName": "Francis",
            "lastName": "Webb",
            "phone": "+44 20 7946 0000",
            "locale": "en-GB",
            "timezone": "Europe/London",
            "avatarUrl": "https://example.com/f.png",
            "customData": {"plan": "pro", "seats": 3},
            "isOptedIn": true,
        })).await;
        assert_eq!(user["email"], "francis.99@roq.dev", "emails are stored lower-cased");
        assert_eq!(user["reference"], reference.as_str());
        assert_eq!(user["tenantId"], tenant["id"]);
        assert_eq!(user["active"], true);
        assert_eq!(user["isOptedIn"], true);
        assert_eq!(user["twoFactorEnabled"], false);
        assert_eq!(user["customData"], json!({"plan": "pro", "seats": 3}));
        assert_eq!(user["locale"], "en-GB");
        assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
        assert!(user["createdAt"].as_str().unwrap().ends_with('Z'));

        let profile = app
            .graphql(&user_profile_doc(), json!({"id": user["id"], "withTenant": true, "withRoles": true, "withUserGroups": true}))
            .await;
        let read = profile.data("user");
        for field in ["id", "email", "firstName", "lastName", "phone", "timezone", "avatarUrl", "customData", "createdAt", "updatedAt"] {
            assert_eq!(read[field], user[field], "{field}");
        }
        assert_eq!(read["tenant"]["name"], "Acme");
        assert_eq!(read["roles"]["totalCount"], 1);
        assert_eq!(read["roles"]["data"][0]["key"], "freelancer");
        assert_eq!(read["userGroups"], json!({"data": [], "totalCount": 0}));
        assert!(read.get("passwordHash").is_none());
    }

    async fn a_user_without_tenant_joins_the_default_tenant(app: TestApp) {
        let default_id = default_tenant_id(&app).await;
        let user = create_user(&app, json!({})).await;
        assert_eq!(user["tenantId"], default_id.as_str());
        assert_eq!(user["firstName"], Value::Null);
    }

    async fn invalid_input_is_refused_with_distinct_codes_and_nothing_written(app: TestApp) {
        create_user(&app, json!({"email": "taken@example.com"})).await;
        let before = count_all_users(&app).await;
        let reference = "ref-1";
        let cases = [
            (json!({"email": "not-an-email", "reference": reference}), "INVALID_EMAIL", 400),
            (json!({"reference": reference}), "INVALID_EMAIL", 400),
            (json!({"email": "TAKEN@Example.com", "reference": reference}), "USER_EMAIL_ALREADY_EXISTS", 409),
            (json!({"email": unique_email("t"), "reference": reference, "tenantId": uuid::Uuid::new_v4().to_string()}), "TENANT_NOT_FOUND", 404),
            (json!({"email": unique_email("t"), "reference": reference, "tenantId": "not-a-uuid"}), "TENANT_NOT_FOUND", 404),
            (json!({"email": unique_email("t"), "reference": reference, "roles": ["ghost"]}), "ROLE_KEY_NOT_FOUND", 404),
            (json!({"email": unique_email("t"), "reference": reference, "password": "short"}), "PASSWORD_TOO_SHORT", 400),
            (json!({"email": unique_email("t"), "reference": reference, "password": "p".repeat(300)}), "PASSWORD_TOO_LONG", 400),
            (json!({"email": unique_email("t")}), "USER_REFERENCE_REQUIRED", 400),
            (json!({"email": unique_email("t"), "reference": "   "}), "USER_REFERENCE_REQUIRED", 400),
            (json!({"email": unique_email("t"), "reference": reference, "firstName": "f".repeat(1001)}), "INVALID_INPUT", 400),
        ];
        for (user, code, status) in cases {
            let answer = try_create_user(&app, user.clone()).await;
            assert_refused(&app, answer, code, status, before).await;
        }
    }

    async fn a_migrated_user_keeps_its_id_and_creation_time(app: TestApp) {
        let id = "0b7c5a52-4f0e-4b8e-9d1e-6f3b2a1c9d00";
        let user = create_user(&app, json!({"id": id, "createdAt": "2021-05-06T07:08:09.010Z"})).await;
        assert_eq!(user["id"], id);
        assert_eq!(user["createdAt"], "2021-05-06T07:08:09.010Z");
        assert_eq!(user["updatedAt"], "2021-05-06T07:08:09.010Z");
        let read = app.graphql(&user_profile_doc(), json!({"id": id})).await;
        assert_eq!(read.data("user")["createdAt"], "2021-05-06T07:08:09.010Z");

        let before = count_all_users(&app).await;
        let again = try_create_user(&app, json!({"id": id, "email": unique_email("m"), "reference": "m"})).await;
        assert_refused(&app, again, "ID_ALREADY_EXISTS", 409, before).await;
        let not_uuid = try_create_user(&app, json!({"id": "u01", "email": unique_email("m"), "reference": "m"})).await;
        assert_refused(&app, not_uuid, "INVALID_INPUT", 400, before).await;
    }

    async fn unknown_role_keys_are_all_named(app: TestApp) {
        create_role(&app, "known").await;
        let answer = try_create_user(&app, json!({"email": unique_email("r"), "reference": "r", "roles": ["known", "ghost", "phantom"]})).await;
        let message = answer.error_message().unwrap();
        assert!(message.contains("ghost") && message.contains("phantom") && !message.contains("known,"), "{message}");
        assert_eq!(count_all_users(&app).await, 0);
    }

    async fn concurrent_creates_with_one_email_let_exactly_one_win(app: TestApp) {
        let email = unique_email("race");
        let token = app.service_token().await;
        let attempt = |variant: String| {
            let app = &app;
            let token = token.clone();
            async move {
                app.graphql_with(&token, &create_user_doc(), json!({"user": {"email": variant, "reference": "race"}})).await
            }
        };
        let (a, b) = tokio::join!(attempt(email.clone()), attempt(email.to_uppercase()));
        let outcomes = [&a, &b];
        let won = outcomes.iter().filter(|x| x.body["errors"].is_null()).count();
        let duplicate = outcomes.iter().filter(|x| x.error_code() == Some("USER_EMAIL_ALREADY_EXISTS")).count();
        assert_eq!((won, duplicate), (1, 1), "{} / {}", a.body, b.body);
        let page = list_users(&app, json!({"filter": {"email": {"equalTo": email}}})).await;
        assert_eq!(page["totalCount"], 1);
    }

    async fn emails_compare_case_insensitively(app: TestApp) {
        let user = create_user(&app, json!({"email": "Mixed.Case@Example.COM"})).await;
        for probe in ["mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM"] {
            let page = list_users(&app, json!({"filter": {"email": {"equalTo": probe}}})).await;
            assert_eq!(page["totalCount"], 1, "{probe}");
            assert_eq!(page["data"][0]["id"], user["id"]);
        }
        let page = list_users(&app, json!({"filter": {"email": {"valueIn": ["MIXED.case@example.com"]}}})).await;
        assert_eq!(page["totalCount"], 1);
    }

    async fn update_user_changes_only_what_is_given(app: TestApp) {
        let user = create_user(&app, json!({"firstName": "Old", "lastName": "Name", "locale": "de-DE"})).await;
        let id = user["id"].as_str().unwrap();
        app.clock.advance(chrono::Duration::seconds(5));
        let updated = app.graphql(&update_user_doc(), json!({"id": id, "user": {"firstName": "Francis", "lastName": "Webb"}})).await;
        let updated = updated.data("updateUser");
        assert_eq!(updated["firstName"], "Francis");
        assert_eq!(updated["lastName"], "Webb");
        assert_eq!(updated["locale"], "de-DE", "untouched fields stay");
        assert_ne!(updated["updatedAt"], user["updatedAt"]);
        assert_eq!(updated["createdAt"], user["createdAt"]);

        let cleared = app.graphql(&update_user_doc(), json!({"id": id, "user": {"locale": null, "customData": {"a": 1}}})).await;
        assert_eq!(cleared.data("updateUser")["locale"], Value::Null);
        assert_eq!(cleared.data("updateUser")["customData"], json!({"a": 1}));

        let read = app.graphql(&user_profile_doc(), json!({"id": id})).await;
        assert_eq!(read.data("user")["firstName"], "Francis");
        assert_eq!(read.data("user")["locale"], Value::Null);
    }

    async fn update_user_errors_leave_the_user_unchanged(app: TestApp) {
        let other = create_user(&app, json!({})).await;
        let user = create_user(&app, json!({"firstName": "Stay"})).await;
        let id = user["id"].as_str().unwrap();
        let cases = [
            (json!({"id": id, "user": {"email": other["email"].as_str().unwrap().to_uppercase(), "firstName": "Changed"}}), "USER_EMAIL_ALREADY_EXISTS"),
            (json!({"id": id, "user": {"email": "broken@", "firstName": "Changed"}}), "INVALID_EMAIL"),
            (json!({"id": id, "user": {"tenantId": uuid::Uuid::new_v4().to_string(), "firstName": "Changed"}}), "TENANT_NOT_FOUND"),
            (json!({"id": uuid::Uuid::new_v4().to_string(), "user": {"firstName": "Changed"}}), "USER_NOT_FOUND"),
            (json!({"id": "not-an-id", "user": {"firstName": "Changed"}}), "USER_NOT_FOUND"),
        ];
        for (variables, code) in cases {
            let answer = app.graphql(&update_user_doc(), variables).await;
            assert_eq!(answer.error_code(), Some(code), "{}", answer.body);
        }
        let read = app.graphql(&user_profile_doc(), json!({"id": id})).await;
        assert_eq!(read.data("user")["firstName"], "Stay");
        assert_eq!(read.data("user")["email"], user["email"]);
    }

    async fn changing_email_and_tenant_works(app: TestApp) {
        let tenant = create_tenant(&app, "Next").await;
        let user = create_user(&app, json!({})).await;
        let answer = app.graphql(&update_user_doc(), json!({"id": user["id"], "user": {"email": "  New.Address@Example.com ", "tenantId": tenant["id"]}})).await;
        let updated = answer.data("updateUser");
        assert_eq!(updated["email"], "new.address@example.com");
        assert_eq!(updated["tenantId"], tenant["id"]);
    }

    async fn deactivated_users_leave_lists_unless_asked_for(app: TestApp) {
        let keep = create_user(&app, json!({})).await;
        let gone = create_user(&app, json!({})).await;
        let answer = app.graphql(&update_user_doc(), json!({"id": gone["id"], "user": {"active": false}})).await;
        assert_eq!(answer.data("updateUser")["active"], false);

        let default = list_users(&app, json!({})).await;
        assert_eq!(emails(&default), vec![keep["email"].as_str().unwrap()]);
        assert_eq!(default["totalCount"], 1);
        let all = list_users(&app, json!({"filter": {"withDeactivated": {"equalTo": true}}})).await;
        assert_eq!(all["totalCount"], 2);
        let inactive = list_users(&app, json!({"filter": {"active": {"equalTo": false}}})).await;
        assert_eq!(emails(&inactive), vec![gone["email"].as_str().unwrap()]);
        let still = app.graphql(&user_profile_doc(), json!({"id": gone["id"]})).await;
        assert_eq!(still.data("user")["active"], false, "a deactivated user is still readable by id");

        let answer = app.graphql(&update_user_doc(), json!({"id": gone["id"], "user": {"active": true}})).await;
        assert_eq!(answer.data("updateUser")["active"], true);
        assert_eq!(list_users(&app, json!({})).await["totalCount"], 2);
    }

    async fn users_are_filtered_ordered_and_paged_like_roq(app: TestApp) {
        let a = create_tenant(&app, "A").await;
        let b = create_tenant(&app, "B").await;
        create_role(&app, "admin").await;
        let mk = |email: &str, first: &str, tenant: &Value, roles: Value| json!({"email": email, "firstName": first, "tenantId": tenant["id"], "roles": roles, "locale": "en"});
        // One second apart, so the default order (creation time) is fixed.
        for user in [
            mk("alice@a.test", "Alice", &a, json!(["admin"])),
            mk("bob@a.test", "Bob", &a, json!([])),
            mk("carol@b.test", "Carol", &b, json!(["admin"])),
            mk("dave@b.test", "dave", &b, json!([])),
            json!({"email": "eve@b.test", "tenantId": b["id"]}),
        ] {
            app.clock.advance(chrono::Duration::seconds(1));
            create_user(&app, user).await;
        }

        let by_tenant = list_users(&app, json!({"filter": {"tenantId": {"equalTo": a["id"]}}})).await;
        assert_eq!(emails(&by_tenant), vec!["alice@a.test", "bob@a.test"]);
        assert_eq!(by_tenant["totalCount"], 2);

        let not_a = list_users(&app, json!({"filter": {"tenantId": {"notEqualTo": a["id"]}, "id": {"valueNotIn": []}}})).await;
        assert_eq!(not_a["totalCount"], 3);

        let page = list_users(&app, json!({"filter": {"tenantId": {"valueIn": [a["id"], b["id"]]}}, "order": {"sort": "email", "order": "DESC"}, "limit": 2, "offset": 1})).await;
        assert_eq!(emails(&page), vec!["dave@b.test", "carol@b.test"]);
        assert_eq!(page["totalCount"], 5, "totalCount counts the whole filtered list");

        let like = list_users(&app, json!({"filter": {"firstName": {"like": "D%"}}})).await;
        assert_eq!(like["totalCount"], 0, "like is case-sensitive");
        let ilike = list_users(&app, json!({"filter": {"firstName": {"iLike": "D%"}}})).await;
        assert_eq!(emails(&ilike), vec!["dave@b.test"]);
        let underscore = list_users(&app, json!({"filter": {"firstName": {"like": "B_b"}}})).await;
        assert_eq!(emails(&underscore), vec!["bob@a.test"]);

        let names = list_users(&app, json!({"filter": {"firstName": {"valueIn": ["Alice", "Carol"]}}})).await;
        assert_eq!(emails(&names), vec!["alice@a.test", "carol@b.test"]);
        let not_bob = list_users(&app, json!({"filter": {"firstName": {"notEqualTo": "Bob"}}})).await;
        assert_eq!(not_bob["totalCount"], 4, "NULL first names count as not equal");

        let admins = list_users(&app, json!({"filter": {"roleKey": {"equalTo": "admin"}}, "withRoles": true})).await;
        assert_eq!(emails(&admins), vec!["alice@a.test", "carol@b.test"]);
        assert_eq!(admins["data"][0]["roles"]["data"][0]["key"], "admin");
        let non_admins = list_users(&app, json!({"filter": {"roleKey": {"notEqualTo": "admin"}}})).await;
        assert_eq!(emails(&non_admins), vec!["bob@a.test", "dave@b.test", "eve@b.test"]);

        let search = list_users(&app, json!({"search": {"key": "email", "value": "B.TEST"}})).await;
        assert_eq!(search["totalCount"], 3, "search is a case-insensitive substring");
        let free = list_users(&app, json!({"filter": {"search": "aro"}})).await;
        assert_eq!(emails(&free), vec!["carol@b.test"]);
        let literal = list_users(&app, json!({"filter": {"search": "%"}})).await;
        assert_eq!(literal["totalCount"], 0, "search text is literal, not a pattern");

        let by_name = list_users(&app, json!({"order": {"sort": "firstName", "order": "ASC"}})).await;
        assert_eq!(emails(&by_name), vec!["alice@a.test", "bob@a.test", "carol@b.test", "dave@b.test", "eve@b.test"], "NULLs sort last");

        let with_tenant = list_users(&app, json!({"filter": {"email": {"equalTo": "eve@b.test"}}, "withTenant": true})).await;
        assert_eq!(with_tenant["data"][0]["tenant"]["name"], "B");

        let none = list_users(&app, json!({"limit": 0})).await;
        assert_eq!(none["data"], json!([]));
        assert_eq!(none["totalCount"], 5);
    }

    async fn bad_list_arguments_get_clear_errors(app: TestApp) {
        for (variables, code) in [
            (json!({"limit": 5000}), "INVALID_INPUT"),
            (json!({"limit": -1}), "INVALID_INPUT"),
            (json!({"offset": -1}), "INVALID_INPUT"),
            (json!({"filter": {"userGroupId": {"equalTo": "x"}}}), "NOT_SUPPORTED"),
            (json!({"order": {"sort": "shoeSize", "order": "ASC"}}), "GRAPHQL_VALIDATION_FAILED"),
            (json!({"filter": {"optedInAt": {"lessThan": "yesterday"}}}), "GRAPHQL_VALIDATION_FAILED"),
        ] {
            let answer = app.graphql(&user_profiles_doc(), variables.clone()).await;
            assert_eq!(answer.error_code(), Some(code), "{variables}: {}", answer.body);
            assert_eq!(answer.error_status(), Some(400), "{variables}");
        }
    }

    async fn opted_in_users_can_be_filtered_by_date(app: TestApp) {
        let early = create_user(&app, json!({"isOptedIn": true})).await;
        app.clock.advance(chrono::Duration::hours(1));
        let cut = app.clock.now().to_rfc3339();
        app.clock.advance(chrono::Duration::hours(1));
        let late = create_user(&app, json!({})).await;
        app.graphql(&update_user_doc(), json!({"id": late["id"], "user": {"isOptedIn": true}})).await.data("updateUser");
        create_user(&app, json!({})).await;
        let before = list_users(&app, json!({"filter": {"optedInAt": {"lessThan": cut}}})).await;
        assert_eq!(emails(&before), vec![early["email"].as_str().unwrap()]);
        let after = list_users(&app, json!({"filter": {"optedInAt": {"moreThanEqual": cut}}})).await;
        assert_eq!(emails(&after), vec![late["email"].as_str().unwrap()]);
    }

    async fn unknown_users_are_404(app: TestApp) {
        for id in [uuid::Uuid::new_v4().to_string(), "nope".to_owned()] {
            let answer = app.graphql(&user_profile_doc(), json!({"id": id})).await;
            assert_eq!(answer.error_code(), Some("USER_NOT_FOUND"));
            assert_eq!(answer.error_status(), Some(404));
        }
    }

    async fn there_is_no_way_to_delete_a_user(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let answer = app.graphql("mutation($id: ID!) { deleteUser(id: $id) }", json!({"id": user["id"]})).await;
        assert_eq!(answer.error_code(), Some("GRAPHQL_VALIDATION_FAILED"));
        assert!(answer.error_message().unwrap().contains("active: false"), "{}", answer.body);
        assert_eq!(count_all_users(&app).await, 1);
        let sdl = app.graphql("query { __type(name: \"Mutation\") { fields { name description } } }", json!({})).await;
        let fields = sdl.data("__type")["fields"].as_array().unwrap().clone();
        assert!(fields.iter().all(|f| !f["name"].as_str().unwrap().starts_with("delete")));
        let update = fields.iter().find(|f| f["name"] == "updateUser").unwrap();
        assert!(update["description"].as_str().unwrap().contains("no way to delete"));
    }
}

on_both_backends! {
    async fn awkward_text_is_refused_clearly_or_stored_faithfully(app: TestApp) {
        let before = count_all_users(&app).await;
        for (fields, code) in [
            (json!({"firstName": "nul\u{0}byte"}), "INVALID_INPUT"),
            (json!({"customData": {"k": "nul\u{0}"}}), "INVALID_INPUT"),
            (json!({"avatarUrl": "javascript:alert(1)"}), "INVALID_INPUT"),
            (json!({"locale": "<script>"}), "INVALID_INPUT"),
            (json!({"timezone": "Mars/Olympus Mons"}), "INVALID_INPUT"),
            (json!({"email": "a@exİ.com"}), "INVALID_EMAIL"),
            // Look-alikes of an existing address, with invisible characters.
            (json!({"email": "admin\u{200b}@example.com"}), "INVALID_EMAIL"),
            (json!({"email": "admin\u{2060}@example.com"}), "INVALID_EMAIL"),
            (json!({"email": "admin\u{202e}@example.com"}), "INVALID_EMAIL"),
            (json!({"email": "ad\u{00ad}min@example.com"}), "INVALID_EMAIL"),
        ] {
            let mut user = json!({"email": unique_email("odd"), "reference": "r"});
            merge(&mut user, fields.clone());
            let answer = try_create_user(&app, user).await;
            assert_refused(&app, answer, code, 400, before).await;
        }
        let many: Vec<String> = (0..70_000).map(|i| i.to_string()).collect();
        let answer = app.graphql(&user_profiles_doc(), json!({"filter": {"email": {"valueIn": many}}})).await;
        assert_eq!(answer.error_code(), Some("INVALID_INPUT"), "{}", answer.body);
        assert!(answer.error_message().unwrap().contains("split it"), "{}", answer.body);
        for filter in [json!({"firstName": {"like": "%\\"}}), json!({"search": "a\u{0}"}), json!({"email": {"equalTo": "\u{0}"}})] {
            let answer = app.graphql(&user_profiles_doc(), json!({"filter": filter})).await;
            assert_eq!(answer.error_code(), Some("INVALID_INPUT"), "{filter}: {}", answer.body);
        }

        let user = create_user(&app, json!({"email": "Zoë.Ⱥ@Example.com", "firstName": "Élodie", "lastName": "O'Brien \\ 100%", "customData": {"emoji": "🦀", "quote": "\"'"}})).await;
        assert_eq!(user["email"], "zoë.ⱥ@example.com");
        let read = app.graphql(&user_profile_doc(), json!({"id": user["id"]})).await;
        assert_eq!(read.data("user")["lastName"], "O'Brien \\ 100%");
        assert_eq!(read.data("user")["customData"]["emoji"], "🦀");
        let by_email = list_users(&app, json!({"filter": {"email": {"equalTo": "ZOË.Ⱥ@EXAMPLE.COM"}}})).await;
        assert_eq!(by_email["totalCount"], 1, "non-ASCII emails compare case-insensitively too");
        let literal = list_users(&app, json!({"filter": {"lastName": {"like": "%\\\\ 100\\%"}}})).await;
        assert_eq!(literal["totalCount"], 1, "escaped pattern characters match literally");
        let exact_case = list_users(&app, json!({"filter": {"firstName": {"iLike": "ÉLODIE"}}})).await;
        assert_eq!(exact_case["totalCount"], 1);
        let searched = list_users(&app, json!({"filter": {"search": "100%"}})).await;
        assert_eq!(searched["totalCount"], 1);
    }

    async fn ids_match_in_any_uuid_spelling(app: TestApp) {
        let user = create_user(&app, json!({})).await;
        let upper = user["id"].as_str().unwrap().to_uppercase();
        let page = list_users(&app, json!({"filter": {"id": {"equalTo": upper}}})).await;
        assert_eq!(page["totalCount"], 1);
        let read = app.graphql(&user_profile_doc(), json!({"id": upper})).await;
        assert_eq!(read.data("user")["id"], user["id"]);
    }
}

#[tokio::test]
async fn the_sqlite_store_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let app = tandem_testkit::spawn_app(tandem_testkit::Backend::Sqlite).await;
    create_user(&app, json!({})).await;
    let dir = &app.config.data_dir;
    for file in ["platform.db", "platform.db-wal"] {
        let mode = std::fs::metadata(dir.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{file} must not be readable by others: {mode:o}"
        );
    }
}
