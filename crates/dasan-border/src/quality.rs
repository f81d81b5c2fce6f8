//! Measured screening quality: a labelled set built from a watchlist's own aliases.
//!
//! - **Positives**: every alias of every listed individual with a date of birth, queried with
//!   that birth date (a year-only or range date is queried as 1 January of its first year). The
//!   expected answer is the individual. Two ways of asking:
//!   - *as listed*: the alias itself is in the index (what a gate sees: a traveller using a
//!     listed alias) — this checks normalisation and candidate generation end to end;
//!   - *leave-one-out*: the alias is removed from the index, so it must find its individual
//!     through the individual's **other** names (what a new spelling looks like) — the honest
//!     measure of fuzzy matching.
//! - **Negatives**: synthetic travellers (common given names and surnames of many countries,
//!   deterministic pseudo-random birth dates), which should hit nothing; and *namesakes*: each
//!   listed primary name with a birth date 15 years away from every listed date, which a good
//!   screener should not refer on the name alone.
//!
//! Precision counts every hit on the expected individual as a true positive and every other
//! hit (on any query) as a false positive.

use crate::screen::{NameRef, Screener, ScreeningConfig, ScreeningQuery};
use crate::types::CalendarDate;
use crate::watchlist::{BirthDate, EntryKind, NameKind};
use serde::Serialize;
use std::fmt;

/// What a labelled query is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    /// An alias of the expected entry.
    Alias {
        /// A `Low`-quality alias.
        low_quality: bool,
    },
    /// A synthetic traveller: nothing to find.
    Synthetic,
    /// A listed name with a far birth date: nothing to find.
    Namesake,
}

/// One labelled query.
#[derive(Debug, Clone)]
pub struct LabelledQuery {
    /// The query.
    pub query: ScreeningQuery,
    /// The entry it must find, if any.
    pub expected: Option<u32>,
    /// The listed name to leave out in leave-one-out mode.
    pub alias: Option<NameRef>,
    /// Kind.
    pub label: Label,
}

fn representative_date(d: &BirthDate) -> Option<CalendarDate> {
    match *d {
        BirthDate::Exact { year, month, day } => CalendarDate::new(year, month, day),
        BirthDate::Year { year, .. } => CalendarDate::new(year, 1, 1),
        BirthDate::Between { from, .. } => CalendarDate::new(from, 1, 1),
    }
}

/// One query per alias of each individual that has a birth date.
pub fn alias_queries(screener: &Screener) -> Vec<LabelledQuery> {
    let mut out = Vec::new();
    for (ei, e) in screener.entries().iter().enumerate() {
        if e.kind != EntryKind::Individual {
            continue;
        }
        let Some(dob) = e.birth_dates.iter().find_map(representative_date) else {
            continue;
        };
        for (ni, n) in e.names.iter().enumerate() {
            if !matches!(n.kind, NameKind::Alias { .. })
                || crate::normalize::tokens(&n.text).is_empty()
            {
                continue;
            }
            out.push(LabelledQuery {
                query: ScreeningQuery {
                    name: n.text.clone(),
                    birth_date: Some(dob),
                    nationality: None,
                },
                expected: Some(ei as u32),
                alias: Some((ei as u32, ni as u16)),
                label: Label::Alias {
                    low_quality: n.kind.is_low_quality(),
                },
            });
        }
    }
    out
}

/// Namesakes: each individual's primary name, born 15 years from every listed date.
pub fn namesake_queries(screener: &Screener) -> Vec<LabelledQuery> {
    let mut out = Vec::new();
    for e in screener.entries() {
        if e.kind != EntryKind::Individual {
            continue;
        }
        let Some((_, to)) = e.birth_dates.iter().map(BirthDate::years).max() else {
            continue;
        };
        let Some(date) = CalendarDate::new(to.saturating_add(15), 6, 15) else {
            continue;
        };
        out.push(LabelledQuery {
            query: ScreeningQuery {
                name: e.primary_name().to_string(),
                birth_date: Some(date),
                nationality: None,
            },
            expected: None,
            alias: None,
            label: Label::Namesake,
        });
    }
    out
}

