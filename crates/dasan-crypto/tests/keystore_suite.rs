//! One behavioural suite, run against both backends: the file store and a SoftHSM2 token.
//!
//! Signatures are checked with the RustCrypto verifying-key types directly (not through this
//! crate), so a bug in the crate's own verification cannot hide a bug in signing.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use dasan_crypto::{Algorithm, KeyId, KeyState, KeyStore, KeyStoreError};
use sha2::{Digest, Sha256, Sha384};
use signature::Verifier;
use spki::DecodePublicKey;

/// Verify with the independent key types of each algorithm family.
fn independent_verify(alg: Algorithm, spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    match alg {
        Algorithm::EcdsaP256Sha256 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki).unwrap();
            let Ok(sig) = p256::ecdsa::DerSignature::from_bytes(sig) else {
                return false;
            };
            key.verify(msg, &sig).is_ok()
        }
        Algorithm::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(spki).unwrap();
            let Ok(sig) = p384::ecdsa::DerSignature::from_bytes(sig) else {
                return false;
            };
            key.verify(msg, &sig).is_ok()
        }
        Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => {
            let key = rsa::pkcs1v15::VerifyingKey::<Sha256>::from_public_key_der(spki).unwrap();
            let Ok(sig) = rsa::pkcs1v15::Signature::try_from(sig) else {
                return false;
            };
            key.verify(msg, &sig).is_ok()
        }
        Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256 => {
            let key = rsa::pss::VerifyingKey::<Sha256>::from_public_key_der(spki).unwrap();
            let Ok(sig) = rsa::pss::Signature::try_from(sig) else {
                return false;
            };
            key.verify(msg, &sig).is_ok()
        }
        Algorithm::Ed25519 => {
            let key = ed25519_dalek::VerifyingKey::from_public_key_der(spki).unwrap();
            let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                return false;
            };
            key.verify_strict(msg, &sig).is_ok()
        }
    }
}

fn rsa_modulus_bits(spki: &[u8]) -> usize {
    let key = rsa::RsaPublicKey::from_public_key_der(spki).unwrap();
    rsa::traits::PublicKeyParts::size(&key) * 8
}

/// The behaviour every backend must have. Each function is one test per backend.
mod suite {
    use super::*;
    use common::now;

    pub fn sign_verify(store: &dyn KeyStore, algs: &[Algorithm]) {
        for &alg in algs {
            let label = format!("sv-{}", alg.as_str());
            let info = store.generate(&label, alg, now()).unwrap();
            assert_eq!(info.id, KeyId::new(&label, 1));
            assert_eq!(info.algorithm, alg);
            assert_eq!(info.state, KeyState::Active);
            let spki = store.public_key(&info.id).unwrap();
            if let dasan_crypto::algorithm::KeyKind::Rsa { bits } = alg.key_kind() {
                assert_eq!(rsa_modulus_bits(&spki), bits, "{alg}");
            }
            let msg = b"Dasan official document, page 1 of 1";
            let sig = store.sign(&info.id, msg).unwrap();
            assert!(
                independent_verify(alg, &spki, msg, &sig),
                "{alg} signature does not verify"
            );
            assert!(
                !independent_verify(alg, &spki, b"a different document", &sig),
                "{alg} signature verifies a different message"
            );
            dasan_crypto::verify::verify_signature(alg, &spki, msg, &sig).unwrap();
            // ECDSA signatures convert to the fixed form JOSE/COSE use and back.
            if alg.is_ecdsa() {
                let fixed = dasan_crypto::verify::ecdsa_der_to_fixed(alg, &sig).unwrap();
                assert_eq!(
                    fixed.len(),
                    if alg == Algorithm::EcdsaP256Sha256 {
                        64
                    } else {
                        96
                    }
                );
                let der = dasan_crypto::verify::ecdsa_fixed_to_der(alg, &fixed).unwrap();
                assert!(independent_verify(alg, &spki, msg, &der));
            }
        }
    }

