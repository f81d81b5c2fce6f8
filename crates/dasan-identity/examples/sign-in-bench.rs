//! Password sign-in capacity: argon2id verifications per second at the platform's parameters
//! (OWASP: m = 19 MiB, t = 2, p = 1), one worker per core, for `SECONDS` (default 10).
//!
//! `cargo run --release -p dasan-identity --example sign-in-bench -- [SECONDS] [THREADS]`
//!
//! A password sign-in is one verification plus a few small queries; the hash dominates, so
//! this is the ceiling for password sign-ins per second on this machine.
#![allow(clippy::unwrap_used)]

use dasan_identity::PasswordHash;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map(|s| s.parse().unwrap()).unwrap_or(10);
    let threads: usize = args
        .next()
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let hash = PasswordHash::create("plum tractor ocean 47 lantern").unwrap();
    let single = Instant::now();
    assert!(hash.verify("plum tractor ocean 47 lantern"));
    println!(
        "one verification: {:.1} ms",
        single.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let hash = PasswordHash::from_stored(hash.as_str().to_owned());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < Duration::from_secs(seconds) {
                    assert!(hash.verify("plum tractor ocean 47 lantern"));
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{threads} threads: {total} verifications in {secs:.1} s = {:.1} sign-ins/s",
        total as f64 / secs
    );
}
