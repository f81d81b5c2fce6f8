//! Name screening against watchlists: an in-memory index for candidate generation, then scoring
//! with explanations.
//!
//! **Candidates.** Every name of every entry is normalised ([`crate::normalize::tokens`]:
//! Hangul romanised, NFKD, diacritics and punctuation removed, upper case) and indexed under
//! keys of each token: the token itself, its phonetic skeleton, its Korean loose key, the
//! Revised Romanization forms of the Korean surname/syllable tables it belongs to, and its
//! character trigrams. A query's tokens look up the same keys, rarest first, scanning at most
//! [`ScreeningConfig::max_postings_scanned`] postings (keys over that budget only add weight to
//! names already found, so a list of a million names costs about what a small one does); names
//! are ranked by the summed weight of the keys they share, and the best
//! [`ScreeningConfig::max_candidates`] are scored, together with every name listed with exactly
//! the query's words in any order (up to 1,024 of them): among a million names, namesakes made
//! of common words tie in the budgeted search, and the one with the traveller's birth date must
//! not be ranked out.
//!
//! **Scores.** Token pairs are compared by the best of: equality, the Korean tables, the Korean
//! loose key, the phonetic skeleton and Jaro-Winkler (`strsim`); two adjacent tokens may match
//! one token written together (`GIL DONG` / `GILDONG`). Tokens are paired greedily, best first,
//! each used once, whatever their order. Each side's coverage is the weighted mean similarity
//! of its tokens (weights: inverse frequency of the token's skeleton among all listed names, so
//! `MOHAMMED` or `AL` count for less than a rare family name); the name score mixes the better
//! and the worse coverage. Birth date and nationality then add or subtract a little (all
//! amounts in [`ScreeningConfig`]). A hit is a score at or above the threshold, explained field
//! by field ([`Hit`]).

use crate::korean;
use crate::normalize;
use crate::types::{CalendarDate, Score};
use crate::watchlist::{BirthDate, EntryKind, NameKind, WatchlistEntry};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Candidate generation's accumulator is keyed by `u32` name indexes: SipHash (the default)
/// cost more than the rest of a long postings scan, so it uses FxHash.
type IdMap<V> = rustc_hash::FxHashMap<u32, V>;

/// Thresholds and weights of screening. Deserialisable, so it can live in TOML
/// (`[border.screening]`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningConfig {
    /// A hit needs a final score at least this (0-1).
    pub hit_threshold: f64,
    /// … and a name score at least this, whatever the birth date and nationality add.
    pub min_name_score: f64,
    /// Weight of the better-covered side in the name score (the rest goes to the other side).
    pub coverage_weight: f64,
    /// Added when the birth date is the listed date exactly.
    pub dob_exact_bonus: f64,
    /// Added when the listed date gives only a year (or a range) and the year agrees.
    pub dob_year_bonus: f64,
    /// Years of difference still treated as neutral (typing errors, approximate dates).
    pub dob_tolerance_years: u16,
    /// Subtracted when every listed date is further away than the tolerance.
    pub dob_mismatch_penalty: f64,
    /// Added when the nationality is one of the listed ones.
    pub nationality_match_bonus: f64,
    /// Subtracted when the entry lists nationalities and this is none of them.
    pub nationality_mismatch_penalty: f64,
    /// Factor on the name score of a match through a low-quality alias.
    pub low_quality_alias_factor: f64,
    /// Highest name score when only one token matches and both names have several.
    pub single_token_cap: f64,
    /// Names scored per query (after candidate generation).
    pub max_candidates: usize,
    /// Candidate generation scans the postings of a query's keys rarest first, and at most this
    /// many postings in all (the rarest key is always scanned, whatever its size). A key that
    /// would go over the budget is not scanned: it only adds its weight to names the rarer keys
    /// already found (see [`Self::max_pending_candidates`]). Why: on a large list the postings
    /// of common keys (`MOHAMMED`, `KIM`, trigrams such as `^AL`) grow with the list (over
    /// 100,000 each with a million entries) and scanning them all made one screening take tens
    /// of milliseconds; the rare keys of a name are what find it, the common ones only rank
    /// it. On the UN list alone no query reaches the budget, so nothing changes there.
    pub max_postings_scanned: usize,
    /// When keys went over [`Self::max_postings_scanned`], the names found so far are cut to
    /// this many (best share of their keys first) before the remaining keys add their weight
    /// by binary search in their postings. Bounds that step to a few hundred thousand
    /// comparisons; keep it well above [`Self::max_candidates`].
    pub max_pending_candidates: usize,
    /// Hits returned at most (best first).
    pub max_hits: usize,
    /// Screen against organisations too (off for travellers).
    pub include_entities: bool,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        Self {
            hit_threshold: 0.86,
            min_name_score: 0.78,
            coverage_weight: 0.7,
            dob_exact_bonus: 0.06,
            dob_year_bonus: 0.04,
            dob_tolerance_years: 1,
            dob_mismatch_penalty: 0.15,
            nationality_match_bonus: 0.02,
            nationality_mismatch_penalty: 0.02,
            low_quality_alias_factor: 0.95,
            single_token_cap: 0.75,
            max_candidates: 64,
            max_postings_scanned: 20_000,
            max_pending_candidates: 256,
            max_hits: 10,
            include_entities: false,
        }
    }
}

