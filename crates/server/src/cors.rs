//! CORS: which browser pages on other origins may call Tandem's APIs (`@roq/client`'s
//! GraphQL, ZenStack's hooks on `/api/model/*`, an SPA's token and userinfo calls).
//!
//! The allowed origins are the environment's auth settings: its `allowedOrigins` and the
//! origins of its redirect URIs (on first start `http://localhost:3000`, Next.js's default).
//! The answer echoes the one allowed origin — never `*` — and never allows credentials:
//! browsers send these APIs tokens in headers, not cookies. Preflights are answered here,
//! before any authentication. `--cors-origins` adds origins; it is the only source in a
//! BaaS-only process, which has no auth settings.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tandem_platform::PlatformService;

use crate::reply::error_response;

pub struct Cors {
    platform: Option<Arc<PlatformService>>,
    configured: Vec<String>,
}

impl Cors {
    pub fn new(platform: Option<Arc<PlatformService>>, configured: Vec<String>) -> Self {
        Self {
            platform,
            configured,
        }
    }

    async fn allows(&self, origin: &str) -> bool {
        if normalise_origin(origin).is_some_and(|o| self.configured.contains(&o)) {
            return true;
        }
        match &self.platform {
            Some(p) => p.allows_origin(origin).await,
            None => false,
        }
    }
}

/// `scheme://host[:port]` of an http(s) origin, lower-cased as browsers send it; `None` for
/// anything else (paths, `*`, `null`).
pub fn normalise_origin(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    let credentials = !url.username().is_empty() || url.password().is_some();
    (matches!(url.scheme(), "http" | "https") && bare && !credentials && url.host().is_some())
        .then(|| url.origin().ascii_serialization())
}

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str =
    "authorization, content-type, roq-platform-authorization, x-requested-with";

fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn vary_origin(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

pub async fn cors(State(cors): State<Arc<Cors>>, request: Request<Body>, next: Next) -> Response {
    let Some(origin) = origin(request.headers()) else {
        return next.run(request).await;
    };
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let allowed = cors.allows(&origin).await;
    let origin_value = HeaderValue::from_str(&origin).ok().filter(|_| allowed);
    if preflight {
        let Some(origin_value) = origin_value else {
            let mut response = error_response(
                StatusCode::FORBIDDEN,
                "CORS_ORIGIN_NOT_ALLOWED",
                format!(
                    "the origin {} may not call this API; add it to allowedOrigins (or its app URL to redirectUris) with updateAuthSettings",
                    origin.chars().take(200).collect::<String>()
                ),
            );
            vary_origin(response.headers_mut());
            return response;
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        vary_origin(h);
        return response;
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if let Some(origin_value) = origin_value {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("www-authenticate, retry-after"),
        );
    }
    vary_origin(h);
    response
}
