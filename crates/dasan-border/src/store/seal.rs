//! Sealing biometric template references with XChaCha20-Poly1305 (the AEAD the key store uses),
//! under a key the deployment provides. Associated data binds each reference to its enrolment,
//! modality and matcher, so a sealed value moved to another row does not open.

use super::BorderError;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// A 256-bit key with its name (stored next to each sealed value, for rotation).
#[derive(Clone)]
pub struct BiometricKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for BiometricKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BiometricKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl BiometricKey {
    /// A key named `id` (e.g. `bio-2026-11`) from 32 secret bytes.
    pub fn new(id: impl Into<String>, key: [u8; 32]) -> Self {
        Self {
            id: id.into(),
            key: Zeroizing::new(key),
        }
    }

    /// The key's name.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.key).into())
    }

    /// Encrypts under a fresh random nonce: `(nonce, ciphertext)`.
    pub(crate) fn seal(
        &self,
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<([u8; 24], Vec<u8>), BorderError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| BorderError::Sealed)?;
        let mut buffer = plaintext.to_vec();
        self.cipher()
            .encrypt_in_place(&XNonce::from(nonce), aad, &mut buffer)
            .map_err(|_| BorderError::Sealed)?;
        Ok((nonce, buffer))
    }

    /// Decrypts and authenticates.
    pub(crate) fn open(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, BorderError> {
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| BorderError::Sealed)?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        self.cipher()
            .decrypt_in_place(&XNonce::from(nonce), aad, &mut *buffer)
            .map_err(|_| BorderError::Sealed)?;
        Ok(buffer)
    }
}

/// The associated data of one reference.
pub(crate) fn aad(enrolment: &str, modality: &str, matcher: &str) -> Vec<u8> {
    format!("dasan-border-biometric-v1\n{enrolment}\n{modality}\n{matcher}").into_bytes()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seal_binds_aad_and_key() {
        let k = BiometricKey::new("k1", [3u8; 32]);
        let (n, c) = k.seal(b"template-ref-1", b"a").unwrap();
        assert_eq!(k.open(&n, &c, b"a").unwrap().as_slice(), b"template-ref-1");
        assert!(k.open(&n, &c, b"b").is_err());
        assert!(
            BiometricKey::new("k2", [4u8; 32])
                .open(&n, &c, b"a")
                .is_err()
        );
        assert!(k.open(&n[..10], &c, b"a").is_err());
        assert!(!format!("{k:?}").contains('3'));
    }
}
