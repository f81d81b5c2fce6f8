//! Gate decisions: each rule alone and together, forged chips, watchlist hits, replay.
#![allow(clippy::unwrap_used)]

use dasan_border::gate::{
    BiometricResult, ChipCheck, ChipCheckOutcome, ChipFiles, Enrolment, EnrolmentStatus, Modality,
    RuleId, Stay, TravellerFacts, Visa,
};
use dasan_border::watchlist::{ListedName, NameKind};
use dasan_border::{
    BirthDate, CalendarDate, Context, Decision, Direction, EntryKind, GateConfig, GateRequest,
    ListSource, LostStolenList, LostStolenRecord, Outcome, ReasonCode, Screener, WatchlistEntry,
    decide, replay,
};
use dasan_mrtd::factory::{ChipImage, ChipOptions, SignerAlgorithm, TestPki, build_chip};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Mrz, MrzFormat, Sex, TrustStore};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// 2026-11-24, 09:00 UTC.
const NOW_SECS: u64 = 1_795_478_400 + 9 * 3600;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn day(y: u16, m: u8, d: u8) -> CalendarDate {
    CalendarDate::new(y, m, d).unwrap()
}

struct World {
    pki: TestPki,
    trust: TrustStore,
    screener: Screener,
    lost: LostStolenList,
    config: GateConfig,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let pki = TestPki::new("KR", SignerAlgorithm::EcdsaP256Sha256, now()).unwrap();
        let mut trust = TrustStore::new();
        trust.add_csca_der(&pki.csca.der).unwrap();
        trust.add_crl_der(&pki.crl).unwrap();
        let listed = WatchlistEntry {
            id: "T-1".into(),
            reference: "KPi.999".into(),
            source: ListSource::Un,
            kind: EntryKind::Individual,
            names: vec![
                ListedName {
                    text: "RI CHOL SU".into(),
                    kind: NameKind::Primary,
                },
                ListedName {
                    text: "리철수".into(),
                    kind: NameKind::OriginalScript,
                },
            ],
            birth_dates: vec![BirthDate::Exact {
                year: 1970,
                month: 5,
                day: 1,
            }],
            nationalities: vec!["PRK".into()],
            documents: vec![],
            listed_on: String::new(),
        };
        let screener = Screener::new(vec![listed]);
        let lost = LostStolenList::from_records([LostStolenRecord {
            issuing_state: "KOR".into(),
            document_number: "M99999999".into(),
            document_type: "P".into(),
            reported_on: "2026-10-01".into(),
            reference: "SLTD-1".into(),
        }]);
        World {
            pki,
            trust,
            screener,
            lost,
            config: GateConfig::default(),
        }
    })
}

struct Traveller {
    surname: &'static str,
    given: &'static str,
    number: &'static str,
    nationality: &'static str,
    birth: &'static str,
    expiry: &'static str,
}

const HONG: Traveller = Traveller {
    surname: "HONG",
    given: "GIL DONG",
    number: "M12345678",
    nationality: "KOR",
    birth: "850315",
    expiry: "320101",
};

