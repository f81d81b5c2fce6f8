//! Sealed bids: accepting a supplier-sealed and signed submission or sealing a form on the
//! server, withdrawal and replacement until the deadline, signed receipts, and closing the bid
//! box at the deadline with its signed record.
//!
//! **The deadline rule.** A bid is accepted only if the transaction that receives it reads the
//! clock strictly before the bid deadline: received at `deadline − 1 µs`, accepted; at
//! `deadline`, refused ([`ProcurementError::DeadlinePassed`]). The box closes at the same
//! instant (`now ≥ deadline`). Every submission first reads the tender row under
//! `status = 'published'` with a shared lock (`FOR SHARE`), and closing first flips that row to
//! `closed`, which waits for the shared locks: on PostgreSQL a bid either commits before the box
//! is built (and is in it) or finds the tender closed — never a receipt for a bid outside the
//! box. Submissions to one tender share the lock, so they do not queue behind each other; a
//! supplier's own submissions do (its supplier row is locked), so replacing a bid is never raced.
//! SQLite runs one writer at a time (`BEGIN IMMEDIATE`), which gives the same order.

use dasan_identity::Principal;
use dasan_kernel::Timestamp;
use dasan_registry::{BusinessId, BusinessStatus};
use dasan_store::{Tx, TxConn, on_reader, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::{ProcurementError, corrupt};
use crate::service::{PlatformSignature, Procurement, from_json, notify_tender, to_json};
use crate::suppliers::{check_eligibility, lock_supplier_facts};
use crate::tenders::{TenderId, TenderStatus, add_interest};
use crate::{BidBoxRecord, BidId, BidPayload, BidReceipt, SealedBid, SignedBid};

/// The receipt the platform gives a bidder, with its signature over `receipt.to_json_bytes()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    pub receipt: BidReceipt,
    pub signature: PlatformSignature,
}

impl SignedReceipt {
    /// Checks the platform's signature (and nothing else).
    ///
    /// # Errors
    /// When it does not verify.
    pub fn verify(&self) -> Result<(), dasan_crypto::verify::VerifyError> {
        self.signature.verify(&self.receipt.to_json_bytes())
    }
}

/// The signed bid-box record of a closed tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBidBox {
    pub record: BidBoxRecord,
    /// Over `serde_json::to_vec(&record)`.
    pub signature: PlatformSignature,
}

impl SignedBidBox {
    /// Checks the record's own consistency and the platform's signature.
    ///
    /// # Errors
    /// A description of the first problem.
    pub fn verify(&self) -> Result<(), String> {
        self.record.verify().map_err(|e| e.to_string())?;
        let bytes = serde_json::to_vec(&self.record).map_err(|e| e.to_string())?;
        self.signature.verify(&bytes).map_err(|e| e.to_string())
    }
}

/// How a bid reached the platform.
enum Submission {
    /// Sealed and signed by the supplier's client; `key` is the bidder's registered key.
    Signed(SignedBid),
    /// Sealed by the server from the no-JavaScript form.
    Server(SealedBid),
}

impl Procurement {
    /// Accepts a bid the supplier's client sealed and signed (`DSBS` bytes, as `dasan bid seal`
    /// writes them): the signature must verify with the submitting bidder's registered key,
    /// the envelope must name this tender, its key, its lots and the supplier. Replaces the
    /// supplier's earlier bid, if any.
    pub async fn submit_signed_bid(
        &self,
        principal: &Principal,
        business: BusinessId,
        tender: TenderId,
        submission: &[u8],
    ) -> Result<SignedReceipt, ProcurementError> {
        let bidder = self.bidder(principal, business).await?;
        let signed = SignedBid::parse_and_verify(submission)?;
        if bidder.key.as_deref() != Some(hex::encode(&signed.signer_spki).as_str()) {
            return Err(ProcurementError::UnknownSigningKey);
        }
        let submission = Submission::Signed(signed);
        self.accept(principal, business, bidder.record, tender, submission)
            .await
    }

    /// Seals a bid on the server (the form that works without JavaScript). The payload's tender
    /// and supplier are set from the request; the plaintext is sealed at once, dropped, and
    /// never stored or logged.
    pub async fn submit_form_bid(
        &self,
        principal: &Principal,
        business: BusinessId,
        tender: TenderId,
        mut payload: BidPayload,
    ) -> Result<SignedReceipt, ProcurementError> {
        let bidder = self.bidder(principal, business).await?;
        let row = self.tender_row(&tender.to_string()).await?;
        payload.tender_id = tender.to_string();
        payload.supplier_id = business.to_string();
        let sealed = crate::seal_bid(&row.ceremony.public_key, &payload);
        drop(payload);
        let submission = Submission::Server(sealed?);
        self.accept(principal, business, bidder.record, tender, submission)
            .await
    }

