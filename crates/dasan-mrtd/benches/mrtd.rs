//! MRZ parse+validate and passive authentication throughput (bench/mrtd/RESULTS.md).
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dasan_mrtd::factory::{ChipOptions, SignerAlgorithm, TestPki, build_chip};
use dasan_mrtd::{Date, Mrz, PassiveAuthInput, TrustStore, Verdict, passive_authentication};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const REFERENCE: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

fn mrz(c: &mut Criterion) {
    let mut g = c.benchmark_group("mrz");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_validate_td3", |b| {
        b.iter(|| Mrz::parse(black_box(TD3), REFERENCE).unwrap())
    });
    g.bench_function("parse_validate_td1", |b| {
        b.iter(|| Mrz::parse(black_box(TD1), REFERENCE).unwrap())
    });
    g.finish();
}

fn passive(c: &mut Criterion) {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_478_400);
    let traveller = Mrz::parse(TD3, Date::new(2008, 6, 1).unwrap()).unwrap();
    let mut g = c.benchmark_group("passive_authentication");
    g.throughput(Throughput::Elements(1));
    for (name, alg) in [
        ("ecdsa_p256", SignerAlgorithm::EcdsaP256Sha256),
        ("rsa2048_pkcs1", SignerAlgorithm::Rsa2048Pkcs1Sha256),
        ("rsa2048_pss", SignerAlgorithm::Rsa2048PssSha256),
    ] {
        // CSCA and document signer both use `alg`: two signature checks per run.
        let pki = TestPki::new("UT", alg, at).unwrap();
        let chip = build_chip(&traveller, &pki.signer, ChipOptions::default()).unwrap();
        let mut trust = TrustStore::new();
        trust.add_csca_der(&pki.csca.der).unwrap();
        trust.add_crl_der(&pki.crl).unwrap();
        let input = PassiveAuthInput {
            sod: &chip.sod,
            data_groups: &chip.data_groups,
            ef_com: Some(&chip.ef_com),
            printed_mrz: None,
        };
        assert_eq!(
            passive_authentication(&input, &trust, at).verdict,
            Verdict::Valid
        );
        // Warm: the trust store has seen this document signer and CRL before (a reading
        // station's steady state): one EF.SOD signature check plus the hashes.
        g.bench_function(format!("{name}_warm"), |b| {
            b.iter(|| passive_authentication(black_box(&input), &trust, at))
        });
        // Cold: a fresh trust store each time: EF.SOD, certificate and CRL signatures.
        g.bench_function(format!("{name}_cold"), |b| {
            b.iter(|| {
                let fresh = trust.clone();
                passive_authentication(black_box(&input), &fresh, at)
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30);
    targets = mrz, passive
}
criterion_main!(benches);
