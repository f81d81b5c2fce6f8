//! Render one unsigned sample (with a dummy seal) for a look: render-one OUT.pdf [en|ko|bi] [TYPE]
#![allow(clippy::unwrap_used)]
use dasan_docs::*;
use std::time::{Duration, UNIX_EPOCH};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let fonts = Fonts::nanum_gothic(std::path::Path::new(fonts::DEBIAN_NANUM_DIR)).unwrap();
    let (lang, layout) = match args.get(2).map(String::as_str) {
        Some("en") => (Language::En, Layout::Single),
        Some("bi") => (Language::Ko, Layout::Bilingual),
        _ => (Language::Ko, Layout::Single),
    };
    let t = args
        .get(3)
        .and_then(|c| DocumentType::from_code(c))
        .unwrap_or(DocumentType::ResidentRegistration);
    let spec = samples::spec(
        t,
        lang,
        layout,
        Paper::A4,
        UNIX_EPOCH + Duration::from_secs(1_772_323_200),
    );
    let payload = format!("DSN1:{}", "ABCDEFGH0123456789 $%*+-./:".repeat(20));
    let t0 = std::time::Instant::now();
    let pdf = render(&spec, &fonts, &payload).unwrap();
    eprintln!("{} bytes in {:?}", pdf.len(), t0.elapsed());
    std::fs::write(&args[1], pdf).unwrap();
}
