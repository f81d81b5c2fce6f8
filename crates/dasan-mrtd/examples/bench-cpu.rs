//! Throughput on one core measured in CPU time (not wall time), so a busy shared machine
//! does not distort it: bench/mrtd/run prints this next to the Python `mrz` package.
//!
//!     cargo run --release -p dasan-mrtd --features factory --example bench-cpu [SECONDS]
#![allow(clippy::unwrap_used)]

use dasan_mrtd::factory::{ChipOptions, SignerAlgorithm, TestPki, build_chip};
use dasan_mrtd::{Date, Mrz, PassiveAuthInput, TrustStore, Verdict, passive_authentication};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

/// CPU seconds used by this thread (Linux: /proc/thread-self/stat, utime + stime).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn rate(name: &str, seconds: f64, mut f: impl FnMut()) {
    for _ in 0..100 {
        f();
    }
    let start = cpu_seconds();
    let mut n = 0u64;
    let mut batch = 1u64;
    while cpu_seconds() - start < seconds {
        for _ in 0..batch {
            f();
        }
        n += batch;
        batch = (batch * 2).min(4096);
    }
    let used = cpu_seconds() - start;
    println!(
        "{name:<34} {:>12.0} /s (CPU time, {n} runs in {used:.2} s)",
        n as f64 / used
    );
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    let td1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    let reference = Date::new(2026, 11, 24).unwrap();
    rate("mrz parse+validate TD3", seconds, || {
        black_box(Mrz::parse(black_box(td3), reference).unwrap());
    });
    rate("mrz parse+validate TD1", seconds, || {
        black_box(Mrz::parse(black_box(td1), reference).unwrap());
    });

    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_478_400);
    let traveller = Mrz::parse(td3, Date::new(2008, 6, 1).unwrap()).unwrap();
    for (name, alg) in [
        ("ECDSA P-256", SignerAlgorithm::EcdsaP256Sha256),
        ("RSA-2048 PKCS#1 v1.5", SignerAlgorithm::Rsa2048Pkcs1Sha256),
    ] {
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
        rate(&format!("passive auth {name}, warm"), seconds, || {
            black_box(passive_authentication(black_box(&input), &trust, at));
        });
        rate(&format!("passive auth {name}, cold"), seconds, || {
            let fresh = trust.clone();
            black_box(passive_authentication(black_box(&input), &fresh, at));
        });
    }
}
