//! Storage-agnostic tree maintenance: the stored-hash layout, appends, root hashes and proofs.
//!
//! # Storage model
//!
//! Every hash of every *complete* (perfect) subtree is stored exactly once, at a flat
//! *stored hash index* (Crosby and Wallach's post-order layout, as used by Go's `sumdb/tlog`):
//! record `n`'s leaf hash goes right after everything stored for the first `n` records, and is
//! followed by the hashes of the subtrees that record completes. A tree of `n` records therefore
//! occupies indexes `0..stored_hash_count(n)` and appending only ever adds rows at the end,
//! which maps onto one SQL table `(idx BIGINT PRIMARY KEY, hash BYTEA/BLOB)`.
//!
//! Indexes stay below `2^63` for trees of up to [`MAX_TREE_SIZE`] records, so they fit a
//! signed 64-bit SQL integer.
//!
//! # Two ways to read
//!
//! Every operation that needs stored hashes comes in two forms:
//! * a *sans-I/O* pair — `*_indexes()` says which stored indexes are needed (sorted, unique),
//!   the caller fetches them however it likes (an async SQL query, a cache), and
//!   `*_from_hashes()` finishes the computation;
//! * a convenience form over the synchronous [`HashReader`] trait, mirroring Go's API.

use crate::hash::{Hash, empty_root, node_hash};
use crate::proof::{ConsistencyProof, InclusionProof};

/// Largest supported tree size (2^62 records): keeps every stored index below `2^63 - 1`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Errors from tree arithmetic and from assembling results out of stored hashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// A tree size above [`MAX_TREE_SIZE`].
    #[error("tree size {0} exceeds the supported maximum of 2^62")]
    TooLarge(u64),
    /// A record index that is not inside the tree.
    #[error("record {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The record index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof asked from a larger tree to a smaller one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizeOrder {
        /// The old (smaller) size.
        old: u64,
        /// The new (larger) size.
        new: u64,
    },
    /// New stored hashes do not start where the stored ones end.
    #[error("new stored hashes start at index {got}, the store ends at {expected}")]
    NotContiguous {
        /// Where the store ends.
        expected: u64,
        /// Where the new hashes start.
        got: u64,
    },
    /// The caller supplied a different number of hashes than the matching `*_indexes` asked for.
    #[error("expected {expected} stored hashes, got {got}")]
    HashCount {
        /// How many were asked for.
        expected: usize,
        /// How many were supplied.
        got: usize,
    },
}

/// Error of the [`HashReader`]-based functions: bad arguments, or the reader failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    /// Invalid arguments or inconsistent reader output.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The hash reader returned an error.
    #[error("reading stored hashes failed")]
    Reader(#[source] E),
}

/// Reads stored hashes by stored hash index (see [`stored_hash_index`]).
///
/// Implementations must return exactly one hash per requested index, in the requested order,
/// or an error (a missing index is an error). Requests made by this crate are sorted ascending.
pub trait HashReader {
    /// The reader's error type.
    type Error;
    /// Returns the hashes stored at `indexes`.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    type Error = R::Error;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
        (**self).read_hashes(indexes)
    }
}

/// A closure as a [`HashReader`] (Go's `HashReaderFunc`), e.g. over hashes prefetched into a map.
pub struct HashReaderFn<F>(pub F);

impl<F, E> HashReader for HashReaderFn<F>
where
    F: Fn(&[u64]) -> Result<Vec<Hash>, E>,
{
    type Error = E;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, E> {
        (self.0)(indexes)
    }
}

// ---------------------------------------------------------------------------------------------
// Index arithmetic

