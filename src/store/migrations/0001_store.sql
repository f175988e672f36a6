-- Waymark's operational store: what is not a run's state (that stays in Temporal).

-- Every journey definition ever published: immutable, addressed by its content hash.
CREATE TABLE journey_versions (
  journey_id   text NOT NULL,
  version      text NOT NULL,
  definition   jsonb NOT NULL,
  source       text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL,
  PRIMARY KEY (journey_id, version)
);

-- The version new customers enter, and whether they may.
CREATE TABLE journeys (
  journey_id      text PRIMARY KEY,
  current_version text NOT NULL,
  status          text NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
  changed_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (journey_id, current_version) REFERENCES journey_versions (journey_id, version)
);

-- Who changed what and when; its highest seq tells every process that the catalog changed.
CREATE TABLE journey_changes (
  seq          bigserial PRIMARY KEY,
  journey_id   text NOT NULL,
  action       text NOT NULL CHECK (action IN ('publish', 'pause', 'resume', 'archive', 'rollback')),
  version      text NOT NULL,
  from_version text,
  actor        text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journey_changes_by_journey ON journey_changes (journey_id, seq);

-- Customer traits, contact fields and consent per channel; `applied` keeps the keys of recent updates so a retry is not applied twice.
CREATE TABLE profiles (
  customer_id text PRIMARY KEY,
  traits      jsonb NOT NULL DEFAULT '{}',
  contact     jsonb NOT NULL DEFAULT '{}',
  consent     jsonb NOT NULL DEFAULT '{}',
  applied     text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per send key: the intent, written before the channel is called, then its outcome:
-- sent; failed (for good); retry (the channel said it did not send: the next attempt may);
-- unknown (an attempt died between the call and the record: never sent again by itself).
CREATE TABLE send_ledger (
  send_key            text PRIMARY KEY,
  customer_id         text NOT NULL,
  journey_id          text NOT NULL,
  journey_version     text NOT NULL,
  step_id             text NOT NULL,
  channel             text NOT NULL,
  template            text NOT NULL,
  template_version    text,
  provider            text NOT NULL,
  workflow_id         text NOT NULL,
  run_id              text NOT NULL,
  triggering_event    text,
  state               text NOT NULL CHECK (state IN ('intent', 'sent', 'failed', 'retry', 'unknown')),
  attempts            integer NOT NULL DEFAULT 1,
  intent_at           timestamptz NOT NULL DEFAULT now(),
  -- When the run asked for the send (its own clock): frequency caps count by it.
  requested_at        timestamptz NOT NULL,
  outcome_at          timestamptz,
  provider_message_id text,
  detail              text
);
CREATE INDEX send_ledger_by_customer ON send_ledger (customer_id, intent_at);
CREATE INDEX send_ledger_for_caps ON send_ledger (customer_id, channel, requested_at);

-- The local channel's messages (the embedded default channel): what a provider would have received.
CREATE TABLE local_messages (
  send_key    text PRIMARY KEY,
  customer_id text NOT NULL,
  message     jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX local_messages_by_time ON local_messages (recorded_at, send_key);
CREATE INDEX local_messages_by_customer ON local_messages (customer_id, recorded_at);
