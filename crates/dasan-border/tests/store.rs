//! The border service through the database, on SQLite and PostgreSQL: enrolment with a factory
//! passport, each gate rule alone and together through the stored path, forged chips, watchlist
//! hits, replay of stored decisions, gate request authentication (unsigned, replayed, revoked),
//! officers' referrals, and the overstay report.
#![allow(clippy::unwrap_used)]

use dasan_border::CalendarDate;
use dasan_border::gate::{
    BiometricResult, ChipCheck, ChipCheckOutcome, ChipFiles, Direction, GateConfig, GateRequest,
    Modality, Outcome, ReasonCode,
};
use dasan_border::store::{
    BiometricKey, BiometricReference, Border, BorderConfig, BorderError, DeskCapture,
    EnrolmentRules, EnrolmentState, GateOutcome, GateSubmission, NewGateDevice, OfficerDecision,
    PreRegistration, ReferralStatus, RequestRefusal, SignedGateRequest, gate_signing_message,
};
use dasan_kernel::{Actor, Clock, ManualClock, Timestamp};
use dasan_mrtd::factory::{ChipImage, ChipOptions, SignerAlgorithm, TestPki, build_chip};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Mrz, MrzFormat, Sex, TrustStore};
use dasan_store::testing::TestDatabase;
use dasan_store::{Engine, TableAuditHook, engine_tests};
use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::{Signer, SigningKey};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

/// 2026-11-24, 09:00 UTC.
const NOW_SECS: u64 = 1_795_478_400 + 9 * 3600;
const NOW_MICROS: i64 = (NOW_SECS * 1_000_000) as i64;
const DAY: Duration = Duration::from_secs(86_400);
const GATE: &str = "ICN-T1-G07";

struct Pkis {
    by_country: BTreeMap<&'static str, TestPki>,
}

fn pkis() -> &'static Pkis {
    static P: OnceLock<Pkis> = OnceLock::new();
    P.get_or_init(|| {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS);
        let by_country = [("KOR", "KR"), ("USA", "US"), ("CHN", "CN"), ("PRK", "KP")]
            .into_iter()
            .map(|(a3, a2)| {
                (
                    a3,
                    TestPki::new(a2, SignerAlgorithm::EcdsaP256Sha256, at).unwrap(),
                )
            })
            .collect();
        Pkis { by_country }
    })
}

fn trust() -> TrustStore {
    let mut trust = TrustStore::new();
    for pki in pkis().by_country.values() {
        trust.add_csca_der(&pki.csca.der).unwrap();
        trust.add_crl_der(&pki.crl).unwrap();
    }
    trust
}

#[derive(Clone, Copy)]
struct Traveller {
    issuer: &'static str,
    surname: &'static str,
    given: &'static str,
    number: &'static str,
    nationality: &'static str,
    birth: &'static str,
    expiry: &'static str,
}

const HONG: Traveller = Traveller {
    issuer: "KOR",
    surname: "HONG",
    given: "GIL DONG",
    number: "M12345678",
    nationality: "KOR",
    birth: "850315",
    expiry: "320101",
};

const SMITH: Traveller = Traveller {
    issuer: "USA",
    surname: "SMITH",
    given: "JANE",
    number: "500000001",
    nationality: "USA",
    birth: "800101",
    expiry: "300601",
};

const WANG: Traveller = Traveller {
    issuer: "CHN",
    surname: "WANG",
    given: "LEI",
    number: "E12345678",
    nationality: "CHN",
    birth: "900202",
    expiry: "330303",
};

const RI: Traveller = Traveller {
    issuer: "PRK",
    surname: "RI",
    given: "CHOL SU",
    number: "745000001",
    nationality: "PRK",
    birth: "700501",
    expiry: "310101",
};

fn mrz(t: &Traveller) -> Mrz {
    Mrz {
        format: MrzFormat::Td3,
        document_code: "P".into(),
        issuer: t.issuer.into(),
        primary_identifier: t.surname.into(),
        secondary_identifier: t.given.into(),
        document_number: t.number.into(),
        nationality: t.nationality.into(),
        birth_date: MrzDate {
            raw: t.birth.into(),
            date: None,
        },
        sex: Sex::Female,
        expiry_date: MrzDate {
            raw: t.expiry.into(),
            date: None,
        },
        optional_data: String::new(),
        optional_data_2: String::new(),
        check_digits: CheckDigits::default(),
        lines: vec![],
    }
}

fn chip(t: &Traveller) -> ChipImage {
    let pki = &pkis().by_country[t.issuer];
    build_chip(&mrz(t), &pki.signer, ChipOptions::default()).unwrap()
}

fn chip_files(c: &ChipImage) -> ChipFiles {
    ChipFiles {
        sod: c.sod.clone(),
        data_groups: c
            .data_groups
            .iter()
            .filter(|(n, _)| **n == 1)
            .map(|(n, d)| (*n, d.clone()))
            .collect(),
    }
}

fn request(c: &ChipImage, direction: Direction) -> GateRequest {
    GateRequest {
        gate_id: GATE.into(),
        port: "ICN".into(),
        direction,
        mrz: c.mrz_lines.join("\n"),
        chip: Some(chip_files(c)),
        chip_check: ChipCheck {
            active_authentication: ChipCheckOutcome::Passed,
        },
        biometric: Some(BiometricResult {
            modality: Modality::Face,
            algorithm: "dasan-test-face-1".into(),
            score: 8_100,
            threshold: 6_500,
            // The gate's claim is ignored: the server sets this from the request signature.
            signature_verified: false,
        }),
    }
}