/// Who to screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningQuery {
    /// Full name, any script, any order (an MRZ's `SURNAME GIVEN NAMES` will do).
    pub name: String,
    /// Date of birth, when known.
    pub birth_date: Option<CalendarDate>,
    /// Nationality (MRZ alpha-3 code or a country name), when known.
    pub nationality: Option<String>,
}

/// Why two tokens were taken as the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchRule {
    /// Same token.
    Exact,
    /// The same Korean surname in the surname table (`LEE` / `RHEE` / `YI`).
    KoreanSurname,
    /// The same Korean given-name syllable in the syllable table (`YOUNG` / `YEONG`).
    KoreanSyllable,
    /// The same Korean loose key (romanisation systems folded).
    KoreanRomanisation,
    /// The same phonetic skeleton (`MOHAMMED` / `MUHAMMAD`).
    Phonetic,
    /// Jaro-Winkler similarity.
    JaroWinkler,
    /// Not matched.
    Unmatched,
}

/// One paired token (or two adjacent tokens written apart on one side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenMatch {
    /// The query's token(s).
    pub query: String,
    /// The listed name's token(s); empty when unmatched.
    pub listed: String,
    /// Similarity.
    pub score: Score,
    /// The rule that gave it.
    pub rule: MatchRule,
}

/// How the birth date agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum DateAgreement {
    /// The listed full date, exactly.
    Exact,
    /// The listed year (the list gives only a year, or a range containing it).
    Year,
    /// Off by at most the tolerance.
    WithinTolerance {
        /// Years apart.
        years: u16,
    },
    /// Further than the tolerance from every listed date.
    Mismatch {
        /// Years apart from the nearest.
        years: u16,
    },
    /// No date on one side.
    Unknown,
}

/// How the nationality agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NationalityAgreement {
    /// One of the listed nationalities.
    Match,
    /// None of the listed nationalities.
    Mismatch,
    /// No nationality on one side.
    Unknown,
}

/// One watchlist hit, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Index of the entry in the screener ([`Screener::entry`]).
    pub entry: u32,
    /// The list's identifier of the entry.
    pub entry_id: String,
    /// The list's reference (`KPi.066`).
    pub reference: String,
    /// The entry's primary name.
    pub primary_name: String,
    /// The listed name that matched best.
    pub matched_name: String,
    /// Which kind of name that was.
    pub matched_name_kind: NameKind,
    /// Final score (name, date and nationality).
    pub score: Score,
    /// The name alone.
    pub name_score: Score,
    /// Token by token.
    pub tokens: Vec<TokenMatch>,
    /// Date of birth.
    pub birth_date: DateAgreement,
    /// Nationality.
    pub nationality: NationalityAgreement,
}

/// Identifies one listed name: (entry index, name index within the entry).
pub type NameRef = (u32, u16);

/// Titles and honorifics: not part of who someone is (dropped unless nothing else is left).
const TITLES: &[&str] = &[
    "GENERAL",
    "GEN",
    "COLONEL",
    "COL",
    "MAJOR",
    "CAPTAIN",
    "CAPT",
    "LIEUTENANT",
    "LT",
    "COMMANDER",
    "SHEIKH",
    "SHAYKH",
    "SHEIK",
    "SHAIKH",
    "HAJI",
    "HAJJI",
    "HADJI",
    "ALHAJI",
    "ALHAJJ",
    "MULLAH",
    "MULLA",
    "MAULAVI",
    "MAWLAWI",
    "MAULVI",
    "MAWLAVI",
    "QARI",
    "DR",
    "DOCTOR",
    "PROFESSOR",
    "PROF",
    "MR",
    "MRS",
    "MS",
    "MISS",
    "IMAM",
    "III",
    "II",
    "JR",
    "SR",
    "THIRD",
];

