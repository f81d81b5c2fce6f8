//! Test passports (cargo feature `factory`): a test CSCA, document signers, CRLs and complete
//! chip images (EF.COM, DG1, DG2, DG14, DG15, EF.SOD) for any traveller, plus deliberately
//! broken variants (altered DG1, wrong hash, expired signer, revoked signer).
//!
//! Certificates, CRLs and the CMS SignedData are assembled from the RustCrypto ASN.1 types
//! and signed with the RustCrypto signers; keys are fresh from the operating system's RNG.
//! For tests and demonstrations only: these are not a real state's keys.

use crate::crypto::{HashAlg, oids};
use crate::lds::{
    self, DataGroupHashDer, LdsSecurityObjectDer, encode_dg1, encode_dg2, encode_dg14, encode_dg15,
    encode_ef_com,
};
use crate::mrz::Mrz;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{Any, BitString, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use elliptic_curve::Generate;
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use sha2::Sha256;
use signature::hazmat::PrehashSigner;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Something the factory could not make.
#[derive(Debug, thiserror::Error)]
pub enum FactoryError {
    /// ASN.1 encoding.
    #[error("encoding: {0}")]
    Der(#[from] der::Error),
    /// Signing or key generation.
    #[error("crypto: {0}")]
    Crypto(String),
    /// Bad input (a name, a date, an MRZ).
    #[error("invalid input: {0}")]
    Input(String),
}

fn crypto(e: impl std::fmt::Display) -> FactoryError {
    FactoryError::Crypto(e.to_string())
}

/// Signature algorithms for test CSCAs and document signers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerAlgorithm {
    /// ECDSA P-256 with SHA-256.
    EcdsaP256Sha256,
    /// RSA-2048, PKCS#1 v1.5 with SHA-256.
    Rsa2048Pkcs1Sha256,
    /// RSA-2048, PSS with SHA-256 (MGF1 SHA-256, 32-byte salt).
    Rsa2048PssSha256,
}

/// A private key with its algorithm.
#[derive(Clone)]
pub struct TestKey {
    algorithm: SignerAlgorithm,
    ec: Option<p256::ecdsa::SigningKey>,
    rsa: Option<Box<RsaPrivateKey>>,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestKey({:?})", self.algorithm)
    }
}

fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

impl TestKey {
    /// A fresh key.
    pub fn generate(algorithm: SignerAlgorithm) -> Result<Self, FactoryError> {
        Ok(match algorithm {
            SignerAlgorithm::EcdsaP256Sha256 => TestKey {
                algorithm,
                ec: Some(
                    p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                        .map_err(crypto)?,
                ),
                rsa: None,
            },
            _ => TestKey {
                algorithm,
                ec: None,
                rsa: Some(Box::new(
                    RsaPrivateKey::new(&mut rng(), 2048).map_err(crypto)?,
                )),
            },
        })
    }

    /// An ECDSA P-256 key from 32 secret bytes: reproducible test material (a demo PKI that
    /// a server and a gate simulator rebuild alike). Never for real keys.
    pub fn p256_from_bytes(secret: &[u8; 32]) -> Result<Self, FactoryError> {
        Ok(TestKey {
            algorithm: SignerAlgorithm::EcdsaP256Sha256,
            ec: Some(p256::ecdsa::SigningKey::from_slice(secret).map_err(crypto)?),
            rsa: None,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> SignerAlgorithm {
        self.algorithm
    }

    /// The RSA key, for RSA algorithms.
    pub fn rsa(&self) -> Option<&RsaPrivateKey> {
        self.rsa.as_deref()
    }

    /// The public key.
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, FactoryError> {
        let der = match (&self.ec, &self.rsa) {
            (Some(k), _) => k.verifying_key().to_public_key_der().map_err(crypto)?,
            (_, Some(k)) => k.to_public_key().to_public_key_der().map_err(crypto)?,
            _ => return Err(FactoryError::Crypto("no key".into())),
        };
        Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
    }

    /// The signature AlgorithmIdentifier this key produces.
    pub fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, FactoryError> {
        Ok(match self.algorithm {
            SignerAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: oids::ECDSA_SHA256,
                parameters: None,
            },
            SignerAlgorithm::Rsa2048Pkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: oids::SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            SignerAlgorithm::Rsa2048PssSha256 => AlgorithmIdentifierOwned {
                oid: oids::RSA_PSS,
                parameters: Some(Any::encode_from(&pss_params()?)?),
            },
        })
    }

    /// Signs `message` (hashing it with SHA-256).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, FactoryError> {
        let digest = HashAlg::Sha256.digest(message);
        match (&self.ec, &self.rsa, self.algorithm) {
            (Some(k), _, _) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(&digest).map_err(crypto)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            (_, Some(k), SignerAlgorithm::Rsa2048PssSha256) => k
                .sign_with_rng(&mut rng(), Pss::<Sha256>::new(), &digest)
                .map_err(crypto),
            (_, Some(k), _) => k
                .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
                .map_err(crypto),
            _ => Err(FactoryError::Crypto("no key".into())),
        }
    }
}

#[derive(Sequence)]
struct PssParamsDer {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    hash: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
    mask_gen: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    salt_length: u32,
}

fn pss_params() -> Result<PssParamsDer, FactoryError> {
    let sha256 = AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: Some(Any::null()),
    };
    Ok(PssParamsDer {
        hash: sha256.clone(),
        mask_gen: AlgorithmIdentifierOwned {
            oid: oids::MGF1,
            parameters: Some(Any::encode_from(&sha256)?),
        },
        salt_length: 32,
    })
}

