//! The audit log over the database: sequencing, checkpoints, proofs and verification.

use crate::entry::{EVENT_COLUMNS, EventRow};
use crate::signer::KeyStoreNoteSigner;
use dasan_kernel::{ErrorKind, Problem};
use dasan_store::{Database, StoreError, Tx, TxConn, on_reader, on_tx};
use dasan_tlog::verify::Report;
use dasan_tlog::{
    Checkpoint, ConsistencyProof, Hash, InclusionProof, LogVerifier, NoteSigner, TreeError,
    TreeHead, VerifierSet, append_leaves, leaf_hash, leaf_stored_index, record_proof_from_hashes,
    record_proof_indexes, stored_hash_count, tree_hash_indexes, tree_proof_from_hashes,
    tree_proof_indexes,
};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// PostgreSQL advisory lock key held by the sequencing transaction ("dasa" in ASCII): with
/// several nodes, one sequences at a time and the others wait their turn.
const SEQUENCER_LOCK: i64 = 0x6461_7361;

/// Events integrated per sequencing transaction.
pub const DEFAULT_BATCH: usize = 5_000;

/// Rows read per page while verifying.
const VERIFY_PAGE: i64 = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum AuditLogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Merkle tree: {0}")]
    Tree(#[from] TreeError),
    #[error("stored audit data is corrupt: {0}")]
    Corrupt(String),
    #[error("signing the checkpoint failed: {0}")]
    Sign(String),
    #[error("no such event in the log")]
    UnknownEvent,
    #[error("the event is not in the log yet; retry after the next checkpoint")]
    NotYetSequenced,
    #[error("no checkpoint has been published yet")]
    NoCheckpoint,
    #[error("no checkpoint at tree size {0}")]
    UnknownCheckpoint(u64),
    #[error("{0}")]
    BadRange(String),
}

impl Problem for AuditLogError {
    fn kind(&self) -> ErrorKind {
        match self {
            AuditLogError::Store(e) => e.kind(),
            AuditLogError::UnknownEvent
            | AuditLogError::NoCheckpoint
            | AuditLogError::UnknownCheckpoint(_)
            // A well-formed question with no answer: no proof exists between such sizes.
            | AuditLogError::BadRange(_) => ErrorKind::NotFound,
            AuditLogError::NotYetSequenced => ErrorKind::Conflict,
            _ => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AuditLogError::Store(e) => e.code(),
            AuditLogError::UnknownEvent => "unknown-event",
            AuditLogError::NotYetSequenced => "not-yet-sequenced",
            AuditLogError::NoCheckpoint => "no-checkpoint",
            AuditLogError::UnknownCheckpoint(_) => "unknown-checkpoint",
            AuditLogError::BadRange(_) => "bad-tree-range",
            _ => "internal",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        matches!(self, AuditLogError::NotYetSequenced).then_some(2)
    }
}

fn sqlx_err(e: sqlx::Error) -> AuditLogError {
    AuditLogError::Store(StoreError::from_sqlx(e))
}

/// What one sequencing run integrated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sequenced {
    pub old_size: u64,
    pub new_size: u64,
    pub root: Hash,
    /// Whether a new checkpoint was signed.
    pub signed: bool,
}

/// One archived checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed note text.
    pub note: String,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
}

/// An event's inclusion proof against a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventProof {
    pub leaf_hash: Hash,
    pub proof: InclusionProof,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: String,
}

/// The tamper-evident log.
#[derive(Clone, Debug)]
pub struct AuditLog {
    db: Database,
    origin: String,
    verifiers: VerifierSet,
    signer: Option<KeyStoreNoteSigner>,
}

impl AuditLog {
    /// A log that sequences and signs with `signer` (whose name is the origin).
    pub fn new(db: Database, signer: KeyStoreNoteSigner) -> Self {
        Self {
            origin: signer.name().to_owned(),
            verifiers: VerifierSet::single(signer.verifier().clone()),
            db,
            signer: Some(signer),
        }
    }

