//! Gate decisions of issue 12 through HTTP, at the scale: `--enrolled` (1,000,000)
//! travellers enrolled for the automated gates and a `--watchlist` (1,000,000)-entry national
//! watchlist, then `--decisions` (15,000) gate decisions offered at `--rate` (500) per second.
//!
//! The real server is built in this process (`dasan::Server::build_with`, trusting the demo's
//! test passport PKI as `serve --demo` does, without the demo data) on `--database-url`, with
//! the default `[border]` configuration: KOR nationals use the gates without enrolling, every
//! other nationality must be enrolled, so the bench's travellers (USA passports from the
//! `dasan-mrtd` factory, signed by the demo USA document signer) are looked up in the
//! enrolment table on every decision.
//!
//! Seeding, in this order:
//! 1. **watchlist**: a synthetic national list (the names of
//!    `crates/dasan-border/examples/scale.rs`, from `examples/support/synthetic.rs` of that crate)
//!    written as the national CSV format and imported through `Border::import_national_list`
//!    (which stores it and rebuilds the server's screening snapshot); the snapshot is then
//!    rebuilt once more, timed (`Border::refresh_screening`: what a node does at start);
//! 2. **travellers**: the test passports of every decision (warm-up and timed), with their
//!    chips; the ones who are not meant to be listed are screened against the snapshot first
//!    and replaced when a namesake on the list would refer them (counted and printed);
//! 3. **enrolments**: a handful through the real service path (`pre_register`, then
//!    `complete_enrolment` with a sealed face reference), whose rows show the shape; the rest
//!    written straight into `border_enrolments` and `border_biometric_refs` with that shape,
//!    by multi-row INSERTs in a few transactions (one `bench.load` audit event each, not two
//!    events per enrolment). The bench's travellers sit at spread positions of the whole
//!    range of document numbers. The bulk references are random bytes of the sealed length
//!    (gates never open them). On PostgreSQL the loaded tables are then analysed (autovacuum
//!    would do it shortly after a real load).
//!
//! The mix (warm-up and timed phase alike): 70 % honest enrolled travellers (expected OPEN),
//! 10 % forged (DG1 altered after signing: REFER with a chip reason), 10 % expired passports
//! (REFER `document-expired`), 10 % listed (a watchlist entry's name and exact birth date:
//! REFER `watchlist-hit`); all enter at one registered gate whose Ed25519 key the bench holds.
//! Each request is signed with a fresh nonce just before it is sent. Open loop: request `i`
//! is due at `start + i / rate`, latency counts from that moment (no coordinated omission),
//! with at most `--concurrency` (256) in flight. A warm-up of `--warmup` (1,000) decisions is
//! not counted.
//!
//! Exits 1 when any decision is unexpected (wrong outcome, or REFER without the expected
//! reason) or any request failed. Prints a Markdown row for bench/RESULTS.md. Run with
//! `bench/border/gate-run`.

use dasan::gatesim::{GateKey, Traveller, gate_request, nonce, now_micros, sign_request};
use dasan_border::gate::{ChipCheckOutcome, ChipFiles, Direction, GateRequest, Modality};
use dasan_border::store::{
    BiometricReference, Border, DeskCapture, NewGateDevice, PreRegistration,
};
use dasan_border::{BirthDate, CalendarDate, ScreeningQuery};
use dasan_config::Config;
use dasan_kernel::Actor;
use dasan_mrtd::factory::ChipImage;
use dasan_store::{Database, Engine, on_reader, on_tx, sqlx};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GATE: &str = "BENCH-ICN-G01";
const PORT: &str = "ICN";
/// The travellers' passports: issued by (and nationals of) a state that must enrol.
const STATE: &str = "USA";
/// Enrolments made through the service path (the rest copy their shape).
const SERVICE_ENROLMENTS: usize = 5;
/// Rows per INSERT statement, and per transaction.
const ROWS_PER_INSERT: usize = 500;
const ROWS_PER_TX: usize = 25_000;

struct Args {
    database_url: String,
    enrolled: usize,
    watchlist: usize,
    decisions: usize,
    warmup: usize,
    rate: f64,
    concurrency: usize,
    max_connections: u32,
}

fn args() -> Args {
    let mut a = Args {
        database_url: String::new(),
        enrolled: 1_000_000,
        watchlist: 1_000_000,
        decisions: 15_000,
        warmup: 1_000,
        rate: 500.0,
        concurrency: 256,
        max_connections: Config::default().database.max_connections,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database-url" => a.database_url = value.clone(),
            "--enrolled" => a.enrolled = whole(&flag, &value),
            "--watchlist" => a.watchlist = whole(&flag, &value),
            "--decisions" => a.decisions = whole(&flag, &value),
            "--warmup" => a.warmup = whole(&flag, &value),
            "--rate" => {
                a.rate = value
                    .parse()
                    .unwrap_or_else(|_| fail(&format!("--rate needs a number, not {value:?}")));
            }
            "--concurrency" => a.concurrency = whole(&flag, &value),
            "--max-connections" => a.max_connections = whole(&flag, &value),
            other => fail(&format!("unknown flag {other}")),
        }
    }
    if a.database_url.is_empty() {
        fail("--database-url is required");
    }
    if !(a.rate.is_finite() && a.rate > 0.0) {
        fail("--rate must be a positive number");
    }
    if a.decisions == 0 || a.concurrency == 0 {
        fail("--decisions and --concurrency must be at least 1");
    }
    if a.enrolled < a.decisions + a.warmup {
        fail("--enrolled must be at least --decisions + --warmup (each traveller is enrolled)");
    }
    if a.enrolled > 90_000_000 {
        fail("--enrolled is at most 90,000,000 (document numbers U00000000 to U89999999)");
    }
    a
}

