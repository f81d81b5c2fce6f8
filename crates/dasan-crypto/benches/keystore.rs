//! Signing latency per backend and algorithm. Run with `bench/crypto/run` (which also sets up
//! a SoftHSM2 token for the PKCS#11 group) or `cargo bench -p dasan-crypto --bench keystore`
//! (file backend only).

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use dasan_crypto::{Algorithm, FileKeyStore, KekSource, KeyStore, Pkcs11Config, Pkcs11KeyStore};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const ALGORITHMS: [Algorithm; 5] = [
    Algorithm::EcdsaP256Sha256,
    Algorithm::EcdsaP384Sha384,
    Algorithm::Ed25519,
    Algorithm::Rsa2048PssSha256,
    Algorithm::Rsa3072Pkcs1v15Sha256,
];

fn sign_group(c: &mut Criterion, backend: &str, store: &dyn KeyStore) {
    let mut group = c.benchmark_group(format!("sign/{backend}"));
    group.measurement_time(Duration::from_secs(3));
    let msg = vec![0x5au8; 1024];
    for alg in ALGORITHMS {
        let label = format!("bench-{}", alg.as_str());
        let id = match store.current(&label) {
            Ok(info) => info.id,
            Err(_) => match store.generate(&label, alg, SystemTime::now()) {
                Ok(info) => info.id,
                Err(e) => panic!("cannot generate {alg} on {backend}: {e}"),
            },
        };
        group.bench_function(alg.as_str(), |b| {
            b.iter(|| store.sign(black_box(&id), black_box(&msg)))
        });
        if alg == Algorithm::EcdsaP256Sha256 {
            let digest = Sha256::digest(&msg);
            group.bench_function("ecdsa-p256-sha256/digest", |b| {
                b.iter(|| store.sign_digest(black_box(&id), black_box(&digest)))
            });
        }
    }
    group.finish();
}

fn file_backend(c: &mut Criterion) {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let kek = dir.path().join("kek.bin");
    let store = KekSource::create_key_file(&kek)
        .and_then(|()| FileKeyStore::create(dir.path().join("store"), &KekSource::KeyFile(kek)));
    let store = match store {
        Ok(s) => s,
        Err(e) => panic!("file store: {e}"),
    };
    sign_group(c, "file", &store);

    // Opening a passphrase store costs one Argon2id derivation (OWASP parameters).
    let pass = || KekSource::Passphrase(SecretString::from("benchmark passphrase".to_owned()));
    let path = dir.path().join("pass");
    if let Err(e) = FileKeyStore::create(&path, &pass()) {
        panic!("passphrase store: {e}");
    }
    let mut group = c.benchmark_group("open");
    group.sample_size(10);
    group.bench_function("file-store/argon2id-owasp", |b| {
        b.iter(|| FileKeyStore::open(black_box(&path), &pass()))
    });
    group.finish();

    // The in-memory floor: the same P-256 signature without the store.
    let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]);
    if let Ok(key) = key {
        let msg = vec![0x5au8; 1024];
        c.bench_function("sign/in-memory/ecdsa-p256-sha256", |b| {
            b.iter(|| {
                let s: p256::ecdsa::DerSignature = signature::Signer::sign(&key, black_box(&msg));
                s
            })
        });
    }
}

fn pkcs11_backend(c: &mut Criterion) {
    let (Ok(token), Ok(pin)) = (
        std::env::var("DASAN_BENCH_PKCS11_TOKEN"),
        std::env::var("DASAN_BENCH_PKCS11_PIN"),
    ) else {
        eprintln!("PKCS#11 group not run: bench/crypto/run sets DASAN_BENCH_PKCS11_TOKEN/PIN");
        return;
    };
    let module = std::env::var("DASAN_BENCH_PKCS11_MODULE")
        .unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".into());
    let store = Pkcs11KeyStore::open(&Pkcs11Config {
        module: module.into(),
        token_label: token,
        user_pin: SecretString::from(pin),
    });
    match store {
        Ok(store) => sign_group(c, "pkcs11-softhsm2", &store),
        Err(e) => panic!("PKCS#11 store: {e}"),
    }
}

criterion_group!(benches, file_backend, pkcs11_backend);
criterion_main!(benches);
