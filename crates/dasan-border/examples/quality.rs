//! Prints screening quality on the UN list's own aliases:
//! `cargo run --release -p dasan-border --example quality [path/to/UN_consolidated.xml] [--export DIR]`.
//!
//! Also prints how fast the labelled queries were screened (one thread, wall and CPU time).
//! `--export DIR` writes the labelled set and the indexed names as JSON Lines
//! (`DIR/queries.jsonl`, `DIR/names.jsonl`) so another screener (`bench/border/baseline.py`,
//! rapidfuzz) can be measured on exactly the same queries.

use dasan_border::quality::{self, Label, LabelledQuery};
use dasan_border::{EntryKind, Screener, ScreeningConfig, import_un_xml, normalize};
use serde_json::json;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Synthetic travellers in the report (as in `tests/un_list.rs`).
const SYNTHETIC: usize = 5000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/watchlists/UN_consolidated.xml"
    )
    .to_string();
    let mut export = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--export" => export = Some(args.next().ok_or("--export needs a directory")?),
            _ => path = a,
        }
    }
    let imported = import_un_xml(BufReader::new(std::fs::File::open(&path)?))?;
    let (entries, issues) = (imported.records.len(), imported.issues.len());
    let screener = Screener::new(imported.records);
    println!(
        "{entries} entries, {issues} issues, {} names indexed",
        screener.name_count()
    );
    let config: ScreeningConfig = match std::env::var("BORDER_CFG") {
        Ok(t) => toml::from_str(&t)?,
        Err(_) => ScreeningConfig::default(),
    };
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let report = quality::report(&screener, &config, SYNTHETIC);
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    print!("{report}");
    // `report` screens every alias twice (as listed, then leave-one-out).
    let screened = report.as_listed.queries
        + report.leave_one_out.queries
        + report.synthetic.queries
        + report.namesakes.queries;
    println!(
        "speed: {screened} screenings in {wall:.2} s wall, {cpu:.2} s CPU (one thread): {:.0} queries/s wall, {:.0} queries/s CPU",
        screened as f64 / wall,
        screened as f64 / cpu.max(1e-9)
    );
    if let Some(dir) = export {
        export_jsonl(&screener, Path::new(&dir))?;
        println!("labelled set written to {dir}/queries.jsonl and {dir}/names.jsonl");
    }
    if std::env::var_os("SHOW_MISSES").is_some() {
        for q in quality::alias_queries(&screener) {
            let exclude = if std::env::var_os("AS_LISTED").is_some() {
                None
            } else {
                q.alias
            };
            let hits = screener.screen_excluding(&q.query, &config, exclude);
            if !hits.iter().any(|h| Some(h.entry) == q.expected) {
                let e = q.expected.and_then(|i| screener.entry(i));
                println!(
                    "MISS {:?} -> {:?}",
                    q.query.name,
                    e.map(|e| e.names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>())
                );
            }
        }
    }
    if std::env::var_os("SHOW_FP").is_some() {
        let mut qs = quality::synthetic_queries(SYNTHETIC, 12);
        qs.extend(quality::namesake_queries(&screener));
        for q in qs {
            for h in screener.screen(&q.query, &config) {
                println!(
                    "FP {:?} {} -> {:?} ({}) {} {:?}",
                    q.query.name,
                    q.query
                        .birth_date
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    h.matched_name,
                    h.score,
                    h.name_score,
                    h.birth_date
                );
            }
        }
    }
    Ok(())
}

/// CPU time of this process so far (user + system), from `/proc/self/stat` (clock ticks of
/// 1/100 s); 0 where that file does not exist.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Writes the labelled queries (the same sets `quality::report` evaluates) and every indexed
/// name with its entry's kind and birth dates.
fn export_jsonl(screener: &Screener, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let mut names = BufWriter::new(std::fs::File::create(dir.join("names.jsonl"))?);
    for (ei, e) in screener.entries().iter().enumerate() {
        for (ni, n) in e.names.iter().enumerate() {
            let norm = normalize::normalize(&n.text);
            if norm.is_empty() {
                continue; // not indexed
            }
            let line = json!({
                "entry": ei,
                "name": ni,
                "individual": e.kind == EntryKind::Individual,
                "text": n.text,
                "norm": norm,
                "low_quality": n.kind.is_low_quality(),
                "birth_dates": e.birth_dates,
            });
            writeln!(names, "{line}")?;
        }
    }
    names.flush()?;
    let mut out = BufWriter::new(std::fs::File::create(dir.join("queries.jsonl"))?);
    let mut write = |set: &str, qs: Vec<LabelledQuery>| -> std::io::Result<()> {
        for q in qs {
            let line = json!({
                "set": set,
                "name": q.query.name,
                "norm": normalize::normalize(&q.query.name),
                "birth_date": q.query.birth_date,
                "expected": q.expected,
                "alias": q.alias,
                "low_quality": matches!(q.label, Label::Alias { low_quality: true }),
            });
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    write("alias", quality::alias_queries(screener))?;
    write("synthetic", quality::synthetic_queries(SYNTHETIC, 12))?;
    write("namesake", quality::namesake_queries(screener))?;
    out.flush()?;
    Ok(())
}
