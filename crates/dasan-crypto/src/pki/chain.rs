//! Checking a certificate chain up to a pinned trust anchor.
//!
//! This is what offline verifiers of the trust list need: the chain is given in order (leaf
//! first), the anchor is known in advance. It checks names, signatures, validity at a given
//! time, CA flags, keyCertSign, path lengths and unknown critical extensions. It does not
//! build paths, check revocation, or process policies.

use std::time::SystemTime;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

use crate::oid;
use crate::pki::PkiError;
use crate::verify;

/// Extensions this checker understands; any other critical extension fails the chain.
const KNOWN_EXTENSIONS: [ObjectIdentifier; 9] = [
    oid::CE_BASIC_CONSTRAINTS,
    oid::CE_KEY_USAGE,
    oid::CE_EXT_KEY_USAGE,
    oid::CE_SUBJECT_KEY_IDENTIFIER,
    oid::CE_AUTHORITY_KEY_IDENTIFIER,
    oid::CE_CRL_DISTRIBUTION_POINTS,
    oid::CE_PRIVATE_KEY_USAGE_PERIOD,
    oid::ICAO_DOCUMENT_TYPE_LIST,
    ObjectIdentifier::new_unwrap("2.5.29.17"), // subjectAltName
];

fn chain_err(msg: String) -> PkiError {
    PkiError::Chain(msg)
}

fn check_common(cert: &Certificate, at: SystemTime) -> Result<(), PkiError> {
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    if at < validity.not_before.to_system_time() || at > validity.not_after.to_system_time() {
        return Err(chain_err(format!(
            "{} is not valid at the verification time (valid {} to {})",
            tbs.subject(),
            validity.not_before,
            validity.not_after
        )));
    }
    if tbs.signature() != cert.signature_algorithm() {
        return Err(chain_err(format!(
            "{}: inner and outer signature algorithms differ",
            tbs.subject()
        )));
    }
    for ext in tbs.extensions().into_iter().flatten() {
        if ext.critical && !KNOWN_EXTENSIONS.contains(&ext.extn_id) {
            return Err(chain_err(format!(
                "{}: unknown critical extension {}",
                tbs.subject(),
                ext.extn_id
            )));
        }
    }
    Ok(())
}

/// `cert` must be signed by `parent`, and `parent` must be a CA allowed to sign certificates
/// with at least `cas_below` CA certificates under it.
fn check_issued_by(
    cert: &Certificate,
    parent: &Certificate,
    cas_below: usize,
) -> Result<(), PkiError> {
    let tbs = cert.tbs_certificate();
    let ptbs = parent.tbs_certificate();
    if tbs.issuer().to_der()? != ptbs.subject().to_der()? {
        return Err(chain_err(format!(
            "{} was issued by {}, not {}",
            tbs.subject(),
            tbs.issuer(),
            ptbs.subject()
        )));
    }
    let Some((_, bc)) = ptbs.get_extension::<BasicConstraints>()? else {
        return Err(chain_err(format!("{} is not a CA", ptbs.subject())));
    };
    if !bc.ca {
        return Err(chain_err(format!("{} is not a CA", ptbs.subject())));
    }
    if let Some(limit) = bc.path_len_constraint
        && cas_below > usize::from(limit)
    {
        return Err(chain_err(format!(
            "{} allows {limit} CA certificates below it, the chain has {cas_below}",
            ptbs.subject()
        )));
    }
    if let Some((_, ku)) = ptbs.get_extension::<KeyUsage>()?
        && !ku.0.contains(KeyUsages::KeyCertSign)
    {
        return Err(chain_err(format!(
            "{} may not sign certificates",
            ptbs.subject()
        )));
    }
    let parent_spki = ptbs.subject_public_key_info().to_der()?;
    verify::verify_with_identifier(
        cert.signature_algorithm(),
        &parent_spki,
        &tbs.to_der()?,
        cert.signature().raw_bytes(),
    )
    .map_err(|e| chain_err(format!("signature on {}: {e}", tbs.subject())))
}

/// Verify that `chain` (DER, leaf first, then intermediates in order) leads to the pinned
/// `trust_anchor` (DER) and that every certificate is valid at `at`. A copy of the anchor at
/// the end of the chain is accepted and ignored.
///
/// # Errors
/// [`PkiError::Chain`] describing the first problem found; [`PkiError::Encoding`] for
/// certificates that do not parse.
pub fn verify_chain(
    chain: &[Vec<u8>],
    trust_anchor: &[u8],
    at: SystemTime,
) -> Result<(), PkiError> {
    let mut ders: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    if ders.last() == Some(&trust_anchor) {
        ders.pop();
    }
    if ders.is_empty() {
        return Err(chain_err(
            "the chain holds no certificate besides the anchor".into(),
        ));
    }
    let anchor = Certificate::from_der(trust_anchor)?;
    check_common(&anchor, at)?;
    let certs = ders
        .iter()
        .map(|d| Certificate::from_der(d))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, cert) in certs.iter().enumerate() {
        check_common(cert, at)?;
        let parent = certs.get(i + 1).unwrap_or(&anchor);
        // CA certificates strictly between `parent` and the leaf.
        let cas_below = i;
        check_issued_by(cert, parent, cas_below)?;
    }
    Ok(())
}

/// The extended key usages of a certificate (empty if it has none).
///
/// # Errors
/// [`PkiError::Encoding`] if the certificate or extension does not parse.
pub fn extended_key_usages(certificate_der: &[u8]) -> Result<Vec<ObjectIdentifier>, PkiError> {
    let cert = Certificate::from_der(certificate_der)?;
    Ok(cert
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()?
        .map(|(_, eku)| eku.0)
        .unwrap_or_default())
}
