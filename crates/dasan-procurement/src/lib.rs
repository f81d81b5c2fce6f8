//! Dasan's e-procurement (KONEPS): suppliers, tenders and sealed bids that nobody — not even the
//! operator — can open before the committee does.
//!
//! Two layers:
//!
//! * **Pure modules** — [`ceremony`], [`payload`], [`envelope`], [`bidbox`], [`opening`],
//!   [`reserve`], [`seed`], [`notice`], [`evaluation`], [`cli`]: no database, no HTTP, no async, no clock (times
//!   are parameters). They hold every cryptographic and business rule.
//! * **Store-backed modules** — [`service`] ([`Procurement`], the platform signing key, the
//!   per-hour deadline cap), [`suppliers`], [`tenders`], [`bids`], [`openings`], [`outage`],
//!   [`awards`] (evaluation panel and blind sheets, signed reports, award, standstill,
//!   complaints):
//!   they keep the pure modules' (public) outputs in the platform database through
//!   `dasan_store`, one audited transaction per change, deciding every deadline with the
//!   database's injected clock. No web code: pages and the API call these.
//!
//! The pure modules:
//!
//! * [`ceremony`]: at publication, a fresh HPKE key pair per tender (RFC 9180:
//!   `DHKEM(X25519, HKDF-SHA256)`, `HKDF-SHA256`, `ChaCha20-Poly1305`); the private key is split
//!   t-of-n with Shamir's scheme (`vsss-rs`, GF(256)), each share sealed to a committee member's
//!   own HPKE key, and the key and plaintext shares are zeroized. Output: [`KeyCeremony`].
//! * [`payload`], [`envelope`]: a bid's plaintext ([`BidPayload`]: prices per lot in minor
//!   units, reserve-price picks, documents) in a canonical binary encoding, sealed into a
//!   versioned envelope whose header (tender, supplier, lots, key) is the AEAD's associated
//!   data. The bid id is `SHA-256(envelope)`. Suppliers sign the bid id ([`SignedBid`]), so the
//!   server knows who sealed a bid without seeing inside.
//! * [`bidbox`]: the bid-box record at the deadline — sorted bid ids and their RFC 9162 Merkle
//!   root (via `dasan-tlog`) — with inclusion proofs for receipt holders.
//! * [`opening`]: members decrypt their shares ([`decrypt_share`]); with `t` of them the tender
//!   key is rebuilt in memory ([`reconstruct_tender_key`]), every bid decrypted and checked
//!   against the bid-box record, and the [`OpeningRecord`] produced.
//! * [`reserve`]: the multiple reserve price draw (복수예비가격), recomputable by anyone;
//!   [`seed`]: its seed sealed to the tender key until opening.
//! * [`notice`]: tender notices as data and their rules (validation, deadlines on the hour,
//!   the amendment extension rule, classification codes).
//! * [`evaluation`]: the tender's evaluation rules as data (lowest price with an
//!   abnormally-low rule, best value / MEAT, the Korean adequacy review 적격심사; tie-break by
//!   earliest submission or a recomputable lottery), [`evaluate`] in exact rational arithmetic,
//!   and the [`EvaluationReport`] anyone can recompute.
//! * [`seal_bid_file`]: the library side of the supplier's `dasan bid seal` command.
//!
//! ```
//! use dasan_procurement::*;
//! // Publication: three committee members, any two can open.
//! let members: Vec<_> = (0..3).map(|_| MemberSecretKey::generate()).collect();
//! let publics: Vec<_> = members.iter().map(|(_, pk)| *pk).collect();
//! let ceremony = run_key_ceremony("T-2026-1", 2, &publics).unwrap();
//!
//! // A supplier seals a bid; the platform stores the envelope under its id.
//! let payload = BidPayload {
//!     tender_id: "T-2026-1".into(),
//!     supplier_id: "123-45-67890".into(),
//!     lots: vec![LotPrice { lot_id: "1".into(), currency: "KRW".into(), amount_minor: 98_700_000 }],
//!     reserve_price_picks: Some([2, 9]),
//!     documents: vec![],
//!     attachments: vec![],
//! };
//! let sealed = seal_bid(&ceremony.public_key, &payload).unwrap();
//!
//! // Deadline: the bid-box record.
//! let record = BidBoxRecord::new("T-2026-1", [sealed.id()]).unwrap();
//! let proof = record.inclusion_proof(&sealed.id()).unwrap();
//! verify_inclusion(&sealed.id(), &proof, &record.tree_head()).unwrap();
//!
//! // Opening: members 1 and 3 release their shares.
//! let shares = vec![
//!     decrypt_share(&ceremony, 1, &members[0].0).unwrap(),
//!     decrypt_share(&ceremony, 3, &members[2].0).unwrap(),
//! ];
//! let key = reconstruct_tender_key(&ceremony, &shares).unwrap();
//! let stored = vec![StoredBid { bid_id: sealed.id(), envelope: sealed.as_bytes().to_vec() }];
//! let opening = open_bids(&key, &record, &stored);
//! assert_eq!(opening.record.opened[0].lots[0].amount_minor, 98_700_000);
//! ```

