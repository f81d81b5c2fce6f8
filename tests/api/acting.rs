//! Citizens sign up linked to the registry, act for others (delegation, parents of minors), and
//! businesses' representatives manage their staff: end to end, on both engines.

use crate::helpers::*;
use crate::identity::{PASSWORD, account, location, sign_in, sign_in_official};
use dasan_identity::delegation::{self, Basis};
use dasan_identity::{AccountKind, Assurance, IdentityError, Principal};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_registry::*;
use dasan_store::engine_tests;
use jiff::civil::{Date, date};
use std::time::Duration;

fn addr() -> Address {
    Address {
        region: "서울특별시".into(),
        locality: "종로구".into(),
        street: "세종대로".into(),
        building: "209".into(),
        unit: None,
        postal_code: "03171".into(),
        country: "KR".into(),
    }
}

fn person_data(
    local: &str,
    latin: &str,
    birth: Date,
    sex: Sex,
    serial: u32,
    parents: Vec<PersonId>,
) -> PersonData {
    PersonData {
        national_id: KoreanRrn.make(birth, sex, false, serial).unwrap(),
        name_local: local.into(),
        name_latin: latin.into(),
        birth_date: birth,
        sex,
        nationality: "KOR".into(),
        address: addr(),
        status: PersonStatus::Living,
        status_date: None,
        parents,
        spouse: None,
    }
}

async fn register(app: &TestApp, data: PersonData) -> (PersonId, String) {
    let registry = Registry::new(app.db.db.clone());
    let national_id = data.national_id.clone();
    let id = registry
        .register_person(Actor::system(), data, "birth registration")
        .await
        .unwrap();
    (id, national_id)
}

/// An officer of MOIS, signed in with two factors on `app`'s client.
async fn officer(app: &TestApp) {
    account(
        app,
        AccountKind::Official,
        "counter@mois.go.kr",
        &[("civil.officer", "MOIS")],
        Some("MOIS"),
    )
    .await;
    sign_in_official(app, "counter@mois.go.kr", None).await;
}

