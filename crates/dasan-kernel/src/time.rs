//! Time as integer microseconds since the Unix epoch (UTC), and an injectable clock.
//!
//! Deadlines and expiries are always decided against a [`Clock`], never against the system time
//! directly, so that tests can move time and replays can reproduce a decision.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// An instant in UTC, stored as microseconds since 1970-01-01T00:00:00Z (an INTEGER column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// This instant plus a duration, saturating at the representable range.
    pub fn saturating_add(self, d: std::time::Duration) -> Self {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(micros))
    }

    /// The instant as a `jiff` timestamp, for formatting and calendar arithmetic.
    pub fn to_jiff(self) -> jiff::Timestamp {
        // Every i64 of microseconds outside jiff's range (±9999 years) is clamped, not a panic.
        jiff::Timestamp::from_microsecond(self.0).unwrap_or(if self.0 < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }

    pub fn from_jiff(ts: jiff::Timestamp) -> Self {
        Self(ts.as_microsecond())
    }
}

impl std::fmt::Display for Timestamp {
    /// RFC 3339 in UTC, e.g. `2026-11-24T09:00:00Z`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_jiff().fmt(f)
    }
}

/// The source of "now" for every decision that depends on time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_jiff(jiff::Timestamp::now())
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(start.as_micros())))
    }

    pub fn set(&self, t: Timestamp) {
        self.0.store(t.as_micros(), Ordering::SeqCst);
    }

    pub fn advance(&self, d: std::time::Duration) {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(micros))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_micros(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_time() {
        let clock = ManualClock::new(Timestamp::from_micros(1_000_000));
        let other = clock.clone();
        assert_eq!(clock.now(), Timestamp::from_micros(1_000_000));
        other.advance(Duration::from_secs(2));
        assert_eq!(clock.now(), Timestamp::from_micros(3_000_000));
        clock.set(Timestamp::from_micros(5));
        assert_eq!(other.now().as_micros(), 5);
    }

    #[test]
    fn timestamps_format_as_rfc3339_utc_and_clamp_out_of_range() {
        let t = Timestamp::from_micros(1_764_000_000_000_000);
        assert_eq!(t.to_string(), "2025-11-24T16:00:00Z");
        assert_eq!(Timestamp::from_jiff(t.to_jiff()), t);
        // Out of jiff's range: clamped, never a panic.
        assert_eq!(
            Timestamp::from_micros(i64::MAX).to_jiff(),
            jiff::Timestamp::MAX
        );
        assert_eq!(
            Timestamp::from_micros(i64::MIN).to_jiff(),
            jiff::Timestamp::MIN
        );
    }

    #[test]
    fn saturating_add_never_overflows() {
        let t = Timestamp::from_micros(i64::MAX - 1);
        assert_eq!(
            t.saturating_add(Duration::from_secs(10)).as_micros(),
            i64::MAX
        );
    }
}
