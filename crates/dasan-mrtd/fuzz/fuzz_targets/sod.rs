#![no_main]
// cargo fuzz run sod   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- sod SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::sod(data));