fn whole<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value
        .replace(['_', ','], "")
        .parse()
        .unwrap_or_else(|_| fail(&format!("{flag} needs a whole number, not {value:?}")))
}

fn fail(message: &str) -> ! {
    eprintln!("gate-bench: {message}");
    std::process::exit(2)
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| fail(&format!("{what}: {e}")))
}

fn vm_mib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0u64)
        / 1024
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------------------------------------
// Synthetic names, shared with crates/dasan-border/examples/scale.rs.

#[path = "../crates/dasan-border/examples/support/synthetic.rs"]
mod synthetic;
use synthetic::*;

// ---------------------------------------------------------------------------------------------
// The watchlist, as a national list in CSV.

/// Letters and single spaces (what an MRZ name field holds).
fn mrz_clean(name: &str) -> String {
    let mapped: String = name
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c),
            ' ' | '-' => Some(' '),
            _ => None,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An MRZ surname (the first token) and given names that fit a TD3 name field (39
/// characters with the `<<` separator): trailing given names are dropped when needed.
fn mrz_name(name: &str) -> Option<(String, String)> {
    let mut tokens = name.split_whitespace();
    let surname = tokens.next()?.to_owned();
    let mut given: Vec<&str> = tokens.collect();
    while !given.is_empty() && surname.len() + 2 + given.join(" ").len() > 39 {
        given.pop();
    }
    if given.is_empty() {
        return None;
    }
    Some((surname, given.join(" ")))
}

/// A listed individual a bench traveller can be: the MRZ name and the exact birth date.
struct Listed {
    surname: String,
    given: String,
    birth: CalendarDate,
}

/// `n` synthetic listed individuals as a national list (CSV), and those whose listed name an
/// MRZ can carry unchanged and whose exact birth date is listed.
fn watchlist_csv(n: usize, seed: u64) -> (Vec<u8>, Vec<Listed>) {
    use std::fmt::Write as _;
    let mut rng = Rng(seed);
    let mut csv = String::with_capacity(n * 96 + 80);
    csv.push_str("id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n");
    let mut listable = Vec::new();
    for i in 0..n {
        let (names, nat) = person(&mut rng);
        let birth = birth_date(&mut rng);
        let birth_text = match birth {
            Some(BirthDate::Exact { year, month, day }) => {
                format!("{year:04}-{month:02}-{day:02}")
            }
            Some(BirthDate::Year {
                year,
                approximate: true,
            }) => format!("~{year}"),
            Some(BirthDate::Year { year, .. }) => year.to_string(),
            Some(BirthDate::Between { from, to }) => format!("{from}/{to}"),
            _ => String::new(),
        };
        let primary = &names[0];
        let _ = writeln!(
            csv,
            "BENCH-{i},individual,{primary},{},{birth_text},{nat},,2025-06-01",
            names[1..].join("|")
        );
        if let Some(BirthDate::Exact { year, month, day }) = birth
            && mrz_clean(primary) == *primary
            && let Some((surname, given)) = mrz_name(primary)
            && format!("{surname} {given}") == *primary
            && let Some(birth) = CalendarDate::new(year, month, day)
        {
            listable.push(Listed {
                surname,
                given,
                birth,
            });
        }
    }
    (csv.into_bytes(), listable)
}

// ---------------------------------------------------------------------------------------------
// The travellers.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Honest,
    Forged,
    Expired,
    Listed,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Honest, Kind::Forged, Kind::Expired, Kind::Listed];

    fn name(self) -> &'static str {
        match self {
            Kind::Honest => "honest, enrolled",
            Kind::Forged => "forged DG1",
            Kind::Expired => "expired",
            Kind::Listed => "listed",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Honest => "OPEN",
            _ => "REFER",
        }
    }

    /// A REFER must give one of these reasons.
    fn reasons(self) -> &'static [&'static str] {
        match self {
            Kind::Honest => &[],
            Kind::Forged => &["chip-data-invalid", "chip-mrz-mismatch"],
            Kind::Expired => &["document-expired"],
            Kind::Listed => &["watchlist-hit"],
        }
    }
}

/// `n` kinds in the mix (10 % each of forged, expired and listed, the rest honest), shuffled.
fn mix(n: usize, rng: &mut Rng) -> Vec<Kind> {
    let tenth = n / 10;
    let mut kinds = Vec::with_capacity(n);
    for kind in [Kind::Forged, Kind::Expired, Kind::Listed] {
        kinds.extend(std::iter::repeat_n(kind, tenth));
    }
    kinds.resize(n, Kind::Honest);
    shuffle(&mut kinds, rng);
    kinds
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i + 1));
    }
}

struct BenchTraveller {
    kind: Kind,
    /// Its place in the range of enrolled document numbers.
    position: usize,
    traveller: Traveller,
    birth: CalendarDate,
    expiry: CalendarDate,
    chip: Option<ChipImage>,
}

fn document_number(position: usize) -> String {
    format!("U{position:08}")
}

fn yymmdd(d: CalendarDate) -> String {
    format!("{:02}{:02}{:02}", d.year % 100, d.month, d.day)
}

fn plus_days(d: CalendarDate, days: i64) -> CalendarDate {
    CalendarDate::from_days_since_epoch(d.days_since_epoch() + days).unwrap_or(d)
}

