//! Certificates issued from the business registry and the land register, on both engines:
//! the facts are the registry's as of the moment of issue (a later change leaves an issued
//! document and its seal as they were), the PDF is signed by the issuing agency, a tax
//! payment certificate is refused while taxes are in arrears, and only a business's
//! representative has its certificates.
#![allow(clippy::unwrap_used)]

use dasan_civil::documents::{Issuer, Verdict};
use dasan_civil::*;
use dasan_crypto::pki::{PkiLayout, PkiSpec, Purpose, pki_init};
use dasan_crypto::{FileKeyStore, KekSource, KeyStore};
use dasan_identity::{AccountKind, Assurance, NewAccount, Principal};
use dasan_kernel::Actor;
use dasan_registry::land::{Owner, ParcelData};
use dasan_registry::{BusinessId, PersonId, Registry, TaxStanding};
use dasan_store::testing::TestDatabase;
use dasan_store::{engine_tests, on_reader};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

struct World {
    _t: TestDatabase,
    _dir: tempfile::TempDir,
    db: dasan_store::Database,
    civil: Civil,
    registry: Registry,
    layout: PkiLayout,
    business: BusinessId,
    /// The business's representative.
    owner: Principal,
    /// Someone else.
    stranger: Principal,
}

async fn citizen(db: &dasan_store::Database, email: &str, person: PersonId) -> Principal {
    let account = dasan_identity::create_account(
        db,
        Actor::system(),
        NewAccount {
            kind: AccountKind::Citizen,
            email: email.into(),
            display_name: email.into(),
            password: "plum tractor ocean 47 lantern".into(),
            roles: vec![],
            agency: None,
        },
    )
    .await
    .unwrap();
    dasan_identity::link_person(db, Actor::system(), account, &person.to_string())
        .await
        .unwrap();
    Principal {
        account,
        kind: AccountKind::Citizen,
        display_name: email.into(),
        agency: None,
        person: Some(person.to_string()),
        business: None,
        roles: vec![],
        assurance: Assurance::Multi,
        scopes: None,
    }
}

