//! Screening one traveller against the whole UN list, and a whole gate decision (MRZ parse,
//! passive authentication of an ECDSA P-256 chip, lost/stolen look-up, screening, rules).
//! `cargo bench -p dasan-border --bench border`; after criterion's figures it prints the latency
//! distribution (p50/p99/max) of 20,000 decisions and 20,000 screenings, one at a time.
//! Needs `../shared/testdata/watchlists/UN_consolidated.xml` (or `DASAN_TESTDATA`).

use criterion::Criterion;
use dasan_border::gate::{
    BiometricResult, ChipCheck, ChipCheckOutcome, ChipFiles, Modality, TravellerFacts,
};
use dasan_border::{
    Context, Direction, GateConfig, GateRequest, LostStolenList, Screener, ScreeningConfig,
    ScreeningQuery, decide, import_un_xml,
};
use dasan_mrtd::factory::{ChipOptions, SignerAlgorithm, TestPki, build_chip};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Mrz, MrzFormat, Sex, TrustStore};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

const NOW_SECS: u64 = 1_795_478_400;

fn un_list() -> Screener {
    let path = std::env::var_os("DASAN_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata")
        })
        .join("watchlists/UN_consolidated.xml");
    let file = std::fs::File::open(&path).expect("UN list (set DASAN_TESTDATA)");
    Screener::new(
        import_un_xml(std::io::BufReader::new(file))
            .expect("import")
            .records,
    )
}

struct Setup {
    screener: Screener,
    trust: TrustStore,
    lost: LostStolenList,
    config: GateConfig,
    request: GateRequest,
    traveller: TravellerFacts,
}

fn setup() -> Setup {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    let pki = TestPki::new("KR", SignerAlgorithm::EcdsaP256Sha256, now).expect("pki");
    let mut trust = TrustStore::new();
    trust.add_csca_der(&pki.csca.der).expect("csca");
    trust.add_crl_der(&pki.crl).expect("crl");
    let mrz = Mrz {
        format: MrzFormat::Td3,
        document_code: "P".into(),
        issuer: "KOR".into(),
        primary_identifier: "HONG".into(),
        secondary_identifier: "GIL DONG".into(),
        document_number: "M12345678".into(),
        nationality: "KOR".into(),
        birth_date: MrzDate {
            raw: "850315".into(),
            date: None,
        },
        sex: Sex::Male,
        expiry_date: MrzDate {
            raw: "320101".into(),
            date: None,
        },
        optional_data: String::new(),
        optional_data_2: String::new(),
        check_digits: CheckDigits::default(),
        lines: vec![],
    };
    let chip = build_chip(&mrz, &pki.signer, ChipOptions::default()).expect("chip");
    let request = GateRequest {
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
    };
    Setup {
        screener: un_list(),
        trust,
        lost: LostStolenList::new(),
        config: GateConfig::default(),
        request,
        traveller: TravellerFacts::default(),
    }
}

fn queries() -> Vec<ScreeningQuery> {
    let q = |name: &str| ScreeningQuery {
        name: name.into(),
        birth_date: dasan_border::CalendarDate::new(1970, 5, 1),
        nationality: Some("KOR".into()),
    };
    vec![
        q("HONG GIL DONG"),
        q("MOHAMMED AHMED HASSAN"),
        q("RA KYUNG SU"),
        q("SMITH JOHN"),
    ]
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: n={} p50={:?} p90={:?} p99={:?} max={:?}",
        samples.len(),
        p(0.50),
        p(0.90),
        p(0.99),
        samples[samples.len() - 1]
    );
}

fn main() {
    let s = setup();
    let ctx = Context {
        config: &s.config,
        trust: &s.trust,
        watchlist: &s.screener,
        lost_stolen: &s.lost,
        traveller: &s.traveller,
        now_unix_micros: (NOW_SECS * 1_000_000) as i64,
    };
    let mut c = Criterion::default().configure_from_args();
    let config = ScreeningConfig::default();
    let mut g = c.benchmark_group("border");
    g.measurement_time(Duration::from_secs(4));
    for q in queries() {
        g.bench_function(format!("screen UN list/{}", q.name), |b| {
            b.iter(|| black_box(s.screener.screen(black_box(&q), &config)))
        });
    }
    g.bench_function("gate decision (PA P-256 + screening + rules)", |b| {
        b.iter(|| black_box(decide(black_box(&s.request), &ctx)))
    });
    g.bench_function("replay a decision record", |b| {
        let d = decide(&s.request, &ctx);
        b.iter(|| black_box(dasan_border::replay(black_box(&d.record))))
    });
    g.finish();
    c.final_summary();

    let qs = queries();
    let mut screen = Vec::with_capacity(20_000);
    for i in 0..20_000 {
        let t = Instant::now();
        black_box(s.screener.screen(&qs[i % qs.len()], &config));
        screen.push(t.elapsed());
    }
    percentiles("screening, one traveller vs UN list", screen);
    let mut gate = Vec::with_capacity(20_000);
    for _ in 0..20_000 {
        let t = Instant::now();
        black_box(decide(&s.request, &ctx));
        gate.push(t.elapsed());
    }
    percentiles("gate decision", gate);
}
