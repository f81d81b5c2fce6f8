//! The procurement pages added after the API, on both engines: the procuring entity's bid
//! opening page (why it cannot open yet, then the opening and its signed record), the public
//! bid-box check (counted / not counted from a receipt's bid id), a supplier changing its
//! registration, and an official debarring a supplier and lifting it. Each with a refusal for
//! someone without the right (404, as the other officials' pages) and bad input shown as a
//! translated page (422), never a 500.

use crate::helpers::*;
use crate::identity::location;
use crate::procurement::{PASSWORD, pass_deadline, pass_opening_time, post, sealed, world};
use dasan_kernel::{Clock, SystemClock};
use dasan_procurement::TenderPublicKey;
use dasan_store::{engine_tests, on_reader};
use serde_json::{Value, json};

pub async fn wait_closed(app: &TestApp, id: &str) {
    for _ in 0..100 {
        if app
            .get(&format!("/api/v1/procurement/tenders/{id}/bid-box"))
            .await
            .status()
            == 200
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the worker closes the bid box");
}

engine_tests! {
    async fn the_entity_opens_the_bids_on_its_page_and_anyone_checks_a_bid_was_counted(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/bids"), &w.a.token,
            &sealed(&w.a, &id, &key, 900_000_000)).await;
        assert_eq!(r.status(), 201);
        let bid_id = r.json::<Value>().await.unwrap()["bid_id"].as_str().unwrap().to_owned();

        let officer = app.shallow();
        crate::identity::sign_in_official(&officer, "officer@pps.go.kr", None).await;
        let opening = format!("/procurement/office/tenders/{id}/opening");
        // Before the deadline: the page says why it cannot open.
        let r = officer.get_page(&opening, "en").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("The bid box is still open"), "{html}");
        assert!(html.contains("0 of 2 needed released") && html.contains("The opening time has not come"), "{html}");
        assert!(!html.contains(&format!("action=\"{opening}\"")), "no opening form yet");
        let office = officer.get_page("/procurement/office", "en").await.text().await.unwrap();
        assert!(office.contains(&format!("href=\"{opening}\"")));
        // Pressing it anyway (a stale page): refused on the page, nothing opened.
        let r = officer.post_form(&opening, &opening, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#open\""));
        // In Korean too.
        let html = officer.get_page(&opening, "ko").await.text().await.unwrap();
        assert!(html.contains("개찰: "), "{html}");

        // The public check before closing: the box is not closed yet.
        let public = app.shallow();
        let check = format!("/procurement/tenders/{id}/bid-box");
        let r = public.get_page(&check, "en").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("The bid box closes at the bid deadline"));
        let r = public.get_page(&format!("{check}?bid={bid_id}"), "en").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("The bid box is not closed yet"));

        // Least privilege: a supplier and a committee member (no procurement.manage) find no
        // opening page and cannot open.
        let supplier = app.shallow();
        assert_eq!(crate::identity::sign_in(&supplier, &w.a.email, PASSWORD).await.status(), 303);
        assert_eq!(supplier.get_page(&opening, "en").await.status(), 404);
        assert_eq!(supplier.post_form("/procurement", &opening, &[]).await.status(), 404);
        let member = app.shallow();
        crate::identity::sign_in_official(&member, "member0@pps.go.kr", None).await;
        assert_eq!(member.get_page(&opening, "en").await.status(), 404);
        assert_eq!(member.post_form("/procurement/committee", &opening, &[]).await.status(), 404);
        // Not a tender id at all: 404, not 500.
        assert_eq!(officer.get_page("/procurement/office/tenders/nope/opening", "en").await.status(), 404);

        // The deadline passes and the box closes; the opening time comes; one share is released.
        pass_deadline(&app, &id).await;
        wait_closed(&app, &id).await;
        pass_opening_time(&app, &id).await;
        let ceremony: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT ceremony FROM procurement_tenders WHERE id = $1"
        ).bind(&id).fetch_one(p).await).unwrap();
        let ceremony: dasan_procurement::KeyCeremony = serde_json::from_str(&ceremony).unwrap();
        let release = |i: usize| {
            let share = dasan_procurement::decrypt_share(&ceremony, i as u8 + 1, &w.members[i].1).unwrap();
            json!({ "share": share.to_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>() })
        };
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/shares"), &w.member_tokens[0], &release(0)).await;
        assert_eq!(r.status(), 204);
        let html = officer.get_page(&opening, "en").await.text().await.unwrap();
        assert!(html.contains("1 of 2 needed released") && html.contains("Only 1 of the 2 key shares"), "{html}");
        assert!(!html.contains("The opening time has not come"));
        let r = officer.post_form(&opening, &opening, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#open\""));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_tenders WHERE status = 'opened'").await, 0);

        // A second share: the form appears; opening shows the signed record.
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/shares"), &w.member_tokens[1], &release(1)).await;
        assert_eq!(r.status(), 204);
        let html = officer.get_page(&opening, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{opening}\"")), "{html}");
        let r = officer.post_form(&opening, &opening, &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), format!("{opening}?opened=1"));
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The bids are opened"), "{html}");
        assert!(html.contains("900,000,000 KRW") && html.contains("90,000,000 KRW"), "prices per lot: {html}");
        assert!(html.contains(&bid_id));
        assert!(html.contains("Reserve price draw") && html.contains("Numbers drawn"), "{html}");
        assert!(html.contains("No bid was rejected."));
        assert!(html.contains(&format!("/api/v1/procurement/tenders/{id}/opening")));
        let record: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/bid-box")).await.json().await.unwrap();
        let root = record["record"]["root"].as_str().unwrap().to_owned();
        assert!(html.contains(&root), "the bid-box root is shown");
        let name: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT name FROM registry_businesses WHERE id = $1"
        ).bind(&w.a.business).fetch_one(p).await).unwrap();
        assert!(html.contains(&askama_escape(&name)), "the bidder is named: {name}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.tender.open'").await, 1);
        // Opening twice is refused on the page.
        let r = officer.post_form(&opening, &opening, &[]).await;
        assert_eq!(r.status(), 422);
        let html = officer.get_page(&opening, "ko").await.text().await.unwrap();
        assert!(html.contains("예정가격 추첨"), "{html}");

        // Anyone checks a receipt's bid id against the signed box: counted, in any case.
        let r = public.get_page(&format!("{check}?bid={bid_id}"), "en").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Counted: this bid is in the signed bid box.") && html.contains(&root), "{html}");
        let r = public.get_page(&format!("{check}?bid=%20{}%20", bid_id.to_uppercase()), "ko").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("포함됨"));
        let r = public.get_page(&format!("{check}?bid={}", "0".repeat(64)), "en").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Not counted"));
        // Bad input is a translated page, not an error.
        for bad in ["zz", "%00", &"a".repeat(65), &"x".repeat(5000)] {
            let r = public.get_page(&format!("{check}?bid={bad}"), "en").await;
            assert_eq!(r.status(), 422, "{bad}");
            assert!(r.text().await.unwrap().contains("href=\"#bid\""));
        }
        assert_eq!(public.get_page("/procurement/tenders/nope/bid-box", "en").await.status(), 404);
    }
}