/// Stored hash index of the node at `level` (0 = leaves) and position `n` within that level.
///
/// Returns `None` when the node lies beyond a tree of [`MAX_TREE_SIZE`] records.
pub fn stored_hash_index(level: u8, n: u64) -> Option<u64> {
    // The node is stored right after the last leaf of its subtree, m = (n+1)·2^level − 1, and
    // after the `level` nodes below it on that leaf's path. Everything stored before leaf m is
    // Σ_k ⌊m/2^k⌋ = 2m − popcount(m) hashes.
    let level32 = u32::from(level);
    if level32 > 62 {
        return None;
    }
    let span = n.checked_add(1)?;
    if span > (MAX_TREE_SIZE >> level32) {
        return None;
    }
    let m = (span << level32) - 1;
    Some(2 * m - u64::from(m.count_ones()) + u64::from(level))
}

/// Inverse of [`stored_hash_index`]: the `(level, n)` coordinates of a stored hash index.
///
/// Returns `None` for indexes beyond a tree of [`MAX_TREE_SIZE`] records.
pub fn split_stored_hash_index(index: u64) -> Option<(u8, u64)> {
    if index >= stored_hash_count(MAX_TREE_SIZE)? {
        return None;
    }
    // Leaf m's hash sits at 2m − popcount(m) ≤ 2m, so the leaf that stored `index` is at least
    // index/2; walk forward (at most ~log₂ steps), each leaf m adding 1 + trailing_ones(m) hashes.
    let mut m = index / 2;
    let mut start = stored_hash_count(m)?;
    loop {
        let next = start + 1 + u64::from(m.trailing_ones());
        if next > index {
            break;
        }
        m += 1;
        start = next;
    }
    let level = u8::try_from(index - start).ok()?;
    Some((level, m >> level))
}

/// Number of hashes stored for a tree of `n` records (`2n − popcount(n)`).
///
/// This is also the stored index of record `n`'s leaf hash. `None` above [`MAX_TREE_SIZE`].
pub fn stored_hash_count(n: u64) -> Option<u64> {
    if n > MAX_TREE_SIZE {
        return None;
    }
    Some(2 * n - u64::from(n.count_ones()))
}

/// The tree size whose stored hashes number exactly `count`, if any: a consistency check for a
/// stored-hash table (`SELECT count(*)`), since a complete tree has `2n − popcount(n)` rows.
pub fn tree_size_for_stored_count(count: u64) -> Option<u64> {
    // count(n) is strictly increasing and count(n) ≤ 2n, so n ∈ [count/2, count/2 + 64].
    let base = count / 2;
    (base..=base.saturating_add(64)).find(|&n| stored_hash_count(n) == Some(count))
}

/// Stored index of record `n`'s leaf hash. `None` beyond [`MAX_TREE_SIZE`].
pub fn leaf_stored_index(n: u64) -> Option<u64> {
    stored_hash_index(0, n)
}

/// Stored indexes written when records `[start, end)` are appended: the half-open range
/// `stored_hash_count(start)..stored_hash_count(end)`. Handy for paging the stored-hash table
/// alongside the records during verification.
pub fn stored_range_for_records(start: u64, end: u64) -> Result<std::ops::Range<u64>, TreeError> {
    if start > end {
        return Err(TreeError::SizeOrder {
            old: start,
            new: end,
        });
    }
    let a = stored_hash_count(start).ok_or(TreeError::TooLarge(start))?;
    let b = stored_hash_count(end).ok_or(TreeError::TooLarge(end))?;
    Ok(a..b)
}

fn check_size(size: u64) -> Result<(), TreeError> {
    if size > MAX_TREE_SIZE {
        Err(TreeError::TooLarge(size))
    } else {
        Ok(())
    }
}

/// Largest power of two strictly smaller than `n` (n ≥ 2): RFC 9162's split point `k`.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A half-open record range `[lo, hi)` whose Merkle tree hash (RFC 9162 MTH) is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    lo: u64,
    hi: u64,
}

