import { Hono, type Context } from 'hono';
import type { Config } from '../config';
import type { CustomerTimeline } from '../customers/timeline';
import { CustomerEvent } from '../events/schema';
import { diffJourneys } from '../journey/diff';
import { checkDefinition } from '../journey/manage';
import { JOURNEY_ID } from '../journey/schema';
import { validationLimits, formatIssue } from '../journey/validate';
import type { Logger } from '../logger';
import { JourneyChangeError, type JourneyStore, type LifecycleAction } from '../store/journeys';
import { fromVisibility } from './temporal';
import type { TemplateChannel } from '../templates/schema';
import type { ArchiveNotice } from '../../workflows/contract';
import { readJson, type BodyRules } from './body';
import { clip } from './echo';
import { ApiError } from './errors';

/** The scope an API key needs to publish, pause, resume, archive and roll back journeys (the API's and the console's). */
export const MANAGE_SCOPE = 'manage';

export interface JourneyApiDeps {
  config: Config;
  logger: Logger;
  journeys: JourneyStore;
  running(journeyId: string): Promise<number>;
  timeline(customerId: string): Promise<CustomerTimeline | undefined>;
  templateChannels(): Promise<ReadonlyMap<string, TemplateChannel>>;
  sweepArchived(journeyId: string, notice: ArchiveNotice): void;
}

const HEX = /^[0-9a-f]{1,64}$/;

function journeyIdOf(c: Context): string {
  const journeyId = c.req.param('journeyId') ?? '';
  if (!JOURNEY_ID.test(journeyId)) throw new ApiError('FIELD_FORMAT', 'path.journeyId', `path.journeyId: "${journeyId.slice(0, 80)}" is not a journey id (lowercase letters, digits and "-", starting with a letter)`);
  return journeyId;
}

/** A change's body: an object with `actor` (who it is recorded as made by, as "api: <actor>"). */
function actorOf(body: unknown): string {
  const actor = (body as { actor?: unknown } | null)?.actor;
  if (typeof actor !== 'string' || !actor.trim()) throw new ApiError('FIELD_REQUIRED', 'actor', 'actor is missing: give the name or email of who makes the change (recorded in the journey\'s history as "api: <actor>")');
  if (actor.length > 200) throw new ApiError('FIELD_TOO_LONG', 'actor', 'actor is longer than 200 characters');
  return `api: ${actor.trim()}`;
}

/**
 * The journeys API (docs/openapi.yaml), what the console's pages do, for scripts: list and read
 * journeys and their versions, compare two versions, a customer's timeline (scope `read`);
 * publish (with a dry run), pause, resume, archive and roll back (scope `manage`).
 */
