//! Property tests of the import parser, and the fuzz target's body as a stable random loop.
#![allow(clippy::unwrap_used)]

use dasan_registry::demo::{self, DemoSpec};
use dasan_registry::import::{self, RawRow, RowReader, parse_person};
use dasan_registry::{
    Address, Format, KoreanRrn, NationalIdScheme, PersonData, PersonStatus, RecordKind, Sex,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

fn read_all(
    data: &[u8],
    format: Format,
    kind: RecordKind,
) -> Vec<Result<RawRow, import::RowError>> {
    let mut reader = RowReader::new(data, format, kind).unwrap();
    let mut out = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        out.push(row);
    }
    out
}

fn person_strategy() -> impl Strategy<Value = PersonData> {
    let text = "[가-힣]{1,4}";
    let latin = "[A-Z]{2,6} [A-Z][a-z]{1,6}(-[a-z]{1,5})?";
    // Commas, quotes and spaces inside fields exercise CSV quoting.
    let street = "[가-힣A-Za-z0-9 ,\"'.()-]{0,20}[가-힣A-Za-z0-9]";
    (
        (
            1900i16..2024,
            1i8..=12,
            1i8..=28,
            any::<bool>(),
            0u32..100_000,
        ),
        text,
        latin,
        street,
        proptest::option::of("[0-9]{1,3}동 [0-9]{3,4}호"),
        "[0-9]{5}",
        prop_oneof![
            Just(PersonStatus::Living),
            Just(PersonStatus::Deceased),
            Just(PersonStatus::Emigrated)
        ],
    )
        .prop_map(
            |(
                (y, m, d, male, serial),
                name_local,
                name_latin,
                street,
                unit,
                postal_code,
                status,
            )| {
                let birth_date = jiff::civil::date(y, m, d);
                let sex = if male { Sex::Male } else { Sex::Female };
                PersonData {
                    national_id: KoreanRrn.make(birth_date, sex, false, serial).unwrap(),
                    name_local,
                    name_latin,
                    birth_date,
                    sex,
                    nationality: "KOR".into(),
                    address: Address {
                        region: "서울특별시".into(),
                        locality: "종로구".into(),
                        street,
                        building: "1".into(),
                        unit,
                        postal_code,
                        country: "KR".into(),
                    },
                    status,
                    status_date: (status != PersonStatus::Living)
                        .then(|| jiff::civil::date(2025, 1, 1)),
                    parents: vec![],
                    spouse: None,
                }
            },
        )
}

fn values(p: &PersonData) -> Vec<String> {
    vec![
        p.national_id.clone(),
        p.name_local.clone(),
        p.name_latin.clone(),
        p.birth_date.to_string(),
        p.sex.as_str().into(),
        p.nationality.clone(),
        p.status.as_str().into(),
        p.status_date.map(|d| d.to_string()).unwrap_or_default(),
        p.address.region.clone(),
        p.address.locality.clone(),
        p.address.street.clone(),
        p.address.building.clone(),
        p.address.unit.clone().unwrap_or_default(),
        p.address.postal_code.clone(),
        p.address.country.clone(),
        String::new(),
        String::new(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Valid people written as CSV (quoted as needed) parse back to exactly themselves, on the
    /// lines they were written to.
    #[test]
    fn csv_rows_round_trip(people in proptest::collection::vec(person_strategy(), 1..8)) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(import::PEOPLE_COLUMNS).unwrap();
        for p in &people {
            w.write_record(values(p)).unwrap();
        }
        let data = w.into_inner().unwrap();
        let rows = read_all(&data, Format::Csv, RecordKind::People);
        prop_assert_eq!(rows.len(), people.len());
        // A quoted field may span lines only if it held a newline; none do here.
        for (expected_line, (row, p)) in (2..).zip(rows.iter().zip(&people)) {
            let row = row.as_ref().unwrap();
            prop_assert_eq!(row.line, expected_line);
            let parsed = parse_person(row, &KoreanRrn).unwrap();
            // The parser trims the street the same way validation does.
            let mut want = p.clone();
            want.address.street = want.address.street.trim().to_owned();
            prop_assert_eq!(parsed.data, want);
        }
    }

    /// The same for JSON Lines, with blank lines in between: line numbers are the file's.
    #[test]
    fn jsonl_rows_round_trip_with_blank_lines(people in proptest::collection::vec((person_strategy(), 0usize..3), 1..8)) {
        let mut data = String::new();
        let mut lines = Vec::new();
        let mut line = 0u64;
        for (p, blanks) in &people {
            for _ in 0..*blanks {
                data.push('\n');
                line += 1;
            }
            let obj: serde_json::Map<String, serde_json::Value> = import::PEOPLE_COLUMNS
                .iter()
                .zip(values(p))
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| ((*k).to_owned(), v.into()))
                .collect();
            data.push_str(&serde_json::Value::Object(obj).to_string());
            data.push('\n');
            line += 1;
            lines.push(line);
        }
        let rows = read_all(data.as_bytes(), Format::Jsonl, RecordKind::People);
        prop_assert_eq!(rows.len(), people.len());
        for ((row, (p, _)), want_line) in rows.iter().zip(&people).zip(lines) {
            let row = row.as_ref().unwrap();
            prop_assert_eq!(row.line, want_line);
            let mut want = p.clone();
            want.address.street = want.address.street.trim().to_owned();
            prop_assert_eq!(parse_person(row, &KoreanRrn).unwrap().data, want);
        }
    }

    /// Arbitrary bytes never panic the readers or parsers.
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        import::fuzz_parse(&data);
    }

    /// Arbitrary text shaped like the files never panics them either.
    #[test]
    fn file_shaped_text_never_panics(data in "(national_id|code|registration_number|name_local|[a-z_]{1,12})(,[a-z_]{1,12}){0,6}\n([^\n]{0,80}\n){0,10}") {
        import::fuzz_parse(data.as_bytes());
    }
}