/// TBSCertificate with public fields (x509-cert keeps its own private).
#[derive(Sequence)]
struct TbsDer {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

#[derive(Sequence)]
struct CertDer {
    tbs: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

fn time(t: SystemTime) -> Result<Time, FactoryError> {
    Time::try_from(t).map_err(|e| FactoryError::Input(format!("time: {e}")))
}

fn ext<T: Encode>(oid: Oid, critical: bool, value: &T) -> Result<Extension, FactoryError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    HashAlg::Sha1.digest(spki.subject_public_key.raw_bytes())
}

fn random_serial() -> Result<SerialNumber, FactoryError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(crypto)?;
    b[0] = (b[0] & 0x7F) | 0x10;
    Ok(SerialNumber::new(&b)?)
}

/// A certificate with its key.
#[derive(Debug, Clone)]
pub struct TestCertificate {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// Its private key.
    pub key: TestKey,
}

#[allow(clippy::too_many_arguments)]
fn issue(
    subject: &Name,
    issuer: &Name,
    subject_spki: SubjectPublicKeyInfoOwned,
    issuer_key: &TestKey,
    issuer_spki: &SubjectPublicKeyInfoOwned,
    not_before: SystemTime,
    not_after: SystemTime,
    ca: bool,
) -> Result<(Certificate, Vec<u8>), FactoryError> {
    let mut extensions = vec![
        ext(
            const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_id(issuer_spki))?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
        ext(
            const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &SubjectKeyIdentifier(OctetString::new(key_id(&subject_spki))?),
        )?,
    ];
    if ca {
        extensions.push(ext(
            const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            },
        )?);
        extensions.push(ext(
            const_oid::db::rfc5280::ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        )?);
    } else {
        extensions.push(ext(
            const_oid::db::rfc5280::ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature.into()),
        )?);
    }
    let alg = issuer_key.signature_algorithm()?;
    let tbs = TbsDer {
        version: 2,
        serial_number: random_serial()?,
        signature: alg.clone(),
        issuer: issuer.clone(),
        validity: Validity::new(time(not_before)?, time(not_after)?),
        subject: subject.clone(),
        subject_public_key_info: subject_spki,
        extensions,
    }
    .to_der()?;
    let signature = issuer_key.sign(&tbs)?;
    let der = CertDer {
        tbs: Any::from_der(&tbs)?,
        signature_algorithm: alg,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?;
    Ok((Certificate::from_der(&der)?, der))
}

fn name(s: &str) -> Result<Name, FactoryError> {
    Name::from_str(s).map_err(|e| FactoryError::Input(format!("name {s:?}: {e}")))
}

