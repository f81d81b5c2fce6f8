#![no_main]
// cargo fuzz run dg12   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- dg12 SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::dg12(data));
