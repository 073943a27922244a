//! The Platform's HTTP routes, as `@roq/nodejs` calls them:
//! `POST /v01/authorize/serviceAccount`, `POST /v01/authorize`, `POST /v01/server/graphql`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{PlatformError, PlatformResult};
use crate::graphql::{PasswordBudget, PlatformSchema, build_schema, loaders};
use crate::service::{IssuedToken, PlatformService};

pub const AUTHORIZATION_HEADER: &str = "roq-platform-authorization";
pub const SERVER_AUTHORIZATION_HEADER: &str = "roq-platform-server-authorization";

#[derive(Clone)]
pub struct PlatformState {
    service: Arc<PlatformService>,
    schema: PlatformSchema,
}

impl PlatformState {
    pub fn new(service: Arc<PlatformService>) -> Self {
        let schema = build_schema(service.clone());
        Self { service, schema }
    }

    pub fn service(&self) -> &Arc<PlatformService> {
        &self.service
    }
}

pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/v01/authorize/serviceAccount", post(service_account_token))
        .route("/v01/authorize", post(user_token))
        .route("/v01/server/graphql", post(graphql))
        .route("/v01/graphql", post(user_graphql))
        .with_state(state)
}

/// Parses a JSON object body; `expected` describes it for the error message.
fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes, expected: &str) -> PlatformResult<T> {
    let invalid = || {
        PlatformError::InvalidInput(format!(
            "the request body must be a JSON object like {expected}"
        ))
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| invalid())?;
    if !value.is_object() {
        return Err(invalid());
    }
    serde_json::from_value(value).map_err(|_| invalid())
}

fn required<'a>(field: &str, value: &'a Option<String>) -> PlatformResult<&'a str> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| PlatformError::InvalidInput(format!("`{field}` is required")))
}

fn token_response(token: IssuedToken) -> Response {
    Json(json!({
        "accessToken": token.access_token,
        "expiresAt": token.claims.exp,
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceAccountRequest {
    environment_id: Option<String>,
    api_key: Option<String>,
}

async fn service_account_token(State(state): State<PlatformState>, body: Bytes) -> Response {
    let result = async {
        let req: ServiceAccountRequest =
            parse_body(&body, r#"{"environmentId": "…", "apiKey": "…"}"#)?;
        state
            .service
            .issue_service_token(
                required("environmentId", &req.environment_id)?,
                required("apiKey", &req.api_key)?,
            )
            .await
    }
    .await;
    match result {
        Ok(token) => token_response(token),
        Err(err) => err.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserTokenRequest {
    environment_id: Option<String>,
    api_key: Option<String>,
    user_id: Option<String>,
    expires_in: Option<Value>,
}

async fn user_token(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let req: UserTokenRequest = parse_body(
            &body,
            r#"{"environmentId": "…", "apiKey": "…", "userId": "…", "expiresIn": 3600}"#,
        )?;
        state
            .service
            .issue_user_token(
                header(&headers, AUTHORIZATION_HEADER),
                required("environmentId", &req.environment_id)?,
                required("apiKey", &req.api_key)?,
                required("userId", &req.user_id)?,
                req.expires_in.as_ref(),
            )
            .await
    }
    .await;
    match result {
        Ok(token) => token_response(token),
        Err(err) => err.into_response(),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A GraphQL-shaped error response for failures before execution (auth, bad body).
fn graphql_failure(err: PlatformError) -> Response {
    let body = err.body();
    let status = err.status();
    (
        status,
        Json(json!({
            "data": null,
            "errors": [{
                "message": body.message,
                "extensions": { "code": body.error_code, "response": body },
            }],
        })),
    )
        .into_response()
}

async fn graphql(State(state): State<PlatformState>, headers: HeaderMap, body: Bytes) -> Response {
    let principal = match state
        .service
        .authenticate_server_request(
            header(&headers, SERVER_AUTHORIZATION_HEADER),
            header(&headers, AUTHORIZATION_HEADER),
        )
        .await
    {
        Ok(principal) => principal,
        Err(err) => return graphql_failure(err),
    };
    execute(&state, principal, &headers, &body).await
}

/// `POST /v01/graphql`: the browser's GraphQL (`@roq/client`), as the user whose access token
/// comes in `roq-platform-authorization: Bearer …` — the same schema, the same rules as a
/// user token on the server endpoint.
async fn user_graphql(
    State(state): State<PlatformState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = header(&headers, AUTHORIZATION_HEADER)
        .or_else(|| header(&headers, "authorization"))
        .and_then(|v| v.trim().strip_prefix("Bearer "));
    let principal = match state.service.authenticate_bearer(token).await {
        Ok(principal) => principal,
        Err(err) => return graphql_failure(err),
    };
    execute(&state, principal, &headers, &body).await
}

async fn execute(
    state: &PlatformState,
    principal: crate::Principal,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let request: async_graphql::Request = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return graphql_failure(PlatformError::InvalidInput(format!(
                "the body must be a GraphQL request: {{\"query\": \"…\", \"variables\": {{…}}}} ({e})"
            )));
        }
    };
    let host = header(headers, "host").map(str::to_owned);
    let request = loaders::attach(request, &state.service, principal)
        .data(PasswordBudget::default())
        .data(crate::graphql::invites::RequestHost(host));
    let response = state.schema.execute(request).await;
    let mut value = serde_json::to_value(&response).unwrap_or_else(|_| json!({"data": null}));
    if let Some(errors) = value.get_mut("errors").and_then(Value::as_array_mut) {
        errors.iter_mut().for_each(annotate_graphql_error);
    }
    (StatusCode::OK, Json(value)).into_response()
}

/// Longest GraphQL error message returned.
const MAX_GRAPHQL_ERROR_CHARS: usize = 400;

/// Gives errors raised by GraphQL itself (unknown field, bad variable) ROQ's error shape too,
/// so the SDK reports them as `HttpException` with a code.
fn annotate_graphql_error(error: &mut Value) {
    if error.pointer("/extensions/response").is_some() {
        return;
    }
    let raw = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("invalid GraphQL request");
    // A parse error quotes the offending line, which for a one-line query is all of it.
    let mut message: String = raw.chars().take(MAX_GRAPHQL_ERROR_CHARS).collect();
    if raw.chars().count() > MAX_GRAPHQL_ERROR_CHARS {
        message.push_str("… (shortened)");
    }
    if message.contains("\"deleteUser\"") {
        message.push_str(
            ". Users are never deleted: deactivate with updateUser(id, user: {active: false})",
        );
    }
    let body = PlatformError::GraphqlValidation(message).body();
    error["message"] = Value::String(body.message.clone());
    let extensions = json!({"code": body.error_code, "response": body});
    match error.get_mut("extensions").and_then(Value::as_object_mut) {
        Some(ext) => ext.extend(extensions.as_object().cloned().unwrap_or_default()),
        None => error["extensions"] = extensions,
    }
}
