//! Invitations: every invitation with its status; inviting one person or many (one address
//! per line, optionally `Name <address>`) into a tenant with roles; resending and canceling.

use std::collections::HashMap;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use maud::{Markup, html};
use tandem_platform::Principal;
use tandem_platform::domain::invite::{InviteQuery, InviteStatus};
use tandem_platform::domain::list::{StringFilter, Window};

use crate::State;
use crate::users::{all_roles, all_tenants};
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, badge, csrf, failure, html_response, page, when};

const SA: Principal = Principal::ServiceAccount;

pub fn status_badge(status: InviteStatus) -> Markup {
    match status {
        InviteStatus::Pending => badge("Pending", "info"),
        InviteStatus::Accepted => badge("Accepted", "ok"),
        InviteStatus::Canceled => badge("Canceled", "warn"),
        InviteStatus::Expired => badge("Expired", "bad"),
    }
}

/// `Ada Lovelace <ada@example.com>` or `ada@example.com`: (email, first, last).
fn person(line: &str) -> (String, Option<String>, Option<String>) {
    let line = line.trim();
    if let (Some(open), true) = (line.rfind('<'), line.ends_with('>')) {
        let email = line[open + 1..line.len() - 1].trim().to_owned();
        let name = line[..open].trim().trim_matches('"');
        let mut parts = name.splitn(2, ' ');
        let first = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
        let last = parts
            .next()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        return (email, first, last);
    }
    (line.to_owned(), None, None)
}

