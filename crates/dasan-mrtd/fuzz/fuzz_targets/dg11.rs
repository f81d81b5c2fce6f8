#![no_main]
// cargo fuzz run dg11   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- dg11 SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::dg11(data));
