//! `/authorize/invite?token=…`: the link in an invitation mail. It shows who invited the person
//! to which tenant and asks for names and a password; accepting creates the user (through the
//! Platform service, so the user reaches the BaaS by sync) and spends the link. A link that was
//! canceled, expired, already used or replaced by a resend gets a page saying so.
//!
//! When the link also carries an app's authorization request (the same parameters the log-in
//! page carries), accepting goes straight back to the app with a code, as a log-in would;
//! otherwise the page offers the way on to the app, where the person logs in.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use tandem_platform::PlatformError;
use tandem_platform::domain::invite::{Acceptance, InviteStatus};
use tandem_platform::http::PlatformState;
use tandem_platform::service::InviteView;

use super::login::redirect_with_code;
use super::{
    Carried, Env, Screen, check_csrf, csrf_errors, csrf_for, env, error_page, form_errors, html,
    sentence, token_param, validate, with_cookie,
};
use crate::pages::{self, FormErrors, MessageView, Tone};

/// The link's token and what the person typed, to fill the form again after an error
/// (never the password).
#[derive(Default)]
struct Typed {
    token: String,
    first_name: String,
    last_name: String,
}

fn form_page(
    state: &PlatformState,
    env: &Env,
    headers: &HeaderMap,
    uri: &Uri,
    view: &InviteView,
    typed: &Typed,
    errors: &FormErrors,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    // Posts back to the same address, so a carried authorization request comes along.
    let action = match uri.query() {
        Some(q) => format!("/authorize/invite?{q}"),
        None => "/authorize/invite".to_owned(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let first = if typed.first_name.is_empty() && errors.is_empty() {
        view.invite.first_name.as_deref().unwrap_or_default()
    } else {
        &typed.first_name
    };
    let last = if typed.last_name.is_empty() && errors.is_empty() {
        view.invite.last_name.as_deref().unwrap_or_default()
    } else {
        &typed.last_name
    };
    let body = pages::accept_invite(&pages::InviteView {
        environment_name: &env.settings.environment_name,
        action: &action,
        csrf_token: &csrf,
        token: &typed.token,
        inviter_name: &view.inviter_name,
        tenant_name: &view.tenant_name,
        email: view.invite.email.as_str(),
        first_name: first,
        last_name: last,
        errors,
        password_hint: super::PASSWORD_HINT,
    });
    with_cookie(html(status, body), cookie)
}

/// The page for a link that cannot be accepted (any more), or `None` when it can.
fn closed_page(state: &PlatformState, env: &Env, view: Option<&InviteView>) -> Option<Response> {
    let name = &env.settings.environment_name;
    let Some(view) = view else {
        return Some(error_page(
            "This invitation link is not valid",
            "It may have been replaced by a newer invitation: look for a more recent message, or ask the person who invited you to send it again.",
            name,
            StatusCode::NOT_FOUND,
        ));
    };
    let inviter = if view.inviter_name.is_empty() {
        "the person who invited you".to_owned()
    } else {
        view.inviter_name.clone()
    };
    match view.invite.status {
        InviteStatus::Pending => None,
        InviteStatus::Expired => Some(error_page(
            "This invitation has expired",
            &format!("Invitation links work for a limited time. Ask {inviter} to send it again."),
            name,
            StatusCode::GONE,
        )),
        InviteStatus::Canceled => Some(error_page(
            "This invitation was canceled",
            &format!(
                "{inviter} withdrew it. If you still want to join {}, ask them for a new one.",
                view.tenant_name
            ),
            name,
            StatusCode::GONE,
        )),
        InviteStatus::Accepted => {
            let app = state.service().app_url(&env.settings);
            Some(html(
                StatusCode::OK,
                pages::message(&MessageView {
                    environment_name: name,
                    title: "This invitation was already accepted",
                    message: "Your account exists: log in to the app with your email and password.",
                    tone: Tone::Info,
                    link: Some(("Go to the app", &app)),
                }),
            ))
        }
    }
}

async fn lookup(state: &PlatformState, env: &Env, token: &str) -> Result<InviteView, Response> {
    match state.service().invite_for_link(token).await {
        Ok(view) => match closed_page(state, env, view.as_ref()) {
            Some(page) => Err(page),
            None => view.ok_or_else(|| {
                error_page(
                    "Something went wrong",
                    "Try the link again.",
                    &env.settings.environment_name,
                    StatusCode::INTERNAL_SERVER_ERROR,
                )
            }),
        },
        Err(err) => Err(error_page(
            "Something went wrong",
            &err.public_message(),
            &env.settings.environment_name,
            err.status(),
        )),
    }
}

pub(super) async fn invite_page(
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
            "This invitation link is not valid",
            "The link is incomplete. Copy the whole address from the message.",
            &env.settings.environment_name,
            StatusCode::BAD_REQUEST,
        );
    };
    match lookup(&state, &env, &token).await {
        Ok(view) => form_page(
            &state,
            &env,
            &headers,
            &uri,
            &view,
            &Typed {
                token,
                ..Typed::default()
            },
            &FormErrors::default(),
        ),
        Err(page) => page,
    }
}

