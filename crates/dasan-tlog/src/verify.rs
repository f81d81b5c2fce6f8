//! Streaming verification of a whole log: recompute the tree from the records, compare it with
//! the stored hashes and with every checkpoint, and say where it first differs.
//!
//! [`LogVerifier`] is a push-style state machine (no I/O), so it works the same behind a
//! synchronous iterator, an async database stream or a paged query. Memory is O(log n) plus
//! whatever the caller lets queue up between pushing records and pushing their stored hashes;
//! interleave the two (for example page by page, using
//! [`stored_range_for_records`](crate::tree::stored_range_for_records)) to keep it small.

use crate::checkpoint::Checkpoint;
use crate::hash::{Hash, leaf_hash};
use crate::note::VerifierSet;
use crate::proof::TreeHead;
use crate::tree::{Frontier, split_stored_hash_index};
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;

/// How many findings a report keeps in detail (the total is always counted).
pub const MAX_FINDINGS: usize = 100;

/// One discrepancy between the recomputed tree and what the log claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A record was pushed with an index other than the next one (deleted, duplicated or
    /// reordered rows).
    RecordIndexGap {
        /// The index the next record should have had.
        expected: u64,
        /// The index it had.
        found: u64,
    },
    /// A stored hash differs from the recomputed one. At level 0 this is a record whose content
    /// no longer matches its stored leaf hash.
    StoredHashMismatch {
        /// Stored hash index.
        index: u64,
        /// Tree level (0 = leaf).
        level: u8,
        /// Position within the level.
        n: u64,
        /// First record covered by this node (`n << level`).
        first_record: u64,
        /// What the records recompute to.
        computed: Hash,
        /// What is stored.
        stored: Hash,
    },
    /// The recomputed tree has a hash at this index but none was stored.
    StoredHashMissing {
        /// Stored hash index.
        index: u64,
        /// Tree level (0 = leaf).
        level: u8,
        /// Position within the level.
        n: u64,
    },
    /// A stored hash with no counterpart in the recomputed tree (out of order, duplicated, or
    /// beyond the records).
    StoredHashUnexpected {
        /// Stored hash index.
        index: u64,
    },
    /// A checkpoint's root differs from the root recomputed at its size. Some record in
    /// `[last_good_size, size)` differs from what was checkpointed.
    CheckpointMismatch {
        /// The checkpoint's tree size.
        size: u64,
        /// The root it claims.
        checkpoint_root: Hash,
        /// The root the records give.
        computed_root: Hash,
        /// Size of the largest earlier checkpoint that matched (0 if none).
        last_good_size: u64,
    },
    /// A checkpoint covers more records than the log has (truncation).
    CheckpointBeyondLog {
        /// The checkpoint's tree size.
        size: u64,
        /// Number of records in the log.
        log_size: u64,
    },
    /// Data the verifier was given but could not check (a usage error; never a clean run).
    NotChecked {
        /// What was not checked.
        reason: String,
    },
    /// A stored checkpoint note failed to open (bad signature, unknown key, wrong origin,
    /// malformed text).
    CheckpointInvalid {
        /// Position of the note in the order it was added.
        position: usize,
        /// Why it failed.
        error: String,
    },
}

