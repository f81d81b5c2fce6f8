//! Certificate revocation lists (RFC 5280 §5), signed by a CA's store key.
//!
//! Built directly rather than with `x509_cert::builder::CrlBuilder`, which (in 0.3.0) copies
//! the issuer certificate's *authority* key identifier into the CRL; a CRL's AKI must identify
//! the CRL issuer's own key, i.e. the issuer's *subject* key identifier.

use std::time::SystemTime;

use der::asn1::{BitString, OctetString};
use der::{Decode, Encode, EncodePem};
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;

use crate::keystore::{KeyStore, unix_micros};
use crate::oid;
use crate::pki::extensions::key_identifier;
use crate::pki::{Issuer, PkiError, to_der, x509_time};
use crate::verify;

/// Why a certificate was revoked (RFC 5280 §5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationReason {
    /// No reason given (encoded by omitting the reasonCode, as RFC 5280 recommends).
    Unspecified,
    /// The subject's private key was compromised.
    KeyCompromise,
    /// The CA's key was compromised.
    CaCompromise,
    /// The subject's name or affiliation changed.
    AffiliationChanged,
    /// Replaced by a new certificate.
    Superseded,
    /// No longer needed.
    CessationOfOperation,
    /// Temporarily on hold.
    CertificateHold,
    /// A privilege in the certificate was withdrawn.
    PrivilegeWithdrawn,
}

impl RevocationReason {
    fn code(self) -> Option<CrlReason> {
        match self {
            RevocationReason::Unspecified => None,
            RevocationReason::KeyCompromise => Some(CrlReason::KeyCompromise),
            RevocationReason::CaCompromise => Some(CrlReason::CaCompromise),
            RevocationReason::AffiliationChanged => Some(CrlReason::AffiliationChanged),
            RevocationReason::Superseded => Some(CrlReason::Superseded),
            RevocationReason::CessationOfOperation => Some(CrlReason::CessationOfOperation),
            RevocationReason::CertificateHold => Some(CrlReason::CertificateHold),
            RevocationReason::PrivilegeWithdrawn => Some(CrlReason::PrivilegeWithdrawn),
        }
    }
}

/// One revoked certificate.
#[derive(Clone, Debug)]
pub struct RevokedEntry {
    /// Serial number in hex, as in [`IssuedCertificate::serial`](crate::pki::IssuedCertificate).
    pub serial: String,
    /// When it was revoked.
    pub revoked_at: SystemTime,
    /// Why.
    pub reason: RevocationReason,
}

/// What to put in a CRL.
#[derive(Clone, Debug)]
pub struct CrlRequest {
    /// Monotonically increasing CRL number (the caller persists the counter).
    pub crl_number: u64,
    /// thisUpdate.
    pub this_update: SystemTime,
    /// nextUpdate (when relying parties should fetch a new CRL).
    pub next_update: SystemTime,
    /// Revoked certificates (may be empty).
    pub revoked: Vec<RevokedEntry>,
}

/// A signed CRL, ready to publish over HTTP (`application/pkix-crl`, DER).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCrl {
    /// DER encoding (base64 in JSON).
    #[serde(with = "crate::b64::serde_std")]
    pub der: Vec<u8>,
    /// CRL number.
    pub crl_number: u64,
    /// Issuer, RFC 4514 string.
    pub issuer: String,
    /// thisUpdate, microseconds since the Unix epoch.
    pub this_update_us: i64,
    /// nextUpdate, microseconds since the Unix epoch.
    pub next_update_us: i64,
    /// Number of revoked entries.
    pub revoked: usize,
}

impl IssuedCrl {
    /// PEM encoding (`-----BEGIN X509 CRL-----`).
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if the stored DER does not parse.
    pub fn pem(&self) -> Result<String, PkiError> {
        let crl: CertificateList = CertificateList::from_der(&self.der)?;
        Ok(crl.to_pem(der::pem::LineEnding::LF)?)
    }
}

fn parse_serial(hex: &str) -> Result<SerialNumber, PkiError> {
    let bad = || PkiError::InvalidRequest(format!("serial {hex:?} is not hex"));
    let hex = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    };
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect::<Result<Vec<u8>, _>>()?;
    if bytes.is_empty() {
        return Err(bad());
    }
    Ok(SerialNumber::new(&bytes)?)
}

fn ext<T: Encode>(id: der::asn1::ObjectIdentifier, value: &T) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: id,
        critical: false,
        extn_value: OctetString::new(to_der(value)?)?,
    })
}

/// Issue a CRL for the CA `issuer`, signed with its store key.
///
/// # Errors
/// [`PkiError::InvalidRequest`] for bad serials or times; key store errors.
pub fn issue_crl(
    store: &dyn KeyStore,
    issuer: Issuer<'_>,
    request: &CrlRequest,
) -> Result<IssuedCrl, PkiError> {
    if request.this_update >= request.next_update {
        return Err(PkiError::InvalidRequest(
            "thisUpdate must be before nextUpdate".into(),
        ));
    }
    let cert = Certificate::from_der(issuer.certificate)?;
    let tbs_cert = cert.tbs_certificate();
    let issuer_spki = tbs_cert.subject_public_key_info().to_der()?;
    if store.public_key(issuer.key)? != issuer_spki {
        return Err(PkiError::Issuer(format!(
            "key {} is not the key of certificate {}",
            issuer.key,
            tbs_cert.subject()
        )));
    }
    let key_id = match tbs_cert.get_extension::<SubjectKeyIdentifier>()? {
        Some((_, ski)) => ski.0.as_bytes().to_vec(),
        None => key_identifier(tbs_cert.subject_public_key_info()),
    };

    let mut revoked = Vec::with_capacity(request.revoked.len());
    for entry in &request.revoked {
        let extensions = match entry.reason.code() {
            Some(code) => Some(vec![ext(oid::CE_CRL_REASONS, &code)?]),
            None => None,
        };
        revoked.push(RevokedCert {
            serial_number: parse_serial(&entry.serial)?,
            revocation_date: x509_time(entry.revoked_at)?,
            crl_entry_extensions: extensions,
        });
    }
    let algorithm = store.key_info(issuer.key)?.algorithm;
    let crl_extensions = vec![
        ext(
            oid::CE_AUTHORITY_KEY_IDENTIFIER,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
        ext(
            oid::CE_CRL_NUMBER,
            &CrlNumber::try_from(request.crl_number)?,
        )?,
    ];
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm.signature_algorithm_identifier()?,
        issuer: tbs_cert.subject().clone(),
        this_update: x509_time(request.this_update)?,
        next_update: Some(x509_time(request.next_update)?),
        // RFC 5280: when nothing is revoked the list is absent, not empty.
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs.to_der()?;
    let signature = store.sign(issuer.key, &tbs_der)?;
    verify::verify_signature(algorithm, &issuer_spki, &tbs_der, &signature)?;
    let crl = CertificateList {
        signature_algorithm: tbs.signature.clone(),
        tbs_cert_list: tbs,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(IssuedCrl {
        der: crl.to_der()?,
        crl_number: request.crl_number,
        issuer: tbs_cert.subject().to_string(),
        this_update_us: unix_micros(request.this_update),
        next_update_us: unix_micros(request.next_update),
        revoked: request.revoked.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_parse_from_hex() {
        assert_eq!(parse_serial("7F01").expect("hex").as_bytes(), [0x7f, 0x01]);
        assert_eq!(parse_serial("abc").expect("odd").as_bytes(), [0x0a, 0xbc]);
        assert!(parse_serial("").is_err());
        assert!(parse_serial("zz").is_err());
        assert!(parse_serial("é1").is_err());
    }
}
