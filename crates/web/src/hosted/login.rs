//! Logging in and signing up: the entry points an app sends the browser to (`/authorize` for
//! ROQ's hosted auth, `/oauth/authorize` for OpenID Connect), the two forms and their
//! submissions, the redirect back to the app with an authorization code, and OIDC log-out.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tandem_platform::PlatformError;
use tandem_platform::domain::User;
use tandem_platform::domain::auth::{Flow, Grant};
use tandem_platform::http::PlatformState;
use tandem_platform::oauth::{client_ip, issuer_for};
use tandem_platform::service::SignUp;
use url::Url;

use super::{
    Carried, Env, Filled, Screen, check_csrf, csrf_errors, env, error_page, form_errors, html,
    link_base_for, mailed_link, opened, render, sentence, submitted, validate,
};
use crate::pages::{self, FormErrors, MessageView, Tone};

/// What `@roq/nextjs` sends to `/authorize`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RoqAuthorize {
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
pub(super) struct OidcAuthorize {
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

pub(super) async fn roq_authorize(
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

pub(super) async fn oidc_authorize(
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

async fn screen_page(
    state: PlatformState,
    headers: HeaderMap,
    query: Option<&str>,
    screen: Screen,
) -> Response {
    let (env, carried) = match opened(&state, query).await {
        Ok(opened) => opened,
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

pub(super) async fn login_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    screen_page(state, headers, uri.query(), Screen::Login).await
}

pub(super) async fn signup_page(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    screen_page(state, headers, uri.query(), Screen::SignUp).await
}

pub(super) async fn login_submit(
    State(state): State<PlatformState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(state, peer, headers, body, Screen::Login).await
}

pub(super) async fn signup_submit(
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
    let (env, carried, sub) = match submitted(&state, &body).await {
        Ok(submitted) => submitted,
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
            let errors = FormErrors::form(sentence(&err.public_message()));
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
            let errors = FormErrors::form(
                "Confirm your email address first: we sent you a new link. Open it to log in."
                    .into(),
            );
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
                &FormErrors::form(sentence(&PlatformError::SignUpDisabled.public_message())),
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

pub(super) async fn redirect_with_code(
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
pub(super) struct LogoutQuery {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// OIDC RP-initiated log-out: ends the session the ID token names, then goes back to the app
/// (when the address is registered) or says so.
pub(super) async fn logout(
    State(state): State<PlatformState>,
    Query(q): Query<LogoutQuery>,
) -> Response {
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
