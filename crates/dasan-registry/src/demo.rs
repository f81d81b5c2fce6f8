//! A deterministic demo country: agencies, families of people with Korean (Hangul and
//! romanised) and English names, addresses and businesses, from a seed.
//!
//! [`generate_to_dir`] writes import files (`agencies`, `people`, `businesses`, CSV or JSON
//! Lines) that `dasan registry import` accepts; it streams, so a million people take no more
//! memory than ten. [`load`] puts a small country straight into a [`Registry`] (for
//! `dasan serve --demo`), with [`default_sharing_rules`]. The same seed always gives the same
//! files, byte for byte.

use crate::import::{AGENCY_COLUMNS, BUSINESS_COLUMNS, Format, PEOPLE_COLUMNS, RecordKind};
use crate::model::Sex;
use crate::{
    ImportOptions, ImportSummary, NationalIdScheme, NewSharingRule, PersonField, Registry,
    RegistryError,
};
use dasan_kernel::Actor;
use jiff::civil::{Date, date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How big a country to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSpec {
    pub people: usize,
    pub businesses: usize,
    pub seed: u64,
}

impl DemoSpec {
    /// The small country `dasan serve --demo` loads.
    pub const SMALL: DemoSpec = DemoSpec {
        people: 200,
        businesses: 30,
        seed: 2026,
    };
}

/// (code, Korean name, English name, level, parent)
pub const AGENCIES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "MOIS",
        "행정안전부",
        "Ministry of the Interior and Safety",
        "ministry",
        "",
    ),
    (
        "NIRS",
        "국가정보자원관리원",
        "National Information Resources Service",
        "agency",
        "MOIS",
    ),
    (
        "MOIS-JONGNO",
        "종로구 주민센터",
        "Jongno Community Service Centre",
        "office",
        "MOIS",
    ),
    (
        "MOEF",
        "기획재정부",
        "Ministry of Economy and Finance",
        "ministry",
        "",
    ),
    ("NTS", "국세청", "National Tax Service", "agency", "MOEF"),
    (
        "NTS-JONGNO",
        "종로세무서",
        "Jongno Tax Office",
        "office",
        "NTS",
    ),
    (
        "NTS-GANGNAM",
        "강남세무서",
        "Gangnam Tax Office",
        "office",
        "NTS",
    ),
    (
        "NTS-HAEUNDAE",
        "해운대세무서",
        "Haeundae Tax Office",
        "office",
        "NTS",
    ),
    (
        "PPS",
        "조달청",
        "Public Procurement Service",
        "agency",
        "MOEF",
    ),
    (
        "PPS-SEOUL",
        "서울지방조달청",
        "Seoul Regional Procurement Service",
        "office",
        "PPS",
    ),
    ("MOJ", "법무부", "Ministry of Justice", "ministry", ""),
    (
        "NCA",
        "법원행정처",
        "National Court Administration",
        "ministry",
        "",
    ),
    (
        "MOLIT",
        "국토교통부",
        "Ministry of Land, Infrastructure and Transport",
        "ministry",
        "",
    ),
    (
        "MOFA",
        "외교부",
        "Ministry of Foreign Affairs",
        "ministry",
        "",
    ),
    (
        "KIS",
        "출입국·외국인정책본부",
        "Korea Immigration Service",
        "agency",
        "MOJ",
    ),
    (
        "KIS-INCHEON",
        "인천공항출입국·외국인청",
        "Incheon Airport Immigration Office",
        "office",
        "KIS",
    ),
    (
        "KIS-SEOUL",
        "서울출입국·외국인청",
        "Seoul Immigration Office",
        "office",
        "KIS",
    ),
    (
        "MOHW",
        "보건복지부",
        "Ministry of Health and Welfare",
        "ministry",
        "",
    ),
    (
        "NHIS",
        "국민건강보험공단",
        "National Health Insurance Service",
        "agency",
        "MOHW",
    ),
    (
        "MSS",
        "중소벤처기업부",
        "Ministry of SMEs and Startups",
        "ministry",
        "",
    ),
];

