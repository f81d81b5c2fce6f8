//! An application's life: which status follows which action, and who may take it. Pure.

use serde::{Deserialize, Serialize};

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    InfoRequested,
    Approved,
    Rejected,
    Issued,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::Submitted,
        Status::InReview,
        Status::InfoRequested,
        Status::Approved,
        Status::Rejected,
        Status::Issued,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::InfoRequested => "info_requested",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Issued => "issued",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// No further action is possible.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Issued | Status::Withdrawn)
    }

    /// Waiting for the agency (counts against its time limit).
    pub fn with_agency(self) -> bool {
        matches!(self, Status::Submitted | Status::InReview)
    }
}

/// Something someone does to an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The applicant sends the finished form.
    Submit,
    /// An official takes the application to work on it.
    Claim,
    /// The official gives it back to the queue.
    Release,
    /// The official asks the applicant for more information.
    RequestInfo,
    /// The applicant answers.
    Answer,
    Approve,
    Reject,
    /// The outcome (a document, a registration) is issued.
    Issue,
    /// The applicant withdraws.
    Withdraw,
    /// An official gives the application to a colleague (or takes it from the queue for them).
    Assign,
    /// Either side writes to the other; the status stays.
    Message,
}

/// Who takes an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Applicant,
    Official,
    Either,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Claim => "claim",
            Action::Release => "release",
            Action::RequestInfo => "request_info",
            Action::Answer => "answer",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Issue => "issue",
            Action::Withdraw => "withdraw",
            Action::Assign => "assign",
            Action::Message => "message",
        }
    }

    pub const ALL: [Action; 11] = [
        Action::Submit,
        Action::Claim,
        Action::Release,
        Action::RequestInfo,
        Action::Answer,
        Action::Approve,
        Action::Reject,
        Action::Issue,
        Action::Withdraw,
        Action::Assign,
        Action::Message,
    ];

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// Who takes this action.
    pub fn party(self) -> Party {
        match self {
            Action::Submit | Action::Answer | Action::Withdraw => Party::Applicant,
            Action::Message => Party::Either,
            _ => Party::Official,
        }
    }

    /// Only the official the application is assigned to may take this action.
    pub fn needs_assignee(self) -> bool {
        matches!(
            self,
            Action::Release | Action::RequestInfo | Action::Approve | Action::Reject
        )
    }

    /// The action must come with a text: a reason, a question or an answer.
    pub fn needs_message(self) -> bool {
        matches!(
            self,
            Action::Reject | Action::RequestInfo | Action::Answer | Action::Message
        )
    }
}

/// The status an action leads to, or `None` when it is not allowed from `from`.
pub fn next(from: Status, action: Action) -> Option<Status> {
    use Action as A;
    use Status as S;
    Some(match (from, action) {
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted, A::Claim) => S::InReview,
        (S::InReview, A::Release) => S::Submitted,
        (S::InReview, A::RequestInfo) => S::InfoRequested,
        (S::InfoRequested, A::Answer) => S::InReview,
        (S::InReview, A::Approve) => S::Approved,
        (S::InReview, A::Reject) => S::Rejected,
        (S::Approved, A::Issue) => S::Issued,
        (S::Submitted | S::InReview | S::InfoRequested, A::Withdraw) => S::Withdrawn,
        (S::Submitted | S::InReview, A::Assign) => S::InReview,
        (S::InfoRequested, A::Assign) => S::InfoRequested,
        (S::Submitted | S::InReview | S::InfoRequested | S::Approved, A::Message) => from,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_allow_nothing() {
        for s in Status::ALL.into_iter().filter(|s| s.is_final()) {
            for a in Action::ALL {
                assert_eq!(next(s, a), None, "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("delete"), None);
    }
}
