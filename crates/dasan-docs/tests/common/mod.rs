//! A throw-away PKI (file key store in a temporary directory) and fonts for the tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dasan_crypto::pki::{AgencySpec, DistinguishedName, PkiLayout, PkiSpec, Purpose, pki_init};
use dasan_crypto::{Algorithm, FileKeyStore, KekSource, StoreSigner};
use dasan_docs::Fonts;
use dasan_docs::pades::DocumentSigner;
use dasan_docs::tsa::{LocalTsa, TimeStampAuthority};

/// A fixed "now": 2026-03-01T00:00:00Z.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_772_323_200)
}

pub fn fonts() -> Fonts {
    Fonts::nanum_gothic(Path::new(dasan_docs::fonts::DEBIAN_NANUM_DIR))
        .expect("fonts-nanum is installed (apt-get install fonts-nanum)")
}

pub struct Pki {
    pub dir: tempfile::TempDir,
    pub store: FileKeyStore,
    pub layout: PkiLayout,
}

/// MOIS: ECDSA P-256 document signing, time-stamping and trust-list signing;
/// NTS: RSA document signing.
pub fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let store = FileKeyStore::create(dir.path().join("store"), &KekSource::KeyFile(kek)).unwrap();
    let spec = PkiSpec {
        label_prefix: "pki".into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Test Root CA".into(),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP256Sha256,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![
            AgencySpec {
                code: "MOIS".into(),
                name: "행정안전부".into(),
                purposes: vec![
                    Purpose::DocumentSigning,
                    Purpose::TimeStamping,
                    Purpose::TrustListSigning,
                ],
                algorithms: BTreeMap::new(),
            },
            AgencySpec {
                code: "NTS".into(),
                name: "국세청".into(),
                purposes: vec![Purpose::DocumentSigning],
                algorithms: BTreeMap::from([(
                    Purpose::DocumentSigning,
                    Algorithm::Rsa2048Pkcs1v15Sha256,
                )]),
            },
        ],
        crl_base_url: "http://127.0.0.1:8099/crl".into(),
        validity: Default::default(),
        border_test: None,
    };
    let layout = pki_init(&store, &spec, now()).unwrap();
    Pki { dir, store, layout }
}

impl Pki {
    pub fn signer(&self, agency: &str) -> DocumentSigner<'_> {
        let a = self.layout.agency(agency).unwrap();
        let ee = &a.end_entities[&Purpose::DocumentSigning];
        DocumentSigner {
            signer: StoreSigner::new(&self.store, &ee.key).unwrap(),
            certificate: ee.certificate.der.clone(),
            chain: vec![a.issuing_ca.certificate.der.clone()],
        }
    }

    pub fn tsa(&self) -> TimeStampAuthority<'_> {
        let a = self.layout.agency("MOIS").unwrap();
        let ee = &a.end_entities[&Purpose::TimeStamping];
        TimeStampAuthority::new(
            StoreSigner::new(&self.store, &ee.key).unwrap(),
            &ee.certificate.der,
            vec![a.issuing_ca.certificate.der.clone()],
        )
        .unwrap()
    }

    pub fn local_tsa(&self) -> LocalTsa<'_> {
        LocalTsa::new(self.tsa(), || now() + Duration::from_secs(5))
    }
}
