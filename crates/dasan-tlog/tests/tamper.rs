//! End-to-end behaviour the audit log relies on: a log with signed checkpoints verifies clean,
//! and editing, deleting, reordering or truncating records — or rewriting history consistently —
//! is detected and located.

use dasan_tlog::*;

const ORIGIN: &str = "dasan.example/audit";

struct Log {
    entries: Vec<Vec<u8>>,
    store: MemoryHashStore,
    notes: Vec<String>,
    signer: Ed25519NoteSigner,
}

fn signer() -> Ed25519NoteSigner {
    Ed25519NoteSigner::new(ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[9; 32])).expect("key")
}

/// 1000 records appended in batches of 100, with a signed checkpoint after each batch.
fn build() -> Log {
    let signer = signer();
    let entries: Vec<Vec<u8>> = (0..1000)
        .map(|i| format!("{{\"event\":{i},\"actor\":\"clerk-{}\"}}", i % 7).into_bytes())
        .collect();
    let mut store = MemoryHashStore::new();
    let mut notes = Vec::new();
    for chunk in entries.chunks(100) {
        let leaves: Vec<Hash> = chunk.iter().map(|e| leaf_hash(e)).collect();
        let a = store.append(&leaves).expect("append");
        notes.push(
            Checkpoint::new(ORIGIN, a.new_size, a.root)
                .sign(&signer)
                .expect("sign"),
        );
    }
    Log {
        entries,
        store,
        notes,
        signer,
    }
}

fn verifiers(log: &Log) -> VerifierSet {
    VerifierSet::single(log.signer.verifier())
}

/// Runs the verifier as `dasan audit verify` would: records with their stored indexes, stored
/// hashes page by page, every stored checkpoint note.
fn audit(
    records: &[(u64, Vec<u8>)],
    stored: Option<&[Hash]>,
    notes: &[String],
    v: &VerifierSet,
) -> Report {
    let mut ver = if stored.is_some() {
        LogVerifier::with_stored_hashes([])
    } else {
        LogVerifier::new([])
    };
    for n in notes {
        ver.add_signed_checkpoint(n, v, ORIGIN);
    }
    let mut next_row = 0u64;
    for page in records.chunks(64) {
        for (i, e) in page {
            ver.push_record(*i, e);
        }
        if let Some(s) = stored {
            let upto = stored_hash_count(ver.size())
                .expect("count")
                .min(s.len() as u64);
            while next_row < upto {
                ver.push_stored_hash(next_row, s[usize::try_from(next_row).expect("small")]);
                next_row += 1;
            }
        }
    }
    if let Some(s) = stored {
        while (next_row as usize) < s.len() {
            ver.push_stored_hash(next_row, s[usize::try_from(next_row).expect("small")]);
            next_row += 1;
        }
    }
    ver.finish()
}

fn indexed(entries: &[Vec<u8>]) -> Vec<(u64, Vec<u8>)> {
    (0u64..).zip(entries.iter().cloned()).collect()
}

