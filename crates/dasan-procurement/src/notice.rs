//! Tender notices as data, and the pure rules about them (pure: no database, no clock).
//!
//! A notice says what is bought (lots of classified items), how (method, eligibility,
//! evaluation method and weights, bid security, reserve price rule) and when (clarification
//! deadline, bid deadline, opening time — all on the hour). [`TenderNotice::validate`] checks it
//! as a whole; [`hour_of`], [`is_on_the_hour`] and [`AmendmentRule::extended_deadline`] are the
//! time rules the store applies with its clock.

use dasan_kernel::{FieldError, Money, Timestamp};
use serde::{Deserialize, Serialize};

/// One hour in microseconds.
pub const HOUR_US: i64 = 3_600_000_000;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 300;
/// Longest free text (descriptions, criteria, questions, answers), in characters.
pub const MAX_TEXT: usize = 20_000;

/// How suppliers may take part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Any registered, eligible supplier.
    Open,
    /// Only the suppliers the notice invites (after prequalification).
    Restricted,
    /// Limited / negotiated: only the suppliers the notice invites.
    Limited,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Open => "open",
            Method::Restricted => "restricted",
            Method::Limited => "limited",
        }
    }
}

/// One item to supply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub description: String,
    /// `cpv:45233120` or `unspsc:43211500` (see [`classification`]).
    pub classification: String,
    /// How many, in `unit`s.
    pub quantity: u64,
    /// UN/CEFACT Recommendation 20 unit code (`EA`, `KGM`, `MTR`, `HUR`, …).
    pub unit: String,
}

/// A lot: bid on separately.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// Short id used in bids (`1`, `2`, `A`).
    pub id: String,
    pub title: String,
    pub items: Vec<Item>,
}

/// Who may bid, beyond being a registered supplier who is not debarred.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// The supplier must be registered in at least one of these categories (code prefixes,
    /// `cpv:45` matches `cpv:45233120`); empty: any.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Licence kinds the supplier must hold, valid at the deadline.
    #[serde(default)]
    pub licences: Vec<String>,
    /// Other criteria, checked by the evaluators (next issue).
    #[serde(default)]
    pub criteria: Vec<String>,
}

pub use crate::evaluation::{
    AbnormallyLowRule, AdequacyRule, BestValueRule, Criterion, Evaluation, EvaluationMethod,
    FloorBand, LowBidAction, LowBidReference, PriceFormula, ReviewCriterion, TieBreak,
};

/// The security a bid must come with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidSecurity {
    /// Basis points of the bid price.
    pub rate_bp: u32,
    /// Accepted forms (`guarantee`, `deposit`, `insurance`).
    pub forms: Vec<String>,
}

/// A tender document, by hash (the bytes live in the attachment store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderDocument {
    pub name: String,
    pub media_type: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
}

/// The dates of a tender. All three on the hour; clarification < bid deadline ≤ opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub clarification_deadline: Timestamp,
    /// Bids received strictly before this instant are accepted; at it, refused.
    pub bid_deadline: Timestamp,
    pub opening_at: Timestamp,
}

/// The rule, written into the tender, for moving the deadline after a material amendment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentRule {
    /// After a material amendment, suppliers get at least this many hours before the deadline.
    pub material_extension_hours: u32,
}

impl AmendmentRule {
    /// The deadline after a material amendment made at `now`: the later of `requested` and
    /// `now + material_extension_hours`, rounded up to the hour.
    pub fn extended_deadline(self, now: Timestamp, requested: Timestamp) -> Timestamp {
        let floor = now
            .as_micros()
            .saturating_add(i64::from(self.material_extension_hours).saturating_mul(HOUR_US));
        ceil_hour(Timestamp::from_micros(floor.max(requested.as_micros())))
    }
}

/// The multiple reserve price rule (복수예비가격).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveRule {
    /// Base amount in minor units of the estimated value's currency.
    pub base_amount: u64,
    /// Band half-width in basis points (e.g. 200 = ±2 %).
    pub band_bp: u32,
}

/// What a procuring entity publishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderNotice {
    pub title: String,
    pub description: String,
    pub method: Method,
    /// For restricted and limited tenders: the invited suppliers (business registry ids).
    #[serde(default)]
    pub invited: Vec<String>,
    pub lots: Vec<Lot>,
    pub estimated_value: Option<Money>,
    /// Whether the estimated value is shown before opening.
    pub estimated_value_public: bool,
    pub eligibility: Eligibility,
    pub evaluation: Evaluation,
    pub bid_security: Option<BidSecurity>,
    #[serde(default)]
    pub documents: Vec<TenderDocument>,
    pub timeline: Timeline,
    pub amendment_rule: AmendmentRule,
    pub reserve_price: Option<ReserveRule>,
}

