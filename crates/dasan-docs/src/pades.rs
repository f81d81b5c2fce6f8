//! PAdES baseline signatures (ETSI EN 319 142-1): B-B, B-T and B-LT.
//!
//! Assembled from parts, since no mature Rust crate produces PAdES:
//!
//! 1. an incremental update (lopdf `IncrementalDocument`) adds a signature dictionary
//!    (`/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached`, `/M` the signing time), an
//!    invisible signature widget on page 1 and the `/AcroForm`; `/Contents` is a zero-filled
//!    hex placeholder and `/ByteRange` a wide placeholder array;
//! 2. the byte range (everything but the `/Contents` hex string) is patched in place, with
//!    spaces keeping every offset unchanged, and hashed with SHA-256;
//! 3. the RustCrypto `cms` builder makes a detached `SignedData` over that digest with the
//!    signed attributes content-type, message-digest and signing-certificate-v2 (no
//!    signing-time: PAdES carries it in `/M`), signed by the agency's key via [`StoreSigner`];
//! 4. for B-T, the signature value is time-stamped (RFC 3161, from a [`TimeStampSource`]) and
//!    the token added as the unsigned attribute id-aa-signatureTimeStampToken;
//! 5. the DER goes into the placeholder;
//! 6. for B-LT, a second incremental update adds the Document Security Store (`/DSS` with
//!    `/Certs` and `/CRLs` streams) so validation needs no network, long after issue.

use std::time::{SystemTime, UNIX_EPOCH};

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use dasan_crypto::{StoreSignature, StoreSigner};
use der::{Any, Decode, Encode};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::asn1::signing_certificate_v2;
use crate::tsa::{self, TimeStampSource, TsaError};

/// Errors signing a PDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PadesError {
    /// The input is not a PDF lopdf can update (or is encrypted).
    #[error("cannot update the PDF: {0}")]
    Pdf(String),
    /// A certificate does not parse or does not match the signing key.
    #[error("signer certificate unusable: {0}")]
    Certificate(String),
    /// B-T and above need a time-stamp source.
    #[error("level {0:?} needs a time-stamp source")]
    NoTimeStampSource(PadesLevel),
    /// B-LT needs certificates and CRLs.
    #[error("level B-LT needs validation material (certificates and CRLs)")]
    NoLtvMaterial,
    /// The time-stamp could not be obtained or is invalid.
    #[error(transparent)]
    TimeStamp(#[from] TsaError),
    /// Signing or encoding failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

fn pdf_err(e: impl std::fmt::Display) -> PadesError {
    PadesError::Pdf(e.to_string())
}

fn sign_err(e: impl std::fmt::Display) -> PadesError {
    PadesError::Signing(e.to_string())
}

/// The PAdES baseline level to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PadesLevel {
    /// Basic: CAdES-detached signature with signing-certificate-v2.
    BB,
    /// B-B plus a signature time-stamp.
    BT,
    /// B-T plus a Document Security Store with the chain and CRLs.
    BLT,
}

/// The issuing agency's document-signing key and certificates.
#[derive(Clone, Debug)]
pub struct DocumentSigner<'a> {
    /// The key (in the agency's key store or HSM).
    pub signer: StoreSigner<'a>,
    /// Its certificate, DER.
    pub certificate: Vec<u8>,
    /// The rest of the chain (issuing CA, root), DER, included in the signature.
    pub chain: Vec<Vec<u8>>,
}

/// What a validator needs to check a signature offline: every certificate of the signer's
/// and the TSA's chains and a current CRL of every CA in them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LtvMaterial {
    /// Certificates, DER.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs, DER.
    pub crls: Vec<Vec<u8>>,
}