impl Finding {
    /// The records this finding implicates: some record in the range differs from what the
    /// stored hashes or checkpoints commit to (a single index where the finding is exact).
    pub fn records(&self) -> Option<Range<u64>> {
        let subtree = |level: u8, n: u64| {
            let lo = n.checked_shl(u32::from(level)).unwrap_or(u64::MAX);
            let hi = (n.saturating_add(1))
                .checked_shl(u32::from(level))
                .unwrap_or(u64::MAX);
            lo..hi
        };
        match self {
            Finding::RecordIndexGap { expected, .. } => Some(*expected..expected.saturating_add(1)),
            Finding::StoredHashMismatch { level, n, .. }
            | Finding::StoredHashMissing { level, n, .. } => Some(subtree(*level, *n)),
            Finding::StoredHashUnexpected { index } => {
                split_stored_hash_index(*index).map(|(level, n)| subtree(level, n))
            }
            Finding::CheckpointMismatch {
                size,
                last_good_size,
                ..
            } => Some(*last_good_size..*size),
            Finding::CheckpointBeyondLog { log_size, .. } => {
                Some(*log_size..log_size.saturating_add(1))
            }
            Finding::CheckpointInvalid { .. } | Finding::NotChecked { .. } => None,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::RecordIndexGap { expected, found } => {
                write!(
                    f,
                    "record {expected} expected, found record {found} instead"
                )
            }
            Finding::StoredHashMismatch {
                index,
                level: 0,
                n,
                computed,
                stored,
                ..
            } => write!(
                f,
                "record {n} does not match its stored leaf hash (stored hash {index}: stored {stored}, computed {computed})"
            ),
            Finding::StoredHashMismatch {
                index,
                level,
                n,
                first_record,
                computed,
                stored,
            } => write!(
                f,
                "stored hash {index} (level {level}, node {n}, from record {first_record}) differs: stored {stored}, computed {computed}"
            ),
            Finding::StoredHashMissing { index, level, n } => write!(
                f,
                "stored hash {index} (level {level}, node {n}) is missing"
            ),
            Finding::StoredHashUnexpected { index } => {
                write!(
                    f,
                    "stored hash {index} has no counterpart in the recomputed tree"
                )
            }
            Finding::CheckpointMismatch {
                size,
                checkpoint_root,
                computed_root,
                last_good_size,
            } => write!(
                f,
                "checkpoint at size {size} has root {checkpoint_root} but the records give {computed_root}; a record in [{last_good_size}, {size}) differs"
            ),
            Finding::CheckpointBeyondLog { size, log_size } => write!(
                f,
                "checkpoint at size {size} but the log has only {log_size} records (truncated)"
            ),
            Finding::NotChecked { reason } => write!(f, "not checked: {reason}"),
            Finding::CheckpointInvalid { position, error } => {
                write!(f, "stored checkpoint #{position} is invalid: {error}")
            }
        }
    }
}

/// The outcome of a verification run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Number of records verified.
    pub size: u64,
    /// Root recomputed over all records.
    pub root: Hash,
    /// Checkpoints compared with a recomputed root.
    pub checkpoints_checked: usize,
    /// Stored hashes compared with recomputed ones.
    pub stored_hashes_checked: u64,
    /// The first [`MAX_FINDINGS`] findings, in the order found.
    pub findings: Vec<Finding>,
    /// Total number of findings, including those not kept.
    pub findings_total: u64,
}

impl Report {
    /// True if nothing differs.
    pub fn is_ok(&self) -> bool {
        self.findings_total == 0
    }

    /// Where the log first differs, as precisely as the findings allow: the implicated range
    /// with the lowest end (preferring the narrowest), e.g. `437..438` for an edited record
    /// whose stored leaf hash is intact, or `400..500` when only the checkpoints at sizes 400
    /// (good) and 500 (bad) tell.
    pub fn first_bad_records(&self) -> Option<Range<u64>> {
        self.findings
            .iter()
            .filter_map(Finding::records)
            .min_by_key(|r| (r.end, r.end - r.start))
    }

    /// The start of [`Report::first_bad_records`]: the first record index that differs (exact
    /// when the range has one element, otherwise the earliest candidate).
    pub fn first_bad_record(&self) -> Option<u64> {
        self.first_bad_records().map(|r| r.start)
    }
}

/// Recomputes a log's Merkle tree from its records and checks stored hashes and checkpoints.
///
/// ```
/// use dasan_tlog::{LogVerifier, MemoryHashStore, TreeHead, leaf_hash};
/// let entries: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i]).collect();
/// let mut store = MemoryHashStore::new();
/// let leaves: Vec<_> = entries.iter().map(|e| leaf_hash(e)).collect();
/// let appended = store.append(&leaves).unwrap();
///
/// let mut v = LogVerifier::with_stored_hashes([TreeHead { size: 10, root: appended.root }]);
/// for (i, e) in entries.iter().enumerate() {
///     v.push_record(i as u64, e);
/// }
/// for (i, h) in store.hashes().iter().enumerate() {
///     v.push_stored_hash(i as u64, *h);
/// }
/// assert!(v.finish().is_ok());
/// ```
#[derive(Debug)]
pub struct LogVerifier {
    frontier: Frontier,
    checkpoints: Vec<TreeHead>,
    next_checkpoint: usize,
    last_good_size: u64,
    checkpoints_checked: usize,
    computed: VecDeque<(u64, Hash)>,
    stored: VecDeque<(u64, Hash)>,
    track_stored: bool,
    stored_hashes_checked: u64,
    findings: Vec<Finding>,
    findings_total: u64,
    notes_added: usize,
    /// Per level, the last node found to differ from its stored hash (directly or because a
    /// child differs): a parent of a differing node differs too, and is not reported again.
    last_bad: [Option<u64>; 64],
}

