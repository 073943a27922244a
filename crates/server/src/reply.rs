//! The JSON error shape of the answers that neither half of Tandem gives (unknown paths,
//! framework refusals, connection limits): ROQ's `{statusCode, errorCode, message}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"statusCode": status.as_u16(), "errorCode": code, "message": message})),
    )
        .into_response()
}
