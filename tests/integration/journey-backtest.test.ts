import path from 'node:path';
import type { Config } from '../../src/config';
import { backtestJourney, defaultHorizonMs, type BacktestResult, type CustomerBacktest } from '../../src/journey/backtest';
import { readBacktestEvents } from '../../src/journey/backtest-events';
import { checkJourneyFile } from '../../src/journey/journey-file';
import type { PublishedJourney } from '../../src/journey/schema';
import { validationLimits } from '../../src/journey/validate';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { apiOnDevServer } from '../support/api';
import { launchChromium, shootConsole, signInToConsole } from '../support/chromium';
import { runWaymark } from '../support/cli';
import { rows } from '../support/exports';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld, type WarehouseWorld } from '../support/warehouse-world';

/**
 * A backtest over real warehouse events: a handful of customers' exports built by dbt into a
 * DuckDB warehouse, a draft cart journey with an entry filter, a wait_for_event, a branch on a
 * trait and a goal, run on one time-skipping server. Each customer goes where their real events,
 * at their real times, take them.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Whole minutes: the simulated clock runs on by real (milli)seconds while steps run, never by a minute here. */
const minutes = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / MINUTE));

const CART = `id: cart-recovery
name: Cart recovery
entry: { event: add_to_cart, filter: { property: campaign, op: eq, value: spring-sale } }
goals: [{ name: purchased, event: order_placed }]
start: nudge
steps:
  nudge: { kind: send, channel: email, template: cart-nudge, next: await_return }
  await_return: { kind: wait_for_event, event: sign_in, timeout: 2d, onEvent: welcome_back, onTimeout: by_plan }
  welcome_back: { kind: send, channel: email, template: cart-welcome-back, next: done }
  by_plan:
    kind: branch
    branches: [{ when: { attribute: plan, op: eq, value: pro }, next: reminder_pro }]
    default: reminder
  reminder_pro: { kind: send, channel: email, template: cart-reminder-pro, next: last_call }
  reminder: { kind: send, channel: email, template: cart-reminder, next: last_call }
  last_call: { kind: wait, duration: 1d, next: done }
  done: { kind: exit }
`;

const template = (id: string) => `id: ${id}\nchannel: email\nsubject: ${id}\nhtml: <p>${id}</p>\ntext: ${id}\n`;
const TEMPLATES = Object.fromEntries(['cart-nudge', 'cart-welcome-back', 'cart-reminder-pro', 'cart-reminder'].map((id) => [`${id}.yaml`, template(id)]));

const cart = (hitId: string, shopId: string, at: string, utmCampaign: string) => rows.hit(hitId, shopId, at, { eventAction: 'add_to_cart', utmCampaign });
const order = (id: string, shopId: string, email: string, at: string) => rows.order(id, shopId, email, at);

/**
 * ana converts: her order comes a day after her cart, within the 2-day wait. ben's order comes
 * 5 days after his, too late: the wait times out, and his pro plan (Salesforce) picks the pro
 * reminder. cy's cart is from the winter campaign: the entry filter refuses it. dee signs in 6
 * hours later. eve's cart is 12 hours before the warehouse's latest event (ana's page view).
 * Orders long before a cart only make a shop id a person (they are before entry: no effect).
 */
function exportCustomers(w: WarehouseWorld): void {
  w.export('backtest', '2026-03-20', {
    ga360_hits: [
      cart('h-ana', 'shop-ana', '2026-03-10T10:00:00Z', 'spring-sale'),
      rows.hit('h-ana-last', 'shop-ana', '2026-03-20T22:00:00Z'),
      cart('h-ben', 'shop-ben', '2026-03-12T10:00:00Z', 'spring-sale'),
      cart('h-cy', 'shop-cy', '2026-03-14T10:00:00Z', 'winter'),
      cart('h-dee', 'shop-dee', '2026-03-16T10:00:00Z', 'spring-sale'),
      rows.hit('h-dee-back', 'shop-dee', '2026-03-16T16:00:00Z', { eventAction: 'sign_in' }),
      cart('h-eve', 'shop-eve', '2026-03-20T10:00:00Z', 'spring-sale'),
    ],
    shopify_orders: [
      order('o-ana', 'shop-ana', 'ana@shop.test', '2026-03-11T10:00:00Z'),
      order('o-ben', 'shop-ben', 'ben@shop.test', '2026-03-17T10:00:00Z'),
      order('o-cy', 'shop-cy', 'cy@shop.test', '2026-03-01T10:00:00Z'),
      order('o-dee', 'shop-dee', 'dee@shop.test', '2026-03-02T10:00:00Z'),
      order('o-eve', 'shop-eve', 'eve@shop.test', '2026-03-03T10:00:00Z'),
    ],
    salesforce_contacts: [rows.contact('003BEN', 'ben@shop.test', '2026-03-01T00:00:00Z', { Plan__c: 'Pro' })],
  });
}