    /// A read-only view for verifying with known keys (e.g. an auditor's copy of the database).
    pub fn verifier_only(db: Database, origin: impl Into<String>, verifiers: VerifierSet) -> Self {
        Self {
            db,
            origin: origin.into(),
            verifiers,
            signer: None,
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn verifiers(&self) -> &VerifierSet {
        &self.verifiers
    }

    /// Integrates every committed event not yet in the tree, in batches, signing a checkpoint
    /// after each batch. Returns the last batch's outcome (`None` if nothing changed).
    pub async fn sequence(&self) -> Result<Option<Sequenced>, AuditLogError> {
        let mut last = None;
        // Within one run each batch starts after the previous one's last key, so a backlog
        // does not rescan what it just sequenced (on PostgreSQL those index entries stay until
        // vacuum). An event that commits late with an earlier key waits for the next run.
        let mut after = None;
        while let Some((s, key)) = self.batch(DEFAULT_BATCH, after.as_ref()).await? {
            let more = s.new_size - s.old_size == DEFAULT_BATCH as u64;
            last = Some(s);
            after = key;
            if !more {
                break;
            }
        }
        Ok(last)
    }

    /// Integrates up to `max` waiting events in one transaction: leaf indexes, stored hashes and
    /// the signed checkpoint commit together, so a crash part-way loses nothing and the next run
    /// starts over from the same state.
    pub async fn sequence_batch(&self, max: usize) -> Result<Option<Sequenced>, AuditLogError> {
        Ok(self.batch(max, None).await?.map(|(s, _)| s))
    }

    async fn batch(
        &self,
        max: usize,
        after: Option<&(i64, String)>,
    ) -> Result<Option<(Sequenced, Option<(i64, String)>)>, AuditLogError> {
        let mut tx = self.db.begin_bookkeeping("audit log sequencing").await?;
        if let TxConn::Postgres(c) = tx.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(SEQUENCER_LOCK)
                .execute(&mut **c)
                .await
                .map_err(sqlx_err)?;
        }
        let size = tree_size_tx(&mut tx).await?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE leaf_index IS NULL \
             AND (at > $2 OR (at = $2 AND id > $3)) ORDER BY at, id LIMIT $1"
        );
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let (after_at, after_id) = after.cloned().unwrap_or((i64::MIN, String::new()));
        let rows: Vec<EventRow> = on_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(limit)
            .bind(after_at)
            .bind(&after_id)
            .fetch_all(c)
            .await)
        .map_err(sqlx_err)?;
        let key = rows.last().map(|r| (r.at, r.id.clone()));
        let latest = latest_checkpoint_size_tx(&mut tx).await?;
        if rows.is_empty() && latest == Some(size) {
            tx.rollback().await?;
            return Ok(None);
        }
        let frontier = read_hashes_tx(&mut tx, &tree_hash_indexes(size)?).await?;
        let leaves: Vec<Hash> = rows.iter().map(|r| leaf_hash(&r.entry())).collect();
        let appended = append_leaves(size, &frontier, &leaves)?;
        assign_leaf_indexes(&mut tx, &rows, size).await?;
        let indexed: Vec<(u64, Hash)> = appended.indexed().collect();
        for chunk in indexed.chunks(500) {
            let mut sql = String::from("INSERT INTO audit_hashes (idx, hash) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
            }
            let mut values = Vec::with_capacity(chunk.len());
            for (idx, hash) in chunk {
                values.push((to_i64(*idx)?, hash.0.to_vec()));
            }
            on_tx!(tx, |c| {
                let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
                for (idx, hash) in &values {
                    q = q.bind(*idx).bind(hash.clone());
                }
                q.execute(c).await.map(drop)
            })
            .map_err(sqlx_err)?;
        }
        let mut signed = false;
        if let Some(signer) = &self.signer {
            let note = Checkpoint::new(&self.origin, appended.new_size, appended.root)
                .sign(signer)
                .map_err(|e| AuditLogError::Sign(e.to_string()))?;
            let now = tx.now().as_micros();
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (size) DO NOTHING"
            )
            .bind(to_i64(appended.new_size)?)
            .bind(appended.root.0.to_vec())
            .bind(&note)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
            .map_err(sqlx_err)?;
            signed = true;
        }
        tx.commit().await?;
        let sequenced = Sequenced {
            old_size: appended.old_size,
            new_size: appended.new_size,
            root: appended.root,
            signed,
        };
        Ok(Some((sequenced, key)))
    }

    /// The newest checkpoint.
    pub async fn latest_checkpoint(&self) -> Result<StoredCheckpoint, AuditLogError> {
        self.checkpoints(None, 1, true)
            .await?
            .pop()
            .ok_or(AuditLogError::NoCheckpoint)
    }

    /// The checkpoint at exactly `size`.
    pub async fn checkpoint(&self, size: u64) -> Result<StoredCheckpoint, AuditLogError> {
        let row: Option<CheckpointRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT size, root, note, created_at FROM audit_checkpoints WHERE size = $1"
        )
        .bind(to_i64(size)?)
        .fetch_optional(p)
        .await)
        .map_err(sqlx_err)?;
        row.ok_or(AuditLogError::UnknownCheckpoint(size))?
            .into_checkpoint()
    }

    /// Archived checkpoints with size greater than `after`, oldest first (or newest first).
    pub async fn checkpoints(
        &self,
        after: Option<u64>,
        limit: u32,
        newest_first: bool,
    ) -> Result<Vec<StoredCheckpoint>, AuditLogError> {
        let sql = format!(
            "SELECT size, root, note, created_at FROM audit_checkpoints WHERE size > $1 \
             ORDER BY size {} LIMIT $2",
            if newest_first { "DESC" } else { "ASC" }
        );
        let after = after.map(to_i64).transpose()?.unwrap_or(-1);
        let rows: Vec<CheckpointRow> =
            on_reader!(self.db, |p| sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(p)
                .await)
            .map_err(sqlx_err)?;
        rows.into_iter()
            .map(CheckpointRow::into_checkpoint)
            .collect()
    }

    /// Proof that event `id` is in the tree of the checkpoint at `size` (default: the newest).
    pub async fn inclusion_proof(
        &self,
        id: &str,
        size: Option<u64>,
    ) -> Result<EventProof, AuditLogError> {
        // Event ids are UUIDs: anything else (e.g. text with a NUL, which PostgreSQL refuses)
        // names no event.
        let id: dasan_kernel::id::EventId = id.parse().map_err(|_| AuditLogError::UnknownEvent)?;
        let leaf: Option<(Option<i64>,)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT leaf_index FROM audit_events WHERE id = $1"
        )
        .bind(id.to_string())
        .fetch_optional(p)
        .await)
        .map_err(sqlx_err)?;
        let index = match leaf {
            None => return Err(AuditLogError::UnknownEvent),
            Some((None,)) => return Err(AuditLogError::NotYetSequenced),
            Some((Some(i),)) => from_i64(i)?,
        };
        self.proof_at(index, size).await
    }

    /// Proof that leaf `index` is in the tree of the checkpoint at `size` (default: the newest).
    pub async fn proof_at(
        &self,
        index: u64,
        size: Option<u64>,
    ) -> Result<EventProof, AuditLogError> {
        let checkpoint = match size {
            Some(s) => self.checkpoint(s).await?,
            None => self.latest_checkpoint().await?,
        };
        if index >= checkpoint.size {
            return Err(AuditLogError::NotYetSequenced);
        }
        let indexes = record_proof_indexes(checkpoint.size, index)?;
        let hashes = self.read_hashes(&indexes).await?;
        let proof = record_proof_from_hashes(checkpoint.size, index, &hashes)?;
        let leaf_at = leaf_stored_index(index).ok_or(TreeError::TooLarge(index))?;
        let leaf_hash = self
            .read_hashes(&[leaf_at])
            .await?
            .pop()
            .ok_or_else(|| AuditLogError::Corrupt(format!("leaf hash {index} is missing")))?;
        Ok(EventProof {
            leaf_hash,
            proof,
            checkpoint: checkpoint.note,
        })
    }

    /// Proof that the tree of `new` records extends the tree of `old` records. Both must be
    /// checkpointed sizes, so that the proof leads between published roots.
    pub async fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<ConsistencyProof, AuditLogError> {
        if old > new {
            return Err(AuditLogError::BadRange(format!(
                "the old size {old} is larger than the new size {new}"
            )));
        }
        self.checkpoint(new).await?;
        let indexes = tree_proof_indexes(new, old)
            .map_err(|e| AuditLogError::BadRange(format!("no proof from {old} to {new}: {e}")))?;
        let hashes = self.read_hashes(&indexes).await?;
        Ok(tree_proof_from_hashes(new, old, &hashes)?)
    }

    /// The leaf (entry bytes) of one event, for a party allowed to see it.
    pub async fn event(&self, id: &str) -> Result<(Option<u64>, EventRow), AuditLogError> {
        let sql = format!("SELECT leaf_index, {EVENT_COLUMNS} FROM audit_events WHERE id = $1");
        let row = on_reader!(self.db, |p| sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(p)
            .await
            .and_then(|r| r.map(|r| indexed_row(&r)).transpose()))
        .map_err(sqlx_err)?;
        let (index, row) = row.ok_or(AuditLogError::UnknownEvent)?;
        Ok((index.map(from_i64).transpose()?, row))
    }

    /// Recomputes the whole tree from the stored events and checks every stored hash and every
    /// stored checkpoint (signature, origin and root). Streams: memory stays flat at any size.
    pub async fn verify(&self) -> Result<Report, AuditLogError> {
        let stored: Vec<CheckpointRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT size, root, note, created_at FROM audit_checkpoints ORDER BY size"
        )
        .fetch_all(p)
        .await)
        .map_err(sqlx_err)?;
        let mut v = LogVerifier::with_stored_hashes([]);
        for cp in &stored {
            v.add_signed_checkpoint(&cp.note, &self.verifiers, &self.origin);
        }
        // Three stages overlap: a reader fetches pages (the database works on its own thread),
        // a hasher turns events into leaf hashes, and this task rebuilds the tree and compares.
        let (pages, mut incoming) = tokio::sync::mpsc::channel(2);
        let reader = tokio::spawn(read_pages(self.db.clone(), pages));
        let (hashed_out, mut hashed) = tokio::sync::mpsc::channel(2);
        let hasher = tokio::spawn(async move {
            while let Some(page) = incoming.recv().await {
                let page = page.map(|p: Page| {
                    let leaves: Vec<(i64, Hash)> = p
                        .events
                        .iter()
                        .map(|(index, row)| (*index, leaf_hash(&row.entry())))
                        .collect();
                    (leaves, p.hashes)
                });
                if hashed_out.send(page).await.is_err() {
                    break;
                }
            }
        });
        while let Some(page) = hashed.recv().await {
            let (leaves, hashes) = page?;
            for (index, leaf) in leaves {
                v.push_indexed_leaf_hash(u64::try_from(index).unwrap_or(u64::MAX), leaf);
            }
            for (idx, hash) in hashes {
                // A hash of the wrong length cannot match anything: report it as a mismatch.
                let hash = Hash::from_slice(&hash).unwrap_or(Hash([0; 32]));
                v.push_stored_hash(from_i64(idx)?, hash);
            }
        }
        hasher
            .await
            .map_err(|e| AuditLogError::Corrupt(format!("the verification hasher failed: {e}")))?;
        reader
            .await
            .map_err(|e| AuditLogError::Corrupt(format!("the verification reader failed: {e}")))?;
        Ok(v.finish())
    }

    async fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, AuditLogError> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = hashes_query(indexes.len());
        let ids = indexes
            .iter()
            .map(|i| to_i64(*i))
            .collect::<Result<Vec<_>, _>>()?;
        let rows: Vec<(i64, Vec<u8>)> = on_reader!(self.db, |p| {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
            for i in &ids {
                q = q.bind(*i);
            }
            q.fetch_all(p).await
        })
        .map_err(sqlx_err)?;
        order_hashes(indexes, rows)
    }
}

