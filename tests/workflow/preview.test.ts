import path from 'node:path';
import { previewJourney, type PreviewResult, type PreviewScenario } from '../../src/journey/preview';
import type { PublishedJourney } from '../../src/journey/schema';
import type { Config } from '../../src/config';
import { loadCatalog } from '../../src/runtime';
import { formatOffset, previewReport } from '../../src/cli/journeys-preview';
import { BrazeServer } from '../support/braze-server';
import { runWaymark } from '../support/cli';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';

const DAY = 86_400_000;

/** A preview of a customer the journey takes in (its entry filter holds): the run's result. */
async function entered(journey: PublishedJourney, scenario: PreviewScenario, config: Config): Promise<PreviewResult> {
  const result = await previewJourney(journey, scenario, config);
  if ('notEntered' in result) throw new Error(`the preview did not enter: ${result.notEntered}`);
  return result;
}

/** A journey whose one send step names a template nobody published (a typo of cart-reminder). */
const TYPO = [
  'id: cart-typo',
  'name: Cart typo',
  'entry: { event: cart_abandoned }',
  'start: remind',
  'steps:',
  '  remind: { kind: send, channel: email, template: cart-remindr, next: done }',
  '  done: { kind: exit }',
].join('\n');

describe('journey preview (its own time-skipping server)', () => {
  const config = testConfig();
  const trial = loadCatalog(config).get('trial-conversion')!;

  it('shows what a heavy user who subscribes on day 8 gets, and stops at the goal', async () => {
    const scenario = {
      customerId: 'preview-1',
      attributes: { usage_events: 12 },
      entryProperties: {},
      timezone: 'Europe/Paris',
      events: [
        { afterMs: 9 * DAY, type: 'page_viewed', properties: {} },
        { afterMs: 8 * DAY, type: 'subscription_started', properties: { plan: 'pro' } },
      ],
    };
    const result = await entered(trial, scenario, config);
    const { final, messages, delivered } = result;

    // The printed report: rows in time order, the goal's event before the wait it interrupted, the result last.
    const report = previewReport(trial.definition, scenario, result);
    const rows = report.slice(1, report.indexOf(''));
    const offsets = rows.map((r) => r.trim().split(/\s{2,}/)[0]!);
    const days = offsets.map((o) => Number(/^\+(\d+)d/.exec(o)?.[1] ?? 0));
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(rows.at(-2)).toMatch(/^ {2}\+8d +\(event\) +the customer sent subscription_started \(plan="pro"\)$/);
    expect(rows.at(-1)).toMatch(/^ {2}\+8d +until_day12 +interrupted$/);
    expect(report.at(-1)).toMatch(/^Result: converted after 8d: /);
    expect(final).toMatchObject({ status: 'converted', reason: 'goal converted reached', step: 'until_day12' });
    expect(messages.map((m) => m.template)).toEqual(['trial-day1-getting-started', 'trial-day7-power-tips']);
    expect(delivered.map((e) => e.type)).toEqual(['subscription_started']); // the run had ended before day 9
    expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeGreaterThanOrEqual(8 * DAY);
    expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeLessThan(8 * DAY + 60_000);
  });

  it('runs a low-usage customer to the end of the journey', async () => {
    const { final, messages } = await entered(trial, { customerId: 'preview-2', attributes: {}, entryProperties: {}, events: [] }, config);
    expect(final.status).toBe('completed');
    expect(messages[0]!.template).toBe('trial-day1-getting-started');
    expect(messages[1]!.template).toBe('trial-day7-need-help');
  });

  it('never sends through a real provider: with Braze configured, the messages stay in the preview', async () => {
    const braze = await BrazeServer.start();
    try {
      const withBraze = testConfig({ WAYMARK_BRAZE_URL: braze.url, WAYMARK_BRAZE_API_KEY: braze.apiKey, WAYMARK_BRAZE_APP_ID: 'app', WAYMARK_BRAZE_SUBSCRIPTION_GROUPS: 'email:group-1' });
      const { messages } = await entered(trial, { customerId: 'preview-3', attributes: {}, entryProperties: {}, events: [] }, withBraze);
      expect(messages.map((m) => m.template)).toContain('trial-day1-getting-started');
      expect(braze.received).toEqual([]);
    } finally {
      await braze.close();
    }
  });

  it('a send whose template is not published fails in the table, sends nothing, and the command exits 1 with no log lines in its output', async () => {
    const dir = dirWith({ 'cart-typo.yaml': TYPO });
    const { code, stdout, stderr } = await runWaymark(['journeys', 'preview', path.join(dir, 'cart-typo.yaml')], { ...storeEnv(config), WAYMARK_LOG_LEVEL: 'info', WAYMARK_LOG_FORMAT: 'json' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/remind +sending email cart-remindr failed: no content to send: template "cart-remindr" is not published/);
    expect(stdout).toContain('Messages: none');
    expect(stdout).not.toContain('"level"');
    expect(stderr).toContain('1 step(s) failed');
  });

  it('formats offsets from entry', () => {
    expect(formatOffset(0)).toBe('+0s');
    expect(formatOffset(400)).toBe('+0s');
    expect(formatOffset(DAY + 6 * 3_600_000)).toBe('+1d 6h');
    expect(formatOffset(90_061_000)).toBe('+1d 1h 1m 1s');
  });
});
