//! Writes OCDS packages of sample procedures (conformance), or measures a bulk export (bench).
//!
//! ```text
//! ocds_export sample DIR        release-package.json, record-package.json (linked releases),
//!                               record-package-embedded.json: 4 full cycles and a cancelled tender
//! ocds_export bench N OUT       streams N full-cycle procedures (18 releases each) as one
//!                               release package to OUT (a file or /dev/null), then as one record
//!                               package, then times record compilation alone on up to 20,000 of
//!                               them; prints JSON: releases/s, records/s, peak RSS after each
//!                               package (flat: one procedure in memory at a time)
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use dasan_kernel::Timestamp;
use dasan_ocds::package::{PackageMeta, Publisher};
use dasan_ocds::{
    OcidPrefix, Procedure, RecordPackageWriter, ReleasePackageWriter, compile, record_embedded,
    record_linked, releases, sample,
};

const PUBLISHED: Timestamp = Timestamp::from_micros(1_790_000_000_000_000);

fn meta(uri: &str) -> PackageMeta {
    PackageMeta {
        uri: uri.to_owned(),
        published_date: PUBLISHED,
        publisher: Publisher {
            name: "Dasan demo".into(),
            scheme: None,
            uid: None,
            uri: Some("https://dasan.example".into()),
        },
        license: Some("https://creativecommons.org/licenses/by/4.0/".into()),
        publication_policy: None,
        links: None,
    }
}

fn procedures() -> Vec<Procedure> {
    let mut v: Vec<Procedure> = (0..4).map(sample::full_cycle).collect();
    v.push(sample::cancelled(4));
    v.push(sample::reawarded(5));
    v
}

fn write_samples(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let prefix = OcidPrefix::new("ocds-213czf")?;
    let release_uri = "https://dasan.example/api/v1/ocds/releases";
    let mut rp = ReleasePackageWriter::new(
        BufWriter::new(File::create(dir.join("release-package.json"))?),
        &meta(release_uri),
    )?;
    let mut linked = RecordPackageWriter::new(
        BufWriter::new(File::create(dir.join("record-package.json"))?),
        &meta("https://dasan.example/api/v1/ocds/records"),
    )?;
    let mut embedded = RecordPackageWriter::new(
        BufWriter::new(File::create(dir.join("record-package-embedded.json"))?),
        &meta("https://dasan.example/api/v1/ocds/records?embed=true"),
    )?;
    for p in procedures() {
        let rs = releases(&prefix, &p)?;
        for r in &rs {
            rp.write(r)?;
        }
        linked.write(&record_linked(&rs, release_uri)?)?;
        embedded.write(&record_embedded(&rs)?)?;
    }
    rp.finish()?.flush()?;
    linked.finish()?.flush()?;
    embedded.finish()?.flush()?;
    Ok(())
}

/// Peak resident set size of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn bench(n: u64, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let prefix = OcidPrefix::new("ocds-213czf")?;
    let bulk = "https://dasan.example/api/v1/ocds/bulk";
    // Release package: build each procedure's releases and stream them, one procedure in memory
    // at a time.
    let start = Instant::now();
    let mut w = ReleasePackageWriter::new(
        BufWriter::with_capacity(1 << 16, File::create(out)?),
        &meta(bulk),
    )?;
    for i in 0..n {
        for r in releases(&prefix, &sample::full_cycle(i))? {
            w.write(&r)?;
        }
    }
    let count = w.count();
    w.finish()?.flush()?;
    let export_s = start.elapsed().as_secs_f64();
    let release_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let rss_releases = peak_rss_kib();

    // Record package: releases built, compiled and streamed as records (linked releases).
    let start = Instant::now();
    let mut w = RecordPackageWriter::new(
        BufWriter::with_capacity(1 << 16, File::create(out)?),
        &meta(bulk),
    )?;
    for i in 0..n {
        w.write(&record_linked(
            &releases(&prefix, &sample::full_cycle(i))?,
            bulk,
        )?)?;
    }
    w.finish()?.flush()?;
    let records_s = start.elapsed().as_secs_f64();
    let record_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let rss_records = peak_rss_kib();

    // Compilation alone, on releases built beforehand (outside the timing).
    let sample_size = n.min(20_000);
    let built: Vec<_> = (0..sample_size)
        .map(|i| releases(&prefix, &sample::full_cycle(i)))
        .collect::<Result<_, _>>()?;
    let merged: usize = built.iter().map(Vec::len).sum();
    let start = Instant::now();
    for rs in &built {
        std::hint::black_box(compile(rs)?);
    }
    let compile_s = start.elapsed().as_secs_f64();
    println!(
        "{{\"procedures\":{n},\"releases\":{count},\"release_package_seconds\":{export_s:.2},\
         \"releases_per_second\":{:.0},\"release_package_bytes\":{release_bytes},\
         \"peak_rss_kib_after_release_package\":{rss_releases},\
         \"record_package_seconds\":{records_s:.2},\"records_streamed_per_second\":{:.0},\
         \"record_package_bytes\":{record_bytes},\"peak_rss_kib_after_record_package\":{rss_records},\
         \"compiled\":{sample_size},\"compiled_from_releases\":{merged},\"compile_seconds\":{compile_s:.3},\
         \"records_compiled_per_second\":{:.0}}}",
        count as f64 / export_s,
        n as f64 / records_s,
        sample_size as f64 / compile_s,
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["sample", dir] => write_samples(Path::new(dir)),
        ["bench", n, out] => match n.parse() {
            Ok(n) => bench(n, Path::new(out)),
            Err(e) => Err(e.into()),
        },
        _ => Err("usage: ocds_export sample DIR | bench N OUT".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
