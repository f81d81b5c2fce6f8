//! Korean romanisation variants.
//!
//! The same Korean name reaches a watchlist or a passport in several spellings: Revised
//! Romanization (RR, South Korea since 2000: 김 `GIM`, 정 `JEONG`), McCune–Reischauer (MR, still
//! used in North Korea and on the UN list: `CH'OE`, `KY'ONG`, `RI`), and the informal spellings
//! families chose for passports (`KIM`, `LEE`, `PARK`, `JUNG`). Two tools cover them:
//!
//! - [`SURNAMES`] and [`SYLLABLES`]: tables of common surnames and given-name syllables, each
//!   with its Hangul, its RR form and the variants seen in practice. A token found in a table
//!   is *known Korean* and matches any other spelling of the same entry exactly
//!   (rule `korean-surname` / `korean-syllable`).
//! - [`loose_key`]: a folding of any romanised token into a key that spelling variants share
//!   (`KYUNG`, `GYEONG`, `KY'ONG` → `KYUNG`; `LEE`, `RHEE`, `YI`, `RI` → `I`), used for candidate
//!   generation and as a weaker match (rule `korean-romanisation`).
//!
//! A unit test checks that every variant in the tables folds to the same key as its RR form, so
//! the tables and the folding cannot drift apart.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A common Korean surname: Hangul, Revised Romanization, and variants seen in passports and
/// on watchlists (informal and McCune–Reischauer spellings, apostrophes removed).
pub const SURNAMES: &[(&str, &str, &[&str])] = &[
    ("김", "GIM", &["KIM", "GHIM", "KEEM", "GIHM"]),
    ("이", "I", &["LEE", "YI", "RHEE", "RI", "YEE", "REE", "LI"]),
    (
        "박",
        "BAK",
        &["PARK", "PAK", "BAGH", "BAHK", "PAHK", "BARK"],
    ),
    ("최", "CHOE", &["CHOI", "CHOY", "CHWE"]),
    (
        "정",
        "JEONG",
        &["JUNG", "CHUNG", "CHONG", "JOUNG", "JEUNG", "CHEONG", "JONG"],
    ),
    ("강", "GANG", &["KANG", "KAHNG"]),
    ("조", "JO", &["CHO", "CHOH", "JOH"]),
    ("윤", "YUN", &["YOON", "YOUN"]),
    ("장", "JANG", &["CHANG"]),
    ("임", "IM", &["LIM", "YIM", "RIM"]),
    ("한", "HAN", &["HAHN"]),
    ("오", "O", &["OH"]),
    ("서", "SEO", &["SUH", "SO", "SEOH", "SUR"]),
    ("신", "SIN", &["SHIN", "SHEEN"]),
    ("권", "GWON", &["KWON", "KWEON"]),
    ("황", "HWANG", &["WHANG"]),
    ("안", "AN", &["AHN"]),
    ("송", "SONG", &[]),
    ("류", "RYU", &["YU", "YOO", "RYOO", "LYU", "YOU"]),
    ("전", "JEON", &["JUN", "CHUN", "CHON", "JUHN", "JEUN"]),
    ("홍", "HONG", &[]),
    ("고", "GO", &["KO", "KOH"]),
    ("문", "MUN", &["MOON", "MOUN"]),
    ("양", "YANG", &["RYANG", "LYANG"]),
    ("손", "SON", &["SOHN"]),
    ("배", "BAE", &["PAE", "BAI", "BAY"]),
    ("백", "BAEK", &["PAEK", "BAIK", "PAIK"]),
    ("허", "HEO", &["HUH", "HUR", "HO"]),
    ("노", "NO", &["NOH", "ROH", "RO"]),
    ("남", "NAM", &[]),
    ("심", "SIM", &["SHIM"]),
    ("하", "HA", &["HAH"]),
    ("곽", "GWAK", &["KWAK"]),
    ("성", "SEONG", &["SUNG", "SONG"]),
    ("차", "CHA", &[]),
    ("주", "JU", &["JOO", "CHU", "CHOO"]),
    ("우", "U", &["WOO", "WU"]),
    ("구", "GU", &["KOO", "KU"]),
    ("민", "MIN", &[]),
    ("나", "NA", &["RA", "LA"]),
    ("진", "JIN", &["CHIN"]),
    ("지", "JI", &["CHI", "JEE"]),
    ("엄", "EOM", &["UM", "OM", "EOHM"]),
    ("채", "CHAE", &["CHE"]),
    ("원", "WON", &["WEON"]),
    ("천", "CHEON", &["CHUN", "CHON"]),
    ("방", "BANG", &["PANG"]),
    ("공", "GONG", &["KONG"]),
    ("현", "HYEON", &["HYUN", "HYON"]),
    ("함", "HAM", &["HAHM"]),
    ("변", "BYEON", &["BYUN", "PYON", "BYON"]),
    ("염", "YEOM", &["YUM", "YOM", "RYOM"]),
    ("여", "YEO", &["YUH", "YO", "RYO"]),
    ("추", "CHU", &["CHOO"]),
    ("도", "DO", &["TO", "DOH"]),
    ("석", "SEOK", &["SUK", "SOK"]),
    ("선", "SEON", &["SUN", "SON"]),
    ("설", "SEOL", &["SUL", "SOL"]),
    ("마", "MA", &[]),
    ("길", "GIL", &["KIL"]),
    ("연", "YEON", &["YUN", "YON", "YOUN"]),
    ("위", "WI", &["WEE"]),
    ("표", "PYO", &["PYOH"]),
    ("명", "MYEONG", &["MYUNG", "MYONG"]),
    ("기", "GI", &["KI", "KEE"]),
    ("반", "BAN", &["PAN"]),
    ("왕", "WANG", &[]),
    ("금", "GEUM", &["KEUM", "KUM"]),
    ("옥", "OK", &["OCK"]),
    ("육", "YUK", &["YOOK", "RYUK"]),
    ("인", "IN", &[]),
    ("맹", "MAENG", &[]),
    ("제", "JE", &["CHE"]),
    ("모", "MO", &[]),
    ("탁", "TAK", &["TAHK"]),
    ("국", "GUK", &["KOOK", "KUK"]),
    ("은", "EUN", &["UN"]),
    ("편", "PYEON", &["PYUN", "PYON"]),
    ("용", "YONG", &["RYONG", "LYONG"]),
    ("봉", "BONG", &["PONG"]),
    ("경", "GYEONG", &["KYUNG", "KYONG", "KYEONG"]),
    ("부", "BU", &["BOO", "PU"]),
    ("태", "TAE", &["THAE"]),
    ("형", "HYEONG", &["HYUNG", "HYONG"]),
    ("두", "DU", &["DOO", "TU"]),
    ("동", "DONG", &["TONG"]),
    ("범", "BEOM", &["BUM", "POM"]),
    ("라", "RA", &["LA", "NA"]),
    ("남궁", "NAMGUNG", &["NAMKUNG", "NAMKOONG", "NAMGOONG"]),
    ("제갈", "JEGAL", &["CHEGAL", "JEKAL"]),
    ("선우", "SEONU", &["SUNWOO", "SONU", "SEONWOO"]),
    ("황보", "HWANGBO", &["HWANGPO"]),
];