fn plus_years(d: CalendarDate, years: u16) -> CalendarDate {
    CalendarDate::new(d.year + years, d.month, d.day)
        .or_else(|| CalendarDate::new(d.year + years, d.month, 28))
        .unwrap_or(d)
}

fn random_birth(rng: &mut Rng) -> CalendarDate {
    CalendarDate::new(
        1950 + rng.below(51) as u16,
        1 + rng.below(12) as u8,
        1 + rng.below(28) as u8,
    )
    .unwrap_or(CalendarDate {
        year: 1980,
        month: 1,
        day: 1,
    })
}

/// A synthetic traveller's MRZ name (the list's generator, another seed).
fn random_name(rng: &mut Rng) -> (String, String) {
    loop {
        let (names, _) = person(rng);
        if let Some(name) = mrz_name(&mrz_clean(&names[0])) {
            return name;
        }
    }
}

struct Travellers {
    list: Vec<BenchTraveller>,
    /// Candidates dropped because a namesake on the list would have referred them.
    namesakes: usize,
    screened: usize,
}

/// The bench's travellers: the mix of `warmup` then `decisions`, at spread positions of the
/// `enrolled` range, screened (except the listed ones) so that only listed travellers hit.
fn travellers(
    a: &Args,
    today: CalendarDate,
    listable: &[Listed],
    screening: &dasan_border::store::ScreeningSnapshot,
) -> Travellers {
    let total = a.warmup + a.decisions;
    let mut rng = Rng(0x6a7e_2026);
    let mut kinds = mix(a.warmup, &mut rng);
    kinds.extend(mix(a.decisions, &mut rng));
    let mut positions: Vec<usize> = (0..total).map(|k| k * a.enrolled / total).collect();
    shuffle(&mut positions, &mut rng);
    let listed_needed = kinds.iter().filter(|k| **k == Kind::Listed).count();
    if listable.len() < listed_needed {
        fail(&format!(
            "only {} listed names fit an MRZ; {listed_needed} listed travellers wanted (a larger --watchlist)",
            listable.len()
        ));
    }
    let stride = listable.len() / listed_needed.max(1);
    let mut next_listed = 0usize;
    let (mut namesakes, mut screened) = (0usize, 0usize);
    let mut list = Vec::with_capacity(total);
    for (kind, position) in kinds.into_iter().zip(positions) {
        let expiry = match kind {
            Kind::Expired => plus_days(today, -30 - rng.below(700) as i64),
            _ => plus_days(today, 60 + rng.below(3000) as i64),
        };
        let (surname, given, birth) = if kind == Kind::Listed {
            let l = &listable[next_listed * stride];
            next_listed += 1;
            (l.surname.clone(), l.given.clone(), l.birth)
        } else {
            loop {
                let (surname, given) = random_name(&mut rng);
                let birth = random_birth(&mut rng);
                screened += 1;
                let query = ScreeningQuery {
                    name: format!("{surname} {given}"),
                    birth_date: Some(birth),
                    nationality: Some(STATE.to_owned()),
                };
                if screening
                    .screener
                    .screen(&query, &screening.config.screening)
                    .is_empty()
                {
                    break (surname, given, birth);
                }
                namesakes += 1;
            }
        };
        let traveller = Traveller::new(
            STATE,
            &surname,
            &given,
            &document_number(position),
            &yymmdd(birth),
            &yymmdd(expiry),
        );
        list.push(BenchTraveller {
            kind,
            position,
            traveller,
            birth,
            expiry,
            chip: None,
        });
    }
    Travellers {
        list,
        namesakes,
        screened,
    }
}

