//! The factory's chips pass passive authentication; its broken variants fail the right check.
#![allow(clippy::unwrap_used)]

use dasan_mrtd::aa::{aa_hash_from_dg14, verify_active_authentication};
use dasan_mrtd::factory::{
    ChipOptions, SignerAlgorithm, TestPki, build_chip, make_csca, make_document_signer,
};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::pa::CheckResult;
use dasan_mrtd::{
    Date, Mrz, MrzFormat, PassiveAuthInput, Sex, TrustStore, Verdict, lds, passive_authentication,
};
use std::time::{Duration, SystemTime};

fn at() -> SystemTime {
    // 2026-11-24
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_478_400)
}

fn traveller() -> Mrz {
    Mrz {
        format: MrzFormat::Td3,
        document_code: "P".into(),
        issuer: "KOR".into(),
        primary_identifier: "HONG".into(),
        secondary_identifier: "GIL DONG".into(),
        document_number: "M12345678".into(),
        nationality: "KOR".into(),
        birth_date: MrzDate {
            raw: "850315".into(),
            date: None,
        },
        sex: Sex::Male,
        expiry_date: MrzDate {
            raw: "320101".into(),
            date: None,
        },
        optional_data: String::new(),
        optional_data_2: String::new(),
        check_digits: CheckDigits::default(),
        lines: vec![],
    }
}

fn verify(
    chip: &dasan_mrtd::factory::ChipImage,
    trust: &TrustStore,
) -> dasan_mrtd::PassiveAuthReport {
    let printed = Mrz::parse(&chip.mrz_lines.join("\n"), Date::new(2026, 11, 24).unwrap()).unwrap();
    let input = PassiveAuthInput {
        sod: &chip.sod,
        data_groups: &chip.data_groups,
        ef_com: Some(&chip.ef_com),
        printed_mrz: Some(&printed),
    };
    passive_authentication(&input, trust, at())
}