async fn world(engine: dasan_store::Engine) -> World {
    let t = TestDatabase::migrated(engine).await;
    let db = t.db.clone();
    let registry = Registry::new(db.clone());
    let loaded = dasan_registry::demo::load(
        &registry,
        Actor::system(),
        &dasan_registry::demo::DemoSpec {
            people: 30,
            businesses: 2,
            seed: 7,
        },
    )
    .await
    .unwrap();
    assert_eq!(loaded.parcels, 3, "one parcel per ten people");
    let (business, rep): (String, String) = on_reader!(db, |p| {
        sqlx::query_as(
        "SELECT id, representative_id FROM registry_businesses ORDER BY registration_number LIMIT 1"
    )
    .fetch_one(p)
    .await
    })
    .unwrap();
    let other: String = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE id <> $1 AND id NOT IN (SELECT representative_id FROM registry_businesses) ORDER BY id LIMIT 1"
    )
    .bind(&rep)
    .fetch_one(p)
    .await)
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let keys: Arc<dyn KeyStore> =
        Arc::new(FileKeyStore::create(dir.path().join("keys"), &KekSource::KeyFile(kek)).unwrap());
    let mut spec: PkiSpec =
        toml::from_str(include_str!("../../../docs/pki-spec.example.toml")).unwrap();
    spec.crl_base_url = "http://127.0.0.1:1/pki/crl".into();
    let layout = pki_init(&*keys, &spec, std::time::SystemTime::now()).unwrap();
    dasan_crypto::published::save_layout(db.begin(Actor::system()).await.unwrap(), &layout)
        .await
        .unwrap();
    let civil = Civil::new(db.clone(), registry.clone(), 19)
        .local_attachments(&dir.path().join("files"))
        .unwrap()
        .with_issuer(Issuer::new(
            keys,
            Path::new(dasan_docs::fonts::DEBIAN_NANUM_DIR),
            "MOIS",
        ));
    let defs = dasan_civil::catalogue::read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services"),
    )
    .unwrap();
    civil.load(Actor::system(), &defs).await.unwrap();
    let owner = citizen(&db, "owner@example.kr", rep.parse().unwrap()).await;
    let stranger = citizen(&db, "stranger@example.kr", other.parse().unwrap()).await;
    World {
        _t: t,
        _dir: dir,
        db,
        civil,
        registry,
        layout,
        business: business.parse().unwrap(),
        owner,
        stranger,
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl World {
    fn signer(&self, agency: &str) -> Vec<u8> {
        self.layout.agency(agency).unwrap().end_entities[&Purpose::DocumentSigning]
            .certificate
            .der
            .clone()
    }

    async fn set_business(&self, f: impl FnOnce(&mut dasan_registry::BusinessData)) {
        let mut b = self
            .registry
            .business(self.business)
            .await
            .unwrap()
            .unwrap();
        f(&mut b.data);
        self.registry
            .update_business(Actor::system(), self.business, b.data, "test change", None)
            .await
            .unwrap();
    }

    /// Issues through `service` and returns the one document with its PDF's seal claims.
    async fn issue(
        &self,
        who: &Principal,
        service: &str,
        typed: &[(&str, &str)],
        signer: &str,
    ) -> (documents::IssuedDocument, dasan_docs::seal::Claims) {
        let (id, _) = self
            .civil
            .apply(who, service, None, &answers(typed))
            .await
            .unwrap();
        let docs = self.civil.documents(who, id).await.unwrap();
        assert_eq!(docs.len(), 1);
        let doc = docs.into_iter().next().unwrap();
        let (_, pdf) = self
            .civil
            .document_pdf(who, id, &doc.issue_number)
            .await
            .unwrap();
        // The existing signature checks: PAdES integrity with the agency's certificate, B-LT.
        let report = dasan_docs::pades::verify_integrity(&pdf).unwrap();
        assert_eq!(report.signer_certificate, self.signer(signer));
        assert!(report.time_stamp.is_some() && report.appended_bytes > 0);
        let cert = self.signer(signer);
        let claims = dasan_docs::seal::verify_qr_payload(&doc.qr, &[&cert]).unwrap();
        (doc, claims)
    }
}

fn fact<'a>(claims: &'a dasan_docs::seal::Claims, key: &str) -> &'a str {
    claims
        .facts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {:?}", claims.facts))
}

async fn documents_count(db: &dasan_store::Database) -> i64 {
    on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM civil_documents"
    )
    .fetch_one(p)
    .await)
    .unwrap()
}

