//! Record compilation by the OCDS merging rules, on the typed model.
//!
//! The rules (OCDS 1.1 "Merging"): releases are taken in date order; an object's fields are
//! merged one by one; a field absent from a newer release keeps its older value; an array of
//! objects that have an `id` is merged by `id` (an entry with a known id is merged into it, a new
//! id is appended), any other array is replaced whole; `id`, `date` and `tag` of the releases are
//! omitted (the compiled release gets its own). Absent values are never written in our releases
//! (no `null`s), so "null removes a field" never arises.
//!
//! Merging the typed model (instead of generic JSON) keeps amounts exact and is fast.

use crate::model::*;

/// Merges a newer value into `self`.
pub trait Merge {
    fn merge_from(&mut self, newer: &Self);
}

/// An element of an array: either identified (merged by id) or not (the array is replaced).
pub trait Element: Merge + Clone {
    /// The merge id, or `None` when the array is replaced whole.
    fn merge_id(&self) -> Option<&str>;
}

macro_rules! leaf {
    ($($t:ty),* $(,)?) => {$(
        impl Merge for $t {
            fn merge_from(&mut self, newer: &Self) {
                self.clone_from(newer);
            }
        }
    )*};
}

leaf!(
    String,
    &'static str,
    u64,
    bool,
    DateTime,
    crate::amount::Amount,
    crate::codelist::ReleaseTag,
    crate::codelist::InitiationType,
    crate::codelist::PartyRole,
    crate::codelist::TenderStatus,
    crate::codelist::AwardStatus,
    crate::codelist::ContractStatus,
    crate::codelist::ProcurementMethod,
    crate::codelist::ProcurementCategory,
    crate::codelist::AwardCriteria,
    crate::codelist::MilestoneStatus,
    crate::codelist::MilestoneType,
    crate::codelist::DocumentType,
    crate::codelist::BidStatus,
);

impl<T: Merge + Clone> Merge for Option<T> {
    fn merge_from(&mut self, newer: &Self) {
        match (self.as_mut(), newer) {
            (_, None) => {}
            (Some(old), Some(new)) => old.merge_from(new),
            (None, Some(new)) => *self = Some(new.clone()),
        }
    }
}

impl<T: Element> Merge for Vec<T> {
    fn merge_from(&mut self, newer: &Self) {
        // An empty list is never written, so it means "no news".
        if newer.is_empty() {
            return;
        }
        if newer.iter().any(|e| e.merge_id().is_none()) {
            self.clone_from(newer);
            return;
        }
        for new in newer {
            let id = new.merge_id();
            match self.iter_mut().find(|old| old.merge_id() == id) {
                Some(old) => old.merge_from(new),
                None => self.push(new.clone()),
            }
        }
    }
}

macro_rules! unkeyed {
    ($($t:ty),* $(,)?) => {$(
        impl Element for $t {
            fn merge_id(&self) -> Option<&str> {
                None
            }
        }
    )*};
}

unkeyed!(
    String,
    crate::codelist::ReleaseTag,
    crate::codelist::PartyRole
);

macro_rules! object {
    ($t:ty { $($field:ident),* $(,)? }) => {
        impl Merge for $t {
            fn merge_from(&mut self, newer: &Self) {
                $(Merge::merge_from(&mut self.$field, &newer.$field);)*
            }
        }
    };
    ($t:ty [id] { $($field:ident),* $(,)? }) => {
        object!($t { $($field),* });
        impl Element for $t {
            fn merge_id(&self) -> Option<&str> {
                Some(&self.id)
            }
        }
    };
}