pub(super) async fn invite_submit(
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
    let typed = Typed {
        token: get("token"),
        first_name: get("firstName"),
        last_name: get("lastName"),
    };
    let token = typed.token.clone();
    let view = match lookup(&state, &env, &token).await {
        Ok(view) => view,
        Err(page) => return page,
    };
    if !check_csrf(&state, &headers, &get("csrf")) {
        return form_page(&state, &env, &headers, &uri, &view, &typed, &csrf_errors());
    }
    let acceptance = Acceptance {
        first_name: typed.first_name.clone(),
        last_name: typed.last_name.clone(),
        password: get("password"),
    };
    let user = match state.service().accept_invite(&token, acceptance).await {
        Ok(user) => user,
        Err(
            err @ (PlatformError::InvalidInput(_)
            | PlatformError::InvalidPassword(_)
            | PlatformError::Busy(_)),
        ) => {
            return form_page(
                &state,
                &env,
                &headers,
                &uri,
                &view,
                &typed,
                &form_errors(&err),
            );
        }
        Err(PlatformError::DuplicateEmail) => {
            return error_page(
                "You already have an account",
                &format!(
                    "{} already belongs to an account here, and an account belongs to one tenant. Log in with it, or ask to be invited with another address.",
                    view.invite.email.as_str()
                ),
                &env.settings.environment_name,
                StatusCode::CONFLICT,
            );
        }
        Err(err) => {
            if let PlatformError::Internal(_) = &err {
                let _ = err.body(); // logs the cause
            }
            // Canceled, accepted or expired meanwhile: the page for the link as it is now.
            return match lookup(&state, &env, &token).await {
                Err(page) => page,
                Ok(_) => error_page(
                    "Something went wrong",
                    &sentence(&err.public_message()),
                    &env.settings.environment_name,
                    err.status(),
                ),
            };
        }
    };
    let carried: Option<Carried> = uri.query().and_then(|q| serde_urlencoded::from_str(q).ok());
    let carried = match carried {
        Some(c) => validate(&state, &env, c).await.ok(),
        None => None,
    };
    if let Some(carried) = carried {
        return match redirect_with_code(&state, &headers, &carried, &user, Screen::SignUp).await {
            Ok(response) => response,
            Err(err) => error_page(
                "Something went wrong",
                &err.public_message(),
                &env.settings.environment_name,
                err.status(),
            ),
        };
    }
    let app = state.service().app_url(&env.settings);
    let message = format!(
        "Your account in {} is ready. Log in to the app with {} and the password you chose.",
        view.tenant_name,
        user.email.as_str()
    );
    html(
        StatusCode::OK,
        pages::message(&MessageView {
            environment_name: &env.settings.environment_name,
            title: "Welcome aboard",
            message: &message,
            tone: Tone::Success,
            link: Some(("Go to the app", &app)),
        }),
    )
}