const GIVEN: &[&str] = &[
    "MINJUN",
    "SEOYEON",
    "JIHOON",
    "HYUNWOO",
    "JIWON",
    "SUBIN",
    "DONGHYUN",
    "YUNA",
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "MICHAEL",
    "JENNIFER",
    "DAVID",
    "ELIZABETH",
    "MARIA",
    "JOSE",
    "CARLOS",
    "LUCIA",
    "WEI",
    "FANG",
    "XIAOMING",
    "LI NA",
    "HIROSHI",
    "YUKI",
    "SAKURA",
    "KENJI",
    "OLGA",
    "DMITRY",
    "SERGEI",
    "ANNA",
    "PRIYA",
    "RAHUL",
    "ANIL",
    "SUNITA",
    "FATIMA",
    "OMAR",
    "LEILA",
    "YOUSSEF",
    "AMINA",
    "HASSAN",
    "THI HOA",
    "VAN NAM",
    "SITI",
    "BUDI",
    "PIERRE",
    "CLAIRE",
    "HANS",
    "GRETA",
    "LARS",
    "INGRID",
    "KWAME",
    "ADWOA",
    "TUNDE",
    "CHIOMA",
];

const SURNAMES: &[&str] = &[
    "KIM",
    "LEE",
    "PARK",
    "CHOI",
    "JUNG",
    "KANG",
    "CHO",
    "YOON",
    "JANG",
    "LIM",
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MARTINEZ",
    "RODRIGUEZ",
    "LOPEZ",
    "WANG",
    "ZHANG",
    "LIU",
    "CHEN",
    "YANG",
    "SATO",
    "SUZUKI",
    "TAKAHASHI",
    "TANAKA",
    "IVANOV",
    "SMIRNOV",
    "KUZNETSOVA",
    "SHARMA",
    "PATEL",
    "SINGH",
    "GUPTA",
    "HADDAD",
    "MANSOUR",
    "KHOURY",
    "NGUYEN",
    "TRAN",
    "SANTOSO",
    "WIJAYA",
    "DUBOIS",
    "MARTIN",
    "MUELLER",
    "SCHMIDT",
    "JOHANSSON",
    "LARSEN",
    "MENSAH",
    "OKAFOR",
    "ADEYEMI",
    "SILVA",
    "SANTOS",
    "KOWALSKI",
];

/// `n` synthetic travellers (deterministic for a seed).
pub fn synthetic_queries(n: usize, seed: u64) -> Vec<LabelledQuery> {
    let mut state = seed;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let g = GIVEN[(next() % GIVEN.len() as u64) as usize];
            let s = SURNAMES[(next() % SURNAMES.len() as u64) as usize];
            let days = 20 * 365 + (next() % (60 * 365)) as i64;
            let dob = CalendarDate::from_days_since_epoch(-days + 35 * 365);
            LabelledQuery {
                query: ScreeningQuery {
                    name: format!("{s} {g}"),
                    birth_date: dob,
                    nationality: None,
                },
                expected: None,
                alias: None,
                label: Label::Synthetic,
            }
        })
        .collect()
}

/// Counts of one evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Queries.
    pub queries: usize,
    /// Queries that expected an entry and found it.
    pub found: usize,
    /// Hits on the expected entry.
    pub true_positives: usize,
    /// Hits on any other entry.
    pub false_positives: usize,
    /// Queries with at least one wrong hit.
    pub queries_with_false_hits: usize,
}

