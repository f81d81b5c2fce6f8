//! Passive authentication (Doc 9303 Part 11, §5.1): is the chip's data what the issuing state
//! signed, and is the signer one of that state's document signers?
//!
//! The answer is a [`PassiveAuthReport`] with one result per check — passed, failed, or not
//! checkable and why — and a [`Verdict`] that never rounds "not anchored" up to "valid".
//! Time is a parameter: the crate never reads the clock.

use crate::crypto::{HashAlg, SigError, verify_signature};
use crate::lds::{self, LdsError, MasterList, Sod};
use crate::mrz::Mrz;
use crate::tlv;
use const_oid::ObjectIdentifier as Oid;
use der::asn1::OctetString;
use der::{Decode, Encode};
use std::collections::BTreeMap;
use std::time::SystemTime;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::name::Name;

const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "status", content = "reason", rename_all = "snake_case")
)]
pub enum CheckResult {
    /// Checked and good.
    Passed,
    /// Checked and bad.
    Failed(String),
    /// Could not be checked; the reason says why.
    NotCheckable(String),
}

impl CheckResult {
    /// Passed?
    pub fn passed(&self) -> bool {
        matches!(self, CheckResult::Passed)
    }

    /// Failed?
    pub fn failed(&self) -> bool {
        matches!(self, CheckResult::Failed(_))
    }

    fn from_sig(r: Result<(), SigError>) -> Self {
        match r {
            Ok(()) => CheckResult::Passed,
            Err(SigError::Invalid(m)) => CheckResult::Failed(m),
            Err(SigError::Unsupported(m)) => CheckResult::NotCheckable(m),
        }
    }
}

fn failed(m: impl Into<String>) -> CheckResult {
    CheckResult::Failed(m.into())
}

fn not_checkable(m: impl Into<String>) -> CheckResult {
    CheckResult::NotCheckable(m.into())
}

/// The hash check of one data group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataGroupCheck {
    /// Data group number.
    pub number: u8,
    /// Result.
    pub result: CheckResult,
}

/// Facts about the document signer certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SignerSummary {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: u64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: u64,
    /// Subject country.
    pub country: Option<String>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Verdict {
    /// Every check passed, including the chain to a trusted CSCA.
    Valid,
    /// The signature and the hashes are valid, but the signer does not chain to a trusted CSCA
    /// (none given, or none matches): the data is consistent, not proven genuine.
    SignatureAndHashesValidChainNotAnchored,
    /// Some check failed: the chip's data must not be trusted.
    Invalid,
    /// Nothing failed, but a core check (signature, hashes) could not be made.
    Incomplete,
}

impl Verdict {
    /// Words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::SignatureAndHashesValidChainNotAnchored => {
                "signature and hashes valid, chain not anchored"
            }
            Verdict::Invalid => "invalid",
            Verdict::Incomplete => "incomplete: a core check could not be made",
        }
    }
}

/// Every check of passive authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PassiveAuthReport {
    /// The overall answer.
    pub verdict: Verdict,
    /// [`Verdict::describe`].
    pub summary: String,
    /// EF.SOD parses.
    pub sod: CheckResult,
    /// The document signer certificate, when found.
    pub signer: Option<SignerSummary>,
    /// Signed attributes: content type is the LDS security object, message digest matches.
    pub signed_attributes: CheckResult,
    /// The SignerInfo signature with the document signer's key.
    pub signature: CheckResult,
    /// The hash of each data group listed in the SOD or given.
    pub data_groups: Vec<DataGroupCheck>,
    /// DG1 equals the MRZ printed on the data page.
    pub dg1_matches_printed_mrz: CheckResult,
    /// The document signer certificate is valid at the verification time.
    pub signer_validity: CheckResult,
    /// The document signer's key usage allows digital signatures.
    pub signer_key_usage: CheckResult,
    /// The document signer certificate is signed by a CSCA from the trust store.
    pub chain: CheckResult,
    /// That CSCA is valid at the verification time and is a CA for certificate signing.
    pub csca: CheckResult,
    /// The document signer is not on its CSCA's CRL.
    pub revocation: CheckResult,
    /// Document signer, CSCA and MRZ issuer agree on the country.
    pub country: CheckResult,
}

