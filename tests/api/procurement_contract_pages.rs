//! E-contracts through the pages, on both engines: the tender of the award-page test is
//! awarded on its page (B wins both lots) and its standstill passes; the entity makes the
//! contract from the award page and signs it, B's authorised user finds it on the public tender
//! page and signs with the e-seal, the signed PDF carries both signatures, and the entity
//! accepts a delivery and records a payment (the page shows the late days, 16 for a delivery accepted 30 days ago on a 14-day term),
//! amends the contract (both sign again) and terminates it. Refusals: people
//! without the role find no page (404), bad input is a page with the error next to its field.

use crate::helpers::*;
use crate::identity::{location, sign_in, sign_in_official};
use crate::procurement::{PASSWORD, new_account, notice, world};
use crate::procurement_award_pages::{opened, pass_standstill};
use dasan_identity::AccountKind;
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_store::{engine_tests, on_tx};
use serde_json::Value;

engine_tests! {
    async fn the_entity_and_the_supplier_sign_the_contract_and_the_entity_accepts_and_pays_through_the_pages(engine) {
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let config = test_config(&db);
        let app = spawn_app_with(db, config.clone()).await;
        let w = world(&app).await;
        let id = opened(&app, &w, notice()).await;
        dasan::init_pki(&config, &app.db.db, dasan::demo::pki_spec(&app.address).unwrap()).await.unwrap();
        let office_page = format!("/procurement/office/tenders/{id}/award");
        let officer = app.shallow();
        sign_in_official(&officer, "officer@pps.go.kr", None).await;
        for step in ["evaluation", "award"] {
            let path = if step == "award" { office_page.clone() } else { format!("/procurement/office/tenders/{id}/{step}") };
            let r = officer.post_form(&office_page, &path, &[]).await;
            assert_eq!(r.status(), 303, "{step}: {}", r.text().await.unwrap_or_default());
        }

        // During the standstill: no contract yet.
        let new_page = format!("/procurement/office/tenders/{id}/contract");
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains("A contract can be made once the award is final"), "{html}");
        let html = officer.get_page(&new_page, "en").await.text().await.unwrap();
        assert!(!html.contains(&format!("action=\"{new_page}\"")), "{html}");
        let fields = [
            ("business", w.b.business.as_str()),
            ("period_start", "2026-01-01"),
            ("period_end", "2030-12-31"),
            ("payment_term_days", "14"),
            ("language", "en"),
            ("m-0-title", "Base course"),
            ("m-0-due", "2030-06-30"),
            ("m-0-amount", "435,000,000"),
            ("m-1-title", "Surface course"),
            ("m-1-due", "2030-12-31"),
            ("m-1-amount", "500000000"),
        ];
        let r = officer.post_form(&office_page, &new_page, &fields).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#business\""));

        pass_standstill(&app, &id).await;
        for _ in 0..100 {
            let a: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/award")).await.json().await.unwrap();
            if a["status"] == "final" { break; }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"{new_page}\"")), "{html}");

        // People without the role find no form.
        let rep_b = app.shallow();
        assert_eq!(sign_in(&rep_b, &w.b.email, PASSWORD).await.status(), 303);
        let rep_a = app.shallow();
        assert_eq!(sign_in(&rep_a, &w.a.email, PASSWORD).await.status(), 303);
        assert_eq!(rep_b.get_page(&new_page, "en").await.status(), 404);
        assert_eq!(rep_b.post_form("/procurement", &new_page, &fields).await.status(), 404);

        // Bad input: said next to its field, nothing made.
        let html = officer.get_page(&new_page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{new_page}\"")) && html.contains(&w.b.business), "{html}");
        let mut bad = fields;
        bad[2].1 = "2030-02-30";
        bad[7].1 = "";
        let r = officer.post_form(&new_page, &new_page, &bad).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#period_end\"") && html.contains("href=\"#m-0-amount\""), "{html}");
        assert!(html.contains("value=\"Surface course\""), "what was typed is kept");
        let mut bad = fields;
        bad[10].1 = "400000000";
        let r = officer.post_form(&new_page, &new_page, &bad).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#milestones\""));
        let mut bad = fields;
        bad[0].1 = w.a.business.as_str();
        let r = officer.post_form(&new_page, &new_page, &bad).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#business\""));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_contracts").await, 0);

        // The entity makes the contract and signs it.
        let r = officer.post_form(&new_page, &new_page, &fields).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let to = location(&r);
        assert!(to.starts_with("/procurement/contracts/") && to.ends_with("?done=created"), "{to}");
        let page = to.trim_end_matches("?done=created").to_owned();
        let cid = page.trim_start_matches("/procurement/contracts/").to_owned();
        let html = officer.get_page(&new_page, "en").await.text().await.unwrap();
        assert!(html.contains("Every winner of the award has its contract") && !html.contains(&format!("action=\"{new_page}\"")), "{html}");
        let r = officer.post_form(&office_page, &new_page, &fields).await;
        assert_eq!(r.status(), 422, "one contract per winner");
        let html = officer.get_page(&to, "en").await.text().await.unwrap();
        assert!(html.contains("The contract is drafted.") && html.contains("935,000,000"), "{html}");
        let sign_entity = format!("{page}/signatures/entity");
        let sign_supplier = format!("{page}/signatures/supplier");
        assert!(html.contains(&format!("action=\"{sign_entity}\"")) && !html.contains(&format!("action=\"{sign_supplier}\"")));
        // A draft is its parties' business only; the supplier waits for the entity.
        assert_eq!(app.shallow().get_page(&page, "en").await.status(), 404);
        assert_eq!(rep_a.get_page(&page, "en").await.status(), 404);
        let html = rep_b.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("The procuring entity has not signed this version yet."), "{html}");
        assert!(!html.contains(&format!("action=\"{sign_entity}\"")) && !html.contains(&format!("action=\"{sign_supplier}\"")));
        let r = rep_b.post_form(&page, &sign_supplier, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#sign\""));
        assert_eq!(rep_b.post_form(&page, &sign_entity, &[]).await.status(), 404);
        assert_eq!(rep_a.post_form("/procurement", &sign_entity, &[]).await.status(), 404);
        let r = officer.post_form(&page, &sign_entity, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{page}?done=signed"));
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("Signed by the entity, waiting for the supplier") && !html.contains(&format!("action=\"{sign_entity}\"")), "{html}");

        // B's user finds the contract from the public tender page and signs with the e-seal.
        let public = rep_b.get_page(&format!("/procurement/tenders/{id}"), "en").await.text().await.unwrap();
        assert!(public.contains(&format!("href=\"{page}\"")), "{public}");
        let public = app.shallow().get_page(&format!("/procurement/tenders/{id}"), "en").await.text().await.unwrap();
        assert!(!public.contains(&format!("href=\"{page}\"")), "not public before both have signed");
        assert_eq!(rep_a.post_form("/procurement", &sign_supplier, &[]).await.status(), 404);
        let html = rep_b.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{sign_supplier}\"")), "{html}");
        let r = rep_b.post_form(&page, &sign_supplier, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = rep_b.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The contract is signed.") && html.contains("In force"), "{html}");
        let pdf_link = format!("/api/v1/procurement/contracts/{cid}/pdf?version=1");
        assert!(html.contains(&format!("href=\"{pdf_link}\"")), "{html}");
        let r = rep_b.get_page(&pdf_link, "en").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        assert_eq!(dasan_docs::pades::verify_integrity_all(&pdf).unwrap().len(), 2);
        // Public now, without forms.
        let html = app.shallow().get_page(&page, "ko").await.text().await.unwrap();
        assert!(html.contains("이행 중") && !html.contains("<form method=\"post\" action=\"/procurement/contracts/"), "{html}");
        let public = app.shallow().get_page(&format!("/procurement/tenders/{id}"), "en").await.text().await.unwrap();
        assert!(public.contains(&format!("href=\"{page}\"")), "{public}");
        // The public contract search lists it; a bad search is the form again with its error.
        let html = app.shallow().get_page("/transparency/contracts?status=active", "en").await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"{page}\"")) && html.contains("1 contract<"), "{html}");
        let html = app.shallow().get_page("/transparency/contracts?status=terminated", "ko").await.text().await.unwrap();
        assert!(!html.contains(&format!("href=\"{page}\"")) && html.contains("계약 0건"), "{html}");
        let r = app.shallow().get_page("/transparency/contracts?status=draft", "en").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#status\""));
        let html = app.shallow().get_page("/transparency", "en").await.text().await.unwrap();
        assert!(html.contains("href=\"/transparency/contracts\""), "{html}");

        // The entity accepts the first delivery and records its payment.
        let accept = format!("{page}/milestones/1/acceptance");
        let payments = format!("{page}/payments");
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{accept}\"")) && html.contains("A payment can be recorded once a delivery is accepted."), "{html}");
        assert_eq!(rep_b.post_form(&page, &accept, &[("accepted", "yes")]).await.status(), 404);
        let r = officer.post_form(&page, &accept, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#accepted-1\""));
        let r = officer.post_form(&page, &accept, &[("accepted", "no"), ("notes", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#notes-1\""));
        let r = officer.post_form(&page, &accept, &[("accepted", "yes"), ("notes", "Inspected.")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{page}?done=accepted"));
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("<td>Accepted ") && html.contains(&format!("action=\"{payments}\"")), "{html}");
        let today = dasan_procurement::contracts::kst_date(SystemClock.now()).to_string();
        assert_eq!(rep_b.post_form(&page, &payments, &[("milestone_id", "1"), ("amount", "1"), ("paid_on", &today)]).await.status(), 404);
        let r = officer.post_form(&page, &payments, &[("milestone_id", "1"), ("amount", "435,000,001"), ("paid_on", &today)]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#amount\"") && html.contains("value=\"435,000,001\""), "{html}");
        let r = officer.post_form(&page, &payments, &[("milestone_id", "1"), ("amount", "435000000"), ("paid_on", "2999-01-01")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#paid_on\""));
        let r = officer.post_form(&page, &payments, &[("milestone_id", "1"), ("amount", "435,000,000"), ("paid_on", &today)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The payment is recorded.") && html.contains("On time") && html.contains("435,000,000"), "{html}");
        let c: Value = app.get(&format!("/api/v1/procurement/contracts/{cid}")).await.json().await.unwrap();
        assert_eq!(c["payments"][0]["late_days"], 0);

        // An amendment needs a reason and a change; both parties sign it.
        let amendments = format!("{page}/amendments");
        assert_eq!(rep_b.post_form(&page, &amendments, &[("reason", "Longer works."), ("period_end", "2031-06-30")]).await.status(), 404);
        let r = officer.post_form(&page, &amendments, &[("reason", ""), ("value", ""), ("period_end", "2031-06-30")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#reason\""));
        let r = officer.post_form(&page, &amendments, &[("reason", "Nothing."), ("value", ""), ("period_end", "31 June")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#amend_period_end\"") && html.contains("value=\"31 June\""), "{html}");
        let r = officer.post_form(&page, &amendments, &[("reason", "Nothing."), ("value", ""), ("period_end", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#reason\""));
        let r = officer.post_form(&page, &amendments, &[("reason", "Longer works."), ("value", ""), ("period_end", "2031-06-30")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{page}?done=amended"));
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("2: Longer works.") && html.contains(&format!("action=\"{sign_entity}\"")), "{html}");
        assert!(!html.contains(&format!("action=\"{amendments}\"")), "one amendment at a time");
        let r = officer.post_form(&page, &sign_entity, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let r = rep_b.post_form(&page, &sign_supplier, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let pdf = app.get(&format!("/api/v1/procurement/contracts/{cid}/pdf?version=2")).await.bytes().await.unwrap();
        assert_eq!(dasan_docs::pades::verify_integrity_all(&pdf).unwrap().len(), 2);
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("2026-01-01 – 2031-06-30") && html.contains(&format!("action=\"{amendments}\"")), "{html}");

        // The amendment form shows the milestones as they are; a value change must change them
        // too, a delivered and paid milestone stays as it is, and a new milestone makes the sum.
        assert!(html.contains("name=\"am-0-title\" value=\"Base course\"") && html.contains("name=\"am-1-amount\" class=\"input-width-20\" inputmode=\"numeric\" value=\"500000000\"") && html.contains("name=\"am-2-title\" value=\"\""), "{html}");
        let rows = |extra: &[(&'static str, &'static str)]| {
            let mut f = vec![
                ("reason", "Road markings added."),
                ("value", "1,035,000,000"),
                ("period_end", ""),
                ("am-0-title", "Base course"),
                ("am-0-due", "2030-06-30"),
                ("am-0-amount", "435000000"),
                ("am-1-title", "Surface course"),
                ("am-1-due", "2030-12-31"),
                ("am-1-amount", "500000000"),
            ];
            for (k, v) in extra {
                f.retain(|(name, _)| name != k);
                f.push((k, v));
            }
            f
        };
        let r = officer.post_form(&page, &amendments, &rows(&[])).await;
        assert_eq!(r.status(), 422, "the milestones no longer add up to the value");
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#am-milestones\"") && html.contains("value=\"1,035,000,000\""), "{html}");
        let r = officer.post_form(&page, &amendments, &rows(&[("am-2-title", "Road markings"), ("am-2-due", "2031-03-31"), ("am-2-amount", "lots")])).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#am-2-amount\"") && html.contains("name=\"am-2-amount\" class=\"input-width-20\" inputmode=\"numeric\" value=\"lots\""), "{html}");
        let r = officer.post_form(&page, &amendments, &rows(&[("am-0-amount", "335,000,000"), ("am-2-title", "Road markings"), ("am-2-due", "2031-03-31"), ("am-2-amount", "200,000,000")])).await;
        assert_eq!(r.status(), 422, "milestone 1 is delivered and paid");
        assert!(r.text().await.unwrap().contains("href=\"#am-milestones\""));
        let r = officer.post_form(&page, &amendments, &rows(&[("am-2-title", "Road markings"), ("am-2-due", "2031-03-31"), ("am-2-amount", "100,000,000")])).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let c: Value = app.get(&format!("/api/v1/procurement/contracts/{cid}")).await.json().await.unwrap();
        let v3 = c["versions"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(v3["version"], 3, "{c}");
        assert_eq!(v3["terms"]["value_minor"], 1_035_000_000u64, "{c}");
        assert_eq!(v3["terms"]["milestones"][2]["title"], "Road markings", "{c}");
        assert_eq!(v3["terms"]["milestones"][0]["amount_minor"], 435_000_000u64, "{c}");
        for r in [officer.post_form(&page, &sign_entity, &[]).await, rep_b.post_form(&page, &sign_supplier, &[]).await] {
            assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        }
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("3: Road markings added.") && html.contains("Road markings") && html.contains("1,035,000,000"), "{html}");

        // A delivery accepted 30 days ago and paid today, 14 days after acceptance: 16 days late.
        let r = officer.post_form(&page, &format!("{page}/milestones/2/acceptance"), &[("accepted", "yes"), ("notes", "")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let past = SystemClock.now().as_micros() - 30 * 24 * 3_600_000_000;
        let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
        let c2 = cid.clone();
        on_tx!(tx, |c| dasan_store::sqlx::query(
            "UPDATE procurement_contract_acceptances SET decided_at = $1 WHERE contract_id = $2 AND milestone_id = '2'"
        )
        .bind(past)
        .bind(&c2)
        .execute(c)
        .await
        .map(drop))
        .unwrap();
        tx.record("test.time_passes", format!("contract:{cid}"), serde_json::json!({}));
        tx.commit().await.unwrap();
        let r = officer.post_form(&page, &payments, &[("milestone_id", "2"), ("amount", "1,000"), ("paid_on", &today)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains("16 days late"), "{html}");
        let html = officer.get_page(&page, "ko").await.text().await.unwrap();
        assert!(html.contains("16일 지연"), "{html}");

        // The entity terminates it with a reason; then nothing more can be done.
        let termination = format!("{page}/termination");
        assert_eq!(rep_b.post_form(&page, &termination, &[("reason", "x")]).await.status(), 404);
        let r = officer.post_form(&page, &termination, &[("reason", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#termination\""));
        let r = officer.post_form(&page, &termination, &[("reason", "The supplier abandoned the works.")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The contract is terminated.") && html.contains("The supplier abandoned the works."), "{html}");
        assert!(!html.contains(&format!("action=\"{termination}\"")) && !html.contains(&format!("action=\"{payments}\"")), "{html}");

        // Unknown contracts, and people with no business in it.
        let (_, _) = new_account(&app, "outsider@example.kr", AccountKind::Citizen, &[], None, &[]).await;
        let outsider = app.shallow();
        assert_eq!(sign_in(&outsider, "outsider@example.kr", PASSWORD).await.status(), 303);
        assert_eq!(outsider.post_form("/procurement", &payments, &[("milestone_id", "1"), ("amount", "1"), ("paid_on", &today)]).await.status(), 404);
        assert_eq!(officer.get_page("/procurement/contracts/nope", "en").await.status(), 404);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_contract_payments").await, 2);
    }
}
