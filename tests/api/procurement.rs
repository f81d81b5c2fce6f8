//! E-procurement through the API and the pages, on both engines: an official publishes, a
//! supplier registers and submits a bid sealed on its side (in-process and with the
//! `dasan bid seal` binary) and one sealed by the server from the form; a bid after the deadline
//! and a bid by a debarred supplier are refused with problem documents; after opening, the
//! evaluation, the award, and a complaint answered and decided.

use crate::helpers::*;
use crate::identity::location;
use dasan_identity::RoleGrant;
use dasan_identity::{AccountId, AccountKind, Assurance, NewAccount, Permission, Principal};
use dasan_kernel::{Actor, Clock, SystemClock, Timestamp};
use dasan_procurement::ed25519_dalek;
use dasan_procurement::notice::{HOUR_US, ceil_hour};
use dasan_procurement::{MemberSecretKey, SignedReceipt, TenderPublicKey, seal_bid_file};
use dasan_store::{engine_tests, on_reader, on_tx};
use serde_json::{Value, json};

pub const PASSWORD: &str = "plum tractor ocean 47 lantern";

pub struct Supplier {
    pub business: String,
    pub email: String,
    pub token: String,
    pub key: ed25519_dalek::SigningKey,
}

pub struct World {
    pub officer: String,
    pub members: Vec<(AccountId, MemberSecretKey)>,
    /// The committee members' API tokens, in the same order.
    pub member_tokens: Vec<String>,
    pub a: Supplier,
    pub b: Supplier,
}

pub async fn new_account(
    app: &TestApp,
    email: &str,
    kind: AccountKind,
    roles: &[(&'static str, &str)],
    person: Option<&str>,
    scopes: &[Permission],
) -> (AccountId, String) {
    let grants: Vec<RoleGrant> = roles
        .iter()
        .map(|(role, scope)| RoleGrant {
            role,
            scope: (*scope).to_owned(),
        })
        .collect();
    let agency = roles.first().map(|(_, s)| (*s).to_owned());
    let account = dasan_identity::create_account(
        &app.db.db,
        Actor::system(),
        NewAccount {
            kind,
            email: email.into(),
            display_name: email.into(),
            password: PASSWORD.into(),
            roles: grants.clone(),
            agency: agency.clone(),
        },
    )
    .await
    .unwrap();
    if let Some(p) = person {
        dasan_identity::link_person(&app.db.db, Actor::system(), account, p)
            .await
            .unwrap();
    }
    let principal = Principal {
        account,
        kind,
        display_name: email.into(),
        agency,
        person: person.map(str::to_owned),
        business: None,
        roles: grants,
        assurance: Assurance::Multi,
        scopes: None,
    };
    let (_, secret) = dasan_identity::tokens::create(&app.db.db, &principal, "script", scopes, 30)
        .await
        .unwrap();
    (account, secret)
}

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, path, token, Some(body)).await
}

fn spki_pem(key: &ed25519_dalek::SigningKey) -> String {
    use ed25519_dalek::pkcs8::EncodePublicKey;
    key.verifying_key()
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap()
}

