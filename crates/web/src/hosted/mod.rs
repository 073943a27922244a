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
//! Forms are CSRF-protected by a double-submit token bound to an HttpOnly cookie
//! ([`PlatformService::form_token`]). Pages are `no-store`, cannot be framed, and load
//! nothing but the stylesheet.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use tandem_platform::PlatformError;
use tandem_platform::domain::User;
use tandem_platform::domain::auth::{AuthSettings, Flow, Grant, SignUpTenant};
use tandem_platform::http::PlatformState;
use tandem_platform::oauth::{client_ip, issuer_for};
use tandem_platform::service::SignUp;
use url::Url;

use crate::pages::{self, FormErrors, LoginView, MessageView, SignupView, Tone};

mod mailbox;
mod recovery;

const CSRF_COOKIE: &str = "tandem_form";
const PASSWORD_HINT: &str = "At least 8 characters";

pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/authorize", get(roq_authorize))
        .route("/oauth/authorize", get(oidc_authorize))
        .route("/authorize/login", get(login_page).post(login_submit))
        .route("/authorize/signup", get(signup_page).post(signup_submit))
        .route("/oauth/logout", get(logout))
        .route(
            "/authorize/forgot",
            get(recovery::forgot_page).post(recovery::forgot_submit),
        )
        .route(
            "/authorize/reset",
            get(recovery::reset_page).post(recovery::reset_submit),
        )
        .route("/authorize/verify", get(recovery::verify))
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

/// What `@roq/nextjs` sends to `/authorize`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoqAuthorize {
    client_id: Option<String>,
    #[serde(rename = "redirect_uri")]
    redirect_uri: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    scope: Option<String>,
    #[serde(rename = "response_type")]
    response_type: Option<String>,
    initial_screen: Option<String>,
    default_locale: Option<String>,
}

/// A standard OpenID Connect authorization request.
#[derive(Debug, Deserialize)]
struct OidcAuthorize {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    prompt: Option<String>,
    ui_locales: Option<String>,
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

async fn roq_authorize(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    Query(q): Query<RoqAuthorize>,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    if q.response_type.as_deref().is_some_and(|t| t != "code") {
        return error_page(
            "This sign-in link is not valid",
            "Only response_type=code is supported.",
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        );
    }
    let carried = Carried {
        flow: Flow::Roq.as_str().into(),
        client_id: q.client_id.unwrap_or_default(),
        redirect_uri: q.redirect_uri.unwrap_or_default(),
        state: q.state,
        nonce: q.nonce,
        scope: q.scope.unwrap_or_else(|| "openid profile email".into()),
        code_challenge: None,
        locale: q.default_locale,
    };
    let wants_sign_up = q.initial_screen.as_deref() == Some("signUp");
    open_form(&state, &env, &headers, carried, wants_sign_up).await
}

/// Checks the app's request and shows the log-in form, or the sign-up form when asked for
/// and sign-up is on.
async fn open_form(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    carried: Carried,
    wants_sign_up: bool,
) -> Response {
    let carried = match validate(state, env, carried).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let screen = if wants_sign_up && env.settings.sign_up_enabled {
        Screen::SignUp
    } else {
        Screen::Login
    };
    render(
        state,
        env,
        headers,
        &carried,
        screen,
        &Filled::default(),
        &FormErrors::default(),
    )
}

async fn oidc_authorize(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    Query(q): Query<OidcAuthorize>,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let name = env.settings.environment_name.clone();
    let bad = |message: &str| {
        error_page(
            "This sign-in link is not valid",
            message,
            &name,
            StatusCode::BAD_REQUEST,
        )
    };
    if q.response_type.as_deref() != Some("code") {
        return bad("response_type must be code (the authorization code flow).");
    }
    // Scope and challenge length are checked by `validate`, on every page of the flow.
    if q.code_challenge.is_some() && q.code_challenge_method.as_deref() != Some("S256") {
        return bad("code_challenge_method must be S256.");
    }
    let carried = Carried {
        flow: Flow::Oidc.as_str().into(),
        client_id: q.client_id.unwrap_or_default(),
        redirect_uri: q.redirect_uri.unwrap_or_default(),
        state: q.state,
        nonce: q.nonce,
        scope: q.scope.unwrap_or_default(),
        code_challenge: q.code_challenge,
        locale: q
            .ui_locales
            .and_then(|l| l.split_whitespace().next().map(str::to_owned)),
    };
    let wants_sign_up = q.prompt.as_deref() == Some("create");
    open_form(&state, &env, &headers, carried, wants_sign_up).await
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

async fn screen_page(
    state: PlatformState,
    headers: HeaderMap,
    query: Option<String>,
    screen: Screen,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let carried: Carried = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let carried = match validate(&state, &env, carried).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let screen = if screen == Screen::SignUp && !env.settings.sign_up_enabled {
        Screen::Login
    } else {
        screen
    };
    render(
        &state,
        &env,
        &headers,
        &carried,
        screen,
        &Filled::default(),
        &FormErrors::default(),
    )
}

async fn login_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    screen_page(
        state,
        headers,
        uri.query().map(str::to_owned),
        Screen::Login,
    )
    .await
}

async fn signup_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    screen_page(
        state,
        headers,
        uri.query().map(str::to_owned),
        Screen::SignUp,
    )
    .await
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
    FormErrors {
        form: Some(
            "This form expired or was opened in another browser. Please submit it again.".into(),
        ),
        fields: Vec::new(),
    }
}