/// Common syllables of Korean given names: Hangul, RR form, variants.
pub const SYLLABLES: &[(&str, &str, &[&str])] = &[
    ("정", "JEONG", &["JUNG", "CHUNG", "CHONG", "JOUNG"]),
    ("영", "YEONG", &["YOUNG", "YONG", "YUNG", "RYONG"]),
    ("성", "SEONG", &["SUNG", "SONG"]),
    ("현", "HYEON", &["HYUN", "HYON"]),
    ("준", "JUN", &["JOON", "CHUN"]),
    ("진", "JIN", &["CHIN"]),
    ("수", "SU", &["SOO", "SOU"]),
    ("민", "MIN", &[]),
    ("호", "HO", &["HOH"]),
    ("철", "CHEOL", &["CHUL", "CHOL", "CHEUL"]),
    ("석", "SEOK", &["SUK", "SOK", "SUCK"]),
    ("혁", "HYEOK", &["HYUK", "HYOK"]),
    ("은", "EUN", &["UN"]),
    ("희", "HUI", &["HEE", "HI", "HEUI"]),
    ("경", "GYEONG", &["KYUNG", "KYONG", "KYEONG", "GYUNG"]),
    ("명", "MYEONG", &["MYUNG", "MYONG"]),
    ("용", "YONG", &["RYONG", "LYONG"]),
    ("일", "IL", &["EEL"]),
    ("길", "GIL", &["KIL"]),
    ("동", "DONG", &["TONG"]),
    ("재", "JAE", &["CHAE", "JAY"]),
    ("지", "JI", &["CHI", "JEE"]),
    ("태", "TAE", &["THAE"]),
    ("광", "GWANG", &["KWANG"]),
    ("국", "GUK", &["KOOK", "KUK", "GOOK"]),
    ("규", "GYU", &["KYU", "KYOO"]),
    ("근", "GEUN", &["KEUN", "KUN", "GUN"]),
    ("남", "NAM", &[]),
    ("덕", "DEOK", &["DUK", "TOK", "DUCK", "TUK"]),
    ("도", "DO", &["TO", "DOH"]),
    ("범", "BEOM", &["BUM", "POM"]),
    ("병", "BYEONG", &["BYUNG", "PYONG", "BYONG"]),
    ("복", "BOK", &["POK"]),
    ("봉", "BONG", &["PONG"]),
    ("상", "SANG", &[]),
    ("서", "SEO", &["SUH", "SO"]),
    ("선", "SEON", &["SUN", "SON"]),
    ("섭", "SEOP", &["SUP", "SOP", "SUB"]),
    ("숙", "SUK", &["SOOK"]),
    ("순", "SUN", &["SOON"]),
    ("승", "SEUNG", &["SUNG"]),
    ("식", "SIK", &["SHIK", "SIG"]),
    ("신", "SIN", &["SHIN"]),
    ("연", "YEON", &["YUN", "YON", "YOUN"]),
    ("우", "U", &["WOO", "WU"]),
    ("욱", "UK", &["WOOK", "WUK"]),
    ("원", "WON", &["WEON"]),
    ("윤", "YUN", &["YOON"]),
    ("의", "UI", &["EUI", "EUY"]),
    ("자", "JA", &["CHA"]),
    ("전", "JEON", &["JUN", "CHON", "JEUN"]),
    ("제", "JE", &["CHE"]),
    ("종", "JONG", &["CHONG"]),
    ("주", "JU", &["JOO", "CHU"]),
    ("중", "JUNG", &["JOONG", "CHUNG"]),
    ("찬", "CHAN", &[]),
    ("창", "CHANG", &[]),
    ("춘", "CHUN", &["CHOON"]),
    ("택", "TAEK", &["THAEK"]),
    ("학", "HAK", &["HAHK"]),
    ("한", "HAN", &["HAHN"]),
    ("해", "HAE", &["HAI"]),
    ("혜", "HYE", &["HYAE"]),
    ("화", "HWA", &[]),
    ("환", "HWAN", &[]),
    ("훈", "HUN", &["HOON"]),
    ("흥", "HEUNG", &["HUNG"]),
    ("옥", "OK", &["OCK"]),
    ("애", "AE", &["AI"]),
    ("란", "RAN", &["LAN"]),
    ("린", "RIN", &["LIN"]),
    ("룡", "RYONG", &["YONG", "LYONG"]),
];

