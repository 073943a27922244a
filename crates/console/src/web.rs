//! What every Console page shares: the signed-in admin (from the session cookie), form parsing
//! with the CSRF check, the document around each page, and small pieces of markup.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use subtle::ConstantTimeEq;
use tandem_platform::PlatformError;

use crate::{STYLESHEET_PATH, State};

pub const SESSION_COOKIE: &str = "tandem_console";

/// The signed-in admin of a request.
pub struct Admin {
    pub email: String,
    pub csrf: String,
    pub token: String,
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, name).map(str::to_owned)
}

/// The admin whose session cookie came with the request, or the way to the log-in page.
pub async fn admin(state: &State, headers: &HeaderMap, uri: &Uri) -> Result<Admin, Response> {
    let token = cookie(headers, SESSION_COOKIE).unwrap_or_default();
    match state.service.console_session(token).await {
        Ok(Some(session)) => Ok(Admin {
            email: session.admin.email.as_str().to_owned(),
            csrf: session.csrf,
            token: token.to_owned(),
        }),
        Ok(None) => {
            let next = uri
                .path_and_query()
                .map(|p| p.as_str())
                .filter(|p| p.starts_with("/console/") && !p.starts_with("//"))
                .unwrap_or("/console/users");
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            Err(see_other(&format!("/console/login?next={next}")))
        }
        Err(err) => Err(failure(&err)),
    }
}

/// The signed-in admin as a handler argument: a request without a live session is sent to
/// log in (with the page to come back to).
impl axum::extract::FromRequestParts<State> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &State,
    ) -> Result<Self, Response> {
        admin(state, &parts.headers, &parts.uri).await
    }
}

/// A form posted by the signed-in admin with the session's CSRF token, as a handler argument;
/// anything else is refused before the handler runs.
pub struct Posted {
    pub admin: Admin,
    pub form: Form,
}

/// The most a Console form may send (the connection layer bounds bodies before this).
const MAX_FORM_BYTES: usize = 1 << 20;

impl axum::extract::FromRequest<State> for Posted {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &State,
    ) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        let (admin, form) = posted(state, &parts.headers, &parts.uri, &body).await?;
        Ok(Self { admin, form })
    }
}

/// Writes the audit line of a change an admin made, then sends the browser to `path` saying
/// `done`.
#[allow(clippy::too_many_arguments)]
pub async fn audited(
    state: &State,
    admin: &Admin,
    action: &str,
    user: Option<tandem_core::UserId>,
    detail: String,
    path: &str,
    done: String,
) -> Response {
    match state
        .service
        .audit(&admin.email, action, user, detail)
        .await
    {
        Ok(()) => after(state, path, Ok(done)),
        Err(e) => failure(&e),
    }
}

/// A submitted form: its fields in order.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &Bytes) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// The admin and their form, if its CSRF token is the session's; otherwise the refusal.
pub async fn posted(
    state: &State,
    headers: &HeaderMap,
    uri: &Uri,
    body: &Bytes,
) -> Result<(Admin, Form), Response> {
    let admin = admin(state, headers, uri)
        .await
        .map_err(|_| see_other("/console/login"))?;
    let form = Form::parse(body);
    let sent = form.get("csrf");
    if sent.is_empty() || !bool::from(sent.as_bytes().ct_eq(admin.csrf.as_bytes())) {
        return Err(message_page(
            Some(&admin),
            StatusCode::FORBIDDEN,
            "This form expired",
            "The form was not sent from this Console session (or the session changed). Go back, reload the page and try again.",
        ));
    }
    Ok((admin, form))
}

/// A 303 to `to` (after a form, or to log in).
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    // A path made from a URL's (decoded) segment may not be a valid header value.
    let value = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/console/users"));
    response.headers_mut().insert(header::LOCATION, value);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An HTML response with the Console's headers: no caching, no framing, nothing loaded but
/// the stylesheet, forms posting only here.
pub fn html_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

