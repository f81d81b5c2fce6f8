//! Official documents issued from applications, on both engines: an instant certificate and a
//! reviewed service's decision letter are signed PDFs whose QR seal verifies against the
//! signing certificate and states the registry's facts as of issuing; the registry reads are
//! logged for the person; a file changed in storage is refused; without a PKI nothing is issued;
//! a holder sends a document to an organisation, which sees it verified until withdrawn.
#![allow(clippy::unwrap_used)]

use dasan_civil::documents::Issuer;
use dasan_civil::*;
use dasan_crypto::pki::{PkiSpec, Purpose, pki_init};
use dasan_crypto::{FileKeyStore, KekSource, KeyStore};
use dasan_identity::{AccountKind, Assurance, NewAccount, Principal, RoleGrant};
use dasan_kernel::Actor;
use dasan_registry::{PersonId, Registry};
use dasan_store::testing::TestDatabase;
use dasan_store::{engine_tests, on_reader};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

struct World {
    _t: TestDatabase,
    _dir: tempfile::TempDir,
    files: std::path::PathBuf,
    db: dasan_store::Database,
    civil: Civil,
    registry: Registry,
    person: PersonId,
    citizen: Principal,
    officer: Principal,
    signer_cert: Vec<u8>,
}

fn principal(
    account: dasan_identity::AccountId,
    kind: AccountKind,
    person: Option<PersonId>,
    role: Option<(&'static str, &str)>,
) -> Principal {
    Principal {
        account,
        kind,
        display_name: "x".into(),
        agency: role.map(|(_, s)| s.to_owned()),
        person: person.map(|p| p.to_string()),
        business: None,
        roles: role
            .map(|(role, scope)| RoleGrant {
                role,
                scope: scope.to_owned(),
            })
            .into_iter()
            .collect(),
        assurance: Assurance::Multi,
        scopes: None,
    }
}

async fn world(engine: dasan_store::Engine, with_pki: bool) -> World {
    let t = TestDatabase::migrated(engine).await;
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
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let keys: Arc<dyn KeyStore> =
        Arc::new(FileKeyStore::create(dir.path().join("keys"), &KekSource::KeyFile(kek)).unwrap());
    let mut signer_cert = Vec::new();
    if with_pki {
        let mut spec: PkiSpec =
            toml::from_str(include_str!("../../../docs/pki-spec.example.toml")).unwrap();
        spec.crl_base_url = "http://127.0.0.1:1/pki/crl".into();
        let layout = pki_init(&*keys, &spec, std::time::SystemTime::now()).unwrap();
        signer_cert = layout.agency("MOIS").unwrap().end_entities[&Purpose::DocumentSigning]
            .certificate
            .der
            .clone();
        dasan_crypto::published::save_layout(db.begin(Actor::system()).await.unwrap(), &layout)
            .await
            .unwrap();
    }
    let files = dir.path().join("files");
    let civil = Civil::new(db.clone(), registry.clone(), 19)
        .local_attachments(&files)
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
    let new_account = |email: &str, kind, agency: Option<&str>| {
        let db = db.clone();
        let (email, agency) = (email.to_owned(), agency.map(str::to_owned));
        async move {
            dasan_identity::create_account(
                &db,
                Actor::system(),
                NewAccount {
                    kind,
                    email: email.clone(),
                    display_name: email,
                    password: "plum tractor ocean 47 lantern".into(),
                    roles: agency
                        .iter()
                        .map(|a| RoleGrant {
                            role: "civil.officer",
                            scope: a.clone(),
                        })
                        .collect(),
                    agency,
                },
            )
            .await
            .unwrap()
        }
    };
    let c = new_account("citizen@example.kr", AccountKind::Citizen, None).await;
    dasan_identity::link_person(&db, Actor::system(), c, &person.to_string())
        .await
        .unwrap();
    let o = new_account(
        "desk@jongno.go.kr",
        AccountKind::Official,
        Some("MOIS-JONGNO"),
    )
    .await;
    World {
        _t: t,
        _dir: dir,
        files,
        db,
        civil,
        registry,
        person,
        citizen: principal(c, AccountKind::Citizen, Some(person), None),
        officer: principal(
            o,
            AccountKind::Official,
            None,
            Some(("civil.officer", "MOIS-JONGNO")),
        ),
        signer_cert,
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

engine_tests! {
    async fn an_instant_certificate_is_a_signed_pdf_whose_seal_states_the_registry_facts(engine) {
        let w = world(engine, true).await;
        let (id, _) = w.civil.apply(&w.citizen, "resident-registration-certificate", None, &answers(&[("use", "personal")])).await.unwrap();
        let docs = w.civil.documents(&w.citizen, id).await.unwrap();
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!((doc.document_type.as_str(), doc.agency.as_str(), doc.signed_by.as_str()), ("resident-registration", "MOIS", "MOIS"));
        assert_eq!(doc.issue_number.len(), 19);
        let (_, pdf) = w.civil.document_pdf(&w.citizen, id, &doc.issue_number).await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
        let report = dasan_docs::pades::verify_integrity(&pdf).unwrap();
        assert_eq!(report.signer_certificate, w.signer_cert);
        assert!(report.time_stamp.is_some(), "B-T or above");
        assert!(report.appended_bytes > 0, "B-LT: a Document Security Store follows the signature");
        // The seal verifies offline against the signing certificate and says what the registry says.
        let claims = dasan_docs::seal::verify_qr_payload(&doc.qr, &[&w.signer_cert]).unwrap();
        let person = w.registry.person(Actor::system(), w.person, "test").await.unwrap();
        assert_eq!(claims.subject_name, person.data.name_local);
        assert_eq!(claims.issue_number, doc.issue_number);
        assert!(claims.facts.iter().any(|(k, v)| k == "address" && v.contains(&person.data.address.street)), "{:?}", claims.facts);
        // The person sees that the agency read their record to issue it; the issuance is audited.
        let reads: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND purpose = 'document-issuance'").bind(format!("person:{}", w.person)).fetch_one(p).await).unwrap();
        assert!(reads >= 1);
        let issued: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.issue'").fetch_one(p).await).unwrap();
        assert_eq!(issued, 1);
        // Someone else cannot fetch it.
        let stranger = principal(dasan_identity::AccountId::new(), AccountKind::Citizen, None, None);
        assert!(matches!(w.civil.document_pdf(&stranger, id, &doc.issue_number).await, Err(CivilError::NotFound)));
        // A file changed in storage is refused, never served.
        let stored = w.files.join("documents").join(format!("{}.pdf", doc.sha256));
        let mut bytes = std::fs::read(&stored).unwrap();
        let last = bytes.len() - 10;
        bytes[last] ^= 1;
        std::fs::write(&stored, bytes).unwrap();
        assert!(matches!(w.civil.document_pdf(&w.citizen, id, &doc.issue_number).await, Err(CivilError::DocumentsUnavailable)));
    }

    async fn a_reviewed_service_issues_a_decision_letter_signed_with_its_ministrys_certificate(engine) {
        let w = world(engine, true).await;
        let (id, _) = w.civil.apply(&w.citizen, "moving-in-report", None, &answers(&[("new_address", "서울특별시 종로구 세종대로 209, 3층"), ("moved_on", "2026-11-20"), ("household", "2")])).await.unwrap();
        assert!(w.civil.documents(&w.citizen, id).await.unwrap().is_empty(), "nothing before the decision");
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Claim, app.version, None).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Approve, app.version, Some("Registered at the new address.")).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        assert_eq!(w.civil.act(&w.officer, id, Action::Issue, app.version, None).await.unwrap(), Status::Issued);
        let docs = w.civil.documents(&w.officer, id).await.unwrap();
        assert_eq!(docs.len(), 1);
        // The community service centre has no certificate of its own: its ministry signs.
        assert_eq!((docs[0].agency.as_str(), docs[0].signed_by.as_str(), docs[0].document_type.as_str()), ("MOIS-JONGNO", "MOIS", "decision-letter"));
        let (_, pdf) = w.civil.document_pdf(&w.citizen, id, &docs[0].issue_number).await.unwrap();
        dasan_docs::pades::verify_integrity(&pdf).unwrap();
        let number = docs[0].issue_number.clone();
        let code = docs[0].check_code.clone().expect("a check code is printed on every new document");
        assert_eq!(w.civil.verify_number(&number, &code).await.unwrap().verdict, documents::Verdict::Valid);
        // Typed loosely (lower case, no dash) it still matches; without it, or wrong, nothing does.
        let loose = code.replace('-', " ").to_lowercase();
        assert_eq!(w.civil.verify_number(&number, &loose).await.unwrap().verdict, documents::Verdict::Valid);
        assert_eq!(w.civil.verify_number(&number, "").await.unwrap().verdict, documents::Verdict::Unknown);
        let wrong = if code.starts_with('A') { "CCCC-CCCC" } else { "AAAA-AAAA" };
        assert_eq!(w.civil.verify_number(&number, wrong).await.unwrap().verdict, documents::Verdict::Unknown);
        // Revoking: only an official of the agency, only with a reason; checkers then see it.
        assert!(matches!(w.civil.revoke_document(&w.citizen, id, &number, "mine").await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.revoke_document(&w.officer, id, &number, "  ").await, Err(CivilError::Invalid(_))));
        w.civil.revoke_document(&w.officer, id, &number, "Issued to the wrong household.").await.unwrap();
        assert!(matches!(w.civil.revoke_document(&w.officer, id, &number, "again").await, Err(CivilError::Transition { .. })));
        let checked = w.civil.verify_seal(&docs[0].qr).await.unwrap();
        assert_eq!(checked.verdict, documents::Verdict::Revoked);
        assert_eq!(checked.revoked_reason.as_deref(), Some("Issued to the wrong household."));
        assert_eq!(checked.attested.unwrap().issue_number, number, "still shown as genuine, but revoked");
        let inbox = w.civil.inbox(&w.citizen).await.unwrap();
        assert!(inbox.iter().any(|m| m.subject.contains(&number)), "the holder is told");
        let revoked: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.revoke'").fetch_one(p).await).unwrap();
        assert_eq!(revoked, 1);
    }

    async fn without_a_platform_pki_nothing_is_issued_and_the_application_waits(engine) {
        let w = world(engine, false).await;
        let refused = w.civil.apply(&w.citizen, "resident-registration-certificate", None, &answers(&[("use", "personal")])).await;
        assert!(matches!(refused, Err(CivilError::DocumentsUnavailable)), "{refused:?}");
        let mine = w.civil.mine(&w.citizen).await.unwrap();
        assert!(!mine.is_empty() && mine.iter().all(|a| a.status == Status::Draft), "still a draft, to submit again: nothing half-issued");
        let rows: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM civil_documents").fetch_one(p).await).unwrap();
        assert_eq!(rows, 0);
    }

    async fn a_holder_sends_a_document_to_an_organisation_which_sees_it_verified_until_withdrawn(engine) {
        use dasan_civil::shares::ShareId;
        let w = world(engine, true).await;
        let (id, _) = w.civil.apply(&w.citizen, "moving-in-report", None, &answers(&[("new_address", "서울특별시 종로구 세종대로 209, 3층"), ("moved_on", "2026-11-20"), ("household", "2")])).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Claim, app.version, None).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Approve, app.version, Some("Registered.")).await.unwrap();
        let app = w.civil.application(&w.officer, id).await.unwrap();
        w.civil.act(&w.officer, id, Action::Issue, app.version, None).await.unwrap();
        let number = w.civil.my_documents(&w.citizen).await.unwrap()[0].issue_number.clone();
        // The receiving organisation: a tax office's officer; another one elsewhere; a stranger.
        let nts = principal(dasan_identity::AccountId::new(), AccountKind::Official, None, Some(("civil.officer", "NTS")));
        let moef = principal(dasan_identity::AccountId::new(), AccountKind::Official, None, Some(("civil.officer", "MOEF")));
        let stranger = principal(dasan_identity::AccountId::new(), AccountKind::Citizen, None, None);
        // Bad input: an unknown recipient, a purpose too long; someone else's document.
        let invalid = |r: Result<ShareId, CivilError>, field: &str| match r {
            Err(CivilError::Invalid(f)) => assert!(f.iter().any(|e| e.field == field), "{f:?}"),
            other => panic!("{other:?}"),
        };
        invalid(w.civil.send_document(&w.citizen, &number, "NO-SUCH-AGENCY", "").await, "recipient");
        invalid(w.civil.send_document(&w.citizen, &number, "", "").await, "recipient");
        invalid(w.civil.send_document(&w.citizen, &number, "NTS", &"x".repeat(501)).await, "purpose");
        assert!(matches!(w.civil.send_document(&stranger, &number, "NTS", "").await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.send_document(&w.officer, &number, "NTS", "").await, Err(CivilError::NotFound)), "only the holder sends, not the issuing official");
        // Sent; nothing viewed yet.
        let share = w.civil.send_document(&w.citizen, &number, " NTS ", "  Year-end tax settlement  ").await.unwrap();
        let mine = w.civil.my_shares(&w.citizen).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!((mine[0].recipient.as_str(), mine[0].purpose.as_deref(), mine[0].issue_number.as_str()), ("NTS", Some("Year-end tax settlement"), number.as_str()));
        assert!(mine[0].first_viewed_at.is_none() && mine[0].views.is_empty());
        assert!(w.civil.my_shares(&stranger).await.unwrap().is_empty());
        // The recipient sees it verified, with what the seal attests; the PDF is the signed one.
        let inbox = w.civil.received_documents(&nts).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].verification.verdict, documents::Verdict::Valid);
        let got = w.civil.received_document(&nts, share).await.unwrap();
        assert_eq!(got.verification.verdict, documents::Verdict::Valid);
        assert_eq!(got.verification.attested.as_ref().unwrap().issue_number, number);
        assert_eq!(got.purpose.as_deref(), Some("Year-end tax settlement"));
        let (_, pdf) = w.civil.received_pdf(&nts, share).await.unwrap();
        dasan_docs::pades::verify_integrity(&pdf).unwrap();
        // Nobody else does: another organisation, the holder's own agency, a citizen.
        for other in [&moef, &w.officer, &stranger, &w.citizen] {
            assert!(matches!(w.civil.received_document(other, share).await, Err(CivilError::NotFound)));
            assert!(matches!(w.civil.received_pdf(other, share).await, Err(CivilError::NotFound)));
        }
        assert!(w.civil.received_documents(&moef).await.unwrap().is_empty());
        assert!(matches!(w.civil.received_documents(&stranger).await, Err(CivilError::NotFound)));
        // The holder sees each view (the list, the details, the PDF), by whom.
        let mine = w.civil.my_shares(&w.citizen).await.unwrap();
        assert!(mine[0].first_viewed_at.is_some());
        let whats: Vec<&str> = mine[0].views.iter().map(|v| v.what.as_str()).collect();
        assert_eq!(whats, ["list", "details", "pdf"]);
        assert!(mine[0].views.iter().all(|v| v.agency.as_deref() == Some("NTS")));
        // Revoked after sending: the recipient sees it revoked, with the reason.
        w.civil.revoke_document(&w.officer, id, &number, "Issued in error.").await.unwrap();
        let got = w.civil.received_document(&nts, share).await.unwrap();
        assert_eq!(got.verification.verdict, documents::Verdict::Revoked);
        assert_eq!(got.verification.revoked_reason.as_deref(), Some("Issued in error."));
        assert!(matches!(w.civil.send_document(&w.citizen, &number, "MOEF", "").await, Err(CivilError::Transition { .. })), "a revoked document is not sent again");
        // Withdrawn: only by its sender; then the recipient finds nothing.
        assert!(matches!(w.civil.withdraw_share(&stranger, share).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.withdraw_share(&nts, share).await, Err(CivilError::NotFound)));
        w.civil.withdraw_share(&w.citizen, share).await.unwrap();
        assert!(matches!(w.civil.withdraw_share(&w.citizen, share).await, Err(CivilError::Transition { .. })));
        assert!(matches!(w.civil.received_document(&nts, share).await, Err(CivilError::NotFound)));
        assert!(matches!(w.civil.received_pdf(&nts, share).await, Err(CivilError::NotFound)));
        assert!(w.civil.received_documents(&nts).await.unwrap().is_empty());
        assert!(w.civil.my_shares(&w.citizen).await.unwrap()[0].withdrawn_at.is_some());
        assert!(matches!(w.civil.withdraw_share(&w.citizen, ShareId::new()).await, Err(CivilError::NotFound)));
        for action in ["civil.document.share", "civil.document.share.withdraw"] {
            let n: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1").bind(action).fetch_one(p).await).unwrap();
            assert_eq!(n, 1, "{action}");
        }
    }
}
