import path from 'node:path';
import type pg from 'pg';
import type { Journey, PublishedJourney } from '../journey/schema';
import type { Store } from './store';

export type JourneyStatus = 'active' | 'paused' | 'archived';
export type LifecycleAction = 'pause' | 'resume' | 'archive';

export interface JourneyState {
  journeyId: string;
  currentVersion: string;
  status: JourneyStatus;
  changedAt: Date;
}

export interface JourneyChange {
  seq: number;
  journeyId: string;
  action: 'publish' | 'pause' | 'resume' | 'archive' | 'rollback';
  version: string;
  fromVersion: string | null;
  actor: string;
  at: Date;
}

export interface StoredVersion {
  journeyId: string;
  version: string;
  source: string;
  publishedAt: Date;
  publishedBy: string;
}

/**
 * What a publish did: a first version, a new current version (`earlier`: one that was stored
 * before, published again: "back to"), or nothing (same content as the current one); `left`: the
 * publish's guard kept the current version (`reason` says why), and nothing was stored.
 */
export type PublishOutcome =
  | { outcome: 'new-journey' | 'new-version' | 'unchanged'; version: string; previous?: string; earlier?: { publishedAt: Date } }
  | { outcome: 'left'; version: string; current: string; reason: string };

/**
 * What a publish must not override. `start`: a process publishing its journey files as it starts
 * never undoes an operator's choice (a rollback, a version from another file, an earlier version
 * the file still holds); `other-file`: a person publishing a file does not silently replace a
 * journey last published from another file (a copy that kept its id); `none`: `--force`.
 */
export type PublishGuard = 'start' | 'other-file' | 'none';

/** A journey change the store refuses; the message says what to do instead. */
export class JourneyChangeError extends Error {
  readonly code = 'JOURNEY_CHANGE_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'JourneyChangeError';
  }
}

const STATUS_AFTER: Record<LifecycleAction, JourneyStatus> = { pause: 'paused', resume: 'active', archive: 'archived' };

interface StateRow {
  journey_id: string;
  current_version: string;
  status: JourneyStatus;
  changed_at: Date;
}
const toState = (r: StateRow): JourneyState => ({ journeyId: r.journey_id, currentVersion: r.current_version, status: r.status, changedAt: r.changed_at });

async function record(client: pg.PoolClient, journeyId: string, action: JourneyChange['action'], version: string, fromVersion: string | null, actor: string): Promise<void> {
  await client.query('INSERT INTO journey_changes (journey_id, action, version, from_version, actor) VALUES ($1, $2, $3, $4, $5)', [journeyId, action, version, fromVersion, actor]);
}

async function lockState(client: pg.PoolClient, journeyId: string): Promise<JourneyState> {
  const { rows } = await client.query<StateRow>('SELECT * FROM journeys WHERE journey_id = $1 FOR UPDATE', [journeyId]);
  if (!rows[0]) throw new JourneyChangeError(`no journey "${journeyId}" is published; 'waymark journeys list' shows those that are`);
  return toState(rows[0]);
}

/**
 * Journey versions and their lifecycle in the store. Versions are immutable and addressed by
 * their content hash; each journey has one current version and a status; every change is
 * recorded with its actor.
 */
export class JourneyStore {
  constructor(private readonly store: Store) {}

