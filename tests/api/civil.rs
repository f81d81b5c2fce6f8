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

/// An API token for a new account: a citizen linked to `person`, or an official of MOIS-JONGNO
/// who reviews applications.
async fn token_for(
    app: &TestApp,
    email: &str,
    person: Option<&str>,
) -> (dasan_identity::AccountId, String) {
    use dasan_identity::{AccountKind, Assurance, NewAccount, Permission, Principal, RoleGrant};
    let official = person.is_none();
    let roles = if official {
        vec![RoleGrant {
            role: "civil.officer",
            scope: "MOIS-JONGNO".into(),
        }]
    } else {
        Vec::new()
    };
    let account = dasan_identity::create_account(
        &app.db.db,
        dasan_kernel::Actor::system(),
        NewAccount {
            kind: if official {
                AccountKind::Official
            } else {
                AccountKind::Citizen
            },
            email: email.into(),
            display_name: email.into(),
            password: "plum tractor ocean 47 lantern".into(),
            roles: roles.clone(),
            agency: official.then(|| "MOIS-JONGNO".to_owned()),
        },
    )
    .await
    .unwrap();
    if let Some(p) = person {
        dasan_identity::link_person(&app.db.db, dasan_kernel::Actor::system(), account, p)
            .await
            .unwrap();
    }
    let principal = Principal {
        account,
        kind: if official {
            AccountKind::Official
        } else {
            AccountKind::Citizen
        },
        display_name: email.into(),
        agency: official.then(|| "MOIS-JONGNO".to_owned()),
        person: person.map(str::to_owned),
        business: None,
        roles,
        assurance: Assurance::Multi,
        scopes: None,
    };
    let scopes: &[Permission] = if official {
        &[Permission::CivilReview]
    } else {
        &[]
    };
    let (_, secret) = dasan_identity::tokens::create(&app.db.db, &principal, "script", scopes, 30)
        .await
        .unwrap();
    (account, secret)
}

