-- The model registry (src/scoring/registry.ts): every model the retraining pipeline trained, with
-- what it learnt from and how it did, and which version scores. One champion per model at most.
CREATE TABLE model_versions (
  model           text NOT NULL,
  version         integer NOT NULL,
  status          text NOT NULL CHECK (status IN ('challenger', 'champion', 'retired', 'rejected')),
  onnx            bytea NOT NULL,
  kind            text NOT NULL,
  features        jsonb NOT NULL,
  metrics         jsonb NOT NULL,
  segments        jsonb NOT NULL,
  feature_stats   jsonb NOT NULL,
  training        jsonb NOT NULL,     -- windows, rows, data hash, library, parameters
  trained_by      text NOT NULL,      -- the run that trained it (workflow id)
  created_at      timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  decided_by      text,
  decision        text,
  PRIMARY KEY (model, version)
);
CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (model) WHERE status = 'champion';
CREATE UNIQUE INDEX model_versions_by_run ON model_versions (model, trained_by);  -- a retried registration finds its version
