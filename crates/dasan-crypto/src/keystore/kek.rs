//! The key-encryption key (KEK) of the file backend, and the AEAD built on it.
//!
//! AEAD choice: XChaCha20-Poly1305. Its 192-bit nonces can be drawn at random for every write
//! with no realistic collision risk, so several nodes sharing one folder need no nonce counter
//! or coordination; with AES-256-GCM's 96-bit nonces random nonces are only safe up to about
//! 2^32 encryptions per key. It is also constant-time in pure software, with no dependence on
//! AES-NI being present.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keystore::{KeyStoreError, Result};

/// Where the key-encryption key comes from.
pub enum KekSource {
    /// A file holding exactly 32 random bytes (e.g. `openssl rand 32 > kek.bin`, or
    /// [`KekSource::create_key_file`]).
    KeyFile(PathBuf),
    /// 32 key bytes the caller obtained elsewhere (a secret manager, an environment variable).
    Key(Zeroizing<[u8; 32]>),
    /// A passphrase stretched with Argon2id; salt and cost parameters live in the store header.
    Passphrase(SecretString),
}

impl fmt::Debug for KekSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KekSource::KeyFile(p) => f.debug_tuple("KeyFile").field(p).finish(),
            KekSource::Key(_) => f.write_str("Key([REDACTED])"),
            KekSource::Passphrase(_) => f.write_str("Passphrase([REDACTED])"),
        }
    }
}

impl KekSource {
    /// Write a new random 32-byte key file (mode 0600 on Unix). Fails if the file exists, so an
    /// existing KEK is never overwritten.
    ///
    /// # Errors
    /// I/O errors, including `AlreadyExists`.
    pub fn create_key_file(path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut())
            .map_err(|e| KeyStoreError::Crypto(format!("operating system RNG failed: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| KeyStoreError::io(path, e))?;
        file.write_all(key.as_ref())
            .and_then(|()| file.sync_all())
            .map_err(|e| KeyStoreError::io(path, e))
    }

    pub(crate) fn kind(&self) -> KekKind {
        match self {
            KekSource::KeyFile(_) | KekSource::Key(_) => KekKind::Key,
            KekSource::Passphrase(_) => KekKind::Passphrase,
        }
    }
}

/// Argon2id cost parameters for passphrase-derived KEKs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for Argon2Params {
    /// The OWASP Password Storage Cheat Sheet's Argon2id setting: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Argon2Params {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

impl Argon2Params {
    /// Refuse parameters weaker than the OWASP minimum, so a tampered or careless header
    /// cannot make a passphrase cheap to brute-force.
    fn check(&self) -> Result<()> {
        // OWASP's equivalent settings trade memory for passes; all cost >= 19 MiB x 2 passes
        // or 46 MiB x 1 pass. Require at least 7 MiB and memory x passes >= 37 MiB.
        let work = u64::from(self.m_cost_kib) * u64::from(self.t_cost);
        if self.m_cost_kib < 7 * 1024 || work < 37 * 1024 || self.p_cost == 0 {
            return Err(KeyStoreError::Kek(format!(
                "Argon2id parameters m={} KiB, t={}, p={} are below the OWASP minimum",
                self.m_cost_kib, self.t_cost, self.p_cost
            )));
        }
        Ok(())
    }
}

/// How the header says the KEK is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KekKind {
    Key,
    Passphrase,
}

/// The KEK section of the store header.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum KekHeader {
    /// A raw 32-byte key (from a file or the caller).
    Key,
    /// Argon2id over a passphrase.
    Passphrase {
        kdf: String,
        #[serde(flatten)]
        params: Argon2Params,
        /// Base64 salt (16 random bytes).
        salt: String,
    },
}

impl KekHeader {
    pub(crate) fn kind(&self) -> KekKind {
        match self {
            KekHeader::Key => KekKind::Key,
            KekHeader::Passphrase { .. } => KekKind::Passphrase,
        }
    }

    /// A fresh header for a new store.
    pub(crate) fn new(kind: KekKind, params: Argon2Params) -> Result<Self> {
        Ok(match kind {
            KekKind::Key => KekHeader::Key,
            KekKind::Passphrase => {
                params.check()?;
                let mut salt = [0u8; 16];
                getrandom::fill(&mut salt).map_err(|e| {
                    KeyStoreError::Crypto(format!("operating system RNG failed: {e}"))
                })?;
                KekHeader::Passphrase {
                    kdf: "argon2id-v19".into(),
                    params,
                    salt: crate::b64::encode(&salt),
                }
            }
        })
    }
}

/// The resolved 32-byte key-encryption key. Wiped on drop; never printed.
pub(crate) struct Kek {
    key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kek([REDACTED])")
    }
}

