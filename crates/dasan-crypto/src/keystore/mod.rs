//! Key stores: where the platform's signing keys live.
//!
//! [`KeyStore`] is the one interface; [`FileKeyStore`] keeps keys in encrypted files (the
//! default) and [`Pkcs11KeyStore`] keeps them in an HSM, so a deployment can move its keys into
//! hardware without code changes.
//!
//! Keys are addressed by a [`KeyId`]: a label (what the key is for, e.g. `mois-document-signing`)
//! and a version. `rotate` adds a new version that becomes current; older versions stay listed
//! and verifiable (and may still sign when addressed explicitly) until `retire`d. Retiring destroys
//! the private key, keeping only the public key and metadata, so a retired key cannot sign on any
//! node, ever.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;

mod error;
pub mod file;
mod kek;
pub mod pkcs11;
mod software;

pub use error::KeyStoreError;
pub use file::FileKeyStore;
pub use kek::{Argon2Params, KekSource};
pub use pkcs11::{Pkcs11Config, Pkcs11KeyStore};

/// Result alias for key store operations.
pub type Result<T, E = KeyStoreError> = std::result::Result<T, E>;

/// Identifies one version of a key: `label@vN`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId {
    /// What the key is for; see [`validate_label`].
    pub label: String,
    /// Version number, starting at 1.
    pub version: u32,
}

impl KeyId {
    /// A key id from its parts (not validated; stores validate on use).
    pub fn new(label: impl Into<String>, version: u32) -> Self {
        KeyId {
            label: label.into(),
            version,
        }
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@v{}", self.label, self.version)
    }
}

impl FromStr for KeyId {
    type Err = KeyStoreError;

    /// Parses the `label@vN` form produced by `Display`.
    fn from_str(s: &str) -> Result<Self> {
        let invalid = |reason| KeyStoreError::InvalidLabel {
            label: s.to_owned(),
            reason,
        };
        let (label, version) = s
            .rsplit_once("@v")
            .ok_or_else(|| invalid("expected label@vN"))?;
        validate_label(label)?;
        let version: u32 = version
            .parse()
            .map_err(|_| invalid("version is not a number"))?;
        if version == 0 {
            return Err(invalid("versions start at 1"));
        }
        Ok(KeyId::new(label, version))
    }
}

/// The lifecycle state of a key version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyState {
    /// The newest version of its label: what `current` returns.
    Active,
    /// An older version after a rotation: still listed and verifiable, and able to sign when
    /// addressed explicitly, until retired.
    Superseded,
    /// Private key destroyed; only the public key remains, for verifying old signatures.
    Retired,
}

/// Metadata of one key version. Contains no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Label and version.
    pub id: KeyId,
    /// Signature algorithm (fixed for the key's lifetime).
    pub algorithm: Algorithm,
    /// When the key was generated, microseconds since the Unix epoch (UTC).
    pub created_us: i64,
    /// When the key was retired, if it was.
    pub retired_us: Option<i64>,
    /// Lifecycle state.
    pub state: KeyState,
}

impl KeyInfo {
    /// Creation time.
    pub fn created(&self) -> SystemTime {
        from_unix_micros(self.created_us)
    }

    /// Whether this version can still sign.
    pub fn can_sign(&self) -> bool {
        self.state != KeyState::Retired
    }
}

/// A store of signing keys.
///
/// Implementations are synchronous and thread-safe, and the trait is object-safe so the
/// platform can hold an `Arc<dyn KeyStore>` chosen by configuration. Operations that record a
/// time take `now` from the caller (the platform's injected clock).
pub trait KeyStore: Send + Sync + fmt::Debug {
    /// Short name of the backend (`"file"`, `"pkcs11"`), for logs and diagnostics.
    fn backend(&self) -> &'static str;

    /// Generate version 1 of a new key.
    ///
    /// # Errors
    /// [`KeyStoreError::AlreadyExists`] if the label exists; [`KeyStoreError::InvalidLabel`].
    fn generate(&self, label: &str, algorithm: Algorithm, now: SystemTime) -> Result<KeyInfo>;

    /// Generate the next version of an existing label; it becomes current. `algorithm` changes
    /// the algorithm for the new version (e.g. to migrate from RSA to ECDSA); `None` keeps the
    /// current one.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`] if the label does not exist.
    fn rotate(&self, label: &str, algorithm: Option<Algorithm>, now: SystemTime)
    -> Result<KeyInfo>;

    /// Retire one version: destroy its private key, keep its public key and metadata.
    /// Irreversible. Retiring an already retired version returns its info unchanged.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`] if the version does not exist.
    fn retire(&self, id: &KeyId, now: SystemTime) -> Result<KeyInfo>;

    /// Metadata of one version.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`].
    fn key_info(&self, id: &KeyId) -> Result<KeyInfo>;