/// Optional details of the signature dictionary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignatureInfo {
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/Name` (the signing agency).
    pub name: Option<String>,
}

const BYTE_RANGE_PLACEHOLDER: i64 = 9_999_999_999;

/// PDF date string in UTC: `D:20260301000000Z`.
fn pdf_date(t: SystemTime) -> Result<String, PadesError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| sign_err("signing time before 1970"))?
        .as_secs();
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(sign_err)?;
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds()
    ))
}

fn text(s: &str) -> Object {
    // PDF text strings outside ASCII are UTF-16BE with a byte-order mark.
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut b = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            b.extend(u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

fn load(pdf: &[u8]) -> Result<IncrementalDocument, PadesError> {
    let doc = Document::load_mem(pdf).map_err(pdf_err)?;
    if doc.is_encrypted() {
        return Err(PadesError::Pdf("encrypted PDFs are not signed".into()));
    }
    Ok(IncrementalDocument::create_from(pdf.to_vec(), doc))
}

fn root_id(inc: &IncrementalDocument) -> Result<ObjectId, PadesError> {
    inc.get_prev_documents()
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)
}

/// Append the signature dictionary, widget and AcroForm; return the updated file and the
/// placeholder size.
fn prepare(
    pdf: &[u8],
    contents_len: usize,
    signing_time: SystemTime,
    info: &SignatureInfo,
) -> Result<Vec<u8>, PadesError> {
    let mut inc = load(pdf)?;
    let root = root_id(&inc)?;
    let first_page = *inc
        .get_prev_documents()
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| pdf_err("the PDF has no pages"))?;
    // A document signed before (the first party of a contract) has a form with its signature
    // fields: the new field joins them, so every earlier signature stays as it was.
    let existing_form = existing_form(&inc)?;
    let field_name = format!("Signature{}", existing_form.fields.len() + 1);
    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
        ]),
    );
    sig.set(
        "Contents",
        Object::String(vec![0u8; contents_len], StringFormat::Hexadecimal),
    );
    sig.set(
        "M",
        Object::String(pdf_date(signing_time)?.into_bytes(), StringFormat::Literal),
    );
    if let Some(r) = &info.reason {
        sig.set("Reason", text(r));
    }
    if let Some(l) = &info.location {
        sig.set("Location", text(l));
    }
    if let Some(n) = &info.name {
        sig.set("Name", text(n));
    }
    let doc = &mut inc.new_document;
    let sig_id = doc.add_object(sig);
    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    widget.set("V", Object::Reference(sig_id));
    widget.set("T", text(&field_name));
    // Print + Locked: an invisible signature field that stays part of the printed document.
    widget.set("F", Object::Integer(132));
    widget.set("P", Object::Reference(first_page));
    let widget_id = inc.new_document.add_object(widget);

    inc.opt_clone_object_to_new_document(first_page)
        .map_err(pdf_err)?;
    let page_annots = {
        let page = inc
            .new_document
            .get_object(first_page)
            .and_then(Object::as_dict)
            .map_err(pdf_err)?;
        match page.get(b"Annots") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(r)) => inc
                .get_prev_documents()
                .get_object(*r)
                .and_then(Object::as_array)
                .cloned()
                .map_err(pdf_err)?,
            _ => Vec::new(),
        }
    };
    let mut annots = page_annots;
    annots.push(Object::Reference(widget_id));
    inc.new_document
        .get_object_mut(first_page)
        .and_then(Object::as_dict_mut)
        .map_err(pdf_err)?
        .set("Annots", Object::Array(annots));

    inc.opt_clone_object_to_new_document(root)
        .map_err(pdf_err)?;
    let mut form = existing_form.dict;
    let mut fields = existing_form.fields;
    fields.push(Object::Reference(widget_id));
    form.set("Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly.
    form.set("SigFlags", Object::Integer(3));
    inc.new_document
        .get_object_mut(root)
        .and_then(Object::as_dict_mut)
        .map_err(pdf_err)?
        .set("AcroForm", Object::Dictionary(form));

    let mut out = Vec::with_capacity(pdf.len() + 2 * contents_len + 4096);
    inc.save_to(&mut out).map_err(pdf_err)?;
    Ok(out)
}

/// The document's interactive form, if any: its dictionary and fields.
struct ExistingForm {
    dict: Dictionary,
    fields: Vec<Object>,
}

fn existing_form(inc: &IncrementalDocument) -> Result<ExistingForm, PadesError> {
    let prev = inc.get_prev_documents();
    let form = match prev.catalog().ok().and_then(|c| c.get(b"AcroForm").ok()) {
        None => None,
        Some(Object::Dictionary(d)) => Some(d.clone()),
        Some(Object::Reference(r)) => Some(
            prev.get_object(*r)
                .and_then(Object::as_dict)
                .map_err(pdf_err)?
                .clone(),
        ),
        Some(_) => return Err(pdf_err("/AcroForm is not a dictionary")),
    };
    let Some(dict) = form else {
        return Ok(ExistingForm {
            dict: Dictionary::new(),
            fields: Vec::new(),
        });
    };
    let fields = match dict.get(b"Fields") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => prev
            .get_object(*r)
            .and_then(Object::as_array)
            .map_err(pdf_err)?
            .clone(),
        _ => Vec::new(),
    };
    // Only signature fields are expected: a form with other fields is not one we rendered.
    for f in &fields {
        let is_sig = f
            .as_reference()
            .and_then(|r| prev.get_object(r))
            .and_then(Object::as_dict)
            .and_then(|d| d.get(b"FT"))
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Sig");
        if !is_sig {
            return Err(pdf_err("the PDF has form fields other than signatures"));
        }
    }
    Ok(ExistingForm { dict, fields })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Patch `/ByteRange` in place; return the range's two parts' bounds: (hex start, hex end).
fn patch_byte_range(
    file: &mut [u8],
    from: usize,
    contents_len: usize,
) -> Result<(usize, usize), PadesError> {
    let mut placeholder = vec![b'<'];
    placeholder.extend(std::iter::repeat_n(b'0', 2 * contents_len));
    placeholder.push(b'>');
    let start =
        find(file, &placeholder, from).ok_or_else(|| pdf_err("signature placeholder not found"))?;
    let end = start + placeholder.len();
    let key = find(file, b"/ByteRange", from)
        .ok_or_else(|| pdf_err("ByteRange placeholder not found"))?;
    let open = find(file, b"[", key).ok_or_else(|| pdf_err("ByteRange malformed"))?;
    let close = find(file, b"]", open).ok_or_else(|| pdf_err("ByteRange malformed"))?;
    let mut value = format!("[0 {start} {end} {}]", file.len() - end).into_bytes();
    let width = close + 1 - open;
    if value.len() > width {
        return Err(pdf_err("ByteRange does not fit its placeholder"));
    }
    value.resize(width, b' ');
    // Keep the closing bracket last: "[0 1 2 3]   " would move it; pad inside instead.
    if let Some(pos) = value.iter().position(|b| *b == b']') {
        value[pos] = b' ';
        if let Some(last) = value.last_mut() {
            *last = b']';
        }
    }
    file.get_mut(open..=close)
        .ok_or_else(|| pdf_err("ByteRange out of bounds"))?
        .copy_from_slice(&value);
    Ok((start, end))
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: dasan_crypto::oid::SHA256,
        parameters: None,
    }
}

/// The detached CMS signature over `digest`, time-stamped when `tsa` is given.
fn cms_signature(
    signer: &DocumentSigner<'_>,
    digest: &[u8],
    tsa: Option<&dyn TimeStampSource>,
) -> Result<Vec<u8>, PadesError> {
    let cert = Certificate::from_der(&signer.certificate)
        .map_err(|e| PadesError::Certificate(e.to_string()))?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| PadesError::Certificate(e.to_string()))?;
    if spki != signer.signer.spki_der() {
        return Err(PadesError::Certificate(
            "the certificate does not certify the signing key".into(),
        ));
    }
    let econtent = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    });
    let mut si =
        SignerInfoBuilder::new(sid, sha256_id(), &econtent, Some(digest)).map_err(sign_err)?;
    si.add_signed_attribute(signing_certificate_v2(&cert, &signer.certificate).map_err(sign_err)?)
        .map_err(sign_err)?;
    let mut sd = SignedDataBuilder::new(&econtent);
    sd.add_digest_algorithm(sha256_id()).map_err(sign_err)?;
    sd.add_certificate(CertificateChoices::Certificate(cert.clone()))
        .map_err(sign_err)?;
    for c in &signer.chain {
        let c = Certificate::from_der(c).map_err(|e| PadesError::Certificate(e.to_string()))?;
        sd.add_certificate(CertificateChoices::Certificate(c))
            .map_err(sign_err)?;
    }
    // The time-stamp covers the signature value, which exists only once signed: the
    // callback runs after signing and before the SignerInfo is stored.
    let mut ts_error: Option<PadesError> = None;
    sd.add_signer_info_cb::<_, StoreSignature, _>(si, &signer.signer, |info| {
        let Some(source) = tsa else { return Ok(()) };
        match time_stamp_attribute(source, info.signature.as_bytes()) {
            Ok(attr) => {
                let mut attrs = info.unsigned_attrs.clone().unwrap_or_default();
                attrs.insert(attr)?;
                info.unsigned_attrs = Some(attrs);
                Ok(())
            }
            Err(e) => {
                ts_error = Some(e);
                Err(der::Error::from(der::ErrorKind::Failed).into())
            }
        }
    })
    .map_err(|e| ts_error.take().unwrap_or_else(|| sign_err(e)))?;
    sd.build().map_err(sign_err)?.to_der().map_err(sign_err)
}

fn time_stamp_attribute(
    source: &dyn TimeStampSource,
    signature_value: &[u8],
) -> Result<x509_cert::attr::Attribute, PadesError> {
    let digest = Sha256::digest(signature_value);
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(sign_err)?;
    nonce[0] = (nonce[0] & 0x7f) | 0x01;
    let req = tsa::request(&digest, &nonce)?;
    let resp = source.time_stamp(&req)?;
    let (token, _) = tsa::accept_response(&resp, &digest, &nonce)?;
    let mut values = der::asn1::SetOfVec::new();
    values
        .insert(Any::from_der(&token).map_err(sign_err)?)
        .map_err(sign_err)?;
    Ok(x509_cert::attr::Attribute {
        oid: const_oid::db::rfc3161::ID_AA_TIME_STAMP_TOKEN,
        values,
    })
}

fn hex_upper(bytes: &[u8]) -> Vec<u8> {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    bytes
        .iter()
        .flat_map(|b| [H[usize::from(b >> 4)], H[usize::from(b & 15)]])
        .collect()
}

/// Sign `pdf` at `level` with the agency's document-signing key.
///
/// `signing_time` goes into the signature dictionary's `/M` (the claimed time); B-T and B-LT
/// add a trusted time from `tsa`. B-LT embeds `ltv` in a Document Security Store.
///
/// # Errors
/// [`PadesError`]; nothing panics on a malformed PDF.
pub fn sign_pades(
    pdf: &[u8],
    signer: &DocumentSigner<'_>,
    level: PadesLevel,
    signing_time: SystemTime,
    tsa: Option<&dyn TimeStampSource>,
    ltv: Option<&LtvMaterial>,
    info: &SignatureInfo,
) -> Result<Vec<u8>, PadesError> {
    let tsa = match level {
        PadesLevel::BB => None,
        PadesLevel::BT | PadesLevel::BLT => Some(tsa.ok_or(PadesError::NoTimeStampSource(level))?),
    };
    if level == PadesLevel::BLT && ltv.is_none() {
        return Err(PadesError::NoLtvMaterial);
    }
    // Room for the CMS: certificates, attributes and an RSA-4096 signature, plus the token.
    let mut room = 2048
        + signer.certificate.len()
        + signer.chain.iter().map(Vec::len).sum::<usize>()
        + tsa.map_or(0, |t| t.token_size_hint());
    let signed = loop {
        let mut file = prepare(pdf, room, signing_time, info)?;
        let (start, end) = patch_byte_range(&mut file, pdf.len(), room)?;
        let mut h = Sha256::new();
        h.update(&file[..start]);
        h.update(&file[end..]);
        let digest = h.finalize();
        let cms = cms_signature(signer, &digest, tsa)?;
        if cms.len() > room {
            // A time-stamp larger than its hint: start again with room for it.
            room = cms.len() + 256;
            continue;
        }
        let hex = hex_upper(&cms);
        file[start + 1..start + 1 + hex.len()].copy_from_slice(&hex);
        break file;
    };
    match (level, ltv) {
        (PadesLevel::BLT, Some(material)) => add_dss(&signed, material),
        _ => Ok(signed),
    }
}

/// Append a Document Security Store with `material` as an incremental update.
///
/// # Errors
/// [`PadesError::Pdf`].
pub fn add_dss(pdf: &[u8], material: &LtvMaterial) -> Result<Vec<u8>, PadesError> {
    let mut inc = load(pdf)?;
    let root = root_id(&inc)?;
    // A later signature's store keeps what an earlier one put there and adds the rest.
    let old = existing_dss(inc.get_prev_documents());
    let new_certs: Vec<Vec<u8>> = material
        .certificates
        .iter()
        .filter(|c| !old.certificates.contains(c))
        .cloned()
        .collect();
    let new_crls: Vec<Vec<u8>> = material
        .crls
        .iter()
        .filter(|c| !old.crls.contains(c))
        .cloned()
        .collect();
    let mut streams = |items: &[Vec<u8>]| {
        items
            .iter()
            .map(|der| {
                Object::Reference(
                    inc.new_document
                        .add_object(Stream::new(Dictionary::new(), der.clone())),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut certs = old.cert_refs;
    certs.extend(streams(&new_certs));
    let mut crls = old.crl_refs;
    crls.extend(streams(&new_crls));
    let mut dss = Dictionary::new();
    dss.set("Type", Object::Name(b"DSS".to_vec()));
    dss.set("Certs", Object::Array(certs));
    dss.set("CRLs", Object::Array(crls));
    let dss_id = inc.new_document.add_object(dss);
    inc.opt_clone_object_to_new_document(root)
        .map_err(pdf_err)?;
    inc.new_document
        .get_object_mut(root)
        .and_then(Object::as_dict_mut)
        .map_err(pdf_err)?
        .set("DSS", Object::Reference(dss_id));
    let mut out = Vec::with_capacity(pdf.len() + 8192);
    inc.save_to(&mut out).map_err(pdf_err)?;
    Ok(out)
}

/// The Document Security Store already in a file: references and contents.
#[derive(Default)]
struct OldDss {
    cert_refs: Vec<Object>,
    crl_refs: Vec<Object>,
    certificates: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
}

fn existing_dss(doc: &Document) -> OldDss {
    let mut out = OldDss::default();
    let Some(dss) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"DSS").ok())
        .and_then(|o| match o {
            Object::Reference(r) => doc.get_object(*r).and_then(Object::as_dict).ok(),
            Object::Dictionary(d) => Some(d),
            _ => None,
        })
    else {
        return out;
    };
    for (key, refs, ders) in [
        (&b"Certs"[..], &mut out.cert_refs, &mut out.certificates),
        (&b"CRLs"[..], &mut out.crl_refs, &mut out.crls),
    ] {
        let Ok(items) = dss.get(key).and_then(Object::as_array) else {
            continue;
        };
        for item in items {
            let content = item
                .as_reference()
                .and_then(|r| doc.get_object(r))
                .and_then(Object::as_stream)
                .map(|s| s.content.clone());
            if let Ok(c) = content {
                refs.push(item.clone());
                ders.push(c);
            }
        }
    }
    out
}

/// A signature found in a PDF (for checks and tests; validation proper belongs to a PAdES
/// validator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSignature {
    /// `/ByteRange`.
    pub byte_range: [usize; 4],
    /// The CMS `ContentInfo` (trailing zero padding removed).
    pub cms: Vec<u8>,
}

/// Find the first signature's byte range and CMS by parsing the file.
///
/// # Errors
/// [`PadesError::Pdf`] when there is none or it is malformed.
pub fn find_signature(pdf: &[u8]) -> Result<FoundSignature, PadesError> {
    find_signatures(pdf)?
        .into_iter()
        .next()
        .ok_or_else(|| pdf_err("no signature dictionary"))
}

/// Every signature's byte range and CMS, in the order they were made (the byte range of a
/// later signature covers more of the file).
///
/// # Errors
/// [`PadesError::Pdf`] when one is malformed.
pub fn find_signatures(pdf: &[u8]) -> Result<Vec<FoundSignature>, PadesError> {
    let doc = Document::load_mem(pdf).map_err(pdf_err)?;
    let mut out = Vec::new();
    for (_, obj) in doc.objects.iter() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Type").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let br = d
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map_err(pdf_err)?;
        let nums: Vec<usize> = br
            .iter()
            .filter_map(|o| o.as_i64().ok())
            .filter_map(|i| usize::try_from(i).ok())
            .collect();
        let [a, b, c, e] = nums[..] else {
            return Err(pdf_err("ByteRange is not four numbers"));
        };
        let contents = d
            .get(b"Contents")
            .and_then(Object::as_str)
            .map_err(pdf_err)?;
        // The DER length tells where the zero padding starts.
        let cms = contents
            .get(..der_len(contents).ok_or_else(|| pdf_err("/Contents is not DER"))?)
            .ok_or_else(|| pdf_err("/Contents is truncated"))?
            .to_vec();
        ContentInfo::from_der(&cms).map_err(pdf_err)?;
        out.push(FoundSignature {
            byte_range: [a, b, c, e],
            cms,
        });
    }
    out.sort_by_key(|f| f.byte_range[2].saturating_add(f.byte_range[3]));
    Ok(out)
}

/// Total length of the DER TLV at the start of `b`.
fn der_len(b: &[u8]) -> Option<usize> {
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let len = b
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
    Some(2 + n + len)
}

/// The `SignedData` of a found signature.
///
/// # Errors
/// [`PadesError::Pdf`].
pub fn signed_data(found: &FoundSignature) -> Result<SignedData, PadesError> {
    ContentInfo::from_der(&found.cms)
        .and_then(|ci| ci.content.decode_as::<SignedData>())
        .map_err(pdf_err)
}

/// What [`verify_integrity`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrityReport {
    /// The signer's certificate (DER), from the signature.
    pub signer_certificate: Vec<u8>,
    /// The signature time-stamp's time, when there is one (B-T and above).
    pub time_stamp: Option<SystemTime>,
    /// Bytes after the signed revision (later incremental updates such as the DSS).
    pub appended_bytes: usize,
}

/// Check the first signature's mathematics: the byte range covers the whole signed revision
/// except `/Contents`, its SHA-256 matches the message-digest attribute, the signature over
/// the signed attributes verifies with the certificate named by the signer identifier, and
/// any signature time-stamp verifies over the signature value. Trust in the certificates
/// (chain, revocation) is not judged here.
///
/// # Errors
/// [`PadesError::Pdf`] for a malformed file; [`PadesError::Signing`] describing the first
/// check that fails.
pub fn verify_integrity(pdf: &[u8]) -> Result<IntegrityReport, PadesError> {
    verify_found(pdf, &find_signature(pdf)?)
}

/// [`verify_integrity`] for every signature of the file, in signing order (a contract signed
/// by both parties has two). Fails if there is none or any one fails.
///
/// # Errors
/// As [`verify_integrity`].
pub fn verify_integrity_all(pdf: &[u8]) -> Result<Vec<IntegrityReport>, PadesError> {
    let found = find_signatures(pdf)?;
    if found.is_empty() {
        return Err(pdf_err("no signature dictionary"));
    }
    found.iter().map(|f| verify_found(pdf, f)).collect()
}

fn verify_found(pdf: &[u8], found: &FoundSignature) -> Result<IntegrityReport, PadesError> {
    let bad = |m: &str| PadesError::Signing(m.to_owned());
    let [a, b, c, d] = found.byte_range;
    let signed_end = c.checked_add(d).ok_or_else(|| bad("ByteRange overflows"))?;
    if a != 0 || b >= c || signed_end > pdf.len() {
        return Err(bad("ByteRange does not describe this file"));
    }
    if pdf.get(b) != Some(&b'<') || pdf.get(c - 1) != Some(&b'>') {
        return Err(bad("ByteRange gap is not exactly the /Contents string"));
    }
    let mut h = Sha256::new();
    h.update(&pdf[..b]);
    h.update(&pdf[c..signed_end]);
    let digest = h.finalize();
    let sd = signed_data(found)?;
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| bad("no signer"))?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("no signed attributes"))?;
    let attr = |oid| attrs.iter().find(|a| a.oid == oid);
    let md = attr(const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or_else(|| bad("no message-digest attribute"))?;
    if md.as_bytes() != digest.as_slice() {
        return Err(bad(
            "the document was changed after signing (digest mismatch)",
        ));
    }
    if attr(const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2).is_none() {
        return Err(bad("no signing-certificate-v2 attribute"));
    }
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(bad("signer identified by key id (unsupported)"));
    };
    let cert = sd
        .certificates
        .as_ref()
        .and_then(|set| {
            set.0.iter().find_map(|c| match c {
                CertificateChoices::Certificate(c)
                    if c.tbs_certificate().issuer() == &ias.issuer
                        && c.tbs_certificate().serial_number() == &ias.serial_number =>
                {
                    Some(c.clone())
                }
                _ => None,
            })
        })
        .ok_or_else(|| bad("the signer certificate is not in the signature"))?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(sign_err)?;
    dasan_crypto::verify::verify_with_identifier(
        &si.signature_algorithm,
        &spki,
        &attrs.to_der().map_err(sign_err)?,
        si.signature.as_bytes(),
    )
    .map_err(|e| PadesError::Signing(format!("signature does not verify: {e}")))?;
    let time_stamp = match si.unsigned_attrs.as_ref().and_then(|u| {
        u.iter()
            .find(|a| a.oid == const_oid::db::rfc3161::ID_AA_TIME_STAMP_TOKEN)
    }) {
        Some(a) => {
            let token = a
                .values
                .iter()
                .next()
                .ok_or_else(|| bad("empty time-stamp attribute"))?
                .to_der()
                .map_err(sign_err)?;
            let t = tsa::verify_token(&token, &Sha256::digest(si.signature.as_bytes()))?;
            Some(t.gen_time)
        }
        None => None,
    };
    Ok(IntegrityReport {
        signer_certificate: cert.to_der().map_err(sign_err)?,
        time_stamp,
        appended_bytes: pdf.len() - signed_end,
    })
}

impl LtvMaterial {
    /// The validation material for documents signed by `signing_agency`'s document-signing
    /// key and time-stamped by `tsa_agency`'s time-stamping key in a dasan-crypto PKI layout:
    /// the root, both issuing CAs and both end-entity certificates, and the current CRLs of
    /// the root and both issuing CAs.
    pub fn from_layout(
        layout: &dasan_crypto::pki::PkiLayout,
        signing_agency: &str,
        tsa_agency: &str,
    ) -> Option<LtvMaterial> {
        use dasan_crypto::pki::Purpose;
        let mut m = LtvMaterial {
            certificates: vec![layout.root.certificate.der.clone()],
            crls: vec![layout.root.crl.der.clone()],
        };
        for (code, purpose) in [
            (signing_agency, Purpose::DocumentSigning),
            (tsa_agency, Purpose::TimeStamping),
        ] {
            let a = layout.agency(code)?;
            let ee = a.end_entities.get(&purpose)?;
            for der in [&a.issuing_ca.certificate.der, &ee.certificate.der] {
                if !m.certificates.contains(der) {
                    m.certificates.push(der.clone());
                }
            }
            if !m.crls.contains(&a.issuing_ca.crl.der) {
                m.crls.push(a.issuing_ca.crl.der.clone());
            }
        }
        Some(m)
    }
}
