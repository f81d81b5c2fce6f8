//! Writes test data for conformance/mrtd: generated MRZs and factory chips.
//!
//!     cargo run -p dasan-mrtd --features factory --example conformance-data -- OUT [ZONES]
//!
//! OUT/zones.txt      ZONES (default 5000) MRZs of every format separated by blank lines,
//!                    about a quarter with one character changed
//! OUT/csca.der|pem   the test CSCA (country UT, for the specimen state Utopia)
//! OUT/crl.der        its CRL (revokes the signer of revoked-signer/)
//! OUT/masterlist.der a CSCA master list holding the CSCA
//! OUT/<case>/        chip files (EF_COM.bin, DatagroupN.bin, EF_SOD.bin), dsc.der, mrz.txt
//!                    cases: valid-ecdsa, valid-rsa-pkcs1, valid-rsa-pss, altered-dg1,
//!                    wrong-hash, expired-signer, revoked-signer
//! All certificates are valid on 2026-11-24 (the verification date the checks use),
//! except the expired signer's.

use dasan_mrtd::factory::{
    ChipImage, ChipOptions, SignerAlgorithm, TestCertificate, TestPki, build_chip,
    build_master_list, make_document_signer,
};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Mrz, MrzFormat, Sex};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// xorshift64*: reproducible zones without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chars(&mut self, set: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| set[self.below(set.len())] as char)
            .collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const STATES: &[&str] = &[
    "UTO", "D", "KOR", "FRA", "GBR", "USA", "NLD", "JPN", "XXA", "UNO",
];

fn date(rng: &mut Rng) -> String {
    let y = rng.below(100);
    let m = 1 + rng.below(12);
    let d = 1 + rng.below(28);
    format!("{y:02}{m:02}{d:02}")
}

fn word(rng: &mut Rng, max: usize) -> String {
    let len = 2 + rng.below(max - 1);
    rng.chars(ALPHA, len)
}

fn zone(rng: &mut Rng) -> Option<Vec<String>> {
    let format = [
        MrzFormat::Td1,
        MrzFormat::Td2,
        MrzFormat::Td3,
        MrzFormat::MrvA,
        MrzFormat::MrvB,
    ][rng.below(5)];
    let (_, width) = format.shape();
    let code = match format {
        MrzFormat::Td3 => rng.pick(&["P", "PD", "PO"]),
        MrzFormat::MrvA | MrzFormat::MrvB => rng.pick(&["V", "VD"]),
        _ => rng.pick(&["I", "ID", "AC", "C"]),
    };
    // Long (10-14 character) document numbers only where Doc 9303 allows them: TD1 and TD2.
    let long = matches!(format, MrzFormat::Td1 | MrzFormat::Td2) && rng.below(6) == 0;
    let number = if long {
        let n = 10 + rng.below(if format == MrzFormat::Td1 { 5 } else { 2 });
        rng.chars(ALNUM, n)
    } else {
        let n = 5 + rng.below(5);
        rng.chars(ALNUM, n)
    };
    let optional_room = match format {
        MrzFormat::Td1 => 15,
        MrzFormat::Td2 => 7,
        MrzFormat::Td3 => 14,
        MrzFormat::MrvA => 16,
        MrzFormat::MrvB => 8,
    };
    let used = if long { number.len() - 9 + 2 } else { 0 };
    let room = optional_room - used;
    let optional = if rng.below(2) == 0 || room == 0 {
        String::new()
    } else {
        let n = 1 + rng.below(room);
        rng.chars(ALNUM, n)
    };
    let given = (0..rng.below(3))
        .map(|_| word(rng, 7))
        .collect::<Vec<_>>()
        .join(" ");
    let mut m = Mrz {
        format,
        document_code: code.into(),
        issuer: rng.pick(STATES).into(),
        primary_identifier: word(rng, 9),
        secondary_identifier: given,
        document_number: number,
        nationality: rng.pick(STATES).into(),
        birth_date: MrzDate {
            raw: date(rng),
            date: None,
        },
        sex: [Sex::Female, Sex::Male, Sex::Unspecified, Sex::NotGiven][rng.below(4)],
        expiry_date: MrzDate {
            raw: date(rng),
            date: None,
        },
        optional_data: optional,
        optional_data_2: if format == MrzFormat::Td1 && rng.below(2) == 0 {
            let n = 1 + rng.below(11);
            rng.chars(DIGITS, n)
        } else {
            String::new()
        },
        check_digits: CheckDigits::default(),
        lines: vec![],
    };
    // Names that do not fit are truncated, as issuers do.
    let name_room = if format == MrzFormat::Td1 {
        30
    } else {
        width - 5
    };
    while m.primary_identifier.len() + 2 + m.secondary_identifier.len() > name_room {
        m.secondary_identifier.pop();
    }
    m.secondary_identifier = m.secondary_identifier.trim_end().to_string();
    let mut lines = m.to_lines().ok()?;
    // A quarter get one character changed: a check digit should catch most.
    if rng.below(4) == 0 {
        let l = rng.below(lines.len());
        let mut bytes = lines[l].clone().into_bytes();
        let c = rng.below(bytes.len());
        bytes[c] = ALNUM[rng.below(ALNUM.len())];
        lines[l] = String::from_utf8(bytes).ok()?;
    }
    Some(lines)
}