/// The demo's data-sharing rules: who may read what, for which purpose.
pub fn default_sharing_rules() -> Vec<NewSharingRule> {
    use PersonField::*;
    let rule = |agency: &str, purpose: &str, fields: &[PersonField], basis: &str| NewSharingRule {
        agency: agency.to_owned(),
        purpose: purpose.to_owned(),
        fields: fields.iter().copied().collect(),
        legal_basis: basis.to_owned(),
    };
    let civil = |agency: &str, extra: &[PersonField]| {
        let mut fields = vec![NameLocal, NameLatin, Address];
        fields.extend_from_slice(extra);
        rule(
            agency,
            "civil-application",
            &fields,
            "Civil Petitions Treatment Act, art. 10-2: documents the state holds (demo)",
        )
    };
    let mut rules = vec![
        rule(
            "MOIS",
            "resident-registration",
            &PersonField::ALL,
            "Resident Registration Act (demo)",
        ),
        rule(
            "MOIS-JONGNO",
            "civil-service-issuance",
            &[
                NationalId, NameLocal, NameLatin, BirthDate, Sex, Address, Family, Status,
            ],
            "Civil Petitions Treatment Act (demo)",
        ),
        rule(
            "NTS",
            "tax-assessment",
            &[NationalId, NameLocal, NameLatin, Address, Family, Status],
            "Framework Act on National Taxes (demo)",
        ),
        rule(
            "PPS",
            "procurement-eligibility",
            &[NameLocal, NameLatin, Status],
            "Act on Contracts to Which the State Is a Party (demo)",
        ),
        rule(
            "KIS",
            "immigration-control",
            &[
                NationalId,
                NameLocal,
                NameLatin,
                BirthDate,
                Sex,
                Nationality,
                Status,
            ],
            "Immigration Act (demo)",
        ),
        rule(
            "NHIS",
            "health-insurance-eligibility",
            &[NameLocal, BirthDate, Sex, Address, Family, Status],
            "National Health Insurance Act (demo)",
        ),
        rule(
            "MOHW",
            "welfare-eligibility",
            &[NameLocal, NameLatin, BirthDate, Address, Family, Status],
            "Social Security Framework Act (demo)",
        ),
    ];
    // The agencies that own the demo civil services read what their forms show.
    for agency in [
        "MOIS",
        "MOIS-JONGNO",
        "NCA",
        "NTS",
        "NTS-JONGNO",
        "NHIS",
        "MOLIT",
        "MSS",
    ] {
        rules.push(civil(agency, &[]));
    }
    // The land office records owners as the people registry names them.
    rules.push(rule(
        "NCA",
        "land-registration",
        &[NationalId, NameLocal],
        "Real Estate Registration Act (demo)",
    ));
    rules.push(civil("MOFA", &[Nationality]));
    rules.push(civil("KIS", &[Nationality]));
    rules.push(civil("MOHW", &[BirthDate]));
    rules
}

