//! Users: the list (search, tenant, role, active; pages of 50), and one user's page — every
//! Platform field next to the BaaS row, roles, the audit lines about them — where an admin edits
//! the profile, assigns roles, deactivates or reactivates (after a confirm step) and sends a
//! password-reset mail.

use std::collections::HashMap;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use tandem_core::hlc::Side;
use tandem_core::merge::{Entity, FieldState, Stamped};
use tandem_platform::domain::input::UserUpdate;
use tandem_platform::domain::list::{
    BoolFilter, FilterId, IdFilter, RoleQuery, StringFilter, TenantQuery, UserFilter, UserQuery,
    Window,
};
use tandem_platform::domain::{Change, Role, Tenant, User};
use tandem_platform::{PlatformError, Principal};
use tandem_sync::link::Peer;

use crate::State;
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, badge, csrf, failure, html_response, message_page, page, when};

const PAGE: u32 = 50;
const SA: Principal = Principal::ServiceAccount;

fn query_pairs(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn all_tenants(state: &State) -> Result<Vec<Tenant>, PlatformError> {
    let query = TenantQuery {
        window: Window {
            limit: 1000,
            offset: 0,
        },
        ..TenantQuery::default()
    };
    Ok(state.service.tenants(&SA, query).await?.data)
}

pub(crate) async fn all_roles(state: &State) -> Result<Vec<Role>, PlatformError> {
    let query = RoleQuery {
        window: Window {
            limit: 1000,
            offset: 0,
        },
        ..RoleQuery::default()
    };
    Ok(state.service.roles(&SA, query).await?.data)
}

fn full_name(user: &User) -> String {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "(no name)".to_owned()
    } else {
        name
    }
}

pub fn active_badge(active: bool) -> Markup {
    if active {
        badge("Active", "ok")
    } else {
        badge("Deactivated", "bad")
    }
}

