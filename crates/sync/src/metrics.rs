//! Process-local sync metrics, written as Prometheus text at `/metrics` together with gauges
//! read from the stores at scrape time.

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tandem_core::Side;

use crate::status::{DirectionStatus, direction_name};

/// Upper bounds (seconds) of the propagation-lag histogram's buckets.
const LAG_BUCKETS: [f64; 14] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 60.0,
];

#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; LAG_BUCKETS.len()],
    count: AtomicU64,
    /// Sum in microseconds (integral, so it can be atomic).
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, seconds: f64) {
        for (i, bound) in LAG_BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add((seconds.max(0.0) * 1e6) as u64, Ordering::Relaxed);
    }
}

/// Deliveries of one minute: how many, and their largest and total lag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LagMinute {
    /// The minute's start, Unix milliseconds.
    pub minute_ms: i64,
    pub count: u64,
    pub max_ms: i64,
    pub sum_ms: i64,
}

/// Minutes of lag kept for the Console's chart.
const RECENT_MINUTES: i64 = 60;

#[derive(Debug, Default)]
struct DirectionMetrics {
    delivered: AtomicU64,
    apply_failures: AtomicU64,
    parked: AtomicU64,
    link_errors: AtomicU64,
    batches: AtomicU64,
    lag: Histogram,
    /// The last hour of deliveries, a bucket per minute (oldest first; minutes without any
    /// delivery are absent).
    recent: Mutex<VecDeque<LagMinute>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Counters of this process's relays, one set per direction.
#[derive(Debug, Default)]
pub struct Metrics {
    platform_to_baas: DirectionMetrics,
    baas_to_platform: DirectionMetrics,
}

impl Metrics {
    fn of(&self, from: Side) -> &DirectionMetrics {
        match from {
            Side::Platform => &self.platform_to_baas,
            Side::Baas => &self.baas_to_platform,
        }
    }

    pub fn delivered(&self, from: Side, lag_ms: &[i64]) {
        let m = self.of(from);
        m.batches.fetch_add(1, Ordering::Relaxed);
        m.delivered
            .fetch_add(lag_ms.len() as u64, Ordering::Relaxed);
        for ms in lag_ms {
            m.lag.observe(*ms as f64 / 1000.0);
        }
        if lag_ms.is_empty() {
            return;
        }
        let minute = now_ms() / 60_000 * 60_000;
        let mut recent = m.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.back().is_none_or(|b| b.minute_ms != minute) {
            recent.push_back(LagMinute {
                minute_ms: minute,
                ..LagMinute::default()
            });
        }
        if let Some(bucket) = recent.back_mut() {
            bucket.count += lag_ms.len() as u64;
            bucket.max_ms = bucket.max_ms.max(lag_ms.iter().copied().max().unwrap_or(0));
            bucket.sum_ms += lag_ms.iter().sum::<i64>();
        }
        while recent
            .front()
            .is_some_and(|f| f.minute_ms <= minute - RECENT_MINUTES * 60_000)
        {
            recent.pop_front();
        }
    }

    /// The deliveries of the last hour from `from`, one entry per minute that had any, oldest
    /// first.
    pub fn lag_last_hour(&self, from: Side) -> Vec<LagMinute> {
        let since = now_ms() / 60_000 * 60_000 - (RECENT_MINUTES - 1) * 60_000;
        self.of(from)
            .recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|b| b.minute_ms >= since)
            .copied()
            .collect()
    }

    pub fn apply_failed(&self, from: Side, parked: bool) {
        let m = self.of(from);
        m.apply_failures.fetch_add(1, Ordering::Relaxed);
        if parked {
            m.parked.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn link_error(&self, from: Side) {
        self.of(from).link_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition: this process's counters and the stores' gauges.
    pub fn render(&self, relayed: &[Side], directions: &[DirectionStatus]) -> String {
        let mut out = String::new();
        let counter =
            |out: &mut String, name: &str, help: &str, get: &dyn Fn(&DirectionMetrics) -> u64| {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} counter");
                for side in relayed {
                    let _ = writeln!(
                        out,
                        "{name}{{direction=\"{}\"}} {}",
                        direction_name(*side),
                        get(self.of(*side))
                    );
                }
            };
        counter(
            &mut out,
            "tandem_sync_events_delivered_total",
            "Events this process delivered to the other side.",
            &|m| m.delivered.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "tandem_sync_apply_failures_total",
            "Deliveries the other side could not apply (retried with backoff).",
            &|m| m.apply_failures.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "tandem_sync_events_parked_total",
            "Events parked as failed after repeated failures.",
            &|m| m.parked.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "tandem_sync_link_errors_total",
            "Failed attempts to reach the other side.",
            &|m| m.link_errors.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "tandem_sync_batches_total",
            "Batches delivered.",
            &|m| m.batches.load(Ordering::Relaxed),
        );
        let name = "tandem_sync_propagation_lag_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time from a change's commit on one side to its apply on the other."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        for side in relayed {
            let h = &self.of(*side).lag;
            let d = direction_name(*side);
            for (i, bound) in LAG_BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{direction=\"{d}\",le=\"{bound}\"}} {}",
                    h.buckets[i].load(Ordering::Relaxed)
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{direction=\"{d}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "{name}_sum{{direction=\"{d}\"}} {}",
                h.sum_us.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(out, "{name}_count{{direction=\"{d}\"}} {count}");
        }
        let gauge = |out: &mut String,
                     name: &str,
                     help: &str,
                     get: &dyn Fn(&DirectionStatus) -> Option<f64>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for d in directions {
                if let Some(v) = get(d) {
                    let _ = writeln!(out, "{name}{{direction=\"{}\"}} {v}", d.direction);
                }
            }
        };
        gauge(
            &mut out,
            "tandem_sync_pending_events",
            "Events waiting for delivery.",
            &|d| Some(d.pending as f64),
        );
        gauge(
            &mut out,
            "tandem_sync_retrying_events",
            "Pending events waiting out a backoff after failing.",
            &|d| Some(d.retrying as f64),
        );
        gauge(
            &mut out,
            "tandem_sync_failed_events",
            "Events parked as failed.",
            &|d| Some(d.failed as f64),
        );
        gauge(
            &mut out,
            "tandem_sync_oldest_pending_age_seconds",
            "Age of the oldest undelivered event (0 when none).",
            &|d| Some(d.oldest_pending_age_ms.unwrap_or(0) as f64 / 1000.0),
        );
        gauge(
            &mut out,
            "tandem_sync_conflicts_resolved",
            "Concurrent edits of one field settled by last-writer-wins (all time).",
            &|d| Some(d.conflicts_resolved as f64),
        );
        out
    }
}

#[cfg(test)]
mod recent_tests {
    use super::*;

    #[test]
    fn deliveries_are_kept_per_minute_with_their_largest_and_total_lag() {
        let m = Metrics::default();
        m.delivered(Side::Platform, &[5, 40, 7]);
        m.delivered(Side::Platform, &[12]);
        m.delivered(Side::Platform, &[]);
        let recent = m.lag_last_hour(Side::Platform);
        // Both batches may straddle a minute boundary; together they are what was delivered.
        assert_eq!(recent.iter().map(|b| b.count).sum::<u64>(), 4);
        assert_eq!(recent.iter().map(|b| b.sum_ms).sum::<i64>(), 64);
        assert_eq!(recent.iter().map(|b| b.max_ms).max(), Some(40));
        assert!(m.lag_last_hour(Side::Baas).is_empty());
    }
}
