-- The split path a message's run took before the send ({"step","path","holdout"}), for reports
-- per variant; null for a send before any split (or outside a journey with one).
ALTER TABLE send_ledger ADD COLUMN variant jsonb;
