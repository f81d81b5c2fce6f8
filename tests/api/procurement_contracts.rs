//! E-contracts through the API on both engines: the entity makes a contract from a final
//! award, both parties sign it (two PAdES signatures that verify), refused steps give problem
//! documents, and a delivery is accepted and paid.

use crate::helpers::*;
use crate::procurement::{World, pass_deadline, pass_opening_time, post, sealed, world};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_procurement::TenderPublicKey;
use dasan_store::{engine_tests, on_reader, on_tx};
use serde_json::{Value, json};

/// A tender where B won both lots (850 000 000 and 85 000 000), its award made final.
async fn final_award(app: &TestApp, w: &World) -> String {
    let id = w.publish(app).await;
    let detail: Value = app
        .get(&format!("/api/v1/procurement/tenders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
    let bids = format!("/api/v1/procurement/tenders/{id}/bids");
    assert_eq!(
        post(
            app,
            &bids,
            &w.a.token,
            &sealed(&w.a, &id, &key, 900_000_000)
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        post(
            app,
            &bids,
            &w.b.token,
            &sealed(&w.b, &id, &key, 850_000_000)
        )
        .await
        .status(),
        201
    );
    pass_deadline(app, &id).await;
    for _ in 0..100 {
        if app
            .get(&format!("/api/v1/procurement/tenders/{id}/bid-box"))
            .await
            .status()
            == 200
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    pass_opening_time(app, &id).await;
    let ceremony: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
        "SELECT ceremony FROM procurement_tenders WHERE id = $1"
    )
    .bind(&id)
    .fetch_one(p)
    .await)
    .unwrap();
    let ceremony: dasan_procurement::KeyCeremony = serde_json::from_str(&ceremony).unwrap();
    for i in 0..2 {
        let share =
            dasan_procurement::decrypt_share(&ceremony, i as u8 + 1, &w.members[i].1).unwrap();
        let r = post(app, &format!("/api/v1/procurement/tenders/{id}/shares"), &w.member_tokens[i],
            &json!({ "share": share.to_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>() })).await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    }
    for step in ["opening", "evaluation", "award"] {
        let r = post(
            app,
            &format!("/api/v1/procurement/tenders/{id}/{step}"),
            &w.officer,
            &json!({}),
        )
        .await;
        assert_eq!(r.status(), 201, "{step}: {}", r.text().await.unwrap());
    }
    // The standstill passes: the worker makes the award final.
    let past = SystemClock.now().as_micros() - 1;
    let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
    let tid = id.clone();
    on_tx!(tx, |c| dasan_store::sqlx::query(
        "UPDATE procurement_awards SET standstill_ends_at = $1 WHERE tender_id = $2"
    )
    .bind(past)
    .bind(&tid)
    .execute(c)
    .await
    .map(drop))
    .unwrap();
    tx.record("test.time_passes", format!("tender:{id}"), json!({}));
    tx.commit().await.unwrap();
    for _ in 0..100 {
        let a: Value = app
            .get(&format!("/api/v1/procurement/tenders/{id}/award"))
            .await
            .json()
            .await
            .unwrap();
        if a["status"] == "final" {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the award did not become final");
}

engine_tests! {
    async fn a_contract_is_made_signed_by_both_parties_accepted_and_paid_through_the_api(engine) {
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let config = test_config(&db);
        let app = spawn_app_with(db, config.clone()).await;
        let w = world(&app).await;
        let id = final_award(&app, &w).await;
        dasan::init_pki(&config, &app.db.db, dasan::demo::pki_spec(&app.address).unwrap()).await.unwrap();

        let contracts = format!("/api/v1/procurement/tenders/{id}/contracts");
        let body = json!({
            "business_id": w.b.business,
            "period_start": "2026-01-01",
            "period_end": "2030-12-31",
            "payment_term_days": 14,
            "milestones": [
                { "title": "Base course", "due_on": "2030-06-30", "amount_minor": 435_000_000u64 },
                { "title": "Surface course", "due_on": "2030-12-31", "amount_minor": 500_000_000u64 }
            ],
            "language": "en"
        });
        assert_problem(post(&app, &contracts, &w.b.token, &body).await, 403, "forbidden").await;
        let mut bad = body.clone();
        bad["period_end"] = json!("2030-02-30");
        assert_problem(post(&app, &contracts, &w.officer, &bad).await, 422, "validation-failed").await;
        let mut bad = body.clone();
        bad["business_id"] = json!(w.a.business);
        assert_problem(post(&app, &contracts, &w.officer, &bad).await, 422, "validation-failed").await;
        let r = post(&app, &contracts, &w.officer, &body).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["status"], "draft");
        assert_eq!(c["versions"][0]["terms"]["value_minor"], 935_000_000u64);
        let cid = c["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/procurement/contracts/{cid}");
        assert_problem(post(&app, &contracts, &w.officer, &body).await, 409, "invalid-transition").await;

        // A draft is its parties' business only.
        assert_problem(app.get(&path).await, 404, "not-found").await;
        let r = app.client.get(app.url(&path)).bearer_auth(&w.b.token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let listed: Value = app.get(&contracts).await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 0);
        let search: Value = app.get("/api/v1/procurement/contracts").await.json().await.unwrap();
        assert_eq!(search["total"], 0, "a draft is not public: {search}");
        // The supplier's users find it in their list (draft included); the other bidder does not.
        let mine = |token: &str| app.client.get(app.url("/api/v1/me/contracts")).bearer_auth(token.to_owned()).send();
        let listed: Value = mine(&w.b.token).await.unwrap().json().await.unwrap();
        assert_eq!(listed.as_array().map(|l| l.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()), Some(vec![json!(cid)]), "{listed}");
        let listed: Value = mine(&w.a.token).await.unwrap().json().await.unwrap();
        assert_eq!(listed, json!([]));
        assert_problem(app.get("/api/v1/me/contracts").await, 401, "unauthenticated").await;

        // The supplier signs after the entity, and only its own contracts.
        let entity = format!("{path}/signatures/entity");
        let supplier = format!("{path}/signatures/supplier");
        assert_problem(post(&app, &supplier, &w.b.token, &json!({})).await, 409, "invalid-transition").await;
        assert_problem(post(&app, &entity, &w.b.token, &json!({})).await, 403, "forbidden").await;
        let r = post(&app, &entity, &w.officer, &json!({})).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_problem(post(&app, &entity, &w.officer, &json!({})).await, 409, "invalid-transition").await;
        assert_problem(post(&app, &supplier, &w.a.token, &json!({})).await, 403, "forbidden").await;
        let r = post(&app, &supplier, &w.b.token, &json!({})).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["status"], "active");

        // Public once signed; the PDF carries both signatures.
        let c: Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(c["status"], "active");
        // The public contract search finds it by the tender's words, status and agency.
        for q in ["", "?status=active&agency=pps", "?q=%20SEJONG-daero%20"] {
            let search: Value = app.get(&format!("/api/v1/procurement/contracts{q}")).await.json().await.unwrap();
            assert_eq!((search["total"].clone(), search["items"][0]["id"].clone()), (json!(1), json!(cid)), "{q}: {search}");
        }
        for q in ["?status=completed", "?agency=MOIS", "?q=nothing-like-it"] {
            let search: Value = app.get(&format!("/api/v1/procurement/contracts{q}")).await.json().await.unwrap();
            assert_eq!(search["total"], 0, "{q}: {search}");
        }
        assert_problem(app.get("/api/v1/procurement/contracts?status=draft").await, 422, "validation-failed").await;
        assert_problem(app.get("/api/v1/procurement/contracts?page=0").await, 422, "validation-failed").await;
        assert_problem(app.get("/api/v1/procurement/contracts?page=x").await, 400, "bad-request").await;
        // The API takes its parameters as documented: no control characters, nothing padded.
        for q in ["?q=%0Aroad", "?agency=%20PPS", "?status=active%20"] {
            assert_problem(app.get(&format!("/api/v1/procurement/contracts{q}")).await, 422, "validation-failed").await;
        }
        let r = app.get(&format!("{path}/pdf")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        assert_eq!(dasan_docs::pades::verify_integrity_all(&pdf).unwrap().len(), 2);
        assert_problem(app.get(&format!("{path}/pdf?version=7")).await, 404, "not-found").await;
        let listed: Value = app.get(&contracts).await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // Delivery and payment, with problem documents for what is refused.
        let today = dasan_procurement::contracts::kst_date(SystemClock.now()).to_string();
        let payments = format!("{path}/payments");
        let pay = |m: &str, amount: u64, on: &str| json!({ "milestone_id": m, "amount_minor": amount, "paid_on": on });
        assert_problem(post(&app, &payments, &w.officer, &pay("1", 1, &today)).await, 409, "invalid-transition").await;
        let accept = format!("{path}/milestones/1/acceptance");
        assert_problem(post(&app, &accept, &w.officer, &json!({ "accepted": false })).await, 422, "validation-failed").await;
        assert_problem(post(&app, &accept, &w.b.token, &json!({ "accepted": true })).await, 403, "forbidden").await;
        let r = post(&app, &accept, &w.officer, &json!({ "accepted": true, "notes": "Inspected." })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_problem(post(&app, &payments, &w.officer, &pay("1", 435_000_001, &today)).await, 422, "validation-failed").await;
        assert_problem(post(&app, &payments, &w.officer, &pay("1", 1, "2026-13-01")).await, 422, "validation-failed").await;
        assert_problem(post(&app, &payments, &w.officer, &pay("1", 1, "2999-01-01")).await, 422, "validation-failed").await;
        let r = post(&app, &payments, &w.officer, &pay("1", 435_000_000, &today)).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["payments"][0]["late_days"], 0);
        assert_eq!(c["payments"][0]["amount_minor"], 435_000_000u64);

        // An amendment needs a reason and a change.
        let amendments = format!("{path}/amendments");
        assert_problem(post(&app, &amendments, &w.officer, &json!({ "reason": "" })).await, 422, "validation-failed").await;
        assert_problem(post(&app, &amendments, &w.officer, &json!({ "reason": "nothing" })).await, 422, "validation-failed").await;
        let r = post(&app, &amendments, &w.officer, &json!({ "reason": "Longer works.", "period_end": "2031-06-30" })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["versions"].as_array().unwrap().len(), 2);

        assert_problem(app.get("/api/v1/procurement/contracts/nope").await, 404, "not-found").await;
        assert_problem(post(&app, "/api/v1/procurement/contracts/nope/termination", &w.officer, &json!({ "reason": "x" })).await,
            404, "not-found").await;
        let events: i64 = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'procurement.contract.%'"
        ).fetch_one(p).await).unwrap();
        assert!(events >= 6, "{events}");
    }
}