#[test]
fn ecdsa_p256_chip_and_its_broken_variants() {
    let pki = TestPki::new("KR", SignerAlgorithm::EcdsaP256Sha256, at()).unwrap();
    let mut trust = TrustStore::new();
    trust.add_csca_der(&pki.csca.der).unwrap();
    trust.add_crl_der(&pki.crl).unwrap();

    let chip = build_chip(&traveller(), &pki.signer, ChipOptions::default()).unwrap();
    let r = verify(&chip, &trust);
    assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    assert_eq!(r.revocation, CheckResult::Passed);
    assert_eq!(r.country, CheckResult::Passed);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["verdict"], "valid");
    assert_eq!(json["chain"]["status"], "passed");

    // Without the CSCA: honest about the anchor.
    let r = verify(&chip, &TrustStore::new());
    assert_eq!(r.verdict, Verdict::SignatureAndHashesValidChainNotAnchored);

    // Altered DG1: its hash and the printed MRZ both disagree.
    let r = verify(&chip.with_altered_dg1(), &trust);
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(
        r.data_groups
            .iter()
            .find(|d| d.number == 1)
            .unwrap()
            .result
            .failed()
    );
    assert!(r.dg1_matches_printed_mrz.failed());

    // A wrong hash for DG2, correctly signed.
    let opts = ChipOptions {
        wrong_hash_for: Some(2),
        ..ChipOptions::default()
    };
    let r = verify(
        &build_chip(&traveller(), &pki.signer, opts).unwrap(),
        &trust,
    );
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(r.signature.passed());
    assert!(
        r.data_groups
            .iter()
            .find(|d| d.number == 2)
            .unwrap()
            .result
            .failed()
    );

    // Expired and revoked signers.
    let chip2 = build_chip(&traveller(), &pki.expired_signer, ChipOptions::default()).unwrap();
    let r = verify(&chip2, &trust);
    assert!(r.signer_validity.failed(), "{:?}", r.signer_validity);
    assert_eq!(r.verdict, Verdict::Invalid);
    let chip3 = build_chip(&traveller(), &pki.revoked_signer, ChipOptions::default()).unwrap();
    let r = verify(&chip3, &trust);
    assert!(r.revocation.failed(), "{:?}", r.revocation);
    assert_eq!(r.verdict, Verdict::Invalid);

    // Another country's CSCA with the same name would not verify the signer.
    let other = TestPki::new("KR", SignerAlgorithm::EcdsaP256Sha256, at()).unwrap();
    let mut wrong = TrustStore::new();
    wrong.add_csca_der(&other.csca.der).unwrap();
    let r = verify(&chip, &wrong);
    assert!(r.chain.failed(), "{:?}", r.chain);

    // The same CSCA through a signed master list.
    let ml_signer = make_document_signer(
        &pki.csca,
        SignerAlgorithm::EcdsaP256Sha256,
        "ML",
        at() - Duration::from_secs(86_400),
        at() + Duration::from_secs(86_400),
    )
    .unwrap();
    let ml = dasan_mrtd::factory::build_master_list(&[&pki.csca, &other.csca], &ml_signer).unwrap();
    let list = lds::parse_master_list(&ml).unwrap();
    assert_eq!(list.certificates.len(), 2);
    assert_eq!(
        dasan_mrtd::pa::verify_master_list(&list),
        CheckResult::Passed
    );
    let mut from_list = TrustStore::new();
    assert_eq!(from_list.add_master_list(&list).unwrap(), 2);
    let r = verify(&chip, &from_list);
    assert!(r.chain.passed(), "{:?}", r.chain);
    // A master list signed by a stranger is refused.
    let stranger = make_document_signer(
        &other.csca,
        SignerAlgorithm::EcdsaP256Sha256,
        "X",
        at() - Duration::from_secs(86_400),
        at() + Duration::from_secs(86_400),
    )
    .unwrap();
    let ml = dasan_mrtd::factory::build_master_list(&[&pki.csca], &stranger).unwrap();
    let list = lds::parse_master_list(&ml).unwrap();
    assert!(!dasan_mrtd::pa::verify_master_list(&list).passed());
    let mut bytes = ml.clone();
    let n = bytes.len();
    bytes[n - 3] ^= 1;
    if let Ok(list) = lds::parse_master_list(&bytes) {
        assert!(!dasan_mrtd::pa::verify_master_list(&list).passed());
    }

    // Active authentication with the DG15 key.
    let dg15 = lds::parse_dg15(&chip.data_groups[&15]).unwrap();
    let dg14 = lds::parse_dg14(&chip.data_groups[&14]).unwrap();
    let hash = aa_hash_from_dg14(&dg14);
    let challenge = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let response = chip.active_authentication(&challenge).unwrap();
    verify_active_authentication(&dg15.public_key, &challenge, &response, hash).unwrap();
    assert!(verify_active_authentication(&dg15.public_key, &[0u8; 8], &response, hash).is_err());
}

#[test]
fn rsa_signers_pkcs1_and_pss() {
    for alg in [
        SignerAlgorithm::Rsa2048Pkcs1Sha256,
        SignerAlgorithm::Rsa2048PssSha256,
    ] {
        let day = Duration::from_secs(86_400);
        let csca = make_csca("KR", alg, at() - 10 * day, at() + 100 * day).unwrap();
        let signer = make_document_signer(&csca, alg, "R", at() - day, at() + 10 * day).unwrap();
        let mut trust = TrustStore::new();
        trust.add_csca_der(&csca.der).unwrap();
        let chip = build_chip(&traveller(), &signer, ChipOptions::default()).unwrap();
        let r = verify(&chip, &trust);
        assert!(r.signature.passed(), "{alg:?}: {r:#?}");
        assert!(r.chain.passed(), "{alg:?}: {r:#?}");
        assert!(r.summary.starts_with("valid"), "{alg:?}: {}", r.summary);
        // RSA active authentication (ISO/IEC 9796-2 scheme 1) with the signer's key as a chip key.
        let key = signer.key.rsa().unwrap();
        let challenge = [9u8; 8];
        let response = dasan_mrtd::aa::sign_active_authentication_rsa(key, &challenge).unwrap();
        let spki = signer.key.spki().unwrap();
        verify_active_authentication(&spki, &challenge, &response, None).unwrap();
        assert!(verify_active_authentication(&spki, &[8u8; 8], &response, None).is_err());
    }
}