/// The normalised tokens of a name, titles removed (unless only titles are left).
fn name_tokens(name: &str) -> Vec<Tok> {
    let all = normalize::tokens(name);
    let kept: Vec<&String> = all
        .iter()
        .filter(|t| !TITLES.contains(&t.as_str()))
        .collect();
    let chosen: Vec<String> = if kept.is_empty() {
        all.to_vec()
    } else {
        kept.into_iter().cloned().collect()
    };
    chosen.into_iter().take(16).map(Tok::new).collect()
}

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    skeleton: String,
    korean: String,
    surname_forms: &'static [&'static str],
    syllable_forms: &'static [&'static str],
}

impl Tok {
    fn new(text: String) -> Self {
        Tok {
            skeleton: normalize::skeleton(&text),
            korean: korean::loose_key(&text),
            surname_forms: korean::surname_forms(&text),
            syllable_forms: korean::syllable_forms(&text),
            text,
        }
    }
}

#[derive(Debug, Clone)]
struct IndexedName {
    entry: u32,
    name: u16,
    tokens: Vec<Tok>,
    weights: Vec<f64>,
    /// Summed weight of the name's keys (to rank candidates by the share of keys they match).
    key_weight: f64,
}

/// Watchlist entries with their index.
#[derive(Debug, Clone, Default)]
pub struct Screener {
    entries: Vec<WatchlistEntry>,
    names: Vec<IndexedName>,
    /// Key → indexes of the names that have it, ascending (candidate generation relies on it).
    postings: HashMap<u64, Vec<u32>>,
    skeleton_df: HashMap<String, u32>,
    max_idf: f64,
    /// A name's tokens, sorted, → the names listed with exactly those tokens (ascending).
    exact: HashMap<u64, Vec<u32>>,
}

/// Names listed exactly as queried that are scored at most, besides the ranked candidates.
const MAX_EXACT: usize = 1_024;

/// The key of a name's tokens in any order: the same for `KIM MIN JUN` and `MIN JUN KIM`.
fn exact_key(tokens: &[Tok]) -> u64 {
    let mut texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    texts.sort_unstable();
    let mut h = DefaultHasher::new();
    0xEE_u8.hash(&mut h);
    texts.hash(&mut h);
    h.finish()
}

#[derive(Clone, Copy)]
enum KeyKind {
    Token = 1,
    Skeleton = 2,
    Korean = 3,
    KoreanForm = 4,
    Trigram = 5,
}

impl KeyKind {
    fn weight(self) -> f64 {
        match self {
            KeyKind::Token | KeyKind::KoreanForm => 3.0,
            KeyKind::Skeleton | KeyKind::Korean => 2.0,
            KeyKind::Trigram => 0.5,
        }
    }
}

fn key(kind: KeyKind, s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (kind as u8).hash(&mut h);
    s.hash(&mut h);
    h.finish()
}

