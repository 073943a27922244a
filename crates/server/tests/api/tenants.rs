//! Tenants: the default one, create, update, read, list.

use serde_json::{Value, json};

use crate::common::*;

fn tenant_doc() -> String {
    format!("query($id: ID!) {{ tenant(id: $id) {{ {TENANT_FIELDS} users {{ totalCount }} }} }}")
}

fn update_tenant_doc() -> String {
    format!(
        "mutation updateTenant($id: ID!, $tenant: TenantUpdateDto!) {{ updateTenant(id: $id, tenant: $tenant) {{ {TENANT_FIELDS} }} }}"
    )
}

fn tenants_doc() -> String {
    format!(
        "query($filter: TenantFilterArgType, $limit: Int, $offset: Int, $order: TenantOrderArgType) {{ tenants(filter: $filter, limit: $limit, offset: $offset, order: $order) {{ data {{ {TENANT_FIELDS} }} totalCount }} }}"
    )
}

fn names(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

on_both_backends! {
    async fn exactly_one_default_tenant_exists_from_the_start(app: TestApp) {
        let page = app.graphql(&tenants_doc(), json!({})).await;
        let page = page.data("tenants");
        assert_eq!(page["totalCount"], 1);
        assert_eq!(page["data"][0]["isDefault"], true);
        assert_eq!(page["data"][0]["name"], "Default");
    }

    async fn a_migrated_tenant_keeps_its_id_and_creation_time(app: TestApp) {
        let doc = format!("mutation($tenant: TenantCreateDto!) {{ createTenant(tenant: $tenant) {{ {TENANT_FIELDS} }} }}");
        let id = "5f0f3d2e-8a4b-4c1d-9e7f-0a1b2c3d4e5f";
        let answer = app.graphql(&doc, json!({"tenant": {"id": id, "name": "Old Co", "createdAt": "2020-01-02T03:04:05.000Z"}})).await;
        let tenant = answer.data("createTenant");
        assert_eq!(tenant["id"], id);
        assert_eq!(tenant["createdAt"], "2020-01-02T03:04:05.000Z");

        let again = app.graphql(&doc, json!({"tenant": {"id": id, "name": "Other"}})).await;
        assert_eq!(again.error_code(), Some("ID_ALREADY_EXISTS"), "{:?}", again.body);
        let page = app.graphql(&tenants_doc(), json!({})).await;
        let mut listed = names(page.data("tenants"));
        listed.sort_unstable();
        assert_eq!(listed, ["Default", "Old Co"], "nothing written by the refused create");
    }

    async fn tenants_are_created_read_updated_and_counted(app: TestApp) {
        let answer = app
            .graphql(&format!("mutation($tenant: TenantCreateDto!) {{ createTenant(tenant: $tenant) {{ {TENANT_FIELDS} }} }}"), json!({"tenant": {"name": "  Acme  ", "reference": "crm-42"}}))
            .await;
        let tenant = answer.data("createTenant").clone();
        assert_eq!(tenant["name"], "Acme");
        assert_eq!(tenant["reference"], "crm-42");
        assert_eq!(tenant["isDefault"], false);
        create_user(&app, json!({"tenantId": tenant["id"]})).await;
        create_user(&app, json!({"tenantId": tenant["id"]})).await;

        let read = app.graphql(&tenant_doc(), json!({"id": tenant["id"]})).await;
        assert_eq!(read.data("tenant")["users"]["totalCount"], 2);

        app.clock.advance(chrono::Duration::seconds(3));
        let updated = app.graphql(&update_tenant_doc(), json!({"id": tenant["id"], "tenant": {"name": "Acme Ltd"}})).await;
        let updated = updated.data("updateTenant");
        assert_eq!(updated["name"], "Acme Ltd");
        assert_eq!(updated["reference"], "crm-42", "an absent reference is kept");
        assert_ne!(updated["updatedAt"], tenant["updatedAt"]);
        let read = app.graphql(&tenant_doc(), json!({"id": tenant["id"]})).await;
        assert_eq!(read.data("tenant")["name"], "Acme Ltd");
    }

    async fn tenants_are_listed_with_filters_order_and_pages(app: TestApp) {
        for (i, name) in ["One", "Two", "Three"].iter().enumerate() {
            app.clock.advance(chrono::Duration::seconds(1));
            app.graphql("mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }", json!({"t": {"name": name, "reference": format!("ref-{i}")}})).await.data("createTenant");
        }
        let all = app.graphql(&tenants_doc(), json!({"order": {"sort": "createdAt", "order": "DESC"}})).await;
        assert_eq!(names(all.data("tenants")), vec!["Three", "Two", "One", "Default"]);
        let page = app.graphql(&tenants_doc(), json!({"limit": 2, "offset": 1})).await;
        assert_eq!(names(page.data("tenants")), vec!["One", "Two"]);
        assert_eq!(page.data("tenants")["totalCount"], 4);
        let by_ref = app.graphql(&tenants_doc(), json!({"filter": {"reference": {"valueIn": ["ref-0", "ref-2"]}}})).await;
        assert_eq!(names(by_ref.data("tenants")), vec!["One", "Three"]);
    }

    async fn tenant_errors_are_clear(app: TestApp) {
        let missing = uuid::Uuid::new_v4().to_string();
        let answer = app.graphql(&tenant_doc(), json!({"id": missing})).await;
        assert_eq!(answer.error_code(), Some("TENANT_NOT_FOUND"));
        let answer = app.graphql(&update_tenant_doc(), json!({"id": missing, "tenant": {"name": "X"}})).await;
        assert_eq!(answer.error_code(), Some("TENANT_NOT_FOUND"));
        let tenant = create_tenant(&app, "Named").await;
        let answer = app.graphql(&update_tenant_doc(), json!({"id": tenant["id"], "tenant": {"name": "  "}})).await;
        assert_eq!(answer.error_code(), Some("INVALID_INPUT"));
        let answer = app.graphql("mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }", json!({"t": {"name": ""}})).await;
        assert_eq!(answer.error_code(), Some("INVALID_INPUT"));
        let page = app.graphql(&tenants_doc(), json!({})).await;
        assert_eq!(page.data("tenants")["totalCount"], 2, "nothing written by the failures");
        let read = app.graphql(&tenant_doc(), json!({"id": tenant["id"]})).await;
        assert_eq!(read.data("tenant")["name"], "Named");
    }
}
