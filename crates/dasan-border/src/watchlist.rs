//! Watchlist entries, as every importer produces them.

use serde::{Deserialize, Serialize};

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum ListSource {
    /// The UN Security Council consolidated list.
    Un,
    /// A national list, by its name (e.g. `KOR-MOJ`).
    National(String),
}

/// A person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A natural person.
    Individual,
    /// An organisation, group or undertaking.
    Entity,
}

/// How a name belongs to its entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The listed name (first, second, third and fourth names together).
    Primary,
    /// An alias, with the list's quality mark (`Good`, `Low`, `a.k.a.`, `f.k.a.`, …).
    Alias {
        /// Quality as published, empty when none.
        quality: String,
    },
    /// The name in its original script (Arabic, Cyrillic, Hangul, …).
    OriginalScript,
}

impl NameKind {
    /// A low-quality alias (the UN list's `Low`: a weak identifier such as a nickname).
    pub fn is_low_quality(&self) -> bool {
        matches!(self, NameKind::Alias { quality } if quality.eq_ignore_ascii_case("low"))
    }
}

/// One name of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedName {
    /// As published.
    pub text: String,
    /// Primary, alias, original script.
    pub kind: NameKind,
}

/// A date of birth as lists give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BirthDate {
    /// A full date.
    Exact {
        /// Year.
        year: u16,
        /// Month 1-12.
        month: u8,
        /// Day 1-31.
        day: u8,
    },
    /// Only the year is known (`approximate` when the list says "approximately").
    Year {
        /// Year.
        year: u16,
        /// Published as approximate.
        approximate: bool,
    },
    /// Some year between two years, inclusive.
    Between {
        /// First year.
        from: u16,
        /// Last year.
        to: u16,
    },
}

impl BirthDate {
    /// The range of years this date allows.
    pub fn years(&self) -> (u16, u16) {
        match *self {
            BirthDate::Exact { year, .. } | BirthDate::Year { year, .. } => (year, year),
            BirthDate::Between { from, to } => (from.min(to), from.max(to)),
        }
    }
}

/// An identity or travel document an entry is known to hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedDocument {
    /// Type as published (`Passport`, `National Identification Number`, …).
    pub kind: String,
    /// Number as published.
    pub number: String,
    /// Issuing country as published, empty when not given.
    pub issuing_country: String,
    /// Free-text note.
    pub note: String,
}

/// One listed person or organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchlistEntry {
    /// The list's own identifier (the UN `DATAID`, a national list's `id` column).
    pub id: String,
    /// The published reference (`CDi.001`), empty when none.
    pub reference: String,
    /// Which list.
    pub source: ListSource,
    /// Person or organisation.
    pub kind: EntryKind,
    /// Every name: the primary name first.
    pub names: Vec<ListedName>,
    /// Dates of birth (several when the list is unsure).
    pub birth_dates: Vec<BirthDate>,
    /// Nationalities, as ISO 3166-1 alpha-3 codes where the published name is known
    /// (see [`crate::countries`]), otherwise as published.
    pub nationalities: Vec<String>,
    /// Documents.
    pub documents: Vec<ListedDocument>,
    /// Date listed (`YYYY-MM-DD`), empty when not given.
    pub listed_on: String,
}

impl WatchlistEntry {
    /// The primary name, or the first name when there is no primary.
    pub fn primary_name(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map_or("", |n| n.text.as_str())
    }
}
