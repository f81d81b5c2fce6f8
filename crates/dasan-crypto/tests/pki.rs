//! PKI: profiles, chains, CRLs and revocation, on both backends; cross-checked with openssl.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::now;
use dasan_crypto::pki::{
    AgencySpec, BorderTestSpec, CertProfile, CertificateRequest, CrlRequest, DistinguishedName,
    IssuedCertificate, Issuer, PkiError, PkiLayout, PkiSpec, Purpose, RevocationReason,
    RevokedEntry, SubjectKey, issue_certificate, issue_crl, pki_init, pki_init_with_root_store,
    verify_chain,
};
use dasan_crypto::{Algorithm, KeyStore, KeyStoreError, oid};
use der::Decode;
use der::asn1::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};

const DAY: u64 = 86_400;

fn spec() -> PkiSpec {
    PkiSpec {
        label_prefix: "pki".into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Root CA".into(),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP256Sha256,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![
            AgencySpec {
                code: "MOIS".into(),
                name: "행정안전부".into(),
                purposes: Purpose::ALL.to_vec(),
                algorithms: BTreeMap::new(),
            },
            AgencySpec {
                code: "PPS".into(),
                name: "Public Procurement Service".into(),
                purposes: vec![Purpose::ProcurementReceipt, Purpose::DocumentSigning],
                algorithms: BTreeMap::from([(
                    Purpose::DocumentSigning,
                    Algorithm::Rsa2048PssSha256,
                )]),
            },
        ],
        crl_base_url: "https://pki.dasan.example/crl/".into(),
        validity: Default::default(),
        border_test: Some(BorderTestSpec {
            country: "KR".into(),
            organization: "Dasan Test".into(),
            csca_common_name: "Dasan TEST CSCA".into(),
            document_signers: 2,
            document_types: vec!["P".into()],
            algorithm: Algorithm::EcdsaP256Sha256,
        }),
    }
}

fn cert(c: &IssuedCertificate) -> Certificate {
    Certificate::from_der(&c.der).unwrap()
}

fn ext<'a, T: der::Decode<'a, Error = der::Error> + const_oid::AssociatedOid>(
    c: &'a Certificate,
) -> Option<(bool, T)> {
    c.tbs_certificate().get_extension::<T>().unwrap()
}

fn ski(c: &Certificate) -> Vec<u8> {
    ext::<SubjectKeyIdentifier>(c)
        .unwrap()
        .1
        .0
        .as_bytes()
        .to_vec()
}

