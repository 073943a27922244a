//! Roles: the list (with which roles each may invite) and creating one. Permissions are set
//! through the server GraphQL's `updateProjectPermissions` (the Console shows them).

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use maud::html;
use tandem_platform::Principal;
use tandem_platform::domain::input::NewRole;
use tandem_platform::domain::list::{PermissionQuery, Window};

use crate::State;
use crate::users::all_roles;
use crate::web::{Notice, admin, after, csrf, failure, html_response, page, posted};

const SA: Principal = Principal::ServiceAccount;

pub async fn list(Extract(state): Extract<State>, headers: HeaderMap, uri: Uri) -> Response {
    let admin = match admin(&state, &headers, &uri).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let roles = match all_roles(&state).await {
        Ok(r) => r,
        Err(e) => return failure(&e),
    };
    let permissions = match state
        .service
        .permissions(PermissionQuery {
            window: Window {
                limit: 1000,
                offset: 0,
            },
            ..PermissionQuery::default()
        })
        .await
    {
        Ok(p) => p.data,
        Err(e) => return failure(&e),
    };
    let content = html! {
        h1 { "Roles & permissions" }
        section.panel aria-labelledby="new-h" {
            h2 id="new-h" { "New role" }
            form.stack method="post" action="/console/roles" {
                (csrf(&admin))
                div.field { label for="key" { "Key" } input id="key" name="key" type="text" required aria-describedby="key-hint"; p.muted id="key-hint" { "Letters, digits, - and _; what the SDK and tokens name." } }
                div.field { label for="name" { "Name" } input id="name" name="name" type="text" required; }
                @if !roles.is_empty() {
                    fieldset {
                        legend { "Its holders may invite with these roles" }
                        @for r in &roles { label.check { input type="checkbox" name="invite" value=(r.key); (r.name) } }
                    }
                }
                div { button type="submit" { "Create role" } }
            }
        }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr { th scope="col" { "Role" } th scope="col" { "Key" } th scope="col" { "May invite" } th scope="col" { "Permissions (model · operation · scope)" } } }
                tbody {
                    @for r in &roles {
                        tr {
                            td { (r.name) }
                            td { code { (r.key) } }
                            td { @if r.invite_role_keys.is_empty() { span.muted { "nobody" } } @else { (r.invite_role_keys.join(", ")) } }
                            td {
                                @let mine: Vec<_> = permissions.iter().filter(|p| p.role_id == r.id).collect();
                                @if mine.is_empty() { span.muted { "none" } }
                                @else {
                                    ul { @for p in mine { li { (p.rule.entity) " · " (p.rule.operation.name()) " · " (p.rule.scope.name()) } } }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.muted { "Change a role's permissions with the server GraphQL's " code { "updateProjectPermissions" } "; the BaaS enforces them within milliseconds." }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Roles",
            "/console/roles",
            Notice::from_query(&uri),
            content,
        ),
    )
}

pub async fn create(
    Extract(state): Extract<State>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (admin, form) = match posted(&state, &headers, &uri, &body).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    let new = NewRole {
        key: form.get("key"),
        name: form.get("name"),
        invite_role_keys: form.all("invite"),
        ..NewRole::default()
    };
    match state.service.create_role(&SA, new).await {
        Ok(r) => {
            if let Err(e) = state
                .service
                .audit(
                    &admin.email,
                    "role.create",
                    None,
                    format!("created the role {}", r.key),
                )
                .await
            {
                return failure(&e);
            }
            after(
                "/console/roles",
                Ok(format!("Created the role {}.", r.name)),
            )
        }
        Err(e) => after("/console/roles", Err(e.public_message())),
    }
}