/// How askama writes text into HTML (names may hold `&` or quotes).
pub fn askama_escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

engine_tests! {
    async fn a_supplier_changes_its_details_and_an_official_debars_it_and_lifts_the_debarment(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let rep = app.shallow();
        assert_eq!(crate::identity::sign_in(&rep, &w.a.email, PASSWORD).await.status(), 303);
        let page = format!("/procurement/suppliers/{}", w.a.business);
        let details = format!("{page}/details");
        // The registered supplier's page offers its details to change, filled in.
        let html = rep.get_page(&page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{details}\"")) && html.contains("value=\"100-200-300\""), "{html}");
        assert!(html.contains("name=\"version\" value=\"1\""));
        let good = [
            ("version", "1"), ("categories", "cpv:45233120 cpv:45442100"),
            ("licence1-kind", "construction.general"), ("licence1-number", "C-77"),
            ("licence1-issuer", "MOLIT"), ("licence1-valid_until", "2031-06-30"),
            ("bank", "Dasan Bank"), ("account_number", "555-666"), ("holder", "Supplier A"),
            ("contact_email", "tenders@a.example.kr"),
        ];
        // Bad input: shown against its fields, nothing saved.
        for (field, value) in [("licence1-valid_until", "30/06/2031"), ("contact_email", "nope"), ("categories", "")] {
            let mut bad = good.to_vec();
            bad.retain(|(k, _)| *k != field);
            bad.push((field, value));
            let r = rep.post_form(&page, &details, &bad).await;
            assert_eq!(r.status(), 422, "{field}");
            let html = r.text().await.unwrap();
            assert!(html.contains(&format!("href=\"#{field}\"")), "{field}: {html}");
            assert!(html.contains("value=\"C-77\""), "what was typed is kept");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.supplier.update'").await, 0);
        let r = rep.post_form(&page, &details, &good).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{page}?done=updated"));
        let html = rep.get_page(&location(&r), "ko").await.text().await.unwrap();
        assert!(html.contains("공급자 정보를 저장했습니다") && html.contains("cpv:45442100") && html.contains("555-666"), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.supplier.update'").await, 1);
        // The same (now stale) version again: refused with a message, not saved twice.
        let r = rep.post_form(&page, &details, &good).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#categories\""));
        // Someone acting for another business cannot change this one.
        let other = app.shallow();
        assert_eq!(crate::identity::sign_in(&other, &w.b.email, PASSWORD).await.status(), 303);
        assert_eq!(other.post_form("/procurement/suppliers", &details, &good).await.status(), 404);

        // The representative withdraws their own bidder authority through the page.
        let account: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT account_id FROM procurement_bidders WHERE business_id = $1"
        ).bind(&w.a.business).fetch_one(p).await).unwrap();
        let remove = format!("{page}/bidders/{account}/remove");
        assert!(rep.get_page(&page, "en").await.text().await.unwrap().contains(&format!("action=\"{remove}\"")));
        assert_eq!(other.post_form("/procurement/suppliers", &remove, &[]).await.status(), 404);
        let r = rep.post_form(&page, &remove, &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_bidders WHERE removed_at IS NOT NULL").await, 1);
        assert_eq!(rep.post_form(&page, &remove, &[]).await.status(), 404, "not a bidder any more");

        // An official finds the supplier by its number and debars it.
        let officer = app.shallow();
        crate::identity::sign_in_official(&officer, "officer@pps.go.kr", None).await;
        let number: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT registration_number FROM registry_businesses WHERE id = $1"
        ).bind(&w.a.business).fetch_one(p).await).unwrap();
        assert_eq!(officer.get_page("/procurement/office/suppliers", "en").await.status(), 200);
        let r = officer.get_page("/procurement/office/suppliers?number=000-00-00000", "en").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#number\""));
        let r = officer.get_page(&format!("/procurement/office/suppliers?number={number}"), "en").await;
        assert_eq!(r.status(), 303);
        let debar_page = format!("/procurement/office/suppliers/{}", w.a.business);
        assert_eq!(location(&r), debar_page);
        let html = officer.get_page(&debar_page, "en").await.text().await.unwrap();
        assert!(html.contains("The supplier has never been debarred."), "{html}");
        assert!(!html.contains("555-666"), "the bank account is not the official's business");
        let debar = format!("{debar_page}/debarments");
        let today = SystemClock.now().to_jiff().strftime("%Y-%m-%d").to_string();
        // Bad input: no reason, a date that is not one, an end before the start.
        let r = officer.post_form(&debar_page, &debar, &[("reason", " "), ("from", &today), ("until", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#reason\""));
        let r = officer.post_form(&debar_page, &debar, &[("reason", "Collusion"), ("from", "soon"), ("until", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#from\""));
        let r = officer.post_form(&debar_page, &debar, &[("reason", "Collusion"), ("from", "2030-01-10"), ("until", "2029-01-01")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#until\""));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_debarments").await, 0);
        let r = officer.post_form(&debar_page, &debar, &[("reason", "Collusion found in tender 2026-17."), ("from", &today), ("until", "")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The supplier is debarred.") && html.contains("Collusion found in tender 2026-17."), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.supplier.debar'").await, 1);
        // The supplier sees it on its page.
        assert!(rep.get_page(&page, "en").await.text().await.unwrap().contains("The supplier is debarred now and cannot bid."));

        // Least privilege: the supplier and a committee member (no procurement.manage) find no
        // debarment pages and cannot debar.
        for who in [&rep, &other] {
            assert_eq!(who.get_page("/procurement/office/suppliers", "en").await.status(), 404);
            assert_eq!(who.get_page(&debar_page, "en").await.status(), 404);
            assert_eq!(who.post_form("/procurement", &debar, &[("reason", "x"), ("from", &today)]).await.status(), 404);
        }
        let member = app.shallow();
        crate::identity::sign_in_official(&member, "member1@pps.go.kr", None).await;
        assert_eq!(member.get_page(&debar_page, "en").await.status(), 404);
        assert_eq!(member.post_form("/procurement/committee", &debar, &[("reason", "x"), ("from", &today)]).await.status(), 404);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_debarments").await, 1);

        // Lifting needs a reason; then the debarment is no longer in force.
        let id: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM procurement_debarments"
        ).fetch_one(p).await).unwrap();
        let lift = format!("{debar}/{id}/lift");
        assert_eq!(member.post_form("/procurement/committee", &lift, &[("reason", "x")]).await.status(), 404);
        let r = officer.post_form(&debar_page, &lift, &[("reason", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#lift-{id}\"")));
        let r = officer.post_form(&debar_page, &lift, &[("reason", "Court annulled the decision.")]).await;
        assert_eq!(r.status(), 303);
        let html = officer.get_page(&location(&r), "ko").await.text().await.unwrap();
        assert!(html.contains("제재를 해제했습니다") && html.contains("Court annulled the decision."), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.supplier.debarment_lift'").await, 1);
        assert_eq!(officer.post_form(&debar_page, &lift, &[("reason", "again")]).await.status(), 404, "already lifted");
        assert!(!rep.get_page(&page, "en").await.text().await.unwrap().contains("debarred now"));
        // Unknown ids are 404 pages.
        assert_eq!(officer.get_page("/procurement/office/suppliers/nope", "en").await.status(), 404);
        assert_eq!(officer.post_form(&debar_page, &format!("{debar}/nope/lift"), &[("reason", "x")]).await.status(), 404);
    }
}
