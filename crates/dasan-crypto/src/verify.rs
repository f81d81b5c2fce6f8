//! Signature verification with the RustCrypto verifying-key types.
//!
//! Used to check certificate chains and the trust list, and offered to callers that need to
//! check a signature made by a key in a [`KeyStore`](crate::KeyStore).

use der::{Any, Decode};
use signature::Verifier;
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoRef};

use crate::algorithm::{Algorithm, KeyKind};
use crate::oid;

/// Why a signature could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The public key could not be parsed or does not fit the algorithm.
    #[error("invalid public key: {0}")]
    InvalidPublicKey(String),
    /// The signature bytes are malformed for the algorithm.
    #[error("malformed signature: {0}")]
    MalformedSignature(String),
    /// The signature algorithm (or its parameters) is not one this crate accepts.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The signature does not verify.
    #[error("signature verification failed")]
    BadSignature,
}

/// DER `RSASSA-PSS-params` for SHA-256, MGF1-SHA-256, a 32-byte salt and trailer field 1
/// (RFC 4055), as an `Any` for `AlgorithmIdentifier.parameters`.
pub(crate) fn pss_sha256_params() -> spki::Result<Any> {
    let params = rsa::pkcs1::RsaPssParams::new::<sha2::Sha256>(32);
    Ok(Any::encode_from(&params)?)
}

fn check_pss_params(params: Option<&Any>) -> Result<(), VerifyError> {
    let unsupported = || {
        VerifyError::UnsupportedAlgorithm(
            "RSASSA-PSS is accepted only with SHA-256, MGF1-SHA-256 and a 32-byte salt".into(),
        )
    };
    let params = params.ok_or_else(unsupported)?;
    let der = der::Encode::to_der(params).map_err(|_| unsupported())?;
    let parsed = rsa::pkcs1::RsaPssParams::<Any>::from_der(&der).map_err(|_| unsupported())?;
    let mgf_hash = parsed.mask_gen.parameters.as_ref().map(|p| p.oid);
    if parsed.hash.oid == oid::SHA256
        && parsed.mask_gen.oid == oid::MGF1
        && mgf_hash == Some(oid::SHA256)
        && parsed.salt_len == 32
        && parsed.trailer_field == rsa::pkcs1::TrailerField::BC
    {
        Ok(())
    } else {
        Err(unsupported())
    }
}

/// The key kind of a DER `SubjectPublicKeyInfo`.
pub fn spki_key_kind(spki_der: &[u8]) -> Result<KeyKind, VerifyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| VerifyError::InvalidPublicKey(e.to_string()))?;
    let alg = spki.algorithm.oid;
    if alg == oid::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
        match curve {
            Some(c) if c == oid::SECP256R1 => Ok(KeyKind::P256),
            Some(c) if c == oid::SECP384R1 => Ok(KeyKind::P384),
            _ => Err(VerifyError::InvalidPublicKey(
                "unsupported elliptic curve".into(),
            )),
        }
    } else if alg == oid::RSA_ENCRYPTION {
        let key = rsa::RsaPublicKey::from_public_key_der(spki_der)
            .map_err(|e| VerifyError::InvalidPublicKey(e.to_string()))?;
        Ok(KeyKind::Rsa {
            bits: rsa::traits::PublicKeyParts::size(&key) * 8,
        })
    } else if alg == oid::ED25519 {
        Ok(KeyKind::Ed25519)
    } else {
        Err(VerifyError::InvalidPublicKey(format!(
            "unsupported public key algorithm {alg}"
        )))
    }
}

/// Work out which [`Algorithm`] a signature `AlgorithmIdentifier` denotes for a given key.
///
/// # Errors
/// [`VerifyError::UnsupportedAlgorithm`] when the pair is not one of the supported algorithms.
pub fn algorithm_for(
    signature_algorithm: &AlgorithmIdentifierOwned,
    spki_der: &[u8],
) -> Result<Algorithm, VerifyError> {
    let kind = spki_key_kind(spki_der)?;
    let sig_oid = signature_algorithm.oid;
    let mismatch = || {
        VerifyError::UnsupportedAlgorithm(format!(
            "signature algorithm {sig_oid} with a {kind:?} key"
        ))
    };
    match kind {
        KeyKind::P256 if sig_oid == oid::ECDSA_WITH_SHA256 => Ok(Algorithm::EcdsaP256Sha256),
        KeyKind::P384 if sig_oid == oid::ECDSA_WITH_SHA384 => Ok(Algorithm::EcdsaP384Sha384),
        KeyKind::Ed25519 if sig_oid == oid::ED25519 => Ok(Algorithm::Ed25519),
        KeyKind::Rsa { bits } if sig_oid == oid::SHA256_WITH_RSA => match bits {
            2048 => Ok(Algorithm::Rsa2048Pkcs1v15Sha256),
            3072 => Ok(Algorithm::Rsa3072Pkcs1v15Sha256),
            _ => Err(mismatch()),
        },
        KeyKind::Rsa { bits } if sig_oid == oid::RSASSA_PSS => {
            check_pss_params(signature_algorithm.parameters.as_ref())?;
            match bits {
                2048 => Ok(Algorithm::Rsa2048PssSha256),
                3072 => Ok(Algorithm::Rsa3072PssSha256),
                _ => Err(mismatch()),
            }
        }
        _ => Err(mismatch()),
    }
}