async fn login_submit(
    State(state): State<PlatformState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(state, peer, headers, body, Screen::Login).await
}

async fn signup_submit(
    State(state): State<PlatformState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(state, peer, headers, body, Screen::SignUp).await
}

async fn submit(
    state: PlatformState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
    screen: Screen,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let Some(sub) = parse_submission(&body) else {
        return error_page(
            "This sign-in link is not valid",
            "The form was incomplete. Open this page from the app you want to use.",
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        );
    };
    let carried = match validate(&state, &env, sub.carried).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    if !check_csrf(&state, &headers, &sub.csrf) {
        return render(
            &state,
            &env,
            &headers,
            &carried,
            screen,
            &sub.filled,
            &csrf_errors(),
        );
    }
    let ip = client_ip(peer.as_ref());
    let service = state.service();
    let verify = env.settings.email_verification_required;
    // Confirmation links need a trusted base; refuse before anyone is created without one.
    let link_base = match (verify, link_base_for(&state, &headers)) {
        (true, Err(err)) if screen == Screen::SignUp => {
            let errors = FormErrors {
                form: Some(sentence(&err.public_message())),
                fields: Vec::new(),
            };
            return render(
                &state,
                &env,
                &headers,
                &carried,
                screen,
                &sub.filled,
                &errors,
            );
        }
        (_, base) => base.ok(),
    };
    let confirm_link = |token: &str| {
        mailed_link(
            link_base.as_deref().unwrap_or_default(),
            "/authorize/verify",
            &carried,
            token,
        )
    };
    let result = match screen {
        Screen::Login => {
            service
                .log_in(&sub.filled.email, &sub.password, ip.as_deref())
                .await
        }
        Screen::SignUp => {
            service
                .sign_up(
                    SignUp {
                        first_name: sub.filled.first_name.clone(),
                        last_name: sub.filled.last_name.clone(),
                        email: sub.filled.email.clone(),
                        password: sub.password.clone(),
                        tenant_name: sub.filled.tenant_name.clone(),
                        locale: carried.locale.clone(),
                    },
                    ip.as_deref(),
                )
                .await
        }
    };
    let user = match result {
        Ok(user) if verify && screen == Screen::SignUp => {
            if let Err(err) = service.send_email_verification(&user, confirm_link).await {
                return error_page(
                    "Something went wrong",
                    &err.public_message(),
                    &env.settings.environment_name,
                    err.status(),
                );
            }
            let message = format!(
                "We sent a link to {}. Open it to confirm your address and log in. It works for 24 hours.",
                user.email.as_str()
            );
            return html(
                StatusCode::OK,
                pages::message(&MessageView {
                    environment_name: &env.settings.environment_name,
                    title: "Confirm your email",
                    message: &message,
                    tone: Tone::Info,
                    link: None,
                }),
            );
        }
        Ok(user) => user,
        Err(PlatformError::EmailNotVerified) => {
            if link_base.is_some() {
                // Another link; a refusal by the rate limit changes nothing for the person.
                let _ = service
                    .resend_email_verification(&sub.filled.email, ip.as_deref(), confirm_link)
                    .await;
            }
            let errors = FormErrors {
                form: Some(
                    "Confirm your email address first: we sent you a new link. Open it to log in."
                        .into(),
                ),
                fields: Vec::new(),
            };
            return render(
                &state,
                &env,
                &headers,
                &carried,
                screen,
                &sub.filled,
                &errors,
            );
        }
        Err(PlatformError::SignUpDisabled) => {
            return render(
                &state,
                &env,
                &headers,
                &carried,
                Screen::Login,
                &sub.filled,
                &FormErrors {
                    form: Some(sentence(&PlatformError::SignUpDisabled.public_message())),
                    fields: Vec::new(),
                },
            );
        }
        Err(err) => {
            let errors = form_errors(&err);
            return render(
                &state,
                &env,
                &headers,
                &carried,
                screen,
                &sub.filled,
                &errors,
            );
        }
    };
    match redirect_with_code(&state, &headers, &carried, &user, screen).await {
        Ok(response) => response,
        Err(err) => error_page(
            "Something went wrong",
            &err.public_message(),
            &env.settings.environment_name,
            err.status(),
        ),
    }
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
        None => FormErrors {
            form: Some(message),
            fields: Vec::new(),
        },
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

async fn redirect_with_code(
    state: &PlatformState,
    headers: &HeaderMap,
    carried: &Carried,
    user: &User,
    screen: Screen,
) -> Result<Response, PlatformError> {
    let flow = carried
        .flow()
        .ok_or_else(|| PlatformError::InvalidInput("unknown flow".into()))?;
    let action = match screen {
        Screen::Login => "login",
        Screen::SignUp => "signUp",
    };
    let code = state
        .service()
        .issue_code(
            user,
            flow,
            &carried.client_id,
            &carried.redirect_uri,
            Grant {
                scope: carried.scope.clone(),
                nonce: carried.nonce.clone(),
                code_challenge: carried.code_challenge.clone(),
                action: Some(action.into()),
                auth_time: 0,
            },
        )
        .await?;
    let mut target = Url::parse(&carried.redirect_uri)
        .map_err(|_| PlatformError::InvalidRedirectUri("the redirect URI is not a URL".into()))?;
    {
        let mut query = target.query_pairs_mut();
        match flow {
            Flow::Roq => {
                query.append_pair("authorization_code", &code);
                if let Some(s) = &carried.state {
                    query.append_pair("state", s);
                }
                query.append_pair("action", action);
            }
            Flow::Oidc => {
                query.append_pair("code", &code);
                if let Some(s) = &carried.state {
                    query.append_pair("state", s);
                }
                query.append_pair("iss", &issuer_for(state, headers));
            }
        }
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(target.as_str())
        .map_err(|_| PlatformError::InvalidRedirectUri("the redirect URI is not a URL".into()))?;
    response.headers_mut().insert(header::LOCATION, location);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct LogoutQuery {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// OIDC RP-initiated log-out: ends the session the ID token names, then goes back to the app
/// (when the address is registered) or says so.
async fn logout(State(state): State<PlatformState>, Query(q): Query<LogoutQuery>) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let ended = match q.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        Some(hint) => state.service().end_session(hint).await.map(drop),
        None => Ok(()),
    };
    if let Err(err) = ended {
        return error_page(
            "Log-out failed",
            &err.public_message(),
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        );
    }
    if let Some(uri) = q
        .post_logout_redirect_uri
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        return match state.service().check_redirect_uri(Some(uri)).await {
            Ok(target) => {
                let mut url = match Url::parse(&target) {
                    Ok(url) => url,
                    Err(_) => {
                        return error_page(
                            "Log-out failed",
                            "The return address is not a URL.",
                            &env.settings.environment_name,
                            StatusCode::BAD_REQUEST,
                        );
                    }
                };
                if let Some(s) = &q.state {
                    url.query_pairs_mut().append_pair("state", s);
                }
                let mut response = StatusCode::SEE_OTHER.into_response();
                if let Ok(location) = HeaderValue::from_str(url.as_str()) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                response
            }
            Err(err) => error_page(
                "Log-out failed",
                &err.public_message(),
                &env.settings.environment_name,
                StatusCode::BAD_REQUEST,
            ),
        };
    }
    html(
        StatusCode::OK,
        pages::message(&MessageView {
            environment_name: &env.settings.environment_name,
            title: "You are logged out",
            message: "Your session has ended. You can close this page.",
            tone: Tone::Success,
            link: None,
        }),
    )
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