/// A test country signing CA.
pub fn make_csca(
    country: &str,
    algorithm: SignerAlgorithm,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<TestCertificate, FactoryError> {
    make_csca_with_key(
        country,
        TestKey::generate(algorithm)?,
        not_before,
        not_after,
    )
}

/// A test country signing CA with a given key.
pub fn make_csca_with_key(
    country: &str,
    key: TestKey,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<TestCertificate, FactoryError> {
    let spki = key.spki()?;
    let subject = name(&format!(
        "CN=Dasan Test CSCA {country},O=Dasan Test,C={country}"
    ))?;
    let (certificate, der) = issue(
        &subject,
        &subject,
        spki.clone(),
        &key,
        &spki,
        not_before,
        not_after,
        true,
    )?;
    Ok(TestCertificate {
        certificate,
        der,
        key,
    })
}

/// A test document signer issued by `csca`, in the CSCA's country.
pub fn make_document_signer(
    csca: &TestCertificate,
    algorithm: SignerAlgorithm,
    label: &str,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<TestCertificate, FactoryError> {
    make_document_signer_with_key(
        csca,
        TestKey::generate(algorithm)?,
        label,
        not_before,
        not_after,
    )
}

/// A test document signer issued by `csca` with a given key.
pub fn make_document_signer_with_key(
    csca: &TestCertificate,
    key: TestKey,
    label: &str,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<TestCertificate, FactoryError> {
    let issuer = csca.certificate.tbs_certificate().subject().clone();
    let country = crate::pa::country_of(&issuer).unwrap_or_else(|| "XX".into());
    let subject = name(&format!(
        "CN=Dasan Test Document Signer {label},O=Dasan Test,C={country}"
    ))?;
    let csca_spki = csca.key.spki()?;
    let (certificate, der) = issue(
        &subject,
        &issuer,
        key.spki()?,
        &csca.key,
        &csca_spki,
        not_before,
        not_after,
        false,
    )?;
    Ok(TestCertificate {
        certificate,
        der,
        key,
    })
}

/// A CRL from `csca` revoking `revoked` (revocation date = `this_update`).
pub fn make_crl(
    csca: &TestCertificate,
    revoked: &[&TestCertificate],
    this_update: SystemTime,
    next_update: SystemTime,
) -> Result<Vec<u8>, FactoryError> {
    let alg = csca.key.signature_algorithm()?;
    let list: Vec<RevokedCert> = revoked
        .iter()
        .map(|c| {
            Ok(RevokedCert {
                serial_number: c.certificate.tbs_certificate().serial_number().clone(),
                revocation_date: time(this_update)?,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<_, FactoryError>>()?;
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: alg.clone(),
        issuer: csca.certificate.tbs_certificate().subject().clone(),
        this_update: time(this_update)?,
        next_update: Some(time(next_update)?),
        revoked_certificates: (!list.is_empty()).then_some(list),
        crl_extensions: None,
    };
    let signature = csca.key.sign(&tbs.to_der()?)?;
    Ok(CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?)
}

/// A test PKI for one country: a CSCA, a good, an expired and a revoked document signer, and
/// a CRL revoking the last.
#[derive(Debug, Clone)]
pub struct TestPki {
    /// The CSCA.
    pub csca: TestCertificate,
    /// Valid at the reference time.
    pub signer: TestCertificate,
    /// Expired a year before the reference time.
    pub expired_signer: TestCertificate,
    /// Valid, but on the CRL.
    pub revoked_signer: TestCertificate,
    /// The CSCA's CRL (DER), issued a day before the reference time.
    pub crl: Vec<u8>,
}

const DAY: Duration = Duration::from_secs(86_400);

impl TestPki {
    /// Makes the PKI, valid around `at`.
    pub fn new(
        country: &str,
        algorithm: SignerAlgorithm,
        at: SystemTime,
    ) -> Result<Self, FactoryError> {
        let csca = make_csca(country, algorithm, at - 400 * DAY, at + 3650 * DAY)?;
        let signer = make_document_signer(&csca, algorithm, "1", at - 30 * DAY, at + 3650 * DAY)?;
        let expired_signer =
            make_document_signer(&csca, algorithm, "2", at - 365 * DAY, at - 2 * DAY)?;
        let revoked_signer =
            make_document_signer(&csca, algorithm, "3", at - 30 * DAY, at + 3650 * DAY)?;
        let crl = make_crl(&csca, &[&revoked_signer], at - DAY, at + 30 * DAY)?;
        Ok(TestPki {
            csca,
            signer,
            expired_signer,
            revoked_signer,
            crl,
        })
    }
}

/// A complete chip image.
#[derive(Debug, Clone)]
pub struct ChipImage {
    /// EF.COM.
    pub ef_com: Vec<u8>,
    /// Data groups by number.
    pub data_groups: BTreeMap<u8, Vec<u8>>,
    /// EF.SOD.
    pub sod: Vec<u8>,
    /// The MRZ lines (as printed on the data page).
    pub mrz_lines: Vec<String>,
    /// The chip's active authentication key (P-256, answers with plain ECDSA over SHA-256).
    pub aa_key: p256::ecdsa::SigningKey,
}

/// How to build a chip.
#[derive(Debug, Clone, Copy)]
pub struct ChipOptions {
    /// Hash for the data groups (and the signature's message digest).
    pub hash: HashAlg,
    /// Store a wrong hash for this data group (a broken variant).
    pub wrong_hash_for: Option<u8>,
}

impl Default for ChipOptions {
    fn default() -> Self {
        ChipOptions {
            hash: HashAlg::Sha256,
            wrong_hash_for: None,
        }
    }
}

/// A tiny valid JPEG (1x1 grey), so DG2 holds a real image.
const JPEG_1X1: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07,
    0x07, 0x09, 0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12, 0x13, 0x0F,
    0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20, 0x22, 0x2C,
    0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1F, 0x27, 0x39, 0x3D,
    0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01,
    0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xFF, 0xC4, 0x00, 0x14,
    0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x2A, 0x9F,
    0xFF, 0xD9,
];

/// DER of ActiveAuthenticationInfo (version 1, ecdsa-plain-SHA256).
fn aa_info() -> Result<Vec<u8>, FactoryError> {
    #[derive(Sequence)]
    struct AaInfo {
        protocol: Oid,
        version: u8,
        signature_algorithm: Oid,
    }
    Ok(AaInfo {
        protocol: lds::oid::AA_PROTOCOL,
        version: 1,
        signature_algorithm: Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.3"),
    }
    .to_der()?)
}

/// Builds EF.SOD over `hashes` (data group number → hash) signed by `signer`.
pub fn build_sod(
    hashes: &BTreeMap<u8, Vec<u8>>,
    hash: HashAlg,
    signer: &TestCertificate,
) -> Result<Vec<u8>, FactoryError> {
    let hash_alg = AlgorithmIdentifierOwned {
        oid: hash.oid(),
        parameters: None,
    };
    let lso = LdsSecurityObjectDer {
        version: 0,
        hash_algorithm: hash_alg.clone(),
        data_group_hash_values: hashes
            .iter()
            .map(|(n, h)| {
                Ok(DataGroupHashDer {
                    data_group_number: *n,
                    data_group_hash_value: OctetString::new(h.clone())?,
                })
            })
            .collect::<Result<_, FactoryError>>()?,
        lds_version_info: None,
    }
    .to_der()?;
    let ci = signed_content(lds::oid::LDS_SECURITY_OBJECT, lso, signer)?;
    Ok(crate::tlv::encode(0x77, &ci))
}

/// A CMS ContentInfo with SignedData over `econtent` (signed attributes: content type and
/// message digest, SHA-256), carrying the signer's certificate.
fn signed_content(
    econtent_type: Oid,
    econtent: Vec<u8>,
    signer: &TestCertificate,
) -> Result<Vec<u8>, FactoryError> {
    let hash = HashAlg::Sha256;
    let attr = |oid: Oid, value: Any| -> Result<Attribute, FactoryError> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value])?,
        })
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attr(
            Oid::new_unwrap("1.2.840.113549.1.9.3"),
            Any::encode_from(&econtent_type)?,
        )?,
        attr(
            Oid::new_unwrap("1.2.840.113549.1.9.4"),
            Any::encode_from(&OctetString::new(hash.digest(&econtent))?)?,
        )?,
    ])?;
    let signature = signer.key.sign(&signed_attrs.to_der()?)?;
    let tbs = signer.certificate.tbs_certificate();
    let si = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        // The signer hashes with SHA-256 whatever the data group hash.
        digest_alg: AlgorithmIdentifierOwned {
            oid: oids::SHA256,
            parameters: None,
        },
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.key.signature_algorithm()?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![AlgorithmIdentifierOwned {
            oid: oids::SHA256,
            parameters: None,
        }])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type,
            econtent: Some(Any::encode_from(&OctetString::new(econtent)?)?),
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(vec![
            CertificateChoices::Certificate(signer.certificate.clone()),
        ])?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![si])?),
    };
    let ci = ContentInfo {
        content_type: lds::oid::SIGNED_DATA,
        content: Any::encode_from(&sd)?,
    };
    Ok(ci.to_der()?)
}

