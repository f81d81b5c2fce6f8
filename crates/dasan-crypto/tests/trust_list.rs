//! The signed trust list: what verifies, and everything that must not.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::now;
use dasan_crypto::pki::{AgencySpec, DistinguishedName, PkiLayout, PkiSpec, Purpose, pki_init};
use dasan_crypto::trust_list::{EntryStatus, TrustListError, sign_trust_list, verify_trust_list};
use dasan_crypto::{Algorithm, FileKeyStore};

fn spec(prefix: &str, tsl_algorithm: Algorithm) -> PkiSpec {
    PkiSpec {
        label_prefix: prefix.into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: format!("Dasan Root CA {prefix}"),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP256Sha256,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![AgencySpec {
            code: "MOIS".into(),
            name: "Ministry of the Interior and Safety".into(),
            purposes: vec![
                Purpose::TrustListSigning,
                Purpose::DocumentSigning,
                Purpose::AuditCheckpoint,
            ],
            algorithms: BTreeMap::from([(Purpose::TrustListSigning, tsl_algorithm)]),
        }],
        crl_base_url: "https://pki.dasan.example/crl".into(),
        validity: Default::default(),
        border_test: None,
    }
}

fn setup() -> (tempfile::TempDir, FileKeyStore, PkiLayout) {
    let (dir, store) = common::file_store();
    let layout = pki_init(&store, &spec("pki", Algorithm::EcdsaP256Sha256), now()).unwrap();
    (dir, store, layout)
}

fn parts(jws: &str) -> Vec<String> {
    jws.split('.').map(str::to_owned).collect()
}

fn reencode(part: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).unwrap()).unwrap();
    edit(&mut v);
    Base64UrlUnpadded::encode_string(&serde_json::to_vec(&v).unwrap())
}

#[test]
fn verifies_and_lists_every_key() {
    let (_d, _store, layout) = setup();
    let jws = layout.trust_list.as_ref().unwrap();
    let list = verify_trust_list(jws, &layout.root.certificate.der, now()).unwrap();
    assert_eq!(list.list_type, "dasan-trust-list");
    assert_eq!(list.sequence, 1);
    assert_eq!(list.issuer, "CN=Dasan Root CA pki,O=Dasan Platform,C=KR");
    assert_eq!(list.issued_at, "2026-03-01T00:00:00Z");
    assert_eq!(list.next_update, "2026-03-08T00:00:00Z");
    let purposes: Vec<&str> = list.entries.iter().map(|e| e.purpose.as_str()).collect();
    assert_eq!(
        purposes,
        ["document-signing", "audit-checkpoint", "trust-list-signing"]
    );
    let audit = &list.entries[1];
    assert_eq!(audit.algorithm, Algorithm::Ed25519);
    assert_eq!(audit.agency.as_deref(), Some("MOIS"));
    assert_eq!(audit.key_id, "pki-mois-audit-checkpoint@v1");
    assert_eq!(audit.status, EntryStatus::Active);
    assert_eq!(audit.certificate_chain.len(), 3);
    // The header is a standard JWS header with the chain in x5c.
    let header: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(&parts(jws)[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "dasan-trust-list+json");
    assert_eq!(header["x5c"].as_array().unwrap().len(), 3);
    // The JWS signature is the 64-byte r||s form, not DER.
    assert_eq!(
        Base64UrlUnpadded::decode_vec(&parts(jws)[2]).unwrap().len(),
        64
    );
}

#[test]
fn every_signing_algorithm_round_trips() {
    for (i, alg) in [
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
        Algorithm::Rsa2048PssSha256,
        Algorithm::Rsa2048Pkcs1v15Sha256,
    ]
    .into_iter()
    .enumerate()
    {
        let (_d, store) = common::file_store();
        let layout = pki_init(&store, &spec(&format!("p{i}"), alg), now()).unwrap();
        let jws = layout.trust_list.unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(&parts(&jws)[0]).unwrap())
                .unwrap();
        assert_eq!(header["alg"], alg.jws_alg());
        verify_trust_list(&jws, &layout.root.certificate.der, now()).unwrap();
    }
}

