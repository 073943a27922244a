//! The hosted auth pages' HTTP handlers: where an app sends the browser to log in or sign up.
//!
//! - `GET /authorize`: ROQ's hosted auth as `@roq/nextjs@2.0.3` opens it (`clientId`,
//!   `redirect_uri` — often relative —, `state`, `initialScreen=login|signUp`, …). Success goes
//!   back with `GET redirect_uri?authorization_code=…&state=…&action=login|signUp`
//!   (`response_mode=form_post` is ignored: the app's callback reads the query only).
//! - `GET /oauth/authorize`: standard OpenID Connect (`client_id`, `redirect_uri`,
//!   `response_type=code`, `scope` with `openid`, `state`, `nonce`, `code_challenge` S256).
//!   Success goes back with `redirect_uri?code=…&state=…&iss=…`.
//! - `GET|POST /authorize/login`, `/authorize/signup`: the forms, carrying the request's
//!   parameters in hidden inputs. The browser is only ever sent to a registered redirect URI.
//! - `GET /oauth/logout`: OIDC RP-initiated log-out.
//!
//! `login` has the log-in and sign-up flow, `recovery` the forgot/reset password and email
//! confirmation pages, `invite` the page behind an invitation link, `mailbox` the dev mailbox. Here: the router and what the pages share —
//! the carried request and its checks, page rendering, the CSRF cookie, form parsing and
//! errors, mailed links.
//!
//! Forms are CSRF-protected by a double-submit token bound to an HttpOnly cookie
//! ([`PlatformService::form_token`]). Pages are `no-store`, cannot be framed, and load
//! nothing but the stylesheet.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tandem_platform::PlatformError;
use tandem_platform::domain::auth::{AuthSettings, Flow, SignUpTenant};
use tandem_platform::http::PlatformState;
use tandem_platform::oauth::issuer_for;

use crate::pages::{self, FormErrors, LoginView, MessageView, SignupView, Tone};

mod invite;
mod login;
mod mailbox;
mod recovery;

const CSRF_COOKIE: &str = "tandem_form";
const PASSWORD_HINT: &str = "At least 8 characters";

pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/authorize", get(login::roq_authorize))
        .route("/oauth/authorize", get(login::oidc_authorize))
        .route(
            "/authorize/login",
            get(login::login_page).post(login::login_submit),
        )
        .route(
            "/authorize/signup",
            get(login::signup_page).post(login::signup_submit),
        )
        .route("/oauth/logout", get(login::logout))
        .route(
            "/authorize/forgot",
            get(recovery::forgot_page).post(recovery::forgot_submit),
        )
        .route(
            "/authorize/reset",
            get(recovery::reset_page).post(recovery::reset_submit),
        )
        .route("/authorize/verify", get(recovery::verify))
        .route(
            "/authorize/invite",
            get(invite::invite_page).post(invite::invite_submit),
        )
        .route("/dev/mailbox", get(mailbox::mailbox))
        .route(pages::STYLESHEET_PATH, get(stylesheet))
        .with_state(state)
}

/// The authorization request, normalised, as the forms carry it in hidden inputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Carried {
    flow: String,
    client_id: String,
    redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    #[serde(default)]
    scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
}

impl Carried {
    fn flow(&self) -> Option<Flow> {
        Flow::parse(&self.flow)
    }

