-- A supplier's contracts (its users find them through procurement_bidders by account), the
-- review body's queue of complaints across agencies (undecided first, oldest first), and the
-- public contract search (newest signature first).
CREATE INDEX procurement_bidders_account ON procurement_bidders (account_id);
CREATE INDEX procurement_contracts_business ON procurement_contracts (business_id, created_at);
CREATE INDEX procurement_complaints_queue ON procurement_complaints (decided_at, filed_at);
CREATE INDEX procurement_contracts_signed ON procurement_contracts (signed_at);
