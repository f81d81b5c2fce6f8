//! Fuzz targets for dasan-mrtd as plain functions: the libFuzzer binaries in fuzz_targets/
//! (cargo fuzz) and the stable-toolchain harness (src/bin/stable-harness.rs) call the same
//! code. Each target must return normally for every input: a panic is a bug.

use dasan_mrtd::{Date, Mrz, PassiveAuthInput, TrustStore, lds, passive_authentication};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

const REFERENCE: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

/// The MRZ parser (strict and analysing) and the formatter on what it parsed.
pub fn mrz(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = Mrz::parse(&text, REFERENCE);
    if let Ok((m, _)) = Mrz::analyze(&text, REFERENCE) {
        let _ = m.to_lines();
    }
}

/// The OCR repair (bounded search).
pub fn mrz_repair(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = Mrz::repair(&text, REFERENCE);
}

/// EF.COM.
pub fn ef_com(data: &[u8]) {
    let _ = lds::parse_ef_com(data);
}

/// DG1, and the MRZ inside it.
pub fn dg1(data: &[u8]) {
    if let Ok(d) = lds::parse_dg1(data) {
        let _ = Mrz::parse(&d.text(), REFERENCE);
    }
}

/// DG2 (biometric templates, ISO/IEC 19794-5 face records).
pub fn dg2(data: &[u8]) {
    let _ = lds::parse_dg2(data);
}

/// DG11.
pub fn dg11(data: &[u8]) {
    let _ = lds::parse_dg11(data);
}

/// DG12.
pub fn dg12(data: &[u8]) {
    let _ = lds::parse_dg12(data);
}

/// DG14 (SecurityInfos) and the active authentication hash it names.
pub fn dg14(data: &[u8]) {
    if let Ok(infos) = lds::parse_dg14(data) {
        let _ = dasan_mrtd::aa::aa_hash_from_dg14(&infos);
        for i in &infos {
            let _ = i.version();
        }
    }
}

/// EF.CardAccess.
pub fn card_access(data: &[u8]) {
    let _ = lds::parse_card_access(data);
}

/// DG15 and an active authentication check with its key (arbitrary challenge/response).
pub fn dg15(data: &[u8]) {
    if let Ok(d) = lds::parse_dg15(data) {
        let (challenge, response) = data.split_at(data.len().min(8));
        let _ = dasan_mrtd::aa::verify_active_authentication(
            &d.public_key,
            challenge,
            response,
            Some(dasan_mrtd::crypto::HashAlg::Sha256),
        );
    }
}

/// EF.SOD (CMS SignedData + LDSSecurityObject).
pub fn sod(data: &[u8]) {
    if let Ok(s) = lds::parse_sod(data) {
        let _ = s.certificates();
    }
}

/// CSCA master lists and their signature check.
pub fn master_list(data: &[u8]) {
    if let Ok(list) = lds::parse_master_list(data) {
        let _ = dasan_mrtd::pa::verify_master_list(&list);
    }
}

/// Certificates and CRLs into a trust store, and a chain check of a certificate by itself.
pub fn x509(data: &[u8]) {
    let mut trust = TrustStore::new();
    let _ = trust.add_crl_der(data);
    if trust.add_csca_der(data).is_ok()
        && let Some(c) = trust.cscas().first()
    {
        let _ = dasan_mrtd::pa::verify_issued_by(c, c);
    }
}

/// Whole passive authentication. Input: a 2-byte little-endian EF.SOD length, EF.SOD, then
/// DG1 and DG2 split in the middle of the rest.
pub fn passive_auth(data: &[u8]) {
    let (n, rest) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
    };
    let (sod, dgs) = rest.split_at(n.min(rest.len()));
    let (dg1, dg2) = dgs.split_at(dgs.len() / 2);
    let mut groups = BTreeMap::new();
    groups.insert(1u8, dg1.to_vec());
    groups.insert(2u8, dg2.to_vec());
    let printed = lds::parse_dg1(dg1)
        .ok()
        .and_then(|d| Mrz::parse(&d.text(), REFERENCE).ok());
    let input = PassiveAuthInput {
        sod,
        data_groups: &groups,
        ef_com: Some(dg2),
        printed_mrz: printed.as_ref(),
    };
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_212_278_400);
    let _ = passive_authentication(&input, &TrustStore::new(), at);
}

/// An input for [`passive_auth`].
pub fn passive_auth_input(sod: &[u8], dg1: &[u8], dg2: &[u8]) -> Vec<u8> {
    let n = u16::try_from(sod.len()).unwrap_or(u16::MAX);
    let mut v = n.to_le_bytes().to_vec();
    v.extend_from_slice(sod);
    let half = dg1.len().max(dg2.len());
    let mut a = dg1.to_vec();
    a.resize(half, 0);
    let mut b = dg2.to_vec();
    b.resize(half, 0);
    v.extend(a);
    v.extend(b);
    v
}

/// A fuzz target.
pub type Target = fn(&[u8]);

/// Every target by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("mrz", mrz),
    ("mrz_repair", mrz_repair),
    ("ef_com", ef_com),
    ("dg1", dg1),
    ("dg2", dg2),
    ("dg11", dg11),
    ("dg12", dg12),
    ("dg14", dg14),
    ("card_access", card_access),
    ("dg15", dg15),
    ("sod", sod),
    ("master_list", master_list),
    ("x509", x509),
    ("passive_auth", passive_auth),
];

