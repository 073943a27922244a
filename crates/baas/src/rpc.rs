//! The HTTP surface, indistinguishable from ZenStack's RPC handler to a client:
//! `/api/model/{model}/{op}` (GET with `q`/`meta` for reads, POST creates, PUT/PATCH updates,
//! DELETE with `q`), `POST /api/model/$transaction/sequential`, and `GET /api/schema`.
//! Requests carry superjson annotations (`meta.serialization`); responses add them for dates,
//! big integers and decimals.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value as Json, json};

use crate::Baas;
use crate::caller::caller;
use crate::engine::Output;
use crate::error::{BaasError, BaasResult};
use crate::query::access::{self, Caller, Guard};
use crate::query::ast::Filter;
use crate::query::{self, OpName, Operation};
use crate::schema::lower_first;

pub fn router(baas: Arc<Baas>) -> Router {
    Router::new()
        .route("/api/schema", get(schema))
        .route("/api/model", any(bad_path))
        .route("/api/model/", any(bad_path))
        .route("/api/model/{*path}", any(model_request))
        .with_state(baas)
}

async fn bad_path() -> Response {
    BaasError::BadRequest("invalid request path".into()).into_response()
}

/// `Authorization: Basic base64(environmentId:apiKey)` is the super admin.
async fn authorize(baas: &Baas, headers: &HeaderMap) -> BaasResult<()> {
    match caller(baas, headers).await? {
        Caller::SuperAdmin => Ok(()),
        _ => Err(BaasError::Unauthorized(
            "authentication required: send `Authorization: Basic base64(environmentId:apiKey)`"
                .into(),
        )),
    }
}

async fn schema(State(baas): State<Arc<Baas>>, headers: HeaderMap) -> Response {
    if let Err(e) = authorize(&baas, &headers).await {
        return e.into_response();
    }
    axum::Json(json!({"schema": baas.schema_text})).into_response()
}

/// `{data, meta?}` as ZenStack sends it: no `meta` without annotations or for falsy data.
fn success(status: StatusCode, output: Output) -> Response {
    let falsy = matches!(&output.data, Json::Null | Json::Bool(false)) || output.data == json!(0);
    let mut body = serde_json::Map::new();
    let meta = if falsy {
        None
    } else {
        output.annotations.into_meta()
    };
    body.insert("data".into(), output.data);
    if let Some(meta) = meta {
        body.insert("meta".into(), meta);
    }
    (status, axum::Json(Json::Object(body))).into_response()
}

/// The name of a superjson custom type (`["custom", "JsonNull"]` → `JsonNull`).
fn custom_name(annotation: &Json) -> Option<&str> {
    let custom = annotation.as_array()?.first()?.as_array()?;
    (custom.first()?.as_str()? == "custom")
        .then(|| custom.get(1)?.as_str())
        .flatten()
}

/// The superjson types a request may carry (superjson's own and ZenStack's custom ones).
fn known_annotation(annotation: &Json) -> bool {
    match annotation.as_array().and_then(|a| a.first()) {
        Some(Json::String(kind)) => {
            matches!(kind.as_str(), "undefined" | "Date" | "bigint" | "number")
        }
        // A typed array (a `Uint8Array`, for Bytes) arrives as a list of numbers.
        Some(Json::Array(custom))
            if custom.first().and_then(Json::as_str) == Some("typed-array") =>
        {
            custom.get(1).and_then(Json::as_str) == Some("Uint8Array")
        }
        Some(Json::Array(custom)) => {
            custom.first().and_then(Json::as_str) == Some("custom")
                && matches!(
                    custom.get(1).and_then(Json::as_str),
                    Some("Decimal" | "DbNull" | "JsonNull" | "AnyNull" | "Bytes")
                )
        }
        _ => false,
    }
}

