#![no_main]
// cargo fuzz run mrz   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- mrz SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::mrz(data));
