//! The typed errors of the store-backed procurement services (the pure modules keep their own).

use dasan_kernel::{ErrorKind, FieldError, Problem, Timestamp};
use dasan_store::StoreError;

/// Failures of suppliers, tenders, bids and openings.
#[derive(Debug, thiserror::Error)]
pub enum ProcurementError {
    #[error("invalid: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldError>),
    /// Not there, or not the caller's to see.
    #[error("not found")]
    NotFound,
    /// The caller may not do this (missing permission, not the business's representative, not
    /// an authorised bidder, not on the committee).
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The business is already a registered supplier.
    #[error("the business is already a registered supplier")]
    AlreadyRegistered,
    /// The business registry does not list the business as trading.
    #[error("the business registry lists this business as {0}")]
    BusinessNotActive(&'static str),
    /// The business is not a registered supplier: it cannot bid.
    #[error("the business is not a registered supplier")]
    NotRegistered,
    /// The supplier is debarred: it cannot bid.
    #[error("the supplier is debarred from {from} until {}: {reason}", until.map(|t| t.to_string()).unwrap_or_else(|| "further notice".into()))]
    Debarred {
        from: Timestamp,
        until: Option<Timestamp>,
        reason: String,
    },
    /// The supplier does not meet the tender's eligibility (category, licence, invitation).
    #[error("the supplier is not eligible for this tender: {0}")]
    NotEligible(&'static str),
    /// A deadline or opening time is not on the hour.
    #[error("{field} must be on the hour (minutes, seconds and microseconds zero)")]
    NotOnTheHour { field: &'static str },
    /// The hour already has as many closing tenders as the platform allows.
    #[error("{cap} tenders already close at {hour}; free hours: {}", next_free.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))]
    HourFull {
        hour: Timestamp,
        cap: u32,
        /// The next hours with room (at most five).
        next_free: Vec<Timestamp>,
    },
    /// A bid arrived at or after the deadline.
    #[error("the bid deadline {deadline} has passed (received {received})")]
    DeadlinePassed {
        deadline: Timestamp,
        received: Timestamp,
    },
    /// Questions are closed.
    #[error("the clarification deadline {0} has passed")]
    ClarificationClosed(Timestamp),
    /// Too early for this step (closing before the deadline, opening before the opening time).
    #[error("not before {0}")]
    TooEarly(Timestamp),
    /// The action is not possible in the tender's (or bid's) current status.
    #[error("{action} is not possible when the tender is {status}")]
    Transition {
        action: &'static str,
        status: String,
    },
    /// The sealed bid does not fit the tender or does not verify.
    #[error("bid envelope: {0}")]
    Envelope(#[from] crate::EnvelopeError),
    /// The bid could not be sealed (server-side path).
    #[error("sealing: {0}")]
    Seal(#[from] crate::SealError),
    /// The key that signed the bid is not the submitting bidder's registered key.
    #[error("the bid is signed with a key not registered for this bidder")]
    UnknownSigningKey,
    /// The key ceremony could not run (committee size, threshold, duplicate keys).
    #[error("key ceremony: {0}")]
    Ceremony(#[from] crate::CeremonyError),
    /// Fewer shares were released than the threshold: the bids cannot be opened.
    #[error("{have} of the {need} shares needed to open were released")]
    NotEnoughShares { have: usize, need: u8 },
    /// The released shares do not rebuild the tender key (a corrupt or foreign share).
    #[error("the released shares do not rebuild the tender key: {0}")]
    Reconstruct(crate::ReconstructError),
    /// The reserve-price seed does not open or does not match its commitment.
    #[error("the reserve price seed: {0}")]
    Seed(String),
    /// The standstill period of the award ended at this instant: no complaint can be filed.
    #[error("the standstill period ended at {0}")]
    StandstillOver(Timestamp),
    /// The evaluation's inputs are inconsistent (see the inner error).
    #[error("evaluation: {0}")]
    Evaluation(#[from] crate::EvaluationError),
    /// The platform's signing key could not be used.
    #[error("platform signing key: {0}")]
    Signing(String),
    /// Something the deployment must provide is missing (the PKI, the fonts).
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("registry: {0}")]
    Registry(dasan_registry::RegistryError),
}

impl From<StoreError> for ProcurementError {
    fn from(e: StoreError) -> Self {
        ProcurementError::Store(e)
    }
}

impl From<sqlx::Error> for ProcurementError {
    fn from(e: sqlx::Error) -> Self {
        ProcurementError::Store(StoreError::from_sqlx(e))
    }
}

impl From<dasan_registry::RegistryError> for ProcurementError {
    fn from(e: dasan_registry::RegistryError) -> Self {
        match e {
            dasan_registry::RegistryError::Store(s) => ProcurementError::Store(s),
            dasan_registry::RegistryError::NotFound => ProcurementError::NotFound,
            other => ProcurementError::Registry(other),
        }
    }
}

impl From<dasan_identity::IdentityError> for ProcurementError {
    fn from(e: dasan_identity::IdentityError) -> Self {
        use dasan_identity::IdentityError as I;
        match e {
            I::Store(s) => ProcurementError::Store(s),
            I::Invalid(f) => ProcurementError::Invalid(f),
            I::Registry(r) => r.into(),
            I::Forbidden | I::SecondFactorRequired | I::Unauthenticated => {
                ProcurementError::Forbidden("identity")
            }
            _ => ProcurementError::NotFound,
        }
    }
}

impl From<dasan_notify::NotifyError> for ProcurementError {
    fn from(e: dasan_notify::NotifyError) -> Self {
        match e {
            dasan_notify::NotifyError::Store(s) => ProcurementError::Store(s),
            // Procurement only queues e-mail: a bad recipient is a bad address.
            dasan_notify::NotifyError::BadRecipient | dasan_notify::NotifyError::NotMobile => {
                ProcurementError::Invalid(vec![FieldError::new("email", "procurement-error-email")])
            }
            dasan_notify::NotifyError::Config(c) => {
                ProcurementError::Store(StoreError::Corrupt(format!("notify: {c}")))
            }
        }
    }
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> ProcurementError {
    ProcurementError::Store(StoreError::Corrupt(what.to_string()))
}

pub(crate) fn invalid(field: &str, message: &'static str) -> ProcurementError {
    ProcurementError::Invalid(vec![FieldError::new(field, message)])
}

impl Problem for ProcurementError {
    fn kind(&self) -> ErrorKind {
        use ProcurementError as E;
        match self {
            E::Invalid(_) | E::NotOnTheHour { .. } | E::Envelope(_) | E::Seal(_) => {
                ErrorKind::Invalid
            }
            E::Ceremony(_) => ErrorKind::Invalid,
            E::NotFound => ErrorKind::NotFound,
            E::Forbidden(_)
            | E::NotRegistered
            | E::Debarred { .. }
            | E::NotEligible(_)
            | E::BusinessNotActive(_)
            | E::UnknownSigningKey => ErrorKind::Forbidden,
            E::AlreadyRegistered
            | E::HourFull { .. }
            | E::DeadlinePassed { .. }
            | E::ClarificationClosed(_)
            | E::TooEarly(_)
            | E::Transition { .. }
            | E::NotEnoughShares { .. }
            | E::Reconstruct(_)
            | E::StandstillOver(_)
            | E::Evaluation(_) => ErrorKind::Conflict,
            E::Seed(_) | E::Signing(_) => ErrorKind::Internal,
            E::Unavailable(_) => ErrorKind::Unavailable,
            E::Store(e) => e.kind(),
            E::Registry(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        use ProcurementError as E;
        match self {
            E::Invalid(_) => "validation-failed",
            E::NotFound => "not-found",
            E::Forbidden(_) => "forbidden",
            E::AlreadyRegistered => "supplier-already-registered",
            E::BusinessNotActive(_) => "business-not-active",
            E::NotRegistered => "supplier-not-registered",
            E::Debarred { .. } => "supplier-debarred",
            E::NotEligible(_) => "supplier-not-eligible",
            E::NotOnTheHour { .. } => "deadline-not-on-the-hour",
            E::HourFull { .. } => "deadline-hour-full",
            E::DeadlinePassed { .. } => "bid-deadline-passed",
            E::ClarificationClosed(_) => "clarification-closed",
            E::TooEarly(_) => "too-early",
            E::Transition { .. } => "invalid-transition",
            E::Envelope(_) => "bid-envelope-invalid",
            E::Seal(_) => "bid-invalid",
            E::UnknownSigningKey => "bid-signing-key-unknown",
            E::Ceremony(_) => "key-ceremony-invalid",
            E::NotEnoughShares { .. } => "not-enough-shares",
            E::Reconstruct(_) => "shares-do-not-match",
            E::StandstillOver(_) => "standstill-over",
            E::Evaluation(_) => "evaluation-failed",
            E::Seed(_) | E::Signing(_) => "internal",
            E::Unavailable(_) => "unavailable",
            E::Store(e) => e.code(),
            E::Registry(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            ProcurementError::Invalid(f) => f,
            _ => &[],
        }
    }
}