/// One page of what `verify` reads: events in leaf order, then the stored hashes they produce.
struct Page {
    events: Vec<(i64, EventRow)>,
    hashes: Vec<(i64, Vec<u8>)>,
}

async fn read_pages(db: Database, out: tokio::sync::mpsc::Sender<Result<Page, AuditLogError>>) {
    let result = async {
        let sql = format!(
            "SELECT leaf_index, {EVENT_COLUMNS} FROM audit_events \
             WHERE leaf_index IS NOT NULL AND leaf_index > $1 ORDER BY leaf_index LIMIT $2"
        );
        let mut after: i64 = -1;
        let mut records: u64 = 0;
        let mut hashes_done: u64 = 0;
        loop {
            let events: Vec<(i64, EventRow)> = on_reader!(db, |p| {
                sqlx::query(AssertSqlSafe(sql.as_str()))
                    .bind(after)
                    .bind(VERIFY_PAGE)
                    .fetch_all(p)
                    .await
                    .and_then(|rows| {
                        rows.iter()
                            .map(|r| indexed_row(r).map(|(i, row)| (i.unwrap_or(-1), row)))
                            .collect::<Result<Vec<_>, sqlx::Error>>()
                    })
            })
            .map_err(sqlx_err)?;
            let Some(last) = events.last() else { break };
            after = last.0;
            records += events.len() as u64;
            let upto = stored_hash_count(records).ok_or(TreeError::TooLarge(records))?;
            let (hashes, next) = read_hash_range(&db, hashes_done, Some(upto)).await?;
            hashes_done = next;
            if out.send(Ok(Page { events, hashes })).await.is_err() {
                return Ok(());
            }
        }
        // Whatever is stored beyond the records is unexpected (a truncated event table).
        loop {
            let (hashes, next) = read_hash_range(&db, hashes_done, None).await?;
            if hashes.is_empty() {
                return Ok(());
            }
            hashes_done = next;
            let page = Page {
                events: Vec::new(),
                hashes,
            };
            if out.send(Ok(page)).await.is_err() {
                return Ok(());
            }
        }
    }
    .await;
    if let Err(e) = result {
        let _ = out.send(Err(e)).await;
    }
}

