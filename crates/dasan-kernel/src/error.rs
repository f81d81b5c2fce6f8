//! The vocabulary every layer's errors are classified in, so the web edge maps them in one place.
//!
//! Each crate keeps its own typed error enum; implementing [`Problem`] says what kind of failure
//! each variant is (which HTTP status it becomes), gives it a stable machine-readable code, and
//! lists field-level messages for validation failures. Messages are Fluent message ids, never
//! English text, so the edge can translate them.

use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of failure an error is, independent of transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The request is malformed or its content fails validation (400/422).
    Invalid,
    /// The caller must authenticate first (401).
    Unauthenticated,
    /// The caller is known but not allowed (403). Prefer `NotFound` where existence is private.
    Forbidden,
    /// Nothing there, or nothing the caller may know of (404).
    NotFound,
    /// The request conflicts with the current state (409).
    Conflict,
    /// Too many attempts; retry later (429).
    RateLimited,
    /// A dependency (such as the database) is unavailable; retry later (503).
    Unavailable,
    /// A fault of ours (500). Never carries details to the client.
    Internal,
}

/// One problem with one input field. `message` is a Fluent message id; `args` its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field name as the form or JSON body spells it.
    pub field: String,
    /// A Fluent message id, e.g. `feedback-error-text-too-long`.
    pub message: &'static str,
    pub args: BTreeMap<&'static str, String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: &'static str) -> Self {
        Self {
            field: field.into(),
            message,
            args: BTreeMap::new(),
        }
    }

    pub fn with_arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.insert(name, value.to_string());
        self
    }
}

/// Implemented by every crate's error type: how the edge should present it.
pub trait Problem: std::error::Error + Send + Sync + 'static {
    fn kind(&self) -> ErrorKind;

    /// A stable, kebab-case code naming this failure (the problem type's last path segment).
    fn code(&self) -> &'static str;

    /// Field-level messages, for validation failures.
    fn field_errors(&self) -> &[FieldError] {
        &[]
    }

    /// Seconds after which a retry may succeed (rate limits, temporary unavailability).
    fn retry_after(&self) -> Option<u64> {
        None
    }
}
