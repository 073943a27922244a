//! The dev mailbox inside the Console: every message Tandem wrote and how its delivery went.

use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use crate::State;
use crate::web::Admin;
use crate::web::{Notice, badge, failure, html_response, page, when};

pub async fn show(Extract(state): Extract<State>, admin: Admin) -> Response {
    let state = &state;
    let messages = match state.service.mailbox(50).await {
        Ok(m) => m,
        Err(e) => return failure(&e),
    };
    let content = html! {
        h1 { "Mailbox" }
        p.muted { "The newest 50 messages. Without an SMTP server (--smtp-url) they never leave this machine: read them here." }
        @if messages.is_empty() { p { "No messages yet." } }
        @for m in &messages {
            article.panel {
                h2 { (m.subject) }
                p {
                    "To " strong { (m.recipient) } " · " (when(m.created_at)) " · "
                    @match (m.delivery.status.as_str(), m.delivery.transport.as_deref()) {
                        ("sent", Some("smtp")) => (badge("Sent by SMTP", "ok")),
                        ("sent", _) => (badge("Kept here", "info")),
                        ("failed", _) => (badge("Failed", "bad")),
                        _ => (badge("Queued", "warn")),
                    }
                }
                @if let Some(error) = &m.delivery.last_error { p { "Last error: " (error) } }
                pre { (m.text_body) }
            }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Mailbox",
            "/console/mailbox",
            Notice::None,
            content,
        ),
    )
}