/// Checks a classification code: `cpv:` + 8 digits (optionally `-` and the check digit), or
/// `unspsc:` + 8 digits; returns it in canonical form (lower-case scheme, no check digit).
pub fn classification(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let (scheme, code) = t.split_once(':')?;
    let code = match scheme {
        "cpv" => code.split_once('-').map_or(code, |(c, check)| {
            if check.len() == 1 && check.bytes().all(|b| b.is_ascii_digit()) {
                c
            } else {
                ""
            }
        }),
        "unspsc" => code,
        _ => return None,
    };
    (code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{scheme}:{code}"))
}

/// Checks a category prefix for search and alerts: `cpv:` or `unspsc:` and 2 to 8 digits.
pub fn category_prefix(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let (scheme, code) = t.split_once(':')?;
    let ok = matches!(scheme, "cpv" | "unspsc")
        && (2..=8).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(t)
}

/// Whether `code` (canonical) falls under `prefix` (canonical).
pub fn in_category(code: &str, prefix: &str) -> bool {
    code.starts_with(prefix)
}

/// The category index of a list of codes: ` a b c ` (sorted, unique), for `LIKE '% prefix%'`.
pub fn category_index<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = codes.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    format!(" {} ", v.join(" "))
}

/// Whether an instant is exactly on the hour (UTC; Korea's offset is whole hours).
pub fn is_on_the_hour(t: Timestamp) -> bool {
    t.as_micros().rem_euclid(HOUR_US) == 0
}

/// The hour number of an instant (hours since the epoch).
pub fn hour_of(t: Timestamp) -> i64 {
    t.as_micros().div_euclid(HOUR_US)
}

/// The first instant on the hour at or after `t`.
pub fn ceil_hour(t: Timestamp) -> Timestamp {
    let h = t.as_micros().div_euclid(HOUR_US);
    let on = t.as_micros().rem_euclid(HOUR_US) == 0;
    Timestamp::from_micros((if on { h } else { h.saturating_add(1) }).saturating_mul(HOUR_US))
}

fn text_ok(s: &str, max: usize) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().count() <= max && !t.chars().any(|c| c.is_control() && c != '\n')
}

/// The canonical form of a free-text field, or `None` when empty, too long or with control
/// characters.
pub fn clean_text(s: &str, max: usize) -> Option<String> {
    text_ok(s, max).then(|| s.trim().to_owned())
}