    fn pairs(&self) -> Vec<(String, String)> {
        serde_urlencoded::to_string(self)
            .ok()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

/// Everything a page render needs to know about the environment.
struct Env {
    settings: AuthSettings,
}

async fn env(state: &PlatformState) -> Result<Env, Response> {
    match state.service().auth_settings().await {
        Ok(settings) => Ok(Env { settings }),
        Err(err) => Err(error_page(
            "Something went wrong",
            &err.public_message(),
            "Tandem",
            StatusCode::INTERNAL_SERVER_ERROR,
        )),
    }
}

fn html(status: StatusCode, body: String) -> Response {
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
        HeaderValue::from_static("no-referrer"),
    );
    // No form-action: after a POST the browser follows a redirect to the app, which
    // form-action would block. Forms only ever post to this origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

fn error_page(title: &str, message: &str, environment_name: &str, status: StatusCode) -> Response {
    html(
        status,
        pages::message(&MessageView {
            environment_name,
            title,
            message,
            tone: Tone::Error,
            link: None,
        }),
    )
}

/// The environment and the app's request a page was opened with (its query string), checked.
async fn opened(state: &PlatformState, query: Option<&str>) -> Result<(Env, Carried), Response> {
    let env = env(state).await?;
    let carried: Carried = query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let carried = validate(state, &env, carried).await?;
    Ok((env, carried))
}

/// The environment, a submitted form, and the app's request it carried, checked.
async fn submitted(
    state: &PlatformState,
    body: &Bytes,
) -> Result<(Env, Carried, Submission), Response> {
    let env = env(state).await?;
    let Some(mut sub) = parse_submission(body) else {
        return Err(error_page(
            "This link is not valid",
            "The form was incomplete. Open this page from the app you want to use.",
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        ));
    };
    let carried = validate(state, &env, std::mem::take(&mut sub.carried)).await?;
    Ok((env, carried, sub))
}

/// Checks the client and redirect URI; a failure is shown to the person, never redirected.
async fn validate(
    state: &PlatformState,
    env: &Env,
    mut carried: Carried,
) -> Result<Carried, Response> {
    let refuse = |message: String| {
        error_page(
            "This sign-in link is not valid",
            &message,
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        )
    };
    if carried.flow().is_none() {
        return Err(refuse(
            "Open this page from the app you want to use.".into(),
        ));
    }
    if carried.client_id != state.service().environment_id() {
        return Err(refuse(format!(
            "The app sent an unknown client id ({:?}). Its ROQ_CLIENT_ID (or client_id) must be this environment's id.",
            carried.client_id.chars().take(80).collect::<String>()
        )));
    }
    match state
        .service()
        .check_redirect_uri(Some(&carried.redirect_uri))
        .await
    {
        Ok(resolved) => carried.redirect_uri = resolved,
        Err(err) => return Err(refuse(err.public_message())),
    }
    // Every carried value is bounded: it ends up in stored codes, tokens and a Location header.
    let bounded = [
        ("state", carried.state.as_deref(), 2048),
        ("nonce", carried.nonce.as_deref(), 512),
        ("scope", Some(carried.scope.as_str()), 512),
        ("redirect_uri", Some(carried.redirect_uri.as_str()), 2048),
        ("locale", carried.locale.as_deref(), 35),
        ("code_challenge", carried.code_challenge.as_deref(), 128),
    ];
    for (name, value, max) in bounded {
        if value.is_some_and(|v| v.len() > max) {
            return Err(refuse(format!(
                "The app sent a {name} longer than {max} characters."
            )));
        }
    }
    if carried
        .code_challenge
        .as_deref()
        .is_some_and(|c| c.len() < 43)
    {
        return Err(refuse(
            "The app sent a code_challenge shorter than 43 characters (RFC 7636).".into(),
        ));
    }
    if carried.flow() == Some(Flow::Oidc)
        && !carried.scope.split_whitespace().any(|s| s == "openid")
    {
        return Err(refuse("scope must include openid.".into()));
    }
    Ok(carried)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Login,
    SignUp,
}

/// What the person typed, to fill the form again after an error (never the password).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filled {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    tenant_name: String,
}

/// The browser's form secret: the cookie's value, or a new one (then set with the page).
fn form_secret(headers: &HeaderMap) -> (String, bool) {
    let existing = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == CSRF_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| (20..=100).contains(&v.len()));
    match existing {
        Some(secret) => (secret, false),
        None => (
            tandem_platform::environment::random_secret().unwrap_or_default(),
            true,
        ),
    }
}

fn render(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    carried: &Carried,
    screen: Screen,
    filled: &Filled,
    errors: &FormErrors,
) -> Response {
    render_with_notice(state, env, headers, carried, screen, filled, errors, None)
}

/// The CSRF token for this browser, and the form cookie to set when it has none yet.
fn csrf_for(state: &PlatformState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let (secret, fresh) = form_secret(headers);
    let csrf = state.service().form_token(&secret);
    if !fresh {
        return (csrf, None);
    }
    let secure = if issuer_for(state, headers).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600{secure}"
    ))
    .ok();
    (csrf, cookie)
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[allow(clippy::too_many_arguments)]
fn render_with_notice(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    carried: &Carried,
    screen: Screen,
    filled: &Filled,
    errors: &FormErrors,
    notice: Option<&str>,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    let pairs = carried.pairs();
    let query = carried.query();
    let login_url = format!("/authorize/login?{query}");
    let signup_url = format!("/authorize/signup?{query}");
    let forgot_url = format!("/authorize/forgot?{query}");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = match screen {
        Screen::Login => pages::login(&LoginView {
            environment_name: &env.settings.environment_name,
            action: "/authorize/login",
            csrf_token: &csrf,
            carried: &pairs,
            email: &filled.email,
            errors,
            signup_url: env.settings.sign_up_enabled.then_some(signup_url.as_str()),
            forgot_url: Some(forgot_url.as_str()),
            notice,
        }),
        Screen::SignUp => pages::signup(&SignupView {
            environment_name: &env.settings.environment_name,
            action: "/authorize/signup",
            csrf_token: &csrf,
            carried: &pairs,
            first_name: &filled.first_name,
            last_name: &filled.last_name,
            email: &filled.email,
            tenant_name: &filled.tenant_name,
            ask_tenant_name: env.settings.sign_up_tenant == SignUpTenant::New,
            errors,
            login_url: &login_url,
            password_hint: PASSWORD_HINT,
        }),
    };
    with_cookie(html(status, body), cookie)
}

