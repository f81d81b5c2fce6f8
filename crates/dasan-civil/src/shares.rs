//! Sending a document to a receiving organisation: the holder of a document (whoever applied
//! for it: the citizen, or the representative for a business) sends it to an agency of the
//! registry, whose civil officers and API clients then see it **verified at view time** (a
//! document revoked after sending shows revoked), with exactly what its seal attests and the
//! signed PDF. Every view is an audit event the holder is shown; the holder can withdraw the
//! share, after which the organisation finds nothing.
//!
//! The receiving organisation is an agency code: officials and API clients already belong to
//! one, and a bank or other organisation is registered the same way (an agency with its API
//! clients). Seeing the inbox needs `civil.review` in that agency.

use crate::documents::{self, DocumentRow, IssuedDocument, Verification};
use crate::{Civil, CivilError};
use dasan_identity::{Permission, Principal, Scope};
use dasan_kernel::{FieldError, Timestamp};
use dasan_store::{StoreError, on_reader, on_tx};
use serde::Serialize;

dasan_kernel::define_id!(
    /// Identifies one sending of a document to an organisation.
    ShareId
);

/// The longest purpose a holder may write (characters).
pub const PURPOSE_MAX: usize = 500;
/// The longest agency code accepted as a recipient.
pub const RECIPIENT_MAX: usize = 40;

const VIEW: &str = "civil.document.share.view";

/// A share as its holder sees it in the wallet.
#[derive(Clone, Debug, Serialize)]
pub struct SentShare {
    pub id: ShareId,
    pub issue_number: String,
    /// The receiving organisation's agency code, and its name.
    pub recipient: String,
    pub recipient_name: String,
    pub purpose: Option<String>,
    pub created_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub first_viewed_at: Option<Timestamp>,
    /// Every time the organisation opened it or fetched its PDF.
    pub views: Vec<ShareView>,
}

/// One look at a share by the receiving organisation.
#[derive(Clone, Debug, Serialize)]
pub struct ShareView {
    pub at: Timestamp,
    pub agency: Option<String>,
    pub what: String,
}

/// A share in the receiving organisation's inbox, verified now.
#[derive(Clone, Debug, Serialize)]
pub struct ReceivedShare {
    pub id: ShareId,
    pub issue_number: String,
    pub document_type: String,
    pub purpose: Option<String>,
    pub sent_at: Timestamp,
    pub verification: Verification,
}

type ShareRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

fn share_id(text: &str) -> Result<ShareId, CivilError> {
    text.parse()
        .map_err(|_| CivilError::Store(StoreError::Corrupt("share id".into())))
}

impl Civil {
    /// Sends one of the principal's own documents to `recipient` (an agency code), with an
    /// optional purpose. Only the holder may; a revoked document cannot be sent.
    pub async fn send_document(
        &self,
        principal: &Principal,
        issue_number: &str,
        recipient: &str,
        purpose: &str,
    ) -> Result<ShareId, CivilError> {
        let mut errors = Vec::new();
        let recipient = recipient.trim();
        let purpose = purpose.trim();
        let known = recipient.chars().count() <= RECIPIENT_MAX
            && !recipient.is_empty()
            && recipient
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && self.registry.agency(recipient).await?.is_some();
        if !known {
            errors.push(FieldError::new("recipient", "civil-error-recipient"));
        }
        if purpose.chars().count() > PURPOSE_MAX || purpose.contains('\0') {
            errors.push(FieldError::new("purpose", "civil-error-purpose"));
        }
        let doc = self.own_document(principal, issue_number).await?;
        if !errors.is_empty() {
            return Err(CivilError::Invalid(errors));
        }
        if doc.status == "revoked" {
            return Err(CivilError::Transition {
                action: "send",
                status: "revoked",
            });
        }
        let id = ShareId::new();
        let purpose = (!purpose.is_empty()).then_some(purpose);
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO civil_document_shares (id, issue_number, recipient, sender, purpose, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id.to_string())
        .bind(&doc.issue_number)
        .bind(recipient)
        .bind(principal.account.to_string())
        .bind(purpose)
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            "civil.document.share",
            format!("share:{id}"),
            serde_json::json!({ "document": doc.issue_number, "recipient": recipient, "purpose": purpose }),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// One of the principal's own documents (issued from their applications), or not found.
    async fn own_document(
        &self,
        principal: &Principal,
        issue_number: &str,
    ) -> Result<IssuedDocument, CivilError> {
        if !documents::is_issue_number(issue_number) {
            return Err(CivilError::NotFound);
        }
        let row: Option<DocumentRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT d.issue_number, d.application, d.document_type, d.agency, d.signed_by, d.issued_at, \
             d.expires_at, d.sha256, d.size, d.qr, d.status, d.check_code FROM civil_documents d \
             JOIN civil_applications a ON a.id = d.application \
             WHERE d.issue_number = $1 AND a.applicant = $2"
        )
        .bind(issue_number)
        .bind(principal.account.to_string())
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        row.map(documents::from_row).ok_or(CivilError::NotFound)
    }

