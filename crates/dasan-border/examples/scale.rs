//! Screening at the scale: the UN consolidated list plus a deterministic synthetic
//! watchlist of 1,000,000 individuals, screening alone, one thread.
//!
//! `cargo run --release -p dasan-border --example scale -- [ENTRIES] [QUERIES] [UN.xml]`
//! (defaults 1,000,000 and 20,000). Prints the index build time, peak memory (`VmHWM` from
//! `/proc/self/status`, before and after the build), the latency distribution (p50/p90/p99/max)
//! of the queries screened one at a time (all, and per kind of query), and recall of the UN
//! list's own aliases (as listed and leave-one-out, `quality::alias_queries`) in the big index
//! against the same measure on the UN list alone.
//!
//! The synthetic list is generated here (bench-only code stays out of the library): seeded
//! splitmix64, multi-token names of many origins (Korean in several romanisations, Arabic
//! patronymic chains, Chinese, Japanese, Russian with patronymics, Indian, Hispanic double
//! surnames, English, French, German, West African, Vietnamese, Turkish, Persian), a long tail
//! of generated family names, birth dates (exact, year only or none) and nationalities, and
//! one or two aliases for some entries (another romanisation, another order).

use dasan_border::quality;
use dasan_border::watchlist::{ListedName, NameKind};
use dasan_border::{
    BirthDate, CalendarDate, EntryKind, ListSource, Screener, ScreeningConfig, ScreeningQuery,
    WatchlistEntry, import_un_xml,
};
use std::hint::black_box;
use std::io::BufReader;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const KO_SURNAMES: &[&str] = &[
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
const KO_SYLLABLES: &[&str] = &[
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
const AR_GIVEN: &[&str] = &[
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
const AR_FAMILY: &[&str] = &[
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
const ZH_FAMILY: &[&str] = &[
    "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU", "SUN", "MA",
    "ZHU", "HU", "GUO", "HE", "LIN", "GAO", "LUO", "ZHENG", "LIANG", "XIE", "TANG", "FENG", "DENG",
];
const ZH_SYLLABLES: &[&str] = &[
    "WEI", "FANG", "XIU", "YING", "MIN", "JING", "LI", "QIANG", "LEI", "JUN", "YANG", "YONG",
    "JIE", "TAO", "MING", "CHAO", "XIA", "HUA", "PING", "GANG", "HONG", "LING", "YAN", "FENG",
    "XIN", "YU", "HAO", "ZHI", "KAI", "BO", "QING", "DAN", "NING", "RUI",
];
const JA_FAMILY: &[&str] = &[
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
const JA_GIVEN: &[&str] = &[
    "HIROSHI", "TAKESHI", "KENJI", "YUKI", "SAKURA", "HARUTO", "YUTO", "SOTA", "AOI", "HINA",
    "KAITO", "RIKU", "YUI", "MIO", "AKIRA", "DAISUKE", "NAOKI", "EMI", "KAORI", "TOMOKO",
];
const RU_GIVEN: &[&str] = &[
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
const RU_STEMS: &[&str] = &[
    "IVAN", "SMIRN", "KUZNETS", "POPOV", "VASIL", "PETR", "SOKOL", "MIKHAIL", "NOVIK", "FEDOR",
    "MOROZ", "VOLK", "ALEKSE", "LEBED", "SEMEN", "EGOR", "PAVL", "KOZL", "STEPAN", "NIKOL", "OREL",
    "ANDRE", "MAKAR", "NIKIT", "ZAKHAR", "ZAITS", "SOLOV", "BORIS", "YAKOVL", "GRIGOR",
];
const IN_GIVEN: &[&str] = &[
    "RAHUL", "PRIYA", "AMIT", "SUNITA", "ANIL", "RAJESH", "SANJAY", "VIJAY", "DEEPAK", "POOJA",
    "ANJALI", "RAVI", "SURESH", "RAMESH", "KAVITA", "ARJUN", "VIKRAM", "NEHA", "MANOJ", "ASHA",
];
const IN_FAMILY: &[&str] = &[
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
const ES_GIVEN: &[&str] = &[
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
const ES_FAMILY: &[&str] = &[
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
const EN_GIVEN: &[&str] = &[
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
const EN_FAMILY: &[&str] = &[
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
const AF_GIVEN: &[&str] = &[
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
const AF_FAMILY: &[&str] = &[
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
const VI_FAMILY: &[&str] = &[
    "NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "HUYNH", "PHAN", "VU", "DANG",
];
const VI_GIVEN: &[&str] = &[
    "VAN", "THI", "MINH", "HOA", "NAM", "LAN", "HUNG", "DUNG", "TUAN", "LINH", "ANH", "THANH",
];
const TR_FA_GIVEN: &[&str] = &[
    "MEHMET", "MUSTAFA", "AHMET", "EMRE", "AYSE", "FATMA", "ZEYNEP", "REZA", "HOSSEIN", "MEHDI",
    "AMIR", "ALI", "HAMID", "MARYAM", "ZAHRA", "FARHAD", "DARIUSH", "KEMAL", "MURAT", "ELIF",
];
const TR_FA_FAMILY: &[&str] = &[
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
const TAIL: &[&str] = &[
    "KA", "LO", "MBE", "RU", "ZA", "TI", "NO", "VA", "SHI", "DRA", "KO", "WA", "PE", "LI", "GHA",
    "MO", "RA", "SE", "TU", "BRA", "NE", "DO", "KHA", "FI", "ZU", "GO", "YE", "BU", "TSO", "MA",
];
const TAIL_END: &[&str] = &[
    "", "", "N", "R", "K", "OV", "EV", "ENKO", "SKI", "ANI", "ZADEH", "OGLU", "EZ", "SON", "MAN",
];

fn tail_family(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..2 + rng.below(2) {
        s.push_str(rng.pick(TAIL));
    }
    s.push_str(rng.pick(TAIL_END));
    s
}

fn ko_given(rng: &mut Rng) -> String {
    let (a, b) = (rng.pick(KO_SYLLABLES), rng.pick(KO_SYLLABLES));
    match rng.below(4) {
        0 => format!("{a}{}", b.to_lowercase()).to_uppercase(),
        1 => format!("{a}-{b}"),
        _ => format!("{a} {b}"),
    }
}

/// One synthetic person: names (primary first), nationality.
fn person(rng: &mut Rng) -> (Vec<String>, &'static str) {
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

fn birth_date(rng: &mut Rng) -> Option<BirthDate> {
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

/// `n` synthetic listed individuals, deterministic for a seed.
fn synthetic_watchlist(n: usize, seed: u64) -> Vec<WatchlistEntry> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let (names, nat) = person(&mut rng);
            WatchlistEntry {
                id: format!("SYN-{i}"),
                reference: String::new(),
                source: ListSource::National("SYNTHETIC".into()),
                kind: EntryKind::Individual,
                names: names
                    .into_iter()
                    .enumerate()
                    .map(|(k, text)| ListedName {
                        text,
                        kind: if k == 0 {
                            NameKind::Primary
                        } else {
                            NameKind::Alias {
                                quality: "Good".into(),
                            }
                        },
                    })
                    .collect(),
                birth_dates: birth_date(&mut rng).into_iter().collect(),
                nationalities: vec![nat.to_string()],
                documents: Vec::new(),
                listed_on: String::new(),
            }
        })
        .collect()
}

/// A one-letter change in a longer token (a typing or transliteration slip).
fn near_miss(name: &str, rng: &mut Rng) -> String {
    let mut tokens: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    let long: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].chars().count() >= 5 && tokens[i].is_ascii())
        .collect();
    if !long.is_empty() {
        let t = &mut tokens[long[rng.below(long.len())]];
        let pos = 1 + rng.below(t.len() - 2);
        let replacement = ["A", "E", "I", "O", "U", "Y", "H"][rng.below(7)];
        t.replace_range(pos..pos + 1, replacement);
    }
    if tokens.len() > 1 && rng.chance(50) {
        tokens.rotate_left(1);
    }
    tokens.join(" ")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    ListedAlias,
    NearMiss,
    Clean,
    CommonTokens,
}

fn vm_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time of this process so far (user + system), from `/proc/self/stat` (clock ticks of
/// 1/100 s): over a whole run it shows what a loaded machine's waits for a core hide.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn percentiles(what: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        return;
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{what:<34} n={:>6}  p50={:>9.1?}  p90={:>9.1?}  p99={:>9.1?}  max={:>9.1?}",
        samples.len(),
        p(0.50),
        p(0.90),
        p(0.99),
        samples[samples.len() - 1]
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let nq: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/watchlists/UN_consolidated.xml"
        )
        .to_string()
    });
    // `BORDER_CFG='max_postings_scanned = 20000'` tries other limits (TOML, as in the config).
    let config: ScreeningConfig = match std::env::var("BORDER_CFG") {
        Ok(t) => toml::from_str(&t)?,
        Err(_) => ScreeningConfig::default(),
    };
    let un = import_un_xml(BufReader::new(std::fs::File::open(&path)?))?.records;
    let un_len = un.len();
    let un_only = Screener::new(un.clone());

    let t = Instant::now();
    let mut entries = un;
    entries.extend(synthetic_watchlist(n, 2026));
    let generated = t.elapsed();
    let rss_before = vm_kib("VmRSS:");
    let t = Instant::now();
    let screener = Screener::new(entries);
    let build = t.elapsed();
    println!(
        "watchlist: {un_len} UN entries + {n} synthetic = {} entries, {} names indexed",
        screener.len(),
        screener.name_count()
    );
    println!(
        "generated in {generated:.2?}; index built in {build:.2?}; RSS before the build {} MiB, after {} MiB; peak (VmHWM) {} MiB",
        rss_before / 1024,
        vm_kib("VmRSS:") / 1024,
        vm_kib("VmHWM:") / 1024
    );

    // The queries: listed UN aliases, near misses, clean travellers, very common tokens.
    let aliases = quality::alias_queries(&un_only);
    let mut rng = Rng(7);
    let travellers = synthetic_watchlist(nq, 99);
    let common = [
        "MOHAMMED AHMED HASSAN",
        "MUHAMMAD ALI",
        "MOHAMMED ABDULLAH AL HARBI",
        "AHMED MOHAMMED ALI",
        "KIM MIN JUN",
        "LEE JI HOON",
        "KIM YOUNG HO",
        "LEE SUNG MIN",
        "PARK JI WON",
        "KIM LEE",
        "MOHAMMED KIM",
        "WANG WEI",
        "JOSE GARCIA",
        "NGUYEN VAN NAM",
    ];
    let mut queries: Vec<(Kind, ScreeningQuery)> = Vec::with_capacity(nq);
    for (i, traveller) in travellers.iter().enumerate() {
        let date = |rng: &mut Rng| {
            CalendarDate::new(
                1940 + rng.below(66) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            )
        };
        let q = match i % 10 {
            0..=2 => {
                let a = &aliases[rng.below(aliases.len())];
                (Kind::ListedAlias, a.query.clone())
            }
            3 | 4 => {
                let name = if rng.chance(50) {
                    aliases[rng.below(aliases.len())].query.name.clone()
                } else {
                    let e = screener.entry((un_len + rng.below(n)) as u32);
                    e.map(|e| e.primary_name().to_string()).unwrap_or_default()
                };
                let name = near_miss(&name, &mut rng);
                let birth_date = date(&mut rng);
                (
                    Kind::NearMiss,
                    ScreeningQuery {
                        name,
                        birth_date,
                        nationality: None,
                    },
                )
            }
            5..=8 => {
                let t = traveller;
                let birth_date = date(&mut rng);
                (
                    Kind::Clean,
                    ScreeningQuery {
                        name: t.primary_name().to_string(),
                        birth_date,
                        nationality: t.nationalities.first().cloned(),
                    },
                )
            }
            _ => {
                let birth_date = date(&mut rng);
                (
                    Kind::CommonTokens,
                    ScreeningQuery {
                        name: common[rng.below(common.len())].to_string(),
                        birth_date,
                        nationality: Some(if rng.chance(50) { "KOR" } else { "SAU" }.into()),
                    },
                )
            }
        };
        queries.push(q);
    }
    // Warm up (page in the index), then one query at a time.
    for (_, q) in queries.iter().take(200) {
        black_box(screener.screen(q, &config));
    }
    let mut all = Vec::with_capacity(queries.len());
    let mut by_kind: Vec<(Kind, Vec<Duration>)> = [
        Kind::ListedAlias,
        Kind::NearMiss,
        Kind::Clean,
        Kind::CommonTokens,
    ]
    .into_iter()
    .map(|k| (k, Vec::new()))
    .collect();
    let mut referred = 0usize;
    let (t, cpu) = (Instant::now(), cpu_seconds());
    for (kind, q) in &queries {
        let s = Instant::now();
        let hits = black_box(screener.screen(q, &config));
        let d = s.elapsed();
        referred += usize::from(!hits.is_empty());
        all.push(d);
        if let Some((_, v)) = by_kind.iter_mut().find(|(k, _)| k == kind) {
            v.push(d);
        }
    }
    let (total, cpu) = (t.elapsed(), cpu_seconds() - cpu);
    println!(
        "screening alone, one thread: {} queries in {total:.2?} wall, {cpu:.2} s CPU: {:.0} queries/s wall, mean {:.0} µs CPU per query; {referred} with a hit",
        queries.len(),
        queries.len() as f64 / total.as_secs_f64(),
        1e6 * cpu / queries.len() as f64
    );
    println!("wall-clock latency:");
    percentiles("all queries", all);
    for (k, v) in by_kind {
        percentiles(&format!("  {k:?}"), v);
    }

    // Recall of the UN list's own aliases, UN list alone vs inside the big index.
    let loo = |s: &Screener, leave_one_out: bool| {
        quality::evaluate(s, &config, &aliases, leave_one_out).recall()
    };
    println!(
        "UN alias recall ({} queries): UN list alone {:.2} % as listed, {:.2} % leave-one-out; with {n} synthetic entries {:.2} % as listed, {:.2} % leave-one-out",
        aliases.len(),
        100.0 * loo(&un_only, false),
        100.0 * loo(&un_only, true),
        100.0 * loo(&screener, false),
        100.0 * loo(&screener, true),
    );
    println!(
        "peak RSS (VmHWM) at the end: {} MiB",
        vm_kib("VmHWM:") / 1024
    );
    Ok(())
}
