//! The outage rule: the platform records its own availability (a heartbeat per node per
//! interval), and a tender whose bid deadline had unavailability within the configured window
//! before it gets its deadline (and opening time) moved, recorded as a notice version,
//! announced to suppliers and audited.
//!
//! Unavailability is a gap longer than `outage_max_gap` between consecutive heartbeats of any
//! node, looking at `[deadline − window, min(now, deadline)]` — starting from the last beat
//! before the window, and only after the tender's previous outage extension, so one outage
//! extends a deadline once. Run [`record_heartbeat`] then [`Procurement::apply_outage_rule`]
//! then [`Procurement::close_due`] from the worker, every interval.

use dasan_kernel::Timestamp;
use dasan_store::{Database, on_reader, on_tx};
use serde::Serialize;

use crate::error::{ProcurementError, corrupt};
use crate::notice::{HOUR_US, TenderNotice, ceil_hour, hour_of};
use crate::service::{Procurement, force_slot, from_json, notify_tender, release_slot};
use crate::tenders::{TenderId, record_version, update_timeline};

/// How long heartbeats are kept.
const KEEP_BEATS_US: i64 = 30 * 24 * HOUR_US;

/// Records that `node` is up now (bookkeeping: heartbeats are not business changes and would
/// flood the audit log; what they cause — an extension — is audited). Prunes beats older than
/// 30 days.
pub async fn record_heartbeat(db: &Database, node: &str) -> Result<Timestamp, ProcurementError> {
    let mut tx = db
        .begin_bookkeeping("heartbeat: the platform records its own availability")
        .await?;
    let now = tx.now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO platform_heartbeats (node, at) VALUES ($1, $2) ON CONFLICT (node, at) DO NOTHING"
    )
    .bind(node)
    .bind(now.as_micros())
    .execute(c)
    .await
    .map(drop)
    })?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM platform_heartbeats WHERE at < $1"
    )
    .bind(now.as_micros() - KEEP_BEATS_US)
    .execute(c)
    .await
    .map(drop))?;
    tx.commit().await?;
    Ok(now)
}

/// A deadline the outage rule moved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutageExtension {
    pub tender: TenderId,
    /// The unavailability found: from the last beat before it to the first beat after it (or the
    /// end of the window).
    pub gap_from: Timestamp,
    pub gap_to: Timestamp,
    pub old_deadline: Timestamp,
    pub new_deadline: Timestamp,
    pub new_opening_at: Timestamp,
}

/// The longest gap above `max_gap` between consecutive points of `[start, beats…, end]`.
pub fn find_gap(start: i64, beats: &[i64], end: i64, max_gap: i64) -> Option<(i64, i64)> {
    let mut prev = start;
    let mut worst: Option<(i64, i64)> = None;
    for &b in beats
        .iter()
        .filter(|&&b| b > start && b <= end)
        .chain([end].iter())
    {
        if b - prev > max_gap && worst.is_none_or(|(f, t)| b - prev > t - f) {
            worst = Some((prev, b));
        }
        prev = prev.max(b);
    }
    worst
}

