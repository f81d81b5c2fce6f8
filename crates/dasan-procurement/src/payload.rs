//! A bid's plaintext: prices per lot in integer minor units, the reserve-price picks, document
//! hashes and attachments — and its canonical binary encoding (the bytes that get sealed).
//!
//! ```text
//! "DSBP" 0x01
//! str tender_id | str supplier_id
//! u16 lot_count   { str lot_id | str currency | u64 amount_minor }   lots sorted by lot_id, unique
//! u8  pick_count  { u8 pick }                                        0 or 2 picks, ascending, 1..=15
//! u16 doc_count   { str name | str media_type | [32] sha256 }
//! u16 att_count   { str name | str media_type | bytes32 content }
//! ```
//!
//! Integers are big-endian, `str` is a `u16` length and UTF-8, `bytes32` a `u32` length and
//! the bytes. [`BidPayload::from_bytes`] rejects anything non-canonical (unsorted lots,
//! trailing bytes), so equal payloads always have equal encodings.

use serde::{Deserialize, Serialize};

use crate::ceremony::check_id;
use crate::keys::hex32;
use crate::reserve::PRELIMINARY_PRICES;
use crate::wire::{DecodeError, Reader, Writer};

const MAGIC: &[u8; 4] = b"DSBP";
const VERSION: u8 = 1;
/// Most lots in one bid.
pub const MAX_LOTS: usize = 1000;
/// Most documents and most attachments in one bid (each).
pub const MAX_DOCUMENTS: usize = 1000;
/// Largest total size of a bid's attachments (32 MiB); larger files go to object storage and
/// are referenced here by hash in `documents`.
pub const MAX_ATTACHMENT_BYTES: usize = 32 << 20;

/// A bid's plaintext. Its JSON form is what `dasan bid seal` reads (see [`crate::seal_bid_file`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidPayload {
    /// The tender bid on.
    pub tender_id: String,
    /// The supplier (business registration number or registry id).
    pub supplier_id: String,
    /// Prices per lot; at least one.
    pub lots: Vec<LotPrice>,
    /// The two preliminary-price numbers (1..=15) the bidder picks for the reserve price draw,
    /// if the tender uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_price_picks: Option<[u8; 2]>,
    /// Documents submitted by reference (their SHA-256).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentRef>,
    /// Documents submitted inside the sealed bid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A price for one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotPrice {
    /// The lot's id in the tender.
    pub lot_id: String,
    /// ISO 4217 code (three capital letters).
    pub currency: String,
    /// The amount in minor units (KRW has none: won).
    pub amount_minor: u64,
}

/// A document referenced by hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// File name.
    pub name: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// SHA-256 of the file, hex in JSON.
    #[serde(with = "hex32")]
    pub sha256: [u8; 32],
}

/// A document carried inside the sealed bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// The file, standard base64 in JSON.
    #[serde(rename = "content_base64", with = "b64")]
    pub content: Vec<u8>,
}

mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| D::Error::custom(format!("invalid base64: {e}")))
    }
}

