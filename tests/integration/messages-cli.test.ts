import type { Worker } from '@temporalio/worker';
import { submitEvent } from '../../src/events/intake';
import { freePort } from '../../src/free-port';
import { createDeps, type Deps } from '../../src/runtime';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker, storeEnv } from '../support/harness';
import { testMessage } from '../support/messages';

/** `waymark messages` as a real process, on the store a real run wrote to. */
describe('waymark messages --customer (real process, dev server, local channel)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let deps: Deps;
  let worker: Worker;
  let running: Promise<void>;
  let env: Record<string, string>;
  const customerId = `msg-cli-${Date.now()}`;
  let entry: ReturnType<typeof makeEvent>;

  beforeAll(async () => {
    server = await devServer();
    deps = createDeps(server.config);
    worker = await startWorker(server.nativeConnection, server.config, deps);
    running = worker.run();
    env = { ...storeEnv(server.config), WAYMARK_LOG_LEVEL: 'silent' };
    entry = makeEvent('signed_up', customerId, Date.now(), { context: { email: 'ana@example.com', traits: { first_name: 'Ana' } } });
    await submitEvent(server.client, server.config, entry);
    await eventually(async () => ((await deps.outbox.list(customerId)).length ? true : undefined), 'the welcome email in the outbox');
    // A send through another provider that refused it: in the ledger, with no stored content.
    const refused = testMessage('refused-1', { customerId, journeyId: 'winback', stepId: 'offer', template: 'winback-offer', channel: 'sms' });
    await deps.ledger.begin(refused, 'braze', undefined, Date.now() + 1_000);
    await deps.ledger.settle('refused-1', 'failed', 'Braze /messages/send rejected the request (400: Invalid phone number)');
    // A send after a split whose words the model could not write in time: the template went instead.
    const offer = testMessage('offer-1', { customerId, journeyId: 'trial', stepId: 'offer_discount', template: 'trial-offer', variant: { step: 'offer_test', path: 'discount', holdout: false } });
    await deps.ledger.begin(offer, 'braze', undefined, Date.now() + 2_000);
    await deps.ledger.sent('offer-1', new Date(Date.now() + 2_000).toISOString(), 'dispatch-1', { kind: 'fallback', code: 'CONTENT_TIMEOUT', reason: 'Gemini did not answer within WAYMARK_CONTENT_TIMEOUT (8000ms)' });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await deps?.store.close();
    await server?.close();
  });

  it('lists every message with its state, channel, template, journey, recipient and triggering event', async () => {
    const { code, stdout, stderr } = await runWaymark(['messages', '--customer', customerId], env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [welcome] = await deps.outbox.list(customerId);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\S+Z  sent     email onboarding-welcome@${welcome!.templateVersion}  onboarding@${welcome!.journeyVersion} step welcome$`));
    expect(lines[1]).toBe(`  to ana@example.com; local; event ${entry.messageId}`);
    // The content the local channel stored: its subject here (--key shows it whole).
    expect(welcome!.content?.channel === 'email' && lines[2]).toBe(`  Subject: ${welcome!.content?.channel === 'email' ? welcome!.content.subject : ''}`);
    expect(lines[3]).toBe(`  key ${welcome!.key}`);
    expect(lines[4]).toMatch(/^\S+Z {2}failed {3}sms winback-offer {2}winback@v step offer$/);
    expect(lines[5]).toBe(`  to braze external id ${customerId}; braze; event (none recorded)`);
    expect(lines[6]).toBe('  Braze /messages/send rejected the request (400: Invalid phone number)');
  });

  it('says where the words came from when not from the template alone, and which split path the run took', async () => {
    const { stdout } = await runWaymark(['messages', '--customer', customerId], env);
    const lines = stdout.trim().split('\n');
    const offer = lines.findIndex((l) => l.includes('trial-offer'));
    expect(lines.find((l, i) => i > offer && l.startsWith('  words from'))).toBe('  words from the template, as fallback (CONTENT_TIMEOUT: Gemini did not answer within WAYMARK_CONTENT_TIMEOUT (8000ms)); split discount at step offer_test');
    const whole = await runWaymark(['messages', '--key', 'offer-1'], env);
    expect(whole.stdout).toMatch(/^Split variant: +discount at step offer_test$/m);
    expect(whole.stdout).toMatch(/^Content source: +template, as fallback \(CONTENT_TIMEOUT: /m);
  });

  it('--json prints the same messages, with the content the local channel stored', async () => {
    const { code, stdout } = await runWaymark(['messages', '--customer', customerId, '--json'], env);
    expect(code).toBe(0);
    const messages = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatchObject({ customerId, journeyId: 'onboarding', stepId: 'welcome', channel: 'email', template: 'onboarding-welcome', state: 'sent', provider: 'local', triggeringEvent: entry.messageId, recipient: { email: 'ana@example.com' } });
    expect(messages[0]!.content).toMatchObject({ channel: 'email', subject: 'Welcome to Fieldnote, Ana' });
    expect(messages[1]).toMatchObject({ key: 'refused-1', state: 'failed', provider: 'braze', content: null });
    expect(messages[2]).toMatchObject({ key: 'offer-1', contentSource: { kind: 'fallback', code: 'CONTENT_TIMEOUT' }, variant: { step: 'offer_test', path: 'discount', holdout: false } });
  });

  it('--key shows one message whole, its rendered content included', async () => {
    const [welcome] = await deps.outbox.list(customerId);
    const { code, stdout } = await runWaymark(['messages', '--customer', customerId, '--key', welcome!.key], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`Send key:            ${welcome!.key}`);
    expect(stdout).toContain('Recipient:           ana@example.com');
    expect(stdout).toContain('Subject: Welcome to Fieldnote, Ana');
    expect(stdout).toMatch(/^HTML:\n {2}\| <p>Hi Ana,<\/p>$/m);
    expect(stdout).toMatch(/^Text:\n {2}\| Hi Ana,$/m);

    const other = await runWaymark(['messages', '--key', 'refused-1'], env);
    expect(other.stdout).toContain('(content not stored here: braze has it)');
  });

  it('says so when a customer has no message, and when the store cannot be reached (exit 1 both)', async () => {
    const none = await runWaymark(['messages', '--customer', 'nobody-at-all'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No message of customer "nobody-at-all" in the send ledger');

    const port = await freePort();
    const down = await runWaymark(['messages', '--customer', customerId], { WAYMARK_DATABASE_URL: `postgres://waymark@127.0.0.1:${port}/waymark`, WAYMARK_DB_CONNECT_TIMEOUT: '2s', WAYMARK_LOG_LEVEL: 'silent' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/waymark: `);
    expect(down.stderr).toContain('WAYMARK_DATABASE_URL');
    expect(down.stdout).toBe('');
  });

  it('asks for a customer or a key', async () => {
    const { code, stderr } = await runWaymark(['messages'], env);
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--customer <id>'");
  });
});
