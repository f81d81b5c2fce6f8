//! The bidder's receipt: which bid (by id), for which tender, received when. The platform signs
//! [`BidReceipt::to_json_bytes`] (with a key-store key) and time-stamps it; the bidder later
//! checks the bid id against the bid-box record with an inclusion proof.

use serde::{Deserialize, Serialize};

use crate::envelope::BidId;

/// Format tag of a receipt.
pub const RECEIPT_FORMAT: &str = "dasan-procurement/receipt/v1";

/// A receipt for a sealed bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidReceipt {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// The tender.
    pub tender_id: String,
    /// The supplier named in the envelope.
    pub supplier_id: String,
    /// SHA-256 of the envelope.
    pub bid_id: BidId,
    /// When the platform accepted it, microseconds since the Unix epoch (UTC), from the caller's
    /// clock.
    pub received_at_us: i64,
}

impl BidReceipt {
    /// A receipt for `bid`, received at `received_at_us`.
    pub fn new(bid: &crate::SealedBid, received_at_us: i64) -> BidReceipt {
        BidReceipt {
            format: RECEIPT_FORMAT.to_owned(),
            tender_id: bid.header().tender_id.clone(),
            supplier_id: bid.header().supplier_id.clone(),
            bid_id: bid.id(),
            received_at_us,
        }
    }

    /// The bytes to sign (compact JSON, fields in declaration order).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}
