//! Opening: committee members release their shares after the opening time (each release an
//! audited act); with `t` of them the tender key is rebuilt in memory only, the bids are
//! decrypted and checked against the bid-box record, the reserve-price seed is opened and the
//! draw made, and the signed opening record is stored. The released shares are erased in the
//! same transaction.

use dasan_identity::{AccountKind, Permission, Principal, Scope};
use dasan_store::{on_reader, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::{ProcurementError, corrupt};
use crate::service::{PlatformSignature, Procurement, from_json, notify_tender, to_json};
use crate::tenders::{TenderId, TenderStatus, tender_tx};
use crate::{
    BidBoxRecord, BidId, KeyShare, OpeningRecord, ReserveDraw, ReserveDrawInput, StoredBid,
    open_bids, picks_from_opening, reconstruct_tender_key, reserve_price_draw,
};

/// The reserve price draw as published: its public inputs (the seed revealed) and result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDraw {
    pub input: ReserveDrawInput,
    pub draw: ReserveDraw,
}

/// The signed opening record and, when the tender has one, the reserve price draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOpening {
    pub record: OpeningRecord,
    /// Over `record.to_json_bytes()`.
    pub signature: PlatformSignature,
    pub reserve: Option<PublishedDraw>,
}

/// Where a closed (or not yet closed) tender stands on the way to its opening, as the
/// procuring entity's opening page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningReadiness {
    pub status: TenderStatus,
    pub opening_at: dasan_kernel::Timestamp,
    /// Shares needed (t) and committee size (n).
    pub threshold: u8,
    pub committee_size: usize,
    /// Shares released so far (the releases stay on record after the opening).
    pub released: usize,
    /// The clock has reached the opening time.
    pub time_reached: bool,
}

impl OpeningReadiness {
    /// Everything [`Procurement::open`] checks before it rebuilds the key holds now.
    pub fn can_open(&self) -> bool {
        self.status == TenderStatus::Closed
            && self.time_reached
            && self.released >= usize::from(self.threshold)
    }
}

