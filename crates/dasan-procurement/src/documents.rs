//! Tender documents: the files a notice lists (specifications, drawings, forms). An official of
//! the procuring entity uploads each file first; its content (magic bytes, not the name or the
//! client's claim) decides its type, and it is kept once under its SHA-256 in a folder — the
//! same content-addressed design as civil attachments, and the hash the notice already carries.
//! A notice may then list it; publishing or amending a notice that lists a file its agency never
//! uploaded is refused. Anyone may download a document the tender's current notice lists, and
//! nothing else.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dasan_identity::Principal;
use dasan_store::{Tx, on_reader, on_tx};
use sha2::{Digest, Sha256};

use crate::error::{ProcurementError, corrupt, invalid};
use crate::notice::{TenderDocument, TenderNotice};
use crate::service::Procurement;
use crate::tenders::{TenderId, require_manage};

/// Largest document, in bytes (uploads are also bounded by the server's body limit).
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;
/// Most documents one notice may list.
pub const MAX_DOCUMENTS: usize = 30;
/// Most bytes the documents of one notice may add up to.
pub const MAX_DOCUMENTS_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// The types a tender document may be, as its content shows them: PDF, ODF and OOXML
/// documents, ZIP archives and images.
pub const ACCEPTED_TYPES: &[&str] = &[
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip",
    "image/png",
    "image/jpeg",
    "image/tiff",
];

/// A folder of files named by their SHA-256 (`sha256/ab/abcd…`). Writes go to a temporary file
/// in the same folder, are synced, then renamed: a name never points at a partial file.
#[derive(Clone, Debug)]
pub struct DocumentStore {
    dir: Arc<PathBuf>,
}

impl DocumentStore {
    /// The store in `dir` (created if missing).
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn open(dir: &Path) -> std::io::Result<DocumentStore> {
        std::fs::create_dir_all(dir.join("sha256"))?;
        Ok(DocumentStore {
            dir: Arc::new(dir.to_path_buf()),
        })
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join("sha256").join(&sha256[..2]).join(sha256)
    }

    fn put_blocking(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(sha256);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
            // Same name, same content (the name is its hash).
            return Ok(());
        }
        let folder = path
            .parent()
            .ok_or_else(|| std::io::Error::other("no parent folder"))?;
        std::fs::create_dir_all(folder)?;
        let tmp = folder.join(format!(".{sha256}.{}.tmp", uuid::Uuid::new_v4()));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written?;
        // The rename itself must survive a crash before the database row that relies on it.
        if let Ok(d) = std::fs::File::open(folder) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    async fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ProcurementError> {
        let store = self.clone();
        let sha = sha256.to_owned();
        tokio::task::spawn_blocking(move || store.put_blocking(&sha, &bytes))
            .await
            .map_err(|e| corrupt(format!("document store: {e}")))?
            .map_err(|e| corrupt(format!("document store: {e}")))
    }

    /// The bytes stored under `sha256`, checked against it; `None` when there are none.
    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProcurementError> {
        let path = self.path(sha256);
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(corrupt(format!("document store: {e}"))),
        };
        // What we serve is what was checked.
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(corrupt(format!(
                "document {sha256} does not match its hash"
            )));
        }
        Ok(Some(bytes))
    }
}

/// The media type `bytes` show (magic bytes), if it is one tender documents may be.
pub fn accepted_type(bytes: &[u8]) -> Option<&'static str> {
    let t = infer::get(bytes)?.mime_type();
    ACCEPTED_TYPES.iter().copied().find(|a| *a == t)
}

/// Whether `text` is a lower-case hex SHA-256.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A file name fit to show and to offer for download: no path, no control characters, no
/// quotes, at most 120 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "document".to_owned()
    } else {
        clean.trim().to_owned()
    }
}

impl Procurement {
    fn documents_store(&self) -> Result<&DocumentStore, ProcurementError> {
        self.documents
            .as_ref()
            .ok_or_else(|| corrupt("no document store"))
    }

