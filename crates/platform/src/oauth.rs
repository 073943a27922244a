//! The token endpoints end users' apps call, in both wire formats:
//!
//! - ROQ's hosted auth, as `@roq/nextjs@2.0.3` calls it: `POST /oauth/token` with a JSON body
//!   `{authorizationCode, clientId, clientSecret}` and `POST /v01/authorize/refreshToken`
//!   `{environmentId, refreshToken, scope}`, answering camelCase JSON (`accessToken`, …) and
//!   ROQ's error shape;
//! - standard OpenID Connect: discovery, JWKS, `POST /oauth/token` form-encoded
//!   (`authorization_code` and `refresh_token` grants, client secret by Basic or in the form,
//!   or none with PKCE), userinfo and revocation, answering RFC 6749's snake_case JSON and
//!   `{error, error_description}`.
//!
//! The hosted pages (`/authorize`, `/oauth/authorize`, log-out) are HTML and live in
//! `tandem-web`; the rules live in the service.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::json;
use tandem_core::BasicCredentials;

use crate::domain::auth::Flow;
use crate::error::PlatformError;
use crate::http::PlatformState;
use crate::service::{CodeExchange, RefreshExchange, TokenSet};

pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/v01/authorize/refreshToken", post(roq_refresh))
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/oauth/userinfo", get(userinfo).post(userinfo))
        .route("/oauth/revoke", post(revoke))
        .with_state(state)
}

/// The key per-IP limits count under: the client's IPv4 address as the connection shows it,
/// or its IPv6 /64 (one host usually holds a whole /64). No proxy headers are trusted.
pub fn client_ip(peer: Option<&Extension<ConnectInfo<SocketAddr>>>) -> Option<String> {
    peer.map(|Extension(ConnectInfo(addr))| limit_key(addr.ip()))
}

fn limit_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The issuer for this request: `--public-url`, or this request's host.
pub fn issuer_for(state: &PlatformState, headers: &HeaderMap) -> String {
    state
        .service()
        .issuer(headers.get(header::HOST).and_then(|h| h.to_str().ok()))
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// RFC 6749 §5.2: `{error, error_description}`.
fn oauth_error(err: &PlatformError) -> Response {
    let body = err.body();
    let code = err.oauth_code();
    let status = match code {
        "invalid_client" | "invalid_token" => StatusCode::UNAUTHORIZED,
        "slow_down" => StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    no_store(
        (
            status,
            Json(json!({"error": code, "error_description": body.message})),
        )
            .into_response(),
    )
}

fn roq_tokens(set: TokenSet) -> Response {
    no_store(
        Json(json!({
            "accessToken": set.access_token,
            "idToken": set.id_token,
            "refreshToken": set.refresh_token,
            "tokenType": "Bearer",
            "expiresIn": set.expires_in,
        }))
        .into_response(),
    )
}

fn oidc_tokens(set: TokenSet) -> Response {
    no_store(
        Json(json!({
            "access_token": set.access_token,
            "id_token": set.id_token,
            "refresh_token": set.refresh_token,
            "token_type": "Bearer",
            "expires_in": set.expires_in,
            "scope": set.scope,
        }))
        .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoqCodeRequest {
    authorization_code: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Deserialize, Default)]
struct OidcTokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"))
}

/// `POST /oauth/token`: ROQ's JSON code exchange, or a standard form-encoded grant.
async fn token(State(state): State<PlatformState>, headers: HeaderMap, body: Bytes) -> Response {
    let issuer = issuer_for(&state, &headers);
    if is_json(&headers) {
        let req: RoqCodeRequest = match serde_json::from_slice(&body) {
            Ok(req) => req,
            Err(_) => {
                return PlatformError::InvalidInput(
                    r#"the body must be JSON like {"authorizationCode": "…", "clientId": "…", "clientSecret": "…"}"#.into(),
                )
                .into_response();
            }
        };
        let (Some(code), Some(client_id), Some(secret)) =
            (&req.authorization_code, &req.client_id, &req.client_secret)
        else {
            return PlatformError::InvalidInput(
                "authorizationCode, clientId (the environment id) and clientSecret (its API key) are required".into(),
            )
            .into_response();
        };
        let exchange = CodeExchange {
            flow: Flow::Roq,
            code,
            client_id,
            client_secret: Some(secret),
            redirect_uri: None,
            code_verifier: None,
        };
        return match state.service().exchange_code(exchange, &issuer).await {
            Ok(set) => roq_tokens(set),
            Err(err) => no_store(err.into_response()),
        };
    }
    let form: OidcTokenRequest = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return oauth_error(&PlatformError::InvalidInput(
                "the body must be application/x-www-form-urlencoded (or ROQ's JSON)".into(),
            ));
        }
    };
    // client_secret_basic (percent-encoded id and secret, RFC 6749 §2.3.1) or client_secret_post.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(BasicCredentials::parse)
        .map(|b| (form_decode(&b.environment_id), form_decode(&b.api_key)));
    let (client_id, client_secret) = match (&basic, &form.client_id) {
        (Some((id, secret)), _) => (Some(id.clone()), Some(secret.clone())),
        (None, id) => (id.clone(), form.client_secret.clone()),
    };
    let Some(client_id) = client_id else {
        return oauth_error(&PlatformError::InvalidClient(
            "client_id is required (the environment id)".into(),
        ));
    };
    let service = state.service();
    let result = match form.grant_type.as_deref() {
        Some("authorization_code") => {
            let Some(code) = &form.code else {
                return oauth_error(&PlatformError::InvalidInput("code is required".into()));
            };
            service
                .exchange_code(
                    CodeExchange {
                        flow: Flow::Oidc,
                        code,
                        client_id: &client_id,
                        client_secret: client_secret.as_deref(),
                        redirect_uri: form.redirect_uri.as_deref(),
                        code_verifier: form.code_verifier.as_deref(),
                    },
                    &issuer,
                )
                .await
        }
        Some("refresh_token") => {
            let Some(refresh_token) = &form.refresh_token else {
                return oauth_error(&PlatformError::InvalidInput(
                    "refresh_token is required".into(),
                ));
            };
            service
                .refresh(
                    RefreshExchange {
                        flow: Flow::Oidc,
                        refresh_token,
                        client_id: &client_id,
                        client_secret: client_secret.as_deref(),
                    },
                    &issuer,
                )
                .await
        }
        other => {
            return no_store(
                (
                    StatusCode::BAD_REQUEST,
                    Json(json!({
                        "error": "unsupported_grant_type",
                        "error_description": format!(
                            "grant_type {:?} is not supported; use authorization_code or refresh_token",
                            other.unwrap_or("").chars().take(40).collect::<String>()
                        ),
                    })),
                )
                    .into_response(),
            );
        }
    };
    match result {
        Ok(set) => oidc_tokens(set),
        Err(err) => {
            let mut response = oauth_error(&err);
            // RFC 6749 §5.2: a client that sent Basic credentials gets the challenge back.
            if basic.is_some() && matches!(err, PlatformError::InvalidClient(_)) {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Basic realm="tandem""#),
                );
            }
            response
        }
    }
}