engine_tests! {
    async fn a_script_applies_and_an_agency_system_works_the_queue_through_the_api(engine) {
        let app = spawn_app(engine).await;
        let registry = dasan_registry::Registry::new(app.db.db.clone());
        dasan_registry::demo::load(&registry, dasan_kernel::Actor::system(), &dasan_registry::demo::DemoSpec { people: 10, businesses: 1, seed: 3 }).await.unwrap();
        let person: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE status = 'living' ORDER BY id LIMIT 1").fetch_one(p).await).unwrap();
        let (_, citizen) = token_for(&app, "script@example.kr", Some(&person)).await;
        let (officer_id, officer) = token_for(&app, "desk@jongno.go.kr", None).await;
        let (colleague_id, colleague) = token_for(&app, "desk2@jongno.go.kr", None).await;
        let api = client();
        let post = |path: &str, token: &str, body: serde_json::Value| {
            api.post(app.url(path)).bearer_auth(token.to_owned()).json(&body).send()
        };
        // Everything wrong is reported at once, on its field, and nothing is kept.
        let bad = post("/api/v1/applications", &citizen, serde_json::json!({
            "service": "moving-in-report",
            "answers": { "moved_on": "2026-02-30", "household": "lots", "name_local": "Me", "colour": "red" },
        })).await.unwrap();
        let problem = assert_problem(bad, 422, "validation-failed").await;
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["new_address", "moved_on", "household", "colour"] {
            assert!(fields.contains(&f), "{f} in {problem}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM civil_applications").await, 0, "nothing half-written");
        assert_problem(post("/api/v1/applications", &citizen, serde_json::json!({ "service": "no-such-service" })).await.unwrap(), 404, "not-found").await;
        assert_problem(post("/api/v1/applications", "dsn_wrong", serde_json::json!({ "service": "moving-in-report" })).await.unwrap(), 401, "invalid-token").await;
        // A complete application is submitted with a receipt, registry facts filled in.
        let created = post("/api/v1/applications", &citizen, serde_json::json!({
            "service": "moving-in-report",
            "answers": { "new_address": "서울특별시 종로구 세종대로 209, 3층", "moved_on": "2026-11-20", "household": "2" },
        })).await.unwrap();
        assert_eq!(created.status(), 201);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let created: serde_json::Value = created.json().await.unwrap();
        assert_eq!(created["status"], "submitted");
        assert!(created["receipt"].as_str().unwrap().len() == 18, "{created}");
        assert!(!created["prefilled"].as_object().unwrap().is_empty(), "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/applications/{id}"));
        // The agency system sees it in the queue, hands it to a colleague, who asks a question.
        let queue: serde_json::Value = api.get(app.url("/api/v1/agencies/MOIS-JONGNO/applications?filter=unassigned")).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
        assert_eq!(queue.as_array().unwrap().iter().filter(|a| a["id"] == id.as_str()).count(), 1, "{queue}");
        assert_problem(api.get(app.url("/api/v1/agencies/MOIS-JONGNO/applications?filter=bogus")).bearer_auth(&officer).send().await.unwrap(), 422, "validation-failed").await;
        assert_problem(api.get(app.url("/api/v1/agencies/MOIS-JONGNO/applications")).bearer_auth(&citizen).send().await.unwrap(), 404, "not-found").await;
        let act = |token: &str, body: serde_json::Value| post(&format!("/api/v1/applications/{id}/actions"), token, body);
        let version = created["version"].as_i64().unwrap();
        assert_problem(act(&citizen, serde_json::json!({ "action": "approve", "version": version })).await.unwrap(), 404, "not-found").await;
        assert_problem(act(&officer, serde_json::json!({ "action": "assign", "version": version })).await.unwrap(), 422, "validation-failed").await;
        assert_problem(act(&officer, serde_json::json!({ "action": "fly", "version": version })).await.unwrap(), 422, "validation-failed").await;
        let assigned: serde_json::Value = act(&officer, serde_json::json!({ "action": "assign", "version": version, "assignee": colleague_id.to_string() })).await.unwrap().json().await.unwrap();
        assert_eq!(assigned["status"], "in_review");
        assert_eq!(assigned["assigned_to"], colleague_id.to_string());
        // A stale version is a conflict, never a second change.
        assert_problem(act(&colleague, serde_json::json!({ "action": "request_info", "version": version, "message": "Which floor?" })).await.unwrap(), 409, "application-changed").await;
        let v = assigned["version"].as_i64().unwrap();
        assert_problem(act(&officer, serde_json::json!({ "action": "approve", "version": v })).await.unwrap(), 409, "assigned-to-other").await;
        let asked: serde_json::Value = act(&colleague, serde_json::json!({ "action": "request_info", "version": v, "message": "Which floor?" })).await.unwrap().json().await.unwrap();
        assert_eq!(asked["status"], "info_requested");
        // The citizen's script answers; the colleague gives it back to the first official, who rejects with a reason.
        let answered: serde_json::Value = act(&citizen, serde_json::json!({ "action": "answer", "version": asked["version"], "message": "The third." })).await.unwrap().json().await.unwrap();
        assert_eq!(answered["status"], "in_review");
        let back: serde_json::Value = act(&colleague, serde_json::json!({ "action": "assign", "version": answered["version"], "assignee": officer_id.to_string() })).await.unwrap().json().await.unwrap();
        assert_problem(act(&officer, serde_json::json!({ "action": "reject", "version": back["version"] })).await.unwrap(), 422, "validation-failed").await;
        let done: serde_json::Value = act(&officer, serde_json::json!({ "action": "reject", "version": back["version"], "message": "You moved within the same building." })).await.unwrap().json().await.unwrap();
        assert_eq!(done["status"], "rejected");
        assert_eq!(done["decision_reason"], "You moved within the same building.");
        let actions: Vec<&str> = done["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["submit", "assign", "request_info", "answer", "assign", "reject"]);
        let mine: serde_json::Value = api.get(app.url(&location)).bearer_auth(&citizen).send().await.unwrap().json().await.unwrap();
        assert_eq!(mine["status"], "rejected");
    }
}

