-- Customers erased on request (`waymark customer erase`): when, by whom, what was removed. The
-- customer id itself is not kept, only its SHA-256, so the record of an erasure names no one.
CREATE TABLE erasures (
  seq             bigserial PRIMARY KEY,
  customer_digest text NOT NULL,
  actor           text NOT NULL,
  erased_at       timestamptz NOT NULL DEFAULT now(),
  report          jsonb NOT NULL
);
CREATE INDEX erasures_by_customer ON erasures (customer_digest, erased_at);
