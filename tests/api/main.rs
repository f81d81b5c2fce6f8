//! Integration tests: the real app on a random port, against a fresh database, on each engine.
#![allow(clippy::unwrap_used)]

mod acting;
mod audit;
mod border;
mod border_enrolment;
mod civil;
mod cli;
mod doc_issue;
mod errors;
mod feedback;
mod helpers;
mod i18n;
mod identity;
mod ocds;
mod ops;
mod procurement;
mod procurement_award_pages;
mod procurement_committee;
mod procurement_contract_pages;
mod procurement_contracts;
mod procurement_documents;
mod procurement_pages;
mod shares;
mod shutdown;
mod transparency;
mod web;
