//! Sending a document to a receiving organisation through the API, on both engines: the holder
//! sends it; the organisation's system (an API client holding `civil.officer` there) sees it
//! verified, and its PDF; the holder sees each look; revoked after sending it shows revoked;
//! withdrawn it is gone; other organisations and people find nothing; bad input is a problem.

use crate::helpers::*;
use dasan_store::engine_tests;

/// A token of a new API client of `agency` holding `civil.officer` there, made the way its
/// administrators make one.
async fn client_token(app: &TestApp, agency: &str) -> String {
    use dasan_identity::{AccountId, AccountKind, Assurance, Principal, RoleGrant};
    let admin = Principal {
        account: AccountId::new(),
        kind: AccountKind::Official,
        display_name: "admin".into(),
        agency: Some(agency.to_owned()),
        person: None,
        business: None,
        roles: vec![RoleGrant {
            role: "agency.admin",
            scope: agency.to_owned(),
        }],
        assurance: Assurance::Multi,
        scopes: None,
    };
    let db = &app.db.db;
    let client =
        dasan_identity::clients::create(db, &admin, agency, "Records system", "civil.officer")
            .await
            .unwrap();
    dasan_identity::clients::issue_token(db, &admin, agency, client, "inbox", 30)
        .await
        .unwrap()
        .1
}

/// A token of a new citizen linked to `person`.
async fn citizen_token(app: &TestApp, email: &str, person: Option<&str>) -> String {
    use dasan_identity::{AccountKind, Assurance, NewAccount, Principal};
    let db = &app.db.db;
    let account = dasan_identity::create_account(
        db,
        dasan_kernel::Actor::system(),
        NewAccount {
            kind: AccountKind::Citizen,
            email: email.into(),
            display_name: email.into(),
            password: "plum tractor ocean 47 lantern".into(),
            roles: Vec::new(),
            agency: None,
        },
    )
    .await
    .unwrap();
    if let Some(p) = person {
        dasan_identity::link_person(db, dasan_kernel::Actor::system(), account, p)
            .await
            .unwrap();
    }
    let principal = Principal {
        account,
        kind: AccountKind::Citizen,
        display_name: email.into(),
        agency: None,
        person: person.map(str::to_owned),
        business: None,
        roles: Vec::new(),
        assurance: Assurance::Multi,
        scopes: None,
    };
    dasan_identity::tokens::create(db, &principal, "script", &[], 30)
        .await
        .unwrap()
        .1
}

