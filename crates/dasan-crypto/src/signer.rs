//! [`StoreSigner`]: RustCrypto `signature` traits over a key held in a [`KeyStore`], so the
//! `x509-cert` builder, the `cms` builder and anything else written against
//! `signature::Signer` can sign with store keys (including keys inside an HSM).
//!
//! The generic signature type is [`StoreSignature`] (algorithm-appropriate bytes; DER for
//! ECDSA). Typed impls are also provided (`p256::ecdsa::DerSignature`, `ed25519::Signature`,
//! `rsa::pss::Signature`, ...) and fail with an error if the key's algorithm does not match.
//! Because several `Signer` impls exist, name the signature type at the call site:
//!
//! ```text
//! let cert = builder.build::<_, StoreSignature>(&signer)?;
//! ```

use std::fmt;

use der::asn1::BitString;
use signature::hazmat::PrehashSigner;
use signature::{Keypair, SignatureEncoding, Signer, Verifier};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SignatureBitStringEncoding,
};

use crate::algorithm::Algorithm;
use crate::keystore::{KeyId, KeyStore, KeyStoreError};
use crate::verify::{ecdsa_der_to_fixed, verify_signature};

/// A signature made by a store key, in the store's output format for its algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreSignature(Vec<u8>);

impl StoreSignature {
    /// The signature bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for StoreSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreSignature({} bytes)", self.0.len())
    }
}

impl TryFrom<&[u8]> for StoreSignature {
    type Error = signature::Error;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        Ok(StoreSignature(bytes.to_vec()))
    }
}

impl From<StoreSignature> for Vec<u8> {
    fn from(sig: StoreSignature) -> Vec<u8> {
        sig.0
    }
}

impl SignatureEncoding for StoreSignature {
    type Repr = Vec<u8>;
}

impl SignatureBitStringEncoding for StoreSignature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

/// The public half of a [`StoreSigner`]: its algorithm and `SubjectPublicKeyInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreVerifyingKey {
    algorithm: Algorithm,
    spki: Vec<u8>,
}

impl StoreVerifyingKey {
    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }
}

impl EncodePublicKey for StoreVerifyingKey {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::try_from(self.spki.as_slice())?)
    }
}

impl Verifier<StoreSignature> for StoreVerifyingKey {
    fn verify(&self, msg: &[u8], signature: &StoreSignature) -> signature::Result<()> {
        verify_signature(self.algorithm, &self.spki, msg, &signature.0)
            .map_err(signature::Error::from_source)
    }
}

/// A signer bound to one key version in a store. Holds no secret: every signature is made by
/// the store (in the HSM, for the PKCS#11 backend).
#[derive(Clone)]
pub struct StoreSigner<'a> {
    store: &'a dyn KeyStore,
    key: KeyId,
    public: StoreVerifyingKey,
}

impl fmt::Debug for StoreSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreSigner")
            .field("key", &self.key)
            .field("algorithm", &self.public.algorithm)
            .finish_non_exhaustive()
    }
}

fn sig_err(e: KeyStoreError) -> signature::Error {
    signature::Error::from_source(e)
}

impl<'a> StoreSigner<'a> {
    /// Bind to `key` in `store`, fetching its algorithm and public key once.
    ///
    /// # Errors
    /// [`KeyStoreError::NotFound`]; [`KeyStoreError::Retired`] for a key that cannot sign.
    pub fn new(store: &'a dyn KeyStore, key: &KeyId) -> Result<Self, KeyStoreError> {
        let info = store.key_info(key)?;
        if !info.can_sign() {
            return Err(KeyStoreError::Retired(key.clone()));
        }
        let spki = store.public_key(key)?;
        Ok(StoreSigner {
            store,
            key: key.clone(),
            public: StoreVerifyingKey {
                algorithm: info.algorithm,
                spki,
            },
        })
    }

    /// The key this signer uses.
    pub fn key_id(&self) -> &KeyId {
        &self.key
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.public.algorithm
    }

    /// DER `SubjectPublicKeyInfo` of the key.
    pub fn spki_der(&self) -> &[u8] {
        &self.public.spki
    }

    fn expect(&self, allowed: &[Algorithm]) -> signature::Result<()> {
        if allowed.contains(&self.public.algorithm) {
            Ok(())
        } else {
            Err(sig_err(KeyStoreError::Unsupported {
                algorithm: self.public.algorithm,
                operation: "producing this signature type",
            }))
        }
    }
}

impl Keypair for StoreSigner<'_> {
    type VerifyingKey = StoreVerifyingKey;

    fn verifying_key(&self) -> StoreVerifyingKey {
        self.public.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for StoreSigner<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        self.public.algorithm.signature_algorithm_identifier()
    }
}

impl Signer<StoreSignature> for StoreSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> signature::Result<StoreSignature> {
        self.store
            .sign(&self.key, msg)
            .map(StoreSignature)
            .map_err(sig_err)
    }
}

impl PrehashSigner<StoreSignature> for StoreSigner<'_> {
    fn sign_prehash(&self, prehash: &[u8]) -> signature::Result<StoreSignature> {
        self.store
            .sign_digest(&self.key, prehash)
            .map(StoreSignature)
            .map_err(sig_err)
    }
}

/// Typed `Signer` impls: sign through the store, then parse into the RustCrypto type.
macro_rules! typed_signer {
    ($sig:ty, [$($alg:ident),+], |$s:ident, $bytes:ident| $convert:expr) => {
        impl Signer<$sig> for StoreSigner<'_> {
            fn try_sign(&self, msg: &[u8]) -> signature::Result<$sig> {
                self.expect(&[$(Algorithm::$alg),+])?;
                let $s = self;
                let $bytes = self.store.sign(&self.key, msg).map_err(sig_err)?;
                $convert
            }
        }
    };
}

typed_signer!(p256::ecdsa::DerSignature, [EcdsaP256Sha256], |_s, b| {
    p256::ecdsa::DerSignature::from_bytes(&b)
});
typed_signer!(p256::ecdsa::Signature, [EcdsaP256Sha256], |s, b| {
    let fixed =
        ecdsa_der_to_fixed(s.public.algorithm, &b).map_err(signature::Error::from_source)?;
    p256::ecdsa::Signature::from_slice(&fixed)
});
typed_signer!(p384::ecdsa::DerSignature, [EcdsaP384Sha384], |_s, b| {
    p384::ecdsa::DerSignature::from_bytes(&b)
});
typed_signer!(p384::ecdsa::Signature, [EcdsaP384Sha384], |s, b| {
    let fixed =
        ecdsa_der_to_fixed(s.public.algorithm, &b).map_err(signature::Error::from_source)?;
    p384::ecdsa::Signature::from_slice(&fixed)
});
typed_signer!(ed25519_dalek::Signature, [Ed25519], |_s, b| {
    ed25519_dalek::Signature::from_slice(&b)
});
typed_signer!(
    rsa::pkcs1v15::Signature,
    [Rsa2048Pkcs1v15Sha256, Rsa3072Pkcs1v15Sha256],
    |_s, b| rsa::pkcs1v15::Signature::try_from(b.as_slice())
);
typed_signer!(
    rsa::pss::Signature,
    [Rsa2048PssSha256, Rsa3072PssSha256],
    |_s, b| rsa::pss::Signature::try_from(b.as_slice())
);
