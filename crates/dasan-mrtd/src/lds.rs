//! The chip's files (Doc 9303 Parts 10 and 11): EF.COM, DG1, DG2, DG11, DG12, DG14, DG15,
//! EF.SOD, EF.CardAccess, and CSCA master lists.
//!
//! Every parser takes the file's bytes as read from the chip and never panics.

use crate::mrz::MrzFormat;
use crate::tlv::{self, Reader, Tlv, TlvError};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, PrintableString};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use thiserror::Error;
use x509_cert::Certificate;

/// An LDS file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LdsError {
    /// The TLV structure is broken.
    #[error("TLV: {0}")]
    Tlv(#[from] TlvError),
    /// The ASN.1 inside is not valid DER for its type.
    #[error("ASN.1 ({what}): {message}")]
    Asn1 {
        /// What was being decoded.
        what: &'static str,
        /// The `der` crate's message.
        message: String,
    },
    /// A required element is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// Something the standard does not allow.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// What.
        what: &'static str,
        /// Why.
        message: String,
    },
}

pub(crate) fn asn1(what: &'static str) -> impl Fn(der::Error) -> LdsError {
    move |e| LdsError::Asn1 {
        what,
        message: e.to_string(),
    }
}

fn invalid(what: &'static str, message: impl Into<String>) -> LdsError {
    LdsError::Invalid {
        what,
        message: message.into(),
    }
}

/// Object identifiers used by the LDS.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;
    /// id-icao-mrtd-security-ldsSecurityObject.
    pub const LDS_SECURITY_OBJECT: Oid = Oid::new_unwrap("2.23.136.1.1.1");
    /// id-icao-cscaMasterList.
    pub const CSCA_MASTER_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.2");
    /// id-icao-mrtd-security-aaProtocolObject (ActiveAuthenticationInfo).
    pub const AA_PROTOCOL: Oid = Oid::new_unwrap("2.23.136.1.1.5");
    /// id-signedData.
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    /// BSI TR-03110 bsi-de protocols prefix (0.4.0.127.0.7.2.2).
    pub const BSI_PROTOCOLS: &str = "0.4.0.127.0.7.2.2.";
}

/// Joins the decimal arcs of an OID into text.
fn oid_text(o: &ObjectIdentifier) -> String {
    o.to_string()
}

// --- EF.COM -----------------------------------------------------------------------------

/// EF.COM: LDS version and the data groups present.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EfCom {
    /// LDS version, e.g. `0107` (1.7).
    pub lds_version: String,
    /// Unicode version, e.g. `040000`.
    pub unicode_version: String,
    /// Data group numbers listed in the tag list.
    pub data_groups: Vec<u8>,
}

/// The data group number of an LDS file tag (`61` is DG1, ..., `75` DG2, `6E` DG14).
pub fn data_group_of_tag(tag: u8) -> Option<u8> {
    Some(match tag {
        0x61 => 1,
        0x75 => 2,
        0x63 => 3,
        0x76 => 4,
        0x65 => 5,
        0x66 => 6,
        0x67 => 7,
        0x68 => 8,
        0x69 => 9,
        0x6A => 10,
        0x6B => 11,
        0x6C => 12,
        0x6D => 13,
        0x6E => 14,
        0x6F => 15,
        0x70 => 16,
        _ => return None,
    })
}

/// The file tag of a data group (inverse of [`data_group_of_tag`]).
pub fn tag_of_data_group(dg: u8) -> Option<u8> {
    (0x61..=0x76).find(|&t| data_group_of_tag(t) == Some(dg))
}

/// Parses EF.COM (tag `60`).
pub fn parse_ef_com(data: &[u8]) -> Result<EfCom, LdsError> {
    let outer = tlv::single(data, 0x60)?;
    let mut com = EfCom {
        lds_version: String::new(),
        unicode_version: String::new(),
        data_groups: Vec::new(),
    };
    for t in outer.children().all()? {
        match t.tag {
            0x5F01 => com.lds_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5F36 => com.unicode_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5C => {
                for &tag in t.value {
                    com.data_groups.push(
                        data_group_of_tag(tag)
                            .ok_or_else(|| invalid("EF.COM tag list", format!("tag {tag:02X}")))?,
                    );
                }
            }
            _ => {}
        }
    }
    Ok(com)
}

