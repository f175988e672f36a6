-- Who matched each audience at its last evaluation (src/audiences/refresh.ts): the next one sends
-- audience_entered to those who came to match since, and forgets those who left.
CREATE TABLE audience_members (
  audience    text NOT NULL,
  customer_id text NOT NULL,
  since       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (audience, customer_id)
);
