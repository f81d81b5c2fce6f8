//! The QR seal: a document's key facts, signed, on every page, verifiable offline.
//!
//! Format (after the EU Digital COVID Certificate):
//!
//! ```text
//! "DSN1:" || Base45( zlib( COSE_Sign1 ) )
//! COSE_Sign1 (tag 18): protected { 1 (alg): -7 (ES256), 4 (kid): SHA-256(signing cert DER)[0..8] }
//!                      payload   CBOR map (CWT claim keys where one exists):
//!                        1 (iss): agency code      6 (iat): issued at, Unix seconds
//!                        4 (exp): expires at       -65537: { "t": document type code,
//!                          "n": issue number, "s": subject id, "sn": subject name,
//!                          "f": { fact name: value, ... } }
//! ```
//!
//! Base45's alphabet is QR's alphanumeric set, so the payload packs at 5.5 bits per character;
//! error correction Q survives a quarter of the symbol being damaged.

use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ciborium::value::Value;
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana,
};
use dasan_crypto::trust_list::{EntryStatus, TrustList};
use dasan_crypto::{Algorithm, StoreSignature, StoreSigner};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use signature::Signer;
use x509_cert::Certificate;

use crate::model::{DocumentSpec, Facts};

/// Prefix of every payload (format version 1).
pub const PREFIX: &str = "DSN1:";
/// Longest payload accepted by the verifier (a QR code holds at most 4,296 alphanumerics).
const MAX_PAYLOAD: usize = 4_296;
/// Largest decompressed COSE message accepted (guards against zlib bombs).
const MAX_COSE: u64 = 16 * 1024;
/// CWT private claim carrying the document fields.
const CLAIM_DOC: i64 = -65537;

/// Errors making or verifying a seal.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// Not a `DSN1:` payload, or its Base45, zlib or CBOR is broken.
    #[error("malformed seal: {0}")]
    Malformed(String),
    /// No trusted signing certificate has this key id.
    #[error("seal signed by an unknown key (kid {0})")]
    UnknownKey(String),
    /// The signature does not verify: the seal was altered or forged.
    #[error("seal signature does not verify")]
    BadSignature,
    /// The key cannot make ES256 seals.
    #[error("seals need an ECDSA P-256 key, not {0}")]
    UnsupportedAlgorithm(String),
    /// The signing key or store failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The payload does not fit a QR code.
    #[error("payload does not fit a QR code: {0}")]
    TooLarge(String),
}

fn malformed(m: impl Into<String>) -> SealError {
    SealError::Malformed(m.into())
}

/// What a seal attests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// Document type code (see [`crate::DocumentType::code`]).
    pub document_type: String,
    /// Issue number.
    pub issue_number: String,
    /// Issuing agency code.
    pub issuer: String,
    /// Who or what the document is about (national id, business number, parcel number...).
    pub subject_id: String,
    /// The subject's name.
    pub subject_name: String,
    /// Key facts, in order.
    pub facts: Vec<(String, String)>,
    /// Issued at, Unix seconds.
    pub issued_at: u64,
    /// Expires at, Unix seconds.
    pub expires_at: u64,
}