/// Builds EF.COM (LDS 1.7, Unicode 4.0.0).
pub fn encode_ef_com(data_groups: &[u8]) -> Vec<u8> {
    let tags: Vec<u8> = data_groups
        .iter()
        .filter_map(|&d| tag_of_data_group(d))
        .collect();
    let mut v = tlv::encode(0x5F01, b"0107");
    v.extend(tlv::encode(0x5F36, b"040000"));
    v.extend(tlv::encode(0x5C, &tags));
    tlv::encode(0x60, &v)
}

// --- DG1 --------------------------------------------------------------------------------

/// DG1: the MRZ as stored on the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg1 {
    /// Format, from the length (90: TD1, 72: TD2, 88: TD3).
    pub format: MrzFormat,
    /// The MRZ lines.
    pub lines: Vec<String>,
}

impl Dg1 {
    /// The lines joined by newlines, as [`crate::Mrz::parse`] takes them.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// Parses DG1 (tag `61`, MRZ in `5F1F`).
pub fn parse_dg1(data: &[u8]) -> Result<Dg1, LdsError> {
    let outer = tlv::single(data, 0x61)?;
    let mrz = outer.children().expect(0x5F1F)?;
    let text = std::str::from_utf8(mrz.value).map_err(|_| invalid("DG1", "MRZ is not ASCII"))?;
    if !text.is_ascii() {
        return Err(invalid("DG1", "MRZ is not ASCII"));
    }
    let (format, width) = match (text.len(), text.starts_with('V')) {
        (90, _) => (MrzFormat::Td1, 30),
        (72, false) => (MrzFormat::Td2, 36),
        (72, true) => (MrzFormat::MrvB, 36),
        (88, false) => (MrzFormat::Td3, 44),
        (88, true) => (MrzFormat::MrvA, 44),
        (n, _) => return Err(invalid("DG1", format!("MRZ of {n} characters"))),
    };
    let lines = text
        .as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Ok(Dg1 { format, lines })
}

/// Builds DG1 from MRZ lines.
pub fn encode_dg1(lines: &[String]) -> Vec<u8> {
    tlv::encode(0x61, &tlv::encode(0x5F1F, lines.concat().as_bytes()))
}

// --- DG2 --------------------------------------------------------------------------------

/// The biometric header template (ISO/IEC 7816-11 `A1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BiometricHeader {
    /// Patron header version (`80`).
    pub version: Option<Vec<u8>>,
    /// Biometric type (`81`), 2 = facial features.
    pub biometric_type: Option<Vec<u8>>,
    /// Biometric subtype (`82`).
    pub subtype: Option<Vec<u8>>,
    /// Creation date and time (`83`).
    pub creation_date: Option<Vec<u8>>,
    /// Validity period (`85`).
    pub validity: Option<Vec<u8>>,
    /// Creator (`86`).
    pub creator: Option<Vec<u8>>,
    /// Format owner (`87`).
    pub format_owner: Option<Vec<u8>>,
    /// Format type (`88`).
    pub format_type: Option<Vec<u8>>,
}

/// Image data type of an ISO/IEC 19794-5 face image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ImageType {
    /// JPEG.
    Jpeg,
    /// JPEG 2000.
    Jpeg2000,
    /// Another code.
    Other(u8),
}

/// One face from DG2.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FaceImage {
    /// The biometric header.
    pub header: BiometricHeader,
    /// Image data type.
    pub image_type: ImageType,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The image bytes (JPEG or JPEG 2000).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub image: Vec<u8>,
}

