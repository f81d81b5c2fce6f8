//! Issuing one certificate.

use std::time::SystemTime;

use der::asn1::GeneralizedTime;
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::keystore::{KeyId, KeyStore, KeyStoreError};
use crate::pki::extensions::{self, ExtensionInputs, FixedProfile, key_identifier};
use crate::pki::{CertProfile, DistinguishedName, IssuedCertificate, Issuer, PkiError, x509_time};
use crate::signer::{StoreSignature, StoreSigner};
use crate::verify;

/// The public key a certificate certifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum SubjectKey {
    /// A key in the store (required for self-signed certificates).
    Store(KeyId),
    /// A DER `SubjectPublicKeyInfo` from elsewhere (e.g. an agency's own HSM).
    Spki(#[serde(with = "crate::b64::serde_std")] Vec<u8>),
}

/// What to issue.
#[derive(Clone, Debug)]
pub struct CertificateRequest {
    /// Subject name.
    pub subject: DistinguishedName,
    /// The key being certified.
    pub subject_key: SubjectKey,
    /// Certificate profile.
    pub profile: CertProfile,
    /// Start of validity (whole seconds are used).
    pub not_before: SystemTime,
    /// End of validity. Clamped to the issuer's own notAfter, so no certificate outlives its
    /// issuer.
    pub not_after: SystemTime,
    /// URL of the issuer's CRL (http or https), placed in cRLDistributionPoints.
    pub crl_distribution_point: Option<String>,
    /// Optional privateKeyUsagePeriod (ICAO recommends it for CSCA and document signers).
    pub private_key_usage_period: Option<(SystemTime, SystemTime)>,
}

/// Facts about an issuer certificate needed to issue under it.
struct IssuerFacts {
    cert: Certificate,
    spki_der: Vec<u8>,
    key_id: Vec<u8>,
    path_len: Option<u8>,
}

fn issuer_facts(store: &dyn KeyStore, issuer: Issuer<'_>) -> Result<IssuerFacts, PkiError> {
    let cert = Certificate::from_der(issuer.certificate)?;
    let tbs = cert.tbs_certificate();
    let spki_der = tbs.subject_public_key_info().to_der()?;
    let store_spki = store.public_key(issuer.key)?;
    if store_spki != spki_der {
        return Err(PkiError::Issuer(format!(
            "key {} is not the key of certificate {}",
            issuer.key,
            tbs.subject()
        )));
    }
    let bc = tbs.get_extension::<BasicConstraints>()?;
    let Some((_, bc)) = bc.filter(|(_, bc)| bc.ca) else {
        return Err(PkiError::Issuer(format!("{} is not a CA", tbs.subject())));
    };
    if let Some((_, ku)) = tbs.get_extension::<KeyUsage>()?
        && !ku.0.contains(KeyUsages::KeyCertSign)
    {
        return Err(PkiError::Issuer(format!(
            "{} may not sign certificates (no keyCertSign)",
            tbs.subject()
        )));
    }
    let key_id = match tbs.get_extension::<SubjectKeyIdentifier>()? {
        Some((_, ski)) => ski.0.as_bytes().to_vec(),
        None => key_identifier(tbs.subject_public_key_info()),
    };
    Ok(IssuerFacts {
        path_len: bc.path_len_constraint,
        cert,
        spki_der,
        key_id,
    })
}

fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        PkiError::KeyStore(KeyStoreError::Crypto(format!(
            "operating system RNG failed: {e}"
        )))
    })?;
    // Positive and exactly 16 octets: 126 random bits, well over the 64 CA/B Forum minimum.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::new(&bytes)?)
}

pub(crate) fn check_crl_url(url: &str) -> Result<(), PkiError> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > "https://".len()
        && url.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(PkiError::InvalidRequest(format!(
            "CRL distribution point {url:?} must be an http(s) URL without spaces"
        )))
    }
}

fn generalized(t: SystemTime) -> Result<GeneralizedTime, PkiError> {
    Ok(GeneralizedTime::from_date_time(
        x509_time(t)?.to_date_time(),
    ))
}

