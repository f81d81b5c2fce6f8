//! Documents end to end: render every template, seal, sign at each PAdES level, verify.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{fonts, now, pki};
use dasan_crypto::pki::Purpose;
use dasan_crypto::trust_list::verify_trust_list;
use dasan_docs::pades::{
    LtvMaterial, PadesError, PadesLevel, SignatureInfo, find_signature, sign_pades,
    verify_integrity,
};
use dasan_docs::seal::{
    Claims, SealError, key_id, make_qr_payload, trusted_signers, verify_qr_payload,
};
use dasan_docs::{DocumentType, Language, Layout, Paper, render, samples};

const MAX_SIZE: usize = 150 * 1024;

fn page_size(pdf: &[u8]) -> (f32, f32) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let mb = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect::<Vec<f32>>();
    (mb[2] - mb[0], mb[3] - mb[1])
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn every_template_renders_in_every_language_and_paper_size_under_150_kb() {
    let pki = pki();
    let fonts = fonts();
    let mois = pki.layout.agency("MOIS").unwrap();
    let ee = &mois.end_entities[&Purpose::DocumentSigning];
    let seal = pki.signer("MOIS").signer;
    for t in DocumentType::ALL {
        for (lang, layout) in [
            (Language::En, Layout::Single),
            (Language::Ko, Layout::Single),
            (Language::Ko, Layout::Bilingual),
        ] {
            for paper in [Paper::A4, Paper::Letter] {
                let spec = samples::spec(t, lang, layout, paper, now());
                let claims = Claims::from_spec(&spec, now() + Duration::from_secs(86_400)).unwrap();
                let payload = make_qr_payload(&claims, &seal, &ee.certificate.der).unwrap();
                let pdf = render(&spec, &fonts, &payload).unwrap();
                let what = format!("{t:?} {lang:?} {layout:?} {paper:?}");
                assert!(pdf.starts_with(b"%PDF-"), "{what}");
                assert!(pdf.len() < MAX_SIZE, "{what}: {} bytes", pdf.len());
                let (w, h) = page_size(&pdf);
                let (ew, eh) = paper.size_pt();
                assert!(
                    (w - ew).abs() < 0.5 && (h - eh).abs() < 0.5,
                    "{what}: {w}x{h}"
                );
                // Embedded subset TrueType fonts with a Unicode map, a structure tree, PDF/A
                // identification in the XMP metadata.
                assert!(contains(&pdf, b"/FontFile2"), "{what}: font not embedded");
                assert!(contains(&pdf, b"/ToUnicode"), "{what}: no ToUnicode");
                assert!(contains(&pdf, b"/StructTreeRoot"), "{what}: not tagged");
                assert!(contains(&pdf, b"pdfaid:part"), "{what}: no PDF/A id");
                let doc = lopdf::Document::load_mem(&pdf).unwrap();
                assert!(!doc.get_pages().is_empty());
            }
        }
    }
}

