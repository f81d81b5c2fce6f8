use crate::helpers::*;
use dasan_store::engine_tests;

engine_tests! {
    async fn the_language_follows_the_browser_then_the_switcher(engine) {
        let app = spawn_app(engine).await;
        // The browser's preference, by q-value.
        let html = app.get_page("/", "de-DE, ko;q=0.9, en;q=0.5").await.text().await.unwrap();
        assert!(html.contains("<html lang=\"ko\">") && html.contains("모든 정부 서비스를 한곳에서"));
        let html = app.get_page("/", "en-GB,en;q=0.9").await.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"));
        // Unsupported languages fall back to the configured default.
        let html = app.get_page("/", "fr-FR").await.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"));

        // The switcher is a plain link: it works without JavaScript.
        assert!(html.contains("href=\"/language?lang=ko&#38;return=%2F\""), "{html}");
        let response = app.get_page("/language?lang=ko&return=/about?x=1", "en").await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/about?x=1");
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("dasan_lang=ko;"), "{cookie}");
        for attribute in ["Path=/", "SameSite=Lax", "HttpOnly", "Max-Age=31536000"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "no Secure flag without TLS: the cookie would be dropped");
        // The cookie now wins over the browser's header.
        let html = app.get_page("/about", "en").await.text().await.unwrap();
        assert!(html.contains("<html lang=\"ko\">") && html.contains("다산 소개"));
        assert!(html.contains("<span aria-current=\"true\" lang=\"ko\">한국어</span>"));
        // And back.
        app.get_page("/language?lang=en&return=/", "en").await;
        let html = app.get_page("/", "ko").await.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"));
    }

    async fn the_switcher_never_redirects_off_site(engine) {
        let app = spawn_app(engine).await;
        for evil in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"] {
            let path = format!("/language?lang=ko&return={}", url_encode(evil));
            let response = app.get(&path).await;
            assert_eq!(response.status(), 303);
            assert_eq!(response.headers()["location"], "/", "{evil}");
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