engine_tests! {
    async fn business_and_tax_certificates_state_the_business_registry_as_of_issue(engine) {
        let w = world(engine).await;
        w.set_business(|b| b.tax_standing = TaxStanding::Good).await;
        let b = w.registry.business(w.business).await.unwrap().unwrap();
        let number = b.data.registration_number.clone();
        let (doc, claims) = w.issue(&w.owner, "business-registration-certificate", &[("business_number", &number)], "NTS").await;
        assert_eq!((doc.document_type.as_str(), doc.agency.as_str()), ("business-registration", "NTS"));
        assert_eq!((claims.subject_id.as_str(), claims.subject_name.as_str()), (number.as_str(), b.data.name.as_str()));
        assert!(fact(&claims, "address").contains(&b.data.address.street));

        // The registry changes afterwards: the issued document and its check do not.
        w.set_business(|b| b.name = "다산 새이름 주식회사".into()).await;
        let checked = w.civil.verify_seal(&doc.qr).await.unwrap();
        assert_eq!(checked.verdict, Verdict::Valid);
        assert_eq!(checked.attested.unwrap().subject_name, b.data.name);
        let (_, again) = w.issue(&w.owner, "business-registration-certificate", &[("business_number", &number)], "NTS").await;
        assert_eq!(again.subject_name, "다산 새이름 주식회사", "a new document states the registry as it is now");

        // Reissuing the first: a new number naming the old one, made from the registry now;
        // the old one checks as revoked, saying where its successor is.
        let app_id: ApplicationId = doc.application.parse().unwrap();
        assert!(matches!(w.civil.reissue_document(&w.stranger, app_id, &doc.issue_number).await, Err(CivilError::NotFound)), "not the stranger's");
        let new = w.civil.reissue_document(&w.owner, app_id, &doc.issue_number).await.unwrap();
        assert_ne!(new.issue_number, doc.issue_number);
        assert_eq!(w.civil.replaced_by_reissue(&new.issue_number).await.unwrap().as_deref(), Some(doc.issue_number.as_str()));
        let old = w.civil.verify_seal(&doc.qr).await.unwrap();
        assert_eq!(old.verdict, Verdict::Revoked);
        assert!(old.revoked_reason.unwrap().contains(&new.issue_number));
        let fresh = w.civil.verify_seal(&new.qr).await.unwrap();
        assert_eq!(fresh.verdict, Verdict::Valid);
        assert_eq!(fresh.attested.unwrap().subject_name, "다산 새이름 주식회사");
        assert!(matches!(w.civil.reissue_document(&w.owner, app_id, &doc.issue_number).await, Err(CivilError::Transition { .. })), "reissue the successor instead");
        let reissued: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.reissue'").fetch_one(p).await).unwrap();
        assert_eq!(reissued, 1);
        assert_eq!(w.civil.documents(&w.owner, app_id).await.unwrap().len(), 2);

        // The tax payment certificate is about the business, from its standing.
        let (tax, claims) = w.issue(&w.owner, "tax-payment-certificate", &[("use", "contract"), ("business_number", &number)], "NTS").await;
        assert_eq!(tax.document_type, "tax-payment");
        assert_eq!(claims.subject_id, number);
        assert_eq!(fact(&claims, "arrears"), "0");
        assert_eq!(fact(&claims, "purpose"), "공공 계약");

        // In arrears, nothing is issued: a clear refusal, and the application stays a draft.
        w.set_business(|b| b.tax_standing = TaxStanding::Arrears).await;
        let before = documents_count(&w.db).await;
        let refused = w.civil.apply(&w.owner, "tax-payment-certificate", None, &answers(&[("use", "visa"), ("business_number", &number)])).await;
        assert!(matches!(refused, Err(CivilError::TaxArrears)), "{refused:?}");
        assert_eq!(dasan_kernel::Problem::code(&refused.unwrap_err()), "tax-arrears");
        assert_eq!(documents_count(&w.db).await, before);
        // The tax certificate issued before the arrears still checks as valid: it was true then.
        assert_eq!(w.civil.verify_seal(&tax.qr).await.unwrap().verdict, Verdict::Valid);

        // Only the representative has the business's certificates; an unknown number is named.
        let not_rep = w.civil.apply(&w.stranger, "business-registration-certificate", None, &answers(&[("business_number", &number)])).await;
        match not_rep {
            Err(CivilError::Invalid(f)) => assert_eq!((f[0].field.as_str(), f[0].message), ("business_number", "civil-error-not-representative")),
            other => panic!("{other:?}"),
        }
        let unknown = dasan_registry::ident::make_business_number(999_999_999);
        let missing = w.civil.apply(&w.owner, "business-registration-certificate", None, &answers(&[("business_number", &unknown)])).await;
        match missing {
            Err(CivilError::Invalid(f)) => assert_eq!(f[0].message, "civil-error-unknown-business"),
            other => panic!("{other:?}"),
        }
        assert_eq!(documents_count(&w.db).await, before);
    }

    async fn a_land_register_extract_states_the_parcel_as_registered_at_issue(engine) {
        let w = world(engine).await;
        let number: String = on_reader!(w.db, |p| sqlx::query_scalar("SELECT parcel_number FROM registry_parcels ORDER BY parcel_number LIMIT 1").fetch_one(p).await).unwrap();
        let parcel = w.registry.parcel(&number).await.unwrap().unwrap();
        // The land office read the owners' names under its sharing rule; the owner sees it.
        let first_owner: String = on_reader!(w.db, |p| sqlx::query_scalar(
            "SELECT subject FROM audit_events WHERE purpose = 'land-registration' AND action = 'registry.lookup' ORDER BY id LIMIT 1"
        ).fetch_one(p).await).unwrap();
        assert!(first_owner.starts_with("person:"));

        // Anyone may have an extract (as in Korea); typed without dashes it is found.
        let (doc, claims) = w.issue(&w.stranger, "land-register-extract", &[("parcel_number", &number.replace('-', ""))], "NCA").await;
        assert_eq!(doc.document_type, "land-register");
        assert_eq!(claims.subject_id, number);
        assert_eq!(fact(&claims, "area_m2"), parcel.data.area_m2());
        let owner = &parcel.data.owners.iter().max_by_key(|o| o.acquired_on).unwrap().name;
        assert!(fact(&claims, "owner").contains(owner.as_str()), "{:?}", claims.facts);
        assert_eq!(fact(&claims, "other_rights"), parcel.data.encumbrances.len().to_string());

        // A sale is a new version; the extract issued before still says what was true then.
        let issued_at = doc.issued_at;
        let mut sold = parcel.data.clone();
        sold.owners = vec![Owner {
            name: "새주인".into(),
            identifier: "900101-2******".into(),
            share_numerator: 1,
            share_denominator: 1,
            acquired_on: jiff::civil::date(2026, 11, 1),
            cause: "매매".into(),
        }];
        sold.encumbrances.clear();
        assert_eq!(w.registry.put_parcel(Actor::system(), sold, "sale", Some(parcel.version)).await.unwrap(), parcel.version + 1);
        assert_eq!(w.registry.parcel_history(&number).await.unwrap().len(), 2);
        let then = w.registry.parcel_as_of(&number, issued_at).await.unwrap().unwrap();
        assert_eq!(then.data, parcel.data);
        let checked = w.civil.verify_seal(&doc.qr).await.unwrap();
        assert_eq!(checked.verdict, Verdict::Valid);
        assert!(checked.attested.unwrap().facts.iter().any(|(k, v)| k == "owner" && v.contains(owner.as_str())));
        let (_, now) = w.issue(&w.stranger, "land-register-extract", &[("parcel_number", &number)], "NCA").await;
        assert!(fact(&now, "owner").contains("새주인"));
        assert_eq!(fact(&now, "other_rights"), "0");

        // A mistyped digit is caught by the check digit, before anything is issued.
        let mut bad: Vec<char> = number.chars().collect();
        bad[0] = if bad[0] == '9' { '8' } else { '9' };
        let bad: String = bad.into_iter().collect();
        let before = documents_count(&w.db).await;
        match w.civil.apply(&w.stranger, "land-register-extract", None, &answers(&[("parcel_number", &bad)])).await {
            Err(CivilError::Invalid(f)) => assert_eq!((f[0].field.as_str(), f[0].message), ("parcel_number", "civil-error-unknown-parcel")),
            other => panic!("{other:?}"),
        }
        assert_eq!(documents_count(&w.db).await, before);

        // The register refuses shares that do not add up, and a stale change.
        let mut halves: ParcelData = w.registry.parcel(&number).await.unwrap().unwrap().data;
        halves.owners[0].share_denominator = 2;
        assert!(matches!(w.registry.put_parcel(Actor::system(), halves, "bad shares", None).await, Err(dasan_registry::RegistryError::Invalid(_))));
        let current = w.registry.parcel(&number).await.unwrap().unwrap();
        let mut bigger = current.data.clone();
        bigger.area_centiares += 1;
        assert!(matches!(w.registry.put_parcel(Actor::system(), bigger, "survey", Some(current.version - 1)).await, Err(dasan_registry::RegistryError::Stale { .. })));
    }
}