/// An AEAD output: random nonce plus ciphertext-with-tag.
pub(crate) struct Sealed {
    pub(crate) nonce: [u8; 24],
    pub(crate) ciphertext: Vec<u8>,
}

impl Kek {
    /// Resolve `source` against the store's header.
    pub(crate) fn resolve(source: &KekSource, header: &KekHeader) -> Result<Self> {
        if source.kind() != header.kind() {
            return Err(KeyStoreError::Kek(match header.kind() {
                KekKind::Key => {
                    "this key store is protected by a key file, not a passphrase".into()
                }
                KekKind::Passphrase => {
                    "this key store is protected by a passphrase, not a key file".into()
                }
            }));
        }
        match (source, header) {
            (KekSource::KeyFile(path), _) => {
                let bytes =
                    Zeroizing::new(std::fs::read(path).map_err(|e| KeyStoreError::io(path, e))?);
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    KeyStoreError::Kek(format!(
                        "key file {} must contain exactly 32 bytes, it has {}",
                        path.display(),
                        bytes.len()
                    ))
                })?;
                Ok(Kek {
                    key: Zeroizing::new(key),
                })
            }
            (KekSource::Key(key), _) => Ok(Kek { key: key.clone() }),
            (
                KekSource::Passphrase(pass),
                KekHeader::Passphrase {
                    kdf, params, salt, ..
                },
            ) => {
                if kdf != "argon2id-v19" {
                    return Err(KeyStoreError::Kek(format!("unknown KDF {kdf:?}")));
                }
                params.check()?;
                if pass.expose_secret().is_empty() {
                    return Err(KeyStoreError::Kek("empty passphrase".into()));
                }
                let salt = crate::b64::decode(salt)
                    .map_err(|_| KeyStoreError::corrupt("header", "salt is not base64"))?;
                let argon_params =
                    argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(32))
                        .map_err(|e| KeyStoreError::Kek(format!("Argon2id parameters: {e}")))?;
                let argon = argon2::Argon2::new(
                    argon2::Algorithm::Argon2id,
                    argon2::Version::V0x13,
                    argon_params,
                );
                let mut key = Zeroizing::new([0u8; 32]);
                argon
                    .hash_password_into(pass.expose_secret().as_bytes(), &salt, key.as_mut())
                    .map_err(|e| KeyStoreError::Kek(format!("Argon2id failed: {e}")))?;
                Ok(Kek { key })
            }
            (KekSource::Passphrase(_), KekHeader::Key) => Err(KeyStoreError::Kek(
                "this key store is protected by a key file, not a passphrase".into(),
            )),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.key).into())
    }

    /// Encrypt `plaintext` bound to `aad` under a fresh random nonce.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce)
            .map_err(|e| KeyStoreError::Crypto(format!("operating system RNG failed: {e}")))?;
        let mut buffer = plaintext.to_vec();
        let result = self
            .cipher()
            .encrypt_in_place(&XNonce::from(nonce), aad, &mut buffer);
        if let Err(e) = result {
            zeroize::Zeroize::zeroize(&mut buffer);
            return Err(KeyStoreError::crypto(e));
        }
        Ok(Sealed {
            nonce,
            ciphertext: buffer,
        })
    }

    /// Decrypt and authenticate. `None` means the tag did not verify: wrong KEK, tampered
    /// ciphertext, or different associated data.
    pub(crate) fn open(&self, sealed: &Sealed, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut buffer = Zeroizing::new(sealed.ciphertext.clone());
        self.cipher()
            .decrypt_in_place(&XNonce::from(sealed.nonce), aad, &mut *buffer)
            .ok()?;
        Some(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_argon2_parameters_are_refused() {
        assert!(Argon2Params::default().check().is_ok());
        let weak = Argon2Params {
            m_cost_kib: 1024,
            t_cost: 1,
            p_cost: 1,
        };
        assert!(weak.check().is_err());
        assert!(KekHeader::new(KekKind::Passphrase, weak).is_err());
    }

    #[test]
    fn seal_open_binds_aad() {
        let kek = Kek {
            key: Zeroizing::new([7u8; 32]),
        };
        let sealed = kek.seal(b"secret", b"aad-1").expect("seal");
        assert_eq!(
            kek.open(&sealed, b"aad-1").expect("open").as_slice(),
            b"secret"
        );
        assert!(kek.open(&sealed, b"aad-2").is_none());
        let other = Kek {
            key: Zeroizing::new([8u8; 32]),
        };
        assert!(other.open(&sealed, b"aad-1").is_none());
        assert_eq!(format!("{kek:?}"), "Kek([REDACTED])");
    }
}