/// A CSCA master list (CMS SignedData over `CscaMasterList`) listing `cscas`, signed by
/// `signer` (a master list signer issued by one of them).
pub fn build_master_list(
    cscas: &[&TestCertificate],
    signer: &TestCertificate,
) -> Result<Vec<u8>, FactoryError> {
    #[derive(Sequence)]
    struct CscaMasterList {
        version: u8,
        cert_list: SetOfVec<Certificate>,
    }
    let list = CscaMasterList {
        version: 0,
        cert_list: SetOfVec::try_from(
            cscas
                .iter()
                .map(|c| c.certificate.clone())
                .collect::<Vec<_>>(),
        )?,
    };
    signed_content(lds::oid::CSCA_MASTER_LIST, list.to_der()?, signer)
}

/// Builds a complete, valid chip image for the traveller in `mrz` signed by `signer`.
pub fn build_chip(
    mrz: &Mrz,
    signer: &TestCertificate,
    options: ChipOptions,
) -> Result<ChipImage, FactoryError> {
    let lines = mrz
        .to_lines()
        .map_err(|e| FactoryError::Input(format!("MRZ: {e}")))?;
    let aa_key =
        p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng).map_err(crypto)?;
    let aa_spki = aa_key.verifying_key().to_public_key_der().map_err(crypto)?;
    let mut data_groups = BTreeMap::new();
    data_groups.insert(1, encode_dg1(&lines));
    data_groups.insert(2, encode_dg2(JPEG_1X1, 1, 1));
    data_groups.insert(14, encode_dg14(&[aa_info()?]));
    data_groups.insert(15, encode_dg15(aa_spki.as_bytes()));
    let numbers: Vec<u8> = data_groups.keys().copied().collect();
    let ef_com = encode_ef_com(&numbers);
    let hashes: BTreeMap<u8, Vec<u8>> = data_groups
        .iter()
        .map(|(n, d)| {
            let mut h = options.hash.digest(d);
            if options.wrong_hash_for == Some(*n) {
                h[0] ^= 0xFF;
            }
            (*n, h)
        })
        .collect();
    let sod = build_sod(&hashes, options.hash, signer)?;
    Ok(ChipImage {
        ef_com,
        data_groups,
        sod,
        mrz_lines: lines,
        aa_key,
    })
}

