#![allow(clippy::unwrap_used)]

use dasan_feedback::{FeedbackError, FeedbackInput, submit};
use dasan_kernel::Actor;
use dasan_store::testing::TestDatabase;
use dasan_store::{engine_tests, on_reader};

engine_tests! {
    async fn stores_feedback_with_an_audit_event_but_not_the_comment_text(engine) {
        let t = TestDatabase::migrated(engine).await;
        let input = FeedbackInput { page: "/about".into(), helpful: Some(false), comment: "My name is Hong Gil-dong".into() };
        let id = submit(&t.db, Actor::anonymous(Some("req-1".into())), input, "ko").await.unwrap();
        let (page, helpful, comment, locale): (String, Option<bool>, String, String) = on_reader!(t.db, |p| {
            sqlx::query_as("SELECT page, helpful, comment, locale FROM page_feedback WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!((page.as_str(), helpful, comment.as_str(), locale.as_str()), ("/about", Some(false), "My name is Hong Gil-dong", "ko"));
        let (subject, request_id, detail): (String, Option<String>, String) = on_reader!(t.db, |p| {
            sqlx::query_as("SELECT subject, request_id, detail FROM audit_events WHERE action = 'feedback.submit'")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(subject, format!("feedback:{id}"));
        assert_eq!(request_id.as_deref(), Some("req-1"));
        assert!(!detail.contains("Hong"), "{detail}");
    }

    async fn invalid_feedback_writes_nothing(engine) {
        let t = TestDatabase::migrated(engine).await;
        let input = FeedbackInput { page: "https://elsewhere.example".into(), helpful: None, comment: String::new() };
        let err = submit(&t.db, Actor::anonymous(None), input, "en").await.unwrap_err();
        assert!(matches!(err, FeedbackError::Invalid(ref e) if e.len() == 2), "{err:?}");
        let rows: i64 = on_reader!(t.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM page_feedback").fetch_one(p).await).unwrap();
        let events: i64 = on_reader!(t.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(p).await).unwrap();
        assert_eq!((rows, events), (0, 0));
    }
}