/// A submitted form: the carried request, the CSRF token and what the person typed.
struct Submission {
    carried: Carried,
    filled: Filled,
    password: String,
    csrf: String,
}

fn parse_submission(body: &Bytes) -> Option<Submission> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let encoded = serde_urlencoded::to_string(&pairs).ok()?;
    Some(Submission {
        carried: serde_urlencoded::from_str(&encoded).ok()?,
        filled: serde_urlencoded::from_str(&encoded).unwrap_or_default(),
        password: get("password").unwrap_or_default(),
        csrf: get("csrf").unwrap_or_default(),
    })
}

/// Checks the form's CSRF token; on failure the form is shown again (with a fresh cookie).
fn check_csrf(state: &PlatformState, headers: &HeaderMap, csrf: &str) -> bool {
    let (secret, fresh) = form_secret(headers);
    !fresh && state.service().accepts_form_token(&secret, csrf)
}

fn csrf_errors() -> FormErrors {
    FormErrors::form(
        "This form expired or was opened in another browser. Please submit it again.".into(),
    )
}

/// The `token` of a mailed link's query string.
fn token_param(uri: &axum::http::Uri) -> Option<String> {
    #[derive(Deserialize)]
    struct TokenQuery {
        token: Option<String>,
    }
    uri.query()
        .and_then(|q| serde_urlencoded::from_str::<TokenQuery>(q).ok())
        .and_then(|t| t.token)
        .filter(|t| !t.is_empty())
}

/// A link sent by mail: a hosted page carrying the app's request and a one-time token.
fn mailed_link(base: &str, path: &str, carried: &Carried, token: &str) -> String {
    let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("{base}{path}?{}&token={token}", carried.query())
}

/// The base of links in mail for this request (see `PlatformService::link_base`).
fn link_base_for(state: &PlatformState, headers: &HeaderMap) -> Result<String, PlatformError> {
    state
        .service()
        .link_base(headers.get(header::HOST).and_then(|h| h.to_str().ok()))
}

/// Puts an error next to the field it is about, or at the top of the form.
fn form_errors(err: &PlatformError) -> FormErrors {
    let message = sentence(&err.public_message());
    let field: Option<&'static str> = match err {
        PlatformError::InvalidEmail(_) => Some("email"),
        PlatformError::DuplicateEmail => {
            return FormErrors {
                form: None,
                fields: vec![(
                    "email",
                    "An account with this email already exists. Log in instead.".into(),
                )],
            };
        }
        PlatformError::InvalidPassword(_) => Some("password"),
        PlatformError::InvalidInput(m) => ["firstName", "lastName", "tenantName", "locale"]
            .into_iter()
            .find(|f| m.starts_with(f) || m.starts_with(&format!("`{f}`"))),
        _ => None,
    };
    match field {
        Some(field) => FormErrors {
            form: None,
            fields: vec![(field, message)],
        },
        None => FormErrors::form(message),
    }
}

/// A message as a sentence a person reads: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', ')']) {
        out.push('.');
    }
    out
}

async fn stylesheet() -> Response {
    let mut response = pages::STYLESHEET.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_carried_request_survives_the_hidden_inputs() {
        let carried = Carried {
            flow: "oidc".into(),
            client_id: "env".into(),
            redirect_uri: "http://localhost:3000/cb?x=1&y=2".into(),
            state: Some("s p&a=ce".into()),
            nonce: None,
            scope: "openid email".into(),
            code_challenge: Some("c".repeat(43)),
            locale: None,
        };
        let mut body = String::new();
        for (k, v) in carried.pairs() {
            body.push_str(&format!(
                "{}={}&",
                k,
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
        body.push_str("email=a%40b.c&password=p%26ss&csrf=t");
        let sub = parse_submission(&Bytes::from(body)).unwrap();
        assert_eq!(sub.carried.redirect_uri, carried.redirect_uri);
        assert_eq!(sub.carried.state, carried.state);
        assert_eq!(sub.carried.code_challenge, carried.code_challenge);
        assert_eq!(sub.filled.email, "a@b.c");
        assert_eq!(sub.password, "p&ss");
        assert_eq!(sub.csrf, "t");
    }

    #[test]
    fn errors_land_next_to_their_field() {
        let e = form_errors(&PlatformError::InvalidInput("firstName is required".into()));
        assert_eq!(e.fields[0].0, "firstName");
        let e = form_errors(&PlatformError::InvalidLogin);
        assert!(e.fields.is_empty());
        assert_eq!(
            e.form.as_deref(),
            Some("The email or password is not correct.")
        );
        let e = form_errors(&PlatformError::DuplicateEmail);
        assert_eq!(e.fields[0].0, "email");
    }
}