const SURNAMES: &[(&str, &str)] = &[
    ("김", "KIM"),
    ("이", "LEE"),
    ("박", "PARK"),
    ("최", "CHOI"),
    ("정", "JUNG"),
    ("강", "KANG"),
    ("조", "CHO"),
    ("윤", "YOON"),
    ("장", "JANG"),
    ("임", "LIM"),
    ("한", "HAN"),
    ("오", "OH"),
    ("서", "SEO"),
    ("신", "SHIN"),
    ("권", "KWON"),
    ("황", "HWANG"),
    ("안", "AHN"),
    ("송", "SONG"),
    ("류", "RYU"),
    ("홍", "HONG"),
];
const MALE_SYLLABLES: &[(&str, &str)] = &[
    ("민", "min"),
    ("준", "jun"),
    ("서", "seo"),
    ("도", "do"),
    ("현", "hyeon"),
    ("우", "u"),
    ("지", "ji"),
    ("호", "ho"),
    ("성", "seong"),
    ("진", "jin"),
    ("태", "tae"),
    ("영", "yeong"),
    ("재", "jae"),
    ("동", "dong"),
    ("훈", "hun"),
    ("석", "seok"),
    ("건", "geon"),
    ("승", "seung"),
];
const FEMALE_SYLLABLES: &[(&str, &str)] = &[
    ("서", "seo"),
    ("연", "yeon"),
    ("지", "ji"),
    ("수", "su"),
    ("민", "min"),
    ("은", "eun"),
    ("하", "ha"),
    ("윤", "yun"),
    ("아", "a"),
    ("예", "ye"),
    ("유", "yu"),
    ("진", "jin"),
    ("희", "hui"),
    ("혜", "hye"),
    ("주", "ju"),
    ("나", "na"),
    ("경", "gyeong"),
    ("미", "mi"),
];
const EN_MALE: &[(&str, &str)] = &[
    ("제임스", "James"),
    ("존", "John"),
    ("로버트", "Robert"),
    ("마이클", "Michael"),
    ("데이비드", "David"),
    ("윌리엄", "William"),
    ("토머스", "Thomas"),
    ("대니얼", "Daniel"),
];
const EN_FEMALE: &[(&str, &str)] = &[
    ("메리", "Mary"),
    ("에마", "Emma"),
    ("올리비아", "Olivia"),
    ("세라", "Sarah"),
    ("에밀리", "Emily"),
    ("그레이스", "Grace"),
    ("애나", "Anna"),
    ("로라", "Laura"),
];
const EN_SURNAMES: &[(&str, &str)] = &[
    ("스미스", "Smith"),
    ("존슨", "Johnson"),
    ("브라운", "Brown"),
    ("테일러", "Taylor"),
    ("윌슨", "Wilson"),
    ("밀러", "Miller"),
    ("데이비스", "Davis"),
    ("클라크", "Clark"),
];
const EN_NATIONALITIES: &[&str] = &["USA", "GBR", "CAN", "AUS", "NZL", "IRL"];

/// (region, locality, streets, postal prefix)
const PLACES: &[(&str, &str, &[&str], &str)] = &[
    (
        "서울특별시",
        "종로구",
        &["세종대로", "종로", "삼일대로", "율곡로"],
        "03",
    ),
    (
        "서울특별시",
        "강남구",
        &["테헤란로", "논현로", "도산대로", "압구정로"],
        "06",
    ),
    (
        "서울특별시",
        "마포구",
        &["월드컵로", "양화로", "독막로"],
        "04",
    ),
    (
        "부산광역시",
        "해운대구",
        &["해운대로", "센텀중앙로", "좌동순환로"],
        "48",
    ),
    ("부산광역시", "부산진구", &["중앙대로", "전포대로"], "47"),
    ("대구광역시", "중구", &["동성로", "국채보상로"], "41"),
    (
        "인천광역시",
        "연수구",
        &["컨벤시아대로", "송도과학로"],
        "21",
    ),
    ("광주광역시", "서구", &["상무대로", "무진대로"], "61"),
    ("대전광역시", "유성구", &["대학로", "엑스포로"], "34"),
    ("세종특별자치시", "세종시", &["한누리대로", "도움6로"], "30"),
    ("경기도", "수원시", &["효원로", "경수대로"], "16"),
    ("경기도", "성남시", &["판교역로", "분당로"], "13"),
    ("제주특별자치도", "제주시", &["중앙로", "연북로"], "63"),
];

