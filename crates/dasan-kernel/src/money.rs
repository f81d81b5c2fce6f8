//! Money as an exact integer of minor units plus an ISO 4217 currency. Never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency, with its number of minor-unit digits (KRW 0, USD 2, BHD 3, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point in the major unit; 0 for currencies without minor units
    /// (and for funds and metals, which ISO 4217 lists without an exponent).
    pub fn exponent(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(0)
    }
}

impl std::str::FromStr for Currency {
    type Err = MoneyError;
    fn from_str(code: &str) -> Result<Self, MoneyError> {
        iso_currency::Currency::from_code(code)
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.chars().take(8).collect()))
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(code: String) -> Result<Self, MoneyError> {
        code.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an amount could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    #[error("not an amount: {0:?}")]
    Malformed(String),
    #[error("{currency} has {allowed} decimal places; the amount has more")]
    TooPrecise { currency: Currency, allowed: u32 },
    #[error("the amount is out of range")]
    Overflow,
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// An exact amount: `minor` units of `currency` (e.g. 1234 USD cents = USD 12.34).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Parses a plain decimal in major units (`"12.34"`, `"-5"`, `"1000"`) exactly.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let malformed = || MoneyError::Malformed(text.chars().take(40).collect());
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || digits.ends_with('.') {
            return Err(malformed());
        }
        let exponent = currency.exponent();
        if frac.len() > exponent as usize {
            return Err(MoneyError::TooPrecise {
                currency,
                allowed: exponent,
            });
        }
        // Accumulate in i128 so that i64::MIN (whose magnitude exceeds i64::MAX) parses too.
        let scale = 10i128.checked_pow(exponent).ok_or(MoneyError::Overflow)?;
        let whole: i128 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let frac_value: i128 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| malformed())?
        };
        let frac_scale = 10i128
            .checked_pow(exponent - frac.len() as u32)
            .ok_or(MoneyError::Overflow)?;
        let magnitude = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac_value.checked_mul(frac_scale)?))
            .ok_or(MoneyError::Overflow)?;
        let signed = if negative { -magnitude } else { magnitude };
        let minor = i64::try_from(signed).map_err(|_| MoneyError::Overflow)?;
        Ok(Self::new(minor, currency))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// The amount in major units as a plain decimal, e.g. `12.34` or `-0.05` or `1000`.
    pub fn major_string(self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exponent as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.major_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        code.parse().unwrap()
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(cur("KRW").exponent(), 0);
        assert_eq!(cur("USD").exponent(), 2);
        assert_eq!(cur("BHD").exponent(), 3);
        assert!("XYZ".parse::<Currency>().is_err());
        assert!("usd".parse::<Currency>().is_err());
    }

    #[test]
    fn parses_major_units_exactly() {
        assert_eq!(Money::parse_major("12.34", cur("USD")).unwrap().minor, 1234);
        assert_eq!(Money::parse_major("12.3", cur("USD")).unwrap().minor, 1230);
        assert_eq!(Money::parse_major("-0.05", cur("USD")).unwrap().minor, -5);
        assert_eq!(Money::parse_major("1000", cur("KRW")).unwrap().minor, 1000);
        assert!(matches!(
            Money::parse_major("1.5", cur("KRW")),
            Err(MoneyError::TooPrecise { allowed: 0, .. })
        ));
        for bad in [
            "", "-", ".5", "1.", "1e3", "1,000", " 1", "+1", "1.2.3", "١٢",
        ] {
            assert!(Money::parse_major(bad, cur("USD")).is_err(), "{bad:?}");
        }
        assert_eq!(
            Money::parse_major("99999999999999999999", cur("USD")),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic_is_checked_and_currency_safe() {
        let a = Money::new(i64::MAX, cur("USD"));
        assert_eq!(
            a.checked_add(Money::new(1, cur("USD"))),
            Err(MoneyError::Overflow)
        );
        assert!(matches!(
            Money::new(1, cur("USD")).checked_add(Money::new(1, cur("EUR"))),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(a.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(
            Money::new(i64::MIN, cur("KRW")).major_string(),
            i64::MIN.to_string()
        );
    }

    #[test]
    fn serialises_currency_as_its_code() {
        let json = serde_json::to_string(&Money::new(1500, cur("KRW"))).unwrap();
        assert_eq!(json, r#"{"minor":1500,"currency":"KRW"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZZ"}"#).is_err());
    }

    proptest! {
        #[test]
        fn major_string_round_trips(minor in any::<i64>(), code in prop::sample::select(vec!["KRW", "USD", "BHD", "JPY", "EUR"])) {
            let m = Money::new(minor, cur(code));
            let text = m.major_string();
            prop_assert_eq!(Money::parse_major(&text, m.currency), Ok(m));
        }

        #[test]
        fn parse_never_panics(text in ".{0,30}") {
            let _ = Money::parse_major(&text, cur("USD"));
        }
    }
}
