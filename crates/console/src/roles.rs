//! Roles: the list (with which roles each may invite), creating one, and a role's permissions
//! as a grid — each BaaS model × create/read/update/delete, each cell a scope (none, own,
//! tenant, all, public) — saved per model as `updateProjectPermissions` does.

use std::collections::BTreeSet;

use axum::extract::{Path, State as Extract};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::html;
use tandem_core::access::{Operation, Scope};
use tandem_platform::Principal;
use tandem_platform::domain::input::{NewRole, PermissionAssignment, ProjectPermissions};
use tandem_platform::domain::list::{FilterId, IdFilter, PermissionQuery, Window};
use tandem_platform::domain::{Permission, PermissionKind, Role};

use crate::State;
use crate::users::all_roles;
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, csrf, failure, html_response, message_page, page};

const SA: Principal = Principal::ServiceAccount;

pub async fn list(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
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
                            td { a href=(format!("/console/roles/{}", r.id)) { (r.name) } }
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
        p.muted { "Open a role to edit its permissions; the BaaS enforces a change within milliseconds." }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Roles",
            "/console/roles",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

pub async fn create(Extract(state): Extract<State>, Posted { admin, form }: Posted) -> Response {
    let new = NewRole {
        key: form.get("key"),
        name: form.get("name"),
        invite_role_keys: form.all("invite"),
        ..NewRole::default()
    };
    match state.service.create_role(&SA, new).await {
        Ok(r) => {
            audited(
                &state,
                &admin,
                "role.create",
                None,
                format!("created the role {}", r.key),
                "/console/roles",
                format!("Created the role {}.", r.name),
            )
            .await
        }
        Err(e) => after(&state, "/console/roles", Err(e.public_message())),
    }
}

/// The role's permissions on BaaS models (Platform-kind ones are not the grid's to change).
async fn role_permissions(
    state: &State,
    role: &Role,
) -> Result<Vec<Permission>, tandem_platform::PlatformError> {
    let mut query = PermissionQuery {
        window: Window {
            limit: 1000,
            offset: 0,
        },
        ..PermissionQuery::default()
    };
    query.filter.role_id = Some(IdFilter {
        equal_to: Some(FilterId::Id(role.id)),
        ..IdFilter::default()
    });
    Ok(state
        .service
        .permissions(query)
        .await?
        .data
        .into_iter()
        .filter(|p| p.kind == PermissionKind::Project)
        .collect())
}

/// The models a grid shows: the BaaS's (when it answers), and any the role's permissions name.
async fn grid_models(state: &State, permissions: &[Permission]) -> Vec<String> {
    let mut models: BTreeSet<String> = BTreeSet::new();
    if let Some(baas) = &state.baas
        && let Ok(list) = baas.models().await
    {
        models.extend(list);
    }
    models.extend(permissions.iter().map(|p| p.rule.entity.clone()));
    models.into_iter().collect()
}

/// The role with this id and its BaaS-model permissions.
async fn role_and_permissions(
    state: &State,
    id: &str,
) -> Result<Option<(Role, Vec<Permission>)>, tandem_platform::PlatformError> {
    let Some(role) = all_roles(state)
        .await?
        .into_iter()
        .find(|r| r.id.to_string() == id)
    else {
        return Ok(None);
    };
    let permissions = role_permissions(state, &role).await?;
    Ok(Some((role, permissions)))
}

pub async fn grid(
    Extract(state): Extract<State>,
    admin: Admin,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let (role, permissions) = match role_and_permissions(&state, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return message_page(
                Some(&admin),
                StatusCode::NOT_FOUND,
                "No such role",
                "There is no role with that id.",
            );
        }
        Err(e) => return failure(&e),
    };
    let models = grid_models(&state, &permissions).await;
    let scope_of = |model: &str, op: Operation| {
        permissions
            .iter()
            .find(|p| p.rule.entity == model && p.rule.operation == op)
            .map(|p| p.rule.scope)
    };
    let content = html! {
        p { a href="/console/roles" { "← All roles" } }
        h1 { "Permissions of " (role.name) }
        p.muted { "Each cell: which rows of the model holders of " code { (role.key) } " may reach — their own, their tenant's, all, or all for everybody (public). Nothing means no access through this role." }
        form.panel method="post" action=(format!("/console/roles/{}", role.id)) {
            (csrf(&admin))
            div.table-wrap tabindex="0" role="region" aria-label="Permissions grid" {
                table {
                    thead { tr { th scope="col" { "Model" } @for op in Operation::ALL { th scope="col" { (op.name()) } } } }
                    tbody {
                        @for model in &models {
                            tr {
                                th scope="row" { (model) }
                                @for op in Operation::ALL {
                                    @let current = scope_of(model, op);
                                    td {
                                        select name=(format!("{model}:{}", op.name())) aria-label=(format!("{} on {model}", op.name())) {
                                            option value="" selected[current.is_none()] { "none" }
                                            @for scope in Scope::ALL {
                                                option value=(scope.name()) selected[current == Some(scope)] { (scope.name()) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.actions { button type="submit" { "Save permissions" } }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            &format!("Permissions of {}", role.name),
            "/console/roles",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

pub async fn save_grid(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, form }: Posted,
) -> Response {
    let (role, permissions) = match role_and_permissions(&state, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return after(
                &state,
                "/console/roles",
                Err("there is no such role".into()),
            );
        }
        Err(e) => return failure(&e),
    };
    let back = format!("/console/roles/{}", role.id);
    // Every cell is read and checked before anything is saved. A model the form has no cells
    // for (added since the page was drawn) is left as it is.
    let mut updates = Vec::new();
    for model in grid_models(&state, &permissions).await {
        if !Operation::ALL
            .iter()
            .any(|op| form.has(&format!("{model}:{}", op.name())))
        {
            continue;
        }
        let mut wanted = Vec::new();
        for op in Operation::ALL {
            let raw = form.get(&format!("{model}:{}", op.name()));
            if raw.is_empty() {
                continue;
            }
            let Some(scope) = Scope::parse(&raw) else {
                return after(&state, &back, Err(format!("`{raw}` is not a scope")));
            };
            wanted.push((op, scope));
        }
        let mine: Vec<&Permission> = permissions
            .iter()
            .filter(|p| p.rule.entity == model)
            .collect();
        let mut had: Vec<(Operation, Scope)> = mine
            .iter()
            .map(|p| (p.rule.operation, p.rule.scope))
            .collect();
        had.sort();
        wanted.sort();
        if had != wanted {
            updates.push((model, wanted, mine));
        }
    }
    let mut changed = Vec::new();
    let mut failed = None;
    for (model, wanted, mine) in updates {
        let update = ProjectPermissions {
            entity: model.clone(),
            assignments: wanted
                .iter()
                .map(|(op, scope)| PermissionAssignment {
                    // An operation that keeps its permission keeps its key.
                    key: mine
                        .iter()
                        .find(|p| p.rule.operation == *op)
                        .map(|p| p.key.clone()),
                    operation: Some(*op),
                    scope: Some(*scope),
                    kind: Some(PermissionKind::Project),
                    project_entity: Some(model.clone()),
                    ..PermissionAssignment::default()
                })
                .collect(),
            ..ProjectPermissions::default()
        };
        if let Err(e) = state
            .service
            .update_project_permissions(&SA, &role.id.to_string(), update)
            .await
        {
            failed = Some(format!("{model}: {}", e.public_message()));
            break;
        }
        let words: Vec<String> = wanted
            .iter()
            .map(|(o, s)| format!("{} {}", o.name(), s.name()))
            .collect();
        changed.push(format!("{model} [{}]", words.join(", ")));
    }
    if !changed.is_empty() {
        let detail = format!(
            "set the permissions of {}: {}",
            role.key,
            changed.join("; ")
        );
        if let Err(e) = state
            .service
            .audit(&admin.email, "role.permissions", None, detail)
            .await
        {
            return failure(&e);
        }
    }
    match (failed, changed.is_empty()) {
        (Some(why), _) => after(&state, &back, Err(why)),
        (None, true) => after(&state, &back, Ok("Nothing changed.".into())),
        (None, false) => after(
            &state,
            &back,
            Ok("Permissions saved; the BaaS enforces them within milliseconds.".into()),
        ),
    }
}
