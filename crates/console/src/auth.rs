//! Logging in and out. The log-in form is CSRF-protected by a double-submit token bound to an
//! HttpOnly cookie (no session exists yet); a successful log-in always starts a new session —
//! a session cookie the browser brought along is never adopted — and log-out ends it.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use maud::html;
use tandem_platform::PlatformError;
use tandem_platform::oauth::client_ip;
use tandem_platform::service::CONSOLE_SESSION_LIFETIME;

use crate::State;
use crate::web::{
    Form, Notice, SESSION_COOKIE, cookie_value, html_response, page, posted, see_other,
};

const LOGIN_COOKIE: &str = "tandem_console_login";

/// Where to go after logging in: a Console path from `next`, else the users page.
fn next_of(query: Option<&str>) -> String {
    query
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned())
        })
        .filter(|n| n.starts_with("/console/") && !n.contains("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/console/users".to_owned())
}

fn secure(state: &State, headers: &HeaderMap) -> &'static str {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if state.service.issuer(host).starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

fn form_page(
    state: &State,
    headers: &HeaderMap,
    next: &str,
    email: &str,
    error: Option<(StatusCode, String)>,
) -> Response {
    let existing = cookie_value(headers, LOGIN_COOKIE).filter(|v| (20..=100).contains(&v.len()));
    let fresh = existing.is_none();
    let secret = existing
        .unwrap_or_else(|| tandem_platform::environment::random_secret().unwrap_or_default());
    let token = state.service.form_token(&secret);
    let (status, notice) = match error {
        Some((status, text)) => (status, Notice::Bad(text)),
        None => (StatusCode::OK, Notice::None),
    };
    let action = format!(
        "/console/login?next={}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    let body = page(
        None,
        "Log in",
        "",
        notice,
        html! {
            div.login.panel {
                h1 { "Log in to the Console" }
                form.stack method="post" action=(action) {
                    input type="hidden" name="form" value=(token);
                    div.field {
                        label for="email" { "Email" }
                        input id="email" name="email" type="email" autocomplete="username" required value=(email) autofocus[email.is_empty()];
                    }
                    div.field {
                        label for="password" { "Password" }
                        input id="password" name="password" type="password" autocomplete="current-password" required autofocus[!email.is_empty()];
                    }
                    div { button type="submit" { "Log in" } }
                }
                p.muted {
                    "No admin yet? On the server, run "
                    code { "tandem admin create --email you@example.com" }
                    "."
                }
            }
        },
    );
    let mut response = html_response(status, body);
    if fresh
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{LOGIN_COOKIE}={secret}; Path=/console/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
            secure(state, headers)
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn login_page(Extract(state): Extract<State>, headers: HeaderMap, uri: Uri) -> Response {
    let next = next_of(uri.query());
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = state.service.console_session(&token).await
    {
        return see_other(&next);
    }
    form_page(&state, &headers, &next, "", None)
}

pub async fn login_submit(
    Extract(state): Extract<State>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let next = next_of(uri.query());
    let form = Form::parse(&body);
    let email = form.get("email");
    let secret = cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if !state.service.accepts_form_token(&secret, &form.get("form")) {
        let expired = (
            StatusCode::FORBIDDEN,
            "This form expired or was opened in another browser. Please log in again.".to_owned(),
        );
        return form_page(&state, &headers, &next, &email, Some(expired));
    }
    let ip = client_ip(peer.as_ref());
    // A session this browser already had ends: one browser, one session.
    if let Some(previous) = cookie_value(&headers, SESSION_COOKIE)
        && let Err(err) = state.service.console_log_out(&previous).await
    {
        return crate::web::failure(&err);
    }
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match state
        .service
        .console_log_in(&email, &password, ip.as_deref())
        .await
    {
        Ok((token, _)) => {
            let mut response = see_other(&next);
            if let Ok(value) = HeaderValue::from_str(&format!(
                "{SESSION_COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{}",
                CONSOLE_SESSION_LIFETIME.num_seconds(),
                secure(&state, &headers)
            )) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(err @ (PlatformError::InvalidLogin | PlatformError::RateLimited { .. })) => {
            let mut response = form_page(
                &state,
                &headers,
                &next,
                &email,
                Some((err.status(), err.public_message())),
            );
            if let PlatformError::RateLimited { retry_after_secs } = err {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            response
        }
        Err(err) => crate::web::failure(&err),
    }
}

pub async fn logout(
    Extract(state): Extract<State>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (admin, _) = match posted(&state, &headers, &uri, &body).await {
        Ok(ok) => ok,
        Err(page) => return page,
    };
    if let Err(err) = state.service.console_log_out(&admin.token).await {
        return crate::web::failure(&err);
    }
    let mut response = see_other("/console/login");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&state, &headers)
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::next_of;

    #[test]
    fn after_log_in_only_console_paths_are_followed() {
        assert_eq!(next_of(Some("next=%2Fconsole%2Fsync")), "/console/sync");
        for bad in [
            "next=https%3A%2F%2Fevil.test",
            "next=%2F%2Fevil.test",
            "next=%2Fconsole%2F%2Fevil.test",
            "next=%2Fconsole%2F%5Cevil",
            "next=%2Fother",
            "next=",
        ] {
            assert_eq!(next_of(Some(bad)), "/console/users", "{bad}");
        }
        assert_eq!(next_of(None), "/console/users");
    }
}
