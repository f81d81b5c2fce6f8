use crate::helpers::*;
use dasan_store::engine_tests;

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
];

fn assert_security_headers(response: &reqwest::Response, tls: bool) {
    let headers = response.headers();
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            headers.get(*name).and_then(|v| v.to_str().ok()),
            Some(*value),
            "{name} on {}",
            response.url()
        );
    }
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(
        headers.contains_key("strict-transport-security"),
        tls,
        "HSTS only with TLS"
    );
    assert!(headers.contains_key("x-request-id"));
}

engine_tests! {
    async fn security_headers_are_on_every_kind_of_response(engine) {
        let app = spawn_app(engine).await;
        for path in ["/", "/about", "/api/v1", "/api/v1/openapi.json", "/no-such-page", "/healthz"] {
            let response = app.get(path).await;
            assert_security_headers(&response, false);
        }
        let response = app.client.patch(app.url("/api/v1/feedback")).send().await.unwrap();
        assert_eq!(response.status(), 405);
        assert_security_headers(&response, false);
    }

    async fn hsts_and_secure_cookies_when_served_over_tls(engine) {
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        config.server.public_url = "https://portal.gov.example/".parse().unwrap();
        let app = spawn_app_with(db, config).await;
        let response = app.get("/").await;
        assert_security_headers(&response, true);
        assert!(response.headers()["strict-transport-security"].to_str().unwrap().contains("max-age=63072000"));
        let response = app.get("/language?lang=ko&return=/").await;
        assert!(response.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
        // Problem type URIs use the public address.
        let body = assert_problem(app.get("/api/v1/nothing").await, 404, "not-found").await;
        assert_eq!(body["type"], "https://portal.gov.example/problems/not-found");
    }

    async fn the_home_page_says_what_the_portal_offers(engine) {
        let app = spawn_app(engine).await;
        let response = app.get_page("/", "en").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let html = response.text().await.unwrap();
        for text in ["Civil services", "Public procurement", "Border clearance", "Skip to main content", "Accessibility statement"] {
            assert!(html.contains(text), "home page lacks {text:?}");
        }
        assert!(!html.contains("<script"), "pages work without JavaScript and carry none inline");
        assert!(!html.contains("style="), "no inline styles under the CSP");
        let accessibility = app.get_page("/accessibility", "en").await.text().await.unwrap();
        assert!(accessibility.contains("WCAG) 2.2 at level AA"));
        let about = app.get_page("/about", "ko").await.text().await.unwrap();
        assert!(about.contains("목민심서") && about.contains(env!("CARGO_PKG_VERSION")));
    }

    async fn static_assets_are_hashed_embedded_and_cached_for_good(engine) {
        let app = spawn_app(engine).await;
        let html = app.get("/").await.text().await.unwrap();
        let css = html.split("href=\"").filter_map(|s| s.split('"').next()).find(|h| h.ends_with(".css")).unwrap().to_owned();
        assert!(css.starts_with("/static/app.") && css.len() > "/static/app..css".len() + 8, "{css}");
        let response = app.get(&css).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(response.text().await.unwrap().contains("--focus"));
        // Only the hashed name exists: a stale reference cannot be served stale content.
        assert_eq!(app.get("/static/app.css").await.status(), 404);
        assert_eq!(app.get("/static/app.000000000000.css").await.status(), 404);
    }

    async fn the_api_is_described_by_an_openapi_31_document_and_a_page(engine) {
        let app = spawn_app(engine).await;
        let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        for path in ["/api/v1", "/api/v1/feedback", "/healthz", "/readyz", "/metrics"] {
            assert!(doc["paths"][path].is_object(), "{path} is not documented");
        }
        let problem = &doc["paths"]["/api/v1/feedback"]["post"]["responses"]["422"]["content"]["application/problem+json"];
        assert!(problem.is_object(), "422 is documented as a problem document");
        assert!(doc["components"]["schemas"]["ProblemDocument"].is_object());
        let index: serde_json::Value = app.get("/api/v1").await.json().await.unwrap();
        assert_eq!(index["openapi"], "/api/v1/openapi.json");
        let page = app.get_page("/developers", "ko").await.text().await.unwrap();
        assert!(page.contains("개발자용 안내") && page.contains("/api/v1/feedback"));
    }
}