/// Stored hashes with index in `[from, upto)` (to the end if `upto` is None), and where the
/// next range starts.
async fn read_hash_range(
    db: &Database,
    from: u64,
    upto: Option<u64>,
) -> Result<(Vec<(i64, Vec<u8>)>, u64), AuditLogError> {
    let end = upto.map(to_i64).transpose()?.unwrap_or(i64::MAX);
    let rows: Vec<(i64, Vec<u8>)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT idx, hash FROM audit_hashes WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3"
    )
    .bind(to_i64(from)?)
    .bind(end)
    .bind(VERIFY_PAGE * 3)
    .fetch_all(p)
    .await)
    .map_err(sqlx_err)?;
    let next = match rows.last() {
        Some(last) => from_i64(last.0)? + 1,
        None => from,
    };
    Ok((rows, next))
}

fn hashes_query(n: usize) -> String {
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!(
        "SELECT idx, hash FROM audit_hashes WHERE idx IN ({})",
        placeholders.join(",")
    )
}

fn order_hashes(indexes: &[u64], rows: Vec<(i64, Vec<u8>)>) -> Result<Vec<Hash>, AuditLogError> {
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for (idx, hash) in rows {
        let hash = Hash::from_slice(&hash)
            .map_err(|_| AuditLogError::Corrupt(format!("stored hash {idx} is not 32 bytes")))?;
        found.insert(from_i64(idx)?, hash);
    }
    indexes
        .iter()
        .map(|i| {
            found
                .get(i)
                .copied()
                .ok_or_else(|| AuditLogError::Corrupt(format!("stored hash {i} is missing")))
        })
        .collect()
}

