//! Reissuing a document: a new document, with a new issue number and check code, made from the
//! same application with the registry as it stands now, that names the one it replaces; the
//! old one is revoked with the reason "reissued as …", so a checker of the old copy learns it
//! was genuine and where its successor is. One audited change does both.

use crate::documents::IssuedDocument;
use crate::{ApplicationId, Civil, CivilError};
use dasan_identity::Principal;
use dasan_store::{StoreError, on_reader, on_tx};

impl Civil {
    /// Reissues document `issue_number` of application `id`, for its applicant or an official
    /// of its agency. Only a valid document can be reissued (a revoked or already reissued
    /// one cannot: reissue its successor). Returns the new document.
    pub async fn reissue_document(
        &self,
        principal: &Principal,
        id: ApplicationId,
        issue_number: &str,
    ) -> Result<IssuedDocument, CivilError> {
        let app = self.application(principal, id).await?;
        let old = self
            .documents(principal, id)
            .await?
            .into_iter()
            .find(|d| d.issue_number == issue_number)
            .ok_or(CivilError::NotFound)?;
        if old.status != "valid" {
            return Err(CivilError::Transition {
                action: "reissue",
                status: "revoked",
            });
        }
        let def = self
            .service_version(&app.service, app.service_version)
            .await?;
        let made = self
            .make_document(&app, &def, app.decision_reason.as_deref())
            .await?
            .ok_or(CivilError::DocumentsUnavailable)?;
        let new_number = made.doc.issue_number.clone();
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let reason = format!("Reissued as {new_number} / {new_number}(으)로 재발급");
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE civil_documents SET status = 'revoked', revoked_at = $2, revoked_reason = $3 \
             WHERE issue_number = $1 AND status = 'valid'"
        )
        .bind(issue_number)
        .bind(now)
        .bind(&reason)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })
        .map_err(StoreError::from_sqlx)?;
        if n == 0 {
            // Revoked or reissued by someone else meanwhile.
            tx.rollback().await?;
            return Err(CivilError::Stale);
        }
        crate::documents::record(&mut tx, &made).await?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE civil_documents SET replaces = $2 WHERE issue_number = $1"
        )
        .bind(&new_number)
        .bind(issue_number)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            "civil.document.reissue",
            format!("document:{issue_number}"),
            serde_json::json!({ "application": id.to_string(), "replaced_by": new_number }),
        );
        crate::application::notify(
            &mut tx,
            app.applicant,
            &format!("Document reissued: {new_number} / 문서 재발급: {new_number}"),
            &format!(
                "The document {issue_number} was replaced by {new_number}; the old copy no longer checks as valid.\n\
                 발급번호 {issue_number} 문서가 {new_number}(으)로 재발급되어 이전 문서는 더 이상 유효하지 않습니다."
            ),
            &format!("/applications/{id}"),
        )
        .await?;
        tx.commit().await?;
        self.documents(principal, id)
            .await?
            .into_iter()
            .find(|d| d.issue_number == new_number)
            .ok_or(CivilError::NotFound)
    }

    /// The document a document replaced, if it was a reissue.
    pub async fn replaced_by_reissue(
        &self,
        issue_number: &str,
    ) -> Result<Option<String>, CivilError> {
        let row: Option<Option<String>> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT replaces FROM civil_documents WHERE issue_number = $1"
        )
        .bind(issue_number)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(row.flatten())
    }
}