/// Trusted CSCAs and the CRLs to check against.
///
/// It also remembers the outcome of the signature checks it was asked to make on certificates
/// and CRLs (keyed by a SHA-256 over key, algorithm, signed bytes and signature), because a
/// reading station sees the same few document signers and CRLs over and over: only the EF.SOD
/// signature and the data group hashes are new for each passport.
#[derive(Debug, Default)]
pub struct TrustStore {
    cscas: Vec<Certificate>,
    crls: Vec<CertificateList>,
    verified: std::sync::Mutex<std::collections::HashMap<[u8; 32], bool>>,
}

impl Clone for TrustStore {
    fn clone(&self) -> Self {
        TrustStore {
            cscas: self.cscas.clone(),
            crls: self.crls.clone(),
            verified: Default::default(),
        }
    }
}

/// Entries kept before the signature cache starts over (bounded memory).
const CACHE_LIMIT: usize = 10_000;

impl TrustStore {
    /// An empty store: chains will be "not anchored".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a CSCA certificate (DER).
    pub fn add_csca_der(&mut self, der: &[u8]) -> Result<(), LdsError> {
        self.cscas
            .push(Certificate::from_der(der).map_err(lds::asn1("CSCA certificate"))?);
        Ok(())
    }

    /// Adds a CSCA certificate.
    pub fn add_csca(&mut self, cert: Certificate) {
        self.cscas.push(cert);
    }

    /// Adds a CRL (DER).
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), LdsError> {
        self.crls
            .push(CertificateList::from_der(der).map_err(lds::asn1("CRL"))?);
        Ok(())
    }

    /// Adds every CSCA of a master list whose signature verifies (see [`verify_master_list`]);
    /// returns how many were added, or why the list was refused.
    pub fn add_master_list(&mut self, list: &MasterList) -> Result<usize, CheckResult> {
        let r = verify_master_list(list);
        if !r.passed() {
            return Err(r);
        }
        self.cscas.extend(list.certificates.iter().cloned());
        Ok(list.certificates.len())
    }

    /// The CSCAs.
    pub fn cscas(&self) -> &[Certificate] {
        &self.cscas
    }

    /// [`verify_signature`] through the cache (definite answers only are remembered).
    fn verify_cached(
        &self,
        issuer: &Certificate,
        alg: &spki::AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> CheckResult {
        let spki = issuer.tbs_certificate().subject_public_key_info();
        let key = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            for part in [
                spki.to_der().unwrap_or_default(),
                alg.to_der().unwrap_or_default(),
            ] {
                h.update((part.len() as u64).to_be_bytes());
                h.update(&part);
            }
            h.update((message.len() as u64).to_be_bytes());
            h.update(message);
            h.update(signature);
            let out: [u8; 32] = h.finalize().into();
            out
        };
        if let Ok(cache) = self.verified.lock()
            && let Some(&ok) = cache.get(&key)
        {
            return if ok {
                CheckResult::Passed
            } else {
                failed("signature does not verify (cached)")
            };
        }
        let r = CheckResult::from_sig(verify_signature(spki, alg, None, message, signature));
        if !matches!(r, CheckResult::NotCheckable(_))
            && let Ok(mut cache) = self.verified.lock()
        {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, r.passed());
        }
        r
    }

    /// Like [`verify_issued_by`], through the cache.
    fn issued_by(&self, cert: &Certificate, issuer: &Certificate) -> CheckResult {
        let tbs = match raw_tbs(cert) {
            Ok(t) => t,
            Err(e) => return failed(format!("certificate encoding: {e}")),
        };
        let Some(sig) = cert.signature().as_bytes() else {
            return failed("certificate signature is not a whole number of bytes");
        };
        self.verify_cached(issuer, cert.signature_algorithm(), &tbs, sig)
    }
}