engine_tests! {
    async fn an_agency_administrator_edits_a_service_in_the_portal(engine) {
        use crate::identity::{account, sign_in_official};
        let app = spawn_app(engine).await;
        assert_eq!(app.get_page("/agencies/MOIS-JONGNO/services", "en").await.status(), 303, "signed out: sign in first");
        account(&app, dasan_identity::AccountKind::Official, "chief@jongno.go.kr", &[("agency.admin", "MOIS-JONGNO")], Some("MOIS-JONGNO")).await;
        sign_in_official(&app, "chief@jongno.go.kr", None).await;
        let list = app.get_page("/agencies/MOIS-JONGNO/services", "ko").await;
        assert_eq!(list.status(), 200);
        assert!(list.text().await.unwrap().contains("/agencies/MOIS-JONGNO/services/moving-in-report/edit"));
        assert_eq!(app.get_page("/agencies/NTS/services", "en").await.status(), 404, "another agency's services are not theirs");
        assert_eq!(app.get_page("/agencies/MOIS-JONGNO/services/tax-payment-certificate/edit", "en").await.status(), 404);
        let page = app.get_page("/agencies/MOIS-JONGNO/services/moving-in-report/edit", "en").await.text().await.unwrap();
        let text = page.split("name=\"definition\"").nth(1).and_then(|s| s.split_once('>')).map(|(_, rest)| rest.split("</textarea>").next().unwrap_or_default()).unwrap();
        let text = text.replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"").replace("&#39;", "'");
        assert!(text.contains("code = \"moving-in-report\""), "{text}");
        let path = "/agencies/MOIS-JONGNO/services/moving-in-report/edit";
        let bad = app.post_form(path, "/agencies/MOIS-JONGNO/services/save", &[("definition", "code = ["), ("version", "1")]).await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("href=\"#definition\""), "the error summary links to the text");
        let edited = text.replacen("time_limit_days = ", "time_limit_days = 1", 1);
        let saved = app.post_form(path, "/agencies/MOIS-JONGNO/services/save", &[("definition", &edited), ("version", "1")]).await;
        assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap_or_default());
        assert_eq!(crate::identity::location(&saved), "/agencies/MOIS-JONGNO/services?saved=moving-in-report&version=2");
        let again = app.post_form(path, "/agencies/MOIS-JONGNO/services/save", &[("definition", &edited), ("version", "2")]).await;
        assert_eq!(crate::identity::location(&again), "/agencies/MOIS-JONGNO/services?saved=moving-in-report&version=2", "the same text again changes nothing");
        let stale = app.post_form(path, "/agencies/MOIS-JONGNO/services/save", &[("definition", &edited.replacen("time_limit_days = 1", "time_limit_days = 2", 1)), ("version", "1")]).await;
        assert_eq!(stale.status(), 409);
        let api: serde_json::Value = app.get("/api/v1/services/moving-in-report").await.json().await.unwrap();
        assert_eq!(api["version"], 2);
    }
}

