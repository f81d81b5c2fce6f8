use crate::sharing::PersonField;
use dasan_kernel::{ErrorKind, FieldError, Problem};
use dasan_store::StoreError;

/// Failures of the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The input fails validation; one message per field.
    #[error("{}", FieldErrors(.0))]
    Invalid(Vec<FieldError>),
    /// No such record (or none the caller may know of).
    #[error("not found")]
    NotFound,
    /// A record with the same national identifier, registration number or code exists.
    #[error("a record with the same {0} already exists")]
    Duplicate(String),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (now at version {current})")]
    Stale { current: i64 },
    /// No data-sharing rule lets this agency read these fields for this purpose. The refusal
    /// is in the audit log.
    #[error("agency {agency} may not read {} for purpose {purpose}", fields_list(.fields))]
    LookupRefused {
        agency: String,
        purpose: String,
        fields: Vec<PersonField>,
    },
    /// An import file could not be read at all (as opposed to bad rows, which are reported).
    #[error("cannot read the import: {0}")]
    ImportFile(String),
    #[error(transparent)]
    Store(StoreError),
}

fn fields_list(fields: &[PersonField]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

struct FieldErrors<'a>(&'a [FieldError]);

impl std::fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", names.join(", "))
    }
}

impl From<StoreError> for RegistryError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate { constraint } => RegistryError::Duplicate(constraint),
            other => RegistryError::Store(other),
        }
    }
}

impl From<sqlx::Error> for RegistryError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from_sqlx(err).into()
    }
}

impl Problem for RegistryError {
    fn kind(&self) -> ErrorKind {
        match self {
            RegistryError::Invalid(_) | RegistryError::ImportFile(_) => ErrorKind::Invalid,
            RegistryError::NotFound => ErrorKind::NotFound,
            RegistryError::Duplicate(_) | RegistryError::Stale { .. } => ErrorKind::Conflict,
            RegistryError::LookupRefused { .. } => ErrorKind::Forbidden,
            RegistryError::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            RegistryError::Invalid(_) => "validation-failed",
            RegistryError::NotFound => "not-found",
            RegistryError::Duplicate(_) => "registry-duplicate",
            RegistryError::Stale { .. } => "registry-stale",
            RegistryError::LookupRefused { .. } => "lookup-refused",
            RegistryError::ImportFile(_) => "registry-import-unreadable",
            RegistryError::Store(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            RegistryError::Invalid(fields) => fields,
            _ => &[],
        }
    }
}
