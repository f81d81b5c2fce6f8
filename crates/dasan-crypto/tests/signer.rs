//! StoreSigner with the RustCrypto builders: CMS SignedData (as PAdES needs) checked by
//! `openssl cms -verify`, and the x509-cert builder with typed signature types.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use common::now;
use dasan_crypto::pki::{AgencySpec, DistinguishedName, PkiSpec, Purpose, pki_init};
use dasan_crypto::{Algorithm, KeyStore, KeyStoreError, StoreSignature, StoreSigner};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use signature::hazmat::PrehashSigner;
use signature::{Keypair, Signer, Verifier};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, EncodePublicKey};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder};

fn small_spec() -> PkiSpec {
    PkiSpec {
        label_prefix: "pki".into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Root CA".into(),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP384Sha384,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![
            AgencySpec {
                code: "MOIS".into(),
                name: "Ministry of the Interior and Safety".into(),
                purposes: vec![Purpose::DocumentSigning],
                algorithms: BTreeMap::new(),
            },
            AgencySpec {
                code: "PPS".into(),
                name: "Public Procurement Service".into(),
                purposes: vec![Purpose::DocumentSigning],
                algorithms: BTreeMap::from([(
                    Purpose::DocumentSigning,
                    Algorithm::Rsa2048PssSha256,
                )]),
            },
        ],
        crl_base_url: "http://127.0.0.1:8080/pki/crl".into(),
        validity: Default::default(),
        border_test: None,
    }
}

/// A detached CMS SignedData over `content`, signed through the store, the way a PAdES
/// signer passes the byte-range digest as an external message digest.
/// The signer's certificate and its issuing CA travel in the message, as in a PAdES signature.
fn detached_cms(
    store: &dyn KeyStore,
    key: &dasan_crypto::KeyId,
    cert_der: &[u8],
    ca_der: &[u8],
    content: &[u8],
) -> Vec<u8> {
    let cert = Certificate::from_der(cert_der).unwrap();
    let ca = Certificate::from_der(ca_der).unwrap();
    let signer = StoreSigner::new(store, key).unwrap();
    let digest = Sha256::digest(content);
    let econtent = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: dasan_crypto::oid::SHA256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    });
    let signer_info =
        SignerInfoBuilder::new(sid, sha256.clone(), &econtent, Some(&digest)).unwrap();
    let mut builder = SignedDataBuilder::new(&econtent);
    builder
        .add_digest_algorithm(sha256)
        .unwrap()
        .add_certificate(CertificateChoices::Certificate(cert))
        .unwrap()
        .add_certificate(CertificateChoices::Certificate(ca))
        .unwrap()
        .add_signer_info::<_, StoreSignature>(signer_info, &signer)
        .unwrap();
    builder.build().unwrap().to_der().unwrap()
}

on_both_backends!(
    cms_signed_data_made_with_store_keys_verifies_in_openssl,
    |store| {
        common::require_openssl();
        let layout = pki_init(store, &small_spec(), now()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("root.pem"), layout.root.certificate.pem().unwrap()).unwrap();
        let content = "민원 증명서 — certificate of residence".as_bytes();
        std::fs::write(p("content.bin"), content).unwrap();
        std::fs::write(p("tampered.bin"), b"certificate of non-residence").unwrap();
        for code in ["MOIS", "PPS"] {
            let agency = layout.agency(code).unwrap();
            let ee = &agency.end_entities[&Purpose::DocumentSigning];
            let cms = detached_cms(
                store,
                &ee.key,
                &ee.certificate.der,
                &agency.issuing_ca.certificate.der,
                content,
            );
            std::fs::write(p("sig.der"), &cms).unwrap();
            let verify = |content_file: &str| {
                common::run(
                    Command::new("openssl")
                        .args([
                            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
                        ])
                        .arg("-in")
                        .arg(p("sig.der"))
                        .arg("-content")
                        .arg(p(content_file))
                        .arg("-CAfile")
                        .arg(p("root.pem"))
                        .args(["-out", "/dev/null"]),
                )
            };
            let (ok, out) = verify("content.bin");
            assert!(
                ok && out.contains("Verification successful"),
                "{code}: {out}"
            );
            let (ok, out) = verify("tampered.bin");
            assert!(!ok, "{code}: tampered content verified: {out}");
        }
    }
);

