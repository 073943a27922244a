//! Platform ⇄ BaaS sync, end to end over the public APIs: every rule of DESIGN's user-data
//! table, live, on both backends.

use serde_json::{Value, json};
use tandem_testkit::TestApp;

use crate::common::{TENANT_FIELDS, create_tenant, create_user, update_user_doc, user_profile_doc};

/// The BaaS's row of `model` `id` (every field), after sync settled.
async fn baas_row(app: &TestApp, model: &str, id: &str) -> Value {
    app.wait_for_sync().await;
    let answer = app
        .rpc_get(model, "findUnique", json!({"where": {"id": id}}))
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
    answer.body["data"].clone()
}

/// The Platform's user `id` (`userProfile`), after sync settled.
async fn platform_user(app: &TestApp, id: &str) -> Value {
    app.wait_for_sync().await;
    app.graphql(&user_profile_doc(), json!({"id": id}))
        .await
        .data("user")
        .clone()
}

/// Events delivered so far (Platform → BaaS, BaaS → Platform), after sync settled. Tests take
/// it before and after a write and compare exact deltas: an event that was sent and then
/// delivered leaves nothing pending, but it does count here.
async fn delivered(app: &TestApp) -> (i64, i64) {
    app.wait_for_sync().await;
    let status = app.sync_status().await;
    let of = |name: &str| {
        status["directions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["direction"] == name)
            .and_then(|d| d["delivered"].as_i64())
            .unwrap_or_else(|| panic!("no {name} direction: {status}"))
    };
    (of("platform_to_baas"), of("baas_to_platform"))
}

fn delta(before: (i64, i64), after: (i64, i64)) -> (i64, i64) {
    (after.0 - before.0, after.1 - before.1)
}

async fn update_user(app: &TestApp, id: &str, user: Value) -> Value {
    app.graphql(&update_user_doc(), json!({"id": id, "user": user}))
        .await
        .data("updateUser")
        .clone()
}

async fn update_tenant(app: &TestApp, id: &str, name: &str) -> Value {
    app.graphql(
        &format!("mutation($id: ID!, $tenant: TenantUpdateDto!) {{ updateTenant(id: $id, tenant: $tenant) {{ {TENANT_FIELDS} }} }}"),
        json!({"id": id, "tenant": {"name": name}}),
    )
    .await
    .data("updateTenant")
    .clone()
}

on_both_backends! {
    async fn a_created_user_appears_on_the_baas_with_every_synced_field(app: TestApp) {
        let tenant = create_tenant(&app, "Acme").await;
        let user = create_user(&app, json!({
            "email": "Francis.99@roq.dev", "firstName": "Francis", "lastName": "Webb",
            "locale": "en-GB", "timezone": "Europe/London", "avatarUrl": "https://example.com/f.png",
            "tenantId": tenant["id"],
        })).await;
        let id = user["id"].as_str().unwrap();
        let row = baas_row(&app, "user", id).await;
        assert_eq!(row["id"], user["id"]);
        assert_eq!(row["email"], "francis.99@roq.dev");
        assert_eq!((row["first_name"].as_str(), row["last_name"].as_str()), (Some("Francis"), Some("Webb")));
        assert_eq!((row["locale"].as_str(), row["timezone"].as_str()), (Some("en-GB"), Some("Europe/London")));
        assert_eq!(row["avatar_url"], "https://example.com/f.png");
        assert_eq!(row["tenant_id"], tenant["id"]);
        assert_eq!(row["active"], true);
        assert_eq!(row["created_at"], user["createdAt"], "the same creation time on both sides");
        let listed = app.rpc_get("user", "findMany", json!({"where": {"tenant_id": tenant["id"]}})).await;
        assert_eq!(listed.body["data"].as_array().unwrap().len(), 1, "findMany sees it");
        let t = baas_row(&app, "tenant", tenant["id"].as_str().unwrap()).await;
        assert_eq!(t["name"], "Acme");
        let synced = platform_user(&app, id).await;
        assert_eq!(synced["synced"], true, "UserModel.synced turns true once the BaaS has the user");
    }

    async fn platform_updates_reach_the_baas(app: TestApp) {
        let user = create_user(&app, json!({"firstName": "Ann"})).await;
        let id = user["id"].as_str().unwrap();
        let other = create_tenant(&app, "Globex").await;
        update_user(&app, id, json!({"firstName": "Anna", "lastName": "Lee", "email": "anna.lee@example.com", "tenantId": other["id"], "locale": null})).await;
        let row = baas_row(&app, "user", id).await;
        assert_eq!((row["first_name"].as_str(), row["last_name"].as_str(), row["email"].as_str()), (Some("Anna"), Some("Lee"), Some("anna.lee@example.com")));
        assert_eq!(row["tenant_id"], other["id"]);
        assert_eq!(row["locale"], Value::Null);

        update_user(&app, id, json!({"active": false})).await;
        assert_eq!(baas_row(&app, "user", id).await["active"], false, "deactivation follows");
        update_user(&app, id, json!({"active": true})).await;
        assert_eq!(baas_row(&app, "user", id).await["active"], true, "reactivation follows");

        let before = delivered(&app).await;
        update_user(&app, id, json!({"phone": "+1 555 0100", "customData": {"plan": "pro"}})).await;
        assert_eq!(delta(before, delivered(&app).await), (0, 0), "Platform-only fields send nothing");

        update_tenant(&app, other["id"].as_str().unwrap(), "Globex Corp").await;
        assert_eq!(baas_row(&app, "tenant", other["id"].as_str().unwrap()).await["name"], "Globex Corp");
    }

    async fn baas_profile_updates_reach_the_platform(app: TestApp) {
        let tenant = create_tenant(&app, "Initech").await;
        let user = create_user(&app, json!({"firstName": "Peter", "tenantId": tenant["id"]})).await;
        let id = user["id"].as_str().unwrap();
        let before = delivered(&app).await;
        let answer = app.rpc_put("user", "update", json!({
            "where": {"id": id},
            "data": {"first_name": "Pete", "last_name": "Gibbons", "timezone": "America/Chicago", "avatar_url": "https://example.com/p.png"},
        })).await;
        assert!(answer.status.is_success(), "{}", answer.body);
        let p = platform_user(&app, id).await;
        assert_eq!((p["firstName"].as_str(), p["lastName"].as_str()), (Some("Pete"), Some("Gibbons")));
        assert_eq!((p["timezone"].as_str(), p["avatarUrl"].as_str()), (Some("America/Chicago"), Some("https://example.com/p.png")));

        let many = app.rpc_put("user", "updateMany", json!({"where": {"tenant_id": tenant["id"]}, "data": {"locale": "de-DE"}})).await;
        assert_eq!(many.body["data"]["count"], 1);
        assert_eq!(platform_user(&app, id).await["locale"], "de-DE", "updateMany flows back too");

        let renamed = app.rpc_put("tenant", "update", json!({"where": {"id": tenant["id"]}, "data": {"name": "Initrode"}})).await;
        assert!(renamed.status.is_success(), "{}", renamed.body);
        app.wait_for_sync().await;
        let t = app.graphql(&format!("query($id: ID!) {{ tenant(id: $id) {{ {TENANT_FIELDS} }} }}"), json!({"id": tenant["id"]})).await;
        assert_eq!(t.data("tenant")["name"], "Initrode");

        // Three BaaS writes, three events to the Platform, and nothing echoes back.
        assert_eq!(delta(before, delivered(&app).await), (0, 3));
        let status = app.sync_status().await;
        for d in status["directions"].as_array().unwrap() {
            assert_eq!((d["pending"].as_i64(), d["failed"].as_i64()), (Some(0), Some(0)), "{status}");
        }
    }

    async fn the_baas_refuses_user_creates_and_deletes_and_nothing_changes(app: TestApp) {
        let user = create_user(&app, json!({"firstName": "Kept"})).await;
        let id = user["id"].as_str().unwrap();
        app.wait_for_sync().await;
        let create = app.rpc_post("user", "create", json!({"data": {"id": "00000000-0000-4000-8000-00000000abcd", "email": "new@example.com", "tenant_id": user["tenantId"]}})).await;
        assert_eq!((create.status.as_u16(), create.body["error"]["code"].as_str()), (403, Some("USER_CREATE_NOT_ALLOWED")), "{}", create.body);
        let delete = app.rpc_delete("user", "delete", json!({"where": {"id": id}})).await;
        assert_eq!(delete.body["error"]["code"], "USER_DELETE_NOT_ALLOWED", "{}", delete.body);
        app.wait_for_sync().await;
        assert_eq!(app.rpc_get("user", "count", json!({})).await.body["data"], 1);
        assert_eq!(platform_user(&app, id).await["firstName"], "Kept");
        let platform_count = app.graphql("query { users(filter: {withDeactivated: {equalTo: true}}) { totalCount } }", json!({})).await;
        assert_eq!(platform_count.data("users")["totalCount"], 1);
    }

    async fn edits_on_both_sides_converge_to_the_last_writer(app: TestApp) {
        let user = create_user(&app, json!({"firstName": "Start", "lastName": "Start"})).await;
        let id = user["id"].as_str().unwrap();
        app.wait_for_sync().await;
        // Interleaved edits of the same fields, each later than the one before.
        for round in 0..5 {
            app.clock.advance(chrono::Duration::milliseconds(5));
            let first = app.rpc_put("user", "update", json!({"where": {"id": id}, "data": {"first_name": format!("baas-{round}")}})).await;
            assert!(first.status.is_success(), "{}", first.body);
            app.clock.advance(chrono::Duration::milliseconds(5));
            update_user(&app, id, json!({"firstName": format!("platform-{round}"), "lastName": format!("platform-{round}")})).await;
            app.clock.advance(chrono::Duration::milliseconds(5));
            let last = app.rpc_put("user", "update", json!({"where": {"id": id}, "data": {"last_name": format!("baas-{round}")}})).await;
            assert!(last.status.is_success(), "{}", last.body);
        }
        let p = platform_user(&app, id).await;
        let b = baas_row(&app, "user", id).await;
        assert_eq!((p["firstName"].as_str(), p["lastName"].as_str()), (Some("platform-4"), Some("baas-4")));
        assert_eq!((b["first_name"].as_str(), b["last_name"].as_str()), (Some("platform-4"), Some("baas-4")));
    }

    async fn reconcile_repairs_what_the_relay_never_saw(app: TestApp) {
        let user = create_user(&app, json!({"firstName": "Real"})).await;
        let id = user["id"].as_str().unwrap().to_owned();
        app.wait_for_sync().await;
        // Behind sync's back: a manual edit in the BaaS's database.
        let baas_db = app.config.baas_db.clone();
        let db = tandem_sql::Db::connect(&baas_db, Default::default()).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.execute(&sea_query::Query::update()
            .table(sea_query::Alias::new("user"))
            .value(sea_query::Alias::new("first_name"), "Tampered")
            .and_where(sea_query::Expr::col(sea_query::Alias::new("id")).eq(id.as_str()))
            .to_owned()).await.unwrap();
        tx.commit().await.unwrap();
        db.close().await;
        assert_eq!(app.rpc_get("user", "findUnique", json!({"where": {"id": id}})).await.body["data"]["first_name"], "Tampered");

        let report = app.post_json("/sync/v1/reconcile", &json!({}), &[("authorization", app.server_authorization())]).await;
        assert_eq!(report.status.as_u16(), 200, "{}", report.body);
        assert_eq!(report.body["repaired"], 1, "{}", report.body);
        assert!(report.body["checked"].as_u64().unwrap() >= 2, "the default tenant and the user: {}", report.body);
        assert_eq!(app.rpc_get("user", "findUnique", json!({"where": {"id": id}})).await.body["data"]["first_name"], "Real", "the writer's value is back");
        let again = app.post_json("/sync/v1/reconcile", &json!({}), &[("authorization", app.server_authorization())]).await;
        assert_eq!(again.body["repaired"], 0, "nothing left to repair: {}", again.body);
    }

    async fn status_and_metrics_report_each_direction(app: TestApp) {
        let unauthorized = app.get_json("/sync/v1/status", &[]).await;
        assert_eq!((unauthorized.status.as_u16(), unauthorized.body["errorCode"].as_str()), (401, Some("UNAUTHORIZED")));
        let start = delivered(&app).await;
        let user = create_user(&app, json!({})).await;
        let created = delivered(&app).await;
        assert_eq!(delta(start, created), (1, 0), "a create is one event, one way");
        let update = app.rpc_put("user", "update", json!({"where": {"id": user["id"]}, "data": {"first_name": "X"}})).await;
        assert!(update.status.is_success(), "{}", update.body);
        assert_eq!(delta(created, delivered(&app).await), (0, 1), "a BaaS edit is one event back, and no echo");
        let status = app.sync_status().await;
        assert_eq!(status["mode"], "all-in-one");
        let dirs = status["directions"].as_array().unwrap();
        let by = |name: &str| dirs.iter().find(|d| d["direction"] == name).unwrap().clone();
        let p2b = by("platform_to_baas");
        let b2p = by("baas_to_platform");
        assert_eq!(p2b["delivered"].as_i64().unwrap(), start.0 + 1, "{p2b}");
        assert_eq!(b2p["delivered"], 1, "{b2p}");
        assert!(p2b["lastDeliveryAt"].is_string() && b2p["lastDeliveryAt"].is_string());
        assert_eq!(p2b["oldestPendingAgeMs"], Value::Null);
        let token = app.service_token().await;
        let with_token = app.get_json("/sync/v1/status", &[("authorization", format!("Bearer {token}"))]).await;
        assert_eq!(with_token.status.as_u16(), 200, "a service-account token works too");

        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("tandem_sync_events_delivered_total{direction=\"baas_to_platform\"} 1"), "{metrics}");
        assert!(metrics.contains("tandem_sync_propagation_lag_seconds_count{direction=\"platform_to_baas\"}"), "{metrics}");
        assert!(metrics.contains("tandem_sync_pending_events{direction=\"platform_to_baas\"} 0"), "{metrics}");
    }
}

