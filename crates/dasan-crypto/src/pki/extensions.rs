//! Building the X.509 extensions of each profile.

use der::asn1::{GeneralizedTime, Ia5String, OctetString, PrintableString, SetOfVec};
use der::{Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage,
    KeyUsages, PrivateKeyUsagePeriod, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use crate::oid;
use crate::pki::profile::CertProfile;
use crate::pki::{PkiError, to_der};

/// Key identifier per RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the
/// subjectPublicKey bits (avoids SHA-1; any consistent method is allowed by RFC 5280).
pub(crate) fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha256::digest(spki.subject_public_key.raw_bytes())[..20].to_vec()
}

fn ext<T: Encode>(
    extn_id: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id,
        critical,
        extn_value: OctetString::new(to_der(value)?)?,
    })
}

/// ICAO Doc 9303 Part 12 `DocumentTypeListSyntax`.
#[derive(Sequence)]
struct DocumentTypeList {
    version: u8,
    doc_type_list: SetOfVec<PrintableString>,
}

/// Everything the profile needs beyond the profile kind.
pub(crate) struct ExtensionInputs<'a> {
    pub(crate) profile: &'a CertProfile,
    pub(crate) subject_key_id: Vec<u8>,
    pub(crate) authority_key_id: Vec<u8>,
    pub(crate) crl_distribution_point: Option<&'a str>,
    pub(crate) private_key_usage_period: Option<(GeneralizedTime, GeneralizedTime)>,
}

pub(crate) fn build(inputs: &ExtensionInputs<'_>) -> Result<Vec<Extension>, PkiError> {
    let mut exts = Vec::new();
    let ca = |path_len: Option<u8>| BasicConstraints {
        ca: true,
        path_len_constraint: path_len,
    };
    let ca_usage = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
    match inputs.profile {
        CertProfile::RootCa { path_len } => {
            exts.push(ext(oid::CE_BASIC_CONSTRAINTS, true, &ca(*path_len))?);
            exts.push(ext(oid::CE_KEY_USAGE, true, &ca_usage)?);
        }
        CertProfile::IssuingCa { path_len } => {
            exts.push(ext(oid::CE_BASIC_CONSTRAINTS, true, &ca(Some(*path_len)))?);
            exts.push(ext(oid::CE_KEY_USAGE, true, &ca_usage)?);
        }
        CertProfile::Csca => {
            exts.push(ext(oid::CE_BASIC_CONSTRAINTS, true, &ca(Some(0)))?);
            exts.push(ext(oid::CE_KEY_USAGE, true, &ca_usage)?);
        }
        CertProfile::EndEntity { purpose } => {
            // Every end-entity purpose signs; the signed-content ones also commit to content.
            let mut usage = KeyUsage(KeyUsages::DigitalSignature.into());
            if purpose.non_repudiation() {
                usage.0 |= KeyUsages::NonRepudiation;
            }
            exts.push(ext(oid::CE_KEY_USAGE, true, &usage)?);
            if let Some((ekus, critical)) = purpose.extended_key_usage() {
                exts.push(ext(
                    oid::CE_EXT_KEY_USAGE,
                    critical,
                    &ExtendedKeyUsage(ekus),
                )?);
            }
        }
        CertProfile::DocumentSigner { document_types } => {
            exts.push(ext(
                oid::CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            )?);
            let mut list = SetOfVec::new();
            for t in document_types {
                list.insert(PrintableString::new(t)?)?;
            }
            exts.push(ext(
                oid::ICAO_DOCUMENT_TYPE_LIST,
                false,
                &DocumentTypeList {
                    version: 0,
                    doc_type_list: list,
                },
            )?);
        }
    }
    exts.push(ext(
        oid::CE_SUBJECT_KEY_IDENTIFIER,
        false,
        &SubjectKeyIdentifier(OctetString::new(inputs.subject_key_id.clone())?),
    )?);
    exts.push(ext(
        oid::CE_AUTHORITY_KEY_IDENTIFIER,
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(inputs.authority_key_id.clone())?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )?);
    if let Some(url) = inputs.crl_distribution_point {
        let dp = DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![
                GeneralName::UniformResourceIdentifier(Ia5String::new(url)?),
            ])),
            reasons: None,
            crl_issuer: None,
        };
        exts.push(ext(
            oid::CE_CRL_DISTRIBUTION_POINTS,
            false,
            &CrlDistributionPoints(vec![dp]),
        )?);
    }
    if let Some((not_before, not_after)) = inputs.private_key_usage_period {
        exts.push(ext(
            oid::CE_PRIVATE_KEY_USAGE_PERIOD,
            false,
            &PrivateKeyUsagePeriod {
                not_before: Some(not_before),
                not_after: Some(not_after),
            },
        )?);
    }
    Ok(exts)
}

/// A `BuilderProfile` that hands the builder a precomputed subject, issuer and extension list.
pub(crate) struct FixedProfile {
    pub(crate) subject: Name,
    pub(crate) issuer: Name,
    pub(crate) extensions: Vec<Extension>,
}

impl BuilderProfile for FixedProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}