impl Procurement {
    /// Extends the deadline of every published tender that had unavailability within the
    /// window before its deadline. Extensions ignore the per-hour cap: they are not the
    /// procuring entity's choice and must not fail.
    pub async fn apply_outage_rule(&self) -> Result<Vec<OutageExtension>, ProcurementError> {
        let now = self.now().as_micros();
        let window = i64::try_from(self.config.outage_window.as_micros()).unwrap_or(i64::MAX);
        let max_gap = i64::try_from(self.config.outage_max_gap.as_micros()).unwrap_or(i64::MAX);
        let candidates: Vec<(String, i64)> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id, bid_deadline FROM procurement_tenders WHERE status = 'published' AND bid_deadline - $2 <= $1 \
             ORDER BY bid_deadline, id"
        )
        .bind(now)
        .bind(window)
        .fetch_all(p)
        .await
        })?;
        let mut out = Vec::new();
        for (id, deadline) in candidates {
            let last_extension: Option<i64> = on_reader!(self.db, |p| {
                sqlx::query_scalar(
                "SELECT MAX(created_at) FROM procurement_tender_versions WHERE tender_id = $1 AND kind = 'outage_extension'"
            )
            .bind(&id)
            .fetch_one(p)
            .await
            })?;
            let window_start = (deadline - window).max(last_extension.unwrap_or(i64::MIN));
            let window_end = now.min(deadline);
            if window_end <= window_start {
                continue;
            }
            let before: Option<i64> = on_reader!(self.db, |p| sqlx::query_scalar(
                "SELECT MAX(at) FROM platform_heartbeats WHERE at <= $1"
            )
            .bind(window_start)
            .fetch_one(p)
            .await)?;
            let beats: Vec<i64> = on_reader!(self.db, |p| {
                sqlx::query_scalar(
                "SELECT DISTINCT at FROM platform_heartbeats WHERE at > $1 AND at <= $2 ORDER BY at"
            )
            .bind(window_start)
            .bind(window_end)
            .fetch_all(p)
            .await
            })?;
            // Before any heartbeat was ever written there is no evidence either way.
            let Some(start) = before.or(beats.first().copied()) else {
                continue;
            };
            if let Some((from, to)) = find_gap(
                start.max(window_start - max_gap),
                &beats,
                window_end,
                max_gap,
            ) && let Some(ext) = self.extend_for_outage(&id, deadline, from, to).await?
            {
                out.push(ext);
            }
        }
        Ok(out)
    }

    async fn extend_for_outage(
        &self,
        id: &str,
        deadline: i64,
        gap_from: i64,
        gap_to: i64,
    ) -> Result<Option<OutageExtension>, ProcurementError> {
        let mut tx = self.db.begin(dasan_kernel::Actor::system()).await?;
        let now = tx.now().as_micros();
        let row: Option<(i64, String, String)> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT notice_version, notice, status FROM procurement_tenders WHERE id = $1 AND bid_deadline = $2"
        )
        .bind(id)
        .bind(deadline)
        .fetch_optional(c)
        .await
        })?;
        // Closed, cancelled or already moved by another node meanwhile: nothing to do.
        let Some((version, notice, status)) = row.filter(|r| r.2 == "published") else {
            return Ok(None);
        };
        let _ = status;
        let mut notice: TenderNotice = from_json(&notice)?;
        let hours = i64::from(self.config.outage_extension_hours.max(1));
        let new_deadline = ceil_hour(Timestamp::from_micros(
            deadline
                .max(now)
                .saturating_add(hours.saturating_mul(HOUR_US)),
        ));
        let moved = new_deadline.as_micros() - deadline;
        let old_deadline = notice.timeline.bid_deadline;
        notice.timeline.bid_deadline = new_deadline;
        notice.timeline.opening_at =
            Timestamp::from_micros(notice.timeline.opening_at.as_micros().saturating_add(moved));
        release_slot(&mut tx, hour_of(old_deadline)).await?;
        force_slot(&mut tx, hour_of(new_deadline)).await?;
        let version = version + 1;
        let summary = format!(
            "The platform was unavailable from {} to {}, within {} minutes before the deadline: \
             the deadline moves from {} to {}.",
            Timestamp::from_micros(gap_from),
            Timestamp::from_micros(gap_to),
            self.config.outage_window.as_secs() / 60,
            old_deadline,
            new_deadline
        );
        update_timeline(&mut tx, id, version, &notice).await?;
        record_version(
            &mut tx,
            id,
            version,
            "outage_extension",
            true,
            &summary,
            &notice,
        )
        .await?;
        let told = notify_tender(
            &mut tx,
            id,
            &format!("Deadline extended after an outage: {}", notice.title),
            &format!("{summary}\nOpening: {}.\n", notice.timeline.opening_at),
        )
        .await?;
        tx.record(
            "procurement.tender.outage_extension",
            format!("tender:{id}"),
            serde_json::json!({
                "gap_from": gap_from,
                "gap_to": gap_to,
                "old_deadline": old_deadline,
                "new_deadline": new_deadline,
                "opening_at": notice.timeline.opening_at,
                "version": version,
                "suppliers_told": told,
            }),
        );
        tx.commit().await?;
        Ok(Some(OutageExtension {
            tender: id.parse().map_err(|_| corrupt("tender id"))?,
            gap_from: Timestamp::from_micros(gap_from),
            gap_to: Timestamp::from_micros(gap_to),
            old_deadline,
            new_deadline,
            new_opening_at: notice.timeline.opening_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::find_gap;

    #[test]
    fn gaps() {
        assert_eq!(find_gap(0, &[10, 20, 30], 40, 15), None);
        assert_eq!(find_gap(0, &[10, 50], 60, 15), Some((10, 50)));
        // From the last beat to the end of the window.
        assert_eq!(find_gap(0, &[10], 60, 15), Some((10, 60)));
        // Beats outside the window are ignored.
        assert_eq!(find_gap(100, &[10, 110], 120, 15), None);
    }
}