/// A forged event (from a peer that skipped its own checks) carrying `fields`.
fn forged_event(
    entity: tandem_core::merge::Entity,
    id: &str,
    origin: tandem_core::Side,
    fields: &[(&str, Value)],
) -> tandem_core::merge::SyncEvent {
    let stamp = tandem_core::Hlc {
        ms: chrono::Utc::now().timestamp_millis() + 60_000,
        counter: 0,
        side: origin,
    };
    tandem_core::merge::SyncEvent {
        id: uuid::Uuid::new_v4().to_string(),
        entity,
        entity_id: id.to_owned(),
        origin,
        fields: fields
            .iter()
            .map(|(name, value)| {
                (
                    (*name).to_owned(),
                    tandem_core::merge::Stamped {
                        value: value.clone(),
                        stamp,
                    },
                )
            })
            .collect(),
        changed: fields.iter().map(|(name, _)| (*name).to_owned()).collect(),
        committed_ms: stamp.ms,
    }
}

/// Both apply paths check each synced value with the rule the Platform's input uses; a bad
/// one fails the event with that rule's message (not a database error), and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_apply_paths_refuse_values_the_platform_would_refuse() {
    use tandem_core::Side;
    use tandem_core::merge::{ApplyOutcome, Entity};
    use tandem_platform::TenantStore;
    for backend in tandem_testkit::Backend::ALL {
        let stores = tandem_testkit::build_stores(backend).await;
        let sync = stores.app.sync().clone();
        let (platform, baas) = (sync.local[0].clone(), sync.local[1].clone());
        let tenant = stores
            .app
            .platform_store()
            .unwrap()
            .default_tenant()
            .await
            .unwrap()
            .unwrap();
        let tenant_id = tenant.id.to_string();

        let to_platform = forged_event(
            Entity::Tenant,
            &tenant_id,
            Side::Baas,
            &[("name", json!("a\u{0}b"))],
        );
        let outcome = tandem_sync::link::apply_all(platform.as_ref(), &[to_platform])
            .await
            .unwrap();
        match &outcome[..] {
            [ApplyOutcome::Failed { error }] => assert!(
                error.contains("`name` contains a control character"),
                "{backend:?}: {error}"
            ),
            other => panic!("{backend:?}: {other:?}"),
        }
        let after = stores
            .app
            .platform_store()
            .unwrap()
            .default_tenant()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.name, tenant.name, "{backend:?}: nothing was written");

        let user_id = uuid::Uuid::new_v4().to_string();
        for (field, value, message) in [
            (
                "first_name",
                json!("a\u{0}b"),
                "`first_name` contains a control character",
            ),
            (
                "avatar_url",
                json!("javascript:alert(1)"),
                "`avatar_url` must be an http(s) URL",
            ),
            (
                "timezone",
                json!("<script>x</script>"),
                "`timezone` must be an IANA time zone",
            ),
            ("active", json!("yes"), "`active` must be true or false"),
        ] {
            let mut fields = vec![
                ("email", json!("forged@example.com")),
                ("tenant_id", json!(tenant_id)),
                ("active", json!(true)),
            ];
            fields.retain(|(name, _)| *name != field);
            fields.push((field, value));
            let to_baas = forged_event(Entity::User, &user_id, Side::Platform, &fields);
            let outcome = tandem_sync::link::apply_all(baas.as_ref(), &[to_baas])
                .await
                .unwrap();
            match &outcome[..] {
                [ApplyOutcome::Failed { error }] => {
                    assert!(error.contains(message), "{backend:?}: {error}")
                }
                other => panic!("{backend:?} {field}: {other:?}"),
            }
        }
        let states = baas
            .states(Entity::User, std::slice::from_ref(&user_id))
            .await
            .unwrap();
        assert!(
            states.is_empty(),
            "{backend:?}: no user was created on the BaaS: {states:?}"
        );
    }
}
