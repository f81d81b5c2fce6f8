//! The platform's RFC 3161 time-stamping authority, and the client side used by PAdES B-T.
//!
//! [`TimeStampAuthority::respond`] answers a DER `TimeStampReq` with a DER `TimeStampResp`,
//! exactly what an HTTP endpoint (`application/timestamp-query` →
//! `application/timestamp-reply`) serves, so the web layer only moves bytes. Tokens are CMS
//! `SignedData` over a `TSTInfo`, signed with the agency's time-stamping key through
//! [`StoreSigner`] and carrying signing-certificate-v2 (RFC 5816).
//!
//! [`TimeStampSource`] is how a signer obtains tokens: [`LocalTsa`] calls the authority in
//! process; a remote implementation would POST the same bytes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use dasan_crypto::oid;
use dasan_crypto::{StoreSignature, StoreSigner};
use der::asn1::{BitString, GeneralizedTime, Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Tag};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;

use crate::asn1::{
    Accuracy, MessageImprint, PkiStatusInfo, TimeStampReq, TimeStampResp, TstInfo,
    signing_certificate_v2,
};

/// ETSI TS 102 023 / EN 319 421 baseline time-stamp policy (0.4.0.2023.1.1), the default.
pub const BASELINE_TS_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.2023.1.1");

/// Errors of the time-stamping authority and its clients.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TsaError {
    /// The TSA certificate is unusable (does not parse, lacks the time-stamping EKU, or does
    /// not certify the signing key).
    #[error("TSA certificate unusable: {0}")]
    Certificate(String),
    /// The request or response is not valid DER of the expected structure.
    #[error("malformed {0}")]
    Malformed(String),
    /// The TSA refused the request (status and text from the response).
    #[error("time-stamp refused (status {status}): {text}")]
    Refused {
        /// PKIStatus.
        status: u8,
        /// statusString, if any.
        text: String,
    },
    /// The token does not match the request (imprint, nonce) or does not verify.
    #[error("time-stamp token invalid: {0}")]
    InvalidToken(String),
    /// Signing or encoding failed.
    #[error("time-stamping failed: {0}")]
    Failed(String),
    /// Reaching a remote TSA failed.
    #[error("time-stamp source unavailable: {0}")]
    Unavailable(String),
}

fn failed(e: impl std::fmt::Display) -> TsaError {
    TsaError::Failed(e.to_string())
}

// PKIFailureInfo bit numbers (RFC 3161 §2.4.2).
const BAD_ALG: usize = 0;
const BAD_REQUEST: usize = 2;
const BAD_DATA_FORMAT: usize = 5;
const UNACCEPTED_POLICY: usize = 15;
const UNACCEPTED_EXTENSION: usize = 16;
const SYSTEM_FAILURE: usize = 25;

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::SHA256,
        parameters: None,
    }
}

/// A time-stamping authority: the agency's time-stamping key and certificate.
#[derive(Debug)]
pub struct TimeStampAuthority<'a> {
    signer: StoreSigner<'a>,
    certificate: Certificate,
    certificate_der: Vec<u8>,
    chain: Vec<Vec<u8>>,
    policy: ObjectIdentifier,
}

impl<'a> TimeStampAuthority<'a> {
    /// A TSA signing with `signer`, certified by `certificate_der` (which must carry the
    /// critical id-kp-timeStamping EKU, as dasan-crypto's `Purpose::TimeStamping` profile
    /// issues). `chain` (issuing CAs, DER) goes into tokens after the TSA certificate.
    ///
    /// # Errors
    /// [`TsaError::Certificate`].
    pub fn new(
        signer: StoreSigner<'a>,
        certificate_der: &[u8],
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, TsaError> {
        let certificate = Certificate::from_der(certificate_der)
            .map_err(|e| TsaError::Certificate(e.to_string()))?;
        let ekus = dasan_crypto::pki::extended_key_usages(certificate_der)
            .map_err(|e| TsaError::Certificate(e.to_string()))?;
        if ekus != [oid::KP_TIME_STAMPING] {
            return Err(TsaError::Certificate(
                "the certificate's only extended key usage must be id-kp-timeStamping".into(),
            ));
        }
        let spki = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| TsaError::Certificate(e.to_string()))?;
        if spki != signer.spki_der() {
            return Err(TsaError::Certificate(
                "the certificate does not certify the signing key".into(),
            ));
        }
        Ok(TimeStampAuthority {
            signer,
            certificate,
            certificate_der: certificate_der.to_vec(),
            chain,
            policy: BASELINE_TS_POLICY,
        })
    }

