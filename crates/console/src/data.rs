//! Data: a read-only browser of the BaaS's models — the rows of each, newest pages of 50,
//! through the BaaS's own query API as its super admin.

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use maud::html;
use serde_json::{Value, json};

use crate::State;
use crate::web::{Notice, admin, html_response, message_page, page};

const PAGE: u64 = 50;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn models(Extract(state): Extract<State>, headers: HeaderMap, uri: Uri) -> Response {
    let admin = match admin(&state, &headers, &uri).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(baas) = &state.baas else {
        return message_page(
            Some(&admin),
            StatusCode::OK,
            "Data",
            "The BaaS runs in another process (split deployment); browse its data from its own URL.",
        );
    };
    let mut counts = Vec::new();
    for model in baas.models() {
        let count = baas
            .call(&model, "count", json!({}))
            .await
            .ok()
            .and_then(|v| v.as_i64());
        counts.push((model, count));
    }
    let content = html! {
        h1 { "Data" }
        p.muted { "The BaaS's models, read-only." }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr { th scope="col" { "Model" } th scope="col" { "Rows" } } }
                tbody {
                    @for (model, count) in &counts {
                        tr {
                            td { a href=(format!("/console/data/{model}")) { (model) } }
                            td { (count.map(|c| c.to_string()).unwrap_or_else(|| "?".into())) }
                        }
                    }
                }
            }
        }
    };
    html_response(
        StatusCode::OK,
        page(Some(&admin), "Data", "/console/data", Notice::None, content),
    )
}

pub async fn rows(
    Extract(state): Extract<State>,
    Path(model): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let admin = match admin(&state, &headers, &uri).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(baas) = &state.baas else {
        return message_page(
            Some(&admin),
            StatusCode::OK,
            "Data",
            "The BaaS runs in another process (split deployment).",
        );
    };
    if !baas.models().contains(&model) {
        return message_page(
            Some(&admin),
            StatusCode::NOT_FOUND,
            "No such model",
            "The BaaS's schema has no model of that name.",
        );
    }
    let page_no: u64 = uri
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .and_then(|p| p.parse().ok())
        .unwrap_or(0u64)
        .min(100_000);
    let (rows, total) = match (
        baas.call(
            &model,
            "findMany",
            json!({"take": PAGE, "skip": page_no * PAGE}),
        )
        .await,
        baas.call(&model, "count", json!({})).await,
    ) {
        (Ok(r), Ok(t)) => (r, t.as_u64().unwrap_or(0)),
        (Err(e), _) | (_, Err(e)) => {
            return message_page(
                Some(&admin),
                StatusCode::BAD_GATEWAY,
                "The BaaS did not answer",
                &e,
            );
        }
    };
    let rows: Vec<serde_json::Map<String, Value>> = rows
        .as_array()
        .map(|a| a.iter().filter_map(|r| r.as_object().cloned()).collect())
        .unwrap_or_default();
    let columns: Vec<String> = rows
        .first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    let content = html! {
        p { a href="/console/data" { "← All models" } }
        h1 { (model) }
        p.muted role="status" { (total) " row(s)." }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr { @for c in &columns { th scope="col" { (c) } } } }
                tbody {
                    @for r in &rows {
                        tr { @for c in &columns { td { (cell(r.get(c).unwrap_or(&Value::Null))) } } }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if page_no > 0 { a href=(format!("/console/data/{model}?page={}", page_no - 1)) { "← Previous page" } }
            @if (page_no + 1) * PAGE < total { a href=(format!("/console/data/{model}?page={}", page_no + 1)) { "Next page →" } }
        }
    };
    html_response(
        StatusCode::OK,
        page(Some(&admin), &model, "/console/data", Notice::None, content),
    )
}
