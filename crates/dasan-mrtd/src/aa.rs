//! Active authentication (Doc 9303 Part 11, §6.1): the chip proves it holds the private key of
//! DG15 by signing the terminal's challenge — ISO/IEC 9796-2 digital signature scheme 1 for
//! RSA keys, plain ECDSA for EC keys.

use crate::crypto::{HashAlg, PublicKey, SigError, ecdsa_verify_prehash};
use crate::lds::{SecurityInfo, SecurityProtocol};
use rsa::traits::PublicKeyParts;
use spki::SubjectPublicKeyInfoOwned;

/// Why an active authentication response was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AaError {
    /// The key or algorithm is not supported: nothing was checked.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The response does not verify.
    #[error("invalid response: {0}")]
    Invalid(String),
}

impl From<SigError> for AaError {
    fn from(e: SigError) -> Self {
        match e {
            SigError::Unsupported(m) => AaError::Unsupported(m),
            SigError::Invalid(m) => AaError::Invalid(m),
        }
    }
}

/// The hash DG14's ActiveAuthenticationInfo names for ECDSA (its `signatureAlgorithm`).
pub fn aa_hash_from_dg14(infos: &[SecurityInfo]) -> Option<HashAlg> {
    let info = infos
        .iter()
        .find(|i| i.kind == SecurityProtocol::ActiveAuthentication)?;
    let oid_der = info.optional_data.as_ref()?;
    let oid = <const_oid::ObjectIdentifier as der::Decode>::from_der(oid_der).ok()?;
    let text = oid.to_string();
    let last = text.rsplit('.').next()?;
    if text.starts_with("0.4.0.127.0.7.1.1.4.1.") {
        return match last {
            "1" => Some(HashAlg::Sha1),
            "2" => Some(HashAlg::Sha224),
            "3" => Some(HashAlg::Sha256),
            "4" => Some(HashAlg::Sha384),
            "5" => Some(HashAlg::Sha512),
            _ => None,
        };
    }
    match text.as_str() {
        "1.2.840.10045.4.1" => Some(HashAlg::Sha1),
        "1.2.840.10045.4.3.1" => Some(HashAlg::Sha224),
        "1.2.840.10045.4.3.2" => Some(HashAlg::Sha256),
        "1.2.840.10045.4.3.3" => Some(HashAlg::Sha384),
        "1.2.840.10045.4.3.4" => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// ISO/IEC 9796-2 trailer: the hash named by the last one or two bytes.
fn trailer_hash(m: &[u8]) -> Option<(HashAlg, usize)> {
    match m {
        [.., 0xBC] => Some((HashAlg::Sha1, 1)),
        [.., id, 0xCC] => Some((
            match id {
                0x33 => HashAlg::Sha1,
                0x34 => HashAlg::Sha256,
                0x35 => HashAlg::Sha512,
                0x36 => HashAlg::Sha384,
                0x38 => HashAlg::Sha224,
                _ => return None,
            },
            2,
        )),
        _ => None,
    }
}

/// Verifies the chip's response to `challenge` (normally 8 random bytes) with the DG15 key.
/// `ecdsa_hash` is the hash for EC keys, from [`aa_hash_from_dg14`]; RSA responses name their
/// hash in the ISO/IEC 9796-2 trailer.
pub fn verify_active_authentication(
    public_key: &SubjectPublicKeyInfoOwned,
    challenge: &[u8],
    response: &[u8],
    ecdsa_hash: Option<HashAlg>,
) -> Result<(), AaError> {
    match PublicKey::from_spki(public_key)? {
        PublicKey::Ec(curve, point) => {
            let hash = ecdsa_hash.ok_or_else(|| {
                AaError::Unsupported(
                    "no ECDSA hash algorithm (DG14 ActiveAuthenticationInfo)".into(),
                )
            })?;
            Ok(ecdsa_verify_prehash(
                curve,
                &point,
                &hash.digest(challenge),
                response,
                true,
            )?)
        }
        PublicKey::Rsa(key) => {
            let k = key.size();
            if response.len() != k {
                return Err(AaError::Invalid(format!(
                    "response of {} bytes for a {k}-byte modulus",
                    response.len()
                )));
            }
            let s = rsa::BoxedUint::from_be_slice_vartime(response);
            if s >= *key.n().as_ref() {
                return Err(AaError::Invalid(
                    "response not smaller than the modulus".into(),
                ));
            }
            let m = rsa::hazmat::rsa_encrypt(key.as_ref(), &s)
                .map_err(|e| AaError::Invalid(e.to_string()))?;
            let trimmed = m.to_be_bytes_trimmed_vartime();
            let mut msg = vec![0u8; k.saturating_sub(trimmed.len())];
            msg.extend_from_slice(&trimmed);
            // Scheme 1, partial recovery: 0x6A || M1 || H(M1 || M2) || trailer.
            if msg.first() != Some(&0x6A) {
                return Err(AaError::Invalid(
                    "not an ISO/IEC 9796-2 scheme 1 message with partial recovery".into(),
                ));
            }
            let (hash, t) = trailer_hash(&msg)
                .ok_or_else(|| AaError::Invalid("unknown ISO/IEC 9796-2 trailer".into()))?;
            let h_len = hash.len();
            let end = msg
                .len()
                .checked_sub(t + h_len)
                .filter(|&e| e >= 1)
                .ok_or_else(|| AaError::Invalid("message too short".into()))?;
            let m1 = &msg[1..end];
            let digest = &msg[end..end + h_len];
            let mut whole = m1.to_vec();
            whole.extend_from_slice(challenge);
            if hash.digest(&whole) == digest {
                Ok(())
            } else {
                Err(AaError::Invalid(
                    "ISO/IEC 9796-2 hash does not match".into(),
                ))
            }
        }
    }
}

/// Makes an ISO/IEC 9796-2 scheme 1 response with `key` (SHA-1, implicit trailer), as a chip
/// does. For test chips (the factory) and tests.
#[cfg(feature = "factory")]
pub fn sign_active_authentication_rsa(
    key: &rsa::RsaPrivateKey,
    challenge: &[u8],
) -> Result<Vec<u8>, AaError> {
    let k = key.size();
    let h_len = HashAlg::Sha1.len();
    let m1_len = k
        .checked_sub(2 + h_len)
        .ok_or_else(|| AaError::Unsupported("key too small".into()))?;
    let mut m1 = vec![0u8; m1_len];
    getrandom::fill(&mut m1).map_err(|e| AaError::Unsupported(e.to_string()))?;
    let mut whole = m1.clone();
    whole.extend_from_slice(challenge);
    let mut msg = vec![0x6A];
    msg.extend_from_slice(&m1);
    msg.extend_from_slice(&HashAlg::Sha1.digest(&whole));
    msg.push(0xBC);
    // A leading 0x6A keeps the message below any full-size modulus (top bit set).
    let m = rsa::BoxedUint::from_be_slice_vartime(&msg);
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let s = rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut rng), &m)
        .map_err(|e| AaError::Invalid(e.to_string()))?;
    let t = s.to_be_bytes_trimmed_vartime();
    let mut out = vec![0u8; k.saturating_sub(t.len())];
    out.extend_from_slice(&t);
    Ok(out)
}
