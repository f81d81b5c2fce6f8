//! The platform trust list: a JSON document of the platform's public signing keys, signed as a
//! JWS (RFC 7515, compact serialization) whose `x5c` header carries the signer's certificate
//! chain up to the platform root.
//!
//! Offline verifiers pin the root certificate, check the `x5c` chain to it, check that the
//! signer certificate has the trust-list-signing EKU (id-tsl-kp-tslSigning, ETSI TS 119 612),
//! verify the JWS with the signer's key and then trust the listed keys. Standard JOSE libraries
//! (e.g. Python `jwcrypto` or `PyJWT`) can do the JWS part; `openssl verify` the chain part.
//!
//! ```text
//! BASE64URL({"alg":"ES256","typ":"dasan-trust-list+json","kid":"pki-mois-trust-list-signing@v1",
//!            "x5c":["<signer>","<issuing CA>","<root>"]})
//! . BASE64URL(<TrustList JSON>) . BASE64URL(<signature>)
//! ```

use std::time::SystemTime;

use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use crate::algorithm::{Algorithm, KeyKind};
use crate::b64;
use crate::keystore::{KeyId, KeyStore, KeyStoreError};
use crate::oid;
use crate::pki::{IssuedCertificate, PkiError, extended_key_usages, rfc3339, verify_chain};
use crate::verify::{self, VerifyError};

/// `type` field of the document.
pub const TRUST_LIST_TYPE: &str = "dasan-trust-list";
/// JWS `typ` header value (media type `application/dasan-trust-list+json`).
pub const JWS_TYP: &str = "dasan-trust-list+json";
/// Well-known path the platform serves the trust list at (RFC 8615 style).
pub const WELL_KNOWN_PATH: &str = "/.well-known/dasan-trust-list.jws";

/// Errors from building, signing or verifying a trust list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// Not a well-formed JWS or trust list.
    #[error("malformed trust list: {0}")]
    Malformed(String),
    /// The JWS algorithm is not accepted, or does not fit the signer's key.
    #[error("unsupported or mismatched JWS algorithm: {0}")]
    Algorithm(String),
    /// The signer certificate is not authorised to sign trust lists.
    #[error("signer is not a trust-list signer: {0}")]
    NotTrustListSigner(String),
    /// The `x5c` chain does not lead to the pinned root.
    #[error(transparent)]
    Chain(#[from] PkiError),
    /// The JWS signature does not verify.
    #[error("trust list signature invalid: {0}")]
    Signature(#[from] VerifyError),
    /// The list is past its nextUpdate: the verifier must fetch a fresh one.
    #[error("trust list expired at {next_update}")]
    Expired {
        /// The list's nextUpdate.
        next_update: String,
    },
    /// The key store failed while signing.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
}

/// Status of a listed key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryStatus {
    /// In use.
    Active,
    /// No longer signs; kept so old signatures stay verifiable.
    Retired,
    /// Its certificate is revoked: do not trust signatures made with it.
    Revoked,
}

/// One public signing key of the platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListEntry {
    /// What the key signs (e.g. `document-signing`, `audit-checkpoint`).
    pub purpose: String,
    /// Agency code, when the key belongs to an agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Key store id (`label@vN`).
    pub key_id: String,
    /// Signature algorithm.
    pub algorithm: Algorithm,
    /// DER SubjectPublicKeyInfo, standard base64.
    pub spki: String,
    /// SHA-256 of the SPKI DER, lower-case hex (a stable key fingerprint).
    pub spki_sha256: String,
    /// Certificate chain, standard base64 DER, leaf first (as in JWS `x5c`).
    pub certificate_chain: Vec<String>,
    /// Certificate notBefore (RFC 3339).
    pub not_before: String,
    /// Certificate notAfter (RFC 3339).
    pub not_after: String,
    /// Status.
    pub status: EntryStatus,
}

impl TrustListEntry {
    /// Describe a certified key. `chain` is leaf first and should end at the root.
    ///
    /// # Errors
    /// [`TrustListError::Chain`] if a certificate does not parse.
    pub fn from_chain(
        purpose: &str,
        agency: Option<&str>,
        key_id: &KeyId,
        algorithm: Algorithm,
        chain: &[&IssuedCertificate],
        status: EntryStatus,
    ) -> Result<Self, TrustListError> {
        let leaf = chain
            .first()
            .ok_or_else(|| TrustListError::Malformed("empty certificate chain".into()))?;
        let cert = leaf.certificate()?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(PkiError::from)?;
        Ok(TrustListEntry {
            purpose: purpose.to_owned(),
            agency: agency.map(str::to_owned),
            key_id: key_id.to_string(),
            algorithm,
            spki_sha256: crate::pki::hex_lower(&Sha256::digest(&spki)),
            spki: b64::encode(&spki),
            certificate_chain: chain.iter().map(|c| b64::encode(&c.der)).collect(),
            not_before: rfc3339(crate::keystore::from_unix_micros(leaf.not_before_us))?,
            not_after: rfc3339(crate::keystore::from_unix_micros(leaf.not_after_us))?,
            status,
        })
    }
}

