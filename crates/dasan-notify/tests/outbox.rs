//! Mail goes out through a real SMTP server; an outage delays it but loses nothing.
#![allow(clippy::unwrap_used)]

use dasan_kernel::Actor;
use dasan_notify::testing::SmtpServer;
use dasan_notify::{Email, Mailer, deliver_due, enqueue, pending};
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;
use std::time::Duration;

fn email(n: usize) -> Email {
    Email {
        to: format!("citizen{n}@example.org"),
        subject: format!("Your application {n}"),
        body: format!("Application {n} was received.\n개인정보는 포함하지 않습니다."),
    }
}

async fn queue(t: &TestDatabase, n: usize) {
    let mut tx = t.db.begin(Actor::system()).await.unwrap();
    for i in 0..n {
        enqueue(&mut tx, &email(i)).await.unwrap();
    }
    tx.record("test.notify", "test:outbox", serde_json::json!({}));
    tx.commit().await.unwrap();
}

engine_tests! {
    async fn queued_mail_is_delivered_over_smtp(engine) {
        let t = TestDatabase::migrated(engine).await;
        let smtp = SmtpServer::start();
        let mailer = Mailer::from_url(&smtp.url(), "Dasan <no-reply@dasan.example>").unwrap();
        queue(&t, 3).await;
        assert_eq!(pending(&t.db).await.unwrap(), 3);
        let d = deliver_due(&t.db, &mailer, 10).await.unwrap();
        let errors: Vec<Option<String>> = dasan_store::on_reader!(t.db, |p| sqlx::query_scalar("SELECT last_error FROM outbox").fetch_all(p).await).unwrap();
        assert_eq!((d.sent, d.failed), (3, 0), "{errors:?}");
        assert_eq!(pending(&t.db).await.unwrap(), 0);
        let messages = smtp.wait_for(3, Duration::from_secs(10));
        assert_eq!(messages.len(), 3);
        assert!(messages.iter().any(|m| m.contains("Subject: Your application 1") && m.contains("citizen1@example.org")));
        // Nothing is sent twice.
        assert_eq!(deliver_due(&t.db, &mailer, 10).await.unwrap().sent, 0);
    }

    async fn an_smtp_outage_delays_mail_but_loses_none(engine) {
        let mut t = TestDatabase::migrated(engine).await;
        let clock = dasan_kernel::ManualClock::new(dasan_kernel::Timestamp::from_micros(1_800_000_000_000_000));
        assert!(t.db.configure(std::sync::Arc::new(dasan_store::TableAuditHook), std::sync::Arc::new(clock.clone())));
        let mut smtp = SmtpServer::start();
        let mailer = Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap();
        smtp.stop();
        queue(&t, 2).await;
        let d = deliver_due(&t.db, &mailer, 10).await.unwrap();
        assert_eq!((d.sent, d.failed), (0, 2), "the server is down");
        assert_eq!(pending(&t.db).await.unwrap(), 2, "still queued");
        // Not retried before the back-off has passed.
        assert_eq!(deliver_due(&t.db, &mailer, 10).await.unwrap(), Default::default());
        smtp.resume();
        clock.advance(Duration::from_secs(31));
        let d = deliver_due(&t.db, &mailer, 10).await.unwrap();
        assert_eq!((d.sent, d.failed), (2, 0));
        assert_eq!(smtp.wait_for(2, Duration::from_secs(10)).len(), 2);
        assert_eq!(pending(&t.db).await.unwrap(), 0);
    }

    async fn mail_queued_in_a_rolled_back_change_is_never_sent(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        enqueue(&mut tx, &email(9)).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(pending(&t.db).await.unwrap(), 0);
    }

    async fn two_workers_never_send_the_same_message(engine) {
        let t = TestDatabase::migrated(engine).await;
        let smtp = SmtpServer::start();
        let mailer = Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap();
        queue(&t, 20).await;
        let (a, b) = tokio::join!(deliver_due(&t.db, &mailer, 20), deliver_due(&t.db, &mailer, 20));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 20);
        assert_eq!(smtp.wait_for(20, Duration::from_secs(10)).len(), 20);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(smtp.messages().len(), 20, "no duplicates");
    }
}

#[tokio::test]
async fn bad_configuration_is_refused() {
    assert!(Mailer::from_url("smtp://127.0.0.1:25", "not an address").is_err());
    assert!(Mailer::from_url("gopher://127.0.0.1:25", "a@b.example").is_err());
}
