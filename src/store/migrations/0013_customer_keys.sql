-- Per-customer data keys for the Temporal payload codec (src/temporal/customer-keys.ts): what
-- Waymark writes to Temporal for a customer's runs is encrypted with their own AES-256 key, and
-- erasing the customer destroys it, so what stays of them in Temporal (an archived history, one
-- not yet deleted, an exported copy) can no longer be read.
-- key_id is the id written into each payload ("customer:<random uuid>"): it names no one.
-- wrapped_key: the key encrypted (AES-256-GCM, the key id as additional data) under the master key
-- master_key_id of WAYMARK_TEMPORAL_PAYLOAD_KEYS: 12-byte nonce, ciphertext, 16-byte tag.
-- Erasure keeps the row with neither the customer nor the key (destroyed_at set), so a payload
-- met afterwards fails saying its customer was erased, not that the key is unknown.
CREATE TABLE customer_data_keys (
  key_id text PRIMARY KEY,
  customer_id text UNIQUE,
  wrapped_key bytea,
  master_key_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  CHECK ((destroyed_at IS NULL) = (customer_id IS NOT NULL AND wrapped_key IS NOT NULL AND master_key_id IS NOT NULL))
);
CREATE INDEX customer_data_keys_by_master_key ON customer_data_keys (master_key_id) WHERE master_key_id IS NOT NULL;
