#![no_main]
// cargo fuzz run ef_com   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- ef_com SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::ef_com(data));