/// Why a payload is not a valid bid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// A bad id, name or media type.
    #[error("{field}: {reason}")]
    InvalidField {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// No lots.
    #[error("a bid prices at least one lot")]
    NoLots,
    /// Too many lots, documents or attachments.
    #[error("too many {0}")]
    TooMany(&'static str),
    /// The same lot twice.
    #[error("lot {0:?} is priced twice")]
    DuplicateLot(String),
    /// Not an ISO 4217-shaped code.
    #[error("currency {0:?} is not three capital letters")]
    Currency(String),
    /// Picks must be two different numbers from 1 to 15.
    #[error("reserve price picks must be two different numbers from 1 to 15")]
    Picks,
    /// Attachments over [`MAX_ATTACHMENT_BYTES`].
    #[error("attachments total more than {MAX_ATTACHMENT_BYTES} bytes")]
    AttachmentsTooLarge,
    /// The binary encoding is malformed or not canonical.
    #[error("malformed bid payload: {0}")]
    Decode(#[from] DecodeError),
    /// The JSON form could not be read.
    #[error("invalid bid JSON: {0}")]
    Json(String),
}

fn field(field: &'static str, value: &str) -> Result<(), PayloadError> {
    check_id(value).map_err(|reason| PayloadError::InvalidField { field, reason })
}

impl BidPayload {
    /// Reads the JSON form.
    pub fn from_json(json: &str) -> Result<BidPayload, PayloadError> {
        let p: BidPayload =
            serde_json::from_str(json).map_err(|e| PayloadError::Json(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// The lot ids, sorted and unique (as they appear in the envelope).
    pub fn lot_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.lots.iter().map(|l| l.lot_id.clone()).collect();
        ids.sort();
        ids
    }

    /// Checks every rule of the format.
    pub fn validate(&self) -> Result<(), PayloadError> {
        field("tender_id", &self.tender_id)?;
        field("supplier_id", &self.supplier_id)?;
        if self.lots.is_empty() {
            return Err(PayloadError::NoLots);
        }
        if self.lots.len() > MAX_LOTS {
            return Err(PayloadError::TooMany("lots"));
        }
        let mut ids: Vec<&str> = Vec::with_capacity(self.lots.len());
        for lot in &self.lots {
            field("lot_id", &lot.lot_id)?;
            let c = lot.currency.as_bytes();
            if c.len() != 3 || !c.iter().all(u8::is_ascii_uppercase) {
                return Err(PayloadError::Currency(lot.currency.clone()));
            }
            ids.push(&lot.lot_id);
        }
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(PayloadError::DuplicateLot(w[0].to_owned()));
        }
        if let Some([a, b]) = self.reserve_price_picks {
            let ok = |p: u8| (1..=PRELIMINARY_PRICES as u8).contains(&p);
            if a == b || !ok(a) || !ok(b) {
                return Err(PayloadError::Picks);
            }
        }
        if self.documents.len() > MAX_DOCUMENTS {
            return Err(PayloadError::TooMany("documents"));
        }
        if self.attachments.len() > MAX_DOCUMENTS {
            return Err(PayloadError::TooMany("attachments"));
        }
        for d in &self.documents {
            field("document name", &d.name)?;
            field("document media_type", &d.media_type)?;
        }
        let mut total = 0usize;
        for a in &self.attachments {
            field("attachment name", &a.name)?;
            field("attachment media_type", &a.media_type)?;
            total = total.saturating_add(a.content.len());
        }
        if total > MAX_ATTACHMENT_BYTES {
            return Err(PayloadError::AttachmentsTooLarge);
        }
        Ok(())
    }

    /// The canonical encoding (lots sorted by id, picks ascending).
    pub fn to_bytes(&self) -> Result<Vec<u8>, PayloadError> {
        self.validate()?;
        let size: usize = 64
            + self
                .attachments
                .iter()
                .map(|a| a.content.len() + 64)
                .sum::<usize>()
            + self.documents.len() * 96
            + self.lots.len() * 48;
        let mut w = Writer::with_capacity(size);
        let too_long = |e: crate::wire::TooLong| PayloadError::InvalidField {
            field: e.field,
            reason: "too long",
        };
        w.raw(MAGIC);
        w.u8(VERSION);
        w.str("tender_id", &self.tender_id).map_err(too_long)?;
        w.str("supplier_id", &self.supplier_id).map_err(too_long)?;
        let mut lots: Vec<&LotPrice> = self.lots.iter().collect();
        lots.sort_by(|a, b| a.lot_id.cmp(&b.lot_id));
        w.count16("lots", lots.len()).map_err(too_long)?;
        for lot in lots {
            w.str("lot_id", &lot.lot_id).map_err(too_long)?;
            w.str("currency", &lot.currency).map_err(too_long)?;
            w.u64(lot.amount_minor);
        }
        match self.reserve_price_picks {
            None => w.u8(0),
            Some([a, b]) => {
                w.u8(2);
                w.u8(a.min(b));
                w.u8(a.max(b));
            }
        }
        w.count16("documents", self.documents.len())
            .map_err(too_long)?;
        for d in &self.documents {
            w.str("name", &d.name).map_err(too_long)?;
            w.str("media_type", &d.media_type).map_err(too_long)?;
            w.raw(&d.sha256);
        }
        w.count16("attachments", self.attachments.len())
            .map_err(too_long)?;
        for a in &self.attachments {
            w.str("name", &a.name).map_err(too_long)?;
            w.str("media_type", &a.media_type).map_err(too_long)?;
            w.bytes32("content", &a.content).map_err(too_long)?;
        }
        Ok(w.into_bytes())
    }

    /// Decodes and validates the canonical encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<BidPayload, PayloadError> {
        let mut r = Reader::new(bytes);
        if &r.array::<4>("magic")? != MAGIC {
            return Err(Reader::err_at(0, "not a bid payload (magic is not DSBP)").into());
        }
        let v = r.u8("version")?;
        if v != VERSION {
            return Err(Reader::err_at(4, format!("unsupported payload version {v}")).into());
        }
        let tender_id = r.str("tender_id")?.to_owned();
        let supplier_id = r.str("supplier_id")?.to_owned();
        let n = r.u16("lot count")?;
        let mut lots: Vec<LotPrice> = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let at = r.pos();
            let lot_id = r.str("lot_id")?.to_owned();
            if let Some(prev) = lots.last()
                && prev.lot_id >= lot_id
            {
                return Err(Reader::err_at(at, "lots are not sorted by id, or repeat").into());
            }
            let currency = r.str("currency")?.to_owned();
            let amount_minor = r.u64("amount")?;
            lots.push(LotPrice {
                lot_id,
                currency,
                amount_minor,
            });
        }
        let at = r.pos();
        let picks = match r.u8("pick count")? {
            0 => None,
            2 => {
                let a = r.u8("pick")?;
                let b = r.u8("pick")?;
                if a >= b {
                    return Err(Reader::err_at(at + 1, "picks are not ascending").into());
                }
                Some([a, b])
            }
            k => return Err(Reader::err_at(at, format!("{k} picks (0 or 2 allowed)")).into()),
        };
        let n = r.u16("document count")?;
        let mut documents = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            documents.push(DocumentRef {
                name: r.str("document name")?.to_owned(),
                media_type: r.str("document media type")?.to_owned(),
                sha256: r.array("document sha256")?,
            });
        }
        let n = r.u16("attachment count")?;
        let mut attachments = Vec::with_capacity(usize::from(n).min(64));
        for _ in 0..n {
            attachments.push(Attachment {
                name: r.str("attachment name")?.to_owned(),
                media_type: r.str("attachment media type")?.to_owned(),
                content: r
                    .bytes32("attachment content", MAX_ATTACHMENT_BYTES)?
                    .to_vec(),
            });
        }
        r.finish()?;
        let p = BidPayload {
            tender_id,
            supplier_id,
            lots,
            reserve_price_picks: picks,
            documents,
            attachments,
        };
        p.validate()?;
        Ok(p)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// SHA-256 of an attachment's content (for the opening record, which lists attachments by hash).
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
