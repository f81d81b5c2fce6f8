//! A fuzzing harness for the stable toolchain (cargo fuzz needs nightly): feeds each target
//! mutated seed inputs for a given time and reports any panic, saving the input.
//!
//!     cargo run --release --no-default-features --bin stable-harness -- TARGET|all SECONDS
//!     cargo run --release --no-default-features --bin stable-harness -- --write-seeds DIR
//!
//! No coverage feedback: mutations (bit flips, byte and length-byte changes, insertions,
//! deletions, duplications, splices, truncations) of the seeds and of earlier mutants.
//! Seeds: shared/testdata (DASAN_TESTDATA, default ../../../../shared/testdata from this
//! crate) and fresh factory chips.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x02, 0x1F, 0x30, 0x31, 0x3C, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xA0, 0xFF,
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                input[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            3 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                for _ in 0..n {
                    input.insert(i, rng.next() as u8);
                }
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                input.drain(i..i + n);
            }
            5 if len > 1 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let chunk: Vec<u8> = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            6 if !other.is_empty() => {
                let i = rng.below(other.len());
                let n = 1 + rng.below((other.len() - i).min(256));
                let at = rng.below(len + 1);
                let end = (at + n).min(len);
                input.splice(at..end, other[i..i + n].iter().copied());
            }
            7 if len > 0 => input.truncate(rng.below(len)),
            8 if len > 0 => {
                // A length byte: find a long-form length marker and change the length.
                let start = rng.below(len);
                if let Some(p) = input[start..]
                    .iter()
                    .position(|&b| (0x81..=0x84).contains(&b))
                {
                    let p = start + p + 1;
                    if p < len {
                        input[p] = input[p].wrapping_add((rng.below(5) as u8).wrapping_sub(2));
                    }
                }
            }
            _ => {
                if len > 0 {
                    let i = rng.below(len);
                    input[i] = input[i].wrapping_add(1);
                }
            }
        }
    }
}

fn testdata() -> PathBuf {
    std::env::var_os("DASAN_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/testdata")
        })
}

fn run(name: &str, target: fn(&[u8]), seconds: u64, seed: u64) -> (u64, usize, usize) {
    let mut corpus = dasan_mrtd_fuzz::seeds(name, &testdata());
    let seeds = corpus.len();
    for s in corpus.clone() {
        target(&s);
    }
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut execs = 0u64;
    let mut crashes = 0usize;
    while Instant::now() < deadline {
        for _ in 0..256 {
            // Half the time a pristine seed, so the corpus cannot drift into junk.
            let a = if rng.below(2) == 0 {
                rng.below(seeds)
            } else {
                rng.below(corpus.len())
            };
            let b = rng.below(corpus.len());
            let mut input = corpus[a].clone();
            let other = corpus[b].clone();
            mutate(&mut rng, &mut input, &other);
            let r = catch_unwind(AssertUnwindSafe(|| target(&input)));
            execs += 1;
            if r.is_err() {
                crashes += 1;
                let path = format!("crash-{name}-{execs}.bin");
                let _ = std::fs::write(&path, &input);
                eprintln!("{name}: PANIC, input saved to {path}");
            }
            // Keep some mutants so mutations can stack up (bounded corpus).
            if rng.below(16) == 0 && input.len() < 64 * 1024 {
                if corpus.len() < 2000 {
                    corpus.push(input);
                } else {
                    let i = seeds + rng.below(corpus.len() - seeds);
                    corpus[i] = input;
                }
            }
        }
    }
    (execs, seeds, crashes)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--write-seeds") {
        let dir = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("seeds"));
        for (name, _) in dasan_mrtd_fuzz::TARGETS {
            let d = dir.join(name);
            let _ = std::fs::create_dir_all(&d);
            for (i, s) in dasan_mrtd_fuzz::seeds(name, &testdata()).iter().enumerate() {
                let _ = std::fs::write(d.join(format!("seed-{i}")), s);
            }
        }
        return;
    }
    let which = args.get(1).map(String::as_str).unwrap_or("all");
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0x9303);
    // Panics are reported by the loop; keep the default hook's message short.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let mut total_crashes = 0;
    for (name, target) in dasan_mrtd_fuzz::TARGETS {
        if which != "all" && which != *name {
            continue;
        }
        let started = Instant::now();
        let (execs, seeds, crashes) = run(name, *target, seconds, seed);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name}: {execs} executions in {secs:.0} s ({:.0}/s) from {seeds} seeds, {crashes} panics",
            execs as f64 / secs
        );
        total_crashes += crashes;
    }
    if total_crashes > 0 {
        std::process::exit(1);
    }
}
