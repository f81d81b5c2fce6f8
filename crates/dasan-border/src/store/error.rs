//! The border service's typed errors.

use dasan_kernel::{ErrorKind, FieldError, Problem};
use dasan_store::StoreError;

/// Why a gate request was refused before any decision was made. A refused request is never a
/// decision about the traveller: the gate must retry or call an officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestRefusal {
    /// No gate is registered under this id.
    UnknownDevice,
    /// The gate's key was revoked.
    DeviceRevoked,
    /// The signature is missing, malformed or does not verify with the gate's key.
    BadSignature,
    /// The body is not a gate request (after a valid signature).
    MalformedBody,
    /// The body names another gate or port than the device's registration.
    DeviceMismatch,
    /// The request's time is too far from the server's clock.
    StaleTimestamp,
    /// The nonce was used before: a replayed request.
    ReplayedNonce,
}

impl RequestRefusal {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            RequestRefusal::UnknownDevice => "gate-unknown-device",
            RequestRefusal::DeviceRevoked => "gate-device-revoked",
            RequestRefusal::BadSignature => "gate-bad-signature",
            RequestRefusal::MalformedBody => "gate-malformed-body",
            RequestRefusal::DeviceMismatch => "gate-device-mismatch",
            RequestRefusal::StaleTimestamp => "gate-stale-timestamp",
            RequestRefusal::ReplayedNonce => "gate-replayed-nonce",
        }
    }
}

/// Failures of the border service.
#[derive(Debug, thiserror::Error)]
pub enum BorderError {
    /// Input fails validation (field by field).
    #[error("invalid: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldError>),
    /// Not there.
    #[error("not found")]
    NotFound,
    /// The traveller may not enrol (nationality, age, document).
    #[error("not eligible: {0}")]
    NotEligible(&'static str),
    /// Nationals of self-service states use the gates without enrolling.
    #[error("nationals of {0} use the gates without enrolling")]
    EnrolmentNotRequired(String),
    /// The passport read at the desk is not authentic or not the pre-registered one.
    #[error("the passport chip failed verification: {0}")]
    DocumentNotAuthentic(String),
    /// The action is not possible in the current state.
    #[error("{action} is not possible when the {what} is {status}")]
    Transition {
        what: &'static str,
        action: &'static str,
        status: String,
    },
    /// Someone changed it since it was read (or decided it first).
    #[error("changed by someone else")]
    Stale,
    /// A watchlist, lost/stolen, visa or waiver file could not be imported.
    #[error("import failed: {0}")]
    Import(String),
    /// A gate request refused before deciding.
    #[error("gate request refused: {}", .0.code())]
    Request(RequestRefusal),
    /// A device key that cannot be used (not Ed25519 or ECDSA P-256, not parseable).
    #[error("device key not accepted: {0}")]
    DeviceKey(String),
    /// The biometric reference key is wrong or the sealed data was altered.
    #[error("biometric reference cannot be opened")]
    Sealed,
    /// Replaying a stored decision gave another result, or the record was altered.
    #[error("replay of decision {0} does not match the stored decision")]
    ReplayMismatch(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BorderError {
    fn from(e: StoreError) -> Self {
        BorderError::Store(e)
    }
}

impl From<sqlx::Error> for BorderError {
    fn from(e: sqlx::Error) -> Self {
        BorderError::Store(StoreError::from_sqlx(e))
    }
}

impl BorderError {
    /// One invalid field.
    pub fn invalid(field: &str, message: &'static str) -> Self {
        BorderError::Invalid(vec![FieldError::new(field, message)])
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        BorderError::Store(StoreError::Corrupt(what.to_string()))
    }
}

impl Problem for BorderError {
    fn kind(&self) -> ErrorKind {
        match self {
            BorderError::Invalid(_)
            | BorderError::Import(_)
            | BorderError::DeviceKey(_)
            | BorderError::DocumentNotAuthentic(_) => ErrorKind::Invalid,
            BorderError::NotFound => ErrorKind::NotFound,
            BorderError::NotEligible(_) | BorderError::EnrolmentNotRequired(_) => {
                ErrorKind::Forbidden
            }
            BorderError::Transition { .. } | BorderError::Stale => ErrorKind::Conflict,
            BorderError::Request(r) => match r {
                RequestRefusal::UnknownDevice
                | RequestRefusal::DeviceRevoked
                | RequestRefusal::BadSignature => ErrorKind::Unauthenticated,
                RequestRefusal::DeviceMismatch => ErrorKind::Forbidden,
                RequestRefusal::MalformedBody | RequestRefusal::StaleTimestamp => {
                    ErrorKind::Invalid
                }
                RequestRefusal::ReplayedNonce => ErrorKind::Conflict,
            },
            BorderError::Sealed | BorderError::ReplayMismatch(_) => ErrorKind::Internal,
            BorderError::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BorderError::Invalid(_) => "validation-failed",
            BorderError::NotFound => "not-found",
            BorderError::NotEligible(_) => "not-eligible",
            BorderError::EnrolmentNotRequired(_) => "enrolment-not-required",
            BorderError::DocumentNotAuthentic(_) => "document-not-authentic",
            BorderError::Transition { .. } => "invalid-transition",
            BorderError::Stale => "changed-by-someone-else",
            BorderError::Import(_) => "import-failed",
            BorderError::Request(r) => r.code(),
            BorderError::DeviceKey(_) => "device-key-not-accepted",
            BorderError::Sealed => "biometric-reference-unreadable",
            BorderError::ReplayMismatch(_) => "decision-record-mismatch",
            BorderError::Store(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            BorderError::Invalid(f) => f,
            _ => &[],
        }
    }
}
