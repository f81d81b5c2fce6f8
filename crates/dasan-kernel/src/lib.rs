//! Identifiers, clock, money and base error types shared by every Dasan crate.
//!
//! Nothing here does I/O: these are the value types every layer agrees on.

pub mod actor;
pub mod error;
pub mod id;
pub mod money;
pub mod time;

pub use actor::{Actor, ActorKind};
pub use error::{ErrorKind, FieldError, Problem};
pub use money::{Currency, Money, MoneyError};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
