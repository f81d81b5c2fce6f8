//! Signature algorithms the key stores support, and how each maps onto X.509, JOSE and digests.

use std::fmt;
use std::str::FromStr;

use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384};
use spki::AlgorithmIdentifierOwned;

use crate::oid;

/// A key type plus the signature scheme the key is used with.
///
/// The scheme is fixed per key: an RSA key generated for PSS never produces PKCS#1 v1.5
/// signatures, so one key cannot be confused across schemes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// ECDSA over NIST P-256 with SHA-256 (the platform default).
    #[default]
    #[serde(rename = "ecdsa-p256-sha256")]
    EcdsaP256Sha256,
    /// ECDSA over NIST P-384 with SHA-384.
    #[serde(rename = "ecdsa-p384-sha384")]
    EcdsaP384Sha384,
    /// RSA 2048-bit, RSASSA-PKCS1-v1_5 with SHA-256.
    #[serde(rename = "rsa2048-pkcs1v15-sha256")]
    Rsa2048Pkcs1v15Sha256,
    /// RSA 3072-bit, RSASSA-PKCS1-v1_5 with SHA-256.
    #[serde(rename = "rsa3072-pkcs1v15-sha256")]
    Rsa3072Pkcs1v15Sha256,
    /// RSA 2048-bit, RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    #[serde(rename = "rsa2048-pss-sha256")]
    Rsa2048PssSha256,
    /// RSA 3072-bit, RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    #[serde(rename = "rsa3072-pss-sha256")]
    Rsa3072PssSha256,
    /// Ed25519 (pure EdDSA, RFC 8032); used for C2SP signed notes (audit checkpoints).
    #[serde(rename = "ed25519")]
    Ed25519,
}

/// The kind of key behind an [`Algorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// NIST P-256 elliptic-curve key.
    P256,
    /// NIST P-384 elliptic-curve key.
    P384,
    /// RSA key of the given modulus size in bits.
    Rsa {
        /// Modulus length in bits.
        bits: usize,
    },
    /// Ed25519 key.
    Ed25519,
}

/// Hash functions used by the supported algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }

    /// Hash `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
        }
    }

    /// The digest algorithm's OID (as used in CMS `digestAlgorithm`).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha256 => oid::SHA256,
            HashAlgorithm::Sha384 => oid::SHA384,
        }
    }
}

impl Algorithm {
    /// Every supported algorithm, in a stable order.
    pub const ALL: [Algorithm; 7] = [
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Rsa2048Pkcs1v15Sha256,
        Algorithm::Rsa3072Pkcs1v15Sha256,
        Algorithm::Rsa2048PssSha256,
        Algorithm::Rsa3072PssSha256,
        Algorithm::Ed25519,
    ];

    /// Stable identifier used in files, metadata and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Algorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Algorithm::Rsa2048Pkcs1v15Sha256 => "rsa2048-pkcs1v15-sha256",
            Algorithm::Rsa3072Pkcs1v15Sha256 => "rsa3072-pkcs1v15-sha256",
            Algorithm::Rsa2048PssSha256 => "rsa2048-pss-sha256",
            Algorithm::Rsa3072PssSha256 => "rsa3072-pss-sha256",
            Algorithm::Ed25519 => "ed25519",
        }
    }

    /// The key type this algorithm uses.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Algorithm::EcdsaP256Sha256 => KeyKind::P256,
            Algorithm::EcdsaP384Sha384 => KeyKind::P384,
            Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa2048PssSha256 => {
                KeyKind::Rsa { bits: 2048 }
            }
            Algorithm::Rsa3072Pkcs1v15Sha256 | Algorithm::Rsa3072PssSha256 => {
                KeyKind::Rsa { bits: 3072 }
            }
            Algorithm::Ed25519 => KeyKind::Ed25519,
        }
    }

    /// Whether this is an RSASSA-PSS algorithm.
    pub fn is_pss(self) -> bool {
        matches!(
            self,
            Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256
        )
    }

    /// Whether this is an ECDSA algorithm (signatures are DER `Ecdsa-Sig-Value`).
    pub fn is_ecdsa(self) -> bool {
        matches!(
            self,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384
        )
    }

    /// The hash the algorithm applies to a message, or `None` for pure Ed25519, which
    /// signs the message itself and therefore cannot sign a precomputed digest.
    pub fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Algorithm::EcdsaP256Sha256
            | Algorithm::Rsa2048Pkcs1v15Sha256
            | Algorithm::Rsa3072Pkcs1v15Sha256
            | Algorithm::Rsa2048PssSha256
            | Algorithm::Rsa3072PssSha256 => Some(HashAlgorithm::Sha256),
            Algorithm::EcdsaP384Sha384 => Some(HashAlgorithm::Sha384),
            Algorithm::Ed25519 => None,
        }
    }

    /// The JWS `alg` value (RFC 7518 / RFC 8037).
    pub fn jws_alg(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ES256",
            Algorithm::EcdsaP384Sha384 => "ES384",
            Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => "RS256",
            Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256 => "PS256",
            Algorithm::Ed25519 => "EdDSA",
        }
    }

    /// The X.509 / CMS `AlgorithmIdentifier` for signatures made with this algorithm.
    ///
    /// # Errors
    /// Only if encoding the RSASSA-PSS parameters fails, which does not happen for the fixed
    /// SHA-256 parameters used here.
    pub fn signature_algorithm_identifier(self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(match self {
            // RFC 5758: ECDSA identifiers have absent parameters.
            Algorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA256,
                parameters: None,
            },
            Algorithm::EcdsaP384Sha384 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA384,
                parameters: None,
            },
            // RFC 4055: PKCS#1 v1.5 identifiers carry an explicit NULL.
            Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => {
                AlgorithmIdentifierOwned {
                    oid: oid::SHA256_WITH_RSA,
                    parameters: Some(der::asn1::Null.into()),
                }
            }
            Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256 => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(crate::verify::pss_sha256_params()?),
            },
            // RFC 8410: Ed25519 identifiers have absent parameters.
            Algorithm::Ed25519 => AlgorithmIdentifierOwned {
                oid: oid::ED25519,
                parameters: None,
            },
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Returned when a string names no supported algorithm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signature algorithm {0:?}")]
pub struct UnknownAlgorithm(pub String);

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAlgorithm(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            let json = serde_json::to_string(&alg).expect("serialize");
            assert_eq!(json, format!("\"{}\"", alg.as_str()));
        }
        assert!("ecdsa-p521".parse::<Algorithm>().is_err());
    }
}
