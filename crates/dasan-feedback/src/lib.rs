//! Citizens' feedback on portal pages: "Was this page useful?" and "Report a problem".
//!
//! Anonymous by design: no account, no IP address, and the form warns people not to type
//! personal data. Agencies read it to fix what confuses people.

use dasan_kernel::{Actor, ErrorKind, FieldError, Problem, define_id};
use dasan_store::{Database, StoreError, on_tx};
use serde::Deserialize;

define_id!(
    /// Identifies one piece of feedback.
    FeedbackId
);

/// The longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 1200;
/// The longest page path accepted, in characters.
pub const MAX_PAGE_CHARS: usize = 500;

/// The page rule as a regular expression (ECMA-262 and Rust `regex` alike), for the API's
/// schema: a path on this portal — `/` then no second `/` or `\` (that would name another
/// host), and no whitespace, backslash or control characters anywhere.
pub const PAGE_PATTERN: &str = r"^/([^/\\\s\x00-\x1f\x7f-\x9f][^\\\s\x00-\x1f\x7f-\x9f]*)?$";

/// The comment rule as a regular expression: any text but control characters other than tab,
/// line feed and carriage return.
pub const COMMENT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// Whether `page` is a path on this portal (see [`PAGE_PATTERN`]).
pub fn page_is_valid(page: &str) -> bool {
    let bad = |c: char| c.is_whitespace() || c.is_control() || c == '\\';
    let mut chars = page.chars();
    chars.next() == Some('/')
        && chars
            .next()
            .is_none_or(|second| second != '/' && !bad(second))
        && !page.chars().any(bad)
        && page.chars().count() <= MAX_PAGE_CHARS
}