    pub fn sign_digest(store: &dyn KeyStore) {
        let msg = b"CMS signed attributes";
        for alg in [
            Algorithm::EcdsaP256Sha256,
            Algorithm::EcdsaP384Sha384,
            Algorithm::Rsa2048Pkcs1v15Sha256,
            Algorithm::Rsa2048PssSha256,
        ] {
            let label = format!("dg-{}", alg.as_str());
            let id = store.generate(&label, alg, now()).unwrap().id;
            let spki = store.public_key(&id).unwrap();
            let digest = match alg {
                Algorithm::EcdsaP384Sha384 => Sha384::digest(msg).to_vec(),
                _ => Sha256::digest(msg).to_vec(),
            };
            let sig = store.sign_digest(&id, &digest).unwrap();
            // A signature over the digest is a signature over the message.
            assert!(
                independent_verify(alg, &spki, msg, &sig),
                "{alg} digest signature"
            );
            let err = store.sign_digest(&id, &digest[1..]).unwrap_err();
            assert!(
                matches!(err, KeyStoreError::DigestLength { .. }),
                "{alg}: {err}"
            );
        }
        let ed = store
            .generate("dg-ed25519", Algorithm::Ed25519, now())
            .unwrap()
            .id;
        let err = store.sign_digest(&ed, &[0u8; 32]).unwrap_err();
        assert!(matches!(err, KeyStoreError::Unsupported { .. }), "{err}");
    }

