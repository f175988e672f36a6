import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ResultsAnswer, ResultsReader } from '../api/results-routes';
import { temporalFailure } from '../api/temporal';
import { Snapshots, type Snapshot } from '../results/snapshots';
import { READ_SCOPE } from '../api/results-routes';
import { MANAGE_SCOPE } from '../api/journey-routes';
import { createKeyCheck } from '../api/auth';
import { ApiError } from '../api/errors';
import { clientAddress } from '../api/guard';
import { FailedKeyLockout } from '../api/rate-limit';
import type { Config } from '../config';
import { CustomerEvent } from '../events/schema';
import type { Logger } from '../logger';
import type { JourneyStore } from '../store/journeys';
import { customerMissingPage, customerPage, journeyPage, journeysPage, loginPage, unavailablePage } from './pages';
import type { CustomerTimeline } from '../customers/timeline';
import { registerManageRoutes, type ManageDeps } from './manage-routes';


const KEY_COOKIE = 'waymark_console_key';
const ACTOR_COOKIE = 'waymark_console_actor';

export interface ConsoleDeps extends ManageDeps {
  config: Config;
  logger: Logger;
  journeys: JourneyStore;
  results: ResultsReader;
  /** Running runs of a journey (any version), from visibility. */
  running(journeyId: string): Promise<number>;
  /** A customer's timeline (src/customers/timeline.ts); undefined when no event of theirs arrived. */
  timeline(customerId: string): Promise<CustomerTimeline | undefined>;
}

interface Session {
  key: string;
  actor: string;
  canManage: boolean;
}

/**
 * The console (docs/console.md): server-rendered pages over the same store, visibility and results
 * as the API, signed in with an API key (the `read` scope; `manage` to pause and resume). The key
 * lives in an HttpOnly, SameSite=Strict cookie scoped to /console; a change also needs the
 * request's Origin to be this server (no other site can make the browser post one).
 */
