//! Opening: decrypt every stored bid with the rebuilt tender key, check each against the
//! bid-box record, and produce the opening record (bidders, prices per lot, rejected bids with
//! reasons, and bids the record lists that storage no longer has).

use serde::{Deserialize, Serialize};

use crate::bidbox::BidBoxRecord;
use crate::envelope::{BidId, SealedBid};
use crate::keys::{TenderPublicKey, TenderSecretKey};
use crate::payload::{BidPayload, DocumentRef, LotPrice, sha256};

/// Format tag of the JSON opening record.
pub const OPENING_FORMAT: &str = "dasan-procurement/opening-record/v1";

/// A bid as stored: the id it was stored under (the receipt's) and the envelope bytes.
#[derive(Clone, Debug)]
pub struct StoredBid {
    /// The id recorded at receipt.
    pub bid_id: BidId,
    /// The envelope bytes as stored now.
    pub envelope: Vec<u8>,
}

/// Why a bid was not opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// The stored bytes no longer hash to the id in the bid-box record: altered after the
    /// deadline.
    AlteredAfterDeadline,
    /// Neither the stored id nor the bytes' hash is in the bid-box record (not accepted by the
    /// deadline, or injected later).
    NotInBidBox,
    /// The same bid stored twice (the second is rejected).
    Duplicate,
    /// The envelope does not parse.
    MalformedEnvelope,
    /// The envelope names another tender.
    WrongTender,
    /// Sealed to another key than this tender's.
    WrongKey,
    /// The AEAD rejected the ciphertext or its header.
    DecryptionFailed,
    /// The plaintext is not a valid payload.
    MalformedPayload,
    /// The plaintext's tender, supplier or lots differ from the envelope header.
    PayloadMismatch,
}

impl RejectionReason {
    /// A stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            RejectionReason::AlteredAfterDeadline => "altered_after_deadline",
            RejectionReason::NotInBidBox => "not_in_bid_box",
            RejectionReason::Duplicate => "duplicate",
            RejectionReason::MalformedEnvelope => "malformed_envelope",
            RejectionReason::WrongTender => "wrong_tender",
            RejectionReason::WrongKey => "wrong_key",
            RejectionReason::DecryptionFailed => "decryption_failed",
            RejectionReason::MalformedPayload => "malformed_payload",
            RejectionReason::PayloadMismatch => "payload_mismatch",
        }
    }
}

/// An opened bid as published in the opening record (attachments by hash and size only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedBid {
    /// The bid id.
    pub bid_id: BidId,
    /// The supplier.
    pub supplier_id: String,
    /// Prices per lot, sorted by lot id.
    pub lots: Vec<LotPrice>,
    /// The reserve-price picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_price_picks: Option<[u8; 2]>,
    /// Documents by reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentRef>,
    /// Attachments carried in the bid, by hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<DocumentRef>,
}

/// A bid that was not opened, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedBid {
    /// The id it was stored under.
    pub bid_id: BidId,
    /// The hash of the bytes as stored (differs from `bid_id` when altered).
    pub stored_hash: BidId,
    /// The supplier named in the envelope, when it parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<String>,
    /// Why.
    pub reason: RejectionReason,
}

/// The opening record: publish it signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRecord {
    /// [`OPENING_FORMAT`].
    pub format: String,
    /// The tender.
    pub tender_id: String,
    /// The tender key the bids were sealed to.
    pub tender_public_key: TenderPublicKey,
    /// Size of the bid box.
    pub bid_box_size: u64,
    /// Root of the bid box.
    pub bid_box_root: dasan_tlog::Hash,
    /// Opened bids, by bid id.
    pub opened: Vec<OpenedBid>,
    /// Rejected bids, by stored id.
    pub rejected: Vec<RejectedBid>,
    /// Bids listed in the bid-box record that storage did not return (lost or deleted).
    pub missing: Vec<BidId>,
}

