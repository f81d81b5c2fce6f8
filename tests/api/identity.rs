//! Identity and access, end to end through the real server, on both engines.

use crate::helpers::*;
use dasan_identity::{AccountKind, NewAccount, RoleGrant};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_store::engine_tests;
use std::time::Duration;

pub(crate) const PASSWORD: &str = "plum tractor ocean 47 lantern";

pub(crate) async fn account(
    app: &TestApp,
    kind: AccountKind,
    email: &str,
    roles: &[(&'static str, &str)],
    agency: Option<&str>,
) {
    dasan_identity::create_account(
        &app.db.db,
        Actor::system(),
        NewAccount {
            kind,
            email: email.into(),
            display_name: format!("Person {email}"),
            password: PASSWORD.into(),
            roles: roles
                .iter()
                .map(|(role, scope)| RoleGrant {
                    role,
                    scope: (*scope).into(),
                })
                .collect(),
            agency: agency.map(str::to_owned),
        },
    )
    .await
    .unwrap();
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_form(
        "/sign-in",
        "/sign-in",
        &[
            ("email", email),
            ("password", password),
            ("return", "/account"),
        ],
    )
    .await
}

/// Signs an official in, enrolling TOTP the first time; returns the TOTP secret.
pub(crate) async fn sign_in_official(app: &TestApp, email: &str, secret: Option<&str>) -> String {
    let response = sign_in(app, email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    match secret {
        None => {
            assert_eq!(
                location(&response),
                "/account/two-factor",
                "officials must enrol first"
            );
            let page = app
                .post_form("/account/two-factor", "/account/two-factor/begin", &[])
                .await
                .text()
                .await
                .unwrap();
            let secret = page
                .split("class=\"secret\">")
                .nth(1)
                .and_then(|s| s.split('<').next())
                .expect("the key is shown")
                .to_owned();
            let code = dasan_identity::totp::code_at(&secret, SystemClock.now()).unwrap();
            let response = app
                .post_form(
                    "/account/two-factor",
                    "/account/two-factor/confirm",
                    &[("code", &code)],
                )
                .await;
            assert_eq!(
                response.status(),
                303,
                "{}",
                response.text().await.unwrap_or_default()
            );
            secret
        }
        Some(secret) => {
            assert!(location(&response).starts_with("/sign-in/second-factor"));
            // The next time step: the step used at enrolment cannot be used again.
            let code = dasan_identity::totp::code_at(
                secret,
                SystemClock.now().saturating_add(Duration::from_secs(30)),
            )
            .unwrap();
            let response = app
                .post_form(
                    "/sign-in/second-factor",
                    "/sign-in/second-factor",
                    &[("code", &code), ("return", "/account")],
                )
                .await;
            assert_eq!(response.status(), 303);
            secret.to_owned()
        }
    }
}

engine_tests! {
    async fn password_sign_in_opens_a_fresh_httponly_session(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Citizen, "citizen@example.kr", &[], None).await;
        // Signed out: /account sends the browser to sign in, and back.
        let response = app.get("/account").await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/sign-in?return=%2Faccount");
        let pre = set_cookie(&response, "dasan_pre").expect("a pre-session cookie before sign-in");
        assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Lax"));

        let form_page = app.get("/sign-in").await;
        assert!(set_cookie(&form_page, "dasan_pre").is_none(), "set once, then kept");
        let old_token = csrf_of(&form_page.text().await.unwrap());
        let response = sign_in(&app, "Citizen@Example.KR", PASSWORD).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/account");
        let session = set_cookie(&response, "dasan_session").expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(session.contains(attribute), "{session}");
        }
        assert!(!session.contains("Secure"), "no Secure without TLS");
        let value = session.split(';').next().unwrap().split('=').nth(1).unwrap();
        assert_eq!(value.len(), 43, "256 random bits, base64url");
        assert!(!pre.contains(value));
        assert!(set_cookie(&response, "dasan_pre").is_some_and(|c| c.contains("Max-Age=0")), "the pre-session ends");

        let page = app.get("/account").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Person citizen@example.kr"));
        // The CSRF token is bound to the session: the pre-session's token no longer works.
        let response = app.client.post(app.url("/sign-out")).form(&[("csrf_token", old_token.as_str())]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        // Only a hash of the session id is stored.
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
        let stored: i64 = app.count("SELECT COUNT(*) FROM sessions WHERE LENGTH(id_hash) = 64").await;
        assert_eq!(stored, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.signin'").await, 1);

        // Signing out ends the session for good.
        let response = app.post_form("/account", "/sign-out", &[]).await;
        assert_eq!(response.status(), 303);
        assert_eq!(app.get("/account").await.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL").await, 1);
    }

    async fn a_wrong_password_and_an_unknown_account_look_the_same(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Citizen, "known@example.kr", &[], None).await;
        let wrong = sign_in(&app, "known@example.kr", "not the password at all").await;
        let unknown = sign_in(&app, "nobody@example.kr", "not the password at all").await;
        assert_eq!((wrong.status().as_u16(), unknown.status().as_u16()), (422, 422));
        let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
        let message = "The e-mail address or password is not right.";
        assert!(a.contains(message) && b.contains(message));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.signin.failed'").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    }

    async fn forms_need_the_sessions_csrf_token_and_a_same_origin(engine) {
        let app = spawn_app(engine).await;
        // No token.
        let response = app.client.post(app.url("/feedback")).header("accept", "text/html")
            .form(&[("page", "/"), ("helpful", "yes")]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.text().await.unwrap().contains("This form has expired"));
        // Another browser's token.
        let other = TestApp::client_for(&app);
        let foreign = csrf_of(&other.get(app.url("/feedback")).send().await.unwrap().text().await.unwrap());
        app.get("/feedback").await;
        let response = app.client.post(app.url("/feedback"))
            .form(&[("csrf_token", foreign.as_str()), ("page", "/"), ("helpful", "yes")]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        // The right token, from another origin.
        let token = app.csrf_token("/feedback").await;
        let response = app.client.post(app.url("/feedback")).header("origin", "https://evil.example")
            .form(&[("csrf_token", token.as_str()), ("page", "/"), ("helpful", "yes")]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        let response = app.client.post(app.url("/feedback")).header("sec-fetch-site", "cross-site")
            .form(&[("csrf_token", token.as_str()), ("page", "/"), ("helpful", "yes")]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(app.count("SELECT COUNT(*) FROM page_feedback").await, 0);
        // And the right token from our own origin works.
        let response = app.client.post(app.url("/feedback")).header("origin", app.address.replace("127.0.0.1", "localhost"))
            .form(&[("csrf_token", token.as_str()), ("page", "/"), ("helpful", "yes")]).send().await.unwrap();
        assert_eq!(response.status(), 303);
    }

    async fn repeated_failures_are_limited_across_two_nodes_and_the_owner_is_told(engine) {
        let a = spawn_app(engine).await;
        let config = test_config(&a.db);
        let b = spawn_second_app(&config).await;
        account(&a, AccountKind::Citizen, "target@example.kr", &[], None).await;
        for node in [&a, &b, &a, &b, &a, &b] {
            let response = sign_in(node, "target@example.kr", "guessing wrong again").await;
            assert_eq!(response.status(), 422);
        }
        // The sixth failure started a pause that both nodes enforce, even for the right password.
        for node in [&a, &b] {
            let response = sign_in(node, "target@example.kr", PASSWORD).await;
            assert_eq!(response.status(), 429, "{}", node.address);
            let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=3).contains(&retry), "{retry}");
        }
        assert_eq!(a.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'target@example.kr'").await, 1, "one notice to the owner");
        // After the pause the right password works again and clears the count.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_eq!(sign_in(&b, "target@example.kr", PASSWORD).await.status(), 303);
        assert_eq!(a.count("SELECT COUNT(*) FROM rate_limits WHERE key LIKE 'signin:acct:%'").await, 0);
    }

    async fn officials_must_give_a_second_factor_and_sessions_rotate(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Official, "officer@mois.go.kr", &[("civil.officer", "MOIS")], Some("MOIS")).await;
        let response = sign_in(&app, "officer@mois.go.kr", PASSWORD).await;
        let half_open = set_cookie(&response, "dasan_session").unwrap();
        assert_eq!(location(&response), "/account/two-factor");
        // A password alone opens nothing.
        assert_eq!(location(&app.get("/account").await), "/sign-in/second-factor");
        assert_eq!(location(&app.get("/sign-in/second-factor").await), "/account/two-factor");
        let forbidden = app.post_form("/account/two-factor", "/account/sign-out-everywhere", &[]).await;
        assert_eq!(forbidden.status(), 403);
        // Enrolling proves the factor and replaces the session id.
        let page = app.post_form("/account/two-factor", "/account/two-factor/begin", &[]).await.text().await.unwrap();
        let secret = page.split("class=\"secret\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
        assert!(page.contains("data:image/svg+xml;base64,"), "a QR code");
        let bad = app.post_form("/account/two-factor", "/account/two-factor/confirm", &[("code", "000000")]).await;
        assert_eq!(bad.status(), 422);
        let code = dasan_identity::totp::code_at(&secret, SystemClock.now()).unwrap();
        let response = app.post_form("/account/two-factor", "/account/two-factor/confirm", &[("code", &code)]).await;
        assert_eq!(response.status(), 303);
        let full = set_cookie(&response, "dasan_session").unwrap();
        assert_ne!(half_open.split(';').next(), full.split(';').next(), "a new session id at the privilege change");
        assert_eq!(app.get("/account").await.status(), 200);
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 1, "the old id is dead");

        // Next time: the password, then a code — never the same code twice.
        app.post_form("/account", "/sign-out", &[]).await;
        let response = sign_in(&app, "officer@mois.go.kr", PASSWORD).await;
        assert!(location(&response).starts_with("/sign-in/second-factor"));
        let replay = app.post_form("/sign-in/second-factor", "/sign-in/second-factor", &[("code", &code), ("return", "/account")]).await;
        assert_eq!(replay.status(), 422, "a used code is refused");
        let next = dasan_identity::totp::code_at(&secret, SystemClock.now().saturating_add(Duration::from_secs(30))).unwrap();
        let response = app.post_form("/sign-in/second-factor", "/sign-in/second-factor", &[("code", &next), ("return", "/account")]).await;
        assert_eq!(location(&response), "/account");
        assert_eq!(app.get("/account").await.status(), 200);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.second_factor'").await, 2);
    }

    async fn an_agency_administrator_sees_nothing_of_another_agency(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Official, "admin@mois.go.kr", &[("agency.admin", "MOIS")], Some("MOIS")).await;
        account(&app, AccountKind::Official, "clerk@nts.go.kr", &[], Some("NTS")).await;
        sign_in_official(&app, "admin@mois.go.kr", None).await;
        let page = app.get("/agencies/MOIS/officials").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("admin@mois.go.kr"));
        assert_eq!(app.get("/agencies/NTS/officials").await.status(), 404, "not 403: no probing");
        // Nor can they grant roles to another agency's official, even knowing the id.
        let clerk: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'clerk@nts.go.kr'").fetch_one(p).await).unwrap();
        let response = app.post_form("/agencies/MOIS/officials", &format!("/agencies/NTS/officials/{clerk}/roles"), &[("role", "civil.officer")]).await;
        assert_eq!(response.status(), 404);
        let response = app.post_form("/agencies/MOIS/officials", &format!("/agencies/MOIS/officials/{clerk}/roles"), &[("role", "civil.officer")]).await;
        assert_eq!(response.status(), 404, "the official is not MOIS's");
        assert_eq!(app.count("SELECT COUNT(*) FROM role_grants WHERE role = 'civil.officer'").await, 0);
        // Granting within the agency works, and is audited.
        let me: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'admin@mois.go.kr'").fetch_one(p).await).unwrap();
        let response = app.post_form("/agencies/MOIS/officials", &format!("/agencies/MOIS/officials/{me}/roles"), &[("role", "civil.officer")]).await;
        assert_eq!(response.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'role.grant'").await, 1);
        // Agency administrators cannot make platform administrators.
        let response = app.post_form("/agencies/MOIS/officials", &format!("/agencies/MOIS/officials/{me}/roles"), &[("role", "platform.admin")]).await;
        assert_eq!(response.status(), 422);
    }

    async fn api_tokens_are_scoped_expiring_and_revocable(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Official, "clerk@mois.go.kr", &[("civil.officer", "MOIS")], Some("MOIS")).await;
        account(&app, AccountKind::Citizen, "other@example.kr", &[], None).await;
        sign_in_official(&app, "clerk@mois.go.kr", None).await;
        // A scope the account does not hold is refused.
        let page = app.get("/account/tokens").await.text().await.unwrap();
        let token = csrf_of(&page);
        let response = app.client.post(app.url("/account/tokens"))
            .form(&[("csrf_token", token.as_str()), ("name", "greedy"), ("scope", "platform.admin"), ("days", "30")])
            .send().await.unwrap();
        assert_eq!(response.status(), 422);
        let response = app.client.post(app.url("/account/tokens"))
            .form(&[("csrf_token", token.as_str()), ("name", "registry sync"), ("scope", "registry.read"), ("days", "30")])
            .send().await.unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        let secret = page.split("id=\"new-token\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
        assert!(secret.starts_with("dsn_"));
        assert!(!app.get("/account/tokens").await.text().await.unwrap().contains(&secret), "shown once");
        let stored: i64 = app.count("SELECT COUNT(*) FROM api_tokens WHERE token_hash <> '' AND name = 'registry sync'").await;
        assert_eq!(stored, 1);

        let api = client();
        let me: serde_json::Value = api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["permissions"], serde_json::json!(["registry.read"]), "narrowed to the token's scope");
        assert_eq!(me["agency"], "MOIS");

        // Another user cannot revoke it: it does not exist for them.
        let id: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(p).await).unwrap();
        let stranger_app = app.shallow();
        assert_eq!(sign_in(&stranger_app, "other@example.kr", PASSWORD).await.status(), 303);
        let response = stranger_app.post_form("/account/tokens", &format!("/account/tokens/{id}/revoke"), &[]).await;
        assert_eq!(response.status(), 404);
        assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap().status(), 200);

        // The owner can.
        let response = app.post_form("/account/tokens", &format!("/account/tokens/{id}/revoke"), &[]).await;
        assert_eq!(response.status(), 303);
        let response = api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer error=\"invalid_token\"");
        assert_problem(response, 401, "invalid-token").await;
        assert_problem(api.get(app.url("/api/v1/me")).send().await.unwrap(), 401, "unauthenticated").await;
        assert_problem(api.get(app.url("/api/v1/me")).bearer_auth("dsn_forged").send().await.unwrap(), 401, "invalid-token").await;
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('auth.token.create', 'auth.token.revoke')").await, 2);
    }

    async fn sign_out_everywhere_ends_every_session(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Citizen, "twice@example.kr", &[], None).await;
        let laptop = app.shallow();
        let phone = app.shallow();
        for device in [&laptop, &phone] {
            assert_eq!(sign_in(device, "twice@example.kr", PASSWORD).await.status(), 303);
        }
        let page = laptop.get("/account").await.text().await.unwrap();
        assert_eq!(page.matches("<tr><td>").count(), 2, "both sessions are listed");
        assert_eq!(laptop.post_form("/account", "/account/sign-out-everywhere", &[]).await.status(), 303);
        for device in [&laptop, &phone] {
            assert_eq!(device.get("/account").await.status(), 303);
        }
    }

    async fn a_forgotten_password_is_reset_with_a_one_time_link_by_email(engine) {
        let smtp = dasan_notify::testing::SmtpServer::start();
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        config.smtp.url = smtp.url();
        let app = spawn_app_with(db, config).await;
        account(&app, AccountKind::Citizen, "forgetful@example.kr", &[], None).await;
        let device = app.shallow();
        assert_eq!(sign_in(&device, "forgetful@example.kr", PASSWORD).await.status(), 303);

        // Known and unknown addresses get the same answer; only the known one gets mail.
        for email in ["nobody@example.kr", "forgetful@example.kr"] {
            let page = app.post_form("/recover", "/recover", &[("email", email)]).await.text().await.unwrap();
            assert!(page.contains("If that address belongs to an account"), "{email}");
        }
        assert_eq!(smtp.wait_for(1, Duration::from_secs(15)).len(), 1);
        let mail = smtp.received();
        assert_eq!(mail[0].to, "forgetful@example.kr");
        assert_eq!(mail[0].subject, "Dasan: reset your password / 비밀번호 재설정");
        let link = mail[0].body.split_whitespace().find(|w| w.contains("/recover/")).expect("a link").to_owned();
        let path = &link[link.find("/recover/").unwrap()..];
        let token_in_db: i64 = app.count("SELECT COUNT(*) FROM recovery_tokens WHERE LENGTH(token_hash) = 64").await;
        assert_eq!(token_in_db, 1, "stored as a hash only");

        assert!(app.get(path).await.text().await.unwrap().contains("New password"));
        let weak = app.post_form(path, path, &[("password", "password1234")]).await;
        assert_eq!(weak.status(), 422);
        let done = app.post_form(path, path, &[("password", "new kettle harbour 92 violin")]).await;
        assert!(done.text().await.unwrap().contains("Your password was changed"));
        // Used up; every old session ended; the new password works.
        assert!(app.get(path).await.text().await.unwrap().contains("expired or was already used"));
        assert_eq!(device.get("/account").await.status(), 303);
        assert_eq!(sign_in(&app, "forgetful@example.kr", PASSWORD).await.status(), 422);
        assert_eq!(sign_in(&app, "forgetful@example.kr", "new kettle harbour 92 violin").await.status(), 303);
    }
}