pub mod awards;
pub mod bidbox;
pub mod bids;
pub mod ceremony;
pub mod cli;
pub mod contracts;
pub mod documents;
pub mod envelope;
mod error;
pub mod evaluation;
pub mod keys;
pub mod notice;
pub mod ocds;
pub mod opening;
pub mod openings;
pub mod outage;
pub mod payload;
pub mod receipt;
pub mod redflags;
pub mod reserve;
pub mod seed;
pub mod service;
pub mod suppliers;
pub mod tenders;
pub mod transparency;
mod wire;

#[cfg(test)]
mod proptests;

pub use bidbox::{BID_BOX_FORMAT, BidBoxError, BidBoxRecord, bid_leaf_hash, verify_inclusion};
pub use ceremony::{
    CeremonyError, EncryptedShare, KeyCeremony, KeyShare, MAX_MEMBERS, MIN_THRESHOLD,
    ReconstructError, ShareError, decrypt_share, reconstruct_tender_key, run_key_ceremony,
    run_key_ceremony_with_rng,
};
pub use cli::{
    CommitteeFileError, committee_key_file, load_signing_key, member_share, read_committee_key,
    seal_bid_file,
};
pub use envelope::{
    BidId, BidSigner, EnvelopeError, EnvelopeHeader, MAX_ENVELOPE_LEN, SealError, SealedBid,
    SignedBid, seal_bid, seal_bid_with_rng,
};
pub use evaluation::{
    EVALUATION_FORMAT, EvaluationError, EvaluationInput, EvaluationReport, EvaluationResult,
    LotOutcome, ReportError, evaluate,
};
pub use keys::{KeyError, MemberPublicKey, MemberSecretKey, TenderPublicKey, TenderSecretKey};
pub use opening::{
    OPENING_FORMAT, OpenedBid, Opening, OpeningRecord, RejectedBid, RejectionReason, StoredBid,
    open_bids,
};
pub use payload::{Attachment, BidPayload, DocumentRef, LotPrice, PayloadError};
pub use receipt::{BidReceipt, RECEIPT_FORMAT};
pub use reserve::{
    ReserveDraw, ReserveDrawInput, ReserveError, commit_seed, generate_seed, picks_from_opening,
    preliminary_prices, reserve_price_draw,
};
pub use wire::DecodeError;

pub use awards::{
    Award, AwardStatus, AwardedLot, Complaint, ComplaintDecision, ComplaintId, EvaluationSeat,
    EvaluatorStatus, ScoreView, SheetEntry, SignedEvaluation,
};
pub use bids::{SignedBidBox, SignedReceipt};
pub use contracts::{
    AmendmentRequest, Contract, ContractDocuments, ContractId, ContractLanguage, ContractRequest,
    ContractStatus, ContractTerms, MilestoneInput, PaymentId,
};
pub use error::ProcurementError;
pub use notice::{Method, TenderNotice, Timeline};
pub use ocds::{OCDS_MAX_PAGE, OcdsCursor, OcdsExport};
pub use openings::{OpeningReadiness, PublishedDraw, SignedOpening};
pub use outage::{OutageExtension, record_heartbeat};
pub use service::{PlatformSignature, Procurement, ProcurementConfig, SIGNING_KEY_LABEL};
pub use suppliers::{
    BankAccount, Bidder, Debarment, DebarmentId, Licence, Supplier, SupplierDetails,
};
pub use tenders::{
    Clarification, ClarificationId, CommitteeCandidate, CommitteeSeat, NoticeVersion,
    PublishRequest, Tender, TenderId, TenderStatus, TenderSummary,
};

pub use ed25519_dalek;
pub use p256;