fn write(path: &Path, bytes: &[u8]) {
    if let Err(e) = std::fs::write(path, bytes) {
        eprintln!("writing {}: {e}", path.display());
        std::process::exit(1);
    }
}

fn pem(der: &[u8], label: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

fn save_chip(out: &Path, case: &str, chip: &ChipImage, signer: &TestCertificate) {
    let dir = out.join(case);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("creating {}: {e}", dir.display());
        std::process::exit(1);
    }
    for (name, bytes) in chip.files() {
        write(&dir.join(name), &bytes);
    }
    write(&dir.join("dsc.der"), &signer.der);
    write(
        &dir.join("dsc.pem"),
        pem(&signer.der, "CERTIFICATE").as_bytes(),
    );
    write(&dir.join("mrz.txt"), chip.mrz_lines.join("\n").as_bytes());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1).map(Path::new) else {
        eprintln!("usage: conformance-data OUT [ZONES]");
        std::process::exit(2);
    };
    let count: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(5000);
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("creating {}: {e}", out.display());
        std::process::exit(1);
    }

    let mut rng = Rng(0x9303_2026_1124_0001);
    let mut zones = String::new();
    let mut made = 0;
    while made < count {
        if let Some(lines) = zone(&mut rng) {
            zones.push_str(&lines.join("\n"));
            zones.push_str("\n\n");
            made += 1;
        }
    }
    write(&out.join("zones.txt"), zones.as_bytes());

    // 2026-11-24, the date the checks verify at.
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_478_400);
    let day = Duration::from_secs(86_400);
    let fail = |e: dasan_mrtd::factory::FactoryError| -> ! {
        eprintln!("factory: {e}");
        std::process::exit(1)
    };
    let pki = TestPki::new("UT", SignerAlgorithm::EcdsaP256Sha256, at).unwrap_or_else(|e| fail(e));
    write(&out.join("csca.der"), &pki.csca.der);
    write(
        &out.join("csca.pem"),
        pem(&pki.csca.der, "CERTIFICATE").as_bytes(),
    );
    write(&out.join("crl.der"), &pki.crl);
    write(&out.join("crl.pem"), pem(&pki.crl, "X509 CRL").as_bytes());
    // A CSCA master list signed by a master list signer that the CSCA issued.
    let ml_signer = make_document_signer(
        &pki.csca,
        SignerAlgorithm::EcdsaP256Sha256,
        "master list",
        at - day,
        at + 365 * day,
    )
    .unwrap_or_else(|e| fail(e));
    let ml = build_master_list(&[&pki.csca], &ml_signer).unwrap_or_else(|e| fail(e));
    write(&out.join("masterlist.der"), &ml);

    let traveller = Mrz::parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        dasan_mrtd::Date::new(2008, 6, 1).unwrap_or(dasan_mrtd::Date {
            year: 2008,
            month: 6,
            day: 1,
        }),
    )
    .unwrap_or_else(|e| {
        eprintln!("specimen: {e}");
        std::process::exit(1)
    });
    let chip = |signer: &TestCertificate, opts: ChipOptions| {
        build_chip(&traveller, signer, opts).unwrap_or_else(|e| fail(e))
    };
    let valid = chip(&pki.signer, ChipOptions::default());
    save_chip(out, "valid-ecdsa", &valid, &pki.signer);
    save_chip(out, "altered-dg1", &valid.with_altered_dg1(), &pki.signer);
    let wrong = ChipOptions {
        wrong_hash_for: Some(2),
        ..ChipOptions::default()
    };
    save_chip(out, "wrong-hash", &chip(&pki.signer, wrong), &pki.signer);
    save_chip(
        out,
        "expired-signer",
        &chip(&pki.expired_signer, ChipOptions::default()),
        &pki.expired_signer,
    );
    save_chip(
        out,
        "revoked-signer",
        &chip(&pki.revoked_signer, ChipOptions::default()),
        &pki.revoked_signer,
    );
    // RSA document signers under the same (ECDSA) CSCA.
    for (case, alg) in [
        ("valid-rsa-pkcs1", SignerAlgorithm::Rsa2048Pkcs1Sha256),
        ("valid-rsa-pss", SignerAlgorithm::Rsa2048PssSha256),
    ] {
        let signer = make_document_signer(&pki.csca, alg, case, at - day, at + 3650 * day)
            .unwrap_or_else(|e| fail(e));
        save_chip(out, case, &chip(&signer, ChipOptions::default()), &signer);
    }
    println!("wrote {count} zones and 7 chips to {}", out.display());
}