/// The signed (TBS) part of a certificate exactly as encoded.
fn raw_tbs(cert: &Certificate) -> Result<Vec<u8>, String> {
    let der = cert.to_der().map_err(|e| e.to_string())?;
    let outer = tlv::single(&der, 0x30).map_err(|e| e.to_string())?;
    let tbs = outer.children().read().map_err(|e| e.to_string())?;
    Ok(tbs.raw.to_vec())
}

/// Does `issuer`'s key verify `cert`'s signature?
pub fn verify_issued_by(cert: &Certificate, issuer: &Certificate) -> CheckResult {
    let tbs = match raw_tbs(cert) {
        Ok(t) => t,
        Err(e) => return failed(format!("certificate encoding: {e}")),
    };
    let Some(sig) = cert.signature().as_bytes() else {
        return failed("certificate signature is not a whole number of bytes");
    };
    CheckResult::from_sig(verify_signature(
        issuer.tbs_certificate().subject_public_key_info(),
        cert.signature_algorithm(),
        None,
        &tbs,
        sig,
    ))
}

fn unix(t: &x509_cert::time::Time) -> u64 {
    t.to_unix_duration().as_secs()
}

fn secs(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn validity_at(cert: &Certificate, at: SystemTime, what: &str) -> CheckResult {
    let v = cert.tbs_certificate().validity();
    let now = secs(at);
    if now < unix(&v.not_before) {
        failed(format!(
            "{what} is not yet valid (notBefore {})",
            v.not_before
        ))
    } else if now > unix(&v.not_after) {
        failed(format!("{what} has expired (notAfter {})", v.not_after))
    } else {
        CheckResult::Passed
    }
}

/// The subject's country (the C attribute).
pub fn country_of(name: &Name) -> Option<String> {
    name.country().ok().flatten().map(|c| c.to_string())
}

/// The short names x509-cert writes for the usual attribute types (its `Display` takes the
/// shortest name of the OID in const-oid's database, upper-cased; a test checks this table
/// against the database).
const SHORT_NAMES: &[(Oid, &str)] = &[
    (Oid::new_unwrap("2.5.4.3"), "CN"),
    (Oid::new_unwrap("2.5.4.4"), "SN"),
    (Oid::new_unwrap("2.5.4.5"), "SERIALNUMBER"),
    (Oid::new_unwrap("2.5.4.6"), "C"),
    (Oid::new_unwrap("2.5.4.7"), "L"),
    (Oid::new_unwrap("2.5.4.8"), "ST"),
    (Oid::new_unwrap("2.5.4.10"), "O"),
    (Oid::new_unwrap("2.5.4.11"), "OU"),
    (Oid::new_unwrap("2.5.4.42"), "GN"),
    (Oid::new_unwrap("2.5.4.46"), "DNQUALIFIER"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
];

/// A name as RFC 4514 text, exactly as x509-cert's `Display` writes it. That `Display` searches
/// the whole OID database for every attribute (about a tenth of a cold passive
/// authentication); here the usual attribute types come from [`SHORT_NAMES`], and any other
/// attribute, or a value that is not a string, is written by x509-cert itself.
fn name_text(name: &Name) -> String {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::{Tag, Tagged};
    use std::fmt::Write;
    let mut out = String::new();
    // RFC 4514: the last RDN first; attributes of one RDN joined by '+'.
    for (i, rdn) in name.as_ref().as_ref().iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.as_ref().iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let v = &atv.value;
            let value = match v.tag() {
                Tag::PrintableString => PrintableStringRef::try_from(v).ok().map(|s| s.as_str()),
                Tag::Utf8String => Utf8StringRef::try_from(v).ok().map(|s| s.as_str()),
                Tag::Ia5String => Ia5StringRef::try_from(v).ok().map(|s| s.as_str()),
                Tag::TeletexString => TeletexStringRef::try_from(v).ok().map(|s| s.as_str()),
                _ => None,
            };
            let key = SHORT_NAMES.iter().find(|(oid, _)| *oid == atv.oid);
            let (Some((_, key)), Some(value)) = (key, value) else {
                let _ = write!(out, "{atv}");
                continue;
            };
            out.push_str(key);
            out.push('=');
            // x509-cert's escaping.
            let mut chars = value.char_indices().peekable();
            while let Some((k, c)) = chars.next() {
                match c {
                    '#' if k == 0 => out.push_str("\\#"),
                    ' ' if k == 0 || chars.peek().is_none() => out.push_str("\\ "),
                    '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\x00'..='\x1f' | '\x7f' => {
                        let _ = write!(out, "\\{:02x}", c as u8);
                    }
                    _ => out.push(c),
                }
            }
        }
    }
    out
}