#[test]
fn each_pades_level_signs_and_verifies_and_a_changed_byte_fails() {
    let pki = pki();
    let fonts = fonts();
    let tsa = pki.local_tsa();
    let ltv = LtvMaterial::from_layout(&pki.layout, "MOIS", "MOIS").unwrap();
    assert_eq!(ltv.certificates.len(), 4, "root, CA, signer, TSA");
    assert_eq!(ltv.crls.len(), 2, "root and MOIS CRLs");
    let signer = pki.signer("MOIS");
    let seal_cert = signer.certificate.clone();
    let spec = samples::spec(
        DocumentType::ResidentRegistration,
        Language::Ko,
        Layout::Bilingual,
        Paper::A4,
        now(),
    );
    let claims = Claims::from_spec(&spec, now() + Duration::from_secs(86_400)).unwrap();
    let payload = make_qr_payload(&claims, &signer.signer, &seal_cert).unwrap();
    let pdf = render(&spec, &fonts, &payload).unwrap();
    for level in [PadesLevel::BB, PadesLevel::BT, PadesLevel::BLT] {
        let signed = sign_pades(
            &pdf,
            &signer,
            level,
            now(),
            Some(&tsa),
            Some(&ltv),
            &SignatureInfo::default(),
        )
        .unwrap();
        assert!(signed.len() < MAX_SIZE, "{level:?}: {} bytes", signed.len());
        assert!(
            signed.starts_with(&pdf),
            "{level:?}: an incremental update keeps the original"
        );
        assert!(contains(&signed, b"/ETSI.CAdES.detached"));
        let report = verify_integrity(&signed).unwrap();
        assert_eq!(report.signer_certificate, signer.certificate);
        assert_eq!(
            report.time_stamp.is_some(),
            level != PadesLevel::BB,
            "{level:?}"
        );
        if let Some(t) = report.time_stamp {
            assert_eq!(t, now() + Duration::from_secs(5));
        }
        let found = find_signature(&signed).unwrap();
        let [a, b, c, d] = found.byte_range;
        assert_eq!(a, 0);
        assert_eq!(signed[b], b'<');
        assert_eq!(signed[c - 1], b'>');
        if level == PadesLevel::BLT {
            assert!(report.appended_bytes > 0, "the DSS is a later revision");
            let doc = lopdf::Document::load_mem(&signed).unwrap();
            let dss = doc
                .catalog()
                .unwrap()
                .get(b"DSS")
                .and_then(|o| doc.dereference(o))
                .unwrap()
                .1
                .as_dict()
                .unwrap()
                .clone();
            assert_eq!(dss.get(b"Certs").unwrap().as_array().unwrap().len(), 4);
            assert_eq!(dss.get(b"CRLs").unwrap().as_array().unwrap().len(), 2);
        } else {
            assert_eq!(c + d, signed.len(), "{level:?} signs the whole file");
            assert_eq!(report.appended_bytes, 0);
        }
        // One changed byte inside the signed range (in the original page content) is caught.
        let mut tampered = signed.clone();
        tampered[b / 2] ^= 0x01;
        assert!(
            matches!(
                verify_integrity(&tampered),
                Err(PadesError::Signing(_) | PadesError::Pdf(_))
            ),
            "{level:?}: a changed byte must fail"
        );
        // ... and so is one in the part after the signature.
        let mut tail = signed.clone();
        tail[c + 1] ^= 0x20;
        assert!(verify_integrity(&tail).is_err(), "{level:?}");
    }
}

#[test]
fn rsa_signatures_work_too() {
    let pki = pki();
    let fonts = fonts();
    let tsa = pki.local_tsa();
    let ltv = LtvMaterial::from_layout(&pki.layout, "NTS", "MOIS").unwrap();
    assert_eq!(ltv.crls.len(), 3);
    let mois = pki.signer("MOIS");
    let nts = pki.signer("NTS");
    let spec = samples::spec(
        DocumentType::TaxPayment,
        Language::En,
        Layout::Single,
        Paper::Letter,
        now(),
    );
    let claims = Claims::from_spec(&spec, now() + Duration::from_secs(86_400)).unwrap();
    // Seals are ES256 only: an RSA key is refused, the P-256 key of another agency works.
    assert!(matches!(
        make_qr_payload(&claims, &nts.signer, &nts.certificate),
        Err(SealError::UnsupportedAlgorithm(_))
    ));
    let payload = make_qr_payload(&claims, &mois.signer, &mois.certificate).unwrap();
    let pdf = render(&spec, &fonts, &payload).unwrap();
    let signed = sign_pades(
        &pdf,
        &nts,
        PadesLevel::BLT,
        now(),
        Some(&tsa),
        Some(&ltv),
        &SignatureInfo {
            reason: Some("납세증명".into()),
            location: Some("Sejong".into()),
            name: Some("국세청".into()),
        },
    )
    .unwrap();
    let report = verify_integrity(&signed).unwrap();
    assert_eq!(report.signer_certificate, nts.certificate);
    assert!(signed.len() < MAX_SIZE);
}

