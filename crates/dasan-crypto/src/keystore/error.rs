//! The key store's error type.

use std::path::PathBuf;

use crate::algorithm::Algorithm;
use crate::keystore::KeyId;

/// Everything a [`KeyStore`](crate::KeyStore) operation can fail with.
///
/// Messages name keys, files and operations but never contain key material or passphrases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// The label does not follow the label rules (see [`validate_label`](crate::keystore::validate_label)).
    #[error("invalid key label {label:?}: {reason}")]
    InvalidLabel {
        /// The rejected label.
        label: String,
        /// Which rule it broke.
        reason: &'static str,
    },
    /// No key with this label (or label and version) exists.
    #[error("no key {0} in the key store")]
    NotFound(String),
    /// `generate` was asked for a label that already exists (use `rotate`).
    #[error("a key labelled {0:?} already exists; rotate it instead")]
    AlreadyExists(String),
    /// The key version is retired: its private key is gone and it can no longer sign.
    #[error("key {0} is retired and can no longer sign")]
    Retired(KeyId),
    /// The label's newest version is retired, so the label has no current key.
    #[error("label {0:?} has no active version (its newest version is retired); rotate it")]
    NoActiveVersion(String),
    /// The key-encryption key does not open this file store.
    #[error("wrong key-encryption key for the key store at {0}")]
    WrongKek(PathBuf),
    /// The key-encryption key could not be loaded or derived.
    #[error("key-encryption key unusable: {0}")]
    Kek(String),
    /// The store has not been created at this location.
    #[error("no key store at {0} (create it first)")]
    NoStore(PathBuf),
    /// A store already exists where one was to be created.
    #[error("a key store already exists at {0}")]
    StoreExists(PathBuf),
    /// A stored object is malformed, fails authentication, or does not match its name.
    #[error("key store object {object} is corrupt or was tampered with: {reason}")]
    Corrupt {
        /// File path or token object that failed.
        object: String,
        /// What was wrong.
        reason: String,
    },
    /// The operation is not possible with this algorithm.
    #[error("{operation} is not supported with {algorithm}")]
    Unsupported {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// What was attempted.
        operation: &'static str,
    },
    /// A precomputed digest has the wrong length for the key's algorithm.
    #[error("digest for {algorithm} must be {expected} bytes, got {actual}")]
    DigestLength {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// Required length.
        expected: usize,
        /// Given length.
        actual: usize,
    },
    /// Filesystem error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The PKCS#11 module reported an error.
    #[error("PKCS#11 {operation} failed: {source}")]
    Pkcs11 {
        /// What was being done.
        operation: &'static str,
        /// The module's error.
        #[source]
        source: cryptoki::error::Error,
    },
    /// The PKCS#11 module, slot or token could not be used as configured.
    #[error("PKCS#11 token unusable: {0}")]
    Token(String),
    /// A concurrent writer won a race the operation cannot recover from; retry.
    #[error("concurrent modification of {0}; retry the operation")]
    Conflict(String),
    /// Key generation, signing or encoding failed inside a cryptographic library.
    #[error("cryptographic operation failed: {0}")]
    Crypto(String),
}

impl KeyStoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        KeyStoreError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(object: impl Into<String>, reason: impl Into<String>) -> Self {
        KeyStoreError::Corrupt {
            object: object.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn crypto(e: impl std::fmt::Display) -> Self {
        KeyStoreError::Crypto(e.to_string())
    }
}
