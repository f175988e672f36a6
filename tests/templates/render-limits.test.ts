import path from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import { deliverOnce } from '../../activities/deliver';
import { SendLedger } from '../../src/channels/ledger';
import { LocalChannel } from '../../src/channels/local';
import type { PolicySettings } from '../../src/channels/policy';
import { ConfigError, loadConfig } from '../../src/config';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { MessageComposer } from '../../src/templates/compose';
import { engines } from '../../src/templates/liquid';
import { renderTemplate, TemplateRenderError } from '../../src/templates/render';
import type { Template } from '../../src/templates/schema';
import { TemplateStore } from '../../src/templates/template-store';
import { sealTemplate, templateLimits, validateTemplate } from '../../src/templates/validate';
import { templateVariables } from '../../src/templates/variables';
import { ROOT } from '../support/cli';
import { startProcess } from '../support/processes';
import { testConfig } from '../support/harness';
import { testMessage } from '../support/messages';

/**
 * A render is bounded in memory (WAYMARK_TEMPLATE_MEMORY_LIMIT, liquidjs's memoryLimit plus what
 * the template prints) and in size per channel (WAYMARK_TEMPLATE_MAX_<CHANNEL>_BYTES): past a
 * limit that send fails, saying which limit, at once and without taking the worker's memory.
 */

interface ChildRender {
  text: string;
  error?: { name: string; message: string };
  ms: number;
}

/** Renders each SMS text in a child with a 256 MB heap (tests/support/render-in-child.ts): what each render did, the peak memory, and how the child ended. */
function renderInChild(cases: Array<{ text: string; event: Record<string, unknown> }>): Promise<{ renders: ChildRender[]; peakRssMb?: number; code: number | null; output: string }> {
  const child = startProcess(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', path.join(ROOT, 'tests/support/render-in-child.ts'), JSON.stringify(cases)], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ChildRender & { peakRssMb?: number });
      resolve({ renders: lines.filter((l) => 'text' in l), peakRssMb: lines.find((l) => l.peakRssMb !== undefined)?.peakRssMb, code, output });
    });
  });
}

const liquid = engines(templateLimits(loadConfig({})));
const vars = (event: Record<string, unknown>) => templateVariables({ customerId: 'ada', profile: {}, eventProperties: event, journey: { id: 'j', name: 'J', version: 'v' }, stepId: 's' });
function template(input: Record<string, unknown>, engine = liquid): Template {
  const result = validateTemplate({ id: 't', ...input }, engine);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.template;
}

describe('template render limits', () => {
  it('fails a render that would take gigabytes at once, naming WAYMARK_TEMPLATE_MEMORY_LIMIT, in a process that stays small', async () => {
    const long = 'x'.repeat(4_000);
    const { renders, peakRssMb, code, output } = await renderInChild([
      // The issue's template: liquidjs builds the whole range before the loop's first time check.
      { text: '{% for i in (1..event.n) %}x{% endfor %}', event: { n: 100_000_000 } },
      // A loop printing a long value: liquidjs does not count what a template prints.
      { text: '{% for i in (1..event.n) %}{{ event.long }}{% endfor %}', event: { n: 100_000, long } },
      // A capture doubling itself: captured text is printed into an output of its own.
      { text: '{% assign s = event.seed %}{% for i in (1..27) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}', event: { seed: 'ab' } },
    ]);
    expect(output).not.toContain('heap out of memory');
    expect(code).toBe(0);
    expect(renders).toHaveLength(3);
    for (const render of renders) {
      expect(render.error).toEqual({ name: 'TemplateRenderError', message: expect.stringContaining('field text: memory alloc limit exceeded') });
      expect(render.error!.message).toContain('WAYMARK_TEMPLATE_MEMORY_LIMIT bounds one field');
      // Bounds far from what the unbounded renders took (minutes, gigabytes), so a loaded machine cannot fail them.
      expect(render.ms).toBeLessThan(10_000);
    }
    expect(peakRssMb).toBeLessThan(1_024);
  });

  it('fails a message over its channel size in UTF-8 bytes, naming the field and the variable; under it, sends it', () => {
    const sms = template({ channel: 'sms', variables: { event: ['name'] }, text: 'Hi {{ event.name }}' });
    expect(renderTemplate(sms, vars({ name: 'é'.repeat(700) }), liquid)).toEqual({ channel: 'sms', text: `Hi ${'é'.repeat(700)}` });
    // 900 characters, but 1,803 bytes: over the 1,600 bytes of WAYMARK_TEMPLATE_MAX_SMS_BYTES.
    expect(() => renderTemplate(sms, vars({ name: 'é'.repeat(900) }), liquid)).toThrow(TemplateRenderError);
    expect(() => renderTemplate(sms, vars({ name: 'é'.repeat(900) }), liquid)).toThrow('template "t", field text: the sms message comes to 1803 bytes with this field, over WAYMARK_TEMPLATE_MAX_SMS_BYTES (1600)');

    const small = engines(templateLimits(loadConfig({ WAYMARK_TEMPLATE_MAX_EMAIL_BYTES: '2048' })));
    const email = template(
      { channel: 'email', variables: { event: ['items'] }, subject: 'Your list', html: '<ul>{% for item in event.items %}<li>{{ item }}</li>{% endfor %}</ul>', text: 'See the list online' },
      small,
    );
    expect(renderTemplate(email, vars({ items: ['a', 'b'] }), small)).toMatchObject({ html: '<ul><li>a</li><li>b</li></ul>' });
    const many = Array.from({ length: 200 }, (_, i) => `item ${i}`);
    expect(() => renderTemplate(email, vars({ items: many }), small)).toThrow(/^template "t", field html: the email message comes to \d+ bytes with this field, over WAYMARK_TEMPLATE_MAX_EMAIL_BYTES \(2048\)/);
  });

  it('stops the start on a bad limit, naming the variable', () => {
    expect(() => loadConfig({ WAYMARK_TEMPLATE_MEMORY_LIMIT: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ WAYMARK_TEMPLATE_MEMORY_LIMIT: 'lots' })).toThrow('WAYMARK_TEMPLATE_MEMORY_LIMIT="lots": must be a number');
    expect(() => loadConfig({ WAYMARK_TEMPLATE_MAX_SMS_BYTES: '0' })).toThrow('WAYMARK_TEMPLATE_MAX_SMS_BYTES="0": must be at least 100');
  });
});

