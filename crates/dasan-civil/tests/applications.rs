//! Applications on both engines: the demo catalogue, applying with registry facts, every
//! status transition (allowed and refused), and two officials racing to decide.
#![allow(clippy::unwrap_used)]

use dasan_civil::definition::ServiceDefinition;
use dasan_civil::*;
use dasan_identity::{AccountId, AccountKind, Assurance, NewAccount, Principal, RoleGrant};
use dasan_kernel::Actor;
use dasan_registry::{NationalIdScheme, PersonId, Registry};
use dasan_store::testing::TestDatabase;
use dasan_store::{Database, engine_tests, on_reader};
use std::collections::BTreeMap;
use std::path::Path;

fn demo_services() -> Vec<ServiceDefinition> {
    dasan_civil::catalogue::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services"))
        .unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
}

struct World {
    _t: TestDatabase,
    clock: dasan_kernel::ManualClock,
    files: tempfile::TempDir,
    db: Database,
    civil: Civil,
    citizen: Principal,
    officer: Principal,
    other_officer: Principal,
    outsider: Principal,
}

async fn account(db: &Database, email: &str, kind: AccountKind, agency: Option<&str>) -> AccountId {
    dasan_identity::create_account(
        db,
        Actor::system(),
        NewAccount {
            kind,
            email: email.into(),
            display_name: email.into(),
            password: "plum tractor ocean 47 lantern".into(),
            // Officials review their agency's applications (so they can be assigned work).
            roles: agency
                .map(|a| RoleGrant {
                    role: "civil.officer",
                    scope: a.to_owned(),
                })
                .into_iter()
                .collect(),
            agency: agency.map(str::to_owned),
        },
    )
    .await
    .unwrap()
}