pub async fn list(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
    let status: String = uri
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "status")
                .map(|(_, v)| v.into_owned())
        })
        .filter(|s| InviteStatus::parse(s).is_some())
        .unwrap_or_default();
    let mut query = InviteQuery {
        window: Window {
            limit: 200,
            offset: 0,
        },
        order: Some((
            tandem_platform::domain::invite::InviteSort::CreatedAt,
            tandem_platform::domain::list::SortOrder::Desc,
        )),
        ..InviteQuery::default()
    };
    if !status.is_empty() {
        query.filter.status = Some(StringFilter {
            equal_to: Some(status.clone()),
            ..StringFilter::default()
        });
    }
    let (invites, tenants, roles) = match (
        state.service.invites(&SA, query).await,
        all_tenants(&state).await,
        all_roles(&state).await,
    ) {
        (Ok(i), Ok(t), Ok(r)) => (i, t, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failure(&e),
    };
    let tenant_name: HashMap<String, String> = tenants
        .iter()
        .map(|t| (t.id.to_string(), t.name.clone()))
        .collect();
    let content = html! {
        h1 { "Invitations" }
        section.panel aria-labelledby="invite-h" {
            h2 id="invite-h" { "Invite people" }
            form.stack method="post" action="/console/invitations" {
                (csrf(&admin))
                div.field {
                    label for="people" { "Email addresses, one per line" }
                    textarea id="people" name="people" required aria-describedby="people-hint" {}
                    p.muted id="people-hint" { "Each line an address, or a name and an address: Ada Lovelace <ada@example.com>" }
                }
                div.field {
                    label for="tenant" { "Tenant" }
                    select id="tenant" name="tenant" required {
                        @for t in &tenants { option value=(t.id.to_string()) { (t.name) } }
                    }
                }
                @if !roles.is_empty() {
                    fieldset {
                        legend { "Roles they get" }
                        @for r in &roles {
                            label.check { input type="checkbox" name="role" value=(r.key); (r.name) " " span.muted { "(" (r.key) ")" } }
                        }
                    }
                }
                div { button type="submit" { "Send invitations" } }
            }
        }
        form.filters method="get" action="/console/invitations" {
            div.field {
                label for="status" { "Status" }
                select id="status" name="status" {
                    option value="" { "All" }
                    @for s in ["pending", "accepted", "canceled", "expired"] {
                        option value=(s) selected[s == status] { (s) }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
        p.muted role="status" { (invites.total_count) " invitation(s)." }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr {
                    th scope="col" { "Email" } th scope="col" { "Tenant" } th scope="col" { "Roles" }
                    th scope="col" { "Status" } th scope="col" { "Invited by" } th scope="col" { "Sent" }
                    th scope="col" { "Link expires" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for i in &invites.data {
                        tr {
                            td { (i.email.as_str()) }
                            td { (tenant_name.get(&i.tenant_id.to_string()).cloned().unwrap_or_default()) }
                            td { (i.role_keys.join(", ")) }
                            td { (status_badge(i.status)) }
                            td {
                                @if let Some(admin_email) = &i.created_by_admin { (admin_email) " (Console)" }
                                @else if let Some(user) = i.created_by_user_id { a href=(format!("/console/users/{user}")) { "a user" } }
                            }
                            td { (when(i.created_at)) }
                            td { (when(i.expires_at)) }
                            td {
                                @if matches!(i.status, InviteStatus::Pending | InviteStatus::Expired) {
                                    div.actions {
                                        form.inline method="post" action=(format!("/console/invitations/{}/resend", i.id)) {
                                            (csrf(&admin))
                                            button.secondary type="submit" aria-label=(format!("Resend the invitation to {}", i.email.as_str())) { "Resend" }
                                        }
                                        form.inline method="post" action=(format!("/console/invitations/{}/cancel", i.id)) {
                                            (csrf(&admin))
                                            button.secondary type="submit" aria-label=(format!("Cancel the invitation to {}", i.email.as_str())) { "Cancel" }
                                        }
                                    }
                                } @else if let Some(user) = i.accepted_by_user_id {
                                    a href=(format!("/console/users/{user}")) { "Open user" }
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
            "Invitations",
            "/console/invitations",
            Notice::from_query(&state, &uri),
            content,
        ),
    )
}

pub async fn invite(
    Extract(state): Extract<State>,
    headers: HeaderMap,
    Posted { admin, form }: Posted,
) -> Response {
    let back = "/console/invitations";
    let people: Vec<_> = form
        .get("people")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(person)
        .collect();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match state
        .service
        .console_invite(
            &admin.email,
            &form.get("tenant"),
            form.all("role"),
            people,
            host,
        )
        .await
    {
        Ok(results) => {
            for invite in &results.sent {
                let detail = format!(
                    "invited {} (roles: {})",
                    invite.email.as_str(),
                    invite.role_keys.join(", ")
                );
                if let Err(e) = state
                    .service
                    .audit(&admin.email, "invite.send", None, detail)
                    .await
                {
                    return failure(&e);
                }
            }
            let mut text = format!("Sent {} invitation(s).", results.sent.len());
            for f in &results.failed {
                text.push_str(&format!(" Not sent to {}: {}", f.email, f.message));
            }
            if results.sent.is_empty() {
                after(&state, back, Err(text))
            } else {
                after(&state, back, Ok(text))
            }
        }
        Err(e) => after(&state, back, Err(e.public_message())),
    }
}

pub async fn resend(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Posted { admin, .. }: Posted,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match state.service.resend_invite(&SA, &id, host).await {
        Ok(invite) => {
            let detail = format!("resent the invitation to {}", invite.email.as_str());
            audited(
                &state,
                &admin,
                "invite.resend",
                None,
                detail,
                "/console/invitations",
                format!(
                    "Sent a new link to {}; the old one no longer works.",
                    invite.email.as_str()
                ),
            )
            .await
        }
        Err(e) => after(&state, "/console/invitations", Err(e.public_message())),
    }
}

pub async fn cancel(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    Posted { admin, .. }: Posted,
) -> Response {
    match state.service.cancel_invite(&SA, &id).await {
        Ok(invite) => {
            let detail = format!("canceled the invitation to {}", invite.email.as_str());
            audited(
                &state,
                &admin,
                "invite.cancel",
                None,
                detail,
                "/console/invitations",
                format!("Canceled the invitation to {}.", invite.email.as_str()),
            )
            .await
        }
        Err(e) => after(&state, "/console/invitations", Err(e.public_message())),
    }
}

#[cfg(test)]
mod tests {
    use super::person;

    #[test]
    fn a_line_is_an_address_or_a_name_and_an_address() {
        assert_eq!(person(" ada@x.test "), ("ada@x.test".into(), None, None));
        assert_eq!(
            person("Ada King Lovelace <ada@x.test>"),
            (
                "ada@x.test".into(),
                Some("Ada".into()),
                Some("King Lovelace".into())
            )
        );
        assert_eq!(
            person("\"Bo\" <bo@x.test>"),
            ("bo@x.test".into(), Some("Bo".into()), None)
        );
    }
}
