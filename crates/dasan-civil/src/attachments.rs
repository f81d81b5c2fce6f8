//! Files attached to applications: checked by their content (magic bytes, not the name or the
//! browser's claim), limited in size, stored once by content hash in an object store (a local
//! folder by default), and served only to the applicant and the agency's officials.

use crate::definition::FieldKind;
use crate::{ApplicationId, Civil, CivilError, Status};
use dasan_identity::Principal;
use dasan_kernel::FieldError;
use dasan_store::{StoreError, on_reader, on_tx};
use object_store::ObjectStore;
use object_store::path::Path;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What is known about an attached file.
#[derive(Clone, Debug, Serialize)]
pub struct Attachment {
    pub field: String,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub filename: String,
}

/// The media type the content shows (magic bytes), if recognised.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    infer::get(bytes).map(|t| t.mime_type())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn location(sha256: &str) -> Path {
    Path::from(format!("sha256/{}/{}", &sha256[..2], sha256))
}

/// A file name fit to show and to offer for download: no path, no control characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "file".to_owned()
    } else {
        clean.trim().to_owned()
    }
}

impl Civil {
    fn blobs(&self) -> Result<&dyn ObjectStore, CivilError> {
        self.blobs
            .as_deref()
            .ok_or_else(|| CivilError::Store(StoreError::Corrupt("no attachment store".into())))
    }

    /// Attaches a file to a file field of the principal's draft, replacing an earlier one.
    pub async fn attach(
        &self,
        principal: &Principal,
        id: ApplicationId,
        field_id: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Result<Attachment, CivilError> {
        let app = self.application(principal, id).await?;
        if app.applicant != principal.account {
            return Err(CivilError::NotFound);
        }
        if app.status != Status::Draft {
            return Err(CivilError::Transition {
                action: "attach",
                status: app.status.as_str(),
            });
        }
        let def = self
            .service_version(&app.service, app.service_version)
            .await?;
        let field = def
            .fields()
            .find(|f| f.id == field_id && f.kind == FieldKind::File)
            .ok_or(CivilError::NotFound)?;
        let invalid = |message: &'static str| {
            CivilError::Invalid(vec![FieldError::new(field_id.to_owned(), message)])
        };
        if bytes.is_empty() {
            return Err(invalid("civil-error-file-empty"));
        }
        let max = field.max_bytes.unwrap_or(0);
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max {
            return Err(CivilError::Invalid(vec![
                FieldError::new(field_id.to_owned(), "civil-error-file-too-large")
                    .with_arg("max", max / 1024),
            ]));
        }
        let media_type = sniff(bytes).ok_or_else(|| invalid("civil-error-file-type"))?;
        if !field.accept.iter().any(|a| a == media_type) {
            return Err(invalid("civil-error-file-type"));
        }
        let sha256 = hex(&Sha256::digest(bytes));
        // The bytes first: a row never points at a missing file. Same content, same name.
        self.blobs()?
            .put(&location(&sha256), bytes.to_vec().into())
            .await
            .map_err(|e| {
                CivilError::Store(StoreError::Corrupt(format!("attachment store: {e}")))
            })?;
        let attachment = Attachment {
            field: field_id.to_owned(),
            sha256,
            media_type: media_type.to_owned(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            filename: clean_name(filename),
        };
        let mut answers = app.answers.clone();
        answers.insert(field_id.to_owned(), attachment.filename.clone());
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO civil_attachments (application, field, sha256, media_type, size, filename, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application, field) DO UPDATE SET \
             sha256 = $3, media_type = $4, size = $5, filename = $6, created_at = $7"
        )
        .bind(id.to_string())
        .bind(field_id)
        .bind(&attachment.sha256)
        .bind(&attachment.media_type)
        .bind(attachment.size)
        .bind(&attachment.filename)
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        if let Err(e) =
            crate::application::save_draft_answers(&mut tx, id, app.version, &answers).await
        {
            tx.rollback().await?;
            return Err(e);
        }
        tx.record(
            "civil.application.attach",
            format!("application:{id}"),
            serde_json::json!({ "field": field_id, "sha256": attachment.sha256, "media_type": media_type, "size": attachment.size }),
        );
        tx.commit().await?;
        Ok(attachment)
    }

    /// The application's attachments (for those who may see the application).
    pub async fn attachments(
        &self,
        principal: &Principal,
        id: ApplicationId,
    ) -> Result<Vec<Attachment>, CivilError> {
        self.application(principal, id).await?;
        let rows: Vec<(String, String, String, i64, String)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT field, sha256, media_type, size, filename FROM civil_attachments WHERE application = $1 ORDER BY field"
        )
        .bind(id.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(rows
            .into_iter()
            .map(|(field, sha256, media_type, size, filename)| Attachment {
                field,
                sha256,
                media_type,
                size,
                filename,
            })
            .collect())
    }

    /// One attachment's metadata and bytes, for the applicant or an official of the agency.
    pub async fn attachment(
        &self,
        principal: &Principal,
        id: ApplicationId,
        field: &str,
    ) -> Result<(Attachment, Vec<u8>), CivilError> {
        let found = self
            .attachments(principal, id)
            .await?
            .into_iter()
            .find(|a| a.field == field)
            .ok_or(CivilError::NotFound)?;
        let bytes = self
            .blobs()?
            .get(&location(&found.sha256))
            .await
            .map_err(|e| CivilError::Store(StoreError::Corrupt(format!("attachment store: {e}"))))?
            .bytes()
            .await
            .map_err(|e| {
                CivilError::Store(StoreError::Corrupt(format!("attachment store: {e}")))
            })?;
        // What we serve is what was checked.
        if hex(&Sha256::digest(&bytes)) != found.sha256 {
            return Err(CivilError::Store(StoreError::Corrupt(format!(
                "attachment {} does not match its hash",
                found.sha256
            ))));
        }
        Ok((found, bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type_and_names_are_cleaned() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0"),
            Some("application/vnd.microsoft.portable-executable")
        );
        assert_eq!(sniff(b"just some text"), None);
        assert_eq!(clean_name("C:\\Users\\me\\plan.pdf"), "plan.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\"c.pdf"), "abc.pdf");
        assert_eq!(clean_name("///"), "file");
    }
}
