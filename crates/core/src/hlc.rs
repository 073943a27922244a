//! Hybrid logical clock stamps and the per-field last-writer-wins rule of the sync engine.
//!
//! A stamp is (physical milliseconds, counter, origin side): physical time when clocks are
//! sane, a counter to order events within one millisecond or when a clock runs behind, and
//! the side that wrote the value to break exact ties the same way everywhere. Stamps are
//! totally ordered, so applying "keep the higher stamp" per field makes every replica reach
//! the same value whatever order the changes arrive in.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::Clock;

/// Which half wrote a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    // Declared in name order, so stamps and their text form sort alike.
    Baas,
    Platform,
}

impl Side {
    pub fn other(self) -> Self {
        match self {
            Self::Platform => Self::Baas,
            Self::Baas => Self::Platform,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Baas => "baas",
        }
    }
}

/// One hybrid-logical-clock stamp. Ordered by physical time, then counter, then side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub ms: i64,
    pub counter: u32,
    pub side: Side,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ms, self.counter, self.side).cmp(&(other.ms, other.counter, other.side))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hlc {
    /// The stamp older than every real one (for values written before stamps existed).
    pub const ZERO: Hlc = Hlc {
        ms: 0,
        counter: 0,
        side: Side::Platform,
    };

    /// Compact text form, sortable as text: `000001732780000000-0000000042-platform`.
    pub fn encode(&self) -> String {
        format!(
            "{:018}-{:010}-{}",
            self.ms.max(0),
            self.counter,
            self.side.name()
        )
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let ms = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let side = match parts.next()? {
            "platform" => Side::Platform,
            "baas" => Side::Baas,
            _ => return None,
        };
        Some(Self { ms, counter, side })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

/// Issues stamps for one side: never going backwards, and after any stamp it has seen.
#[derive(Debug)]
pub struct HlcClock {
    side: Side,
    last: Mutex<Hlc>,
}

impl HlcClock {
    pub fn new(side: Side) -> Self {
        Self {
            side,
            last: Mutex::new(Hlc {
                ms: 0,
                counter: 0,
                side,
            }),
        }
    }

    pub fn side(&self) -> Side {
        self.side
    }

    /// A stamp for a local write now: greater than every stamp issued or observed before.
    pub fn now(&self, clock: &dyn Clock) -> Hlc {
        self.now_at(clock.now().timestamp_millis())
    }

    /// A stamp for a local write at wall-clock time `physical` (Unix ms).
    pub fn now_at(&self, physical: i64) -> Hlc {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let next = if physical > last.ms {
            Hlc {
                ms: physical,
                counter: 0,
                side: self.side,
            }
        } else {
            Hlc {
                ms: last.ms,
                counter: last.counter.saturating_add(1),
                side: self.side,
            }
        };
        *last = next;
        next
    }

    /// Takes note of a stamp from the other side, so later local stamps come after it.
    pub fn observe(&self, remote: Hlc) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if (remote.ms, remote.counter) > (last.ms, last.counter) {
            *last = Hlc {
                ms: remote.ms,
                counter: remote.counter,
                side: self.side,
            };
        }
    }
}

/// Per-field last-writer-wins: whether an incoming value stamped `incoming` replaces the
/// local value stamped `current` (absent = never written through sync).
pub fn incoming_wins(current: Option<Hlc>, incoming: Hlc) -> bool {
    current.is_none_or(|c| incoming > c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;
    use chrono::Duration;
    use proptest::prelude::*;

    #[test]
    fn stamps_never_go_backwards_even_when_the_clock_does() {
        let clock = ManualClock::starting_now();
        let hlc = HlcClock::new(Side::Platform);
        let a = hlc.now(&clock);
        let b = hlc.now(&clock);
        assert!(b > a, "same millisecond: the counter moves");
        clock.advance(Duration::seconds(-30));
        let c = hlc.now(&clock);
        assert!(c > b, "a clock stepping back does not reorder writes");
        clock.advance(Duration::seconds(60));
        assert!(hlc.now(&clock) > c);
    }

    #[test]
    fn observed_stamps_come_before_later_local_ones() {
        let clock = ManualClock::starting_now();
        let hlc = HlcClock::new(Side::Baas);
        let remote = Hlc {
            ms: clock.now().timestamp_millis() + 60_000,
            counter: 7,
            side: Side::Platform,
        };
        hlc.observe(remote);
        assert!(hlc.now(&clock) > remote);
    }

    #[test]
    fn ties_break_by_side_the_same_way_everywhere() {
        let p = Hlc {
            ms: 5,
            counter: 1,
            side: Side::Platform,
        };
        let b = Hlc {
            ms: 5,
            counter: 1,
            side: Side::Baas,
        };
        assert!(p > b);
        assert!(incoming_wins(Some(b), p) && !incoming_wins(Some(p), b));
        assert!(incoming_wins(None, p));
    }

    proptest! {
        #[test]
        fn text_form_round_trips_and_sorts_like_stamps(a in (0i64..1 << 50, any::<u32>(), any::<bool>()), b in (0i64..1 << 50, any::<u32>(), any::<bool>())) {
            let side = |x: bool| if x { Side::Baas } else { Side::Platform };
            let (x, y) = (Hlc { ms: a.0, counter: a.1, side: side(a.2) }, Hlc { ms: b.0, counter: b.1, side: side(b.2) });
            prop_assert_eq!(Hlc::decode(&x.encode()), Some(x));
            prop_assert_eq!(x.cmp(&y), x.encode().cmp(&y.encode()));
        }
    }
}
