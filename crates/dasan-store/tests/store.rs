//! The storage guarantees every other crate relies on, proven on both engines.
#![allow(clippy::unwrap_used)]

use dasan_kernel::Actor;
use dasan_store::testing::TestDatabase;
use dasan_store::{StoreError, engine_tests, on_reader, on_tx};
use serde_json::json;

async fn count(db: &dasan_store::Database, sql: &'static str) -> i64 {
    on_reader!(db, |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

async fn insert_feedback(tx: &mut dasan_store::Tx, id: &str) -> Result<(), StoreError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO page_feedback (id, created_at, page, helpful, comment, locale) VALUES ($1, $2, '/', $3, 'x', 'en')"
    )
    .bind(id)
    .bind(now)
    .bind(true)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

engine_tests! {
    async fn migrations_apply_once_and_report_current(engine) {
        let t = TestDatabase::empty(engine).await;
        let before = t.db.migration_status().await.unwrap();
        assert!(before.applied.is_empty());
        assert!(!before.pending.is_empty());
        assert!(!before.is_current());
        let after = t.db.migrate().await.unwrap();
        assert!(after.is_current(), "{after:?}");
        // Running again changes nothing and does not fail.
        assert_eq!(t.db.migrate().await.unwrap(), after);
    }

    async fn a_change_and_its_audit_event_commit_together(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        insert_feedback(&mut tx, "f1").await.unwrap();
        let event = tx.record("feedback.submit", "feedback:f1", json!({"page": "/"}));
        let ids = tx.commit().await.unwrap();
        assert_eq!(ids, vec![event]);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 1);
        let (action, subject, kind, detail): (String, String, String, String) = on_reader!(t.db, |p| {
            sqlx::query_as("SELECT action, subject, actor_kind, detail FROM audit_events")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!((action.as_str(), subject.as_str(), kind.as_str()), ("feedback.submit", "feedback:f1", "system"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&detail).unwrap(), json!({"page": "/"}));
    }

    async fn a_change_without_an_audit_event_cannot_commit(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        insert_feedback(&mut tx, "f1").await.unwrap();
        assert!(matches!(tx.commit().await, Err(StoreError::Unaudited)));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 0);
    }

    async fn bookkeeping_may_commit_without_an_event_but_keeps_any_it_records(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin_bookkeeping("test: last-seen time").await.unwrap();
        insert_feedback(&mut tx, "b1").await.unwrap();
        assert_eq!(tx.commit().await.unwrap(), vec![]);
        let mut tx = t.db.begin_bookkeeping("test: with an event").await.unwrap();
        insert_feedback(&mut tx, "b2").await.unwrap();
        tx.record("feedback.submit", "feedback:b2", json!({}));
        assert_eq!(tx.commit().await.unwrap().len(), 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 2);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events").await, 1);
    }

    async fn read_records_commit_and_the_relaxed_flush_stays_in_their_transaction(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        tx.records_reads_only();
        tx.record_read("registry.lookup", "person:p1", "benefits", json!({"fields": ["name"]}));
        assert_eq!(tx.commit().await.unwrap().len(), 1);
        // A change recorded in a transaction marked so still commits, and waits as usual.
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        tx.records_reads_only();
        insert_feedback(&mut tx, "r1").await.unwrap();
        tx.record("feedback.submit", "feedback:r1", json!({}));
        assert_eq!(tx.commit().await.unwrap().len(), 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events").await, 2);
        if engine == dasan_store::Engine::Postgres {
            // SET LOCAL: the writer connections are back to waiting for the disk.
            for _ in 0..4 {
                let mut tx = t.db.begin(Actor::system()).await.unwrap();
                let setting: String = on_tx!(tx, |c| sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(c)
                    .await)
                .unwrap();
                assert_eq!(setting, "on");
                tx.rollback().await.unwrap();
            }
        }
    }

    async fn a_failed_transaction_leaves_no_row_behind(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        insert_feedback(&mut tx, "f1").await.unwrap();
        tx.record("feedback.submit", "feedback:f1", json!({}));
        // The second statement fails (duplicate key): the caller gives up on the change.
        let err = insert_feedback(&mut tx, "f1").await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
        drop(tx);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 0);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events").await, 0);
        // The writer is usable again afterwards.
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        insert_feedback(&mut tx, "f2").await.unwrap();
        tx.record("feedback.submit", "feedback:f2", json!({}));
        tx.commit().await.unwrap();
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 1);
    }

    async fn the_reader_pool_refuses_writes(engine) {
        let t = TestDatabase::migrated(engine).await;
        let result = on_reader!(t.db, |p| {
            sqlx::query("INSERT INTO page_feedback (id, created_at, page, comment, locale) VALUES ('x', 0, '/', '', 'en')")
                .execute(p)
                .await
                .map(drop)
        });
        assert!(result.is_err(), "a write outside Tx must be refused by the database");
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 0);
    }

    async fn concurrent_changes_all_commit(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin(Actor::system()).await?;
                let id = format!("c{i}");
                insert_feedback(&mut tx, &id).await?;
                tx.record("feedback.submit", format!("feedback:{id}"), json!({}));
                tx.commit().await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM page_feedback").await, 40);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events").await, 40);
    }

    async fn the_transaction_time_comes_from_the_injected_clock(engine) {
        use dasan_kernel::{ManualClock, Timestamp};
        use std::sync::Arc;
        let mut t = TestDatabase::migrated(engine).await;
        let clock = ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000));
        assert!(t.db.configure(Arc::new(dasan_store::TableAuditHook), Arc::new(clock.clone())));
        let shared = t.db.clone();
        assert!(!t.db.configure(Arc::new(dasan_store::TableAuditHook), Arc::new(clock.clone())),
            "a shared handle cannot be reconfigured");
        drop(shared);
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        assert_eq!(tx.now(), dasan_kernel::Clock::now(&clock));
        insert_feedback(&mut tx, "f1").await.unwrap();
        tx.record("feedback.submit", "feedback:f1", json!({}));
        tx.commit().await.unwrap();
        assert_eq!(count(&t.db, "SELECT MAX(at) FROM audit_events").await, 1_700_000_000_000_000);
    }
}

#[test]
fn engines_are_told_from_urls() {
    use dasan_store::Engine;
    assert_eq!(Engine::of_url("sqlite://x.db").unwrap(), Engine::Sqlite);
    assert_eq!(Engine::of_url("sqlite:x.db").unwrap(), Engine::Sqlite);
    assert_eq!(
        Engine::of_url("postgres://u@h/db").unwrap(),
        Engine::Postgres
    );
    assert_eq!(
        Engine::of_url("postgresql://u@h/db").unwrap(),
        Engine::Postgres
    );
    assert!(Engine::of_url("mysql://h/db").is_err());
    assert!(Engine::of_url("").is_err());
}
