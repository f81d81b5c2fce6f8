//! Smart border clearance, the pure domain core (issue 12): watchlists, name screening and gate
//! decisions. No database, no HTTP, no clock: time is a parameter, so everything here is fast,
//! testable and replayable. Storage, the gate API and the officer pages build on it.
//!
//! - [`import`]: the UN Security Council consolidated list (XML, streamed), national lists and
//!   the lost/stolen document list (CSV), with typed per-value issues.
//! - [`screen`]: the in-memory index (n-grams, phonetic skeletons, Korean romanisation
//!   variants, Hangul → Revised Romanization) and explained scoring.
//! - [`korean`], [`normalize`]: the name machinery.
//! - [`gate`]: `decide(request, context) -> Decision` (OPEN or REFER with reasons), its record,
//!   and `replay(record)`.
//! - [`quality`]: the labelled set built from the UN list's own aliases; recall and precision.

pub mod countries;
pub mod gate;
pub mod import;
pub mod korean;
pub mod lost_stolen;
pub mod normalize;
pub mod quality;
pub mod screen;
pub mod types;
pub mod watchlist;

pub use gate::{
    Context, Decision, DecisionRecord, Direction, GateConfig, GateRequest, Outcome, ReasonCode,
    decide, replay,
};
pub use import::{
    ImportError, ImportIssue, Imported, IssueKind, import_national_csv, import_un_xml,
};
pub use lost_stolen::{LostStolenList, LostStolenRecord, import_lost_stolen_csv};
pub use screen::{Hit, Screener, ScreeningConfig, ScreeningQuery};
pub use types::{CalendarDate, Score};
pub use watchlist::{BirthDate, EntryKind, ListSource, WatchlistEntry};