impl Claims {
    /// The claims of a document: its type, number, subject and the facts a checker most needs.
    ///
    /// # Errors
    /// [`SealError::Malformed`] for times before 1970.
    pub fn from_spec(spec: &DocumentSpec, expires_at: SystemTime) -> Result<Claims, SealError> {
        let f = |k: &str, v: String| (k.to_owned(), v);
        let (subject_id, subject_name, facts) = match &spec.facts {
            Facts::ResidentRegistration(r) => (
                r.holder.national_id.clone(),
                r.holder.name.clone(),
                vec![
                    f("address", r.address.clone()),
                    f("moved_in", r.moved_in.iso()),
                    f("household", r.household.len().to_string()),
                ],
            ),
            Facts::FamilyRelations(r) => (
                r.principal.national_id.clone(),
                r.principal.name.clone(),
                r.members
                    .iter()
                    .map(|m| {
                        f(
                            &crate::labels::relation(&m.relation, crate::Language::En)
                                .to_lowercase(),
                            m.person.name.clone(),
                        )
                    })
                    .collect(),
            ),
            Facts::BusinessRegistration(b) => (
                b.business_number.clone(),
                b.trade_name.clone(),
                vec![
                    f("representative", b.representative.clone()),
                    f("address", b.address.clone()),
                    f("status", b.status.clone()),
                    f("opened_on", b.opened_on.iso()),
                ],
            ),
            // A business's certificate is about the business, not its representative.
            Facts::TaxPayment(t) => (
                t.business
                    .as_ref()
                    .map_or_else(|| t.taxpayer.national_id.clone(), |b| b.0.clone()),
                t.business
                    .as_ref()
                    .map_or_else(|| t.taxpayer.name.clone(), |b| b.1.clone()),
                vec![
                    f(
                        "arrears",
                        t.arrears
                            .as_ref()
                            .map_or("0".to_owned(), |a| format!("{} {}", a.minor, a.currency)),
                    ),
                    f("purpose", t.purpose.clone()),
                ],
            ),
            Facts::LandRegister(l) => (
                l.parcel_number.clone(),
                l.location.clone(),
                vec![
                    f(
                        "owner",
                        l.ownership
                            .last()
                            .map(|e| e.holder.clone())
                            .unwrap_or_default(),
                    ),
                    f("area_m2", l.area_m2.clone()),
                    f("other_rights", l.other_rights.len().to_string()),
                ],
            ),
            Facts::ProcurementContract(c) => (
                c.supplier_number.clone(),
                c.supplier_name.clone(),
                vec![
                    f("contract", c.contract_number.clone()),
                    f("tender", c.tender_reference.clone()),
                    f("value", format!("{} {}", c.value.minor, c.value.currency)),
                    f(
                        "version",
                        c.amendment.as_ref().map_or(1, |a| a.0).to_string(),
                    ),
                ],
            ),
            Facts::DecisionLetter(d) => (
                d.reference.clone(),
                d.recipient.clone(),
                vec![
                    f("subject", d.subject.clone()),
                    f(
                        "outcome",
                        crate::labels::outcome(d.outcome, crate::Language::En).to_lowercase(),
                    ),
                ],
            ),
        };
        Ok(Claims {
            document_type: spec.facts.document_type().code().to_owned(),
            issue_number: spec.issue_number.clone(),
            issuer: spec.agency.code.clone(),
            subject_id,
            subject_name,
            facts,
            issued_at: unix(spec.issued_at)?,
            expires_at: unix(expires_at)?,
        })
    }

