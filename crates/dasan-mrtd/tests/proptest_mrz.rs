//! Property tests: generate → format → parse round trips, and no panics on any input.
#![allow(clippy::unwrap_used)]

use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Date, Mrz, MrzFormat, Sex, lds};
use proptest::prelude::*;

const REFERENCE: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

fn word(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z]{{1,{max}}}")).unwrap()
}

fn date() -> impl Strategy<Value = String> {
    (0u8..100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn state() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "UTO", "D", "KOR", "DEU", "GBR", "XXA", "UNO", "EUE", "GBN",
    ])
    .prop_map(str::to_string)
}

prop_compose! {
    fn zone()(
        format in prop::sample::select(vec![
            MrzFormat::Td1, MrzFormat::Td2, MrzFormat::Td3, MrzFormat::MrvA, MrzFormat::MrvB,
        ]),
        long in any::<bool>(),
        number_len in 1usize..10,
        extra in 1usize..6,
        number in proptest::string::string_regex("[A-Z0-9]{15}").unwrap(),
        primary in word(8),
        given in prop::collection::vec(word(6), 0..3),
        issuer in state(),
        nationality in state(),
        birth in date(),
        expiry in date(),
        sex in prop::sample::select(vec![Sex::Female, Sex::Male, Sex::Unspecified, Sex::NotGiven]),
        optional in proptest::string::string_regex("[A-Z0-9]{0,7}").unwrap(),
        optional2 in proptest::string::string_regex("[A-Z0-9]{0,11}").unwrap(),
    ) -> Mrz {
        let long = long && matches!(format, MrzFormat::Td1 | MrzFormat::Td2);
        let document_number = if long {
            // TD2 has room for at most 2 extra characters, TD1 for 5 (with an empty optional part).
            let room = if format == MrzFormat::Td2 { extra.min(2) } else { extra };
            number[..9 + room].to_string()
        } else {
            number[..number_len].to_string()
        };
        let optional_data = if long { String::new() } else { optional };
        Mrz {
            format,
            document_code: if matches!(format, MrzFormat::MrvA | MrzFormat::MrvB) {
                "V".into()
            } else if format == MrzFormat::Td3 {
                "P".into()
            } else {
                "I".into()
            },
            issuer,
            primary_identifier: primary,
            secondary_identifier: given.join(" "),
            document_number,
            nationality,
            birth_date: MrzDate { raw: birth, date: None },
            sex,
            expiry_date: MrzDate { raw: expiry, date: None },
            optional_data,
            optional_data_2: if format == MrzFormat::Td1 { optional2 } else { String::new() },
            check_digits: CheckDigits::default(),
            lines: vec![],
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn format_then_parse_round_trips(m in zone()) {
        let lines = m.to_lines().unwrap();
        let (count, width) = m.format.shape();
        prop_assert_eq!(lines.len(), count);
        prop_assert!(lines.iter().all(|l| l.len() == width));
        let p = Mrz::parse(&lines.join("\n"), REFERENCE).unwrap();
        prop_assert_eq!(&p.format, &m.format);
        prop_assert_eq!(&p.document_code, &m.document_code);
        prop_assert_eq!(&p.issuer, &m.issuer);
        prop_assert_eq!(&p.primary_identifier, &m.primary_identifier);
        prop_assert_eq!(&p.secondary_identifier, &m.secondary_identifier);
        prop_assert_eq!(&p.document_number, &m.document_number);
        prop_assert_eq!(&p.nationality, &m.nationality);
        prop_assert_eq!(&p.birth_date.raw, &m.birth_date.raw);
        prop_assert_eq!(&p.expiry_date.raw, &m.expiry_date.raw);
        prop_assert_eq!(p.sex, m.sex);
        prop_assert_eq!(&p.optional_data, &m.optional_data);
        prop_assert_eq!(&p.optional_data_2, &m.optional_data_2);
        prop_assert!(p.check_digits.all_valid());
        // The century rule: births are never after the reference date.
        if let Some(b) = p.birth_date.date {
            prop_assert!(b <= REFERENCE);
        }
        // Formatting the parsed zone gives the same lines.
        prop_assert_eq!(p.to_lines().unwrap(), lines);
    }

    #[test]
    fn a_changed_check_digit_is_an_error(m in zone(), pick in any::<prop::sample::Index>()) {
        let lines = m.to_lines().unwrap();
        let text = lines.join("\n");
        // Change one digit of the zone to another digit: check digits or dates must object,
        // unless the change made an equivalent zone (never: the weights are 7, 3, 1 and a
        // single-digit change alters the sum by a non-multiple of 10).
        // MRV optional data has no check digit: leave it out.
        let unprotected = match m.format {
            MrzFormat::MrvA | MrzFormat::MrvB => lines[0].len() + 1 + 28,
            _ => text.len(),
        };
        let digits: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| c.is_ascii_digit() && i < unprotected)
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!digits.is_empty());
        let i = digits[pick.index(digits.len())];
        let mut bytes = text.into_bytes();
        bytes[i] = if bytes[i] == b'9' { b'0' } else { bytes[i] + 1 };
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(Mrz::parse(&changed, REFERENCE).is_err());
    }

    #[test]
    fn any_text_never_panics(s in "\\PC{0,200}", t in "[A-Z0-9<\n]{0,140}") {
        let _ = Mrz::analyze(&s, REFERENCE);
        let _ = Mrz::analyze(&t, REFERENCE);
        let _ = Mrz::repair(&t, REFERENCE);
    }

    #[test]
    fn any_bytes_never_panic_the_lds_parsers(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = lds::parse_ef_com(&data);
        let _ = lds::parse_dg1(&data);
        let _ = lds::parse_dg2(&data);
        let _ = lds::parse_dg11(&data);
        let _ = lds::parse_dg12(&data);
        let _ = lds::parse_dg14(&data);
        let _ = lds::parse_dg15(&data);
        let _ = lds::parse_sod(&data);
        let _ = lds::parse_card_access(&data);
        let _ = lds::parse_master_list(&data);
    }
}
