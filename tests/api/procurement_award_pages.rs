//! Evaluation, award and complaints through the pages, on both engines: the entity appoints a
//! panel on a best-value tender, three evaluators score on their pages (blind to each other
//! until every sheet is in), the entity evaluates, decides the abnormally low bids, evaluates
//! again and awards; a bidder sees the award notice on the public page and complains (the award
//! is suspended), the entity answers, the review body dismisses one complaint and upholds
//! another (the award is annulled), the tender is awarded again, and a complaint after the
//! standstill is refused. Refusals: people without the role find no page (404), bad input is a
//! translated page with the error next to its field (422).

use crate::helpers::*;
use crate::identity::{location, sign_in, sign_in_official};
use crate::procurement::{
    PASSWORD, World, new_account, notice, pass_deadline, pass_opening_time, post, sealed, world,
};
use crate::procurement_pages::wait_closed;
use dasan_identity::{AccountKind, Permission};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_procurement::TenderPublicKey;
use dasan_store::{engine_tests, on_reader, on_tx};
use serde_json::{Value, json};

/// A best-value tender (price 70 %, technical merit 30 % out of 100 points) whose
/// abnormally-low rule asks the entity to decide: below 98 % of the mean of the bids.
fn best_value_notice() -> Value {
    let mut n = notice();
    n["evaluation"] = json!({
        "method": "best_value",
        "criteria": [ { "name": "Technical merit", "weight_bp": 3000, "max_points": 100 } ],
        "price_weight_bp": 7000,
        "price_formula": "proportional",
        "abnormally_low": { "reference": "mean_of_bids", "threshold_bp": 9800, "action": "justify" },
        "tie_break": "earliest_submission"
    });
    n
}