describe('a send past a render limit (deliverOnce, real PostgreSQL)', () => {
  const NO_POLICY: PolicySettings = { caps: [], capOverflow: 'defer', quietHours: '', defaultTimezone: 'UTC' };
  const stores: Store[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.close())));

  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as ApplicationFailure);

  it('is recorded failed with the limit as its reason, sends nothing, and a retry does not render again', async () => {
    // A low memory limit, so that the render this test makes is small even where nothing bounds it.
    const store = new Store(testConfig({ WAYMARK_TEMPLATE_MEMORY_LIMIT: '100000' }));
    stores.push(store);
    const templates = new TemplateStore(store);
    await templates.publish(sealTemplate({ id: 'countdown', channel: 'sms', variables: { traits: [], event: ['n'] }, text: '{% for i in (1..event.n) %}{{ i }} {% endfor %}' }), 'test', 'test');
    await templates.publish(sealTemplate({ id: 'shout', channel: 'sms', variables: { traits: [], event: ['words'] }, text: 'Hey {{ event.words }}' }), 'test', 'test');
    const ledger = new SendLedger(store);
    const local = new LocalChannel(store);
    const deps = { channel: local, composer: new MessageComposer(templates, store.config), ledger, profiles: new PgProfileStore(store, 10, store.config.limits), policy: NO_POLICY };

    const loop = testMessage('limit-memory', { channel: 'sms', template: 'countdown', eventProperties: { n: 1_000_000 } });
    const first = await failure(deliverOnce(loop, deps));
    expect(first).toMatchObject({ type: 'TEMPLATE_RENDER', nonRetryable: true });
    expect(first?.message).toContain('template "countdown", field text: memory alloc limit exceeded');
    expect(first?.message).toContain('WAYMARK_TEMPLATE_MEMORY_LIMIT');

    const long = testMessage('limit-size', { channel: 'sms', template: 'shout', eventProperties: { words: 'a'.repeat(2_000) } });
    const second = await failure(deliverOnce(long, deps));
    expect(second).toMatchObject({ type: 'TEMPLATE_RENDER', nonRetryable: true, message: expect.stringContaining('over WAYMARK_TEMPLATE_MAX_SMS_BYTES (1600)') });

    const entries = await ledger.forCustomer('c-1');
    expect(entries.filter((e) => e.key.startsWith('limit-')).map((e) => [e.key, e.state, e.detail])).toEqual(
      expect.arrayContaining([
        ['limit-memory', 'failed', first!.message],
        ['limit-size', 'failed', second!.message],
      ]),
    );
    // A retry of the activity finds the failure recorded and fails with the same reason.
    expect(await failure(deliverOnce(loop, deps))).toMatchObject({ nonRetryable: true, message: first!.message });
    expect(await local.list('c-1')).toEqual([]);
  });
});
