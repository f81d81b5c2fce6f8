//! The synthetic watchlist names of the border benchmarks, shared by
//! `crates/dasan-border/examples/scale.rs` (screening alone) and `examples/gate-bench.rs`
//! (decisions through the API), which include this file with `#[path]`: bench-only code stays
//! out of the library, and both benchmarks screen the same kind of million-name list.
//!
//! Seeded splitmix64; multi-token names of many origins (Korean in several romanisations, Arabic
//! patronymic chains, Chinese, Japanese, Russian with patronymics, Indian, Hispanic double
//! surnames, English, French, German, West African, Vietnamese, Turkish, Persian), a long tail of
//! generated family names, birth dates (exact, year only or none) and nationalities.

// Each benchmark uses a part of this file.
#![allow(dead_code)]

use dasan_border::BirthDate;

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub const KO_SURNAMES: &[&str] = &[
    "KIM", "KIM", "KIM", "GIM", "LEE", "LEE", "LEE", "YI", "RI", "RHEE", "PARK", "PARK", "PAK",
    "BAK", "CHOI", "CHOE", "CH'OE", "JUNG", "JEONG", "CHUNG", "CHONG", "KANG", "GANG", "CHO", "JO",
    "YOON", "YUN", "JANG", "CHANG", "LIM", "IM", "RIM", "HAN", "OH", "SEO", "SUH", "SHIN", "SIN",
    "KWON", "GWON", "HWANG", "AHN", "AN", "SONG", "RYU", "YOO", "JEON", "JUN", "CHON", "HONG",
    "KO", "GO", "MOON", "MUN", "YANG", "RYANG", "SON", "BAE", "PAE", "BAEK", "PAEK", "HEO", "HUH",
    "NOH", "ROH", "NAM", "SIM", "SHIM", "HA", "KWAK", "SUNG", "CHA", "JOO", "CHU", "WOO", "KOO",
    "MIN", "NA", "RA", "JIN", "JI", "EOM", "CHAE", "WON", "CHEON", "BANG", "GONG", "HYUN", "HAM",
    "BYUN", "PYON", "YEOM", "YEO", "DO", "SEOK", "SEON", "SEOL", "MA", "GIL", "PYO", "MYEONG",
    "GI", "BAN", "WANG", "GEUM", "OK", "YUK", "IN", "MAENG", "TAK", "GUK", "PYEON", "YONG", "BONG",
    "NAMGUNG", "JEGAL", "SEONU", "HWANGBO", "DOKGO",
];
pub const KO_SYLLABLES: &[&str] = &[
    "MIN", "JUN", "SEO", "YEON", "YON", "JI", "HOON", "HUN", "HYUN", "HYON", "WOO", "U", "SU",
    "SOO", "BIN", "DONG", "TONG", "YU", "NA", "HA", "EUN", "UN", "YOUNG", "YEONG", "YONG", "SUNG",
    "SEONG", "SONG", "HO", "JAE", "CHAE", "HEE", "HUI", "HI", "KYUNG", "GYEONG", "KYONG", "CHUL",
    "CHEOL", "CHOL", "SOOK", "SUK", "MI", "KYU", "GYU", "TAE", "THAE", "SANG", "IL", "IN", "WON",
    "SIK", "SHIK", "NAM", "GIL", "KIL", "MYUNG", "MYEONG", "MYONG", "OK", "SUN", "SEON", "JONG",
    "JUNG", "JEONG", "CHONG", "KWANG", "GWANG", "SEOK", "SOK", "BONG", "PONG", "CHAN", "HAN",
    "HYE", "RAN", "RYEONG", "RYONG", "GUK", "KUK", "CHUN", "CHOON", "HWA", "HWAN", "HYEOK", "HYOK",
    "BEOM", "POM", "MUN", "MOON", "SEUNG", "SUNG", "YEOP", "WOOK", "UK", "KI", "GI", "DO", "JU",
    "JOO",
];
pub const AR_GIVEN: &[&str] = &[
    "MOHAMMED",
    "MOHAMMED",
    "MOHAMMED",
    "MUHAMMAD",
    "MUHAMMAD",
    "MOHAMED",
    "MOHAMMAD",
    "AHMED",
    "AHMED",
    "AHMAD",
    "ALI",
    "ALI",
    "HASSAN",
    "HASAN",
    "HUSSEIN",
    "HUSAYN",
    "OMAR",
    "UMAR",
    "ABDULLAH",
    "ABDALLAH",
    "ABDUL RAHMAN",
    "ABD AL AZIZ",
    "ABDUL KARIM",
    "KHALID",
    "KHALED",
    "YOUSSEF",
    "YUSUF",
    "IBRAHIM",
    "MAHMOUD",
    "MAHMUD",
    "MUSTAFA",
    "MUSTAPHA",
    "SAID",
    "SAEED",
    "HAMZA",
    "TARIQ",
    "FAISAL",
    "NASSER",
    "NASIR",
    "SALEH",
    "SALIH",
    "JAMAL",
    "KARIM",
    "RASHID",
    "WALID",
    "ZIAD",
    "ADNAN",
    "BILAL",
    "ANWAR",
    "SAMI",
    "MAJID",
    "FAHD",
    "SULTAN",
    "MANSOUR",
    "FATIMA",
    "AISHA",
    "MARYAM",
    "ZAINAB",
    "KHADIJA",
    "NOUR",
    "LAYLA",
    "HANA",
    "SARA",
    "AMINA",
];
pub const AR_FAMILY: &[&str] = &[
    "AL-HARBI",
    "AL-QAHTANI",
    "AL-OTAIBI",
    "AL-ZAHRANI",
    "AL-SHAMMARI",
    "AL-DOSARI",
    "AL-MUTAIRI",
    "AL-GHAMDI",
    "AL-ANAZI",
    "AL-MASRI",
    "AL-HASHIMI",
    "AL-TIKRITI",
    "AL-BAGHDADI",
    "AL-ANSARI",
    "AL-KUWARI",
    "AL-SHEHHI",
    "AL-NUAIMI",
    "AL-RASHID",
    "HADDAD",
    "MANSOUR",
    "KHOURY",
    "NASSAR",
    "SAYED",
    "HAMDAN",
    "ABBAS",
    "SALEM",
    "HUSSEINI",
    "AZIZ",
    "YASIN",
    "OTHMAN",
    "QURESHI",
    "SIDDIQUI",
    "HAQQANI",
    "ZAWAHIRI",
    "BAKR",
];
pub const ZH_FAMILY: &[&str] = &[
    "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU", "SUN", "MA",
    "ZHU", "HU", "GUO", "HE", "LIN", "GAO", "LUO", "ZHENG", "LIANG", "XIE", "TANG", "FENG", "DENG",
];
pub const ZH_SYLLABLES: &[&str] = &[
    "WEI", "FANG", "XIU", "YING", "MIN", "JING", "LI", "QIANG", "LEI", "JUN", "YANG", "YONG",
    "JIE", "TAO", "MING", "CHAO", "XIA", "HUA", "PING", "GANG", "HONG", "LING", "YAN", "FENG",
    "XIN", "YU", "HAO", "ZHI", "KAI", "BO", "QING", "DAN", "NING", "RUI",
];
pub const JA_FAMILY: &[&str] = &[
    "SATO",
    "SUZUKI",
    "TAKAHASHI",
    "TANAKA",
    "WATANABE",
    "ITO",
    "YAMAMOTO",
    "NAKAMURA",
    "KOBAYASHI",
    "KATO",
    "YOSHIDA",
    "YAMADA",
    "SASAKI",
    "YAMAGUCHI",
    "MATSUMOTO",
    "INOUE",
];
pub const JA_GIVEN: &[&str] = &[
    "HIROSHI", "TAKESHI", "KENJI", "YUKI", "SAKURA", "HARUTO", "YUTO", "SOTA", "AOI", "HINA",
    "KAITO", "RIKU", "YUI", "MIO", "AKIRA", "DAISUKE", "NAOKI", "EMI", "KAORI", "TOMOKO",
];
pub const RU_GIVEN: &[&str] = &[
    "ALEXANDER",
    "ALEKSANDR",
    "DMITRY",
    "DMITRI",
    "SERGEI",
    "SERGEY",
    "ANDREI",
    "ALEXEI",
    "VLADIMIR",
    "IVAN",
    "MIKHAIL",
    "NIKOLAI",
    "YURI",
    "OLEG",
    "IGOR",
    "VIKTOR",
    "PAVEL",
    "OLGA",
    "TATIANA",
    "NATALIA",
    "ELENA",
    "IRINA",
    "SVETLANA",
    "ANNA",
    "MARIA",
    "EKATERINA",
];
pub const RU_STEMS: &[&str] = &[
    "IVAN", "SMIRN", "KUZNETS", "POPOV", "VASIL", "PETR", "SOKOL", "MIKHAIL", "NOVIK", "FEDOR",
    "MOROZ", "VOLK", "ALEKSE", "LEBED", "SEMEN", "EGOR", "PAVL", "KOZL", "STEPAN", "NIKOL", "OREL",
    "ANDRE", "MAKAR", "NIKIT", "ZAKHAR", "ZAITS", "SOLOV", "BORIS", "YAKOVL", "GRIGOR",
];
pub const IN_GIVEN: &[&str] = &[
    "RAHUL", "PRIYA", "AMIT", "SUNITA", "ANIL", "RAJESH", "SANJAY", "VIJAY", "DEEPAK", "POOJA",
    "ANJALI", "RAVI", "SURESH", "RAMESH", "KAVITA", "ARJUN", "VIKRAM", "NEHA", "MANOJ", "ASHA",
];
pub const IN_FAMILY: &[&str] = &[
    "SHARMA",
    "PATEL",
    "SINGH",
    "KUMAR",
    "GUPTA",
    "REDDY",
    "RAO",
    "IYER",
    "NAIR",
    "MEHTA",
    "JOSHI",
    "DAS",
    "CHOWDHURY",
    "MUKHERJEE",
    "BANERJEE",
    "PILLAI",
    "DESAI",
    "KAPOOR",
    "MALHOTRA",
];
pub const ES_GIVEN: &[&str] = &[
    "JOSE",
    "JUAN",
    "CARLOS",
    "LUIS",
    "MIGUEL",
    "JORGE",
    "PEDRO",
    "ANTONIO",
    "FRANCISCO",
    "MARIA",
    "LUCIA",
    "ANA",
    "CARMEN",
    "ISABEL",
    "SOFIA",
    "VALENTINA",
    "DIEGO",
    "ALEJANDRO",
    "FERNANDO",
];
pub const ES_FAMILY: &[&str] = &[
    "GARCIA",
    "MARTINEZ",
    "RODRIGUEZ",
    "LOPEZ",
    "HERNANDEZ",
    "GONZALEZ",
    "PEREZ",
    "SANCHEZ",
    "RAMIREZ",
    "TORRES",
    "FLORES",
    "RIVERA",
    "GOMEZ",
    "DIAZ",
    "CRUZ",
    "MORALES",
    "ORTIZ",
    "GUTIERREZ",
    "CHAVEZ",
    "RAMOS",
    "SILVA",
    "SANTOS",
    "OLIVEIRA",
    "PEREIRA",
    "COSTA",
];
pub const EN_GIVEN: &[&str] = &[
    "JAMES",
    "JOHN",
    "ROBERT",
    "MICHAEL",
    "WILLIAM",
    "DAVID",
    "RICHARD",
    "JOSEPH",
    "THOMAS",
    "MARY",
    "PATRICIA",
    "JENNIFER",
    "LINDA",
    "ELIZABETH",
    "SARAH",
    "EMMA",
    "OLIVIA",
    "PETER",
    "PIERRE",
    "CLAIRE",
    "JEAN",
    "MARIE",
    "HANS",
    "GRETA",
    "KLAUS",
    "LARS",
    "INGRID",
    "SVEN",
];
pub const EN_FAMILY: &[&str] = &[
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "MILLER",
    "DAVIS",
    "WILSON",
    "TAYLOR",
    "ANDERSON",
    "THOMAS",
    "MOORE",
    "MARTIN",
    "JACKSON",
    "WHITE",
    "HARRIS",
    "CLARK",
    "DUBOIS",
    "LEFEBVRE",
    "MOREAU",
    "FOURNIER",
    "MUELLER",
    "SCHMIDT",
    "SCHNEIDER",
    "FISCHER",
    "WEBER",
    "JOHANSSON",
    "LARSEN",
    "NIELSEN",
    "KOWALSKI",
    "NOWAK",
];
pub const AF_GIVEN: &[&str] = &[
    "KWAME",
    "KOFI",
    "ADWOA",
    "AKOSUA",
    "TUNDE",
    "CHIOMA",
    "EMEKA",
    "NGOZI",
    "OLUWASEUN",
    "AMARA",
    "IBRAHIMA",
    "MAMADOU",
    "FATOUMATA",
    "OUSMANE",
    "ABDOULAYE",
    "AMADOU",
    "MOUSSA",
    "AISSATOU",
];
pub const AF_FAMILY: &[&str] = &[
    "MENSAH",
    "OWUSU",
    "BOATENG",
    "OKAFOR",
    "ADEYEMI",
    "OKONKWO",
    "BELLO",
    "DIALLO",
    "TRAORE",
    "KONE",
    "COULIBALY",
    "TOURE",
    "CISSE",
    "KEITA",
    "DIOP",
    "NDIAYE",
    "SOW",
    "BA",
    "CAMARA",
];
pub const VI_FAMILY: &[&str] = &[
    "NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "HUYNH", "PHAN", "VU", "DANG",
];
pub const VI_GIVEN: &[&str] = &[
    "VAN", "THI", "MINH", "HOA", "NAM", "LAN", "HUNG", "DUNG", "TUAN", "LINH", "ANH", "THANH",
];
pub const TR_FA_GIVEN: &[&str] = &[
    "MEHMET", "MUSTAFA", "AHMET", "EMRE", "AYSE", "FATMA", "ZEYNEP", "REZA", "HOSSEIN", "MEHDI",
    "AMIR", "ALI", "HAMID", "MARYAM", "ZAHRA", "FARHAD", "DARIUSH", "KEMAL", "MURAT", "ELIF",
];
pub const TR_FA_FAMILY: &[&str] = &[
    "YILMAZ",
    "KAYA",
    "DEMIR",
    "SAHIN",
    "CELIK",
    "YILDIZ",
    "OZTURK",
    "AYDIN",
    "HOSSEINI",
    "MOHAMMADI",
    "AHMADI",
    "REZAEI",
    "MOUSAVI",
    "KARIMI",
    "RAHIMI",
    "JAFARI",
    "TEHRANI",
];
/// Syllables for the long tail of generated family names.
pub const TAIL: &[&str] = &[
    "KA", "LO", "MBE", "RU", "ZA", "TI", "NO", "VA", "SHI", "DRA", "KO", "WA", "PE", "LI", "GHA",
    "MO", "RA", "SE", "TU", "BRA", "NE", "DO", "KHA", "FI", "ZU", "GO", "YE", "BU", "TSO", "MA",
];
pub const TAIL_END: &[&str] = &[
    "", "", "N", "R", "K", "OV", "EV", "ENKO", "SKI", "ANI", "ZADEH", "OGLU", "EZ", "SON", "MAN",
];

