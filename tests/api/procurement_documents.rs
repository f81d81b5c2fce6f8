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
        problem(upload(&app, Some(&w.officer), "big.pdf", big).await, 413).await;
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