fn summary(cert: &Certificate) -> SignerSummary {
    let tbs = cert.tbs_certificate();
    SignerSummary {
        subject: name_text(tbs.subject()),
        issuer: name_text(tbs.issuer()),
        serial: tbs
            .serial_number()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect(),
        not_before: unix(&tbs.validity().not_before),
        not_after: unix(&tbs.validity().not_after),
        country: country_of(tbs.subject()),
    }
}

/// Finds the signer's certificate among `certs` by the SignerInfo's identifier.
fn find_signer<'a>(
    sid: &cms::signed_data::SignerIdentifier,
    certs: &'a [Certificate],
) -> Option<&'a Certificate> {
    use cms::signed_data::SignerIdentifier as S;
    certs.iter().find(|c| match sid {
        S::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate().issuer() == &ias.issuer
                && c.tbs_certificate().serial_number() == &ias.serial_number
        }
        S::SubjectKeyIdentifier(ski) => c
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, s)| s.0 == ski.0),
    })
}

/// Checks a SignedData's first SignerInfo: signed attributes and signature.
/// Returns (signed attributes, signature, signer certificate).
fn check_signer(
    sd: &cms::signed_data::SignedData,
    econtent_type: Oid,
    econtent: &[u8],
    signed_attrs_der: Option<&[u8]>,
    extra_certs: &[Certificate],
) -> (CheckResult, CheckResult, Option<Certificate>) {
    let Some(si) = sd.signer_infos.0.iter().next() else {
        return (failed("no SignerInfo"), failed("no SignerInfo"), None);
    };
    let mut certs = lds::embedded_certificates(sd);
    certs.extend(extra_certs.iter().cloned());
    let signer = find_signer(&si.sid, &certs).cloned();
    let Some(digest) = HashAlg::from_oid(&si.digest_alg.oid) else {
        let m = format!("digest algorithm {}", si.digest_alg.oid);
        return (not_checkable(m.clone()), not_checkable(m), signer);
    };
    // Signed attributes: content type and message digest (RFC 5652 §5.4, §11).
    let (attrs_result, signed_bytes) = match (&si.signed_attrs, signed_attrs_der) {
        (Some(attrs), Some(raw)) => {
            let mut ct_ok = false;
            let mut md: Option<Vec<u8>> = None;
            for a in attrs.iter() {
                if a.oid == CONTENT_TYPE {
                    ct_ok = a.values.len() == 1
                        && a.values
                            .iter()
                            .next()
                            .and_then(|v| v.decode_as::<Oid>().ok())
                            == Some(econtent_type);
                } else if a.oid == MESSAGE_DIGEST && a.values.len() == 1 {
                    md = a
                        .values
                        .iter()
                        .next()
                        .and_then(|v| v.decode_as::<OctetString>().ok())
                        .map(|o| o.as_bytes().to_vec());
                }
            }
            let r = match md {
                None => failed("no message-digest attribute"),
                Some(_) if !ct_ok => {
                    failed("content-type attribute missing or not the eContentType")
                }
                Some(md) if md != digest.digest(econtent) => {
                    failed("message digest does not match the encapsulated content")
                }
                Some(_) => CheckResult::Passed,
            };
            (r, raw.to_vec())
        }
        // Without signed attributes the signature is over the content itself.
        (None, _) => (CheckResult::Passed, econtent.to_vec()),
        (Some(_), None) => (failed("signed attributes could not be located"), Vec::new()),
    };
    let sig = match &signer {
        None => failed("the signer's certificate is not in the SignedData"),
        Some(cert) => CheckResult::from_sig(verify_signature(
            cert.tbs_certificate().subject_public_key_info(),
            &si.signature_algorithm,
            Some(digest),
            &signed_bytes,
            si.signature.as_bytes(),
        )),
    };
    (attrs_result, sig, signer)
}