  /**
   * Stores a validated definition and makes it current; the same content as the current version
   * changes nothing. `guard` says what it must not override (PublishGuard, `operatorChoice`).
   */
  publish({ definition, version }: PublishedJourney, source: string, actor: string, guard: PublishGuard = 'none'): Promise<PublishOutcome> {
    return this.store.transaction(async (client) => {
      const id = definition.id;
      const existing = await client.query<StateRow>('SELECT * FROM journeys WHERE journey_id = $1 FOR UPDATE', [id]);
      const state = existing.rows[0] ? toState(existing.rows[0]) : undefined;
      if (state?.currentVersion === version) return { outcome: 'unchanged' as const, version };
      if (state && guard !== 'none') {
        const reason = await operatorChoice(client, id, state.currentVersion, version, source, guard);
        if (reason) return { outcome: 'left' as const, version, current: state.currentVersion, reason };
      }
      const stored = await client.query<{ published_at: Date }>('SELECT published_at FROM journey_versions WHERE journey_id = $1 AND version = $2', [id, version]);
      const earlier = stored.rows[0] ? { earlier: { publishedAt: stored.rows[0].published_at } } : {};
      await client.query(
        `INSERT INTO journey_versions (journey_id, version, definition, source, published_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (journey_id, version) DO NOTHING`,
        [id, version, JSON.stringify(definition), source, actor],
      );
      const created = await client.query(`INSERT INTO journeys (journey_id, current_version, status) VALUES ($1, $2, 'active') ON CONFLICT (journey_id) DO NOTHING`, [id, version]);
      if (created.rowCount) {
        await record(client, id, 'publish', version, null, actor);
        return { outcome: 'new-journey' as const, version };
      }
      const locked = await lockState(client, id);
      if (locked.currentVersion === version) return { outcome: 'unchanged' as const, version };
      await client.query('UPDATE journeys SET current_version = $2, changed_at = now() WHERE journey_id = $1', [id, version]);
      await record(client, id, 'publish', version, locked.currentVersion, actor);
      return { outcome: 'new-version' as const, version, previous: locked.currentVersion, ...earlier };
    });
  }

  /** Pauses, resumes or archives a journey; returns the state before and after (equal when nothing changed). */
  setStatus(journeyId: string, action: LifecycleAction, actor: string): Promise<{ before: JourneyState; after: JourneyState }> {
    return this.store.transaction(async (client) => {
      const before = await lockState(client, journeyId);
      const status = STATUS_AFTER[action];
      if (before.status === status) return { before, after: before };
      const { rows } = await client.query<StateRow>('UPDATE journeys SET status = $2, changed_at = now() WHERE journey_id = $1 RETURNING *', [journeyId, status]);
      await record(client, journeyId, action, before.currentVersion, null, actor);
      return { before, after: toState(rows[0]!) };
    });
  }

  /** Makes an older version current again: `version`, or the one current before the latest publish or rollback. */
  rollback(journeyId: string, version: string | undefined, actor: string): Promise<{ from: string; to: string }> {
    return this.store.transaction(async (client) => {
      const state = await lockState(client, journeyId);
      const to = version ?? (await this.previousVersion(client, journeyId, state.currentVersion));
      const known = await client.query('SELECT 1 FROM journey_versions WHERE journey_id = $1 AND version = $2', [journeyId, to]);
      if (!known.rowCount) throw new JourneyChangeError(`journey "${journeyId}" has no version ${to}; 'waymark journeys list ${journeyId}' shows its versions`);
      if (to === state.currentVersion) throw new JourneyChangeError(`version ${to} is already the current version of "${journeyId}"`);
      await client.query('UPDATE journeys SET current_version = $2, changed_at = now() WHERE journey_id = $1', [journeyId, to]);
      await record(client, journeyId, 'rollback', to, state.currentVersion, actor);
      return { from: state.currentVersion, to };
    });
  }

  private async previousVersion(client: pg.PoolClient, journeyId: string, current: string): Promise<string> {
    const { rows } = await client.query<{ from_version: string }>(
      `SELECT from_version FROM journey_changes WHERE journey_id = $1 AND version = $2 AND action IN ('publish', 'rollback') AND from_version IS NOT NULL
       ORDER BY seq DESC LIMIT 1`,
      [journeyId, current],
    );
    if (!rows[0]) throw new JourneyChangeError(`journey "${journeyId}" has had only one version; there is nothing to roll back to`);
    return rows[0].from_version;
  }

  async states(): Promise<JourneyState[]> {
    const { rows } = await this.store.query<StateRow>('SELECT * FROM journeys ORDER BY journey_id');
    return rows.map(toState);
  }

  /** The current version of each journey with its definition and status: what the catalog serves. */
  async current(): Promise<Array<{ published: PublishedJourney; status: JourneyStatus }>> {
    const { rows } = await this.store.query<{ definition: Journey; version: string; status: JourneyStatus }>(
      `SELECT v.definition, v.version, j.status FROM journeys j
       JOIN journey_versions v ON v.journey_id = j.journey_id AND v.version = j.current_version ORDER BY j.journey_id`,
    );
    return rows.map((r) => ({ published: { definition: r.definition, version: r.version }, status: r.status }));
  }