impl LogVerifier {
    /// A verifier that will check the given checkpoints (any order) as the tree grows.
    pub fn new(checkpoints: impl IntoIterator<Item = TreeHead>) -> LogVerifier {
        let mut cps: Vec<TreeHead> = checkpoints.into_iter().collect();
        cps.sort_by_key(|c| c.size);
        cps.dedup();
        let mut v = LogVerifier {
            frontier: Frontier::new(),
            checkpoints: cps,
            next_checkpoint: 0,
            last_good_size: 0,
            checkpoints_checked: 0,
            computed: VecDeque::new(),
            stored: VecDeque::new(),
            track_stored: false,
            stored_hashes_checked: 0,
            findings: Vec::new(),
            findings_total: 0,
            notes_added: 0,
            last_bad: [None; 64],
        };
        v.check_checkpoints();
        v
    }

    /// Opens a stored signed checkpoint and schedules it for checking; a note that fails to open
    /// becomes a [`Finding::CheckpointInvalid`]. Add checkpoints before pushing records, or at
    /// least before the tree grows past their size.
    pub fn add_signed_checkpoint(&mut self, note: &str, verifiers: &VerifierSet, origin: &str) {
        let position = self.notes_added;
        self.notes_added += 1;
        match Checkpoint::open(note, verifiers, origin) {
            Ok((cp, _)) => self.add_checkpoint(cp.tree_head()),
            Err(e) => self.note(Finding::CheckpointInvalid {
                position,
                error: e.to_string(),
            }),
        }
    }

    /// Schedules one more checkpoint for checking. A checkpoint smaller than the records already
    /// pushed can no longer be compared and is reported as [`Finding::CheckpointInvalid`] rather
    /// than skipped.
    pub fn add_checkpoint(&mut self, head: TreeHead) {
        if head.size < self.frontier.size() {
            self.note(Finding::CheckpointInvalid {
                position: self.notes_added,
                error: format!(
                    "checkpoint at size {} added after the verifier passed that size",
                    head.size
                ),
            });
            return;
        }
        let pending = self
            .checkpoints
            .get(self.next_checkpoint..)
            .unwrap_or_default();
        if !pending.contains(&head) {
            let at = self.next_checkpoint + pending.partition_point(|c| c.size <= head.size);
            self.checkpoints.insert(at, head);
        }
        self.check_checkpoints();
    }

    /// A verifier that also compares stored hashes: every computed stored hash is kept until the
    /// matching [`LogVerifier::push_stored_hash`] arrives.
    pub fn with_stored_hashes(checkpoints: impl IntoIterator<Item = TreeHead>) -> LogVerifier {
        let mut v = LogVerifier::new(checkpoints);
        v.track_stored = true;
        v
    }

    /// Number of records pushed so far.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Root of the records pushed so far.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// Findings so far (the first [`MAX_FINDINGS`]).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Pushes the next record's entry bytes, with the index the log stores for it.
    pub fn push_record(&mut self, index: u64, entry: &[u8]) {
        self.push_indexed_leaf_hash(index, leaf_hash(entry));
    }

    /// Pushes the next record's leaf hash, with the index the log stores for it.
    pub fn push_indexed_leaf_hash(&mut self, index: u64, leaf: Hash) {
        if index != self.frontier.size() {
            self.note(Finding::RecordIndexGap {
                expected: self.frontier.size(),
                found: index,
            });
        }
        self.push_leaf_hash(leaf);
    }