#[test]
fn clean_log_verifies() {
    let log = build();
    let r = audit(
        &indexed(&log.entries),
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert!(r.is_ok(), "{:?}", r.findings);
    assert_eq!(r.size, 1000);
    assert_eq!(r.checkpoints_checked, 10);
    assert_eq!(
        r.stored_hashes_checked,
        stored_hash_count(1000).expect("count")
    );
    assert_eq!(r.root, tree_hash(1000, &log.store).expect("root"));
    assert_eq!(r.first_bad_record(), None);

    let simple = verify_log(
        log.entries.iter().map(Vec::as_slice),
        Some(log.store.hashes()),
        [TreeHead {
            size: 1000,
            root: r.root,
        }],
    );
    assert!(simple.is_ok(), "{:?}", simple.findings);
}

#[test]
fn edited_record_is_located() {
    let log = build();
    let mut records = indexed(&log.entries);
    records[437].1 = b"{\"event\":437,\"actor\":\"mallory\"}".to_vec();
    let v = verifiers(&log);

    let r = audit(&records, Some(log.store.hashes()), &log.notes, &v);
    assert!(!r.is_ok());
    assert_eq!(r.first_bad_record(), Some(437));
    assert!(matches!(
        r.findings[0],
        Finding::StoredHashMismatch {
            level: 0,
            n: 437,
            ..
        }
    ));
    assert_eq!(r.first_bad_records(), Some(437..438));
    // The parents of the changed leaf are not reported again; the six checkpoints from size 500
    // on are.
    assert_eq!(r.findings_total, 7, "{:#?}", r.findings);

    // Without stored hashes, the checkpoints still catch it and bound it: [400, 500).
    let r = audit(&records, None, &log.notes, &v);
    assert_eq!(r.first_bad_records(), Some(400..500));
    assert!(matches!(
        r.findings[0],
        Finding::CheckpointMismatch {
            size: 500,
            last_good_size: 400,
            ..
        }
    ));
}

#[test]
fn deleted_record_is_located() {
    let log = build();
    let mut records = indexed(&log.entries);
    records.remove(250);
    let r = audit(
        &records,
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(r.first_bad_record(), Some(250));
    assert_eq!(
        r.findings[0],
        Finding::RecordIndexGap {
            expected: 250,
            found: 251
        }
    );

    // Rows without an index column: the shift shows up as a leaf mismatch at 250.
    let shifted: Vec<(u64, Vec<u8>)> = (0u64..).zip(records.into_iter().map(|r| r.1)).collect();
    let r = audit(
        &shifted,
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(r.first_bad_record(), Some(250));
}

#[test]
fn reordered_records_are_located() {
    let log = build();
    let mut records = indexed(&log.entries);
    let (a, b) = (records[612].1.clone(), records[613].1.clone());
    records[612].1 = b;
    records[613].1 = a;
    let r = audit(
        &records,
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(r.first_bad_record(), Some(612));
    let r = audit(&records, None, &log.notes, &verifiers(&log));
    assert_eq!(r.first_bad_record(), Some(600));
}

#[test]
fn truncated_log_is_detected() {
    let log = build();
    let records = indexed(&log.entries[..950]);
    let r = audit(
        &records,
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert!(!r.is_ok());
    assert_eq!(r.first_bad_record(), Some(950));
    assert!(r.findings.contains(&Finding::CheckpointBeyondLog {
        size: 1000,
        log_size: 950
    }));
    // The stored hash table truncated consistently: the checkpoint still gives it away.
    let cut = usize::try_from(stored_hash_count(950).expect("count")).expect("small");
    let r = audit(
        &records,
        Some(&log.store.hashes()[..cut]),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(
        r.findings,
        vec![Finding::CheckpointBeyondLog {
            size: 1000,
            log_size: 950
        }]
    );
}

#[test]
fn consistently_rewritten_history_is_caught_by_checkpoints() {
    let log = build();
    let mut entries = log.entries.clone();
    entries[123] = b"rewritten".to_vec();
    // The attacker recomputes every stored hash, but cannot re-sign checkpoints.
    let mut forged = MemoryHashStore::new();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    forged.append(&leaves).expect("append");
    let r = audit(
        &indexed(&entries),
        Some(forged.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(r.first_bad_record(), Some(100));
    assert!(matches!(
        r.findings[0],
        Finding::CheckpointMismatch { size: 200, .. }
    ));
    // Re-signing with another key does not help: those checkpoints are rejected.
    let mallory = Ed25519NoteSigner::new(ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[66; 32]))
        .expect("key");
    let notes: Vec<String> = (1..=10u64)
        .map(|i| {
            Checkpoint::new(ORIGIN, i * 100, tree_hash(i * 100, &forged).expect("root"))
                .sign(&mallory)
                .expect("sign")
        })
        .collect();
    let r = audit(
        &indexed(&entries),
        Some(forged.hashes()),
        &notes,
        &verifiers(&log),
    );
    assert_eq!(r.findings_total, 10);
    assert!(
        r.findings
            .iter()
            .all(|f| matches!(f, Finding::CheckpointInvalid { .. }))
    );
}

#[test]
fn tampered_interior_hash_and_missing_rows_are_reported() {
    let log = build();
    let records = indexed(&log.entries);
    let mut hashes = log.store.hashes().to_vec();
    let idx = stored_hash_index(3, 20).expect("index");
    hashes[usize::try_from(idx).expect("small")].0[5] ^= 1;
    let r = audit(&records, Some(&hashes), &log.notes, &verifiers(&log));
    assert_eq!(r.findings_total, 1);
    assert!(matches!(
        r.findings[0],
        Finding::StoredHashMismatch {
            level: 3,
            n: 20,
            first_record: 160,
            ..
        }
    ));

    let mut hashes = log.store.hashes().to_vec();
    hashes.remove(usize::try_from(idx).expect("small"));
    let rows: Vec<(u64, Hash)> = (0u64..)
        .zip(log.store.hashes().iter().copied())
        .filter(|(i, _)| *i != idx)
        .collect();
    let mut ver = LogVerifier::with_stored_hashes([]);
    for (i, e) in &records {
        ver.push_record(*i, e);
    }
    for (i, h) in rows {
        ver.push_stored_hash(i, h);
    }
    let r = ver.finish();
    assert_eq!(
        r.findings,
        vec![Finding::StoredHashMissing {
            index: idx,
            level: 3,
            n: 20
        }]
    );
}

#[test]
fn tampered_checkpoints_are_rejected() {
    let log = build();
    let v = verifiers(&log);
    let records = indexed(&log.entries);
    // Change the root of a stored checkpoint: the signature no longer verifies.
    let mut notes = log.notes.clone();
    let (cp, _) = Checkpoint::open(&notes[3], &v, ORIGIN).expect("open");
    let other = Hash([0x55; 32]).to_base64();
    notes[3] = notes[3].replace(&cp.root.to_base64(), &other);
    let r = audit(&records, None, &notes, &v);
    assert_eq!(r.findings_total, 1);
    assert!(
        matches!(&r.findings[0], Finding::CheckpointInvalid { position: 3, error } if error.contains("invalid signature"))
    );

    // A checkpoint for another log is refused even if our key signed it.
    let foreign = Checkpoint::new("other.example/log", 100, cp.root)
        .sign(&log.signer)
        .expect("sign");
    assert!(matches!(
        Checkpoint::open(&foreign, &v, ORIGIN),
        Err(CheckpointError::OriginMismatch { .. })
    ));
}

#[test]
fn outside_auditor_checks_append_only_extension() {
    let log = build();
    let v = verifiers(&log);
    let (old, _) = Checkpoint::open(&log.notes[2], &v, ORIGIN).expect("old");
    let (new, _) = Checkpoint::open(&log.notes[9], &v, ORIGIN).expect("new");
    let proof = prove_tree(new.size, old.size, &log.store).expect("prove");
    new.verify_extends(&old, &proof).expect("extends");
    // JSON round trip, as over the API.
    let json = serde_json::to_string(&proof).expect("json");
    let back: ConsistencyProof = serde_json::from_str(&json).expect("parse");
    new.verify_extends(&old, &back).expect("extends");

    // A forked log (record 50 rewritten) cannot prove it extends the old checkpoint.
    let mut entries = log.entries.clone();
    entries[50] = b"fork".to_vec();
    let mut fork = MemoryHashStore::new();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    let a = fork.append(&leaves).expect("append");
    let forked = Checkpoint::new(ORIGIN, a.new_size, a.root);
    let fproof = prove_tree(1000, old.size, &fork).expect("prove");
    assert!(matches!(
        forked.verify_extends(&old, &fproof),
        Err(AuditError::Proof(_))
    ));
    // Shrinking, and proofs for other sizes, are refused.
    assert!(matches!(
        old.verify_extends(&new, &proof),
        Err(AuditError::Shrunk { .. })
    ));
    let wrong = prove_tree(new.size, 200, &log.store).expect("prove");
    assert!(matches!(
        new.verify_extends(&old, &wrong),
        Err(AuditError::ProofSizes { .. })
    ));
}

#[test]
fn tlog_proof_round_trip_and_tamper() {
    let log = build();
    let v = verifiers(&log);
    let note = &log.notes[4];
    let (cp, _) = Checkpoint::open(note, &v, ORIGIN).expect("open");
    let inc = prove_record(cp.size, 321, &log.store).expect("prove");
    let text = TlogProof::new(&inc, note).to_text();
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 321\n"));
    let parsed = TlogProof::parse(&text).expect("parse");
    let leaf = leaf_hash(&log.entries[321]);
    assert_eq!(parsed.verify(&leaf, &v, ORIGIN).expect("verify"), cp);
    assert!(parsed.verify(&leaf_hash(b"other"), &v, ORIGIN).is_err());
    let mut bad = parsed.clone();
    bad.hashes[2].0[0] ^= 1;
    assert!(matches!(
        bad.verify(&leaf, &v, ORIGIN),
        Err(TlogProofError::Proof(_))
    ));
    let mut bad = parsed.clone();
    bad.index = 322;
    assert!(bad.verify(&leaf, &v, ORIGIN).is_err());
    let mut bad = parsed;
    bad.checkpoint = log.notes[5].clone();
    assert!(bad.verify(&leaf, &v, ORIGIN).is_err());
}

#[test]
fn findings_are_capped_but_counted() {
    let log = build();
    let records: Vec<(u64, Vec<u8>)> = indexed(&log.entries)
        .into_iter()
        .map(|(i, e)| (i, [e, b"!".to_vec()].concat()))
        .collect();
    let r = audit(
        &records,
        Some(log.store.hashes()),
        &log.notes,
        &verifiers(&log),
    );
    assert_eq!(r.findings.len(), MAX_FINDINGS);
    assert!(r.findings_total > 1000);
    assert_eq!(r.first_bad_record(), Some(0));
    // Findings serialize for a JSON report.
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["findings"][0]["kind"], "stored_hash_mismatch");
}

#[test]
fn misuse_never_reports_a_clean_run() {
    let log = build();
    let mut v = LogVerifier::new([]);
    v.push_record(0, &log.entries[0]);
    v.push_stored_hash(0, log.store.hashes()[0]);
    let r = v.finish();
    assert!(!r.is_ok());
    // A checkpoint added after its size was passed is reported, not skipped.
    let mut v = LogVerifier::new([]);
    for (i, e) in indexed(&log.entries[..10]) {
        v.push_record(i, &e);
    }
    v.add_checkpoint(TreeHead {
        size: 5,
        root: Hash::ZERO,
    });
    assert!(!v.finish().is_ok());
}
