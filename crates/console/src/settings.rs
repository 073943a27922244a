//! Auth settings: the environment's name, sign-up (on/off, roles), redirect URIs and CORS
//! origins, token and invitation lifetimes, email confirmation; and rotating the signing key.

use axum::extract::State as Extract;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::html;
use tandem_platform::Principal;
use tandem_platform::domain::auth::IdTokenAlgorithm;
use tandem_platform::service::AuthSettingsUpdate;

use crate::State;
use crate::users::all_roles;
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, csrf, failure, html_response, page, when};

const SA: Principal = Principal::ServiceAccount;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn show(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
    let (state, uri) = (&state, &uri);
    let (settings, roles, keys) = match (
        state.service.auth_settings().await,
        all_roles(state).await,
        state.service.signing_keys(&SA).await,
    ) {
        (Ok(s), Ok(r), Ok(k)) => (s, r, k),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failure(&e),
    };
    let number = |id: &str, label: &str, value: i64, hint: &str| {
        html! {
            div.field {
                label for=(id) { (label) }
                input id=(id) name=(id) type="number" min="1" value=(value) aria-describedby=(format!("{id}-hint"));
                p.muted id=(format!("{id}-hint")) { (hint) }
            }
        }
    };
    let content = html! {
        h1 { "Auth settings" }
        form.stack.panel method="post" action="/console/settings" {
            (csrf(&admin))
            div.field { label for="environmentName" { "Name shown on the hosted pages and in mail" } input id="environmentName" name="environmentName" type="text" value=(settings.environment_name) required; }
            label.check { input type="checkbox" name="signUpEnabled" value="on" checked[settings.sign_up_enabled]; "People may sign up" }
            label.check { input type="checkbox" name="emailVerificationRequired" value="on" checked[settings.email_verification_required]; "Sign-ups confirm their email before they can log in" }
            @if !roles.is_empty() {
                fieldset {
                    legend { "Roles a sign-up gets" }
                    @for r in &roles { label.check { input type="checkbox" name="signUpRole" value=(r.key) checked[settings.sign_up_role_keys.contains(&r.key)]; (r.name) } }
                }
            }
            div.field {
                label for="redirectUris" { "Redirect URIs, one per line" }
                textarea id="redirectUris" name="redirectUris" aria-describedby="redirect-hint" { (settings.redirect_uris.join("\n")) }
                p.muted id="redirect-hint" { "Where the hosted pages may send people back (matched exactly); their origins may also call the APIs." }
            }
            div.field {
                label for="allowedOrigins" { "Other allowed browser origins (CORS), one per line" }
                textarea id="allowedOrigins" name="allowedOrigins" { (settings.allowed_origins.join("\n")) }
            }
            div.field {
                label for="idTokenSigningAlg" { "ID tokens are signed with" }
                select id="idTokenSigningAlg" name="idTokenSigningAlg" aria-describedby="alg-hint" {
                    option value="RS256" selected[settings.id_token_signing_alg == IdTokenAlgorithm::Rs256] { "RS256 (RSA)" }
                    option value="EdDSA" selected[settings.id_token_signing_alg == IdTokenAlgorithm::EdDsa] { "EdDSA (Ed25519)" }
                }
                p.muted id="alg-hint" { "RS256 is OpenID Connect's default, which every client accepts; EdDSA only for clients told to expect it. Access tokens are always EdDSA." }
            }
            (number("accessTokenLifetime", "Access token lifetime (seconds)", settings.access_token_lifetime, "60 to 86400"))
            (number("refreshTokenLifetime", "Refresh token lifetime (seconds)", settings.refresh_token_lifetime, "300 to a year"))
            (number("inviteLifetime", "Invitation link lifetime (seconds)", settings.invite_lifetime, "an hour to 90 days"))
            div { button type="submit" { "Save settings" } }
        }
        section.panel aria-labelledby="keys-h" {
            h2 id="keys-h" { "Token-signing keys" }
            ul {
                @for k in &keys {
                    li { code { (k.kid) } @if k.rsa.is_some() { " (Ed25519, and RSA for ID tokens)" } " created " (when(k.created_at))
                        @if let Some(at) = k.retire_at { " · published until " (when(at)) } @else { " · current" } }
                }
            }
            form.inline method="post" action="/console/settings/rotate-key" {
                (csrf(&admin))
                button.secondary type="submit" { "Rotate the signing key" }
            }
            p.muted { "The previous key stays published for 30 days, so tokens it signed keep working until they expire." }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Settings",
            "/console/settings",
            Notice::from_query(state, uri),
            content,
        ),
    )
}

pub async fn save(Extract(state): Extract<State>, Posted { admin, form }: Posted) -> Response {
    let number = |name: &str| -> Result<i64, String> {
        form.get(name)
            .parse::<i64>()
            .map_err(|_| format!("{name} must be a whole number of seconds"))
    };
    let (access, refresh, invite) = match (
        number("accessTokenLifetime"),
        number("refreshTokenLifetime"),
        number("inviteLifetime"),
    ) {
        (Ok(a), Ok(r), Ok(i)) => (a, r, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return after(&state, "/console/settings", Err(e));
        }
    };
    // Left out (a form from before the field existed): unchanged.
    let alg = match form.get("idTokenSigningAlg").as_str() {
        "" => None,
        "RS256" => Some(IdTokenAlgorithm::Rs256),
        "EdDSA" => Some(IdTokenAlgorithm::EdDsa),
        _ => {
            return after(
                &state,
                "/console/settings",
                Err("choose RS256 or EdDSA for ID tokens".into()),
            );
        }
    };
    let update = AuthSettingsUpdate {
        environment_name: Some(form.get("environmentName")),
        sign_up_enabled: Some(form.has("signUpEnabled")),
        email_verification_required: Some(form.has("emailVerificationRequired")),
        sign_up_role_keys: Some(form.all("signUpRole")),
        redirect_uris: Some(lines(&form.get("redirectUris"))),
        allowed_origins: Some(lines(&form.get("allowedOrigins"))),
        access_token_lifetime: Some(access),
        refresh_token_lifetime: Some(refresh),
        invite_lifetime: Some(invite),
        id_token_signing_alg: alg,
        ..AuthSettingsUpdate::default()
    };
    match state.service.update_auth_settings(&SA, update).await {
        Ok(_) => {
            audited(
                &state,
                &admin,
                "settings.update",
                None,
                "changed the auth settings".into(),
                "/console/settings",
                "Settings saved; every replica uses them within two seconds.".into(),
            )
            .await
        }
        Err(e) => after(&state, "/console/settings", Err(e.public_message())),
    }
}

pub async fn rotate_key(Extract(state): Extract<State>, Posted { admin, .. }: Posted) -> Response {
    match state.service.rotate_signing_key(&SA, false).await {
        Ok(key) => {
            audited(
                &state,
                &admin,
                "keys.rotate",
                None,
                format!("rotated the signing key (new key {})", key.kid),
                "/console/settings",
                "A new signing key is in use.".into(),
            )
            .await
        }
        Err(e) => after(&state, "/console/settings", Err(e.public_message())),
    }
}
