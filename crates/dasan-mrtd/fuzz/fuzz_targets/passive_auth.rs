#![no_main]
// cargo fuzz run passive_auth   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- passive_auth SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::passive_auth(data));