    pub fn rotate_keeps_old_versions(store: &dyn KeyStore) {
        let v1 = store
            .generate("rot", Algorithm::EcdsaP256Sha256, now())
            .unwrap();
        let old_sig = store.sign(&v1.id, b"signed with v1").unwrap();
        let old_spki = store.public_key(&v1.id).unwrap();

        let later = now() + std::time::Duration::from_secs(3600);
        let v2 = store.rotate("rot", None, later).unwrap();
        assert_eq!(v2.id, KeyId::new("rot", 2));
        assert_eq!(v2.algorithm, Algorithm::EcdsaP256Sha256);
        assert_eq!(v2.state, KeyState::Active);
        assert_eq!(store.current("rot").unwrap().id, v2.id);
        assert_ne!(store.public_key(&v2.id).unwrap(), old_spki);

        let versions = store.versions("rot").unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].state, KeyState::Superseded);
        assert_eq!(versions[1].state, KeyState::Active);
        assert_eq!(store.key_info(&v1.id).unwrap().state, KeyState::Superseded);

        // The old version's public key is still there and still verifies what it signed.
        assert_eq!(store.public_key(&v1.id).unwrap(), old_spki);
        assert!(independent_verify(
            Algorithm::EcdsaP256Sha256,
            &old_spki,
            b"signed with v1",
            &old_sig
        ));
        // Superseded versions may still sign when addressed explicitly (until retired).
        let sig = store.sign(&v1.id, b"late").unwrap();
        assert!(independent_verify(
            Algorithm::EcdsaP256Sha256,
            &old_spki,
            b"late",
            &sig
        ));

        // Rotation can move a label to another algorithm.
        let v3 = store
            .rotate("rot", Some(Algorithm::Ed25519), later)
            .unwrap();
        assert_eq!(v3.algorithm, Algorithm::Ed25519);
        let spki = store.public_key(&v3.id).unwrap();
        let sig = store.sign(&v3.id, b"ed").unwrap();
        assert!(independent_verify(Algorithm::Ed25519, &spki, b"ed", &sig));
        assert_eq!(
            store.versions("rot").unwrap()[1].state,
            KeyState::Superseded
        );
    }

    pub fn retire_refuses_to_sign(store: &dyn KeyStore) {
        let v1 = store
            .generate("ret", Algorithm::EcdsaP384Sha384, now())
            .unwrap();
        let sig = store.sign(&v1.id, b"before").unwrap();
        let spki = store.public_key(&v1.id).unwrap();
        let v2 = store.rotate("ret", None, now()).unwrap();

        let retired = store.retire(&v1.id, now()).unwrap();
        assert_eq!(retired.state, KeyState::Retired);
        assert!(retired.retired_us.is_some());
        assert!(!retired.can_sign());
        for err in [
            store.sign(&v1.id, b"after").unwrap_err(),
            store
                .sign_digest(&v1.id, &Sha384::digest(b"after"))
                .unwrap_err(),
        ] {
            assert!(
                matches!(err, KeyStoreError::Retired(ref id) if *id == v1.id),
                "{err}"
            );
        }
        // The public key survives retirement, so old signatures stay verifiable.
        assert_eq!(store.public_key(&v1.id).unwrap(), spki);
        assert!(independent_verify(
            Algorithm::EcdsaP384Sha384,
            &spki,
            b"before",
            &sig
        ));
        // Retiring twice is harmless and keeps the first retirement time.
        let again = store
            .retire(&v1.id, now() + std::time::Duration::from_secs(9))
            .unwrap();
        assert_eq!(again.retired_us, retired.retired_us);

        // Retiring the newest version leaves the label without a current key.
        store.retire(&v2.id, now()).unwrap();
        assert!(matches!(
            store.current("ret").unwrap_err(),
            KeyStoreError::NoActiveVersion(_)
        ));
        let v3 = store.rotate("ret", None, now()).unwrap();
        assert_eq!(v3.id.version, 3);
        assert_eq!(store.current("ret").unwrap().id, v3.id);
        let states: Vec<_> = store
            .versions("ret")
            .unwrap()
            .iter()
            .map(|k| k.state)
            .collect();
        assert_eq!(
            states,
            [KeyState::Retired, KeyState::Retired, KeyState::Active]
        );
    }

    pub fn errors_are_typed(store: &dyn KeyStore) {
        store.generate("dup", Algorithm::Ed25519, now()).unwrap();
        assert!(matches!(
            store
                .generate("dup", Algorithm::Ed25519, now())
                .unwrap_err(),
            KeyStoreError::AlreadyExists(_)
        ));
        assert!(matches!(
            store.rotate("missing", None, now()).unwrap_err(),
            KeyStoreError::NotFound(_)
        ));
        let missing = KeyId::new("missing", 1);
        for err in [
            store.sign(&missing, b"x").unwrap_err(),
            store.public_key(&missing).unwrap_err(),
            store.key_info(&missing).unwrap_err(),
            store.retire(&missing, now()).unwrap_err(),
            store.sign(&KeyId::new("dup", 7), b"x").unwrap_err(),
            store.versions("missing").unwrap_err(),
            store.current("missing").unwrap_err(),
        ] {
            assert!(matches!(err, KeyStoreError::NotFound(_)), "{err}");
        }
        for bad in [
            "",
            "Upper",
            "../escape",
            "a/b",
            "-lead",
            "x".repeat(65).as_str(),
        ] {
            assert!(
                matches!(
                    store.generate(bad, Algorithm::Ed25519, now()).unwrap_err(),
                    KeyStoreError::InvalidLabel { .. }
                ),
                "{bad:?}"
            );
            assert!(store.sign(&KeyId::new(bad, 1), b"x").is_err());
        }
    }

    pub fn list_reports_metadata(store: &dyn KeyStore) {
        assert!(store.list().unwrap().is_empty());
        store.generate("b-key", Algorithm::Ed25519, now()).unwrap();
        store
            .generate("a-key", Algorithm::EcdsaP256Sha256, now())
            .unwrap();
        store
            .rotate("a-key", None, now() + std::time::Duration::from_secs(60))
            .unwrap();
        let list = store.list().unwrap();
        let ids: Vec<String> = list.iter().map(|k| k.id.to_string()).collect();
        assert_eq!(ids, ["a-key@v1", "a-key@v2", "b-key@v1"]);
        assert_eq!(list[0].created_us, 1_772_323_200_000_000);
        assert_eq!(list[1].created_us, 1_772_323_260_000_000);
        assert_eq!(list[0].created(), now());
        assert_eq!(list[0].algorithm, Algorithm::EcdsaP256Sha256);
        assert_eq!(list[2].algorithm, Algorithm::Ed25519);
        assert_eq!(
            list.iter().map(|k| k.state).collect::<Vec<_>>(),
            [KeyState::Superseded, KeyState::Active, KeyState::Active]
        );
        // Metadata serialises for the API / database without any key material.
        let json = serde_json::to_string(&list[0]).unwrap();
        assert!(
            json.contains("\"algorithm\":\"ecdsa-p256-sha256\""),
            "{json}"
        );
        assert!(json.contains("\"state\":\"superseded\""), "{json}");
    }

    /// Many threads rotating one label and creating their own: versions stay unique and
    /// contiguous and every key works.
    pub fn concurrent_threads(store: &(dyn KeyStore + 'static), threads: usize, rounds: usize) {
        store
            .generate("shared", Algorithm::EcdsaP256Sha256, now())
            .unwrap();
        std::thread::scope(|scope| {
            for t in 0..threads {
                scope.spawn(move || {
                    for _ in 0..rounds {
                        store.rotate("shared", None, now()).unwrap();
                    }
                    store
                        .generate(&format!("own-{t}"), Algorithm::Ed25519, now())
                        .unwrap();
                });
            }
        });
        let versions = store.versions("shared").unwrap();
        let numbers: Vec<u32> = versions.iter().map(|k| k.id.version).collect();
        let expected: Vec<u32> = (1..=u32::try_from(1 + threads * rounds).unwrap()).collect();
        assert_eq!(numbers, expected);
        for info in &versions {
            let spki = store.public_key(&info.id).unwrap();
            let sig = store.sign(&info.id, b"x").unwrap();
            assert!(independent_verify(info.algorithm, &spki, b"x", &sig));
        }
        assert_eq!(store.list().unwrap().len(), 1 + threads * rounds + threads);
    }

    pub fn debug_output_has_no_secrets(store: &dyn KeyStore) {
        let dbg = format!("{store:?}");
        assert!(!dbg.contains(common::USER_PIN), "{dbg}");
        assert!(!dbg.to_lowercase().contains("pin:"), "{dbg}");
    }
}

