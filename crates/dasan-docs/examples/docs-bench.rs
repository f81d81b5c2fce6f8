//! Issuing and checking throughput of official documents (bench/docs/run).
//!
//! ```text
//! cargo run --release -p dasan-docs --example docs-bench -- [DOCUMENTS] [VERIFICATIONS] [THREADS]
//! ```
//!
//! Builds a throw-away PKI (file key store in a temporary folder, ECDSA P-256 as the demo), then
//! issues DOCUMENTS resident registration certificates on THREADS threads the way the platform
//! does (QR seal, render, PAdES B-LT with an in-process time-stamp and the DSS) and checks
//! VERIFICATIONS QR seals offline against the document-signing certificates. Prints documents
//! per second, latency percentiles, sizes and verifications per second.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dasan_crypto::pki::{AgencySpec, DistinguishedName, PkiSpec, Purpose, pki_init};
use dasan_crypto::{Algorithm, FileKeyStore, KekSource, StoreSigner};
use dasan_docs::pades::{DocumentSigner, LtvMaterial, PadesLevel, SignatureInfo, sign_pades};
use dasan_docs::seal::{Claims, make_qr_payload, verify_qr_payload};
use dasan_docs::tsa::{LocalTsa, TimeStampAuthority};
use dasan_docs::{DocumentType, Fonts, Language, Layout, Paper, render, samples};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// CPU time this process has used (user + system), from /proc/self/stat: a shared, busy
/// machine stretches wall time but not this.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at ") ".
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; USER_HZ is
    // 100 on Linux.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<std::result::Result<_, _>>()?;
    let documents = args.first().copied().unwrap_or(2000);
    let verifications = args.get(1).copied().unwrap_or(50_000);
    let threads = args.get(2).copied().unwrap_or(2);
    let dir = tempfile::tempdir()?;
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek)?;
    let store = FileKeyStore::create(dir.path().join("store"), &KekSource::KeyFile(kek))?;
    let now =
        UNIX_EPOCH + Duration::from_secs(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs());
    let spec = PkiSpec {
        label_prefix: "bench".into(),
        root: DistinguishedName {
            country: Some("KR".into()),
            organization: Some("Dasan Platform".into()),
            organizational_unit: None,
            common_name: "Dasan Bench Root CA".into(),
            serial_number: None,
        },
        root_algorithm: Algorithm::EcdsaP256Sha256,
        ca_algorithm: Algorithm::EcdsaP256Sha256,
        agencies: vec![AgencySpec {
            code: "MOIS".into(),
            name: "행정안전부".into(),
            purposes: vec![
                Purpose::DocumentSigning,
                Purpose::TimeStamping,
                Purpose::TrustListSigning,
            ],
            algorithms: BTreeMap::new(),
        }],
        crl_base_url: "http://127.0.0.1:1/crl".into(),
        validity: Default::default(),
        border_test: None,
    };
    let layout = Arc::new(pki_init(&store, &spec, now)?);
    let store = Arc::new(store);
    let fonts = Arc::new(Fonts::nanum_gothic(&PathBuf::from(
        dasan_docs::fonts::DEBIAN_NANUM_DIR,
    ))?);
    let per_thread = documents.div_ceil(threads);
    let cpu_before = cpu_time();
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, layout, fonts) = (store.clone(), layout.clone(), fonts.clone());
            std::thread::spawn(move || -> Result<(Vec<Duration>, Vec<usize>, String)> {
                let mois = layout.agency("MOIS").ok_or("no MOIS")?;
                let ee = &mois.end_entities[&Purpose::DocumentSigning];
                let tsa_ee = &mois.end_entities[&Purpose::TimeStamping];
                let ltv = LtvMaterial::from_layout(&layout, "MOIS", "MOIS").ok_or("no LTV")?;
                let mut times = Vec::with_capacity(per_thread);
                let mut sizes = Vec::with_capacity(per_thread);
                let mut last_qr = String::new();
                for _ in 0..per_thread {
                    let t = Instant::now();
                    let doc = samples::spec(
                        DocumentType::ResidentRegistration,
                        Language::Ko,
                        Layout::Bilingual,
                        Paper::A4,
                        now,
                    );
                    let claims = Claims::from_spec(&doc, now + Duration::from_secs(90 * 86_400))?;
                    let qr = make_qr_payload(
                        &claims,
                        &StoreSigner::new(&*store, &ee.key)?,
                        &ee.certificate.der,
                    )?;
                    let pdf = render(&doc, &fonts, &qr)?;
                    let signer = DocumentSigner {
                        signer: StoreSigner::new(&*store, &ee.key)?,
                        certificate: ee.certificate.der.clone(),
                        chain: vec![mois.issuing_ca.certificate.der.clone()],
                    };
                    let tsa = LocalTsa::new(
                        TimeStampAuthority::new(
                            StoreSigner::new(&*store, &tsa_ee.key)?,
                            &tsa_ee.certificate.der,
                            vec![mois.issuing_ca.certificate.der.clone()],
                        )?,
                        move || now,
                    );
                    let signed = sign_pades(
                        &pdf,
                        &signer,
                        PadesLevel::BLT,
                        now,
                        Some(&tsa),
                        Some(&ltv),
                        &SignatureInfo::default(),
                    )?;
                    times.push(t.elapsed());
                    sizes.push(signed.len());
                    last_qr = qr;
                }
                Ok((times, sizes, last_qr))
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut sizes = Vec::new();
    let mut qr = String::new();
    for h in handles {
        let (t, s, q) = h.join().map_err(|_| "a worker panicked")??;
        times.extend(t);
        sizes.extend(s);
        qr = q;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    times.sort();
    sizes.sort();
    let issued = times.len();
    println!(
        "issued {issued} signed documents (resident registration, bilingual A4, PAdES B-LT) on {threads} threads in {:.2} s: {:.0} documents/s",
        elapsed.as_secs_f64(),
        issued as f64 / elapsed.as_secs_f64()
    );
    let cpu_per_doc = cpu.as_secs_f64() / issued as f64;
    println!(
        "  CPU time per document: {:.1} ms, so {:.0} documents/s per core ({:.0}/s on {threads} cores)",
        cpu_per_doc * 1e3,
        1.0 / cpu_per_doc,
        threads as f64 / cpu_per_doc
    );
    println!(
        "  latency per document: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "  size: min {} B, median {} B, max {} B; QR payload {} characters",
        sizes[0],
        sizes[sizes.len() / 2],
        sizes[sizes.len() - 1],
        qr.len()
    );
    let certs = vec![
        layout.agency("MOIS").ok_or("no MOIS")?.end_entities[&Purpose::DocumentSigning]
            .certificate
            .der
            .clone(),
    ];
    let per_thread = verifications.div_ceil(threads);
    let cpu_before = cpu_time();
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (qr, certs) = (qr.clone(), certs.clone());
            std::thread::spawn(move || -> Result<usize> {
                for _ in 0..per_thread {
                    verify_qr_payload(&qr, &certs)?;
                }
                Ok(per_thread)
            })
        })
        .collect();
    let mut checked = 0;
    for h in handles {
        checked += h.join().map_err(|_| "a worker panicked")??;
    }
    let elapsed = started.elapsed();
    let cpu_per_check = cpu_time().saturating_sub(cpu_before).as_secs_f64() / checked as f64;
    println!(
        "verified {checked} QR seals offline on {threads} threads in {:.2} s: {:.0} verifications/s",
        elapsed.as_secs_f64(),
        checked as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  CPU time per verification: {:.0} µs, so {:.0} verifications/s per core ({:.0}/s on {threads} cores)",
        cpu_per_check * 1e6,
        1.0 / cpu_per_check,
        threads as f64 / cpu_per_check
    );
    Ok(())
}