engine_tests! {
    async fn a_citizen_confirms_a_mobile_number_and_is_texted_about_an_application(engine) {
        use crate::identity::{PASSWORD, location, sign_in};
        let app = spawn_app(engine).await;
        let registry = dasan_registry::Registry::new(app.db.db.clone());
        dasan_registry::demo::load(&registry, dasan_kernel::Actor::system(), &dasan_registry::demo::DemoSpec { people: 10, businesses: 1, seed: 3 }).await.unwrap();
        let person: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE status = 'living' ORDER BY id LIMIT 1").fetch_one(p).await).unwrap();
        let (account, token) = token_for(&app, "texts@example.kr", Some(&person)).await;
        assert_eq!(sign_in(&app, "texts@example.kr", PASSWORD).await.status(), 303);
        let page = app.get_page("/account/phone", "ko").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("휴대전화 번호"));
        // A landline cannot get texts, and nonsense is no number: both are said on the field.
        for typed in ["02-2100-3399", "call me"] {
            let refused = app.post_form("/account/phone", "/account/phone", &[("phone", typed)]).await;
            assert_eq!(refused.status(), 422, "{typed}");
            assert!(refused.text().await.unwrap().contains("href=\"#phone\""), "{typed}");
        }
        // A mobile number gets a code by text; only the right code confirms it.
        let sent = app.post_form("/account/phone", "/account/phone", &[("phone", "010-1234-5678")]).await;
        assert_eq!(location(&sent), "/account/phone");
        let text: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT body FROM outbox WHERE channel = 'sms' AND recipient = '+821012345678'").fetch_one(p).await).unwrap();
        let code: String = text.trim_start_matches("[Dasan] ").chars().take(6).collect();
        assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
        assert_eq!(dasan_identity::phone::status(&app.db.db, account).await.unwrap().confirmed, None, "not before the code");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let refused = app.post_form("/account/phone", "/account/phone/confirm", &[("code", wrong)]).await;
        assert_eq!(refused.status(), 422);
        let confirmed = app.post_form("/account/phone", "/account/phone/confirm", &[("code", &code)]).await;
        assert_eq!(location(&confirmed), "/account/phone");
        let shown = app.get_page("/account/phone", "en").await.text().await.unwrap();
        assert!(shown.contains("+82 10-1234-5678"), "{shown}");
        // An application's receipt is texted as well as e-mailed.
        let created = client().post(app.url("/api/v1/applications")).bearer_auth(&token).json(&serde_json::json!({
            "service": "moving-in-report",
            "answers": { "new_address": "서울특별시 종로구 세종대로 209, 3층", "moved_on": "2026-11-20", "household": "2" },
        })).send().await.unwrap();
        assert_eq!(created.status(), 201);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND body LIKE '[Dasan] Received: %'").await, 1);
        // The outbox worker hands both texts to the operator's gateway.
        let gateway = dasan_notify::testing::SmsGateway::start().await;
        let channels = dasan_notify::Channels {
            email: None,
            sms: Some(std::sync::Arc::new(dasan_notify::HttpSmsGateway::new(&gateway.url(), None, "DASAN").unwrap())),
        };
        assert_eq!(dasan_notify::deliver_due(&app.db.db, &channels, 10).await.unwrap().sent, 2);
        let received = gateway.received();
        assert!(received.iter().all(|m| m.to == "+821012345678"));
        assert!(received.iter().any(|m| m.text.starts_with("[Dasan] Received: ")), "{received:?}");
        // Removing the number stops texts.
        let removed = app.post_form("/account/phone", "/account/phone/remove", &[]).await;
        assert_eq!(location(&removed), "/account/phone");
        assert_eq!(dasan_identity::phone::status(&app.db.db, account).await.unwrap(), Default::default());
    }
}