impl Span {
    /// The complete subtrees `(level, position)` that make up this range, left to right.
    fn subtrees(self) -> impl Iterator<Item = (u8, u64)> {
        let Span { lo, hi } = self;
        let mut p = lo;
        std::iter::from_fn(move || {
            if p >= hi {
                return None;
            }
            // Greedy: the biggest power of two that fits and that `p` is aligned to. Ranges built
            // by the RFC recursion are aligned, so this reproduces its left-heavy shape.
            let fit = 63 - (hi - p).leading_zeros();
            let level = if p == 0 {
                fit
            } else {
                fit.min(p.trailing_zeros())
            };
            let pos = p >> level;
            p += 1u64 << level;
            // `level` ≤ 63 by construction.
            Some((level as u8, pos))
        })
    }

    fn push_indexes(self, out: &mut Vec<u64>) -> Result<(), TreeError> {
        for (level, pos) in self.subtrees() {
            out.push(stored_hash_index(level, pos).ok_or(TreeError::TooLarge(self.hi))?);
        }
        Ok(())
    }

    fn hash(self, lookup: &Lookup<'_>) -> Result<Hash, TreeError> {
        let mut parts = Vec::with_capacity(8);
        for (level, pos) in self.subtrees() {
            let idx = stored_hash_index(level, pos).ok_or(TreeError::TooLarge(self.hi))?;
            parts.push(lookup.get(idx)?);
        }
        Ok(fold_right(&parts))
    }
}

/// RFC 9162 MTH of consecutive complete subtrees given left to right (an empty list is the
/// empty tree).
fn fold_right(parts: &[Hash]) -> Hash {
    let mut iter = parts.iter().rev();
    match iter.next() {
        None => empty_root(),
        Some(last) => iter.fold(*last, |acc, left| node_hash(left, &acc)),
    }
}

/// Maps stored indexes to the hashes a caller fetched for them.
struct Lookup<'a> {
    indexes: Vec<u64>,
    hashes: &'a [Hash],
}

impl<'a> Lookup<'a> {
    fn new(indexes: Vec<u64>, hashes: &'a [Hash]) -> Result<Self, TreeError> {
        if indexes.len() != hashes.len() {
            return Err(TreeError::HashCount {
                expected: indexes.len(),
                got: hashes.len(),
            });
        }
        Ok(Lookup { indexes, hashes })
    }

    fn get(&self, idx: u64) -> Result<Hash, TreeError> {
        // Only indexes produced by the same plan are ever looked up, so a miss means the plan and
        // the supplied list disagree: report it as a count problem rather than panicking.
        self.indexes
            .binary_search(&idx)
            .ok()
            .and_then(|i| self.hashes.get(i).copied())
            .ok_or(TreeError::HashCount {
                expected: self.indexes.len(),
                got: self.hashes.len(),
            })
    }
}

fn sorted_unique(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v
}

fn read_via<R: HashReader>(r: &R, indexes: &[u64]) -> Result<Vec<Hash>, ReadError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = r.read_hashes(indexes).map_err(ReadError::Reader)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::HashCount {
            expected: indexes.len(),
            got: hashes.len(),
        }
        .into());
    }
    Ok(hashes)
}

// ---------------------------------------------------------------------------------------------
// Root hash

/// Stored indexes needed to compute the root of the first `n` records (at most 1 + log₂ n).
///
/// These are the roots of the complete subtrees that make up the tree — its *frontier* — so the
/// same read also serves [`Frontier::from_hashes`] and [`append_leaves`].
pub fn tree_hash_indexes(n: u64) -> Result<Vec<u64>, TreeError> {
    check_size(n)?;
    let mut out = Vec::new();
    Span { lo: 0, hi: n }.push_indexes(&mut out)?;
    Ok(out)
}

/// Root of the first `n` records from the hashes stored at [`tree_hash_indexes`]`(n)`.
/// The root of the empty tree is [`empty_root`].
pub fn tree_hash_from_hashes(n: u64, hashes: &[Hash]) -> Result<Hash, TreeError> {
    let lookup = Lookup::new(tree_hash_indexes(n)?, hashes)?;
    Span { lo: 0, hi: n }.hash(&lookup)
}

