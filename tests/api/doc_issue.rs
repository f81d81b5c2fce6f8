//! `dasan doc issue` (the library behind it), on both engines: an official's API token scoped
//! to `civil.review` issues a batch through the portal's path — each good row a signed PDF
//! with its own number and check code and the same audit events, each bad row reported
//! without stopping the others, and nothing issued outside the official's agency.
#![allow(clippy::unwrap_used)]

use dasan::issue::{issue_rows, operator, read_batch};
use dasan_civil::Civil;
use dasan_civil::documents::{Issuer, Verdict};
use dasan_crypto::pki::{PkiSpec, pki_init};
use dasan_crypto::{FileKeyStore, KekSource, KeyStore};
use dasan_identity::{AccountKind, Assurance, NewAccount, Permission, Principal, RoleGrant};
use dasan_kernel::Actor;
use dasan_registry::{Registry, TaxStanding};
use dasan_store::testing::TestDatabase;
use dasan_store::{engine_tests, on_reader};
use std::path::Path;
use std::sync::Arc;

async fn count(db: &dasan_store::Database, action: &str) -> i64 {
    on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = $1"
    )
    .bind(action)
    .fetch_one(p)
    .await)
    .unwrap()
}

engine_tests! {
    async fn an_operator_issues_a_batch_through_the_portals_path_row_by_row(engine) {
        let t = TestDatabase::migrated(engine).await;
        let db = t.db.clone();
        let registry = Registry::new(db.clone());
        dasan_registry::demo::load(&registry, Actor::system(), &dasan_registry::demo::DemoSpec { people: 30, businesses: 2, seed: 7 }).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let kek = dir.path().join("kek.bin");
        KekSource::create_key_file(&kek).unwrap();
        let keys: Arc<dyn KeyStore> = Arc::new(FileKeyStore::create(dir.path().join("keys"), &KekSource::KeyFile(kek)).unwrap());
        let mut spec: PkiSpec = toml::from_str(include_str!("../../docs/pki-spec.example.toml")).unwrap();
        spec.crl_base_url = "http://127.0.0.1:1/pki/crl".into();
        let layout = pki_init(&*keys, &spec, std::time::SystemTime::now()).unwrap();
        dasan_crypto::published::save_layout(db.begin(Actor::system()).await.unwrap(), &layout).await.unwrap();
        let civil = Civil::new(db.clone(), registry.clone(), 19)
            .local_attachments(&dir.path().join("files"))
            .unwrap()
            .with_issuer(Issuer::new(keys, Path::new(dasan_docs::fonts::DEBIAN_NANUM_DIR), "MOIS"));
        let defs = dasan_civil::catalogue::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("services")).unwrap();
        civil.load(Actor::system(), &defs).await.unwrap();

        // An official of the tax service makes a token for the batch, scoped to reviewing.
        let account = dasan_identity::create_account(&db, Actor::system(), NewAccount {
            kind: AccountKind::Official,
            email: "batch@nts.go.kr".into(),
            display_name: "NTS batch".into(),
            password: "plum tractor ocean 47 lantern".into(),
            roles: vec![RoleGrant { role: "civil.officer", scope: "NTS".into() }],
            agency: Some("NTS".into()),
        }).await.unwrap();
        let official = Principal {
            account,
            kind: AccountKind::Official,
            display_name: "NTS batch".into(),
            agency: Some("NTS".into()),
            person: None,
            business: None,
            roles: vec![RoleGrant { role: "civil.officer", scope: "NTS".into() }],
            assurance: Assurance::Multi,
            scopes: None,
        };
        let (_, token) = dasan_identity::tokens::create(&db, &official, "batch", &[Permission::CivilReview], 30).await.unwrap();
        assert!(operator(&db, "dsn_not-a-token").await.unwrap().is_none());
        let op = operator(&db, &format!("{token}\n")).await.unwrap().expect("the token names the official");

        let (business, number): (String, String) = on_reader!(db, |p| sqlx::query_as("SELECT id, registration_number FROM registry_businesses ORDER BY registration_number LIMIT 1").fetch_one(p).await).unwrap();
        let business: dasan_registry::BusinessId = business.parse().unwrap();
        let mut b = registry.business(business).await.unwrap().unwrap();
        b.data.tax_standing = TaxStanding::Good;
        registry.update_business(Actor::system(), business, b.data, "paid", None).await.unwrap();
        let rrn: String = on_reader!(db, |p| sqlx::query_scalar("SELECT national_id FROM registry_people ORDER BY national_id LIMIT 1").fetch_one(p).await).unwrap();
        let parcel: String = on_reader!(db, |p| sqlx::query_scalar("SELECT parcel_number FROM registry_parcels LIMIT 1").fetch_one(p).await).unwrap();
        let unknown = dasan_registry::ident::make_business_number(999_999_999);
        let csv = format!(
            "type,subject,out\n\
             business-registration,{number},a.pdf\n\
             tax-payment-certificate,{number},b.pdf\n\
             business-registration,{unknown},c.pdf\n\
             resident-registration,{rrn},d.pdf\n\
             not a row\n\
             land-register,{parcel},e.pdf\n\
             passport,{number},f.pdf\n"
        );
        let rows = read_batch(&csv, dir.path());
        assert_eq!(rows.len(), 7);
        let outcomes = issue_rows(&civil, &op, rows).await;
        let results: Vec<Result<&str, &str>> = outcomes.iter().map(|o| o.result.as_ref().map(String::as_str).map_err(String::as_str)).collect();
        assert!(results[0].is_ok() && results[1].is_ok(), "{results:?}");
        assert!(results[2].unwrap_err().contains("civil-error-unknown-business"), "{results:?}");
        // Another agency's certificates are not this official's to issue.
        assert!(results[3].unwrap_err().contains("not-eligible"), "{results:?}");
        assert!(results[4].unwrap_err().contains("three columns"), "{results:?}");
        assert!(results[5].unwrap_err().contains("not-eligible"), "{results:?}");
        assert!(results[6].unwrap_err().contains("civil-error-document-type"), "{results:?}");
        for (file, written) in [("a.pdf", true), ("b.pdf", true), ("c.pdf", false), ("d.pdf", false), ("e.pdf", false)] {
            assert_eq!(dir.path().join(file).exists(), written, "{file}");
        }
        // Each written PDF passes the signature checks and its number checks as valid.
        for (i, file) in [(0, "a.pdf"), (1, "b.pdf")] {
            let pdf = std::fs::read(dir.path().join(file)).unwrap();
            dasan_docs::pades::verify_integrity(&pdf).unwrap();
            let number = results[i].unwrap();
            let code: String = on_reader!(db, |p| sqlx::query_scalar("SELECT check_code FROM civil_documents WHERE issue_number = $1").bind(number).fetch_one(p).await).unwrap();
            assert_eq!(civil.verify_number(number, &code).await.unwrap().verdict, Verdict::Valid);
        }
        // Audited like any issuance, with the operator named.
        assert_eq!(count(&db, "civil.document.issue").await, 2);
        assert_eq!(count(&db, "civil.document.issue-by-operator").await, 2);
        let by: i64 = on_reader!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.issue-by-operator' AND actor_account = $1").bind(account.to_string()).fetch_one(p).await).unwrap();
        assert_eq!(by, 2);
    }
}