/// Seed inputs for `target`: the shared test data (BSI 2008 passport, Doc 9303 DG14 sample,
/// German document signers) found under `testdata`, and fresh factory chips.
pub fn seeds(target: &str, testdata: &std::path::Path) -> Vec<Vec<u8>> {
    use dasan_mrtd::factory::{
        ChipOptions, SignerAlgorithm, TestPki, build_chip, build_master_list,
    };
    let read = |p: &str| std::fs::read(testdata.join(p)).ok();
    let bsi = |n: &str| read(&format!("mrtd/bsi2008/{n}"));
    let specimens: Vec<Vec<u8>> = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
        "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<",
        "P<UTOER1KSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<10",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_478_400);
    let pki = TestPki::new("UT", SignerAlgorithm::EcdsaP256Sha256, at).ok();
    let traveller = Mrz::parse(
        std::str::from_utf8(&specimens[0]).unwrap_or_default(),
        Date::new(2008, 6, 1).unwrap_or(REFERENCE),
    )
    .ok();
    let chip = match (&pki, &traveller) {
        (Some(p), Some(t)) => build_chip(t, &p.signer, ChipOptions::default()).ok(),
        _ => None,
    };
    let dg = |n: u8| chip.as_ref().and_then(|c| c.data_groups.get(&n).cloned());
    let inner_set = |d: Option<Vec<u8>>| {
        d.and_then(|d| {
            dasan_mrtd::tlv::single(&d, 0x6E)
                .ok()
                .map(|t| t.value.to_vec())
        })
    };
    let mut out: Vec<Option<Vec<u8>>> = match target {
        "mrz" | "mrz_repair" => {
            let mut v: Vec<Option<Vec<u8>>> = specimens.into_iter().map(Some).collect();
            v.push(
                bsi("Datagroup1.bin")
                    .and_then(|d| lds::parse_dg1(&d).ok())
                    .map(|d| d.text().into_bytes()),
            );
            v
        }
        "ef_com" => vec![bsi("EF_COM.bin"), chip.as_ref().map(|c| c.ef_com.clone())],
        "dg1" => vec![bsi("Datagroup1.bin"), dg(1)],
        "dg2" => vec![bsi("Datagroup2.bin"), dg(2)],
        "dg11" => {
            let t = dasan_mrtd::tlv::encode;
            let mut v = t(0x5C, &[0x5F, 0x0E, 0x5F, 0x2B]);
            v.extend(t(0x5F0E, b"ERIKSSON<<ANNA<MARIA"));
            v.extend(t(0x5F2B, b"19740812"));
            v.extend(t(
                0xA0,
                &[t(0x02, &[1]), t(0x0F, b"ANNA<ERIKSSON")].concat(),
            ));
            vec![Some(t(0x6B, &v))]
        }
        "dg12" => {
            let t = dasan_mrtd::tlv::encode;
            let mut v = t(0x5C, &[0x5F, 0x19]);
            v.extend(t(0x5F19, b"UTOPIA PASSPORT OFFICE"));
            v.extend(t(0x5F26, b"20080601"));
            v.extend(t(0xA0, &[t(0x02, &[1]), t(0x5F1A, b"CHILD<<ONE")].concat()));
            vec![Some(t(0x6C, &v))]
        }
        "dg14" => vec![
            bsi("Datagroup14.bin"),
            dg(14),
            read("mrtd/spec_sample_encoded_dg14.bin"),
        ],
        "card_access" => vec![
            inner_set(bsi("Datagroup14.bin")),
            inner_set(dg(14)),
            inner_set(read("mrtd/spec_sample_encoded_dg14.bin")),
        ],
        "dg15" => vec![bsi("Datagroup15.bin"), dg(15)],
        "sod" => vec![bsi("EF_SOD.bin"), chip.as_ref().map(|c| c.sod.clone())],
        "master_list" => vec![
            pki.as_ref()
                .and_then(|p| build_master_list(&[&p.csca], &p.signer).ok()),
        ],
        "x509" => vec![
            read("mrtd/dsc_de/dsc_de_0130846f2b3e.cer"),
            read("mrtd/dsc_de/dsc_de_0142fd5cf927.cer"),
            pki.as_ref().map(|p| p.csca.der.clone()),
            pki.as_ref().map(|p| p.crl.clone()),
        ],
        "passive_auth" => vec![
            match (
                bsi("EF_SOD.bin"),
                bsi("Datagroup1.bin"),
                bsi("Datagroup2.bin"),
            ) {
                (Some(s), Some(a), Some(b)) => Some(passive_auth_input(&s, &a, &b)),
                _ => None,
            },
            chip.as_ref().map(|c| {
                passive_auth_input(
                    &c.sod,
                    c.data_groups.get(&1).map_or(&[][..], |v| v),
                    c.data_groups.get(&2).map_or(&[][..], |v| v),
                )
            }),
        ],
        _ => vec![],
    };
    out.push(Some(Vec::new()));
    out.into_iter().flatten().collect()
}