/// Verify `signature` over `message` with the public key `spki_der`, for `algorithm`.
///
/// ECDSA signatures are expected in DER (`Ecdsa-Sig-Value`), as the key stores produce them.
///
/// # Errors
/// [`VerifyError::BadSignature`] when the signature does not verify; other variants when the
/// inputs are malformed or do not fit `algorithm`.
pub fn verify_signature(
    algorithm: Algorithm,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let bad_key = |e: spki::Error| VerifyError::InvalidPublicKey(e.to_string());
    let kind = spki_key_kind(spki_der)?;
    if kind != algorithm.key_kind() {
        return Err(VerifyError::InvalidPublicKey(format!(
            "a {kind:?} key cannot verify {algorithm}"
        )));
    }
    match algorithm {
        Algorithm::EcdsaP256Sha256 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der).map_err(bad_key)?;
            let sig = p256::ecdsa::DerSignature::from_bytes(signature)
                .map_err(|e| VerifyError::MalformedSignature(e.to_string()))?;
            key.verify(message, &sig)
                .map_err(|_| VerifyError::BadSignature)
        }
        Algorithm::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(spki_der).map_err(bad_key)?;
            let sig = p384::ecdsa::DerSignature::from_bytes(signature)
                .map_err(|e| VerifyError::MalformedSignature(e.to_string()))?;
            key.verify(message, &sig)
                .map_err(|_| VerifyError::BadSignature)
        }
        Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => {
            let key = rsa::RsaPublicKey::from_public_key_der(spki_der).map_err(bad_key)?;
            let hashed = <sha2::Sha256 as sha2::Digest>::digest(message);
            key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, signature)
                .map_err(|_| VerifyError::BadSignature)
        }
        Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256 => {
            let key = rsa::RsaPublicKey::from_public_key_der(spki_der).map_err(bad_key)?;
            let hashed = <sha2::Sha256 as sha2::Digest>::digest(message);
            key.verify(rsa::Pss::<sha2::Sha256>::new(), &hashed, signature)
                .map_err(|_| VerifyError::BadSignature)
        }
        Algorithm::Ed25519 => {
            let key =
                ed25519_dalek::VerifyingKey::from_public_key_der(spki_der).map_err(bad_key)?;
            let sig = ed25519_dalek::Signature::from_slice(signature)
                .map_err(|e| VerifyError::MalformedSignature(e.to_string()))?;
            // verify_strict rejects small-order keys and non-canonical encodings.
            key.verify_strict(message, &sig)
                .map_err(|_| VerifyError::BadSignature)
        }
    }
}

/// Verify a signature given as an X.509/CMS `AlgorithmIdentifier` (e.g. a certificate's
/// `signatureAlgorithm`) rather than an [`Algorithm`].
///
/// # Errors
/// As [`verify_signature`], plus [`VerifyError::UnsupportedAlgorithm`].
pub fn verify_with_identifier(
    signature_algorithm: &AlgorithmIdentifierOwned,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let algorithm = algorithm_for(signature_algorithm, spki_der)?;
    verify_signature(algorithm, spki_der, message, signature)
}

/// Convert a DER ECDSA signature into the fixed-size `r || s` form used by JOSE and COSE.
///
/// # Errors
/// [`VerifyError::MalformedSignature`] for non-ECDSA algorithms or malformed DER.
pub fn ecdsa_der_to_fixed(algorithm: Algorithm, der_sig: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let malformed = |e: ecdsa::Error| VerifyError::MalformedSignature(e.to_string());
    match algorithm {
        Algorithm::EcdsaP256Sha256 => Ok(p256::ecdsa::Signature::from_der(der_sig)
            .map_err(malformed)?
            .to_bytes()
            .to_vec()),
        Algorithm::EcdsaP384Sha384 => Ok(p384::ecdsa::Signature::from_der(der_sig)
            .map_err(malformed)?
            .to_bytes()
            .to_vec()),
        other => Err(VerifyError::MalformedSignature(format!(
            "{other} signatures are not ECDSA"
        ))),
    }
}

/// Convert a fixed-size ECDSA `r || s` signature (PKCS#11, JOSE, COSE) into DER.
///
/// # Errors
/// [`VerifyError::MalformedSignature`] for non-ECDSA algorithms, a wrong length, or a zero or
/// out-of-range scalar.
pub fn ecdsa_fixed_to_der(algorithm: Algorithm, fixed: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let malformed = |e: ecdsa::Error| VerifyError::MalformedSignature(e.to_string());
    match algorithm {
        Algorithm::EcdsaP256Sha256 => Ok(p256::ecdsa::Signature::from_slice(fixed)
            .map_err(malformed)?
            .to_der()
            .as_bytes()
            .to_vec()),
        Algorithm::EcdsaP384Sha384 => Ok(p384::ecdsa::Signature::from_slice(fixed)
            .map_err(malformed)?
            .to_der()
            .as_bytes()
            .to_vec()),
        other => Err(VerifyError::MalformedSignature(format!(
            "{other} signatures are not ECDSA"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_identifier_round_trips() {
        let id = Algorithm::Rsa2048PssSha256
            .signature_algorithm_identifier()
            .expect("pss id");
        assert_eq!(id.oid, oid::RSASSA_PSS);
        check_pss_params(id.parameters.as_ref()).expect("our own parameters are accepted");
        let mut sha1_default = id.clone();
        sha1_default.parameters = None;
        assert!(check_pss_params(sha1_default.parameters.as_ref()).is_err());
    }

    #[test]
    fn ecdsa_conversions_reject_garbage() {
        assert!(ecdsa_der_to_fixed(Algorithm::EcdsaP256Sha256, b"\x30\x00").is_err());
        assert!(ecdsa_fixed_to_der(Algorithm::EcdsaP256Sha256, &[0u8; 64]).is_err());
        assert!(ecdsa_fixed_to_der(Algorithm::Ed25519, &[1u8; 64]).is_err());
    }
}