/// Root of the first `n` records, reading stored hashes from `r` (one read).
pub fn tree_hash<R: HashReader>(n: u64, r: &R) -> Result<Hash, ReadError<R::Error>> {
    let indexes = tree_hash_indexes(n)?;
    let hashes = read_via(r, &indexes)?;
    Ok(tree_hash_from_hashes(n, &hashes)?)
}

// ---------------------------------------------------------------------------------------------
// Inclusion proofs

/// The RFC 9162 PATH(n, D[0:t]) as ranges, leaf sibling first, root child last.
fn record_proof_spans(t: u64, n: u64) -> Result<Vec<Span>, TreeError> {
    check_size(t)?;
    if n >= t {
        return Err(TreeError::IndexOutOfRange { index: n, size: t });
    }
    let (mut lo, mut hi) = (0u64, t);
    let mut top_down = Vec::new();
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if n < lo + k {
            top_down.push(Span { lo: lo + k, hi });
            hi = lo + k;
        } else {
            top_down.push(Span { lo, hi: lo + k });
            lo += k;
        }
    }
    top_down.reverse();
    Ok(top_down)
}

/// Stored indexes needed to prove that record `n` is in the tree of size `t`.
pub fn record_proof_indexes(t: u64, n: u64) -> Result<Vec<u64>, TreeError> {
    let mut out = Vec::new();
    for s in record_proof_spans(t, n)? {
        s.push_indexes(&mut out)?;
    }
    Ok(sorted_unique(out))
}

