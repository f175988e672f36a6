import type { Store } from '../store/store';
import type { PublishedTemplate, Template, TemplateChannel } from './schema';

/** What a publish did: a first version, a new current version, or nothing (the same content as the current one). */
export type TemplatePublishOutcome = { outcome: 'new-template' | 'new-version' | 'unchanged'; version: string; previous?: string };

/** A template change the store refuses; the message says what to do instead. */
export class TemplateChangeError extends Error {
  readonly code = 'TEMPLATE_CHANGE_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateChangeError';
  }
}

export interface TemplateState {
  templateId: string;
  channel: TemplateChannel;
  currentVersion: string;
  versions: number;
  changedAt: Date;
  changedBy: string;
}

export interface TemplateChange {
  seq: number;
  templateId: string;
  action: 'publish';
  version: string;
  fromVersion: string | null;
  actor: string;
  at: Date;
}

/**
 * Template versions in the store. Versions are immutable and addressed by their content hash;
 * each template has one current version (the one sends render) and every change is recorded
 * with its actor.
 */
export class TemplateStore {
  constructor(private readonly store: Store) {}

  /** Stores a validated template and makes it current; the same content as the current version changes nothing. */
  publish({ definition, version }: PublishedTemplate, source: string, actor: string): Promise<TemplatePublishOutcome> {
    return this.store.transaction(async (client) => {
      const id = definition.id;
      // Taken first, so two publishes of one template take turns (the row may not exist yet to lock).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`template:${id}`]);
      const { rows } = await client.query<{ channel: TemplateChannel; current_version: string }>('SELECT channel, current_version FROM templates WHERE template_id = $1', [id]);
      const state = rows[0];
      if (state && state.channel !== definition.channel) {
        throw new TemplateChangeError(`template "${id}" is for the ${state.channel} channel, and journeys send it there; to send it by ${definition.channel}, publish it under a new id`);
      }
      if (state?.current_version === version) return { outcome: 'unchanged' as const, version };
      await client.query(
        `INSERT INTO template_versions (template_id, version, channel, definition, source, published_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (template_id, version) DO NOTHING`,
        [id, version, definition.channel, JSON.stringify(definition), source, actor],
      );
      if (state) await client.query('UPDATE templates SET current_version = $2, changed_at = now() WHERE template_id = $1', [id, version]);
      else await client.query('INSERT INTO templates (template_id, channel, current_version) VALUES ($1, $2, $3)', [id, definition.channel, version]);
      await client.query('INSERT INTO template_changes (template_id, action, version, from_version, actor) VALUES ($1, $2, $3, $4, $5)', [id, 'publish', version, state?.current_version ?? null, actor]);
      return state ? { outcome: 'new-version' as const, version, previous: state.current_version } : { outcome: 'new-template' as const, version };
    });
  }

  /** The version `version` of a template, or its current version: what a send renders. Undefined when there is none. */
  async get(templateId: string, version?: string): Promise<PublishedTemplate | undefined> {
    const { rows } = version
      ? await this.store.query<{ definition: Template; version: string }>('SELECT definition, version FROM template_versions WHERE template_id = $1 AND version = $2', [templateId, version])
      : await this.store.query<{ definition: Template; version: string }>(
          `SELECT v.definition, v.version FROM templates t JOIN template_versions v ON v.template_id = t.template_id AND v.version = t.current_version
           WHERE t.template_id = $1`,
          [templateId],
        );
    return rows[0] ? { definition: rows[0].definition, version: rows[0].version } : undefined;
  }

  /** Every published template: channel, current version, number of versions, last change. */
  async states(): Promise<TemplateState[]> {
    const { rows } = await this.store.query<{ template_id: string; channel: TemplateChannel; current_version: string; versions: string; changed_at: Date; changed_by: string }>(
      `SELECT t.template_id, t.channel, t.current_version, t.changed_at,
              (SELECT count(*) FROM template_versions v WHERE v.template_id = t.template_id) AS versions,
              (SELECT c.actor FROM template_changes c WHERE c.template_id = t.template_id ORDER BY c.seq DESC LIMIT 1) AS changed_by
       FROM templates t ORDER BY t.template_id`,
    );
    return rows.map((r) => ({ templateId: r.template_id, channel: r.channel, currentVersion: r.current_version, versions: Number(r.versions), changedAt: r.changed_at, changedBy: r.changed_by }));
  }

  /** Who published which version of a template, and when, oldest first. */
  async history(templateId: string): Promise<TemplateChange[]> {
    const { rows } = await this.store.query<{ seq: string; template_id: string; action: 'publish'; version: string; from_version: string | null; actor: string; at: Date }>(
      'SELECT * FROM template_changes WHERE template_id = $1 ORDER BY seq',
      [templateId],
    );
    return rows.map((r) => ({ seq: Number(r.seq), templateId: r.template_id, action: r.action, version: r.version, fromVersion: r.from_version, actor: r.actor, at: r.at }));
  }
}