    /// Pushes the next record's leaf hash (records without a stored index column).
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        let start = self.frontier.stored_count();
        let track = self.track_stored;
        let computed = &mut self.computed;
        let mut i = start;
        let pushed = self.frontier.push_with(leaf, |h| {
            if track {
                computed.push_back((i, h));
            }
            i += 1;
        });
        if pushed.is_err() {
            // Only reachable past 2^62 records; report instead of panicking.
            self.note(Finding::CheckpointBeyondLog {
                size: self.frontier.size(),
                log_size: self.frontier.size(),
            });
            return;
        }
        self.check_checkpoints();
        self.match_stored();
    }

    /// Pushes one stored hash row, in ascending index order. Only a verifier made with
    /// [`LogVerifier::with_stored_hashes`] can check them; otherwise this is recorded as a
    /// [`Finding::NotChecked`] so that the mistake cannot pass as a clean run.
    pub fn push_stored_hash(&mut self, index: u64, hash: Hash) {
        if !self.track_stored {
            self.note(Finding::NotChecked {
                reason: format!(
                    "stored hash {index} was supplied to a verifier not made with with_stored_hashes"
                ),
            });
            return;
        }
        self.stored.push_back((index, hash));
        self.match_stored();
    }

    fn match_stored(&mut self) {
        while let (Some(&(ci, ch)), Some(&(si, sh))) = (self.computed.front(), self.stored.front())
        {
            if ci == si {
                self.computed.pop_front();
                self.stored.pop_front();
                self.stored_hashes_checked += 1;
                if ch != sh {
                    let (level, n) = split_stored_hash_index(ci).unwrap_or((0, 0));
                    let li = usize::from(level);
                    let explained = li
                        .checked_sub(1)
                        .and_then(|below| self.last_bad.get(below).copied().flatten())
                        .is_some_and(|child| child >> 1 == n);
                    if let Some(slot) = self.last_bad.get_mut(li) {
                        *slot = Some(n);
                    }
                    if !explained {
                        self.note(Finding::StoredHashMismatch {
                            index: ci,
                            level,
                            n,
                            first_record: n << level,
                            computed: ch,
                            stored: sh,
                        });
                    }
                }
            } else if si > ci {
                self.computed.pop_front();
                self.note(missing(ci));
            } else {
                self.stored.pop_front();
                self.note(Finding::StoredHashUnexpected { index: si });
            }
        }
    }

    fn check_checkpoints(&mut self) {
        let size = self.frontier.size();
        while let Some(cp) = self.checkpoints.get(self.next_checkpoint).copied() {
            if cp.size != size {
                break;
            }
            self.next_checkpoint += 1;
            self.checkpoints_checked += 1;
            let root = self.frontier.root();
            if root == cp.root {
                self.last_good_size = cp.size;
            } else {
                self.note(Finding::CheckpointMismatch {
                    size: cp.size,
                    checkpoint_root: cp.root,
                    computed_root: root,
                    last_good_size: self.last_good_size,
                });
            }
        }
    }

    fn note(&mut self, f: Finding) {
        self.findings_total += 1;
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(f);
        }
    }

    /// Ends the run: checkpoints beyond the last record and unmatched stored hashes become
    /// findings.
    pub fn finish(mut self) -> Report {
        let size = self.frontier.size();
        let rest: Vec<TreeHead> = self
            .checkpoints
            .get(self.next_checkpoint..)
            .unwrap_or_default()
            .to_vec();
        for cp in rest {
            self.note(Finding::CheckpointBeyondLog {
                size: cp.size,
                log_size: size,
            });
        }
        if self.track_stored {
            while let Some((ci, _)) = self.computed.pop_front() {
                self.note(missing(ci));
            }
            while let Some((si, _)) = self.stored.pop_front() {
                self.note(Finding::StoredHashUnexpected { index: si });
            }
        }
        Report {
            size,
            root: self.frontier.root(),
            checkpoints_checked: self.checkpoints_checked,
            stored_hashes_checked: self.stored_hashes_checked,
            findings: self.findings,
            findings_total: self.findings_total,
        }
    }
}

fn missing(index: u64) -> Finding {
    let (level, n) = split_stored_hash_index(index).unwrap_or((0, 0));
    Finding::StoredHashMissing { index, level, n }
}

/// Convenience for synchronous callers: verifies records (entry bytes, in index order) against
/// checkpoints and, if given, the stored hashes (listed in index order).
pub fn verify_log<'a>(
    entries: impl IntoIterator<Item = &'a [u8]>,
    stored: Option<&[Hash]>,
    checkpoints: impl IntoIterator<Item = TreeHead>,
) -> Report {
    let mut rows = stored.map(|s| (0u64..).zip(s.iter().copied()).peekable());
    let mut v = if rows.is_some() {
        LogVerifier::with_stored_hashes(checkpoints)
    } else {
        LogVerifier::new(checkpoints)
    };
    for (i, e) in (0u64..).zip(entries) {
        v.push_record(i, e);
        // Feed the rows this record produced right away, keeping the queues short.
        if let Some(rows) = rows.as_mut() {
            let upto = v.frontier.stored_count();
            while let Some((j, h)) = rows.next_if(|(j, _)| *j < upto) {
                v.push_stored_hash(j, h);
            }
        }
    }
    if let Some(rows) = rows {
        for (j, h) in rows {
            v.push_stored_hash(j, h);
        }
    }
    v.finish()
}
