//! Bad requests of every kind get a 4xx problem document (API) or a friendly page (HTML).

use crate::helpers::*;
use dasan_store::engine_tests;
use serde_json::json;

engine_tests! {
    async fn api_errors_are_problem_documents(engine) {
        let app = spawn_app(engine).await;

        // 1. Unknown route.
        assert_problem(app.get("/api/v1/no-such-thing").await, 404, "not-found").await;

        // 2. Wrong method, with the methods that would work.
        let response = app.client.delete(app.url("/api/v1/feedback")).send().await.unwrap();
        assert_eq!(response.headers()["allow"], "POST");
        assert_problem(response, 405, "method-not-allowed").await;

        // 3. Malformed JSON.
        let response = app.client.post(app.url("/api/v1/feedback"))
            .header("content-type", "application/json")
            .body("{\"page\": \"/about\", ")
            .send().await.unwrap();
        assert_problem(response, 400, "malformed-json").await;

        // 4. Not declared as JSON.
        let response = app.client.post(app.url("/api/v1/feedback"))
            .header("content-type", "text/plain")
            .body("{\"page\": \"/about\"}")
            .send().await.unwrap();
        assert_problem(response, 415, "unsupported-media-type").await;

        // 5. Oversized body (the limit is 1 MiB): refused from its Content-Length, before it is
        // read. Spoken over a raw socket, because an HTTP client still writing the 2 MiB would
        // see the connection close under it (a race, not a server fault).
        {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut socket = tokio::net::TcpStream::connect(app.addr).await.unwrap();
            let head = format!(
                "POST /api/v1/feedback HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                app.addr,
                2 * 1024 * 1024
            );
            socket.write_all(head.as_bytes()).await.unwrap();
            let mut answer = Vec::new();
            tokio::time::timeout(std::time::Duration::from_secs(10), socket.read_to_end(&mut answer))
                .await
                .expect("answered without waiting for the body")
                .unwrap();
            let answer = String::from_utf8_lossy(&answer);
            assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
            assert!(answer.contains("application/problem+json") && answer.contains("payload-too-large"), "{answer}");
        }

        // 6. Well-formed JSON of the wrong shape: the field is named.
        let response = app.post_json("/api/v1/feedback", &json!({"page": "/about", "helpful": "very"})).await;
        let body = assert_problem(response, 422, "validation-failed").await;
        assert_eq!(body["errors"][0]["field"], "helpful", "{body}");

        // 7. Valid shape, invalid content: every field problem listed and translated.
        let response = app.client.post(app.url("/api/v1/feedback"))
            .header("accept-language", "ko")
            .json(&json!({"page": "https://elsewhere.example/", "comment": "가".repeat(1201)}))
            .send().await.unwrap();
        assert_eq!(response.headers()["content-language"], "ko");
        let body = assert_problem(response, 422, "validation-failed").await;
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["page", "comment"]);
        assert_eq!(body["errors"][1]["code"], "feedback-error-comment-too-long");
        assert_eq!(body["errors"][1]["message"], "의견은 1200자 이하로 써 주세요.");
        assert_eq!(body["title"], "고쳐야 할 항목이 있습니다");

        // 8. Unknown fields are refused rather than silently dropped.
        let response = app.post_json("/api/v1/feedback", &json!({"page": "/", "helpful": true, "rating": 5})).await;
        assert_problem(response, 422, "validation-failed").await;

        // 9. A malformed query string.
        assert_problem(
            app.client.get(app.url("/language?lang=zz")).header("accept", "application/json").send().await.unwrap(),
            400,
            "bad-request",
        ).await;

        // None of it was stored.
        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'feedback.%'").await, 0);

        // The problem type URI resolves to a page about it.
        let page = app.get_page("/problems/payload-too-large", "en").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("The request is too large"));
        assert_eq!(app.get_page("/problems/made-up", "en").await.status(), 404);
    }

    async fn a_stalled_upload_times_out_with_408_and_stores_nothing(engine) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        config.server.request_timeout_secs = 2;
        let app = spawn_app_with(db, config).await;
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/v1/feedback HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"page\": ",
            app.addr
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        let started = std::time::Instant::now();
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut response))
            .await
            .expect("the server gives up on the body")
            .unwrap();
        assert!(started.elapsed() >= std::time::Duration::from_millis(900), "{:?}", started.elapsed());
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
        assert!(response.contains("application/problem+json") && response.contains("\"code\":\"request-timeout\""), "{response}");
        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback").await, 0);
    }

    async fn html_errors_are_friendly_translated_pages(engine) {
        let app = spawn_app(engine).await;
        for (lang, title) in [("en", "Page not found"), ("ko", "페이지를 찾을 수 없습니다")] {
            let response = app.get_page("/no/such/page", lang).await;
            assert_eq!(response.status(), 404);
            assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
            let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{html}");
            assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
            assert!(html.contains(&request_id), "the page quotes the reference");
        }
        // A form body that cannot be read (a field given twice): a page, not a stack trace.
        let token = app.csrf_token("/feedback").await;
        let response = app.client.post(app.url("/feedback"))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf_token={token}&page=%2F&page=%2Fabout&helpful=yes"))
            .send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("The form could not be read"));
        // Wrong method on a page.
        let response = app.client.put(app.url("/about")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(response.status(), 405);
        assert!(response.text().await.unwrap().contains("This action is not available here"));
    }
}