async fn read_hashes_tx(tx: &mut Tx, indexes: &[u64]) -> Result<Vec<Hash>, AuditLogError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = hashes_query(indexes.len());
    let ids = indexes
        .iter()
        .map(|i| to_i64(*i))
        .collect::<Result<Vec<_>, _>>()?;
    let rows: Vec<(i64, Vec<u8>)> = on_tx!(tx, |c| {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
        for i in &ids {
            q = q.bind(*i);
        }
        q.fetch_all(c).await
    })
    .map_err(sqlx_err)?;
    order_hashes(indexes, rows)
}

/// Gives `rows` the leaf indexes from `first` on. SQLite runs in-process, so one cached
/// statement per row is fastest (its UPDATE … FROM would scan the table per statement);
/// PostgreSQL gets one statement per 500 rows to save round trips.
async fn assign_leaf_indexes(
    tx: &mut Tx,
    rows: &[EventRow],
    first: u64,
) -> Result<(), AuditLogError> {
    let mut updated = 0u64;
    match tx.conn() {
        TxConn::Sqlite(c) => {
            for (i, row) in rows.iter().enumerate() {
                updated += sqlx::query(
                    "UPDATE audit_events SET leaf_index = $1 WHERE id = $2 AND leaf_index IS NULL",
                )
                .bind(to_i64(first + i as u64)?)
                .bind(&row.id)
                .execute(&mut **c)
                .await
                .map_err(sqlx_err)?
                .rows_affected();
            }
        }
        TxConn::Postgres(c) => {
            for (chunk_no, chunk) in rows.chunks(500).enumerate() {
                let mut sql =
                    String::from("UPDATE audit_events SET leaf_index = v.column2 FROM (VALUES ");
                let mut values = Vec::with_capacity(chunk.len());
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
                    values.push((
                        row.id.as_str(),
                        to_i64(first + (chunk_no * 500 + i) as u64)?,
                    ));
                }
                sql.push_str(
                    ") AS v WHERE audit_events.id = v.column1 AND audit_events.leaf_index IS NULL",
                );
                let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
                for (id, index) in &values {
                    q = q.bind(*id).bind(*index);
                }
                updated += q.execute(&mut **c).await.map_err(sqlx_err)?.rows_affected();
            }
        }
    }
    if updated != rows.len() as u64 {
        return Err(AuditLogError::Corrupt(format!(
            "sequenced {updated} of {} events: the table changed under the sequencer",
            rows.len()
        )));
    }
    Ok(())
}

