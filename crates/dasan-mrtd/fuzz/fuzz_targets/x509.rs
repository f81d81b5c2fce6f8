#![no_main]
// cargo fuzz run x509   (or the stable harness: cargo run --release --no-default-features --bin stable-harness -- x509 SECONDS)
libfuzzer_sys::fuzz_target!(|data: &[u8]| dasan_mrtd_fuzz::x509(data));