let dbt: DirectBuilds;
let world: WarehouseWorld;
let config: Config;
let journeyFile: string;
let journey: PublishedJourney;
/** The warehouse's cus_ ids, by first name. */
let id: Record<'ana' | 'ben' | 'cy' | 'dee' | 'eve', string>;

beforeAll(async () => {
  dbt = await startDirectBuildsProcess();
  world = warehouseWorld(dbt);
  exportCustomers(world);
  expect(said(await world.run('backtest'))).toBe('published');
  const people = await world.query<{ customer_id: string; email: string }>('SELECT customer_id, email FROM waymark_staging.customer_360');
  id = Object.fromEntries(people.map((r) => [r.email.split('@')[0]!, r.customer_id])) as typeof id;
  journeyFile = path.join(dirWith({ 'cart-recovery.yaml': CART }), 'cart-recovery.yaml');
  config = testConfig({ WAYMARK_DUCKDB_FILE: world.file, WAYMARK_TEMPLATES_DIR: dirWith(TEMPLATES) });
  journey = checkJourneyFile(journeyFile, validationLimits(config)).published!;
}, 180_000);
afterAll(() => dbt?.close());

const cliEnv = () => ({ ...storeEnv(config), WAYMARK_DUCKDB_FILE: world.file, WAYMARK_TEMPLATES_DIR: config.templates.dir });
const byId = (result: BacktestResult) => new Map(result.customers.map((c) => [c.customerId, c]));
const steps = (c: CustomerBacktest) => c.path.map((p) => `${p.step}: ${p.outcome ?? 'waiting'}`);