/// The body of the fuzz target over random and mutated inputs for `DASAN_FUZZ_SECS` seconds
/// (default 30). Run with `cargo test --release -p dasan-registry --test parser -- --ignored`.
#[test]
#[ignore]
fn fuzz_import_parser_random_loop() {
    let secs: u64 = std::env::var("DASAN_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("DASAN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let spec = DemoSpec {
        people: 12,
        businesses: 4,
        seed,
    };
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for format in [Format::Csv, Format::Jsonl] {
        let mut people = Vec::new();
        let reps = demo::write_people(&spec, &KoreanRrn, &mut people, format).unwrap();
        let mut businesses = Vec::new();
        demo::write_businesses(&spec, &reps, &mut businesses, format).unwrap();
        let mut agencies = Vec::new();
        demo::write_agencies(&mut agencies, format).unwrap();
        seeds.extend([people, businesses, agencies]);
    }
    const TOKENS: &[&[u8]] = &[
        b",",
        b"\"",
        b"\n",
        b"\r\n",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b"\\",
        b"\xff",
        b"\xef\xbb\xbf",
        b"\"\"",
        b"null",
        b"-",
        b";",
        b"0",
        b"9999-99-99",
        b"\x00",
        "가".as_bytes(),
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let mut runs = 0u64;
    let mut bytes = 0u64;
    while std::time::Instant::now() < deadline {
        for _ in 0..64 {
            let input: Vec<u8> = match rng.random_range(0..4) {
                0 => (0..rng.random_range(0..512))
                    .map(|_| rng.random())
                    .collect(),
                _ => {
                    let mut d = seeds[rng.random_range(0..seeds.len())].clone();
                    for _ in 0..rng.random_range(1..8) {
                        if d.is_empty() {
                            break;
                        }
                        let at = rng.random_range(0..d.len());
                        match rng.random_range(0..5) {
                            0 => d[at] = rng.random(),
                            1 => {
                                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                                d.splice(at..at, t.iter().copied());
                            }
                            2 => {
                                let end = (at + rng.random_range(1..40)).min(d.len());
                                d.drain(at..end);
                            }
                            3 => {
                                let end = (at + rng.random_range(1..80)).min(d.len());
                                let chunk = d[at..end].to_vec();
                                let to = rng.random_range(0..d.len());
                                d.splice(to..to, chunk);
                            }
                            _ => d.truncate(at),
                        }
                    }
                    d
                }
            };
            bytes += input.len() as u64;
            import::fuzz_parse(&input);
            runs += 1;
        }
    }
    eprintln!(
        "fuzz_import_parser_random_loop: seed {seed}, {runs} inputs, {bytes} bytes, {secs} s, no failure"
    );
}

/// A larger demo country parses without a single bad row, in both formats, and the same seed
/// gives the same bytes.
#[test]
fn demo_files_are_valid_and_deterministic() {
    let spec = DemoSpec {
        people: 20_000,
        businesses: 2_000,
        seed: 99,
    };
    for format in [Format::Csv, Format::Jsonl] {
        let mut people = Vec::new();
        let reps = demo::write_people(&spec, &KoreanRrn, &mut people, format).unwrap();
        let mut again = Vec::new();
        demo::write_people(&spec, &KoreanRrn, &mut again, format).unwrap();
        assert!(people == again, "same seed, same bytes");
        let mut businesses = Vec::new();
        assert_eq!(
            demo::write_businesses(&spec, &reps, &mut businesses, format).unwrap(),
            2_000
        );
        let mut seen = std::collections::HashSet::new();
        let rows = read_all(&people, format, RecordKind::People);
        assert_eq!(rows.len(), 20_000);
        for row in rows {
            let row = row.unwrap();
            let p = parse_person(&row, &KoreanRrn)
                .unwrap_or_else(|e| panic!("line {}: {e:?}", row.line));
            assert!(
                seen.insert(p.data.national_id.clone()),
                "duplicate national id"
            );
        }
        let mut numbers = std::collections::HashSet::new();
        for row in read_all(&businesses, format, RecordKind::Businesses) {
            let row = row.unwrap();
            let b = import::parse_business(&row, &KoreanRrn)
                .unwrap_or_else(|e| panic!("line {}: {e:?}", row.line));
            assert!(numbers.insert(b.data.registration_number.clone()));
        }
    }
}