/// Verifies a master list's CMS signature with the signer certificate it carries, and that the
/// signer is issued by one of the CSCAs it lists (Doc 9303 Part 12 §9: the master list signer is
/// certified by its state's CSCA). Trusting the list's content is still the caller's decision.
pub fn verify_master_list(list: &MasterList) -> CheckResult {
    let (attrs, sig, signer) = check_signer(
        &list.signed_data,
        lds::oid::CSCA_MASTER_LIST,
        &list.econtent,
        list.signed_attrs_der.as_deref(),
        &[],
    );
    if !attrs.passed() {
        return attrs;
    }
    if !sig.passed() {
        return sig;
    }
    let Some(signer) = signer else {
        return failed("no signer certificate");
    };
    let issued = list
        .certificates
        .iter()
        .filter(|c| c.tbs_certificate().subject() == signer.tbs_certificate().issuer())
        .any(|c| verify_issued_by(&signer, c).passed());
    if issued {
        CheckResult::Passed
    } else {
        not_checkable("the master list signer is not issued by a CSCA on the list")
    }
}

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub struct PassiveAuthInput<'a> {
    /// EF.SOD as read.
    pub sod: &'a [u8],
    /// Data groups as read, by number (1-16).
    pub data_groups: &'a BTreeMap<u8, Vec<u8>>,
    /// EF.COM as read, if available (to tell which data groups the chip claims).
    pub ef_com: Option<&'a [u8]>,
    /// The MRZ printed on the data page (OCR), if available.
    pub printed_mrz: Option<&'a Mrz>,
}