struct World {
    t: TestDatabase,
    clock: ManualClock,
    border: Border,
    gate_key: SigningKey,
}

fn gate_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn spki(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn config() -> BorderConfig {
    BorderConfig {
        gate: GateConfig::default(),
        enrolment: EnrolmentRules::default(),
        max_clock_skew: Duration::from_secs(60),
        biometric_key: BiometricKey::new("bio-test-1", [9u8; 32]),
    }
}

async fn world(engine: Engine) -> World {
    let mut t = TestDatabase::migrated(engine).await;
    let clock = ManualClock::new(Timestamp::from_micros(NOW_MICROS));
    assert!(t.db.configure(Arc::new(TableAuditHook), Arc::new(clock.clone())));
    let border = Border::open(t.db.clone(), config(), trust()).await.unwrap();
    let gate_key = gate_key();
    border
        .register_gate(
            Actor::system(),
            NewGateDevice {
                id: GATE.into(),
                port: "ICN".into(),
                public_key_spki_der: spki(&gate_key),
            },
        )
        .await
        .unwrap();
    World {
        t,
        clock,
        border,
        gate_key,
    }
}

fn nonce() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("nonce-{:016}", N.fetch_add(1, Ordering::SeqCst))
}

impl World {
    fn sign(&self, req: &GateRequest) -> SignedGateRequest {
        self.sign_with(req, &self.gate_key, self.clock.now().as_micros(), &nonce())
    }

    fn sign_with(
        &self,
        req: &GateRequest,
        key: &SigningKey,
        sent_at: i64,
        nonce: &str,
    ) -> SignedGateRequest {
        let body = serde_json::to_vec(&GateSubmission {
            request: req.clone(),
            sent_at,
            nonce: nonce.into(),
        })
        .unwrap();
        let signature = key
            .sign(&gate_signing_message(GATE, &body))
            .to_bytes()
            .to_vec();
        SignedGateRequest {
            gate_id: GATE.into(),
            body,
            signature,
        }
    }

    async fn pass(&self, req: &GateRequest) -> GateOutcome {
        let out = self.border.gate_decide(&self.sign(req)).await.unwrap();
        // Never a silent reject; every stored decision replays to itself.
        assert_eq!(out.outcome == Outcome::Refer, !out.reasons.is_empty());
        assert_eq!(out.referral_id.is_some(), out.outcome == Outcome::Refer);
        let replayed = self.border.replay_decision(&out.decision_id).await.unwrap();
        assert_eq!(replayed.outcome, out.outcome);
        assert_eq!(replayed.reasons, out.reasons);
        out
    }

    async fn enrol(&self, t: &Traveller) -> String {
        let c = chip(t);
        let pre = self
            .border
            .pre_register(
                Actor::anonymous(None),
                PreRegistration {
                    mrz: c.mrz_lines.join("\n"),
                    contact: "traveller@example.org".into(),
                    consent_version: "ses-consent-1".into(),
                    consent_given: true,
                },
            )
            .await
            .unwrap();
        self.border
            .complete_enrolment(officer(), &pre.id, desk(&c))
            .await
            .unwrap()
            .id
    }
}

fn officer() -> Actor {
    let mut a = Actor::account(uuid::Uuid::now_v7());
    a.agency = Some("MOJ-ICN".into());
    a
}

fn desk(c: &ChipImage) -> DeskCapture {
    DeskCapture {
        chip: chip_files(c),
        active_authentication: ChipCheckOutcome::Passed,
        biometrics: vec![
            BiometricReference {
                modality: Modality::Face,
                matcher: "dasan-test-face-1".into(),
                reference: b"matcher://face/7f3a-template-ref".to_vec(),
            },
            BiometricReference {
                modality: Modality::Fingerprint,
                matcher: "dasan-test-finger-1".into(),
                reference: b"matcher://finger/19be-template-ref".to_vec(),
            },
        ],
    }
}

/// Through the gate, or through an officer when the gate refers.
async fn enter_via_desk(w: &World, c: &ChipImage) {
    let out = w.pass(&request(c, Direction::Entry)).await;
    if let Some(rid) = out.referral_id {
        w.border
            .decide_referral(
                officer(),
                &rid,
                1,
                OfficerDecision::Admit {
                    permitted_until: None,
                },
                "admitted at the desk",
            )
            .await
            .unwrap();
    }
}

fn codes(out: &GateOutcome) -> Vec<ReasonCode> {
    out.reasons.iter().map(|r| r.code).collect()
}

fn day(y: u16, m: u8, d: u8) -> CalendarDate {
    CalendarDate::new(y, m, d).unwrap()
}

const WATCHLIST_CSV: &str = "id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n\
    T-1,individual,RI CHOL SU,리철수,1970-05-01,PRK,,2020-01-01\n";

const LOST_CSV: &str = "issuing_state,document_number,document_type,reported_on,reference\n\
    KOR,M99999999,P,2026-10-01,SLTD-1\n";

/// Raw access to the test database, to play an attacker who edits rows behind the service.
async fn tamper(t: &TestDatabase, sql: &'static str, id: &str) {
    use sqlx::Connection;
    match t.db.engine() {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
            sqlx::query(sql).bind(id).execute(&mut c).await.unwrap();
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.url).await.unwrap();
            sqlx::query(sql).bind(id).execute(&mut c).await.unwrap();
        }
    }
}