/// The registry's demo country, a procurement officer, a committee of three with their keys,
/// and two suppliers registered through the API, each with an authorised bidder key.
pub async fn world(app: &TestApp) -> World {
    let registry = dasan_registry::Registry::new(app.db.db.clone());
    dasan_registry::demo::load(
        &registry,
        Actor::system(),
        &dasan_registry::demo::DemoSpec {
            people: 20,
            businesses: 4,
            seed: 17,
        },
    )
    .await
    .unwrap();
    let (_, officer) = new_account(
        app,
        "officer@pps.go.kr",
        AccountKind::Official,
        &[("procurement.officer", "PPS")],
        None,
        &[Permission::ProcurementManage],
    )
    .await;
    let mut members = Vec::new();
    let mut member_tokens = Vec::new();
    for i in 0..3 {
        let (account, token) = new_account(
            app,
            &format!("member{i}@pps.go.kr"),
            AccountKind::Official,
            &[("procurement.evaluator", "PPS")],
            None,
            &[Permission::ProcurementEvaluate],
        )
        .await;
        let (secret, public) = MemberSecretKey::generate();
        let r = send(
            app,
            reqwest::Method::PUT,
            "/api/v1/procurement/member-key",
            &token,
            Some(&json!({ "public_key": public.to_hex() })),
        )
        .await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        members.push((account, secret));
        member_tokens.push(token);
    }
    let businesses: Vec<(String, String)> = on_reader!(app.db.db, |p| {
        dasan_store::sqlx::query_as(
            "SELECT id, representative_id FROM registry_businesses WHERE status = 'active' ORDER BY id LIMIT 2",
        )
        .fetch_all(p)
        .await
    })
    .unwrap();
    let mut suppliers = Vec::new();
    for (i, (business, person)) in businesses.into_iter().enumerate() {
        let email = format!("rep{i}@supplier{i}.example.kr");
        let (_, token) =
            new_account(app, &email, AccountKind::Citizen, &[], Some(&person), &[]).await;
        let r = post(
            app,
            "/api/v1/procurement/suppliers",
            &token,
            &json!({
                "business_id": business,
                "categories": ["cpv:45233120"],
                "licences": [],
                "bank_account": { "bank": "Dasan Bank", "account_number": "100-200-300", "holder": "Supplier" },
                "contact_email": format!("bids@supplier{i}.example.kr"),
            }),
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let key = ed25519_dalek::SigningKey::from_bytes(&[i as u8 + 40; 32]);
        let r = send(
            app,
            reqwest::Method::PUT,
            &format!("/api/v1/procurement/suppliers/{business}/bidders"),
            &token,
            Some(&json!({ "signing_key": spki_pem(&key) })),
        )
        .await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        suppliers.push(Supplier {
            business,
            email,
            token,
            key,
        });
    }
    let b = suppliers.pop().unwrap();
    let a = suppliers.pop().unwrap();
    World {
        officer,
        members,
        member_tokens,
        a,
        b,
    }
}

/// A notice closing on the hour at least three hours from now.
pub fn notice() -> Value {
    let now = SystemClock.now().as_micros();
    let deadline = ceil_hour(Timestamp::from_micros(now + 3 * HOUR_US)).as_micros();
    json!({
        "title": "Repaving of Sejong-daero",
        "description": "Road works in two lots.",
        "method": "open",
        "lots": [
            { "id": "1", "title": "North section", "items": [
                { "description": "Asphalt paving", "classification": "cpv:45233120", "quantity": 12000, "unit": "MTK" } ] },
            { "id": "2", "title": "South section", "items": [
                { "description": "Road markings", "classification": "cpv:45233221", "quantity": 3, "unit": "KMT" } ] }
        ],
        "estimated_value": { "minor": 1_000_000_000i64, "currency": "KRW" },
        "estimated_value_public": false,
        "eligibility": { "categories": ["cpv:45"] },
        "evaluation": { "method": "lowest_price", "tie_break": "earliest_submission" },
        "bid_security": null,
        "timeline": {
            "clarification_deadline": deadline - HOUR_US,
            "bid_deadline": deadline,
            "opening_at": deadline + HOUR_US
        },
        "amendment_rule": { "material_extension_hours": 72 },
        "reserve_price": { "base_amount": 950_000_000u64, "band_bp": 200 }
    })
}

impl World {
    pub async fn publish(&self, app: &TestApp) -> String {
        self.publish_notice(app, notice()).await
    }

    /// Publishes `notice` with the three members as the committee (two needed to open).
    pub async fn publish_notice(&self, app: &TestApp, notice: Value) -> String {
        let r = post(
            app,
            "/api/v1/procurement/tenders",
            &self.officer,
            &json!({
                "notice": notice,
                "committee": self.members.iter().map(|(a, _)| a.to_string()).collect::<Vec<_>>(),
                "threshold": 2,
            }),
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let body: Value = r.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

pub fn sealed(s: &Supplier, tender: &str, key: &TenderPublicKey, price: u64) -> Value {
    let bid = json!({
        "tender_id": tender,
        "supplier_id": s.business,
        "lots": [
            { "lot_id": "1", "currency": "KRW", "amount_minor": price },
            { "lot_id": "2", "currency": "KRW", "amount_minor": price / 10 }
        ],
        "reserve_price_picks": [3, 11],
    });
    let bytes = seal_bid_file(key, &bid.to_string(), &s.key).unwrap();
    use base64::Engine as _;
    json!({ "submission": base64::engine::general_purpose::STANDARD.encode(bytes) })
}

/// Moves the tender's deadline into the past, as time would.
pub async fn pass_deadline(app: &TestApp, tender: &str) {
    let past = SystemClock.now().as_micros() - HOUR_US;
    let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
    let id = tender.to_owned();
    on_tx!(tx, |c| dasan_store::sqlx::query(
        "UPDATE procurement_tenders SET bid_deadline = $1 WHERE id = $2"
    )
    .bind(past)
    .bind(&id)
    .execute(c)
    .await
    .map(drop))
    .unwrap();
    tx.record("test.time_passes", format!("tender:{id}"), json!({}));
    tx.commit().await.unwrap();
}

engine_tests! {
    async fn a_supplier_submits_a_sealed_bid_through_the_api_and_late_or_debarred_bids_are_refused(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;

        // Anyone reads the list and the notice (estimated value hidden until opening).
        let list: Value = app.get("/api/v1/procurement/tenders?category=cpv:4523").await.json().await.unwrap();
        assert_eq!(list[0]["id"], id.as_str());
        let all: Value = app.get("/api/v1/procurement/tenders").await.json().await.unwrap();
        assert_eq!(all.as_array().unwrap().len(), 1);
        assert_problem(app.get("/api/v1/procurement/tenders?category=cpv:%25").await, 422, "validation-failed").await;
        // Whitespace is not a code (the API takes codes as documented, unpadded).
        assert_problem(app.get("/api/v1/procurement/tenders?category=%0B").await, 422, "validation-failed").await;
        assert_problem(app.get("/api/v1/procurement/tenders?category=%20cpv:4523").await, 422, "validation-failed").await;
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["status"], "published");
        assert_eq!(detail["notice"]["estimated_value"], Value::Null);
        assert_eq!(detail["threshold"], 2);
        assert_eq!(detail["versions"][0]["kind"], "publication");
        let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
        assert_problem(app.get("/api/v1/procurement/tenders/nope").await, 404, "not-found").await;

        // A question, answered publicly; who asked is not shown.
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/clarifications"), &w.a.token,
            &json!({ "business_id": w.a.business, "question": "Is night work allowed?" })).await;
        assert_eq!(r.status(), 201);
        let q: Value = r.json().await.unwrap();
        let r = post(&app, &format!("/api/v1/procurement/clarifications/{}/answer", q["id"].as_str().unwrap()), &w.officer,
            &json!({ "answer": "Yes, from 22:00 to 06:00." })).await;
        assert_eq!(r.status(), 204);
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["clarifications"][0]["answer"], "Yes, from 22:00 to 06:00.");
        assert!(!detail.to_string().contains(&w.a.business));

        // A seals and signs on its side; the platform signs a receipt.
        let bids = format!("/api/v1/procurement/tenders/{id}/bids");
        assert_problem(app.client.post(app.url(&bids)).json(&sealed(&w.a, &id, &key, 900_000_000)).send().await.unwrap(), 401, "unauthenticated").await;
        let r = post(&app, &bids, &w.a.token, &sealed(&w.a, &id, &key, 900_000_000)).await;
        assert_eq!(r.status(), 201);
        let receipt: Value = r.json().await.unwrap();
        let signed: SignedReceipt = serde_json::from_value(receipt["signed"].clone()).unwrap();
        signed.verify().unwrap();
        assert_eq!(signed.receipt.tender_id, id);
        assert_eq!(receipt["bid_id"], signed.receipt.bid_id.to_hex());
        let again: Value = send(&app, reqwest::Method::GET, &format!("/api/v1/procurement/tenders/{id}/receipt?business={}", w.a.business), &w.a.token, None)
            .await.json().await.unwrap();
        assert_eq!(again["bid_id"], receipt["bid_id"]);
        // The envelope is stored, never a price.
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_bids WHERE status = 'active'").await, 1);
        // B cannot submit a bid naming A, nor A one signed by B's key, nor garbage.
        assert_problem(post(&app, &bids, &w.b.token, &sealed(&w.a, &id, &key, 1)).await, 403, "forbidden").await;
        let forged = Supplier { business: w.a.business.clone(), email: String::new(), token: String::new(), key: w.b.key.clone() };
        assert_problem(post(&app, &bids, &w.a.token, &sealed(&forged, &id, &key, 1)).await, 403, "bid-signing-key-unknown").await;
        assert_problem(post(&app, &bids, &w.a.token, &json!({ "submission": "AAAA" })).await, 400, "bid-envelope-invalid").await;
        assert_problem(post(&app, &bids, &w.a.token, &json!({ "submission": "%%" })).await, 422, "validation-failed").await;

        // B is debarred by the procuring entity: refused with a problem document.
        let r = post(&app, &format!("/api/v1/procurement/suppliers/{}/debarments", w.b.business), &w.officer,
            &json!({ "reason": "Collusion found in tender 2026-17" })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        assert_problem(post(&app, &bids, &w.b.token, &sealed(&w.b, &id, &key, 800_000_000)).await, 403, "supplier-debarred").await;

        // After the deadline nothing is accepted, and the worker closes the box.
        pass_deadline(&app, &id).await;
        assert_problem(post(&app, &bids, &w.a.token, &sealed(&w.a, &id, &key, 850_000_000)).await, 409, "bid-deadline-passed").await;
        assert_problem(post(&app, &format!("/api/v1/procurement/tenders/{id}/bids/withdrawal"), &w.a.token,
            &json!({ "business_id": w.a.business })).await, 409, "bid-deadline-passed").await;
        let mut record = None;
        for _ in 0..100 {
            let r = app.get(&format!("/api/v1/procurement/tenders/{id}/bid-box")).await;
            if r.status() == 200 {
                record = Some(r.json::<Value>().await.unwrap());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let record = record.expect("the worker closes the bid box");
        assert_eq!(record["record"]["tree_size"], 1);
        assert_eq!(record["record"]["bid_ids"][0], receipt["bid_id"]);
        // Opening before the opening time is refused.
        assert_problem(post(&app, &format!("/api/v1/procurement/tenders/{id}/opening"), &w.officer, &json!({})).await, 409, "too-early").await;
    }
}

engine_tests! {
    async fn a_bid_sealed_by_the_dasan_bid_seal_command_is_accepted_and_withdrawn(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;
        // The supplier saves the notice, writes its bid and seals it offline.
        let dir = tempfile::tempdir().unwrap();
        let notice = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.text().await.unwrap();
        std::fs::write(dir.path().join("tender.json"), &notice).unwrap();
        std::fs::write(
            dir.path().join("bid.json"),
            json!({ "lots": [ { "lot_id": "1", "currency": "KRW", "amount_minor": 910_000_000u64 } ], "reserve_price_picks": [2, 14] }).to_string(),
        )
        .unwrap();
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let pem = w.a.key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).unwrap();
        std::fs::write(dir.path().join("key.pem"), pem.as_bytes()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dasan"))
            .current_dir(dir.path())
            .env_remove("DASAN_CONFIG")
            .args(["bid", "seal", "--tender", "tender.json", "--bid", "bid.json", "--key", "key.pem",
                "--supplier", &w.a.business, "--out", "sealed.json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let bid_id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert_eq!(bid_id.len(), 64);
        let body: Value = serde_json::from_slice(&std::fs::read(dir.path().join("sealed.json")).unwrap()).unwrap();
        assert!(!body.to_string().contains("910000000"), "the price is sealed");
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/bids"), &w.a.token, &body).await;
        assert_eq!(r.status(), 201);
        let receipt: Value = r.json().await.unwrap();
        assert_eq!(receipt["bid_id"], bid_id.as_str());
        // The same file twice is a conflict; a wrong supplier is refused by the command itself.
        assert_problem(post(&app, &format!("/api/v1/procurement/tenders/{id}/bids"), &w.a.token, &body).await, 409, "invalid-transition").await;
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dasan"))
            .current_dir(dir.path())
            .env_remove("DASAN_CONFIG")
            .args(["bid", "seal", "--tender", "tender.json", "--bid", "sealed.json", "--key", "key.pem", "--out", "x"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        // Withdrawn before the deadline: no receipt any more.
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/bids/withdrawal"), &w.a.token, &json!({ "business_id": w.a.business })).await;
        assert_eq!(r.status(), 200);
        let withdrawn: Value = r.json().await.unwrap();
        assert_eq!(withdrawn["bid_id"], bid_id.as_str());
        assert_problem(
            send(&app, reqwest::Method::GET, &format!("/api/v1/procurement/tenders/{id}/receipt?business={}", w.a.business), &w.a.token, None).await,
            404, "not-found",
        )
        .await;
    }
}

engine_tests! {
    async fn a_supplier_bids_through_the_form_without_javascript_and_the_server_seals_it(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;
        let page = app.get_page(&format!("/procurement/tenders/{id}"), "ko").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("로그인하고 입찰서 제출"));
        assert_eq!(app.get_page("/procurement?category=cpv:45", "en").await.status(), 200);
        assert_eq!(app.get_page("/procurement?category=nonsense", "en").await.status(), 422);

        let response = crate::identity::sign_in(&app, &w.a.email, PASSWORD).await;
        assert_eq!(response.status(), 303);
        let form = format!("/procurement/tenders/{id}/bid");
        let page = app.get_page(&form, "en").await.text().await.unwrap();
        assert!(page.contains(&w.a.business), "the business is offered");
        // Mistakes are shown with the GOV.UK error summary; nothing is stored.
        let r = app.post_form(&form, &form, &[("business", &w.a.business), ("price-1", "12x"), ("pick1", "3"), ("pick2", "3")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains("href=\"#price-1\"") && html.contains("href=\"#pick1\""), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_bids").await, 0);
        // A good bid: sealed by the server, receipt shown.
        let r = app.post_form(&form, &form, &[("business", &w.a.business), ("price-1", "987,654,321"), ("price-2", ""), ("pick1", "4"), ("pick2", "12")]).await;
        assert_eq!(r.status(), 303);
        let receipt_path = location(&r);
        assert!(receipt_path.starts_with(&format!("/procurement/tenders/{id}/receipt?business=")));
        let receipt = app.get_page(&receipt_path, "en").await;
        assert_eq!(receipt.status(), 200);
        let html = receipt.text().await.unwrap();
        let bid_id = html.split("id=\"bid-id\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
        assert_eq!(bid_id.len(), 64);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_bids WHERE sealed_by = 'server' AND status = 'active'").await, 1);
        // The plaintext is nowhere: not in the bid row, not in any audit event.
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%987654321%'").await, 0);
        let envelope: Vec<u8> = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar("SELECT envelope FROM procurement_bids").fetch_one(p).await).unwrap();
        assert!(!String::from_utf8_lossy(&envelope).contains("987654321"));
        assert!(!envelope.windows(8).any(|w| w == 987_654_321u64.to_be_bytes()), "the price is encrypted");

        // B is debarred: the form says so, and stores nothing.
        let r = post(&app, &format!("/api/v1/procurement/suppliers/{}/debarments", w.b.business), &w.officer,
            &json!({ "reason": "Collusion found in tender 2026-17" })).await;
        assert_eq!(r.status(), 201);
        let b = app.shallow();
        assert_eq!(crate::identity::sign_in(&b, &w.b.email, PASSWORD).await.status(), 303);
        let r = b.post_form(&form, &form, &[("business", &w.b.business), ("price-1", "1000"), ("pick1", "1"), ("pick2", "2")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("The supplier is debarred"));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_bids").await, 1);

        // After the deadline the form is refused too.
        pass_deadline(&app, &id).await;
        let r = app.post_form(&form, &form, &[("business", &w.a.business), ("price-1", "900"), ("pick1", "4"), ("pick2", "12")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("The bid deadline has passed"));
    }
}

/// Moves the tender's opening time (column and notice) into the past, as time would.
pub async fn pass_opening_time(app: &TestApp, tender: &str) {
    let past = SystemClock.now().as_micros() - HOUR_US / 2;
    let id = tender.to_owned();
    let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
    let notice: String = on_tx!(tx, |c| dasan_store::sqlx::query_scalar(
        "SELECT notice FROM procurement_tenders WHERE id = $1"
    )
    .bind(&id)
    .fetch_one(c)
    .await)
    .unwrap();
    let mut notice: Value = serde_json::from_str(&notice).unwrap();
    notice["timeline"]["opening_at"] = json!(past);
    let notice = notice.to_string();
    on_tx!(tx, |c| dasan_store::sqlx::query(
        "UPDATE procurement_tenders SET opening_at = $1, notice = $2 WHERE id = $3"
    )
    .bind(past)
    .bind(&notice)
    .bind(&id)
    .execute(c)
    .await
    .map(drop))
    .unwrap();
    tx.record("test.time_passes", format!("tender:{id}"), json!({}));
    tx.commit().await.unwrap();
}

engine_tests! {
    async fn after_opening_the_entity_evaluates_and_awards_and_a_bidder_complains(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
        let bids = format!("/api/v1/procurement/tenders/{id}/bids");
        assert_eq!(post(&app, &bids, &w.a.token, &sealed(&w.a, &id, &key, 900_000_000)).await.status(), 201);
        assert_eq!(post(&app, &bids, &w.b.token, &sealed(&w.b, &id, &key, 850_000_000)).await.status(), 201);
        pass_deadline(&app, &id).await;
        for _ in 0..100 {
            if app.get(&format!("/api/v1/procurement/tenders/{id}/bid-box")).await.status() == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        pass_opening_time(&app, &id).await;
        let ceremony: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT ceremony FROM procurement_tenders WHERE id = $1"
        ).bind(&id).fetch_one(p).await).unwrap();
        let ceremony: dasan_procurement::KeyCeremony = serde_json::from_str(&ceremony).unwrap();
        for i in 0..2 {
            let share = dasan_procurement::decrypt_share(&ceremony, i as u8 + 1, &w.members[i].1).unwrap();
            let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/shares"), &w.member_tokens[i],
                &json!({ "share": share.to_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>() })).await;
            assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        }
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/opening"), &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

        // Lowest price: no panel to appoint; nothing evaluated yet.
        let evaluation = format!("/api/v1/procurement/tenders/{id}/evaluation");
        assert_problem(app.get(&evaluation).await, 404, "not-found").await;
        let member = w.members[0].0.to_string();
        assert_problem(post(&app, &format!("/api/v1/procurement/tenders/{id}/evaluators"), &w.officer,
            &json!({ "evaluators": [member] })).await, 422, "validation-failed").await;
        assert_problem(post(&app, &evaluation, &w.a.token, &json!({})).await, 403, "forbidden").await;
        let r = post(&app, &evaluation, &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let ev: dasan_procurement::SignedEvaluation = r.json().await.unwrap();
        ev.signature.verify(&ev.report.to_json_bytes()).unwrap();
        ev.report.recompute().unwrap();
        let published: dasan_procurement::SignedEvaluation = app.get(&evaluation).await.json().await.unwrap();
        assert_eq!(published, ev);
        let winners = ev.report.result.winners();
        assert_eq!(winners.len(), 2);
        assert!(winners.iter().all(|w_| w_.2 == w.b.business), "B is lowest on both lots");
        assert_eq!(winners[0].3, 850_000_000);

        // The award; B's and A's contacts are told; then A complains.
        let award = format!("/api/v1/procurement/tenders/{id}/award");
        assert_problem(app.get(&award).await, 404, "not-found").await;
        let r = post(&app, &award, &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let a: Value = app.get(&award).await.json().await.unwrap();
        assert_eq!(a["status"], "standstill");
        assert_eq!(a["suspended"], false);
        assert_eq!(a["lots"].as_array().unwrap().len(), 2);
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["status"], "awarded");
        let complaints = format!("/api/v1/procurement/tenders/{id}/complaints");
        assert_problem(post(&app, &complaints, &w.a.token, &json!({ "business_id": w.a.business, "grounds": "" })).await,
            422, "validation-failed").await;
        assert_problem(post(&app, &complaints, &w.a.token, &json!({ "business_id": w.a.business, "grounds": "a\u{0}b" })).await,
            422, "validation-failed").await;
        let r = post(&app, &complaints, &w.a.token, &json!({ "business_id": w.a.business, "grounds": "B's price is abnormally low." })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        let cid = c["id"].as_str().unwrap();
        let a: Value = app.get(&award).await.json().await.unwrap();
        assert_eq!(a["suspended"], true, "an open complaint suspends the award");

        // The entity answers; the review body (platform scope) decides, the entity cannot.
        let r = post(&app, &format!("/api/v1/procurement/complaints/{cid}/answer"), &w.officer,
            &json!({ "answer": "It is within 5 % of the other bid." })).await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        let decision = format!("/api/v1/procurement/complaints/{cid}/decision");
        let body = json!({ "decision": "dismissed", "reason": "No abnormally low price." });
        assert_problem(post(&app, &decision, &w.officer, &body).await, 403, "forbidden").await;
        let (_, reviewer) = new_account(&app, "review@pps.go.kr", AccountKind::Official,
            &[("procurement.officer", "platform")], None, &[Permission::ProcurementManage]).await;
        assert_problem(post(&app, &decision, &reviewer, &json!({ "decision": "maybe", "reason": "x" })).await,
            422, "validation-failed").await;
        // The review body's queue across agencies: undecided first, then decided.
        let queue = |token: &str, q: &str| app.client.get(app.url(&format!("/api/v1/procurement/complaints{q}"))).bearer_auth(token.to_owned()).send();
        let open: Value = queue(&reviewer, "").await.unwrap().json().await.unwrap();
        assert_eq!(open[0]["id"], cid, "{open}");
        assert!(open[0]["tender_title"].is_string() && open[0]["agency"] == "PPS", "{open}");
        assert_eq!(queue(&reviewer, "?decided=true").await.unwrap().json::<Value>().await.unwrap(), json!([]));
        assert_problem(queue(&w.officer, "").await.unwrap(), 403, "forbidden").await;
        assert_problem(queue(&reviewer, "?decided=perhaps").await.unwrap(), 400, "bad-request").await;
        let r = post(&app, &decision, &reviewer, &body).await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        assert_problem(post(&app, &decision, &reviewer, &body).await, 409, "invalid-transition").await;
        let list: Value = app.get(&complaints).await.json().await.unwrap();
        assert_eq!(list[0]["decision"], "dismissed");
        let decided: Value = queue(&reviewer, "?decided=true").await.unwrap().json().await.unwrap();
        assert_eq!((decided[0]["id"].clone(), decided[0]["decision"].clone()), (json!(cid), json!("dismissed")), "{decided}");
        assert_eq!(queue(&reviewer, "").await.unwrap().json::<Value>().await.unwrap(), json!([]));
        assert_eq!(list[0]["answer"], "It is within 5 % of the other bid.");
        let a: Value = app.get(&award).await.json().await.unwrap();
        assert_eq!(a["suspended"], false);
        assert_problem(post(&app, "/api/v1/procurement/complaints/nope/answer", &w.officer, &json!({ "answer": "x" })).await,
            404, "not-found").await;
        assert_problem(app.get("/api/v1/procurement/tenders/nope/complaints").await, 404, "not-found").await;
    }
}