/// Inclusion proof of record `n` in the tree of size `t` from the hashes stored at
/// [`record_proof_indexes`]`(t, n)`.
pub fn record_proof_from_hashes(
    t: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<InclusionProof, TreeError> {
    let lookup = Lookup::new(record_proof_indexes(t, n)?, hashes)?;
    let spans = record_proof_spans(t, n)?;
    let mut proof = Vec::with_capacity(spans.len());
    for s in spans {
        proof.push(s.hash(&lookup)?);
    }
    Ok(InclusionProof {
        leaf_index: n,
        tree_size: t,
        hashes: proof,
    })
}

/// Inclusion proof (RFC 9162 audit path) that record `n` is in the tree of size `t`.
pub fn prove_record<R: HashReader>(
    t: u64,
    n: u64,
    r: &R,
) -> Result<InclusionProof, ReadError<R::Error>> {
    let indexes = record_proof_indexes(t, n)?;
    let hashes = read_via(r, &indexes)?;
    Ok(record_proof_from_hashes(t, n, &hashes)?)
}

// ---------------------------------------------------------------------------------------------
// Consistency proofs

/// The RFC 9162 PROOF(n, D[0:t]) as ranges, in proof order.
fn tree_proof_spans(t: u64, n: u64) -> Result<Vec<Span>, TreeError> {
    check_size(t)?;
    if n > t {
        return Err(TreeError::SizeOrder { old: n, new: t });
    }
    // Sizes 0 and t have nothing to prove: the empty tree is a prefix of everything, and a tree
    // is consistent with itself.
    if n == 0 || n == t {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled: walk down collecting the sibling ranges.
    let (mut lo, mut hi, mut m) = (0u64, t, n);
    let mut whole_old_tree = true; // RFC's flag b
    let mut siblings = Vec::new();
    while m != hi - lo {
        let k = split_point(hi - lo);
        if m <= k {
            siblings.push(Span { lo: lo + k, hi });
            hi = lo + k;
        } else {
            siblings.push(Span { lo, hi: lo + k });
            lo += k;
            m -= k;
            whole_old_tree = false;
        }
    }
    let mut out = Vec::with_capacity(siblings.len() + 1);
    if !whole_old_tree {
        out.push(Span { lo, hi });
    }
    out.extend(siblings.into_iter().rev());
    Ok(out)
}

/// Stored indexes needed to prove that the tree of size `t` extends the tree of size `n`.
pub fn tree_proof_indexes(t: u64, n: u64) -> Result<Vec<u64>, TreeError> {
    let mut out = Vec::new();
    for s in tree_proof_spans(t, n)? {
        s.push_indexes(&mut out)?;
    }
    Ok(sorted_unique(out))
}

/// Consistency proof from size `n` to size `t` from the hashes stored at
/// [`tree_proof_indexes`]`(t, n)`.
pub fn tree_proof_from_hashes(
    t: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<ConsistencyProof, TreeError> {
    let lookup = Lookup::new(tree_proof_indexes(t, n)?, hashes)?;
    let spans = tree_proof_spans(t, n)?;
    let mut proof = Vec::with_capacity(spans.len());
    for s in spans {
        proof.push(s.hash(&lookup)?);
    }
    Ok(ConsistencyProof {
        old_size: n,
        new_size: t,
        hashes: proof,
    })
}

/// Consistency proof (RFC 9162) that the tree of size `t` contains the tree of size `n` as a
/// prefix. `n == 0` and `n == t` give an empty proof.
pub fn prove_tree<R: HashReader>(
    t: u64,
    n: u64,
    r: &R,
) -> Result<ConsistencyProof, ReadError<R::Error>> {
    let indexes = tree_proof_indexes(t, n)?;
    let hashes = read_via(r, &indexes)?;
    Ok(tree_proof_from_hashes(t, n, &hashes)?)
}

// ---------------------------------------------------------------------------------------------
// Appending

/// The compact state of a tree needed to append to it: the roots of its complete subtrees,
/// left (largest) to right (smallest). At most 62 hashes, whatever the tree size.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    stored: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Rebuilds the frontier of a tree of `size` records from the hashes stored at
    /// [`tree_hash_indexes`]`(size)`.
    pub fn from_hashes(size: u64, hashes: &[Hash]) -> Result<Frontier, TreeError> {
        let expected = tree_hash_indexes(size)?.len();
        if hashes.len() != expected {
            return Err(TreeError::HashCount {
                expected,
                got: hashes.len(),
            });
        }
        Ok(Frontier {
            size,
            stored: stored_hash_count(size).ok_or(TreeError::TooLarge(size))?,
            nodes: hashes.to_vec(),
        })
    }

    /// Reads the frontier of a tree of `size` records from `r`.
    pub fn read<R: HashReader>(size: u64, r: &R) -> Result<Frontier, ReadError<R::Error>> {
        let indexes = tree_hash_indexes(size)?;
        let hashes = read_via(r, &indexes)?;
        Ok(Frontier::from_hashes(size, &hashes)?)
    }

    /// Number of records in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Number of stored hashes of the tree, which is also the index the next append writes at.
    pub fn stored_count(&self) -> u64 {
        self.stored
    }

    /// The complete-subtree roots, left to right.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// The tree's root hash (RFC 9162 MTH); [`empty_root`] for the empty tree.
    pub fn root(&self) -> Hash {
        fold_right(&self.nodes)
    }

    /// Appends one record by its leaf hash, calling `emit` with every new stored hash in stored
    /// index order: first the leaf hash at index [`Frontier::stored_count`], then the roots of the
    /// subtrees the record completes. Allocation-free.
    pub fn push_with(&mut self, leaf: Hash, mut emit: impl FnMut(Hash)) -> Result<(), TreeError> {
        if self.size >= MAX_TREE_SIZE {
            return Err(TreeError::TooLarge(self.size.saturating_add(1)));
        }
        emit(leaf);
        let mut h = leaf;
        // Each trailing 1 bit of the old size is a complete subtree of the same height as the
        // one just finished: merge them, smallest first.
        for _ in 0..self.size.trailing_ones() {
            // The frontier holds one node per set bit of `size`, so this pop cannot fail for a
            // frontier built by this type; treat a short frontier as corrupt input anyway.
            let Some(left) = self.nodes.pop() else {
                return Err(TreeError::HashCount {
                    expected: self.size.count_ones() as usize,
                    got: 0,
                });
            };
            h = node_hash(&left, &h);
            emit(h);
        }
        self.nodes.push(h);
        self.stored += 1 + u64::from(self.size.trailing_ones());
        self.size += 1;
        Ok(())
    }

    /// Appends one record by its leaf hash, pushing the new stored hashes onto `out`.
    pub fn push(&mut self, leaf: Hash, out: &mut Vec<Hash>) -> Result<(), TreeError> {
        self.push_with(leaf, |h| out.push(h))
    }
}

/// Everything a sequencer writes after appending a batch of records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Tree size before the batch; the first new record has this index.
    pub old_size: u64,
    /// Tree size after the batch.
    pub new_size: u64,
    /// Stored index of `hashes[0]`; `hashes[i]` goes at `first_index + i`.
    pub first_index: u64,
    /// The new stored hashes, contiguous from `first_index`.
    pub hashes: Vec<Hash>,
    /// Root hash of the tree of `new_size` records, ready for a checkpoint.
    pub root: Hash,
}

impl Appended {
    /// The new stored hashes with their stored indexes, ready for an SQL `INSERT`.
    pub fn indexed(&self) -> impl Iterator<Item = (u64, Hash)> + '_ {
        (self.first_index..).zip(self.hashes.iter().copied())
    }
}

