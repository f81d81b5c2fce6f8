#![no_main]
// cargo fuzz run master_list   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- master_list SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::master_list(data));