impl TenderNotice {
    /// Every classification code of every item, canonical.
    pub fn categories(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .lots
            .iter()
            .flat_map(|l| &l.items)
            .filter_map(|i| classification(&i.classification))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The lot ids.
    pub fn lot_ids(&self) -> Vec<&str> {
        self.lots.iter().map(|l| l.id.as_str()).collect()
    }

    /// The notice as the public sees it before opening (the estimated value withheld unless
    /// public).
    pub fn public_view(&self) -> TenderNotice {
        let mut n = self.clone();
        if !n.estimated_value_public {
            n.estimated_value = None;
        }
        n
    }

    /// Checks the notice and puts codes and texts in canonical form. Times are checked for
    /// order and for being on the hour; "in the future" is the store's check (it has the clock).
    pub fn validate(&mut self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let mut bad = |field: String, msg: &'static str| e.push(FieldError::new(field, msg));
        match clean_text(&self.title, MAX_TITLE) {
            Some(t) => self.title = t,
            None => bad("title".into(), "procurement-error-title"),
        }
        match clean_text(&self.description, MAX_TEXT) {
            Some(t) => self.description = t,
            None => bad("description".into(), "procurement-error-text"),
        }
        match self.method {
            Method::Open => {
                if !self.invited.is_empty() {
                    bad("invited".into(), "procurement-error-open-invites");
                }
            }
            Method::Restricted | Method::Limited => {
                if self.invited.is_empty() {
                    bad("invited".into(), "procurement-error-invited-required");
                }
                for (i, b) in self.invited.iter().enumerate() {
                    if b.parse::<dasan_registry::BusinessId>().is_err() {
                        bad(format!("invited[{i}]"), "procurement-error-business-id");
                    }
                }
            }
        }
        if self.lots.is_empty() || self.lots.len() > crate::payload::MAX_LOTS {
            bad("lots".into(), "procurement-error-lots");
        }
        let mut ids = std::collections::BTreeSet::new();
        for (li, lot) in self.lots.iter_mut().enumerate() {
            let id_ok = !lot.id.is_empty()
                && lot.id.len() <= 32
                && lot
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !id_ok || !ids.insert(lot.id.clone()) {
                bad(format!("lots[{li}].id"), "procurement-error-lot-id");
            }
            match clean_text(&lot.title, MAX_TITLE) {
                Some(t) => lot.title = t,
                None => bad(format!("lots[{li}].title"), "procurement-error-title"),
            }
            if lot.items.is_empty() {
                bad(format!("lots[{li}].items"), "procurement-error-items");
            }
            for (ii, item) in lot.items.iter_mut().enumerate() {
                let f = |x: &str| format!("lots[{li}].items[{ii}].{x}");
                match classification(&item.classification) {
                    Some(c) => item.classification = c,
                    None => bad(f("classification"), "procurement-error-classification"),
                }
                if item.quantity == 0 {
                    bad(f("quantity"), "procurement-error-quantity");
                }
                let unit_ok = (1..=3).contains(&item.unit.len())
                    && item.unit.bytes().all(|b| b.is_ascii_alphanumeric());
                if !unit_ok {
                    bad(f("unit"), "procurement-error-unit");
                }
                match clean_text(&item.description, MAX_TITLE) {
                    Some(t) => item.description = t,
                    None => bad(f("description"), "procurement-error-text"),
                }
            }
        }
        if let Some(v) = self.estimated_value
            && v.minor <= 0
        {
            bad("estimated_value".into(), "procurement-error-amount");
        }
        for (i, c) in self.eligibility.categories.iter_mut().enumerate() {
            match category_prefix(c) {
                Some(p) => *c = p,
                None => bad(
                    format!("eligibility.categories[{i}]"),
                    "procurement-error-classification",
                ),
            }
        }
        for (i, l) in self.eligibility.licences.iter().enumerate() {
            if !text_ok(l, 100) {
                bad(
                    format!("eligibility.licences[{i}]"),
                    "procurement-error-text",
                );
            }
        }
        for err in self.evaluation.validate(
            self.lots.len(),
            self.estimated_value.is_some(),
            self.reserve_price.is_some(),
        ) {
            bad(err.field, err.message);
        }
        if let Some(s) = &self.bid_security
            && (s.rate_bp == 0 || s.rate_bp > 10_000 || s.forms.is_empty())
        {
            bad("bid_security".into(), "procurement-error-bid-security");
        }
        for (i, d) in self.documents.iter().enumerate() {
            let hash_ok = d.sha256.len() == 64
                && d.sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hash_ok || !text_ok(&d.name, 255) || !text_ok(&d.media_type, 100) {
                bad(format!("documents[{i}]"), "procurement-error-document");
            }
            if d.size == 0 || d.size > crate::documents::MAX_DOCUMENT_BYTES {
                bad(
                    format!("documents[{i}].size"),
                    "procurement-error-document-too-large",
                );
            }
            if self.documents[..i].iter().any(|e| e.sha256 == d.sha256) {
                bad(
                    format!("documents[{i}].sha256"),
                    "procurement-error-document-twice",
                );
            }
        }
        let total = self
            .documents
            .iter()
            .map(|d| d.size)
            .fold(0u64, u64::saturating_add);
        if self.documents.len() > crate::documents::MAX_DOCUMENTS
            || total > crate::documents::MAX_DOCUMENTS_TOTAL_BYTES
        {
            bad("documents".into(), "procurement-error-documents-too-many");
        }
        let t = self.timeline;
        for (field, at) in [
            ("timeline.clarification_deadline", t.clarification_deadline),
            ("timeline.bid_deadline", t.bid_deadline),
            ("timeline.opening_at", t.opening_at),
        ] {
            if !is_on_the_hour(at) {
                bad(field.into(), "procurement-error-not-on-the-hour");
            }
        }
        if t.clarification_deadline >= t.bid_deadline {
            bad(
                "timeline.clarification_deadline".into(),
                "procurement-error-timeline-order",
            );
        }
        if t.opening_at < t.bid_deadline {
            bad(
                "timeline.opening_at".into(),
                "procurement-error-timeline-order",
            );
        }
        if let Some(r) = self.reserve_price
            && (r.base_amount == 0 || r.band_bp == 0 || r.band_bp > crate::reserve::MAX_BAND_BP)
        {
            bad("reserve_price".into(), "procurement-error-reserve-rule");
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_codes_are_canonical() {
        assert_eq!(
            classification("CPV:45233120-6").as_deref(),
            Some("cpv:45233120")
        );
        assert_eq!(
            classification("unspsc:43211500").as_deref(),
            Some("unspsc:43211500")
        );
        assert_eq!(classification("cpv:4523312"), None);
        assert_eq!(classification("isic:4520"), None);
        assert_eq!(category_prefix("cpv:45").as_deref(), Some("cpv:45"));
        assert_eq!(category_prefix("cpv:4%"), None);
        assert!(in_category("cpv:45233120", "cpv:45"));
        assert!(!in_category("cpv:45233120", "unspsc:45"));
    }

    #[test]
    fn hours() {
        let h = Timestamp::from_micros(HOUR_US * 500_000);
        assert!(is_on_the_hour(h));
        assert!(!is_on_the_hour(Timestamp::from_micros(h.as_micros() + 1)));
        assert_eq!(ceil_hour(h), h);
        assert_eq!(
            ceil_hour(Timestamp::from_micros(h.as_micros() + 1)).as_micros(),
            h.as_micros() + HOUR_US
        );
        let rule = AmendmentRule {
            material_extension_hours: 72,
        };
        // Amended 10 minutes past: at least 72 h later, rounded up.
        let now = Timestamp::from_micros(h.as_micros() + 600_000_000);
        assert_eq!(
            rule.extended_deadline(now, h).as_micros(),
            h.as_micros() + 73 * HOUR_US
        );
        let later = Timestamp::from_micros(h.as_micros() + 100 * HOUR_US);
        assert_eq!(rule.extended_deadline(now, later), later);
    }
}
