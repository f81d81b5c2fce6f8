//! Exact amounts: minor units written as decimal text in the JSON, never through `f64`.
//!
//! `12345` USD cents is written `123.45`, `1000000` KRW is written `1000000`. A float would round
//! above 2^53 minor units and would print some values in exponent form; writing the digits
//! ourselves (as a raw JSON number) keeps every `i64` exact.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// An amount in minor units with the number of decimal places of its currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Amount {
    pub minor: i64,
    pub exponent: u32,
}

impl From<dasan_kernel::Money> for Amount {
    fn from(m: dasan_kernel::Money) -> Self {
        Amount {
            minor: m.minor,
            exponent: m.currency.exponent(),
        }
    }
}

impl Amount {
    /// The JSON number text: `-0.05`, `123.45`, `1000` (trailing fraction zeros are kept: the
    /// number is the same, and the text says how many decimals the currency has).
    pub fn text(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if self.exponent == 0 {
            return format!("{sign}{abs}");
        }
        // ISO 4217 exponents are 0 to 4; 10^19 would overflow, so clamp to what u64 holds.
        let exponent = self.exponent.min(19);
        let scale = 10u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exponent as usize
        )
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.exponent == 0 {
            return s.serialize_i64(self.minor);
        }
        let raw = RawValue::from_string(self.text()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(minor: i64, exponent: u32) -> String {
        serde_json::to_string(&Amount { minor, exponent }).expect("serialises")
    }

    #[test]
    fn amounts_are_written_exactly() {
        assert_eq!(json(12345, 2), "123.45");
        assert_eq!(json(-5, 2), "-0.05");
        assert_eq!(json(100, 2), "1.00");
        assert_eq!(json(0, 3), "0.000");
        assert_eq!(json(1_000_000, 0), "1000000");
        // Beyond 2^53: a float would round the last digits.
        assert_eq!(json(9_007_199_254_740_993, 2), "90071992547409.93");
        assert_eq!(json(i64::MAX, 0), "9223372036854775807");
        assert_eq!(json(i64::MIN, 2), "-92233720368547758.08");
    }

    #[test]
    fn amounts_are_valid_json_numbers() {
        for (minor, exponent) in [(1, 2), (-1, 3), (i64::MIN, 4), (123_456_789, 2)] {
            let text = json(minor, exponent);
            let v: serde_json::Value = serde_json::from_str(&text).expect("parses");
            assert!(v.is_number(), "{text}");
        }
    }
}