impl Procurement {
    /// A committee member releases their share (decrypted on their side with their own key)
    /// after the opening time, once the bid box is closed.
    pub async fn release_share(
        &self,
        principal: &Principal,
        tender: TenderId,
        share: &KeyShare,
    ) -> Result<(), ProcurementError> {
        if principal.kind != AccountKind::Official {
            return Err(ProcurementError::Forbidden(
                "only committee members release shares",
            ));
        }
        let tender_id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &tender_id).await?;
        let index: Option<i64> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT member_index FROM procurement_committee WHERE tender_id = $1 AND account_id = $2"
        )
        .bind(&tender_id)
        .bind(principal.account.to_string())
        .fetch_optional(c)
        .await
        })?;
        let index = index.ok_or(ProcurementError::Forbidden(
            "not on this tender's committee",
        ))?;
        if index != i64::from(share.member_index()) {
            return Err(ProcurementError::Forbidden(
                "this share is another member's",
            ));
        }
        if row.status != TenderStatus::Closed {
            return Err(ProcurementError::Transition {
                action: "release a share",
                status: row.status.as_str().to_owned(),
            });
        }
        let now = tx.now();
        if now < row.notice.timeline.opening_at {
            return Err(ProcurementError::TooEarly(row.notice.timeline.opening_at));
        }
        let bytes = share.to_bytes();
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_share_releases (tender_id, member_index, account_id, share, released_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tender_id, member_index) DO NOTHING"
        )
        .bind(&tender_id)
        .bind(index)
        .bind(principal.account.to_string())
        .bind(hex::encode(bytes.as_slice()))
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if inserted == 0 {
            return Err(ProcurementError::Transition {
                action: "release a share",
                status: "already released".into(),
            });
        }
        tx.record(
            "procurement.share.release",
            format!("tender:{tender_id}"),
            serde_json::json!({ "member_index": index }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Opens the bids of a closed tender after its opening time, with the released shares.
    /// Fewer than `t`: [`ProcurementError::NotEnoughShares`] and nothing changes.
    pub async fn open(
        &self,
        principal: &Principal,
        tender: TenderId,
    ) -> Result<SignedOpening, ProcurementError> {
        let tender_id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &tender_id).await?;
        principal
            .require(Permission::ProcurementManage, Scope::Agency(&row.agency))
            .map_err(|_| {
                ProcurementError::Forbidden("procurement.manage in the procuring entity")
            })?;
        if row.status != TenderStatus::Closed {
            return Err(ProcurementError::Transition {
                action: "open",
                status: row.status.as_str().to_owned(),
            });
        }
        let now = tx.now();
        if now < row.notice.timeline.opening_at {
            return Err(ProcurementError::TooEarly(row.notice.timeline.opening_at));
        }
        let released: Vec<Option<String>> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT share FROM procurement_share_releases WHERE tender_id = $1 ORDER BY member_index"
        )
        .bind(&tender_id)
        .fetch_all(c)
        .await
        })?;
        let shares = released
            .iter()
            .flatten()
            .map(|h| {
                let bytes = zeroize::Zeroizing::new(hex::decode(h).map_err(corrupt)?);
                KeyShare::from_bytes(&bytes).map_err(corrupt)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if shares.len() < usize::from(row.threshold) {
            return Err(ProcurementError::NotEnoughShares {
                have: shares.len(),
                need: row.threshold,
            });
        }
        let key = reconstruct_tender_key(&row.ceremony, &shares).map_err(|e| match e {
            crate::ReconstructError::NotEnoughShares { have, need } => {
                ProcurementError::NotEnoughShares { have, need }
            }
            other => ProcurementError::Reconstruct(other),
        })?;
        drop(shares);
        let record: BidBoxRecord = from_json(
            row.bid_box
                .as_deref()
                .ok_or_else(|| corrupt("closed without a bid box"))?,
        )?;
        record.verify().map_err(corrupt)?;
        let stored_rows: Vec<(String, Vec<u8>)> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, envelope FROM procurement_bids WHERE tender_id = $1 AND status = 'active' ORDER BY id"
        )
        .bind(&tender_id)
        .fetch_all(c)
        .await
        })?;
        let stored = stored_rows
            .into_iter()
            .map(|(id, envelope)| {
                Ok(StoredBid {
                    // A row whose id is not even hex is listed under the hash of its bytes.
                    bid_id: BidId::from_hex(&id).unwrap_or_else(|| BidId::of(&envelope)),
                    envelope,
                })
            })
            .collect::<Result<Vec<_>, ProcurementError>>()?;
        let opening = open_bids(&key, &record, &stored);
        let reserve = match (
            row.notice.reserve_price,
            row.sealed_seed.as_deref(),
            row.seed_commitment.as_deref(),
        ) {
            (Some(rule), Some(sealed), Some(commitment)) => {
                let sealed = hex::decode(sealed).map_err(corrupt)?;
                let mut c = [0u8; 32];
                hex::decode_to_slice(commitment, &mut c).map_err(corrupt)?;
                let seed = crate::seed::open_seed(&tender_id, &key, &sealed, &c)
                    .map_err(|e| ProcurementError::Seed(e.to_string()))?;
                let input = ReserveDrawInput {
                    tender_id: tender_id.clone(),
                    base_amount: rule.base_amount,
                    band_bp: rule.band_bp,
                    seed_commitment: c,
                    seed,
                    bid_box_root: record.root.0,
                    picks: picks_from_opening(&opening.record),
                };
                let draw = reserve_price_draw(&input)
                    .map_err(|e| ProcurementError::Seed(e.to_string()))?;
                Some(PublishedDraw { input, draw })
            }
            _ => None,
        };
        drop(key);
        let bytes = opening.record.to_json_bytes();
        let signed = SignedOpening {
            signature: self.sign(&bytes)?,
            record: opening.record,
            reserve,
        };
        let at = now.as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_tenders SET status = 'opened', opened_at = $2, opening_record = $3, \
                opening_signature = $4, reserve_draw = $5 WHERE id = $1 AND status = 'closed'"
        )
        .bind(&tender_id)
        .bind(at)
        .bind(String::from_utf8(bytes).map_err(corrupt)?)
        .bind(to_json(&signed.signature)?)
        .bind(signed.reserve.as_ref().map(to_json).transpose()?)
        .execute(c)
        .await
        .map(drop)
        })?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_share_releases SET share = NULL WHERE tender_id = $1"
        )
        .bind(&tender_id)
        .execute(c)
        .await
        .map(drop))?;
        let rejected: Vec<serde_json::Value> = signed
            .record
            .rejected
            .iter()
            .map(|r| serde_json::json!({ "bid": r.bid_id.to_hex(), "reason": r.reason.code() }))
            .collect();
        notify_tender(
            &mut tx,
            &tender_id,
            &format!("Bids opened: {}", row.notice.title),
            &format!(
                "The bids of tender {tender_id} were opened: {} opened, {} rejected. The signed opening record is published.\n",
                signed.record.opened.len(),
                signed.record.rejected.len()
            ),
        )
        .await?;
        tx.record(
            "procurement.tender.open",
            format!("tender:{tender_id}"),
            serde_json::json!({
                "opened": signed.record.opened.len(),
                "rejected": rejected,
                "missing": signed.record.missing.iter().map(BidId::to_hex).collect::<Vec<_>>(),
                "bid_box_root": hex::encode(record.root.0),
                "reserve_price": signed.reserve.as_ref().map(|r| r.draw.reserve_price),
                "key": signed.signature.key_id,
            }),
        );
        tx.commit().await?;
        Ok(signed)
    }

    /// How close the tender is to being opened, for an official of its procuring entity
    /// (`procurement.manage` in the agency, as [`Procurement::open`]; `NotFound` for anyone
    /// else, so the page does not reveal the tender's committee state).
    pub async fn opening_readiness(
        &self,
        principal: &Principal,
        tender: TenderId,
    ) -> Result<OpeningReadiness, ProcurementError> {
        let tender_id = tender.to_string();
        let row = self.tender_row(&tender_id).await?;
        crate::tenders::require_manage(principal, &row.agency)
            .map_err(|_| ProcurementError::NotFound)?;
        let (released, committee): (i64, i64) = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM procurement_share_releases WHERE tender_id = $1), \
                        (SELECT COUNT(*) FROM procurement_committee WHERE tender_id = $1)",
            )
            .bind(&tender_id)
            .fetch_one(p)
            .await
        })?;
        Ok(OpeningReadiness {
            status: row.status,
            opening_at: row.notice.timeline.opening_at,
            threshold: row.threshold,
            committee_size: usize::try_from(committee).map_err(corrupt)?,
            released: usize::try_from(released).map_err(corrupt)?,
            time_reached: self.now() >= row.notice.timeline.opening_at,
        })
    }

    /// The published opening record of an opened tender.
    pub async fn opening(&self, tender: TenderId) -> Result<SignedOpening, ProcurementError> {
        type Row = (Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT opening_record, opening_signature, reserve_draw FROM procurement_tenders WHERE id = $1"
        )
        .bind(tender.to_string())
        .fetch_optional(p)
        .await
        })?;
        match row.ok_or(ProcurementError::NotFound)? {
            (Some(record), Some(signature), reserve) => Ok(SignedOpening {
                record: from_json(&record)?,
                signature: from_json(&signature)?,
                reserve: reserve.as_deref().map(from_json).transpose()?,
            }),
            _ => Err(ProcurementError::NotFound),
        }
    }
}
