//! GraphQL documents shaped like `@roq/nodejs`'s, and helpers that create fixtures through the
//! public API.

use serde_json::{Value, json};
use tandem_testkit::{Answer, TestApp};

pub const USER_FIELDS: &str = "id reference firstName lastName active email phone locale isOptedIn synced tenantId customData timezone avatarUrl twoFactorEnabled createdAt updatedAt";
pub const TENANT_FIELDS: &str = "id reference isDefault name createdAt updatedAt";
pub const ROLE_FIELDS: &str = "id reference description isSystemManaged key name";

pub fn create_user_doc() -> String {
    format!(
        "mutation createUser($user: UserCreateDto!) {{ createUser(user: $user) {{ {USER_FIELDS} }} }}"
    )
}

pub fn update_user_doc() -> String {
    format!(
        "mutation updateUser($id: ID!, $user: UserUpdateDto!) {{ updateUser(id: $id, user: $user) {{ {USER_FIELDS} }} }}"
    )
}

/// The SDK's `userProfile` document.
pub fn user_profile_doc() -> String {
    format!(
        "query userProfile($id: ID!, $withTenant: Boolean = false, $withUserGroups: Boolean = false, $withRoles: Boolean = false) {{
          user(id: $id) {{ {USER_FIELDS}
            tenant @include(if: $withTenant) {{ {TENANT_FIELDS} }}
            userGroups @include(if: $withUserGroups) {{ data {{ id reference name type }} totalCount }}
            roles @include(if: $withRoles) {{ data {{ {ROLE_FIELDS} }} totalCount }}
          }}
        }}"
    )
}

/// The SDK's `userProfiles` document.
pub fn user_profiles_doc() -> String {
    format!(
        "query userProfiles($filter: UserFilterArgType, $limit: Int, $offset: Int, $order: UserOrderArgType, $search: UserSearchArgType, $withTenant: Boolean = false, $withRoles: Boolean = false) {{
          users(filter: $filter, limit: $limit, offset: $offset, order: $order, search: $search) {{
            data {{ {USER_FIELDS}
              tenant @include(if: $withTenant) {{ {TENANT_FIELDS} }}
              roles @include(if: $withRoles) {{ data {{ {ROLE_FIELDS} }} totalCount }}
            }}
            totalCount
          }}
        }}"
    )
}

pub fn unique_email(prefix: &str) -> String {
    format!(
        "{prefix}.{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// Creates a user with `fields` merged over a unique email and a reference.
pub async fn create_user(app: &TestApp, fields: Value) -> Value {
    let mut user =
        json!({"email": unique_email("user"), "reference": uuid::Uuid::new_v4().to_string()});
    merge(&mut user, fields);
    let answer = app.graphql(&create_user_doc(), json!({"user": user})).await;
    answer.data("createUser").clone()
}

pub async fn try_create_user(app: &TestApp, user: Value) -> Answer {
    app.graphql(&create_user_doc(), json!({"user": user})).await
}

pub async fn create_role(app: &TestApp, key: &str) -> Value {
    let answer = app
        .graphql(
            &format!("mutation($role: RoleCreateDto!) {{ createRole(role: $role) {{ {ROLE_FIELDS} }} }}"),
            json!({"role": {"key": key, "name": key.to_uppercase(), "isSystemManaged": false, "permissionAssignments": []}}),
        )
        .await;
    answer.data("createRole").clone()
}

pub async fn create_tenant(app: &TestApp, name: &str) -> Value {
    let answer = app
        .graphql(
            &format!("mutation($tenant: TenantCreateDto!) {{ createTenant(tenant: $tenant) {{ {TENANT_FIELDS} }} }}"),
            json!({"tenant": {"name": name}}),
        )
        .await;
    answer.data("createTenant").clone()
}

pub async fn default_tenant_id(app: &TestApp) -> String {
    let answer = app
        .graphql(
            "query { tenants(limit: 1000) { data { id isDefault } } }",
            json!({}),
        )
        .await;
    answer.data("tenants")["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["isDefault"] == json!(true))
        .expect("a default tenant")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn list_users(app: &TestApp, variables: Value) -> Value {
    app.graphql(&user_profiles_doc(), variables)
        .await
        .data("users")
        .clone()
}

/// Every user, deactivated ones included.
pub async fn count_all_users(app: &TestApp) -> i64 {
    list_users(
        app,
        json!({"filter": {"withDeactivated": {"equalTo": true}}, "limit": 0}),
    )
    .await["totalCount"]
        .as_i64()
        .unwrap()
}

pub fn emails(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}
