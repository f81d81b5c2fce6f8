//! Transparency-log core of Dasan's tamper-evident audit log.
//!
//! * [`hash`]: RFC 9162 (Certificate Transparency v2) hashing — leaf `SHA-256(0x00 || entry)`,
//!   node `SHA-256(0x01 || left || right)`.
//! * [`tree`]: storage-agnostic tree maintenance in the stored-hash layout of Go's
//!   `golang.org/x/mod/sumdb/tlog` (one flat, append-only list of hashes), batch appends, root
//!   hashes, inclusion and consistency proofs — each as a sans-I/O pair (`*_indexes` /
//!   `*_from_hashes`) and over the [`HashReader`] trait.
//! * [`proof`]: proof structures (serde) and RFC 9162 verification.
//! * [`verify`]: a streaming verifier that recomputes a whole log and reports where it first
//!   differs from its stored hashes and checkpoints.
//! * [`note`], [`checkpoint`], [`tlog_proof`]: C2SP `signed-note` (Ed25519), `tlog-checkpoint`
//!   and `tlog-proof` text formats.
//!
//! The crate does no I/O: callers fetch stored hashes and records themselves.
//!
//! ```
//! use dasan_tlog::*;
//! let signer = Ed25519NoteSigner::new(
//!     "gov.example/audit",
//!     ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
//! )
//! .unwrap();
//! let mut store = MemoryHashStore::new();
//! let leaves: Vec<Hash> = ["a", "b", "c"].iter().map(|e| leaf_hash(e.as_bytes())).collect();
//! let appended = store.append(&leaves).unwrap();
//! let note = Checkpoint::new("gov.example/audit", appended.new_size, appended.root)
//!     .sign(&signer)
//!     .unwrap();
//!
//! let verifiers = VerifierSet::single(signer.verifier());
//! let (cp, _) = Checkpoint::open(&note, &verifiers, "gov.example/audit").unwrap();
//! let proof = prove_record(cp.size, 1, &store).unwrap();
//! proof.verify(&leaf_hash(b"b"), &cp.root).unwrap();
//! ```

pub mod checkpoint;
pub mod hash;
pub mod note;
pub mod proof;
pub mod tlog_proof;
pub mod tree;
pub mod verify;

pub use checkpoint::{AuditError, Checkpoint, CheckpointError};
pub use ed25519_dalek;
pub use hash::{HASH_SIZE, Hash, HashParseError, empty_root, leaf_hash, node_hash};
pub use note::{
    Ed25519NoteSigner, KeyError, NoteError, NoteSignature, NoteSigner, NoteVerifier, OpenedNote,
    SignError, VerifierSet, add_signature, open_note, parse_note, sign_note,
};
pub use proof::{ConsistencyProof, InclusionProof, ProofError, TreeHead, check_record, check_tree};
pub use tlog_proof::{TlogProof, TlogProofError};
pub use tree::{
    Appended, Frontier, HashReader, HashReaderFn, MAX_TREE_SIZE, MemoryHashStore, MissingHash,
    ReadError, TreeError, append_batch, append_leaves, leaf_stored_index, prove_record, prove_tree,
    record_proof_from_hashes, record_proof_indexes, split_stored_hash_index, stored_hash_count,
    stored_hash_index, stored_hashes_for_record_hash, stored_range_for_records, tree_hash,
    tree_hash_from_hashes, tree_hash_indexes, tree_proof_from_hashes, tree_proof_indexes,
    tree_size_for_stored_count,
};
pub use verify::{Finding, LogVerifier, MAX_FINDINGS, Report, verify_log};
