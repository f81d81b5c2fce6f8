use crate::helpers::*;
use dasan_store::engine_tests;

engine_tests! {
    async fn health_readiness_and_metrics(engine) {
        let app = spawn_app(engine).await;

        let health = app.get("/healthz").await;
        assert_eq!(health.status(), 200);
        assert_eq!(health.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"status": "ok"}));

        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), 200);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], engine.to_string());
        let status = app.db.db.migration_status().await.unwrap();
        assert!(status.is_current() && !status.applied.is_empty());
        assert_eq!(body["migrations"], serde_json::json!(status.applied));

        app.get("/about").await;
        app.get("/no/such/page").await;
        let metrics = app.get("/metrics").await;
        assert_eq!(metrics.status(), 200);
        assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = metrics.text().await.unwrap();
        for expected in [
            r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#,
            r#"http_requests_total{method="GET",route="/readyz",status="200"} 1"#,
            r#"http_requests_total{method="GET",route="/about",status="200"} 1"#,
            r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
            r#"http_request_duration_seconds_bucket{method="GET",route="/about",status="200",le="10"} 1"#,
        ] {
            assert!(text.contains(expected), "missing {expected} in\n{text}");
        }
    }

    async fn not_ready_when_the_schema_is_not_this_versions(engine) {
        let app = spawn_app(engine).await;
        assert_eq!(app.get("/readyz").await.status(), 200);
        // A newer release migrated the database: this node must stop taking traffic.
        raw_execute(&app.db.url, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99999, 'from the future', TRUE, x'00', 0)").await;
        let response = app.get("/readyz").await;
        assert!(response.headers().contains_key("retry-after"));
        assert_problem(response, 503, "unavailable").await;
        // Liveness is unaffected: the process itself is fine.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}

/// Runs a statement on a separate connection, as an operator with database access would.
pub async fn raw_execute(url: &str, sql: &'static str) {
    use dasan_store::sqlx::{Connection, Executor};
    if url.starts_with("sqlite") {
        let mut c = dasan_store::sqlx::SqliteConnection::connect(url)
            .await
            .unwrap();
        c.execute(sql).await.unwrap();
    } else {
        let sql = sql.replace("x'00'", "'\\x00'::bytea");
        let mut c = dasan_store::sqlx::PgConnection::connect(url).await.unwrap();
        c.execute(dasan_store::sqlx::AssertSqlSafe(sql))
            .await
            .unwrap();
    }
}