#[test]
fn levels_without_their_inputs_are_refused() {
    let pki = pki();
    let signer = pki.signer("MOIS");
    let pdf = render(
        &samples::spec(
            DocumentType::DecisionLetter,
            Language::En,
            Layout::Single,
            Paper::A4,
            now(),
        ),
        &fonts(),
        "DSN1:TEST",
    )
    .unwrap();
    let info = SignatureInfo::default();
    assert!(matches!(
        sign_pades(&pdf, &signer, PadesLevel::BT, now(), None, None, &info),
        Err(PadesError::NoTimeStampSource(PadesLevel::BT))
    ));
    let tsa = pki.local_tsa();
    assert!(matches!(
        sign_pades(
            &pdf,
            &signer,
            PadesLevel::BLT,
            now(),
            Some(&tsa),
            None,
            &info
        ),
        Err(PadesError::NoLtvMaterial)
    ));
    assert!(matches!(
        sign_pades(
            b"not a pdf",
            &signer,
            PadesLevel::BB,
            now(),
            None,
            None,
            &info
        ),
        Err(PadesError::Pdf(_))
    ));
    // A certificate that does not certify the key.
    let mut wrong = pki.signer("MOIS");
    wrong.certificate = pki.signer("NTS").certificate;
    assert!(matches!(
        sign_pades(&pdf, &wrong, PadesLevel::BB, now(), None, None, &info),
        Err(PadesError::Certificate(_))
    ));
    // A second signature (a contract's second party) joins the first one's form as an
    // incremental update: the first file is kept byte for byte and both signatures verify.
    let once = sign_pades(&pdf, &signer, PadesLevel::BB, now(), None, None, &info).unwrap();
    let twice = sign_pades(&once, &signer, PadesLevel::BB, now(), None, None, &info).unwrap();
    assert!(twice.starts_with(&once));
    assert_eq!(
        dasan_docs::pades::verify_integrity_all(&twice)
            .unwrap()
            .len(),
        2
    );
    assert!(
        verify_integrity(&pdf).is_err(),
        "an unsigned PDF has no signature"
    );
}

#[test]
fn qr_seal_verifies_against_the_trust_list_and_detects_changes() {
    let pki = pki();
    let signer = pki.signer("MOIS");
    let spec = samples::spec(
        DocumentType::FamilyRelations,
        Language::Ko,
        Layout::Single,
        Paper::A4,
        now(),
    );
    let claims = Claims::from_spec(&spec, now() + Duration::from_secs(30 * 86_400)).unwrap();
    let payload = make_qr_payload(&claims, &signer.signer, &signer.certificate).unwrap();
    assert!(payload.starts_with("DSN1:"));
    assert!(
        payload
            .bytes()
            .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
        "only QR alphanumeric characters"
    );

    // The trust list, verified against the pinned root, gives the trusted signing keys.
    let list = verify_trust_list(
        pki.layout.trust_list.as_deref().unwrap(),
        &pki.layout.root.certificate.der,
        now(),
    )
    .unwrap();
    let trusted = trusted_signers(&list);
    assert_eq!(
        trusted.len(),
        2,
        "MOIS and NTS document-signing certificates"
    );
    let got = verify_qr_payload(&payload, &trusted).unwrap();
    assert_eq!(got, claims);
    assert_eq!(got.subject_name, "홍길동 (HONG Gildong)");
    assert_eq!(got.document_type, "family-relations");
    assert!(
        got.facts
            .iter()
            .any(|(k, v)| k == "father" && v == "홍판서")
    );

    // Untrusted key.
    let others: Vec<Vec<u8>> = vec![pki.signer("NTS").certificate];
    assert_eq!(
        verify_qr_payload(&payload, &others),
        Err(SealError::UnknownKey(
            key_id(&signer.certificate)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        ))
    );
    // Every single-character change is refused (never accepted, never a panic).
    let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut refused = 0;
    for i in (5..payload.len()).step_by(7) {
        let mut p: Vec<char> = payload.chars().collect();
        let old = p[i];
        p[i] = alphabet.chars().find(|c| *c != old).unwrap();
        let changed: String = p.into_iter().collect();
        assert!(
            verify_qr_payload(&changed, &trusted).is_err(),
            "change at {i} accepted"
        );
        refused += 1;
    }
    assert!(refused > 50);
}