pub async fn list(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
    let q = query_pairs(&uri);
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (search, tenant, role, status) = (get("q"), get("tenant"), get("role"), get("status"));
    let page_no: u32 = get("page").parse().unwrap_or(0).min(10_000);
    let mut filter = UserFilter {
        search: (!search.is_empty()).then(|| search.clone()),
        ..UserFilter::default()
    };
    if !tenant.is_empty() {
        filter.tenant_id = Some(IdFilter {
            equal_to: Some(FilterId::parse(&tenant)),
            ..IdFilter::default()
        });
    }
    if !role.is_empty() {
        filter.role_key = Some(StringFilter {
            equal_to: Some(role.clone()),
            ..StringFilter::default()
        });
    }
    match status.as_str() {
        "active" => {}
        "deactivated" => {
            filter.active = Some(BoolFilter {
                equal_to: Some(false),
                ..BoolFilter::default()
            })
        }
        _ => {
            filter.with_deactivated = Some(BoolFilter {
                equal_to: Some(true),
                ..BoolFilter::default()
            })
        }
    }
    let query = UserQuery {
        filter,
        window: Window {
            limit: PAGE,
            offset: page_no * PAGE,
        },
        ..UserQuery::default()
    };
    let (users, tenants, roles) = match (
        state.service.users(&SA, query).await,
        all_tenants(&state).await,
        all_roles(&state).await,
    ) {
        (Ok(u), Ok(t), Ok(r)) => (u, t, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failure(&e),
    };
    let tenant_name: HashMap<String, String> = tenants
        .iter()
        .map(|t| (t.id.to_string(), t.name.clone()))
        .collect();
    let first = u64::from(page_no * PAGE) + 1;
    let last = u64::from(page_no * PAGE) + users.data.len() as u64;
    let link_to = |p: u32| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &search),
            ("tenant", &tenant),
            ("role", &role),
            ("status", &status),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/console/users?{}", s.finish())
    };
    let content = html! {
        h1 { "Users" }
        form.filters method="get" action="/console/users" role="search" {
            div.field {
                label for="q" { "Search (email or name)" }
                input id="q" name="q" type="search" value=(search);
            }
            div.field {
                label for="tenant" { "Tenant" }
                select id="tenant" name="tenant" {
                    option value="" { "All tenants" }
                    @for t in &tenants {
                        option value=(t.id.to_string()) selected[t.id.to_string() == tenant] { (t.name) }
                    }
                }
            }
            div.field {
                label for="role" { "Role" }
                select id="role" name="role" {
                    option value="" { "Any role" }
                    @for r in &roles {
                        option value=(r.key) selected[r.key == role] { (r.name) " (" (r.key) ")" }
                    }
                }
            }
            div.field {
                label for="status" { "Status" }
                select id="status" name="status" {
                    option value="" selected[status.is_empty()] { "All" }
                    option value="active" selected[status == "active"] { "Active" }
                    option value="deactivated" selected[status == "deactivated"] { "Deactivated" }
                }
            }
            button type="submit" { "Filter" }
        }
        p.muted role="status" {
            @if users.total_count == 0 { "No users match." }
            @else { "Users " (first) "–" (last) " of " (users.total_count) "." }
        }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                caption.skip { "Users" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Tenant" } th scope="col" { "Status" } th scope="col" { "Created" } } }
                tbody {
                    @for u in &users.data {
                        tr {
                            td { a href=(format!("/console/users/{}", u.id)) { (full_name(u)) } }
                            td { (u.email.as_str()) }
                            td { (tenant_name.get(&u.tenant_id.to_string()).cloned().unwrap_or_default()) }
                            td { (active_badge(u.active)) }
                            td { (when(u.created_at)) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if page_no > 0 { a href=(link_to(page_no - 1)) { "← Previous page" } }
            @if (u64::from(page_no + 1) * u64::from(PAGE)) < users.total_count as u64 { a href=(link_to(page_no + 1)) { "Next page →" } }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Users",
            "/console/users",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

/// The user's synced fields as one side holds them — each value with the stamp of the write
/// that set it — asked through the sync engine (in process, or over the signed link of a split
/// deployment); `None` when that side has no such user yet.
async fn synced(peer: &dyn Peer, id: &str) -> Result<Option<FieldState>, String> {
    peer.states(Entity::User, &[id.to_owned()])
        .await
        .map(|states| states.into_iter().next().map(|(_, fields)| fields))
        .map_err(|e| e.to_string())
}

/// Which side wrote a field last, and when (the newer of the two sides' stamps).
fn last_write(a: Option<&Stamped>, b: Option<&Stamped>) -> String {
    let stamp = match (a, b) {
        (Some(a), Some(b)) => Some(a.stamp.max(b.stamp)),
        (Some(x), None) | (None, Some(x)) => Some(x.stamp),
        (None, None) => None,
    };
    match stamp {
        None => "—".to_owned(),
        Some(stamp) => {
            let side = match stamp.side {
                Side::Platform => "Platform",
                Side::Baas => "BaaS",
            };
            let at = chrono::DateTime::from_timestamp_millis(stamp.ms)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default();
            format!("{side}, {at}")
        }
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub async fn detail(
    Extract(state): Extract<State>,
    admin: Admin,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let user = match state.service.user(&SA, &id).await {
        Ok(u) => u,
        Err(err @ (PlatformError::UserNotFound(_) | PlatformError::InvalidInput(_))) => {
            return message_page(
                Some(&admin),
                StatusCode::NOT_FOUND,
                "No such user",
                &err.public_message(),
            );
        }
        Err(err) => return failure(&err),
    };
    let roles = all_roles(&state).await;
    let held = state
        .service
        .roles(
            &SA,
            RoleQuery {
                filter: tandem_platform::domain::list::RoleFilter {
                    user_id: Some(IdFilter {
                        equal_to: Some(FilterId::Id(user.id)),
                        ..IdFilter::default()
                    }),
                    ..Default::default()
                },
                ..RoleQuery::default()
            },
        )
        .await;
    let tenant = state.service.tenant(&SA, &user.tenant_id.to_string()).await;
    let audit = state.service.audit_log(Some(user.id), 50).await;
    let (roles, held, tenant, audit) = match (roles, held, tenant, audit) {
        (Ok(r), Ok(h), Ok(t), Ok(a)) => (r, h.data, t, a),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return failure(&e),
    };
    let platform_fields = synced(state.sync.platform.as_ref(), &user.id.to_string()).await;
    let baas = synced(state.sync.baas.as_ref(), &user.id.to_string()).await;
    let rows: Vec<(&str, String, Option<&str>)> = vec![
        ("Email", user.email.as_str().to_owned(), Some("email")),
        (
            "First name",
            user.first_name.clone().unwrap_or_default(),
            Some("first_name"),
        ),
        (
            "Last name",
            user.last_name.clone().unwrap_or_default(),
            Some("last_name"),
        ),
        (
            "Locale",
            user.locale.clone().unwrap_or_default(),
            Some("locale"),
        ),
        (
            "Timezone",
            user.timezone.clone().unwrap_or_default(),
            Some("timezone"),
        ),
        (
            "Avatar URL",
            user.avatar_url.clone().unwrap_or_default(),
            Some("avatar_url"),
        ),
        ("Active", user.active.to_string(), Some("active")),
        ("Tenant", user.tenant_id.to_string(), Some("tenant_id")),
        ("Phone", user.phone.clone().unwrap_or_default(), None),
        ("Reference", user.reference.clone(), None),
        ("Opted in", user.is_opted_in.to_string(), None),
        ("Two-factor", user.two_factor_enabled.to_string(), None),
        ("Created", when(user.created_at), None),
        ("Updated", when(user.updated_at), None),
    ];
    let baas_value = |field: &str| -> Option<String> {
        match &baas {
            Ok(Some(fields)) => Some(show(fields.get(field).map(|f| &f.value)).replace('—', "")),
            _ => None,
        }
    };
    let written = |field: &str| -> String {
        let on = |side: &Result<Option<FieldState>, String>| match side {
            Ok(Some(fields)) => fields.get(field).cloned(),
            _ => None,
        };
        last_write(on(&platform_fields).as_ref(), on(&baas).as_ref())
    };
    let held_keys: Vec<&str> = held.iter().map(|r| r.key.as_str()).collect();
    let content = html! {
        p { a href="/console/users" { "← All users" } }
        h1 { (full_name(&user)) " " (active_badge(user.active)) }
        div.grid2 {
            section.panel aria-labelledby="fields-h" {
                h2 id="fields-h" { "Platform and BaaS" }
                p.muted {
                    "Tenant " strong { (tenant.name) } ". "
                    @match &baas {
                        Ok(Some(_)) => { "Synced fields show the BaaS's copy beside the Platform's, and which side wrote each last." }
                        Ok(None) => { "Not on the BaaS yet (sync pending)." }
                        Err(why) => { "The BaaS could not be asked: " (why) "." }
                    }
                }
                div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
                    table {
                        thead { tr { th scope="col" { "Field" } th scope="col" { "Platform" } th scope="col" { "BaaS" } th scope="col" { "Last written" } } }
                        tbody {
                            @for (label, platform, field) in &rows {
                                @let on_baas = field.and_then(&baas_value);
                                tr {
                                    th scope="row" { (label) }
                                    td { (platform) }
                                    td {
                                        @match &on_baas {
                                            None => span.muted { "—" },
                                            Some(v) if v == platform => { (v) }
                                            Some(v) => { span.diff { (v) " (differs: sync pending)" } }
                                        }
                                    }
                                    td.muted { @if let Some(f) = field { (written(f)) } @else { "—" } }
                                }
                            }
                        }
                    }
                }
            }
            div {
                section.panel aria-labelledby="edit-h" {
                    h2 id="edit-h" { "Edit profile" }
                    form.stack method="post" action=(format!("/console/users/{}", user.id)) {
                        (csrf(&admin))
                        div.field { label for="firstName" { "First name" } input id="firstName" name="firstName" type="text" value=(user.first_name.clone().unwrap_or_default()); }
                        div.field { label for="lastName" { "Last name" } input id="lastName" name="lastName" type="text" value=(user.last_name.clone().unwrap_or_default()); }
                        div.field { label for="locale" { "Locale" } input id="locale" name="locale" type="text" value=(user.locale.clone().unwrap_or_default()); }
                        div.field { label for="timezone" { "Timezone" } input id="timezone" name="timezone" type="text" value=(user.timezone.clone().unwrap_or_default()); }
                        div { button type="submit" { "Save profile" } }
                    }
                }
                section.panel aria-labelledby="roles-h" {
                    h2 id="roles-h" { "Roles" }
                    @if roles.is_empty() {
                        p.muted { "No roles exist yet. Create them on the " a href="/console/roles" { "Roles" } " page." }
                    } @else {
                        form.stack method="post" action=(format!("/console/users/{}/roles", user.id)) {
                            (csrf(&admin))
                            fieldset {
                                legend { "Roles this user holds" }
                                @for r in &roles {
                                    label.check {
                                        input type="checkbox" name="role" value=(r.key) checked[held_keys.contains(&r.key.as_str())];
                                        (r.name) " " span.muted { "(" (r.key) ")" }
                                    }
                                }
                            }
                            div { button type="submit" { "Save roles" } }
                        }
                    }
                }
                section.panel aria-labelledby="account-h" {
                    h2 id="account-h" { "Account" }
                    div.actions {
                        a.button href=(format!("/console/users/{}/active", user.id)) {
                            @if user.active { "Deactivate…" } @else { "Reactivate…" }
                        }
                        form.inline method="post" action=(format!("/console/users/{}/reset", user.id)) {
                            (csrf(&admin))
                            button.secondary type="submit" { "Send password-reset mail" }
                        }
                    }
                }
            }
        }
        section.panel aria-labelledby="audit-h" {
            h2 id="audit-h" { "Audit" }
            @if audit.is_empty() { p.muted { "No Console actions on this user yet." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
                    table {
                        thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } } }
                        tbody {
                            @for a in &audit {
                                tr { td { (when(a.at)) } td { (a.actor) } td { (a.detail) } }
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
            &full_name(&user),
            "/console/users",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

fn text_change(value: String) -> Change<Option<String>> {
    Change::Set((!value.is_empty()).then_some(value))
}

pub async fn update(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, form }: Posted,
) -> Response {
    let back = format!("/console/users/{id}");
    let before = match state.service.user(&SA, &id).await {
        Ok(u) => u,
        Err(e) => return after(&state, &back, Err(e.public_message())),
    };
    let update = UserUpdate {
        first_name: text_change(form.get("firstName")),
        last_name: text_change(form.get("lastName")),
        locale: text_change(form.get("locale")),
        timezone: text_change(form.get("timezone")),
        ..UserUpdate::default()
    };
    match state.service.update_user(&SA, &id, update).await {
        Ok(user) => {
            let mut changed = Vec::new();
            for (name, old, new) in [
                ("first name", &before.first_name, &user.first_name),
                ("last name", &before.last_name, &user.last_name),
                ("locale", &before.locale, &user.locale),
                ("timezone", &before.timezone, &user.timezone),
            ] {
                if old != new {
                    changed.push(format!(
                        "{name} {:?} → {:?}",
                        old.clone().unwrap_or_default(),
                        new.clone().unwrap_or_default()
                    ));
                }
            }
            if changed.is_empty() {
                return after(&state, &back, Ok("Nothing changed.".into()));
            }
            let detail = format!("changed {}", changed.join(", "));
            audited(
                &state,
                &admin,
                "user.update",
                Some(user.id),
                detail,
                &back,
                "Profile saved; the BaaS gets it by sync.".into(),
            )
            .await
        }
        Err(e) => after(&state, &back, Err(e.public_message())),
    }
}

pub async fn confirm_active(
    Extract(state): Extract<State>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    let user = match state.service.user(&SA, &id).await {
        Ok(u) => u,
        Err(e) => {
            return message_page(
                Some(&admin),
                e.status(),
                "No such user",
                &e.public_message(),
            );
        }
    };
    let (title, what, button) = if user.active {
        (
            "Deactivate this user?",
            "They can no longer log in; their sessions and tokens stop working at once, on the Platform and the BaaS. Their data stays. You can reactivate them later.",
            "Deactivate",
        )
    } else {
        (
            "Reactivate this user?",
            "They can log in again with their password.",
            "Reactivate",
        )
    };
    let content = html! {
        p { a href=(format!("/console/users/{}", user.id)) { "← Back to the user" } }
        h1 { (title) }
        div.panel {
            p { strong { (full_name(&user)) } " · " (user.email.as_str()) }
            p { (what) }
            form.actions method="post" action=(format!("/console/users/{}/active", user.id)) {
                (csrf(&admin))
                input type="hidden" name="active" value=(if user.active { "false" } else { "true" });
                button class=(if user.active { "danger" } else { "" }) type="submit" { (button) }
                a href=(format!("/console/users/{}", user.id)) { "Cancel" }
            }
        }
    };
    html_response(
        StatusCode::OK,
        page(Some(&admin), title, "/console/users", Notice::None, content),
    )
}

pub async fn set_active(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, form }: Posted,
) -> Response {
    let back = format!("/console/users/{id}");
    let active = match form.get("active").as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return after(
                &state,
                &back,
                Err("say whether to activate or deactivate".into()),
            );
        }
    };
    let update = UserUpdate {
        active: Change::Set(active),
        ..UserUpdate::default()
    };
    match state.service.update_user(&SA, &id, update).await {
        Ok(user) => {
            let (action, words) = if active {
                ("user.reactivate", "reactivated the user")
            } else {
                ("user.deactivate", "deactivated the user")
            };
            audited(
                &state,
                &admin,
                action,
                Some(user.id),
                words.into(),
                &back,
                if active {
                    "User reactivated."
                } else {
                    "User deactivated: their sessions ended."
                }
                .into(),
            )
            .await
        }
        Err(e) => after(&state, &back, Err(e.public_message())),
    }
}

pub async fn set_roles(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, form }: Posted,
) -> Response {
    let back = format!("/console/users/{id}");
    let user = match state.service.user(&SA, &id).await {
        Ok(u) => u,
        Err(e) => return after(&state, &back, Err(e.public_message())),
    };
    let wanted = form.all("role");
    let held = match state.service.roles_of_user(user.id).await {
        Ok(h) => h,
        Err(e) => return failure(&e),
    };
    let add: Vec<String> = wanted
        .iter()
        .filter(|k| !held.contains(k))
        .cloned()
        .collect();
    let remove: Vec<String> = held
        .iter()
        .filter(|k| !wanted.contains(k))
        .cloned()
        .collect();
    // Each step that succeeded is audited, even when a later one fails.
    let mut failed = None;
    let mut done: Vec<String> = Vec::new();
    if !add.is_empty() {
        match state.service.assign_roles(&SA, &id, &add).await {
            Ok(_) => done.push(format!("assigned [{}]", add.join(", "))),
            Err(e) => failed = Some(e.public_message()),
        }
    }
    if failed.is_none() && !remove.is_empty() {
        match state.service.unassign_roles(&SA, &id, &remove).await {
            Ok(_) => done.push(format!("unassigned [{}]", remove.join(", "))),
            Err(e) => failed = Some(e.public_message()),
        }
    }
    if add.is_empty() && remove.is_empty() {
        return after(&state, &back, Ok("Nothing changed.".into()));
    }
    if !done.is_empty() {
        let detail = format!("roles: {}", done.join(", "));
        if let Err(e) = state
            .service
            .audit(&admin.email, "user.roles", Some(user.id), detail)
            .await
        {
            return failure(&e);
        }
    }
    if let Some(why) = failed {
        return after(&state, &back, Err(why));
    }
    after(&state, &back, Ok("Roles saved.".into()))
}

pub async fn send_reset(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { admin, .. }: Posted,
) -> Response {
    let back = format!("/console/users/{id}");
    let user = match state.service.user(&SA, &id).await {
        Ok(u) => u,
        Err(e) => return after(&state, &back, Err(e.public_message())),
    };
    if !user.active {
        return after(
            &state,
            &back,
            Err("the user is deactivated: reactivate them first".into()),
        );
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let base = match state.service.link_base(host) {
        Ok(b) => b,
        Err(e) => return after(&state, &back, Err(e.public_message())),
    };
    let link = |token: &str| {
        let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        format!("{base}/authorize/reset?token={token}")
    };
    match state
        .service
        .request_password_reset(user.email.as_str(), None, link)
        .await
    {
        Ok(()) => {
            audited(
                &state,
                &admin,
                "user.reset_mail",
                Some(user.id),
                "sent a password-reset mail".into(),
                &back,
                format!("A reset link is on its way to {}.", user.email.as_str()),
            )
            .await
        }
        Err(e) => after(&state, &back, Err(e.public_message())),
    }
}