/// Whether `comment` has only characters we store (see [`COMMENT_PATTERN`]).
pub fn comment_chars_are_valid(comment: &str) -> bool {
    !comment
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Feedback as submitted (form or JSON).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct FeedbackInput {
    /// The portal page the feedback is about, as a path (`/about`).
    pub page: String,
    /// The answer to "Was this page useful?", if given.
    pub helpful: Option<bool>,
    /// Free text: what the person was trying to do, what went wrong.
    #[serde(default)]
    pub comment: String,
}

/// Feedback that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub page: String,
    pub helpful: Option<bool>,
    pub comment: String,
    pub locale: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("the feedback is not valid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Problem for FeedbackError {
    fn kind(&self) -> ErrorKind {
        match self {
            FeedbackError::Invalid(_) => ErrorKind::Invalid,
            FeedbackError::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            FeedbackError::Invalid(_) => "validation-failed",
            FeedbackError::Store(e) => e.code(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            FeedbackError::Invalid(errors) => errors,
            FeedbackError::Store(_) => &[],
        }
    }
}

impl FeedbackInput {
    /// Checks the input; every problem is reported at once, each against its field.
    pub fn validate(self, locale: &str) -> Result<Feedback, FeedbackError> {
        let mut errors = Vec::new();
        // Checked exactly as given (no trimming), so the API schema can state the same rule.
        if !page_is_valid(&self.page) {
            errors.push(FieldError::new("page", "feedback-error-page"));
        }
        if self.comment.chars().count() > MAX_COMMENT_CHARS {
            errors.push(
                FieldError::new("comment", "feedback-error-comment-too-long")
                    .with_arg("max", MAX_COMMENT_CHARS),
            );
        } else if !comment_chars_are_valid(&self.comment) {
            errors.push(FieldError::new(
                "comment",
                "feedback-error-comment-characters",
            ));
        }
        let comment = self.comment.trim().to_owned();
        if self.helpful.is_none() && comment.is_empty() {
            errors.push(FieldError::new("helpful", "feedback-error-empty"));
        }
        if !errors.is_empty() {
            return Err(FeedbackError::Invalid(errors));
        }
        Ok(Feedback {
            page: self.page,
            helpful: self.helpful,
            comment,
            locale: locale.to_owned(),
        })
    }
}

/// Validates and stores feedback as one audited change.
pub async fn submit(
    db: &Database,
    actor: Actor,
    input: FeedbackInput,
    locale: &str,
) -> Result<FeedbackId, FeedbackError> {
    let feedback = input.validate(locale)?;
    let id = FeedbackId::new();
    let mut tx = db.begin(actor).await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO page_feedback (id, created_at, page, helpful, comment, locale) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(id.to_string())
    .bind(now)
    .bind(&feedback.page)
    .bind(feedback.helpful)
    .bind(&feedback.comment)
    .bind(&feedback.locale)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    // The comment itself is not copied into the audit log: it may hold personal data the
    // writer was asked not to give, and the audit log is kept far longer.
    tx.record(
        "feedback.submit",
        format!("feedback:{id}"),
        serde_json::json!({ "page": feedback.page, "helpful": feedback.helpful, "comment_chars": feedback.comment.chars().count() }),
    );
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(page: &str, helpful: Option<bool>, comment: &str) -> FeedbackInput {
        FeedbackInput {
            page: page.into(),
            helpful,
            comment: comment.into(),
        }
    }

    fn fields(result: Result<Feedback, FeedbackError>) -> Vec<(String, &'static str)> {
        match result {
            Err(FeedbackError::Invalid(errors)) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_yes_or_a_comment() {
        assert!(input("/about", Some(true), "").validate("en").is_ok());
        let f = input("/about", None, "  The form was confusing  ").validate("ko");
        let f = f.expect("a comment alone is enough");
        assert_eq!(
            (f.page.as_str(), f.comment.as_str(), f.locale.as_str()),
            ("/about", "The form was confusing", "ko")
        );
    }

    #[test]
    fn reports_every_problem_against_its_field() {
        assert_eq!(
            fields(input("/", None, "   ").validate("en")),
            vec![("helpful".into(), "feedback-error-empty")]
        );
        assert_eq!(
            fields(input("https://evil.example/", None, &"가".repeat(1201)).validate("en")),
            vec![
                ("page".into(), "feedback-error-page"),
                ("comment".into(), "feedback-error-comment-too-long"),
            ]
        );
        let bad_pages = [
            "",
            "about",
            "//evil.example",
            "/a b",
            "/\\evil",
            "/x\ny",
            "/\u{7}",
            " /about",
            "/about\n",
        ];
        for bad in bad_pages {
            assert_eq!(
                fields(input(bad, Some(false), "").validate("en")),
                vec![("page".into(), "feedback-error-page")],
                "{bad:?}"
            );
        }
        assert!(
            input("/", Some(true), &"가".repeat(1200))
                .validate("en")
                .is_ok()
        );
        // The limit applies to what was sent, spaces included.
        let long = format!("{} ", "가".repeat(1200));
        assert!(input("/", Some(true), &long).validate("en").is_err());
        assert_eq!(
            fields(input("/", Some(true), "bell\u{7}").validate("en")),
            vec![("comment".into(), "feedback-error-comment-characters")]
        );
        assert!(
            input("/", None, "line one\r\n\tline two")
                .validate("en")
                .is_ok()
        );
    }

    proptest::proptest! {
        /// The Rust rules and the patterns published in the API schema agree on every input.
        #[test]
        fn rules_match_their_published_patterns(
            text in r"\PC{0,12}|[/\\ \t\n\x00-\x1fa-z\u{80}-\u{a0}\u{2028}\u{3000}]{0,6}"
        ) {
            let page = regex::Regex::new(PAGE_PATTERN).expect("pattern compiles");
            let comment = regex::Regex::new(COMMENT_PATTERN).expect("pattern compiles");
            proptest::prop_assert_eq!(page_is_valid(&text), page.is_match(&text), "page {:?}", text);
            let slashed = format!("/{text}");
            proptest::prop_assert_eq!(page_is_valid(&slashed), page.is_match(&slashed), "page {:?}", slashed);
            proptest::prop_assert_eq!(
                comment_chars_are_valid(&text), comment.is_match(&text), "comment {:?}", text
            );
        }
    }
}