    /// Use another policy OID.
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = policy;
        self
    }

    /// The TSA certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// Answer a DER `TimeStampReq` at `gen_time`. Always returns a DER `TimeStampResp`: a
    /// token when granted, otherwise a rejection with the RFC 3161 failure bit (bad request,
    /// unsupported hash, unaccepted policy or extension, system failure). Never panics on any
    /// input.
    pub fn respond(&self, request_der: &[u8], gen_time: SystemTime) -> Vec<u8> {
        let outcome = self.try_respond(request_der, gen_time);
        let resp = match outcome {
            Ok(token) => TimeStampResp {
                status: PkiStatusInfo {
                    status: 0,
                    status_string: None,
                    fail_info: None,
                },
                time_stamp_token: Some(token),
            },
            Err((bit, text)) => rejection(bit, text),
        };
        resp.to_der()
            .or_else(|_| rejection(SYSTEM_FAILURE, "encoding failed".into()).to_der())
            .unwrap_or_default()
    }

    fn try_respond(
        &self,
        request_der: &[u8],
        gen_time: SystemTime,
    ) -> Result<ContentInfo, (usize, String)> {
        let req = TimeStampReq::from_der(request_der)
            .map_err(|e| (BAD_DATA_FORMAT, format!("not a TimeStampReq: {e}")))?;
        if req.version != 1 {
            return Err((BAD_REQUEST, "version must be 1".into()));
        }
        let imprint = &req.message_imprint;
        let len = match imprint.hash_algorithm.oid {
            o if o == oid::SHA256 => 32,
            o if o == oid::SHA384 => 48,
            o if o == const_oid::db::rfc5912::ID_SHA_512 => 64,
            _ => return Err((BAD_ALG, "hash algorithm not accepted".into())),
        };
        if imprint.hashed_message.as_bytes().len() != len {
            return Err((
                BAD_DATA_FORMAT,
                "hash length does not match its algorithm".into(),
            ));
        }
        if req.req_policy.is_some_and(|p| p != self.policy) {
            return Err((UNACCEPTED_POLICY, "policy not supported".into()));
        }
        if req.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err((UNACCEPTED_EXTENSION, "extensions not supported".into()));
        }
        self.token(imprint, req.nonce.as_ref(), req.cert_req, gen_time)
            .map_err(|e| (SYSTEM_FAILURE, e.to_string()))
    }

    /// Make a token for `imprint` at `gen_time`.
    fn token(
        &self,
        imprint: &MessageImprint,
        nonce: Option<&Int>,
        cert_req: bool,
        gen_time: SystemTime,
    ) -> Result<ContentInfo, TsaError> {
        let secs = gen_time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| failed("time before 1970"))?
            .as_secs();
        let gen_time =
            GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(failed)?;
        // 20 random bytes with the top bit clear: a positive serial unique with overwhelming
        // probability, and nothing to persist between calls.
        let mut serial = [0u8; 20];
        getrandom::fill(&mut serial).map_err(failed)?;
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        let tst = TstInfo {
            version: 1,
            policy: self.policy,
            message_imprint: imprint.clone(),
            serial_number: Int::new(&serial).map_err(failed)?,
            gen_time,
            // Whole seconds: the time comes from the caller's clock, truncated.
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: nonce.cloned(),
            tsa: Some(GeneralName::DirectoryName(
                self.certificate.tbs_certificate().subject().clone(),
            )),
            extensions: None,
        };
        let tst_der = tst.to_der().map_err(failed)?;
        let econtent = EncapsulatedContentInfo {
            econtent_type: const_oid::db::rfc3161::ID_CT_TST_INFO,
            econtent: Some(Any::new(Tag::OctetString, tst_der).map_err(failed)?),
        };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.certificate.tbs_certificate().issuer().clone(),
            serial_number: self.certificate.tbs_certificate().serial_number().clone(),
        });
        let mut si = SignerInfoBuilder::new(sid, sha256_id(), &econtent, None).map_err(failed)?;
        si.add_signed_attribute(
            signing_certificate_v2(&self.certificate, &self.certificate_der).map_err(failed)?,
        )
        .map_err(failed)?;
        let mut sd = SignedDataBuilder::new(&econtent);
        sd.add_digest_algorithm(sha256_id()).map_err(failed)?;
        if cert_req {
            sd.add_certificate(CertificateChoices::Certificate(self.certificate.clone()))
                .map_err(failed)?;
            for c in &self.chain {
                sd.add_certificate(CertificateChoices::Certificate(
                    Certificate::from_der(c).map_err(failed)?,
                ))
                .map_err(failed)?;
            }
        }
        sd.add_signer_info::<_, StoreSignature>(si, &self.signer)
            .map_err(failed)?;
        sd.build().map_err(failed)
    }
}