/// Rewrites of [`loose_key`], tried longest first at each position.
const REWRITES: &[(&str, &str)] = &[
    ("TCH", "C"),
    ("CK", "K"),
    ("WH", "HW"),
    ("YEO", "YU"),
    ("YOU", "YU"),
    ("YOO", "YU"),
    ("WOO", "U"),
    ("WEO", "WU"),
    ("WEE", "WI"),
    ("EUI", "I"),
    ("EUY", "I"),
    ("CH", "C"),
    ("JJ", "C"),
    ("KK", "K"),
    ("GG", "K"),
    ("KH", "K"),
    ("GH", "K"),
    ("TT", "T"),
    ("TH", "T"),
    ("PP", "P"),
    ("PH", "P"),
    ("SS", "S"),
    ("SH", "S"),
    ("RH", "L"),
    ("LL", "L"),
    ("NG", "NG"),
    ("EO", "U"),
    ("EU", "U"),
    ("OO", "U"),
    ("OU", "U"),
    ("UI", "I"),
    ("EE", "I"),
    ("AE", "E"),
    ("AI", "E"),
    ("AY", "E"),
    ("OE", "E"),
    ("OI", "E"),
    ("OY", "E"),
    ("WU", "U"),
    ("WE", "E"),
    ("J", "C"),
    ("G", "K"),
    ("D", "T"),
    ("B", "P"),
    ("R", "L"),
    ("O", "U"),
];

