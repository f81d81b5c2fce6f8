//! Signature verification: RSA PKCS#1 v1.5, RSA-PSS and ECDSA over P-256, P-384, P-521,
//! brainpoolP224r1, brainpoolP256r1 and brainpoolP384r1 (named or explicit parameters).
//! No primitive is implemented here: this module only picks the algorithm.
//!
//! Two backends. The common passport algorithms first go to `ring` (a fast path: ECDSA over
//! named P-256 and P-384 with SHA-256 or SHA-384, DER signatures; RSA PKCS#1 v1.5 and RSA-PSS
//! with SHA-256, SHA-384 or SHA-512, 2048-8192 bits, PSS salt as long as the hash). A signature
//! `ring` accepts is valid. Everything else — what `ring` cannot check, and every signature it
//! refuses — is decided by the RustCrypto crates exactly as before, so the answer (valid,
//! invalid, not checkable) and its message are the RustCrypto answer in every case: `ring`
//! only makes the common good signature cheaper. See docs/ARCHITECTURE.md.

use const_oid::ObjectIdentifier as Oid;
use der::asn1::{Any, OctetString, UintRef};
use der::{Decode, Sequence};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Hash algorithms of the LDS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum HashAlg {
    /// SHA-1.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// OIDs of the hash and signature algorithms.
pub mod oids {
    use const_oid::ObjectIdentifier as Oid;
    /// SHA-1.
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// SHA-224.
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    /// SHA-256.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SHA-384.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// SHA-512.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// rsaEncryption.
    pub const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// RSASSA-PSS.
    pub const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// MGF1.
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    /// sha256WithRSAEncryption.
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// ecdsa-with-SHA256.
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// prime-field.
    pub const PRIME_FIELD: Oid = Oid::new_unwrap("1.2.840.10045.1.1");
    /// secp256r1.
    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// secp384r1.
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// secp521r1.
    pub const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// brainpoolP224r1.
    pub const BP224R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.5");
    /// brainpoolP256r1.
    pub const BP256R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    /// brainpoolP384r1.
    pub const BP384R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    /// brainpoolP512r1.
    pub const BP512R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.13");
}

impl HashAlg {
    /// From a digest algorithm OID.
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        Some(match *oid {
            oids::SHA1 => HashAlg::Sha1,
            oids::SHA224 => HashAlg::Sha224,
            oids::SHA256 => HashAlg::Sha256,
            oids::SHA384 => HashAlg::Sha384,
            oids::SHA512 => HashAlg::Sha512,
            _ => return None,
        })
    }

    /// The OID.
    pub fn oid(self) -> Oid {
        match self {
            HashAlg::Sha1 => oids::SHA1,
            HashAlg::Sha224 => oids::SHA224,
            HashAlg::Sha256 => oids::SHA256,
            HashAlg::Sha384 => oids::SHA384,
            HashAlg::Sha512 => oids::SHA512,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => Sha1::digest(data).to_vec(),
            HashAlg::Sha224 => Sha224::digest(data).to_vec(),
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Output length in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 => 28,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// The algorithm, curve or parameters are not supported: the signature was not checked.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The signature (or key) is wrong.
    #[error("invalid: {0}")]
    Invalid(String),
}

fn unsupported(m: impl Into<String>) -> SigError {
    SigError::Unsupported(m.into())
}

fn invalid(m: impl std::fmt::Display) -> SigError {
    SigError::Invalid(m.to_string())
}

/// The curves we verify on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// brainpoolP224r1 (see [`crate::bp224`]).
    BrainpoolP224r1,
    /// brainpoolP256r1.
    BrainpoolP256r1,
    /// brainpoolP384r1.
    BrainpoolP384r1,
}

#[derive(Sequence)]
struct FieldId {
    field_type: Oid,
    parameters: Any,
}

#[derive(Sequence)]
struct CurveDer {
    a: OctetString,
    b: OctetString,
    seed: Option<der::asn1::BitString>,
}

/// `SpecifiedECDomain` (RFC 3279): explicit curve parameters, as older document signers use.
#[derive(Sequence)]
struct SpecifiedEcDomain {
    version: u8,
    field_id: FieldId,
    curve: CurveDer,
    base: OctetString,
    order: Any,
    cofactor: Option<Any>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// Known prime-field curves by (p, a), so explicit parameters map to a named curve.
const KNOWN_CURVES: &[(&str, &str, Result<Curve, &str>)] = &[
    (
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        "",
        Ok(Curve::P256),
    ),
    (
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        "",
        Ok(Curve::P384),
    ),
    (
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "",
        Ok(Curve::P521),
    ),
    (
        "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
        "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
        Ok(Curve::BrainpoolP256r1),
    ),
    (
        "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
        "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
        Ok(Curve::BrainpoolP384r1),
    ),
    (
        "d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
        "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
        Ok(Curve::BrainpoolP224r1),
    ),
    (
        "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
        "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
        Err("brainpoolP512r1"),
    ),
];

fn curve_of(spki: &SubjectPublicKeyInfoOwned) -> Result<Curve, SigError> {
    let params = spki
        .algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("EC key without curve parameters"))?;
    if let Ok(oid) = params.decode_as::<Oid>() {
        return match oid {
            oids::P256 => Ok(Curve::P256),
            oids::P384 => Ok(Curve::P384),
            oids::P521 => Ok(Curve::P521),
            oids::BP256R1 => Ok(Curve::BrainpoolP256r1),
            oids::BP384R1 => Ok(Curve::BrainpoolP384r1),
            oids::BP224R1 => Ok(Curve::BrainpoolP224r1),
            oids::BP512R1 => Err(unsupported("curve brainpoolP512r1")),
            o => Err(unsupported(format!("curve {o}"))),
        };
    }
    let explicit: SpecifiedEcDomain = params
        .decode_as()
        .map_err(|e| invalid(format!("EC parameters: {e}")))?;
    if explicit.field_id.field_type != oids::PRIME_FIELD {
        return Err(unsupported("EC parameters over a non-prime field"));
    }
    let p = explicit
        .field_id
        .parameters
        .decode_as::<UintRef<'_>>()
        .map_err(|e| invalid(format!("EC field prime: {e}")))?;
    let p_hex = hex(strip_zeros(p.as_bytes()));
    let a_hex = hex(strip_zeros(explicit.curve.a.as_bytes()));
    for (kp, ka, curve) in KNOWN_CURVES {
        if p_hex == *kp && (ka.is_empty() || a_hex == *ka) {
            return curve
                .as_ref()
                .map(|c| *c)
                .map_err(|name| unsupported(format!("curve {name} (explicit parameters)")));
        }
    }
    let _ = (
        &explicit.curve.b,
        &explicit.base,
        &explicit.order,
        explicit.version,
    );
    Err(unsupported(format!(
        "explicit EC parameters of an unknown curve ({} bits)",
        p.as_bytes().len() * 8
    )))
}

/// A public key we can verify with.
pub(crate) enum PublicKey {
    Rsa(Box<RsaPublicKey>),
    Ec(Curve, Vec<u8>),
}

impl PublicKey {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, SigError> {
        match spki.algorithm.oid {
            oids::RSA | oids::RSA_PSS => {
                let der = der::Encode::to_der(spki).map_err(invalid)?;
                let key = RsaPublicKey::from_public_key_der(&der)
                    .or_else(|_| {
                        // RSA-PSS keys carry parameters the rsa crate refuses: read n and e.
                        rsa::pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(
                            spki.subject_public_key.raw_bytes(),
                        )
                        .map_err(|e| e.to_string())
                        .and_then(|k| {
                            RsaPublicKey::new(
                                rsa::BoxedUint::from_be_slice_vartime(k.modulus.as_bytes()),
                                rsa::BoxedUint::from_be_slice_vartime(k.public_exponent.as_bytes()),
                            )
                            .map_err(|e| e.to_string())
                        })
                    })
                    .map_err(|e| invalid(format!("RSA public key: {e}")))?;
                Ok(PublicKey::Rsa(Box::new(key)))
            }
            oids::EC_PUBLIC_KEY => Ok(PublicKey::Ec(
                curve_of(spki)?,
                spki.subject_public_key.raw_bytes().to_vec(),
            )),
            o => Err(unsupported(format!("public key algorithm {o}"))),
        }
    }
}

/// The signature scheme named by a signature AlgorithmIdentifier.
#[derive(Debug, Clone, Copy)]
enum Scheme {
    Pkcs1(HashAlg),
    Pss(HashAlg, usize),
    Ecdsa(HashAlg),
    EcdsaPlain(HashAlg),
}

#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u8>,
}