    /// Whether the document has expired at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        now > UNIX_EPOCH + Duration::from_secs(self.expires_at)
    }

    fn to_cbor(&self) -> Result<Vec<u8>, SealError> {
        let t = |s: &str| Value::Text(s.to_owned());
        let doc = Value::Map(vec![
            (t("t"), t(&self.document_type)),
            (t("n"), t(&self.issue_number)),
            (t("s"), t(&self.subject_id)),
            (t("sn"), t(&self.subject_name)),
            (
                t("f"),
                Value::Map(self.facts.iter().map(|(k, v)| (t(k), t(v))).collect()),
            ),
        ]);
        let claims = Value::Map(vec![
            (Value::Integer(1.into()), t(&self.issuer)),
            (
                Value::Integer(4.into()),
                Value::Integer(self.expires_at.into()),
            ),
            (
                Value::Integer(6.into()),
                Value::Integer(self.issued_at.into()),
            ),
            (Value::Integer(CLAIM_DOC.into()), doc),
        ]);
        let mut out = Vec::new();
        ciborium::into_writer(&claims, &mut out).map_err(|e| SealError::Signing(e.to_string()))?;
        Ok(out)
    }

    fn from_cbor(bytes: &[u8]) -> Result<Claims, SealError> {
        let v: Value =
            ciborium::from_reader(bytes).map_err(|e| malformed(format!("claims CBOR: {e}")))?;
        let map = v
            .as_map()
            .ok_or_else(|| malformed("claims are not a map"))?;
        let get = |key: i64| {
            map.iter()
                .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
                .map(|(_, v)| v)
        };
        let text = |v: Option<&Value>, what: &str| {
            v.and_then(Value::as_text)
                .map(str::to_owned)
                .ok_or_else(|| malformed(format!("claim {what} missing or not text")))
        };
        let time = |key: i64, what: &str| {
            get(key)
                .and_then(Value::as_integer)
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| malformed(format!("claim {what} missing or not a time")))
        };
        let doc = get(CLAIM_DOC)
            .and_then(Value::as_map)
            .ok_or_else(|| malformed("document claim missing"))?;
        let field = |name: &str| {
            doc.iter()
                .find(|(k, _)| k.as_text() == Some(name))
                .map(|(_, v)| v)
        };
        let facts = field("f")
            .and_then(Value::as_map)
            .ok_or_else(|| malformed("facts missing"))?
            .iter()
            .map(|(k, v)| Ok((text(Some(k), "fact name")?, text(Some(v), "fact value")?)))
            .collect::<Result<Vec<_>, SealError>>()?;
        Ok(Claims {
            document_type: text(field("t"), "t")?,
            issue_number: text(field("n"), "n")?,
            issuer: text(get(1), "iss")?,
            subject_id: text(field("s"), "s")?,
            subject_name: text(field("sn"), "sn")?,
            facts,
            issued_at: time(6, "iat")?,
            expires_at: time(4, "exp")?,
        })
    }
}

fn unix(t: SystemTime) -> Result<u64, SealError> {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| malformed("times before 1970 are not supported"))
}

/// The COSE key id of a signing certificate: the first 8 bytes of SHA-256 of its DER.
pub fn key_id(certificate_der: &[u8]) -> [u8; 8] {
    let h = Sha256::digest(certificate_der);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&h[..8]);
    kid
}

/// Sign `claims` with `signer` (an ECDSA P-256 document-signing key) whose certificate is
/// `certificate_der`, and encode the result as a `DSN1:` payload.
///
/// # Errors
/// [`SealError::UnsupportedAlgorithm`] for a key that is not P-256; [`SealError::Signing`].
pub fn make_qr_payload(
    claims: &Claims,
    signer: &StoreSigner<'_>,
    certificate_der: &[u8],
) -> Result<String, SealError> {
    if signer.algorithm() != Algorithm::EcdsaP256Sha256 {
        return Err(SealError::UnsupportedAlgorithm(
            signer.algorithm().to_string(),
        ));
    }
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(key_id(certificate_der).to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(claims.to_cbor()?)
        .try_create_signature(&[], |data| {
            let sig: StoreSignature = signer
                .try_sign(data)
                .map_err(|e| SealError::Signing(e.to_string()))?;
            // COSE carries ECDSA signatures as fixed-size r || s, not DER.
            dasan_crypto::verify::ecdsa_der_to_fixed(Algorithm::EcdsaP256Sha256, sig.as_bytes())
                .map_err(|e| SealError::Signing(e.to_string()))
        })?
        .build();
    let cose = sign1
        .to_tagged_vec()
        .map_err(|e| SealError::Signing(e.to_string()))?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&cose)
        .map_err(|e| SealError::Signing(e.to_string()))?;
    let compressed = z.finish().map_err(|e| SealError::Signing(e.to_string()))?;
    let payload = format!("{PREFIX}{}", base45::encode(&compressed));
    if payload.len() > MAX_PAYLOAD {
        return Err(SealError::TooLarge(format!("{} characters", payload.len())));
    }
    Ok(payload)
}

