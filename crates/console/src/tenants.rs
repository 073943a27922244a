//! Tenants: the list with how many users each has, creating one, renaming one.

use axum::extract::{Path, State as Extract};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::html;
use tandem_platform::Principal;
use tandem_platform::domain::Change;
use tandem_platform::domain::input::{NewTenant, TenantUpdate};

use crate::State;
use crate::users::all_tenants;
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, badge, csrf, failure, html_response, page, when};

const SA: Principal = Principal::ServiceAccount;

pub async fn list(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
    let tenants = match all_tenants(&state).await {
        Ok(t) => t,
        Err(e) => return failure(&e),
    };
    let ids: Vec<_> = tenants.iter().map(|t| t.id).collect();
    let counts = match state.service.count_users_by_tenant(&ids).await {
        Ok(c) => c,
        Err(e) => return failure(&e),
    };
    let content = html! {
        h1 { "Tenants" }
        section.panel aria-labelledby="new-h" {
            h2 id="new-h" { "New tenant" }
            form.filters method="post" action="/console/tenants" {
                (csrf(&admin))
                div.field { label for="name" { "Name" } input id="name" name="name" type="text" required; }
                button type="submit" { "Create tenant" }
            }
        }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Users" } th scope="col" { "Created" } th scope="col" { "Rename" } } }
                tbody {
                    @for t in &tenants {
                        tr {
                            td { (t.name) @if t.is_default { " " (badge("Default", "info")) } }
                            td { a href=(format!("/console/users?tenant={}", t.id)) { (counts.get(&t.id).copied().unwrap_or(0)) " user(s)" } }
                            td { (when(t.created_at)) }
                            td {
                                form.actions method="post" action=(format!("/console/tenants/{}", t.id)) {
                                    (csrf(&admin))
                                    label.skip for=(format!("rename-{}", t.id)) { "New name for " (t.name) }
                                    input id=(format!("rename-{}", t.id)) name="name" type="text" value=(t.name) required;
                                    button.secondary type="submit" { "Rename" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Tenants",
            "/console/tenants",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

pub async fn create(Extract(state): Extract<State>, Posted { admin, form }: Posted) -> Response {
    let new = NewTenant {
        name: form.get("name"),
        ..NewTenant::default()
    };
    match state.service.create_tenant(&SA, new).await {
        Ok(t) => {
            audited(
                &state,
                &admin,
                "tenant.create",
                None,
                format!("created the tenant {:?}", t.name),
                "/console/tenants",
                format!("Created {}.", t.name),
            )
            .await
        }
        Err(e) => after(&state, "/console/tenants", Err(e.public_message())),
    }
}

pub async fn rename(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, form }: Posted,
) -> Response {
    let update = TenantUpdate {
        name: form.get("name"),
        reference: Change::Keep,
    };
    match state.service.update_tenant(&SA, &id, update).await {
        Ok(t) => {
            audited(
                &state,
                &admin,
                "tenant.rename",
                None,
                format!("renamed a tenant to {:?}", t.name),
                "/console/tenants",
                format!("Renamed to {}.", t.name),
            )
            .await
        }
        Err(e) => after(&state, "/console/tenants", Err(e.public_message())),
    }
}
