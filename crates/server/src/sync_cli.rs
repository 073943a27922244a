//! Human-readable output of `tandem sync status | reconcile | retry` (the JSON answers of
//! `/sync/v1/*`, as `--json` prints them).

use std::fmt::Write;

use serde_json::Value;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("—")
}

fn num(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

fn arrow(direction: &str) -> &str {
    match direction {
        "platform_to_baas" => "Platform → BaaS",
        "baas_to_platform" => "BaaS → Platform",
        other => other,
    }
}

/// Renders the answer of `path` for a terminal.
pub fn human(path: &str, body: &Value) -> String {
    let mut out = String::new();
    match path {
        "/sync/v1/status" => {
            let _ = writeln!(out, "mode: {}", text(body, "mode"));
            for d in body
                .get("directions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let oldest = d
                    .get("oldestPendingAgeMs")
                    .and_then(Value::as_i64)
                    .map_or("—".to_owned(), |ms| format!("{:.1}s", ms as f64 / 1000.0));
                let _ = writeln!(out, "{}", arrow(text(d, "direction")));
                let _ = writeln!(
                    out,
                    "  pending {} (retrying {})   failed {}   oldest undelivered {}",
                    num(d, "pending"),
                    num(d, "retrying"),
                    num(d, "failed"),
                    oldest
                );
                let _ = writeln!(
                    out,
                    "  delivered {}   conflicts resolved {}   last delivery {}",
                    num(d, "delivered"),
                    num(d, "conflictsResolved"),
                    text(d, "lastDeliveryAt")
                );
                for (key, label) in [("failedEvents", "FAILED"), ("retryingEvents", "RETRYING")] {
                    for e in d.get(key).and_then(Value::as_array).into_iter().flatten() {
                        let _ = writeln!(
                            out,
                            "  {label} {} {} (event {}, {} attempts): {}",
                            text(e, "entity"),
                            text(e, "entityId"),
                            text(e, "eventId"),
                            num(e, "attempts"),
                            text(e, "error")
                        );
                    }
                }
            }
            for u in body
                .get("unreachable")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let _ = writeln!(
                    out,
                    "{}: unknown, the other process does not answer: {}",
                    arrow(text(u, "direction")),
                    text(u, "error")
                );
            }
            if body
                .get("directions")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|d| num(d, "failed") > 0))
            {
                let _ = writeln!(
                    out,
                    "fix the cause of the failures above, then run `tandem sync retry`"
                );
            }
        }
        "/sync/v1/reconcile" => {
            let _ = writeln!(
                out,
                "compared {} tenants and users, repaired {}",
                num(body, "checked"),
                num(body, "repaired")
            );
            for u in body
                .get("unrepaired")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let _ = writeln!(out, "  not repaired: {}", u.as_str().unwrap_or_default());
            }
        }
        _ => {
            let _ = writeln!(out, "re-queued {} parked events", num(body, "retried"));
        }
    }
    out
}
