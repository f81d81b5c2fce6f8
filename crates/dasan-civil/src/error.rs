use dasan_kernel::{ErrorKind, FieldError, Problem};
use dasan_store::StoreError;

/// Failures of civil services.
#[derive(Debug, thiserror::Error)]
pub enum CivilError {
    #[error("invalid: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldError>),
    /// Not there, or not the caller's to see.
    #[error("not found")]
    NotFound,
    /// The applicant may not use this service (kind of account, age, nationality).
    #[error("not eligible: {0}")]
    NotEligible(&'static str),
    /// The registries may not give the agency what the form needs: the service is
    /// misconfigured (no data-sharing rule).
    #[error("the registry refused the look-up the form needs")]
    PrefillRefused,
    /// The action is not possible in the application's current status.
    #[error("{action} is not possible when the application is {status}")]
    Transition {
        action: &'static str,
        status: &'static str,
    },
    /// Someone changed the application since the caller read it (or another official decided
    /// it first).
    #[error("the application was changed by someone else")]
    Stale,
    /// Another official works on it.
    #[error("another official is working on this application")]
    AssignedToOther,
    /// Documents cannot be issued now (no PKI, key store, fonts or file store): an operator
    /// must act; the cause is logged, never shown.
    #[error("official documents cannot be issued at the moment")]
    DocumentsUnavailable,
    /// The business owes taxes: no tax payment certificate can say it does not.
    #[error("taxes are in arrears")]
    TaxArrears,
    #[error(transparent)]
    Store(StoreError),
    #[error("registry: {0}")]
    Registry(dasan_registry::RegistryError),
}

impl From<StoreError> for CivilError {
    fn from(e: StoreError) -> Self {
        CivilError::Store(e)
    }
}

impl From<dasan_registry::RegistryError> for CivilError {
    fn from(e: dasan_registry::RegistryError) -> Self {
        match e {
            dasan_registry::RegistryError::Store(s) => CivilError::Store(s),
            dasan_registry::RegistryError::NotFound => CivilError::NotFound,
            dasan_registry::RegistryError::LookupRefused { .. } => CivilError::PrefillRefused,
            other => CivilError::Registry(other),
        }
    }
}

impl From<dasan_identity::IdentityError> for CivilError {
    fn from(e: dasan_identity::IdentityError) -> Self {
        match e {
            dasan_identity::IdentityError::Store(s) => CivilError::Store(s),
            dasan_identity::IdentityError::Invalid(f) => CivilError::Invalid(f),
            _ => CivilError::NotFound,
        }
    }
}

impl Problem for CivilError {
    fn kind(&self) -> ErrorKind {
        match self {
            CivilError::Invalid(_) => ErrorKind::Invalid,
            CivilError::NotFound => ErrorKind::NotFound,
            CivilError::NotEligible(_) => ErrorKind::Forbidden,
            CivilError::PrefillRefused => ErrorKind::Internal,
            CivilError::Transition { .. } | CivilError::Stale | CivilError::AssignedToOther => {
                ErrorKind::Conflict
            }
            CivilError::DocumentsUnavailable => ErrorKind::Unavailable,
            CivilError::TaxArrears => ErrorKind::Conflict,
            CivilError::Store(e) => e.kind(),
            CivilError::Registry(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CivilError::Invalid(_) => "validation-failed",
            CivilError::NotFound => "not-found",
            CivilError::NotEligible(_) => "not-eligible",
            CivilError::PrefillRefused => "internal",
            CivilError::Transition { .. } => "invalid-transition",
            CivilError::Stale => "application-changed",
            CivilError::AssignedToOther => "assigned-to-other",
            CivilError::DocumentsUnavailable => "documents-unavailable",
            CivilError::TaxArrears => "tax-arrears",
            CivilError::Store(e) => e.code(),
            CivilError::Registry(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            CivilError::Invalid(f) => f,
            _ => &[],
        }
    }
}
