-- An award replaced by a later award of the same tender (annulled by an upheld complaint, then
-- evaluated and awarded again), kept as it ended so that open data still publishes it
-- (cancelled, with the reason) next to the award that replaced it.
CREATE TABLE procurement_award_history (
    tender_id           TEXT NOT NULL REFERENCES procurement_tenders (id),
    evaluation_version  BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('standstill', 'final', 'annulled', 'cancelled')),
    awarded_at          BIGINT NOT NULL,
    standstill_ends_at  BIGINT NOT NULL,
    final_at            BIGINT,
    ended_at            BIGINT,
    end_reason          TEXT,
    PRIMARY KEY (tender_id, evaluation_version)
);
