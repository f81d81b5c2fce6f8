//! Registry benchmarks, run by `bench/registry/run` (release build):
//!
//! ```text
//! registry_bench generate --people N --businesses M --out DIR
//! registry_bench import   --url URL --dir DIR      # agencies, people, businesses (CSV)
//! registry_bench lookup   --url URL --count K      # sequential look-ups, latency percentiles
//! ```
//! Each phase is its own process so that `/usr/bin/time -v` reports each one's peak memory.
#![allow(clippy::unwrap_used)]

use dasan_kernel::Actor;
use dasan_registry::demo::{self, DemoSpec};
use dasan_registry::{
    Format, ImportOptions, KoreanRrn, LookupRequest, NewSharingRule, PersonField, PersonId,
    RecordKind, Registry,
};
use dasan_store::{Database, DatabaseOptions, on_reader};
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num(args: &[String], name: &str, default: usize) -> usize {
    arg(args, name).map_or(default, |v| v.replace('_', "").parse().unwrap())
}

async fn open(url: &str) -> Registry {
    let mut options = DatabaseOptions::new(url);
    options.statement_timeout = std::time::Duration::from_secs(600);
    let db = Database::connect(&options).await.unwrap();
    db.migrate().await.unwrap();
    Registry::new(db)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let spec = DemoSpec {
                people: num(&args, "--people", 100_000),
                businesses: num(&args, "--businesses", 10_000),
                seed: num(&args, "--seed", 2026) as u64,
            };
            let out = PathBuf::from(arg(&args, "--out").unwrap_or_else(|| "bench-data".into()));
            let started = Instant::now();
            let files = demo::generate_to_dir(&spec, &KoreanRrn, &out, Format::Csv).unwrap();
            let size = std::fs::metadata(&files.people).unwrap().len();
            println!(
                "generate: {} people ({:.1} MB CSV), {} businesses in {:.2} s",
                spec.people,
                size as f64 / 1e6,
                files.business_count,
                started.elapsed().as_secs_f64()
            );
        }
        Some("import") => {
            let url = arg(&args, "--url").unwrap();
            let dir = PathBuf::from(arg(&args, "--dir").unwrap());
            let registry = open(&url).await;
            for (kind, name) in [
                (RecordKind::Agencies, "agencies.csv"),
                (RecordKind::People, "people.csv"),
                (RecordKind::Businesses, "businesses.csv"),
            ] {
                let file = std::io::BufReader::with_capacity(
                    1 << 16,
                    std::fs::File::open(dir.join(name)).unwrap(),
                );
                let started = Instant::now();
                let summary = registry
                    .import(
                        Actor::system(),
                        kind,
                        Format::Csv,
                        file,
                        ImportOptions::default(),
                        &mut |e| panic!("bad row: {e}"),
                    )
                    .await
                    .unwrap();
                let secs = started.elapsed().as_secs_f64();
                let c = summary.counts;
                println!(
                    "import {}: {} rows ({} inserted, {} updated, {} unchanged) in {secs:.2} s = {:.0} rows/s, committed={}",
                    kind.as_str(),
                    c.rows,
                    c.inserted,
                    c.updated,
                    c.unchanged,
                    c.rows as f64 / secs,
                    summary.committed
                );
            }
            // Closing checkpoints SQLite's WAL into the database file (the last connection to
            // close does it), so the look-ups that follow start on a clean file, as a server
            // restarted after an import would.
            registry.database().close().await;
        }
        Some("lookup") => {
            let url = arg(&args, "--url").unwrap();
            let count = num(&args, "--count", 10_000);
            let registry = open(&url).await;
            let fields: std::collections::BTreeSet<PersonField> = [
                PersonField::NameLocal,
                PersonField::NameLatin,
                PersonField::Address,
                PersonField::Status,
            ]
            .into_iter()
            .collect();
            let rules = registry.sharing_rules().await.unwrap();
            if !rules
                .iter()
                .any(|r| r.agency == "NTS" && r.purpose == "bench")
            {
                registry
                    .add_sharing_rule(
                        Actor::system(),
                        NewSharingRule {
                            agency: "NTS".into(),
                            purpose: "bench".into(),
                            fields: fields.clone(),
                            legal_basis: "benchmark".into(),
                        },
                    )
                    .await
                    .unwrap();
            }
            let ids: Vec<String> = on_reader!(registry.database(), |p| sqlx::query_scalar(
                "SELECT id FROM registry_people"
            )
            .fetch_all(p)
            .await)
            .unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            let official = Actor {
                agency: Some("NTS".into()),
                ..Actor::account(uuid::Uuid::now_v7())
            };
            let mut lat = Vec::with_capacity(count);
            let warmup = 500.min(count);
            let started = Instant::now();
            for i in 0..count + warmup {
                let subject: PersonId = ids[rng.random_range(0..ids.len())].parse().unwrap();
                let request = LookupRequest {
                    subject,
                    fields: fields.clone(),
                    purpose: "bench".into(),
                    requester: "NTS".into(),
                };
                let t = Instant::now();
                registry.lookup(official.clone(), &request).await.unwrap();
                if i >= warmup {
                    lat.push(t.elapsed().as_micros() as u64);
                }
            }
            let total = started.elapsed().as_secs_f64();
            lat.sort_unstable();
            let pct =
                |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] as f64 / 1000.0;
            println!(
                "lookup: {} people, {} look-ups (+{warmup} warm-up) sequential: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms, {:.0} look-ups/s",
                ids.len(),
                lat.len(),
                pct(0.50),
                pct(0.90),
                pct(0.99),
                pct(0.999),
                *lat.last().unwrap() as f64 / 1000.0,
                (count + warmup) as f64 / total
            );
        }
        _ => {
            eprintln!("usage: registry_bench generate|import|lookup …");
            std::process::exit(2);
        }
    }
}
