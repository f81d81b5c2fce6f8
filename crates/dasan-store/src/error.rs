use dasan_kernel::{ErrorKind, Problem};

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL is not valid: {0}")]
    BadUrl(String),
    #[error("cannot prepare the database location {path}: {source}")]
    Location {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database schema is newer than this program (applied migration {0} is unknown)")]
    SchemaTooNew(i64),
    #[error("a record with the same {constraint} already exists")]
    Duplicate { constraint: String },
    #[error("the database is busy or unreachable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Query(#[source] sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A state change tried to commit without saying what it did (no audit event).
    #[error("refusing to commit a state change with no audit event")]
    Unaudited,
}

impl StoreError {
    /// Classifies a driver error: constraint violations and lost connections are not bugs.
    pub fn from_sqlx(err: sqlx::Error) -> Self {
        if let Some(db) = err.as_database_error() {
            if matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
                return StoreError::Duplicate {
                    constraint: db.constraint().unwrap_or("key").to_owned(),
                };
            }
            // SQLite BUSY/LOCKED (5, 6) and PostgreSQL serialization/deadlock/too-many-connections.
            if let Some(code) = db.code()
                && matches!(
                    code.as_ref(),
                    "5" | "6" | "517" | "40001" | "40P01" | "53300" | "57P01"
                )
            {
                return StoreError::Unavailable(err);
            }
        }
        match err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err),
            other => StoreError::Query(other),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from_sqlx(err)
    }
}

impl Problem for StoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Duplicate { .. } => ErrorKind::Conflict,
            StoreError::Connect(_) | StoreError::Unavailable(_) => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            StoreError::Duplicate { .. } => "duplicate",
            StoreError::Connect(_) | StoreError::Unavailable(_) => "database-unavailable",
            _ => "internal",
        }
    }
}