impl OpeningRecord {
    /// Canonical JSON bytes (fixed field order, lists sorted by bid id) for signing.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The result of an opening: the public record and the full plaintexts for evaluation
/// (attachments included), in the same order as `record.opened`.
#[derive(Clone, Debug)]
pub struct Opening {
    /// The public opening record.
    pub record: OpeningRecord,
    /// The decrypted payloads, by bid id.
    pub payloads: Vec<(BidId, BidPayload)>,
}

enum Outcome {
    Opened(BidId, BidPayload),
    Rejected(RejectedBid),
}

fn open_one(stored: &StoredBid, record: &BidBoxRecord, key: &TenderSecretKey) -> Outcome {
    let hash = BidId::of(&stored.envelope);
    let reject = |reason, supplier_id| {
        Outcome::Rejected(RejectedBid {
            bid_id: stored.bid_id,
            stored_hash: hash,
            supplier_id,
            reason,
        })
    };
    if !record.contains(&hash) || hash != stored.bid_id {
        let reason = if record.contains(&stored.bid_id) || record.contains(&hash) {
            RejectionReason::AlteredAfterDeadline
        } else {
            RejectionReason::NotInBidBox
        };
        let supplier = SealedBid::parse(&stored.envelope)
            .ok()
            .map(|s| s.header().supplier_id.clone());
        return reject(reason, supplier);
    }
    let sealed = match SealedBid::parse(&stored.envelope) {
        Ok(s) => s,
        Err(_) => return reject(RejectionReason::MalformedEnvelope, None),
    };
    let supplier = Some(sealed.header().supplier_id.clone());
    if sealed.header().tender_id != record.tender_id {
        return reject(RejectionReason::WrongTender, supplier);
    }
    match sealed.open(key) {
        Ok(payload) => Outcome::Opened(hash, payload),
        Err(reason) => reject(reason, supplier),
    }
}

/// Opens the stored bids of a tender.
///
/// Every bid is checked against `record` (a bid whose bytes changed after the deadline is
/// rejected as [`RejectionReason::AlteredAfterDeadline`]), decrypted with `key`, and its
/// plaintext checked against its envelope header. Work is spread over the available cores.
/// The result lists every stored bid exactly once (opened or rejected) and every recorded bid
/// storage did not return as missing.
pub fn open_bids(key: &TenderSecretKey, record: &BidBoxRecord, stored: &[StoredBid]) -> Opening {
    // Duplicates first (same stored id twice): the first is processed, later ones rejected.
    let mut order: Vec<usize> = (0..stored.len()).collect();
    order.sort_by_key(|&i| (stored[i].bid_id, i));
    let mut is_dup = vec![false; stored.len()];
    for w in order.windows(2) {
        if stored[w[0]].bid_id == stored[w[1]].bid_id {
            is_dup[w[1]] = true;
        }
    }

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let chunk = stored.len().div_ceil(threads).max(64);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = stored
            .chunks(chunk)
            .enumerate()
            .map(|(c, bids)| {
                let is_dup = &is_dup;
                scope.spawn(move || {
                    bids.iter()
                        .enumerate()
                        .map(|(j, b)| {
                            if is_dup[c * chunk + j] {
                                Outcome::Rejected(RejectedBid {
                                    bid_id: b.bid_id,
                                    stored_hash: BidId::of(&b.envelope),
                                    supplier_id: None,
                                    reason: RejectionReason::Duplicate,
                                })
                            } else {
                                open_one(b, record, key)
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A panic in a worker is a bug; re-raise it here.
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });

    let mut opened = Vec::new();
    let mut payloads = Vec::new();
    let mut rejected = Vec::new();
    for o in outcomes {
        match o {
            Outcome::Opened(id, p) => {
                let mut lots = p.lots.clone();
                lots.sort_by(|a, b| a.lot_id.cmp(&b.lot_id));
                opened.push(OpenedBid {
                    bid_id: id,
                    supplier_id: p.supplier_id.clone(),
                    lots,
                    reserve_price_picks: p.reserve_price_picks,
                    documents: p.documents.clone(),
                    attachments: p
                        .attachments
                        .iter()
                        .map(|a| DocumentRef {
                            name: a.name.clone(),
                            media_type: a.media_type.clone(),
                            sha256: sha256(&a.content),
                        })
                        .collect(),
                });
                payloads.push((id, p));
            }
            Outcome::Rejected(r) => rejected.push(r),
        }
    }
    opened.sort_by_key(|o| o.bid_id);
    payloads.sort_by_key(|(id, _)| *id);
    rejected.sort_by_key(|r| (r.bid_id, r.stored_hash));

    let mut present: Vec<BidId> = stored.iter().map(|s| s.bid_id).collect();
    present.sort_unstable();
    let missing = record
        .bid_ids
        .iter()
        .filter(|id| present.binary_search(id).is_err())
        .copied()
        .collect();

    Opening {
        record: OpeningRecord {
            format: OPENING_FORMAT.to_owned(),
            tender_id: record.tender_id.clone(),
            tender_public_key: key.public_key(),
            bid_box_size: record.tree_size,
            bid_box_root: record.root,
            opened,
            rejected,
            missing,
        },
        payloads,
    }
}