/// Runs passive authentication at time `at` against `trust`.
pub fn passive_authentication(
    input: &PassiveAuthInput<'_>,
    trust: &TrustStore,
    at: SystemTime,
) -> PassiveAuthReport {
    let nc = |m: &str| not_checkable(m.to_string());
    let mut report = PassiveAuthReport {
        verdict: Verdict::Incomplete,
        summary: String::new(),
        sod: CheckResult::Passed,
        signer: None,
        signed_attributes: nc("EF.SOD did not parse"),
        signature: nc("EF.SOD did not parse"),
        data_groups: Vec::new(),
        dg1_matches_printed_mrz: nc("no printed MRZ given"),
        signer_validity: nc("no document signer certificate"),
        signer_key_usage: nc("no document signer certificate"),
        chain: nc("no document signer certificate"),
        csca: nc("no CSCA found"),
        revocation: nc("no CSCA found"),
        country: nc("no document signer certificate"),
    };
    let sod: Sod = match lds::parse_sod(input.sod) {
        Ok(s) => s,
        Err(e) => {
            report.sod = failed(e.to_string());
            return finish(report);
        }
    };

    let (attrs, sig, signer) = check_signer(
        &sod.signed_data,
        lds::oid::LDS_SECURITY_OBJECT,
        &sod.econtent,
        sod.signed_attrs_der.as_deref(),
        &[],
    );
    report.signed_attributes = attrs;
    report.signature = sig;

    // Data group hashes.
    let listed_in_com: Option<Vec<u8>> = input
        .ef_com
        .and_then(|c| lds::parse_ef_com(c).ok())
        .map(|c| c.data_groups);
    let hash = Oid::new(&sod.lds.hash_algorithm)
        .ok()
        .and_then(|o| HashAlg::from_oid(&o));
    for (number, expected) in &sod.lds.hashes {
        let result = match (input.data_groups.get(number), hash) {
            (_, None) => not_checkable(format!("hash algorithm {}", sod.lds.hash_algorithm)),
            (None, _) => not_checkable("data group not read"),
            (Some(data), Some(h)) if h.digest(data) == *expected => CheckResult::Passed,
            (Some(_), Some(_)) => failed("hash does not match EF.SOD"),
        };
        report.data_groups.push(DataGroupCheck {
            number: *number,
            result,
        });
    }
    for number in input.data_groups.keys() {
        if sod.lds.hashes.iter().any(|(n, _)| n == number) {
            continue;
        }
        let claimed = listed_in_com
            .as_ref()
            .is_some_and(|list| list.contains(number));
        report.data_groups.push(DataGroupCheck {
            number: *number,
            result: if claimed {
                failed("listed in EF.COM but has no hash in EF.SOD")
            } else {
                not_checkable("no hash in EF.SOD: content not authenticated, ignore it")
            },
        });
    }
    report.data_groups.sort_by_key(|d| d.number);

    // DG1 against the printed MRZ.
    if let Some(printed) = input.printed_mrz {
        report.dg1_matches_printed_mrz = match input.data_groups.get(&1).map(|d| lds::parse_dg1(d))
        {
            None => nc("DG1 not read"),
            Some(Err(e)) => failed(format!("DG1: {e}")),
            Some(Ok(dg1)) if dg1.lines == printed.lines => CheckResult::Passed,
            Some(Ok(_)) => failed("DG1 differs from the printed MRZ"),
        };
    }

    let Some(dsc) = signer else {
        return finish(report);
    };
    report.signer = Some(summary(&dsc));
    report.signer_validity = validity_at(&dsc, at, "document signer certificate");
    report.signer_key_usage = match dsc.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if ku.digital_signature() => CheckResult::Passed,
        Ok(Some(_)) => failed("key usage lacks digitalSignature"),
        Ok(None) => nc("no key usage extension"),
        Err(e) => failed(format!("key usage: {e}")),
    };

    // Chain to a CSCA.
    let issuer = dsc.tbs_certificate().issuer();
    let candidates: Vec<&Certificate> = trust
        .cscas
        .iter()
        .filter(|c| c.tbs_certificate().subject() == issuer)
        .collect();
    let dsc_country = country_of(dsc.tbs_certificate().subject());
    let mut anchor: Option<&Certificate> = None;
    report.chain = if trust.cscas.is_empty() {
        nc("no trust anchors given: chain not anchored")
    } else if candidates.is_empty() {
        not_checkable(format!("no CSCA in the trust store has subject {issuer}"))
    } else {
        let mut last = failed("no candidate CSCA verifies the document signer");
        for c in &candidates {
            let r = trust.issued_by(&dsc, c);
            if r.passed() {
                anchor = Some(c);
                last = r;
                break;
            }
            if !last.failed() || r.failed() {
                last = r;
            }
        }
        last
    };
    if let Some(csca) = anchor {
        let mut csca_result = validity_at(csca, at, "CSCA certificate");
        if csca_result.passed() {
            let tbs = csca.tbs_certificate();
            csca_result = match (
                tbs.get_extension::<BasicConstraints>(),
                tbs.get_extension::<KeyUsage>(),
            ) {
                (Ok(Some((_, bc))), Ok(Some((_, ku)))) if bc.ca && ku.key_cert_sign() => {
                    CheckResult::Passed
                }
                (Ok(Some((_, bc))), _) if !bc.ca => failed("CSCA is not a CA"),
                (_, Ok(Some(_))) => failed("CSCA key usage lacks keyCertSign"),
                _ => failed("CSCA lacks basic constraints or key usage"),
            };
        }
        report.csca = csca_result;
        report.revocation = revocation(&dsc, csca, trust, at);
        let csca_country = country_of(csca.tbs_certificate().subject());
        report.country = match (&dsc_country, &csca_country) {
            (Some(a), Some(b)) if a == b => CheckResult::Passed,
            (Some(a), Some(b)) => failed(format!("document signer country {a}, CSCA country {b}")),
            _ => nc("a certificate has no country"),
        };
    } else if !report.chain.passed() {
        report.country = match &dsc_country {
            Some(_) => nc("no CSCA to compare the document signer's country with"),
            None => failed("the document signer certificate has no country"),
        };
    }
    // The MRZ issuer must be the signer's state too.
    if let (Some(c2), Some(dg1)) = (
        dsc_country.as_deref(),
        input
            .data_groups
            .get(&1)
            .and_then(|d| lds::parse_dg1(d).ok()),
    ) {
        let issuer3 = dg1
            .lines
            .first()
            .and_then(|l| l.get(2..5))
            .map(|s| s.trim_end_matches('<').to_string())
            .unwrap_or_default();
        if let Some(expected) = crate::countries::alpha2_for_mrz_code(&issuer3)
            && expected != c2
        {
            report.country = failed(format!(
                "MRZ issuer {issuer3} but the document signer is from {c2}"
            ));
        }
    }
    finish(report)
}