/// (prefix) + (suffix, ISIC class)
const FIRM_PREFIXES: &[&str] = &[
    "한빛",
    "새솔",
    "누리",
    "다온",
    "가람",
    "하늘",
    "바른",
    "미래",
    "푸른",
    "온누리",
    "세움",
    "더함",
];
const FIRM_SUFFIXES: &[(&str, &str)] = &[
    ("테크", "6201"),
    ("푸드", "1079"),
    ("건설", "4100"),
    ("물산", "4690"),
    ("소프트", "6202"),
    ("디자인", "7410"),
    ("로지스", "5229"),
    ("바이오", "2100"),
    ("에너지", "3510"),
    ("컨설팅", "7020"),
    ("식당", "5610"),
    ("농원", "0113"),
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Writes rows as CSV (with a header) or JSON Lines (address nested, parents as an array).
enum Out<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> Out<W> {
    fn new(w: W, format: Format, columns: &[&str]) -> std::io::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(w);
                w.write_record(columns)?;
                Out::Csv(Box::new(w))
            }
            Format::Jsonl => Out::Jsonl(w),
        })
    }

    fn row(&mut self, columns: &[&str], values: &[String]) -> std::io::Result<()> {
        match self {
            Out::Csv(w) => Ok(w.write_record(values)?),
            Out::Jsonl(w) => {
                let mut map = serde_json::Map::new();
                let mut address = serde_json::Map::new();
                for (c, v) in columns.iter().zip(values) {
                    if v.is_empty() {
                        continue;
                    }
                    if let Some(part) = c.strip_prefix("address_") {
                        address.insert(part.to_owned(), v.clone().into());
                    } else if *c == "parents" {
                        let list: Vec<serde_json::Value> =
                            v.split(';').map(|p| p.to_owned().into()).collect();
                        map.insert((*c).to_owned(), list.into());
                    } else {
                        map.insert((*c).to_owned(), v.clone().into());
                    }
                }
                if !address.is_empty() {
                    map.insert("address".to_owned(), address.into());
                }
                serde_json::to_writer(&mut *w, &serde_json::Value::Object(map))?;
                w.write_all(b"\n")
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Out::Csv(mut w) => w.flush(),
            Out::Jsonl(mut w) => w.flush(),
        }
    }
}

/// Writes the demo agencies.
pub fn write_agencies(w: impl Write, format: Format) -> std::io::Result<usize> {
    let mut out = Out::new(w, format, AGENCY_COLUMNS)?;
    for (code, ko, en, level, parent) in AGENCIES {
        out.row(
            AGENCY_COLUMNS,
            &[code, ko, en, level, parent].map(|s| (*s).to_owned()),
        )?;
    }
    out.finish()?;
    Ok(AGENCIES.len())
}

fn address(rng: &mut ChaCha8Rng) -> [String; 7] {
    let (region, locality, streets, postal) = pick(rng, PLACES);
    let street = pick(rng, streets);
    let building = rng.random_range(1..300).to_string();
    let unit = if rng.random_bool(0.6) {
        format!(
            "{}동 {}{:02}호",
            rng.random_range(101..115),
            rng.random_range(1..25),
            rng.random_range(1..9)
        )
    } else {
        String::new()
    };
    let postal_code = format!("{postal}{:03}", rng.random_range(0..1000));
    [
        (*region).to_owned(),
        (*locality).to_owned(),
        (*street).to_owned(),
        building,
        unit,
        postal_code,
        "KR".to_owned(),
    ]
}

struct PersonGen<'a> {
    scheme: &'a dyn NationalIdScheme,
    serials: HashMap<(Date, u8), u32>,
    next_serial: u32,
}

struct Made {
    national_id: String,
    row: Vec<String>,
}

