//! Tender documents on both engines: an official uploads a file, publishes a notice listing it,
//! and anyone downloads exactly its bytes; anything else is refused with a problem document.

use crate::helpers::*;
use crate::procurement::{notice, post, world};
use dasan_store::engine_tests;
use serde_json::{Value, json};

const SPECIFICATION: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% Repaving specification\n%%EOF\n";

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut r = app
        .client
        .post(app.url("/api/v1/procurement/documents"))
        .query(&[("name", name)])
        .header("content-type", "application/octet-stream")
        .body(body);
    if let Some(token) = token {
        r = r.bearer_auth(token);
    }
    r.send().await.unwrap()
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    let got = r.status();
    let ct = r.headers()["content-type"].clone();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    assert_eq!(ct.to_str().unwrap(), "application/problem+json");
    body
}

engine_tests! {
    async fn an_official_uploads_a_tender_document_and_anyone_downloads_what_the_notice_lists(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;

        // Refused uploads: nobody, a supplier, not an accepted type, too large, a bad name.
        problem(upload(&app, None, "spec.pdf", SPECIFICATION.to_vec()).await, 401).await;
        problem(upload(&app, Some(&w.a.token), "spec.pdf", SPECIFICATION.to_vec()).await, 403).await;
        let html = problem(upload(&app, Some(&w.officer), "spec.pdf", b"<html><script>alert(1)</script></html>".to_vec()).await, 422).await;
        assert_eq!(html["errors"][0]["field"], "file", "{html}");
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(2 * 1024 * 1024, b' ');
        // On its own connection: the server closes one whose body it refused to read.
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/procurement/documents?name=big.pdf"))
            .bearer_auth(&w.officer)
            .body(big)
            .send()
            .await
            .unwrap();
        problem(r, 413).await;
        problem(upload(&app, Some(&w.officer), &"n".repeat(256), SPECIFICATION.to_vec()).await, 422).await;

        // The upload: the entry to list in the notice.
        let r = upload(&app, Some(&w.officer), "사양서 specification.pdf", SPECIFICATION.to_vec()).await;
        assert_eq!(r.status(), 201);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["media_type"], "application/pdf");
        assert_eq!(doc["size"], SPECIFICATION.len());
        let sha: String = <sha2::Sha256 as sha2::Digest>::digest(SPECIFICATION)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(doc["sha256"], sha.as_str());
        let other = upload(&app, Some(&w.officer), "drawing.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec()).await;
        assert_eq!(other.status(), 201);
        let other: Value = other.json().await.unwrap();

        let committee: Vec<String> = w.members.iter().map(|(a, _)| a.to_string()).collect();
        // A notice listing bytes never uploaded: refused, naming the document.
        let mut ghost = notice();
        ghost["documents"] = json!([{ "name": "ghost.pdf", "media_type": "application/pdf", "sha256": "cd".repeat(32), "size": 10 }]);
        let refused = problem(post(&app, "/api/v1/procurement/tenders", &w.officer, &json!({ "notice": ghost, "committee": committee, "threshold": 2 })).await, 422).await;
        assert_eq!(refused["errors"][0]["field"], "documents[0].sha256", "{refused}");

        // Published with the specification: listed publicly, downloaded byte for byte.
        let mut listed = notice();
        listed["documents"] = json!([doc]);
        let r = post(&app, "/api/v1/procurement/tenders", &w.officer, &json!({ "notice": listed, "committee": committee, "threshold": 2 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let detail: Value = app.client.get(app.url(&format!("/api/v1/procurement/tenders/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(detail["notice"]["documents"][0]["sha256"], sha.as_str());

        let r = app.client.get(app.url(&format!("/api/v1/procurement/tenders/{id}/documents/{sha}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let disposition = h["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"___ specification.pdf\""), "{disposition}");
        assert!(disposition.contains("filename*=UTF-8''%EC%82%AC%EC%96%91%EC%84%9C%20specification.pdf"), "{disposition}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), SPECIFICATION);

        // Uploaded but not listed, unknown, not a hash, another tender: not found.
        for path in [
            format!("/api/v1/procurement/tenders/{id}/documents/{}", other["sha256"].as_str().unwrap()),
            format!("/api/v1/procurement/tenders/{id}/documents/{}", "0".repeat(64)),
            format!("/api/v1/procurement/tenders/{id}/documents/..%2F..%2Fetc%2Fpasswd"),
            format!("/api/v1/procurement/tenders/{}/documents/{sha}", uuid::Uuid::new_v4()),
            format!("/api/v1/procurement/tenders/not-a-tender/documents/{sha}"),
        ] {
            let r = app.client.get(app.url(&path)).send().await.unwrap();
            problem(r, 404).await;
        }
    }
}

/// A `multipart/form-data` body as a browser sends it: text fields, then files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----dasan-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> reqwest::Response {
    let token = app.csrf_token(path).await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, files);
    app.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

engine_tests! {
    async fn the_publish_and_amend_forms_take_files_and_the_tender_page_lists_them(engine) {
        use dasan_kernel::Clock as _;
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let officer = app.shallow();
        crate::identity::sign_in_official(&officer, "officer@pps.go.kr", None).await;
        let hour = dasan_procurement::notice::HOUR_US;
        let day = (dasan_kernel::SystemClock.now().as_micros() / hour / 24 + 3) * 24 * hour;
        let date = |days: i64| dasan_kernel::Timestamp::from_micros(day + days * 24 * hour).to_jiff().strftime("%Y-%m-%d").to_string();
        let (d0, d1) = (date(0), date(1));
        let m: Vec<String> = w.members.iter().map(|(a, _)| a.to_string()).collect();
        let fields = vec![
            ("title", "Office chairs"), ("description", "Chairs for two floors."), ("method", "open"),
            ("lot1-id", "1"), ("lot1-title", "Chairs"),
            ("lot1-item1-description", "Task chair"), ("lot1-item1-classification", "cpv:39112000"),
            ("lot1-item1-quantity", "120"), ("lot1-item1-unit", "EA"),
            ("currency", "KRW"), ("estimated_value", "30,000,000"), ("evaluation", "lowest_price"),
            ("tie_break", "earliest_submission"),
            ("clarification_date", &d0), ("clarification_hour", "09"),
            ("deadline_date", &d1), ("deadline_hour", "09"),
            ("opening_date", &d1), ("opening_hour", "10"),
            ("extension_hours", "72"), ("threshold", "2"),
            ("committee", &m[0]), ("committee", &m[1]), ("committee", &m[2]),
        ];
        let form = officer.get_page("/procurement/office/new", "en").await.text().await.unwrap();
        assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("type=\"file\" id=\"documents\""));
        // A file of the wrong type: shown next to the field, nothing published.
        let r = post_multipart(&officer, "/procurement/office/new", &fields, &[("documents", "virus.exe", b"MZ\x90\0\x03\0\0\0\x04\0")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#documents\""));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_tenders").await, 0);
        // Published with a PDF; all three committee members (a repeated field) kept.
        let r = post_multipart(&officer, "/procurement/office/new", &fields, &[("documents", "chairs spec.pdf", SPECIFICATION)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let id = crate::identity::location(&r).split("published=").nth(1).unwrap().to_owned();
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["committee_size"], 3, "repeated committee values survive multipart");
        let sha = detail["notice"]["documents"][0]["sha256"].as_str().unwrap().to_owned();
        assert_eq!(detail["notice"]["documents"][0]["name"], "chairs spec.pdf");

        // The amendment adds a drawing; the specification stays.
        let amend = format!("/procurement/office/tenders/{id}/amend");
        let mut changed: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "committee" && *k != "threshold").cloned().collect();
        changed.push(("summary", "Drawing added."));
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        let r = post_multipart(&officer, &amend, &changed, &[("documents", "drawing.png", png)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["notice"]["documents"].as_array().unwrap().len(), 2);

        // The public page lists both with size, hash and a download link that works.
        for lang in ["en", "ko"] {
            let page = app.get_page(&format!("/procurement/tenders/{id}"), lang).await.text().await.unwrap();
            let link = format!("/api/v1/procurement/tenders/{id}/documents/{sha}");
            assert!(page.contains(&format!("href=\"{link}\"")), "{page}");
            assert!(page.contains(&sha));
            assert!(page.contains("drawing.png"));
            assert!(page.contains("1 KiB"));
        }
        let r = app.client.get(app.url(&format!("/api/v1/procurement/tenders/{id}/documents/{sha}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), SPECIFICATION);
    }
}