engine_tests! {
    async fn an_instant_certificate_is_issued_as_a_signed_pdf_through_the_api_and_the_page(engine) {
        use crate::identity::{PASSWORD, sign_in};
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let config = test_config(&db);
        let app = spawn_app_with(db, config.clone()).await;
        dasan::init_pki(&config, &app.db.db, dasan::demo::pki_spec(&app.address).unwrap()).await.unwrap();
        let registry = dasan_registry::Registry::new(app.db.db.clone());
        dasan_registry::demo::load(&registry, dasan_kernel::Actor::system(), &dasan_registry::demo::DemoSpec { people: 10, businesses: 1, seed: 3 }).await.unwrap();
        let person: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE status = 'living' ORDER BY id LIMIT 1").fetch_one(p).await).unwrap();
        let (_, token) = token_for(&app, "certificate@example.kr", Some(&person)).await;
        let api = client();
        let created = api.post(app.url("/api/v1/applications")).bearer_auth(&token).json(&serde_json::json!({
            "service": "resident-registration-certificate",
            "answers": { "use": "submission" },
        })).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let detail: serde_json::Value = api.get(app.url(&location)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(detail["status"], "issued");
        let doc = &detail["documents"][0];
        assert_eq!(doc["document_type"], "resident-registration");
        assert_eq!(doc["signed_by"], "MOIS");
        assert!(doc["qr"].as_str().unwrap().starts_with("DSN1:"), "{doc}");
        let pdf = api.get(app.url(doc["href"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let bytes = pdf.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(doc["size"].as_u64().unwrap() as usize, bytes.len());
        dasan_docs::pades::verify_integrity(&bytes).unwrap();
        // The applicant's wallet lists it.
        let wallet: serde_json::Value = api.get(app.url("/api/v1/documents")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(wallet.as_array().unwrap().len(), 1);
        assert_eq!(wallet[0]["href"], doc["href"]);
        // The applicant's page links the same file.
        assert_eq!(sign_in(&app, "certificate@example.kr", PASSWORD).await.status(), 303);
        let page = app.get_page(&location.replace("/api/v1", ""), "ko").await.text().await.unwrap();
        assert!(page.contains("주민등록표 등본") && page.contains(doc["href"].as_str().unwrap().trim_start_matches("/api/v1")), "{page}");
        let list = app.get_page("/applications", "en").await.text().await.unwrap();
        assert!(list.contains("id=\"wallet\"") && list.contains(doc["href"].as_str().unwrap().trim_start_matches("/api/v1")), "{list}");
        // Someone else's token (an official of another agency) gets nothing.
        let (_, other) = token_for(&app, "desk@jongno.go.kr", None).await;
        assert_problem(api.get(app.url(doc["href"].as_str().unwrap())).bearer_auth(&other).send().await.unwrap(), 404, "not-found").await;
        // Nor may it revoke what another agency issued, or the holder revoke their own.
        let revoke = format!("{}/revoke", doc["href"].as_str().unwrap());
        for t in [&other, &token] {
            assert_problem(api.post(app.url(&revoke)).bearer_auth(t).json(&serde_json::json!({ "reason": "x" })).send().await.unwrap(), 404, "not-found").await;
        }

        // Anyone checks it, without an account, by its seal or its number; an altered seal is forged.
        let verify = |body: serde_json::Value| api.post(app.url("/api/v1/documents/verify")).json(&body).send();
        let qr = doc["qr"].as_str().unwrap();
        let by_seal: serde_json::Value = verify(serde_json::json!({ "document": qr })).await.unwrap().json().await.unwrap();
        assert_eq!(by_seal["verdict"], "valid", "{by_seal}");
        assert_eq!(by_seal["attested"]["issue_number"], doc["issue_number"]);
        assert_eq!(by_seal["attested"]["document_type"], "resident-registration");
        let by_number: serde_json::Value = verify(serde_json::json!({ "document": doc["issue_number"], "check_code": doc["check_code"] })).await.unwrap().json().await.unwrap();
        assert_eq!(by_number["verdict"], "valid");
        let no_code: serde_json::Value = verify(serde_json::json!({ "document": doc["issue_number"] })).await.unwrap().json().await.unwrap();
        assert_eq!(no_code["verdict"], "unknown", "a number alone does not find a document that has a check code");
        let long = verify(serde_json::json!({ "document": doc["issue_number"], "check_code": "A".repeat(65) })).await.unwrap();
        assert_problem(long, 422, "validation-failed").await;
        let mut altered = qr.to_owned();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        let forged: serde_json::Value = verify(serde_json::json!({ "document": altered })).await.unwrap().json().await.unwrap();
        assert_eq!(forged["verdict"], "forged");
        assert!(forged["attested"].is_null(), "a forged seal attests nothing");
        let unknown: serde_json::Value = verify(serde_json::json!({ "document": "0000-0000-0000-0000" })).await.unwrap().json().await.unwrap();
        assert_eq!(unknown["verdict"], "unknown");
        let odd: serde_json::Value = verify(serde_json::json!({ "document": "C\u{0}$ 등본" })).await.unwrap().json().await.unwrap();
        assert_eq!(odd["verdict"], "unknown", "odd text is no number, never a server error");
        assert_problem(verify(serde_json::json!({ "document": "  " })).await.unwrap(), 422, "validation-failed").await;
        assert_problem(verify(serde_json::json!({})).await.unwrap(), 422, "validation-failed").await;
        // Guessing numbers is slowed down per address.
        let mut limited = false;
        for n in 0..40 {
            let r = verify(serde_json::json!({ "document": format!("9999-9999-9999-{n:04}") })).await.unwrap();
            if r.status() == 429 {
                limited = true;
                break;
            }
        }
        assert!(limited, "enumerating issue numbers is rate-limited");
        // The page gives the same answer (from another address it would not be limited; here
        // the seal is checked, which is never limited).
        let page = app.post_form("/verify", "/verify", &[("payload", qr)]).await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains("id=\"verdict\"") && page.contains(doc["issue_number"].as_str().unwrap()), "{page}");
        assert_eq!(app.post_form("/verify", "/verify", &[("payload", ""), ("number", "")]).await.status(), 422);

        // The platform's time-stamping authority answers RFC 3161 requests over HTTP.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(b"a document").to_vec();
        let nonce = [7u8; 8];
        let query = dasan_docs::tsa::request(&digest, &nonce).unwrap();
        let reply = api.post(app.url("/pki/tsa")).header("content-type", "application/timestamp-query").body(query).send().await.unwrap();
        assert_eq!(reply.status(), 200);
        assert_eq!(reply.headers()["content-type"], "application/timestamp-reply");
        let (_, stamp) = dasan_docs::tsa::accept_response(&reply.bytes().await.unwrap(), &digest, &nonce).unwrap();
        assert!(stamp.gen_time.elapsed().unwrap_or_default() < std::time::Duration::from_secs(60));
        assert_eq!(api.post(app.url("/pki/tsa")).header("content-type", "text/plain").body("x").send().await.unwrap().status(), 415);

        // Offline, with the saved trust list and root: `dasan doc verify` and `verify-qr`.
        let dir = tempfile::tempdir().unwrap();
        let save = |name: &str, data: &[u8]| std::fs::write(dir.path().join(name), data).unwrap();
        save("doc.pdf", &bytes);
        save("root.crt", &api.get(app.url("/pki/root.crt")).send().await.unwrap().bytes().await.unwrap());
        save("trust-list.jws", &api.get(app.url("/.well-known/dasan/trust-list.jws")).send().await.unwrap().bytes().await.unwrap());
        let mut tampered = bytes.to_vec();
        let middle = tampered.len() / 3;
        tampered[middle] ^= 1;
        save("tampered.pdf", &tampered);
        let doc_cli = |args: &[&str]| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_dasan"))
                .arg("doc")
                .args(args)
                .args(["--trust-list", "trust-list.jws", "--root", "root.crt"])
                .current_dir(dir.path())
                .output()
                .unwrap();
            (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let (code, out) = doc_cli(&["verify", "doc.pdf"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("\"signed_by\": \"MOIS\""), "{out}");
        assert_eq!(doc_cli(&["verify", "tampered.pdf"]).0, 3);
        let (code, out) = doc_cli(&["verify-qr", qr]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(doc["issue_number"].as_str().unwrap()), "{out}");
        assert_eq!(doc_cli(&["verify-qr", &altered]).0, 3);

        // The holder reissues it (an official of another agency may not): a new number; the
        // old one then checks as revoked, naming its successor; it cannot be reissued twice.
        let reissue = format!("{}/reissue", doc["href"].as_str().unwrap());
        assert_problem(api.post(app.url(&reissue)).bearer_auth(&other).send().await.unwrap(), 404, "not-found").await;
        let renewed = api.post(app.url(&reissue)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(renewed.status(), 201);
        let renewed: serde_json::Value = renewed.json().await.unwrap();
        assert_ne!(renewed["issue_number"], doc["issue_number"]);
        let old: serde_json::Value = verify(serde_json::json!({ "document": qr })).await.unwrap().json().await.unwrap();
        assert_eq!(old["verdict"], "revoked");
        assert!(old["revoked_reason"].as_str().unwrap().contains(renewed["issue_number"].as_str().unwrap()), "{old}");
        assert_problem(api.post(app.url(&reissue)).bearer_auth(&token).send().await.unwrap(), 409, "invalid-transition").await;
        // The page offers the same, as a form with its CSRF token.
        let page_path = location.replace("/api/v1", "");
        let again = format!("{}/reissue", renewed["href"].as_str().unwrap().trim_start_matches("/api/v1"));
        let done = app.post_form(&page_path, &again, &[]).await;
        assert_eq!(done.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.reissue'").await, 2);
    }
}
