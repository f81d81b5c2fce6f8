//! Name normalisation: Hangul → Revised Romanization, Unicode NFKD with diacritics stripped,
//! upper case, punctuation to spaces, and a phonetic skeleton key for transliterated names.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// First Hangul syllable (가).
const HANGUL_FIRST: u32 = 0xAC00;
/// Last Hangul syllable (힣).
const HANGUL_LAST: u32 = 0xD7A3;

/// Revised Romanization of the 19 initial consonants (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ).
const RR_INITIAL: [&str; 19] = [
    "G", "KK", "N", "D", "TT", "R", "M", "B", "PP", "S", "SS", "", "J", "JJ", "CH", "K", "T", "P",
    "H",
];
/// Revised Romanization of the 21 medial vowels (ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ).
const RR_MEDIAL: [&str; 21] = [
    "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WO", "WE",
    "WI", "YU", "EU", "UI", "I",
];
/// Revised Romanization of the 28 finals (none, ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ),
/// as pronounced at the end of a syllable.
const RR_FINAL: [&str; 28] = [
    "", "K", "K", "K", "N", "N", "N", "T", "L", "K", "M", "L", "L", "L", "P", "L", "M", "P", "P",
    "T", "T", "NG", "T", "T", "K", "T", "P", "T",
];

/// Two-syllable Korean surnames (written together, before the given name).
const COMPOUND_SURNAMES: [&str; 10] = [
    "남궁", "제갈", "선우", "황보", "독고", "사공", "서문", "동방", "어금", "망절",
];

/// Is `c` a precomposed Hangul syllable?
pub fn is_hangul_syllable(c: char) -> bool {
    (HANGUL_FIRST..=HANGUL_LAST).contains(&(c as u32))
}

/// Splits a Hangul syllable into (initial, medial, final) jamo indexes, arithmetically
/// (Unicode §3.12: S = 0xAC00 + (L × 21 + V) × 28 + T).
pub fn decompose_syllable(c: char) -> Option<(usize, usize, usize)> {
    let s = (c as u32).checked_sub(HANGUL_FIRST)?;
    if s > HANGUL_LAST - HANGUL_FIRST {
        return None;
    }
    let s = s as usize;
    Some((s / (21 * 28), (s % (21 * 28)) / 28, s % 28))
}

/// Revised Romanization of one Hangul syllable as names are written (syllable by syllable,
/// without sound changes across syllables): 김 → `GIM`, 정 → `JEONG`, 이 → `I`.
pub fn romanize_syllable(c: char) -> Option<String> {
    let (l, v, t) = decompose_syllable(c)?;
    let mut out = String::with_capacity(6);
    out.push_str(RR_INITIAL[l]);
    out.push_str(RR_MEDIAL[v]);
    out.push_str(RR_FINAL[t]);
    Some(out)
}

/// Romanizes a run of Hangul syllables (one word). A Korean personal name written without
/// spaces (홍길동) becomes surname and given name (`HONG GILDONG`): the first syllable, or the
/// first two for a two-syllable surname, is split off when the word has 2-5 syllables.
pub fn romanize_hangul_word(word: &str) -> String {
    let syllables: Vec<char> = word.chars().filter(|c| is_hangul_syllable(*c)).collect();
    let n = syllables.len();
    let surname_len = if n >= 3 {
        let first_two: String = syllables.iter().take(2).collect();
        if COMPOUND_SURNAMES.contains(&first_two.as_str()) {
            2
        } else {
            1
        }
    } else {
        1
    };
    let mut out = String::new();
    for (i, c) in syllables.iter().enumerate() {
        if i == surname_len && (2..=5).contains(&n) {
            out.push(' ');
        }
        if let Some(r) = romanize_syllable(*c) {
            out.push_str(&r);
        }
    }
    out
}

