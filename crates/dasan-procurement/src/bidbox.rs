//! The bid-box record published at the deadline: the sorted list of accepted bid ids and their
//! RFC 9162 Merkle root (hashing and proofs from `dasan-tlog`), with inclusion proofs for
//! receipt holders.
//!
//! Leaves are the bid ids in ascending byte order (so the order reveals nothing about who bid
//! when); leaf `i` hashes as `SHA-256(0x00 || bid_id_i)` (RFC 9162 §2.1.1 with the 32-byte bid
//! id as the entry). A record can be signed as a C2SP checkpoint ([`BidBoxRecord::checkpoint`])
//! with the platform's note key, so the same tools that check the audit log check it.

use dasan_tlog::{Checkpoint, Hash, InclusionProof, MemoryHashStore, ProofError, TreeHead};
use serde::{Deserialize, Serialize};

use crate::envelope::BidId;

/// Format tag of the JSON record.
pub const BID_BOX_FORMAT: &str = "dasan-procurement/bid-box/v1";

/// Why a bid-box record is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BidBoxError {
    /// The same bid twice.
    #[error("bid {0} is listed twice")]
    Duplicate(BidId),
    /// Bid ids not in ascending order.
    #[error("bid ids are not in ascending order at position {0}")]
    Unsorted(usize),
    /// The size or root does not match the list.
    #[error("the record's tree size or root does not match its bid list")]
    RootMismatch,
    /// Another format.
    #[error("unknown bid-box format {0:?}")]
    Format(String),
    /// Tree arithmetic failed (more than 2^62 bids).
    #[error("tree error: {0}")]
    Tree(String),
}

/// The bid-box record of one tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidBoxRecord {
    /// [`BID_BOX_FORMAT`].
    pub format: String,
    /// The tender.
    pub tender_id: String,
    /// Accepted bids at the deadline, ascending.
    pub bid_ids: Vec<BidId>,
    /// Number of bids (the tree size).
    pub tree_size: u64,
    /// RFC 9162 root of the bid ids (base64 in JSON, as in checkpoints).
    pub root: Hash,
}

/// The RFC 9162 leaf hash of a bid id.
pub fn bid_leaf_hash(id: &BidId) -> Hash {
    dasan_tlog::leaf_hash(&id.0)
}

fn build(ids: &[BidId]) -> Result<(MemoryHashStore, Hash), BidBoxError> {
    let leaves: Vec<Hash> = ids.iter().map(bid_leaf_hash).collect();
    let mut store = MemoryHashStore::new();
    let root = if leaves.is_empty() {
        dasan_tlog::empty_root()
    } else {
        store
            .append(&leaves)
            .map_err(|e| BidBoxError::Tree(e.to_string()))?
            .root
    };
    Ok((store, root))
}

impl BidBoxRecord {
    /// The record for the bids accepted at the deadline (any order; duplicates are an error).
    ///
    /// # Errors
    /// [`BidBoxError::Duplicate`].
    pub fn new(
        tender_id: &str,
        bids: impl IntoIterator<Item = BidId>,
    ) -> Result<BidBoxRecord, BidBoxError> {
        let mut bid_ids: Vec<BidId> = bids.into_iter().collect();
        bid_ids.sort_unstable();
        if let Some(w) = bid_ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(BidBoxError::Duplicate(w[0]));
        }
        let (_, root) = build(&bid_ids)?;
        Ok(BidBoxRecord {
            format: BID_BOX_FORMAT.to_owned(),
            tender_id: tender_id.to_owned(),
            tree_size: bid_ids.len() as u64,
            bid_ids,
            root,
        })
    }

    /// Re-checks a record received from elsewhere: format, order, uniqueness, size and root.
    ///
    /// # Errors
    /// [`BidBoxError`] naming the first problem.
    pub fn verify(&self) -> Result<(), BidBoxError> {
        if self.format != BID_BOX_FORMAT {
            return Err(BidBoxError::Format(self.format.clone()));
        }
        for (i, w) in self.bid_ids.windows(2).enumerate() {
            if w[0] == w[1] {
                return Err(BidBoxError::Duplicate(w[0]));
            }
            if w[0] > w[1] {
                return Err(BidBoxError::Unsorted(i + 1));
            }
        }
        let (_, root) = build(&self.bid_ids)?;
        if root != self.root || self.tree_size != self.bid_ids.len() as u64 {
            return Err(BidBoxError::RootMismatch);
        }
        Ok(())
    }

    /// The tree size and root.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.tree_size,
            root: self.root,
        }
    }

    /// Whether the record lists `id`.
    pub fn contains(&self, id: &BidId) -> bool {
        self.bid_ids.binary_search(id).is_ok()
    }

    /// An inclusion proof for `id`, or `None` if the record does not list it.
    pub fn inclusion_proof(&self, id: &BidId) -> Option<InclusionProof> {
        let index = self.bid_ids.binary_search(id).ok()? as u64;
        let (store, _) = build(&self.bid_ids).ok()?;
        dasan_tlog::prove_record(self.tree_size, index, &store).ok()
    }

    /// Inclusion proofs for every bid, in record order (for publishing them all at once; one
    /// tree build instead of one per bid).
    pub fn all_inclusion_proofs(&self) -> Result<Vec<InclusionProof>, BidBoxError> {
        let (store, _) = build(&self.bid_ids)?;
        (0..self.tree_size)
            .map(|i| {
                dasan_tlog::prove_record(self.tree_size, i, &store)
                    .map_err(|e| BidBoxError::Tree(e.to_string()))
            })
            .collect()
    }

    /// A C2SP checkpoint of the record (`origin` e.g. `dasan.example/tender/T-1/bid-box`), to be
    /// signed with a `dasan_tlog::NoteSigner`.
    pub fn checkpoint(&self, origin: &str) -> Checkpoint {
        Checkpoint::new(origin, self.tree_size, self.root)
    }
}

/// For a receipt holder: checks that `id` is in the bid box with head `head`.
///
/// # Errors
/// [`ProofError`] if the proof does not lead to the root.
pub fn verify_inclusion(
    id: &BidId,
    proof: &InclusionProof,
    head: &TreeHead,
) -> Result<(), ProofError> {
    if proof.tree_size != head.size {
        return Err(ProofError::InvalidParameters(
            "proof is for another tree size",
        ));
    }
    proof.verify(&bid_leaf_hash(id), &head.root)
}