    async fn accept(
        &self,
        principal: &Principal,
        business: BusinessId,
        record: Option<dasan_registry::Business>,
        tender: TenderId,
        submission: Submission,
    ) -> Result<SignedReceipt, ProcurementError> {
        // The registry's word on the business, now (once-only; a closed business cannot bid),
        // unless checking the bidder just read it.
        let found = match record {
            Some(found) => found,
            None => self
                .registry
                .business(business)
                .await?
                .ok_or(ProcurementError::NotRegistered)?,
        };
        if found.data.status != BusinessStatus::Active {
            return Err(ProcurementError::BusinessNotActive(
                found.data.status.as_str(),
            ));
        }
        let (tender_id, bid_text) = (tender.to_string(), business.to_string());
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now();
        let (deadline, notice, ceremony) = lock_open_tender(&mut tx, &tender_id, now).await?;
        let notice: crate::notice::TenderNotice = from_json(&notice)?;
        let facts = lock_supplier_facts(&mut tx, &bid_text).await?;
        check_eligibility(&bid_text, facts.as_ref(), &notice, now)?;
        let ceremony: crate::KeyCeremony = from_json(&ceremony)?;
        let (sealed, sealed_by, spki, signature) = match &submission {
            Submission::Signed(s) => (
                &s.sealed,
                "supplier",
                Some(hex::encode(&s.signer_spki)),
                Some(hex::encode(&s.signature)),
            ),
            Submission::Server(s) => (s, "server", None, None),
        };
        sealed.check_tender(&tender_id, &ceremony.public_key, &notice.lot_ids())?;
        if sealed.header().supplier_id != bid_text {
            return Err(ProcurementError::Forbidden(
                "the envelope names another supplier",
            ));
        }
        let bid_id = sealed.id();
        let bid_hex = bid_id.to_hex();
        let replaced = replace_active_bid(&mut tx, &tender_id, &bid_text, now, &bid_hex).await?;
        let receipt = BidReceipt::new(sealed, now.as_micros());
        let signature_of_receipt = self.sign(&receipt.to_json_bytes())?;
        let signed = SignedReceipt {
            receipt,
            signature: signature_of_receipt,
        };
        // The same envelope twice (a retry) conflicts on its id: refused, with what became of it.
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_bids (id, tender_id, business_id, envelope, sealed_by, signer_spki, signature, \
                submitted_by, status, received_at, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10) \
                ON CONFLICT (id) DO NOTHING"
        )
        .bind(&bid_hex)
        .bind(&tender_id)
        .bind(&bid_text)
        .bind(sealed.as_bytes())
        .bind(sealed_by)
        .bind(&spki)
        .bind(&signature)
        .bind(principal.account.to_string())
        .bind(now.as_micros())
        .bind(to_json(&signed)?)
        .execute(c)
        .await
        .map(|done| done.rows_affected())
        })?;
        if inserted == 0 {
            let status: String = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT status FROM procurement_bids WHERE id = $1"
            )
            .bind(&bid_hex)
            .fetch_one(c)
            .await)?;
            return Err(ProcurementError::Transition {
                action: "submit the same bid again",
                status,
            });
        }
        // Never the plaintext, prices or documents: only what the receipt already says.
        tx.record(
            "procurement.bid.submit",
            format!("tender:{tender_id}"),
            serde_json::json!({
                "bid": bid_hex,
                "supplier": bid_text,
                "sealed_by": sealed_by,
                "replaced": replaced,
                "size": sealed.as_bytes().len(),
                "deadline": deadline,
            }),
        );
        tx.commit().await?;
        Ok(signed)
    }

    /// Withdraws the supplier's active bid before the deadline (the box then holds none of its
    /// bids).
    pub async fn withdraw_bid(
        &self,
        principal: &Principal,
        business: BusinessId,
        tender: TenderId,
    ) -> Result<BidId, ProcurementError> {
        self.bidder_key(principal, business).await?;
        let (tender_id, bid_text) = (tender.to_string(), business.to_string());
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now();
        lock_open_tender(&mut tx, &tender_id, now).await?;
        let withdrawn: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "UPDATE procurement_bids SET status = 'withdrawn', ended_at = $3 \
             WHERE tender_id = $1 AND business_id = $2 AND status = 'active' RETURNING id"
        )
        .bind(&tender_id)
        .bind(&bid_text)
        .bind(now.as_micros())
        .fetch_optional(c)
        .await)?;
        let withdrawn = withdrawn.ok_or(ProcurementError::NotFound)?;
        tx.record(
            "procurement.bid.withdraw",
            format!("tender:{tender_id}"),
            serde_json::json!({ "bid": withdrawn, "supplier": bid_text }),
        );
        tx.commit().await?;
        BidId::from_hex(&withdrawn).ok_or_else(|| corrupt("bid id"))
    }

    /// Closes the bid box at (or after) the deadline: the record of the active bids' ids and
    /// their Merkle root, signed with the platform key, stored and published; bidders are told.
    pub async fn close_bid_box(&self, tender: TenderId) -> Result<SignedBidBox, ProcurementError> {
        let tender_id = tender.to_string();
        let mut tx = self.db.begin(dasan_kernel::Actor::system()).await?;
        let now = tx.now();
        let closed: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "UPDATE procurement_tenders SET status = 'closed', closed_at = $2 \
             WHERE id = $1 AND status = 'published' AND bid_deadline <= $2 RETURNING bid_deadline"
        )
        .bind(&tender_id)
        .bind(now.as_micros())
        .fetch_optional(c)
        .await)?;
        if closed.is_none() {
            let row = crate::tenders::tender_tx(&mut tx, &tender_id).await?;
            return Err(if row.status == TenderStatus::Published {
                ProcurementError::TooEarly(row.notice.timeline.bid_deadline)
            } else {
                ProcurementError::Transition {
                    action: "close the bid box",
                    status: row.status.as_str().to_owned(),
                }
            });
        }
        let ids: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM procurement_bids WHERE tender_id = $1 AND status = 'active'"
        )
        .bind(&tender_id)
        .fetch_all(c)
        .await)?;
        let ids = ids
            .iter()
            .map(|h| BidId::from_hex(h).ok_or_else(|| corrupt("bid id")))
            .collect::<Result<Vec<_>, _>>()?;
        let record = BidBoxRecord::new(&tender_id, ids).map_err(corrupt)?;
        let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
        let signed = SignedBidBox {
            signature: self.sign(&bytes)?,
            record,
        };
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_tenders SET bid_box = $2, bid_box_signature = $3, bids_received = $4 \
             WHERE id = $1"
        )
        .bind(&tender_id)
        .bind(String::from_utf8(bytes).map_err(corrupt)?)
        .bind(to_json(&signed.signature)?)
        .bind(i64::try_from(signed.record.tree_size).map_err(corrupt)?)
        .execute(c)
        .await
        .map(drop)
        })?;
        let root = hex::encode(signed.record.root.0);
        notify_tender(
            &mut tx,
            &tender_id,
            "Bid box closed",
            &format!(
                "The bid box of tender {tender_id} closed with {} bids; Merkle root {root}.\n\
                 Check your receipt's bid id against the published record.\n",
                signed.record.tree_size
            ),
        )
        .await?;
        tx.record(
            "procurement.bidbox.close",
            format!("tender:{tender_id}"),
            serde_json::json!({ "bids": signed.record.tree_size, "root": root, "key": signed.signature.key_id }),
        );
        tx.commit().await?;
        Ok(signed)
    }

    /// Closes every bid box whose deadline has come (for the background worker; run
    /// [`Procurement::apply_outage_rule`] first). Returns the tenders closed.
    pub async fn close_due(&self) -> Result<Vec<TenderId>, ProcurementError> {
        let now = self.now();
        let due: Vec<String> = on_reader!(self.db, |p| {
            sqlx::query_scalar(
            "SELECT id FROM procurement_tenders WHERE status = 'published' AND bid_deadline <= $1 ORDER BY bid_deadline, id"
        )
        .bind(now.as_micros())
        .fetch_all(p)
        .await
        })?;
        let mut out = Vec::new();
        for id in due {
            let id: TenderId = id.parse().map_err(|_| corrupt("tender id"))?;
            match self.close_bid_box(id).await {
                Ok(_) => out.push(id),
                // Another node closed it, or the outage rule moved its deadline meanwhile.
                Err(ProcurementError::Transition { .. } | ProcurementError::TooEarly(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The signed receipt of the supplier's active bid on the tender, for its authorised
    /// bidders (the representative, or staff the representative authorised).
    pub async fn receipt(
        &self,
        principal: &Principal,
        business: BusinessId,
        tender: TenderId,
    ) -> Result<SignedReceipt, ProcurementError> {
        self.bidder_key(principal, business).await?;
        let row: Option<String> = on_reader!(self.db, |p| {
            sqlx::query_scalar(
            "SELECT receipt FROM procurement_bids WHERE tender_id = $1 AND business_id = $2 AND status = 'active'"
        )
        .bind(tender.to_string())
        .bind(business.to_string())
        .fetch_optional(p)
        .await
        })?;
        from_json(&row.ok_or(ProcurementError::NotFound)?)
    }

    /// The published bid-box record of a closed tender.
    pub async fn bid_box(&self, tender: TenderId) -> Result<SignedBidBox, ProcurementError> {
        let row: Option<(Option<String>, Option<String>)> =
            on_reader!(self.db, |p| sqlx::query_as(
                "SELECT bid_box, bid_box_signature FROM procurement_tenders WHERE id = $1"
            )
            .bind(tender.to_string())
            .fetch_optional(p)
            .await)?;
        match row.ok_or(ProcurementError::NotFound)? {
            (Some(record), Some(signature)) => Ok(SignedBidBox {
                record: from_json(&record)?,
                signature: from_json(&signature)?,
            }),
            _ => Err(ProcurementError::NotFound),
        }
    }
}

/// Marks the supplier's active bid on the tender (other than `bid`) replaced, returning the ids,
/// and registers the supplier's interest in the tender (amendments and the box's closing are
/// sent to it). On PostgreSQL one statement (every bid pays for its round trips); SQLite, in
/// process, has no data-modifying `WITH`. A refused bid rolls both back.
async fn replace_active_bid(
    tx: &mut Tx,
    tender_id: &str,
    business: &str,
    now: Timestamp,
    bid: &str,
) -> Result<Vec<String>, ProcurementError> {
    macro_rules! replace {
        () => {
            "UPDATE procurement_bids SET status = 'replaced', ended_at = $3 \
             WHERE tender_id = $1 AND business_id = $2 AND status = 'active' AND id <> $4 RETURNING id"
        };
    }
    macro_rules! fetch {
        ($sql:expr, $conn:expr) => {
            sqlx::query_scalar($sql)
                .bind(tender_id)
                .bind(business)
                .bind(now.as_micros())
                .bind(bid)
                .fetch_all(&mut **$conn)
                .await
                .map_err(dasan_store::StoreError::from_sqlx)?
        };
    }
    let replaced = match tx.conn() {
        TxConn::Postgres(c) => fetch!(
            concat!(
                "WITH interest AS (INSERT INTO procurement_interest (tender_id, business_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (tender_id, business_id) DO NOTHING) ",
                replace!()
            ),
            c
        ),
        TxConn::Sqlite(c) => fetch!(replace!(), c),
    };
    if matches!(tx.conn(), TxConn::Sqlite(_)) {
        add_interest(tx, tender_id, business).await?;
    }
    Ok(replaced)
}

/// Locks the tender row for a bid change: it must be published and `now` strictly before its
/// deadline. Returns the deadline and the notice JSON.
async fn lock_open_tender(
    tx: &mut Tx,
    tender_id: &str,
    now: Timestamp,
) -> Result<(Timestamp, String, String), ProcurementError> {
    // Past the deadline nothing is locked, so late submissions cannot hold up the closing.
    let row: Option<(i64, String, String)> = match tx.conn() {
        TxConn::Postgres(c) => sqlx::query_as(
            "SELECT bid_deadline, notice, ceremony FROM procurement_tenders \
             WHERE id = $1 AND status = 'published' AND bid_deadline > $2 FOR SHARE",
        )
        .bind(tender_id)
        .bind(now.as_micros())
        .fetch_optional(&mut **c)
        .await
        .map_err(dasan_store::StoreError::from_sqlx)?,
        TxConn::Sqlite(c) => sqlx::query_as(
            "SELECT bid_deadline, notice, ceremony FROM procurement_tenders \
             WHERE id = $1 AND status = 'published' AND bid_deadline > $2",
        )
        .bind(tender_id)
        .bind(now.as_micros())
        .fetch_optional(&mut **c)
        .await
        .map_err(dasan_store::StoreError::from_sqlx)?,
    };
    if let Some((deadline, notice, ceremony)) = row {
        return Ok((Timestamp::from_micros(deadline), notice, ceremony));
    }
    let row = crate::tenders::tender_tx(tx, tender_id).await?;
    Err(match row.status {
        TenderStatus::Cancelled => ProcurementError::Transition {
            action: "bid",
            status: "cancelled".into(),
        },
        TenderStatus::Published
        | TenderStatus::Closed
        | TenderStatus::Opened
        | TenderStatus::Evaluated
        | TenderStatus::Awarded => ProcurementError::DeadlinePassed {
            deadline: row.notice.timeline.bid_deadline,
            received: now,
        },
    })
}