/// Applies a superjson `meta.serialization` to request arguments, as superjson's
/// `deserialize` does: `undefined` removes the key (superjson 1.x sends it as `null`),
/// `bigint` turns the string into an integer; dates and decimals stay strings, read by each
/// field's type. An unknown annotation is an error naming it.
///
/// A filter branch of `AND`/`OR`/`NOT` whose every field was `undefined` is dropped, as ZenStack
/// drops it (`OR: [{id: undefined}]` then matches nothing, `NOT: [{id: undefined}]` everything),
/// rather than read as `{}` (which matches every row).
pub fn apply_superjson(args: &mut Json, meta: &Json) -> Result<(), String> {
    let Some(values) = meta.get("values") else {
        return Ok(());
    };
    let Json::Object(values) = values else {
        return Err("meta.values must be an object".into());
    };
    // Branches emptied by `undefined`, dropped once every path was applied (dropping shifts
    // the indexes later paths name).
    let mut emptied: Vec<Vec<String>> = Vec::new();
    for (path, annotation) in values {
        if !known_annotation(annotation) {
            let name = annotation.as_array().and_then(|a| a.first()).map_or_else(
                || annotation.to_string(),
                |k| k.as_str().map_or_else(|| k.to_string(), str::to_owned),
            );
            return Err(format!("Unknown transformation: {name}"));
        }
        let kind = annotation
            .as_array()
            .and_then(|a| a.first())
            .and_then(Json::as_str);
        let parts: Vec<String> = split_path(path);
        match kind {
            Some("undefined") => {
                remove_path(args, &parts);
                if let [.., combinator, index, _] = parts.as_slice()
                    && matches!(combinator.as_str(), "AND" | "OR" | "NOT")
                    && index.parse::<usize>().is_ok()
                {
                    emptied.push(parts[..parts.len() - 1].to_vec());
                }
            }
            // ZenStack's null markers for Json fields.
            _ if custom_name(annotation)
                .and_then(crate::value::NullMarker::from_name)
                .is_some() =>
            {
                if let Some(node) = node_mut(args, &parts)
                    && let Some(marker) =
                        custom_name(annotation).and_then(crate::value::NullMarker::from_name)
                {
                    *node = marker.to_json();
                }
            }
            Some("bigint") => {
                if let Some(node) = node_mut(args, &parts)
                    && let Some(n) = node.as_str().and_then(|s| s.trim().parse::<i64>().ok())
                {
                    *node = Json::from(n);
                }
            }
            _ => {}
        }
    }
    // Last index first, so earlier ones stay valid.
    let index_of = |branch: &Vec<String>| branch.last().and_then(|i| i.parse::<usize>().ok());
    emptied.sort_by(|a, b| index_of(b).cmp(&index_of(a)).then_with(|| a.cmp(b)));
    emptied.dedup();
    for branch in emptied {
        let Some((index, list_path)) = branch.split_last() else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if let Some(Json::Array(list)) = node_mut(args, list_path)
            && list
                .get(index)
                .is_some_and(|b| b.as_object().is_some_and(|o| o.is_empty()))
        {
            list.remove(index);
        }
    }
    Ok(())
}