export function consoleRoutes(deps: ConsoleDeps): Hono {
  const { config, journeys, results } = deps;
  const authorize = createKeyCheck(config.api.apiKeys);
  const lockout = new FailedKeyLockout({ failures: config.api.lockoutFailures, windowMs: config.api.lockoutWindowMs, lockMs: config.api.lockoutMs, maxTracked: config.api.maxTrackedClients });
  const has = (key: string, scope: string) => {
    try {
      authorize(key, scope);
      return true;
    } catch (err) {
      if (err instanceof ApiError) return false;
      throw err;
    }
  };
  const session = (c: Context): Session | undefined => {
    const key = getCookie(c, KEY_COOKIE);
    if (!key || !has(key, READ_SCOPE)) return undefined;
    return { key, actor: getCookie(c, ACTOR_COOKIE) ?? 'console', canManage: has(key, MANAGE_SCOPE) };
  };
  // Secure when the console is reached over TLS (behind a proxy that terminates it, the request URL says https only if the proxy says so).
  const cookie = (c: Context) => ({ httpOnly: true, sameSite: 'Strict' as const, path: '/console', secure: new URL(c.req.url).protocol === 'https:' });

  const ui = `${config.console.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}`;
  const runUrl = (workflowId: string) => `${ui}/workflows/${encodeURIComponent(workflowId)}`;

  // Figures over many runs (visibility counts) are served from the last computation, refreshed in the background (docs/console.md).
  const snapshotOptions = { refreshMs: config.console.countsRefreshMs, maxEntries: config.console.countsCacheEntries };
  const pageFigures = new Snapshots<ResultsAnswer>(snapshotOptions);
  const running = new Snapshots<number>(snapshotOptions);

  const app = new Hono();
  app.get('/', (c) => c.redirect('/console/journeys'));
  app.get('/login', (c) => c.html(loginPage()));
  app.post('/login', async (c) => {
    const address = clientAddress(c, config.api.trustProxyHops, config.api.maxEchoChars);
    const lockedMs = lockout.lockedFor(address);
    if (lockedMs > 0) return c.html(loginPage(`Too many unknown keys from your address: try again in ${Math.ceil(lockedMs / 1000)} s.`), 429);
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const actor = typeof form.actor === 'string' ? form.actor.trim().slice(0, 200) : '';
    if (!actor) return c.html(loginPage('Your name or email is missing: it is recorded with each change you make.'), 422);
    if (!key || !has(key, READ_SCOPE)) {
      const known = key !== '' && config.api.apiKeys.some((k) => k.key === key);
      if (!known) lockout.fail(address);
      return c.html(loginPage(known ? 'This key lacks the read scope: use a key listed as "key:read" (or read+manage) in WAYMARK_API_KEYS.' : 'Unknown API key: use one of WAYMARK_API_KEYS.'), known ? 403 : 401);
    }
    setCookie(c, KEY_COOKIE, key, cookie(c));
    setCookie(c, ACTOR_COOKIE, actor, cookie(c));
    return c.redirect('/console/journeys', 303);
  });
  app.post('/logout', (c) => {
    deleteCookie(c, KEY_COOKIE, { path: '/console' });
    deleteCookie(c, ACTOR_COOKIE, { path: '/console' });
    return c.redirect('/console/login', 303);
  });

  app.get('/journeys', async (c) => {
    if (!session(c)) return c.redirect('/console/login');
    const states = await journeys.states();
    const rows = await Promise.all(
      states.map(async (state) => ({
        state,
        name: (await journeys.definition(state.journeyId, state.currentVersion))?.name ?? state.journeyId,
        versions: (await journeys.versions(state.journeyId)).length,
        running: (await running.read(state.journeyId, () => deps.running(state.journeyId)).catch(() => undefined))?.value,
      })),
    );
    return c.html(journeysPage(rows));
  });

  app.get('/journeys/:journeyId', async (c) => {
    const who = session(c);
    if (!who) return c.redirect('/console/login');
    const journeyId = c.req.param('journeyId');
    const state = (await journeys.states()).find((s) => s.journeyId === journeyId);
    if (!state) return c.html(journeysPage([]), 404);
    const journey = (await journeys.definition(journeyId, state.currentVersion))!;
    const day = (text: string | undefined) => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? text : undefined);
    const [fromDay, toDay] = [day(c.req.query('from')), day(c.req.query('to'))];
    const version = state.currentVersion;
    const compute = () => {
      const to = toDay ? new Date(Date.parse(toDay) + 86_400_000) : new Date(); // a date picked includes that whole day
      const from = fromDay ? new Date(fromDay) : new Date(to.getTime() - config.results.defaultRangeMs);
      return results.results(journey, { journeyId, version, from, to, confidence: config.results.confidence });
    };
    let figures: Snapshot<ResultsAnswer>;
    try {
      figures = await pageFigures.read(JSON.stringify([journeyId, version, fromDay ?? null, toDay ?? null]), compute);
    } catch (err) {
      if (temporalFailure(err) === undefined) throw err;
      deps.logger.warn({ err, journeyId }, "the console's journey page: Temporal's visibility did not answer");
      return c.html(unavailablePage(journeyId), 503);
    }
    const query = encodeURIComponent(`WorkflowType='journeyWorkflow' AND JourneyId='${journeyId}'`);
    const runsUrl = `${ui}/workflows?query=${query}`;
    return c.html(journeyPage({ state, journey, results: figures.value, asOf: figures, refreshMs: config.console.countsRefreshMs, canManage: who.canManage, notice: c.req.query('notice'), runsUrl }));
  });

  app.get('/customers', (c) => {
    const id = (c.req.query('id') ?? '').trim();
    return c.redirect(id ? `/console/customers/${encodeURIComponent(id)}` : '/console/journeys');
  });
  app.get('/customers/:customerId', async (c) => {
    if (!session(c)) return c.redirect('/console/login');
    const customerId = c.req.param('customerId');
    const parsed = CustomerEvent.shape.customerId.safeParse(customerId);
    if (!parsed.success) return c.html(customerMissingPage(customerId), 404);
    const t = await deps.timeline(customerId);
    if (!t) return c.html(customerMissingPage(customerId), 404);
    return c.html(customerPage(t, runUrl));
  });

  /** A change: signed in, posted by this console (no other site can make the browser post one), with the manage scope. */
  const change = (c: Context): Session | Response => {
    const who = session(c);
    if (!who) return c.redirect('/console/login', 303);
    const origin = c.req.header('origin');
    if (origin !== new URL(c.req.url).origin) return c.text('refused: the request did not come from this console (its Origin header is missing or another site)', 403);
    if (!who.canManage) return c.text('refused: your key lacks the manage scope (WAYMARK_API_KEYS "key:read+manage")', 403);
    return who;
  };
  registerManageRoutes(app, deps, { session, change });

  app.post('/journeys/:journeyId/:action{pause|resume}', async (c) => {
    const who = change(c);
    if (who instanceof Response) return who;
    const journeyId = c.req.param('journeyId');
    const action = c.req.param('action') as 'pause' | 'resume';
    if (!(await journeys.states()).some((s) => s.journeyId === journeyId)) return c.text(`no journey "${journeyId}" is published`, 404);
    const { after } = await journeys.setStatus(journeyId, action, `console: ${who.actor}`);
    deps.logger.info({ journeyId, action, actor: who.actor }, 'journey status changed from the console');
    const notice = `${journeyId} is ${after.status}${action === 'pause' ? ': it takes no new customers (those in it go on)' : ': it takes new customers again'}. It applies within WAYMARK_CATALOG_REFRESH.`;
    return c.redirect(`/console/journeys/${journeyId}?notice=${encodeURIComponent(notice)}`, 303);
  });
  return app;
}