/// The index of the first element of the ascending `list` not less than `x`, searching from
/// the start by doubling steps: ascending look-ups in one list stay near each other.
fn gallop(list: &[u32], x: u32) -> usize {
    let mut hi = 1;
    while hi < list.len() && list[hi - 1] < x {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(list.len());
    lo + list[lo..hi].partition_point(|v| *v < x)
}

/// The keys of one token, with their kinds.
fn token_keys(t: &Tok, out: &mut Vec<(u64, KeyKind)>) {
    out.push((key(KeyKind::Token, &t.text), KeyKind::Token));
    if t.skeleton.len() >= 2 {
        out.push((key(KeyKind::Skeleton, &t.skeleton), KeyKind::Skeleton));
    }
    if t.korean.len() >= 2 && t.text.len() <= 8 {
        out.push((key(KeyKind::Korean, &t.korean), KeyKind::Korean));
    }
    for f in t.surname_forms.iter().chain(t.syllable_forms) {
        out.push((key(KeyKind::KoreanForm, f), KeyKind::KoreanForm));
    }
    let chars: Vec<char> = std::iter::once('^')
        .chain(t.text.chars())
        .chain(std::iter::once('$'))
        .collect();
    for w in chars.windows(3) {
        let g: String = w.iter().collect();
        out.push((key(KeyKind::Trigram, &g), KeyKind::Trigram));
    }
}

impl Screener {
    /// Indexes entries (individuals and entities).
    pub fn new(entries: Vec<WatchlistEntry>) -> Self {
        let mut s = Screener {
            entries,
            ..Default::default()
        };
        for (ei, e) in s.entries.iter().enumerate() {
            for (ni, n) in e.names.iter().enumerate().take(usize::from(u16::MAX)) {
                let tokens = name_tokens(&n.text);
                if tokens.is_empty() {
                    continue;
                }
                s.names.push(IndexedName {
                    entry: ei as u32,
                    name: ni as u16,
                    tokens,
                    weights: Vec::new(),
                    key_weight: 0.0,
                });
            }
        }
        // Inverse document frequency of skeletons over names.
        for n in &s.names {
            let mut seen: Vec<&str> = Vec::new();
            for t in &n.tokens {
                if !seen.contains(&t.skeleton.as_str()) {
                    seen.push(&t.skeleton);
                    *s.skeleton_df.entry(t.skeleton.clone()).or_default() += 1;
                }
            }
        }
        let total = s.names.len().max(1) as f64;
        s.max_idf = (1.0 + total).ln();
        let mut keys = Vec::new();
        for i in 0..s.names.len() {
            let weights = s.names[i]
                .tokens
                .iter()
                .map(|t| s.weight_of(&t.skeleton))
                .collect();
            s.names[i].weights = weights;
            keys.clear();
            for t in &s.names[i].tokens {
                token_keys(t, &mut keys);
            }
            keys.sort_unstable_by_key(|k| k.0);
            keys.dedup_by_key(|k| k.0);
            for (k, _) in &keys {
                s.postings.entry(*k).or_default().push(i as u32);
            }
            let exact = exact_key(&s.names[i].tokens);
            s.exact.entry(exact).or_default().push(i as u32);
            s.names[i].key_weight = keys.iter().map(|(_, kind)| kind.weight()).sum();
        }
        s
    }

    /// The weight of a token: the inverse frequency of its skeleton among listed names.
    fn weight_of(&self, skeleton: &str) -> f64 {
        let total = self.names.len().max(1) as f64;
        let df = self.skeleton_df.get(skeleton).copied().unwrap_or(0) as f64;
        ((1.0 + total) / (1.0 + df)).ln().max(0.1)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of indexed names.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// An entry by its index.
    pub fn entry(&self, index: u32) -> Option<&WatchlistEntry> {
        self.entries.get(index as usize)
    }

    /// All entries.
    pub fn entries(&self) -> &[WatchlistEntry] {
        &self.entries
    }

    /// Screens one query; hits best first.
    pub fn screen(&self, query: &ScreeningQuery, config: &ScreeningConfig) -> Vec<Hit> {
        self.screen_excluding(query, config, None)
    }

    /// Screens as if the name `exclude` were not listed (for leave-one-out evaluation: does an
    /// alias find its entry through the entry's *other* names?).
    pub fn screen_excluding(
        &self,
        query: &ScreeningQuery,
        config: &ScreeningConfig,
        exclude: Option<NameRef>,
    ) -> Vec<Hit> {
        let qtokens = name_tokens(&query.name);
        if qtokens.is_empty() {
            return Vec::new();
        }
        let qweights: Vec<f64> = qtokens
            .iter()
            .map(|t| {
                if self.skeleton_df.contains_key(&t.skeleton) {
                    self.weight_of(&t.skeleton)
                } else {
                    self.max_idf
                }
            })
            .collect();
        // Candidate generation.
        let mut keys = Vec::new();
        for t in &qtokens {
            token_keys(t, &mut keys);
        }
        keys.sort_unstable_by_key(|k| k.0);
        keys.dedup_by_key(|k| k.0);
        // Rarest keys first, within the budget of postings; the rest only add weight to the
        // names found (see `ScreeningConfig::max_postings_scanned`).
        let mut lists: Vec<(&[u32], f64)> = keys
            .iter()
            .filter_map(|(k, kind)| self.postings.get(k).map(|l| (l.as_slice(), kind.weight())))
            .collect();
        lists.sort_by_key(|(l, _)| l.len());
        let mut acc: IdMap<f64> = IdMap::default();
        let mut scanned = 0usize;
        let mut over = lists.len();
        for (i, (list, _)) in lists.iter().enumerate() {
            if i > 0 && scanned + list.len() > config.max_postings_scanned {
                over = i;
                break;
            }
            scanned += list.len();
        }
        acc.reserve(scanned);
        for (list, w) in &lists[..over] {
            for n in *list {
                *acc.entry(*n).or_default() += w;
            }
        }
        let wanted = |n: u32| {
            let name = &self.names[n as usize];
            exclude != Some((name.entry, name.name))
                && (config.include_entities
                    || self.entries[name.entry as usize].kind == EntryKind::Individual)
        };
        let mut cands: Vec<(u32, f64)> = if over == lists.len() {
            acc.into_iter().filter(|(n, _)| wanted(*n)).collect()
        } else {
            // Keys went over the budget: keep the names sharing the most weight so far (by
            // weight alone: looking each name up would cost a cache miss per name), then add
            // the remaining keys' weight to them by searching their postings.
            let mut pending: Vec<(u32, f64)> = acc.into_iter().collect();
            let keep = config
                .max_pending_candidates
                .max(config.max_candidates)
                .max(1);
            if pending.len() > keep {
                pending.select_nth_unstable_by(keep - 1, |a, b| {
                    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                });
                pending.truncate(keep);
            }
            pending.retain(|(n, _)| wanted(*n));
            pending.sort_unstable_by_key(|c| c.0);
            for (list, w) in &lists[over..] {
                let mut rest: &[u32] = list;
                for (n, acc_w) in pending.iter_mut() {
                    let at = gallop(rest, *n);
                    if rest.get(at) == Some(n) {
                        *acc_w += w;
                    }
                    rest = &rest[at..];
                }
            }
            pending
        };
        cands.retain(|(_, w)| *w >= 2.0);
        // Rank by shared weight, relative to the size of the listed name (a short name sharing
        // all its keys ranks above a long one sharing the same keys).
        for (n, w) in cands.iter_mut() {
            *w /= self.names[*n as usize].key_weight.max(1.0).sqrt();
        }
        cands.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(config.max_candidates.max(1));
        // Names listed exactly as queried (the same words, in any order) are always scored:
        // among a million names, many namesakes made of common words tie in the budgeted
        // search above, and the one with the traveller's birth date could be ranked out.
        if let Some(same) = self.exact.get(&exact_key(&qtokens)) {
            for &n in same.iter().take(MAX_EXACT) {
                if wanted(n) && !cands.iter().any(|(c, _)| *c == n) {
                    cands.push((n, 0.0));
                }
            }
        }

        // Scoring: best name per entry.
        let qnat = query
            .nationality
            .as_deref()
            .and_then(crate::countries::alpha3);
        let qunits = units(&qtokens);
        let mut best: HashMap<u32, Hit> = HashMap::new();
        for (n, _) in cands {
            let name = &self.names[n as usize];
            let entry = &self.entries[name.entry as usize];
            let listed = &entry.names[usize::from(name.name)];
            let (mut name_score, tokens) = score_names(
                &qtokens,
                &qunits,
                &qweights,
                &name.tokens,
                &name.weights,
                config,
            );
            if listed.kind.is_low_quality() {
                name_score *= config.low_quality_alias_factor;
            }
            let birth = date_agreement(query.birth_date, &entry.birth_dates, config);
            let nationality = match (&qnat, entry.nationalities.is_empty()) {
                (None, _) | (_, true) => NationalityAgreement::Unknown,
                (Some(q), false) if entry.nationalities.iter().any(|n| n == q) => {
                    NationalityAgreement::Match
                }
                _ => NationalityAgreement::Mismatch,
            };
            let mut total = name_score;
            total += match birth {
                DateAgreement::Exact => config.dob_exact_bonus,
                DateAgreement::Year => config.dob_year_bonus,
                DateAgreement::Mismatch { .. } => -config.dob_mismatch_penalty,
                DateAgreement::WithinTolerance { .. } | DateAgreement::Unknown => 0.0,
            };
            total += match nationality {
                NationalityAgreement::Match => config.nationality_match_bonus,
                NationalityAgreement::Mismatch => -config.nationality_mismatch_penalty,
                NationalityAgreement::Unknown => 0.0,
            };
            let score = Score::from_f64(total);
            let name_score = Score::from_f64(name_score);
            if score < Score::from_f64(config.hit_threshold)
                || name_score < Score::from_f64(config.min_name_score)
            {
                continue;
            }
            let hit = Hit {
                entry: name.entry,
                entry_id: entry.id.clone(),
                reference: entry.reference.clone(),
                primary_name: entry.primary_name().to_string(),
                matched_name: listed.text.clone(),
                matched_name_kind: listed.kind.clone(),
                score,
                name_score,
                tokens,
                birth_date: birth,
                nationality,
            };
            match best.get(&name.entry) {
                Some(h) if (h.score, h.name_score) >= (hit.score, hit.name_score) => {}
                _ => {
                    best.insert(name.entry, hit);
                }
            }
        }
        let mut hits: Vec<Hit> = best.into_values().collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(config.max_hits);
        hits
    }
}

/// Similarity of two tokens and the rule that gave it.
fn token_sim(a: &Tok, b: &Tok) -> (f64, MatchRule) {
    if a.text == b.text {
        return (1.0, MatchRule::Exact);
    }
    let mut best = (
        strsim::jaro_winkler(&a.text, &b.text),
        MatchRule::JaroWinkler,
    );
    let mut consider = |v: f64, r: MatchRule| {
        if v > best.0 {
            best = (v, r);
        }
    };
    if !a.surname_forms.is_empty() && a.surname_forms.iter().any(|f| b.surname_forms.contains(f)) {
        consider(0.97, MatchRule::KoreanSurname);
    }
    if !a.syllable_forms.is_empty()
        && a.syllable_forms
            .iter()
            .any(|f| b.syllable_forms.contains(f))
    {
        consider(0.95, MatchRule::KoreanSyllable);
    }
    if a.korean.len() >= 2 && a.korean == b.korean {
        consider(0.93, MatchRule::KoreanRomanisation);
    }
    if a.skeleton == b.skeleton
        && (a.skeleton.len() >= 3
            || (a.skeleton.len() == 2 && a.text.len() >= 4 && b.text.len() >= 4))
    {
        consider(0.92, MatchRule::Phonetic);
    }
    best
}

/// A unit: one token, or two adjacent tokens written together.
struct Unit<'a> {
    first: usize,
    len: usize,
    tok: Cow<'a, Tok>,
}

fn units(tokens: &[Tok]) -> Vec<Unit<'_>> {
    let mut out: Vec<Unit<'_>> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| Unit {
            first: i,
            len: 1,
            tok: Cow::Borrowed(t),
        })
        .collect();
    for i in 1..tokens.len() {
        out.push(Unit {
            first: i - 1,
            len: 2,
            tok: Cow::Owned(Tok::new(format!(
                "{}{}",
                tokens[i - 1].text,
                tokens[i].text
            ))),
        });
    }
    out
}

