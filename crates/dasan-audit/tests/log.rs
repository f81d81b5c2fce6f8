#![allow(clippy::unwrap_used)]
//! The audit log on both engines: sequencing, checkpoints, proofs, and tamper detection.

use dasan_audit::{AuditLog, KeyStoreNoteSigner, check_extension};
use dasan_crypto::{FileKeyStore, KekSource, KeyStore};
use dasan_kernel::Actor;
use dasan_store::testing::TestDatabase;
use dasan_store::{Engine, engine_tests};
use dasan_tlog::verify::Finding;
use sqlx::Connection;
use std::sync::Arc;
use std::time::SystemTime;

struct Fixture {
    t: TestDatabase,
    log: AuditLog,
    _keys: tempfile::TempDir,
}

async fn fixture(engine: Engine) -> Fixture {
    let t = TestDatabase::migrated(engine).await;
    let keys = tempfile::tempdir().unwrap();
    let kek = keys.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let store: Arc<dyn KeyStore> = Arc::new(
        FileKeyStore::create(keys.path().join("store"), &KekSource::KeyFile(kek)).unwrap(),
    );
    let signer =
        KeyStoreNoteSigner::open_or_create(store, "test.dasan.example/audit", SystemTime::now())
            .unwrap();
    let log = AuditLog::new(t.db.clone(), signer);
    Fixture {
        t,
        log,
        _keys: keys,
    }
}

/// Commits `n` business transactions, each with one audit event.
async fn changes(t: &TestDatabase, n: usize) {
    for i in 0..n {
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        tx.record(
            "test.change",
            format!("thing:{i}"),
            serde_json::json!({ "n": i, "note": "ünïcode \"quoted\"" }),
        );
        tx.commit().await.unwrap();
    }
}

