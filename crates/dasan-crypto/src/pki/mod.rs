//! The platform PKI: pure functions over a [`KeyStore`](crate::KeyStore).
//!
//! - [`issue_certificate`] issues one certificate (root CA, issuing CA, end-entity per
//!   [`Purpose`], ICAO CSCA or document signer) with the profile's extensions.
//! - [`issue_crl`] issues a CRL for a CA.
//! - [`pki_init`] builds the whole layout from a [`PkiSpec`]: root, issuing CA per agency,
//!   end-entities per purpose, optional border test CSCA and document signers, initial CRLs and
//!   the signed trust list.
//! - [`verify_chain`] checks a chain up to a pinned trust anchor (used by the trust list
//!   verifier; not a general RFC 5280 path builder).
//!
//! Nothing here reads the clock or touches a database: times come from the caller and results
//! are serializable values the caller persists.

use std::time::SystemTime;

use der::{Decode, Encode, EncodePem};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::keystore::{KeyId, KeyStoreError, unix_micros};
use crate::verify::VerifyError;

mod chain;
mod crl;
mod extensions;
mod init;
mod issue;
mod name;
mod profile;

pub use chain::{extended_key_usages, verify_chain};
pub use crl::{CrlRequest, IssuedCrl, RevocationReason, RevokedEntry, issue_crl};
pub use init::{
    AgencyRecord, AgencySpec, BorderRecord, BorderTestSpec, CaRecord, EndEntityRecord, PkiLayout,
    PkiSpec, Refreshed, ValidityPolicy, pki_init, pki_init_with_root_store,
};
pub use issue::{CertificateRequest, SubjectKey, issue_certificate};
pub use name::DistinguishedName;
pub use profile::{CertProfile, Purpose};

/// Errors from issuing certificates and CRLs or checking chains.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The key store refused or failed.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    /// The request or spec is not valid (bad name, dates, URL, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The issuer certificate cannot issue this (not a CA, wrong key, ...).
    #[error("issuer unusable: {0}")]
    Issuer(String),
    /// A certificate or CRL could not be parsed or encoded.
    #[error("encoding error: {0}")]
    Encoding(String),
    /// A chain does not verify.
    #[error("certificate chain invalid: {0}")]
    Chain(String),
    /// A signature does not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}

impl From<x509_cert::builder::Error> for PkiError {
    fn from(e: x509_cert::builder::Error) -> Self {
        // A signing failure carries the key store's error as its source; surface it.
        if let x509_cert::builder::Error::Signature(sig) = &e
            && let Some(src) = std::error::Error::source(sig)
        {
            return PkiError::Encoding(format!("signing failed: {src}"));
        }
        PkiError::Encoding(e.to_string())
    }
}

impl From<spki::Error> for PkiError {
    fn from(e: spki::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}

/// A certificate issued by this PKI, in a form the caller can store as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    /// DER encoding (base64 in JSON).
    #[serde(with = "crate::b64::serde_std")]
    pub der: Vec<u8>,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// Subject, RFC 4514 string.
    pub subject: String,
    /// Issuer, RFC 4514 string.
    pub issuer: String,
    /// notBefore, microseconds since the Unix epoch.
    pub not_before_us: i64,
    /// notAfter, microseconds since the Unix epoch.
    pub not_after_us: i64,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
    /// The store key the certificate certifies, when it is in the store.
    pub key: Option<KeyId>,
}

impl IssuedCertificate {
    /// Describe a DER certificate.
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if it does not parse.
    pub fn from_der(der: &[u8], key: Option<KeyId>) -> Result<Self, PkiError> {
        let cert = Certificate::from_der(der)?;
        let tbs = cert.tbs_certificate();
        Ok(IssuedCertificate {
            der: der.to_vec(),
            serial: hex_upper(tbs.serial_number().as_bytes()),
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            not_before_us: unix_micros(tbs.validity().not_before.to_system_time()),
            not_after_us: unix_micros(tbs.validity().not_after.to_system_time()),
            sha256: hex_lower(&Sha256::digest(der)),
            key,
        })
    }

    /// PEM encoding (`-----BEGIN CERTIFICATE-----`).
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if the stored DER does not parse.
    pub fn pem(&self) -> Result<String, PkiError> {
        let cert = Certificate::from_der(&self.der)?;
        Ok(cert.to_pem(der::pem::LineEnding::LF)?)
    }

    /// The parsed certificate.
    ///
    /// # Errors
    /// [`PkiError::Encoding`] if the stored DER does not parse.
    pub fn certificate(&self) -> Result<Certificate, PkiError> {
        Ok(Certificate::from_der(&self.der)?)
    }

    /// This certificate as an issuer, when its key is in the store.
    pub fn as_issuer(&self) -> Option<Issuer<'_>> {
        self.key.as_ref().map(|key| Issuer {
            key,
            certificate: &self.der,
        })
    }
}

/// A CA that issues: its key in the store and its certificate (DER).
#[derive(Clone, Copy, Debug)]
pub struct Issuer<'a> {
    /// The CA's signing key.
    pub key: &'a KeyId,
    /// The CA's certificate, DER.
    pub certificate: &'a [u8],
}

/// Truncate to whole seconds (X.509 times have second precision) and convert.
pub(crate) fn x509_time(t: SystemTime) -> Result<x509_cert::time::Time, PkiError> {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| PkiError::InvalidRequest("times before 1970 are not supported".into()))?
        .as_secs();
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| PkiError::InvalidRequest("time out of the X.509 range".into()))?;
    Ok(x509_cert::time::Time::from(dt))
}

/// RFC 3339 UTC (`2026-03-01T00:00:00Z`), second precision.
pub(crate) fn rfc3339(t: SystemTime) -> Result<String, PkiError> {
    Ok(x509_time(t)?.to_date_time().to_string())
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// DER of a value, mapping errors.
pub(crate) fn to_der<T: Encode>(value: &T) -> Result<Vec<u8>, PkiError> {
    Ok(value.to_der()?)
}
