-- Segment/RudderStack identities: an anonymous id linked to the user id it turned out to be
-- (alias, or a call carrying both ids). The first link of an anonymous id is kept for good, so
-- a link an API process has cached never becomes wrong (docs/segment-rudderstack.md).
CREATE TABLE identity_aliases (
  anonymous_id text PRIMARY KEY,
  user_id      text NOT NULL,
  linked_at    timestamptz NOT NULL DEFAULT now()
);
