//! Passive authentication of the German BSI 2008 test passport (shared/testdata/mrtd/bsi2008).
#![allow(clippy::unwrap_used)]

use dasan_mrtd::pa::{CheckResult, DataGroupCheck};
use dasan_mrtd::{Date, Mrz, PassiveAuthInput, TrustStore, Verdict, lds, passive_authentication};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/testdata/mrtd");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap()
}

/// 2008-06-01, inside the document signer's validity (2008-01-28 to 2009-01-27).
fn june_2008() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_212_278_400)
}

fn data_groups() -> BTreeMap<u8, Vec<u8>> {
    [1u8, 2, 3, 4, 14, 15]
        .into_iter()
        .map(|n| (n, read(&format!("bsi2008/Datagroup{n}.bin"))))
        .collect()
}

fn dg(report: &[DataGroupCheck], n: u8) -> &CheckResult {
    &report.iter().find(|d| d.number == n).unwrap().result
}

#[test]
fn signature_and_hashes_valid_chain_not_anchored() {
    let dgs = data_groups();
    let sod = read("bsi2008/EF_SOD.bin");
    let com = read("bsi2008/EF_COM.bin");
    let dg1 = lds::parse_dg1(&dgs[&1]).unwrap();
    let printed = Mrz::parse(&dg1.text(), Date::new(2008, 6, 1).unwrap()).unwrap();
    let input = PassiveAuthInput {
        sod: &sod,
        data_groups: &dgs,
        ef_com: Some(&com),
        printed_mrz: Some(&printed),
    };
    let r = passive_authentication(&input, &TrustStore::new(), june_2008());
    assert_eq!(r.sod, CheckResult::Passed);
    assert_eq!(r.signed_attributes, CheckResult::Passed, "{r:#?}");
    // ECDSA with SHA-1 over brainpoolP224r1 given by explicit parameters.
    assert_eq!(r.signature, CheckResult::Passed, "{r:#?}");
    for n in [1, 2, 3, 14] {
        assert_eq!(dg(&r.data_groups, n), &CheckResult::Passed, "DG{n}");
    }
    // DG4 and DG15 are on the card but neither EF.COM nor EF.SOD lists them.
    for n in [4, 15] {
        assert!(
            matches!(dg(&r.data_groups, n), CheckResult::NotCheckable(_)),
            "DG{n}"
        );
    }
    assert_eq!(r.dg1_matches_printed_mrz, CheckResult::Passed);
    assert_eq!(r.signer_validity, CheckResult::Passed);
    assert!(matches!(r.chain, CheckResult::NotCheckable(_)));
    assert_eq!(r.verdict, Verdict::SignatureAndHashesValidChainNotAnchored);
    assert_eq!(r.summary, "signature and hashes valid, chain not anchored");
    let signer = r.signer.unwrap();
    assert_eq!(signer.country.as_deref(), Some("DE"));
    assert!(signer.issuer.contains("CSCA BDR TEST 19.09.07"));
}

#[test]
fn unrelated_german_signers_do_not_anchor_it() {
    let dgs = data_groups();
    let sod = read("bsi2008/EF_SOD.bin");
    let mut trust = TrustStore::new();
    for f in [
        "dsc_de/dsc_de_0130846f2b3e.cer",
        "dsc_de/dsc_de_0142fd5cf927.cer",
    ] {
        trust.add_csca_der(&read(f)).unwrap();
    }
    let input = PassiveAuthInput {
        sod: &sod,
        data_groups: &dgs,
        ef_com: None,
        printed_mrz: None,
    };
    let r = passive_authentication(&input, &trust, june_2008());
    assert!(
        matches!(r.chain, CheckResult::NotCheckable(ref m) if m.contains("no CSCA")),
        "{:?}",
        r.chain
    );
    assert_eq!(r.verdict, Verdict::SignatureAndHashesValidChainNotAnchored);
}

#[test]
fn tampering_and_expiry_are_failures() {
    let sod = read("bsi2008/EF_SOD.bin");
    let mut dgs = data_groups();
    dgs.get_mut(&2).unwrap()[100] ^= 1;
    let input = PassiveAuthInput {
        sod: &sod,
        data_groups: &dgs,
        ef_com: None,
        printed_mrz: None,
    };
    let r = passive_authentication(&input, &TrustStore::new(), june_2008());
    assert!(dg(&r.data_groups, 2).failed());
    assert_eq!(r.verdict, Verdict::Invalid);

    // Today the document signer has expired: a failure, not "valid".
    let dgs = data_groups();
    let input = PassiveAuthInput {
        data_groups: &dgs,
        ..input
    };
    let late = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let r = passive_authentication(&input, &TrustStore::new(), late);
    assert!(r.signer_validity.failed());
    assert_eq!(r.verdict, Verdict::Invalid);

    // A flipped bit in the signature.
    let mut bad = sod.clone();
    let n = bad.len();
    bad[n - 5] ^= 0x10;
    let input = PassiveAuthInput { sod: &bad, ..input };
    let r = passive_authentication(&input, &TrustStore::new(), june_2008());
    assert!(r.signature.failed(), "{:?}", r.signature);
    assert_eq!(r.verdict, Verdict::Invalid);
}
