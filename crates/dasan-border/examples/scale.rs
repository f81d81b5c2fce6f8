//! Screening at the scale: the UN consolidated list plus a deterministic synthetic
//! watchlist of 1,000,000 individuals, screening alone, one thread.
//!
//! `cargo run --release -p dasan-border --example scale -- [ENTRIES] [QUERIES] [UN.xml]`
//! (defaults 1,000,000 and 20,000). Prints the index build time, peak memory (`VmHWM` from
//! `/proc/self/status`, before and after the build), the latency distribution (p50/p90/p99/max)
//! of the queries screened one at a time (all, and per kind of query), and recall of the UN
//! list's own aliases (as listed and leave-one-out, `quality::alias_queries`) in the big index
//! against the same measure on the UN list alone.
//!
//! The synthetic list's names come from `examples/support/synthetic.rs` (shared with the gate
//! benchmark; bench-only code stays out of the library): seeded splitmix64, multi-token names of
//! many origins, birth dates (exact, year only or none) and nationalities, and one or two
//! aliases for some entries (another romanisation, another order).

use dasan_border::quality;
use dasan_border::watchlist::{ListedName, NameKind};
use dasan_border::{
    CalendarDate, EntryKind, ListSource, Screener, ScreeningConfig, ScreeningQuery, WatchlistEntry,
    import_un_xml,
};
use std::hint::black_box;
use std::io::BufReader;
use std::time::{Duration, Instant};

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::*;

/// `n` synthetic listed individuals, deterministic for a seed.
fn synthetic_watchlist(n: usize, seed: u64) -> Vec<WatchlistEntry> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let (names, nat) = person(&mut rng);
            WatchlistEntry {
                id: format!("SYN-{i}"),
                reference: String::new(),
                source: ListSource::National("SYNTHETIC".into()),
                kind: EntryKind::Individual,
                names: names
                    .into_iter()
                    .enumerate()
                    .map(|(k, text)| ListedName {
                        text,
                        kind: if k == 0 {
                            NameKind::Primary
                        } else {
                            NameKind::Alias {
                                quality: "Good".into(),
                            }
                        },
                    })
                    .collect(),
                birth_dates: birth_date(&mut rng).into_iter().collect(),
                nationalities: vec![nat.to_string()],
                documents: Vec::new(),
                listed_on: String::new(),
            }
        })
        .collect()
}

/// A one-letter change in a longer token (a typing or transliteration slip).
fn near_miss(name: &str, rng: &mut Rng) -> String {
    let mut tokens: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    let long: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].chars().count() >= 5 && tokens[i].is_ascii())
        .collect();
    if !long.is_empty() {
        let t = &mut tokens[long[rng.below(long.len())]];
        let pos = 1 + rng.below(t.len() - 2);
        let replacement = ["A", "E", "I", "O", "U", "Y", "H"][rng.below(7)];
        t.replace_range(pos..pos + 1, replacement);
    }
    if tokens.len() > 1 && rng.chance(50) {
        tokens.rotate_left(1);
    }
    tokens.join(" ")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    ListedAlias,
    NearMiss,
    Clean,
    CommonTokens,
}