fn node_mut<'a>(value: &'a mut Json, parts: &[String]) -> Option<&'a mut Json> {
    let mut node = value;
    for part in parts {
        node = match node {
            Json::Object(map) => map.get_mut(part)?,
            Json::Array(list) => list.get_mut(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// superjson paths: `.`-separated, `\.` for a literal dot.
fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '.' => parts.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    parts.push(current);
    parts
}

fn remove_path(value: &mut Json, parts: &[String]) {
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    let mut node = value;
    for part in parents {
        node = match node {
            Json::Object(map) => match map.get_mut(part) {
                Some(next) => next,
                None => return,
            },
            Json::Array(list) => match part.parse::<usize>().ok().and_then(|i| list.get_mut(i)) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    if let Json::Object(map) = node {
        map.remove(last);
    }
}

/// `{...args, meta: {serialization}}` → args with superjson applied. A JSON request with an
/// empty body is `{}` (as express reads it); without a content type it is missing.
fn body_args(headers: &HeaderMap, body: &Bytes) -> BaasResult<Json> {
    let json_content = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    if body.iter().all(u8::is_ascii_whitespace) {
        return if json_content {
            Ok(json!({}))
        } else {
            Err(BaasError::BadRequest("missing request body".into()))
        };
    }
    let mut parsed: Json = serde_json::from_slice(body)
        .map_err(|e| BaasError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    let meta = match &mut parsed {
        Json::Object(map) => map.remove("meta"),
        _ => None,
    };
    if let Some(serialization) = meta.as_ref().and_then(|m| m.get("serialization")) {
        apply_superjson(&mut parsed, serialization).map_err(|e| {
            BaasError::BadRequest(format!("failed to deserialize request payload: {e}"))
        })?;
    }
    Ok(spread(parsed))
}

/// What `{...value}` gives in JavaScript: objects as they are, nothing for other scalars,
/// index keys for strings and arrays (which the validation then names).
fn spread(value: Json) -> Json {
    match value {
        Json::Object(_) => value,
        Json::Array(items) => Json::Object(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
        ),
        Json::String(s) => Json::Object(
            s.chars()
                .enumerate()
                .map(|(i, c)| (i.to_string(), Json::String(c.to_string())))
                .collect(),
        ),
        _ => json!({}),
    }
}

/// The arguments a GET or DELETE carries in the URL (`q`, with superjson `meta`).
fn url_args(params: &HashMap<String, String>) -> BaasResult<Json> {
    let invalid = || BaasError::BadRequest("invalid \"q\" query parameter".into());
    let Some(q) = params.get("q").filter(|q| !q.is_empty()) else {
        return Ok(json!({}));
    };
    let mut args: Json = serde_json::from_str(q).map_err(|_| invalid())?;
    if let Some(meta) = params.get("meta") {
        let meta: Json = serde_json::from_str(meta).map_err(|_| invalid())?;
        if let Some(serialization) = meta.get("serialization") {
            apply_superjson(&mut args, serialization).map_err(|_| invalid())?;
        }
    }
    Ok(spread(args))
}

/// The URL's query parameters, percent-decoded strictly: a parameter that is not UTF-8 is a
/// 400, not text with replacement characters.
fn url_params(raw: Option<&str>) -> BaasResult<HashMap<String, String>> {
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| {
                BaasError::BadRequest(
                    "the URL's query is not valid UTF-8 once percent-decoded; encode `q` with encodeURIComponent".into(),
                )
            })
    };
    let mut params = HashMap::new();
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(decode(key)?, decode(value)?);
    }
    Ok(params)
}

async fn model_request(
    State(baas): State<Arc<Baas>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(url_query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match url_params(url_query.as_deref()) {
        Ok(params) => params,
        Err(err) => return err.into_response(),
    };
    match handle(&baas, method, &path, &params, &headers, &body).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn handle(
    baas: &Baas,
    method: Method,
    path: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> BaasResult<Response> {
    let caller = caller(baas, headers).await?;
    let guard = Guard::new(&baas.engine.schema, caller, baas.clock.now());
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let [model_name, op_name] = parts.as_slice() else {
        return Err(BaasError::BadRequest("invalid request path".into()));
    };
    if *model_name == "$transaction" {
        return transaction(baas, method, op_name, body, &guard).await;
    }
    if *op_name == "check" {
        return check(baas, method, model_name, params, &guard).await;
    }
    let Some(op) = OpName::parse(op_name) else {
        return Err(BaasError::BadRequest(format!(
            "invalid operation: {op_name}"
        )));
    };
    use OpName::*;
    let (args, status) = match op {
        Create | CreateMany | CreateManyAndReturn | Upsert => {
            if method != Method::POST {
                return Err(BaasError::BadRequest(
                    "invalid request method, only POST is supported".into(),
                ));
            }
            (body_args(headers, body)?, StatusCode::CREATED)
        }
        FindFirst | FindUnique | FindMany | Aggregate | GroupBy | Count | Exists => {
            if method != Method::GET {
                return Err(BaasError::BadRequest(
                    "invalid request method, only GET is supported".into(),
                ));
            }
            (url_args(params)?, StatusCode::OK)
        }
        Update | UpdateMany | UpdateManyAndReturn => {
            if method != Method::PUT && method != Method::PATCH {
                return Err(BaasError::BadRequest(
                    "invalid request method, only PUT or PATCH are supported".into(),
                ));
            }
            (body_args(headers, body)?, StatusCode::OK)
        }
        Delete | DeleteMany => {
            if method != Method::DELETE {
                return Err(BaasError::BadRequest(
                    "invalid request method, only DELETE is supported".into(),
                ));
            }
            (url_args(params)?, StatusCode::OK)
        }
    };
    let model = baas.engine.schema.model_id(model_name).ok_or_else(|| {
        BaasError::BadRequest(format!("unknown model name: {}", lower_first(model_name)))
    })?;
    let mut operation = query::prepare(&baas.engine.schema, model, op, &args, baas.is_postgres())?;
    let guard = guard.for_operations([&operation]);
    access::authorize(&guard, model, &mut operation)?;
    let output = baas
        .engine
        .run(model, &operation, baas.clock.now(), &guard)
        .await?;
    if !matches!(
        op,
        FindMany | FindFirst | FindUnique | Count | Aggregate | GroupBy | Exists
    ) {
        tracing::debug!(model = %baas.engine.schema.model(model).name, op = op.name(), "BaaS write");
    }
    Ok(success(status, output))
}

/// `GET /api/model/{model}/check?q={"operation": "update", "where": {…}}`: whether the caller
/// may do `operation` on the model at all (ROQ's `hasAccess`), or, with `where` (not for
/// `create`), on a row that matches it. `{"data": true|false}`; a page uses it to hide a button.
async fn check(
    baas: &Baas,
    method: Method,
    model_name: &str,
    params: &HashMap<String, String>,
    guard: &Guard<'_>,
) -> BaasResult<Response> {
    if method != Method::GET {
        return Err(BaasError::BadRequest(
            "invalid request method, only GET is supported".into(),
        ));
    }
    let invalid = |detail: &str| BaasError::InvalidInput {
        op: "check".into(),
        model: lower_first(model_name),
        detail: detail.to_owned(),
    };
    let args = url_args(params)?;
    let Json::Object(mut args) = args else {
        return Err(invalid("expected an object with `operation` (and `where`)"));
    };
    let action = args
        .remove("operation")
        .and_then(|o| o.as_str().and_then(access::Action::parse))
        .ok_or_else(|| {
            invalid("`operation` must be \"create\", \"read\", \"update\" or \"delete\"")
        })?;
    let filter = args.remove("where");
    if let Some(extra) = args.keys().next() {
        return Err(invalid(&format!(
            "unknown argument `{extra}`: give `operation` and `where`"
        )));
    }
    let model = baas.engine.schema.model_id(model_name).ok_or_else(|| {
        BaasError::BadRequest(format!("unknown model name: {}", lower_first(model_name)))
    })?;
    if filter.is_some() && action == access::Action::Create {
        return Err(invalid("a check of `create` takes no `where`"));
    }
    let rule = guard.rule(model, action)?;
    let allowed = match (filter, rule) {
        (_, Some(Filter::Const(false))) => false,
        (None, _) => true,
        (Some(filter), rule) => {
            let args = json!({ "where": filter });
            let mut exists = query::prepare(
                &baas.engine.schema,
                model,
                OpName::Exists,
                &args,
                baas.is_postgres(),
            )?;
            access::authorize(guard, model, &mut exists)?;
            if let Operation::Exists(read) = &mut exists {
                read.filter = Filter::both(read.filter.take(), rule.as_ref());
            }
            let output = baas
                .engine
                .run(model, &exists, baas.clock.now(), guard)
                .await?;
            output.data == Json::Bool(true)
        }
    };
    Ok(success(
        StatusCode::OK,
        Output {
            data: Json::Bool(allowed),
            annotations: Default::default(),
            recorded: false,
        },
    ))
}

async fn transaction(
    baas: &Baas,
    method: Method,
    kind: &str,
    body: &Bytes,
    guard: &Guard<'_>,
) -> BaasResult<Response> {
    if method != Method::POST {
        return Err(BaasError::BadRequest(
            "invalid request method, only POST is supported".into(),
        ));
    }
    if kind != "sequential" {
        return Err(BaasError::BadRequest(format!(
            "unsupported transaction type: {kind}"
        )));
    }
    let parsed: Json = serde_json::from_slice(body).map_err(|_| {
        BaasError::BadRequest("request body must be a non-empty array of operations".into())
    })?;
    let Json::Array(items) = parsed else {
        return Err(BaasError::BadRequest(
            "request body must be a non-empty array of operations".into(),
        ));
    };
    if items.is_empty() {
        return Err(BaasError::BadRequest(
            "request body must be a non-empty array of operations".into(),
        ));
    }
    let schema = &baas.engine.schema;
    let mut operations = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Json::Object(map) = item else {
            return Err(BaasError::BadRequest(format!(
                "operation at index {i} must be an object"
            )));
        };
        let model_name = map.get("model").and_then(Json::as_str).ok_or_else(|| {
            BaasError::BadRequest(format!(
                "operation at index {i} is missing a valid \"model\" field"
            ))
        })?;
        let op_name = map.get("op").and_then(Json::as_str).ok_or_else(|| {
            BaasError::BadRequest(format!(
                "operation at index {i} is missing a valid \"op\" field"
            ))
        })?;
        let op = OpName::parse(op_name).ok_or_else(|| {
            BaasError::BadRequest(format!("operation at index {i} has invalid op: {op_name}"))
        })?;
        let model = schema.model_id(model_name).ok_or_else(|| {
            BaasError::BadRequest(format!(
                "operation at index {i} has unknown model: {model_name}"
            ))
        })?;
        let mut args = match map.get("args") {
            None | Some(Json::Null) => json!({}),
            Some(Json::Object(a)) => Json::Object(a.clone()),
            Some(_) => {
                return Err(BaasError::BadRequest(format!(
                    "operation at index {i} has invalid \"args\" field"
                )));
            }
        };
        let meta = match &mut args {
            Json::Object(a) => a.remove("meta"),
            _ => None,
        };
        if let Some(serialization) = meta.as_ref().and_then(|m| m.get("serialization")) {
            apply_superjson(&mut args, serialization).map_err(|e| {
                BaasError::BadRequest(format!(
                    "operation at index {i}: failed to deserialize request payload: {e}"
                ))
            })?;
        }
        operations.push((
            model,
            query::prepare(schema, model, op, &args, baas.is_postgres())?,
        ));
    }
    let guard = guard.for_operations(operations.iter().map(|(_, op)| op));
    for (model, operation) in &mut operations {
        access::authorize(&guard, *model, operation)?;
    }
    let outputs = baas
        .engine
        .run_all(&operations, baas.clock.now(), &guard)
        .await?;
    let mut annotations = crate::value::Annotations::default();
    let mut data = Vec::with_capacity(outputs.len());
    for (i, output) in outputs.into_iter().enumerate() {
        output
            .annotations
            .prefix_into(&i.to_string(), &mut annotations);
        data.push(output.data);
    }
    Ok(success(
        StatusCode::OK,
        Output {
            data: Json::Array(data),
            annotations,
            recorded: false,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_are_dropped_and_bigints_become_integers() {
        let mut args = json!({"where": {"a": null, "b": {"c": null}, "n": "9007199254740993"}, "data": [{"x": null}]});
        apply_superjson(&mut args, &json!({"values": {"where.a": ["undefined"], "where.b.c": ["undefined"], "data.0.x": ["undefined"], "where.z": ["Date"], "where.n": ["bigint"]}})).unwrap();
        assert_eq!(
            args,
            json!({"where": {"b": {}, "n": 9007199254740993i64}, "data": [{}]})
        );
        let err =
            apply_superjson(&mut args, &json!({"values": {"where.n": ["nope"]}})).unwrap_err();
        assert_eq!(err, "Unknown transformation: nope");
        assert!(
            apply_superjson(
                &mut args,
                &json!({"values": {"p": [["custom", "Decimal"]]}})
            )
            .is_ok()
        );
    }

    #[test]
    fn a_combinator_branch_left_empty_by_undefined_is_dropped() {
        let mut args = json!({"where": {
            "OR": [{"id": null}, {"active": false}, {"id": null, "x": null}],
            "NOT": [{"id": null}],
            "AND": [{}]
        }});
        let meta = json!({"values": {
            "where.OR.0.id": ["undefined"],
            "where.OR.2.id": ["undefined"],
            "where.OR.2.x": ["undefined"],
            "where.NOT.0.id": ["undefined"]
        }});
        apply_superjson(&mut args, &meta).unwrap();
        // The client's own `{}` branch (not made empty by undefined) stays.
        assert_eq!(
            args,
            json!({"where": {"OR": [{"active": false}], "NOT": [], "AND": [{}]}})
        );
    }

    #[test]
    fn superjson_paths_unescape_dots() {
        assert_eq!(split_path("a.b\\.c.0"), vec!["a", "b.c", "0"]);
    }
}
