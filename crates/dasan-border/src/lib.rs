//! Smart border clearance (issue 12): watchlists, name screening and gate decisions.
//!
//! The pure core (every module but [`store`]) has no database, no HTTP and no clock: time is a
//! parameter, so it is fast, testable and replayable. [`store`] keeps its data in the platform
//! database; the gate API and the officer pages build on it.
//!
//! - [`import`]: the UN Security Council consolidated list (XML, streamed), national lists and
//!   the lost/stolen document list (CSV), with typed per-value issues.
//! - [`screen`]: the in-memory index (n-grams, phonetic skeletons, Korean romanisation
//!   variants, Hangul → Revised Romanization) and explained scoring.
//! - [`korean`], [`normalize`]: the name machinery.
//! - [`gate`]: `decide(request, context) -> Decision` (OPEN or REFER with reasons), its record,
//!   and `replay(record)`.
//! - [`quality`]: the labelled set built from the UN list's own aliases; recall and precision.
//! - [`store`]: the service over the database (enrolment, watchlists, gate devices, decision
//!   records and replay, entry/exit records, stays, visas, referrals): [`store::Border`].

pub mod countries;
pub mod gate;
pub mod import;
pub mod korean;
pub mod lost_stolen;
pub mod normalize;
pub mod quality;
pub mod screen;
pub mod store;
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
