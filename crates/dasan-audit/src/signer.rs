//! Checkpoint signing with an Ed25519 key held in the platform key store (file or HSM).

use dasan_crypto::{Algorithm, KeyId, KeyStore, KeyStoreError};
use dasan_tlog::ed25519_dalek::VerifyingKey;
use dasan_tlog::{KeyError, NoteSigner, NoteVerifier};
use std::sync::Arc;
use std::time::SystemTime;

/// Key-store label of the checkpoint key.
pub const CHECKPOINT_KEY_LABEL: &str = "audit-checkpoint";

/// DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410); the raw key follows.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("key store: {0}")]
    KeyStore(#[from] KeyStoreError),
    #[error("the checkpoint key is not an Ed25519 key")]
    NotEd25519,
    #[error("checkpoint key name: {0}")]
    Name(#[from] KeyError),
}

/// Signs checkpoints with the current version of [`CHECKPOINT_KEY_LABEL`].
#[derive(Clone, Debug)]
pub struct KeyStoreNoteSigner {
    store: Arc<dyn KeyStore>,
    key: KeyId,
    verifier: NoteVerifier,
}

impl KeyStoreNoteSigner {
    /// Uses the checkpoint key, generating it on first use. `name` is the log's origin.
    pub fn open_or_create(
        store: Arc<dyn KeyStore>,
        name: &str,
        now: SystemTime,
    ) -> Result<Self, SignerError> {
        let info = match store.current(CHECKPOINT_KEY_LABEL) {
            Ok(info) => info,
            Err(KeyStoreError::NotFound(_)) => {
                store.generate(CHECKPOINT_KEY_LABEL, Algorithm::Ed25519, now)?
            }
            Err(e) => return Err(e.into()),
        };
        let verifier = verifier_for(&*store, &info.id, name)?;
        Ok(Self {
            store,
            key: info.id,
            verifier,
        })
    }

    /// The matching verifier (publish it: `verifier().to_vkey()`).
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }
}

/// The note verifier of the current checkpoint key, named `origin` (for `audit verify`).
pub fn checkpoint_verifier(
    store: &dyn KeyStore,
    origin: &str,
) -> Result<NoteVerifier, SignerError> {
    let info = store.current(CHECKPOINT_KEY_LABEL)?;
    verifier_for(store, &info.id, origin)
}

fn verifier_for(
    store: &dyn KeyStore,
    key: &KeyId,
    name: &str,
) -> Result<NoteVerifier, SignerError> {
    let spki = store.public_key(key)?;
    Ok(NoteVerifier::new(name, ed25519_from_spki(&spki)?)?)
}

fn ed25519_from_spki(spki: &[u8]) -> Result<VerifyingKey, SignerError> {
    let raw = spki
        .strip_prefix(&ED25519_SPKI_PREFIX[..])
        .and_then(|r| <[u8; 32]>::try_from(r).ok())
        .ok_or(SignerError::NotEd25519)?;
    VerifyingKey::from_bytes(&raw).map_err(|_| SignerError::NotEd25519)
}

impl NoteSigner for KeyStoreNoteSigner {
    type Error = KeyStoreError;
    fn name(&self) -> &str {
        self.verifier.name()
    }
    fn key_id(&self) -> u32 {
        self.verifier.key_id()
    }
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], KeyStoreError> {
        let sig = self.store.sign(&self.key, msg)?;
        <[u8; 64]>::try_from(sig.as_slice()).map_err(|_| KeyStoreError::Unsupported {
            algorithm: Algorithm::Ed25519,
            operation: "a 64-byte note signature",
        })
    }
}
