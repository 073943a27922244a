//! Links sent by mail. Forgot and reset password: `/authorize/forgot` asks for the email and sends a link (the page
//! says the same whether or not there is an account); `/authorize/reset?token=…` sets the new
//! password and goes back to the app's log-in page. The app's authorization request travels in
//! the pages' query strings (and the link), so the person lands where they started. And
//! `/authorize/verify?token=…`, the email-confirmation link, which also logs the person in.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use tandem_platform::PlatformError;
use tandem_platform::http::PlatformState;
use tandem_platform::oauth::client_ip;

use super::login::redirect_with_code;
use super::{
    Carried, Env, Filled, Screen, check_csrf, csrf_errors, csrf_for, env, error_page, form_errors,
    html, mailed_link, render_with_notice, sentence, token_param, validate, with_cookie,
};
use crate::pages::{self, ForgotView, FormErrors, MessageView, ResetView, Tone};

const PASSWORD_HINT: &str = super::PASSWORD_HINT;

/// The carried request in a query string, checked; `None` when there is none or it is stale.
async fn carried_from(state: &PlatformState, env: &Env, query: Option<&str>) -> Option<Carried> {
    let carried: Carried = serde_urlencoded::from_str(query?).ok()?;
    validate(state, env, carried).await.ok()
}

fn forgot(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    carried: &Carried,
    email: &str,
    errors: &FormErrors,
    sent: bool,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    let pairs = carried.pairs();
    let login_url = format!("/authorize/login?{}", carried.query());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = pages::forgot_password(&ForgotView {
        environment_name: &env.settings.environment_name,
        action: "/authorize/forgot",
        csrf_token: &csrf,
        carried: &pairs,
        email,
        errors,
        login_url: &login_url,
        sent,
    });
    with_cookie(html(status, body), cookie)
}

fn reset(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    carried: Option<&Carried>,
    token: &str,
    errors: &FormErrors,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    let query = carried.map(Carried::query).unwrap_or_default();
    let action = format!("/authorize/reset?{query}");
    let login_url = format!("/authorize/login?{query}");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = pages::reset_password(&ResetView {
        environment_name: &env.settings.environment_name,
        action: &action,
        csrf_token: &csrf,
        token,
        errors,
        login_url: &login_url,
        password_hint: PASSWORD_HINT,
    });
    with_cookie(html(status, body), cookie)
}

pub(super) async fn forgot_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (env, carried) = match super::opened(&state, uri.query()).await {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    forgot(
        &state,
        &env,
        &headers,
        &carried,
        "",
        &FormErrors::default(),
        false,
    )
}

pub(super) async fn forgot_submit(
    State(state): State<PlatformState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (env, carried, sub) = match super::submitted(&state, &body).await {
        Ok(submitted) => submitted,
        Err(page) => return page,
    };
    if !check_csrf(&state, &headers, &sub.csrf) {
        return forgot(
            &state,
            &env,
            &headers,
            &carried,
            &sub.filled.email,
            &csrf_errors(),
            false,
        );
    }
    let base = match super::link_base_for(&state, &headers) {
        Ok(base) => base,
        Err(err) => {
            let errors = FormErrors::form(super::sentence(&err.public_message()));
            return forgot(
                &state,
                &env,
                &headers,
                &carried,
                &sub.filled.email,
                &errors,
                false,
            );
        }
    };
    let link = |token: &str| mailed_link(&base, "/authorize/reset", &carried, token);
    let ip = client_ip(peer.as_ref());
    match state
        .service()
        .request_password_reset(&sub.filled.email, ip.as_deref(), link)
        .await
    {
        Ok(()) => forgot(
            &state,
            &env,
            &headers,
            &carried,
            &sub.filled.email,
            &FormErrors::default(),
            true,
        ),
        Err(err) => {
            let errors = form_errors(&err);
            forgot(
                &state,
                &env,
                &headers,
                &carried,
                &sub.filled.email,
                &errors,
                false,
            )
        }
    }
}

pub(super) async fn reset_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let Some(token) = token_param(&uri) else {
        return error_page(
            "This link is not valid",
            "The reset link is incomplete. Copy the whole address from the message, or ask for a new link.",
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        );
    };
    let carried = carried_from(&state, &env, uri.query()).await;
    reset(
        &state,
        &env,
        &headers,
        carried.as_ref(),
        &token,
        &FormErrors::default(),
    )
}

pub(super) async fn reset_submit(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (token, password, csrf) = (get("token"), get("password"), get("csrf"));
    let carried = carried_from(&state, &env, uri.query()).await;
    if !check_csrf(&state, &headers, &csrf) {
        return reset(
            &state,
            &env,
            &headers,
            carried.as_ref(),
            &token,
            &csrf_errors(),
        );
    }
    match state.service().reset_password(&token, &password).await {
        Ok(_) => match &carried {
            Some(carried) => render_with_notice(
                &state,
                &env,
                &headers,
                carried,
                Screen::Login,
                &Filled::default(),
                &FormErrors::default(),
                Some("Your password was changed. Log in with the new one."),
            ),
            None => html(
                StatusCode::OK,
                pages::message(&MessageView {
                    environment_name: &env.settings.environment_name,
                    title: "Your password was changed",
                    message: "Go back to the app and log in with the new password.",
                    tone: Tone::Success,
                    link: None,
                }),
            ),
        },
        Err(err @ PlatformError::InvalidPassword(_)) => reset(
            &state,
            &env,
            &headers,
            carried.as_ref(),
            &token,
            &form_errors(&err),
        ),
        Err(err) => {
            let errors = FormErrors::form(super::sentence(&err.public_message()));
            reset(&state, &env, &headers, carried.as_ref(), &token, &errors)
        }
    }
}

/// `GET /authorize/verify?token=…`: the link in the confirmation mail. It confirms the email
/// and, when the app's request came along, logs the person in (back to the app with a code).
pub(super) async fn verify(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let env = match env(&state).await {
        Ok(env) => env,
        Err(page) => return page,
    };
    let token = token_param(&uri).unwrap_or_default();
    let user = match state.service().verify_email(&token).await {
        Ok(user) => user,
        Err(err) => {
            return error_page(
                "This link is not valid",
                &sentence(&err.public_message()),
                &env.settings.environment_name,
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let carried: Option<Carried> = uri.query().and_then(|q| serde_urlencoded::from_str(q).ok());
    let carried = match carried {
        Some(c) => validate(&state, &env, c).await.ok(),
        None => None,
    };
    match carried {
        Some(carried) => {
            match redirect_with_code(&state, &headers, &carried, &user, Screen::SignUp).await {
                Ok(response) => response,
                Err(err) => error_page(
                    "Something went wrong",
                    &err.public_message(),
                    &env.settings.environment_name,
                    err.status(),
                ),
            }
        }
        None => html(
            StatusCode::OK,
            pages::message(&MessageView {
                environment_name: &env.settings.environment_name,
                title: "Your email is confirmed",
                message: "Go back to the app and log in.",
                tone: Tone::Success,
                link: None,
            }),
        ),
    }
}