fn mrz(t: &Traveller) -> Mrz {
    Mrz {
        format: MrzFormat::Td3,
        document_code: "P".into(),
        issuer: "KOR".into(),
        primary_identifier: t.surname.into(),
        secondary_identifier: t.given.into(),
        document_number: t.number.into(),
        nationality: t.nationality.into(),
        birth_date: MrzDate {
            raw: t.birth.into(),
            date: None,
        },
        sex: Sex::Male,
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

fn chip_for(t: &Traveller) -> ChipImage {
    build_chip(&mrz(t), &world().pki.signer, ChipOptions::default()).unwrap()
}

fn request(chip: &ChipImage) -> GateRequest {
    GateRequest {
        gate_id: "ICN-T1-G07".into(),
        port: "ICN".into(),
        direction: Direction::Entry,
        mrz: chip.mrz_lines.join("\n"),
        chip: Some(ChipFiles {
            sod: chip.sod.clone(),
            data_groups: chip
                .data_groups
                .iter()
                .filter(|(n, _)| **n == 1)
                .map(|(n, d)| (*n, d.clone()))
                .collect(),
        }),
        chip_check: ChipCheck {
            active_authentication: ChipCheckOutcome::Passed,
        },
        biometric: Some(BiometricResult {
            modality: Modality::Face,
            algorithm: "dasan-test-face-1".into(),
            score: 8_100,
            threshold: 6_500,
            signature_verified: true,
        }),
    }
}

fn decide_with(req: &GateRequest, traveller: &TravellerFacts, config: &GateConfig) -> Decision {
    let w = world();
    let ctx = Context {
        config,
        trust: &w.trust,
        watchlist: &w.screener,
        lost_stolen: &w.lost,
        traveller,
        now_unix_micros: (NOW_SECS * 1_000_000) as i64,
    };
    let d = decide(req, &ctx);
    // Never a silent reject: REFER always says why; OPEN never has a reason.
    assert_eq!(d.outcome == Outcome::Refer, !d.reasons.is_empty(), "{d:#?}");
    assert_eq!(d.record.rules.len(), dasan_border::gate::RULES.len());
    // Every decision replays to itself, also through JSON.
    let json = serde_json::to_string(&d.record).unwrap();
    let back: dasan_border::DecisionRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(replay(&back).unwrap(), d);
    assert!(d.record.verify_inputs(req, traveller));
    d
}

fn decide_default(req: &GateRequest) -> Decision {
    decide_with(req, &TravellerFacts::default(), &world().config)
}

fn codes(d: &Decision) -> Vec<ReasonCode> {
    d.reasons.iter().map(|r| r.code).collect()
}

#[test]
fn genuine_national_opens() {
    let d = decide_default(&request(&chip_for(&HONG)));
    assert_eq!(d.outcome, Outcome::Open, "{:#?}", d.reasons);
    assert!(d.record.rules.iter().all(|r| r.passed));
    assert_eq!(d.record.config_version, "default-1");
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["outcome"], "OPEN");
}

#[test]
fn forged_chip_always_refers() {
    let chip = chip_for(&HONG);
    let forged = chip.with_altered_dg1();
    let mut req = request(&forged);
    // The printed MRZ is the genuine one; the chip's DG1 was altered after signing.
    req.mrz = chip.mrz_lines.join("\n");
    let d = decide_default(&req);
    assert_eq!(d.outcome, Outcome::Refer);
    assert!(
        codes(&d).contains(&ReasonCode::ChipDataInvalid),
        "{:?}",
        codes(&d)
    );
    assert!(
        codes(&d).contains(&ReasonCode::ChipMrzMismatch),
        "{:?}",
        codes(&d)
    );
    // A wrong hash in the SOD for DG1 too.
    let bad = build_chip(
        &mrz(&HONG),
        &world().pki.signer,
        ChipOptions {
            wrong_hash_for: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        codes(&decide_default(&request(&bad))),
        [ReasonCode::ChipDataInvalid]
    );
    // Signed by a document signer the trust store does not know.
    let stranger = TestPki::new("KR", SignerAlgorithm::EcdsaP256Sha256, now()).unwrap();
    let alien = build_chip(&mrz(&HONG), &stranger.signer, ChipOptions::default()).unwrap();
    let d = decide_default(&request(&alien));
    assert_eq!(d.outcome, Outcome::Refer);
    assert!(
        matches!(
            codes(&d).as_slice(),
            [ReasonCode::ChipNotAnchored] | [ReasonCode::ChipDataInvalid]
        ),
        "{:#?}",
        d.reasons
    );
    // No trust store at all: consistent, but not anchored.
    let w = world();
    let ctx = Context {
        config: &w.config,
        trust: &TrustStore::new(),
        watchlist: &w.screener,
        lost_stolen: &w.lost,
        traveller: &TravellerFacts::default(),
        now_unix_micros: (NOW_SECS * 1_000_000) as i64,
    };
    let d = decide(&request(&chip_for(&HONG)), &ctx);
    assert_eq!(codes(&d), [ReasonCode::ChipNotAnchored]);
    let mut lenient = w.config.clone();
    lenient.accept_unanchored_chain = true;
    let d = decide(
        &request(&chip_for(&HONG)),
        &Context {
            config: &lenient,
            ..ctx
        },
    );
    assert_eq!(d.outcome, Outcome::Open);
    // Revoked document signer.
    let revoked = build_chip(
        &mrz(&HONG),
        &world().pki.revoked_signer,
        ChipOptions::default(),
    )
    .unwrap();
    assert_eq!(
        codes(&decide_default(&request(&revoked))),
        [ReasonCode::ChipDataInvalid]
    );
}

#[test]
fn each_rule_alone() {
    let base = request(&chip_for(&HONG));
    let one = |req: &GateRequest, code: ReasonCode, rule: RuleId| {
        let d = decide_default(req);
        assert_eq!(codes(&d), [code], "{:#?}", d.reasons);
        assert_eq!(d.reasons[0].rule, rule);
        let failed: Vec<RuleId> = d
            .record
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.rule)
            .collect();
        assert_eq!(failed, [rule]);
    };

    let mut r = base.clone();
    r.mrz = "P<KORHONG<<GIL<DONG".into();
    let d = decide_default(&r);
    assert!(codes(&d).contains(&ReasonCode::MrzUnreadable));

    let mut r = base.clone();
    r.chip = None;
    one(&r, ReasonCode::ChipNotRead, RuleId::DocumentAuthentic);

    let mut r = base.clone();
    r.chip_check.active_authentication = ChipCheckOutcome::Failed;
    one(&r, ReasonCode::ChipCloneSuspected, RuleId::ChipGenuine);

    let expired = Traveller {
        expiry: "261123",
        ..HONG
    };
    one(
        &request(&chip_for(&expired)),
        ReasonCode::DocumentExpired,
        RuleId::DocumentNotExpired,
    );
    // Valid through its expiry day.
    let today = Traveller {
        expiry: "261124",
        ..HONG
    };
    assert_eq!(
        decide_default(&request(&chip_for(&today))).outcome,
        Outcome::Open
    );

    let lost = Traveller {
        number: "M99999999",
        ..HONG
    };
    one(
        &request(&chip_for(&lost)),
        ReasonCode::DocumentLostOrStolen,
        RuleId::DocumentNotLostOrStolen,
    );

    let child = Traveller {
        birth: "220101",
        ..HONG
    };
    one(
        &request(&chip_for(&child)),
        ReasonCode::UnderMinimumAge,
        RuleId::TravellerEligible,
    );

    let mut r = base.clone();
    r.biometric.as_mut().unwrap().score = 6_499;
    one(
        &r,
        ReasonCode::BiometricBelowThreshold,
        RuleId::BiometricMatch,
    );
    let mut r = base.clone();
    r.biometric.as_mut().unwrap().signature_verified = false;
    one(&r, ReasonCode::BiometricUnsigned, RuleId::BiometricMatch);
    let mut r = base.clone();
    r.biometric.as_mut().unwrap().threshold = 5_000;
    one(
        &r,
        ReasonCode::BiometricThresholdTooLow,
        RuleId::BiometricMatch,
    );
    let mut r = base.clone();
    r.biometric.as_mut().unwrap().algorithm = "unknown-matcher".into();
    one(
        &r,
        ReasonCode::BiometricAlgorithmNotAccepted,
        RuleId::BiometricMatch,
    );
    let mut r = base.clone();
    r.biometric = None;
    one(&r, ReasonCode::BiometricMissing, RuleId::BiometricMatch);

    let mut r = base.clone();
    r.direction = Direction::Exit;
    let overstayed = TravellerFacts {
        stay: Some(Stay {
            entered_on: day(2026, 1, 1),
            permitted_until: day(2026, 11, 20),
        }),
        ..Default::default()
    };
    let d = decide_with(&r, &overstayed, &world().config);
    assert_eq!(codes(&d), [ReasonCode::Overstay]);
    assert!(
        d.reasons[0].detail.contains("4 day(s) over"),
        "{}",
        d.reasons[0].detail
    );
}

#[test]
fn foreigners_enrolment_and_visas() {
    let cfg = &world().config;
    // A Chinese national: must be enrolled, and needs a visa.
    let zhang = Traveller {
        surname: "ZHANG",
        given: "WEI",
        number: "E12345678",
        nationality: "CHN",
        ..HONG
    };
    let req = request(&chip_for(&zhang));
    let d = decide_with(&req, &TravellerFacts::default(), cfg);
    assert_eq!(codes(&d), [ReasonCode::NotEnrolled, ReasonCode::NoVisa]);

    let enrolment = Enrolment {
        id: "EN-1".into(),
        issuing_state: "KOR".into(),
        document_number: "E12345678".into(),
        valid_until: day(2030, 1, 1),
        status: EnrolmentStatus::Active,
    };
    let visa = Visa {
        number: "V1".into(),
        category: "D-2".into(),
        valid_from: day(2026, 1, 1),
        valid_until: day(2027, 1, 1),
    };
    let facts = TravellerFacts {
        enrolment: Some(enrolment.clone()),
        visa: Some(visa.clone()),
        stay: None,
    };
    assert_eq!(decide_with(&req, &facts, cfg).outcome, Outcome::Open);

    let lapsed = TravellerFacts {
        enrolment: Some(Enrolment {
            status: EnrolmentStatus::Suspended,
            ..enrolment.clone()
        }),
        visa: Some(Visa {
            valid_until: day(2026, 11, 23),
            ..visa.clone()
        }),
        stay: None,
    };
    assert_eq!(
        codes(&decide_with(&req, &lapsed, cfg)),
        [ReasonCode::EnrolmentNotActive, ReasonCode::NoVisa]
    );
    let other_doc = TravellerFacts {
        enrolment: Some(Enrolment {
            document_number: "E00000000".into(),
            ..enrolment
        }),
        visa: Some(visa),
        stay: None,
    };
    assert_eq!(
        codes(&decide_with(&req, &other_doc, cfg)),
        [ReasonCode::EnrolmentForOtherDocument]
    );

    // A US national in a configuration that lets US nationals use gates: visa waiver.
    let smith = Traveller {
        surname: "SMITH",
        given: "JOHN",
        number: "A1234567",
        nationality: "USA",
        ..HONG
    };
    let mut us = cfg.clone();
    us.self_service_nationalities.push("USA".into());
    us.version = "with-usa".into();
    let d = decide_with(&request(&chip_for(&smith)), &TravellerFacts::default(), &us);
    assert_eq!(d.outcome, Outcome::Open, "{:#?}", d.reasons);
    assert_eq!(d.record.config_version, "with-usa");
}

#[test]
fn watchlist_hit_refers_with_the_reason() {
    // Listed as RI CHOL SU (McCune-Reischauer, PRK); travelling as LEE CHEOLSU (KOR passport).
    let lee = Traveller {
        surname: "LEE",
        given: "CHEOLSU",
        birth: "700501",
        ..HONG
    };
    let d = decide_default(&request(&chip_for(&lee)));
    assert_eq!(codes(&d), [ReasonCode::WatchlistHit]);
    assert_eq!(d.reasons[0].rule, RuleId::WatchlistClear);
    assert!(
        d.reasons[0].detail.contains("KPi.999"),
        "{}",
        d.reasons[0].detail
    );
    let hit = &d.record.evidence.watchlist_hits[0];
    assert_eq!(hit.entry_id, "T-1");
    // A namesake born 30 years later is not referred on the name alone.
    let young = Traveller {
        birth: "000501",
        ..lee
    };
    assert_eq!(
        decide_default(&request(&chip_for(&young))).outcome,
        Outcome::Open
    );
}

#[test]
fn all_rules_together() {
    let bad = Traveller {
        surname: "RI",
        given: "CHOL SU",
        number: "M99999999",
        birth: "700501",
        expiry: "250101",
        ..HONG
    };
    let mut req = request(&chip_for(&bad).with_altered_dg1());
    req.chip_check.active_authentication = ChipCheckOutcome::Failed;
    req.biometric.as_mut().unwrap().score = 10;
    req.direction = Direction::Exit;
    let facts = TravellerFacts {
        stay: Some(Stay {
            entered_on: day(2026, 1, 1),
            permitted_until: day(2026, 2, 1),
        }),
        ..Default::default()
    };
    let d = decide_with(&req, &facts, &world().config);
    let c = codes(&d);
    for expected in [
        ReasonCode::ChipDataInvalid,
        ReasonCode::ChipCloneSuspected,
        ReasonCode::DocumentExpired,
        ReasonCode::DocumentLostOrStolen,
        ReasonCode::BiometricBelowThreshold,
        ReasonCode::WatchlistHit,
        ReasonCode::Overstay,
    ] {
        assert!(c.contains(&expected), "{expected:?} missing from {c:?}");
    }
    assert!(d.record.rules.iter().filter(|r| !r.passed).count() >= 7);
}

#[test]
fn replay_detects_tampering_and_other_inputs() {
    let req = request(&chip_for(&HONG));
    let d = decide_default(&req);
    let mut tampered = d.record.clone();
    tampered.evidence.biometric.as_mut().unwrap().score = 1;
    assert_eq!(
        replay(&tampered),
        Err(dasan_border::gate::ReplayError::EvidenceDigest)
    );
    let mut other = req.clone();
    other.biometric.as_mut().unwrap().score += 1;
    assert!(!d.record.verify_inputs(&other, &TravellerFacts::default()));
    // A changed configuration is part of the record: replay uses the recorded one.
    let mut rec = d.record.clone();
    rec.config.minimum_age = 99;
    let again = replay(&rec).unwrap();
    assert_eq!(again.outcome, Outcome::Refer);
    assert_eq!(codes(&again), [ReasonCode::UnderMinimumAge]);
}