/// DG2: encoded face(s).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg2 {
    /// The faces.
    pub faces: Vec<FaceImage>,
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Parses the first facial record of an ISO/IEC 19794-5 (2005) block.
fn parse_face_block(block: &[u8], header: BiometricHeader) -> Result<FaceImage, LdsError> {
    let bad = |m: &str| invalid("ISO/IEC 19794-5 face record", m.to_string());
    if block.get(..4) != Some(b"FAC\0") {
        return Err(bad("no FAC header"));
    }
    // General header: FAC\0, version (4), record length (4), number of faces (2).
    let faces = be(block.get(12..14).ok_or_else(|| bad("truncated header"))?);
    if faces == 0 {
        return Err(bad("no face"));
    }
    let rec = block.get(14..).ok_or_else(|| bad("truncated"))?;
    let rec_len = usize::try_from(be(rec.get(..4).ok_or_else(|| bad("truncated record"))?))
        .map_err(|_| bad("record length"))?;
    let rec = rec
        .get(..rec_len)
        .ok_or_else(|| bad("record longer than the block"))?;
    let points = usize::from(
        u16::try_from(be(rec.get(4..6).ok_or_else(|| bad("truncated record"))?))
            .map_err(|_| bad("feature points"))?,
    );
    // Facial information is 20 bytes, each feature point 8, then 12 bytes of image information.
    let info = 20 + points * 8;
    let img_info = rec
        .get(info..info + 12)
        .ok_or_else(|| bad("truncated image information"))?;
    let image_type = match img_info[1] {
        0 => ImageType::Jpeg,
        1 => ImageType::Jpeg2000,
        n => ImageType::Other(n),
    };
    let width = u16::from_be_bytes([img_info[2], img_info[3]]);
    let height = u16::from_be_bytes([img_info[4], img_info[5]]);
    let image = rec.get(info + 12..).unwrap_or(&[]).to_vec();
    Ok(FaceImage {
        header,
        image_type,
        width,
        height,
        image,
    })
}

fn parse_bht(t: &Tlv<'_>) -> Result<BiometricHeader, LdsError> {
    let mut h = BiometricHeader::default();
    for e in t.children().all()? {
        let v = Some(e.value.to_vec());
        match e.tag {
            0x80 => h.version = v,
            0x81 => h.biometric_type = v,
            0x82 => h.subtype = v,
            0x83 => h.creation_date = v,
            0x85 => h.validity = v,
            0x86 => h.creator = v,
            0x87 => h.format_owner = v,
            0x88 => h.format_type = v,
            _ => {}
        }
    }
    Ok(h)
}

/// Parses DG2 (tag `75`, biometric information group template `7F61`).
pub fn parse_dg2(data: &[u8]) -> Result<Dg2, LdsError> {
    let outer = tlv::single(data, 0x75)?;
    let group = outer.children().expect(0x7F61)?;
    let mut faces = Vec::new();
    for t in group.children().all()? {
        if t.tag != 0x7F60 {
            continue;
        }
        let mut header = None;
        for e in t.children().all()? {
            match e.tag {
                0xA1 => header = Some(parse_bht(&e)?),
                0x5F2E | 0x7F2E => faces.push(parse_face_block(
                    e.value,
                    header
                        .clone()
                        .ok_or(LdsError::Missing("biometric header"))?,
                )?),
                _ => {}
            }
        }
    }
    if faces.is_empty() {
        return Err(LdsError::Missing("face image"));
    }
    Ok(Dg2 { faces })
}

/// Builds a DG2 holding one JPEG face (ISO/IEC 19794-5 2005 record, no feature points).
pub fn encode_dg2(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut rec = Vec::new();
    let rec_len = (20 + 12 + jpeg.len()) as u32;
    rec.extend_from_slice(&rec_len.to_be_bytes());
    rec.extend_from_slice(&[0, 0]); // feature points
    rec.extend_from_slice(&[0; 14]); // gender .. pose uncertainty
    rec.extend_from_slice(&[1, 0]); // full frontal, JPEG
    rec.extend_from_slice(&width.to_be_bytes());
    rec.extend_from_slice(&height.to_be_bytes());
    rec.extend_from_slice(&[1, 2, 0, 0, 0, 0]); // sRGB, digital camera, device, quality
    rec.extend_from_slice(jpeg);
    let mut block = b"FAC\x00010\x00".to_vec();
    block.extend_from_slice(&((14 + rec.len()) as u32).to_be_bytes());
    block.extend_from_slice(&[0, 1]);
    block.extend(rec);
    let mut bht = tlv::encode(0x80, &[1, 1]);
    bht.extend(tlv::encode(0x81, &[2]));
    bht.extend(tlv::encode(0x87, &[1, 1]));
    bht.extend(tlv::encode(0x88, &[0, 8]));
    let mut bit = tlv::encode(0xA1, &bht);
    bit.extend(tlv::encode(0x5F2E, &block));
    let mut group = tlv::encode(0x02, &[1]);
    group.extend(tlv::encode(0x7F60, &bit));
    tlv::encode(0x75, &tlv::encode(0x7F61, &group))
}

// --- DG11, DG12 -------------------------------------------------------------------------

