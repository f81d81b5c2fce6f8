//! Build a complete demo PKI into a folder, for `conformance/pki/run` and for humans.
//!
//! ```text
//! cargo run -p dasan-crypto --example pki-demo -- OUTDIR                       # file key store
//! DASAN_PKCS11_PIN=... cargo run -p dasan-crypto --example pki-demo -- OUTDIR \
//!     --pkcs11 /usr/lib/softhsm/libsofthsm2.so TOKEN_LABEL                   # keys in an HSM
//! ```
//!
//! Writes (all PEM unless noted):
//!
//! ```text
//! OUTDIR/layout.json                      everything pki_init returned (no secrets)
//! OUTDIR/root/cert.pem  root/crl.pem  root/crl.der
//! OUTDIR/agencies/<CODE>/issuing-ca.pem   crl.pem  crl.der  <purpose>.pem  <purpose>-chain.pem
//! OUTDIR/border/csca.pem  csca-crl.pem  ds-<n>.pem
//! OUTDIR/revocation/revoked.pem           an extra MOIS document-signing certificate ...
//! OUTDIR/revocation/crl-2.pem             ... revoked (keyCompromise) in MOIS's CRL number 2
//! OUTDIR/trust-list.jws                   the signed trust list (compact JWS)
//! OUTDIR/trust-list.json                  its payload, pretty-printed
//! OUTDIR/keystore/ + kek.bin              the file key store (file backend only)
//! ```
//!
//! This is the platform side, so unlike the library it reads the clock.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use dasan_crypto::pki::{
    AgencySpec, BorderTestSpec, CertProfile, CertificateRequest, CrlRequest, DistinguishedName,
    PkiSpec, Purpose, RevocationReason, RevokedEntry, SubjectKey, issue_certificate, issue_crl,
    pki_init,
};
use dasan_crypto::{Algorithm, FileKeyStore, KekSource, KeyStore, Pkcs11Config, Pkcs11KeyStore};
use secrecy::SecretString;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn usage() -> Box<dyn Error> {
    "usage: pki-demo OUTDIR [--pkcs11 MODULE TOKEN_LABEL]  (PIN in $DASAN_PKCS11_PIN)".into()
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, contents)?;
    Ok(())
}

fn spec() -> PkiSpec {
    PkiSpec {
        label_prefix: "demo".into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Demo Root CA".into(),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP384Sha384,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![
            AgencySpec {
                code: "MOIS".into(),
                name: "행정안전부 Ministry of the Interior and Safety".into(),
                purposes: Purpose::ALL.to_vec(),
                algorithms: BTreeMap::new(),
            },
            AgencySpec {
                code: "PPS".into(),
                name: "조달청 Public Procurement Service".into(),
                purposes: vec![
                    Purpose::DocumentSigning,
                    Purpose::ProcurementReceipt,
                    Purpose::TimeStamping,
                ],
                // An RSA key where a relying party needs one.
                algorithms: BTreeMap::from([(
                    Purpose::DocumentSigning,
                    Algorithm::Rsa3072PssSha256,
                )]),
            },
        ],
        crl_base_url: "http://127.0.0.1:8080/pki/crl".into(),
        validity: Default::default(),
        border_test: Some(BorderTestSpec {
            country: "KR".into(),
            organization: "Dasan TEST".into(),
            csca_common_name: "Dasan TEST CSCA".into(),
            document_signers: 2,
            document_types: vec!["P".into()],
            algorithm: Algorithm::EcdsaP256Sha256,
        }),
    }
}