impl PersonGen<'_> {
    fn national_id(&mut self, birth: Date, sex: Sex, foreign: bool) -> String {
        let bucket = (birth, u8::from(sex == Sex::Male) + 2 * u8::from(foreign));
        let serial = self.serials.entry(bucket).or_insert(0);
        *serial += 1;
        let s = *serial;
        self.next_serial += 1;
        self.scheme
            .make(birth, sex, foreign, s)
            .or_else(|| self.scheme.make(birth, sex, foreign, self.next_serial))
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        rng: &mut ChaCha8Rng,
        birth: Date,
        sex: Sex,
        foreign: Option<&str>,
        surname: (&str, &str),
        address: &[String; 7],
        parents: &[String],
        spouse: Option<&str>,
    ) -> Made {
        let national_id = self.national_id(birth, sex, foreign.is_some());
        let (name_local, name_latin) = match foreign {
            Some(_) => {
                let (ko, en) = pick(rng, if sex == Sex::Male { EN_MALE } else { EN_FEMALE });
                (format!("{ko} {}", surname.0), format!("{en} {}", surname.1))
            }
            None => {
                let syllables = if sex == Sex::Male {
                    MALE_SYLLABLES
                } else {
                    FEMALE_SYLLABLES
                };
                let (k1, r1) = pick(rng, syllables);
                let (k2, r2) = pick(rng, syllables);
                let mut first = (*r1).to_owned();
                if let Some(c) = first.get_mut(..1) {
                    c.make_ascii_uppercase();
                }
                (
                    format!("{}{k1}{k2}", surname.0),
                    format!("{} {first}-{r2}", surname.1),
                )
            }
        };
        let roll: f64 = rng.random();
        let (status, status_date) = if birth.year() < 1960 && roll < 0.08 {
            (
                "deceased",
                Some(date(2015, 1, 1) + jiff::Span::new().days(rng.random_range(0..3000))),
            )
        } else if roll > 0.99 && birth.year() < 2017 {
            (
                "emigrated",
                Some(date(2018, 1, 1) + jiff::Span::new().days(rng.random_range(0..2000))),
            )
        } else {
            ("living", None)
        };
        let mut row = vec![
            national_id.clone(),
            name_local,
            name_latin,
            birth.to_string(),
            sex_str(sex).to_owned(),
            foreign.unwrap_or("KOR").to_owned(),
            status.to_owned(),
            status_date.map(|d| d.to_string()).unwrap_or_default(),
        ];
        row.extend(address.iter().cloned());
        row.push(parents.join(";"));
        row.push(spouse.unwrap_or_default().to_owned());
        Made { national_id, row }
    }
}

fn sex_str(sex: Sex) -> &'static str {
    sex.as_str()
}

fn birth(rng: &mut ChaCha8Rng, from_year: i16, to_year: i16) -> Date {
    let start = date(from_year, 1, 1);
    let days = i64::from(to_year - from_year) * 365;
    start + jiff::Span::new().days(rng.random_range(0..days.max(1)))
}

/// Writes `spec.people` people in families (parents before children; a marriage is recorded
/// on the second spouse's row). Returns the national ids of up to `spec.businesses` adults
/// chosen to represent businesses.
pub fn write_people(
    spec: &DemoSpec,
    scheme: &dyn NationalIdScheme,
    w: impl Write,
    format: Format,
) -> std::io::Result<Vec<String>> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut pick_rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x5EED_0FB1);
    let mut out = Out::new(w, format, PEOPLE_COLUMNS)?;
    let mut maker = PersonGen {
        scheme,
        serials: HashMap::new(),
        next_serial: 0,
    };
    let mut reps: Vec<String> = Vec::with_capacity(spec.businesses);
    let mut adults_seen = 0usize;
    let mut written = 0usize;
    while written < spec.people {
        let foreign = rng
            .random_bool(0.05)
            .then(|| *pick(&mut rng, EN_NATIONALITIES));
        let home = address(&mut rng);
        let family_name = |rng: &mut ChaCha8Rng| -> (&'static str, &'static str) {
            if foreign.is_some() {
                *pick(rng, EN_SURNAMES)
            } else {
                *pick(rng, SURNAMES)
            }
        };
        let first_sex = if rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        let first_birth = birth(&mut rng, 1940, 2000);
        let first_surname = family_name(&mut rng);
        let first = maker.person(
            &mut rng,
            first_birth,
            first_sex,
            foreign,
            first_surname,
            &home,
            &[],
            None,
        );
        out.row(PEOPLE_COLUMNS, &first.row)?;
        written += 1;
        // Reservoir sampling keeps a uniform choice of representatives in O(businesses).
        adults_seen += 1;
        if reps.len() < spec.businesses {
            reps.push(first.national_id.clone());
        } else if spec.businesses > 0 {
            let j = pick_rng.random_range(0..adults_seen);
            if j < spec.businesses {
                reps[j] = first.national_id.clone();
            }
        }
        let mut parents = vec![first.national_id.clone()];
        if written < spec.people && rng.random_bool(0.75) {
            let sex = if first_sex == Sex::Male {
                Sex::Female
            } else {
                Sex::Male
            };
            let year = (first_birth.year() + rng.random_range(-4..5)).clamp(1940, 2000);
            let b = birth(&mut rng, year, year + 1);
            let own = if foreign.is_some() {
                first_surname
            } else {
                family_name(&mut rng)
            };
            let spouse = maker.person(
                &mut rng,
                b,
                sex,
                foreign,
                own,
                &home,
                &[],
                Some(&first.national_id),
            );
            out.row(PEOPLE_COLUMNS, &spouse.row)?;
            written += 1;
            parents.push(spouse.national_id);
        }
        let children = if first_birth.year() > 1995 {
            0
        } else {
            rng.random_range(0..4)
        };
        for _ in 0..children {
            if written >= spec.people {
                break;
            }
            let from = first_birth.year() + 24;
            let to = (first_birth.year() + 40).min(2024);
            if from >= to {
                break;
            }
            let b = birth(&mut rng, from, to);
            let sex = if rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let child = maker.person(
                &mut rng,
                b,
                sex,
                foreign,
                first_surname,
                &home,
                &parents,
                None,
            );
            out.row(PEOPLE_COLUMNS, &child.row)?;
            written += 1;
        }
    }
    out.finish()?;
    Ok(reps)
}