    /// Where the principal sent their documents, newest first, with every view.
    pub async fn my_shares(&self, principal: &Principal) -> Result<Vec<SentShare>, CivilError> {
        let rows: Vec<ShareRow> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT s.id, s.issue_number, s.recipient, s.purpose, s.created_at, s.withdrawn_at, \
             s.first_viewed_at FROM civil_document_shares s WHERE s.sender = $1 \
             ORDER BY s.created_at DESC LIMIT 200"
        )
        .bind(principal.account.to_string())
        .fetch_all(p)
        .await
        })
        .map_err(StoreError::from_sqlx)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let views: Vec<(i64, Option<String>, String)> = on_reader!(self.db, |p| sqlx::query_as(
                "SELECT at, actor_agency, detail FROM audit_events WHERE subject = $1 AND action = $2 ORDER BY at"
            )
            .bind(format!("share:{}", r.0))
            .bind(VIEW)
            .fetch_all(p)
            .await)
            .map_err(StoreError::from_sqlx)?;
            let recipient_name = self
                .registry
                .agency(&r.2)
                .await?
                .map(|a| a.data.name_local)
                .unwrap_or_else(|| r.2.clone());
            out.push(SentShare {
                id: share_id(&r.0)?,
                issue_number: r.1,
                recipient: r.2,
                recipient_name,
                purpose: r.3,
                created_at: Timestamp::from_micros(r.4),
                withdrawn_at: r.5.map(Timestamp::from_micros),
                first_viewed_at: r.6.map(Timestamp::from_micros),
                views: views
                    .into_iter()
                    .map(|(at, agency, detail)| ShareView {
                        at: Timestamp::from_micros(at),
                        agency,
                        what: serde_json::from_str::<serde_json::Value>(&detail)
                            .ok()
                            .and_then(|d| d["what"].as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Withdraws a share: the organisation no longer finds it. Only its sender may.
    pub async fn withdraw_share(
        &self,
        principal: &Principal,
        id: ShareId,
    ) -> Result<(), CivilError> {
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let row: Option<(String, Option<i64>)> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT sender, withdrawn_at FROM civil_document_shares WHERE id = $1"
        )
        .bind(id.to_string())
        .fetch_optional(c)
        .await)
        .map_err(StoreError::from_sqlx)?;
        match row {
            Some((sender, _)) if sender != principal.account.to_string() => {
                tx.rollback().await?;
                return Err(CivilError::NotFound);
            }
            None => {
                tx.rollback().await?;
                return Err(CivilError::NotFound);
            }
            Some((_, Some(_))) => {
                tx.rollback().await?;
                return Err(CivilError::Transition {
                    action: "withdraw",
                    status: "withdrawn",
                });
            }
            Some((_, None)) => {}
        }
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE civil_document_shares SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL"
        )
        .bind(id.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        if n == 0 {
            tx.rollback().await?;
            return Err(CivilError::Stale);
        }
        tx.record(
            "civil.document.share.withdraw",
            format!("share:{id}"),
            serde_json::json!({}),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The receiving organisation: the principal's agency, if they may review there.
    fn receiving_agency(principal: &Principal) -> Result<&str, CivilError> {
        match principal.agency.as_deref() {
            Some(a) if principal.has(Permission::CivilReview, Scope::Agency(a)) => Ok(a),
            _ => Err(CivilError::NotFound),
        }
    }

    /// The organisation's inbox, newest first, each document verified now. The list shows
    /// each document's attested facts, so it counts (and is audited) as a view of each.
    pub async fn received_documents(
        &self,
        principal: &Principal,
    ) -> Result<Vec<ReceivedShare>, CivilError> {
        let agency = Self::receiving_agency(principal)?;
        let rows: Vec<(String,)> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id FROM civil_document_shares WHERE recipient = $1 AND withdrawn_at IS NULL \
             ORDER BY created_at DESC LIMIT 200"
        )
        .bind(agency)
        .fetch_all(p)
        .await
        })
        .map_err(StoreError::from_sqlx)?;
        let mut out = Vec::with_capacity(rows.len());
        for (id,) in rows {
            match self.received(principal, share_id(&id)?, "list").await {
                Ok(s) => out.push(s),
                // Withdrawn between the list and the look.
                Err(CivilError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// One share sent to the principal's organisation, verified now; the view is audited.
    pub async fn received_document(
        &self,
        principal: &Principal,
        id: ShareId,
    ) -> Result<ReceivedShare, CivilError> {
        self.received(principal, id, "details").await
    }

    async fn received(
        &self,
        principal: &Principal,
        id: ShareId,
        what: &str,
    ) -> Result<ReceivedShare, CivilError> {
        let (share, doc) = self.viewed(principal, id, what).await?;
        let verification = self.verify_seal(&doc.qr).await?;
        Ok(ReceivedShare {
            id,
            issue_number: doc.issue_number,
            document_type: doc.document_type,
            purpose: share.3,
            sent_at: Timestamp::from_micros(share.4),
            verification,
        })
    }

    /// The signed PDF of a share sent to the principal's organisation; the view is audited.
    pub async fn received_pdf(
        &self,
        principal: &Principal,
        id: ShareId,
    ) -> Result<(IssuedDocument, Vec<u8>), CivilError> {
        let (_, doc) = self.viewed(principal, id, "pdf").await?;
        let bytes = self.stored_pdf(&doc).await?;
        Ok((doc, bytes))
    }

    /// Records the organisation's look at a live share (first view time, audit event) and
    /// returns it with its document; anything else is not found.
    async fn viewed(
        &self,
        principal: &Principal,
        id: ShareId,
        what: &str,
    ) -> Result<(ShareRow, IssuedDocument), CivilError> {
        let agency = Self::receiving_agency(principal)?.to_owned();
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let share: Option<ShareRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT s.id, s.issue_number, s.recipient, s.purpose, s.created_at, s.withdrawn_at, \
             s.first_viewed_at FROM civil_document_shares s \
             WHERE s.id = $1 AND s.recipient = $2 AND s.withdrawn_at IS NULL"
        )
        .bind(id.to_string())
        .bind(&agency)
        .fetch_optional(c)
        .await
        })
        .map_err(StoreError::from_sqlx)?;
        let Some(share) = share else {
            tx.rollback().await?;
            return Err(CivilError::NotFound);
        };
        let doc: Option<DocumentRow> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT issue_number, application, document_type, agency, signed_by, issued_at, \
             expires_at, sha256, size, qr, status, check_code FROM civil_documents WHERE issue_number = $1"
        )
        .bind(&share.1)
        .fetch_optional(c)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let Some(doc) = doc.map(documents::from_row) else {
            tx.rollback().await?;
            return Err(CivilError::NotFound);
        };
        on_tx!(tx, |c| sqlx::query(
            "UPDATE civil_document_shares SET first_viewed_at = $2 WHERE id = $1 AND first_viewed_at IS NULL"
        )
        .bind(id.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            VIEW,
            format!("share:{id}"),
            serde_json::json!({ "document": doc.issue_number, "recipient": agency, "what": what }),
        );
        tx.commit().await?;
        Ok((share, doc))
    }
}