impl ChipImage {
    /// The same chip with one character of DG1 changed after signing (a broken variant).
    pub fn with_altered_dg1(&self) -> ChipImage {
        let mut c = self.clone();
        let mrz_len = self.mrz_lines.concat().len();
        // The first letter of the primary identifier: no check digit covers the name, so
        // only the data group hash catches this.
        let name_at = if self.mrz_lines.len() == 3 { 60 } else { 5 };
        if let Some(dg1) = c.data_groups.get_mut(&1)
            && let Some(i) = dg1.len().checked_sub(mrz_len).map(|s| s + name_at)
            && let Some(b) = dg1.get_mut(i)
        {
            *b = if *b == b'A' { b'B' } else { b'A' };
        }
        c
    }

    /// The files as a reader would save them: (file name, bytes), in the BSI sample's naming
    /// (`EF_COM.bin`, `Datagroup1.bin`, ..., `EF_SOD.bin`).
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = vec![("EF_COM.bin".to_string(), self.ef_com.clone())];
        for (n, d) in &self.data_groups {
            out.push((format!("Datagroup{n}.bin"), d.clone()));
        }
        out.push(("EF_SOD.bin".to_string(), self.sod.clone()));
        out
    }

    /// The chip's answer to an active authentication challenge (plain ECDSA, SHA-256).
    pub fn active_authentication(&self, challenge: &[u8]) -> Result<Vec<u8>, FactoryError> {
        let digest = HashAlg::Sha256.digest(challenge);
        let sig: p256::ecdsa::Signature = self.aa_key.sign_prehash(&digest).map_err(crypto)?;
        Ok(sig.to_bytes().to_vec())
    }
}
