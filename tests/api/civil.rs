//! Civil services through the API and the pages' edges, on both engines.

use crate::helpers::*;
use dasan_store::engine_tests;

engine_tests! {
    async fn the_catalogue_api_lists_searches_and_describes_services(engine) {
        let app = spawn_app(engine).await;
        let all: serde_json::Value = app.get("/api/v1/services").await.json().await.unwrap();
        assert!(all.as_array().unwrap().len() >= 15, "{all}");
        let hits: serde_json::Value = app.get("/api/v1/services?q=%EB%93%B1%EB%B3%B8").await.json().await.unwrap();
        assert_eq!(hits[0]["code"], "resident-registration-certificate");
        assert_eq!(hits[0]["issuance"], "instant");
        let nts: serde_json::Value = app.get("/api/v1/services?agency=NTS").await.json().await.unwrap();
        assert_eq!(nts.as_array().unwrap().len(), 2);
        let one: serde_json::Value = app.get("/api/v1/services/moving-in-report").await.json().await.unwrap();
        assert_eq!(one["definition"]["agency"], "MOIS-JONGNO");
        assert_eq!(one["version"], 1);
        // Odd input is a clean answer, never a server error (PostgreSQL refuses NUL bytes).
        assert_problem(app.get("/api/v1/services/%00x").await, 404, "not-found").await;
        let odd: serde_json::Value = app.get("/api/v1/services?agency=%00&event=%00").await.json().await.unwrap();
        assert_eq!(odd, serde_json::json!([]));
        assert_eq!(app.get("/api/v1/services?q=%00moving").await.status(), 200);
        assert_eq!(app.get_page("/services?q=%00&agency=%00", "en").await.status(), 200);
        assert_problem(app.get(&format!("/api/v1/services?q={}", "a".repeat(201))).await, 422, "validation-failed").await;
        assert_problem(app.get("/api/v1/applications").await, 401, "unauthenticated").await;
    }
}
