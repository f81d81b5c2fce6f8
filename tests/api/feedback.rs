use crate::helpers::*;
use dasan_store::engine_tests;
use serde_json::json;

engine_tests! {
    async fn feedback_through_the_form_without_javascript(engine) {
        let app = spawn_app(engine).await;
        let form = app.get_page("/feedback?page=/about", "en").await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("name=\"page\" value=\"/about\""));
        assert!(html.contains("Do not include personal or financial information"));

        let response = app.post_form("/feedback?page=/about", "/feedback", &[("page", "/about"), ("helpful", "no"), ("comment", "I could not find the opening hours")]).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/feedback/thanks?page=%2Fabout");
        let thanks = app.get_page("/feedback/thanks?page=%2Fabout", "en").await.text().await.unwrap();
        assert!(thanks.contains("Thank you for your feedback") && thanks.contains("href=\"/about\""));

        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback WHERE page = '/about' AND locale = 'en'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'feedback.submit' AND actor_kind = 'anonymous'").await, 1);
    }

    async fn invalid_feedback_is_shown_again_with_messages_and_nothing_is_stored(engine) {
        let app = spawn_app(engine).await;
        let token = app.csrf_token("/feedback?page=/about").await;
        let long = "가".repeat(1201);
        let response = app.client.post(app.url("/feedback"))
            .header("accept-language", "ko")
            .form(&[("csrf_token", token.as_str()), ("page", "/about"), ("comment", long.as_str())])
            .send().await.unwrap();
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains("<title>오류: 이 페이지에 대한 의견 보내기 – 다산</title>"), "{html}");
        assert!(html.contains("<h2 id=\"error-summary-title\">문제가 있습니다</h2>"));
        assert!(html.contains("<a href=\"#comment\">의견은 1200자 이하로 써 주세요.</a>"), "{html}");
        assert!(html.contains(&"가".repeat(1201)), "what was typed is kept");

        // A tampered radio value.
        let response = app.post_form("/feedback", "/feedback", &[("page", "/about"), ("helpful", "maybe")]).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("Choose Yes or No."));

        // Nothing at all.
        let response = app.post_form("/feedback", "/feedback", &[("page", "/")]).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("href=\"#helpful\""));

        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'feedback.%'").await, 0);
    }

    async fn feedback_through_the_api(engine) {
        let app = spawn_app(engine).await;
        let response = app.post_json("/api/v1/feedback", &json!({"page": "/", "helpful": true})).await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        let id = body["id"].as_str().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback").await, 1);
    }
}
