//! Sync: each direction's pending, retrying and parked events with their errors, the oldest
//! pending age, and the operator's two repairs — retry the parked events (after fixing their
//! cause) and reconcile both sides now.

use axum::extract::State as Extract;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::{Markup, html};
use tandem_core::hlc::Side;
use tandem_sync::metrics::LagMinute;

use crate::State;
use crate::web::{Admin, Posted, audited};
use crate::web::{Notice, after, badge, csrf, html_response, page};

/// The last hour's delivery lag as bars, a minute each (height: that minute's largest lag),
/// with the same in words for screen readers and for people who read numbers.
fn lag_chart(recent: &[LagMinute]) -> Markup {
    let events: u64 = recent.iter().map(|b| b.count).sum();
    if events == 0 {
        return html! { p.muted { "No deliveries by this process in the last hour." } };
    }
    let max = recent.iter().map(|b| b.max_ms).max().unwrap_or(0).max(1);
    let avg = recent.iter().map(|b| b.sum_ms).sum::<i64>() / events as i64;
    let last_minute = recent.last().map(|b| b.minute_ms).unwrap_or(0);
    let summary =
        format!("Last hour: {events} event(s) delivered; largest lag {max} ms, average {avg} ms.");
    html! {
        figure {
            svg width="100%" height="80" viewBox="0 0 600 80" preserveAspectRatio="none" role="img" aria-label=(summary) {
                line x1="0" y1="79" x2="600" y2="79" stroke="currentColor" stroke-opacity="0.3" {}
                @for b in recent {
                    @let slot = 59 - ((last_minute - b.minute_ms) / 60_000).clamp(0, 59);
                    @let h = ((b.max_ms as f64 / max as f64) * 76.0).max(2.0);
                    rect x=(slot * 10 + 1) y=(79.0 - h) width="8" height=(h) fill="currentColor" opacity="0.7" {
                        title { (format!("{} event(s), largest lag {} ms", b.count, b.max_ms)) }
                    }
                }
            }
            figcaption.muted { (summary) " One bar per minute, the newest on the right." }
        }
    }
}

fn age(ms: Option<i64>) -> String {
    match ms {
        None => "—".into(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) if ms < 120_000 => format!("{} s", ms / 1000),
        Some(ms) => format!("{} min", ms / 60_000),
    }
}

pub async fn show(Extract(state): Extract<State>, admin: Admin, uri: Uri) -> Response {
    let (state, uri) = (&state, &uri);
    let status = state.sync.status().await;
    let content = html! {
        h1 { "Sync" }
        p.muted { "Mode: " (status.mode) ". Platform → BaaS carries users, tenants and roles; BaaS → Platform carries profile edits." }
        @for u in &status.unreachable {
            div.notice.bad role="alert" { "Error: " (u.direction) " cannot be asked: " (u.error) }
        }
        div.grid2 {
            @for d in &status.directions {
                section.panel aria-label=(d.direction) {
                    h2 { (d.direction.replace('_', " ")) " "
                        @if d.failed > 0 { (badge("Failed events", "bad")) }
                        @else if d.retrying > 0 { (badge("Retrying", "warn")) }
                        @else if d.pending > 0 { (badge("Pending", "info")) }
                        @else { (badge("Up to date", "ok")) }
                    }
                    dl.fields {
                        dt { "Pending" } dd { (d.pending) }
                        dt { "Retrying" } dd { (d.retrying) }
                        dt { "Failed (parked)" } dd { (d.failed) }
                        dt { "Oldest pending" } dd { (age(d.oldest_pending_age_ms)) }
                        dt { "Delivered" } dd { (d.delivered) }
                        dt { "Last delivery" } dd { (d.last_delivery_at.clone().unwrap_or_else(|| "—".into())) }
                        dt { "Conflicts settled" } dd { (d.conflicts_resolved) }
                    }
                    h3 { "Lag, last hour" }
                    (lag_chart(&state.sync.metrics.lag_last_hour(if d.direction == "platform_to_baas" { Side::Platform } else { Side::Baas })))
                    @if !d.failed_events.is_empty() {
                        h3 { "Failed events" }
                        div.table-wrap tabindex="0" role="region" aria-label="Scrollable table" {
                            table {
                                thead { tr { th scope="col" { "Entity" } th scope="col" { "Attempts" } th scope="col" { "Error" } th scope="col" { "Retry" } } }
                                tbody {
                                    @for e in &d.failed_events {
                                        tr {
                                            td { (format!("{:?}", e.entity).to_lowercase()) " " code { (e.entity_id) } }
                                            td { (e.attempts) }
                                            td { (e.error) }
                                            td {
                                                form.inline method="post" action="/console/sync/retry" {
                                                    (csrf(&admin))
                                                    input type="hidden" name="event" value=(e.event_id);
                                                    button.secondary type="submit" aria-label=(format!("Retry the event of {}", e.entity_id)) { "Retry" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if !d.retrying_events.is_empty() {
                        h3 { "Retrying" }
                        ul { @for e in &d.retrying_events { li { code { (e.entity_id) } ": " (e.error) } } }
                    }
                }
            }
        }
        section.panel aria-labelledby="repair-h" {
            h2 id="repair-h" { "Repair" }
            div.actions {
                form.inline method="post" action="/console/sync/retry" {
                    (csrf(&admin))
                    button type="submit" { "Retry failed events" }
                }
                form.inline method="post" action="/console/sync/reconcile" {
                    (csrf(&admin))
                    button.secondary type="submit" { "Reconcile now" }
                }
            }
            p.muted { "Retry after fixing what made the events fail (the error says). Reconcile compares both sides and repairs every difference." }
        }
    };
    html_response(
        StatusCode::OK,
        page(
            Some(&admin),
            "Sync",
            "/console/sync",
            Notice::from_query(state, uri),
            content,
        ),
    )
}

pub async fn retry(Extract(state): Extract<State>, Posted { admin, form }: Posted) -> Response {
    // One event (its row's button), or every failed one.
    let event = form.get("event");
    let event = (!event.is_empty()).then_some(event);
    match state.sync.retry(event.as_deref()).await {
        Ok(n) => {
            let what = match &event {
                Some(id) => format!("re-queued the failed sync event {id}"),
                None => format!("re-queued {n} failed sync event(s)"),
            };
            audited(
                &state,
                &admin,
                "sync.retry",
                None,
                what,
                "/console/sync",
                format!("Re-queued {n} failed event(s)."),
            )
            .await
        }
        Err(e) => after(&state, "/console/sync", Err(e.to_string())),
    }
}

pub async fn reconcile(Extract(state): Extract<State>, Posted { admin, .. }: Posted) -> Response {
    match state.sync.reconcile().await {
        Ok(report) => {
            let text = format!(
                "Reconciled: {} checked, {} repaired{}.",
                report.checked,
                report.repaired,
                if report.unrepaired.is_empty() {
                    String::new()
                } else {
                    format!(", not repaired: {}", report.unrepaired.join("; "))
                }
            );
            audited(
                &state,
                &admin,
                "sync.reconcile",
                None,
                text.clone(),
                "/console/sync",
                text,
            )
            .await
        }
        Err(e) => after(&state, "/console/sync", Err(e.to_string())),
    }
}
