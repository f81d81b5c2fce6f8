#![no_main]
//! Feeds arbitrary bytes to the CSV and JSON Lines import readers and row parsers of every kind.
//! `cargo +nightly fuzz run import_parser` from `crates/dasan-registry`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dasan_registry::import::fuzz_parse(data);
});