fn revocation(
    dsc: &Certificate,
    csca: &Certificate,
    trust: &TrustStore,
    at: SystemTime,
) -> CheckResult {
    let subject = csca.tbs_certificate().subject();
    let crls: Vec<&CertificateList> = trust
        .crls
        .iter()
        .filter(|c| &c.tbs_cert_list.issuer == subject)
        .collect();
    if crls.is_empty() {
        return not_checkable("no CRL from the CSCA in the trust store");
    }
    let now = secs(at);
    let mut last = not_checkable("no usable CRL");
    for crl in crls {
        let tbs = match crl.tbs_cert_list.to_der() {
            Ok(t) => t,
            Err(e) => {
                last = failed(format!("CRL encoding: {e}"));
                continue;
            }
        };
        let Some(sig) = crl.signature.as_bytes() else {
            continue;
        };
        let r = trust.verify_cached(csca, &crl.signature_algorithm, &tbs, sig);
        if !r.passed() {
            last = match r {
                CheckResult::Failed(m) => failed(format!("CRL signature: {m}")),
                other => other,
            };
            continue;
        }
        if now < unix(&crl.tbs_cert_list.this_update) {
            last = not_checkable("the CRL was issued after the verification time");
            continue;
        }
        let serial = dsc.tbs_certificate().serial_number();
        let revoked = crl
            .tbs_cert_list
            .revoked_certificates
            .as_ref()
            .and_then(|list| list.iter().find(|r| &r.serial_number == serial));
        if let Some(r) = revoked
            && unix(&r.revocation_date) <= now
        {
            return failed(format!("document signer revoked on {}", r.revocation_date));
        }
        if crl
            .tbs_cert_list
            .next_update
            .is_some_and(|n| unix(&n) < now)
        {
            last = not_checkable("the CRL is out of date (nextUpdate passed)");
            continue;
        }
        return CheckResult::Passed;
    }
    last
}