describe('journey backtest over the warehouse', () => {
  it("runs each customer through the draft with their real events at their real times, on one server", async () => {
    const history = await world.use((w) => readBacktestEvents(w, journey.definition, 10));
    // The newest entry first; only what the journey looks at (its event types, the campaign, the plan).
    expect(history.customers.map((c) => c.customerId)).toEqual([id.eve, id.dee, id.cy, id.ben, id.ana]);
    expect(history.endsAt).toBe('2026-03-20T22:00:00.000Z');
    expect(history.customers.find((c) => c.customerId === id.ben)).toMatchObject({ traits: { plan: 'pro' } });
    expect(new Set(history.customers.flatMap((c) => c.events.map((e) => e.type)))).toEqual(new Set(['add_to_cart', 'sign_in', 'order_placed']));
    expect(history.customers.flatMap((c) => c.events.map((e) => Object.keys(e.properties)))).toEqual(expect.arrayContaining([['campaign']]));

    const progress: string[] = [];
    // The default horizon: the journey's waits added up (2d + 1d), and a day's slack.
    const horizonMs = defaultHorizonMs(journey.definition, config);
    expect(horizonMs).toBe(4 * DAY);
    const result = await backtestJourney(journey, history, config, { horizonMs, onProgress: (done, total) => progress.push(`${done}/${total}`) });
    expect(progress).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    const c = byId(result);

    expect(c.get(id.cy)).toMatchObject({ status: 'not entered', path: [], messages: [] });
    expect(c.get(id.cy)!.reason).toMatch(/^the entry filter .*campaign.*"spring-sale".*"winter"/);

    // ana's order came a day after her cart: the goal, at +1d (not at entry, not at the timeout).
    expect(c.get(id.ana)).toMatchObject({ status: 'converted', reason: 'goal purchased reached', events: [{ type: 'order_placed', afterMs: DAY }] });
    expect(minutes(c.get(id.ana)!.endedAfterMs)).toBe(minutes(DAY));
    expect(steps(c.get(id.ana)!)).toEqual(['nudge: sent email cart-nudge', 'await_return: interrupted']);
    expect(c.get(id.ana)!.messages.map((m) => m.template)).toEqual(['cart-nudge']);

    // ben's came 5 days later: the wait timed out at +2d, the pro reminder went, the run completed at +3d.
    expect(c.get(id.ben)).toMatchObject({ status: 'completed', reason: 'exit step reached', events: [] });
    expect(minutes(c.get(id.ben)!.endedAfterMs)).toBe(minutes(3 * DAY));
    expect(steps(c.get(id.ben)!)).toEqual([
      'nudge: sent email cart-nudge',
      'await_return: timed out',
      expect.stringMatching(/^by_plan: branch 1: plan = "pro"/),
      'reminder_pro: sent email cart-reminder-pro',
      'last_call: waited',
      'done: exit',
    ]);
    expect(c.get(id.ben)!.messages.map((m) => [m.template, minutes(m.afterMs)])).toEqual([['cart-nudge', 0], ['cart-reminder-pro', minutes(2 * DAY)]]);

    // dee signed in 6 hours later: the wait received it then.
    expect(c.get(id.dee)).toMatchObject({ status: 'completed', events: [{ type: 'sign_in', afterMs: 6 * HOUR }] });
    expect(c.get(id.dee)!.path.find((p) => p.step === 'await_return')).toMatchObject({ outcome: 'received sign_in' });
    expect(minutes(c.get(id.dee)!.path.find((p) => p.step === 'await_return')!.endedAfterMs)).toBe(minutes(6 * HOUR));

    // eve entered 12 hours before the warehouse's events end: still waiting, not timed out.
    expect(c.get(id.eve)).toMatchObject({ status: 'still running', endedAfterMs: 12 * HOUR, messages: [{ template: 'cart-nudge' }] });
    expect(c.get(id.eve)!.reason).toBe("still waiting at await_return (for sign_in) when the warehouse's events end, 12h after entry");

    expect(result.statuses).toEqual({ 'not entered': 1, converted: 1, exited: 0, completed: 2, 'still running': 1 });
    expect(Object.fromEntries(result.reached.map((r) => [r.step, r.customers]))).toEqual({
      nudge: 4, await_return: 4, welcome_back: 1, by_plan: 1, reminder_pro: 1, reminder: 0, last_call: 1, done: 2,
    });
  });

  it('prints each customer and the counts, and the same as JSON, with progress on stderr; --customers and --horizon bound it', async () => {
    const [text, json] = await Promise.all([
      runWaymark(['journeys', 'backtest', journeyFile], cliEnv()),
      runWaymark(['journeys', 'backtest', journeyFile, '--customers', '4', '--horizon', '1d', '--json'], cliEnv()),
    ]);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('backtest: 5/5 customers') });
    expect(text.stdout).toMatch(/^Backtest of cart-recovery@\S+ over the last 5 customer\(s\) who sent add_to_cart/);
    expect(text.stdout).toContain("(the warehouse's events up to 2026-03-20T22:00:00.000Z; each run followed up to 4d after entry;");
    expect(text.stdout).toContain(`${id.cy}  would not enter: the entry filter`);
    expect(text.stdout).toContain(`${id.ana}  entered 2026-03-10T10:00:00.000Z (add_to_cart): converted after 1d: goal purchased reached`);
    expect(text.stdout).toMatch(/ +\+0s +await_return +timed out at \+2d\n/);
    expect(text.stdout).toMatch(/ +\+2d +reminder_pro +sent email cart-reminder-pro\n/);
    expect(text.stdout).toContain('  messages: email cart-nudge +0s, email cart-reminder-pro +2d\n');
    expect(text.stdout).toContain(`${id.eve}  entered 2026-03-20T10:00:00.000Z (add_to_cart): still waiting at await_return (for sign_in) when the warehouse's events end, 12h after entry`);
    expect(text.stdout).toMatch(/Final status:\n +not entered +1\n +converted +1\n +exited +0\n +completed +2\n +still running +1/);

    // The newest four (not ana), each followed one day: ben still waits for his sign-in at the horizon.
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('backtest: 4/4 customers') });
    const result = JSON.parse(json.stdout) as BacktestResult;
    expect(result).toMatchObject({ journeyId: 'cart-recovery', horizonMs: DAY, statuses: { 'not entered': 1, completed: 1, 'still running': 2 } });
    expect(result.customers.map((c) => [c.customerId, c.status])).toEqual([[id.eve, 'still running'], [id.dee, 'completed'], [id.cy, 'not entered'], [id.ben, 'still running']]);
    expect(byId(result).get(id.ben)).toMatchObject({ reason: 'still waiting at await_return (for sign_in) at the horizon, 1d after entry', endedAfterMs: DAY, events: [] });
  });

  it('runs from the console: Backtest on the Publish page shows its progress, then the customers on the diagram and each one', async () => {
    const manage = 'test-key-backtest-manage';
    const api = await apiOnDevServer({ WAYMARK_DUCKDB_FILE: world.file, WAYMARK_TEMPLATES_DIR: config.templates.dir, WAYMARK_API_KEYS: `${manage}:read+manage` }, undefined, { worker: false });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await signInToConsole(page, api.url, manage, 'Ada');
      await page.goto(`${api.url}/console/publish`);
      await page.fill('textarea[name=definition]', CART);
      await page.fill('input[name=customers]', '10');
      await page.click('button[value=backtest]');
      expect(page.url()).toMatch(new RegExp(`^${api.url}/console/backtests/[0-9a-f-]{36}$`));
      // The page reloads itself while it runs; the same five customers as above, drawn on the draft.
      await page.waitForSelector('[data-testid=backtest-statuses]', { timeout: 120_000 });
      const statuses = await page.locator('[data-testid=backtest-statuses] tr').evaluateAll((rows) => rows.map((r) => r.textContent));
      expect(statuses).toEqual(['not entered1', 'converted1', 'exited0', 'completed2', 'still running1']);
      expect(await page.textContent('g[data-step="nudge"] .counts')).toBe('4 passed · 0 waiting · 4 sent');
      expect(await page.textContent('g[data-step="await_return"] .counts')).toBe('3 passed · 1 waiting'); // eve still waits there
      expect(await page.textContent('g[data-step="reminder_pro"] .counts')).toBe('1 passed · 0 waiting · 1 sent');
      expect(await page.textContent('[data-testid=backtest-summary]')).toContain("5 customers who sent its entry event, with the warehouse's events up to 2026-03-20 22:00; each run followed up to 4d after entry.");
      const rows = await page.locator('[data-testid=backtest-customers] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => [r[0], r[2]])).toEqual([[id.eve, 'still running +12h'], [id.dee, 'completed +6h'], [id.cy, 'not entered'], [id.ben, 'completed +3d'], [id.ana, 'converted +1d']]);
      await shootConsole(page, 'backtest');
      // A number of customers out of bounds (the form's own checks let none through) is named, with its setting.
      const refused = await page.request.post(`${api.url}/console/publish`, { form: { definition: CART, intent: 'backtest', customers: '0' }, headers: { origin: api.url } });
      expect(refused.status()).toBe(422);
      expect(await refused.text()).toContain('Customers to backtest over must be a whole number from 1 to 1000 (WAYMARK_CONSOLE_BACKTEST_MAX_CUSTOMERS)');
      await page.close();
    } finally {
      await browser.close();
      await api.close();
    }
  });

  it('names a bad option, and says to run a batch when the warehouse has no events', async () => {
    const [customers, horizon, empty] = await Promise.all([
      runWaymark(['journeys', 'backtest', journeyFile, '--customers', 'ten'], cliEnv()),
      runWaymark(['journeys', 'backtest', journeyFile, '--horizon', '3 days'], cliEnv()),
      runWaymark(['journeys', 'backtest', journeyFile], { ...cliEnv(), WAYMARK_DUCKDB_FILE: path.join(dirWith({}), 'none.duckdb') }),
    ]);
    expect(customers.code).toBe(2);
    expect(customers.stderr).toMatch(/option '--customers <n>' argument 'ten' is invalid\. must be a whole number/);
    expect(horizon.code).toBe(2);
    expect(horizon.stderr).toMatch(/option '--horizon <duration>' argument '3 days' is invalid\. must be a duration/);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('the warehouse has no customer events yet');
    expect(empty.stderr).toContain('run a batch first: waymark seed; waymark schedules apply; waymark schedules trigger');
  });
});