/// Verify a `DSN1:` payload against trusted document-signing certificates (DER) and return
/// its claims. Checks the signature only: compare [`Claims::expires_at`] with the time, and
/// the issue number with revocation records, as the use requires.
///
/// # Errors
/// [`SealError::Malformed`], [`SealError::UnknownKey`], [`SealError::BadSignature`].
pub fn verify_qr_payload<C: AsRef<[u8]>>(
    payload: &str,
    trusted_certificates: &[C],
) -> Result<Claims, SealError> {
    let payload = payload.trim();
    if payload.len() > MAX_PAYLOAD {
        return Err(malformed("payload too long"));
    }
    let body = payload
        .strip_prefix(PREFIX)
        .ok_or_else(|| malformed("no DSN1: prefix"))?;
    let compressed = base45::decode(body).map_err(|e| malformed(format!("base45: {e}")))?;
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_COSE + 1)
        .read_to_end(&mut cose)
        .map_err(|e| malformed(format!("zlib: {e}")))?;
    if cose.len() as u64 > MAX_COSE {
        return Err(malformed("decompressed seal too large"));
    }
    let sign1 = CoseSign1::from_tagged_slice(&cose)
        .or_else(|_| CoseSign1::from_slice(&cose))
        .map_err(|e| malformed(format!("COSE_Sign1: {e}")))?;
    if sign1.protected.header.alg != Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) {
        return Err(malformed("algorithm is not ES256"));
    }
    let kid = &sign1.protected.header.key_id;
    let candidates: Vec<&[u8]> = trusted_certificates
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| key_id(c).as_slice() == kid.as_slice())
        .collect();
    if candidates.is_empty() {
        return Err(SealError::UnknownKey(
            kid.iter().map(|b| format!("{b:02x}")).collect(),
        ));
    }
    let mut verified = false;
    for cert in candidates {
        let Ok(spki) = Certificate::from_der(cert)
            .and_then(|c| c.tbs_certificate().subject_public_key_info().to_der())
        else {
            continue;
        };
        let ok = sign1.verify_signature(&[], |sig, data| {
            let der_sig =
                dasan_crypto::verify::ecdsa_fixed_to_der(Algorithm::EcdsaP256Sha256, sig)?;
            dasan_crypto::verify::verify_signature(
                Algorithm::EcdsaP256Sha256,
                &spki,
                data,
                &der_sig,
            )
        });
        if ok.is_ok() {
            verified = true;
            break;
        }
    }
    if !verified {
        return Err(SealError::BadSignature);
    }
    let claims = sign1
        .payload
        .as_deref()
        .ok_or_else(|| malformed("no payload"))?;
    Claims::from_cbor(claims)
}

/// The document-signing certificates (DER) of a verified trust list that seals may be
/// checked against: every entry for `document-signing` that is not revoked (retired keys
/// stay, so documents they signed remain verifiable).
pub fn trusted_signers(list: &TrustList) -> Vec<Vec<u8>> {
    use base64ct::{Base64, Encoding};
    list.entries
        .iter()
        .filter(|e| e.purpose == "document-signing" && e.status != EntryStatus::Revoked)
        .filter_map(|e| e.certificate_chain.first())
        .filter_map(|c| Base64::decode_vec(c).ok())
        .collect()
}

/// A QR symbol's modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side.
    pub width: usize,
    modules: Vec<bool>,
}

impl QrMatrix {
    /// Encode `payload` at error correction level Q (the payload's Base45 characters are QR
    /// alphanumerics, so the encoder picks alphanumeric mode).
    ///
    /// # Errors
    /// [`SealError::TooLarge`].
    pub fn encode(payload: &str) -> Result<QrMatrix, SealError> {
        let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::Q)
            .map_err(|e| SealError::TooLarge(e.to_string()))?;
        Ok(QrMatrix {
            width: code.width(),
            modules: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.width
            && self
                .modules
                .get(y * self.width + x)
                .copied()
                .unwrap_or(false)
    }
}

/// Base45 (RFC 9285).
pub mod base45 {
    const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    /// Encode bytes.
    pub fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
        let mut push = |v: usize| out.push(char::from(ALPHABET[v % 45]));
        for chunk in data.chunks(2) {
            match *chunk {
                [a, b] => {
                    let n = usize::from(a) * 256 + usize::from(b);
                    push(n);
                    push(n / 45);
                    push(n / 2025);
                }
                [a] => {
                    let n = usize::from(a);
                    push(n);
                    push(n / 45);
                }
                _ => {}
            }
        }
        out
    }

