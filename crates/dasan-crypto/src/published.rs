//! The PKI layout in the platform database: written once by `dasan pki init` (audited), read by
//! every node to publish certificates, CRLs and the trust list over HTTP.

use crate::pki::PkiLayout;
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};

/// Saves the layout. Fails with [`StoreError::Duplicate`] if a PKI already exists.
pub async fn save_layout(mut tx: Tx, layout: &PkiLayout) -> Result<(), StoreError> {
    let json = serde_json::to_string(layout)
        .map_err(|e| StoreError::Corrupt(format!("PKI layout: {e}")))?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO pki_layout (id, layout, created_at) VALUES (1, $1, $2)"
    )
    .bind(&json)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "pki.init",
        "pki:platform",
        serde_json::json!({
            "root": layout.root.certificate.subject,
            "agencies": layout.agencies.iter().map(|a| &a.code).collect::<Vec<_>>(),
            "border_test": layout.border.as_ref().map(|b| &b.country),
        }),
    );
    tx.commit().await?;
    Ok(())
}

/// The layout, if the PKI has been created.
pub async fn load_layout(db: &Database) -> Result<Option<PkiLayout>, StoreError> {
    let row: Option<(String,)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT layout FROM pki_layout WHERE id = 1"
    )
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    row.map(|(json,)| {
        serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("PKI layout: {e}")))
    })
    .transpose()
}

/// The DER CRL published under `file` (the last segment of a CA's CRL address).
pub fn crl_named<'a>(layout: &'a PkiLayout, file: &str) -> Option<&'a [u8]> {
    let cas = std::iter::once(&layout.root)
        .chain(layout.agencies.iter().map(|a| &a.issuing_ca))
        .chain(layout.border.iter().map(|b| &b.csca));
    cas.into_iter()
        .find(|ca| ca.crl_url.rsplit('/').next() == Some(file))
        .map(|ca| ca.crl.der.as_slice())
}

/// Re-issues the CRLs and the trust list that are due (see [`PkiLayout::refresh`]) and saves
/// the layout, audited. Safe on several nodes at once: a node that loses the race discards
/// what it signed, so CRL numbers never repeat.
pub async fn refresh(
    db: &Database,
    store: &dyn crate::KeyStore,
    now: std::time::SystemTime,
) -> Result<Option<crate::pki::Refreshed>, RefreshError> {
    let row: Option<(String,)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT layout FROM pki_layout WHERE id = 1"
    )
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let Some((old_json,)) = row else {
        return Ok(None);
    };
    let mut layout: PkiLayout = serde_json::from_str(&old_json)
        .map_err(|e| StoreError::Corrupt(format!("PKI layout: {e}")))?;
    let done = layout.refresh(store, now)?;
    if done.crls.is_empty() && !done.trust_list {
        return Ok(Some(done));
    }
    let json = serde_json::to_string(&layout)
        .map_err(|e| StoreError::Corrupt(format!("PKI layout: {e}")))?;
    let mut tx = db.begin(dasan_kernel::Actor::system()).await?;
    let updated = on_tx!(tx, |c| sqlx::query(
        "UPDATE pki_layout SET layout = $1 WHERE id = 1 AND layout = $2"
    )
    .bind(&json)
    .bind(&old_json)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if updated == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.record(
        "pki.refresh",
        "pki:platform",
        serde_json::json!({ "crls": done.crls, "trust_list": done.trust_list, "skipped": done.skipped }),
    );
    tx.commit().await?;
    Ok(Some(done))
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pki(#[from] crate::pki::PkiError),
}