/// The Console's areas, in the navigation's order: (path, label).
const NAV: [(&str, &str); 8] = [
    ("/console/users", "Users"),
    ("/console/invitations", "Invitations"),
    ("/console/tenants", "Tenants"),
    ("/console/roles", "Roles"),
    ("/console/sync", "Sync"),
    ("/console/settings", "Settings"),
    ("/console/data", "Data"),
    ("/console/mailbox", "Mailbox"),
];

/// A whole page: the header with the navigation (when signed in), a notice, the content.
pub fn page(
    admin: Option<&Admin>,
    title: &str,
    current: &str,
    notice: Notice,
    content: Markup,
) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="robots" content="noindex, nofollow";
                title { (title) " · Tandem Console" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                a.skip href="#content" { "Skip to content" }
                header.top {
                    a.brand href="/console/users" { "Tandem Console" }
                    @if let Some(admin) = admin {
                        nav.main aria-label="Console" {
                            ul {
                                @for (path, label) in NAV {
                                    li {
                                        a href=(path) aria-current=[(path == current).then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                        div.who {
                            span { (admin.email) }
                            form.inline method="post" action="/console/logout" {
                                (csrf(admin))
                                button.secondary type="submit" { "Log out" }
                            }
                        }
                    }
                }
                main id="content" {
                    @match &notice {
                        Notice::None => {}
                        Notice::Ok(text) => div.notice.ok role="status" { (text) }
                        Notice::Bad(text) => div.notice.bad role="alert" { "Error: " (text) }
                    }
                    (content)
                }
            }
        }
    }
    .into_string()
}

/// A message shown above a page's content.
pub enum Notice {
    None,
    Ok(String),
    Bad(String),
}

/// The signature that makes a notice in a URL the Console's own (an HMAC under the
/// environment's key): a link from elsewhere cannot put words in the Console's mouth.
fn notice_signature(state: &State, key: &str, text: &str) -> String {
    state
        .service
        .form_token(&format!("console-notice\0{key}\0{text}"))
}

impl Notice {
    /// The notice a redirect after a form asked for (`?done=…` / `?error=…` with its `sig`);
    /// none when the signature does not match.
    pub fn from_query(state: &State, uri: &Uri) -> Self {
        let pairs: Vec<(String, String)> = uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.chars().take(300).collect::<String>())
        };
        let signed = |key: &str, text: &str| {
            let sig = get("sig").unwrap_or_default();
            state
                .service
                .accepts_form_token(&format!("console-notice\0{key}\0{text}"), &sig)
        };
        match (get("done"), get("error")) {
            (_, Some(error)) if signed("error", &error) => Self::Bad(error),
            (Some(done), None) if signed("done", &done) => Self::Ok(done),
            _ => Self::None,
        }
    }
}

/// `path?done=message` (or `error=`), signed, for the redirect after a form.
pub fn after(state: &State, path: &str, result: Result<String, String>) -> Response {
    let (key, text) = match result {
        Ok(text) => ("done", text),
        Err(text) => ("error", text),
    };
    let text: String = text.chars().take(300).collect();
    let sig = notice_signature(state, key, &text);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(key, &text)
        .append_pair("sig", &sig)
        .finish();
    let sep = if path.contains('?') { '&' } else { '?' };
    see_other(&format!("{path}{sep}{query}"))
}

/// The hidden CSRF input every form carries.
pub fn csrf(admin: &Admin) -> Markup {
    html! { input type="hidden" name="csrf" value=(admin.csrf); }
}

/// A status in words, coloured too.
pub fn badge(text: &str, tone: &str) -> Markup {
    html! { span class=(format!("badge {tone}")) { (text) } }
}

/// A page that only says something (an error, a refusal).
pub fn message_page(
    admin: Option<&Admin>,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    html_response(
        status,
        page(
            admin,
            title,
            "",
            Notice::None,
            html! {
                h1 { (title) }
                div.panel { p { (text) } p { a href="/console/users" { "Back to the Console" } } }
            },
        ),
    )
}

/// A server fault as a page (the cause is logged, not shown).
pub fn failure(err: &PlatformError) -> Response {
    let _ = err.body(); // logs server faults
    message_page(
        None,
        err.status(),
        "Something went wrong",
        &err.public_message(),
    )
}

/// An instant as people read it.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
