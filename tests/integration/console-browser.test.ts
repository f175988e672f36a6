import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { JourneyStore } from '../../src/store/journeys';
import { apiOnDevServer, journeysDir, KEY } from '../support/api';
import { eventually } from '../support/dev-server';
import { makeEvent } from '../support/harness';

const READ_KEY = 'test-key-console-read';
const MANAGE_KEY = 'test-key-console-manage';

/** A split with a holdout, then a wait: a diagram with branches, counts on a waiting step, a results table. */
const JOURNEY = {
  id: 'console-test',
  name: 'Console test',
  entry: { event: 'console_test_entered' },
  reentry: { policy: 'never' },
  goals: [{ event: 'console_test_bought', name: 'bought' }],
  start: 'offer_test',
  steps: {
    offer_test: {
      kind: 'split',
      paths: [
        { name: 'discount', weight: 1, next: 'offer_discount' },
        { name: 'holdout', weight: 1, holdout: true, next: 'wait_for_click' },
      ],
    },
    offer_discount: { kind: 'send', channel: 'email', template: 'console-discount', next: 'wait_for_click' },
    wait_for_click: { kind: 'wait_for_event', event: 'console_test_clicked', timeout: '1h', onEvent: 'done', onTimeout: 'done' },
    done: { kind: 'exit' },
  },
};

/** Debian's Chromium (scripts/setup.sh --tests installs it), or WAYMARK_CHROMIUM. */
function chromiumPath(): string {
  if (process.env.WAYMARK_CHROMIUM) return process.env.WAYMARK_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: run `bash scripts/setup.sh --tests` (npm test does), or set WAYMARK_CHROMIUM');
  }
}

/** The console in real Chromium, against a real API, store and dev server: sign-in, the journeys list, a journey's diagram and results, pause and resume. */
describe('the console in Chromium', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let browser: Browser;
  const customers = Array.from({ length: 12 }, (_, i) => `console-${Date.now()}-${i}`);
  // Screenshots go to the run's folder, and to WAYMARK_SCREENSHOTS_DIR when set (docs/images).
  const shoot = async (page: Page, name: string) => {
    const dirs = [process.env.WAYMARK_TEST_DIR ?? fs.mkdtempSync('/tmp/console-'), process.env.WAYMARK_SCREENSHOTS_DIR].filter((d): d is string => Boolean(d));
    for (const dir of dirs) await page.screenshot({ path: path.join(dir, `console-${name}.png`), fullPage: true });
  };
  const signIn = async (page: Page, key: string, actor: string) => {
    await page.goto(`${api.url}/console`);
    await page.fill('#key', key);
    await page.fill('#actor', actor);
    await page.click('button[type=submit]');
  };

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([JOURNEY]), WAYMARK_API_KEYS: `${KEY}:events,${READ_KEY}:read,${MANAGE_KEY}:read+manage` });
    await api.post('/v1/events/batch', { events: customers.map((c) => makeEvent('console_test_entered', c, Date.now())) });
    const waiting = `JourneyId = '${JOURNEY.id}' AND JourneyStep = 'wait_for_click' AND ExecutionStatus = 'Running'`;
    await eventually(async () => ((await api.client.workflow.count(waiting)).count === customers.length ? true : undefined), 'every run waiting for the click', 60_000);
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
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
    expect(await page.textContent('g[data-step="wait_for_click"] .counts')).toBe(`${customers.length} waiting`);
    expect(await page.locator('svg.diagram polyline.link').count()).toBe(5); // two paths, the send's next, the event and the timeout
    expect(await page.locator('[data-testid=runs]').textContent()).toContain(`entered${customers.length}`);
    const paths = await page.locator('[data-testid=split-offer_test] tbody tr td:first-child').allTextContents();
    expect(paths).toEqual(['discount', 'holdout (baseline)']);
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
});
