#![no_main]
// cargo fuzz run mrz_repair   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- mrz_repair SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::mrz_repair(data));