fn is_vowel(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// Folds a romanised Korean syllable or name token into a key its spelling variants share.
/// Letters other than A-Z are ignored; an empty key means "nothing to fold".
pub fn loose_key(token: &str) -> String {
    let b: Vec<u8> = token.bytes().filter(u8::is_ascii_uppercase).collect();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    'outer: while i < b.len() {
        let c = b[i];
        let prev_vowel = i > 0 && is_vowel(b[i - 1]);
        let next = b.get(i + 1).copied();
        let next_consonant_or_end = next.is_none_or(|n| !is_vowel(n) && n != b'Y' && n != b'W');
        // AHN, HAHN, SUH, BAHK: an H after a vowel and before a consonant is silent.
        // PARK, HUR: an R after a vowel and before a consonant or the end is silent.
        if (c == b'H' || c == b'R') && prev_vowel && next_consonant_or_end {
            i += 1;
            continue;
        }
        for (from, to) in REWRITES {
            let f = from.as_bytes();
            if b[i..].starts_with(f) {
                out.extend_from_slice(to.as_bytes());
                i += f.len();
                continue 'outer;
            }
        }
        out.push(c);
        i += 1;
    }
    // Initial-sound rule (두음법칙), as South Korea writes North Korean names: an initial ㄹ
    // drops before I/Y (LEE/RI/RYU → I/YU) and becomes ㄴ before other vowels (RA → NA, RO → NO).
    if out.len() >= 2 && out[0] == b'L' {
        if matches!(out[1], b'I' | b'Y') {
            out.remove(0);
        } else if is_vowel(out[1]) {
            out[0] = b'N';
        }
    }
    if out.starts_with(b"YI") {
        out.remove(0);
    }
    out.dedup();
    String::from_utf8(out).unwrap_or_default()
}

/// Which table entries a spelling belongs to.
struct Tables {
    surnames: HashMap<&'static str, Vec<&'static str>>,
    syllables: HashMap<&'static str, Vec<&'static str>>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let build = |table: &'static [(&'static str, &'static str, &'static [&'static str])]| {
            let mut map: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
            for (_, rr, variants) in table {
                for v in std::iter::once(rr).chain(variants.iter()) {
                    let e = map.entry(*v).or_default();
                    if !e.contains(rr) {
                        e.push(rr);
                    }
                }
            }
            map
        };
        Tables {
            surnames: build(SURNAMES),
            syllables: build(SYLLABLES),
        }
    })
}

/// The RR forms of the table surnames this spelling may be (`LEE` → `["I"]`, `SONG` →
/// `["SONG", "SEONG"]`); empty when it is not a known surname spelling.
pub fn surname_forms(token: &str) -> &'static [&'static str] {
    tables().surnames.get(token).map_or(&[], Vec::as_slice)
}

/// The RR forms of the table syllables this spelling may be; empty when unknown.
pub fn syllable_forms(token: &str) -> &'static [&'static str] {
    tables().syllables.get(token).map_or(&[], Vec::as_slice)
}

/// Do two spellings name the same table surname?
pub fn same_surname(a: &str, b: &str) -> bool {
    let fa = surname_forms(a);
    !fa.is_empty() && surname_forms(b).iter().any(|f| fa.contains(f))
}

/// Do two spellings name the same given-name syllable (or hyphen-less pair of syllables)?
pub fn same_syllables(a: &str, b: &str) -> bool {
    let fa = syllable_forms(a);
    !fa.is_empty() && syllable_forms(b).iter().any(|f| fa.contains(f))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::normalize;

    #[test]
    fn tables_agree_with_hangul_and_the_folding() {
        for table in [SURNAMES, SYLLABLES] {
            for (hangul, rr, variants) in table {
                // The RR column is what the arithmetic romanization gives for the Hangul.
                let romanized: String = hangul
                    .chars()
                    .map(|c| normalize::romanize_syllable(c).unwrap())
                    .collect();
                assert_eq!(&romanized, rr, "{hangul}");
                for v in *variants {
                    assert_eq!(
                        loose_key(v),
                        loose_key(rr),
                        "{v} is listed as a variant of {rr} ({hangul}) but folds differently"
                    );
                }
            }
        }
    }

    #[test]
    fn famous_variants() {
        for group in [
            &["KIM", "GIM", "GHIM"][..],
            &["LEE", "YI", "RHEE", "RI", "I"],
            &["PARK", "PAK", "BAK", "BAGH"],
            &["CHOI", "CHOE"],
            &["JUNG", "JEONG", "CHUNG"],
            &["KYUNG", "GYEONG", "KYONG"],
            &["CHEOL", "CHUL", "CHOL"],
        ] {
            for v in group {
                assert_eq!(loose_key(v), loose_key(group[0]), "{v}");
                assert!(
                    same_surname(v, group[0]) || same_syllables(v, group[0]),
                    "{v}"
                );
            }
        }
        assert!(same_surname("LEE", "RHEE"));
        assert!(!same_surname("KIM", "PARK"));
        assert!(!same_surname("SMITH", "SMITH"));
        assert_ne!(loose_key("KIM"), loose_key("PARK"));
    }
}
