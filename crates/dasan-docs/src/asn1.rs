//! ASN.1 structures of RFC 3161 (time-stamp protocol) and RFC 5035 (ESS signing-certificate-v2)
//! on RustCrypto `der` 0.8.
//!
//! `x509-tsp` 0.1 has these on `der` 0.7, which cannot mix with the workspace's `cms`/`x509-cert`
//! (on 0.8); the definitions are short, so they are modelled here (structure only: all
//! cryptography stays in RustCrypto and dasan-crypto).

use cms::content_info::ContentInfo;
use der::Sequence;
use der::asn1::{BitString, GeneralizedTime, Int, ObjectIdentifier, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

/// `MessageImprint` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    /// Hash algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash.
    pub hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    /// Always 1.
    pub version: u8,
    /// What to time-stamp.
    pub message_imprint: MessageImprint,
    /// Requested policy.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// Nonce, echoed in the token.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Whether the TSA certificate should be in the token.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// Extensions (none are supported).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `PKIStatusInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo {
    /// 0 granted, 1 granted with mods, 2 rejection, ...
    pub status: u8,
    /// Free text.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    /// `PKIFailureInfo` bits.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// `TimeStampResp` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp {
    /// Status.
    pub status: PkiStatusInfo,
    /// The token (a CMS `ContentInfo` of `SignedData`) when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<ContentInfo>,
}

/// `Accuracy` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    /// Seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// Milliseconds, 1–999.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// Microseconds, 1–999.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    /// Always 1.
    pub version: u8,
    /// The TSA policy.
    pub policy: ObjectIdentifier,
    /// What was time-stamped.
    pub message_imprint: MessageImprint,
    /// Unique per token.
    pub serial_number: Int,
    /// The time.
    pub gen_time: GeneralizedTime,
    /// Accuracy.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Ordering (always false here).
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// The request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// The TSA's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `IssuerSerial` (RFC 5035).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The certificate issuer as `GeneralNames`.
    pub issuer: Vec<GeneralName>,
    /// The certificate serial number.
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2` (RFC 5035). `hashAlgorithm` is `DEFAULT sha256`: absent means SHA-256.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm, absent for SHA-256 (DER omits a default value).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the certificate's DER.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2` (RFC 5035).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signing certificate first.
    pub certs: Vec<EssCertIdV2>,
}

/// The signing-certificate-v2 signed attribute for `certificate` (SHA-256 hash plus issuer
/// and serial), as CAdES/PAdES and RFC 5816 time-stamp tokens require.
pub(crate) fn signing_certificate_v2(
    certificate: &x509_cert::Certificate,
    certificate_der: &[u8],
) -> der::Result<x509_cert::attr::Attribute> {
    use der::{Decode, Encode};
    use sha2::Digest;
    let value = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(sha2::Sha256::digest(certificate_der).to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    certificate.tbs_certificate().issuer().clone(),
                )],
                serial_number: certificate.tbs_certificate().serial_number().clone(),
            }),
        }],
    };
    let any = der::Any::from_der(&value.to_der()?)?;
    let mut values = der::asn1::SetOfVec::new();
    values.insert(any)?;
    Ok(x509_cert::attr::Attribute {
        oid: const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
        values,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn parses_a_request_made_by_another_implementation() {
        // From x509-tsp's tests (an OpenSSL-made request with a nonce).
        let der = hex(
            "30400201013031300D060960864801650304020105000420BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD0208314CFCE4E0651827",
        );
        let req = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(req.version, 1);
        assert_eq!(
            req.message_imprint.hashed_message.as_bytes()[..4],
            [0xba, 0x78, 0x16, 0xbf]
        );
        assert_eq!(
            req.nonce.as_ref().unwrap().as_bytes(),
            hex("314CFCE4E0651827")
        );
        assert!(!req.cert_req);
        assert_eq!(req.to_der().unwrap(), der, "re-encodes byte for byte");
    }

    #[test]
    fn parses_a_response_made_by_another_implementation() {
        let der = hex(
            "3082028430030201003082027B06092A864886F70D010702A082026C30820268020103310F300D060960864801650304020105003081C9060B2A864886F70D0109100104A081B90481B63081B302010106042A0304013031300D060960864801650304020105000420BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD020104180F32303233303630373131323632365A300A020101800201F48101640101FF0208314CFCE4E0651827A048A4463044310B30090603550406130255533113301106035504080C0A536F6D652D5374617465310D300B060355040A0C04546573743111300F06035504030C0854657374205453413182018430820180020101305C3044310B30090603550406130255533113301106035504080C0A536F6D652D5374617465310D300B060355040A0C04546573743111300F06035504030C08546573742054534102146A0DCC59137C11D1C2B092042B4BC51C0D634D24300D06096086480165030402010500A08198301A06092A864886F70D010903310D060B2A864886F70D0109100104301C06092A864886F70D010905310F170D3233303630373131323632365A302B060B2A864886F70D010910020C311C301A3018301604142F36B1B52456F5AC3A1CA09794AE3D0D64AD38C2302F06092A864886F70D01090431220420BAF4CCF82E9B5B3956EADCC87346B407684F26D82B68D0E7DE0D31EA79AF648C300A06082A8648CE3D0403020467306502305A6E1C175B20A93FAB25D14CC5F5A2836D726D6D4A964B66FFBFFCE46276A96475F1408728B3385DCA37C2BA46BE17E1023100C46B7F08D03409A8ECCFD7637765412C3C5EC050E0D39CF48F0F5015950342CB18D8434FF331BA4463C086297C37D07B",
        );
        let resp = TimeStampResp::from_der(&der).unwrap();
        assert_eq!(resp.status.status, 0);
        let token = resp.time_stamp_token.unwrap();
        let sd = cms::signed_data::SignedData::from_der(&token.content.to_der().unwrap()).unwrap();
        let tst = TstInfo::from_der(sd.encap_content_info.econtent.unwrap().value()).unwrap();
        assert_eq!(tst.policy.to_string(), "1.2.3.4.1");
        assert_eq!(tst.gen_time.to_unix_duration().as_secs(), 1_686_137_186);
        let acc = tst.accuracy.unwrap();
        assert_eq!(
            (acc.seconds, acc.millis, acc.micros),
            (Some(1), Some(500), Some(100))
        );
        assert!(tst.ordering);
        assert!(matches!(tst.tsa, Some(GeneralName::DirectoryName(_))));
    }
}
