//! Smart border clearance through the real server, on both engines: gates sign requests and get
//! OPEN or REFER; refused requests are problem documents; officials read and replay decisions;
//! an officer decides a referral through the console; the gate simulator drives the API.

use crate::helpers::*;
use crate::identity::{account, location, sign_in_official};
use base64::Engine as _;
use dasan::demo;
use dasan::gatesim::{GateKey, Traveller, gate_request, nonce, now_micros, sign_request};
use dasan_border::gate::Direction;
use dasan_identity::{AccountKind, Assurance, Permission, Principal, RoleGrant};
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;

/// An app whose border trusts the demo test PKI (through `border.csca_files`, as a deployment
/// would) with the border demo loaded: the demo gate, watchlist, lost/stolen list, three
/// referrals at ICN and ten past overstayers.
pub(crate) async fn border_app(engine: dasan_store::Engine) -> TestApp {
    border_app_with(engine, |_| {}).await
}

/// [`border_app`] with the configuration changed by `tweak` first.
pub(crate) async fn border_app_with(
    engine: dasan_store::Engine,
    tweak: impl FnOnce(&mut dasan_config::Config),
) -> TestApp {
    let db = TestDatabase::migrated(engine).await;
    let mut config = test_config(&db);
    tweak(&mut config);
    let dir = tempfile::Builder::new()
        .prefix("dasan-test-border-")
        .tempdir()
        .unwrap()
        .keep();
    let trust = demo::border_trust().unwrap();
    for (i, (csca, crl)) in trust.csca_der.iter().zip(&trust.crl_der).enumerate() {
        let (c, r) = (
            dir.join(format!("csca-{i}.der")),
            dir.join(format!("crl-{i}.der")),
        );
        std::fs::write(&c, csca).unwrap();
        std::fs::write(&r, crl).unwrap();
        config.border.csca_files.push(c);
        config.border.crl_files.push(r);
    }
    let border = dasan::border::open(&config, &db.db, &dasan::border::ExtraTrust::default())
        .await
        .unwrap();
    demo::load_border(&config, &border).await.unwrap();
    spawn_app_with(db, config).await
}

/// An API token of a new official with `role` in `scope`.
pub(crate) async fn official_token(
    app: &TestApp,
    email: &str,
    role: &'static str,
    scope: &str,
) -> String {
    let id = dasan_identity::create_account(
        &app.db.db,
        dasan_kernel::Actor::system(),
        dasan_identity::NewAccount {
            kind: AccountKind::Official,
            email: email.into(),
            display_name: email.into(),
            password: crate::identity::PASSWORD.into(),
            roles: vec![RoleGrant {
                role,
                scope: scope.into(),
            }],
            agency: Some(scope.into()),
        },
    )
    .await
    .unwrap();
    let principal = Principal {
        account: id,
        kind: AccountKind::Official,
        display_name: email.into(),
        agency: Some(scope.into()),
        person: None,
        business: None,
        roles: vec![RoleGrant {
            role,
            scope: scope.into(),
        }],
        assurance: Assurance::Multi,
        scopes: None,
    };
    let scopes = [Permission::BorderDecide, Permission::BorderManage];
    let scopes: Vec<Permission> = scopes
        .into_iter()
        .filter(|p| principal.has(*p, dasan_identity::Scope::Agency(scope)))
        .collect();
    let (_, secret) =
        dasan_identity::tokens::create(&app.db.db, &principal, "gate admin", &scopes, 30)
            .await
            .unwrap();
    secret
}

async fn send(
    app: &TestApp,
    gate: &str,
    body: Vec<u8>,
    signature: Option<&[u8]>,
) -> reqwest::Response {
    let mut request = client()
        .post(app.url(&format!("/api/v1/border/gates/{gate}/decisions")))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        request = request.header(
            "dasan-gate-signature",
            base64::engine::general_purpose::STANDARD.encode(s),
        );
    }
    request.send().await.unwrap()
}

/// Through the demo gate: the decision as JSON.
pub(crate) async fn pass(
    app: &TestApp,
    traveller: &Traveller,
    forged: bool,
    direction: Direction,
) -> serde_json::Value {
    let (_, signer) = demo::demo_pki(&traveller.issuer).unwrap();
    let mut chip = traveller.chip(&signer).unwrap();
    if forged {
        chip = chip.with_altered_dg1();
    }
    let request = gate_request(&chip, demo::DEMO_GATE, demo::DEMO_PORT, direction);
    let (body, signature) =
        sign_request(&demo::demo_gate_key(), &request, now_micros(), &nonce()).unwrap();
    let response = send(app, demo::DEMO_GATE, body, Some(&signature)).await;
    assert_eq!(response.status(), 201);
    assert!(location_header(&response).starts_with("/api/v1/border/decisions/"));
    response.json().await.unwrap()
}