/// DG11: additional personal details (every element optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg11 {
    /// Full name (`5F0E`), `<` separating primary and secondary identifiers.
    pub full_name: Option<String>,
    /// Other names (`A0` / `0F`).
    pub other_names: Vec<String>,
    /// Personal number (`5F10`).
    pub personal_number: Option<String>,
    /// Full date of birth, `YYYYMMDD` (`5F2B`).
    pub full_date_of_birth: Option<String>,
    /// Place of birth (`5F11`).
    pub place_of_birth: Option<String>,
    /// Permanent address (`5F42`).
    pub address: Option<String>,
    /// Telephone (`5F12`).
    pub telephone: Option<String>,
    /// Profession (`5F13`).
    pub profession: Option<String>,
    /// Title (`5F14`).
    pub title: Option<String>,
    /// Personal summary (`5F15`).
    pub personal_summary: Option<String>,
    /// Other valid travel document numbers (`5F17`).
    pub other_travel_documents: Option<String>,
    /// Custody information (`5F18`).
    pub custody_information: Option<String>,
}

fn text(v: &[u8]) -> Option<String> {
    Some(String::from_utf8_lossy(v).into_owned())
}

/// Parses DG11 (tag `6B`).
pub fn parse_dg11(data: &[u8]) -> Result<Dg11, LdsError> {
    let outer = tlv::single(data, 0x6B)?;
    let mut d = Dg11::default();
    for t in outer.children().all()? {
        match t.tag {
            0x5F0E => d.full_name = text(t.value),
            0x5F10 => d.personal_number = text(t.value),
            0x5F2B => d.full_date_of_birth = text(t.value),
            0x5F11 => d.place_of_birth = text(t.value),
            0x5F42 => d.address = text(t.value),
            0x5F12 => d.telephone = text(t.value),
            0x5F13 => d.profession = text(t.value),
            0x5F14 => d.title = text(t.value),
            0x5F15 => d.personal_summary = text(t.value),
            0x5F17 => d.other_travel_documents = text(t.value),
            0x5F18 => d.custody_information = text(t.value),
            0xA0 => {
                for n in t.children().all()? {
                    if n.tag == 0x0F {
                        d.other_names.extend(text(n.value));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(d)
}

/// DG12: additional document details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg12 {
    /// Issuing authority (`5F19`).
    pub issuing_authority: Option<String>,
    /// Date of issue, `YYYYMMDD` (`5F26`).
    pub date_of_issue: Option<String>,
    /// Name of other persons (`A0` / `5F1A`).
    pub other_persons: Vec<String>,
    /// Endorsements and observations (`5F1B`).
    pub endorsements: Option<String>,
    /// Tax or exit requirements (`5F1C`).
    pub tax_exit_requirements: Option<String>,
    /// Image of the front of the document (`5F1D`).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub image_front: Option<Vec<u8>>,
    /// Image of the rear of the document (`5F1E`).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub image_rear: Option<Vec<u8>>,
    /// Personalization date and time (`5F55`).
    pub personalization_time: Option<String>,
    /// Serial number of the personalization system (`5F56`).
    pub personalization_device: Option<String>,
}

/// Parses DG12 (tag `6C`).
pub fn parse_dg12(data: &[u8]) -> Result<Dg12, LdsError> {
    let outer = tlv::single(data, 0x6C)?;
    let mut d = Dg12::default();
    for t in outer.children().all()? {
        match t.tag {
            0x5F19 => d.issuing_authority = text(t.value),
            0x5F26 => d.date_of_issue = text(t.value),
            0x5F1B => d.endorsements = text(t.value),
            0x5F1C => d.tax_exit_requirements = text(t.value),
            0x5F1D => d.image_front = Some(t.value.to_vec()),
            0x5F1E => d.image_rear = Some(t.value.to_vec()),
            0x5F55 => d.personalization_time = text(t.value),
            0x5F56 => d.personalization_device = text(t.value),
            0xA0 => {
                for n in t.children().all()? {
                    if n.tag == 0x5F1A {
                        d.other_persons.extend(text(n.value));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(d)
}

// --- DG14, EF.CardAccess ----------------------------------------------------------------

#[derive(Sequence)]
struct SecurityInfoDer {
    protocol: ObjectIdentifier,
    required_data: Any,
    optional_data: Option<Any>,
}

/// What a SecurityInfo is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SecurityProtocol {
    /// PACE (0.4.0.127.0.7.2.2.4.x with a version).
    Pace,
    /// PACE domain parameters.
    PaceDomainParameters,
    /// Chip authentication (0.4.0.127.0.7.2.2.3.x).
    ChipAuthentication,
    /// Chip authentication public key (0.4.0.127.0.7.2.2.1.x).
    ChipAuthenticationPublicKey,
    /// Terminal authentication (0.4.0.127.0.7.2.2.2).
    TerminalAuthentication,
    /// Active authentication info (2.23.136.1.1.5).
    ActiveAuthentication,
    /// Something else.
    Other,
}

/// One SecurityInfo from DG14 or EF.CardAccess.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SecurityInfo {
    /// The protocol OID, dotted.
    pub protocol: String,
    /// What the OID names.
    pub kind: SecurityProtocol,
    /// `requiredData`, DER.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub required_data: Vec<u8>,
    /// `optionalData`, DER.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub optional_data: Option<Vec<u8>>,
}

impl SecurityInfo {
    /// `requiredData` as an INTEGER version where the protocol has one (PACE, CA, AA).
    pub fn version(&self) -> Option<u64> {
        let t = Reader::new(&self.required_data).read().ok()?;
        (t.tag == 0x02 && t.value.len() <= 8).then(|| be(t.value))
    }
}

fn classify(oid: &str, required: &Any) -> SecurityProtocol {
    let Some(rest) = oid.strip_prefix(oid::BSI_PROTOCOLS) else {
        return if oid == "2.23.136.1.1.5" {
            SecurityProtocol::ActiveAuthentication
        } else {
            SecurityProtocol::Other
        };
    };
    let is_int = der::Tagged::tag(required) == der::Tag::Integer;
    match rest.split('.').next() {
        Some("4") if is_int => SecurityProtocol::Pace,
        Some("4") => SecurityProtocol::PaceDomainParameters,
        Some("3") => SecurityProtocol::ChipAuthentication,
        Some("1") => SecurityProtocol::ChipAuthenticationPublicKey,
        Some("2") => SecurityProtocol::TerminalAuthentication,
        _ => SecurityProtocol::Other,
    }
}

/// Parses a DER `SET OF SecurityInfo` (EF.CardAccess is exactly this).
pub fn parse_security_infos(data: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    let set = tlv::single(data, 0x31)?;
    let mut out = Vec::new();
    for t in set.children().all()? {
        let si = SecurityInfoDer::from_der(t.raw).map_err(asn1("SecurityInfo"))?;
        let protocol = oid_text(&si.protocol);
        out.push(SecurityInfo {
            kind: classify(&protocol, &si.required_data),
            protocol,
            required_data: si.required_data.to_der().map_err(asn1("SecurityInfo"))?,
            optional_data: si
                .optional_data
                .map(|o| o.to_der())
                .transpose()
                .map_err(asn1("SecurityInfo"))?,
        });
    }
    Ok(out)
}

/// Parses DG14 (tag `6E`): the chip's SecurityInfos.
pub fn parse_dg14(data: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    let outer = tlv::single(data, 0x6E)?;
    parse_security_infos(outer.value)
}

/// Parses EF.CardAccess (no application tag).
pub fn parse_card_access(data: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    parse_security_infos(data)
}

/// Builds DG14 from DER-encoded SecurityInfo elements.
pub fn encode_dg14(infos_der: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = infos_der.to_vec();
    sorted.sort();
    tlv::encode(0x6E, &tlv::encode(0x31, &sorted.concat()))
}

// --- DG15 -------------------------------------------------------------------------------

/// DG15: the active authentication public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    /// The key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Its DER encoding.
    pub public_key_der: Vec<u8>,
}

/// Parses DG15 (tag `6F`, a SubjectPublicKeyInfo).
pub fn parse_dg15(data: &[u8]) -> Result<Dg15, LdsError> {
    let outer = tlv::single(data, 0x6F)?;
    let public_key = SubjectPublicKeyInfoOwned::from_der(outer.value)
        .map_err(asn1("DG15 SubjectPublicKeyInfo"))?;
    Ok(Dg15 {
        public_key,
        public_key_der: outer.value.to_vec(),
    })
}

/// Builds DG15 from a DER SubjectPublicKeyInfo.
pub fn encode_dg15(spki_der: &[u8]) -> Vec<u8> {
    tlv::encode(0x6F, spki_der)
}

// --- EF.SOD -----------------------------------------------------------------------------

/// `DataGroupHash`.
#[derive(Sequence, Debug, Clone)]
pub(crate) struct DataGroupHashDer {
    pub(crate) data_group_number: u8,
    pub(crate) data_group_hash_value: OctetString,
}

/// `LDSVersionInfo`.
#[derive(Sequence, Debug, Clone)]
pub(crate) struct LdsVersionInfoDer {
    pub(crate) lds_version: PrintableString,
    pub(crate) unicode_version: PrintableString,
}

/// `LDSSecurityObject`.
#[derive(Sequence, Debug, Clone)]
pub(crate) struct LdsSecurityObjectDer {
    pub(crate) version: u8,
    pub(crate) hash_algorithm: AlgorithmIdentifierOwned,
    pub(crate) data_group_hash_values: Vec<DataGroupHashDer>,
    pub(crate) lds_version_info: Option<LdsVersionInfoDer>,
}

/// The LDS security object: which hash over which data group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LdsSecurityObject {
    /// 0 (V0) or 1 (V1, with the LDS version info).
    pub version: u8,
    /// Hash algorithm OID, dotted.
    pub hash_algorithm: String,
    /// (data group number, hash) in the order stored.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub hashes: Vec<(u8, Vec<u8>)>,
    /// LDS and Unicode versions (V1).
    pub lds_version: Option<(String, String)>,
}

/// EF.SOD: a CMS SignedData over the LDS security object.
#[derive(Debug, Clone)]
pub struct Sod {
    /// The SignedData.
    pub signed_data: SignedData,
    /// The encapsulated LDSSecurityObject.
    pub lds: LdsSecurityObject,
    /// The eContent bytes (DER of the LDSSecurityObject), which the message digest covers.
    pub econtent: Vec<u8>,
    /// The DER `SET OF Attribute` of the first signer's signed attributes, as signed.
    pub signed_attrs_der: Option<Vec<u8>>,
}

/// A CMS ContentInfo holding SignedData, with its eContent and the raw signed attributes.
pub(crate) struct ParsedSignedData {
    pub(crate) signed_data: SignedData,
    pub(crate) econtent: Vec<u8>,
    pub(crate) signed_attrs_der: Option<Vec<u8>>,
}

/// The signed attributes exactly as encoded (with the SET tag the signature covers): a DER
/// re-encoding could differ from what was signed, so take the bytes from the message.
fn raw_signed_attrs(content_info: &[u8]) -> Result<Option<Vec<u8>>, LdsError> {
    let ci = tlv::single(content_info, 0x30)?;
    let mut r = ci.children();
    r.expect(0x06)?;
    let explicit = r.expect(0xA0)?;
    let sd = explicit.children().expect(0x30)?;
    let parts = sd.children().all()?;
    let infos = parts
        .iter()
        .rev()
        .find(|t| t.tag == 0x31)
        .ok_or(LdsError::Missing("signerInfos"))?;
    let Some(first) = infos.children().all()?.into_iter().next() else {
        return Ok(None);
    };
    let mut si = first.children();
    si.read()?; // version
    si.read()?; // sid
    si.read()?; // digestAlgorithm
    if si.is_empty() {
        return Ok(None);
    }
    let t = si.read()?;
    if t.tag != 0xA0 {
        return Ok(None);
    }
    let mut out = t.raw.to_vec();
    out[0] = 0x31;
    Ok(Some(out))
}

pub(crate) fn parse_signed_data(
    content_info: &[u8],
    expected_content: ObjectIdentifier,
) -> Result<ParsedSignedData, LdsError> {
    let ci = ContentInfo::from_der(content_info).map_err(asn1("ContentInfo"))?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(invalid(
            "ContentInfo",
            format!("content type {}", ci.content_type),
        ));
    }
    let signed_data: SignedData = ci.content.decode_as().map_err(asn1("SignedData"))?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type != expected_content {
        return Err(invalid(
            "eContentType",
            format!("{} (expected {})", encap.econtent_type, expected_content),
        ));
    }
    let econtent = encap
        .econtent
        .as_ref()
        .ok_or(LdsError::Missing("eContent"))?
        .decode_as::<OctetString>()
        .map_err(asn1("eContent"))?
        .as_bytes()
        .to_vec();
    Ok(ParsedSignedData {
        signed_data,
        econtent,
        signed_attrs_der: raw_signed_attrs(content_info)?,
    })
}

/// Parses EF.SOD (tag `77` around a CMS ContentInfo).
pub fn parse_sod(data: &[u8]) -> Result<Sod, LdsError> {
    let outer = tlv::single(data, 0x77)?;
    let p = parse_signed_data(outer.value, oid::LDS_SECURITY_OBJECT)?;
    let lso = LdsSecurityObjectDer::from_der(&p.econtent).map_err(asn1("LDSSecurityObject"))?;
    let lds = LdsSecurityObject {
        version: lso.version,
        hash_algorithm: oid_text(&lso.hash_algorithm.oid),
        hashes: lso
            .data_group_hash_values
            .iter()
            .map(|h| {
                (
                    h.data_group_number,
                    h.data_group_hash_value.as_bytes().to_vec(),
                )
            })
            .collect(),
        lds_version: lso
            .lds_version_info
            .map(|v| (v.lds_version.to_string(), v.unicode_version.to_string())),
    };
    if lds.hashes.iter().any(|(n, _)| !(1..=16).contains(n)) {
        return Err(invalid(
            "LDSSecurityObject",
            "data group number outside 1-16",
        ));
    }
    Ok(Sod {
        signed_data: p.signed_data,
        lds,
        econtent: p.econtent,
        signed_attrs_der: p.signed_attrs_der,
    })
}

impl Sod {
    /// Certificates embedded in the SignedData (normally the document signer).
    pub fn certificates(&self) -> Vec<Certificate> {
        embedded_certificates(&self.signed_data)
    }
}

pub(crate) fn embedded_certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

// --- CSCA master list -------------------------------------------------------------------

/// A CSCA master list (Doc 9303 Part 12, §9): CMS SignedData over a list of CSCA certificates.
#[derive(Debug, Clone)]
pub struct MasterList {
    /// The CSCA certificates listed.
    pub certificates: Vec<Certificate>,
    /// The SignedData (signer certificate, signature) for [`crate::pa::verify_master_list`].
    pub signed_data: SignedData,
    pub(crate) econtent: Vec<u8>,
    pub(crate) signed_attrs_der: Option<Vec<u8>>,
}

/// Parses a master list (a bare CMS ContentInfo, as published in the ICAO PKD).
pub fn parse_master_list(data: &[u8]) -> Result<MasterList, LdsError> {
    let p = parse_signed_data(data, oid::CSCA_MASTER_LIST)?;
    // CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }
    let seq = tlv::single(&p.econtent, 0x30)?;
    let mut r = seq.children();
    r.expect(0x02)?;
    let set = r.expect(0x31)?;
    let mut certificates = Vec::new();
    for t in set.children().all()? {
        certificates.push(Certificate::from_der(t.raw).map_err(asn1("master list certificate"))?);
    }
    Ok(MasterList {
        certificates,
        signed_data: p.signed_data,
        econtent: p.econtent,
        signed_attrs_der: p.signed_attrs_der,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BSI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/testdata/mrtd");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{BSI}/{name}")).unwrap()
    }

    #[test]
    fn bsi_ef_com_and_dg1() {
        let com = parse_ef_com(&read("bsi2008/EF_COM.bin")).unwrap();
        assert_eq!(com.lds_version, "0107");
        assert_eq!(com.data_groups, vec![1, 2, 3, 14]);
        let dg1 = parse_dg1(&read("bsi2008/Datagroup1.bin")).unwrap();
        assert_eq!(dg1.format, MrzFormat::Td3);
        assert_eq!(dg1.lines[0], "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<");
        let m = crate::Mrz::parse(&dg1.text(), crate::Date::new(2008, 6, 1).unwrap()).unwrap();
        assert_eq!(m.issuer, "D");
        assert_eq!(m.document_number, "C11T002JM");
        assert_eq!(encode_dg1(&dg1.lines), read("bsi2008/Datagroup1.bin"));
    }

    #[test]
    fn bsi_dg2_dg14_dg15_and_sod() {
        let dg2 = parse_dg2(&read("bsi2008/Datagroup2.bin")).unwrap();
        assert_eq!(dg2.faces.len(), 1);
        let face = &dg2.faces[0];
        assert!(matches!(
            face.image_type,
            ImageType::Jpeg | ImageType::Jpeg2000
        ));
        assert!(face.image.len() > 1000);
        let infos = parse_dg14(&read("bsi2008/Datagroup14.bin")).unwrap();
        assert!(!infos.is_empty());
        assert!(
            infos
                .iter()
                .any(|i| i.kind == SecurityProtocol::ChipAuthenticationPublicKey)
        );
        let dg15 = parse_dg15(&read("bsi2008/Datagroup15.bin")).unwrap();
        assert!(!dg15.public_key_der.is_empty());
        let sod = parse_sod(&read("bsi2008/EF_SOD.bin")).unwrap();
        assert_eq!(sod.lds.hash_algorithm, "1.3.14.3.2.26");
        let numbers: Vec<u8> = sod.lds.hashes.iter().map(|h| h.0).collect();
        assert_eq!(numbers, vec![1, 2, 3, 14]);
        assert_eq!(sod.certificates().len(), 1);
        assert!(sod.signed_attrs_der.is_some());
    }

    #[test]
    fn spec_sample_dg14() {
        let infos = parse_dg14(&read("spec_sample_encoded_dg14.bin")).unwrap();
        assert!(
            infos
                .iter()
                .any(|i| i.kind == SecurityProtocol::ChipAuthenticationPublicKey),
            "{infos:?}"
        );
    }

    #[test]
    fn dg11_dg12_and_card_access() {
        let t = tlv::encode;
        let mut v = t(0x5C, &[0x5F, 0x0E, 0x5F, 0x2B, 0x5F, 0x11]);
        v.extend(t(0x5F0E, b"ERIKSSON<<ANNA<MARIA"));
        v.extend(t(0x5F2B, b"19740812"));
        v.extend(t(0x5F11, b"ZENITH,UTO"));
        v.extend(t(
            0xA0,
            &[t(0x02, &[1]), t(0x0F, b"ANNA<ERIKSDOTTIR")].concat(),
        ));
        let d = parse_dg11(&t(0x6B, &v)).unwrap();
        assert_eq!(d.full_name.as_deref(), Some("ERIKSSON<<ANNA<MARIA"));
        assert_eq!(d.full_date_of_birth.as_deref(), Some("19740812"));
        assert_eq!(d.place_of_birth.as_deref(), Some("ZENITH,UTO"));
        assert_eq!(d.other_names, vec!["ANNA<ERIKSDOTTIR".to_string()]);
        assert!(parse_dg11(&t(0x6C, &v)).is_err());

        let mut v = t(0x5C, &[0x5F, 0x19, 0x5F, 0x26]);
        v.extend(t(0x5F19, b"UTOPIA PASSPORT OFFICE"));
        v.extend(t(0x5F26, b"20080601"));
        v.extend(t(0x5F1D, &[0xFF, 0xD8, 0xFF, 0xD9]));
        let d = parse_dg12(&t(0x6C, &v)).unwrap();
        assert_eq!(
            d.issuing_authority.as_deref(),
            Some("UTOPIA PASSPORT OFFICE")
        );
        assert_eq!(d.date_of_issue.as_deref(), Some("20080601"));
        assert_eq!(
            d.image_front.as_deref(),
            Some(&[0xFF, 0xD8, 0xFF, 0xD9][..])
        );

        // EF.CardAccess is the bare SET OF SecurityInfo.
        let dg14 = read("bsi2008/Datagroup14.bin");
        let inner = tlv::single(&dg14, 0x6E).unwrap().value.to_vec();
        assert_eq!(
            parse_card_access(&inner).unwrap(),
            parse_dg14(&dg14).unwrap()
        );
    }

    #[test]
    fn generated_dg2_round_trips() {
        let dg2 = encode_dg2(b"\xFF\xD8fake jpeg\xFF\xD9", 480, 640);
        let p = parse_dg2(&dg2).unwrap();
        assert_eq!(p.faces[0].image, b"\xFF\xD8fake jpeg\xFF\xD9");
        assert_eq!((p.faces[0].width, p.faces[0].height), (480, 640));
        let com = encode_ef_com(&[1, 2, 14, 15]);
        assert_eq!(parse_ef_com(&com).unwrap().data_groups, vec![1, 2, 14, 15]);
    }
}