    /// Uploads a tender document for the principal's agency (an official with
    /// `procurement.manage`): checked (not empty, at most [`MAX_DOCUMENT_BYTES`], content of an
    /// [`ACCEPTED_TYPES`] type), stored by hash, and recorded for the agency. Returns the entry
    /// to list in a notice's `documents`. Uploading the same content again is harmless.
    pub async fn upload_document(
        &self,
        principal: &Principal,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<TenderDocument, ProcurementError> {
        let agency = principal.agency.clone().ok_or(ProcurementError::Forbidden(
            "only officials upload tender documents",
        ))?;
        require_manage(principal, &agency)?;
        if bytes.is_empty() {
            return Err(invalid("file", "procurement-error-document-empty"));
        }
        let size = bytes.len() as u64;
        if size > MAX_DOCUMENT_BYTES {
            return Err(invalid("file", "procurement-error-document-too-large"));
        }
        let media_type = accepted_type(&bytes)
            .ok_or_else(|| invalid("file", "procurement-error-document-type"))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let doc = TenderDocument {
            name: clean_name(name),
            media_type: media_type.to_owned(),
            sha256,
            size,
        };
        // The bytes first: a row never points at a missing file.
        self.documents_store()?.put(&doc.sha256, bytes).await?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let size_i64 = i64::try_from(size).map_err(corrupt)?;
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_documents (agency, sha256, media_type, size, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agency, sha256) DO NOTHING"
        )
        .bind(&agency)
        .bind(&doc.sha256)
        .bind(&doc.media_type)
        .bind(size_i64)
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.document.upload",
            format!("document:{}", doc.sha256),
            serde_json::json!({
                "agency": agency,
                "name": doc.name,
                "media_type": doc.media_type,
                "size": doc.size,
            }),
        );
        tx.commit().await?;
        Ok(doc)
    }

    /// A document the tender's current notice lists, with its bytes — for anyone. Any other
    /// hash, or a tender that does not exist, is [`ProcurementError::NotFound`].
    pub async fn tender_document(
        &self,
        id: TenderId,
        sha256: &str,
    ) -> Result<(TenderDocument, Vec<u8>), ProcurementError> {
        if !is_sha256(sha256) {
            return Err(ProcurementError::NotFound);
        }
        let row = self.tender_row(&id.to_string()).await?;
        let listed = row
            .notice
            .documents
            .iter()
            .find(|d| d.sha256 == sha256)
            .cloned()
            .ok_or(ProcurementError::NotFound)?;
        // The type served is the one the content was checked to be at upload.
        let stored: Option<String> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT media_type FROM procurement_documents WHERE agency = $1 AND sha256 = $2"
        )
        .bind(&row.agency)
        .bind(sha256)
        .fetch_optional(p)
        .await)?;
        let media_type = stored.ok_or(ProcurementError::NotFound)?;
        let bytes = self
            .documents_store()?
            .get(sha256)
            .await?
            .ok_or(ProcurementError::NotFound)?;
        Ok((
            TenderDocument {
                media_type,
                size: bytes.len() as u64,
                ..listed
            },
            bytes,
        ))
    }
}

/// Refuses a notice that lists a document `agency` never uploaded, or lists one with another
/// type or size than its content has. Inside the amending transaction; publication checks
/// before its key ceremony, with the reader (upload rows are never removed).
pub(crate) async fn check_listed(
    tx: &mut Tx,
    agency: &str,
    notice: &TenderNotice,
) -> Result<(), ProcurementError> {
    let mut found = Vec::with_capacity(notice.documents.len());
    for d in &notice.documents {
        found.push(on_tx!(tx, |c| sqlx::query_as(
            "SELECT media_type, size FROM procurement_documents WHERE agency = $1 AND sha256 = $2"
        )
        .bind(agency)
        .bind(&d.sha256)
        .fetch_optional(c)
        .await)?);
    }
    listed_errors(notice, &found)
}

/// [`check_listed`] outside a transaction.
pub(crate) async fn check_listed_now(
    p: &Procurement,
    agency: &str,
    notice: &TenderNotice,
) -> Result<(), ProcurementError> {
    let mut found = Vec::with_capacity(notice.documents.len());
    for d in &notice.documents {
        found.push(on_reader!(p.db, |c| sqlx::query_as(
            "SELECT media_type, size FROM procurement_documents WHERE agency = $1 AND sha256 = $2"
        )
        .bind(agency)
        .bind(&d.sha256)
        .fetch_optional(c)
        .await)?);
    }
    listed_errors(notice, &found)
}

fn listed_errors(
    notice: &TenderNotice,
    found: &[Option<(String, i64)>],
) -> Result<(), ProcurementError> {
    let mut errors = Vec::new();
    for (i, (d, row)) in notice.documents.iter().zip(found).enumerate() {
        match row {
            None => errors.push(dasan_kernel::FieldError::new(
                format!("documents[{i}].sha256"),
                "procurement-error-document-missing",
            )),
            Some((media_type, size))
                if *media_type != d.media_type || u64::try_from(*size).ok() != Some(d.size) =>
            {
                errors.push(dasan_kernel::FieldError::new(
                    format!("documents[{i}]"),
                    "procurement-error-document-mismatch",
                ));
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ProcurementError::Invalid(errors))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type_and_names_are_cleaned() {
        assert_eq!(
            accepted_type(b"%PDF-1.7\n%\xe2\xe3"),
            Some("application/pdf")
        );
        assert_eq!(
            accepted_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(accepted_type(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(accepted_type(b"<html><script>"), None);
        assert_eq!(clean_name("C:\\Users\\me\\spec.pdf"), "spec.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\"c.pdf"), "abc.pdf");
        assert_eq!(clean_name(" / "), "document");
        assert!(is_sha256(&"a".repeat(64)));
        assert!(!is_sha256(&"A".repeat(64)));
        assert!(!is_sha256("../x"));
    }

    #[test]
    fn the_store_keeps_files_by_hash_and_checks_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocumentStore::open(dir.path()).unwrap();
        let bytes = b"%PDF-1.7\nhello".to_vec();
        let sha = hex::encode(Sha256::digest(&bytes));
        store.put_blocking(&sha, &bytes).unwrap();
        store.put_blocking(&sha, &bytes).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(store.get(&sha)).unwrap(), Some(bytes));
        assert_eq!(rt.block_on(store.get(&"0".repeat(64))).unwrap(), None);
        // No temporary file is left behind.
        let folder = dir.path().join("sha256").join(&sha[..2]);
        assert_eq!(std::fs::read_dir(folder).unwrap().count(), 1);
    }
}