fn location_header(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn codes(decision: &serde_json::Value) -> Vec<String> {
    decision["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

engine_tests! {
    async fn gates_decide_through_the_api_and_officials_replay(engine) {
        let app = border_app(engine).await;
        // An honest national: OPEN, an entry recorded.
        let hong = Traveller::new("KOR", "HONG", "GIL DONG", "M12345678", "850315", "320101");
        let open = pass(&app, &hong, false, Direction::Entry).await;
        assert_eq!(open["outcome"], "OPEN", "{open}");
        assert!(open["reasons"].as_array().unwrap().is_empty());
        assert!(open["crossing_id"].is_string() && open["referral_id"].is_null());
        // The total covers every step, storing included.
        let t = |k: &str| open["timings"][k].as_u64().unwrap();
        assert!(t("store_us") > 0, "{open}");
        assert!(t("total_us") >= t("verify_us") + t("lookup_us") + t("decide_us") + t("store_us"), "{open}");
        // A forged chip (DG1 altered after signing): REFER, never OPEN.
        let forged = pass(&app, &Traveller { number: "M12345679".into(), ..hong.clone() }, true, Direction::Entry).await;
        assert_eq!(forged["outcome"], "REFER");
        assert!(codes(&forged).contains(&"chip-data-invalid".to_owned()), "{forged}");
        // On the watchlist: REFER with the reason, explained for the officer.
        let listed = pass(&app, &Traveller::new("KOR", "BAK", "MYEONG HO", "M55555555", "750302", "330101"), false, Direction::Entry).await;
        assert_eq!(codes(&listed), ["watchlist-hit"], "{listed}");
        assert!(listed["reasons"][0]["detail"].as_str().unwrap().contains("PARK"), "{listed}");
        assert!(listed["referral_id"].is_string());
        // A demo overstayer leaving: REFER, overstay.
        let out = pass(&app, &demo::demo_overstayer(3), false, Direction::Exit).await;
        assert!(codes(&out).contains(&"overstay".to_owned()), "{out}");

        // Requests that are not authentic, fresh and new are problem documents; nothing stored.
        let before = app.count("SELECT COUNT(*) FROM border_decisions").await;
        let (_, kor) = demo::demo_pki("KOR").unwrap();
        let request = gate_request(&hong.chip(&kor).unwrap(), demo::DEMO_GATE, demo::DEMO_PORT, Direction::Entry);
        let key = demo::demo_gate_key();
        let (body, signature) = sign_request(&key, &request, now_micros(), &nonce()).unwrap();
        assert_problem(send(&app, demo::DEMO_GATE, body.clone(), None).await, 401, "gate-bad-signature").await;
        let mut bad = signature.clone();
        bad[0] ^= 1;
        assert_problem(send(&app, demo::DEMO_GATE, body.clone(), Some(&bad)).await, 401, "gate-bad-signature").await;
        let other = GateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]));
        assert_problem(send(&app, demo::DEMO_GATE, body.clone(), Some(&other.sign(demo::DEMO_GATE, &body))).await, 401, "gate-bad-signature").await;
        assert_problem(send(&app, "NO-SUCH-GATE", body.clone(), Some(&signature)).await, 401, "gate-unknown-device").await;
        assert_problem(send(&app, "%00", body.clone(), Some(&signature)).await, 401, "gate-unknown-device").await;
        let (stale, stale_sig) = sign_request(&key, &request, now_micros() - 3_600_000_000, &nonce()).unwrap();
        assert_problem(send(&app, demo::DEMO_GATE, stale, Some(&stale_sig)).await, 400, "gate-stale-timestamp").await;
        let garbage = b"{\"not\":\"a gate request\"}".to_vec();
        let garbage_sig = key.sign(demo::DEMO_GATE, &garbage);
        assert_problem(send(&app, demo::DEMO_GATE, garbage, Some(&garbage_sig)).await, 400, "gate-malformed-body").await;
        assert_eq!(app.count("SELECT COUNT(*) FROM border_decisions").await, before);
        // Sent once it is decided; sent again it is a replay.
        assert_eq!(send(&app, demo::DEMO_GATE, body.clone(), Some(&signature)).await.status(), 201);
        assert_problem(send(&app, demo::DEMO_GATE, body, Some(&signature)).await, 409, "gate-replayed-nonce").await;

        // Officials of the port read a decision and replay it; others may not.
        let officer = official_token(&app, "officer@icn.kis.example", "border.officer", "KIS-ICN").await;
        let elsewhere = official_token(&app, "officer@pus.kis.example", "border.officer", "KIS-PUS").await;
        let id = listed["decision_id"].as_str().unwrap();
        let api = client();
        let record: serde_json::Value = api.get(app.url(&format!("/api/v1/border/decisions/{id}"))).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
        assert_eq!(record["outcome"], "REFER", "{record}");
        assert_eq!(record["record_sha256"].as_str().unwrap().len(), 64);
        let replay: serde_json::Value = api.post(app.url(&format!("/api/v1/border/decisions/{id}/replay"))).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
        assert_eq!(replay["matches"], true, "{replay}");
        assert_eq!(replay["reasons"][0]["code"], "watchlist-hit");
        assert_problem(api.get(app.url(&format!("/api/v1/border/decisions/{id}"))).bearer_auth(&elsewhere).send().await.unwrap(), 403, "forbidden").await;
        assert_problem(api.get(app.url("/api/v1/border/decisions/nope")).bearer_auth(&officer).send().await.unwrap(), 404, "not-found").await;
        assert_problem(api.get(app.url("/api/v1/border/decisions/%00x")).bearer_auth(&officer).send().await.unwrap(), 404, "not-found").await;
        assert_problem(api.get(app.url(&format!("/api/v1/border/decisions/{id}"))).send().await.unwrap(), 401, "unauthenticated").await;

        // Border administrators register and revoke gates; officers may not.
        let admin = official_token(&app, "admin@kis.example", "border.admin", "KIS").await;
        let gate_key = GateKey::P256(p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap());
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(gate_key.public_key_der().unwrap())
        );
        let new_gate = serde_json::json!({"id": "ICN-T2-G09", "port": "ICN", "public_key": pem});
        assert_problem(api.post(app.url("/api/v1/border/gates")).bearer_auth(&officer).json(&new_gate).send().await.unwrap(), 403, "forbidden").await;
        let created = api.post(app.url("/api/v1/border/gates")).bearer_auth(&admin).json(&new_gate).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let created: serde_json::Value = created.json().await.unwrap();
        assert_eq!(created["revoked"], false, "{created}");
        assert_problem(api.post(app.url("/api/v1/border/gates")).bearer_auth(&admin).json(&serde_json::json!({"id": "X", "port": "ICN", "public_key": "bm90IGEga2V5"})).send().await.unwrap(), 400, "device-key-not-accepted").await;
        // The new gate (ECDSA P-256) decides.
        let request = gate_request(&hong.chip(&kor).unwrap(), "ICN-T2-G09", "ICN", Direction::Exit);
        let (body, signature) = sign_request(&gate_key, &request, now_micros(), &nonce()).unwrap();
        assert_eq!(send(&app, "ICN-T2-G09", body, Some(&signature)).await.status(), 201);
        // It may not speak for another gate or port.
        let mut request = gate_request(&hong.chip(&kor).unwrap(), "ICN-T2-G09", "GMP", Direction::Exit);
        let (body, signature) = sign_request(&gate_key, &request, now_micros(), &nonce()).unwrap();
        assert_problem(send(&app, "ICN-T2-G09", body, Some(&signature)).await, 403, "gate-device-mismatch").await;
        // Revoked: refused.
        let revoked = api.post(app.url("/api/v1/border/gates/ICN-T2-G09/revoke")).bearer_auth(&admin).json(&serde_json::json!({"reason": "device stolen"})).send().await.unwrap();
        assert_eq!(revoked.status(), 200);
        assert_problem(api.post(app.url("/api/v1/border/gates/ICN-T2-G09/revoke")).bearer_auth(&admin).json(&serde_json::json!({"reason": "x\u{0}"})).send().await.unwrap(), 422, "validation-failed").await;
        request.port = "ICN".into();
        let (body, signature) = sign_request(&gate_key, &request, now_micros(), &nonce()).unwrap();
        assert_problem(send(&app, "ICN-T2-G09", body, Some(&signature)).await, 401, "gate-device-revoked").await;

        // The OpenAPI document describes the gate API.
        let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["paths"]["/api/v1/border/gates/{gate}/decisions"]["post"].is_object());
    }

    async fn an_officer_decides_a_referral_through_the_console(engine) {
        let app = border_app(engine).await;
        account(&app, AccountKind::Official, "officer@icn.kis.example", &[("border.officer", "KIS-ICN")], Some("KIS-ICN")).await;
        sign_in_official(&app, "officer@icn.kis.example", None).await;
        let home = app.get("/border").await;
        assert_eq!(location(&home), "/border/ports/ICN/referrals");
        let queue = app.get_page("/border/ports/ICN/referrals", "en").await;
        assert_eq!(queue.status(), 200);
        let html = queue.text().await.unwrap();
        let ids: Vec<String> = html
            .split("href=\"/border/referrals/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 3, "the demo's three referrals: {html}");
        assert!(html.contains("The name matches a watchlist entry"), "{html}");
        // Another port's queue does not exist for this officer.
        assert_eq!(app.get_page("/border/ports/PUS/referrals", "en").await.status(), 404);

        let page_path = format!("/border/referrals/{}", ids[0]);
        let page = app.get_page(&page_path, "ko").await.text().await.unwrap();
        assert!(page.contains("회부 사유") && page.contains("결정 기록"), "{page}");
        // Without a reason: the form again, with the error summary.
        let decide = format!("{page_path}/decide");
        let invalid = app.post_form(&page_path, &decide, &[("decision", "refuse"), ("reason", " "), ("version", "1")]).await;
        assert_eq!(invalid.status(), 422);
        let text = invalid.text().await.unwrap();
        assert!(text.contains("error-summary") && text.contains("href=\"#reason\""), "{text}");
        // Refused with a reason: recorded, back to the queue, which has one fewer.
        let done = app.post_form(&page_path, &decide, &[("decision", "refuse"), ("reason", "Identity confirmed as the listed person."), ("version", "1")]).await;
        assert_eq!(done.status(), 303);
        assert_eq!(location(&done), "/border/ports/ICN/referrals?decided=1");
        let html = app.get_page("/border/ports/ICN/referrals?decided=1", "en").await.text().await.unwrap();
        assert!(html.contains("Your decision has been recorded."));
        assert_eq!(html.matches("href=\"/border/referrals/").count(), 2);
        // Deciding again with the old version: a conflict, shown on the page.
        let again = app.post_form(&page_path, &decide, &[("decision", "refuse"), ("reason", "again"), ("version", "1")]).await;
        assert_eq!(again.status(), 409);
        assert!(again.text().await.unwrap().contains("Someone decided first"));
        let detail = app.get_page(&page_path, "en").await.text().await.unwrap();
        assert!(detail.contains("Identity confirmed as the listed person.") && detail.contains("Refused"), "{detail}");

        // Admitting to secondary inspection keeps the referral in the queue.
        let second = format!("/border/referrals/{}", ids[1]);
        let done = app.post_form(&second, &format!("{second}/decide"), &[("decision", "secondary"), ("reason", "Chip to be examined."), ("version", "1")]).await;
        assert_eq!(done.status(), 303);
        let html = app.get_page("/border/ports/ICN/referrals", "en").await.text().await.unwrap();
        assert!(html.contains("In secondary inspection"), "{html}");

        // The overstay report lists the demo's overstayers.
        let report = app.get_page("/border/overstays", "en").await;
        assert_eq!(report.status(), 200);
        let report = report.text().await.unwrap();
        assert_eq!(report.matches("USA X0000000").count(), demo::DEMO_OVERSTAYERS, "{report}");
        assert_eq!(app.get_page("/border/overstays?on=2026-02-31", "en").await.status(), 422);
    }

    async fn the_gate_simulator_drives_the_api(engine) {
        let app = border_app(engine).await;
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dasan"))
            .args(["gate", "simulate", "--demo", "--url", &app.address, "--travellers", "40", "--rate", "100", "--json"])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(summary["travellers"], 40);
        assert_eq!(summary["unexpected"], 0, "{summary}");
        assert_eq!(summary["confusion"]["forged"]["REFER"], 4, "{summary}");
        assert_eq!(summary["confusion"]["honest"]["OPEN"], 24, "{summary}");
        assert!(summary["latency_ms"]["p99"].as_f64().unwrap() > 0.0);
    }
}
