//! Sample signed documents for the conformance checks (conformance/docs/run).
//!
//! ```text
//! cargo run -p dasan-docs --example sample -- OUTDIR [CRL_BASE_URL] [FONT_DIR]
//! ```
//!
//! Builds a throw-away PKI (file key store in OUTDIR/keys) whose certificates point at
//! CRL_BASE_URL (default http://127.0.0.1:8099/crl), then writes into OUTDIR:
//! `root.pem`, `crl/{root,mois,nts}.crl` (serve `crl/` at CRL_BASE_URL), `trust-list.jws`,
//! `signers/*.pem` (document-signing certificates), and for each sample `NAME.pdf` plus
//! `NAME.qr` (its QR payload) and `NAME.level`. `contract-two-party-blt.pdf` is a procurement
//! contract signed by two parties: the procuring entity (PPS's document-signing key), then the
//! supplier (an e-seal certificate PPS's issuing CA issues to the business) as an incremental
//! update; both signatures must validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dasan_crypto::pki::{
    AgencySpec, CertProfile, CertificateRequest, DistinguishedName, PkiSpec, Purpose, SubjectKey,
    issue_certificate, pki_init,
};
use dasan_crypto::{Algorithm, FileKeyStore, KekSource, KeyStore, StoreSigner};
use dasan_docs::pades::{DocumentSigner, LtvMaterial, PadesLevel, SignatureInfo, sign_pades};
use dasan_docs::seal::{Claims, make_qr_payload};
use dasan_docs::tsa::{LocalTsa, TimeStampAuthority};
use dasan_docs::{DocumentType, Fonts, Language, Layout, Paper, render, samples};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(
        args.get(1)
            .ok_or("usage: sample OUTDIR [CRL_BASE_URL] [FONT_DIR]")?,
    );
    let crl_base = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8099/crl".into());
    let font_dir = args
        .get(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(dasan_docs::fonts::DEBIAN_NANUM_DIR));
    // Just before the real time, so validators see current certificates and CRLs.
    let now = SystemTime::now() - Duration::from_secs(120);
    let now = UNIX_EPOCH + Duration::from_secs(now.duration_since(UNIX_EPOCH)?.as_secs());

    for d in ["keys", "crl", "signers"] {
        std::fs::create_dir_all(out.join(d))?;
    }
    let kek = out.join("keys/kek.bin");
    if !kek.exists() {
        KekSource::create_key_file(&kek)?;
    }
    let store = FileKeyStore::create(out.join("keys/store"), &KekSource::KeyFile(kek))?;
    let spec = PkiSpec {
        label_prefix: format!("sample{}", now.duration_since(UNIX_EPOCH)?.as_secs()),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Sample Root CA".into(),
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
            AgencySpec {
                code: "PPS".into(),
                name: "조달청".into(),
                purposes: vec![Purpose::DocumentSigning],
                algorithms: BTreeMap::new(),
            },
        ],
        crl_base_url: crl_base,
        validity: Default::default(),
        border_test: None,
    };
    let layout = pki_init(&store, &spec, now)?;
    std::fs::write(out.join("root.pem"), layout.root.certificate.pem()?)?;
    std::fs::write(out.join("crl/root.crl"), &layout.root.crl.der)?;
    for a in &layout.agencies {
        std::fs::write(
            out.join(format!("crl/{}.crl", a.code.to_ascii_lowercase())),
            &a.issuing_ca.crl.der,
        )?;
        let ee = &a.end_entities[&Purpose::DocumentSigning];
        std::fs::write(
            out.join(format!("signers/{}.pem", a.code.to_ascii_lowercase())),
            ee.certificate.pem()?,
        )?;
    }
    std::fs::write(
        out.join("trust-list.jws"),
        layout.trust_list.clone().ok_or("no trust list")?,
    )?;

    let fonts = Fonts::nanum_gothic(&font_dir)?;
    let mois = layout.agency("MOIS").ok_or("no MOIS")?;
    let tsa_ee = &mois.end_entities[&Purpose::TimeStamping];
    let tsa = LocalTsa::new(
        TimeStampAuthority::new(
            StoreSigner::new(&store, &tsa_ee.key)?,
            &tsa_ee.certificate.der,
            vec![mois.issuing_ca.certificate.der.clone()],
        )?,
        move || now,
    );
    // QR seals are ES256: every agency's seal is made with an ECDSA P-256 document-signing key
    // (MOIS here); PAdES signatures use each agency's own key, RSA for NTS.
    let seal_ee = &mois.end_entities[&Purpose::DocumentSigning];
    let seal_signer = StoreSigner::new(&store, &seal_ee.key)?;

    let plan: Vec<(
        &str,
        DocumentType,
        Language,
        Layout,
        Paper,
        PadesLevel,
        &str,
    )> = vec![
        (
            "resident-bb",
            DocumentType::ResidentRegistration,
            Language::Ko,
            Layout::Bilingual,
            Paper::A4,
            PadesLevel::BB,
            "MOIS",
        ),
        (
            "resident-bt",
            DocumentType::ResidentRegistration,
            Language::Ko,
            Layout::Bilingual,
            Paper::A4,
            PadesLevel::BT,
            "MOIS",
        ),
        (
            "resident-blt",
            DocumentType::ResidentRegistration,
            Language::Ko,
            Layout::Bilingual,
            Paper::A4,
            PadesLevel::BLT,
            "MOIS",
        ),
        (
            "family-ko-blt",
            DocumentType::FamilyRelations,
            Language::Ko,
            Layout::Single,
            Paper::A4,
            PadesLevel::BLT,
            "MOIS",
        ),
        (
            "business-en-blt",
            DocumentType::BusinessRegistration,
            Language::En,
            Layout::Single,
            Paper::Letter,
            PadesLevel::BLT,
            "MOIS",
        ),
        (
            "tax-rsa-blt",
            DocumentType::TaxPayment,
            Language::Ko,
            Layout::Bilingual,
            Paper::A4,
            PadesLevel::BLT,
            "NTS",
        ),
        (
            "land-ko-blt",
            DocumentType::LandRegister,
            Language::Ko,
            Layout::Single,
            Paper::A4,
            PadesLevel::BLT,
            "MOIS",
        ),
        (
            "decision-en-bt",
            DocumentType::DecisionLetter,
            Language::En,
            Layout::Single,
            Paper::Letter,
            PadesLevel::BT,
            "MOIS",
        ),
        (
            "contract-entity-blt",
            DocumentType::ProcurementContract,
            Language::Ko,
            Layout::Single,
            Paper::A4,
            PadesLevel::BLT,
            "PPS",
        ),
    ];
    let mut entity_signed = None;
    for (name, t, lang, lay, paper, level, agency) in plan {
        let doc = samples::spec(t, lang, lay, paper, now);
        let claims = Claims::from_spec(&doc, now + Duration::from_secs(90 * 86_400))?;
        let payload = make_qr_payload(&claims, &seal_signer, &seal_ee.certificate.der)?;
        let pdf = render(&doc, &fonts, &payload)?;
        let a = layout.agency(agency).ok_or("no agency")?;
        let ee = &a.end_entities[&Purpose::DocumentSigning];
        let signer = DocumentSigner {
            signer: StoreSigner::new(&store, &ee.key)?,
            certificate: ee.certificate.der.clone(),
            chain: vec![a.issuing_ca.certificate.der.clone()],
        };
        let ltv = LtvMaterial::from_layout(&layout, agency, "MOIS").ok_or("no LTV material")?;
        let info = SignatureInfo {
            reason: Some("Official document issued by Dasan".into()),
            location: Some("Sejong, KR".into()),
            name: Some(a.name.clone()),
        };
        let signed = sign_pades(&pdf, &signer, level, now, Some(&tsa), Some(&ltv), &info)?;
        if t == DocumentType::ProcurementContract {
            entity_signed = Some((signed.clone(), payload.clone()));
        }
        write(&out, name, "pdf", &signed)?;
        write(&out, name, "qr", payload.as_bytes())?;
        write(&out, name, "level", format!("{level:?}").as_bytes())?;
        println!(
            "{name}.pdf: {} bytes ({level:?}), QR {} chars",
            signed.len(),
            payload.len()
        );
    }

    // The supplier's e-seal: a key in the store certified by PPS's issuing CA, as the platform
    // does on a supplier's first contract; its signature is added to the entity-signed PDF.
    let (entity_pdf, payload) = entity_signed.ok_or("no contract sample")?;
    let pps = layout.agency("PPS").ok_or("no PPS")?;
    let key = store.generate(
        &format!("{}-seal", spec.label_prefix),
        Algorithm::EcdsaP256Sha256,
        now,
    )?;
    let seal = issue_certificate(
        &store,
        Some(pps.issuing_ca.issuer()),
        &CertificateRequest {
            subject: DistinguishedName {
                country: Some("KR".into()),
                organization: Some("다산건설 주식회사".into()),
                organizational_unit: None,
                common_name: "다산건설 주식회사 e-seal".into(),
                serial_number: Some("1234567890".into()),
            },
            subject_key: SubjectKey::Store(key.id.clone()),
            profile: CertProfile::EndEntity {
                purpose: Purpose::DocumentSigning,
            },
            not_before: now,
            not_after: now + Duration::from_secs(3 * 365 * 86_400),
            crl_distribution_point: Some(pps.issuing_ca.crl_url.clone()),
            private_key_usage_period: None,
        },
    )?;
    let signer = DocumentSigner {
        signer: StoreSigner::new(&store, &key.id)?,
        certificate: seal.der.clone(),
        chain: vec![pps.issuing_ca.certificate.der.clone()],
    };
    let mut ltv = LtvMaterial::from_layout(&layout, "PPS", "MOIS").ok_or("no LTV material")?;
    ltv.certificates.push(seal.der.clone());
    let info = SignatureInfo {
        reason: Some("Procurement contract signed by the supplier".into()),
        location: None,
        name: Some("다산건설 주식회사".into()),
    };
    let both = sign_pades(
        &entity_pdf,
        &signer,
        PadesLevel::BLT,
        now,
        Some(&tsa),
        Some(&ltv),
        &info,
    )?;
    let name = "contract-two-party-blt";
    write(&out, name, "pdf", &both)?;
    write(&out, name, "qr", payload.as_bytes())?;
    write(&out, name, "level", b"BLT")?;
    write(&out, name, "signatures", b"2")?;
    println!("{name}.pdf: {} bytes (BLT, two signatures)", both.len());
    Ok(())
}

fn write(out: &Path, name: &str, ext: &str, data: &[u8]) -> Result<()> {
    std::fs::write(out.join(format!("{name}.{ext}")), data)?;
    Ok(())
}