/// Greedy best-first pairing of query and listed tokens; returns the name score and the pairs.
fn score_names(
    q: &[Tok],
    qu: &[Unit<'_>],
    qw: &[f64],
    c: &[Tok],
    cw: &[f64],
    config: &ScreeningConfig,
) -> (f64, Vec<TokenMatch>) {
    let cu = units(c);
    let mut pairs: Vec<(f64, MatchRule, usize, usize)> = Vec::with_capacity(qu.len() * cu.len());
    for (i, a) in qu.iter().enumerate() {
        for (j, b) in cu.iter().enumerate() {
            // A joined pair only counts against a single token.
            if a.len + b.len > 3 {
                continue;
            }
            let (s, r) = token_sim(&a.tok, &b.tok);
            if s >= 0.7 {
                pairs.push((s, r, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then((qu[x.2].len + cu[x.3].len).cmp(&(qu[y.2].len + cu[y.3].len)))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let mut qsim = vec![0.0f64; q.len()];
    let mut csim = vec![0.0f64; c.len()];
    let mut qused = vec![false; q.len()];
    let mut cused = vec![false; c.len()];
    let mut matches = Vec::new();
    for (s, r, i, j) in pairs {
        let (a, b) = (&qu[i], &cu[j]);
        let qr = a.first..a.first + a.len;
        let cr = b.first..b.first + b.len;
        if qr.clone().any(|k| qused[k]) || cr.clone().any(|k| cused[k]) {
            continue;
        }
        for k in qr {
            qused[k] = true;
            qsim[k] = s;
        }
        for k in cr {
            cused[k] = true;
            csim[k] = s;
        }
        matches.push((
            a.first,
            TokenMatch {
                query: a.tok.text.clone(),
                listed: b.tok.text.clone(),
                score: Score::from_f64(s),
                rule: r,
            },
        ));
    }
    for (k, t) in q.iter().enumerate() {
        if !qused[k] {
            matches.push((
                k,
                TokenMatch {
                    query: t.text.clone(),
                    listed: String::new(),
                    score: Score(0),
                    rule: MatchRule::Unmatched,
                },
            ));
        }
    }
    matches.sort_by_key(|m| m.0);
    let cover = |sims: &[f64], w: &[f64]| {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        sims.iter().zip(w).map(|(s, w)| s * w).sum::<f64>() / total
    };
    let qc = cover(&qsim, qw);
    let cc = cover(&csim, cw);
    let (hi, lo) = if qc >= cc { (qc, cc) } else { (cc, qc) };
    let a = config.coverage_weight.clamp(0.0, 1.0);
    let mut score = a * hi + (1.0 - a) * lo;
    // One matching token between two names of several tokens is not a name match.
    let strong = qsim.iter().filter(|s| **s >= 0.85).count();
    if strong < 2 && q.len() > 1 && c.len() > 1 {
        score = score.min(config.single_token_cap);
    }
    (score, matches.into_iter().map(|m| m.1).collect())
}

/// How a birth date agrees with the listed dates.
fn date_agreement(
    q: Option<CalendarDate>,
    listed: &[BirthDate],
    config: &ScreeningConfig,
) -> DateAgreement {
    let Some(q) = q else {
        return DateAgreement::Unknown;
    };
    if listed.is_empty() {
        return DateAgreement::Unknown;
    }
    let mut best = DateAgreement::Unknown;
    let mut nearest = u16::MAX;
    let rank = |d: &DateAgreement| match d {
        DateAgreement::Exact => 4,
        DateAgreement::Year => 3,
        DateAgreement::WithinTolerance { .. } => 2,
        DateAgreement::Mismatch { .. } => 1,
        DateAgreement::Unknown => 0,
    };
    for d in listed {
        let (from, to) = d.years();
        let apart = if q.year < from {
            from - q.year
        } else {
            q.year.saturating_sub(to)
        };
        let outcome = match *d {
            BirthDate::Exact { year, month, day }
                if (year, month, day) == (q.year, q.month, q.day) =>
            {
                DateAgreement::Exact
            }
            BirthDate::Exact { .. } if apart == 0 => DateAgreement::WithinTolerance { years: 0 },
            BirthDate::Year { .. } | BirthDate::Between { .. } if apart == 0 => DateAgreement::Year,
            _ if apart <= config.dob_tolerance_years => {
                DateAgreement::WithinTolerance { years: apart }
            }
            _ => DateAgreement::Mismatch { years: apart },
        };
        nearest = nearest.min(apart);
        if rank(&outcome) > rank(&best) {
            best = outcome;
        }
    }
    match best {
        DateAgreement::Mismatch { .. } => DateAgreement::Mismatch { years: nearest },
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::watchlist::{ListSource, ListedName};

    fn person(id: &str, names: &[&str], dob: Option<BirthDate>, nat: &[&str]) -> WatchlistEntry {
        WatchlistEntry {
            id: id.into(),
            reference: String::new(),
            source: ListSource::National("TEST".into()),
            kind: EntryKind::Individual,
            names: names
                .iter()
                .enumerate()
                .map(|(i, n)| ListedName {
                    text: n.to_string(),
                    kind: if i == 0 {
                        NameKind::Primary
                    } else {
                        NameKind::Alias {
                            quality: "Good".into(),
                        }
                    },
                })
                .collect(),
            birth_dates: dob.into_iter().collect(),
            nationalities: nat.iter().map(|s| s.to_string()).collect(),
            documents: Vec::new(),
            listed_on: String::new(),
        }
    }

    fn screener() -> Screener {
        Screener::new(vec![
            person(
                "1",
                &["KIM Chol Su"],
                Some(BirthDate::Exact {
                    year: 1970,
                    month: 5,
                    day: 1,
                }),
                &["PRK"],
            ),
            person(
                "2",
                &["RHEE Young-ho"],
                Some(BirthDate::Year {
                    year: 1965,
                    approximate: false,
                }),
                &[],
            ),
            person("3", &["PARK Ji-hoon"], None, &["KOR"]),
            person("4", &["Mohammed Abdullah Al-Harbi"], None, &[]),
            person("5", &["John Smith"], None, &[]),
            person("6", &["홍길동"], None, &[]),
        ])
    }

    fn q(name: &str, dob: Option<(u16, u8, u8)>, nat: Option<&str>) -> ScreeningQuery {
        ScreeningQuery {
            name: name.into(),
            birth_date: dob.and_then(|(y, m, d)| CalendarDate::new(y, m, d)),
            nationality: nat.map(str::to_string),
        }
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.entry_id.as_str()).collect()
    }

    #[test]
    fn korean_variants_find_each_other() {
        let s = screener();
        let c = ScreeningConfig::default();
        let hits = s.screen(&q("GIM CHEOLSU", Some((1970, 5, 1)), Some("PRK")), &c);
        assert_eq!(ids(&hits), ["1"], "{hits:#?}");
        assert_eq!(hits[0].birth_date, DateAgreement::Exact);
        assert_eq!(hits[0].nationality, NationalityAgreement::Match);
        assert_eq!(hits[0].tokens[0].rule, MatchRule::KoreanSurname);

        let hits = s.screen(&q("YI YEONGHO", Some((1965, 2, 3)), None), &c);
        assert_eq!(ids(&hits), ["2"], "{hits:#?}");
        assert_eq!(hits[0].birth_date, DateAgreement::Year);

        let hits = s.screen(&q("Bak Jihun", None, None), &c);
        assert_eq!(ids(&hits), ["3"], "{hits:#?}");

        // Hangul on the list, Latin on the passport; and the other way round.
        let hits = s.screen(&q("HONG GIL DONG", None, None), &c);
        assert_eq!(ids(&hits), ["6"], "{hits:#?}");
        let hits = s.screen(&q("김철수", Some((1970, 5, 1)), None), &c);
        assert_eq!(ids(&hits), ["1"], "{hits:#?}");
    }

    #[test]
    fn transliterations_and_order() {
        let s = screener();
        let c = ScreeningConfig::default();
        let hits = s.screen(&q("AL HARBI, Muhammad Abdallah", None, None), &c);
        assert_eq!(ids(&hits), ["4"], "{hits:#?}");
        assert!(s.screen(&q("Jane Doe", None, None), &c).is_empty());
        assert!(s.screen(&q("Kim Min-jung", None, None), &c).is_empty());
    }

    #[test]
    fn birth_date_outside_tolerance_lowers_the_score() {
        let s = screener();
        let c = ScreeningConfig::default();
        let near = s.screen(&q("KIM CHOL SU", Some((1971, 1, 1)), None), &c);
        let far = s.screen(&q("KIM CHOL SU", Some((1990, 1, 1)), None), &c);
        assert_eq!(
            near[0].birth_date,
            DateAgreement::WithinTolerance { years: 1 }
        );
        assert!(far.is_empty() || far[0].score < near[0].score);
    }

    #[test]
    fn a_tiny_postings_budget_still_finds_listed_names() {
        // Only the rarest key is scanned; every other key just adds its weight. A name queried
        // as listed has every key of the query, the rarest included, so it is always found.
        // (A new spelling may not be: its rarest key can belong to someone else.)
        let s = screener();
        let c = ScreeningConfig {
            max_postings_scanned: 1,
            ..ScreeningConfig::default()
        };
        let hits = s.screen(&q("KIM Chol Su", Some((1970, 5, 1)), Some("PRK")), &c);
        assert_eq!(ids(&hits), ["1"], "{hits:#?}");
        let hits = s.screen(&q("Mohammed Abdullah Al-Harbi", None, None), &c);
        assert_eq!(ids(&hits), ["4"], "{hits:#?}");
        assert!(s.screen(&q("Jane Doe", None, None), &c).is_empty());
    }

    #[test]
    fn a_name_listed_exactly_is_scored_however_many_namesakes_tie() {
        // 600 namesakes made of the same words, differing only in birth date: the budgeted
        // search keeps the lowest ids among equals, so the last one is found only because
        // names listed exactly as queried are always scored.
        let mut entries: Vec<WatchlistEntry> = (0..600)
            .map(|i| {
                person(
                    &format!("N{i}"),
                    &["AMINA BIN KHADIJA MAHMUD QURESHI"],
                    Some(BirthDate::Exact {
                        year: 1950 + (i % 40) as u16,
                        month: 1,
                        day: 1 + (i % 28) as u8,
                    }),
                    &[],
                )
            })
            .collect();
        entries.push(person(
            "TARGET",
            &["Qureshi, Amina bin Khadija Mahmud"],
            Some(BirthDate::Exact {
                year: 1991,
                month: 7,
                day: 30,
            }),
            &[],
        ));
        let s = Screener::new(entries);
        let c = ScreeningConfig {
            max_postings_scanned: 1,
            max_pending_candidates: 8,
            max_candidates: 4,
            ..ScreeningConfig::default()
        };
        let hits = s.screen(
            &q(
                "AMINA BIN KHADIJA MAHMUD QURESHI",
                Some((1991, 7, 30)),
                None,
            ),
            &c,
        );
        assert_eq!(
            hits.first().map(|h| h.entry_id.as_str()),
            Some("TARGET"),
            "{hits:#?}"
        );
        assert_eq!(hits[0].birth_date, DateAgreement::Exact);
    }

    #[test]
    fn gallop_finds_the_first_element_not_less() {
        let list: Vec<u32> = (0..1000).map(|i| i * 3).collect();
        for x in 0..3010 {
            assert_eq!(gallop(&list, x), list.partition_point(|v| *v < x), "{x}");
        }
        assert_eq!(gallop(&[], 5), 0);
        assert_eq!(gallop(&[7], 7), 0);
        assert_eq!(gallop(&[7], 8), 1);
    }

    #[test]
    fn config_from_toml() {
        let c: ScreeningConfig = toml::from_str("hit_threshold = 0.9\nmax_hits = 3\n").unwrap();
        assert_eq!(c.hit_threshold, 0.9);
        assert_eq!(c.max_hits, 3);
        assert_eq!(c.min_name_score, ScreeningConfig::default().min_name_score);
        assert!(toml::from_str::<ScreeningConfig>("threshold = 1").is_err());
    }
}
