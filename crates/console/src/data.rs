//! Data: a read-only browser of the BaaS's models — the rows of each in pages of 50, filtered by
//! one field's value, a foreign key (`tenant_id`, `authorId`, …) linking to the row it names —
//! through the BaaS's own query API as its super admin.

use axum::extract::{Path, State as Extract};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::html;
use serde_json::{Value, json};

use crate::State;
use crate::web::Admin;
use crate::web::{Notice, html_response, message_page, page};

const PAGE: u64 = 50;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn models(Extract(state): Extract<State>, admin: Admin) -> Response {
    let Some(baas) = &state.baas else {
        return message_page(
            Some(&admin),
            StatusCode::OK,
            "Data",
            "The BaaS runs in another process (split deployment); browse its data from its own URL.",
        );
    };
    let models = match baas.models().await {
        Ok(models) => models,
        Err(e) => {
            return message_page(
                Some(&admin),
                StatusCode::BAD_GATEWAY,
                "The BaaS did not answer",
                &e,
            );
        }
    };
    let mut counts = Vec::new();
    for model in models {
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
    admin: Admin,
    Path(model): Path<String>,
    uri: Uri,
) -> Response {
    let Some(baas) = &state.baas else {
        return message_page(
            Some(&admin),
            StatusCode::OK,
            "Data",
            "The BaaS runs in another process (split deployment).",
        );
    };
    let models = match baas.models().await {
        Ok(models) => models,
        Err(e) => {
            return message_page(
                Some(&admin),
                StatusCode::BAD_GATEWAY,
                "The BaaS did not answer",
                &e,
            );
        }
    };
    if !models.contains(&model) {
        return message_page(
            Some(&admin),
            StatusCode::NOT_FOUND,
            "No such model",
            "The BaaS's schema has no model of that name.",
        );
    }
    let param = |name: &str| {
        uri.query()
            .and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_default()
    };
    let page_no: u64 = param("page").parse().unwrap_or(0u64).min(100_000);
    let (field, value) = (param("field"), param("value"));
    let filter = if field.is_empty() {
        json!({})
    } else {
        json!({ field.clone(): value.clone() })
    };
    let (rows, total) = match (
        baas.call(
            &model,
            "findMany",
            json!({"where": filter, "take": PAGE, "skip": page_no * PAGE}),
        )
        .await,
        baas.call(&model, "count", json!({"where": filter})).await,
    ) {
        (Ok(r), Ok(t)) => (r, t.as_u64().unwrap_or(0)),
        (Err(e), _) | (_, Err(e)) => {
            return message_page(
                Some(&admin),
                StatusCode::BAD_REQUEST,
                "The BaaS refused the query",
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
    // `tenant_id` / `tenantId` names a row of `tenant`, when there is such a model.
    let target = |column: &str| -> Option<String> {
        let base = column
            .strip_suffix("_id")
            .or_else(|| column.strip_suffix("Id"))?;
        models
            .iter()
            .find(|m| m.eq_ignore_ascii_case(base))
            .cloned()
    };
    let keep = |page: u64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if !field.is_empty() {
            q.append_pair("field", &field).append_pair("value", &value);
        }
        q.append_pair("page", &page.to_string());
        format!("/console/data/{model}?{}", q.finish())
    };
    let link = |to: &str, id: &str| {
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        format!("/console/data/{to}?field=id&value={id}")
    };
    let content = html! {
        p { a href="/console/data" { "← All models" } }
        h1 { (model) }
        form.filters method="get" action=(format!("/console/data/{model}")) {
            div.field { label for="field" { "Field" } input id="field" name="field" type="text" value=(field); }
            div.field { label for="value" { "equals" } input id="value" name="value" type="text" value=(value); }
            button type="submit" { "Filter" }
            @if !field.is_empty() { a href=(format!("/console/data/{model}")) { "Clear the filter" } }
        }
        p.muted role="status" { (total) " row(s)." }
        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
            table {
                thead { tr { @for c in &columns { th scope="col" { (c) } } } }
                tbody {
                    @for r in &rows {
                        tr {
                            @for c in &columns {
                                @let v = r.get(c).unwrap_or(&Value::Null);
                                td {
                                    @match (target(c), v.as_str()) {
                                        (Some(to), Some(id)) => a href=(link(&to, id)) { (id) },
                                        _ => (cell(v)),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if page_no > 0 { a href=(keep(page_no - 1)) { "← Previous page" } }
            @if (page_no + 1) * PAGE < total { a href=(keep(page_no + 1)) { "Next page →" } }
        }
    };
    html_response(
        StatusCode::OK,
        page(Some(&admin), &model, "/console/data", Notice::None, content),
    )
}
