//! The embedded dev mailbox at `/dev/mailbox`: every message the Platform wrote, newest first,
//! so `tandem serve` alone runs flows that need mail (password reset). The messages hold
//! one-time links, so the page asks for the environment's credentials (HTTP Basic: the
//! environment id as user name, the API key as password). `Accept: application/json` gives
//! the same list as JSON, for scripts and tests.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, html as markup};
use serde_json::json;
use tandem_core::BasicCredentials;
use tandem_platform::http::PlatformState;

use super::html;
use crate::pages;

const SHOWN: u64 = 50;

fn challenge() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "The dev mailbox needs the environment's credentials: the environment id as user name and the API key as password (`tandem credentials` prints them).",
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Basic realm="Tandem dev mailbox", charset="UTF-8""#),
    );
    response
}

/// The delivery state in words (never by colour alone).
fn delivery_words(d: &tandem_platform::domain::auth::Delivery) -> String {
    match (d.status.as_str(), d.transport.as_deref()) {
        ("sent", Some("smtp")) => "sent by SMTP".to_owned(),
        ("sent", _) => "kept here (no SMTP server)".to_owned(),
        ("failed", _) => format!("failed after {} attempts", d.attempts),
        (_, _) if d.attempts > 0 => format!("queued, retrying ({} attempts so far)", d.attempts),
        _ => "queued".to_owned(),
    }
}

/// The first http(s) link in a text, to make it clickable.
fn first_link(text: &str) -> Option<&str> {
    let start = text.find("http://").or_else(|| text.find("https://"))?;
    let rest = &text[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(&rest[..end])
}

pub(super) async fn mailbox(State(state): State<PlatformState>, headers: HeaderMap) -> Response {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(BasicCredentials::parse);
    let Some(credentials) = credentials else {
        return challenge();
    };
    if !state
        .service()
        .accepts_credentials(&credentials.environment_id, &credentials.api_key)
        .await
    {
        return challenge();
    }
    let messages = match state.service().mailbox(SHOWN).await {
        Ok(messages) => messages,
        Err(err) => return err.into_response(),
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let list: Vec<_> = messages
            .iter()
            .map(|m| {
                json!({
                    "id": m.id, "kind": m.kind, "to": m.recipient, "subject": m.subject,
                    "text": m.text_body, "html": m.html_body, "createdAt": m.created_at,
                    "delivery": {
                        "status": m.delivery.status, "attempts": m.delivery.attempts,
                        "lastError": m.delivery.last_error, "sentAt": m.delivery.sent_at,
                        "transport": m.delivery.transport,
                    },
                })
            })
            .collect();
        let mut response = Json(json!({ "messages": list })).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let page = markup! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { "Dev mailbox · Tandem" }
                link rel="stylesheet" href=(pages::STYLESHEET_PATH);
            }
            body {
                main class="card mailbox" {
                    h1 { "Dev mailbox" }
                    p { "Every message Tandem wrote, newest first, and how its delivery went. Without an SMTP server (--smtp-url) nothing leaves this machine: the messages are only here." }
                    @if messages.is_empty() {
                        p { "No messages yet." }
                    }
                    @for m in &messages {
                        article {
                            h2 { (m.subject) }
                            p {
                                "To " strong { (m.recipient) } " · " (m.created_at.format("%Y-%m-%d %H:%M:%S UTC"))
                            }
                            p {
                                "Delivery: " strong { (delivery_words(&m.delivery)) }
                                @if let Some(error) = &m.delivery.last_error {
                                    " · last error: " (error)
                                }
                            }
                            @if let Some(link) = first_link(&m.text_body) {
                                p { a href=(link) { "Open the link in this message" } }
                            }
                            pre { (m.text_body) }
                        }
                    }
                }
            }
        }
    };
    html(StatusCode::OK, page.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_link_ends_at_whitespace() {
        assert_eq!(
            first_link("open this:\n\nhttp://x/reset?a=1&token=t\n\nbye"),
            Some("http://x/reset?a=1&token=t")
        );
        assert_eq!(first_link("no link here"), None);
    }
}