/// The trust list document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Always [`TRUST_LIST_TYPE`].
    #[serde(rename = "type")]
    pub list_type: String,
    /// Format version (1).
    pub version: u32,
    /// Issue number, increasing with every published list, so verifiers can refuse rollback.
    pub sequence: u64,
    /// Who publishes it (the platform root's subject).
    pub issuer: String,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When verifiers must fetch a newer one (RFC 3339).
    pub next_update: String,
    /// The keys.
    pub entries: Vec<TrustListEntry>,
}

impl TrustList {
    /// An empty list.
    ///
    /// # Errors
    /// [`TrustListError::Chain`] wrapping an encoding error for out-of-range times.
    pub fn new(
        issuer: impl Into<String>,
        sequence: u64,
        issued_at: SystemTime,
        next_update: SystemTime,
    ) -> Result<Self, TrustListError> {
        if next_update <= issued_at {
            return Err(TrustListError::Malformed(
                "nextUpdate must be after the issue time".into(),
            ));
        }
        Ok(TrustList {
            list_type: TRUST_LIST_TYPE.into(),
            version: 1,
            sequence,
            issuer: issuer.into(),
            issued_at: rfc3339(issued_at)?,
            next_update: rfc3339(next_update)?,
            entries: Vec::new(),
        })
    }

    fn next_update_time(&self) -> Result<SystemTime, TrustListError> {
        let dt: der::DateTime = self
            .next_update
            .parse()
            .map_err(|_| TrustListError::Malformed("next_update is not RFC 3339 UTC".into()))?;
        Ok(dt.to_system_time())
    }
}

#[derive(Serialize, Deserialize)]
struct JwsHeader {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x5c: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<Vec<String>>,
}

/// The signer certificate must carry id-tsl-kp-tslSigning and allow digitalSignature.
fn check_signer_certificate(der: &[u8]) -> Result<(), TrustListError> {
    if !extended_key_usages(der)?.contains(&oid::KP_TSL_SIGNING) {
        return Err(TrustListError::NotTrustListSigner(
            "certificate lacks the id-tsl-kp-tslSigning extended key usage".into(),
        ));
    }
    let cert = Certificate::from_der(der).map_err(PkiError::from)?;
    if let Some((_, ku)) = cert
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .map_err(PkiError::from)?
        && !ku.0.contains(KeyUsages::DigitalSignature)
    {
        return Err(TrustListError::NotTrustListSigner(
            "certificate does not allow digitalSignature".into(),
        ));
    }
    Ok(())
}

/// Sign `list` with the store key `signer`, whose certificate chain (DER, leaf first, ending
/// at the root) goes into the `x5c` header.
///
/// # Errors
/// [`TrustListError::NotTrustListSigner`] if the leaf certificate is not for trust-list
/// signing or is not the certificate of `signer`; key store errors.
pub fn sign_trust_list(
    store: &dyn KeyStore,
    signer: &KeyId,
    signer_chain: &[Vec<u8>],
    list: &TrustList,
) -> Result<String, TrustListError> {
    let leaf = signer_chain
        .first()
        .ok_or_else(|| TrustListError::Malformed("empty signer chain".into()))?;
    check_signer_certificate(leaf)?;
    let leaf_spki = Certificate::from_der(leaf)
        .map_err(PkiError::from)?
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(PkiError::from)?;
    if store.public_key(signer)? != leaf_spki {
        return Err(TrustListError::NotTrustListSigner(format!(
            "the first x5c certificate is not the certificate of key {signer}"
        )));
    }
    let algorithm = store.key_info(signer)?.algorithm;
    let header = JwsHeader {
        alg: algorithm.jws_alg().into(),
        typ: Some(JWS_TYP.into()),
        kid: Some(signer.to_string()),
        x5c: Some(signer_chain.iter().map(|c| b64::encode(c)).collect()),
        crit: None,
    };
    let header_json =
        serde_json::to_vec(&header).map_err(|e| TrustListError::Malformed(e.to_string()))?;
    let payload_json =
        serde_json::to_vec(list).map_err(|e| TrustListError::Malformed(e.to_string()))?;
    let signing_input = format!(
        "{}.{}",
        b64::encode_url(&header_json),
        b64::encode_url(&payload_json)
    );
    let signature = store.sign(signer, signing_input.as_bytes())?;
    // JWS ECDSA signatures are the fixed-size r || s (RFC 7518 §3.4), not DER.
    let signature = if algorithm.is_ecdsa() {
        verify::ecdsa_der_to_fixed(algorithm, &signature)?
    } else {
        signature
    };
    Ok(format!("{signing_input}.{}", b64::encode_url(&signature)))
}

