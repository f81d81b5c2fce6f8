#![allow(clippy::unwrap_used)]

use dasan_kernel::{Actor, Clock, ManualClock, Timestamp};
use dasan_registry::demo::{self, DemoSpec};
use dasan_registry::*;
use dasan_store::testing::TestDatabase;
use dasan_store::{Engine, TableAuditHook, engine_tests, on_reader};
use jiff::civil::date;
use std::collections::BTreeSet;
use std::sync::Arc;

const T0: i64 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

/// A migrated database on `engine` whose clock the test moves.
async fn setup(engine: Engine) -> (TestDatabase, Registry, ManualClock) {
    let mut t = TestDatabase::migrated(engine).await;
    let clock = ManualClock::new(Timestamp::from_micros(T0));
    assert!(t.db.configure(Arc::new(TableAuditHook), Arc::new(clock.clone())));
    let registry = Registry::new(t.db.clone());
    (t, registry, clock)
}

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

fn rrn(y: i16, m: i8, d: i8, sex: Sex, serial: u32) -> String {
    KoreanRrn.make(date(y, m, d), sex, false, serial).unwrap()
}

fn person(name_local: &str, name_latin: &str, y: i16, sex: Sex, serial: u32) -> PersonData {
    PersonData {
        national_id: rrn(y, 3, 15, sex, serial),
        name_local: name_local.into(),
        name_latin: name_latin.into(),
        birth_date: date(y, 3, 15),
        sex,
        nationality: "KOR".into(),
        address: addr(),
        status: PersonStatus::Living,
        status_date: None,
        parents: vec![],
        spouse: None,
    }
}