/// The enrolment code the officer's page shows for `person`.
async fn issue_code(app: &TestApp, person: PersonId) -> String {
    let path = format!("/registry/people/{person}");
    let response = app
        .post_form(
            &format!("{path}?purpose=identity-proofing"),
            &format!("{path}/enrolment-code"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    page.split("id=\"enrolment-code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the code is shown")
        .to_owned()
}

async fn sign_up(app: &TestApp, national_id: &str, code: &str, email: &str) -> reqwest::Response {
    app.post_form(
        "/sign-up",
        "/sign-up",
        &[
            ("national_id", national_id),
            ("code", code),
            ("email", email),
            ("password", PASSWORD),
        ],
    )
    .await
}

fn citizen(account: dasan_identity::AccountId, person: PersonId) -> Principal {
    Principal {
        account,
        kind: AccountKind::Citizen,
        display_name: "someone".into(),
        agency: None,
        person: Some(person.to_string()),
        business: None,
        roles: Vec::new(),
        assurance: Assurance::Single,
        scopes: None,
    }
}

engine_tests! {
    async fn a_citizen_signs_up_with_a_counter_code_and_the_registry_supplies_the_name(engine) {
        let app = spawn_app(engine).await;
        let (person, national_id) = register(&app, person_data("정약용", "JEONG Yak-yong", date(1990, 8, 5), Sex::Male, 1, vec![])).await;
        let (_, other_id) = register(&app, person_data("이순신", "LEE Sun-sin", date(1985, 4, 28), Sex::Male, 2, vec![])).await;

        // The officer searches and views the record for a stated purpose; both reads are logged.
        officer(&app).await;
        let page = app.get_page("/registry/people?q=jeong&purpose=identity-proofing", "en").await.text().await.unwrap();
        assert!(page.contains("JEONG Yak-yong") && !page.contains("LEE Sun-sin"), "{page}");
        let no_purpose = app.get_page("/registry/people?q=jeong&purpose=curiosity", "en").await;
        assert_eq!(no_purpose.status(), 422);
        let page = app.get_page(&format!("/registry/people/{person}?purpose=identity-proofing"), "en").await.text().await.unwrap();
        assert!(page.contains(&national_id) && page.contains("1990-08-05"), "{page}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'registry.person.read' AND purpose = 'identity-proofing' AND actor_agency = 'MOIS'").await, 2);
        let code = issue_code(&app, person).await;

        // A wrong code, or the right code with another person's number: one answer, nothing made.
        let visitor = app.shallow();
        let wrong = sign_up(&visitor, &national_id, "AAAA-BBBB-CCCC", "yakyong@example.kr").await;
        assert_eq!(wrong.status(), 422);
        assert!(wrong.text().await.unwrap().contains("do not match"));
        assert_eq!(sign_up(&visitor, &other_id, &code, "yakyong@example.kr").await.status(), 422);
        assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'citizen'").await, 0);

        // The right pair (typed in lower case with spaces) makes a linked account and signs in.
        let typed = code.to_lowercase().replace('-', " ");
        let response = sign_up(&visitor, &national_id.replace('-', ""), &typed, "yakyong@example.kr").await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap_or_default());
        assert_eq!(location(&response), "/account");
        let page = visitor.get_page("/account", "en").await.text().await.unwrap();
        assert!(page.contains("정약용 JEONG Yak-yong"), "the name comes from the registry: {page}");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_up'").await, 1);
        // The person sees the officer's reads and the enrolment on their own page.
        let page = visitor.get_page("/account/data-access", "en").await.text().await.unwrap();
        assert!(page.contains("MOIS") && page.contains("identity-proofing"), "{page}");

        // The code is used up, and the person cannot get a second account.
        let again = sign_up(&app.shallow(), &national_id, &code, "second@example.kr").await;
        assert_eq!(again.status(), 422);
        let refused = app.post_form(&format!("/registry/people/{person}?purpose=identity-proofing"), &format!("/registry/people/{person}/enrolment-code"), &[]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("already has an account"));
    }
}

engine_tests! {
    async fn sign_up_failures_are_rate_limited_and_a_taken_email_shows_only_after_a_valid_code(engine) {
        let app = spawn_app(engine).await;
        let (person, national_id) = register(&app, person_data("허준", "HEO Jun", date(1970, 1, 2), Sex::Male, 3, vec![])).await;
        officer(&app).await;
        let code = issue_code(&app, person).await;
        account(&app, AccountKind::Citizen, "taken@example.kr", &[], None).await;
        let visitor = app.shallow();
        let response = sign_up(&visitor, &national_id, &code, "taken@example.kr").await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("already used by an account"));
        // The failed attempt left the code usable.
        assert_eq!(sign_up(&visitor, &national_id, &code, "heo.jun@example.kr").await.status(), 303);

        let attacker = app.shallow();
        let mut statuses = Vec::new();
        for i in 0..8 {
            let r = sign_up(&attacker, &national_id, &format!("AAAA-BBBB-CCC{}", i % 8 + 2), "x@example.kr").await;
            statuses.push(r.status().as_u16());
            if r.status() == 429 {
                assert!(r.headers().get("retry-after").is_some());
                break;
            }
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    }
}