fn scheme(alg: &AlgorithmIdentifierOwned, digest: Option<HashAlg>) -> Result<Scheme, SigError> {
    let oid = alg.oid.to_string();
    let need_digest =
        || digest.ok_or_else(|| unsupported(format!("{oid} needs a digest algorithm")));
    let h = |s: &str| -> Option<HashAlg> {
        Some(match s {
            "1" => HashAlg::Sha1,
            "2" => HashAlg::Sha224,
            "3" => HashAlg::Sha256,
            "4" => HashAlg::Sha384,
            "5" => HashAlg::Sha512,
            _ => return None,
        })
    };
    Ok(match oid.as_str() {
        "1.2.840.113549.1.1.1" => Scheme::Pkcs1(need_digest()?),
        "1.2.840.113549.1.1.5" => Scheme::Pkcs1(HashAlg::Sha1),
        "1.2.840.113549.1.1.14" => Scheme::Pkcs1(HashAlg::Sha224),
        "1.2.840.113549.1.1.11" => Scheme::Pkcs1(HashAlg::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::Pkcs1(HashAlg::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::Pkcs1(HashAlg::Sha512),
        "1.2.840.113549.1.1.10" => {
            let params: PssParams = match &alg.parameters {
                Some(p) => p
                    .decode_as()
                    .map_err(|e| invalid(format!("PSS parameters: {e}")))?,
                None => PssParams {
                    hash: None,
                    mask_gen: None,
                    salt_length: None,
                    trailer_field: None,
                },
            };
            let hash = match &params.hash {
                Some(a) => HashAlg::from_oid(&a.oid)
                    .ok_or_else(|| unsupported(format!("PSS hash {}", a.oid)))?,
                None => HashAlg::Sha1,
            };
            if let Some(mgf) = &params.mask_gen {
                if mgf.oid != oids::MGF1 {
                    return Err(unsupported(format!("PSS mask generation {}", mgf.oid)));
                }
                let mgf_hash = mgf
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                    .and_then(|a| HashAlg::from_oid(&a.oid));
                if mgf_hash != Some(hash) {
                    // The rsa crate uses the message hash for MGF1.
                    return Err(unsupported(
                        "PSS with an MGF1 hash other than the message hash",
                    ));
                }
            }
            if params.trailer_field.is_some_and(|t| t != 1) {
                return Err(unsupported("PSS trailer field other than 1"));
            }
            Scheme::Pss(hash, params.salt_length.unwrap_or(20) as usize)
        }
        "1.2.840.10045.2.1" => Scheme::Ecdsa(need_digest()?),
        "1.2.840.10045.4.1" => Scheme::Ecdsa(HashAlg::Sha1),
        "1.2.840.10045.4.3.1" => Scheme::Ecdsa(HashAlg::Sha224),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(HashAlg::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(HashAlg::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(HashAlg::Sha512),
        o => match o.strip_prefix("0.4.0.127.0.7.1.1.4.1.").and_then(h) {
            // BSI TR-03111 plain (r || s) ECDSA signatures.
            Some(hash) => Scheme::EcdsaPlain(hash),
            None => return Err(unsupported(format!("signature algorithm {o}"))),
        },
    })
}

macro_rules! ec_verify {
    ($c:ty, $point:expr, $prehash:expr, $sig:expr, $plain:expr) => {{
        let vk = ecdsa::VerifyingKey::<$c>::from_sec1_bytes($point)
            .map_err(|_| invalid("EC public key is not a point on the curve"))?;
        let sig = if $plain {
            ecdsa::Signature::<$c>::from_slice($sig)
        } else {
            ecdsa::Signature::<$c>::from_der($sig)
        }
        .map_err(|_| invalid("malformed ECDSA signature"))?;
        vk.verify_prehash($prehash, &sig)
            .map_err(|_| invalid("ECDSA signature does not verify"))
    }};
}

/// Verifies an ECDSA signature over an already computed hash.
pub(crate) fn ecdsa_verify_prehash(
    curve: Curve,
    point: &[u8],
    prehash: &[u8],
    sig: &[u8],
    plain: bool,
) -> Result<(), SigError> {
    match curve {
        Curve::P256 => ec_verify!(p256::NistP256, point, prehash, sig, plain),
        Curve::P384 => ec_verify!(p384::NistP384, point, prehash, sig, plain),
        Curve::P521 => ec_verify!(p521::NistP521, point, prehash, sig, plain),
        Curve::BrainpoolP224r1 => {
            ec_verify!(crate::bp224::BrainpoolP224r1, point, prehash, sig, plain)
        }
        Curve::BrainpoolP256r1 => ec_verify!(bp256::BrainpoolP256r1, point, prehash, sig, plain),
        Curve::BrainpoolP384r1 => ec_verify!(bp384::BrainpoolP384r1, point, prehash, sig, plain),
    }
}

/// Verifies `signature` over `message` with the key in `spki`, the signature algorithm `alg`
/// and (for algorithms that do not name one, such as rsaEncryption) the digest algorithm.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: Option<HashAlg>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    let scheme = scheme(alg, digest)?;
    if ring_verify(scheme, spki, message, signature) == Some(true) {
        return Ok(());
    }
    rustcrypto_verify(scheme, spki, message, signature)
}

/// `ring`'s algorithm for `scheme` with the key in `spki`, when `ring` can check it: ECDSA
/// over a named P-256 or P-384 curve with an uncompressed point, SHA-256 or SHA-384, DER
/// signatures; RSA PKCS#1 v1.5 with SHA-256/384/512; RSA-PSS with SHA-256/384/512, MGF1 with
/// the same hash (`scheme` refuses any other MGF1 hash) and a salt as long as the hash (the
/// only salt `ring` verifies). `ring` itself refuses RSA moduli shorter than 256 bytes.
fn ring_algorithm(
    scheme: Scheme,
    spki: &SubjectPublicKeyInfoOwned,
) -> Option<&'static dyn ring::signature::VerificationAlgorithm> {
    use ring::signature as r;
    let rsa_key = matches!(spki.algorithm.oid, oids::RSA | oids::RSA_PSS);
    Some(match scheme {
        Scheme::Pkcs1(h) if rsa_key => match h {
            HashAlg::Sha256 => &r::RSA_PKCS1_2048_8192_SHA256,
            HashAlg::Sha384 => &r::RSA_PKCS1_2048_8192_SHA384,
            HashAlg::Sha512 => &r::RSA_PKCS1_2048_8192_SHA512,
            HashAlg::Sha1 | HashAlg::Sha224 => return None,
        },
        Scheme::Pss(h, salt) if rsa_key && salt == h.len() => match h {
            HashAlg::Sha256 => &r::RSA_PSS_2048_8192_SHA256,
            HashAlg::Sha384 => &r::RSA_PSS_2048_8192_SHA384,
            HashAlg::Sha512 => &r::RSA_PSS_2048_8192_SHA512,
            HashAlg::Sha1 | HashAlg::Sha224 => return None,
        },
        Scheme::Ecdsa(h) if spki.algorithm.oid == oids::EC_PUBLIC_KEY => {
            // Named curves only: explicit parameters stay with RustCrypto.
            let curve = spki
                .algorithm
                .parameters
                .as_ref()?
                .decode_as::<Oid>()
                .ok()?;
            // ring takes the uncompressed SEC1 point only.
            if spki.subject_public_key.raw_bytes().first() != Some(&4) {
                return None;
            }
            match (curve, h) {
                (oids::P256, HashAlg::Sha256) => &r::ECDSA_P256_SHA256_ASN1,
                (oids::P256, HashAlg::Sha384) => &r::ECDSA_P256_SHA384_ASN1,
                (oids::P384, HashAlg::Sha256) => &r::ECDSA_P384_SHA256_ASN1,
                (oids::P384, HashAlg::Sha384) => &r::ECDSA_P384_SHA384_ASN1,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// The `ring` fast path: `None` when `ring` cannot check this combination, otherwise whether
/// `ring` accepts the signature. The public key goes to `ring` as it is in the certificate:
/// the DER `RSAPublicKey` or the SEC1 point.
fn ring_verify(
    scheme: Scheme,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let alg = ring_algorithm(scheme, spki)?;
    let key = ring::signature::UnparsedPublicKey::new(alg, spki.subject_public_key.raw_bytes());
    Some(key.verify(message, signature).is_ok())
}

/// The RustCrypto path: every algorithm, and the answer whenever `ring` does not accept.
fn rustcrypto_verify(
    scheme: Scheme,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    let key = PublicKey::from_spki(spki)?;
    match (scheme, key) {
        (Scheme::Pkcs1(h), PublicKey::Rsa(k)) => {
            let hashed = h.digest(message);
            let padding = match h {
                HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                HashAlg::Sha224 => Pkcs1v15Sign::new::<Sha224>(),
                HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
            };
            k.verify(padding, &hashed, signature)
                .map_err(|_| invalid("RSA PKCS#1 v1.5 signature does not verify"))
        }
        (Scheme::Pss(h, salt), PublicKey::Rsa(k)) => {
            let hashed = h.digest(message);
            let r = match h {
                HashAlg::Sha1 => k.verify(Pss::<Sha1>::new_with_salt(salt), &hashed, signature),
                HashAlg::Sha224 => k.verify(Pss::<Sha224>::new_with_salt(salt), &hashed, signature),
                HashAlg::Sha256 => k.verify(Pss::<Sha256>::new_with_salt(salt), &hashed, signature),
                HashAlg::Sha384 => k.verify(Pss::<Sha384>::new_with_salt(salt), &hashed, signature),
                HashAlg::Sha512 => k.verify(Pss::<Sha512>::new_with_salt(salt), &hashed, signature),
            };
            r.map_err(|_| invalid("RSA-PSS signature does not verify"))
        }
        (Scheme::Ecdsa(h), PublicKey::Ec(curve, point)) => {
            ecdsa_verify_prehash(curve, &point, &h.digest(message), signature, false)
        }
        (Scheme::EcdsaPlain(h), PublicKey::Ec(curve, point)) => {
            ecdsa_verify_prehash(curve, &point, &h.digest(message), signature, true)
        }
        (s, _) => Err(invalid(format!(
            "signature algorithm {s:?} does not match the key type"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use der::asn1::BitString;
    use signature::hazmat::PrehashSigner;

    fn ec_spki(curve: Oid, sec1: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oids::EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&curve).unwrap()),
            },
            subject_public_key: BitString::from_bytes(sec1).unwrap(),
        }
    }

    macro_rules! curve_case {
        ($c:ty, $oid:expr, $len:expr, $hash:expr, $sig_oid:expr) => {{
            // A fixed private key below every order: the test needs no randomness.
            let mut secret = [7u8; $len];
            secret[0] = 0;
            let sk = ecdsa::SigningKey::<$c>::from_slice(&secret).unwrap();
            let spki = ec_spki($oid, &sk.verifying_key().to_sec1_bytes());
            let msg = b"signed attributes";
            let digest = $hash.digest(msg);
            let sig: ecdsa::Signature<$c> = sk.sign_prehash(&digest).unwrap();
            let der_sig = sig.to_der();
            let alg = AlgorithmIdentifierOwned {
                oid: Oid::new_unwrap($sig_oid),
                parameters: None,
            };
            verify_signature(&spki, &alg, None, msg, der_sig.as_bytes()).unwrap();
            assert!(matches!(
                verify_signature(&spki, &alg, None, b"other", der_sig.as_bytes()),
                Err(SigError::Invalid(_))
            ));
            // BSI TR-03111 plain signatures (r || s).
            let plain = AlgorithmIdentifierOwned {
                oid: Oid::new_unwrap(match $hash {
                    HashAlg::Sha256 => "0.4.0.127.0.7.1.1.4.1.3",
                    HashAlg::Sha384 => "0.4.0.127.0.7.1.1.4.1.4",
                    _ => "0.4.0.127.0.7.1.1.4.1.5",
                }),
                parameters: None,
            };
            verify_signature(&spki, &plain, None, msg, &sig.to_bytes()).unwrap();
        }};
    }

    #[test]
    fn every_supported_curve_verifies_and_rejects() {
        curve_case!(
            p256::NistP256,
            oids::P256,
            32,
            HashAlg::Sha256,
            "1.2.840.10045.4.3.2"
        );
        curve_case!(
            p384::NistP384,
            oids::P384,
            48,
            HashAlg::Sha384,
            "1.2.840.10045.4.3.3"
        );
        curve_case!(
            p521::NistP521,
            oids::P521,
            66,
            HashAlg::Sha512,
            "1.2.840.10045.4.3.4"
        );
        curve_case!(
            bp256::BrainpoolP256r1,
            oids::BP256R1,
            32,
            HashAlg::Sha256,
            "1.2.840.10045.4.3.2"
        );
        curve_case!(
            bp384::BrainpoolP384r1,
            oids::BP384R1,
            48,
            HashAlg::Sha384,
            "1.2.840.10045.4.3.3"
        );
    }

    #[test]
    fn unsupported_is_not_invalid() {
        let spki = ec_spki(oids::BP512R1, &[4u8; 129]);
        let alg = AlgorithmIdentifierOwned {
            oid: oids::ECDSA_SHA256,
            parameters: None,
        };
        assert!(matches!(
            verify_signature(&spki, &alg, None, b"x", b"y"),
            Err(SigError::Unsupported(_))
        ));
    }
}

/// The `ring` fast path against the RustCrypto path: on every combination `ring` checks, both
/// accept the good signature and both refuse a changed message, a changed signature and
/// another key; what `ring` cannot check is left to RustCrypto.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod backends {
    use super::*;
    use der::asn1::BitString;
    use signature::hazmat::PrehashSigner;

    fn alg(oid: &str) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: Oid::new_unwrap(oid),
            parameters: None,
        }
    }

    fn ec_spki(curve: Oid, sec1: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oids::EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&curve).unwrap()),
            },
            subject_public_key: BitString::from_bytes(sec1).unwrap(),
        }
    }

    /// ring's answer (`None`: not on the fast path), RustCrypto's, and the public function's.
    fn answers(
        spki: &SubjectPublicKeyInfoOwned,
        alg: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> (Option<bool>, Result<(), SigError>, Result<(), SigError>) {
        let s = scheme(alg, None).unwrap();
        let rustcrypto = rustcrypto_verify(s, spki, message, signature);
        let public = verify_signature(spki, alg, None, message, signature);
        // Whatever ring says, the answer is RustCrypto's.
        assert_eq!(public, rustcrypto);
        (ring_verify(s, spki, message, signature), rustcrypto, public)
    }

    fn both_reject(
        what: &str,
        spki: &SubjectPublicKeyInfoOwned,
        alg: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) {
        let (ring, rustcrypto, _) = answers(spki, alg, message, signature);
        assert_eq!(ring, Some(false), "{what}: ring");
        assert!(
            matches!(rustcrypto, Err(SigError::Invalid(_))),
            "{what}: RustCrypto {rustcrypto:?}"
        );
    }

    /// One fast-path combination: good, changed message, changed signature (the bytes at
    /// `positions`, or every byte), another key of the same kind.
    fn fast_path_case(
        name: &str,
        spki: &SubjectPublicKeyInfoOwned,
        other: &SubjectPublicKeyInfoOwned,
        alg: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
        positions: Option<&[usize]>,
    ) {
        let (ring, rustcrypto, public) = answers(spki, alg, message, signature);
        assert_eq!(ring, Some(true), "{name}: ring refuses the good signature");
        assert_eq!(
            rustcrypto,
            Ok(()),
            "{name}: RustCrypto refuses the good signature"
        );
        assert_eq!(public, Ok(()));

        let mut changed = message.to_vec();
        changed[message.len() / 2] ^= 1;
        both_reject(
            &format!("{name}, changed message"),
            spki,
            alg,
            &changed,
            signature,
        );

        let all: Vec<usize> = (0..signature.len()).collect();
        for &i in positions.unwrap_or(&all) {
            for bit in [0x01, 0x80] {
                let mut bad = signature.to_vec();
                bad[i] ^= bit;
                both_reject(
                    &format!("{name}, signature byte {i} ^ {bit:#x}"),
                    spki,
                    alg,
                    message,
                    &bad,
                );
            }
        }
        // Cut at the end: an RSA signature that happens to start with 0x00 is still valid
        // without that byte (RustCrypto left-pads; see the leading-zero test), so cutting the
        // front would make this case fail about once in 256 keys.
        both_reject(
            &format!("{name}, truncated"),
            spki,
            alg,
            message,
            &signature[..signature.len() - 1],
        );
        let mut longer = signature.to_vec();
        longer.push(0);
        both_reject(&format!("{name}, longer"), spki, alg, message, &longer);

        both_reject(
            &format!("{name}, other key"),
            other,
            alg,
            message,
            signature,
        );
    }

    macro_rules! ecdsa_case {
        ($c:ty, $curve:expr, $len:expr, $hash:expr, $sig_oid:expr, $positions:expr) => {{
            // Fixed private keys below every order: no randomness needed.
            let key = |fill: u8| {
                let mut secret = [fill; $len];
                secret[0] = 0;
                ecdsa::SigningKey::<$c>::from_slice(&secret).unwrap()
            };
            let (sk, other) = (key(7), key(9));
            let spki = ec_spki($curve, &sk.verifying_key().to_sec1_bytes());
            let other = ec_spki($curve, &other.verifying_key().to_sec1_bytes());
            let msg = b"signed attributes of an EF.SOD";
            let sig: ecdsa::Signature<$c> = sk.sign_prehash(&$hash.digest(msg)).unwrap();
            let der = sig.to_der();
            let name = format!("{} {:?}", stringify!($c), $hash);
            fast_path_case(
                &name,
                &spki,
                &other,
                &alg($sig_oid),
                msg,
                der.as_bytes(),
                $positions,
            );
            // The same key as a compressed point is not for ring: RustCrypto still accepts.
            let compressed = ec_spki($curve, &sk.verifying_key().to_sec1_point(true).to_bytes());
            let (ring, _, public) = answers(&compressed, &alg($sig_oid), msg, der.as_bytes());
            assert_eq!((ring, public), (None, Ok(())), "{name}, compressed point");
        }};
    }

    #[test]
    fn ecdsa_p256_and_p384_with_sha256_and_sha384() {
        let (sha256, sha384) = ("1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3");
        // Every byte of the DER signature changed for the common one; for the others the
        // SEQUENCE and r headers, r's first bytes and a byte of s (verification is slow in a
        // debug build).
        let some: Option<&[usize]> = Some(&[0, 1, 2, 3, 4, 5, 20, 60]);
        ecdsa_case!(
            p256::NistP256,
            oids::P256,
            32,
            HashAlg::Sha256,
            sha256,
            None
        );
        ecdsa_case!(
            p256::NistP256,
            oids::P256,
            32,
            HashAlg::Sha384,
            sha384,
            some
        );
        ecdsa_case!(
            p384::NistP384,
            oids::P384,
            48,
            HashAlg::Sha256,
            sha256,
            some
        );
        ecdsa_case!(
            p384::NistP384,
            oids::P384,
            48,
            HashAlg::Sha384,
            sha384,
            some
        );
    }

    #[test]
    fn ecdsa_that_ring_cannot_check_stays_with_rustcrypto() {
        let mut secret = [7u8; 32];
        secret[0] = 0;
        let sk = ecdsa::SigningKey::<p256::NistP256>::from_slice(&secret).unwrap();
        let spki = ec_spki(oids::P256, &sk.verifying_key().to_sec1_bytes());
        let msg = b"signed attributes";
        for (oid, hash) in [
            ("1.2.840.10045.4.1", HashAlg::Sha1),
            ("1.2.840.10045.4.3.1", HashAlg::Sha224),
            ("1.2.840.10045.4.3.4", HashAlg::Sha512),
        ] {
            let sig: ecdsa::Signature<p256::NistP256> = sk.sign_prehash(&hash.digest(msg)).unwrap();
            let (ring, _, public) = answers(&spki, &alg(oid), msg, sig.to_der().as_bytes());
            assert_eq!((ring, public), (None, Ok(())), "{hash:?}");
        }
        // BSI TR-03111 plain signatures.
        let sig: ecdsa::Signature<p256::NistP256> =
            sk.sign_prehash(&HashAlg::Sha256.digest(msg)).unwrap();
        let plain = alg("0.4.0.127.0.7.1.1.4.1.3");
        let (ring, _, public) = answers(&spki, &plain, msg, &sig.to_bytes());
        assert_eq!((ring, public), (None, Ok(())));
        // A curve ring does not have.
        let mut secret = [7u8; 66];
        secret[0] = 0;
        let sk = ecdsa::SigningKey::<p521::NistP521>::from_slice(&secret).unwrap();
        let spki = ec_spki(oids::P521, &sk.verifying_key().to_sec1_bytes());
        let sig: ecdsa::Signature<p521::NistP521> =
            sk.sign_prehash(&HashAlg::Sha256.digest(msg)).unwrap();
        let der = sig.to_der();
        let (ring, _, public) = answers(&spki, &alg("1.2.840.10045.4.3.2"), msg, der.as_bytes());
        assert_eq!((ring, public), (None, Ok(())));
    }

    #[cfg(feature = "factory")]
    mod rsa_keys {
        use super::*;
        use rsa::pkcs8::EncodePublicKey;
        use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};

        fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
            rand_core::UnwrapErr(getrandom::SysRng)
        }

        fn key(bits: usize) -> (RsaPrivateKey, SubjectPublicKeyInfoOwned) {
            let k = RsaPrivateKey::new(&mut rng(), bits).unwrap();
            let der = k.to_public_key().to_public_key_der().unwrap();
            let spki = SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap();
            (k, spki)
        }

        fn pkcs1(k: &RsaPrivateKey, h: HashAlg, msg: &[u8]) -> Vec<u8> {
            let padding = match h {
                HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                HashAlg::Sha224 => Pkcs1v15Sign::new::<Sha224>(),
                HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
            };
            k.sign(padding, &h.digest(msg)).unwrap()
        }

        fn pss(k: &RsaPrivateKey, h: HashAlg, salt: usize, msg: &[u8]) -> Vec<u8> {
            let hashed = h.digest(msg);
            match h {
                HashAlg::Sha256 => {
                    k.sign_with_rng(&mut rng(), Pss::<Sha256>::new_with_salt(salt), &hashed)
                }
                HashAlg::Sha384 => {
                    k.sign_with_rng(&mut rng(), Pss::<Sha384>::new_with_salt(salt), &hashed)
                }
                HashAlg::Sha512 => {
                    k.sign_with_rng(&mut rng(), Pss::<Sha512>::new_with_salt(salt), &hashed)
                }
                HashAlg::Sha1 | HashAlg::Sha224 => unreachable!(),
            }
            .unwrap()
        }

        /// RSASSA-PSS AlgorithmIdentifier: hash, MGF1 with `mgf_hash`, salt length.
        fn pss_alg(h: HashAlg, mgf_hash: HashAlg, salt: u32) -> AlgorithmIdentifierOwned {
            let hash_id = |h: HashAlg| AlgorithmIdentifierOwned {
                oid: h.oid(),
                parameters: Some(Any::null()),
            };
            let params = PssParams {
                hash: Some(hash_id(h)),
                mask_gen: Some(AlgorithmIdentifierOwned {
                    oid: oids::MGF1,
                    parameters: Some(Any::encode_from(&hash_id(mgf_hash)).unwrap()),
                }),
                salt_length: Some(salt),
                trailer_field: None,
            };
            AlgorithmIdentifierOwned {
                oid: oids::RSA_PSS,
                parameters: Some(Any::encode_from(&params).unwrap()),
            }
        }

        /// A few signature bytes to change: RSA verification is slow in a debug build.
        const POSITIONS: &[usize] = &[0, 1, 2, 100, 128, 200, 254, 255];

        #[test]
        fn rsa_pkcs1_and_pss_with_sha256_384_512() {
            let (k, spki) = key(2048);
            let (_, other) = key(2048);
            let msg = b"tbsCertificate of a document signer";
            for (oid, h) in [
                ("1.2.840.113549.1.1.11", HashAlg::Sha256),
                ("1.2.840.113549.1.1.12", HashAlg::Sha384),
                ("1.2.840.113549.1.1.13", HashAlg::Sha512),
            ] {
                let sig = pkcs1(&k, h, msg);
                let name = format!("RSA-2048 PKCS#1 v1.5 {h:?}");
                fast_path_case(&name, &spki, &other, &alg(oid), msg, &sig, Some(POSITIONS));
                // rsaEncryption with the digest named elsewhere (as in a SignerInfo).
                let s = scheme(&alg("1.2.840.113549.1.1.1"), Some(h)).unwrap();
                assert_eq!(ring_verify(s, &spki, msg, &sig), Some(true));
                assert_eq!(rustcrypto_verify(s, &spki, msg, &sig), Ok(()));

                let sig = pss(&k, h, h.len(), msg);
                let name = format!("RSA-2048 PSS {h:?}");
                let pss_alg = pss_alg(h, h, h.len() as u32);
                fast_path_case(&name, &spki, &other, &pss_alg, msg, &sig, Some(POSITIONS));
            }
        }

        #[test]
        fn rsa_that_ring_cannot_check_stays_with_rustcrypto() {
            let msg = b"tbsCertList";
            let (k, spki) = key(2048);
            // SHA-1 and SHA-224: not on the fast path.
            for (oid, h) in [
                ("1.2.840.113549.1.1.5", HashAlg::Sha1),
                ("1.2.840.113549.1.1.14", HashAlg::Sha224),
            ] {
                let (ring, _, public) = answers(&spki, &alg(oid), msg, &pkcs1(&k, h, msg));
                assert_eq!((ring, public), (None, Ok(())), "{h:?}");
            }
            // PSS with a salt shorter than the hash (ring verifies salt = hash length only).
            let sig = pss(&k, HashAlg::Sha256, 20, msg);
            let (ring, _, public) = answers(
                &spki,
                &pss_alg(HashAlg::Sha256, HashAlg::Sha256, 20),
                msg,
                &sig,
            );
            assert_eq!((ring, public), (None, Ok(())));
            // PSS with an MGF1 hash other than the message hash: not checkable, as before.
            let odd = pss_alg(HashAlg::Sha256, HashAlg::Sha1, 32);
            assert!(matches!(
                verify_signature(&spki, &odd, None, msg, &sig),
                Err(SigError::Unsupported(_))
            ));
            // A 1024-bit key: ring refuses it, RustCrypto decides (valid).
            let (small, small_spki) = key(1024);
            let sig = pkcs1(&small, HashAlg::Sha256, msg);
            let (ring, rustcrypto, public) =
                answers(&small_spki, &alg("1.2.840.113549.1.1.11"), msg, &sig);
            assert_eq!((ring, rustcrypto, public), (Some(false), Ok(()), Ok(())));
            let mut bad = sig.clone();
            bad[64] ^= 1;
            let (_, _, public) = answers(&small_spki, &alg("1.2.840.113549.1.1.11"), msg, &bad);
            assert!(matches!(public, Err(SigError::Invalid(_))));
        }

        #[test]
        fn a_signature_with_its_leading_zero_dropped_is_decided_by_rustcrypto() {
            // Some signers strip the leading zero bytes of an RSA signature. ring refuses such
            // a signature (it must be exactly as long as the modulus); RustCrypto accepts it.
            // The answer stays RustCrypto's: this is why a refusal by ring is not final.
            let (k, spki) = key(2048);
            let sha256 = alg("1.2.840.113549.1.1.11");
            // One signature in 256 starts with a zero byte.
            let (msg, sig) = (0..5000)
                .map(|i| format!("message {i}"))
                .map(|m| {
                    let sig = pkcs1(&k, HashAlg::Sha256, m.as_bytes());
                    (m, sig)
                })
                .find(|(_, sig)| sig[0] == 0)
                .unwrap();
            let answers = answers(&spki, &sha256, msg.as_bytes(), &sig[1..]);
            assert_eq!(answers, (Some(false), Ok(()), Ok(())));
        }
    }
}
