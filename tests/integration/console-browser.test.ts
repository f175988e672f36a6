import type { Browser, Page } from 'playwright-core';
import { pickPath } from '../../src/journey/split';
import { JourneyStore } from '../../src/store/journeys';
import { apiOnDevServer, journeysDir, KEY } from '../support/api';
import { launchChromium, shootConsole, signInToConsole } from '../support/chromium';
import { eventually } from '../support/dev-server';
import { splitJourney } from '../support/split-journey';
import { makeEvent } from '../support/harness';

const READ_KEY = 'test-key-console-read';
const MANAGE_KEY = 'test-key-console-manage';

/** A split with a holdout, then a wait: a diagram with branches, counts on a waiting step, a results table. */
const JOURNEY = splitJourney('console-test', 'console_test', ['discount']);

/** The console in real Chromium, against a real API, store and dev server: sign-in, the journeys list, a journey's diagram and results, pause and resume. */
describe('the console in Chromium', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let browser: Browser;
  const customers = Array.from({ length: 12 }, (_, i) => `console-${Date.now()}-${i}`);
  const shoot = shootConsole;
  const signIn = (page: Page, key: string, actor: string) => signInToConsole(page, api.url, key, actor);

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([JOURNEY]), WAYMARK_API_KEYS: `${KEY}:events,${READ_KEY}:read,${MANAGE_KEY}:read+manage` });
    await api.post('/v1/events/batch', { events: customers.map((c) => makeEvent('console_test_entered', c, Date.now())) });
    const waiting = `JourneyId = '${JOURNEY.id}' AND JourneyStep = 'wait_for_click' AND ExecutionStatus = 'Running'`;
    await eventually(async () => ((await api.client.workflow.count(waiting)).count === customers.length ? true : undefined), 'every run waiting for the click', 60_000);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('refuses an unknown key, then lists the journeys with their status and the customers in them', async () => {
    const page = await browser.newPage();
    await signIn(page, 'not-a-key', 'Ada');
    expect(await page.textContent('[role=alert]')).toContain('Unknown API key');
    await shoot(page, 'sign-in');
    await signIn(page, READ_KEY, 'Ada');
    expect(page.url()).toBe(`${api.url}/console/journeys`);
    const row = page.locator('tr', { has: page.locator(`a[href="/console/journeys/${JOURNEY.id}"]`) });
    expect(await row.locator('td').allTextContents()).toEqual([JOURNEY.id, JOURNEY.name, 'active', expect.stringMatching(/^[0-9a-f]{12}$/), '1', String(customers.length)]);
    await shoot(page, 'journeys');
    await page.close();
  });

  it("draws the journey with the customers waiting on each step, and the split's results; a read key cannot pause it", async () => {
    const page = await browser.newPage();
    await signIn(page, READ_KEY, 'Ada');
    await page.click(`a[href="/console/journeys/${JOURNEY.id}"]`);
    const steps = await page.locator('svg.diagram g.step').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-step')));
    expect(steps.sort()).toEqual(Object.keys(JOURNEY.steps).sort());
    expect(await page.textContent('g[data-step="wait_for_click"] .counts')).toBe(`0 passed · ${customers.length} waiting`);
    // Every customer went through the split: the holdout's before its wait, the others' with their send.
    expect(await page.textContent('g[data-step="offer_test"] .counts')).toBe(`${customers.length} passed · 0 waiting`);
    expect(await page.locator('svg.diagram polyline.link').count()).toBe(5); // two paths, the send's next, the event and the timeout
    expect(await page.locator('[data-testid=runs]').textContent()).toContain(`entered${customers.length}`);
    // The figures come from the last computation, refreshed in the background (WAYMARK_CONSOLE_COUNTS_REFRESH).
    expect(await page.textContent('[data-testid=as-of]')).toMatch(/^Figures as of \d\d:\d\d:\d\d UTC; computed again in the background when older than 15s \(reload to see them\)\.$/);
    const paths = await page.locator('[data-testid=split-offer_test] tbody tr td:first-child').allTextContents();
    expect(paths).toEqual(['discount', 'holdout (baseline)']);
    // The warehouse's KPIs, or why there are none: this test's warehouse has no batch yet.
    expect(await page.textContent('[data-testid=warehouse]')).toMatch(/no (published|batch)/);
    expect(await page.locator('button', { hasText: 'Pause' }).count()).toBe(0);
    expect(await page.getAttribute('a:has-text("Runs in the Temporal UI")', 'href')).toContain(encodeURIComponent(`JourneyId='${JOURNEY.id}'`));
    await shoot(page, 'journey');
    await page.close();
  });

  it("finds a customer and shows their path through the journey, their messages and the router's decisions, with links to the runs", async () => {
    const page = await browser.newPage();
    await signIn(page, READ_KEY, 'Ada');
    const customerId = customers[0]!;
    await page.fill('input[name=id]', customerId);
    await page.click('button:has-text("Find customer")');
    expect(await page.textContent('h1')).toBe(`Customer ${customerId}`);
    const path = await page.locator(`[data-testid=path-${JOURNEY.id}] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
    expect(path[0]).toEqual(['offer_test', 'split', expect.stringMatching(/^path (discount|holdout \(holdout\))$/)]);
    expect(path.at(-1)!.slice(0, 2)).toEqual(['wait_for_click', 'wait_for_event']);
    expect(await page.textContent('body')).toContain('Waiting for "console_test_clicked" until');
    expect(await page.locator('[data-testid=decisions]').textContent()).toMatch(/console_test_entered\s*console-test\s*entered \(version [0-9a-f]{12}\)/);
    expect(await page.getAttribute('a:has-text("run in the Temporal UI")', 'href')).toContain(encodeURIComponent(`journey/${JOURNEY.id}/${customerId}`));
    await shoot(page, 'customer');
    // A customer the split sent an offer: the message with its template, state, where the words came from and its content.
    const offered = customers.find((c) => pickPath(JOURNEY.steps.offer_test.paths, JOURNEY.id, 'offer_test', c).name === 'discount')!;
    await page.goto(`${api.url}/console/customers/${offered}`);
    const message = await page.locator('[data-testid=messages] tbody tr').first().locator('td').allTextContents();
    expect(message.slice(1, 6)).toEqual([`${JOURNEY.id} · offer_discount`, expect.stringMatching(/^email console-test-discount/), 'sent', '1', 'template']);
    expect(message[6]).toMatch(/^Subject: /);
    await page.goto(`${api.url}/console/customers/nobody-${Date.now()}`);
    expect(await page.textContent('main')).toContain('No events have been received for this customer id.');
    await page.close();
  });

  it('pauses and resumes the journey for a key with the manage scope, recorded under the name given at sign-in', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGE_KEY, 'Grace');
    await page.goto(`${api.url}/console/journeys/${JOURNEY.id}`);
    await page.click('button:has-text("Pause")');
    expect(await page.textContent('[data-testid=status]')).toBe('paused');
    expect(await page.textContent('[role=status]')).toContain('console-test is paused: it takes no new customers');
    const store = new JourneyStore(api.deps.store);
    expect((await store.states()).find((s) => s.journeyId === JOURNEY.id)?.status).toBe('paused');
    await shoot(page, 'paused');
    await page.click('button:has-text("Resume")');
    expect(await page.textContent('[data-testid=status]')).toBe('active');
    const history = await store.history(JOURNEY.id);
    expect(history.slice(-2).map((h) => [h.action, h.actor])).toEqual([
      ['pause', 'console: Grace'],
      ['resume', 'console: Grace'],
    ]);
    // A change posted from another site (another Origin) is refused, whatever cookie the browser sends.
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${api.url}/console/journeys/${JOURNEY.id}/pause`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' }, redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect((await store.states()).find((s) => s.journeyId === JOURNEY.id)?.status).toBe('active');
    await page.close();
  });

  it('publishes a new version: Check draws what changes and warns of a missing template; Publish makes it current; a read key cannot', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGE_KEY, 'Grace');
    const store = new JourneyStore(api.deps.store);
    const first = (await store.states()).find((s) => s.journeyId === JOURNEY.id)!.currentVersion;
    await page.goto(`${api.url}/console/journeys`);
    await page.click('a:has-text("Publish a journey")');
    // Not valid: the problem named with its field.
    await page.fill('textarea[name=definition]', JSON.stringify({ ...JOURNEY, start: 'nowhere' }, null, 2));
    await page.click('button:has-text("Check")');
    expect(await page.textContent('[data-testid=issues]')).toContain('start');
    const steps: Record<string, object> = JOURNEY.steps;
    const changed = { ...JOURNEY, steps: { ...steps, offer_discount: { ...steps.offer_discount, template: 'console-test-discount-v2' } } };
    await page.fill('textarea[name=definition]', JSON.stringify(changed, null, 2));
    await page.click('button:has-text("Check")');
    expect(await page.textContent('[data-testid=checked]')).toContain(`Changes against the current version ${first.slice(0, 12)}`);
    expect(await page.getAttribute('g[data-step="offer_discount"]', 'class')).toContain('changed');
    expect(await page.getAttribute('g[data-step="wait_for_click"]', 'class')).not.toContain('changed');
    expect(await page.textContent('[data-testid=differences]')).toContain('steps.offer_discount.template: console-test-discount → console-test-discount-v2');
    expect(await page.textContent('[data-testid=warnings]')).toContain('template "console-test-discount-v2", which does not exist');
    await shoot(page, 'publish');
    // A read key gets the page, not the change.
    const reader = await browser.newPage();
    await signIn(reader, READ_KEY, 'Ada');
    await reader.goto(`${api.url}/console/publish`);
    await reader.fill('textarea[name=definition]', JSON.stringify(changed, null, 2));
    await reader.click('button:has-text("Check")');
    const refused = reader.waitForResponse((r) => r.url().endsWith('/console/publish') && r.request().method() === 'POST');
    await reader.click('button:has-text("Publish")');
    expect((await refused).status()).toBe(403);
    await reader.close();
    expect((await store.states()).find((s) => s.journeyId === JOURNEY.id)!.currentVersion).toBe(first);

    await page.click('button:has-text("Publish")');
    expect(page.url()).toContain(`/console/journeys/${JOURNEY.id}?notice=`);
    const second = (await store.states()).find((s) => s.journeyId === JOURNEY.id)!.currentVersion;
    expect(second).not.toBe(first);
    expect(await page.textContent('[role=status]')).toContain(`published: version ${second.slice(0, 12)} is current`);
    expect((await store.history(JOURNEY.id)).at(-1)).toMatchObject({ action: 'publish', version: second, actor: 'console: Grace' });
    await page.close();
  });

  it('lists the versions, draws the changes between two, and rolls back to the first', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGE_KEY, 'Grace');
    const store = new JourneyStore(api.deps.store);
    const [first, second] = (await store.versions(JOURNEY.id)).map((v) => v.version);
    await page.goto(`${api.url}/console/journeys/${JOURNEY.id}`);
    await page.click('a:has-text("Versions")');
    expect(await page.locator('[data-testid=versions] tbody tr').count()).toBe(2);
    await shoot(page, 'versions');
    await page.click('a:has-text("compare with current")');
    expect(page.url()).toContain(`from=${second}&to=${first}`);
    expect(await page.getAttribute('g[data-step="offer_discount"]', 'class')).toContain('changed');
    expect(await page.textContent('[data-testid=differences]')).toContain('console-test-discount-v2 → console-test-discount');
    await shoot(page, 'diff');
    await page.goBack();
    await page.click('button:has-text("Make current")');
    expect(await page.textContent('[role=status]')).toContain(`version ${first!.slice(0, 12)} is current (was ${second!.slice(0, 12)})`);
    expect((await store.states()).find((s) => s.journeyId === JOURNEY.id)!.currentVersion).toBe(first);
    expect((await store.history(JOURNEY.id)).at(-1)).toMatchObject({ action: 'rollback', version: first, actor: 'console: Grace' });
    await page.close();
  });

  // Last: it ends every run.
  it('archives the journey: no new customers, and every customer in it leaves with the reason', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGE_KEY, 'Grace');
    await page.goto(`${api.url}/console/journeys/${JOURNEY.id}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Archive")');
    expect(await page.textContent('[data-testid=status]')).toBe('archived');
    expect(await page.textContent('[role=status]')).toContain('its running runs are being told to exit');
    const exited = `JourneyId = '${JOURNEY.id}' AND JourneyStatus = 'exited'`;
    await eventually(async () => ((await api.client.workflow.count(exited)).count === customers.length ? true : undefined), 'every run exited', 60_000);
    const state = await api.client.workflow.getHandle(`journey/${JOURNEY.id}/${customers[0]}`).result();
    expect(state.reason).toMatch(/^journey archived by console: Grace at /);
    await page.close();
  });
});
