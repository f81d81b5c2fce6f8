//! The whole UN consolidated list: import, screening quality on its own aliases, Korean names.
#![allow(clippy::unwrap_used)]

mod common_un;

use dasan_border::screen::MatchRule;
use dasan_border::{EntryKind, Screener, ScreeningConfig, ScreeningQuery, quality};

#[test]
fn imports_every_record() {
    let imported = common_un::import_full_un_list();
    assert!(
        imported.issues.is_empty(),
        "{:?}",
        &imported.issues[..3.min(imported.issues.len())]
    );
    let individuals = imported
        .records
        .iter()
        .filter(|e| e.kind == EntryKind::Individual)
        .count();
    assert_eq!(individuals, 730);
    assert_eq!(imported.records.len() - individuals, 273);
    let with_dob = imported
        .records
        .iter()
        .filter(|e| !e.birth_dates.is_empty())
        .count();
    assert!(with_dob > 650, "{with_dob}");
    let prk = imported
        .records
        .iter()
        .filter(|e| e.nationalities.iter().any(|n| n == "PRK"))
        .count();
    assert_eq!(prk, 79);
}

#[test]
fn recall_and_precision_on_the_lists_own_aliases() {
    let screener = Screener::new(common_un::import_full_un_list().records);
    let config = ScreeningConfig::default();
    let report = quality::report(&screener, &config, 5000);
    println!("{report}");
    // A traveller using a listed alias (with the listed birth date) is always found.
    assert!(report.as_listed.recall() >= 0.98, "{report}");
    // A new spelling must be found through the other names: measured 64 % (74 % of Good-quality
    // aliases); most misses are nicknames and unrelated names ("AIGLE BLANC", "Papa Six").
    assert!(report.leave_one_out.recall() >= 0.60, "{report}");
    assert!(report.leave_one_out_good.recall() >= 0.70, "{report}");
    assert!(report.precision >= 0.90, "{report}");
    assert!(report.synthetic.false_hit_rate() <= 0.01, "{report}");
    assert!(report.namesakes.false_hit_rate() <= 0.05, "{report}");
}

#[test]
fn korean_names_on_the_un_list() {
    let screener = Screener::new(common_un::import_full_un_list().records);
    let config = ScreeningConfig::default();
    let find = |name: &str, dob: Option<(u16, u8, u8)>| {
        screener.screen(
            &ScreeningQuery {
                name: name.into(),
                birth_date: dob.and_then(|(y, m, d)| dasan_border::CalendarDate::new(y, m, d)),
                nationality: Some("KOR".into()),
            },
            &config,
        )
    };
    // Listed as RA KY'ONG-SU (McCune-Reischauer), born 1954-06-04: RR, informal and Hangul.
    for name in ["RA GYEONGSU", "Ra Kyung Su", "라경수", "NA KYONG SU"] {
        let hits = find(name, Some((1954, 6, 4)));
        assert!(
            hits.iter().any(|h| h.reference == "KPi.008"),
            "{name}: {hits:#?}"
        );
    }
    let hits = find("RA GYEONGSU", Some((1954, 6, 4)));
    let h = hits.iter().find(|h| h.reference == "KPi.008").unwrap();
    assert!(
        h.tokens.iter().any(|t| matches!(
            t.rule,
            MatchRule::KoreanSyllable | MatchRule::KoreanRomanisation
        )),
        "{h:#?}"
    );
}