engine_tests! {
    async fn a_citizen_sends_a_document_to_an_organisation_which_sees_it_verified_until_withdrawn(engine) {
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let config = test_config(&db);
        let app = spawn_app_with(db, config.clone()).await;
        dasan::init_pki(&config, &app.db.db, dasan::demo::pki_spec(&app.address).unwrap()).await.unwrap();
        let registry = dasan_registry::Registry::new(app.db.db.clone());
        dasan_registry::demo::load(&registry, dasan_kernel::Actor::system(), &dasan_registry::demo::DemoSpec { people: 10, businesses: 1, seed: 3 }).await.unwrap();
        let person: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE status = 'living' ORDER BY id LIMIT 1").fetch_one(p).await).unwrap();
        let holder = citizen_token(&app, "holder@example.kr", Some(&person)).await;
        let stranger = citizen_token(&app, "stranger@example.kr", None).await;
        let nts = client_token(&app, "NTS").await;
        let moef = client_token(&app, "MOEF").await;
        let mois = client_token(&app, "MOIS").await;
        let api = client();
        let created = api.post(app.url("/api/v1/applications")).bearer_auth(&holder).json(&serde_json::json!({
            "service": "resident-registration-certificate", "answers": { "use": "submission" },
        })).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let detail: serde_json::Value = api.get(app.url(&location)).bearer_auth(&holder).send().await.unwrap().json().await.unwrap();
        let number = detail["documents"][0]["issue_number"].as_str().unwrap().to_owned();

        // Bad input: an unknown organisation, a purpose too long, someone else's document.
        let send = |token: &str, body: serde_json::Value| api.post(app.url("/api/v1/shares")).bearer_auth(token).json(&body).send();
        let bad = assert_problem(send(&holder, serde_json::json!({ "document": number, "recipient": "NO-SUCH" })).await.unwrap(), 422, "validation-failed").await;
        assert_eq!(bad["errors"][0]["field"], "recipient", "{bad}");
        let bad = assert_problem(send(&holder, serde_json::json!({ "document": number, "recipient": "NTS", "purpose": "x".repeat(501) })).await.unwrap(), 422, "validation-failed").await;
        assert_eq!(bad["errors"][0]["field"], "purpose", "{bad}");
        assert_problem(send(&holder, serde_json::json!({ "document": number, "recipient": "N".repeat(41) })).await.unwrap(), 422, "validation-failed").await;
        assert_problem(send(&stranger, serde_json::json!({ "document": number, "recipient": "NTS" })).await.unwrap(), 404, "not-found").await;
        assert_problem(send(&nts, serde_json::json!({ "document": number, "recipient": "NTS" })).await.unwrap(), 404, "not-found").await;

        // Sent; the organisation's system sees it verified, with what the seal attests.
        let sent = send(&holder, serde_json::json!({ "document": number, "recipient": "NTS", "purpose": "Year-end tax settlement" })).await.unwrap();
        assert_eq!(sent.status(), 201);
        let sent: serde_json::Value = sent.json().await.unwrap();
        let id = sent["id"].as_str().unwrap().to_owned();
        assert_eq!((sent["recipient"].as_str(), sent["document"].as_str()), (Some("NTS"), Some(number.as_str())));
        assert!(sent["first_viewed_at"].is_null());
        let inbox: serde_json::Value = api.get(app.url("/api/v1/shares/received")).bearer_auth(&nts).send().await.unwrap().json().await.unwrap();
        assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
        let one = api.get(app.url(&format!("/api/v1/shares/received/{id}"))).bearer_auth(&nts).send().await.unwrap();
        assert_eq!(one.status(), 200);
        let one: serde_json::Value = one.json().await.unwrap();
        assert_eq!(one["verdict"], "valid", "{one}");
        assert_eq!(one["attested"]["issue_number"], number.as_str());
        assert_eq!(one["purpose"], "Year-end tax settlement");
        let pdf = api.get(app.url(one["pdf"].as_str().unwrap())).bearer_auth(&nts).send().await.unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        dasan_docs::pades::verify_integrity(&pdf.bytes().await.unwrap()).unwrap();
        // Nobody else: another organisation, the issuing agency, the holder, a stranger.
        for token in [&moef, &mois, &holder, &stranger] {
            assert_problem(api.get(app.url(&format!("/api/v1/shares/received/{id}"))).bearer_auth(token).send().await.unwrap(), 404, "not-found").await;
            assert_problem(api.get(app.url(&format!("/api/v1/shares/received/{id}/pdf"))).bearer_auth(token).send().await.unwrap(), 404, "not-found").await;
        }
        let other: serde_json::Value = api.get(app.url("/api/v1/shares/received")).bearer_auth(&moef).send().await.unwrap().json().await.unwrap();
        assert_eq!(other, serde_json::json!([]));
        assert_problem(api.get(app.url("/api/v1/shares/received")).bearer_auth(&stranger).send().await.unwrap(), 404, "not-found").await;

        // The holder sees that it was viewed, and how.
        let mine: serde_json::Value = api.get(app.url("/api/v1/shares/sent")).bearer_auth(&holder).send().await.unwrap().json().await.unwrap();
        assert!(mine[0]["first_viewed_at"].is_string(), "{mine}");
        let whats: Vec<&str> = mine[0]["views"].as_array().unwrap().iter().map(|v| v["what"].as_str().unwrap()).collect();
        assert_eq!(whats, ["list", "details", "pdf"]);
        assert!(mine[0]["views"].as_array().unwrap().iter().all(|v| v["agency"] == "NTS"));
        let stranger_sent: serde_json::Value = api.get(app.url("/api/v1/shares/sent")).bearer_auth(&stranger).send().await.unwrap().json().await.unwrap();
        assert_eq!(stranger_sent, serde_json::json!([]));

        // The same through the pages: the wallet's form (a friendly page for bad input), the
        // organisation's inbox for a signed-in official, and withdrawing.
        use crate::identity::{PASSWORD, account, sign_in, sign_in_official};
        assert_eq!(sign_in(&app, "holder@example.kr", PASSWORD).await.status(), 303);
        let wallet = app.get_page("/applications", "en").await.text().await.unwrap();
        assert!(wallet.contains(&format!("action=\"/documents/{number}/send\"")), "{wallet}");
        let refused = app.post_form("/applications", &format!("/documents/{number}/send"), &[("recipient", "NO-SUCH"), ("purpose", "")]).await;
        assert_eq!(refused.status(), 422);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Choose an organisation registered on Dasan") && refused.contains(&format!("href=\"#recipient-{number}\"")), "{refused}");
        let sent = app.post_form("/applications", &format!("/documents/{number}/send"), &[("recipient", "MOEF"), ("purpose", "Housing loan")]).await;
        assert_eq!((sent.status().as_u16(), crate::identity::location(&sent)), (303, "/applications#sent".to_owned()));
        let wallet = app.get_page("/applications", "ko").await.text().await.unwrap();
        assert!(wallet.contains("보낸 문서") && wallet.contains("아직 열람하지 않음") && wallet.contains("Housing loan"), "{wallet}");
        let mine: serde_json::Value = api.get(app.url("/api/v1/shares/sent")).bearer_auth(&holder).send().await.unwrap().json().await.unwrap();
        let id2 = mine[0]["id"].as_str().unwrap().to_owned();
        account(&app, dasan_identity::AccountKind::Official, "desk@moef.go.kr", &[("civil.officer", "MOEF")], Some("MOEF")).await;
        let desk = app.shallow();
        sign_in_official(&desk, "desk@moef.go.kr", None).await;
        let home = desk.get_page("/account", "en").await.text().await.unwrap();
        assert!(home.contains("href=\"/received\"") && home.contains("Documents sent to your organisation"), "{home}");
        let inbox = desk.get_page("/received", "en").await.text().await.unwrap();
        assert!(inbox.contains(&format!("href=\"/received/{id2}\"")) && inbox.contains("Genuine and valid"), "{inbox}");
        let one = desk.get_page(&format!("/received/{id2}"), "en").await.text().await.unwrap();
        assert!(one.contains("Genuine and valid") && one.contains("Housing loan") && one.contains(&format!("/received/{id2}/pdf")), "{one}");
        assert_eq!(desk.get(&format!("/received/{id2}/pdf")).await.status(), 200);
        assert_eq!(desk.get(&format!("/received/{id}")).await.status(), 404, "sent to NTS, not MOEF");
        let wallet = app.get_page("/applications", "en").await.text().await.unwrap();
        assert!(wallet.contains("First viewed"), "{wallet}");
        let withdrawn = app.post_form("/applications", &format!("/shares/{id2}/withdraw"), &[]).await;
        assert_eq!(withdrawn.status(), 303);
        assert_eq!(desk.get(&format!("/received/{id2}")).await.status(), 404);

        // Revoked by the issuing agency after sending: the organisation sees it revoked.
        let revoke = api.post(app.url(&format!("{location}/documents/{number}/revoke"))).bearer_auth(&mois).json(&serde_json::json!({ "reason": "Issued in error." })).send().await.unwrap();
        assert_eq!(revoke.status(), 204);
        let one: serde_json::Value = api.get(app.url(&format!("/api/v1/shares/received/{id}"))).bearer_auth(&nts).send().await.unwrap().json().await.unwrap();
        assert_eq!((one["verdict"].as_str(), one["revoked_reason"].as_str()), (Some("revoked"), Some("Issued in error.")));
        assert_problem(send(&holder, serde_json::json!({ "document": number, "recipient": "MOEF" })).await.unwrap(), 409, "invalid-transition").await;

        // Withdrawn (only by the holder): the organisation finds nothing.
        let withdraw = |token: &str, id: &str| api.post(app.url(&format!("/api/v1/shares/{id}/withdraw"))).bearer_auth(token).send();
        assert_problem(withdraw(&nts, &id).await.unwrap(), 404, "not-found").await;
        assert_problem(withdraw(&stranger, &id).await.unwrap(), 404, "not-found").await;
        assert_problem(withdraw(&holder, "not-an-id").await.unwrap(), 404, "not-found").await;
        assert_eq!(withdraw(&holder, &id).await.unwrap().status(), 204);
        assert_problem(withdraw(&holder, &id).await.unwrap(), 409, "invalid-transition").await;
        assert_problem(api.get(app.url(&format!("/api/v1/shares/received/{id}"))).bearer_auth(&nts).send().await.unwrap(), 404, "not-found").await;
        assert_problem(api.get(app.url(&format!("/api/v1/shares/received/{id}/pdf"))).bearer_auth(&nts).send().await.unwrap(), 404, "not-found").await;
        let inbox: serde_json::Value = api.get(app.url("/api/v1/shares/received")).bearer_auth(&nts).send().await.unwrap().json().await.unwrap();
        assert_eq!(inbox, serde_json::json!([]));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.share.withdraw'").await, 2);
    }
}