engine_tests! {
    async fn a_citizen_authorises_someone_for_named_services_and_parents_act_for_minor_children(engine) {
        let app = spawn_app(engine).await;
        let (parent, parent_id) = register(&app, person_data("김영희", "KIM Young-hee", date(1980, 2, 1), Sex::Female, 4, vec![])).await;
        let (minor, _) = register(&app, person_data("김하늘", "KIM Ha-neul", date(2015, 6, 1), Sex::Female, 5, vec![parent])).await;
        let (adult, _) = register(&app, person_data("김바다", "KIM Ba-da", date(2000, 6, 1), Sex::Male, 6, vec![parent])).await;
        let (friend, friend_id) = register(&app, person_data("박민수", "PARK Min-su", date(1979, 9, 9), Sex::Male, 7, vec![])).await;
        // Both have accounts linked to the registry (as sign-up leaves them).
        for (email, who) in [("parent@example.kr", parent), ("friend@example.kr", friend)] {
            account(&app, AccountKind::Citizen, email, &[], None).await;
            let id: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
                "SELECT id FROM accounts WHERE email = $1").bind(email).fetch_one(p).await).unwrap();
            dasan_identity::link_person(&app.db.db, Actor::system(), id.parse().unwrap(), &who.to_string()).await.unwrap();
        }
        let today = delegation::today(SystemClock.now());
        let until = today.checked_add(jiff::Span::new().days(30)).unwrap().to_string();

        // The parent authorises the friend for one service; a wrong name is refused.
        assert_eq!(sign_in(&app, "parent@example.kr", PASSWORD).await.status(), 303);
        let wrong = app.post_form("/account/delegations", "/account/delegations", &[("name", "PARK Min"), ("national_id", &friend_id), ("services", "resident-certificate"), ("until", &until)]).await;
        assert_eq!(wrong.status(), 422);
        let bad = app.post_form("/account/delegations", "/account/delegations", &[("name", "park min-su"), ("national_id", &friend_id), ("services", "Resident Certificate!"), ("until", "1999-01-01")]).await;
        assert_eq!(bad.status(), 422);
        let page = bad.text().await.unwrap();
        assert!(page.contains("service codes") && page.contains("5 years ahead"), "{page}");
        let ok = app.post_form("/account/delegations", "/account/delegations", &[("name", "park min-su"), ("national_id", &friend_id), ("services", "resident-certificate"), ("until", &until)]).await;
        assert_eq!(ok.status(), 303);
        let page = app.get_page("/account/delegations", "en").await.text().await.unwrap();
        // The parent can act for the minor child, not for the adult one.
        assert!(page.contains("KIM Ha-neul") && !page.contains("KIM Ba-da"), "{page}");
        assert!(page.contains("park min-su") && page.contains("resident-certificate"), "{page}");

        let registry = Registry::new(app.db.db.clone());
        let db = app.db.db.clone();
        let account_of = |email: &'static str| {
            let db = db.clone();
            async move {
                let id: String = dasan_store::on_reader!(db, |p| dasan_store::sqlx::query_scalar(
                    "SELECT id FROM accounts WHERE email = $1").bind(email).fetch_one(p).await).unwrap();
                id.parse::<dasan_identity::AccountId>().unwrap()
            }
        };
        let friend_p = citizen(account_of("friend@example.kr").await, friend);
        let parent_p = citizen(account_of("parent@example.kr").await, parent);
        let check = |p: &Principal, subject: PersonId, service: &'static str| {
            let p = p.clone();
            let registry = registry.clone();
            let db = app.db.db.clone();
            async move { delegation::acting_for(&db, &registry, &p, subject, service, 19).await }
        };
        assert!(matches!(check(&friend_p, parent, "resident-certificate").await, Ok(Basis::Delegated { .. })));
        assert!(matches!(check(&friend_p, parent, "business-registration").await, Err(IdentityError::NotFound)));
        assert!(matches!(check(&friend_p, minor, "resident-certificate").await, Err(IdentityError::NotFound)), "a delegation is not transitive");
        assert_eq!(check(&parent_p, minor, "anything").await.unwrap(), Basis::Parent);
        assert_eq!(check(&parent_p, parent, "anything").await.unwrap(), Basis::Own);
        assert!(matches!(check(&parent_p, adult, "anything").await, Err(IdentityError::NotFound)), "an adult child must authorise");
        assert!(matches!(check(&parent_p, friend, "resident-certificate").await, Err(IdentityError::NotFound)), "delegations go one way");

        // The friend sees it and may decline it; the parent's withdrawal also ends it; either way audited.
        let friend_app = app.shallow();
        assert_eq!(sign_in(&friend_app, "friend@example.kr", PASSWORD).await.status(), 303);
        let page = friend_app.get_page("/account/delegations", "en").await.text().await.unwrap();
        assert!(page.contains("KIM Young-hee"), "{page}");
        let id: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM delegations").fetch_one(p).await).unwrap();
        // Nobody else can end it (a stranger gets 404).
        account(&app, AccountKind::Citizen, "stranger@example.kr", &[], None).await;
        let stranger = app.shallow();
        sign_in(&stranger, "stranger@example.kr", PASSWORD).await;
        let path = format!("/account/delegations/{id}/revoke");
        assert_eq!(stranger.post_form("/account", &path, &[]).await.status(), 404);
        assert_eq!(app.post_form("/account/delegations", &path, &[]).await.status(), 303);
        assert!(matches!(check(&friend_p, parent, "resident-certificate").await, Err(IdentityError::NotFound)));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('delegation.grant', 'delegation.revoke')").await, 2);
        let _ = parent_id;
    }
}