/// Writes `spec.businesses` businesses (at most one per representative given).
pub fn write_businesses(
    spec: &DemoSpec,
    representatives: &[String],
    w: impl Write,
    format: Format,
) -> std::io::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0xb0_5e55);
    let mut out = Out::new(w, format, BUSINESS_COLUMNS)?;
    let n = spec.businesses.min(representatives.len());
    for (i, rep) in representatives.iter().take(n).enumerate() {
        let prefix = pick(&mut rng, FIRM_PREFIXES);
        let (suffix, isic) = pick(&mut rng, FIRM_SUFFIXES);
        let form = *pick(
            &mut rng,
            &[
                "sole_proprietor",
                "stock_company",
                "stock_company",
                "limited_company",
                "partnership",
                "non_profit",
            ],
        );
        let name = match form {
            "stock_company" => format!("주식회사 {prefix}{suffix}"),
            "limited_company" => format!("유한회사 {prefix}{suffix}"),
            "partnership" => format!("합자회사 {prefix}{suffix}"),
            "non_profit" => format!("사단법인 {prefix}{suffix}"),
            _ => format!("{prefix}{suffix}"),
        };
        let kind = match form {
            "sole_proprietor" => 10 + (i % 70) as u32,
            "non_profit" => 82,
            _ => 81,
        };
        let office = 101 + (i / 10_000) as u32 % 899;
        let serial = office * 1_000_000 + kind * 10_000 + (i % 10_000) as u32;
        let number = crate::ident::make_business_number(serial);
        let status = match rng.random_range(0..100) {
            0..90 => "active",
            90..96 => "suspended",
            _ => "closed",
        };
        let tax = match rng.random_range(0..100) {
            0..85 => "good",
            85..95 => "arrears",
            _ => "unassessed",
        };
        let mut row = vec![
            number,
            name,
            form.to_owned(),
            rep.clone(),
            (*isic).to_owned(),
            status.to_owned(),
            tax.to_owned(),
        ];
        row.extend(address(&mut rng));
        out.row(BUSINESS_COLUMNS, &row)?;
    }
    out.finish()?;
    Ok(n)
}

/// The files [`generate_to_dir`] wrote.
#[derive(Clone, Debug)]
pub struct DemoFiles {
    pub agencies: PathBuf,
    pub people: PathBuf,
    pub businesses: PathBuf,
    pub business_count: usize,
}

