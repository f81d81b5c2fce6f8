//! Keys held in memory by the file backend: generation, PKCS#8 (de)serialisation and signing.
//!
//! Every key type here zeroizes its secret on drop (RustCrypto's `ZeroizeOnDrop`), and PKCS#8
//! bytes only ever live in `Zeroizing` buffers.

use std::fmt;

use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use spki::EncodePublicKey;
use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, KeyKind};
use crate::keystore::{KeyStoreError, Result, check_digest};

/// A private key of one of the supported types.
pub(crate) enum SoftwareKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
    Ed25519(ed25519_dalek::SigningKey),
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        let kind = match self {
            SoftwareKey::P256(_) => "P-256",
            SoftwareKey::P384(_) => "P-384",
            SoftwareKey::Rsa(_) => "RSA",
            SoftwareKey::Ed25519(_) => "Ed25519",
        };
        write!(f, "SoftwareKey({kind}, ..)")
    }
}

fn rng_error(e: impl fmt::Display) -> KeyStoreError {
    KeyStoreError::Crypto(format!("operating system RNG failed: {e}"))
}

impl SoftwareKey {
    /// Generate a fresh key for `algorithm` from the operating system's CSPRNG.
    pub(crate) fn generate(algorithm: Algorithm) -> Result<Self> {
        use ecdsa::elliptic_curve::Generate;
        let mut rng = getrandom::SysRng;
        Ok(match algorithm.key_kind() {
            KeyKind::P256 => SoftwareKey::P256(
                p256::ecdsa::SigningKey::try_generate_from_rng(&mut rng).map_err(rng_error)?,
            ),
            KeyKind::P384 => SoftwareKey::P384(
                p384::ecdsa::SigningKey::try_generate_from_rng(&mut rng).map_err(rng_error)?,
            ),
            KeyKind::Rsa { bits } => SoftwareKey::Rsa(Box::new(
                // rsa's key generation takes an infallible RNG; an OS RNG failure is fatal anyway.
                rsa::RsaPrivateKey::new(&mut rand_core::UnwrapErr(getrandom::SysRng), bits)
                    .map_err(KeyStoreError::crypto)?,
            )),
            KeyKind::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(rng_error)?;
                SoftwareKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
        })
    }

    /// Parse a PKCS#8 `PrivateKeyInfo` and check that it is a key for `algorithm`.
    pub(crate) fn from_pkcs8(algorithm: Algorithm, der: &[u8]) -> Result<Self> {
        let bad = |e: pkcs8::Error| KeyStoreError::Crypto(format!("invalid PKCS#8 key: {e}"));
        let key = match algorithm.key_kind() {
            KeyKind::P256 => {
                SoftwareKey::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
            KeyKind::P384 => {
                SoftwareKey::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
            KeyKind::Rsa { bits } => {
                let key = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(bad)?;
                let actual = rsa::traits::PublicKeyParts::size(&key) * 8;
                if actual != bits {
                    return Err(KeyStoreError::Crypto(format!(
                        "RSA key is {actual} bits, {algorithm} needs {bits}"
                    )));
                }
                SoftwareKey::Rsa(Box::new(key))
            }
            KeyKind::Ed25519 => {
                SoftwareKey::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
        };
        Ok(key)
    }

    /// PKCS#8 DER of the private key, in a buffer that is wiped when dropped.
    pub(crate) fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = match self {
            SoftwareKey::P256(k) => k.to_pkcs8_der(),
            SoftwareKey::P384(k) => k.to_pkcs8_der(),
            SoftwareKey::Rsa(k) => k.to_pkcs8_der(),
            SoftwareKey::Ed25519(k) => k.to_pkcs8_der(),
        }
        .map_err(KeyStoreError::crypto)?;
        // SecretDocument zeroizes itself; copy into a Zeroizing buffer we own.
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// DER `SubjectPublicKeyInfo` of the public key.
    pub(crate) fn public_key_der(&self) -> Result<Vec<u8>> {
        let doc = match self {
            SoftwareKey::P256(k) => k.verifying_key().to_public_key_der(),
            SoftwareKey::P384(k) => k.verifying_key().to_public_key_der(),
            SoftwareKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            SoftwareKey::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(KeyStoreError::crypto)?;
        Ok(doc.as_bytes().to_vec())
    }

    /// Sign a message with `algorithm`'s hash and padding. ECDSA uses RFC 6979 deterministic
    /// nonces; PSS draws its salt and RSA its blinding factor from the OS RNG.
    pub(crate) fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        use signature::Signer;
        match (self, algorithm) {
            (SoftwareKey::P256(k), Algorithm::EcdsaP256Sha256) => {
                let sig: p256::ecdsa::DerSignature =
                    k.try_sign(message).map_err(KeyStoreError::crypto)?;
                Ok(sig.as_bytes().to_vec())
            }
            (SoftwareKey::P384(k), Algorithm::EcdsaP384Sha384) => {
                let sig: p384::ecdsa::DerSignature =
                    k.try_sign(message).map_err(KeyStoreError::crypto)?;
                Ok(sig.as_bytes().to_vec())
            }
            (SoftwareKey::Rsa(k), a) => {
                use sha2::Digest;
                rsa_sign_digest(k, a, &sha2::Sha256::digest(message))
            }
            (SoftwareKey::Ed25519(k), Algorithm::Ed25519) => {
                let sig = k.try_sign(message).map_err(KeyStoreError::crypto)?;
                Ok(sig.to_bytes().to_vec())
            }
            _ => Err(KeyStoreError::Crypto(format!(
                "{self:?} cannot sign with {algorithm}"
            ))),
        }
    }

    /// Sign a digest the caller computed with the algorithm's hash.
    pub(crate) fn sign_digest(&self, algorithm: Algorithm, digest: &[u8]) -> Result<Vec<u8>> {
        use signature::hazmat::PrehashSigner;
        check_digest(algorithm, digest)?;
        match (self, algorithm) {
            (SoftwareKey::P256(k), Algorithm::EcdsaP256Sha256) => {
                let sig: p256::ecdsa::DerSignature =
                    k.sign_prehash(digest).map_err(KeyStoreError::crypto)?;
                Ok(sig.as_bytes().to_vec())
            }
            (SoftwareKey::P384(k), Algorithm::EcdsaP384Sha384) => {
                let sig: p384::ecdsa::DerSignature =
                    k.sign_prehash(digest).map_err(KeyStoreError::crypto)?;
                Ok(sig.as_bytes().to_vec())
            }
            (SoftwareKey::Rsa(k), a) => rsa_sign_digest(k, a, digest),
            _ => Err(KeyStoreError::Unsupported {
                algorithm,
                operation: "signing a precomputed digest",
            }),
        }
    }
}

/// RSA signature over a SHA-256 digest with the algorithm's padding. The private operation is
/// blinded with the operating system's RNG (which PSS also uses for its salt).
fn rsa_sign_digest(
    key: &rsa::RsaPrivateKey,
    algorithm: Algorithm,
    digest: &[u8],
) -> Result<Vec<u8>> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let signed = match algorithm {
        a if a.is_pss() => key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha256>::new(), digest),
        Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => {
            key.sign_with_rng(&mut rng, rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
        }
        other => {
            return Err(KeyStoreError::Crypto(format!(
                "an RSA key cannot sign with {other}"
            )));
        }
    };
    signed.map_err(KeyStoreError::crypto)
}
