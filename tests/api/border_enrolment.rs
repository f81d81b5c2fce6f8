//! Traveller enrolment and list imports through the real server, on both engines: a foreigner
//! pre-registers online, an officer completes the enrolment at the desk with the chip's files,
//! the gate then knows the traveller; suspended, the gate refers. Border administrators import
//! lists over HTTP with their own body limit.

use crate::border::{border_app, border_app_with, codes, official_token, pass};
use crate::helpers::*;
use crate::identity::{account, location, sign_in_official};
use base64::Engine as _;
use dasan::demo;
use dasan::gatesim::Traveller;
use dasan_border::gate::Direction;
use dasan_identity::AccountKind;
use dasan_store::engine_tests;

/// A `multipart/form-data` body as a browser sends it: text fields, then files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----dasan-test-boundary-enrol-4kZp";
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

/// Posts a multipart form with the CSRF token of `page`.
async fn post_multipart(
    app: &TestApp,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> reqwest::Response {
    let token = app.csrf_token(page).await;
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

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn jane() -> Traveller {
    Traveller::new("USA", "SMITH", "JANE", "E12345678", "900101", "320101")
}

fn mrz_of(t: &Traveller) -> String {
    let (_, signer) = demo::demo_pki(&t.issuer).unwrap();
    t.chip(&signer).unwrap().mrz_lines.join("\n")
}

fn pre(t: &Traveller) -> serde_json::Value {
    serde_json::json!({
        "mrz": mrz_of(t), "contact": "jane@example.com", "consent": true,
        "consent_version": "ses-consent-1",
    })
}

/// The desk's completion body for `t`'s chip (forged: DG1 altered after signing).
fn completion(t: &Traveller, forged: bool) -> serde_json::Value {
    let (_, signer) = demo::demo_pki(&t.issuer).unwrap();
    let mut chip = t.chip(&signer).unwrap();
    if forged {
        chip = chip.with_altered_dg1();
    }
    serde_json::json!({
        "chip": {"sod": b64(&chip.sod), "dg1": b64(&chip.data_groups[&1])},
        "active_authentication": "passed",
        "biometrics": [{"modality": "face", "matcher": "dasan-test-face-1", "reference": b64(b"template-handle-42")}],
    })
}

engine_tests! {
    async fn a_traveller_enrols_and_the_gate_knows_them(engine) {
        let app = border_app(engine).await;
        let api = client();
        let officer = official_token(&app, "officer@icn.kis.example", "border.officer", "KIS-ICN").await;
        let admin = official_token(&app, "admin@kis.example", "border.admin", "KIS").await;
        let clerk = official_token(&app, "clerk@mois.example", "civil.officer", "MOIS").await;
        let jane = jane();

        // Not enrolled: the gate refers her.
        let before = pass(&app, &jane, false, Direction::Entry).await;
        assert!(codes(&before).contains(&"not-enrolled".to_owned()), "{before}");

        // Refusals at pre-registration: nothing stored.
        let url = app.url("/api/v1/border/enrolments");
        let mut no_consent = pre(&jane);
        no_consent["consent"] = false.into();
        let p = assert_problem(api.post(&url).json(&no_consent).send().await.unwrap(), 422, "validation-failed").await;
        assert_eq!(p["errors"][0]["field"], "consent", "{p}");
        let mut old_consent = pre(&jane);
        old_consent["consent_version"] = "ses-consent-0".into();
        assert_problem(api.post(&url).json(&old_consent).send().await.unwrap(), 422, "validation-failed").await;
        let mut bad_mrz = pre(&jane);
        bad_mrz["mrz"] = mrz_of(&jane).replacen("E12345678", "E12345670", 1).into();
        let p = assert_problem(api.post(&url).json(&bad_mrz).send().await.unwrap(), 422, "validation-failed").await;
        assert_eq!(p["errors"][0]["field"], "mrz", "{p}");
        bad_mrz["mrz"] = "not an MRZ\u{0}".into();
        assert_problem(api.post(&url).json(&bad_mrz).send().await.unwrap(), 422, "validation-failed").await;
        let hong = Traveller::new("KOR", "HONG", "GIL DONG", "M12345678", "850315", "320101");
        assert_problem(api.post(&url).json(&pre(&hong)).send().await.unwrap(), 403, "enrolment-not-required").await;
        let child = Traveller::new("USA", "SMITH", "TIM", "E22345678", "200101", "320101");
        assert_problem(api.post(&url).json(&pre(&child)).send().await.unwrap(), 403, "not-eligible").await;
        assert_problem(api.post(&url).json(&serde_json::json!({"mrz": "x"})).send().await.unwrap(), 422, "validation-failed").await;
        // Nothing stored but the demo's own pre-registration (MILLER, waiting at the desk).
        assert_eq!(app.count("SELECT COUNT(*) FROM border_enrolments WHERE surname <> 'MILLER'").await, 0);

        // Pre-registered: pending, with an access code.
        let created = api.post(&url).json(&pre(&jane)).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let created: serde_json::Value = created.json().await.unwrap();
        assert_eq!(created["state"], "pending", "{created}");
        assert_eq!(created["surname"], "SMITH");
        assert!(created["valid_until"].is_null());
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/border/enrolments/{id}"));
        let code = created["access_code"].as_str().unwrap().to_owned();
        // Once per passport.
        assert_problem(api.post(&url).json(&pre(&jane)).send().await.unwrap(), 409, "invalid-transition").await;

        // The traveller reads it with the code; officials with a token; nobody else.
        let one = app.url(&location);
        let mine: serde_json::Value = api.get(&one).header("dasan-enrolment-code", &code).send().await.unwrap().json().await.unwrap();
        assert_eq!(mine["id"], id.as_str(), "{mine}");
        assert!(mine.get("access_code").is_none());
        assert_problem(api.get(&one).send().await.unwrap(), 401, "unauthenticated").await;
        assert_problem(api.get(&one).header("dasan-enrolment-code", "x").send().await.unwrap(), 401, "unauthenticated").await;
        assert_problem(api.get(&one).bearer_auth(&clerk).send().await.unwrap(), 403, "forbidden").await;
        assert_eq!(api.get(&one).bearer_auth(&officer).send().await.unwrap().status(), 200);
        assert_problem(api.get(app.url("/api/v1/border/enrolments/nope")).bearer_auth(&officer).send().await.unwrap(), 404, "not-found").await;

        // The desk: only border officials; a forged or another passport's chip is refused.
        let done = app.url(&format!("{location}/completion"));
        assert_problem(api.post(&done).json(&completion(&jane, false)).send().await.unwrap(), 401, "unauthenticated").await;
        assert_problem(api.post(&done).bearer_auth(&clerk).json(&completion(&jane, false)).send().await.unwrap(), 403, "forbidden").await;
        assert_problem(api.post(&done).bearer_auth(&officer).json(&completion(&jane, true)).send().await.unwrap(), 400, "document-not-authentic").await;
        let other = Traveller::new("USA", "SMITH", "JOHN", "E99999999", "900101", "320101");
        assert_problem(api.post(&done).bearer_auth(&officer).json(&completion(&other, false)).send().await.unwrap(), 400, "document-not-authentic").await;
        let mut no_bio = completion(&jane, false);
        no_bio["biometrics"] = serde_json::json!([]);
        assert_problem(api.post(&done).bearer_auth(&officer).json(&no_bio).send().await.unwrap(), 422, "validation-failed").await;
        let mut bad_b64 = completion(&jane, false);
        bad_b64["chip"]["sod"] = "***".into();
        let p = assert_problem(api.post(&done).bearer_auth(&officer).json(&bad_b64).send().await.unwrap(), 422, "validation-failed").await;
        assert_eq!(p["errors"][0]["field"], "chip.sod", "{p}");
        assert_problem(api.post(app.url("/api/v1/border/enrolments/nope/completion")).bearer_auth(&officer).json(&completion(&jane, false)).send().await.unwrap(), 404, "not-found").await;

        let active = api.post(&done).bearer_auth(&officer).json(&completion(&jane, false)).send().await.unwrap();
        assert_eq!(active.status(), 200);
        let active: serde_json::Value = active.json().await.unwrap();
        assert_eq!(active["state"], "active", "{active}");
        assert_eq!(active["passive_authentication"], "valid", "{active}");
        assert!(active["valid_until"].as_str().unwrap() <= "2032-01-01", "{active}");
        assert_eq!(active["biometrics"][0]["modality"], "face");
        assert!(!active.to_string().contains("template-handle-42"), "references are never shown");
        assert_problem(api.post(&done).bearer_auth(&officer).json(&completion(&jane, false)).send().await.unwrap(), 409, "invalid-transition").await;

        // The gate knows her now.
        let enrolled = pass(&app, &jane, false, Direction::Entry).await;
        let reasons = codes(&enrolled);
        assert!(!reasons.contains(&"not-enrolled".to_owned()) && !reasons.contains(&"enrolment-not-active".to_owned()), "{enrolled}");

        // Suspended: the gate refers; reinstated; revoked by an administrator.
        let to = app.url(&format!("{location}/state"));
        assert_problem(api.post(&to).bearer_auth(&clerk).json(&serde_json::json!({"state": "suspended", "reason": "x"})).send().await.unwrap(), 403, "forbidden").await;
        assert_problem(api.post(&to).bearer_auth(&officer).json(&serde_json::json!({"state": "suspended", "reason": " "})).send().await.unwrap(), 422, "validation-failed").await;
        assert_problem(api.post(&to).bearer_auth(&officer).json(&serde_json::json!({"state": "pending", "reason": "x"})).send().await.unwrap(), 422, "validation-failed").await;
        let suspended: serde_json::Value = api.post(&to).bearer_auth(&officer).json(&serde_json::json!({"state": "suspended", "reason": "Passport reported damaged."})).send().await.unwrap().json().await.unwrap();
        assert_eq!(suspended["state"], "suspended", "{suspended}");
        assert_eq!(suspended["status_reason"], "Passport reported damaged.");
        let refused = pass(&app, &jane, false, Direction::Entry).await;
        assert_eq!(refused["outcome"], "REFER");
        assert!(codes(&refused).contains(&"enrolment-not-active".to_owned()), "{refused}");
        let back = api.post(&to).bearer_auth(&officer).json(&serde_json::json!({"state": "active", "reason": "New passport seen."})).send().await.unwrap();
        assert_eq!(back.status(), 200);
        let revoked = api.post(&to).bearer_auth(&admin).json(&serde_json::json!({"state": "revoked", "reason": "Withdrawn by the traveller."})).send().await.unwrap();
        assert_eq!(revoked.status(), 200);
        assert_problem(api.post(&to).bearer_auth(&admin).json(&serde_json::json!({"state": "suspended", "reason": "x"})).send().await.unwrap(), 409, "invalid-transition").await;

        // The OpenAPI document describes the routes.
        let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        for path in ["/api/v1/border/enrolments", "/api/v1/border/enrolments/{id}/completion", "/api/v1/border/lists/{kind}"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
    }

    async fn border_administrators_import_lists_over_http(engine) {
        let app = border_app_with(engine, |c| {
            c.server.body_limit_bytes = 16 * 1024;
            c.border.list_body_limit_bytes = 64 * 1024;
        })
        .await;
        let api = client();
        let officer = official_token(&app, "officer@icn.kis.example", "border.officer", "KIS-ICN").await;
        let admin = official_token(&app, "admin@kis.example", "border.admin", "KIS").await;
        let csv = "id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n\
                   T-1,individual,SMITH JANE,,1990-01-01,USA,,2026-01-01\n";
        let put = |kind: &str, query: &str| api.put(app.url(&format!("/api/v1/border/lists/{kind}{query}")));

        // Only administrators import; a national list needs a name; unknown kinds do not exist.
        assert_problem(put("national", "?name=KOR-MOJ").body(csv).send().await.unwrap(), 401, "unauthenticated").await;
        assert_problem(put("national", "?name=KOR-MOJ").bearer_auth(&officer).body(csv).send().await.unwrap(), 403, "forbidden").await;
        assert_problem(put("national", "").bearer_auth(&admin).body(csv).send().await.unwrap(), 422, "validation-failed").await;
        assert_problem(put("nope", "").bearer_auth(&admin).body(csv).send().await.unwrap(), 404, "not-found").await;
        assert_problem(put("un", "").bearer_auth(&admin).body("<not-the-un-list/>").send().await.unwrap(), 400, "import-failed").await;

        let imported = put("national", "?name=KOR-MOJ&version=2026-03").bearer_auth(&admin).body(csv).send().await.unwrap();
        assert_eq!(imported.status(), 200);
        let imported: serde_json::Value = imported.json().await.unwrap();
        assert_eq!(imported["list_key"], "national:KOR-MOJ", "{imported}");
        assert_eq!(imported["entries"], 1);
        assert_eq!(imported["version"], "2026-03");
        let lists: serde_json::Value = api.get(app.url("/api/v1/border/lists")).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
        let keys: Vec<&str> = lists["lists"].as_array().unwrap().iter().map(|l| l["list_key"].as_str().unwrap()).collect();
        assert!(keys.contains(&"national:KOR-MOJ") && keys.contains(&"national:DEMO"), "{lists}");
        // Who imported each: the administrator's account, or the platform itself (null).
        let by = |key: &str| lists["lists"].as_array().unwrap().iter().find(|l| l["list_key"] == key).unwrap()["imported_by"].clone();
        let me: serde_json::Value = api.get(app.url("/api/v1/me")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
        assert!(me["account"].is_string(), "{me}");
        assert_eq!(by("national:KOR-MOJ"), me["account"], "{lists}");
        assert_eq!(imported["imported_by"], me["account"]);
        assert!(by("national:DEMO").is_null(), "{lists}");
        assert_problem(api.get(app.url("/api/v1/border/lists")).send().await.unwrap(), 401, "unauthenticated").await;

        // The gate screens against it at once.
        let hit = pass(&app, &jane(), false, Direction::Entry).await;
        assert!(codes(&hit).contains(&"watchlist-hit".to_owned()), "{hit}");

        // Tables: waivers and visas.
        let waivers = put("waivers", "").bearer_auth(&admin).body("nationality,days\nUSA,90\n").send().await.unwrap();
        assert_eq!(waivers.status(), 200, "{}", waivers.text().await.unwrap());

        // List uploads have their own limit, above the server's; other routes keep it.
        let big = format!("{csv}{}", "#".repeat(32 * 1024));
        let over_global = put("lost-stolen", "?name=SLTD").bearer_auth(&admin).body(big.clone()).send().await.unwrap();
        assert_ne!(over_global.status(), 413, "the list route takes bodies above server.body_limit_bytes");
        assert_problem(api.post(app.url("/api/v1/border/enrolments")).header("content-type", "application/json").body(big).send().await.unwrap(), 413, "payload-too-large").await;
        let huge = "#".repeat(100 * 1024);
        assert_problem(put("un", "").bearer_auth(&admin).body(huge).send().await.unwrap(), 413, "payload-too-large").await;
    }

    async fn the_enrolment_pages_work_without_scripts(engine) {
        let app = border_app(engine).await;
        let jane = jane();
        let (_, usa) = demo::demo_pki("USA").unwrap();
        let chip = jane.chip(&usa).unwrap();
        let mrz = chip.mrz_lines.join("\r\n");

        // The public form: without consent, the form again with the error summary.
        let traveller = app.shallow();
        let form = traveller.get_page("/border/enrol", "en").await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("name=\"consent_version\" value=\"ses-consent-1\""), "{html}");
        let refused = traveller.post_form("/border/enrol", "/border/enrol", &[("mrz", &mrz), ("contact", "jane@example.com"), ("consent_version", "ses-consent-1")]).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("error-summary") && text.contains("href=\"#consent\""), "{text}");
        let unreadable = traveller.post_form("/border/enrol", "/border/enrol", &[("mrz", "x"), ("contact", "j"), ("consent", "yes"), ("consent_version", "ses-consent-1")]).await;
        assert_eq!(unreadable.status(), 422);
        // Without the CSRF token: refused.
        let forged = traveller.client.post(traveller.url("/border/enrol")).form(&[("mrz", mrz.as_str()), ("consent", "yes")]).send().await.unwrap();
        assert_eq!(forged.status(), 403);
        // Agreed: the confirmation with the reference and access code.
        let done = traveller.post_form("/border/enrol", "/border/enrol", &[("mrz", &mrz), ("contact", "jane@example.com"), ("consent", "yes"), ("consent_version", "ses-consent-1")]).await;
        assert_eq!(done.status(), 200);
        let html = done.text().await.unwrap();
        let id = html.split("id=\"reference\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
        let code = html.split("id=\"access-code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
        let mine = client().get(app.url(&format!("/api/v1/border/enrolments/{id}"))).header("dasan-enrolment-code", &code).send().await.unwrap();
        assert_eq!(mine.status(), 200);

        // The desk: an officer sees the pending enrolment and completes it with uploads.
        account(&app, AccountKind::Official, "officer@icn.kis.example", &[("border.officer", "KIS-ICN")], Some("KIS-ICN")).await;
        sign_in_official(&app, "officer@icn.kis.example", None).await;
        let queue = app.get_page("/border/ports/ICN/referrals", "en").await.text().await.unwrap();
        assert!(queue.contains("href=\"/border/enrolments\""), "{queue}");
        assert!(!queue.contains("href=\"/border/lists\""), "officers do not import lists");
        let desk = app.get_page("/border/enrolments", "en").await.text().await.unwrap();
        assert!(desk.contains(&format!("href=\"/border/enrolments/{id}\"")), "{desk}");
        let page = format!("/border/enrolments/{id}");
        let complete = format!("{page}/complete");
        let fields = [("active_authentication", "passed"), ("modality", "face"), ("matcher", "dasan-test-face-1")];
        // A forged chip: the page says so; nothing stored.
        let forged_chip = chip.with_altered_dg1();
        let bad = post_multipart(&app, &page, &complete, &fields, &[("sod", "sod.bin", &forged_chip.sod), ("dg1", "dg1.bin", &forged_chip.data_groups[&1]), ("reference", "face.tpl", b"handle-1")]).await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("The passport chip failed verification"));
        // A missing file: the error at the field.
        let missing = post_multipart(&app, &page, &complete, &fields, &[("sod", "sod.bin", &chip.sod), ("reference", "face.tpl", b"handle-1")]).await;
        assert_eq!(missing.status(), 422);
        assert!(missing.text().await.unwrap().contains("href=\"#dg1\""));
        let ok = post_multipart(&app, &page, &complete, &fields, &[("sod", "sod.bin", &chip.sod), ("dg1", "dg1.bin", &chip.data_groups[&1]), ("reference", "face.tpl", b"handle-1")]).await;
        assert_eq!(ok.status(), 303);
        assert_eq!(location(&ok), "/border/enrolments?done=1");
        let shown = app.get_page(&page, "ko").await.text().await.unwrap();
        assert!(shown.contains("사용 중"), "{shown}");
        // Suspend without a reason, then with one.
        let state = format!("{page}/state");
        let invalid = app.post_form(&page, &state, &[("to", "suspended"), ("reason", " ")]).await;
        assert_eq!(invalid.status(), 422);
        let suspended = app.post_form(&page, &state, &[("to", "suspended"), ("reason", "Passport reported damaged.")]).await;
        assert_eq!(suspended.status(), 303);
        let shown = app.get_page(&page, "en").await.text().await.unwrap();
        assert!(shown.contains("Suspended") && shown.contains("Passport reported damaged."), "{shown}");
        // Officials only: the lists page does not exist for an officer.
        assert_eq!(app.get_page("/border/lists", "en").await.status(), 404);
        assert_eq!(traveller.get_page("/border/enrolments", "en").await.status(), 303);

        // The administrator imports a list through the page.
        let admin = app.shallow();
        account(&admin, AccountKind::Official, "admin@kis.example", &[("border.admin", "KIS")], Some("KIS")).await;
        sign_in_official(&admin, "admin@kis.example", None).await;
        let lists = admin.get_page("/border/lists", "en").await;
        assert_eq!(lists.status(), 200);
        assert!(lists.text().await.unwrap().contains("national:DEMO"));
        let csv = b"id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\nT-9,individual,DOE JOHN,,1980,USA,,2026-01-01\n";
        let no_file = post_multipart(&admin, "/border/lists", "/border/lists", &[("kind", "national"), ("name", "KOR-MOJ")], &[]).await;
        assert_eq!(no_file.status(), 422);
        let broken = post_multipart(&admin, "/border/lists", "/border/lists", &[("kind", "un"), ("name", "")], &[("file", "un.xml", b"<nope/>")]).await;
        assert_eq!(broken.status(), 422);
        assert!(broken.text().await.unwrap().contains("could not be imported"));
        let imported = post_multipart(&admin, "/border/lists", "/border/lists", &[("kind", "national"), ("name", "KOR-MOJ"), ("version", "v1")], &[("file", "list.csv", csv)]).await;
        assert_eq!(imported.status(), 303);
        let html = admin.get_page("/border/lists?imported=1", "en").await.text().await.unwrap();
        assert!(html.contains("national:KOR-MOJ") && html.contains("The file has been imported."), "{html}");
    }
}
