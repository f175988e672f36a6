-- An operator's word on a send whose outcome was unknown (state 'unknown', shown as
-- "unconfirmed"): who resolved it and when ('waymark sends resolve'); the state then says what
-- they found (sent: delivered; failed: not delivered).
ALTER TABLE send_ledger ADD COLUMN resolved_by text;
ALTER TABLE send_ledger ADD COLUMN resolved_at timestamptz;
-- 'waymark sends unconfirmed' lists them oldest first however large the ledger grows.
CREATE INDEX send_ledger_unconfirmed ON send_ledger (intent_at) WHERE state = 'unknown';