fn rejection(bit: usize, text: String) -> TimeStampResp {
    let mut bits = vec![0u8; bit / 8 + 1];
    if let Some(b) = bits.get_mut(bit / 8) {
        *b = 0x80 >> (bit % 8);
    }
    let unused = u8::try_from(7 - bit % 8).unwrap_or(0);
    TimeStampResp {
        status: PkiStatusInfo {
            status: 2,
            status_string: Some(vec![text]),
            fail_info: BitString::new(unused, bits).ok(),
        },
        time_stamp_token: None,
    }
}

/// Where a signer gets time-stamps: DER `TimeStampReq` in, DER `TimeStampResp` out.
pub trait TimeStampSource {
    /// Send a request and return the response.
    ///
    /// # Errors
    /// [`TsaError::Unavailable`] when the source cannot be reached.
    fn time_stamp(&self, request_der: &[u8]) -> Result<Vec<u8>, TsaError>;

    /// An upper bound on the size of a token (DER), so the signer can reserve room for it.
    fn token_size_hint(&self) -> usize {
        8 * 1024
    }
}

/// The platform TSA called in process, with the time from a clock the caller provides.
pub struct LocalTsa<'a> {
    tsa: TimeStampAuthority<'a>,
    clock: Box<dyn Fn() -> SystemTime + Send + Sync + 'a>,
}

impl std::fmt::Debug for LocalTsa<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTsa")
            .field("tsa", &self.tsa)
            .finish_non_exhaustive()
    }
}

impl<'a> LocalTsa<'a> {
    /// Wrap `tsa`; `clock` supplies each token's time (e.g. the platform's `Clock`).
    pub fn new(
        tsa: TimeStampAuthority<'a>,
        clock: impl Fn() -> SystemTime + Send + Sync + 'a,
    ) -> Self {
        LocalTsa {
            tsa,
            clock: Box::new(clock),
        }
    }
}

impl TimeStampSource for LocalTsa<'_> {
    fn time_stamp(&self, request_der: &[u8]) -> Result<Vec<u8>, TsaError> {
        Ok(self.tsa.respond(request_der, (self.clock)()))
    }

    fn token_size_hint(&self) -> usize {
        // Signed attributes, TSTInfo and an RSA-4096 signature fit in 1.5 KB; add the certs.
        1536 + self.tsa.certificate_der.len() + self.tsa.chain.iter().map(Vec::len).sum::<usize>()
    }
}

/// A DER `TimeStampReq` for a SHA-256 `digest`, asking for the TSA certificate.
///
/// # Errors
/// [`TsaError::Failed`] if `digest` is not 32 bytes.
pub fn request(digest: &[u8], nonce: &[u8]) -> Result<Vec<u8>, TsaError> {
    if digest.len() != 32 {
        return Err(failed("a SHA-256 digest is 32 bytes"));
    }
    TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: sha256_id(),
            hashed_message: OctetString::new(digest).map_err(failed)?,
        },
        req_policy: None,
        nonce: Some(Int::new(nonce).map_err(failed)?),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(failed)
}

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The time.
    pub gen_time: SystemTime,
    /// The policy.
    pub policy: ObjectIdentifier,
    /// The signer's certificate (DER), from the token.
    pub tsa_certificate: Vec<u8>,
}

