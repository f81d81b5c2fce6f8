//! The opening committee end to end, with the real binary: members make their own keys with
//! `dasan committee keygen` (the private key stays in a 0600 file), register the public half,
//! sit on a tender's committee, decrypt their shares with `dasan committee share` from the
//! tender as the API publishes it, release them after the opening time — one through the API,
//! one through the portal's page — and the officer opens the bids with them.

use crate::helpers::*;
use crate::procurement::{new_account, post, sealed, send, world};
use dasan_identity::{AccountKind, Permission};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_procurement::TenderPublicKey;
use dasan_procurement::notice::HOUR_US;
use dasan_store::{engine_tests, on_reader, on_tx};
use serde_json::{Value, json};

fn dasan(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dasan"))
        .current_dir(dir)
        .env_remove("DASAN_CONFIG")
        .args(args)
        .output()
        .unwrap()
}

/// Moves the tender's deadline and opening time into the past, as time would (in the indexed
/// columns and in the notice the service reads them from).
async fn pass_opening(app: &TestApp, tender: &str) {
    let now = SystemClock.now().as_micros();
    let (deadline, opening) = (now - 2 * HOUR_US, now - HOUR_US);
    let id = tender.to_owned();
    let notice: String = on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
        "SELECT notice FROM procurement_tenders WHERE id = $1"
    )
    .bind(&id)
    .fetch_one(p)
    .await)
    .unwrap();
    let mut notice: Value = serde_json::from_str(&notice).unwrap();
    notice["timeline"]["clarification_deadline"] = json!(deadline - HOUR_US);
    notice["timeline"]["bid_deadline"] = json!(deadline);
    notice["timeline"]["opening_at"] = json!(opening);
    let notice = notice.to_string();
    let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
    on_tx!(tx, |c| dasan_store::sqlx::query(
        "UPDATE procurement_tenders SET bid_deadline = $1, opening_at = $2, notice = $3 WHERE id = $4"
    )
    .bind(deadline)
    .bind(opening)
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
    async fn committee_members_make_keys_and_release_shares_with_the_dasan_committee_command(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let dir = tempfile::tempdir().unwrap();

        // Two members make their key pairs on their own machines and register the public keys.
        let mut members = Vec::new();
        for i in 0..2 {
            let email = format!("keyholder{i}@pps.go.kr");
            let (account, token) = new_account(&app, &email, AccountKind::Official,
                &[("procurement.evaluator", "PPS")], None, &[Permission::ProcurementEvaluate]).await;
            let file = format!("member{i}.key");
            let out = dasan(dir.path(), &["committee", "keygen", "--out", &file]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let public = String::from_utf8(out.stdout).unwrap().trim().to_owned();
            assert_eq!(public.len(), 64);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.path().join(&file)).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "only its owner reads the private key");
            }
            let secret = std::fs::read_to_string(dir.path().join(&file)).unwrap();
            assert!(!secret.contains(&public), "the file holds the private key, not the public one");
            // Never over an existing key file.
            assert!(!dasan(dir.path(), &["committee", "keygen", "--out", &file]).status.success());
            let r = send(&app, reqwest::Method::PUT, "/api/v1/procurement/member-key", &token,
                Some(&json!({ "public_key": public }))).await;
            assert_eq!(r.status(), 204);
            members.push((account, token, file, email));
        }

        // A tender whose committee is the two of them and one of the world's members, t = 2.
        let mut notice = crate::procurement::notice();
        notice["title"] = json!("Committee tooling tender");
        let committee = vec![members[0].0.to_string(), members[1].0.to_string(), w.members[0].0.to_string()];
        let r = post(&app, "/api/v1/procurement/tenders", &w.officer,
            &json!({ "notice": notice, "committee": committee, "threshold": 2 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["ceremony"]["shares"].as_array().unwrap().len(), 3);
        assert_eq!(detail["ceremony"]["public_key"], detail["public_key"]);
        let key = TenderPublicKey::from_hex(detail["public_key"].as_str().unwrap()).unwrap();
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/bids"), &w.a.token,
            &sealed(&w.a, &id, &key, 777_000_000)).await;
        assert_eq!(r.status(), 201);

        // Each member saves the tender and decrypts their own share; a stranger's key cannot.
        std::fs::write(dir.path().join("tender.json"), detail.to_string()).unwrap();
        let out = dasan(dir.path(), &["committee", "share", "--tender", "tender.json", "--key", "member0.key"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let body: Value = serde_json::from_slice(&out.stdout).unwrap();
        let out = dasan(dir.path(), &["committee", "share", "--tender", "tender.json", "--key", "member1.key", "--format", "hex"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let hex = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert_eq!(hex.len(), 66, "index byte and 32 key bytes");
        assert!(dasan(dir.path(), &["committee", "keygen", "--out", "stranger.key"]).status.success());
        let out = dasan(dir.path(), &["committee", "share", "--tender", "tender.json", "--key", "stranger.key"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("not on the tender's committee"));

        // Before the opening time the release is refused and nothing is stored.
        let shares = format!("/api/v1/procurement/tenders/{id}/shares");
        assert_problem(post(&app, &shares, &members[0].1, &body).await, 409, "invalid-transition").await;

        // Time passes; the worker closes the box.
        pass_opening(&app, &id).await;
        let mut closed = false;
        for _ in 0..100 {
            if app.get(&format!("/api/v1/procurement/tenders/{id}/bid-box")).await.status() == 200 {
                closed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(closed, "the worker closes the bid box");

        // Member 0 releases through the API (their body as printed); another member cannot use it.
        assert_problem(post(&app, &shares, &members[1].1, &body).await, 403, "forbidden").await;
        let r = post(&app, &shares, &members[0].1, &body).await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
        // One share is not enough.
        assert_problem(post(&app, &format!("/api/v1/procurement/tenders/{id}/opening"), &w.officer, &json!({})).await,
            409, "not-enough-shares").await;

        // Member 1 pastes theirs into the committee page (signed in with a password and TOTP).
        let member = app.shallow();
        crate::identity::sign_in_official(&member, &members[1].3, None).await;
        let page = member.get_page("/procurement/committee", "en").await.text().await.unwrap();
        assert!(page.contains("Committee tooling tender") && page.contains(&format!("share-{id}")), "{page}");
        let form = format!("/procurement/committee/tenders/{id}/share");
        let r = member.post_form("/procurement/committee", &form, &[("share", "zz")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(&format!("href=\"#share-{id}\"")));
        let r = member.post_form("/procurement/committee", &form, &[("share", &hex)]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_share_releases").await, 2);
        let page = member.get_page("/procurement/committee?released=1", "en").await.text().await.unwrap();
        assert!(page.contains("Share released"));

        // The officer opens: the bid sealed before is read with the rebuilt key.
        let r = post(&app, &format!("/api/v1/procurement/tenders/{id}/opening"), &w.officer, &json!({})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let opened: Value = r.json().await.unwrap();
        assert!(opened.to_string().contains("777000000"), "{opened}");
        // The audit log has both releases.
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.share.release'").await, 2);
    }
}

engine_tests! {
    async fn officials_publish_amend_and_cancel_through_the_pages_and_nobody_else_can(engine) {
        let app = spawn_app(engine).await;
        let w = world(&app).await;
        let officer = app.shallow();
        crate::identity::sign_in_official(&officer, "officer@pps.go.kr", None).await;
        assert_eq!(officer.get_page("/procurement/office", "en").await.status(), 200);
        let form = officer.get_page("/procurement/office/new", "en").await.text().await.unwrap();
        for (account, _) in &w.members {
            assert!(form.contains(&account.to_string()), "every member with a key is offered");
        }
        let day = (SystemClock.now().as_micros() / HOUR_US / 24 + 3) * 24 * HOUR_US;
        let date = |days: i64| dasan_kernel::Timestamp::from_micros(day + days * 24 * HOUR_US).to_jiff().strftime("%Y-%m-%d").to_string();
        let (d0, d1) = (date(0), date(1));
        let m: Vec<String> = w.members.iter().map(|(a, _)| a.to_string()).collect();
        let mut fields = vec![
            ("title", "Office chairs"), ("description", "Chairs for two floors."), ("method", "open"),
            ("lot1-id", "1"), ("lot1-title", "Chairs"),
            ("lot1-item1-description", "Task chair"), ("lot1-item1-classification", "cpv:39112000"),
            ("lot1-item1-quantity", "120"), ("lot1-item1-unit", "EA"),
            ("lot2-id", "2"), ("lot2-title", ""), ("lot2-item1-description", ""),
            ("currency", "KRW"), ("estimated_value", "30,000,000"), ("evaluation", "lowest_price"),
            ("tie_break", "earliest_submission"),
            ("clarification_date", &d0), ("clarification_hour", "09"),
            ("deadline_date", &d1), ("deadline_hour", "09"),
            ("opening_date", &d1), ("opening_hour", "10"),
            ("extension_hours", "72"), ("threshold", "2"),
            ("committee", &m[0]), ("committee", &m[1]), ("committee", &m[2]),
        ];
        // A mistake is shown next to its field; nothing is published.
        let mut bad = fields.clone();
        bad.push(("security_rate", "lots"));
        let r = officer.post_form("/procurement/office/new", "/procurement/office/new", &bad).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#security_rate\""));
        assert_eq!(app.count("SELECT COUNT(*) FROM procurement_tenders").await, 0);
        fields.push(("security_rate", "500"));
        fields.push(("security_forms", "guarantee"));
        let r = officer.post_form("/procurement/office/new", "/procurement/office/new", &fields).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let to = crate::identity::location(&r);
        let id = to.split("published=").nth(1).unwrap().to_owned();
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["notice"]["lots"].as_array().unwrap().len(), 1, "blank rows are ignored");
        assert_eq!(detail["notice"]["bid_security"]["rate_bp"], 500);
        assert_eq!(detail["committee_size"], 3);

        // The amendment form starts from the notice; a material change is a new version.
        let amend = format!("/procurement/office/tenders/{id}/amend");
        let page = officer.get_page(&amend, "en").await.text().await.unwrap();
        assert!(page.contains("Task chair"));
        let mut changed = fields.clone();
        changed.retain(|(k, _)| *k != "committee" && *k != "threshold" && *k != "lot1-item1-quantity");
        changed.push(("lot1-item1-quantity", "150"));
        changed.push(("material", "yes"));
        changed.push(("summary", "150 chairs instead of 120."));
        let r = officer.post_form(&amend, &amend, &changed).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["notice_version"], 2);
        assert_eq!(detail["notice"]["lots"][0]["items"][0]["quantity"], 150);

        // Least privilege: a supplier and an evaluator find no such pages.
        assert_eq!(crate::identity::sign_in(&app, &w.a.email, crate::procurement::PASSWORD).await.status(), 303);
        for path in ["/procurement/office", "/procurement/office/new", amend.as_str(), "/procurement/committee"] {
            assert_eq!(app.get_page(path, "en").await.status(), 404, "{path}");
        }
        let cancel = format!("/procurement/office/tenders/{id}/cancel");
        assert_eq!(app.post_form("/procurement", &cancel, &[("reason", "no")]).await.status(), 404);
        // …nor another business's supplier page.
        assert_eq!(app.get_page(&format!("/procurement/suppliers/{}", w.b.business), "en").await.status(), 404);
        assert_eq!(app.get_page(&format!("/procurement/suppliers/{}", w.a.business), "en").await.status(), 200);

        // Cancelling needs a reason.
        let r = officer.post_form(&cancel, &cancel, &[("reason", "  ")]).await;
        assert_eq!(r.status(), 422);
        let r = officer.post_form(&cancel, &cancel, &[("reason", "Budget withdrawn.")]).await;
        assert_eq!(r.status(), 303);
        let detail: Value = app.get(&format!("/api/v1/procurement/tenders/{id}")).await.json().await.unwrap();
        assert_eq!(detail["status"], "cancelled");
        assert_eq!(detail["cancel_reason"], "Budget withdrawn.");
    }
}