/// Replaces every run of Hangul syllables with its romanization (see [`romanize_hangul_word`]).
/// Returns `None` when the text has no Hangul.
pub fn romanize_hangul(text: &str) -> Option<String> {
    if !text.chars().any(is_hangul_syllable) {
        return None;
    }
    // Only a name written as one Hangul word (홍길동) has its surname split off.
    let words = text
        .split(|c: char| !is_hangul_syllable(c))
        .filter(|w| !w.is_empty())
        .count();
    let mut out = String::with_capacity(text.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if words == 1 {
            out.push_str(&romanize_hangul_word(word));
        } else {
            word.chars()
                .filter_map(romanize_syllable)
                .for_each(|s| out.push_str(&s));
        }
        word.clear();
    };
    for c in text.chars() {
        if is_hangul_syllable(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    Some(out)
}

/// Normalises a name to upper-case ASCII-ish tokens: Hangul is romanized, then NFKD with
/// combining marks removed (é → E, ł stays ł → mapped below), apostrophes removed inside a
/// word (`CH'OE` → `CHOE`, `O'NEIL` → `ONEIL`), any other punctuation separates tokens.
/// Letters of other scripts (Arabic, Cyrillic, Han) are kept, upper-cased where that applies.
pub fn tokens(name: &str) -> Vec<String> {
    let romanized;
    let text = match romanize_hangul(name) {
        Some(r) => {
            romanized = r;
            romanized.as_str()
        }
        None => name,
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'ł' | 'Ł' => 'L',
            'ø' | 'Ø' => 'O',
            'đ' | 'Đ' | 'ð' | 'Ð' => 'D',
            'ß' => 'S',
            'æ' | 'Æ' => 'A',
            'œ' | 'Œ' => 'O',
            'ı' => 'I',
            'þ' | 'Þ' => 'T',
            _ => c,
        };
        if c.is_alphanumeric() {
            for u in c.to_uppercase() {
                cur.push(u);
            }
        } else if matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '´') {
            // Inside a word: an apostrophe (MR aspiration, O'Neil, Arabic ʿayn): drop it.
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The normalised form of a name: its tokens joined by single spaces.
pub fn normalize(name: &str) -> String {
    tokens(name).join(" ")
}

/// A phonetic skeleton of one normalised token, tuned for transliterated names: digraphs folded
/// (PH→F, KH→K, TH→T, DH→D, GH→G, SH/SCH/CH→S-like, Q/C/CK→K, Z→S, V/W→V, DJ/J→J, X→KS),
/// vowels dropped after the first letter, doubled letters collapsed. `MOHAMMED`, `MUHAMMAD`
/// and `MOHAMED` all give `MHMD`; `QAIDA` and `QAEDA` give `KD`.
pub fn skeleton(token: &str) -> String {
    let b: Vec<u8> = token.bytes().filter(|c| c.is_ascii_uppercase()).collect();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    // Doubled letters collapse; letters separated by a dropped vowel do not (M-H-M-D).
    let mut separated = false;
    let push = |out: &mut Vec<u8>, c: u8, separated: &mut bool| {
        if *separated || out.last() != Some(&c) {
            out.push(c);
        }
        *separated = false;
    };
    let vowel = |c: u8| matches!(c, b'A' | b'E' | b'I' | b'O' | b'U' | b'Y');
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (code, used) = match (c, next) {
            (b'P', Some(b'H')) => (Some(b'F'), 2),
            (b'K' | b'G' | b'T' | b'D' | b'B', Some(b'H')) => (Some(c), 2),
            (b'S', Some(b'C')) if b.get(i + 2) == Some(&b'H') => (Some(b'S'), 3),
            (b'S' | b'C', Some(b'H')) => (Some(b'S'), 2),
            (b'T', Some(b'S' | b'Z')) => (Some(b'S'), 2),
            (b'D', Some(b'J' | b'Z')) => (Some(b'J'), 2),
            (b'C', Some(b'K')) => (Some(b'K'), 2),
            (b'C' | b'Q' | b'K', _) => (Some(b'K'), 1),
            (b'Z', _) => (Some(b'S'), 1),
            (b'W' | b'V', _) => (Some(b'V'), 1),
            (b'X', _) => {
                push(&mut out, b'K', &mut separated);
                (Some(b'S'), 1)
            }
            (v, _) if vowel(v) => (if i == 0 { Some(b'A') } else { None }, 1),
            (other, _) => (Some(other), 1),
        };
        match code {
            Some(code) => push(&mut out, code, &mut separated),
            None => separated = true,
        }
        i += used;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hangul_arithmetic() {
        assert_eq!(decompose_syllable('가'), Some((0, 0, 0)));
        assert_eq!(decompose_syllable('힣'), Some((18, 20, 27)));
        assert_eq!(decompose_syllable('A'), None);
        assert_eq!(romanize_syllable('김').unwrap(), "GIM");
        assert_eq!(romanize_syllable('이').unwrap(), "I");
        assert_eq!(romanize_syllable('박').unwrap(), "BAK");
        assert_eq!(romanize_syllable('최').unwrap(), "CHOE");
        assert_eq!(romanize_syllable('정').unwrap(), "JEONG");
        assert_eq!(romanize_syllable('윤').unwrap(), "YUN");
        assert_eq!(romanize_syllable('꽃').unwrap(), "KKOT");
    }

    #[test]
    fn hangul_names_split_surname() {
        assert_eq!(normalize("홍길동"), "HONG GILDONG");
        assert_eq!(normalize("김정은"), "GIM JEONGEUN");
        assert_eq!(normalize("남궁민수"), "NAMGUNG MINSU");
        assert_eq!(normalize("김 철수"), "GIM CHEOLSU");
    }

    #[test]
    fn latin_normalisation() {
        assert_eq!(
            normalize("  José  María Núñez-García "),
            "JOSE MARIA NUNEZ GARCIA"
        );
        assert_eq!(normalize("Ch’oe Ch’un Sik"), "CHOE CHUN SIK");
        assert_eq!(normalize("KY'ONG-SU"), "KYONG SU");
        assert_eq!(normalize("Łukasz Żółć"), "LUKASZ ZOLC");
        assert_eq!(normalize("ＡＢＣ"), "ABC");
        assert!(normalize("!!!").is_empty());
        assert_eq!(
            normalize("Muhammad 'Abd al-Rahman"),
            "MUHAMMAD ABD AL RAHMAN"
        );
    }

    #[test]
    fn skeleton_folds_transliterations() {
        assert_eq!(skeleton("MOHAMMED"), "MHMD");
        assert_eq!(skeleton("MUHAMMAD"), "MHMD");
        assert_eq!(skeleton("MOHAMED"), "MHMD");
        assert_eq!(skeleton("QAIDA"), skeleton("QAEDA"));
        assert_eq!(skeleton("KHALID"), skeleton("KALID"));
        assert_eq!(skeleton("YOUSSEF"), skeleton("YUSUF"));
        assert_eq!(skeleton("ABDUL"), "ABDL");
        assert_eq!(skeleton(""), "");
        assert_eq!(skeleton("ŻÓŁĆ"), "");
    }
}