on_both_backends!(typed_signers_work_with_the_x509_builder, |store| {
    // P-256 through the typed DER signature, as the brief's Signer<p256::ecdsa::DerSignature>.
    let id = store
        .generate("typed-p256", Algorithm::EcdsaP256Sha256, now())
        .unwrap()
        .id;
    let signer = StoreSigner::new(store, &id).unwrap();
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(signer.spki_der()).unwrap();
    let profile = x509_cert::builder::profile::cabf::Root::new(
        false,
        x509_cert::name::Name::from_str("CN=Typed Signer Test,O=Dasan,C=KR").unwrap(),
    )
    .unwrap();
    let validity = x509_cert::time::Validity::new(
        x509_cert::time::Time::try_from(now()).unwrap(),
        x509_cert::time::Time::try_from(now() + Duration::from_secs(86_400)).unwrap(),
    );
    let serial = x509_cert::serial_number::SerialNumber::from(42u32);
    let builder = CertificateBuilder::new(profile, serial, validity, spki).unwrap();
    let cert = builder
        .build::<_, p256::ecdsa::DerSignature>(&signer)
        .unwrap();
    let vk = p256::ecdsa::VerifyingKey::from_public_key_der(signer.spki_der()).unwrap();
    let sig = p256::ecdsa::DerSignature::from_bytes(cert.signature().raw_bytes()).unwrap();
    vk.verify(&cert.tbs_certificate().to_der().unwrap(), &sig)
        .unwrap();

    // Fixed-size P-256 signatures (JOSE/COSE form) and prehash signing.
    let fixed: p256::ecdsa::Signature = signer.try_sign(b"cose payload").unwrap();
    vk.verify(b"cose payload", &fixed).unwrap();
    let pre: StoreSignature = signer.sign_prehash(&Sha256::digest(b"attrs")).unwrap();
    signer.verifying_key().verify(b"attrs", &pre).unwrap();
    assert_eq!(
        signer
            .verifying_key()
            .to_public_key_der()
            .unwrap()
            .as_bytes(),
        store.public_key(&id).unwrap()
    );

    // A typed signer for the wrong algorithm is an error, not a wrong signature.
    let wrong: Result<ed25519_dalek::Signature, _> = signer.try_sign(b"x");
    assert!(wrong.is_err());

    // Ed25519 and RSA typed signers.
    let ed = store
        .generate("typed-ed", Algorithm::Ed25519, now())
        .unwrap()
        .id;
    let ed_signer = StoreSigner::new(store, &ed).unwrap();
    let sig: ed25519_dalek::Signature = ed_signer.try_sign(b"note").unwrap();
    ed25519_dalek::VerifyingKey::from_public_key_der(ed_signer.spki_der())
        .unwrap()
        .verify_strict(b"note", &sig)
        .unwrap();
    let rsa = store
        .generate("typed-rsa", Algorithm::Rsa2048Pkcs1v15Sha256, now())
        .unwrap()
        .id;
    let rsa_signer = StoreSigner::new(store, &rsa).unwrap();
    let sig: rsa::pkcs1v15::Signature = rsa_signer.try_sign(b"legacy").unwrap();
    rsa::pkcs1v15::VerifyingKey::<Sha256>::from_public_key_der(rsa_signer.spki_der())
        .unwrap()
        .verify(b"legacy", &sig)
        .unwrap();

    // A retired key cannot back a signer, and a signer whose key is retired later fails.
    store.retire(&ed, now()).unwrap();
    assert!(matches!(
        StoreSigner::new(store, &ed).unwrap_err(),
        KeyStoreError::Retired(_)
    ));
    let late: Result<ed25519_dalek::Signature, _> = ed_signer.try_sign(b"late");
    assert!(late.is_err());
    // Debug output names the key, never key material.
    assert!(format!("{signer:?}").contains("typed-p256@v1"));
});