engine_tests! {
    async fn enrolment_end_to_end(engine) {
        let w = world(engine).await;
        let b = &w.border;
        let c = chip(&SMITH);
        let pre = |mrz: String, consent: bool| PreRegistration {
            mrz,
            contact: "jane@example.org".into(),
            consent_version: "ses-consent-1".into(),
            consent_given: consent,
        };
        // Consent is required; a national does not enrol; a child may not.
        let err = b.pre_register(Actor::anonymous(None), pre(c.mrz_lines.join("\n"), false)).await.unwrap_err();
        assert!(matches!(err, BorderError::Invalid(ref f) if f[0].field == "consent"), "{err:?}");
        let err = b.pre_register(Actor::anonymous(None), pre(chip(&HONG).mrz_lines.join("\n"), true)).await.unwrap_err();
        assert!(matches!(err, BorderError::EnrolmentNotRequired(ref n) if n == "KOR"), "{err:?}");
        let child = Traveller { birth: "150101", number: "500000002", ..SMITH };
        let err = b.pre_register(Actor::anonymous(None), pre(chip(&child).mrz_lines.join("\n"), true)).await.unwrap_err();
        assert!(matches!(err, BorderError::NotEligible("age")), "{err:?}");
        let err = b.pre_register(Actor::anonymous(None), pre("P<USA".into(), true)).await.unwrap_err();
        assert!(matches!(err, BorderError::Invalid(ref f) if f[0].field == "mrz"), "{err:?}");

        let p = b.pre_register(Actor::anonymous(None), pre(c.mrz_lines.join("\n"), true)).await.unwrap();
        assert_eq!(p.state, EnrolmentState::Pending);
        assert_eq!((p.issuing_state.as_str(), p.document_number.as_str()), ("USA", "500000001"));
        // Twice for one passport: refused.
        let err = b.pre_register(Actor::anonymous(None), pre(c.mrz_lines.join("\n"), true)).await.unwrap_err();
        assert!(matches!(err, BorderError::Transition { .. }), "{err:?}");
        // Not yet enrolled at the gate (pending): REFER, not enrolled.
        let out = w.pass(&request(&c, Direction::Entry)).await;
        assert_eq!(codes(&out), [ReasonCode::NotEnrolled]);

        // The desk: a chip whose DG1 was altered is refused, and so is another passport's chip.
        let err = b.complete_enrolment(officer(), &p.id, desk(&c.with_altered_dg1())).await.unwrap_err();
        assert!(matches!(err, BorderError::DocumentNotAuthentic(_)), "{err:?}");
        let err = b.complete_enrolment(officer(), &p.id, desk(&chip(&WANG))).await.unwrap_err();
        assert!(matches!(err, BorderError::DocumentNotAuthentic(_)), "{err:?}");
        let mut no_bio = desk(&c);
        no_bio.biometrics.clear();
        assert!(matches!(
            b.complete_enrolment(officer(), &p.id, no_bio).await.unwrap_err(),
            BorderError::Invalid(_)
        ));

        let e = b.complete_enrolment(officer(), &p.id, desk(&c)).await.unwrap();
        assert_eq!(e.state, EnrolmentState::Active);
        // Until the passport expires (2030-06-01), which is before five years from now.
        assert_eq!(e.valid_until, Some(day(2030, 6, 1)));
        assert_eq!(e.biometrics.len(), 2);
        let pa = e.passive_authentication.clone().unwrap();
        assert_eq!(pa.dg1_matches_printed_mrz, Some(true));
        // Completed once only.
        assert!(matches!(
            b.complete_enrolment(officer(), &p.id, desk(&c)).await.unwrap_err(),
            BorderError::Transition { .. }
        ));
        // The reference is stored sealed and opens for the matcher (an audited read).
        let face = b.biometric_reference(officer(), &e.id, Modality::Face, "1:1 match at gate").await.unwrap();
        assert_eq!(face.as_slice(), b"matcher://face/7f3a-template-ref");
        let stored: Vec<Vec<u8>> = dasan_store::on_reader!(b.db(), |p| sqlx::query_scalar(
            "SELECT ciphertext FROM border_biometric_refs WHERE enrolment_id = $1"
        ).bind(&e.id).fetch_all(p).await).unwrap();
        assert_eq!(stored.len(), 2);
        for ct in &stored {
            assert!(!ct.windows(8).any(|w| w == b"template"), "stored in clear");
        }

        // Enrolled: the gate opens (US passports are visa-free here), and a stay is opened.
        let out = w.pass(&request(&c, Direction::Entry)).await;
        assert_eq!(out.outcome, Outcome::Open, "{:#?}", out.reasons);
        assert!(out.crossing_id.is_some());
        let report = b.overstay_report(day(2027, 3, 1), day(2026, 1, 1)).await.unwrap();
        assert_eq!(report.in_country.len(), 1, "permitted 90 days: until 2027-02-22");
        assert_eq!(report.in_country[0].permitted_until, day(2027, 2, 22));

        // Suspended: the gate refers.
        b.set_enrolment_state(officer(), &e.id, EnrolmentState::Suspended, "document under review").await.unwrap();
        let out = w.pass(&request(&c, Direction::Exit)).await;
        assert_eq!(codes(&out), [ReasonCode::EnrolmentNotActive]);
        let err = b.set_enrolment_state(officer(), &e.id, EnrolmentState::Pending, "x").await.unwrap_err();
        assert!(matches!(err, BorderError::Transition { .. }));
    }

    async fn each_rule_alone_and_together(engine) {
        let w = world(engine).await;
        let b = &w.border;
        // Genuine national: OPEN, an entry record, no stay.
        let hong = chip(&HONG);
        let out = w.pass(&request(&hong, Direction::Entry)).await;
        assert_eq!(out.outcome, Outcome::Open, "{:#?}", out.reasons);
        let crossings = b.crossings("KOR", "M12345678").await.unwrap();
        assert_eq!(crossings.len(), 1);
        assert_eq!(crossings[0].decision_id.as_deref(), Some(out.decision_id.as_str()));

        // Document readable.
        let mut req = request(&hong, Direction::Entry);
        req.mrz = "P<KOR".into();
        assert!(codes(&w.pass(&req).await).contains(&ReasonCode::MrzUnreadable));
        // Chip genuine (active authentication failed at the gate).
        let mut req = request(&hong, Direction::Entry);
        req.chip_check.active_authentication = ChipCheckOutcome::Failed;
        assert_eq!(codes(&w.pass(&req).await), [ReasonCode::ChipCloneSuspected]);
        // Chip read.
        let mut req = request(&hong, Direction::Entry);
        req.chip = None;
        assert_eq!(codes(&w.pass(&req).await), [ReasonCode::ChipNotRead]);
        // Not expired.
        let old = Traveller { expiry: "260101", number: "M00000001", ..HONG };
        assert_eq!(codes(&w.pass(&request(&chip(&old), Direction::Entry)).await), [ReasonCode::DocumentExpired]);
        // Minimum age.
        let kid = Traveller { birth: "220101", number: "M00000002", ..HONG };
        assert_eq!(codes(&w.pass(&request(&chip(&kid), Direction::Entry)).await), [ReasonCode::UnderMinimumAge]);
        // Biometric score.
        let mut req = request(&hong, Direction::Entry);
        if let Some(bio) = req.biometric.as_mut() { bio.score = 5_000; }
        assert_eq!(codes(&w.pass(&req).await), [ReasonCode::BiometricBelowThreshold]);
        let mut req = request(&hong, Direction::Entry);
        req.biometric = None;
        assert_eq!(codes(&w.pass(&req).await), [ReasonCode::BiometricMissing]);

        // Lost/stolen, from an imported list.
        let lost = Traveller { number: "M99999999", ..HONG };
        assert_eq!(w.pass(&request(&chip(&lost), Direction::Entry)).await.outcome, Outcome::Open);
        let info = b.import_lost_stolen(Actor::system(), "SLTD", "2026-11-24", LOST_CSV.as_bytes()).await.unwrap();
        assert_eq!(info.entry_count, 1);
        assert_eq!(codes(&w.pass(&request(&chip(&lost), Direction::Entry)).await), [ReasonCode::DocumentLostOrStolen]);

        // Eligibility and visas: a Chinese traveller, not enrolled and without a visa.
        let wang = chip(&WANG);
        assert_eq!(
            codes(&w.pass(&request(&wang, Direction::Entry)).await),
            [ReasonCode::NotEnrolled, ReasonCode::NoVisa]
        );
        w.enrol(&WANG).await;
        assert_eq!(codes(&w.pass(&request(&wang, Direction::Entry)).await), [ReasonCode::NoVisa]);
        let visas = "number,issuing_state,document_number,nationality,category,valid_from,valid_until,stay_days\n\
            V-1,CHN,E12345678,CHN,C-3,2026-11-01,2027-10-31,30\n";
        assert_eq!(b.import_visas(Actor::system(), "visa-2026-11-24", visas.as_bytes()).await.unwrap(), 1);
        let out = w.pass(&request(&wang, Direction::Entry)).await;
        assert_eq!(out.outcome, Outcome::Open, "{:#?}", out.reasons);
        // The stay: 30 days from the visa.
        let report = b.overstay_report(day(2027, 1, 1), day(2026, 1, 1)).await.unwrap();
        assert_eq!(report.in_country.len(), 1);
        assert_eq!(report.in_country[0].permitted_until, day(2026, 12, 24));
        // Exit within the stay: OPEN, stay closed.
        assert_eq!(w.pass(&request(&wang, Direction::Exit)).await.outcome, Outcome::Open);
        assert!(b.overstay_report(day(2027, 1, 1), day(2026, 1, 1)).await.unwrap().in_country.is_empty());

        // Visa waivers come from the imported table: once CHN is waived, no visa is needed.
        let smith = chip(&SMITH);
        w.enrol(&SMITH).await;
        assert_eq!(w.pass(&request(&smith, Direction::Entry)).await.outcome, Outcome::Open);
        b.import_visa_waivers(Actor::system(), "waivers-2", "nationality,days\nJPN,90\n".as_bytes()).await.unwrap();
        assert!(b.screening().current().config.version.ends_with("+waivers:waivers-2"));
        let out = w.pass(&request(&smith, Direction::Entry)).await;
        assert_eq!(codes(&out), [ReasonCode::NoVisa]);

        // Everything at once: an expired, lost, unenrolled foreign passport with a failed
        // clone check and a poor biometric score, read without... every reason is given.
        let bad = Traveller { issuer: "KOR", nationality: "CHN", expiry: "250101", number: "M99999999", ..WANG };
        let mut req = request(&chip(&bad), Direction::Entry);
        req.chip_check.active_authentication = ChipCheckOutcome::Failed;
        if let Some(bio) = req.biometric.as_mut() { bio.score = 10; }
        let out = w.pass(&req).await;
        let got = codes(&out);
        for want in [
            ReasonCode::ChipCloneSuspected,
            ReasonCode::DocumentExpired,
            ReasonCode::DocumentLostOrStolen,
            ReasonCode::NotEnrolled,
            ReasonCode::BiometricBelowThreshold,
            ReasonCode::NoVisa,
        ] {
            assert!(got.contains(&want), "{want:?} missing from {got:?}");
        }
    }

    async fn forged_chip_always_refers(engine) {
        let w = world(engine).await;
        let genuine = chip(&HONG);
        let forged = genuine.with_altered_dg1();
        let mut req = request(&forged, Direction::Entry);
        req.mrz = genuine.mrz_lines.join("\n");
        for direction in [Direction::Entry, Direction::Exit] {
            req.direction = direction;
            let out = w.pass(&req).await;
            assert_eq!(out.outcome, Outcome::Refer);
            let got = codes(&out);
            assert!(got.contains(&ReasonCode::ChipDataInvalid), "{got:?}");
            assert!(got.contains(&ReasonCode::ChipMrzMismatch), "{got:?}");
            assert!(out.crossing_id.is_none());
        }
        // A chip signed by a document signer nobody trusts.
        let stranger = TestPki::new(
            "KR",
            SignerAlgorithm::EcdsaP256Sha256,
            SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS),
        )
        .unwrap();
        let alien = build_chip(&mrz(&HONG), &stranger.signer, ChipOptions::default()).unwrap();
        let out = w.pass(&request(&alien, Direction::Entry)).await;
        assert_eq!(out.outcome, Outcome::Refer);
        // Both referrals are in the port's queue.
        assert_eq!(w.border.referral_queue("ICN").await.unwrap().len(), 3);
    }

    async fn watchlist_hit_refers_with_the_reason(engine) {
        let w = world(engine).await;
        let b = &w.border;
        w.enrol(&RI).await;
        let waivers = "nationality,days\nPRK,30\n";
        b.import_visa_waivers(Actor::system(), "w-1", waivers.as_bytes()).await.unwrap();
        let ri = chip(&RI);
        assert_eq!(w.pass(&request(&ri, Direction::Entry)).await.outcome, Outcome::Open);
        // Exit, then the list arrives.
        assert_eq!(w.pass(&request(&ri, Direction::Exit)).await.outcome, Outcome::Open);
        let info = b.import_national_list(Actor::system(), "KOR-MOJ", "2026-11-24", WATCHLIST_CSV.as_bytes()).await.unwrap();
        assert_eq!((info.entry_count, info.version.as_str()), (1, "2026-11-24"));
        assert_eq!(b.screening().current().screener.len(), 1);
        let out = w.pass(&request(&ri, Direction::Entry)).await;
        assert_eq!(codes(&out), [ReasonCode::WatchlistHit]);
        let detail = &out.reasons[0].detail;
        assert!(detail.contains("RI CHOL SU") && detail.contains("T-1"), "{detail}");
        let referral = b.referral_detail(out.referral_id.as_deref().unwrap()).await.unwrap();
        assert_eq!(referral.reasons, out.reasons);
        assert_eq!(referral.document.unwrap().surname, "RI");

        // The UN list too, stored with its version; replacing it is one import.
        let un = include_bytes!("data/un_excerpt.xml");
        let info = b.import_un_list(Actor::system(), "2026-02-27", un).await.unwrap();
        assert!(info.entry_count > 0);
        let total = b.screening().current().screener.len() as i64;
        assert_eq!(total, 1 + info.entry_count);
        let again = b.import_un_list(Actor::system(), "2026-02-28", un).await.unwrap();
        assert_eq!((again.entry_count, again.version.as_str()), (info.entry_count, "2026-02-28"));
        assert_eq!(b.screening().current().screener.len() as i64, total);
        assert_eq!(b.lists().await.unwrap().len(), 2);
        // Replacing the national list with an empty one clears the hit.
        b.import_national_list(Actor::system(), "KOR-MOJ", "2026-11-25", "id,name\n".as_bytes()).await.unwrap();
        assert_eq!(w.pass(&request(&ri, Direction::Exit)).await.outcome, Outcome::Open);
        // A broken file changes nothing.
        assert!(matches!(
            b.import_un_list(Actor::system(), "bad", b"<CONSOLIDATED_LIST><INDIVIDUALS>").await,
            Err(BorderError::Import(_))
        ));
        // Another node (a second service on the same database) sees the lists on refresh.
        let other = Border::open(b.db().clone(), b.config().clone(), trust()).await.unwrap();
        assert_eq!(other.screening().current().screener.len() as i64, info.entry_count);
        assert!(!other.refresh_if_changed().await.unwrap());
    }

    async fn replaying_a_stored_decision(engine) {
        let w = world(engine).await;
        let b = &w.border;
        let open = w.pass(&request(&chip(&HONG), Direction::Entry)).await;
        let refer = w.pass(&request(&chip(&WANG), Direction::Entry)).await;
        for out in [&open, &refer] {
            let stored = b.decision(&out.decision_id).await.unwrap();
            assert_eq!(stored.outcome, out.outcome);
            assert_eq!(stored.record.rules.len(), dasan_border::gate::RULES.len());
            assert!(stored.timings.total_us > 0);
            assert_eq!(stored.timings, out.timings);
            // Writing and committing took time (a commit cannot take under a microsecond).
            assert!(out.store_us > 0);
            let again = b.replay_decision(&out.decision_id).await.unwrap();
            assert_eq!(again.record, stored.record);
        }
        // Replay does not depend on today's lists or tables.
        b.import_national_list(Actor::system(), "KOR-MOJ", "v", "id,name\nX,HONG GIL DONG\n".as_bytes()).await.unwrap();
        w.clock.advance(400 * DAY);
        let again = b.replay_decision(&open.decision_id).await.unwrap();
        assert_eq!(again.outcome, Outcome::Open);
        // A record edited behind the service's back no longer replays.
        tamper(
            &w.t,
            "UPDATE border_decisions SET record = replace(record, '\"OPEN\"', '\"REFER\"') WHERE id = $1",
            &open.decision_id,
        ).await;
        assert!(matches!(
            b.replay_decision(&open.decision_id).await,
            Err(BorderError::ReplayMismatch(_))
        ));
        assert!(matches!(b.replay_decision("nope").await, Err(BorderError::NotFound)));
    }

    async fn gate_requests_are_authenticated(engine) {
        let w = world(engine).await;
        let b = &w.border;
        let req = request(&chip(&HONG), Direction::Entry);
        let refused = |r: Result<GateOutcome, BorderError>| match r {
            Err(BorderError::Request(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        };
        // Unsigned.
        let mut unsigned = w.sign(&req);
        unsigned.signature.clear();
        assert_eq!(refused(b.gate_decide(&unsigned).await), RequestRefusal::BadSignature);
        // Signed by another key.
        let intruder = SigningKey::from_bytes(&[8u8; 32]);
        let forged = w.sign_with(&req, &intruder, w.clock.now().as_micros(), &nonce());
        assert_eq!(refused(b.gate_decide(&forged).await), RequestRefusal::BadSignature);
        // Body altered after signing.
        let mut altered = w.sign(&req);
        let text = String::from_utf8(altered.body.clone()).unwrap().replace("8100", "9100");
        altered.body = text.into_bytes();
        assert_eq!(refused(b.gate_decide(&altered).await), RequestRefusal::BadSignature);
        // Unknown gate.
        let mut unknown = w.sign(&req);
        unknown.gate_id = "ICN-T1-G99".into();
        assert_eq!(refused(b.gate_decide(&unknown).await), RequestRefusal::UnknownDevice);
        // Too old, or from the future.
        let stale = w.sign_with(&req, &w.gate_key, w.clock.now().as_micros() - 120_000_000, &nonce());
        assert_eq!(refused(b.gate_decide(&stale).await), RequestRefusal::StaleTimestamp);
        let early = w.sign_with(&req, &w.gate_key, w.clock.now().as_micros() + 120_000_000, &nonce());
        assert_eq!(refused(b.gate_decide(&early).await), RequestRefusal::StaleTimestamp);
        // Signed, but for another port, or with a short nonce, or not a request.
        let mut elsewhere = req.clone();
        elsewhere.port = "GMP".into();
        assert_eq!(refused(b.gate_decide(&w.sign(&elsewhere)).await), RequestRefusal::DeviceMismatch);
        let short = w.sign_with(&req, &w.gate_key, w.clock.now().as_micros(), "abc");
        assert_eq!(refused(b.gate_decide(&short).await), RequestRefusal::MalformedBody);
        let body = b"{\"hello\":1}".to_vec();
        let junk = SignedGateRequest {
            gate_id: GATE.into(),
            signature: w.gate_key.sign(&gate_signing_message(GATE, &body)).to_bytes().to_vec(),
            body,
        };
        assert_eq!(refused(b.gate_decide(&junk).await), RequestRefusal::MalformedBody);
        // Nothing was stored for any of them.
        let n: i64 = dasan_store::on_reader!(b.db(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM border_decisions"
        ).fetch_one(p).await).unwrap();
        assert_eq!(n, 0);

        // A good request is decided once; the same bytes again are a replay.
        let good = w.sign(&req);
        let out = b.gate_decide(&good).await.unwrap();
        assert_eq!(out.outcome, Outcome::Open, "{:#?}", out.reasons);
        assert_eq!(refused(b.gate_decide(&good).await), RequestRefusal::ReplayedNonce);
        // The server, not the gate, vouches for the biometric signature.
        let stored = b.decision(&out.decision_id).await.unwrap();
        assert!(stored.record.evidence.biometric.unwrap().signature_verified);

        // Old nonces are pruned once their timestamps would be refused anyway.
        w.clock.advance(Duration::from_secs(600));
        assert_eq!(b.prune_gate_nonces().await.unwrap(), 1);

        // Revoked: refused from then on.
        let device = b.revoke_gate(officer(), GATE, "gate G07 stolen during maintenance").await.unwrap();
        assert!(device.revoked);
        assert_eq!(refused(b.gate_decide(&w.sign(&req)).await), RequestRefusal::DeviceRevoked);
        assert!(matches!(b.revoke_gate(officer(), GATE, "again").await, Err(BorderError::Transition { .. })));

        // Keys gates may not use, and ids that are not ids.
        let rsa_like = vec![0x30, 0x03, 0x02, 0x01, 0x00];
        let err = b.register_gate(Actor::system(), NewGateDevice {
            id: "ICN-T1-G08".into(), port: "ICN".into(), public_key_spki_der: rsa_like,
        }).await.unwrap_err();
        assert!(matches!(err, BorderError::DeviceKey(_)), "{err:?}");
        let err = b.register_gate(Actor::system(), NewGateDevice {
            id: "icn g8".into(), port: "ICN".into(), public_key_spki_der: spki(&intruder),
        }).await.unwrap_err();
        assert!(matches!(err, BorderError::Invalid(_)), "{err:?}");
        let err = b.register_gate(Actor::system(), NewGateDevice {
            id: GATE.into(), port: "ICN".into(), public_key_spki_der: spki(&intruder),
        }).await.unwrap_err();
        assert!(matches!(err, BorderError::Invalid(_)), "{err:?}");
    }

    async fn p256_gates_and_concurrent_replays(engine) {
        use p256::ecdsa::signature::Signer as _;
        use p256::pkcs8::EncodePublicKey as _;
        let w = world(engine).await;
        let b = &w.border;
        let key = p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap();
        let der = key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec();
        let device = b.register_gate(Actor::system(), NewGateDevice {
            id: "GMP-G01".into(), port: "GMP".into(), public_key_spki_der: der,
        }).await.unwrap();
        assert_eq!(device.algorithm, dasan_crypto::Algorithm::EcdsaP256Sha256);
        let mut req = request(&chip(&HONG), Direction::Exit);
        req.gate_id = "GMP-G01".into();
        req.port = "GMP".into();
        let body = serde_json::to_vec(&GateSubmission {
            request: req, sent_at: w.clock.now().as_micros(), nonce: nonce(),
        }).unwrap();
        let sig: p256::ecdsa::DerSignature = key.sign(&gate_signing_message("GMP-G01", &body));
        let signed = SignedGateRequest {
            gate_id: "GMP-G01".into(), body, signature: sig.as_bytes().to_vec(),
        };
        // The same request twice at once: one decision, one replay refused.
        let (a, c) = tokio::join!(b.gate_decide(&signed), b.gate_decide(&signed));
        let (ok, refused): (Vec<_>, Vec<_>) = [a, c].into_iter().partition(|r| r.is_ok());
        assert_eq!(ok.len(), 1, "{ok:?} {refused:?}");
        assert!(matches!(
            refused[0],
            Err(BorderError::Request(RequestRefusal::ReplayedNonce))
        ), "{refused:?}");
        // A gate's key signs only for that gate.
        let mut other = signed.clone();
        other.gate_id = GATE.into();
        assert!(matches!(
            b.gate_decide(&other).await,
            Err(BorderError::Request(RequestRefusal::BadSignature))
        ));
        // Too large a body is refused before anything else.
        let huge = SignedGateRequest {
            gate_id: "GMP-G01".into(),
            body: vec![b' '; dasan_border::store::MAX_GATE_BODY + 1],
            signature: vec![],
        };
        assert!(matches!(
            b.gate_decide(&huge).await,
            Err(BorderError::Request(RequestRefusal::MalformedBody))
        ));
    }

    async fn a_gate_revoked_on_another_node_is_refused_on_this_one(engine) {
        let w = world(engine).await;
        let (here, there) = (&w.border, Border::open(w.t.db.clone(), config(), trust()).await.unwrap());
        let req = request(&chip(&HONG), Direction::Entry);
        // This node has verified the gate's requests before, so it knows the gate's key.
        assert_eq!(here.gate_decide(&w.sign(&req)).await.unwrap().outcome, Outcome::Open);
        there.revoke_gate(officer(), GATE, "gate G07 reported stolen").await.unwrap();
        let late = w.sign(&req);
        assert!(matches!(
            here.gate_decide(&late).await,
            Err(BorderError::Request(RequestRefusal::DeviceRevoked))
        ));
        // Refused with nothing stored: one decision (the first) and its one nonce.
        let count = |sql: &'static str| async move {
            dasan_store::on_reader!(here.db(), |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
        };
        assert_eq!(count("SELECT COUNT(*) FROM border_decisions").await, 1);
        assert_eq!(count("SELECT COUNT(*) FROM border_gate_nonces").await, 1);
        // And refused from then on, now at verification.
        assert!(matches!(
            here.gate_decide(&w.sign(&req)).await,
            Err(BorderError::Request(RequestRefusal::DeviceRevoked))
        ));
    }

    async fn officers_decide_referrals(engine) {
        let w = world(engine).await;
        let b = &w.border;
        let wang = chip(&WANG);
        let out = w.pass(&request(&wang, Direction::Entry)).await;
        let rid = out.referral_id.clone().unwrap();
        let queue = b.referral_queue("ICN").await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].reason_codes, [ReasonCode::NotEnrolled, ReasonCode::NoVisa]);
        assert!(b.referral_queue("GMP").await.unwrap().is_empty());

        // A reason is required; a stale version is refused.
        assert!(matches!(
            b.decide_referral(officer(), &rid, 1, OfficerDecision::Secondary, " ").await,
            Err(BorderError::Invalid(_))
        ));
        assert!(matches!(
            b.decide_referral(officer(), &rid, 7, OfficerDecision::Secondary, "check").await,
            Err(BorderError::Stale)
        ));
        let r = b.decide_referral(officer(), &rid, 1, OfficerDecision::Secondary, "visa to verify by phone").await.unwrap();
        assert_eq!(r.status, ReferralStatus::Secondary);
        assert_eq!(b.referral_queue("ICN").await.unwrap().len(), 1, "secondary stays in the queue");
        // Admitting a foreigner without visa or waiver needs a permitted stay.
        assert!(matches!(
            b.decide_referral(officer(), &rid, 2, OfficerDecision::Admit { permitted_until: None }, "ok").await,
            Err(BorderError::Invalid(_))
        ));
        let r = b.decide_referral(
            officer(), &rid, 2,
            OfficerDecision::Admit { permitted_until: Some(day(2026, 12, 10)) },
            "visa C-3 confirmed with the consulate",
        ).await.unwrap();
        assert_eq!(r.status, ReferralStatus::Admitted);
        assert_eq!(r.decision_reason.as_deref(), Some("visa C-3 confirmed with the consulate"));
        assert!(b.referral_queue("ICN").await.unwrap().is_empty());
        // Decided once.
        assert!(matches!(
            b.decide_referral(officer(), &rid, 3, OfficerDecision::Refuse, "no").await,
            Err(BorderError::Transition { .. })
        ));

        // A second traveller is refused entry: no crossing.
        let forged = chip(&HONG).with_altered_dg1();
        let out2 = w.pass(&request(&forged, Direction::Entry)).await;
        let r2 = b.decide_referral(officer(), out2.referral_id.as_deref().unwrap(), 1, OfficerDecision::Refuse, "altered chip").await.unwrap();
        assert_eq!(r2.status, ReferralStatus::Refused);

        // History: the decision, the referral, the officer's entry record and the stay.
        let h = b.traveller_history("CHN", "E12345678").await.unwrap();
        assert_eq!(h.decisions.len(), 1);
        assert_eq!(h.decisions[0].outcome, Outcome::Refer);
        assert_eq!(h.referrals.len(), 1);
        assert_eq!(h.crossings.len(), 1);
        assert_eq!(h.crossings[0].via, "officer");
        assert_eq!(h.crossings[0].referral_id.as_deref(), Some(rid.as_str()));
        let h2 = b.traveller_history("KOR", "M12345678").await.unwrap();
        assert!(h2.crossings.is_empty());
        // The officers' decisions are in the audit log with their reasons.
        let reasons: Vec<String> = dasan_store::on_reader!(b.db(), |p| sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'border.referral.decide' ORDER BY at, id"
        ).fetch_all(p).await).unwrap();
        assert_eq!(reasons.len(), 3);
        assert!(reasons[1].contains("consulate") && reasons[2].contains("altered chip"));
    }

    async fn overstay_report(engine) {
        let w = world(engine).await;
        let b = &w.border;
        w.enrol(&SMITH).await;
        let smith = chip(&SMITH);
        assert_eq!(w.pass(&request(&smith, Direction::Entry)).await.outcome, Outcome::Open);
        // Day 100 of a 90-day waiver stay.
        w.clock.advance(100 * DAY);
        let today = CalendarDate::from_unix_micros(w.clock.now().as_micros()).unwrap();
        let report = b.overstay_report(today, day(2026, 1, 1)).await.unwrap();
        assert_eq!(report.in_country.len(), 1);
        let row = &report.in_country[0];
        assert_eq!((row.surname.as_str(), row.days_over), ("SMITH", 10));
        assert!(report.departed_late.is_empty());
        // At the exit gate: REFER for overstay; the officer lets her leave.
        let out = w.pass(&request(&smith, Direction::Exit)).await;
        assert!(codes(&out).contains(&ReasonCode::Overstay), "{:?}", codes(&out));
        let overstay = out.reasons.iter().find(|r| r.code == ReasonCode::Overstay).unwrap();
        assert!(overstay.detail.contains("10 day(s) over"), "{}", overstay.detail);
        b.decide_referral(officer(), out.referral_id.as_deref().unwrap(), 1,
            OfficerDecision::Admit { permitted_until: None }, "overstay recorded; fine issued").await.unwrap();
        let report = b.overstay_report(today, day(2026, 1, 1)).await.unwrap();
        assert!(report.in_country.is_empty());
        assert_eq!(report.departed_late.len(), 1);
        assert_eq!(report.departed_late[0].exited_on, Some(today));
        assert_eq!(report.departed_late[0].days_over, 10);

        // She comes back, stays too long again, and re-enters without an exit record (left by
        // a route without one): the old stay is closed without a known departure; only the new
        // stay is open, and no late departure is invented.
        enter_via_desk(&w, &smith).await;
        w.clock.advance(100 * DAY);
        let later = CalendarDate::from_unix_micros(w.clock.now().as_micros()).unwrap();
        assert_eq!(b.overstay_report(later, today).await.unwrap().in_country.len(), 1);
        enter_via_desk(&w, &smith).await;
        let report = b.overstay_report(later, day(2026, 1, 1)).await.unwrap();
        assert!(report.in_country.is_empty(), "{report:#?}");
        assert_eq!(report.departed_late.len(), 1);
        let h = b.traveller_history("USA", "500000001").await.unwrap();
        let dirs: Vec<Direction> = h.crossings.iter().map(|c| c.direction).collect();
        assert_eq!(dirs, [Direction::Entry, Direction::Exit, Direction::Entry, Direction::Entry]);
    }
}