engine_tests! {
    async fn a_representative_invites_and_removes_staff_who_act_for_the_business(engine) {
        let smtp = dasan_notify::testing::SmtpServer::start();
        let db = dasan_store::testing::TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        config.smtp.url = smtp.url();
        let app = spawn_app_with(db, config).await;
        let (owner, _) = register(&app, person_data("장영실", "JANG Yeong-sil", date(1975, 5, 5), Sex::Male, 8, vec![])).await;
        let registry = Registry::new(app.db.db.clone());
        let business = registry.register_business(Actor::system(), BusinessData {
            registration_number: "2208162517".into(),
            name: "주식회사 한빛테크".into(),
            legal_form: LegalForm::StockCompany,
            representative: owner,
            address: addr(),
            industry: "6201".into(),
            status: BusinessStatus::Active,
            tax_standing: TaxStanding::Good,
        }, "registration").await.unwrap();
        account(&app, AccountKind::Citizen, "owner@example.kr", &[], None).await;
        account(&app, AccountKind::Citizen, "other@example.kr", &[], None).await;
        let owner_account: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM accounts WHERE email = 'owner@example.kr'").fetch_one(p).await).unwrap();
        dasan_identity::link_person(&app.db.db, Actor::system(), owner_account.parse().unwrap(), &owner.to_string()).await.unwrap();

        sign_in(&app, "owner@example.kr", PASSWORD).await;
        let page = app.get_page("/business", "en").await.text().await.unwrap();
        assert!(page.contains("한빛테크") && page.contains("220-81-62517"), "{page}");
        let staff_path = format!("/business/{business}/staff");
        let response = app.post_form(&staff_path, &staff_path, &[("name", "Clerk Choi"), ("email", "clerk@hanbit.example")]).await;
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains("Clerk Choi"));

        // Someone else (not the representative) finds no such page.
        let other = app.shallow();
        sign_in(&other, "other@example.kr", PASSWORD).await;
        assert_eq!(other.get_page(&staff_path, "en").await.status(), 404);
        assert_eq!(other.post_form("/account", &staff_path, &[("name", "Mallory"), ("email", "m@example.kr")]).await.status(), 404);

        // The staff member chooses a password with the link and acts for the business.
        smtp.wait_for(1, Duration::from_secs(15));
        let mail = smtp.received();
        assert_eq!(mail[0].to, "clerk@hanbit.example");
        let link = mail[0].body.split_whitespace().find(|w| w.contains("/recover/")).unwrap().to_owned();
        let path = &link[link.find("/recover/").unwrap()..];
        let clerk = app.shallow();
        assert!(clerk.post_form(path, path, &[("password", "quiet orchard 61 lantern bay")]).await.text().await.unwrap().contains("Your password was changed"));
        assert_eq!(sign_in(&clerk, "clerk@hanbit.example", "quiet orchard 61 lantern bay").await.status(), 303);
        let me = clerk.get_page("/account", "en").await.text().await.unwrap();
        assert!(me.contains("Business user"), "{me}");
        let clerk_id: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM accounts WHERE email = 'clerk@hanbit.example' AND business_id IS NOT NULL").fetch_one(p).await).unwrap();

        // Removed: the account closes and its session ends at once.
        let remove = format!("{staff_path}/{clerk_id}/remove");
        assert_eq!(other.post_form("/account", &remove, &[]).await.status(), 404);
        assert_eq!(app.post_form(&staff_path, &remove, &[]).await.status(), 303);
        assert_eq!(clerk.get("/account").await.status(), 303, "signed out");
        assert_eq!(sign_in(&clerk, "clerk@hanbit.example", "quiet orchard 61 lantern bay").await.status(), 422);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('business.staff.invite', 'business.staff.remove')").await, 2);
    }
}