/// Check a DER `TimeStampResp` answers a request for SHA-256 `digest` with `nonce`, verify
/// the token's signature with the certificate it carries, and return the token (DER
/// `ContentInfo`) and what it says. Trust in that certificate is the caller's decision (a
/// PAdES validator checks it against its trust anchors).
///
/// # Errors
/// [`TsaError::Malformed`], [`TsaError::Refused`], [`TsaError::InvalidToken`].
pub fn accept_response(
    response_der: &[u8],
    digest: &[u8],
    nonce: &[u8],
) -> Result<(Vec<u8>, VerifiedToken), TsaError> {
    let resp = TimeStampResp::from_der(response_der)
        .map_err(|e| TsaError::Malformed(format!("TimeStampResp: {e}")))?;
    if resp.status.status > 1 {
        return Err(TsaError::Refused {
            status: resp.status.status,
            text: resp.status.status_string.unwrap_or_default().join("; "),
        });
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| TsaError::Malformed("granted response without a token".into()))?;
    let token_der = token.to_der().map_err(failed)?;
    let verified = verify_token(&token_der, digest)?;
    let tst = tst_info(&token_der)?;
    let want = Int::new(nonce).map_err(failed)?;
    if tst.nonce.as_ref() != Some(&want) {
        return Err(TsaError::InvalidToken(
            "nonce does not match the request".into(),
        ));
    }
    Ok((token_der, verified))
}

fn signed_data(token_der: &[u8]) -> Result<SignedData, TsaError> {
    let ci =
        ContentInfo::from_der(token_der).map_err(|e| TsaError::Malformed(format!("token: {e}")))?;
    if ci.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(TsaError::Malformed("token is not SignedData".into()));
    }
    ci.content
        .decode_as::<SignedData>()
        .map_err(|e| TsaError::Malformed(format!("token SignedData: {e}")))
}

fn tst_info(token_der: &[u8]) -> Result<TstInfo, TsaError> {
    let sd = signed_data(token_der)?;
    if sd.encap_content_info.econtent_type != const_oid::db::rfc3161::ID_CT_TST_INFO {
        return Err(TsaError::Malformed("token content is not TSTInfo".into()));
    }
    let content = sd
        .encap_content_info
        .econtent
        .ok_or_else(|| TsaError::Malformed("token has no TSTInfo".into()))?;
    TstInfo::from_der(content.value()).map_err(|e| TsaError::Malformed(format!("TSTInfo: {e}")))
}

/// Verify a time-stamp token (DER `ContentInfo`) over SHA-256 `digest`: the imprint
/// matches, the content digest matches the signed attributes, and the signature verifies
/// with the signer certificate in the token.
///
/// # Errors
/// [`TsaError::Malformed`], [`TsaError::InvalidToken`].
pub fn verify_token(token_der: &[u8], digest: &[u8]) -> Result<VerifiedToken, TsaError> {
    let invalid = |m: &str| TsaError::InvalidToken(m.to_owned());
    let sd = signed_data(token_der)?;
    let tst = tst_info(token_der)?;
    if tst.message_imprint.hash_algorithm.oid != oid::SHA256
        || tst.message_imprint.hashed_message.as_bytes() != digest
    {
        return Err(invalid("the token time-stamps other data"));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| invalid("no content"))?;
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| invalid("no signer"))?;
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(invalid("signer identified by key id (unsupported)"));
    };
    let cert_der = sd
        .certificates
        .as_ref()
        .and_then(|set| {
            set.0.iter().find_map(|c| match c {
                CertificateChoices::Certificate(c)
                    if c.tbs_certificate().issuer() == &ias.issuer
                        && c.tbs_certificate().serial_number() == &ias.serial_number =>
                {
                    c.to_der().ok()
                }
                _ => None,
            })
        })
        .ok_or_else(|| invalid("the TSA certificate is not in the token"))?;
    let signed_attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| invalid("no signed attributes"))?;
    let md = signed_attrs
        .iter()
        .find(|a| a.oid == const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| invalid("no message-digest attribute"))?;
    if md.as_bytes() != Sha256::digest(econtent.value()).as_slice() {
        return Err(invalid("content digest does not match"));
    }
    let spki = Certificate::from_der(&cert_der)
        .and_then(|c| c.tbs_certificate().subject_public_key_info().to_der())
        .map_err(|e| TsaError::Malformed(e.to_string()))?;
    let attrs_der = signed_attrs.to_der().map_err(failed)?;
    dasan_crypto::verify::verify_with_identifier(
        &si.signature_algorithm,
        &spki,
        &attrs_der,
        si.signature.as_bytes(),
    )
    .map_err(|e| TsaError::InvalidToken(format!("signature: {e}")))?;
    Ok(VerifiedToken {
        gen_time: tst.gen_time.to_system_time(),
        policy: tst.policy,
        tsa_certificate: cert_der,
    })
}
