//! Mail goes out through a real SMTP server and texts through a real HTTP gateway; an outage
//! delays them but loses nothing, and a message the server refuses is not retried forever.
#![allow(clippy::unwrap_used)]

use dasan_kernel::Actor;
use dasan_notify::testing::{SmsGateway, SmtpServer};
use dasan_notify::{
    Channels, Email, HttpSmsGateway, Mailer, Sms, deliver_due, enqueue, enqueue_sms, pending,
};
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

fn mail(mailer: Mailer) -> Channels {
    Channels {
        email: Some(mailer),
        sms: None,
    }
}

fn texts(gateway: &SmsGateway) -> Channels {
    let provider = HttpSmsGateway::new(&gateway.url(), Some("s3cret".to_owned()), "DASAN").unwrap();
    Channels {
        email: None,
        sms: Some(std::sync::Arc::new(provider)),
    }
}

async fn queue_sms(t: &TestDatabase, to: &str, body: &str) {
    let mut tx = t.db.begin(Actor::system()).await.unwrap();
    enqueue_sms(&mut tx, &Sms::new(to, body)).await.unwrap();
    tx.record("test.notify", "test:outbox", serde_json::json!({}));
    tx.commit().await.unwrap();
}

fn manual_clock(t: &mut TestDatabase) -> dasan_kernel::ManualClock {
    let clock =
        dasan_kernel::ManualClock::new(dasan_kernel::Timestamp::from_micros(1_800_000_000_000_000));
    assert!(t.db.configure(
        std::sync::Arc::new(dasan_store::TableAuditHook),
        std::sync::Arc::new(clock.clone())
    ));
    clock
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
        let mailer = mail(mailer);
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
        let clock = manual_clock(&mut t);
        let mut smtp = SmtpServer::start();
        let mailer = mail(Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap());
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
        let mailer = mail(Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap());
        queue(&t, 20).await;
        let (a, b) = tokio::join!(deliver_due(&t.db, &mailer, 20), deliver_due(&t.db, &mailer, 20));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 20);
        assert_eq!(smtp.wait_for(20, Duration::from_secs(10)).len(), 20);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(smtp.messages().len(), 20, "no duplicates");
    }
}

engine_tests! {
    async fn texts_go_out_through_the_gateway_and_wait_out_its_outage(engine) {
        let mut t = TestDatabase::migrated(engine).await;
        let clock = manual_clock(&mut t);
        let gateway = SmsGateway::start().await;
        let channels = texts(&gateway);
        gateway.answer(503);
        queue_sms(&t, "+821012345678", "Dasan: 신청이 접수되었습니다").await;
        let d = deliver_due(&t.db, &channels, 10).await.unwrap();
        assert_eq!((d.sent, d.failed, d.refused), (0, 1, 0), "the gateway is down");
        assert_eq!(pending(&t.db).await.unwrap(), 1);
        gateway.answer(200);
        assert_eq!(deliver_due(&t.db, &channels, 10).await.unwrap(), Default::default(), "not before the back-off");
        clock.advance(Duration::from_secs(31));
        let d = deliver_due(&t.db, &channels, 10).await.unwrap();
        assert_eq!((d.sent, d.failed, d.refused), (1, 0, 0));
        assert_eq!(pending(&t.db).await.unwrap(), 0);
        let received = gateway.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to, "+821012345678");
        assert_eq!(received[0].from, "DASAN");
        assert_eq!(received[0].text, "Dasan: 신청이 접수되었습니다");
        assert_eq!(received[0].authorization.as_deref(), Some("Bearer s3cret"));
    }

    async fn a_number_the_gateway_refuses_is_not_retried(engine) {
        let mut t = TestDatabase::migrated(engine).await;
        let clock = manual_clock(&mut t);
        let gateway = SmsGateway::start().await;
        let channels = texts(&gateway);
        gateway.answer(400);
        queue_sms(&t, "+821099999999", "hello").await;
        let d = deliver_due(&t.db, &channels, 10).await.unwrap();
        assert_eq!((d.sent, d.failed, d.refused), (0, 0, 1));
        assert_eq!(pending(&t.db).await.unwrap(), 0, "refused messages are not pending");
        let (failed_at, error): (Option<i64>, Option<String>) = dasan_store::on_reader!(t.db, |p| sqlx::query_as("SELECT failed_at, last_error FROM outbox").fetch_one(p).await).unwrap();
        assert!(failed_at.is_some());
        assert!(error.unwrap().contains("400"));
        gateway.answer(200);
        clock.advance(Duration::from_secs(7200));
        assert_eq!(deliver_due(&t.db, &channels, 10).await.unwrap(), Default::default());
        assert!(gateway.received().is_empty());
    }

    async fn a_message_waits_until_its_channel_is_configured(engine) {
        let t = TestDatabase::migrated(engine).await;
        let smtp = SmtpServer::start();
        let gateway = SmsGateway::start().await;
        queue_sms(&t, "+821012345678", "text").await;
        queue(&t, 1).await;
        let only_mail = mail(Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap());
        let d = deliver_due(&t.db, &only_mail, 10).await.unwrap();
        assert_eq!((d.sent, d.failed, d.refused), (1, 0, 0), "only the e-mail");
        assert_eq!(pending(&t.db).await.unwrap(), 1, "the text waits");
        let d = deliver_due(&t.db, &texts(&gateway), 10).await.unwrap();
        assert_eq!(d.sent, 1);
        assert_eq!(gateway.received().len(), 1);
        assert_eq!(deliver_due(&t.db, &Channels::default(), 10).await.unwrap(), Default::default());
    }

    async fn a_text_to_a_number_not_in_international_form_is_refused(engine) {
        let t = TestDatabase::migrated(engine).await;
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        for bad in ["010-1234-5678", "01012345678", "+82 10 1234 5678", ""] {
            assert!(matches!(enqueue_sms(&mut tx, &Sms::new(bad, "x")).await, Err(dasan_notify::NotifyError::BadRecipient)), "{bad:?}");
        }
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn bad_configuration_is_refused() {
    assert!(HttpSmsGateway::new("ftp://gateway.example/send", None, "DASAN").is_err());
    assert!(HttpSmsGateway::new("not a url", None, "DASAN").is_err());
    assert!(Mailer::from_url("smtp://127.0.0.1:25", "not an address").is_err());
    assert!(Mailer::from_url("gopher://127.0.0.1:25", "a@b.example").is_err());
}