/// Which [`Algorithm`] a JWS `alg` means for a given key.
fn jws_algorithm(alg: &str, spki: &[u8]) -> Result<Algorithm, TrustListError> {
    let kind = verify::spki_key_kind(spki)?;
    let algorithm = match (alg, kind) {
        ("ES256", KeyKind::P256) => Algorithm::EcdsaP256Sha256,
        ("ES384", KeyKind::P384) => Algorithm::EcdsaP384Sha384,
        ("EdDSA", KeyKind::Ed25519) => Algorithm::Ed25519,
        ("RS256", KeyKind::Rsa { bits: 2048 }) => Algorithm::Rsa2048Pkcs1v15Sha256,
        ("RS256", KeyKind::Rsa { bits: 3072 }) => Algorithm::Rsa3072Pkcs1v15Sha256,
        ("PS256", KeyKind::Rsa { bits: 2048 }) => Algorithm::Rsa2048PssSha256,
        ("PS256", KeyKind::Rsa { bits: 3072 }) => Algorithm::Rsa3072PssSha256,
        _ => {
            return Err(TrustListError::Algorithm(format!(
                "\"{alg}\" with a {kind:?} key"
            )));
        }
    };
    Ok(algorithm)
}

/// Verify a compact-serialized trust list against the pinned root certificate (DER) at time
/// `now`, and return its contents.
///
/// # Errors
/// Any failure of format, chain, signer authorisation, signature or freshness.
pub fn verify_trust_list(
    jws: &str,
    trust_anchor: &[u8],
    now: SystemTime,
) -> Result<TrustList, TrustListError> {
    let malformed = |m: &str| TrustListError::Malformed(m.to_owned());
    let mut parts = jws.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a compact JWS has exactly three parts"));
    };
    let header: JwsHeader = serde_json::from_slice(
        &b64::decode_url(h).map_err(|_| malformed("header is not base64url"))?,
    )
    .map_err(|_| malformed("header is not a JSON object"))?;
    if header.crit.is_some() {
        return Err(malformed("critical header parameters are not supported"));
    }
    if header.typ.as_deref() != Some(JWS_TYP) {
        return Err(malformed("typ is not a Dasan trust list"));
    }
    let chain = header
        .x5c
        .ok_or_else(|| malformed("no x5c certificate chain"))?
        .iter()
        .map(|c| b64::decode(c).map_err(|_| malformed("x5c entry is not base64")))
        .collect::<Result<Vec<_>, _>>()?;
    verify_chain(&chain, trust_anchor, now)?;
    let leaf = chain.first().ok_or_else(|| malformed("empty x5c"))?;
    check_signer_certificate(leaf)?;
    let spki = Certificate::from_der(leaf)
        .map_err(PkiError::from)?
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(PkiError::from)?;
    let algorithm = jws_algorithm(&header.alg, &spki)?;
    let signature = b64::decode_url(s).map_err(|_| malformed("signature is not base64url"))?;
    let signature = if algorithm.is_ecdsa() {
        verify::ecdsa_fixed_to_der(algorithm, &signature)?
    } else {
        signature
    };
    let signing_input = format!("{h}.{p}");
    verify::verify_signature(algorithm, &spki, signing_input.as_bytes(), &signature)?;

    let list: TrustList = serde_json::from_slice(
        &b64::decode_url(p).map_err(|_| malformed("payload is not base64url"))?,
    )
    .map_err(|e| TrustListError::Malformed(format!("payload: {e}")))?;
    if list.list_type != TRUST_LIST_TYPE || list.version != 1 {
        return Err(malformed("not a version 1 Dasan trust list"));
    }
    if now > list.next_update_time()? {
        return Err(TrustListError::Expired {
            next_update: list.next_update.clone(),
        });
    }
    Ok(list)
}