fn open_store(out: &Path, args: &[String]) -> Result<Box<dyn KeyStore>> {
    match args {
        [] => {
            let kek = out.join("kek.bin");
            KekSource::create_key_file(&kek)?;
            Ok(Box::new(FileKeyStore::create(
                out.join("keystore"),
                &KekSource::KeyFile(kek),
            )?))
        }
        [flag, module, token] if flag == "--pkcs11" => {
            let pin = std::env::var("DASAN_PKCS11_PIN")
                .map_err(|_| "set DASAN_PKCS11_PIN to the token's user PIN")?;
            Ok(Box::new(Pkcs11KeyStore::open(&Pkcs11Config {
                module: PathBuf::from(module),
                token_label: token.clone(),
                user_pin: SecretString::from(pin),
            })?))
        }
        _ => Err(usage()),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, rest) = args.split_first().ok_or_else(usage)?;
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let store = open_store(&out, rest)?;
    let store: &dyn KeyStore = store.as_ref();
    // Back-date a minute so verifiers with a slightly different clock accept the certificates.
    let now = SystemTime::now() - Duration::from_secs(60);

    let layout = pki_init(store, &spec(), now)?;
    write(
        &out.join("layout.json"),
        serde_json::to_vec_pretty(&layout)?,
    )?;
    write(&out.join("root/cert.pem"), layout.root.certificate.pem()?)?;
    write(&out.join("root/crl.pem"), layout.root.crl.pem()?)?;
    write(&out.join("root/crl.der"), &layout.root.crl.der)?;
    for a in &layout.agencies {
        let dir = out.join("agencies").join(&a.code);
        let ca_pem = a.issuing_ca.certificate.pem()?;
        write(&dir.join("issuing-ca.pem"), &ca_pem)?;
        write(&dir.join("crl.pem"), a.issuing_ca.crl.pem()?)?;
        write(&dir.join("crl.der"), &a.issuing_ca.crl.der)?;
        for (purpose, ee) in &a.end_entities {
            let pem = ee.certificate.pem()?;
            write(&dir.join(format!("{}.pem", purpose.as_str())), &pem)?;
            let chain = format!("{pem}{ca_pem}{}", layout.root.certificate.pem()?);
            write(&dir.join(format!("{}-chain.pem", purpose.as_str())), chain)?;
        }
    }
    if let Some(b) = &layout.border {
        write(&out.join("border/csca.pem"), b.csca.certificate.pem()?)?;
        write(&out.join("border/csca-crl.pem"), b.csca.crl.pem()?)?;
        for (i, ds) in b.document_signers.iter().enumerate() {
            write(
                &out.join(format!("border/ds-{}.pem", i + 1)),
                ds.certificate.pem()?,
            )?;
        }
    }

    // Revocation: one more MOIS document-signing certificate, then revoke it.
    let mois = layout.agency("MOIS").ok_or("MOIS missing")?;
    let key = store
        .generate("demo-mois-revocation-test", Algorithm::EcdsaP256Sha256, now)?
        .id;
    let revoked = issue_certificate(
        store,
        Some(mois.issuing_ca.issuer()),
        &CertificateRequest {
            subject: DistinguishedName {
                country: Some("KR".into()),
                organization: Some(mois.name.clone()),
                organizational_unit: Some("MOIS".into()),
                common_name: "MOIS Revocation Test".into(),
                serial_number: None,
            },
            subject_key: SubjectKey::Store(key),
            profile: CertProfile::EndEntity {
                purpose: Purpose::DocumentSigning,
            },
            not_before: now,
            not_after: now + Duration::from_secs(30 * 86_400),
            crl_distribution_point: Some(mois.issuing_ca.crl_url.clone()),
            private_key_usage_period: None,
        },
    )?;
    let crl = issue_crl(
        store,
        mois.issuing_ca.issuer(),
        &CrlRequest {
            crl_number: 2,
            this_update: now,
            next_update: now + Duration::from_secs(7 * 86_400),
            revoked: vec![RevokedEntry {
                serial: revoked.serial.clone(),
                revoked_at: now,
                reason: RevocationReason::KeyCompromise,
            }],
        },
    )?;
    write(&out.join("revocation/revoked.pem"), revoked.pem()?)?;
    write(&out.join("revocation/crl-2.pem"), crl.pem()?)?;

    let jws = layout.trust_list.as_deref().ok_or("no trust list signer")?;
    write(&out.join("trust-list.jws"), jws)?;
    let list = dasan_crypto::trust_list::verify_trust_list(
        jws,
        &layout.root.certificate.der,
        SystemTime::now(),
    )?;
    write(
        &out.join("trust-list.json"),
        serde_json::to_vec_pretty(&list)?,
    )?;

    println!(
        "PKI written to {} ({} backend): root, {} agencies, {} end-entities, border test CSCA with {} document signers, trust list with {} entries",
        out.display(),
        store.backend(),
        layout.agencies.len(),
        layout
            .agencies
            .iter()
            .map(|a| a.end_entities.len())
            .sum::<usize>(),
        layout
            .border
            .as_ref()
            .map_or(0, |b| b.document_signers.len()),
        list.entries.len()
    );
    Ok(())
}
