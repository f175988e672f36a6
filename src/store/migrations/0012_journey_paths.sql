-- A projection of each journey run's path, written by the runs themselves (with each send, and when
-- the run ends): the console's per-step "passed through" counts and customer timelines read it,
-- so neither scans Temporal histories, and a timeline outlives Temporal's retention.
-- An enrolment is one entry of a customer into a journey (the entry event's id).
CREATE TABLE journey_enrolments (
  journey_id text NOT NULL,
  customer_id text NOT NULL,
  entry_id text NOT NULL,
  version text NOT NULL,
  entered_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active',
  reason text,
  ended_at timestamptz,
  messages_sent integer NOT NULL DEFAULT 0,
  -- The step the run was at when it ended (where a goal or an exit event took it out).
  ended_step text,
  PRIMARY KEY (journey_id, customer_id, entry_id)
);
CREATE INDEX journey_enrolments_by_customer ON journey_enrolments (customer_id, entered_at);
CREATE INDEX journey_enrolments_ended ON journey_enrolments (journey_id, version, entered_at) WHERE ended_step IS NOT NULL;

-- One row per step a run reached (seq: its place in the run's path). visit: the how-many-th time
-- the run reached that step (1 the first time), so "passed through" counts each enrolment once.
CREATE TABLE journey_path (
  journey_id text NOT NULL,
  customer_id text NOT NULL,
  entry_id text NOT NULL,
  seq integer NOT NULL,
  version text NOT NULL,
  entered_at timestamptz NOT NULL,
  step text NOT NULL,
  kind text NOT NULL,
  visit integer NOT NULL,
  at timestamptz NOT NULL,
  outcome text,
  PRIMARY KEY (journey_id, customer_id, entry_id, seq)
);
CREATE INDEX journey_path_first_visits ON journey_path (journey_id, version, entered_at, step) WHERE visit = 1;