async fn tree_size_tx(tx: &mut Tx) -> Result<u64, AuditLogError> {
    let (max,): (Option<i64>,) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT MAX(leaf_index) FROM audit_events"
    )
    .fetch_one(c)
    .await)
    .map_err(sqlx_err)?;
    match max {
        None => Ok(0),
        Some(m) => Ok(from_i64(m)? + 1),
    }
}

async fn latest_checkpoint_size_tx(tx: &mut Tx) -> Result<Option<u64>, AuditLogError> {
    let (max,): (Option<i64>,) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT MAX(size) FROM audit_checkpoints"
    )
    .fetch_one(c)
    .await)
    .map_err(sqlx_err)?;
    max.map(from_i64).transpose()
}

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    size: i64,
    root: Vec<u8>,
    note: String,
    created_at: i64,
}

impl CheckpointRow {
    fn into_checkpoint(self) -> Result<StoredCheckpoint, AuditLogError> {
        Ok(StoredCheckpoint {
            size: from_i64(self.size)?,
            root: Hash::from_slice(&self.root)
                .map_err(|_| AuditLogError::Corrupt("checkpoint root is not 32 bytes".into()))?,
            note: self.note,
            created_at: self.created_at,
        })
    }
}

fn indexed_row<R>(r: &R) -> Result<(Option<i64>, EventRow), sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        r.try_get(0)?,
        EventRow {
            id: r.try_get(1)?,
            at: r.try_get(2)?,
            actor_kind: r.try_get(3)?,
            actor_account: r.try_get(4)?,
            actor_agency: r.try_get(5)?,
            on_behalf_of: r.try_get(6)?,
            request_id: r.try_get(7)?,
            action: r.try_get(8)?,
            subject: r.try_get(9)?,
            purpose: r.try_get(10)?,
            detail: r.try_get(11)?,
        },
    ))
}

fn to_i64(v: u64) -> Result<i64, AuditLogError> {
    i64::try_from(v).map_err(|_| AuditLogError::BadRange(format!("{v} is too large")))
}

fn from_i64(v: i64) -> Result<u64, AuditLogError> {
    u64::try_from(v).map_err(|_| AuditLogError::Corrupt(format!("negative index {v}")))
}

/// Checks that `new_note` (today's checkpoint from the log) is an append-only extension of
/// `old_note` (a checkpoint an auditor kept), given the log's consistency proof.
pub fn check_extension(
    old_note: &str,
    new_note: &str,
    proof: &ConsistencyProof,
    verifiers: &VerifierSet,
    origin: &str,
) -> Result<(Checkpoint, Checkpoint), String> {
    let (old, _) = Checkpoint::open(old_note, verifiers, origin)
        .map_err(|e| format!("the kept checkpoint does not verify: {e}"))?;
    let (new, _) = Checkpoint::open(new_note, verifiers, origin)
        .map_err(|e| format!("the log's current checkpoint does not verify: {e}"))?;
    new.verify_extends(&old, proof).map_err(|e| {
        format!("the log is NOT an append-only extension of the kept checkpoint: {e}")
    })?;
    Ok((old, new))
}

/// The tree head of a checkpoint note, without verifying its signature.
pub fn unverified_head(note: &str) -> Option<TreeHead> {
    let body = note.split("\n\n").next()?;
    Checkpoint::parse(&format!("{body}\n"))
        .ok()
        .map(|c| c.tree_head())
}
