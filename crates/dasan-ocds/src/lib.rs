//! Open Contracting Data Standard 1.1.5 for Dasan (pure: no database, no HTTP, no clock).
//!
//! - [`procedure`]: the input, one procurement procedure and what happened at each stage;
//! - [`build::releases`]: its OCDS releases (planning, tender, tenderAmendment, opening with the
//!   bids extension, award, contract, implementation), with lots from the lots extension;
//! - [`merge`]: record compilation by the OCDS merging rules;
//! - [`package`]: release and record packages streamed to any `io::Write`.
//!
//! Amounts are exact ([`amount`]): minor units written as decimal text, never through a float.

pub mod amount;
pub mod build;
pub mod codelist;
pub mod merge;
pub mod model;
pub mod package;
pub mod procedure;

pub mod sample;

pub use build::{BuildError, OcidPrefix, releases};
pub use merge::{CompileError, Record, compile, record_embedded, record_linked};
pub use model::Release;
pub use package::{PackageMeta, Publisher, RecordPackageWriter, ReleasePackageWriter};
pub use procedure::Procedure;