/// Issue a certificate. `issuer` is `None` for self-signed certificates (root CA, CSCA), which
/// are signed by the subject key itself.
///
/// Checks before signing: names and URLs are valid; the issuer is a CA whose store key matches
/// its certificate; path length and ICAO country rules hold. After signing, the signature is
/// verified against the issuer's public key.
///
/// # Errors
/// [`PkiError::InvalidRequest`], [`PkiError::Issuer`], key store errors (e.g. a retired
/// issuer key), encoding errors.
pub fn issue_certificate(
    store: &dyn KeyStore,
    issuer: Option<Issuer<'_>>,
    request: &CertificateRequest,
) -> Result<IssuedCertificate, PkiError> {
    let invalid = |m: String| Err(PkiError::InvalidRequest(m));
    let subject = request.subject.to_name()?;

    let (spki_der, subject_store_key) = match &request.subject_key {
        SubjectKey::Store(id) => {
            let info = store.key_info(id)?;
            if !info.can_sign() {
                return Err(KeyStoreError::Retired(id.clone()).into());
            }
            (store.public_key(id)?, Some(id.clone()))
        }
        SubjectKey::Spki(der) => {
            verify::spki_key_kind(der)?;
            (der.clone(), None)
        }
    };
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der)?;
    let subject_key_id = key_identifier(&spki);

    if let Some(url) = &request.crl_distribution_point {
        check_crl_url(url)?;
    }
    let bad_document_type =
        |t: &String| !(1..=2).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_uppercase());
    match &request.profile {
        CertProfile::Csca | CertProfile::DocumentSigner { .. }
            if request.subject.country.is_none() =>
        {
            return invalid("ICAO certificates need a country (C=) in the subject".into());
        }
        CertProfile::DocumentSigner { document_types }
            if document_types.is_empty() || document_types.iter().any(bad_document_type) =>
        {
            return invalid("document types must be one or two upper-case letters".into());
        }
        _ => {}
    }

    let mut not_before = request.not_before;
    let mut not_after = request.not_after;
    let (issuer_name, authority_key_id, issuer_store_key, issuer_spki) = match issuer {
        None => {
            if !matches!(
                request.profile,
                CertProfile::RootCa { .. } | CertProfile::Csca
            ) {
                return invalid("only a root CA or CSCA certificate can be self-signed".into());
            }
            let Some(key) = subject_store_key.clone() else {
                return invalid("a self-signed certificate needs a store key as subject".into());
            };
            (
                subject.clone(),
                subject_key_id.clone(),
                key,
                spki_der.clone(),
            )
        }
        Some(issuer) => {
            let facts = issuer_facts(store, issuer)?;
            let tbs = facts.cert.tbs_certificate();
            match (&request.profile, facts.path_len) {
                (CertProfile::RootCa { .. }, _) => {
                    return invalid("a root CA certificate must be self-signed".into());
                }
                (CertProfile::IssuingCa { path_len }, Some(limit)) if *path_len >= limit => {
                    return Err(PkiError::Issuer(format!(
                        "{} (pathLen {limit}) cannot issue a CA with pathLen {path_len}",
                        tbs.subject()
                    )));
                }
                _ => {}
            }
            if let CertProfile::DocumentSigner { .. } = request.profile {
                let issuer_country = tbs.subject().country()?.map(|c| c.to_string());
                if issuer_country != request.subject.country {
                    return invalid(
                        "a document signer's country must equal its CSCA's (Doc 9303 Part 12)"
                            .into(),
                    );
                }
            }
            // No certificate outlives (or predates) its issuer.
            not_before = not_before.max(tbs.validity().not_before.to_system_time());
            not_after = not_after.min(tbs.validity().not_after.to_system_time());
            (
                tbs.subject().clone(),
                facts.key_id,
                issuer.key.clone(),
                facts.spki_der,
            )
        }
    };
    if not_before >= not_after {
        return invalid("notBefore must be before notAfter (within the issuer's validity)".into());
    }

    let private_key_usage_period = match request.private_key_usage_period {
        Some((from, to)) if from < to => Some((generalized(from)?, generalized(to)?)),
        Some(_) => return invalid("private key usage period is empty".into()),
        None => None,
    };
    let extensions = extensions::build(&ExtensionInputs {
        profile: &request.profile,
        subject_key_id,
        authority_key_id,
        crl_distribution_point: request.crl_distribution_point.as_deref(),
        private_key_usage_period,
    })?;
    let profile = FixedProfile {
        subject,
        issuer: issuer_name,
        extensions,
    };
    let validity = Validity::new(x509_time(not_before)?, x509_time(not_after)?);
    let builder = CertificateBuilder::new(profile, random_serial()?, validity, spki)?;
    let signer = StoreSigner::new(store, &issuer_store_key)?;
    let cert = builder.build::<_, StoreSignature>(&signer)?;

    // Check what the store produced before handing it out.
    let tbs_der = cert.tbs_certificate().to_der()?;
    verify::verify_with_identifier(
        cert.signature_algorithm(),
        &issuer_spki,
        &tbs_der,
        cert.signature().raw_bytes(),
    )?;
    IssuedCertificate::from_der(&cert.to_der()?, subject_store_key)
}
