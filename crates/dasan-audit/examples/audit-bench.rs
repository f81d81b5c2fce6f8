//! Audit log benchmark: `cargo run --release -p dasan-audit --example audit-bench -- URL N`
//!
//! 1. appends events through business transactions (one event per committed `Tx`) for a few
//!    seconds and reports events/s;
//! 2. fills the log to N events (multi-row inserts, the fast way to get a big log);
//! 3. sequences them (Merkle tree, stored hashes, one signed checkpoint per batch);
//! 4. times `AuditLog::verify` over the whole log (recompute everything, check all hashes and
//!    checkpoints).
//!
//! URL is a fresh database: `sqlite:///tmp/bench.db` or `postgres://…/bench`.
#![allow(clippy::unwrap_used)]

use dasan_audit::{AuditLog, KeyStoreNoteSigner};
use dasan_crypto::{FileKeyStore, KekSource, KeyStore};
use dasan_kernel::Actor;
use dasan_store::{Database, DatabaseOptions, on_tx};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("database URL");
    let n: u64 = args.next().map(|s| s.parse().unwrap()).unwrap_or(1_000_000);
    let db = Database::connect(&DatabaseOptions::new(&url))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let keys = tempfile::tempdir().unwrap();
    let kek = keys.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let store: Arc<dyn KeyStore> =
        Arc::new(FileKeyStore::create(keys.path().join("s"), &KekSource::KeyFile(kek)).unwrap());
    let signer =
        KeyStoreNoteSigner::open_or_create(store, "bench.dasan.example/audit", SystemTime::now())
            .unwrap();
    let log = AuditLog::new(db.clone(), signer);

    // 1. Business transactions, 4 concurrent writers, for 5 s.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while start.elapsed() < Duration::from_secs(5) {
                let mut tx = db.begin(Actor::system()).await.unwrap();
                tx.record(
                    "bench.change",
                    format!("thing:{w}-{done}"),
                    serde_json::json!({ "writer": w, "n": done }),
                );
                tx.commit().await.unwrap();
                done += 1;
            }
            done
        }));
    }
    let mut appended = 0;
    for t in tasks {
        appended += t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "business transactions: {appended} events in {secs:.1} s = {:.0} events/s",
        appended as f64 / secs
    );

    // 2. Fill to n events.
    let start = Instant::now();
    let mut have = appended;
    while have < n {
        let rows = (n - have).min(500);
        let mut sql = String::from(
            "INSERT INTO audit_events (id, at, actor_kind, action, subject, detail) VALUES ",
        );
        for i in 0..rows {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{}', {}, 'system', 'bench.fill', 'thing:{}', '{{\"n\":{}}}')",
                uuid_v7(have + i),
                1_700_000_000_000_000u64 + have + i,
                have + i,
                have + i
            ));
        }
        let mut tx = db.begin_bookkeeping("benchmark fill").await.unwrap();
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .execute(c)
            .await
            .map(drop))
        .unwrap();
        tx.commit().await.unwrap();
        have += rows;
    }
    println!(
        "filled to {n} events in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    // 3. Sequence.
    let start = Instant::now();
    let s = log.sequence().await.unwrap().unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sequenced to size {} in {secs:.1} s = {:.0} events/s",
        s.new_size,
        n as f64 / secs
    );

    // 4. Verify.
    let start = Instant::now();
    let report = log.verify().await.unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(report.is_ok(), "{report:?}");
    println!(
        "verified {} events, {} stored hashes, {} checkpoints in {secs:.2} s",
        report.size, report.stored_hashes_checked, report.checkpoints_checked
    );
    db.close().await;
}

/// A unique, sortable id for filler rows.
fn uuid_v7(i: u64) -> String {
    format!("00000000-0000-7000-8000-{i:012x}")
}