  async versions(journeyId: string): Promise<StoredVersion[]> {
    const { rows } = await this.store.query<{ journey_id: string; version: string; source: string; published_at: Date; published_by: string }>(
      'SELECT journey_id, version, source, published_at, published_by FROM journey_versions WHERE journey_id = $1 ORDER BY published_at, version',
      [journeyId],
    );
    return rows.map((r) => ({ journeyId: r.journey_id, version: r.version, source: r.source, publishedAt: r.published_at, publishedBy: r.published_by }));
  }

  async definition(journeyId: string, version: string): Promise<Journey | undefined> {
    const { rows } = await this.store.query<{ definition: Journey }>('SELECT definition FROM journey_versions WHERE journey_id = $1 AND version = $2', [journeyId, version]);
    return rows[0]?.definition;
  }

  /** Versions (of any journey) whose hash starts with `prefix`: a designer types a few characters. */
  async findVersions(prefix: string): Promise<Array<{ journeyId: string; version: string }>> {
    const { rows } = await this.store.query<{ journey_id: string; version: string }>(
      "SELECT journey_id, version FROM journey_versions WHERE version LIKE $1 || '%' ORDER BY journey_id, version",
      [prefix.replace(/[%_\\]/g, '')],
    );
    return rows.map((r) => ({ journeyId: r.journey_id, version: r.version }));
  }

  async history(journeyId: string): Promise<JourneyChange[]> {
    const { rows } = await this.store.query<{ seq: string; journey_id: string; action: JourneyChange['action']; version: string; from_version: string | null; actor: string; at: Date }>(
      'SELECT * FROM journey_changes WHERE journey_id = $1 ORDER BY seq',
      [journeyId],
    );
    return rows.map((r) => ({ seq: Number(r.seq), journeyId: r.journey_id, action: r.action, version: r.version, fromVersion: r.from_version, actor: r.actor, at: r.at }));
  }

  /** Grows with every change: a process compares it with the one it saw to know the catalog changed. */
  async changeMark(): Promise<number> {
    const { rows } = await this.store.query<{ mark: string | null }>('SELECT max(seq) AS mark FROM journey_changes');
    return Number(rows[0]!.mark ?? 0);
  }
}

/**
 * Why a file must not replace the current version, or undefined when it may. At start-up it may
 * when the current version came from a publish of that same file (the file was edited since): a
 * version that was current before (a rollback went past it), a rollback, or a publish from
 * another file is an operator's decision, which outranks what is on disk. A person publishing
 * (`other-file`) is stopped only by the last of these.
 */
async function operatorChoice(client: pg.PoolClient, journeyId: string, current: string, fileVersion: string, source: string, guard: PublishGuard): Promise<string | undefined> {
  const { rows } = await client.query<{ action: string; actor: string; at: Date; source: string | null; known: boolean }>(
    `SELECT c.action, c.actor, c.at, v.source,
            EXISTS (SELECT 1 FROM journey_changes o WHERE o.journey_id = c.journey_id AND $3 IN (o.version, o.from_version)) AS known
       FROM journey_changes c LEFT JOIN journey_versions v ON v.journey_id = c.journey_id AND v.version = c.version
      WHERE c.journey_id = $1 AND c.version = $2 AND c.action IN ('publish', 'rollback')
      ORDER BY c.seq DESC LIMIT 1`,
    [journeyId, current, fileVersion],
  );
  const last = rows[0];
  if (!last) return undefined;
  const when = `by ${last.actor} at ${last.at.toISOString()}`;
  const otherFile = last.action === 'publish' && last.source !== null && path.resolve(last.source) !== path.resolve(source);
  if (guard === 'other-file') return otherFile ? `${current} was published from ${last.source} ${when}` : undefined;
  if (last.action === 'rollback') return `rolled back to ${current} ${when}`;
  if (last.known) return `the file holds ${fileVersion}, an earlier version that ${current} replaced ${when}`;
  if (otherFile) return `${current} was published from ${last.source} ${when}`;
  return undefined;
}