export function journeyRoutes(deps: JourneyApiDeps): { journeys: Hono; customers: Hono } {
  const { config, journeys } = deps;
  const body: BodyRules = { maxBodyBytes: config.api.maxBodyBytes, bodyTimeoutMs: config.api.bodyTimeoutMs, maxJsonDepth: config.limits.maxJsonDepth, maxEchoChars: config.api.maxEchoChars };
  const stateOf = async (journeyId: string) => {
    const state = (await journeys.states()).find((s) => s.journeyId === journeyId);
    if (!state) throw new ApiError('JOURNEY_NOT_FOUND', 'path.journeyId', `no journey "${journeyId}" has been published`);
    return state;
  };
  const routes = new Hono();

  routes.get('/', async (c) => {
    const states = await journeys.states();
    const list = await Promise.all(
      states.map(async (s) => ({
        journeyId: s.journeyId,
        name: (await journeys.definition(s.journeyId, s.currentVersion))?.name ?? s.journeyId,
        status: s.status,
        currentVersion: s.currentVersion,
        versions: (await journeys.versions(s.journeyId)).length,
        running: await fromVisibility(deps.logger, 'the running runs', () => deps.running(s.journeyId)),
      })),
    );
    return c.json({ journeys: list });
  });

  routes.get('/:journeyId', async (c) => {
    const state = await stateOf(journeyIdOf(c));
    const versions = (await journeys.versions(state.journeyId)).map((v) => ({ version: v.version, source: v.source, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy }));
    return c.json({ journeyId: state.journeyId, status: state.status, currentVersion: state.currentVersion, changedAt: state.changedAt.toISOString(), definition: await journeys.definition(state.journeyId, state.currentVersion), versions });
  });

  routes.get('/:journeyId/diff', async (c) => {
    const journeyId = journeyIdOf(c);
    const state = await stateOf(journeyId);
    const from = c.req.query('from') ?? state.currentVersion;
    const to = c.req.query('to');
    if (!to) throw new ApiError('FIELD_REQUIRED', 'query.to', 'query.to is missing: the version to compare with (query.from, default the current one)');
    for (const [path, version] of [['query.from', from], ['query.to', to]] as const) {
      if (!HEX.test(version) || !(await journeys.definition(journeyId, version))) throw new ApiError('JOURNEY_NOT_FOUND', path, `${path}: journey "${journeyId}" has no version "${clip(version, config.api.maxEchoChars)}"`);
    }
    const [before, after] = await Promise.all([journeys.definition(journeyId, from), journeys.definition(journeyId, to)]);
    return c.json({ journeyId, from, to, differences: diffJourneys(before!, after!) });
  });

  // Publish: { definition: <the journey as an object, or its YAML/JSON text>, actor, dryRun? }.
  routes.post('/', async (c) => {
    const raw = await readJson(c, body);
    const definition = (raw as { definition?: unknown } | null)?.definition;
    if (definition === undefined) throw new ApiError('FIELD_REQUIRED', 'definition', 'definition is missing: the journey, as an object or as its YAML or JSON text (docs/authoring-journeys.md)');
    const dryRun = (raw as { dryRun?: unknown }).dryRun === true;
    const actor = dryRun ? '' : actorOf(raw);
    const [name, text] = typeof definition === 'string' ? ['definition.yaml', definition] : ['definition.json', JSON.stringify(definition, null, 2)];
    const checked = await checkDefinition(name, text, validationLimits(config), journeys, () => deps.templateChannels());
    if (!checked.published) {
      const issues = checked.issues.map((i) => ({ code: 'FIELD_INVALID' as const, path: i.path ? `definition.${i.path}` : 'definition', message: formatIssue(i) }));
      throw ApiError.fromIssues(issues as [(typeof issues)[number], ...typeof issues]);
    }
    const { definition: journey, version } = checked.published;
    const answer = { journeyId: journey.id, version, ...(checked.current ? { current: checked.current } : {}), ...(checked.differences ? { differences: checked.differences } : {}), warnings: checked.warnings };
    if (dryRun) return c.json({ ...answer, outcome: 'dry-run' });
    const outcome = await journeys.publish(checked.published, actor, actor);
    deps.logger.info({ journeyId: journey.id, version, outcome: outcome.outcome, actor }, 'journey published through the API');
    return c.json({ ...answer, outcome: outcome.outcome }, outcome.outcome === 'new-journey' ? 201 : 200);
  });

  routes.post('/:journeyId/:action{pause|resume|archive}', async (c) => {
    const journeyId = journeyIdOf(c);
    const actor = actorOf(await readJson(c, body));
    await stateOf(journeyId);
    const action = c.req.param('action') as LifecycleAction;
    const { before, after } = await journeys.setStatus(journeyId, action, actor);
    if (action === 'archive') deps.sweepArchived(journeyId, { actor, at: after.changedAt.toISOString() });
    deps.logger.info({ journeyId, action, actor }, 'journey status changed through the API');
    return c.json({ journeyId, before: before.status, status: after.status, ...(action === 'archive' ? { runs: 'being told to exit (docs/console.md, "Archive from the console")' } : {}) });
  });

  routes.post('/:journeyId/rollback', async (c) => {
    const journeyId = journeyIdOf(c);
    const raw = await readJson(c, body);
    const actor = actorOf(raw);
    const version = (raw as { version?: unknown }).version;
    if (version !== undefined && (typeof version !== 'string' || !HEX.test(version))) throw new ApiError('FIELD_FORMAT', 'version', 'version must be a version hash (hex) of this journey; leave it out to go back to the one current before the latest change');
    await stateOf(journeyId);
    try {
      const { from, to } = await journeys.rollback(journeyId, version as string | undefined, actor);
      return c.json({ journeyId, from, to });
    } catch (err) {
      if (err instanceof JourneyChangeError) throw new ApiError('FIELD_INVALID', 'version', err.message);
      throw err;
    }
  });

  const customers = new Hono();
  customers.get('/:customerId/timeline', async (c) => {
    const customerId = c.req.param('customerId');
    const parsed = CustomerEvent.shape.customerId.safeParse(customerId);
    if (!parsed.success) throw new ApiError('FIELD_FORMAT', 'path.customerId', `path.customerId: not a customer id the event API accepts (${parsed.error.issues[0]!.message})`);
    const timeline = await deps.timeline(customerId);
    if (!timeline) throw new ApiError('CUSTOMER_NOT_FOUND', 'path.customerId', `no event has been received for customer "${clip(customerId, config.api.maxEchoChars)}"`);
    return c.json(timeline);
  });
  return { journeys: routes, customers };
}
