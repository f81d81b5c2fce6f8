//! Importers and screening never panic, whatever the input.
#![allow(clippy::unwrap_used)]

use dasan_border::{
    Screener, ScreeningConfig, ScreeningQuery, import_lost_stolen_csv, import_national_csv,
    import_un_xml, korean, normalize,
};
use proptest::prelude::*;
use std::sync::OnceLock;

const EXCERPT: &str = include_str!("data/un_excerpt.xml");

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| Screener::new(import_un_xml(EXCERPT.as_bytes()).unwrap().records))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn un_importer_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = import_un_xml(bytes.as_slice());
    }

    #[test]
    fn un_importer_on_mutated_real_xml(cut in 0usize..15_000, at in 0usize..15_000, junk in ".{0,12}") {
        let mut s: String = EXCERPT.chars().take(cut.max(1)).collect();
        let at = s.char_indices().map(|(i, _)| i).nth(at % s.chars().count().max(1)).unwrap_or(0);
        s.insert_str(at, &junk);
        let _ = import_un_xml(s.as_bytes());
    }

    #[test]
    fn csv_importers_never_panic(text in "(?s).{0,400}") {
        let _ = import_national_csv("X", text.as_bytes());
        let _ = import_lost_stolen_csv(text.as_bytes());
        let with_header = format!("id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n{text}");
        let _ = import_national_csv("X", with_header.as_bytes());
        let ls = format!("issuing_state,document_number,reported_on\n{text}");
        let _ = import_lost_stolen_csv(ls.as_bytes());
    }

    #[test]
    fn screening_never_panics(name in "(?s).{0,80}", y in 0u16..3000, m in 0u8..14, d in 0u8..33, nat in ".{0,5}") {
        let q = ScreeningQuery {
            name: name.clone(),
            birth_date: dasan_border::CalendarDate::new(y, m, d),
            nationality: Some(nat),
        };
        for h in screener().screen(&q, &ScreeningConfig::default()) {
            prop_assert!(h.score.0 <= 10_000);
        }
        let _ = normalize::skeleton(&name);
        let _ = korean::loose_key(&name);
        let _ = normalize::normalize(&name);
    }

    #[test]
    fn hangul_names_screen_like_their_romanization(s in "[가-힣]{2,4}") {
        let rr = normalize::normalize(&s);
        prop_assert!(!rr.is_empty());
        prop_assert!(rr.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
    }
}
