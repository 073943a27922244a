//! End users logging in, as a browser and an app do it over HTTP: the hosted pages
//! (`/authorize`, `/oauth/authorize`, the log-in and sign-up forms with their CSRF cookie), the
//! token endpoints in ROQ's JSON and in OpenID Connect's form encoding, refresh, JWKS and key
//! rotation, and CORS.
//!
//! The helpers here play the browser (a cookie jar, redirects not followed, hidden inputs
//! carried) and read JWTs; the tests are split by what they exercise.

mod cors;
mod forms;
mod invites;
mod oidc;
mod recovery;
mod tokens;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use tandem_testkit::{Answer, TestApp};

/// The app's callback that `@roq/nextjs` registers, relative as it sends it.
pub const ROQ_CALLBACK: &str = "/api/auth/callback";
/// RFC 7636 appendix B: a verifier and its S256 challenge.
pub const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const PASSWORD: &str = "secret-pass-1";

/// A browser: its own cookie jar, and redirects left for the test to read.
pub struct Browser {
    client: reqwest::Client,
    base_url: String,
    cookies: BTreeMap<String, String>,
    /// Sent with every request (e.g. what a proxy adds).
    headers: Vec<(String, String)>,
}

/// What the browser got back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub html: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base_url: app.base_url.clone(),
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// A browser on another machine: its connections come from `ip` (any 127.0.0.0/8 address
    /// is this machine's loopback).
    pub fn from_address(app: &TestApp, ip: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .local_address(Some(ip.parse().unwrap()))
                .build()
                .unwrap(),
            base_url: app.base_url.clone(),
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// Sends `name: value` with every later request.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    pub async fn get(&mut self, path_and_query: &str) -> Page {
        let request = self
            .client
            .get(format!("{}{path_and_query}", self.base_url));
        self.send(request).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .form(fields);
        self.send(request).await
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> Page {
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, jar.join("; "));
        }
        let response = request.send().await.unwrap();
        for set in response.headers().get_all(SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies
                .insert(name.trim().to_owned(), value.trim().to_owned());
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let location = header(LOCATION);
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let status = response.status();
        let html = response.text().await.unwrap();
        Page {
            status,
            location,
            content_type,
            html,
        }
    }

    /// Submits the form on `page` (its hidden inputs) with `fields` to `action`.
    pub async fn submit(&mut self, page: &Page, action: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = page.hidden_inputs();
        all.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self.post_form(action, &all).await
    }

    /// Logs in on the form `page` shows.
    pub async fn log_in(&mut self, page: &Page, email: &str, password: &str) -> Page {
        assert_eq!(page.status, StatusCode::OK, "a log-in form: {}", page.html);
        self.submit(
            page,
            "/authorize/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

impl Page {
    /// Every `<input type="hidden">` as (name, value), HTML entities decoded.
    pub fn hidden_inputs(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = self.html.as_str();
        while let Some(start) = rest.find("<input") {
            let tag_end = rest[start..].find('>').unwrap() + start;
            let tag = &rest[start..tag_end];
            if attribute(tag, "type").as_deref() == Some("hidden") {
                found.push((
                    attribute(tag, "name").unwrap(),
                    attribute(tag, "value").unwrap_or_default(),
                ));
            }
            rest = &rest[tag_end..];
        }
        found
    }

    pub fn hidden(&self, name: &str) -> Option<String> {
        self.hidden_inputs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The text of the form's alert (`role="alert"`), if it shows one.
    pub fn alert(&self) -> Option<String> {
        let start = self.html.find("role=\"alert\"")?;
        let end = self.html[start..]
            .find("<form")
            .map_or(self.html.len(), |e| e + start);
        Some(text_of(&self.html[start..end]))
    }

    /// The error shown next to input `name`, if any.
    pub fn field_error(&self, name: &str) -> Option<String> {
        let start = self.html.find(&format!("id=\"{name}-error\""))?;
        let end = self.html[start..].find("</p>").unwrap() + start;
        Some(text_of(&self.html[start..end]))
    }

    pub fn has_input(&self, name: &str) -> bool {
        self.html.contains(&format!("name=\"{name}\""))
    }

    /// The redirect's target and its query, failing when this is not a 303.
    pub fn redirect(&self) -> (Url, BTreeMap<String, String>) {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect, got: {}",
            self.html
        );
        let url = Url::parse(self.location.as_deref().expect("a Location")).unwrap();
        let query = url.query_pairs().into_owned().collect();
        (url, query)
    }
}

/// The value of `name="…"` in one tag, entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The visible text of an HTML fragment: tags dropped, whitespace collapsed.
fn text_of(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = unescape(&text);
    let text = text.trim_start_matches("role=\"alert\"");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `/authorize` as `@roq/nextjs` opens it.
pub fn roq_authorize_path(app: &TestApp, redirect_uri: &str, screen: &str) -> String {
    format!(
        "/authorize?clientId={}&redirect_uri={}&state=s1&response_type=code&initialScreen={screen}",
        app.credentials.environment_id,
        encode(redirect_uri)
    )
}

/// `/oauth/authorize` as an OpenID Connect client opens it, with PKCE when `challenge` is set.
pub fn oidc_authorize_path(app: &TestApp, redirect_uri: &str, challenge: Option<&str>) -> String {
    let mut path = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email&state=st-1&nonce=n1",
        app.credentials.environment_id,
        encode(redirect_uri)
    );
    if let Some(challenge) = challenge {
        path.push_str(&format!(
            "&code_challenge={challenge}&code_challenge_method=S256"
        ));
    }
    path
}

/// Logs `email` in through ROQ's hosted page; the authorization code it redirects with.
pub async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let mut browser = Browser::new(app);
    let form = browser
        .get(&roq_authorize_path(app, ROQ_CALLBACK, "login"))
        .await;
    let done = browser.log_in(&form, email, password).await;
    let (url, query) = done.redirect();
    assert_eq!(
        format!("{}{}", url.origin().ascii_serialization(), url.path()),
        "http://localhost:3000/api/auth/callback"
    );
    assert_eq!(query["state"], "s1");
    assert_eq!(query["action"], "login");
    query["authorization_code"].clone()
}

/// ROQ's code exchange: `POST /oauth/token` with JSON.
pub async fn exchange_with(app: &TestApp, code: &str, secret: &str) -> Answer {
    app.post_json(
        "/oauth/token",
        &json!({"authorizationCode": code, "clientId": app.credentials.environment_id, "clientSecret": secret}),
        &[],
    )
    .await
}

pub async fn exchange(app: &TestApp, code: &str) -> Answer {
    exchange_with(app, code, &app.credentials.api_key).await
}

/// Logs in and exchanges the code: ROQ's `{accessToken, idToken, refreshToken, tokenType}`.
pub async fn log_in_tokens(app: &TestApp, email: &str, password: &str) -> Value {
    let code = login(app, email, password).await;
    let answer = exchange(app, &code).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// ROQ's refresh: `POST /v01/authorize/refreshToken`.
pub async fn roq_refresh(app: &TestApp, refresh_token: &str) -> Answer {
    app.post_json(
        "/v01/authorize/refreshToken",
        &json!({"environmentId": app.credentials.environment_id, "refreshToken": refresh_token, "scope": "openid profile email"}),
        &[],
    )
    .await
}

/// A form-encoded `POST /oauth/token`.
pub async fn oidc_token(app: &TestApp, form: &[(&str, &str)]) -> Answer {
    let response = app
        .client
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap();
    Answer { status, body }
}

/// The browser's GraphQL (`POST /v01/graphql`) under a user's access token: its own user.
pub async fn whoami(app: &TestApp, access_token: &str, user_id: &str) -> Answer {
    app.post_json(
        "/v01/graphql",
        &json!({"query": "query($id: ID!) { user(id: $id) { id email } }", "variables": {"id": user_id}}),
        &[("roq-platform-authorization", format!("Bearer {access_token}"))],
    )
    .await
}

pub struct Jwt {
    pub header: Value,
    pub claims: Value,
}

/// Decodes a JWT's header and payload (no verification).
pub fn decode_jwt(token: &str) -> Jwt {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {token}");
    let part = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    Jwt {
        header: part(parts[0]),
        claims: part(parts[1]),
    }
}

pub async fn jwks(app: &TestApp) -> Value {
    let answer = app.get_json("/.well-known/jwks.json", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

pub fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks `token`'s signature against the published key its `kid` names: Ed25519 for EdDSA,
/// RSA for RS256 (the key's type must be the token's `alg`).
pub fn verifies_with(jwks: &Value, token: &str) -> bool {
    use ed25519_dalek::Verifier;
    let header = decode_jwt(token).header;
    let kid = header["kid"].as_str().unwrap().to_owned();
    let Some(jwk) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
    else {
        return false;
    };
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let b64 = |field: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[field].as_str().unwrap())
            .unwrap()
    };
    match (header["alg"].as_str(), jwk["kty"].as_str()) {
        (Some("EdDSA"), Some("OKP")) => {
            assert_eq!(jwk["crv"], "Ed25519", "{jwk}");
            let x: [u8; 32] = b64("x").try_into().unwrap();
            let key = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
            let Ok(signature) = ed25519_dalek::Signature::from_slice(&signature) else {
                return false;
            };
            key.verify(signing_input.as_bytes(), &signature).is_ok()
        }
        (Some("RS256"), Some("RSA")) => {
            assert_eq!(jwk["alg"], "RS256", "{jwk}");
            ring::signature::RsaPublicKeyComponents {
                n: b64("n"),
                e: b64("e"),
            }
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                signing_input.as_bytes(),
                &signature,
            )
            .is_ok()
        }
        (alg, kty) => panic!("a token with alg {alg:?} names a {kty:?} key: {jwk}"),
    }
}

pub async fn update_auth_settings(app: &TestApp, data: Value) -> Value {
    app.graphql(
        "mutation($data: AuthSettingsUpdateDto!) { updateAuthSettings(data: $data) { redirectUris allowedOrigins signUpEnabled signUpRoleKeys } }",
        json!({"data": data}),
    )
    .await
    .data("updateAuthSettings")
    .clone()
}

/// A user with `PASSWORD`, made by the service account.
pub async fn user_with_password(app: &TestApp, fields: Value) -> Value {
    let mut user = json!({"password": PASSWORD});
    crate::common::merge(&mut user, fields);
    crate::common::create_user(app, user).await
}