fn aki(c: &Certificate) -> Vec<u8> {
    ext::<AuthorityKeyIdentifier>(c)
        .unwrap()
        .1
        .key_identifier
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn crl_url(c: &Certificate) -> Option<String> {
    let (_, dps) = ext::<CrlDistributionPoints>(c)?;
    let dp = dps.0.first()?.distribution_point.clone()?;
    match dp {
        x509_cert::ext::pkix::name::DistributionPointName::FullName(names) => {
            match names.first()? {
                x509_cert::ext::pkix::name::GeneralName::UniformResourceIdentifier(u) => {
                    Some(u.to_string())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn key_usage(c: &Certificate) -> (bool, Vec<KeyUsages>) {
    let (critical, ku) = ext::<KeyUsage>(c).unwrap();
    (critical, ku.0.into_iter().collect())
}

fn ekus(c: &Certificate) -> Option<(bool, Vec<ObjectIdentifier>)> {
    ext::<ExtendedKeyUsage>(c).map(|(crit, e)| (crit, e.0))
}

/// Checks shared by every certificate: positive serial of at least 64 bits, SKI, AKI.
fn common_checks(c: &Certificate, issuer: &Certificate) {
    let serial = c.tbs_certificate().serial_number().as_bytes();
    assert!(
        serial.len() >= 8 && serial[0] & 0x80 == 0,
        "serial {serial:02x?}"
    );
    assert_eq!(aki(c), ski(issuer), "AKI must equal the issuer's SKI");
    assert_eq!(ski(c).len(), 20);
}

fn check_layout(store: &dyn KeyStore, layout: &PkiLayout) {
    let root = cert(&layout.root.certificate);
    common_checks(&root, &root);
    let (crit, bc) = ext::<BasicConstraints>(&root).unwrap();
    assert!(crit && bc.ca && bc.path_len_constraint == Some(1));
    assert_eq!(
        key_usage(&root),
        (true, vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign])
    );
    assert!(ekus(&root).is_none());
    let validity = root.tbs_certificate().validity();
    assert_eq!(validity.not_before.to_system_time(), now());
    assert_eq!(
        validity.not_after.to_system_time(),
        now() + Duration::from_secs(20 * 365 * DAY)
    );

    for agency in &layout.agencies {
        let ca = cert(&agency.issuing_ca.certificate);
        common_checks(&ca, &root);
        let (crit, bc) = ext::<BasicConstraints>(&ca).unwrap();
        assert!(crit && bc.ca && bc.path_len_constraint == Some(0));
        assert_eq!(
            key_usage(&ca),
            (true, vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign])
        );
        assert_eq!(
            crl_url(&ca).as_deref(),
            Some("https://pki.dasan.example/crl/root.crl")
        );
        // The agency code is in the subject.
        assert!(
            agency
                .issuing_ca
                .certificate
                .subject
                .contains(&format!("OU={}", agency.code))
        );

        for (purpose, ee) in &agency.end_entities {
            let c = cert(&ee.certificate);
            common_checks(&c, &ca);
            assert!(ext::<BasicConstraints>(&c).is_none_or(|(_, bc)| !bc.ca));
            assert_eq!(
                crl_url(&c),
                Some(format!(
                    "https://pki.dasan.example/crl/{}.crl",
                    agency.code.to_lowercase()
                ))
            );
            let (ku_critical, ku) = key_usage(&c);
            assert!(ku_critical);
            let eku = ekus(&c);
            match purpose {
                Purpose::DocumentSigning | Purpose::ProcurementReceipt => {
                    assert_eq!(ku, [KeyUsages::DigitalSignature, KeyUsages::NonRepudiation]);
                    assert_eq!(eku, Some((false, vec![oid::KP_DOCUMENT_SIGNING])));
                }
                Purpose::TimeStamping => {
                    assert_eq!(ku, [KeyUsages::DigitalSignature]);
                    // RFC 3161 §2.3: exactly id-kp-timeStamping, critical.
                    assert_eq!(eku, Some((true, vec![oid::KP_TIME_STAMPING])));
                }
                Purpose::AuditCheckpoint => {
                    assert_eq!(ku, [KeyUsages::DigitalSignature]);
                    assert_eq!(eku, None);
                    assert_eq!(
                        c.tbs_certificate().subject_public_key_info().algorithm.oid,
                        oid::ED25519
                    );
                }
                Purpose::TrustListSigning => {
                    assert_eq!(ku, [KeyUsages::DigitalSignature, KeyUsages::NonRepudiation]);
                    assert_eq!(eku, Some((false, vec![oid::KP_TSL_SIGNING])));
                }
            }
            // The certificate certifies the store key.
            assert_eq!(
                der::Encode::to_der(c.tbs_certificate().subject_public_key_info()).unwrap(),
                store.public_key(&ee.key).unwrap()
            );
            let chain: Vec<Vec<u8>> = layout
                .chain(&agency.code, *purpose)
                .unwrap()
                .iter()
                .map(|c| c.der.clone())
                .collect();
            verify_chain(&chain, &layout.root.certificate.der, now()).unwrap();
            verify_chain(&chain[..2], &layout.root.certificate.der, now()).unwrap();
            // Not valid before issuance or after expiry.
            assert!(
                verify_chain(
                    &chain,
                    &layout.root.certificate.der,
                    now() - Duration::from_secs(1)
                )
                .is_err()
            );
            assert!(
                verify_chain(
                    &chain,
                    &layout.root.certificate.der,
                    now() + Duration::from_secs(4 * 365 * DAY)
                )
                .is_err()
            );
        }
    }
    // PPS's document-signing key was overridden to RSA-PSS: its certificate is signed with the
    // issuing CA's ECDSA key, and its own key is RSA.
    let pps = layout.agency("PPS").unwrap();
    let pps_doc = &pps.end_entities[&Purpose::DocumentSigning];
    assert_eq!(
        store.key_info(&pps_doc.key).unwrap().algorithm,
        Algorithm::Rsa2048PssSha256
    );

    // ICAO test CSCA and document signers.
    let border = layout.border.as_ref().unwrap();
    let csca = cert(&border.csca.certificate);
    common_checks(&csca, &csca);
    assert_eq!(
        csca.tbs_certificate().issuer(),
        csca.tbs_certificate().subject()
    );
    let (crit, bc) = ext::<BasicConstraints>(&csca).unwrap();
    assert!(crit && bc.ca && bc.path_len_constraint == Some(0));
    assert_eq!(
        key_usage(&csca),
        (true, vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign])
    );
    assert!(ekus(&csca).is_none(), "Doc 9303: no EKU in a CSCA");
    assert!(ext::<x509_cert::ext::pkix::PrivateKeyUsagePeriod>(&csca).is_some());
    assert_eq!(
        border.csca.certificate.subject,
        "CN=Dasan TEST CSCA,O=Dasan Test,C=KR"
    );
    for ds in &border.document_signers {
        let c = cert(&ds.certificate);
        common_checks(&c, &csca);
        assert_eq!(key_usage(&c), (true, vec![KeyUsages::DigitalSignature]));
        assert!(ekus(&c).is_none(), "Doc 9303: no EKU in a document signer");
        assert!(ext::<BasicConstraints>(&c).is_none());
        let doc_types = c
            .tbs_certificate()
            .extensions()
            .unwrap()
            .iter()
            .find(|e| e.extn_id == oid::ICAO_DOCUMENT_TYPE_LIST)
            .unwrap();
        assert!(!doc_types.critical);
        // SEQUENCE { INTEGER 0, SET { PrintableString "P" } }
        assert_eq!(
            doc_types.extn_value.as_bytes(),
            [0x30, 0x08, 0x02, 0x01, 0x00, 0x31, 0x03, 0x13, 0x01, b'P']
        );
        assert_eq!(
            c.tbs_certificate()
                .subject()
                .country()
                .unwrap()
                .map(|c| c.to_string()),
            Some("KR".into())
        );
        verify_chain(
            std::slice::from_ref(&ds.certificate.der),
            &border.csca.certificate.der,
            now(),
        )
        .unwrap();
        // A document signer does not chain to the platform root.
        assert!(
            verify_chain(
                std::slice::from_ref(&ds.certificate.der),
                &layout.root.certificate.der,
                now()
            )
            .is_err()
        );
    }

    // Initial CRLs: number 1, nothing revoked, AKI = the CA's SKI, signature valid.
    for (ca_record, days) in std::iter::once((&layout.root, 90))
        .chain(layout.agencies.iter().map(|a| (&a.issuing_ca, 7)))
        .chain(std::iter::once((&border.csca, 7)))
    {
        let ca = cert(&ca_record.certificate);
        let crl: CertificateList = CertificateList::from_der(&ca_record.crl.der).unwrap();
        let tbs = &crl.tbs_cert_list;
        assert_eq!(&tbs.issuer, ca.tbs_certificate().subject());
        assert!(tbs.revoked_certificates.is_none());
        assert_eq!(tbs.this_update.to_system_time(), now());
        assert_eq!(
            tbs.next_update.unwrap().to_system_time(),
            now() + Duration::from_secs(days * DAY)
        );
        let exts = tbs.crl_extensions.as_ref().unwrap();
        let aki_ext = exts
            .iter()
            .find(|e| e.extn_id == oid::CE_AUTHORITY_KEY_IDENTIFIER)
            .unwrap();
        let crl_aki = AuthorityKeyIdentifier::from_der(aki_ext.extn_value.as_bytes()).unwrap();
        assert_eq!(crl_aki.key_identifier.unwrap().as_bytes(), ski(&ca));
        assert!(exts.iter().any(|e| e.extn_id == oid::CE_CRL_NUMBER));
        dasan_crypto::verify::verify_with_identifier(
            &crl.signature_algorithm,
            &der::Encode::to_der(ca.tbs_certificate().subject_public_key_info()).unwrap(),
            &der::Encode::to_der(tbs).unwrap(),
            crl.signature.raw_bytes(),
        )
        .unwrap();
        assert!(
            ca_record
                .crl
                .pem()
                .unwrap()
                .starts_with("-----BEGIN X509 CRL-----")
        );
    }

    // Trust list: verifies against the pinned root and lists every end-entity key.
    let jws = layout.trust_list.as_ref().unwrap();
    let list =
        dasan_crypto::trust_list::verify_trust_list(jws, &layout.root.certificate.der, now())
            .unwrap();
    assert_eq!(list.entries.len(), 5 + 2 + 2);
    for entry in &list.entries {
        let id: dasan_crypto::KeyId = entry.key_id.parse().unwrap();
        let spki = dasan_crypto::keystore::KeyStore::public_key(store, &id).unwrap();
        let listed = {
            use base64ct::{Base64, Encoding};
            Base64::decode_vec(&entry.spki).unwrap()
        };
        assert_eq!(listed, spki);
        assert_eq!(entry.algorithm, store.key_info(&id).unwrap().algorithm);
    }

    // The layout is plain data: it round-trips through JSON.
    let json = serde_json::to_string(layout).unwrap();
    let back: PkiLayout = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, layout);
}

/// Write PEMs and run `openssl verify` on every end-entity, as an independent check of
/// certificates made with this backend's keys.
fn openssl_check(layout: &PkiLayout, dir: &Path) {
    common::require_openssl();
    let write = |name: &str, c: &IssuedCertificate| {
        let p = dir.join(name);
        std::fs::write(&p, c.pem().unwrap()).unwrap();
        p
    };
    let root = write("root.pem", &layout.root.certificate);
    for a in &layout.agencies {
        let ca = write(&format!("{}-ca.pem", a.code), &a.issuing_ca.certificate);
        for (purpose, ee) in &a.end_entities {
            let leaf = write(
                &format!("{}-{}.pem", a.code, purpose.as_str()),
                &ee.certificate,
            );
            let (ok, out) = common::run(
                Command::new("openssl")
                    .args(["verify", "-x509_strict", "-CAfile"])
                    .arg(&root)
                    .arg("-untrusted")
                    .arg(&ca)
                    .arg(&leaf),
            );
            assert!(
                ok && out.contains(": OK"),
                "openssl verify {}: {out}",
                purpose.as_str()
            );
        }
    }
    let border = layout.border.as_ref().unwrap();
    let csca = write("csca.pem", &border.csca.certificate);
    for (i, ds) in border.document_signers.iter().enumerate() {
        let leaf = write(&format!("ds-{i}.pem"), &ds.certificate);
        let (ok, out) = common::run(
            Command::new("openssl")
                .args(["verify", "-x509_strict", "-CAfile"])
                .arg(&csca)
                .arg(&leaf),
        );
        assert!(ok, "openssl verify document signer: {out}");
    }
}

on_both_backends!(pki_init_builds_a_conformant_layout, |store| {
    let layout = pki_init(store, &spec(), now()).unwrap();
    check_layout(store, &layout);
    let dir = tempfile::tempdir().unwrap();
    openssl_check(&layout, dir.path());
    // Running it again is refused before any key is generated.
    let before = store.list().unwrap().len();
    let err = pki_init(store, &spec(), now()).unwrap_err();
    assert!(matches!(err, PkiError::InvalidRequest(_)), "{err}");
    assert_eq!(store.list().unwrap().len(), before);
});

// The root key can live in a store of its own (kept offline); everything else is unchanged.
on_both_backends!(root_key_in_a_separate_store, |store| {
    let (_dir, root_store) = common::file_store();
    let layout = pki_init_with_root_store(&root_store, store, &spec(), now()).unwrap();
    check_layout(store, &layout);
    assert!(matches!(
        store.versions("pki-root").unwrap_err(),
        KeyStoreError::NotFound(_)
    ));
    assert_eq!(root_store.list().unwrap().len(), 1);
    assert_eq!(layout.root.key, root_store.list().unwrap()[0].id);
    // Issuing CAs are recorded with their own keys, which live in `store`.
    let mois = layout.agency("MOIS").unwrap();
    assert_eq!(
        mois.issuing_ca.certificate.key.as_ref(),
        Some(&mois.issuing_ca.key)
    );
    store.public_key(&mois.issuing_ca.key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    openssl_check(&layout, dir.path());
});

// Issue a certificate, revoke it in a new CRL, and check that openssl rejects it with
// `-crl_check_all` while accepting a certificate that is not revoked.
on_both_backends!(revoked_certificate_is_rejected_by_openssl, |store| {
    let mut s = spec();
    s.border_test = None;
    s.agencies.truncate(1);
    s.agencies[0].purposes = vec![Purpose::DocumentSigning];
    let layout = pki_init(store, &s, now()).unwrap();
    let mois = layout.agency("MOIS").unwrap();
    let victim_key = store
        .generate("victim", Algorithm::EcdsaP256Sha256, now())
        .unwrap()
        .id;
    let victim = issue_certificate(
        store,
        Some(mois.issuing_ca.issuer()),
        &CertificateRequest {
            subject: DistinguishedName::cn("Victim"),
            subject_key: SubjectKey::Store(victim_key),
            profile: CertProfile::EndEntity {
                purpose: Purpose::DocumentSigning,
            },
            not_before: now(),
            not_after: now() + Duration::from_secs(30 * DAY),
            crl_distribution_point: Some(mois.issuing_ca.crl_url.clone()),
            private_key_usage_period: None,
        },
    )
    .unwrap();
    let crl = issue_crl(
        store,
        mois.issuing_ca.issuer(),
        &CrlRequest {
            crl_number: 2,
            this_update: now() + Duration::from_secs(60),
            next_update: now() + Duration::from_secs(8 * DAY),
            revoked: vec![RevokedEntry {
                serial: victim.serial.clone(),
                revoked_at: now() + Duration::from_secs(30),
                reason: RevocationReason::KeyCompromise,
            }],
        },
    )
    .unwrap();
    assert_eq!((crl.crl_number, crl.revoked), (2, 1));
    let parsed: CertificateList = CertificateList::from_der(&crl.der).unwrap();
    let entry = &parsed.tbs_cert_list.revoked_certificates.as_ref().unwrap()[0];
    assert_eq!(
        entry.serial_number.as_bytes(),
        cert(&victim).tbs_certificate().serial_number().as_bytes()
    );

    common::require_openssl();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("root.pem"), layout.root.certificate.pem().unwrap()).unwrap();
    std::fs::write(p("ca.pem"), mois.issuing_ca.certificate.pem().unwrap()).unwrap();
    std::fs::write(p("victim.pem"), victim.pem().unwrap()).unwrap();
    std::fs::write(
        p("good.pem"),
        mois.end_entities[&Purpose::DocumentSigning]
            .certificate
            .pem()
            .unwrap(),
    )
    .unwrap();
    std::fs::write(p("ca.crl"), crl.pem().unwrap()).unwrap();
    std::fs::write(p("root.crl"), layout.root.crl.pem().unwrap()).unwrap();
    let verify = |leaf: &str| {
        common::run(
            Command::new("openssl")
                .args(["verify", "-crl_check_all", "-CAfile"])
                .arg(p("root.pem"))
                .arg("-untrusted")
                .arg(p("ca.pem"))
                .arg("-CRLfile")
                .arg(p("ca.crl"))
                .arg("-CRLfile")
                .arg(p("root.crl"))
                .arg("-attime")
                .arg(
                    (now() + Duration::from_secs(3600))
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                        .to_string(),
                )
                .arg(p(leaf)),
        )
    };
    let (ok, out) = verify("good.pem");
    assert!(ok, "good certificate rejected: {out}");
    let (ok, out) = verify("victim.pem");
    assert!(
        !ok && out.contains("certificate revoked"),
        "revoked certificate accepted: {out}"
    );
    // And the CRL itself verifies against its issuer.
    let (ok, out) = common::run(
        Command::new("openssl")
            .args(["crl", "-noout", "-in"])
            .arg(p("ca.crl"))
            .arg("-CAfile")
            .arg(p("ca.pem")),
    );
    assert!(ok && out.contains("verify OK"), "{out}");
});

on_both_backends!(issuance_rules_are_enforced, |store| {
    let mut s = spec();
    s.agencies.truncate(1);
    s.agencies[0].purposes = vec![Purpose::DocumentSigning];
    let layout = pki_init(store, &s, now()).unwrap();
    let mois = layout.agency("MOIS").unwrap();
    let ee = &mois.end_entities[&Purpose::DocumentSigning];
    let key = store
        .generate("subject", Algorithm::Ed25519, now())
        .unwrap()
        .id;
    let req = |profile| CertificateRequest {
        subject: DistinguishedName::cn("Subject"),
        subject_key: SubjectKey::Store(key.clone()),
        profile,
        not_before: now(),
        not_after: now() + Duration::from_secs(DAY),
        crl_distribution_point: None,
        private_key_usage_period: None,
    };
    let ee_purpose = || CertProfile::EndEntity {
        purpose: Purpose::DocumentSigning,
    };

    // Self-signed end-entity.
    assert!(matches!(
        issue_certificate(store, None, &req(ee_purpose())).unwrap_err(),
        PkiError::InvalidRequest(_)
    ));
    // An end-entity cannot issue.
    let err = issue_certificate(
        store,
        Some(ee.certificate.as_issuer().unwrap()),
        &req(ee_purpose()),
    )
    .unwrap_err();
    assert!(matches!(err, PkiError::Issuer(_)), "{err}");
    // The issuer's key must be the key of its certificate.
    let wrong = Issuer {
        key: &ee.key,
        certificate: &mois.issuing_ca.certificate.der,
    };
    assert!(matches!(
        issue_certificate(store, Some(wrong), &req(ee_purpose())).unwrap_err(),
        PkiError::Issuer(_)
    ));
    // pathLen 0 issuing CA cannot issue a CA.
    let err = issue_certificate(
        store,
        Some(mois.issuing_ca.issuer()),
        &req(CertProfile::IssuingCa { path_len: 0 }),
    )
    .unwrap_err();
    assert!(matches!(err, PkiError::Issuer(_)), "{err}");
    // A root must be self-signed.
    assert!(
        issue_certificate(
            store,
            Some(layout.root.issuer()),
            &req(CertProfile::RootCa { path_len: None })
        )
        .is_err()
    );
    // CRL URLs must be http(s).
    let mut bad_url = req(ee_purpose());
    bad_url.crl_distribution_point = Some("ldap://x".into());
    assert!(matches!(
        issue_certificate(store, Some(mois.issuing_ca.issuer()), &bad_url).unwrap_err(),
        PkiError::InvalidRequest(_)
    ));
    // Document signer country must match the CSCA's.
    let border = layout.border.as_ref().unwrap();
    let mut ds = req(CertProfile::DocumentSigner {
        document_types: vec!["P".into()],
    });
    ds.subject.country = Some("JP".into());
    assert!(matches!(
        issue_certificate(store, Some(border.csca.issuer()), &ds).unwrap_err(),
        PkiError::InvalidRequest(_)
    ));
    ds.subject.country = Some("KR".into());
    ds.profile = CertProfile::DocumentSigner {
        document_types: vec!["passport".into()],
    };
    assert!(issue_certificate(store, Some(border.csca.issuer()), &ds).is_err());
    // Validity is clamped to the issuer's.
    let mut long = req(ee_purpose());
    long.not_after = now() + Duration::from_secs(100 * 365 * DAY);
    let issued = issue_certificate(store, Some(mois.issuing_ca.issuer()), &long).unwrap();
    assert_eq!(
        issued.not_after_us,
        mois.issuing_ca.certificate.not_after_us
    );
    // External public keys can be certified too.
    let mut external = req(ee_purpose());
    external.subject_key = SubjectKey::Spki(store.public_key(&key).unwrap());
    let issued = issue_certificate(store, Some(mois.issuing_ca.issuer()), &external).unwrap();
    assert_eq!(issued.key, None);
    // A retired issuer key can no longer issue.
    store.retire(&mois.issuing_ca.key, now()).unwrap();
    let err =
        issue_certificate(store, Some(mois.issuing_ca.issuer()), &req(ee_purpose())).unwrap_err();
    assert!(
        matches!(err, PkiError::KeyStore(KeyStoreError::Retired(_))),
        "{err}"
    );
});

#[test]
fn a_bad_spec_fails_before_any_key_is_generated() {
    let (_dir, store) = common::file_store();
    let mut bad_specs = Vec::new();
    let mut s = spec();
    s.agencies[1].name = "x".repeat(65);
    bad_specs.push(s);
    let mut s = spec();
    s.agencies[1].code = "P P S".into();
    bad_specs.push(s);
    let mut s = spec();
    s.agencies[1].code = "mois".into(); // same as MOIS, case-insensitively
    bad_specs.push(s);
    let mut s = spec();
    s.crl_base_url = "ftp://example/crl".into();
    bad_specs.push(s);
    let mut s = spec();
    s.border_test.as_mut().unwrap().country = "Korea".into();
    bad_specs.push(s);
    let mut s = spec();
    s.border_test.as_mut().unwrap().document_signers = 0;
    bad_specs.push(s);
    let mut s = spec();
    s.label_prefix = "Bad Prefix".into();
    bad_specs.push(s);
    for s in bad_specs {
        assert!(pki_init(&store, &s, now()).is_err());
        assert!(
            store.list().unwrap().is_empty(),
            "keys were generated for a bad spec"
        );
    }
}
