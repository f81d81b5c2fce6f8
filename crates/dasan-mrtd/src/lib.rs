//! ICAO Doc 9303 machine readable travel documents, as a pure library: no I/O, no clock, no
//! global state. Everything that depends on "now" takes the time as a parameter.
//!
//! - [`mrz`]: machine readable zones of every format (TD1, TD2, TD3, MRV-A, MRV-B).
//! - [`lds`]: the chip's files (EF.COM, data groups, EF.SOD, EF.CardAccess, master lists).
//! - [`pa`]: passive authentication, with a typed report of every check.
//! - [`aa`]: active authentication response verification.
//! - `factory` (cargo feature): test CSCAs, document signers and chip images.

pub mod aa;
pub mod bp224;
pub mod countries;
pub mod crypto;
#[cfg(feature = "factory")]
pub mod factory;
pub mod lds;
pub mod mrz;
pub mod pa;
pub mod tlv;

pub use mrz::{Date, Mrz, MrzError, MrzErrorKind, MrzFormat, Sex};
pub use pa::{
    CheckResult, PassiveAuthInput, PassiveAuthReport, TrustStore, Verdict, passive_authentication,
};
