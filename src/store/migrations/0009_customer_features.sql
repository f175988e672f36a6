-- Each customer's model features as of the last batch scored (src/scoring/feature-store.ts): what
-- a journey's score condition (`score.churn >= 0.7`) scores with the champion when the step runs.
CREATE TABLE customer_features (
  customer_id text PRIMARY KEY,
  features    jsonb NOT NULL,
  as_of       date NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