engine_tests! {
    async fn an_agency_registers_a_system_whose_tokens_carry_its_roles_and_can_be_revoked(engine) {
        let app = spawn_app(engine).await;
        account(&app, AccountKind::Official, "admin@mois.go.kr", &[("agency.admin", "MOIS")], Some("MOIS")).await;
        account(&app, AccountKind::Official, "admin@nts.go.kr", &[("agency.admin", "NTS")], Some("NTS")).await;
        sign_in_official(&app, "admin@mois.go.kr", None).await;
        let path = "/agencies/MOIS/clients";
        assert_eq!(app.post_form(path, path, &[("name", ""), ("role", "civil.officer")]).await.status(), 422);
        assert_eq!(app.post_form(path, path, &[("name", "gate"), ("role", "platform.admin")]).await.status(), 422, "not grantable");
        assert_eq!(app.post_form(path, path, &[("name", "Resident records sync"), ("role", "civil.officer")]).await.status(), 303);
        let client: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM accounts WHERE kind = 'api_client' AND agency_code = 'MOIS'").fetch_one(p).await).unwrap();
        let issue = format!("{path}/{client}/tokens");
        let page = app.post_form(path, &issue, &[("days", "30")]).await.text().await.unwrap();
        let secret = page.split("id=\"new-token\">").nth(1).and_then(|s| s.split('<').next()).expect("shown once").to_owned();
        assert!(!app.get(path).await.text().await.unwrap().contains(&secret), "never shown again");

        let api = crate::helpers::client();
        let me: serde_json::Value = api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["kind"], "api_client");
        assert_eq!(me["agency"], "MOIS");
        assert_eq!(me["permissions"], serde_json::json!(["civil.review", "registry.read", "identity.proof"]));

        // Another agency's administrator sees nothing of it and cannot issue or revoke.
        let nts = app.shallow();
        sign_in_official(&nts, "admin@nts.go.kr", None).await;
        assert_eq!(nts.get_page(path, "en").await.status(), 404);
        assert_eq!(nts.post_form("/agencies/NTS/clients", &format!("/agencies/NTS/clients/{client}/tokens"), &[("days", "30")]).await.status(), 404);

        let token: String = dasan_store::on_reader!(app.db.db, |p| dasan_store::sqlx::query_scalar(
            "SELECT id FROM api_tokens WHERE account_id = $1").bind(&client).fetch_one(p).await).unwrap();
        let revoke = format!("{path}/{client}/tokens/{token}/revoke");
        assert_eq!(nts.post_form("/agencies/NTS/clients", &revoke, &[]).await.status(), 404);
        assert_eq!(app.post_form(path, &revoke, &[]).await.status(), 303);
        assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap().status(), 401);
        // Registering, issuing and revoking are the MOIS administrator's audited acts.
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('account.create', 'auth.token.create', 'auth.token.revoke') AND actor_agency = 'MOIS'").await, 3);
    }
}
