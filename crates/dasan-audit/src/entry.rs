//! The bytes of one audit event as a leaf of the Merkle tree.
//!
//! An entry is canonical JSON built from the stored row, field by field in a fixed order, with
//! `detail` copied verbatim from its stored text. Anyone holding the row can rebuild the exact
//! bytes (and so the leaf hash) without knowing how Dasan serialises JSON.

use serde::Serialize;

/// One `audit_events` row, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    /// Microseconds since the Unix epoch, UTC.
    pub at: i64,
    pub actor_kind: String,
    pub actor_account: Option<String>,
    pub actor_agency: Option<String>,
    pub on_behalf_of: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub subject: String,
    pub purpose: Option<String>,
    /// JSON text.
    pub detail: String,
}

/// The columns [`EventRow`] reads, in its field order.
pub const EVENT_COLUMNS: &str = "id, at, actor_kind, actor_account, actor_agency, on_behalf_of, \
     request_id, action, subject, purpose, detail";

impl EventRow {
    /// The canonical entry bytes (version 1).
    pub fn entry(&self) -> Vec<u8> {
        fn s(out: &mut String, v: &str) {
            // serde_json escapes a &str infallibly; the fallback keeps this total.
            out.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "\"\"".to_owned()));
        }
        fn opt(out: &mut String, v: &Option<String>) {
            match v {
                Some(v) => s(out, v),
                None => out.push_str("null"),
            }
        }
        let mut out = String::with_capacity(256 + self.detail.len());
        out.push_str("{\"v\":1,\"id\":");
        s(&mut out, &self.id);
        out.push_str(",\"at\":");
        out.push_str(&self.at.to_string());
        out.push_str(",\"actor\":{\"kind\":");
        s(&mut out, &self.actor_kind);
        out.push_str(",\"account\":");
        opt(&mut out, &self.actor_account);
        out.push_str(",\"agency\":");
        opt(&mut out, &self.actor_agency);
        out.push_str(",\"on_behalf_of\":");
        opt(&mut out, &self.on_behalf_of);
        out.push_str(",\"request_id\":");
        opt(&mut out, &self.request_id);
        out.push_str("},\"action\":");
        s(&mut out, &self.action);
        out.push_str(",\"subject\":");
        s(&mut out, &self.subject);
        out.push_str(",\"purpose\":");
        opt(&mut out, &self.purpose);
        out.push_str(",\"detail\":");
        // Stored detail is JSON written by the store; anything else (a tampered row) is embedded
        // as a string so the entry stays well-formed and its hash still differs.
        if serde_json::from_str::<serde::de::IgnoredAny>(&self.detail).is_ok() {
            out.push_str(&self.detail);
        } else {
            s(&mut out, &self.detail);
        }
        out.push('}');
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> EventRow {
        EventRow {
            id: "0193a".into(),
            at: 1_700_000_000_000_000,
            actor_kind: "account".into(),
            actor_account: Some("acc".into()),
            actor_agency: None,
            on_behalf_of: None,
            request_id: Some("req \"1\"".into()),
            action: "feedback.submit".into(),
            subject: "feedback:1".into(),
            purpose: None,
            detail: r#"{"b":1,"a":[true]}"#.into(),
        }
    }

    #[test]
    fn entry_is_valid_json_with_detail_verbatim() {
        let bytes = row().entry();
        let text = std::str::from_utf8(&bytes).unwrap_or_default();
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(parsed["detail"]["b"], 1);
        assert_eq!(parsed["actor"]["request_id"], "req \"1\"");
        assert!(text.ends_with(r#""detail":{"b":1,"a":[true]}}"#), "{text}");
    }

    #[test]
    fn every_field_changes_the_entry() {
        let base = row().entry();
        let mut r = row();
        r.at += 1;
        assert_ne!(r.entry(), base);
        let mut r = row();
        r.purpose = Some(String::new());
        assert_ne!(r.entry(), base);
        let mut r = row();
        r.detail = r#"{"b":2,"a":[true]}"#.into();
        assert_ne!(r.entry(), base);
        let mut r = row();
        r.detail = "not json".into();
        let text = String::from_utf8(r.entry()).unwrap_or_default();
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    }
}
