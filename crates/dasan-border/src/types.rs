//! Small value types shared by screening and decisions.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A similarity or threshold in ten-thousandths (0 to 10 000), so that a decision record
/// replays bit for bit: no floating point crosses the serialisation boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score(pub u16);

impl Score {
    /// The top score.
    pub const ONE: Score = Score(10_000);

    /// From a fraction in [0, 1] (clamped; NaN is 0).
    pub fn from_f64(x: f64) -> Score {
        if x.is_nan() {
            return Score(0);
        }
        Score((x.clamp(0.0, 1.0) * 10_000.0).round() as u16)
    }

    /// As a fraction.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4}", self.as_f64())
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u16::deserialize(d)?;
        if v > 10_000 {
            return Err(serde::de::Error::custom("a score is at most 10000"));
        }
        Ok(Score(v))
    }
}

/// A calendar date, serialised as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    /// Year.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
}

impl CalendarDate {
    /// A valid Gregorian date, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        dasan_mrtd::Date::new(year, month, day).map(Self::from)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        match crate::import::parse_date(s)? {
            crate::watchlist::BirthDate::Exact { year, month, day } => {
                Some(Self { year, month, day })
            }
            _ => None,
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01; `None` outside years 0-65535.
    pub fn from_days_since_epoch(z: i64) -> Option<Self> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        Some(Self {
            year: u16::try_from(y).ok()?,
            month: u8::try_from(m).ok()?,
            day: u8::try_from(d).ok()?,
        })
    }

    /// The UTC calendar date of a time in microseconds since the Unix epoch.
    pub fn from_unix_micros(us: i64) -> Option<Self> {
        Self::from_days_since_epoch(us.div_euclid(86_400_000_000))
    }

    /// Whole years from `self` (a birth date) to `on`.
    pub fn age_on(self, on: CalendarDate) -> i32 {
        let mut age = i32::from(on.year) - i32::from(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }
}

impl From<dasan_mrtd::Date> for CalendarDate {
    fn from(d: dasan_mrtd::Date) -> Self {
        Self {
            year: d.year,
            month: d.month,
            day: d.day,
        }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CalendarDate::parse(&s).ok_or_else(|| serde::de::Error::custom("expected YYYY-MM-DD"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for (y, m, d, days) in [
            (1970, 1, 1, 0),
            (2000, 3, 1, 11_017),
            (2026, 11, 25, 20_782),
        ] {
            let date = CalendarDate::new(y, m, d).unwrap();
            assert_eq!(date.days_since_epoch(), days, "{date}");
            assert_eq!(CalendarDate::from_days_since_epoch(days), Some(date));
        }
        let d = CalendarDate::from_unix_micros(1_764_028_800_000_000).unwrap();
        assert_eq!(d.to_string(), "2025-11-25");
        let birth = CalendarDate::new(2008, 11, 26).unwrap();
        assert_eq!(birth.age_on(CalendarDate::new(2026, 11, 25).unwrap()), 17);
        assert_eq!(birth.age_on(CalendarDate::new(2026, 11, 26).unwrap()), 18);
    }

    #[test]
    fn score_bounds() {
        assert_eq!(Score::from_f64(1.5), Score::ONE);
        assert_eq!(Score::from_f64(f64::NAN), Score(0));
        assert_eq!(Score::from_f64(0.86), Score(8600));
        assert!(serde_json::from_str::<Score>("10001").is_err());
    }
}
