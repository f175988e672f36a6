-- A journey's results count its sends per step in a date range without reading other journeys' rows.
CREATE INDEX send_ledger_by_journey ON send_ledger (journey_id, journey_version, requested_at);