/// Every traveller's chip, signed by the demo USA document signer (on every core).
fn build_chips(list: &mut [BenchTraveller]) {
    let (_, signer) = ok(dasan::demo::demo_pki(STATE), "the demo PKI");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = list.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for part in list.chunks_mut(chunk) {
            let signer = &signer;
            s.spawn(move || {
                for t in part {
                    t.chip = Some(ok(t.traveller.chip(signer), "a test passport"));
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Enrolments.

/// What the service path stored for one enrolment, copied into the bulk rows.
struct Shape {
    consent_version: String,
    contact: String,
    pa_verdict: String,
    pa_detail: String,
    aa_outcome: String,
    version: i64,
    modality: String,
    matcher: String,
    key_id: String,
    nonce_len: usize,
    ciphertext_len: usize,
}

const MATCHER: &str = "dasan-test-face-1";
const CONTACT: &str = "traveller@bench.example";

async fn enrol_through_service(border: &Border, t: &BenchTraveller) -> String {
    let Some(chip) = &t.chip else {
        fail("a traveller without a chip")
    };
    let pre = ok(
        border
            .pre_register(
                Actor::system(),
                PreRegistration {
                    mrz: chip.mrz_lines.join("\n"),
                    contact: CONTACT.into(),
                    consent_version: border.config().enrolment.consent_version.clone(),
                    consent_given: true,
                },
            )
            .await,
        "pre-registration",
    );
    let mut officer = Actor::system();
    officer.agency = Some("KIS-ICN".into());
    let mut reference = vec![0u8; 512];
    ok(getrandom::fill(&mut reference), "random bytes");
    let done = ok(
        border
            .complete_enrolment(
                officer,
                &pre.id,
                DeskCapture {
                    chip: ChipFiles {
                        sod: chip.sod.clone(),
                        data_groups: chip.data_groups.clone(),
                    },
                    active_authentication: ChipCheckOutcome::Passed,
                    biometrics: vec![BiometricReference {
                        modality: Modality::Face,
                        matcher: MATCHER.into(),
                        reference,
                    }],
                },
            )
            .await,
        "the desk step",
    );
    done.id
}

async fn tables(db: &Database) -> Vec<String> {
    let sql = match db.engine() {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'border_%' OR name LIKE 'audit_%') ORDER BY name"
        }
        Engine::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND (table_name LIKE 'border_%' OR table_name LIKE 'audit_%') ORDER BY table_name"
        }
    };
    ok(
        on_reader!(db, |p| sqlx::query_scalar::<_, String>(sql)
            .fetch_all(p)
            .await),
        "the tables",
    )
}

async fn counts(db: &Database, tables: &[String]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for t in tables {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let n: i64 = ok(
            on_reader!(db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(
                sql.as_str()
            ))
            .fetch_one(p)
            .await),
            "a count",
        );
        out.insert(t.clone(), n);
    }
    out
}

/// Enrols the first travellers of `service` through the service and reads the shape of what
/// it stored; prints which tables gained rows.
async fn service_enrolments(db: &Database, border: &Border, service: &[&BenchTraveller]) -> Shape {
    let names = tables(db).await;
    let before = counts(db, &names).await;
    let t = Instant::now();
    let mut ids = Vec::new();
    for traveller in service {
        ids.push(enrol_through_service(border, traveller).await);
    }
    let took = t.elapsed();
    let after = counts(db, &names).await;
    let grew: Vec<String> = after
        .iter()
        .filter_map(|(t, n)| {
            let d = n - before.get(t).copied().unwrap_or(0);
            (d != 0).then(|| format!("{t} +{d}"))
        })
        .collect();
    eprintln!(
        "service path: {} enrolments (pre_register + complete_enrolment) in {took:.1?}: {}",
        ids.len(),
        grew.join(", ")
    );
    let Some(id) = ids.first() else {
        fail("no enrolment through the service")
    };
    type Row = (String, String, String, String, String, i64, String, String);
    let row: Row = ok(
        on_reader!(db, |p| {
            sqlx::query_as(
            "SELECT consent_version, contact, pa_verdict, pa_detail, aa_outcome, version, status, valid_until \
             FROM border_enrolments WHERE id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await
        }),
        "the enrolment row",
    );
    let bio: (String, String, String, Vec<u8>, Vec<u8>) = ok(
        on_reader!(db, |p| {
            sqlx::query_as(
            "SELECT modality, matcher, key_id, nonce, ciphertext FROM border_biometric_refs WHERE enrolment_id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await
        }),
        "the biometric reference row",
    );
    eprintln!(
        "  border_enrolments row: status {}, pa_verdict {}, aa_outcome {}, valid_until {}, version {}, pa_detail {}",
        row.6, row.2, row.4, row.7, row.5, row.3
    );
    eprintln!(
        "  border_biometric_refs row: {} / {} / key {}, nonce {} bytes, ciphertext {} bytes",
        bio.0,
        bio.1,
        bio.2,
        bio.3.len(),
        bio.4.len()
    );
    Shape {
        consent_version: row.0,
        contact: row.1,
        pa_verdict: row.2,
        pa_detail: row.3,
        aa_outcome: row.4,
        version: row.5,
        modality: bio.0,
        matcher: bio.1,
        key_id: bio.2,
        nonce_len: bio.3.len(),
        ciphertext_len: bio.4.len(),
    }
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// One bulk row.
struct Row {
    id: String,
    number: String,
    surname: String,
    given: String,
    birth: String,
    expiry: String,
    mrz: String,
    sod_sha256: String,
    dg1_sha256: String,
    valid_until: String,
    created_at: i64,
    completed_at: i64,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(n);
    out
}

const DAY_US: i64 = 86_400_000_000;

/// The row for `position`: a bench traveller's passport, or a synthetic one.
fn row(
    position: usize,
    bench: Option<&BenchTraveller>,
    shape: &Shape,
    today: CalendarDate,
    now: i64,
    rng: &mut Rng,
) -> Row {
    let created_at = now - DAY_US - (rng.next() % (700 * DAY_US as u64)) as i64;
    let completed_at = (created_at + (rng.next() % (20 * DAY_US as u64)) as i64).min(now - DAY_US);
    let completed_on = CalendarDate::from_unix_micros(completed_at).unwrap_or(today);
    let (traveller, birth, expiry, mrz, sod_sha256, dg1_sha256) = match bench {
        Some(t) => {
            let Some(chip) = &t.chip else {
                fail("a traveller without a chip")
            };
            let mrz = chip.mrz_lines.join("\n");
            let dg1 = chip.data_groups.get(&1).map(|d| sha256_hex(d));
            (
                t.traveller.clone(),
                t.birth,
                t.expiry,
                mrz,
                sha256_hex(&chip.sod),
                dg1.unwrap_or_default(),
            )
        }
        None => {
            let (surname, given) = random_name(rng);
            let birth = random_birth(rng);
            let expiry = plus_days(today, 30 + rng.below(3600) as i64);
            let traveller = Traveller::new(
                STATE,
                &surname,
                &given,
                &document_number(position),
                &yymmdd(birth),
                &yymmdd(expiry),
            );
            let lines = ok(traveller.mrz().to_lines(), "an MRZ");
            let mrz = lines.join("\n");
            // Not a chip's digests (no chip is built for these), but digests of that shape.
            let sod = sha256_hex(format!("{mrz}\nsod").as_bytes());
            let dg1 = sha256_hex(mrz.as_bytes());
            (traveller, birth, expiry, mrz, sod, dg1)
        }
    };
    Row {
        id: uuid::Uuid::now_v7().to_string(),
        number: traveller.number,
        surname: traveller.surname,
        given: traveller.given,
        birth: birth.to_string(),
        expiry: expiry.to_string(),
        mrz,
        sod_sha256,
        dg1_sha256,
        valid_until: plus_years(completed_on, 5).min(expiry).to_string(),
        created_at,
        completed_at,
        nonce: random_bytes(rng, shape.nonce_len),
        ciphertext: random_bytes(rng, shape.ciphertext_len),
    }
}

/// `prefix`, then `rows` groups of `constants` followed by `columns` numbered placeholders.
fn values_sql(prefix: &str, constants: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * (columns * 6 + constants.len()));
    sql.push_str(prefix);
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        sql.push_str(constants);
        for c in 0..columns {
            if c > 0 || !constants.is_empty() {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

async fn insert_rows(tx: &mut dasan_store::Tx, rows: &[Row], shape: &Shape) {
    let sql = values_sql(
        "INSERT INTO border_enrolments (status, status_reason, id, issuing_state, document_number, nationality, \
         surname, given_names, birth_date, document_expiry, mrz, contact, consent_version, consent_at, sod_sha256, \
         dg1_sha256, pa_verdict, pa_detail, aa_outcome, valid_until, created_at, completed_at, updated_at, version) VALUES ",
        "'active', NULL",
        22,
        rows.len(),
    );
    ok(
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for r in rows {
                q = q
                    .bind(&r.id)
                    .bind(STATE)
                    .bind(&r.number)
                    .bind(STATE)
                    .bind(&r.surname)
                    .bind(&r.given)
                    .bind(&r.birth)
                    .bind(&r.expiry)
                    .bind(&r.mrz)
                    .bind(&shape.contact)
                    .bind(&shape.consent_version)
                    .bind(r.created_at)
                    .bind(&r.sod_sha256)
                    .bind(&r.dg1_sha256)
                    .bind(&shape.pa_verdict)
                    .bind(&shape.pa_detail)
                    .bind(&shape.aa_outcome)
                    .bind(&r.valid_until)
                    .bind(r.created_at)
                    .bind(r.completed_at)
                    .bind(r.completed_at)
                    .bind(shape.version);
            }
            q.execute(c).await.map(drop)
        }),
        "inserting enrolments",
    );
    let sql = values_sql(
        "INSERT INTO border_biometric_refs (enrolment_id, modality, matcher, key_id, nonce, ciphertext, created_at) VALUES ",
        "",
        7,
        rows.len(),
    );
    ok(
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for r in rows {
                q = q
                    .bind(&r.id)
                    .bind(&shape.modality)
                    .bind(&shape.matcher)
                    .bind(&shape.key_id)
                    .bind(r.nonce.as_slice())
                    .bind(r.ciphertext.as_slice())
                    .bind(r.completed_at);
            }
            q.execute(c).await.map(drop)
        }),
        "inserting biometric references",
    );
}

/// Every position of the range but the service-enrolled ones, by multi-row INSERTs in
/// transactions of `ROWS_PER_TX`. Returns the rows written and the time spent making them.
async fn bulk_enrol(
    db: &Database,
    enrolled: usize,
    bench: &HashMap<usize, &BenchTraveller>,
    service: &[usize],
    shape: &Shape,
    today: CalendarDate,
) -> (usize, Duration) {
    let mut rng = Rng(0xe4_2011);
    let now = now_micros();
    let mut written = 0usize;
    let mut position = 0usize;
    let mut generating = Duration::ZERO;
    let started = Instant::now();
    while position < enrolled {
        let mut tx = ok(db.begin(Actor::system()).await, "a transaction");
        let mut in_tx = 0usize;
        while in_tx < ROWS_PER_TX && position < enrolled {
            let mut rows = Vec::with_capacity(ROWS_PER_INSERT);
            let t = Instant::now();
            while rows.len() < ROWS_PER_INSERT && position < enrolled {
                if !service.contains(&position) {
                    rows.push(row(
                        position,
                        bench.get(&position).copied(),
                        shape,
                        today,
                        now,
                        &mut rng,
                    ));
                }
                position += 1;
            }
            generating += t.elapsed();
            if !rows.is_empty() {
                insert_rows(&mut tx, &rows, shape).await;
            }
            in_tx += rows.len();
        }
        tx.record(
            "bench.load",
            "border-enrolments",
            serde_json::json!({ "enrolments": in_tx, "through": position }),
        );
        ok(tx.commit().await, "committing enrolments");
        written += in_tx;
        if written % 200_000 < ROWS_PER_TX {
            eprintln!(
                "  {written} enrolments written ({:.0?}, of which {generating:.0?} making the rows)",
                started.elapsed()
            );
        }
    }
    (written, generating)
}

// ---------------------------------------------------------------------------------------------
// The gate.

struct Answer {
    kind: Kind,
    /// OPEN, REFER, `REFER (other reason)`, or the problem code / transport error.
    answer: String,
    reasons: Vec<String>,
    latency: Duration,
    timings: Option<[u64; 5]>,
    /// The passport's MRZ (to explain an unexpected decision).
    mrz: String,
}

impl Answer {
    fn decided(&self) -> bool {
        self.answer.starts_with("OPEN") || self.answer.starts_with("REFER")
    }
}

/// Sends `requests` open-loop at `rate` per second, each signed with a fresh nonce just before
/// it is sent, at most `concurrency` in flight; latency from each request's scheduled moment.
async fn drive(
    requests: Vec<(Kind, GateRequest)>,
    url: &str,
    key: &Arc<GateKey>,
    rate: f64,
    concurrency: usize,
) -> (Vec<Answer>, Duration) {
    use base64::Engine as _;
    let client = ok(
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build(),
        "an HTTP client",
    );
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(requests.len());
    for (i, (kind, request)) in requests.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let permit = ok(limit.clone().acquire_owned().await, "a permit");
        let (client, url, key) = (client.clone(), url.to_owned(), key.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let (body, signature) = ok(
                sign_request(&key, &request, now_micros(), &nonce()),
                "signing",
            );
            let response = client
                .post(&url)
                .header("content-type", "application/json")
                .header(
                    dasan_web::api::border::SIGNATURE_HEADER,
                    base64::engine::general_purpose::STANDARD.encode(&signature),
                )
                .body(body)
                .send()
                .await;
            let (answer, reasons, timings) = match response {
                Ok(r) => {
                    let success = r.status().is_success();
                    let status = r.status().as_u16();
                    let v: serde_json::Value = r.json().await.unwrap_or_default();
                    if success {
                        let reasons: Vec<String> = v["reasons"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|r| r["code"].as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let t = &v["timings"];
                        let us = |k: &str| t[k].as_u64().unwrap_or(0);
                        (
                            v["outcome"].as_str().unwrap_or("?").to_owned(),
                            reasons,
                            Some([
                                us("verify_us"),
                                us("lookup_us"),
                                us("decide_us"),
                                us("store_us"),
                                us("total_us"),
                            ]),
                        )
                    } else {
                        let code = v["code"].as_str().unwrap_or("error").to_owned();
                        (format!("{status} {code}"), Vec::new(), None)
                    }
                }
                Err(e) => (format!("transport: {e}"), Vec::new(), None),
            };
            let answer = if answer == "REFER"
                && kind.expected() == "REFER"
                && !reasons.iter().any(|r| kind.reasons().contains(&r.as_str()))
            {
                "REFER (other reason)".to_owned()
            } else {
                answer
            };
            Answer {
                kind,
                answer,
                reasons,
                latency: due.elapsed(),
                timings,
                mrz: request.mrz,
            }
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    for t in tasks {
        answers.push(ok(t.await, "a request task"));
    }
    (answers, start.elapsed())
}

/// Nearest rank.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sorted(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = v.collect();
    v.sort_by(f64::total_cmp);
    v
}

/// For a few listed travellers the gate let through: the entries listed under exactly their
/// name (and how many of those with their birth date), and the best candidates screening
/// found with every threshold at zero.
fn explain_missed(border: &Border, today: CalendarDate, answers: &[Answer]) {
    let Some(reference) = dasan_mrtd::Date::new(today.year, today.month, today.day) else {
        return;
    };
    let snapshot = border.screening().current();
    let mut lenient = snapshot.config.screening.clone();
    lenient.hit_threshold = 0.0;
    lenient.min_name_score = 0.0;
    let missed = answers
        .iter()
        .filter(|x| x.kind == Kind::Listed && x.answer == "OPEN");
    for x in missed.take(3) {
        let Ok(mrz) = dasan_mrtd::Mrz::parse(&x.mrz, reference) else {
            continue;
        };
        let name = format!("{} {}", mrz.primary_identifier, mrz.secondary_identifier);
        let birth = mrz.birth_date.date.map(CalendarDate::from);
        let exact = BirthDate::Exact {
            year: birth.map_or(0, |b| b.year),
            month: birth.map_or(0, |b| b.month),
            day: birth.map_or(0, |b| b.day),
        };
        let (mut same_name, mut same_both) = (0usize, 0usize);
        for i in 0..snapshot.screener.len() {
            let Some(e) = u32::try_from(i)
                .ok()
                .and_then(|i| snapshot.screener.entry(i))
            else {
                continue;
            };
            if e.primary_name() == name {
                same_name += 1;
                same_both += usize::from(e.birth_dates.contains(&exact));
            }
        }
        let hits = snapshot.screener.screen(
            &ScreeningQuery {
                name: name.clone(),
                birth_date: birth,
                nationality: Some(STATE.to_owned()),
            },
            &lenient,
        );
        let best: Vec<String> = hits
            .iter()
            .take(3)
            .map(|h| {
                format!(
                    "{} {:?} score {:.3} name {:.3} birth {:?}",
                    h.entry_id,
                    h.primary_name,
                    h.score.as_f64(),
                    h.name_score.as_f64(),
                    h.birth_date
                )
            })
            .collect();
        println!(
            "  missed listed traveller {name:?} born {}: {same_name} entries listed under this name, {same_both} with this birth date; {} candidates at zero thresholds, best: {}",
            birth.map(|b| b.to_string()).unwrap_or_default(),
            hits.len(),
            best.join("; ")
        );
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let a = args();
    let load_before = load_average();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let scratch = ok(tempfile::tempdir(), "a scratch folder");
    let mut config = Config::default();
    config.database.url = a.database_url.clone();
    config.database.max_connections = a.max_connections.max(1);
    config.server.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.keys.dir = scratch.path().join("keys");
    config.keys.kek_file = scratch.path().join("kek.bin");
    config.civil.attachments_dir = scratch.path().join("attachments");
    config.procurement.documents_dir = scratch.path().join("tender-documents");
    // The demo's test passport PKI is trusted (as `serve --demo`); no demo data is loaded.
    let server = ok(
        dasan::Server::build_with(&config, dasan::BuildOptions { demo: true }).await,
        "the server",
    );
    let db = server.db.clone();
    let border = server.border.clone();
    let base = format!("http://{}", server.addr);
    let engine = db.engine().to_string();
    let today = CalendarDate::from_unix_micros(now_micros()).unwrap_or(CalendarDate {
        year: 2026,
        month: 1,
        day: 1,
    });
    eprintln!(
        "gate-bench on {engine}: {cores} cores, load average {load_before}; self-service {:?}, enrolment needed for {STATE}",
        border.config().gate.self_service_nationalities
    );
    if border
        .config()
        .gate
        .self_service_nationalities
        .iter()
        .any(|n| n == STATE)
    {
        fail("the bench's travellers would not need enrolment");
    }

    // 1. The watchlist, through the import of a national list; then the index, timed.
    let t = Instant::now();
    let (csv, listable) = watchlist_csv(a.watchlist, 2026);
    let generated = t.elapsed();
    let csv_mib = csv.len() as f64 / 1_048_576.0;
    let t = Instant::now();
    let info = ok(
        border
            .import_national_list(Actor::system(), "BENCH", "bench-1", &csv)
            .await,
        "importing the watchlist",
    );
    let imported = t.elapsed();
    drop(csv);
    eprintln!(
        "watchlist: {} entries ({csv_mib:.0} MiB of CSV generated in {generated:.1?}) imported in {imported:.1?} (store + index)",
        info.entry_count
    );
    let t = Instant::now();
    ok(
        border.refresh_screening().await,
        "rebuilding the screening index",
    );
    let index_build = t.elapsed();
    let snapshot = border.screening().current();
    let (entries, names) = (snapshot.screener.len(), snapshot.screener.name_count());
    let (rss_index, hwm_index) = (vm_mib("VmRSS:"), vm_mib("VmHWM:"));
    eprintln!(
        "screening index rebuilt from the database in {index_build:.1?}: {entries} entries, {names} names; RSS {rss_index} MiB, peak {hwm_index} MiB"
    );
    if entries < a.watchlist {
        fail("the screening snapshot does not hold the list");
    }

    // 2. The travellers and their passports.
    let t = Instant::now();
    let mut bench = travellers(&a, today, &listable, &snapshot);
    drop(snapshot);
    drop(listable);
    let screened_in = t.elapsed();
    let t = Instant::now();
    build_chips(&mut bench.list);
    eprintln!(
        "{} travellers: {} candidates screened in {screened_in:.1?}, {} dropped as namesakes of listed people; passports built in {:.1?}",
        bench.list.len(),
        bench.screened,
        bench.namesakes,
        t.elapsed()
    );

    // 3. Enrolments: a handful through the service, the rest in bulk with their shape.
    let service: Vec<&BenchTraveller> = bench
        .list
        .iter()
        .rev()
        .filter(|t| t.kind == Kind::Honest)
        .take(SERVICE_ENROLMENTS)
        .collect();
    let shape = service_enrolments(&db, &border, &service).await;
    let service_positions: Vec<usize> = service.iter().map(|t| t.position).collect();
    let by_position: HashMap<usize, &BenchTraveller> =
        bench.list.iter().map(|t| (t.position, t)).collect();
    let t = Instant::now();
    let (written, generating) = bulk_enrol(
        &db,
        a.enrolled,
        &by_position,
        &service_positions,
        &shape,
        today,
    )
    .await;
    let loaded = t.elapsed();
    let t = Instant::now();
    if db.engine() == Engine::Postgres {
        let mut tx = ok(
            db.begin_bookkeeping("bench: statistics after a bulk load")
                .await,
            "a transaction",
        );
        ok(
            on_tx!(tx, |c| sqlx::query(
                "ANALYZE border_enrolments, border_biometric_refs, border_watchlist_entries"
            )
            .execute(c)
            .await
            .map(drop)),
            "ANALYZE",
        );
        ok(tx.commit().await, "ANALYZE");
    }
    let analysed = t.elapsed();
    let active: i64 = ok(
        on_reader!(db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM border_enrolments WHERE status = 'active'"
        )
        .fetch_one(p)
        .await),
        "counting enrolments",
    );
    eprintln!(
        "enrolments: {written} written in bulk in {loaded:.1?} ({:.0}/s; {generating:.1?} of it making the rows), {active} active in all; ANALYZE {analysed:.1?}",
        written as f64 / loaded.as_secs_f64().max(1e-9)
    );

    // 4. The gate and its requests.
    let mut seed = [0u8; 32];
    ok(getrandom::fill(&mut seed), "random bytes");
    let key = GateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed));
    ok(
        border
            .register_gate(
                Actor::system(),
                NewGateDevice {
                    id: GATE.into(),
                    port: PORT.into(),
                    public_key_spki_der: ok(key.public_key_der(), "the gate's public key"),
                },
            )
            .await,
        "registering the gate",
    );
    let key = Arc::new(key);
    let mut requests: Vec<(Kind, GateRequest)> = bench
        .list
        .iter()
        .map(|t| {
            let Some(chip) = &t.chip else {
                fail("a traveller without a chip")
            };
            let chip = match t.kind {
                Kind::Forged => chip.with_altered_dg1(),
                _ => chip.clone(),
            };
            (t.kind, gate_request(&chip, GATE, PORT, Direction::Entry))
        })
        .collect();
    let (screened, namesakes) = (bench.screened, bench.namesakes);
    drop(bench);
    let timed = requests.split_off(a.warmup);
    let url = format!("{base}/api/v1/border/gates/{GATE}/decisions");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 5. Warm-up, then the timed phase.
    let (warm, _) = drive(requests, &url, &key, a.rate, a.concurrency).await;
    let warm_bad = warm
        .iter()
        .filter(|w| w.answer != w.kind.expected())
        .count();
    eprintln!(
        "warm-up: {} decisions, {warm_bad} unexpected or failed",
        warm.len()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let load_start = load_average();
    let (answers, elapsed) = drive(timed, &url, &key, a.rate, a.concurrency).await;
    let load_after = load_average();
    let (rss_end, hwm_end) = (vm_mib("VmRSS:"), vm_mib("VmHWM:"));
    let _ = stop.send(());
    let _ = handle.await;

    // 6. The report.
    let decided: Vec<&Answer> = answers.iter().filter(|x| x.decided()).collect();
    let errors = answers.len() - decided.len();
    let unexpected = decided
        .iter()
        .filter(|x| x.answer != x.kind.expected())
        .count();
    let lat = sorted(decided.iter().map(|x| x.latency.as_secs_f64() * 1e3));
    let step = |i: usize| {
        sorted(
            answers
                .iter()
                .filter_map(|x| x.timings.map(|t| t[i] as f64 / 1e3)),
        )
    };
    let (verify, lookup, decide, store, total) = (step(0), step(1), step(2), step(3), step(4));
    let achieved = answers.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    println!();
    println!(
        "machine: {cores} cores (nproc); load average {load_before} at start, {load_start} before the timed phase, {load_after} after"
    );
    println!(
        "engine: {engine}; database pools of {} connections",
        config.database.max_connections
    );
    println!(
        "enrolled: {active} active enrolments ({} through the service path, {written} in bulk in {:.1} s)",
        service_positions.len(),
        loaded.as_secs_f64()
    );
    println!(
        "watchlist: {entries} entries, {names} indexed names; CSV generated in {:.1} s, imported in {:.1} s (store + index), index rebuilt from the database in {:.1} s",
        generated.as_secs_f64(),
        imported.as_secs_f64(),
        index_build.as_secs_f64()
    );
    println!(
        "memory (whole process: server, index and client): RSS {rss_index} MiB after the index, {rss_end} MiB at the end; peak {hwm_end} MiB"
    );
    println!(
        "travellers: {screened} candidates (not meant to be listed) screened before the run, {namesakes} replaced as namesakes of listed people"
    );
    println!(
        "timed phase: {} decisions in {:.2} s: {achieved:.1} decisions/s (offered {:.0}/s, at most {} in flight)",
        answers.len(),
        elapsed.as_secs_f64(),
        a.rate,
        a.concurrency
    );
    let line = |label: &str, v: &[f64]| {
        println!(
            "{label:>34} ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            percentile(v, 50.0),
            percentile(v, 90.0),
            percentile(v, 99.0),
            v.last().copied().unwrap_or(0.0)
        );
    };
    line("latency from the scheduled moment", &lat);
    line("server timings.total_us", &total);
    line("… verify (device, signature)", &verify);
    line("… lookup (one query, 4 probes)", &lookup);
    line("… decide (PA, screening, rules)", &decide);
    line("… store (record, commit)", &store);
    let mut matrix: BTreeMap<Kind, BTreeMap<String, usize>> = BTreeMap::new();
    for x in &answers {
        *matrix
            .entry(x.kind)
            .or_default()
            .entry(x.answer.clone())
            .or_default() += 1;
    }
    let mut columns: Vec<String> = vec!["OPEN".into(), "REFER".into()];
    for row in matrix.values() {
        for k in row.keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    print!("\n{:<18} {:>8}", "traveller", "expected");
    for c in &columns {
        print!(" {c:>8}");
    }
    println!();
    for kind in Kind::ALL {
        let Some(row) = matrix.get(&kind) else {
            continue;
        };
        print!("{:<18} {:>8}", kind.name(), kind.expected());
        for c in &columns {
            print!(" {:>8}", row.get(c).copied().unwrap_or(0));
        }
        println!();
    }
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for x in answers.iter().filter(|x| x.answer != x.kind.expected()) {
        *why.entry(format!("{} → {} {:?}", x.kind.name(), x.answer, x.reasons))
            .or_default() += 1;
    }
    for (w, n) in why.iter().take(10) {
        println!("  unexpected: {n} × {w}");
    }
    explain_missed(&border, today, &answers);
    println!("\nunexpected decisions: {unexpected}; errors: {errors}");
    println!();
    println!(
        "| engine | enrolled | watchlist entries (names) | bulk enrolment load | list import / index rebuild | RSS after index / peak | decisions | offered / achieved per s | p50 | p90 | p99 | max | server total p50 / p99 | unexpected | errors | load average before → after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine} | {active} | {entries} ({names}) | {:.0} s | {:.0} s / {:.0} s | {rss_index} / {hwm_end} MiB | {} | {:.0} / {achieved:.0} | {:.1} ms | {:.1} ms | **{:.1} ms** | {:.1} ms | {:.1} / {:.1} ms | {unexpected} | {errors} | {load_start} → {load_after} |",
        loaded.as_secs_f64(),
        imported.as_secs_f64(),
        index_build.as_secs_f64(),
        answers.len(),
        a.rate,
        percentile(&lat, 50.0),
        percentile(&lat, 90.0),
        percentile(&lat, 99.0),
        lat.last().copied().unwrap_or(0.0),
        percentile(&total, 50.0),
        percentile(&total, 99.0),
    );
    if unexpected > 0 || errors > 0 {
        std::process::exit(1);
    }
}