fn vm_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time of this process so far (user + system), from `/proc/self/stat` (clock ticks of
/// 1/100 s): over a whole run it shows what a loaded machine's waits for a core hide.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn percentiles(what: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        return;
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{what:<34} n={:>6}  p50={:>9.1?}  p90={:>9.1?}  p99={:>9.1?}  max={:>9.1?}",
        samples.len(),
        p(0.50),
        p(0.90),
        p(0.99),
        samples[samples.len() - 1]
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let nq: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/watchlists/UN_consolidated.xml"
        )
        .to_string()
    });
    // `BORDER_CFG='max_postings_scanned = 20000'` tries other limits (TOML, as in the config).
    let config: ScreeningConfig = match std::env::var("BORDER_CFG") {
        Ok(t) => toml::from_str(&t)?,
        Err(_) => ScreeningConfig::default(),
    };
    let un = import_un_xml(BufReader::new(std::fs::File::open(&path)?))?.records;
    let un_len = un.len();
    let un_only = Screener::new(un.clone());

    let t = Instant::now();
    let mut entries = un;
    entries.extend(synthetic_watchlist(n, 2026));
    let generated = t.elapsed();
    let rss_before = vm_kib("VmRSS:");
    let t = Instant::now();
    let screener = Screener::new(entries);
    let build = t.elapsed();
    println!(
        "watchlist: {un_len} UN entries + {n} synthetic = {} entries, {} names indexed",
        screener.len(),
        screener.name_count()
    );
    println!(
        "generated in {generated:.2?}; index built in {build:.2?}; RSS before the build {} MiB, after {} MiB; peak (VmHWM) {} MiB",
        rss_before / 1024,
        vm_kib("VmRSS:") / 1024,
        vm_kib("VmHWM:") / 1024
    );

    // The queries: listed UN aliases, near misses, clean travellers, very common tokens.
    let aliases = quality::alias_queries(&un_only);
    let mut rng = Rng(7);
    let travellers = synthetic_watchlist(nq, 99);
    let common = [
        "MOHAMMED AHMED HASSAN",
        "MUHAMMAD ALI",
        "MOHAMMED ABDULLAH AL HARBI",
        "AHMED MOHAMMED ALI",
        "KIM MIN JUN",
        "LEE JI HOON",
        "KIM YOUNG HO",
        "LEE SUNG MIN",
        "PARK JI WON",
        "KIM LEE",
        "MOHAMMED KIM",
        "WANG WEI",
        "JOSE GARCIA",
        "NGUYEN VAN NAM",
    ];
    let mut queries: Vec<(Kind, ScreeningQuery)> = Vec::with_capacity(nq);
    for (i, traveller) in travellers.iter().enumerate() {
        let date = |rng: &mut Rng| {
            CalendarDate::new(
                1940 + rng.below(66) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            )
        };
        let q = match i % 10 {
            0..=2 => {
                let a = &aliases[rng.below(aliases.len())];
                (Kind::ListedAlias, a.query.clone())
            }
            3 | 4 => {
                let name = if rng.chance(50) {
                    aliases[rng.below(aliases.len())].query.name.clone()
                } else {
                    let e = screener.entry((un_len + rng.below(n)) as u32);
                    e.map(|e| e.primary_name().to_string()).unwrap_or_default()
                };
                let name = near_miss(&name, &mut rng);
                let birth_date = date(&mut rng);
                (
                    Kind::NearMiss,
                    ScreeningQuery {
                        name,
                        birth_date,
                        nationality: None,
                    },
                )
            }
            5..=8 => {
                let t = traveller;
                let birth_date = date(&mut rng);
                (
                    Kind::Clean,
                    ScreeningQuery {
                        name: t.primary_name().to_string(),
                        birth_date,
                        nationality: t.nationalities.first().cloned(),
                    },
                )
            }
            _ => {
                let birth_date = date(&mut rng);
                (
                    Kind::CommonTokens,
                    ScreeningQuery {
                        name: common[rng.below(common.len())].to_string(),
                        birth_date,
                        nationality: Some(if rng.chance(50) { "KOR" } else { "SAU" }.into()),
                    },
                )
            }
        };
        queries.push(q);
    }
    // Warm up (page in the index), then one query at a time.
    for (_, q) in queries.iter().take(200) {
        black_box(screener.screen(q, &config));
    }
    let mut all = Vec::with_capacity(queries.len());
    let mut by_kind: Vec<(Kind, Vec<Duration>)> = [
        Kind::ListedAlias,
        Kind::NearMiss,
        Kind::Clean,
        Kind::CommonTokens,
    ]
    .into_iter()
    .map(|k| (k, Vec::new()))
    .collect();
    let mut referred = 0usize;
    let (t, cpu) = (Instant::now(), cpu_seconds());
    for (kind, q) in &queries {
        let s = Instant::now();
        let hits = black_box(screener.screen(q, &config));
        let d = s.elapsed();
        referred += usize::from(!hits.is_empty());
        all.push(d);
        if let Some((_, v)) = by_kind.iter_mut().find(|(k, _)| k == kind) {
            v.push(d);
        }
    }
    let (total, cpu) = (t.elapsed(), cpu_seconds() - cpu);
    println!(
        "screening alone, one thread: {} queries in {total:.2?} wall, {cpu:.2} s CPU: {:.0} queries/s wall, mean {:.0} µs CPU per query; {referred} with a hit",
        queries.len(),
        queries.len() as f64 / total.as_secs_f64(),
        1e6 * cpu / queries.len() as f64
    );
    println!("wall-clock latency:");
    percentiles("all queries", all);
    for (k, v) in by_kind {
        percentiles(&format!("  {k:?}"), v);
    }

    // Recall of the UN list's own aliases, UN list alone vs inside the big index.
    let loo = |s: &Screener, leave_one_out: bool| {
        quality::evaluate(s, &config, &aliases, leave_one_out).recall()
    };
    println!(
        "UN alias recall ({} queries): UN list alone {:.2} % as listed, {:.2} % leave-one-out; with {n} synthetic entries {:.2} % as listed, {:.2} % leave-one-out",
        aliases.len(),
        100.0 * loo(&un_only, false),
        100.0 * loo(&un_only, true),
        100.0 * loo(&screener, false),
        100.0 * loo(&screener, true),
    );
    println!(
        "peak RSS (VmHWM) at the end: {} MiB",
        vm_kib("VmHWM:") / 1024
    );
    Ok(())
}