/// Writes `agencies`, `people` and `businesses` import files (`.csv` or `.jsonl`) into `dir`.
pub fn generate_to_dir(
    spec: &DemoSpec,
    scheme: &dyn NationalIdScheme,
    dir: &Path,
    format: Format,
) -> std::io::Result<DemoFiles> {
    std::fs::create_dir_all(dir)?;
    let ext = match format {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
    };
    let path = |name: &str| dir.join(format!("{name}.{ext}"));
    let open =
        |p: &Path| std::fs::File::create(p).map(|f| std::io::BufWriter::with_capacity(1 << 16, f));
    let files = DemoFiles {
        agencies: path("agencies"),
        people: path("people"),
        businesses: path("businesses"),
        business_count: 0,
    };
    write_agencies(open(&files.agencies)?, format)?;
    let reps = write_people(spec, scheme, open(&files.people)?, format)?;
    let business_count = write_businesses(spec, &reps, open(&files.businesses)?, format)?;
    Ok(DemoFiles {
        business_count,
        ..files
    })
}

/// What [`load`] did.
#[derive(Clone, Debug)]
pub struct DemoLoaded {
    pub agencies: ImportSummary,
    pub people: ImportSummary,
    pub businesses: ImportSummary,
    /// Sharing rules added (rules already present are left alone).
    pub rules_added: usize,
    /// Parcels in the demo land register.
    pub parcels: usize,
}

/// Loads a demo country into the registry (idempotent: loading twice changes nothing).
pub async fn load(
    registry: &Registry,
    actor: Actor,
    spec: &DemoSpec,
) -> Result<DemoLoaded, RegistryError> {
    let io = |e: std::io::Error| RegistryError::ImportFile(e.to_string());
    let mut agencies = Vec::new();
    write_agencies(&mut agencies, Format::Csv).map_err(io)?;
    let mut people = Vec::new();
    let reps = write_people(spec, registry.scheme(), &mut people, Format::Csv).map_err(io)?;
    let mut businesses = Vec::new();
    write_businesses(spec, &reps, &mut businesses, Format::Csv).map_err(io)?;

    let run = async |kind, data: Vec<u8>| {
        let mut first: Option<RowError> = None;
        let summary = registry
            .import(
                actor.clone(),
                kind,
                Format::Csv,
                data.as_slice(),
                ImportOptions::default(),
                &mut |e: &RowError| {
                    if first.is_none() {
                        first = Some(e.clone());
                    }
                },
            )
            .await?;
        match first {
            Some(e) => Err(RegistryError::ImportFile(format!(
                "demo {}: {e}",
                kind.as_str()
            ))),
            None => Ok(summary),
        }
    };
    let agencies = run(RecordKind::Agencies, agencies).await?;
    let people = run(RecordKind::People, people).await?;
    let businesses = run(RecordKind::Businesses, businesses).await?;

    let existing = registry.sharing_rules().await?;
    let mut rules_added = 0;
    for rule in default_sharing_rules() {
        let present = existing.iter().any(|r| {
            r.agency == rule.agency && r.purpose == rule.purpose && r.fields == rule.fields
        });
        if !present {
            registry.add_sharing_rule(actor.clone(), rule).await?;
            rules_added += 1;
        }
    }
    let parcels = load_parcels(registry, actor, spec).await?;
    Ok(DemoLoaded {
        agencies,
        people,
        businesses,
        rules_added,
        parcels,
    })
}

/// (region, locality, neighbourhood, postal code, legal district code) of demo parcels.
const LAND_DISTRICTS: &[(&str, &str, &str, &str, u64)] = &[
    ("서울특별시", "종로구", "세종로", "03172", 1_111_011_900),
    ("서울특별시", "종로구", "청운동", "03047", 1_111_010_100),
    ("서울특별시", "강남구", "역삼동", "06236", 1_168_010_100),
    ("부산광역시", "해운대구", "우동", "48094", 2_635_010_500),
    ("경기도", "양평군", "양평읍", "12554", 4_183_025_000),
];

const BANKS: &[&str] = &["다산은행", "한빛저축은행", "서울농협"];