object!(Value { amount, currency });
object!(Period {
    start_date,
    end_date,
    duration_in_days
});
object!(Identifier {
    scheme,
    id,
    legal_name
});
object!(Address {
    street_address,
    locality,
    region,
    postal_code,
    country_name
});
object!(ContactPoint { name, email, url });
object!(Organization [id] { id, name, identifier, address, contact_point, roles });
object!(OrganizationReference [id] { id, name });
object!(Classification {
    scheme,
    id,
    description
});
object!(Unit {
    scheme,
    id,
    name,
    value
});
object!(Item [id] { id, description, classification, quantity, unit, related_lot });
object!(Document [id] {
    id, document_type, title, description, url, date_published, format, related_lots
});
object!(Milestone [id] {
    id, title, kind, description, due_date, date_met, date_modified, status
});
object!(Amendment [id] {
    id, date, rationale, description, amends_release_id, release_id, related_lots
});
object!(Budget {
    id,
    description,
    amount,
    project,
    project_id
});
object!(Planning {
    rationale,
    budget,
    documents,
    milestones
});
object!(Lot [id] { id, title, description, status, value });
object!(Tender {
    id,
    title,
    description,
    status,
    procuring_entity,
    items,
    value,
    procurement_method,
    procurement_method_details,
    main_procurement_category,
    award_criteria,
    award_criteria_details,
    submission_method,
    tender_period,
    enquiry_period,
    has_enquiries,
    eligibility_criteria,
    award_period,
    number_of_tenderers,
    tenderers,
    documents,
    milestones,
    amendments,
    lots,
});
object!(Statistic [id] { id, measure, date, value, related_lot });
object!(Bid [id] { id, date, status, tenderers, value, related_lots });
object!(Bids {
    statistics,
    details
});
object!(Award [id] {
    id, title, description, status, date, value, suppliers, items, contract_period, documents,
    related_lots, related_bids
});
object!(Transaction [id] { id, date, value, payer, payee });
object!(Implementation {
    transactions,
    milestones,
    documents
});
object!(Contract [id] {
    id, award_id, title, description, status, period, value, items, date_signed, documents,
    implementation, milestones, amendments, related_bids
});

/// A release as linked from a record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LinkedRelease {
    pub url: String,
    pub date: DateTime,
    pub tag: Vec<crate::codelist::ReleaseTag>,
}

/// An OCDS record: the releases of one process and their compiled release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub ocid: String,
    pub releases: RecordReleases,
    pub compiled_release: Release,
}

/// A record's `releases`: linked (URL, date, tag) or embedded whole.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum RecordReleases {
    Linked(Vec<LinkedRelease>),
    Embedded(Vec<Release>),
}

/// Why releases could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("a record needs at least one release")]
    NoReleases,
    #[error("releases of different processes ({0} and {1}) cannot be compiled together")]
    MixedOcids(String, String),
}

/// The compiled release of `releases` (any order; they are taken by date, ties in the given
/// order): `tag` `["compiled"]`, `date` the newest release's, `id` `{ocid}-{date}`.
pub fn compile(releases: &[Release]) -> Result<Release, CompileError> {
    let mut order: Vec<&Release> = releases.iter().collect();
    order.sort_by_key(|r| r.date);
    let (first, rest) = order.split_first().ok_or(CompileError::NoReleases)?;
    let mut compiled = (*first).clone();
    for r in rest {
        if r.ocid != compiled.ocid {
            return Err(CompileError::MixedOcids(
                compiled.ocid.clone(),
                r.ocid.clone(),
            ));
        }
        merge_release(&mut compiled, r);
    }
    compiled.date = order.last().map_or(compiled.date, |r| r.date);
    compiled.id = format!("{}-{}", compiled.ocid, compiled.date.0);
    compiled.tag = vec![crate::codelist::ReleaseTag::Compiled];
    Ok(compiled)
}

fn merge_release(into: &mut Release, newer: &Release) {
    // id, date and tag are omitWhenMerged.
    into.initiation_type.merge_from(&newer.initiation_type);
    into.parties.merge_from(&newer.parties);
    into.buyer.merge_from(&newer.buyer);
    into.planning.merge_from(&newer.planning);
    into.tender.merge_from(&newer.tender);
    into.bids.merge_from(&newer.bids);
    into.awards.merge_from(&newer.awards);
    into.contracts.merge_from(&newer.contracts);
    into.language.merge_from(&newer.language);
}

/// The record of one process: its releases linked as `{release_url}#{id}` (the URL of a package
/// that holds them), and the compiled release.
pub fn record_linked(releases: &[Release], release_url: &str) -> Result<Record, CompileError> {
    let compiled = compile(releases)?;
    let mut linked: Vec<&Release> = releases.iter().collect();
    linked.sort_by_key(|r| r.date);
    Ok(Record {
        ocid: compiled.ocid.clone(),
        releases: RecordReleases::Linked(
            linked
                .into_iter()
                .map(|r| LinkedRelease {
                    url: format!("{release_url}#{}", r.id),
                    date: r.date,
                    tag: r.tag.clone(),
                })
                .collect(),
        ),
        compiled_release: compiled,
    })
}

/// The record of one process with its releases embedded (date order).
pub fn record_embedded(releases: &[Release]) -> Result<Record, CompileError> {
    let compiled = compile(releases)?;
    let mut sorted = releases.to_vec();
    sorted.sort_by_key(|r| r.date);
    Ok(Record {
        ocid: compiled.ocid.clone(),
        releases: RecordReleases::Embedded(sorted),
        compiled_release: compiled,
    })
}
