//! Inclusion and consistency proofs: serde-friendly structures and RFC 9162 verification.
//!
//! Verification follows the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 directly (not the
//! recursive construction used to build proofs), so the two sides check each other in tests.

use crate::hash::{Hash, empty_root, node_hash};
use crate::tree::MAX_TREE_SIZE;
use serde::{Deserialize, Serialize};

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The sizes or index are impossible (index ≥ size, old size > new size, size too large).
    #[error("invalid proof parameters: {0}")]
    InvalidParameters(&'static str),
    /// The proof has the wrong number of hashes for these sizes.
    #[error("proof has {got} hashes, expected {expected}")]
    WrongLength {
        /// Number of hashes a valid proof has.
        expected: usize,
        /// Number supplied.
        got: usize,
    },
    /// The proof leads to a different root than the one claimed.
    #[error("proof does not lead to the claimed root")]
    RootMismatch,
    /// The consistency proof does not reproduce the old root.
    #[error("consistency proof does not reproduce the old root")]
    OldRootMismatch,
}

/// A tree size and its root hash (the essential part of a checkpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TreeHead {
    /// Number of records.
    pub size: u64,
    /// RFC 9162 root hash.
    pub root: Hash,
}

/// An inclusion proof (RFC 9162 audit path) that record `leaf_index` is in the tree of
/// `tree_size` records. Hashes run from the leaf's sibling up to the root's child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Zero-based index of the record.
    pub leaf_index: u64,
    /// Size of the tree the proof is for.
    pub tree_size: u64,
    /// The audit path, base64 in JSON.
    pub hashes: Vec<Hash>,
}

impl InclusionProof {
    /// Checks that this proof shows `leaf_hash` at `leaf_index` in the tree with root `root`.
    pub fn verify(&self, leaf_hash: &Hash, root: &Hash) -> Result<(), ProofError> {
        check_record(
            &self.hashes,
            self.tree_size,
            root,
            self.leaf_index,
            leaf_hash,
        )
    }
}

/// A consistency proof that the tree of `new_size` records extends the tree of `old_size`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The earlier tree size.
    pub old_size: u64,
    /// The later tree size.
    pub new_size: u64,
    /// The proof hashes, base64 in JSON.
    pub hashes: Vec<Hash>,
}

impl ConsistencyProof {
    /// Checks that the tree with `new_root` is an append-only extension of the one with
    /// `old_root`.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), ProofError> {
        check_tree(
            &self.hashes,
            self.new_size,
            new_root,
            self.old_size,
            old_root,
        )
    }
}

/// Number of hashes in an inclusion proof for record `n` in a tree of size `t` (`n < t`).
fn record_proof_len(t: u64, n: u64) -> usize {
    // The control flow of RFC 9162 §2.1.3.2 without the hashing: one hash per iteration.
    let (mut fnode, mut snode, mut len) = (n, t - 1, 0usize);
    while snode > 0 {
        len += 1;
        if fnode & 1 == 0 && fnode == snode {
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
    }
    len
}

/// Verifies that `proof` shows record `n` with leaf hash `leaf` in the tree of size `t` whose
/// root is `root` (RFC 9162 §2.1.3.2).
pub fn check_record(
    proof: &[Hash],
    t: u64,
    root: &Hash,
    n: u64,
    leaf: &Hash,
) -> Result<(), ProofError> {
    if t > MAX_TREE_SIZE {
        return Err(ProofError::InvalidParameters("tree size too large"));
    }
    if n >= t {
        return Err(ProofError::InvalidParameters(
            "leaf index not below tree size",
        ));
    }
    let expected = record_proof_len(t, n);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    let (mut fnode, mut snode) = (n, t - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength {
                expected,
                got: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    if r == *root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Number of hashes in a consistency proof from size `n` to size `t` (`0 < n < t`).
fn tree_proof_len(t: u64, n: u64) -> usize {
    let (mut fnode, mut snode) = (n - 1, t - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // The control flow of RFC 9162 §2.1.4.2 without the hashing: one hash per iteration, plus
    // the seed hash unless the old tree is a complete subtree (a power of two) whose root the
    // verifier already holds.
    let mut len = usize::from(!n.is_power_of_two());
    while snode > 0 {
        len += 1;
        if fnode & 1 == 0 && fnode == snode {
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
    }
    len
}

/// Verifies that `proof` shows the tree of size `t` with root `root_t` contains the tree of size
/// `n` with root `root_n` as a prefix (RFC 9162 §2.1.4.2).
///
/// `n == t` needs an empty proof and equal roots; `n == 0` needs an empty proof and `root_n`
/// equal to the empty-tree root.
pub fn check_tree(
    proof: &[Hash],
    t: u64,
    root_t: &Hash,
    n: u64,
    root_n: &Hash,
) -> Result<(), ProofError> {
    if t > MAX_TREE_SIZE {
        return Err(ProofError::InvalidParameters("tree size too large"));
    }
    if n > t {
        return Err(ProofError::InvalidParameters(
            "old size larger than new size",
        ));
    }
    if n == 0 || n == t {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                expected: 0,
                got: proof.len(),
            });
        }
        if n == 0 && *root_n != empty_root() {
            return Err(ProofError::OldRootMismatch);
        }
        if n == t && root_n != root_t {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    let expected = tree_proof_len(t, n);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    // Step 2: a power-of-two old tree is itself a node of the new tree; start from its root.
    let mut path = proof.iter();
    let first = if n.is_power_of_two() {
        *root_n
    } else {
        match path.next() {
            Some(h) => *h,
            None => {
                return Err(ProofError::WrongLength {
                    expected,
                    got: proof.len(),
                });
            }
        }
    };
    let (mut fnode, mut snode) = (n - 1, t - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in path {
        if snode == 0 {
            return Err(ProofError::WrongLength {
                expected,
                got: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    if fr != *root_n {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != *root_t {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
