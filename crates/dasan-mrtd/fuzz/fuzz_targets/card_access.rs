#![no_main]
// cargo fuzz run card_access   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- card_access SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::card_access(data));