    /// All versions of one label, oldest first.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`] if the label does not exist.
    fn versions(&self, label: &str) -> Result<Vec<KeyInfo>>;

    /// Every version of every key, ordered by label then version.
    ///
    /// # Errors
    /// Backend errors; a corrupt or tampered entry is an error, not silently skipped.
    fn list(&self) -> Result<Vec<KeyInfo>>;

    /// The public key of a version as DER `SubjectPublicKeyInfo` (available even when retired).
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`].
    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>>;

    /// Sign `message`; the store hashes it as the algorithm requires. ECDSA signatures are DER
    /// (`Ecdsa-Sig-Value`, as X.509 and CMS need; see
    /// [`ecdsa_der_to_fixed`](crate::verify::ecdsa_der_to_fixed) for JOSE/COSE), RSA signatures
    /// are the modulus-sized integer, Ed25519 signatures are 64 bytes.
    ///
    /// # Errors
    /// [`KeyStoreError::Retired`] for a retired version; [`KeyStoreError::NotFound`].
    fn sign(&self, id: &KeyId, message: &[u8]) -> Result<Vec<u8>>;

    /// Sign a digest computed by the caller with the algorithm's hash (e.g. the digest of CMS
    /// signed attributes). Same output format as [`sign`](KeyStore::sign).
    ///
    /// # Errors
    /// [`KeyStoreError::Unsupported`] for Ed25519 (pure EdDSA signs messages, not digests);
    /// [`KeyStoreError::DigestLength`] for a digest of the wrong size.
    fn sign_digest(&self, id: &KeyId, digest: &[u8]) -> Result<Vec<u8>>;

    /// The current (newest) version of a label.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`]; [`KeyStoreError::NoActiveVersion`] if the newest version
    /// is retired.
    fn current(&self, label: &str) -> Result<KeyInfo> {
        let versions = self.versions(label)?;
        let newest = versions
            .into_iter()
            .next_back()
            .ok_or_else(|| KeyStoreError::NotFound(label.to_owned()))?;
        if newest.state == KeyState::Retired {
            return Err(KeyStoreError::NoActiveVersion(label.to_owned()));
        }
        Ok(newest)
    }
}

/// Label rules: 1 to 64 characters from `a-z`, `0-9`, `.`, `_`, `-`, starting with a letter or
/// digit. Lower case only, so labels map one-to-one onto file names on case-insensitive
/// filesystems and onto PKCS#11 labels.
///
/// # Errors
/// [`KeyStoreError::InvalidLabel`] naming the broken rule.
pub fn validate_label(label: &str) -> Result<()> {
    let invalid = |reason| KeyStoreError::InvalidLabel {
        label: label.chars().take(80).collect(),
        reason,
    };
    if label.is_empty() || label.len() > 64 {
        return Err(invalid("must be 1 to 64 characters"));
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(invalid("only a-z, 0-9, '.', '_' and '-' are allowed"));
    }
    if !label
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(invalid("must start with a letter or digit"));
    }
    Ok(())
}

/// Microseconds since the Unix epoch; times before 1970 clamp to 0 and far-future times
/// saturate, so a bad clock cannot make this fail.
pub(crate) fn unix_micros(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

pub(crate) fn from_unix_micros(us: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

/// Derive the lifecycle state of each version from the retired flags: the newest version is
/// `Active` unless retired, older unretired versions are `Superseded`.
pub(crate) fn assign_states(versions: &mut [KeyInfo]) {
    let newest = versions.iter().map(|k| k.id.version).max();
    for info in versions.iter_mut() {
        info.state = if info.retired_us.is_some() {
            KeyState::Retired
        } else if Some(info.id.version) == newest {
            KeyState::Active
        } else {
            KeyState::Superseded
        };
    }
}

pub(crate) fn check_digest(algorithm: Algorithm, digest: &[u8]) -> Result<()> {
    let hash = algorithm.hash().ok_or(KeyStoreError::Unsupported {
        algorithm,
        operation: "signing a precomputed digest",
    })?;
    if digest.len() != hash.output_len() {
        return Err(KeyStoreError::DigestLength {
            algorithm,
            expected: hash.output_len(),
            actual: digest.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for ok in ["a", "mois-document-signing", "pki.root_2", "9x"] {
            validate_label(ok).expect(ok);
        }
        for bad in ["", "A", "-x", ".x", "a/b", "a b", "ä", &"x".repeat(65)] {
            assert!(validate_label(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn key_id_round_trip() {
        let id = KeyId::new("audit-checkpoint", 12);
        assert_eq!(id.to_string(), "audit-checkpoint@v12");
        assert_eq!("audit-checkpoint@v12".parse::<KeyId>().expect("parse"), id);
        for bad in ["x", "x@v0", "x@v", "X@v1", "x@vq"] {
            assert!(bad.parse::<KeyId>().is_err(), "{bad}");
        }
    }
}
