//! Prints screening quality on the UN list's own aliases:
//! `cargo run --release -p dasan-border --example quality [path/to/UN_consolidated.xml]`.

use dasan_border::{Screener, ScreeningConfig, import_un_xml, quality};
use std::io::BufReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/watchlists/UN_consolidated.xml"
        )
        .to_string()
    });
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
    let report = quality::report(&screener, &config, 5000);
    print!("{report}");
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
        let mut qs = quality::synthetic_queries(5000, 12);
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