/// Puts a small demo land register in place: one parcel per ten people (at most 50), owned
/// by demo people whose names and numbers the land office reads under its sharing rule
/// (`land-registration`), some with a mortgage. Deterministic and idempotent.
async fn load_parcels(
    registry: &Registry,
    actor: Actor,
    spec: &DemoSpec,
) -> Result<usize, RegistryError> {
    use crate::land::{
        Encumbrance, EncumbranceKind, LandCategory, Owner, ParcelData, make_parcel_number,
    };
    use crate::{LookupRequest, PersonId};
    let count = (spec.people / 10).min(50);
    let db = registry.database().clone();
    let limit = i64::try_from(count * 2).unwrap_or(100);
    let ids: Vec<String> = dasan_store::on_reader!(db, |p| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE status = 'living' ORDER BY national_id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await)?;
    let office = Actor {
        agency: Some("NCA".to_owned()),
        ..actor.clone()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x1A4D);
    let owners_of = async |id: &str, share: (u32, u32), acquired: Date, cause: &str| {
        let subject: PersonId = id.parse().map_err(crate::corrupt)?;
        let shared = registry
            .lookup(
                office.clone(),
                &LookupRequest {
                    subject,
                    fields: [PersonField::NationalId, PersonField::NameLocal]
                        .into_iter()
                        .collect(),
                    purpose: "land-registration".to_owned(),
                    requester: "NCA".to_owned(),
                },
            )
            .await?;
        let number = shared.national_id.unwrap_or_default();
        // The register prints the birth part and the first digit of the rest.
        let masked = match number.split_once('-') {
            Some((birth, rest)) => format!("{birth}-{}******", &rest[..rest.len().min(1)]),
            None => number,
        };
        Ok::<Owner, RegistryError>(Owner {
            name: shared.name_local.unwrap_or_default(),
            identifier: masked,
            share_numerator: share.0,
            share_denominator: share.1,
            acquired_on: acquired,
            cause: cause.to_owned(),
        })
    };
    let mut made = 0;
    for i in 0..count {
        let Some(first) = ids.get(i * 2) else { break };
        let (region, locality, street, postal, district) = LAND_DISTRICTS[i % LAND_DISTRICTS.len()];
        let main = rng.random_range(1..900u16);
        let sub = rng.random_range(0..40u16);
        let acquired = date(
            rng.random_range(1995..2026i16),
            rng.random_range(1..13i8),
            rng.random_range(1..29i8),
        );
        let cause = ["매매", "상속", "증여"][rng.random_range(0..3usize)];
        // Every draw is made before the parcel may be skipped, so the later parcels stay the same.
        let mortgage = (i % 2 == 0).then(|| i64::from(rng.random_range(5..60u32)) * 10_000_000);
        let area_centiares = i64::from(rng.random_range(3_000..500_000u32));
        let parcel_number = make_parcel_number(district, false, main, sub);
        // Loading again reads nobody's record again.
        if registry.parcel(&parcel_number).await?.is_some() {
            made += 1;
            continue;
        }
        let mut owners = Vec::new();
        // Every third parcel is held in equal halves by two people.
        match ids.get(i * 2 + 1).filter(|_| i % 3 == 2) {
            Some(second) => {
                owners.push(owners_of(first, (1, 2), acquired, cause).await?);
                owners.push(owners_of(second, (1, 2), acquired, cause).await?);
            }
            None => owners.push(owners_of(first, (1, 1), acquired, cause).await?),
        }
        let encumbrances = mortgage
            .map(|amount| Encumbrance {
                kind: EncumbranceKind::Mortgage,
                holder: BANKS[i % BANKS.len()].to_owned(),
                amount_krw: Some(amount),
                registered_on: acquired,
            })
            .into_iter()
            .collect();
        let data = ParcelData {
            parcel_number,
            address: crate::Address {
                region: region.to_owned(),
                locality: locality.to_owned(),
                street: street.to_owned(),
                building: if sub == 0 {
                    main.to_string()
                } else {
                    format!("{main}-{sub}")
                },
                unit: None,
                postal_code: postal.to_owned(),
                country: "KR".to_owned(),
            },
            category: LandCategory::ALL[i % 3],
            area_centiares,
            owners,
            encumbrances,
        };
        registry
            .put_parcel(office.clone(), data, "demo land register", None)
            .await?;
        made += 1;
    }
    Ok(made)
}

use crate::RowError;
