//! PKCS#11 specifics against SoftHSM2: key protection on the token, login and module errors,
//! persistence across sessions.

#![allow(clippy::unwrap_used)]

mod common;

use common::now;
use dasan_crypto::{Algorithm, KeyId, KeyStore, KeyStoreError, Pkcs11KeyStore};

macro_rules! softhsm_test {
    ($name:ident, |$store:ident| $body:block) => {
        #[test]
        fn $name() {
            let test = common::test_name(module_path!(), stringify!($name));
            common::in_softhsm(&test, |$store| $body);
        }
    };
}

softhsm_test!(private_keys_are_sensitive_and_never_extractable, |store| {
    for alg in [
        Algorithm::EcdsaP256Sha256,
        Algorithm::Rsa2048PssSha256,
        Algorithm::Ed25519,
    ] {
        let id = store
            .generate(&format!("p-{}", alg.as_str()), alg, now())
            .unwrap()
            .id;
        let p = store.key_protection(&id).unwrap();
        assert!(p.sensitive && p.always_sensitive, "{alg}: {p:?}");
        assert!(!p.extractable && p.never_extractable, "{alg}: {p:?}");
    }
});

softhsm_test!(retire_destroys_the_private_key_on_the_token, |store| {
    let id = store
        .generate("r", Algorithm::EcdsaP256Sha256, now())
        .unwrap()
        .id;
    store.retire(&id, now()).unwrap();
    assert!(matches!(
        store.key_protection(&id).unwrap_err(),
        KeyStoreError::Retired(_)
    ));
    assert!(store.public_key(&id).is_ok());
});

softhsm_test!(keys_persist_across_store_instances, |store| {
    let id = store
        .generate("persist", Algorithm::EcdsaP384Sha384, now())
        .unwrap()
        .id;
    let spki = store.public_key(&id).unwrap();
    let second = Pkcs11KeyStore::open(&common::pkcs11_config(
        common::TOKEN_LABEL,
        common::USER_PIN,
    ))
    .unwrap();
    assert_eq!(second.public_key(&id).unwrap(), spki);
    let sig = second.sign(&id, b"x").unwrap();
    dasan_crypto::verify::verify_signature(Algorithm::EcdsaP384Sha384, &spki, b"x", &sig).unwrap();
    assert_eq!(second.list().unwrap(), store.list().unwrap());
});

softhsm_test!(unknown_token_is_a_clear_error, |_store| {
    let err = Pkcs11KeyStore::open(&common::pkcs11_config("no-such-token", common::USER_PIN))
        .unwrap_err();
    assert!(matches!(err, KeyStoreError::Token(_)), "{err}");
    assert!(err.to_string().contains("no-such-token"));
});

softhsm_test!(rotation_creates_a_distinct_key_pair_on_the_token, |store| {
    let v1 = store.generate("k", Algorithm::Ed25519, now()).unwrap().id;
    let v2 = store.rotate("k", None, now()).unwrap().id;
    assert_eq!(v2, KeyId::new("k", 2));
    assert_ne!(
        store.public_key(&v1).unwrap(),
        store.public_key(&v2).unwrap()
    );
});

/// A wrong PIN must fail to log in. SoftHSM2 remembers failed logins per token, so this runs
/// on its own fresh token (own process) rather than inside another test.
#[test]
fn wrong_pin_is_rejected() {
    let test = "wrong_pin_is_rejected";
    if common::is_softhsm_child(test) {
        let err = Pkcs11KeyStore::open(&common::pkcs11_config(common::TOKEN_LABEL, "000000"))
            .unwrap_err();
        assert!(
            matches!(err, KeyStoreError::Pkcs11 { .. }) && err.to_string().contains("C_Login"),
            "{err}"
        );
        return;
    }
    let hsm = common::SoftHsm::fresh();
    common::run_child(test, &hsm, &[]);
}

#[test]
fn missing_module_names_the_package_to_install() {
    let mut config = common::pkcs11_config("t", "1");
    config.module = "/nonexistent/libsofthsm2.so".into();
    let err = Pkcs11KeyStore::open(&config).unwrap_err();
    assert!(
        err.to_string().contains("apt-get install softhsm2"),
        "{err}"
    );
    // The PIN never appears in Debug output of the configuration.
    let dbg = format!("{config:?}");
    assert!(
        dbg.contains("[REDACTED]") && !dbg.contains("user_pin: \"1\""),
        "{dbg}"
    );
}

const ROLE: &str = "DASAN_TEST_PKCS11_ROLE";
const ROUNDS: u32 = 6;

/// Two processes (two nodes sharing one HSM) rotate the same label at the same time. The
/// version-claim protocol must give every version to exactly one of them. The test re-runs
/// itself: once to create the key, twice concurrently as workers, once to check.
#[test]
fn two_processes_rotating_on_one_token_get_distinct_versions() {
    let test = "two_processes_rotating_on_one_token_get_distinct_versions";
    if common::is_softhsm_child(test) {
        // SoftHSM keeps a token in plain files that another process may be rewriting at this
        // moment (a rotation), and reads the token list once per process, so it can miss the
        // token; a real HSM does not. Such a child asks to be started again (before it has
        // done anything): the property under test is the version protocol below.
        let store = match Pkcs11KeyStore::open(&common::pkcs11_config(
            common::TOKEN_LABEL,
            common::USER_PIN,
        )) {
            Ok(store) => store,
            Err(e) => {
                eprintln!("token not readable yet ({e}); asking to be restarted");
                std::process::exit(common::TEMPFAIL);
            }
        };
        match std::env::var(ROLE).unwrap().as_str() {
            "setup" => {
                store
                    .generate("shared", Algorithm::EcdsaP256Sha256, now())
                    .unwrap();
            }
            "worker" => {
                for _ in 0..ROUNDS {
                    store.rotate("shared", None, now()).unwrap();
                }
            }
            "check" => {
                let versions: Vec<u32> = store
                    .versions("shared")
                    .unwrap()
                    .iter()
                    .map(|k| k.id.version)
                    .collect();
                assert_eq!(versions, (1..=1 + 2 * ROUNDS).collect::<Vec<_>>());
                for v in versions {
                    let id = KeyId::new("shared", v);
                    let spki = store.public_key(&id).unwrap();
                    let sig = store.sign(&id, b"x").unwrap();
                    dasan_crypto::verify::verify_signature(
                        Algorithm::EcdsaP256Sha256,
                        &spki,
                        b"x",
                        &sig,
                    )
                    .unwrap();
                }
            }
            other => panic!("unknown role {other}"),
        }
        return;
    }
    let hsm = common::SoftHsm::fresh();
    common::run_child(test, &hsm, &[(ROLE, "setup")]);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let hsm_conf = hsm.conf.clone();
            std::thread::spawn(move || {
                let hsm = common::SoftHsm::reuse(hsm_conf);
                common::run_child(test, &hsm, &[(ROLE, "worker")]);
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker process failed");
    }
    common::run_child(test, &hsm, &[(ROLE, "check")]);
}