engine_tests! {
    async fn a_citizen_sees_who_read_their_registry_data(engine) {
        let app = spawn_app(engine).await;
        let email = "data-subject@example.org";
        account(&app, AccountKind::Citizen, email, &[], None).await;
        sign_in(&app, email, PASSWORD).await;
        let page = app.get_page("/account/data-access", "en").await.text().await.unwrap();
        assert!(page.contains("not linked to a registry record"), "{page}");

        // The account is linked to a registry person; an agency then reads the record for a purpose.
        let mut tx = app.db.db.begin(Actor::system()).await.unwrap();
        dasan_store::on_tx!(tx, |c| sqlx::query("UPDATE accounts SET person_id = 'P-0042' WHERE email = $1")
            .bind(email).execute(c).await.map(drop)).unwrap();
        tx.record("test.link", "person:P-0042", serde_json::json!({}));
        tx.commit().await.unwrap();
        let mut reader = Actor::system();
        reader.agency = Some("MOHW".into());
        let mut tx = app.db.db.begin(reader).await.unwrap();
        tx.record_read("registry.lookup", "person:P-0042", "Basic livelihood benefit eligibility",
            serde_json::json!({"fields": ["name", "address"]}));
        tx.commit().await.unwrap();

        let page = app.get_page("/account/data-access", "ko").await.text().await.unwrap();
        assert!(page.contains("MOHW") && page.contains("Basic livelihood benefit eligibility")
            && page.contains("<code>address</code>"), "{page}");
        assert!(!page.contains("test.link"), "only reads with a purpose are listed");
    }
}