fn form_decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoqRefreshRequest {
    environment_id: Option<String>,
    refresh_token: Option<String>,
}

/// `POST /v01/authorize/refreshToken`: new access and ID tokens for ROQ's refresh token,
/// which stays valid (`@roq/nextjs` keeps sending the original).
async fn roq_refresh(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: RoqRefreshRequest = match serde_json::from_slice(&body) {
        Ok(req) => req,
        Err(_) => {
            return PlatformError::InvalidInput(
                r#"the body must be JSON like {"environmentId": "…", "refreshToken": "…"}"#.into(),
            )
            .into_response();
        }
    };
    let (Some(environment_id), Some(refresh_token)) = (&req.environment_id, &req.refresh_token)
    else {
        return PlatformError::InvalidInput("environmentId and refreshToken are required".into())
            .into_response();
    };
    let issuer = issuer_for(&state, &headers);
    match state
        .service()
        .refresh(
            RefreshExchange {
                flow: Flow::Roq,
                refresh_token,
                client_id: environment_id,
                client_secret: None,
            },
            &issuer,
        )
        .await
    {
        Ok(set) => roq_tokens(set),
        Err(err) => no_store(err.into_response()),
    }
}

/// OpenID Connect discovery (OpenID Connect Discovery 1.0 §3).
async fn discovery(State(state): State<PlatformState>, headers: HeaderMap) -> Response {
    let issuer = issuer_for(&state, &headers);
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "userinfo_endpoint": format!("{issuer}/oauth/userinfo"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "end_session_endpoint": format!("{issuer}/oauth/logout"),
        "revocation_endpoint": format!("{issuer}/oauth/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [crate::token::RS256, crate::token::EDDSA],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "email",
            "email_verified", "name", "given_name", "family_name", "locale", "zoneinfo",
            "picture", "roqUserId", "roqEnvironmentId", "tenantId", "roles"
        ],
    }))
    .into_response()
}

async fn jwks(State(state): State<PlatformState>) -> Response {
    match state.service().jwks().await {
        Ok(keys) => {
            let mut response = Json(keys).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        Err(err) => err.into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `GET|POST /oauth/userinfo` with a user's access token.
async fn userinfo(State(state): State<PlatformState>, headers: HeaderMap) -> Response {
    let challenge = |err: &PlatformError| {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token", "error_description": err.public_message()})),
        )
            .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer error="invalid_token""#),
        );
        response
    };
    let Some(token) = bearer(&headers) else {
        return challenge(&PlatformError::Unauthorized(
            "send the access token as `Authorization: Bearer <token>`".into(),
        ));
    };
    match state.service().userinfo(token).await {
        Ok(claims) => no_store(Json(claims).into_response()),
        Err(err @ PlatformError::Unauthorized(_)) => challenge(&err),
        Err(err) => oauth_error(&err),
    }
}

#[derive(Deserialize)]
struct RevokeRequest {
    token: Option<String>,
}

/// `POST /oauth/revoke` (RFC 7009): revokes a refresh token's session; always 200.
async fn revoke(State(state): State<PlatformState>, body: Bytes) -> Response {
    let form: RevokeRequest = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return oauth_error(&PlatformError::InvalidInput(
                "the body must be form-encoded: token=…".into(),
            ));
        }
    };
    let Some(token) = form.token.filter(|t| !t.is_empty()) else {
        return oauth_error(&PlatformError::InvalidInput("token is required".into()));
    };
    match state.service().revoke_refresh_token(&token).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(err) => oauth_error(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a: std::net::IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(c));
        let mapped: std::net::IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(limit_key(mapped), "192.0.2.7");
    }

    #[test]
    fn basic_client_credentials_are_form_decoded() {
        assert_eq!(form_decode("a%3Ab+c"), "a:b c");
        assert_eq!(form_decode("plain-id"), "plain-id");
    }

    #[test]
    fn json_is_told_apart_from_forms() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(!is_json(&headers));
    }
}