impl Counts {
    /// Found / queries (for positive sets).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.queries)
    }

    /// True / all hits.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Queries with a wrong hit / queries (for negative sets: the referral rate).
    pub fn false_hit_rate(&self) -> f64 {
        ratio(self.queries_with_false_hits, self.queries)
    }

    fn add(&mut self, o: &Counts) {
        self.queries += o.queries;
        self.found += o.found;
        self.true_positives += o.true_positives;
        self.false_positives += o.false_positives;
        self.queries_with_false_hits += o.queries_with_false_hits;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Runs queries and counts.
pub fn evaluate(
    screener: &Screener,
    config: &ScreeningConfig,
    queries: &[LabelledQuery],
    leave_one_out: bool,
) -> Counts {
    let mut c = Counts::default();
    for q in queries {
        let exclude = if leave_one_out { q.alias } else { None };
        let hits = screener.screen_excluding(&q.query, config, exclude);
        c.queries += 1;
        let tp = hits.iter().filter(|h| Some(h.entry) == q.expected).count();
        let fp = hits.len() - tp;
        c.true_positives += tp;
        c.false_positives += fp;
        if tp > 0 {
            c.found += 1;
        }
        if fp > 0 {
            c.queries_with_false_hits += 1;
        }
    }
    c
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    /// Alias queries, aliases in the index.
    pub as_listed: Counts,
    /// Alias queries, each alias left out.
    pub leave_one_out: Counts,
    /// Leave-one-out, `Good`-quality aliases only.
    pub leave_one_out_good: Counts,
    /// Leave-one-out, `Low`-quality aliases only.
    pub leave_one_out_low: Counts,
    /// Synthetic travellers.
    pub synthetic: Counts,
    /// Namesakes with far birth dates.
    pub namesakes: Counts,
    /// Precision over as-listed alias queries and both negative sets.
    pub precision: f64,
    /// Precision over leave-one-out alias queries and both negative sets.
    pub precision_leave_one_out: f64,
}

/// Evaluates a screener on its own list: alias queries (as listed and leave-one-out),
/// `synthetic` synthetic travellers and the namesakes.
pub fn report(screener: &Screener, config: &ScreeningConfig, synthetic: usize) -> QualityReport {
    let aliases = alias_queries(screener);
    let (good, low): (Vec<_>, Vec<_>) = aliases
        .iter()
        .cloned()
        .partition(|q| q.label == Label::Alias { low_quality: false });
    let as_listed = evaluate(screener, config, &aliases, false);
    let loo_good = evaluate(screener, config, &good, true);
    let loo_low = evaluate(screener, config, &low, true);
    let mut loo = loo_good.clone();
    loo.add(&loo_low);
    let synthetic = evaluate(screener, config, &synthetic_queries(synthetic, 12), false);
    let namesakes = evaluate(screener, config, &namesake_queries(screener), false);
    let mut all = as_listed.clone();
    all.add(&synthetic);
    all.add(&namesakes);
    let mut all_loo = loo.clone();
    all_loo.add(&synthetic);
    all_loo.add(&namesakes);
    QualityReport {
        precision: all.precision(),
        precision_leave_one_out: all_loo.precision(),
        as_listed,
        leave_one_out: loo,
        leave_one_out_good: loo_good,
        leave_one_out_low: loo_low,
        synthetic,
        namesakes,
    }
}

impl fmt::Display for QualityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, what: &str, c: &Counts| {
            writeln!(
                f,
                "{what:<34} queries {:>5}  recall {:>6.2}%  TP {:>5}  FP {:>4}  queries with a wrong hit {:>4} ({:.2}%)",
                c.queries,
                100.0 * c.recall(),
                c.true_positives,
                c.false_positives,
                c.queries_with_false_hits,
                100.0 * c.false_hit_rate()
            )
        };
        line(f, "aliases, as listed", &self.as_listed)?;
        line(f, "aliases, leave-one-out", &self.leave_one_out)?;
        line(f, "  Good-quality aliases", &self.leave_one_out_good)?;
        line(f, "  Low-quality aliases", &self.leave_one_out_low)?;
        line(f, "synthetic travellers (negatives)", &self.synthetic)?;
        line(f, "namesakes, far birth date (neg.)", &self.namesakes)?;
        writeln!(
            f,
            "precision (as listed + negatives) {:.2}%; (leave-one-out + negatives) {:.2}%",
            100.0 * self.precision,
            100.0 * self.precision_leave_one_out
        )
    }
}