/// Appends a batch of records (by leaf hash) to a tree of `size` records.
///
/// `frontier` must be the hashes stored at [`tree_hash_indexes`]`(size)` — the only reads an
/// append needs, at most 62 hashes, whatever the batch size. Returns every new stored hash
/// (about two per record) and the new root.
pub fn append_leaves(size: u64, frontier: &[Hash], leaves: &[Hash]) -> Result<Appended, TreeError> {
    let mut f = Frontier::from_hashes(size, frontier)?;
    let first_index = f.stored_count();
    let mut hashes = Vec::with_capacity(leaves.len().saturating_mul(2));
    for leaf in leaves {
        f.push(*leaf, &mut hashes)?;
    }
    Ok(Appended {
        old_size: size,
        new_size: f.size(),
        first_index,
        hashes,
        root: f.root(),
    })
}

/// [`append_leaves`] reading the frontier from `r`.
pub fn append_batch<R: HashReader>(
    size: u64,
    leaves: &[Hash],
    r: &R,
) -> Result<Appended, ReadError<R::Error>> {
    let indexes = tree_hash_indexes(size)?;
    let frontier = read_via(r, &indexes)?;
    Ok(append_leaves(size, &frontier, leaves)?)
}

/// Hashes to store when appending record `n` with leaf hash `leaf` (Go's
/// `StoredHashesForRecordHash`): the leaf hash followed by the roots of the subtrees it completes,
/// to be stored from [`stored_hash_index`]`(0, n)` on. Reads at most log₂ n earlier hashes.
pub fn stored_hashes_for_record_hash<R: HashReader>(
    n: u64,
    leaf: Hash,
    r: &R,
) -> Result<Vec<Hash>, ReadError<R::Error>> {
    check_size(n.saturating_add(1))?;
    // The subtrees record n completes are the left siblings, at each level i below
    // trailing_ones(n), of the node containing n: position (n >> i) − 1.
    let merges = n.trailing_ones();
    let mut indexes = Vec::with_capacity(merges as usize);
    for i in (0..merges).rev() {
        indexes.push(stored_hash_index(i as u8, (n >> i) - 1).ok_or(TreeError::TooLarge(n))?);
    }
    let old = read_via(r, &indexes)?;
    let mut out = Vec::with_capacity(1 + old.len());
    out.push(leaf);
    let mut h = leaf;
    for left in old.iter().rev() {
        h = node_hash(left, &h);
        out.push(h);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// In-memory storage

/// The error of [`MemoryHashStore`]: an index that is not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored hash {0} does not exist")]
pub struct MissingHash(pub u64);

/// Stored hashes in a `Vec`, indexed by stored hash index: for tests, tools and small logs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryHashStore {
    hashes: Vec<Hash>,
}

impl MemoryHashStore {
    /// An empty store (the empty tree).
    pub fn new() -> Self {
        Self::default()
    }

    /// Wraps stored hashes listed in index order.
    pub fn from_hashes(hashes: Vec<Hash>) -> Self {
        MemoryHashStore { hashes }
    }

    /// All stored hashes in index order.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Number of stored hashes.
    pub fn len(&self) -> u64 {
        self.hashes.len() as u64
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Number of records, if the stored hashes form a complete tree (`None` otherwise).
    pub fn tree_size(&self) -> Option<u64> {
        tree_size_for_stored_count(self.len())
    }

    /// Stores hashes produced by [`append_leaves`]; they must start at the current end.
    pub fn apply(&mut self, appended: &Appended) -> Result<(), TreeError> {
        if appended.first_index != self.len() {
            return Err(TreeError::NotContiguous {
                expected: self.len(),
                got: appended.first_index,
            });
        }
        self.hashes.extend_from_slice(&appended.hashes);
        Ok(())
    }

    /// Appends a batch of leaf hashes to the tree held in this store, returning what was added.
    pub fn append(&mut self, leaves: &[Hash]) -> Result<Appended, TreeError> {
        // A store holding a partial tree (a count no tree size produces) cannot be appended to.
        let size = self.tree_size().ok_or(TreeError::NotContiguous {
            expected: stored_hash_count(self.len() / 2).unwrap_or(0),
            got: self.len(),
        })?;
        let appended = append_batch(size, leaves, &*self).map_err(|e| match e {
            ReadError::Tree(t) => t,
            // Reading from our own Vec only fails if the layout is inconsistent.
            ReadError::Reader(MissingHash(i)) => TreeError::IndexOutOfRange {
                index: i,
                size: self.len(),
            },
        })?;
        self.apply(&appended)?;
        Ok(appended)
    }

    /// Overwrites one stored hash (for tamper tests).
    pub fn set(&mut self, index: u64, hash: Hash) -> Result<(), MissingHash> {
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| self.hashes.get_mut(i))
            .ok_or(MissingHash(index))?;
        *slot = hash;
        Ok(())
    }
}

impl HashReader for MemoryHashStore {
    type Error = MissingHash;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|u| self.hashes.get(u).copied())
                    .ok_or(MissingHash(i))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn stored_index_layout_matches_go() {
        // First stored hashes for 4 records: L0 L1 N(0,1) L2 L3 N(2,3) N(0..3).
        let want = [
            (0, 0, 0),
            (0, 1, 1),
            (1, 0, 2),
            (0, 2, 3),
            (0, 3, 4),
            (1, 1, 5),
            (2, 0, 6),
            (0, 4, 7),
        ];
        for (level, n, idx) in want {
            assert_eq!(stored_hash_index(level, n), Some(idx), "({level},{n})");
            assert_eq!(split_stored_hash_index(idx), Some((level, n)));
        }
        for l in 0..10u8 {
            for n in 0..100u64 {
                let x = stored_hash_index(l, n).expect("in range");
                assert_eq!(split_stored_hash_index(x), Some((l, n)));
            }
        }
    }

    #[test]
    fn index_limits_do_not_overflow() {
        assert_eq!(stored_hash_count(MAX_TREE_SIZE), Some((1 << 63) - 1));
        assert_eq!(stored_hash_count(MAX_TREE_SIZE + 1), None);
        assert_eq!(
            stored_hash_index(0, MAX_TREE_SIZE - 1),
            Some((1 << 63) - 63 - 1)
        );
        assert_eq!(stored_hash_index(62, 0), Some((1 << 63) - 2));
        assert_eq!(stored_hash_index(62, 1), None);
        assert_eq!(stored_hash_index(63, 0), None);
        assert_eq!(stored_hash_index(0, MAX_TREE_SIZE), None);
        assert_eq!(stored_hash_index(0, u64::MAX), None);
        assert_eq!(split_stored_hash_index((1 << 63) - 2), Some((62, 0)));
        assert_eq!(split_stored_hash_index((1 << 63) - 1), None);
        assert_eq!(split_stored_hash_index(u64::MAX), None);
        assert!(tree_hash_indexes(u64::MAX).is_err());
        assert!(record_proof_indexes(u64::MAX, 3).is_err());
        assert!(tree_proof_indexes(u64::MAX, 3).is_err());
        assert_eq!(tree_hash_indexes(MAX_TREE_SIZE), Ok(vec![(1 << 63) - 2]));
    }

    #[test]
    fn one_by_one_matches_batches_and_memory_store() {
        let mut one = MemoryHashStore::new();
        for i in 0..50u64 {
            let h = leaf_hash(format!("leaf {i}").as_bytes());
            let new = stored_hashes_for_record_hash(i, h, &one).expect("append");
            assert_eq!(stored_hash_index(0, i), Some(one.len()));
            let mut v = one.hashes().to_vec();
            v.extend(new);
            one = MemoryHashStore::from_hashes(v);
            assert_eq!(one.tree_size(), Some(i + 1));
        }
        let leaves: Vec<Hash> = (0..50u64)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect();
        let mut batched = MemoryHashStore::new();
        for chunk in leaves.chunks(7) {
            batched.append(chunk).expect("append");
        }
        assert_eq!(one, batched);
    }

    #[test]
    fn tree_size_from_stored_count() {
        let mut hit = std::collections::HashSet::new();
        for n in 0..2000u64 {
            let c = stored_hash_count(n).expect("count");
            assert_eq!(tree_size_for_stored_count(c), Some(n));
            hit.insert(c);
        }
        for c in 0..3000u64 {
            if !hit.contains(&c) {
                assert_eq!(tree_size_for_stored_count(c), None, "{c}");
            }
        }
        assert_eq!(tree_size_for_stored_count(u64::MAX), None);
    }

    #[test]
    fn closure_reader_and_short_reads() {
        let mut store = MemoryHashStore::new();
        let leaves: Vec<Hash> = (0..9u8).map(|i| leaf_hash(&[i])).collect();
        store.append(&leaves).expect("append");
        let ok = HashReaderFn(|idx: &[u64]| store.read_hashes(idx));
        assert_eq!(tree_hash(9, &ok).ok(), tree_hash(9, &store).ok());
        // A reader that returns too few hashes is reported, not trusted.
        let short = HashReaderFn(|_: &[u64]| Ok::<_, MissingHash>(vec![Hash::ZERO]));
        assert!(matches!(
            tree_hash(9, &short),
            Err(ReadError::Tree(TreeError::HashCount {
                expected: 2,
                got: 1
            }))
        ));
        let failing = HashReaderFn(|i: &[u64]| Err::<Vec<Hash>, _>(MissingHash(i[0])));
        assert!(matches!(
            prove_record(9, 3, &failing),
            Err(ReadError::Reader(_))
        ));
    }

    #[test]
    fn memory_store_rejects_partial_trees() {
        let s = MemoryHashStore::from_hashes(vec![Hash::ZERO; 2]);
        assert_eq!(s.tree_size(), None);
        assert!(s.read_hashes(&[5]).is_err());
    }

    #[test]
    fn wrong_hash_counts_are_errors() {
        assert!(tree_hash_from_hashes(5, &[]).is_err());
        assert!(record_proof_from_hashes(5, 1, &[Hash::ZERO]).is_err());
        assert!(tree_proof_from_hashes(5, 3, &[]).is_err());
        assert!(append_leaves(3, &[Hash::ZERO], &[]).is_err());
        assert!(matches!(
            record_proof_indexes(3, 3),
            Err(TreeError::IndexOutOfRange { index: 3, size: 3 })
        ));
        assert!(matches!(
            tree_proof_indexes(3, 4),
            Err(TreeError::SizeOrder { old: 4, new: 3 })
        ));
    }
}