/// Tampers as an insider with write access to the database would: outside any `Tx`.
async fn raw(t: &TestDatabase, engine: Engine, sql: &str) {
    match engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

engine_tests! {
    async fn sequencing_signs_checkpoints_and_proofs_verify(engine) {
        let f = fixture(engine).await;
        changes(&f.t, 7).await;
        let s = f.log.sequence().await.unwrap().unwrap();
        assert_eq!((s.old_size, s.new_size, s.signed), (0, 7, true));
        assert_eq!(f.log.sequence().await.unwrap(), None, "nothing new, nothing signed");
        changes(&f.t, 5).await;
        let s = f.log.sequence().await.unwrap().unwrap();
        assert_eq!((s.old_size, s.new_size), (7, 12));

        let latest = f.log.latest_checkpoint().await.unwrap();
        assert_eq!(latest.size, 12);
        let (cp, _) = dasan_tlog::Checkpoint::open(&latest.note, f.log.verifiers(), f.log.origin()).unwrap();
        assert_eq!(cp.root, s.root);

        // Every event's inclusion proof leads to the signed root, and its entry hashes to the leaf.
        let ids: Vec<(String,)> = dasan_store::on_reader!(f.t.db, |p| sqlx::query_as(
            "SELECT id FROM audit_events ORDER BY leaf_index").fetch_all(p).await).unwrap();
        assert_eq!(ids.len(), 12);
        for (id,) in &ids {
            let p = f.log.inclusion_proof(id, None).await.unwrap();
            p.proof.verify(&p.leaf_hash, &cp.root).unwrap();
            let (_, row) = f.log.event(id).await.unwrap();
            assert_eq!(dasan_tlog::leaf_hash(&row.entry()), p.leaf_hash);
            // Against the older checkpoint too, for the events it holds.
            if p.proof.leaf_index < 7 {
                let old = f.log.inclusion_proof(id, Some(7)).await.unwrap();
                assert_eq!(old.proof.tree_size, 7);
            }
        }
        // The old checkpoint extends to the new one.
        let old = f.log.checkpoint(7).await.unwrap();
        let proof = f.log.consistency_proof(7, 12).await.unwrap();
        check_extension(&old.note, &latest.note, &proof, f.log.verifiers(), f.log.origin()).unwrap();
        let archive = f.log.checkpoints(None, 100, false).await.unwrap();
        assert_eq!(archive.iter().map(|c| c.size).collect::<Vec<_>>(), vec![7, 12]);

        let report = f.log.verify().await.unwrap();
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(report.size, 12);
        assert_eq!(report.checkpoints_checked, 2);
    }

    async fn an_edited_event_is_found_at_its_index(engine) {
        let f = fixture(engine).await;
        changes(&f.t, 10).await;
        f.log.sequence().await.unwrap();
        raw(&f.t, engine, "UPDATE audit_events SET detail = '{\"n\":999}' WHERE leaf_index = 4").await;
        let report = f.log.verify().await.unwrap();
        assert!(!report.is_ok());
        assert_eq!(report.first_bad_record(), Some(4), "{report:?}");
    }

    async fn a_rewritten_history_breaks_the_signed_checkpoints(engine) {
        // An insider edits an event AND recomputes every stored hash: only the signatures,
        // which need the key store, still tell.
        let f = fixture(engine).await;
        changes(&f.t, 6).await;
        f.log.sequence().await.unwrap();
        raw(&f.t, engine, "UPDATE audit_events SET action = 'test.forged' WHERE leaf_index = 2").await;
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = NULL").await;
        raw(&f.t, engine, "DELETE FROM audit_hashes").await;
        let unsigned = AuditLog::verifier_only(f.t.db.clone(), f.log.origin(), f.log.verifiers().clone());
        unsigned.sequence().await.unwrap();
        let report = f.log.verify().await.unwrap();
        assert!(report.findings.iter().any(|x| matches!(x, Finding::CheckpointMismatch { size: 6, .. })), "{report:?}");
        // And a checkpoint re-signed with another key is rejected.
        let forged = dasan_tlog::Checkpoint::new(f.log.origin(), 6, report.root)
            .sign(&dasan_tlog::Ed25519NoteSigner::new(f.log.origin(), dasan_tlog::ed25519_dalek::SigningKey::from_bytes(&[9; 32])).unwrap())
            .unwrap();
        raw(&f.t, engine, &format!("UPDATE audit_checkpoints SET note = '{forged}' WHERE size = 6")).await;
        let report = f.log.verify().await.unwrap();
        assert!(report.findings.iter().any(|x| matches!(x, Finding::CheckpointInvalid { .. })), "{report:?}");
    }

    async fn deleted_reordered_and_truncated_events_are_found(engine) {
        let f = fixture(engine).await;
        changes(&f.t, 9).await;
        f.log.sequence().await.unwrap();

        // Reorder: swap two events' places.
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = -1 WHERE leaf_index = 3").await;
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = 3 WHERE leaf_index = 5").await;
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = 5 WHERE leaf_index = -1").await;
        let report = f.log.verify().await.unwrap();
        assert_eq!(report.first_bad_record(), Some(3), "{report:?}");
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = -1 WHERE leaf_index = 3").await;
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = 3 WHERE leaf_index = 5").await;
        raw(&f.t, engine, "UPDATE audit_events SET leaf_index = 5 WHERE leaf_index = -1").await;
        assert!(f.log.verify().await.unwrap().is_ok());

        // Delete one event in the middle.
        raw(&f.t, engine, "DELETE FROM audit_events WHERE leaf_index = 6").await;
        let report = f.log.verify().await.unwrap();
        assert!(report.findings.iter().any(|x| matches!(x, Finding::RecordIndexGap { expected: 6, found: 7 })), "{report:?}");
        assert_eq!(report.first_bad_record(), Some(6), "{report:?}");

        // Truncate: the tail and its hashes gone; the checkpoint still says 9.
        raw(&f.t, engine, "DELETE FROM audit_events WHERE leaf_index >= 5").await;
        raw(&f.t, engine, "DELETE FROM audit_hashes WHERE idx >= 8").await;
        let report = f.log.verify().await.unwrap();
        assert!(report.findings.iter().any(|x| matches!(x, Finding::CheckpointBeyondLog { size: 9, log_size: 5 })), "{report:?}");
    }

    async fn events_of_failed_transactions_never_reach_the_log(engine) {
        let f = fixture(engine).await;
        changes(&f.t, 2).await;
        let mut tx = f.t.db.begin(Actor::system()).await.unwrap();
        tx.record("test.change", "thing:x", serde_json::json!({}));
        tx.rollback().await.unwrap();
        let s = f.log.sequence().await.unwrap().unwrap();
        assert_eq!(s.new_size, 2);
        assert!(f.log.verify().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn an_empty_log_gets_a_checkpoint_of_size_zero() {
    let f = fixture(Engine::Sqlite).await;
    let s = f.log.sequence().await.unwrap().unwrap();
    assert_eq!((s.new_size, s.root), (0, dasan_tlog::empty_root()));
    assert_eq!(f.log.latest_checkpoint().await.unwrap().size, 0);
    assert!(matches!(
        f.log.inclusion_proof("nope", None).await,
        Err(dasan_audit::AuditLogError::UnknownEvent)
    ));
}