fn principal(
    account: AccountId,
    kind: AccountKind,
    person: Option<PersonId>,
    roles: &[(&'static str, &str)],
) -> Principal {
    Principal {
        account,
        kind,
        display_name: "x".into(),
        agency: roles.first().map(|(_, s)| (*s).to_owned()),
        person: person.map(|p| p.to_string()),
        business: None,
        roles: roles
            .iter()
            .map(|(role, scope)| RoleGrant {
                role,
                scope: (*scope).to_owned(),
            })
            .collect(),
        assurance: Assurance::Multi,
        scopes: None,
    }
}

async fn world(engine: dasan_store::Engine) -> World {
    let mut t = TestDatabase::migrated(engine).await;
    // A clock the test can move (mail back-off), starting now.
    let clock =
        dasan_kernel::ManualClock::new(dasan_kernel::Timestamp::from_jiff(jiff::Timestamp::now()));
    assert!(t.db.configure(
        std::sync::Arc::new(dasan_store::TableAuditHook),
        std::sync::Arc::new(clock.clone())
    ));
    let db = t.db.clone();
    let registry = Registry::new(db.clone());
    dasan_registry::demo::load(
        &registry,
        Actor::system(),
        &dasan_registry::demo::DemoSpec {
            people: 20,
            businesses: 2,
            seed: 7,
        },
    )
    .await
    .unwrap();
    let person: String = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE status = 'living' ORDER BY id LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let person: PersonId = person.parse().unwrap();
    let files = tempfile::tempdir().unwrap();
    let civil = Civil::new(db.clone(), registry, 19)
        .local_attachments(files.path())
        .unwrap();
    civil.load(Actor::system(), &demo_services()).await.unwrap();
    let c = account(&db, "citizen@example.kr", AccountKind::Citizen, None).await;
    dasan_identity::link_person(&db, Actor::system(), c, &person.to_string())
        .await
        .unwrap();
    let o1 = account(
        &db,
        "o1@jongno.go.kr",
        AccountKind::Official,
        Some("MOIS-JONGNO"),
    )
    .await;
    let o2 = account(
        &db,
        "o2@jongno.go.kr",
        AccountKind::Official,
        Some("MOIS-JONGNO"),
    )
    .await;
    let o3 = account(&db, "o3@nts.go.kr", AccountKind::Official, Some("NTS")).await;
    World {
        civil,
        citizen: principal(c, AccountKind::Citizen, Some(person), &[]),
        officer: principal(
            o1,
            AccountKind::Official,
            None,
            &[("civil.officer", "MOIS-JONGNO")],
        ),
        other_officer: principal(
            o2,
            AccountKind::Official,
            None,
            &[("civil.officer", "MOIS-JONGNO")],
        ),
        outsider: principal(o3, AccountKind::Official, None, &[("civil.officer", "NTS")]),
        db,
        files,
        clock,
        _t: t,
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A submitted moving-in report.
async fn submitted(w: &World) -> ApplicationId {
    let id = w
        .civil
        .start(&w.citizen, "moving-in-report", None)
        .await
        .unwrap();
    w.civil
        .save_step(
            &w.citizen,
            id,
            1,
            &answers(&[
                ("new_address", "서울특별시 종로구 세종대로 209, 3층"),
                ("moved_on", "2026-11-20"),
                ("household", "2"),
            ]),
        )
        .await
        .unwrap();
    w.civil.submit(&w.citizen, id).await.unwrap();
    id
}

async fn count(db: &Database, sql: &'static str) -> i64 {
    on_reader!(db, |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

#[test]
fn the_demo_catalogue_is_valid_and_its_forms_read_only_what_sharing_rules_allow() {
    let defs = demo_services();
    assert!(defs.len() >= 15, "{}", defs.len());
    let agencies: std::collections::BTreeSet<&str> =
        defs.iter().map(|d| d.agency.as_str()).collect();
    assert!(agencies.len() >= 6, "{agencies:?}");
    let rules = dasan_registry::demo::default_sharing_rules();
    let known: std::collections::BTreeSet<&str> =
        dasan_registry::demo::AGENCIES.iter().map(|a| a.0).collect();
    for d in &defs {
        assert!(
            known.contains(d.agency.as_str()),
            "{}: agency {} is not in the demo registry",
            d.code,
            d.agency
        );
        let allowed: std::collections::BTreeSet<_> = rules
            .iter()
            .filter(|r| r.agency == d.agency && r.purpose == d.purpose)
            .flat_map(|r| r.fields.iter().copied())
            .collect();
        for f in d.prefilled() {
            assert!(
                allowed.contains(&f),
                "{}: no rule lets {} read {:?}",
                d.code,
                d.agency,
                f
            );
        }
    }
    for code in [
        "resident-registration-certificate",
        "family-relations-certificate",
        "business-registration-certificate",
        "tax-payment-certificate",
        "land-register-extract",
    ] {
        assert_eq!(
            defs.iter().find(|d| d.code == code).unwrap().issuance,
            Issuance::Instant,
            "{code}"
        );
    }
    for code in [
        "moving-in-report",
        "business-registration",
        "building-permit",
        "birth-registration",
        "passport-application-status",
    ] {
        assert_eq!(
            defs.iter().find(|d| d.code == code).unwrap().issuance,
            Issuance::Review,
            "{code}"
        );
    }
}

engine_tests! {
    async fn the_catalogue_is_browsed_and_searched_in_both_languages(engine) {
        let w = world(engine).await;
        assert_eq!(w.civil.services(None, None).await.unwrap().len(), demo_services().len());
        assert_eq!(w.civil.services(Some("NTS"), None).await.unwrap().len(), 2);
        assert!(w.civil.services(None, Some("moving-house")).await.unwrap().iter().any(|s| s.code == "moving-in-report"));
        let hits = w.civil.search("등본", "ko").await.unwrap();
        assert_eq!(hits[0].code, "resident-registration-certificate");
        let hits = w.civil.search("Tax Certificate", "en").await.unwrap();
        assert_eq!(hits[0].code, "tax-payment-certificate", "{:?}", hits.iter().map(|h| &h.code).collect::<Vec<_>>());
        assert!(w.civil.search("zzzz-nothing", "en").await.unwrap().is_empty());
        assert!(w.civil.search("100%_", "en").await.unwrap().is_empty(), "LIKE wildcards are escaped");
        // The full-text index: a word is a prefix of a token (여권 finds 여권을, pass finds passport),
        // names outrank descriptions, and no query syntax of either engine gets through.
        let hits = w.civil.search("pass", "en").await.unwrap();
        assert!(hits.iter().any(|h| h.code == "passport-application-status"), "{hits:?}");
        let hits = w.civil.search("여권", "ko").await.unwrap();
        assert_eq!(hits[0].code, "passport-application-status");
        let hits = w.civil.search("certificate", "en").await.unwrap();
        assert!(hits.len() >= 4, "{hits:?}");
        assert!(hits.iter().take(4).all(|h| h.name["en"].to_lowercase().contains("certificate")), "names first: {hits:?}");
        for nasty in ["\"", "a OR b", "NEAR(x y)", "x AND", "'&|!:*", "(((", "tax\u{0}cert", "-tax"] {
            w.civil.search(nasty, "en").await.unwrap();
        }
        assert_eq!(w.civil.search("TAX payment", "ko").await.unwrap()[0].code, "tax-payment-certificate", "case is ignored");
        // Loading the same files again changes nothing; a changed definition gets a new version.
        let mut defs = demo_services();
        assert_eq!(w.civil.load(Actor::system(), &defs).await.unwrap(), LoadSummary { added: 0, changed: 0, unchanged: defs.len() });
        defs[0].keywords.push("zebrafish".into());
        assert_eq!(w.civil.load(Actor::system(), &defs).await.unwrap().changed, 1);
        assert_eq!(w.civil.service(&defs[0].code).await.unwrap().version, 2);
        assert!(w.civil.service_version(&defs[0].code, 1).await.is_ok(), "old versions stay");
        let hits = w.civil.search("zebrafish", "en").await.unwrap();
        assert_eq!(hits.iter().map(|h| h.code.as_str()).collect::<Vec<_>>(), [defs[0].code.as_str()], "the index follows a new version");
    }

    async fn an_application_is_prefilled_from_the_registry_checked_and_submitted_with_a_receipt(engine) {
        let w = world(engine).await;
        let id = w.civil.start(&w.citizen, "moving-in-report", None).await.unwrap();
        let app = w.civil.application(&w.citizen, id).await.unwrap();
        assert_eq!(app.status, Status::Draft);
        assert!(app.prefilled.get("address").is_some_and(|a| !a.is_empty()), "{:?}", app.prefilled);
        // The agency's read is in the person's access log, with the purpose.
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND purpose = 'civil-application'").await, 1);

        // Bad answers: every problem on its field; nothing saved.
        let err = w.civil.save_step(&w.citizen, id, 1, &answers(&[("new_address", ""), ("moved_on", "2026-02-30"), ("household", "0")])).await.unwrap_err();
        let CivilError::Invalid(fields) = err else { panic!("{err:?}") };
        let got: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.message)).collect();
        assert_eq!(got, vec![("new_address", "civil-error-required"), ("moved_on", "civil-error-date"), ("household", "civil-error-range")]);
        // Submitting an incomplete draft is refused.
        assert!(matches!(w.civil.submit(&w.citizen, id).await, Err(CivilError::Invalid(_))));
        // Someone else cannot see or touch the draft.
        assert!(matches!(w.civil.application(&w.outsider, id).await, Err(CivilError::NotFound)));

        w.civil.save_step(&w.citizen, id, 1, &answers(&[("new_address", "서울특별시 종로구 세종대로 209"), ("moved_on", "2026-11-20"), ("household", "2")])).await.unwrap();
        let receipt = w.civil.submit(&w.citizen, id).await.unwrap();
        let app = w.civil.application(&w.citizen, id).await.unwrap();
        assert_eq!((app.status, app.receipt.as_deref()), (Status::Submitted, Some(receipt.as_str())));
        assert!(app.due_at.is_some());
        // Told in the inbox and by e-mail (through the outbox).
        assert_eq!(w.civil.inbox(&w.citizen).await.unwrap().len(), 1);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM outbox WHERE recipient = 'citizen@example.kr'").await, 1);
        // The agency's officials see it in their queue; another agency's do not.
        assert_eq!(w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Unassigned, 1).await.unwrap().items.len(), 1);
        assert!(matches!(w.civil.queue(&w.outsider, "MOIS-JONGNO", QueueFilter::Open, 1).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.application(&w.outsider, id).await, Err(CivilError::NotFound)));
    }

    async fn an_instant_service_is_issued_at_once(engine) {
        let w = world(engine).await;
        let id = w.civil.start(&w.citizen, "resident-registration-certificate", None).await.unwrap();
        w.civil.save_step(&w.citizen, id, 0, &answers(&[("use", "personal")])).await.unwrap();
        w.civil.submit(&w.citizen, id).await.unwrap();
        let app = w.civil.application(&w.citizen, id).await.unwrap();
        assert_eq!(app.status, Status::Issued);
        let steps: Vec<String> = w.civil.timeline(&w.citizen, id).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(steps, vec!["submit", "approve", "issue"]);
    }

    async fn every_transition_is_allowed_or_refused_as_the_rules_say(engine) {
        let w = world(engine).await;
        let v = |app: &Application| app.version;
        // submitted → (claim) in_review → (request_info) info_requested → (answer) in_review → (approve) approved → (issue) issued
        let id = submitted(&w).await;
        let app = w.civil.application(&w.officer, id).await.unwrap();
        // Refused from "submitted": anything but claim (officials) and withdraw (applicant).
        for action in [Action::Release, Action::RequestInfo, Action::Approve, Action::Reject, Action::Issue] {
            let r = w.civil.act(&w.officer, id, action, v(&app), Some("x")).await;
            assert!(matches!(r, Err(CivilError::Transition { .. })), "{action:?}: {r:?}");
        }
        assert!(matches!(w.civil.act(&w.citizen, id, Action::Answer, v(&app), Some("x")).await, Err(CivilError::Transition { .. })));
        // The applicant cannot take officials' actions, nor officials the applicant's.
        assert!(matches!(w.civil.act(&w.citizen, id, Action::Claim, v(&app), None).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.act(&w.officer, id, Action::Withdraw, v(&app), None).await, Err(CivilError::NotFound)));
        assert_eq!(w.civil.act(&w.officer, id, Action::Claim, v(&app), None).await.unwrap(), Status::InReview);
        let app = w.civil.application(&w.officer, id).await.unwrap();
        // Only the official who claimed it decides; a request for information needs a message.
        assert!(matches!(w.civil.act(&w.other_officer, id, Action::Approve, v(&app), None).await, Err(CivilError::AssignedToOther)));
        assert!(matches!(w.civil.act(&w.officer, id, Action::RequestInfo, v(&app), None).await, Err(CivilError::Invalid(_))));
        assert_eq!(w.civil.act(&w.officer, id, Action::RequestInfo, v(&app), Some("Please give the flat number.")).await.unwrap(), Status::InfoRequested);
        let app = w.civil.application(&w.citizen, id).await.unwrap();
        assert!(matches!(w.civil.act(&w.officer, id, Action::Approve, v(&app), None).await, Err(CivilError::Transition { .. })));
        assert_eq!(w.civil.act(&w.citizen, id, Action::Answer, v(&app), Some("Flat 301.")).await.unwrap(), Status::InReview);
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert!(matches!(w.civil.act(&w.officer, id, Action::Reject, v(&app), None).await, Err(CivilError::Invalid(_))), "a rejection says why");
        assert_eq!(w.civil.act(&w.officer, id, Action::Approve, v(&app), None).await.unwrap(), Status::Approved);
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert!(matches!(w.civil.act(&w.citizen, id, Action::Withdraw, v(&app), None).await, Err(CivilError::Transition { .. })), "too late to withdraw");
        assert_eq!(w.civil.act(&w.officer, id, Action::Issue, v(&app), None).await.unwrap(), Status::Issued);
        let app = w.civil.application(&w.officer, id).await.unwrap();
        for action in [Action::Claim, Action::Release, Action::RequestInfo, Action::Approve, Action::Reject, Action::Issue] {
            assert!(matches!(w.civil.act(&w.officer, id, action, v(&app), Some("x")).await, Err(CivilError::Transition { .. })), "{action:?} after issue");
        }
        let events: Vec<String> = w.civil.timeline(&w.citizen, id).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(events, vec!["submit", "claim", "request_info", "answer", "approve", "issue"]);

        // submitted → withdrawn; in_review → (release) submitted; in_review → (reject) rejected, with its reason.
        let a = submitted(&w).await;
        let app = w.civil.application(&w.citizen, a).await.unwrap();
        assert_eq!(w.civil.act(&w.citizen, a, Action::Withdraw, v(&app), None).await.unwrap(), Status::Withdrawn);
        let b = submitted(&w).await;
        let app = w.civil.application(&w.officer, b).await.unwrap();
        w.civil.act(&w.officer, b, Action::Claim, v(&app), None).await.unwrap();
        let app = w.civil.application(&w.officer, b).await.unwrap();
        assert_eq!(w.civil.act(&w.officer, b, Action::Release, v(&app), None).await.unwrap(), Status::Submitted);
        let app = w.civil.application(&w.other_officer, b).await.unwrap();
        w.civil.act(&w.other_officer, b, Action::Claim, v(&app), None).await.unwrap();
        let app = w.civil.application(&w.other_officer, b).await.unwrap();
        assert_eq!(w.civil.act(&w.other_officer, b, Action::Reject, v(&app), Some("You moved within the same building: no report is needed.")).await.unwrap(), Status::Rejected);
        let app = w.civil.application(&w.citizen, b).await.unwrap();
        assert_eq!(app.decision_reason.as_deref(), Some("You moved within the same building: no report is needed."));
        // Each decision is audited.
        assert!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action IN ('civil.application.approve', 'civil.application.reject')").await == 2);
    }

    async fn work_is_assigned_to_a_colleague_and_both_sides_exchange_messages(engine) {
        let w = world(engine).await;
        let id = submitted(&w).await;
        let v = |a: &Application| a.version;
        let app = w.civil.application(&w.officer, id).await.unwrap();
        // Only officials of the agency who review applications can be given work.
        let names: Vec<AccountId> = w.civil.assignees(&w.officer, &app.agency).await.unwrap().into_iter().map(|(a, _)| a).collect();
        assert!(names.contains(&w.officer.account) && names.contains(&w.other_officer.account), "{names:?}");
        assert!(!names.contains(&w.outsider.account));
        assert!(matches!(w.civil.assignees(&w.citizen, &app.agency).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.assign(&w.officer, id, v(&app), w.outsider.account).await, Err(CivilError::Invalid(_))));
        assert!(matches!(w.civil.assign(&w.officer, id, v(&app), w.citizen.account).await, Err(CivilError::Invalid(_))));
        assert!(matches!(w.civil.assign(&w.citizen, id, v(&app), w.officer.account).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.act(&w.officer, id, Action::Assign, v(&app), None).await, Err(CivilError::Invalid(_))));
        // From the queue straight to a colleague: in review, theirs, and they are told.
        assert_eq!(w.civil.assign(&w.officer, id, v(&app), w.other_officer.account).await.unwrap(), Status::InReview);
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert_eq!(app.assigned_to, Some(w.other_officer.account));
        assert!(w.civil.inbox(&w.other_officer).await.unwrap().iter().any(|m| m.subject.starts_with("Assigned to you")));
        // Now it is the colleague's: the first official can neither decide nor take it back.
        assert!(matches!(w.civil.act(&w.officer, id, Action::Approve, v(&app), None).await, Err(CivilError::AssignedToOther)));
        assert!(matches!(w.civil.assign(&w.officer, id, v(&app), w.officer.account).await, Err(CivilError::AssignedToOther)));
        // Messages: both ways, the status stays, each is on the timeline, and a message needs text.
        assert!(matches!(w.civil.act(&w.citizen, id, Action::Message, v(&app), Some("  ")).await, Err(CivilError::Invalid(_))));
        assert_eq!(w.civil.act(&w.citizen, id, Action::Message, v(&app), Some("I can bring the lease on Monday.")).await.unwrap(), Status::InReview);
        assert!(w.civil.inbox(&w.other_officer).await.unwrap().iter().any(|m| m.subject.starts_with("New message from the applicant")));
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert_eq!(w.civil.act(&w.officer, id, Action::Message, v(&app), Some("No need, thank you.")).await.unwrap(), Status::InReview, "any official of the agency may write");
        assert!(w.civil.inbox(&w.citizen).await.unwrap().iter().any(|m| m.subject.starts_with("New message")));
        assert!(matches!(w.civil.act(&w.outsider, id, Action::Message, v(&app), Some("hi")).await, Err(CivilError::NotFound)));
        let timeline = w.civil.timeline(&w.citizen, id).await.unwrap();
        let actions: Vec<&str> = timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["submit", "assign", "message", "message"]);
        assert_eq!(timeline[2].message.as_deref(), Some("I can bring the lease on Monday."));
        // The colleague hands it back to the first official, who decides.
        let app = w.civil.application(&w.other_officer, id).await.unwrap();
        w.civil.assign(&w.other_officer, id, v(&app), w.officer.account).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert_eq!(w.civil.act(&w.officer, id, Action::Approve, v(&app), None).await.unwrap(), Status::Approved);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'civil.application.assign'").await, 2);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'civil.application.message'").await, 2);
    }

    async fn an_agency_administrator_edits_a_service_and_each_save_is_a_new_version(engine) {
        let w = world(engine).await;
        let admin = principal(w.officer.account, AccountKind::Official, None, &[("agency.admin", "MOIS-JONGNO")]);
        let other = principal(w.outsider.account, AccountKind::Official, None, &[("agency.admin", "NTS")]);
        let before = submitted(&w).await;
        let (text, version) = w.civil.definition_toml("moving-in-report").await.unwrap();
        assert_eq!(version, 1);
        // Saving the text as shown changes nothing.
        assert_eq!(w.civil.save_definition(&admin, &text, Some(1)).await.unwrap(), 1);
        let def = ServiceDefinition::from_toml(&text).unwrap();
        let old_name = def.name["en"].clone();
        let edited = text.replacen(&old_name, "Moving-in report (new form)", 1);
        assert_ne!(edited, text);
        // Only an administrator of the owning agency, over the version they read.
        assert!(matches!(w.civil.save_definition(&other, &edited, Some(1)).await, Err(CivilError::Invalid(_))));
        assert!(matches!(w.civil.save_definition(&w.officer, &edited, Some(1)).await, Err(CivilError::Invalid(_))), "reviewing is not defining");
        assert!(matches!(w.civil.save_definition(&admin, &edited, None).await, Err(CivilError::Invalid(_))), "not a new service");
        assert_eq!(w.civil.save_definition(&admin, &edited, Some(1)).await.unwrap(), 2);
        assert!(matches!(w.civil.save_definition(&admin, &edited.replace("(new form)", "(newer)"), Some(1)).await, Err(CivilError::Stale)), "someone saved meanwhile");
        let now = w.civil.service("moving-in-report").await.unwrap();
        assert_eq!((now.version, now.definition.name["en"].as_str()), (2, "Moving-in report (new form)"));
        assert_eq!(w.civil.search("newer form", "en").await.unwrap().len(), 0);
        assert_eq!(w.civil.search("new form moving", "en").await.unwrap()[0].code, "moving-in-report", "the index follows");
        // A restart loads the unchanged files: the administrator's edit stays.
        let summary = w.civil.load(Actor::system(), &demo_services()).await.unwrap();
        assert_eq!(summary.changed + summary.added, 0, "{summary:?}");
        assert_eq!(w.civil.service("moving-in-report").await.unwrap().version, 2);
        // An application made before keeps the form it was made with.
        let app = w.civil.application(&w.citizen, before).await.unwrap();
        assert_eq!(app.service_version, 1);
        assert_eq!(w.civil.service_version("moving-in-report", 1).await.unwrap().name["en"], old_name);
        // Bad text: every problem named, nothing stored.
        let Err(CivilError::Invalid(e)) = w.civil.save_definition(&admin, "code = [", Some(2)).await else { panic!("syntax") };
        assert_eq!(e[0].field, "definition");
        let no_korean = edited.replace(&def.name["ko"], " ");
        let Err(CivilError::Invalid(e)) = w.civil.save_definition(&admin, &no_korean, Some(2)).await else { panic!("checked") };
        assert!(e.iter().any(|f| f.field == "name.ko"), "{e:?}");
        // A new service, for the administrator's own agency only, with a code of its own.
        let new = edited.replacen("code = \"moving-in-report\"", "code = \"pet-registration\"", 1);
        assert_ne!(new, edited);
        assert!(matches!(w.civil.save_definition(&other, &new, None).await, Err(CivilError::Invalid(_))));
        assert_eq!(w.civil.save_definition(&admin, &new, None).await.unwrap(), 1);
        assert!(matches!(w.civil.save_definition(&admin, &new, None).await, Err(CivilError::Invalid(_))), "the code is taken now");
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'civil.services.save'").await, 2);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM civil_service_versions WHERE code = 'moving-in-report'").await, 2);
    }

    async fn the_queue_is_paged_oldest_first(engine) {
        let w = world(engine).await;
        let mut ids = Vec::new();
        for _ in 0..52 {
            ids.push(submitted(&w).await);
            w.clock.advance(std::time::Duration::from_secs(1));
        }
        let first = w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Open, 1).await.unwrap();
        assert_eq!((first.items.len(), first.more), (50, true));
        assert_eq!(first.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[..50]);
        let second = w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Open, 2).await.unwrap();
        assert_eq!((second.items.len(), second.more), (2, false));
        assert_eq!(second.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[50..]);
        assert!(w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Open, 3).await.unwrap().items.is_empty());
    }

    async fn two_officials_never_decide_the_same_application_twice(engine) {
        let w = world(engine).await;
        let id = submitted(&w).await;
        let app = w.civil.application(&w.officer, id).await.unwrap();
        // Both claim at once: exactly one wins.
        let (a, b) = tokio::join!(
            w.civil.act(&w.officer, id, Action::Claim, app.version, None),
            w.civil.act(&w.other_officer, id, Action::Claim, app.version, None),
        );
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(CivilError::Stale)), "{loser:?}");
        let app = w.civil.application(&w.officer, id).await.unwrap();
        let holder = if app.assigned_to == Some(w.officer.account) { &w.officer } else { &w.other_officer };
        // The same official deciding twice at once (two tabs): one decision only.
        let (a, b) = tokio::join!(
            w.civil.act(holder, id, Action::Approve, app.version, None),
            w.civil.act(holder, id, Action::Reject, app.version, Some("no")),
        );
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM civil_application_events WHERE action IN ('approve', 'reject')").await, 1);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action IN ('civil.application.approve', 'civil.application.reject')").await, 1);
    }

    async fn attachments_are_checked_by_content_stored_once_and_shown_only_to_those_allowed(engine) {
        let mut w = world(engine).await;
        // The building permit belongs to MOLIT: give the officer a role there for this test.
        w.officer.roles.push(RoleGrant { role: "civil.officer", scope: "MOLIT".into() });
        let id = w.civil.start(&w.citizen, "building-permit", None).await.unwrap();
        let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 pretending to be a PDF".to_vec();
        let field = |err: CivilError| match err { CivilError::Invalid(f) => f[0].message, other => panic!("{other:?}") };
        // A program named .pdf is refused by its content; so is an empty or oversized file.
        assert_eq!(field(w.civil.attach(&w.citizen, id, "site_plan", "plan.pdf", &exe).await.unwrap_err()), "civil-error-file-type");
        assert_eq!(field(w.civil.attach(&w.citizen, id, "site_plan", "plan.pdf", b"").await.unwrap_err()), "civil-error-file-empty");
        let mut big = pdf.clone();
        big.resize(1_000_001, b' ');
        assert_eq!(field(w.civil.attach(&w.citizen, id, "site_plan", "plan.pdf", &big).await.unwrap_err()), "civil-error-file-too-large");
        assert!(matches!(w.civil.attach(&w.citizen, id, "site", "plan.pdf", &pdf).await, Err(CivilError::NotFound)), "not a file field");
        // Submitting without the required file is refused on that field.
        w.civil.save_step(&w.citizen, id, 1, &answers(&[("site", "서울특별시 종로구 세종로 1-68"), ("work", "new"), ("floor_area", "120")])).await.unwrap();
        let err = w.civil.submit(&w.citizen, id).await.unwrap_err();
        assert_eq!(field(err), "civil-error-file-required");

        let a = w.civil.attach(&w.citizen, id, "site_plan", "C:\\plans\\site plan.pdf", &pdf).await.unwrap();
        assert_eq!((a.media_type.as_str(), a.filename.as_str()), ("application/pdf", "site plan.pdf"));
        // Attaching the same content again replaces the row, and the bytes are stored once.
        w.civil.attach(&w.citizen, id, "site_plan", "again.pdf", &pdf).await.unwrap();
        let stored = walk(w.files.path());
        assert_eq!(stored.len(), 1, "{stored:?}");
        w.civil.submit(&w.citizen, id).await.unwrap();
        // The applicant and the agency's official read it back, exactly; nobody else can.
        let (meta, bytes) = w.civil.attachment(&w.citizen, id, "site_plan").await.unwrap();
        assert_eq!((meta.filename.as_str(), bytes.as_slice()), ("again.pdf", pdf.as_slice()));
        assert_eq!(w.civil.attachment(&w.officer, id, "site_plan").await.unwrap().1, pdf);
        assert!(matches!(w.civil.attachment(&w.outsider, id, "site_plan").await, Err(CivilError::NotFound)));
        // A file changed behind our back is never served.
        std::fs::write(&stored[0], b"%PDF-1.7 tampered").unwrap();
        assert!(w.civil.attachment(&w.citizen, id, "site_plan").await.is_err());
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'civil.application.attach'").await, 2);
    }

    async fn an_smtp_outage_delays_the_applicants_mail_but_never_a_decision(engine) {
        let w = world(engine).await;
        let mut smtp = dasan_notify::testing::SmtpServer::start();
        let mailer = dasan_notify::Channels {
            email: Some(dasan_notify::Mailer::from_url(&smtp.url(), "no-reply@dasan.example").unwrap()),
            sms: None,
        };
        smtp.stop();
        // Submitted and decided while the mail server is down: nothing waits for it.
        let id = submitted(&w).await;
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Claim, app.version, None).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert_eq!(w.civil.act(&w.officer, id, Action::Approve, app.version, None).await.unwrap(), Status::Approved);
        let d = dasan_notify::deliver_due(&w.db, &mailer, 10).await.unwrap();
        assert_eq!((d.sent, d.failed), (0, 2), "the receipt and the decision wait");
        assert_eq!(dasan_notify::pending(&w.db).await.unwrap(), 2);
        smtp.resume();
        w.clock.advance(std::time::Duration::from_secs(31));
        let d = dasan_notify::deliver_due(&w.db, &mailer, 10).await.unwrap();
        assert_eq!((d.sent, d.failed), (2, 0));
        let mail = smtp.received();
        let receipt = w.civil.application(&w.citizen, id).await.unwrap().receipt.unwrap();
        assert!(mail.iter().all(|m| m.to == "citizen@example.kr"));
        assert!(mail.iter().any(|m| m.subject.starts_with("Dasan: Received: Moving-in report")));
        assert!(mail.iter().any(|m| m.subject.contains("Approved") && m.subject.contains(&receipt)));
        assert_eq!(dasan_notify::pending(&w.db).await.unwrap(), 0);
    }

    async fn a_parent_applies_for_a_minor_child_and_nobody_applies_for_a_stranger(engine) {
        let w = world(engine).await;
        let registry = Registry::new(w.db.clone());
        let parent: PersonId = w.citizen.person.as_deref().unwrap().parse().unwrap();
        let mut child = registry.person(Actor::system(), parent, "test-setup").await.unwrap().data;
        child.national_id = dasan_registry::KoreanRrn
            .make(jiff::civil::date(2021, 5, 5), dasan_registry::Sex::Female, false, 4242)
            .unwrap();
        child.name_local = "김하늘".into();
        child.name_latin = "KIM Ha-neul".into();
        child.birth_date = jiff::civil::date(2021, 5, 5);
        child.sex = dasan_registry::Sex::Female;
        child.parents = vec![parent];
        child.spouse = None;
        let child = registry.register_person(Actor::system(), child, "birth registration").await.unwrap();

        let id = w.civil.start(&w.citizen, "child-allowance", Some(child)).await.unwrap();
        let app = w.civil.application(&w.citizen, id).await.unwrap();
        assert_eq!(app.basis, "parent");
        assert_eq!(app.subject_person.as_deref(), Some(child.to_string().as_str()));
        assert_eq!(app.prefilled.get("name").map(String::as_str), Some("김하늘"), "the child's facts, not the parent's");

        // Someone with no delegation and no parental authority: "not found", nothing started.
        let stranger_account = account(&w.db, "stranger@example.kr", AccountKind::Citizen, None).await;
        let other: String = on_reader!(w.db, |p| sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE id <> $1 AND id <> $2 ORDER BY id LIMIT 1").bind(parent.to_string()).bind(child.to_string()).fetch_one(p).await).unwrap();
        let other: PersonId = other.parse().unwrap();
        dasan_identity::link_person(&w.db, Actor::system(), stranger_account, &other.to_string()).await.unwrap();
        let stranger = principal(stranger_account, AccountKind::Citizen, Some(other), &[]);
        assert!(matches!(w.civil.start(&stranger, "child-allowance", Some(child)).await, Err(CivilError::NotFound)));
        // Officials and business users cannot apply for civil services meant for citizens.
        assert!(matches!(w.civil.start(&w.officer, "moving-in-report", None).await, Err(CivilError::NotEligible(_))));
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM civil_applications").await, 1);
    }

    async fn an_official_takes_several_applications_at_once_and_skips_those_taken_meanwhile(engine) {
        let w = world(engine).await;
        let (a, b, c) = (submitted(&w).await, submitted(&w).await, submitted(&w).await);
        let queue = w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Unassigned, 1).await.unwrap().items;
        let read: Vec<(ApplicationId, i64)> = queue.iter().map(|x| (x.id, x.version)).collect();
        assert_eq!(read.len(), 3);
        // Another official takes one between the queue being shown and the bulk action.
        let cv = w.civil.application(&w.other_officer, c).await.unwrap().version;
        w.civil.act(&w.other_officer, c, Action::Claim, cv, None).await.unwrap();
        assert_eq!(w.civil.claim_all(&w.officer, &read).await.unwrap(), 2);
        let mine = w.civil.queue(&w.officer, "MOIS-JONGNO", QueueFilter::Mine, 1).await.unwrap().items;
        let mut ids: Vec<ApplicationId> = mine.iter().map(|x| x.id).collect();
        ids.sort();
        let mut want = vec![a, b];
        want.sort();
        assert_eq!(ids, want);
        // An official of another agency takes nothing.
        assert_eq!(w.civil.claim_all(&w.outsider, &read).await.unwrap(), 0);
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