/// Generates `#[test]`s for one backend from the suite above.
macro_rules! backend_tests {
    ($backend:ident, $with_store:expr) => {
        mod $backend {
            use super::*;

            fn with_store(test: &str, body: impl FnOnce(&(dyn KeyStore + 'static))) {
                let run: fn(&str, &mut dyn FnMut(&(dyn KeyStore + 'static))) = $with_store;
                let mut body = Some(body);
                run(test, &mut |s| (body.take().expect("body runs once"))(s));
            }

            macro_rules! t {
                ($name:ident, |$s:ident| $body:expr) => {
                    #[test]
                    fn $name() {
                        let test = common::test_name(module_path!(), stringify!($name));
                        with_store(&test, |$s| $body);
                    }
                };
            }

            t!(sign_verify_ecdsa_and_ed25519, |s| suite::sign_verify(
                s,
                &[
                    Algorithm::EcdsaP256Sha256,
                    Algorithm::EcdsaP384Sha384,
                    Algorithm::Ed25519
                ]
            ));
            t!(sign_verify_rsa_2048, |s| suite::sign_verify(
                s,
                &[
                    Algorithm::Rsa2048Pkcs1v15Sha256,
                    Algorithm::Rsa2048PssSha256
                ]
            ));
            t!(sign_verify_rsa_3072_pkcs1v15, |s| suite::sign_verify(
                s,
                &[Algorithm::Rsa3072Pkcs1v15Sha256]
            ));
            t!(sign_verify_rsa_3072_pss, |s| suite::sign_verify(
                s,
                &[Algorithm::Rsa3072PssSha256]
            ));
            t!(sign_precomputed_digest, |s| suite::sign_digest(s));
            t!(rotate_keeps_old_versions_verifiable, |s| {
                suite::rotate_keeps_old_versions(s)
            });
            t!(retired_key_refuses_to_sign, |s| {
                suite::retire_refuses_to_sign(s)
            });
            t!(errors_are_typed, |s| suite::errors_are_typed(s));
            t!(list_reports_metadata, |s| suite::list_reports_metadata(s));
            t!(concurrent_threads_do_not_corrupt, |s| {
                suite::concurrent_threads(s, 6, 3)
            });
            t!(debug_output_has_no_secrets, |s| {
                suite::debug_output_has_no_secrets(s)
            });

            #[test]
            fn usable_as_arc_dyn_keystore() {
                let test = common::test_name(module_path!(), "usable_as_arc_dyn_keystore");
                with_store(&test, |s| {
                    // Object safety: the platform holds the store as Arc<dyn KeyStore>.
                    fn takes(_: Arc<dyn KeyStore>) {}
                    let _ = takes;
                    let id = s
                        .generate("arc", Algorithm::default(), common::now())
                        .unwrap()
                        .id;
                    assert_eq!(
                        s.key_info(&id).unwrap().algorithm,
                        Algorithm::EcdsaP256Sha256
                    );
                });
            }
        }
    };
}

backend_tests!(file, |_test, body| {
    let (_dir, store) = common::file_store();
    body(&store);
});

backend_tests!(pkcs11, |test, body| {
    common::in_softhsm(test, |store| body(store));
});
