-- Message templates, published like journeys: immutable versions addressed by their content hash.

-- Every template version ever published.
CREATE TABLE template_versions (
  template_id  text NOT NULL,
  version      text NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
  definition   jsonb NOT NULL,
  source       text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL,
  PRIMARY KEY (template_id, version)
);

-- The version sends render now. A template keeps its channel: journeys name it for one channel.
CREATE TABLE templates (
  template_id     text PRIMARY KEY,
  channel         text NOT NULL,
  current_version text NOT NULL,
  changed_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (template_id, current_version) REFERENCES template_versions (template_id, version)
);

-- Who published what and when.
CREATE TABLE template_changes (
  seq          bigserial PRIMARY KEY,
  template_id  text NOT NULL,
  action       text NOT NULL CHECK (action IN ('publish')),
  version      text NOT NULL,
  from_version text,
  actor        text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX template_changes_by_template ON template_changes (template_id, seq);