#[test]
fn tampering_is_detected() {
    let (_d, _store, layout) = setup();
    let jws = layout.trust_list.clone().unwrap();
    let root = &layout.root.certificate.der;
    let p = parts(&jws);

    // A changed payload (e.g. a key swapped in) no longer matches the signature.
    let payload = reencode(&p[1], |v| v["entries"][0]["status"] = "revoked".into());
    let err = verify_trust_list(&format!("{}.{payload}.{}", p[0], p[2]), root, now()).unwrap_err();
    assert!(matches!(err, TrustListError::Signature(_)), "{err}");

    // A changed signature.
    let mut sig = Base64UrlUnpadded::decode_vec(&p[2]).unwrap();
    sig[10] ^= 1;
    let forged = format!(
        "{}.{}.{}",
        p[0],
        p[1],
        Base64UrlUnpadded::encode_string(&sig)
    );
    assert!(matches!(
        verify_trust_list(&forged, root, now()).unwrap_err(),
        TrustListError::Signature(_)
    ));

    // A swapped algorithm.
    let header = reencode(&p[0], |v| v["alg"] = "ES384".into());
    assert!(matches!(
        verify_trust_list(&format!("{header}.{}.{}", p[1], p[2]), root, now()).unwrap_err(),
        TrustListError::Algorithm(_)
    ));
    let header = reencode(&p[0], |v| v["alg"] = "none".into());
    assert!(verify_trust_list(&format!("{header}.{}.", p[1]), root, now()).is_err());

    // Unknown critical header parameters, missing chain, wrong type, junk.
    let header = reencode(&p[0], |v| v["crit"] = serde_json::json!(["exp"]));
    assert!(matches!(
        verify_trust_list(&format!("{header}.{}.{}", p[1], p[2]), root, now()).unwrap_err(),
        TrustListError::Malformed(_)
    ));
    let header = reencode(&p[0], |v| {
        v.as_object_mut().unwrap().remove("x5c");
    });
    assert!(matches!(
        verify_trust_list(&format!("{header}.{}.{}", p[1], p[2]), root, now()).unwrap_err(),
        TrustListError::Malformed(_)
    ));
    let header = reencode(&p[0], |v| v["typ"] = "JWT".into());
    assert!(verify_trust_list(&format!("{header}.{}.{}", p[1], p[2]), root, now()).is_err());
    for junk in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.??.**",
        &format!("{}..{}", p[0], p[2]),
    ] {
        assert!(verify_trust_list(junk, root, now()).is_err(), "{junk:?}");
    }
}

#[test]
fn chain_and_freshness_are_enforced() {
    let (_d, _store, layout) = setup();
    let jws = layout.trust_list.clone().unwrap();
    // Another platform's root does not anchor this list.
    let (_d2, other_store) = common::file_store();
    let other = pki_init(
        &other_store,
        &spec("other", Algorithm::EcdsaP256Sha256),
        now(),
    )
    .unwrap();
    assert!(matches!(
        verify_trust_list(&jws, &other.root.certificate.der, now()).unwrap_err(),
        TrustListError::Chain(_)
    ));
    // A chain from the other platform spliced into the header does not verify either.
    let p = parts(&jws);
    let other_x5c = {
        let other_jws = other.trust_list.unwrap();
        let h: serde_json::Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(&parts(&other_jws)[0]).unwrap())
                .unwrap();
        h["x5c"].clone()
    };
    let header = reencode(&p[0], |v| v["x5c"] = other_x5c);
    assert!(
        verify_trust_list(
            &format!("{header}.{}.{}", p[1], p[2]),
            &other.root.certificate.der,
            now()
        )
        .is_err()
    );
    // Past nextUpdate the list is stale.
    let later = now() + Duration::from_secs(8 * 86_400);
    assert!(matches!(
        verify_trust_list(&jws, &layout.root.certificate.der, later).unwrap_err(),
        TrustListError::Expired { .. }
    ));
    // Before the certificates were valid.
    let earlier = now() - Duration::from_secs(60);
    assert!(matches!(
        verify_trust_list(&jws, &layout.root.certificate.der, earlier).unwrap_err(),
        TrustListError::Chain(_)
    ));
}

#[test]
fn only_trust_list_signers_may_sign() {
    let (_d, store, layout) = setup();
    let list = layout
        .trust_list(&store, 2, now(), now() + Duration::from_secs(86_400))
        .unwrap();
    let chain = |purpose| -> Vec<Vec<u8>> {
        layout
            .chain("MOIS", purpose)
            .unwrap()
            .into_iter()
            .map(|c| c.der.clone())
            .collect()
    };
    let doc = &layout.agency("MOIS").unwrap().end_entities[&Purpose::DocumentSigning];
    let tsl = &layout.agency("MOIS").unwrap().end_entities[&Purpose::TrustListSigning];
    // A document-signing key and certificate are not a trust-list signer.
    let err =
        sign_trust_list(&store, &doc.key, &chain(Purpose::DocumentSigning), &list).unwrap_err();
    assert!(
        matches!(err, TrustListError::NotTrustListSigner(_)),
        "{err}"
    );
    // The signing key must be the key of the first certificate.
    let err =
        sign_trust_list(&store, &doc.key, &chain(Purpose::TrustListSigning), &list).unwrap_err();
    assert!(
        matches!(err, TrustListError::NotTrustListSigner(_)),
        "{err}"
    );
    // A later list with a revoked entry round-trips with its status.
    let mut list = list;
    list.entries[0].status = EntryStatus::Revoked;
    let jws = sign_trust_list(&store, &tsl.key, &chain(Purpose::TrustListSigning), &list).unwrap();
    let back = verify_trust_list(&jws, &layout.root.certificate.der, now()).unwrap();
    assert_eq!(back, list);
    assert_eq!(back.sequence, 2);
    // A retired signing key cannot sign a new list.
    dasan_crypto::KeyStore::retire(&store, &tsl.key, now()).unwrap();
    assert!(sign_trust_list(&store, &tsl.key, &chain(Purpose::TrustListSigning), &list).is_err());
}