fn finish(mut r: PassiveAuthReport) -> PassiveAuthReport {
    let mut all = vec![
        &r.sod,
        &r.signed_attributes,
        &r.signature,
        &r.dg1_matches_printed_mrz,
        &r.signer_validity,
        &r.signer_key_usage,
        &r.chain,
        &r.csca,
        &r.revocation,
        &r.country,
    ];
    all.extend(r.data_groups.iter().map(|d| &d.result));
    let any_failed = all.iter().any(|c| c.failed());
    let hashes_ok = !r.data_groups.is_empty()
        && r.data_groups.iter().all(|d| !d.result.failed())
        && r.data_groups.iter().any(|d| d.result.passed());
    let core = r.sod.passed() && r.signed_attributes.passed() && r.signature.passed() && hashes_ok;
    r.verdict = if any_failed {
        Verdict::Invalid
    } else if !core {
        Verdict::Incomplete
    } else if r.chain.passed() && r.csca.passed() {
        Verdict::Valid
    } else {
        Verdict::SignatureAndHashesValidChainNotAnchored
    };
    r.summary = match (&r.verdict, &r.revocation) {
        (Verdict::Valid, CheckResult::NotCheckable(why)) => {
            format!("valid (revocation not checked: {why})")
        }
        (v, _) => v.describe().to_string(),
    };
    r
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn short_names_are_the_ones_x509_cert_writes() {
        for (oid, short) in SHORT_NAMES {
            // x509-cert's choice: the first of the shortest names of the OID in the database.
            let mut best: Option<&str> = None;
            for n in const_oid::db::DB.find_names_for_oid(*oid) {
                if best.is_none_or(|b| n.len() < b.len()) {
                    best = Some(n);
                }
            }
            assert_eq!(
                best.map(|b| b.to_ascii_uppercase()).as_deref(),
                Some(*short)
            );
        }
    }

    #[test]
    fn name_text_is_x509_cert_display() {
        for text in [
            "C=UT,O=Utopia,OU=Passports,CN=Document Signer 1",
            "CN=CSCA Utopia,serialNumber=42,C=UT",
            "CN=a+OU=b,O=c",
            "CN=\\#hash\\, comma\\; semi\\<\\>\\+\\\\ backslash \\\"quote\\\" ,O=x",
            "CN=\\ leading and trailing\\ ",
            "CN=Ünïcödé,L=Zürich,ST=ZH,DC=example,DC=com",
            "givenName=Anna,SN=Eriksson,dnQualifier=q",
            "UID=user,emailAddress=a@example.com,C=UT",
            "2.5.4.3=#0c03616263,1.2.3.4=#0c0178",
            "title=Chief,pseudonym=X,C=UT",
        ] {
            let name = Name::from_str(text).unwrap();
            assert_eq!(name_text(&name), name.to_string(), "{text}");
        }
        // Control characters, and a value that is not a string.
        let atv = |oid: &str, value: der::asn1::Any| x509_cert::attr::AttributeTypeAndValue {
            oid: Oid::new_unwrap(oid),
            value,
        };
        let utf8 = |s: &str| {
            der::asn1::Any::encode_from(&der::asn1::Utf8StringRef::new(s).unwrap()).unwrap()
        };
        let rdn = |a| {
            x509_cert::name::RelativeDistinguishedName::from(
                der::asn1::SetOfVec::try_from(vec![a]).unwrap(),
            )
        };
        let rdns = x509_cert::name::RdnSequence::from(vec![
            rdn(atv("2.5.4.3", utf8("tab\there\u{7f}"))),
            rdn(atv("2.5.4.10", der::asn1::Any::encode_from(&7u8).unwrap())),
            rdn(atv(
                "2.5.4.6",
                der::asn1::Any::encode_from(&der::asn1::PrintableStringRef::new("UT").unwrap())
                    .unwrap(),
            )),
        ]);
        let name = Name::from_der(&rdns.to_der().unwrap()).unwrap();
        assert_eq!(name_text(&name), name.to_string());
    }

    #[cfg(feature = "factory")]
    #[test]
    fn name_text_of_the_factory_certificates() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_478_400);
        let pki = crate::factory::TestPki::new(
            "UT",
            crate::factory::SignerAlgorithm::EcdsaP256Sha256,
            at,
        )
        .unwrap();
        for cert in [&pki.csca.certificate, &pki.signer.certificate] {
            let tbs = cert.tbs_certificate();
            for name in [tbs.subject(), tbs.issuer()] {
                assert_eq!(name_text(name), name.to_string());
            }
        }
    }
}
