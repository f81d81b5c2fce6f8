//! Public transparency on both engines: red flags through the API, a tender's OCDS record, and
//! the pages (search, a tender, a supplier's profile, the red-flag list) in English and Korean,
//! with bad query parameters answered by a problem document or the form with its errors —
//! never a 500.

use crate::helpers::*;
use crate::procurement::{pass_deadline, pass_opening_time, post, sealed, world};
use dasan_procurement::TenderPublicKey;
use dasan_store::{engine_tests, on_reader};
use serde_json::{Value, json};

engine_tests! {
    async fn an_awarded_single_bid_tender_is_flagged_and_shown_to_the_public(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = w.publish(&app).await;
        let quiet = w.publish(&app).await;
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
        let bids = format!("/api/v1/procurement/tenders/{id}/bids");
        assert_eq!(post(&app, &bids, &w.b.token, &sealed(&w.b, &id, &key, 850_000_000)).await.status(), 201);

        // Before the opening: who bid is secret, so no single-bidder flag yet and no bids shown.
        let flags: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/red-flags")).await.json().await.unwrap();
        let kinds: Vec<&str> = flags.as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["short_tender_period"], "a three-hour tender period");
        let page = app.get_page(&format!("/transparency/tenders/{id}"), "en").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Bids stay sealed until the opening"));
        let profile: Value = app.get(&format!("/api/v1/procurement/suppliers/{}/profile", w.b.business)).await.json().await.unwrap();
        assert_eq!(profile["tenders_bid"], json!([]), "not opened: not public");

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
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/evaluation"), &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/award"), &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

        // The API: both lots had one bid; filtered by kind; paged.
        let all: Value = app.get("/api/v1/procurement/red-flags").await.json().await.unwrap();
        assert_eq!(all["total"], 2, "both tenders had three hours: {all}");
        let single: Value = app.get("/api/v1/procurement/red-flags?kind=single_bidder").await.json().await.unwrap();
        assert_eq!(single["total"], 1);
        let item = &single["items"][0];
        assert_eq!(item["tender"]["id"], id);
        assert_eq!(item["tender"]["status"], "awarded");
        let sb = item["flags"].as_array().unwrap().iter().find(|f| f["kind"] == "single_bidder").unwrap();
        assert_eq!(sb["lots"], json!(["1", "2"]));
        let near: Value = app.get("/api/v1/procurement/red-flags?kind=near_floor").await.json().await.unwrap();
        assert_eq!(near["total"], 0);
        let later: Value = app.get("/api/v1/procurement/red-flags?page=2").await.json().await.unwrap();
        assert_eq!(later["items"], json!([]));
        for bad in ["kind=bogus", "page=0", "page=1001", "page=x", "colour=red"] {
            assert_problem(app.get(&format!("/api/v1/procurement/red-flags?{bad}")).await, 400, "bad-request").await;
        }
        assert_problem(app.get("/api/v1/procurement/tenders/not-an-id/red-flags").await, 404, "not-found").await;
        assert_problem(app.get("/api/v1/procurement/suppliers/nobody/profile").await, 404, "not-found").await;
        assert_problem(app.get("/api/v1/procurement/tenders/00000000-0000-7000-8000-000000000000/ocds").await, 404, "not-found").await;

        // The tender's OCDS record: the award stage and the bids, in one record package.
        let r = app.get(&format!("/api/v1/procurement/tenders/{id}/ocds")).await;
        assert_eq!(r.status(), 200);
        let record: Value = r.json().await.unwrap();
        let compiled = &record["records"][0]["compiledRelease"];
        assert_eq!(compiled["awards"].as_array().unwrap().len(), 2);
        assert!(compiled["awards"].as_array().unwrap().iter().all(|a| a["status"] == "pending"));
        assert_eq!(compiled["bids"]["details"].as_array().unwrap().len(), 2);
        assert_eq!(compiled["tender"]["value"]["amount"], 1_000_000_000, "opened: the estimate is public");

        // The supplier's profile: registration facts only, the tender bid, the awards, flags.
        let profile: Value = app.get(&format!("/api/v1/procurement/suppliers/{}/profile", w.b.business)).await.json().await.unwrap();
        assert_eq!(profile["tenders_bid"][0]["id"], id);
        assert_eq!(profile["awards"].as_array().unwrap().len(), 2);
        assert!(profile["red_flags"][0]["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "single_bidder"));
        let text = profile.to_string();
        assert!(!text.contains("bank") && !text.contains("account_number") && !text.contains("contact_email"), "{text}");

        // The pages, in both languages, without an account.
        for (lang, heading, flag) in [("en", "Procurement transparency", "Single bidder"), ("ko", "조달 투명성", "단독 투찰")] {
            let tenders = app.get_page("/procurement", lang).await.text().await.unwrap();
            assert!(tenders.contains("href=\"/transparency\"") && tenders.contains(heading), "the tender list links the transparency pages ({lang})");
            let r = app.get_page("/transparency", lang).await;
            assert_eq!(r.status(), 200);
            let html = r.text().await.unwrap();
            assert!(html.contains(heading), "{lang}");
            assert!(html.contains(&format!("/transparency/tenders/{id}")) && html.contains(&format!("/transparency/tenders/{quiet}")));
            let html = app.get_page(&format!("/transparency/tenders/{id}"), lang).await.text().await.unwrap();
            assert!(html.contains(flag), "{lang}");
            assert!(html.contains(&format!("/api/v1/procurement/tenders/{id}/ocds")));
            assert!(html.contains(&format!("/transparency/suppliers/{}", w.b.business)));
            assert!(html.contains("850,000,000 KRW"), "B's price once opened");
            let html = app.get_page(&format!("/transparency/suppliers/{}", w.b.business), lang).await.text().await.unwrap();
            assert!(html.contains(flag) && html.contains(&format!("/transparency/tenders/{id}")), "{lang}");
            let html = app.get_page("/transparency/red-flags?kind=single_bidder", lang).await.text().await.unwrap();
            assert!(html.contains(&format!("/transparency/tenders/{id}")) && !html.contains(&format!("/transparency/tenders/{quiet}")), "{lang}");
        }
        // Search filters.
        let html = app.get_page("/transparency?status=awarded", "en").await.text().await.unwrap();
        assert!(html.contains(&format!("/transparency/tenders/{id}")) && !html.contains(&format!("/transparency/tenders/{quiet}")));
        let html = app.get_page("/transparency?q=sejong&agency=PPS&category=cpv:4523&from=2000-01-01&to=2999-12-31", "en").await.text().await.unwrap();
        assert!(html.contains("2 tenders"), "{html}");
        let html = app.get_page("/transparency?q=nothing-like-this", "en").await.text().await.unwrap();
        assert!(html.contains("Nothing found."));
        let html = app.get_page("/transparency?q=50%25_off", "en").await.text().await.unwrap();
        assert!(html.contains("Nothing found."), "LIKE wildcards are literal");

        // Bad parameters: the form again with its errors (422), never a 500.
        for (bad, message) in [
            ("status=won", "Choose a status from the list."),
            ("from=2026-02-30", "Enter a real date as YYYY-MM-DD."),
            ("from=2026-02-01&to=2026-01-01", "The end date must not be before the start date."),
            ("category=roads", "Enter a category such as cpv:45"),
            ("page=0", "The page must be a number from 1 to 1000."),
            ("page=99999999999999999999", "The page must be a number from 1 to 1000."),
            ("agency=%3Cscript%3E", "Choose a procuring entity from the list."),
        ] {
            let r = app.get_page(&format!("/transparency?{bad}"), "en").await;
            assert_eq!(r.status(), 422, "{bad}");
            let html = r.text().await.unwrap();
            assert!(html.contains(message), "{bad}");
            assert!(!html.contains("<script>"), "{bad}");
        }
        let r = app.get_page("/transparency/red-flags?kind=bogus", "ko").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("목록에서 신호 종류를 고르세요."));
        assert_eq!(app.get_page("/transparency/tenders/not-an-id", "en").await.status(), 404);
        assert_eq!(app.get_page("/transparency/suppliers/not-an-id", "en").await.status(), 404);
        assert_eq!(app.get_page(&format!("/transparency/suppliers/{id}"), "en").await.status(), 404, "not a supplier");
    }
}
