use dasan_kernel::{ErrorKind, FieldError, Problem};
use dasan_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("the e-mail address is not valid")]
    InvalidEmail,
    #[error("the name must be between 1 and 200 characters")]
    InvalidName,
    #[error("the password must have at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("the password must have at most {max} characters")]
    PasswordTooLong { max: usize },
    #[error("the password is on the list of common or breached passwords")]
    PasswordCommon,
    #[error("the password is too easy to guess")]
    PasswordWeak,
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    /// Wrong e-mail or password — deliberately not saying which.
    #[error("the e-mail address or password is not right")]
    InvalidCredentials,
    #[error("the code is not right or has expired")]
    InvalidCode,
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("sign in first")]
    Unauthenticated,
    #[error("confirm a second factor first")]
    SecondFactorRequired,
    #[error("not permitted")]
    Forbidden,
    /// Not there, or not the caller's: the same answer, so nobody can probe for others' objects.
    #[error("not found")]
    NotFound,
    #[error("the link or token is not valid, has expired or was already used")]
    InvalidToken,
    #[error("the passkey could not be verified")]
    Passkey,
    #[error("password hashing failed")]
    Hashing,
    #[error("{}", FieldErrors(.0))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Registry(dasan_registry::RegistryError),
}

impl From<dasan_registry::RegistryError> for IdentityError {
    fn from(err: dasan_registry::RegistryError) -> Self {
        match err {
            dasan_registry::RegistryError::Store(s) => IdentityError::Store(s),
            dasan_registry::RegistryError::NotFound => IdentityError::NotFound,
            dasan_registry::RegistryError::Invalid(fields) => IdentityError::Invalid(fields),
            other => IdentityError::Registry(other),
        }
    }
}

impl From<StoreError> for IdentityError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate { .. } => IdentityError::EmailTaken,
            other => IdentityError::Store(other),
        }
    }
}

impl std::fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", names.join(", "))
    }
}

struct FieldErrors<'a>(&'a [FieldError]);

impl Problem for IdentityError {
    fn kind(&self) -> ErrorKind {
        match self {
            IdentityError::InvalidEmail
            | IdentityError::InvalidName
            | IdentityError::PasswordTooShort { .. }
            | IdentityError::PasswordTooLong { .. }
            | IdentityError::PasswordCommon
            | IdentityError::PasswordWeak
            | IdentityError::InvalidCode
            | IdentityError::InvalidToken
            | IdentityError::Passkey
            | IdentityError::Invalid(_) => ErrorKind::Invalid,
            IdentityError::InvalidCredentials | IdentityError::Unauthenticated => {
                ErrorKind::Unauthenticated
            }
            IdentityError::SecondFactorRequired | IdentityError::Forbidden => ErrorKind::Forbidden,
            IdentityError::NotFound => ErrorKind::NotFound,
            IdentityError::EmailTaken => ErrorKind::Conflict,
            IdentityError::RateLimited { .. } => ErrorKind::RateLimited,
            IdentityError::Hashing => ErrorKind::Internal,
            IdentityError::Store(e) => e.kind(),
            IdentityError::Registry(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IdentityError::InvalidEmail => "invalid-email",
            IdentityError::InvalidName => "invalid-name",
            IdentityError::PasswordTooShort { .. } => "password-too-short",
            IdentityError::PasswordTooLong { .. } => "password-too-long",
            IdentityError::PasswordCommon => "password-common",
            IdentityError::PasswordWeak => "password-weak",
            IdentityError::EmailTaken => "email-taken",
            IdentityError::InvalidCredentials => "invalid-credentials",
            IdentityError::InvalidCode => "invalid-code",
            IdentityError::RateLimited { .. } => "rate-limited",
            IdentityError::Unauthenticated => "unauthenticated",
            IdentityError::SecondFactorRequired => "second-factor-required",
            IdentityError::Forbidden => "forbidden",
            IdentityError::NotFound => "not-found",
            IdentityError::InvalidToken => "invalid-token",
            IdentityError::Passkey => "passkey-failed",
            IdentityError::Hashing => "internal",
            IdentityError::Invalid(_) => "validation-failed",
            IdentityError::Store(e) => e.code(),
            IdentityError::Registry(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            IdentityError::Invalid(fields) => fields,
            _ => &[],
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            IdentityError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl IdentityError {
    /// The same error as a field-level message on `field` (for forms).
    pub fn on_field(&self, field: &str) -> FieldError {
        let message = match self {
            IdentityError::InvalidEmail => "identity-error-email",
            IdentityError::InvalidName => "identity-error-name",
            IdentityError::PasswordTooShort { .. } => "identity-error-password-short",
            IdentityError::PasswordTooLong { .. } => "identity-error-password-long",
            IdentityError::PasswordCommon => "identity-error-password-common",
            IdentityError::PasswordWeak => "identity-error-password-weak",
            IdentityError::EmailTaken => "identity-error-email-taken",
            IdentityError::InvalidCredentials => "identity-error-credentials",
            IdentityError::InvalidCode => "identity-error-code",
            _ => "identity-error-generic",
        };
        let error = FieldError::new(field, message);
        match self {
            IdentityError::PasswordTooShort { min } => error.with_arg("min", min),
            IdentityError::PasswordTooLong { max } => error.with_arg("max", max),
            _ => error,
        }
    }
}