pub fn tail_family(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..2 + rng.below(2) {
        s.push_str(rng.pick(TAIL));
    }
    s.push_str(rng.pick(TAIL_END));
    s
}

pub fn ko_given(rng: &mut Rng) -> String {
    let (a, b) = (rng.pick(KO_SYLLABLES), rng.pick(KO_SYLLABLES));
    match rng.below(4) {
        0 => format!("{a}{}", b.to_lowercase()).to_uppercase(),
        1 => format!("{a}-{b}"),
        _ => format!("{a} {b}"),
    }
}

/// One synthetic person: names (primary first), nationality.
pub fn person(rng: &mut Rng) -> (Vec<String>, &'static str) {
    let tail = |rng: &mut Rng, pool: &[&str]| {
        if rng.chance(35) {
            tail_family(rng)
        } else {
            rng.pick(pool).to_string()
        }
    };
    let origin = rng.below(100);
    let (primary, alias, nat): (String, Option<String>, &'static str) = match origin {
        // Korean, North and South, several romanisations.
        0..=19 => {
            let s = rng.pick(KO_SURNAMES);
            let g = ko_given(rng);
            let alias = rng
                .chance(30)
                .then(|| format!("{} {}", rng.pick(KO_SURNAMES), ko_given(rng)));
            let nat = if rng.chance(60) { "KOR" } else { "PRK" };
            (format!("{s} {g}"), alias, nat)
        }
        // Arabic: given, father, sometimes grandfather (with BIN), family.
        20..=39 => {
            let mut n = vec![rng.pick(AR_GIVEN).to_string()];
            if rng.chance(30) {
                n.push("BIN".into());
            }
            n.push(rng.pick(AR_GIVEN).to_string());
            if rng.chance(50) {
                n.push(rng.pick(AR_GIVEN).to_string());
            }
            n.push(tail(rng, AR_FAMILY));
            let alias = rng
                .chance(30)
                .then(|| format!("{} {}", rng.pick(AR_GIVEN), n[n.len() - 1]));
            let nats = [
                "SAU", "IRQ", "SYR", "YEM", "EGY", "JOR", "LBY", "SOM", "SDN", "AFG",
            ];
            (n.join(" "), alias, nats[rng.below(nats.len())])
        }
        40..=47 => {
            let g = format!("{}{}", rng.pick(ZH_SYLLABLES), rng.pick(ZH_SYLLABLES));
            (format!("{} {g}", rng.pick(ZH_FAMILY)), None, "CHN")
        }
        48..=52 => (
            format!("{} {}", tail(rng, JA_FAMILY), rng.pick(JA_GIVEN)),
            None,
            "JPN",
        ),
        53..=60 => {
            let g = rng.pick(RU_GIVEN);
            let female = g.ends_with('A');
            let father = rng.pick(RU_GIVEN).trim_end_matches('A').to_string();
            let patronymic = format!("{father}{}", if female { "OVNA" } else { "OVICH" });
            let stem = if rng.chance(40) {
                tail_family(rng)
            } else {
                rng.pick(RU_STEMS).to_string()
            };
            let family = format!("{stem}{}", if female { "OVA" } else { "OV" });
            let nats = ["RUS", "UKR", "BLR", "KAZ"];
            (
                format!("{g} {patronymic} {family}"),
                rng.chance(20).then(|| format!("{family} {g}")),
                nats[rng.below(nats.len())],
            )
        }
        61..=68 => (
            format!("{} {}", rng.pick(IN_GIVEN), tail(rng, IN_FAMILY)),
            None,
            "IND",
        ),
        69..=78 => {
            let nats = ["MEX", "COL", "ESP", "ARG", "PER", "BRA", "VEN"];
            (
                format!(
                    "{} {} {}",
                    rng.pick(ES_GIVEN),
                    tail(rng, ES_FAMILY),
                    rng.pick(ES_FAMILY)
                ),
                None,
                nats[rng.below(nats.len())],
            )
        }
        79..=86 => {
            let nats = ["USA", "GBR", "FRA", "DEU", "SWE", "POL", "CAN", "AUS"];
            (
                format!("{} {}", rng.pick(EN_GIVEN), tail(rng, EN_FAMILY)),
                None,
                nats[rng.below(nats.len())],
            )
        }
        87..=92 => {
            let nats = ["GHA", "NGA", "SEN", "MLI", "GIN", "CIV"];
            (
                format!("{} {}", rng.pick(AF_GIVEN), tail(rng, AF_FAMILY)),
                None,
                nats[rng.below(nats.len())],
            )
        }
        93..=95 => (
            format!(
                "{} {} {}",
                rng.pick(VI_FAMILY),
                rng.pick(VI_GIVEN),
                rng.pick(VI_GIVEN)
            ),
            None,
            "VNM",
        ),
        _ => {
            let nats = ["TUR", "IRN"];
            (
                format!("{} {}", rng.pick(TR_FA_GIVEN), tail(rng, TR_FA_FAMILY)),
                None,
                nats[rng.below(nats.len())],
            )
        }
    };
    let mut names = vec![primary];
    names.extend(alias);
    (names, nat)
}

pub fn birth_date(rng: &mut Rng) -> Option<BirthDate> {
    let year = 1940 + rng.below(66) as u16;
    match rng.below(100) {
        0..=79 => Some(BirthDate::Exact {
            year,
            month: 1 + rng.below(12) as u8,
            day: 1 + rng.below(28) as u8,
        }),
        80..=94 => Some(BirthDate::Year {
            year,
            approximate: rng.chance(50),
        }),
        _ => None,
    }
}