    /// Decode, rejecting characters outside the alphabet, a dangling character, and groups
    /// whose value is out of range.
    ///
    /// # Errors
    /// A description of the first problem.
    pub fn decode(text: &str) -> Result<Vec<u8>, String> {
        let digits = text
            .bytes()
            .enumerate()
            .map(|(i, c)| {
                ALPHABET
                    .iter()
                    .position(|a| *a == c)
                    .ok_or_else(|| format!("invalid character at {i}"))
            })
            .collect::<Result<Vec<usize>, String>>()?;
        let mut out = Vec::with_capacity(digits.len() / 3 * 2 + 1);
        for (i, group) in digits.chunks(3).enumerate() {
            match *group {
                [c, d, e] => {
                    let n = c + d * 45 + e * 2025;
                    let [hi, lo] = u16::try_from(n)
                        .map_err(|_| format!("group {i} out of range"))?
                        .to_be_bytes();
                    out.extend([hi, lo]);
                }
                [c, d] => {
                    let n = c + d * 45;
                    out.push(u8::try_from(n).map_err(|_| format!("group {i} out of range"))?);
                }
                _ => return Err("dangling character".into()),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn base45_matches_rfc_9285_examples() {
        assert_eq!(base45::encode(b"AB"), "BB8");
        assert_eq!(base45::encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45::encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(base45::decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(base45::decode("").unwrap(), b"");
        // "GGW" = 65535 + 1: out of range; a lone character; a lower-case letter.
        assert!(base45::decode("GGW").is_err());
        assert!(base45::decode("BB8A").is_err());
        assert!(base45::decode("bb8").is_err());
        for n in [0usize, 1, 2, 3, 100, 257] {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(base45::decode(&base45::encode(&data)).unwrap(), data);
        }
    }

    #[test]
    fn claims_round_trip_through_cbor() {
        let c = Claims {
            document_type: "tax-payment".into(),
            issue_number: "2026-0001".into(),
            issuer: "NTS".into(),
            subject_id: "900101-1******".into(),
            subject_name: "홍길동".into(),
            facts: vec![
                ("arrears".into(), "0".into()),
                ("purpose".into(), "대출".into()),
            ],
            issued_at: 1_772_323_200,
            expires_at: 1_774_915_200,
        };
        assert_eq!(Claims::from_cbor(&c.to_cbor().unwrap()).unwrap(), c);
        assert!(Claims::from_cbor(b"\xa0").is_err());
        assert!(Claims::from_cbor(b"\xff\x00").is_err());
        assert!(!c.is_expired_at(UNIX_EPOCH + Duration::from_secs(1_774_915_200)));
        assert!(c.is_expired_at(UNIX_EPOCH + Duration::from_secs(1_774_915_201)));
    }

    #[test]
    fn malformed_payloads_are_refused_without_panicking() {
        let none: &[Vec<u8>] = &[];
        for p in [
            "",
            "DSN1:",
            "DSN2:ABC",
            "DSN1:abc",
            "DSN1:BB8",
            "DSN1:%69 VD92EX0",
        ] {
            assert!(
                matches!(verify_qr_payload(p, none), Err(SealError::Malformed(_))),
                "{p:?}"
            );
        }
        let long = format!("DSN1:{}", "A".repeat(5000));
        assert!(matches!(
            verify_qr_payload(&long, none),
            Err(SealError::Malformed(_))
        ));
    }

    #[test]
    fn qr_matrix_has_a_finder_pattern() {
        let m = QrMatrix::encode("DSN1:ABC").unwrap();
        assert!(m.width >= 21);
        // Top-left finder: a dark 7×7 ring around a light ring around a dark 3×3 centre.
        assert!(m.dark(0, 0) && m.dark(6, 0) && m.dark(0, 6) && m.dark(6, 6));
        assert!(!m.dark(1, 1) && m.dark(3, 3));
        assert!(!m.dark(m.width, 0));
    }
}
