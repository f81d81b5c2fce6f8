//! Dasan's official documents: templates, PDF, PAdES signatures, RFC 3161 time-stamps and the
//! QR seal.
//!
//! A pure crate: no database, no HTTP, no async, and no clock reads (every time is a
//! parameter). The flow of one issuance:
//!
//! 1. the caller reads the registry as of the issuing moment and fills a [`DocumentSpec`];
//! 2. [`seal::Claims::from_spec`] + [`seal::make_qr_payload`] sign the key facts (COSE_Sign1,
//!    ES256) into a `DSN1:` payload;
//! 3. [`render`] lays the document out and writes a tagged PDF/A-2a with the seal as a QR
//!    code on every page ([`Fonts`] are loaded once from the deployment's font files);
//! 4. [`pades::sign_pades`] signs the PDF (PAdES B-B, B-T with a time-stamp from a
//!    [`tsa::TimeStampSource`], B-LT with a Document Security Store).
//!
//! Anyone can then check the PDF with any PAdES validator, and the QR offline with
//! [`seal::verify_qr_payload`] and the platform's trust list.

mod asn1;
pub mod fonts;
pub mod labels;
pub mod model;
pub mod pades;
pub mod render;
pub mod samples;
pub mod seal;
mod templates;
pub mod tsa;

pub use fonts::{FontError, Fonts};
pub use model::*;
pub use render::{RenderError, render};