engine_tests! {
    async fn the_demo_citizen_is_linked_to_the_registry_and_sees_the_tax_agencys_look_up(engine) {
        let app = spawn_app(engine).await;
        dasan::demo::load(&app.db.db).await.unwrap();
        let lookups = "SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup'";
        let first = app.count(lookups).await;
        // Loading again changes nothing (and looks nothing up again).
        dasan::demo::load(&app.db.db).await.unwrap();
        assert_eq!(app.count(lookups).await, first);
        // The tax agency's one look-up of the demo citizen; the others are the land office's
        // reads of the demo parcels' owners.
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND actor_agency = 'NTS'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND actor_agency NOT IN ('NTS', 'NCA')").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE email = 'citizen@demo.dasan.example' AND person_id IS NOT NULL").await, 1);
        sign_in(&app, "citizen@demo.dasan.example", "dasan-demo-2026").await;
        let page = app.get_page("/account/data-access", "en").await.text().await.unwrap();
        assert!(page.contains("NTS") && page.contains("tax-assessment") && page.contains("<code>address</code>"), "{page}");
    }
}

engine_tests! {
    async fn an_agency_system_looks_up_a_person_for_a_purpose_the_rules_allow(engine) {
        let app = spawn_app(engine).await;
        dasan::demo::load(&app.db.db).await.unwrap();
        let person: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT person_id FROM accounts WHERE email = 'citizen@demo.dasan.example'").fetch_one(p).await).unwrap();
        account(&app, AccountKind::Official, "system@mois.go.kr", &[("civil.officer", "MOIS")], Some("MOIS")).await;
        sign_in_official(&app, "system@mois.go.kr", None).await;
        let page = app.get("/account/tokens").await.text().await.unwrap();
        let token = csrf_of(&page);
        let response = app.client.post(app.url("/account/tokens"))
            .form(&[("csrf_token", token.as_str()), ("name", "resident sync"), ("scope", "registry.read"), ("days", "30")])
            .send().await.unwrap();
        let page = response.text().await.unwrap();
        let secret = page.split("id=\"new-token\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
        let api = client();
        let ask = |purpose: &str| api.post(app.url("/api/v1/registry/lookup")).bearer_auth(&secret)
            .json(&serde_json::json!({"subject": person, "fields": ["name_local", "address"], "purpose": purpose}))
            .send();

        // MOIS may read every field for resident registration: exactly the fields asked come back.
        let response = ask("resident-registration").await.unwrap();
        assert_eq!(response.status(), 200);
        let shared: serde_json::Value = response.json().await.unwrap();
        let text = shared.to_string();
        assert!(text.contains("address") && !text.contains("birth_date"), "{text}");

        // No rule lets MOIS read for tax assessment: refused, and the refusal is recorded too.
        assert_problem(ask("tax-assessment").await.unwrap(), 403, "lookup-refused").await;
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND actor_agency = 'MOIS'").await, 2);
        assert_problem(api.post(app.url("/api/v1/registry/lookup")).json(&serde_json::json!({})).send().await.unwrap(), 401, "unauthenticated").await;
        // Bad questions: clear problems, and a malformed one reaches neither registry nor log.
        let post = |body: serde_json::Value| api.post(app.url("/api/v1/registry/lookup")).bearer_auth(&secret).json(&body).send();
        assert_problem(post(serde_json::json!({"subject": person, "fields": [], "purpose": "resident-registration"})).await.unwrap(), 422, "validation-failed").await;
        assert_problem(post(serde_json::json!({"subject": person, "fields": ["shoe_size"], "purpose": "resident-registration"})).await.unwrap(), 422, "validation-failed").await;
        assert_problem(post(serde_json::json!({"subject": "not-an-id", "fields": ["address"], "purpose": "resident-registration"})).await.unwrap(), 404, "not-found").await;
        assert_problem(post(serde_json::json!({"subject": person, "fields": ["address"], "purpose": "Because I Want"})).await.unwrap(), 422, "validation-failed").await;
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND actor_agency = 'MOIS'").await, 2);
    }
}