/// Publishes `notice`, takes bids from A (900 000 000) and B (850 000 000), closes the box,
/// releases two shares and opens the bids (through the API: the opening page has its own test).
pub(crate) async fn opened(app: &TestApp, w: &World, notice: Value) -> String {
    let id = w.publish_notice(app, notice).await;
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
    wait_closed(app, &id).await;
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
    let r = post(
        app,
        &format!("/api/v1/procurement/tenders/{id}/opening"),
        &w.officer,
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    id
}

/// The tender's status as stored.
async fn status_of(app: &TestApp, id: &str) -> String {
    let detail: Value = app
        .get(&format!("/api/v1/procurement/tenders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    detail["status"].as_str().unwrap().to_owned()
}

/// The score form's fields for one evaluator: `s-{bid}-{lot}-0` with A's and B's points.
fn sheet<'a>(
    opened: &Value,
    a: &str,
    a_points: &'a str,
    b_points: &'a str,
) -> Vec<(String, &'a str)> {
    let mut fields = Vec::new();
    for (bi, bid) in opened.as_array().unwrap().iter().enumerate() {
        let points = if bid["supplier_id"] == a {
            a_points
        } else {
            b_points
        };
        for li in 0..bid["lots"].as_array().unwrap().len() {
            fields.push((format!("s-{bi}-{li}-0"), points));
        }
    }
    fields
}

fn pairs(fields: &[(String, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.clone(), (*v).to_owned()))
        .collect()
}

async fn post_pairs(
    who: &TestApp,
    page: &str,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    who.post_form(page, path, &borrowed).await
}

/// Moves the award's standstill end into the past, as time would.
pub(crate) async fn pass_standstill(app: &TestApp, id: &str) {
    let past = SystemClock.now().as_micros() - 1;
    let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
    let tid = id.to_owned();
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
}

engine_tests! {
    async fn evaluators_score_blind_the_entity_awards_and_a_bidder_complains_through_the_pages(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let id = opened(&app, &w, best_value_notice()).await;
        let office_page = format!("/procurement/office/tenders/{id}/award");

        // The entity finds the page from its office and appoints all three members.
        let officer = app.shallow();
        sign_in_official(&officer, "officer@pps.go.kr", None).await;
        let office = officer.get_page("/procurement/office", "en").await.text().await.unwrap();
        assert!(office.contains(&format!("href=\"{office_page}\"")), "{office}");
        let r = officer.get_page(&office_page, "en").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Best value (weighted scoring)") && html.contains("Technical merit"), "{html}");
        let appoint = format!("/procurement/office/tenders/{id}/evaluators");
        assert!(html.contains(&format!("action=\"{appoint}\"")));
        assert!(!html.contains(&format!("action=\"/procurement/office/tenders/{id}/evaluation\"")), "nothing to evaluate yet");
        // Nobody chosen, or someone who may not evaluate: said next to the field.
        let r = officer.post_form(&office_page, &appoint, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#evaluators\""));
        let r = officer.post_form(&office_page, &appoint, &[("evaluators", "nope")]).await;
        assert_eq!(r.status(), 422);
        let panel: Vec<String> = w.members.iter().map(|(a, _)| a.to_string()).collect();
        let fields: Vec<(String, String)> = panel.iter().map(|a| ("evaluators".to_owned(), a.clone())).collect();
        let r = post_pairs(&officer, &office_page, &appoint, &fields).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{office_page}?done=appointed"));
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The evaluation panel is appointed.") && html.contains("Sheet not submitted yet"), "{html}");
        assert!(!html.contains(&format!("action=\"{appoint}\"")), "once only");
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_evaluators").await, 3);
        // Evaluating before the sheets are in: refused on the page.
        let evaluate = format!("/procurement/office/tenders/{id}/evaluation");
        let r = officer.post_form(&office_page, &evaluate, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#evaluate\""));

        // Each evaluator finds the tender from their committee page and scores it.
        let opening: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/opening")).await.json().await.unwrap();
        let opened_bids = &opening["record"]["opened"];
        let score_page = format!("/procurement/evaluation/tenders/{id}");
        let mut evaluators = Vec::new();
        for i in 0..3 {
            let e = app.shallow();
            sign_in_official(&e, &format!("member{i}@pps.go.kr"), None).await;
            evaluators.push(e);
        }
        let committee = evaluators[0].get_page("/procurement/committee", "en").await.text().await.unwrap();
        assert!(committee.contains("href=\"/procurement/evaluation\""));
        let list = evaluators[0].get_page("/procurement/evaluation", "en").await.text().await.unwrap();
        assert!(list.contains(&format!("href=\"{score_page}\"")) && list.contains("Waiting for your scores"), "{list}");
        let html = evaluators[0].get_page(&score_page, "en").await.text().await.unwrap();
        assert!(html.contains("Lot 1: Technical merit (0 to 100)") && html.contains("0 of 3 sheets submitted"), "{html}");
        // Points out of range or missing: shown against the field, nothing saved.
        let mut bad = sheet(opened_bids, &w.a.business, "70", "80");
        bad[0].1 = "101";
        bad[1].1 = "";
        let r = post_pairs(&evaluators[0], &score_page, &score_page, &pairs(&bad)).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#s-0-0-0\"") && html.contains("href=\"#s-0-1-0\""), "{html}");
        assert!(html.contains("value=\"101\""), "what was typed is kept");
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_scores").await, 0);
        // Member 0 and member 1 submit: each sees their own points only.
        for (i, (a, b)) in [("70", "80"), ("71", "81")].into_iter().enumerate() {
            let r = post_pairs(&evaluators[i], &score_page, &score_page, &pairs(&sheet(opened_bids, &w.a.business, a, b))).await;
            assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
            assert_eq!(location(&r), format!("{score_page}?submitted=1"));
        }
        let html = evaluators[0].get_page(&format!("{score_page}?submitted=1"), "en").await.text().await.unwrap();
        assert!(html.contains("Your sheet is submitted.") && html.contains("2 of 3 sheets submitted"), "{html}");
        assert!(html.contains("<td>You</td>") && html.contains("<td>80</td>"), "{html}");
        assert!(!html.contains("<td>81</td>") && !html.contains("<td>Evaluator "), "blind until all are in: {html}");
        assert!(html.contains("Scores stay hidden until every evaluator has submitted their sheet."));
        let html = evaluators[1].get_page(&score_page, "en").await.text().await.unwrap();
        assert!(html.contains("<td>81</td>") && !html.contains("<td>80</td>"), "{html}");
        // The entity sees no points yet either.
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(!html.contains("<td>80</td>") && !html.contains("<td>81</td>"), "{html}");
        // A sheet is final: a second one is refused.
        let r = post_pairs(&evaluators[0], &score_page, &score_page, &pairs(&sheet(opened_bids, &w.a.business, "1", "1"))).await;
        assert_eq!(r.status(), 422);
        // The last sheet: now everyone's points are shown, on both pages.
        let r = post_pairs(&evaluators[2], &score_page, &score_page, &pairs(&sheet(opened_bids, &w.a.business, "72", "82"))).await;
        assert_eq!(r.status(), 303);
        let html = evaluators[0].get_page(&score_page, "ko").await.text().await.unwrap();
        assert!(html.contains("<td>81</td>") && html.contains("<td>82</td>") && html.contains("채점표 3건 중 3건 제출"), "{html}");
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains("<td>80</td>") && html.contains("<td>82</td>"), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.scores.submit'").await, 3);

        // Least privilege: a supplier, the entity's officer and a stranger have no score page;
        // evaluators and suppliers have no entity page.
        let rep_a = app.shallow();
        assert_eq!(sign_in(&rep_a, &w.a.email, PASSWORD).await.status(), 303);
        assert_eq!(rep_a.get_page(&score_page, "en").await.status(), 404);
        assert_eq!(rep_a.get_page("/procurement/evaluation", "en").await.status(), 404);
        assert_eq!(officer.get_page(&score_page, "en").await.status(), 404);
        assert_eq!(rep_a.get_page(&office_page, "en").await.status(), 404);
        assert_eq!(evaluators[0].get_page(&office_page, "en").await.status(), 404);
        assert_eq!(evaluators[0].post_form(&score_page, &evaluate, &[]).await.status(), 404);
        assert_eq!(rep_a.post_form("/procurement", &appoint, &[("evaluators", &panel[0])]).await.status(), 404);
        assert_eq!(officer.get_page("/procurement/office/tenders/nope/award", "en").await.status(), 404);
        assert_eq!(evaluators[0].get_page("/procurement/evaluation/tenders/nope", "en").await.status(), 404);

        // Evaluate: B's lower price and higher points win, but its price is abnormally low.
        let r = officer.post_form(&office_page, &evaluate, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The bids are evaluated.") && html.contains("Evaluation report version 1"), "{html}");
        assert!(html.contains("Abnormally low") && html.contains("abnormally low price"), "{html}");
        let award_action = format!("action=\"{office_page}\"");
        assert!(!html.contains(&award_action), "no award while a decision waits");
        let decide = format!("/procurement/office/tenders/{id}/low-bid-decisions");
        let b_bid = opened_bids.as_array().unwrap().iter()
            .find(|b| b["supplier_id"] == w.b.business.as_str()).unwrap()["bid_id"].as_str().unwrap().to_owned();
        // No choice, then no reason: each said next to its field.
        let r = officer.post_form(&office_page, &decide, &[("bid", &b_bid), ("lot", "1"), ("reason", "x")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#low-1-{b_bid}-accepted\"")));
        let r = officer.post_form(&office_page, &decide, &[("bid", &b_bid), ("lot", "1"), ("accepted", "yes"), ("reason", " ")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#low-1-{b_bid}\"")));
        for lot in ["1", "2"] {
            let r = officer.post_form(&office_page, &decide,
                &[("bid", &b_bid), ("lot", lot), ("accepted", "yes"), ("reason", "Own quarry explains the price.")]).await;
            assert_eq!(r.status(), 303, "{lot}: {}", r.text().await.unwrap_or_default());
        }
        let r = officer.post_form(&office_page, &evaluate, &[]).await;
        assert_eq!(r.status(), 303);
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains("Evaluation report version 2") && html.contains("Explanation accepted"), "{html}");
        assert!(html.contains("Own quarry explains the price."));
        assert!(html.contains(&award_action), "{html}");

        // Award: the notice with its standstill end, on the entity's page and the public one.
        let r = officer.post_form(&office_page, &office_page, &[]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let html = officer.get_page(&location(&r), "en").await.text().await.unwrap();
        assert!(html.contains("The tender is awarded.") && html.contains("Standstill period ends"), "{html}");
        assert_eq!(status_of(&app, &id).await, "awarded");
        let b_name: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT name FROM registry_businesses WHERE id = $1"
        ).bind(&w.b.business).fetch_one(p).await).unwrap();
        let b_name = crate::procurement_pages::askama_escape(&b_name);
        let public_page = format!("/procurement/tenders/{id}");
        let html = app.shallow().get_page(&public_page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("awarded to {b_name} at 850,000,000 KRW")), "{html}");
        assert!(html.contains("Standstill period ends") && html.contains("No complaint has been filed."), "{html}");
        assert!(html.contains(&format!("/sign-in?return=/procurement/tenders/{id}/complaint")));
        let html = app.shallow().get_page(&public_page, "ko").await.text().await.unwrap();
        assert!(html.contains("대기 기간 종료"), "{html}");

        // A complains from the public page; nobody may complain for a business they do not act
        // for, or for one that did not bid.
        let complaint = format!("/procurement/tenders/{id}/complaint");
        let receipt = format!("{public_page}/receipt?business={}", w.a.business);
        let html = rep_a.get_page(&receipt, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"{public_page}#award\"")), "{html}");
        let html = rep_a.get_page(&public_page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"{complaint}\"")), "{html}");
        let html = rep_a.get_page(&complaint, "en").await.text().await.unwrap();
        assert!(html.contains("name=\"grounds\"") && html.contains(&w.a.business), "{html}");
        let r = rep_a.post_form(&complaint, &complaint, &[("business", &w.a.business), ("grounds", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#grounds\""));
        let r = rep_a.post_form(&complaint, &complaint, &[("business", &w.b.business), ("grounds", "x")]).await;
        assert_eq!(r.status(), 422, "not acting for B");
        assert!(r.text().await.unwrap().contains("href=\"#business\""));
        let (_, _) = new_account(&app, "outsider@example.kr", AccountKind::Citizen, &[], None, &[]).await;
        let outsider = app.shallow();
        assert_eq!(sign_in(&outsider, "outsider@example.kr", PASSWORD).await.status(), 303);
        let r = outsider.post_form(&complaint, &complaint, &[("business", &w.a.business), ("grounds", "x")]).await;
        assert_eq!(r.status(), 422);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_complaints").await, 0);
        let r = rep_a.post_form(&complaint, &complaint, &[("business", &w.a.business), ("grounds", "B's price is abnormally low.")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        assert_eq!(location(&r), format!("{public_page}?complaint=filed#complaints"));
        let html = rep_a.get_page(&format!("{public_page}?complaint=filed"), "en").await.text().await.unwrap();
        assert!(html.contains("Your complaint is filed.") && html.contains("B&#39;s price is abnormally low."), "{html}");
        assert!(html.contains("the award is suspended") && html.contains("Filed, waiting for the answer"), "{html}");
        let award: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/award")).await.json().await.unwrap();
        assert_eq!(award["suspended"], true);

        // The entity answers on its page; it cannot decide (the review body does).
        let cid: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM procurement_complaints"
        ).fetch_one(p).await).unwrap();
        let answer = format!("/procurement/office/tenders/{id}/complaints/{cid}/answer");
        let decision = format!("/procurement/office/tenders/{id}/complaints/{cid}/decision");
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains("the award is suspended") && html.contains(&format!("action=\"{answer}\"")), "{html}");
        assert_eq!(rep_a.post_form(&public_page, &answer, &[("answer", "x")]).await.status(), 404);
        let r = officer.post_form(&office_page, &answer, &[("answer", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#answer-{cid}\"")));
        let r = officer.post_form(&office_page, &answer, &[("answer", "It is within 6 % of the other bid.")]).await;
        assert_eq!(r.status(), 303);
        let html = officer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains("It is within 6 % of the other bid.") && !html.contains(&format!("action=\"{decision}\"")), "{html}");
        assert_eq!(officer.post_form(&office_page, &decision, &[("decision", "dismissed"), ("reason", "x")]).await.status(), 404);

        // The review body dismisses it: the award is no longer suspended.
        new_account(&app, "review@pps.go.kr", AccountKind::Official,
            &[("procurement.officer", "platform")], None, &[Permission::ProcurementManage]).await;
        let reviewer = app.shallow();
        sign_in_official(&reviewer, "review@pps.go.kr", None).await;
        // The review body finds it in its queue across agencies; nobody else has the queue.
        let html = reviewer.get_page("/procurement/review", "en").await.text().await.unwrap();
        let (open, decided) = html.split_once("<h2>Decided</h2>").expect("two sections");
        assert!(open.contains(&format!("href=\"{office_page}#complaint-{cid}\"")) && open.contains("Answered: ready for your decision.")
            && open.contains("B&#39;s price is abnormally low."), "{html}");
        assert!(decided.contains("No complaint has been decided yet."), "{html}");
        assert_eq!(officer.get_page("/procurement/review", "en").await.status(), 404, "an entity does not review");
        assert_eq!(rep_a.get_page("/procurement/review", "en").await.status(), 404);
        let html = reviewer.get_page(&office_page, "en").await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"{decision}\"")) && html.contains(&format!("id=\"complaint-{cid}\"")), "{html}");
        let r = reviewer.post_form(&office_page, &decision, &[("reason", "No.")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#decision-{cid}\"")));
        let r = reviewer.post_form(&office_page, &decision, &[("decision", "dismissed"), ("reason", "The price is explained.")]).await;
        assert_eq!(r.status(), 303);
        let html = reviewer.get_page("/procurement/review", "ko").await.text().await.unwrap();
        let (open, decided) = html.split_once("<h2>결정된 건</h2>").expect("two sections");
        assert!(open.contains("결정을 기다리는 이의신청이 없습니다.") && decided.contains("The price is explained."), "{html}");
        let html = app.shallow().get_page(&public_page, "en").await.text().await.unwrap();
        assert!(html.contains("Dismissed") && html.contains("The price is explained.") && !html.contains("the award is suspended"), "{html}");
        let award: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/award")).await.json().await.unwrap();
        assert_eq!(award["suspended"], false);

        // A second complaint is upheld: the award is annulled and the tender evaluated again.
        let r = rep_a.post_form(&complaint, &complaint, &[("business", &w.a.business), ("grounds", "The scores ignore our method statement.")]).await;
        assert_eq!(r.status(), 303);
        let cid2: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM procurement_complaints WHERE decision IS NULL"
        ).fetch_one(p).await).unwrap();
        let r = officer.post_form(&office_page, &format!("/procurement/office/tenders/{id}/complaints/{cid2}/answer"),
            &[("answer", "The panel read it.")]).await;
        assert_eq!(r.status(), 303);
        let r = reviewer.post_form(&office_page, &format!("/procurement/office/tenders/{id}/complaints/{cid2}/decision"),
            &[("decision", "upheld"), ("reason", "The method statement was not scored.")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(status_of(&app, &id).await, "opened");
        let html = app.shallow().get_page(&public_page, "en").await.text().await.unwrap();
        assert!(html.contains("Annulled") && html.contains("Upheld") && !html.contains(&format!("href=\"{complaint}\"")), "{html}");
        let r = rep_a.post_form(&public_page, &complaint, &[("business", &w.a.business), ("grounds", "Again.")]).await;
        assert_eq!(r.status(), 422, "not awarded now");

        // Evaluated and awarded again through the page; then the standstill passes and a
        // complaint is refused.
        assert_eq!(officer.post_form(&office_page, &evaluate, &[]).await.status(), 303);
        assert_eq!(officer.post_form(&office_page, &office_page, &[]).await.status(), 303);
        assert_eq!(status_of(&app, &id).await, "awarded");
        pass_standstill(&app, &id).await;
        let r = rep_a.post_form(&public_page, &complaint, &[("business", &w.a.business), ("grounds", "Too late?")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#grounds\"") && html.contains("Standstill period over"), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_complaints").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.complaint.decide'").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.tender.award'").await, 2);

        // Open data keeps the annulled award, cancelled with the review body's reason, next to
        // the award that replaced it (2 lots each).
        let record: Value = app.get(&format!("/api/v1/procurement/tenders/{id}/ocds")).await.json().await.unwrap();
        let awards = record["records"][0]["compiledRelease"]["awards"].as_array().unwrap().clone();
        let status: Vec<(&str, &str)> = awards.iter().map(|a| (a["id"].as_str().unwrap(), a["status"].as_str().unwrap())).collect();
        assert_eq!(awards.len(), 4, "{status:?}");
        let (old, new): (Vec<_>, Vec<_>) = awards.iter().partition(|a| a["status"] == "cancelled");
        assert_eq!((old.len(), new.len()), (2, 2), "{status:?}");
        assert!(old.iter().all(|a| a["description"] == "The method statement was not scored."), "{status:?}");
        let version = |a: &Value| a["id"].as_str().unwrap().split('-').next().unwrap().parse::<i64>().unwrap();
        assert!(old.iter().all(|o| new.iter().all(|n| version(o) < version(n))), "{status:?}");
    }
}