async fn count(db: &dasan_store::Database, sql: &'static str) -> i64 {
    on_reader!(db, |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

async fn agencies(registry: &Registry) {
    let mut buf = Vec::new();
    demo::write_agencies(&mut buf, Format::Csv).unwrap();
    let s = registry
        .import(
            Actor::system(),
            RecordKind::Agencies,
            Format::Csv,
            buf.as_slice(),
            ImportOptions::default(),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert!(s.committed, "{s:?}");
}

fn fields(f: &[PersonField]) -> BTreeSet<PersonField> {
    f.iter().copied().collect()
}

const PEOPLE_HEADER: &str = "national_id,name_local,name_latin,birth_date,sex,nationality,status,address_region,address_locality,address_street,address_building,address_postal_code,address_country,parents,spouse\n";

fn people_csv(rows: &[String]) -> Vec<u8> {
    let mut s = PEOPLE_HEADER.to_owned();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn row(
    id: &str,
    name: &str,
    latin: &str,
    birth: &str,
    sex: &str,
    parents: &str,
    spouse: &str,
) -> String {
    format!(
        "{id},{name},{latin},{birth},{sex},KOR,living,서울특별시,종로구,세종대로,1,03171,KR,{parents},{spouse}"
    )
}

async fn import_people(
    registry: &Registry,
    data: &[u8],
    dry_run: bool,
) -> (ImportSummary, Vec<RowError>) {
    let mut errors = Vec::new();
    let summary = registry
        .import(
            Actor::system(),
            RecordKind::People,
            Format::Csv,
            data,
            ImportOptions {
                dry_run,
                keep_errors: 100,
            },
            &mut |e: &RowError| errors.push(e.clone()),
        )
        .await
        .unwrap();
    (summary, errors)
}

engine_tests! {
    async fn migrations_apply_in_order_also_after_later_ones(engine) {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(engine.to_string());
        let mut all: Vec<i64> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap()[..4].parse().unwrap())
            .collect();
        all.sort();
        let without_registry: Vec<i64> = all.iter().copied().filter(|v| *v != 2).collect();

        // A fresh database applies every migration in order.
        let t = TestDatabase::migrated(engine).await;
        let status = t.db.migration_status().await.unwrap();
        assert_eq!(status.applied, all);
        assert!(status.is_current());

        // A database migrated before the registry existed (all but 2) gets 2 afterwards.
        let t = TestDatabase::empty(engine).await;
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if !name.starts_with("0002") {
                std::fs::copy(entry.path(), dir.path().join(&name)).unwrap();
            }
        }
        let old = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
        match engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&t.url).await.unwrap();
                old.run(&pool).await.unwrap();
                pool.close().await;
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&t.url).await.unwrap();
                old.run(&pool).await.unwrap();
                pool.close().await;
            }
        }
        let before = t.db.migration_status().await.unwrap();
        assert_eq!((before.applied.clone(), before.pending.clone()), (without_registry, vec![2]));
        let after = t.db.migrate().await.unwrap();
        assert_eq!(after.applied, all);
        let registry = Registry::new(t.db.clone());
        agencies(&registry).await;
    }

    async fn history_and_as_of_queries(engine) {
        let (t, registry, clock) = setup(engine).await;
        let actor = Actor::system();
        let mut p = person("김민준", "KIM Min-jun", 1980, Sex::Male, 11);
        let id = registry.register_person(actor.clone(), p.clone(), "birth registration").await.unwrap();
        let t1 = clock.now();

        clock.advance(std::time::Duration::from_secs(86_400));
        p.address.street = "종로".into();
        p.address.building = "1".into();
        assert_eq!(registry.update_person(actor.clone(), id, p.clone(), "moved house", Some(1)).await.unwrap(), 2);
        let t2 = clock.now();
        // Stale versions and no-op updates are caught.
        assert!(matches!(
            registry.update_person(actor.clone(), id, p.clone(), "again", Some(1)).await,
            Err(RegistryError::Stale { current: 2 })
        ));
        assert_eq!(registry.update_person(actor.clone(), id, p.clone(), "same data", None).await.unwrap(), 2);

        clock.advance(std::time::Duration::from_secs(86_400));
        p.status = PersonStatus::Deceased;
        p.status_date = Some(date(2026, 1, 2));
        registry.update_person(actor.clone(), id, p.clone(), "death registered", None).await.unwrap();

        let history = registry.person_history(actor.clone(), id, "registry-maintenance").await.unwrap();
        assert_eq!(history.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(history[1].changes, vec!["address"]);
        assert_eq!(history[1].reason, "moved house");
        assert_eq!(history[1].actor_kind, "system");
        assert_eq!(history[2].changes, vec!["status", "status_date"]);
        assert_eq!(history[0].recorded_at, t1);

        let then = registry.person_as_of(actor.clone(), id, t1, "registry-maintenance").await.unwrap();
        assert_eq!((then.version, then.data.address.street.as_str()), (1, "세종대로"));
        let mid = registry.person_as_of(actor.clone(), id, Timestamp::from_micros(t2.as_micros() + 5), "registry-maintenance").await.unwrap();
        assert_eq!((mid.version, mid.data.status), (2, PersonStatus::Living));
        let now = registry.person(actor.clone(), id, "registry-maintenance").await.unwrap();
        assert_eq!((now.version, now.data.status), (3, PersonStatus::Deceased));
        assert!(matches!(
            registry.person_as_of(actor.clone(), id, Timestamp::from_micros(T0 - 1), "registry-maintenance").await,
            Err(RegistryError::NotFound)
        ));
        // Every read above is logged for the person to see.
        let log = registry.access_log(id, 100).await.unwrap();
        assert_eq!(log.len(), 5);
        assert!(log.iter().all(|e| e.action == "registry.person.read" && e.purpose.as_deref() == Some("registry-maintenance")));

        // Bad input is refused field by field, and duplicates are conflicts.
        let mut bad = person("김민준", "KIM Min-jun", 1980, Sex::Female, 11);
        bad.national_id = "800315-1000111".into();
        let err = registry.register_person(actor.clone(), bad, "x").await.unwrap_err();
        assert!(matches!(&err, RegistryError::Invalid(f) if f.iter().any(|f| f.field == "national_id")), "{err:?}");
        let err = registry.register_person(actor.clone(), person("김민준", "KIM Min-jun", 1980, Sex::Male, 11), "x").await.unwrap_err();
        assert!(matches!(err, RegistryError::Duplicate(_)), "{err:?}");
        let mut orphan = person("이서연", "LEE Seo-yeon", 2010, Sex::Female, 12);
        orphan.parents = vec![PersonId::new()];
        assert!(matches!(registry.register_person(actor.clone(), orphan, "x").await, Err(RegistryError::Invalid(_))));

        // Children as of a date: only those whose own record named the parent by then.
        let t_before_child = clock.now();
        clock.advance(std::time::Duration::from_secs(60));
        let mut kid = person("김하늘", "KIM Ha-neul", 2010, Sex::Female, 31);
        kid.parents = vec![id];
        let kid = registry.register_person(actor.clone(), kid, "birth registration").await.unwrap();
        let before = registry.person_as_of(actor.clone(), id, t_before_child, "registry-maintenance").await.unwrap();
        assert!(before.children.is_empty());
        let after = registry.person_as_of(actor.clone(), id, clock.now(), "registry-maintenance").await.unwrap();
        assert_eq!(after.children, vec![kid]);

        // Businesses keep history too.
        agencies(&registry).await;
        let b = BusinessData {
            registration_number: "2208162517".into(),
            name: "주식회사 한빛테크".into(),
            legal_form: LegalForm::StockCompany,
            representative: id,
            address: addr(),
            industry: "6201".into(),
            status: BusinessStatus::Active,
            tax_standing: TaxStanding::Good,
        };
        let bid = registry.register_business(actor.clone(), b.clone(), "registration").await.unwrap();
        let tb = clock.now();
        clock.advance(std::time::Duration::from_secs(10));
        registry.update_business(actor.clone(), bid, BusinessData { tax_standing: TaxStanding::Arrears, ..b.clone() }, "tax arrears", None).await.unwrap();
        assert_eq!(registry.business_as_of(bid, tb).await.unwrap().unwrap().data.tax_standing, TaxStanding::Good);
        assert_eq!(registry.business_by_number("220-81-62517").await.unwrap().unwrap().data.tax_standing, TaxStanding::Arrears);
        assert_eq!(registry.business_history(bid).await.unwrap()[1].changes, vec!["tax_standing"]);
        drop(t);
    }

    async fn lookups_follow_sharing_rules_and_are_all_logged(engine) {
        let (t, registry, _clock) = setup(engine).await;
        agencies(&registry).await;
        let actor = Actor::system();
        let parent = registry.register_person(actor.clone(), person("박지훈", "PARK Ji-hun", 1975, Sex::Male, 21), "reg").await.unwrap();
        let mut child = person("박서연", "PARK Seo-yeon", 2005, Sex::Female, 22);
        child.parents = vec![parent];
        let child = registry.register_person(actor.clone(), child, "birth").await.unwrap();
        registry.add_sharing_rule(actor.clone(), NewSharingRule {
            agency: "NTS".into(),
            purpose: "tax-assessment".into(),
            fields: fields(&[PersonField::NameLocal, PersonField::Address, PersonField::Family]),
            legal_basis: "Framework Act on National Taxes".into(),
        }).await.unwrap();

        let official = Actor { agency: Some("NTS".into()), ..Actor::account(uuid::Uuid::now_v7()) };
        let ask = |subject, f: &[PersonField], purpose: &str, requester: &str| LookupRequest {
            subject,
            fields: fields(f),
            purpose: purpose.into(),
            requester: requester.into(),
        };
        // Allowed: exactly the fields asked for come back.
        let got = registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal, PersonField::Family], "tax-assessment", "NTS")).await.unwrap();
        assert_eq!(got.name_local.as_deref(), Some("박지훈"));
        assert_eq!(got.family.unwrap().children, vec![child]);
        assert!(got.address.is_none() && got.national_id.is_none() && got.birth_date.is_none());

        // Refused: a field the rule does not cover, another purpose, another agency.
        let err = registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal, PersonField::NationalId], "tax-assessment", "NTS")).await.unwrap_err();
        assert!(matches!(&err, RegistryError::LookupRefused { fields, .. } if fields == &vec![PersonField::NationalId]), "{err:?}");
        assert_eq!(dasan_kernel::Problem::code(&err), "lookup-refused");
        assert!(matches!(registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal], "welfare-eligibility", "NTS")).await, Err(RegistryError::LookupRefused { .. })));
        assert!(matches!(registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal], "tax-assessment", "PPS")).await, Err(RegistryError::LookupRefused { .. })));
        // An NTS official cannot ask in another agency's name.
        assert!(matches!(registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal], "tax-assessment", "MOIS")).await, Err(RegistryError::LookupRefused { .. })));
        // Unknown person: not found, and still logged.
        let ghost = PersonId::new();
        assert!(matches!(registry.lookup(official.clone(), &ask(ghost, &[PersonField::NameLocal], "tax-assessment", "NTS")).await, Err(RegistryError::NotFound)));

        // The person sees every look-up, allowed or refused, newest first.
        let log = registry.access_log(parent, 100).await.unwrap();
        assert_eq!(log.len(), 5, "{log:?}");
        let outcomes: Vec<_> = log.iter().map(|e| e.outcome).collect();
        assert_eq!(outcomes.iter().filter(|o| **o == Some(LookupOutcome::Refused)).count(), 4);
        assert_eq!(outcomes.iter().filter(|o| **o == Some(LookupOutcome::Allowed)).count(), 1);
        let allowed = log.iter().find(|e| e.outcome == Some(LookupOutcome::Allowed)).unwrap();
        assert_eq!(allowed.agency.as_deref(), Some("NTS"));
        assert_eq!(allowed.purpose.as_deref(), Some("tax-assessment"));
        assert_eq!(allowed.fields, vec!["name_local", "family"]);
        assert_eq!(registry.access_log(ghost, 10).await.unwrap()[0].outcome, Some(LookupOutcome::NotFound));
        let events = count(&t.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup'").await;
        assert_eq!(events, 6);

        // Revoking the rule refuses what it allowed.
        let rule = registry.sharing_rules().await.unwrap()[0].id;
        registry.revoke_sharing_rule(actor.clone(), rule).await.unwrap();
        assert!(matches!(registry.lookup(official.clone(), &ask(parent, &[PersonField::NameLocal], "tax-assessment", "NTS")).await, Err(RegistryError::LookupRefused { .. })));
    }

    async fn import_dry_run_reports_every_bad_row_and_writes_nothing(engine) {
        let (t, registry, _clock) = setup(engine).await;
        let a = rrn(1970, 1, 2, Sex::Male, 1);
        let b = rrn(1972, 5, 6, Sex::Female, 2);
        let c = rrn(2001, 7, 8, Sex::Male, 3);
        let mut bad_check = rrn(1990, 1, 1, Sex::Male, 4);
        let last = bad_check.pop().unwrap();
        bad_check.push(char::from(b'0' + (last.to_digit(10).unwrap() as u8 + 1) % 10));
        let data = people_csv(&[
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),                 // line 2: good
            row(&b, "이영희", "LEE Yeong-hui", "1972-05-06", "F", "", &a),                // line 3: good
            row(&c, "김민수", "KIM Min-su", "2001-07-08", "M", &format!("{a};{b}"), ""),  // line 4: good
            row(&bad_check, "박", "PARK", "1990-01-01", "M", "", ""),                     // line 5: check digit
            row(&rrn(1980, 2, 3, Sex::Male, 5), "최", "CHOI", "1980-02-04", "M", "", ""), // line 6: birth date mismatch
            row(&rrn(1980, 2, 3, Sex::Male, 6), "최", "CHOI", "1980-02-03", "Q", "", ""), // line 7: sex
            row(&rrn(1999, 9, 9, Sex::Male, 7), "정", "JUNG", "1999-09-09", "M", &rrn(1950, 1, 1, Sex::Male, 9), ""), // line 8: unknown parent
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),                 // line 9: duplicate
            "too,few,fields".to_owned(),                                                   // line 10
            row(&rrn(1985, 1, 1, Sex::Female, 8), "", "HAN", "1985-01-01", "F", "", ""),  // line 11: name missing
            row(&rrn(1985, 1, 1, Sex::Female, 10), "한", "한", "1985-01-01", "F", "", ""), // line 12: not Latin
        ]);
        let (summary, errors) = import_people(&registry, &data, true).await;
        let got: Vec<(u64, Option<&str>)> = errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
        assert_eq!(got, vec![
            (5, Some("national_id")),
            (6, Some("birth_date")),
            (7, Some("sex")),
            (10, None),
            (11, Some("name_local")),
            (12, Some("name_latin")),
            (8, Some("parents")),
            (9, Some("national_id")),
        ], "{errors:#?}");
        assert!(errors[0].reason.contains("check digit"), "{}", errors[0].reason);
        assert_eq!(summary.counts, Counts { rows: 11, inserted: 3, updated: 0, unchanged: 0, errors: 8 });
        assert!(!summary.committed && summary.dry_run);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_people").await, 0);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_versions").await, 0);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events").await, 0);

        // A dry run of a good file reports what would happen, and still writes nothing.
        let good = people_csv(&[
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),
            row(&b, "이영희", "LEE Yeong-hui", "1972-05-06", "F", "", &a),
        ]);
        let (summary, errors) = import_people(&registry, &good, true).await;
        assert!(errors.is_empty());
        assert_eq!((summary.counts.inserted, summary.committed), (2, false));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_people").await, 0);

        // Header problems make the file unreadable rather than every row bad.
        let err = registry.import(Actor::system(), RecordKind::People, Format::Csv, &b"national_id,colour\n"[..], ImportOptions::default(), &mut |_| {}).await.unwrap_err();
        assert!(matches!(err, RegistryError::ImportFile(_)), "{err:?}");
    }

    async fn failed_import_leaves_registry_unchanged_and_reimport_is_idempotent(engine) {
        let (t, registry, clock) = setup(engine).await;
        let a = rrn(1970, 1, 2, Sex::Male, 1);
        let b = rrn(1972, 5, 6, Sex::Female, 2);
        let c = rrn(2001, 7, 8, Sex::Male, 3);
        let first = people_csv(&[
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),
            row(&b, "이영희", "LEE Yeong-hui", "1972-05-06", "F", "", &a),
            row(&c, "김민수", "KIM Min-su", "2001-07-08", "M", &format!("{a};{b}"), ""),
        ]);
        let (s, errors) = import_people(&registry, &first, false).await;
        assert!(errors.is_empty() && s.committed);
        assert_eq!((s.counts.inserted, s.counts.updated, s.counts.unchanged), (3, 0, 0));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'registry.import'").await, 1);

        // The same file again: nothing changes, no version is added.
        clock.advance(std::time::Duration::from_secs(1));
        let (s, _) = import_people(&registry, &first, false).await;
        assert_eq!((s.counts.inserted, s.counts.updated, s.counts.unchanged), (0, 0, 3));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_versions").await, 3);

        // One change and one bad row: nothing is written, not even the good change.
        clock.advance(std::time::Duration::from_secs(1));
        let bad = people_csv(&[
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),
            row(&b, "이영희", "LEE Yeong-hee", "1972-05-06", "F", "", &a),
            row(&rrn(1990, 1, 1, Sex::Male, 4), "박", "PARK", "1990-01-01", "M", "", "800101-1234561"),
        ]);
        let (s, errors) = import_people(&registry, &bad, false).await;
        assert_eq!((s.committed, s.counts.updated, s.counts.errors, errors.len()), (false, 1, 1, 1));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_versions").await, 3);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_people").await, 3);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_people WHERE name_latin = 'LEE Yeong-hee'").await, 0);

        // The change alone: one update, one new version with what changed.
        let fixed = people_csv(&[
            row(&a, "김철수", "KIM Cheol-su", "1970-01-02", "M", "", ""),
            row(&b, "이영희", "LEE Yeong-hee", "1972-05-06", "F", "", &a),
        ]);
        let (s, _) = import_people(&registry, &fixed, false).await;
        assert_eq!((s.counts.inserted, s.counts.updated, s.counts.unchanged), (0, 1, 1));
        let id = registry.find_person(Actor::system(), &b, "registry-maintenance").await.unwrap().unwrap();
        let history = registry.person_history(Actor::system(), id, "registry-maintenance").await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].changes, vec!["name_latin"]);
        assert!(history[1].reason.starts_with("import "));
        // The marriage recorded on b's row reads from a's side too.
        let a_id = registry.find_person(Actor::system(), &a, "registry-maintenance").await.unwrap().unwrap();
        assert_eq!(registry.person(Actor::system(), a_id, "registry-maintenance").await.unwrap().data.spouse, Some(id));
    }

    async fn demo_country_loads_idempotently_and_files_round_trip(engine) {
        let (t, registry, _clock) = setup(engine).await;
        let loaded = demo::load(&registry, Actor::system(), &DemoSpec::SMALL).await.unwrap();
        assert_eq!(loaded.people.counts.inserted, 200);
        assert_eq!(loaded.businesses.counts.inserted, 30);
        assert_eq!(loaded.agencies.counts.inserted, demo::AGENCIES.len() as u64);
        assert_eq!(loaded.rules_added, demo::default_sharing_rules().len());
        let again = demo::load(&registry, Actor::system(), &DemoSpec::SMALL).await.unwrap();
        assert_eq!((again.people.counts.unchanged, again.people.counts.inserted, again.rules_added), (200, 0, 0));
        assert_eq!(registry.counts().await.unwrap(), (200, 30, demo::AGENCIES.len() as i64));
        // A small land register comes with it, and loading again adds no parcel version.
        assert_eq!((loaded.parcels, again.parcels), (20, 20));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM registry_parcel_versions").await, 20);

        // The JSON Lines files of the same seed import to the same records (all unchanged).
        let dir = tempfile::tempdir().unwrap();
        let files = demo::generate_to_dir(&DemoSpec::SMALL, &KoreanRrn, dir.path(), Format::Jsonl).unwrap();
        for (kind, path) in [(RecordKind::Agencies, &files.agencies), (RecordKind::People, &files.people), (RecordKind::Businesses, &files.businesses)] {
            let file = std::fs::File::open(path).unwrap();
            let s = registry.import(Actor::system(), kind, Format::Jsonl, file, ImportOptions::default(), &mut |e| panic!("{e}")).await.unwrap();
            assert_eq!(s.counts.inserted + s.counts.updated, 0, "{kind:?}: {s:?}");
        }
        // The hierarchy holds: every agency and office sits under its parent.
        let all = registry.agencies().await.unwrap();
        assert!(all.iter().any(|a| a.data.code == "NTS-JONGNO" && a.data.parent.as_deref() == Some("NTS")));
        drop(t);
    }

    async fn agency_hierarchy_is_checked(engine) {
        let (_t, registry, _clock) = setup(engine).await;
        let csv = "code,name_local,name_latin,level,parent_code\n\
                   MOX,엑스부,Ministry of X,ministry,\n\
                   AGX,엑스청,X Agency,agency,MOX\n\
                   OFX,엑스사무소,X Office,office,AGX\n\
                   BAD,나쁜청,Bad Agency,agency,\n\
                   BAD2,나쁜부,Bad Ministry,ministry,AGX\n\
                   LOST,잃은,Lost Office,office,NOPE\n\
                   lower,소문자,Lower,ministry,\n";
        let mut errors = Vec::new();
        let s = registry.import(Actor::system(), RecordKind::Agencies, Format::Csv, csv.as_bytes(), ImportOptions { dry_run: true, keep_errors: 10 }, &mut |e: &RowError| errors.push(e.clone())).await.unwrap();
        let got: Vec<(u64, Option<&str>)> = errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
        assert_eq!(got, vec![(8, Some("code")), (5, Some("level")), (6, Some("parent_code")), (7, Some("parent_code"))], "{errors:#?}");
        assert_eq!(s.counts.inserted, 3);
        assert_eq!(registry.agencies().await.unwrap().len(), 0);
    }
}
