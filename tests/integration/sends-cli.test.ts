import { SendLedger } from '../../src/channels/ledger';
import { Store } from '../../src/store/store';
import { runWaymark } from '../support/cli';
import { storeEnv, testConfig } from '../support/harness';
import { testMessage } from '../support/messages';

/** `waymark sends unconfirmed|resolve` as real processes, on a store with sends whose outcome is unknown. */
describe('waymark sends (real processes, real PostgreSQL)', () => {
  const config = testConfig();
  const env = { ...storeEnv(config), WAYMARK_LOG_LEVEL: 'silent' };
  const store = new Store(config);
  const ledger = new SendLedger(store);
  afterAll(() => store.close());

  beforeAll(async () => {
    for (const [i, customerId] of ['ada', 'bob'].entries()) {
      await ledger.begin(testMessage(`k-${customerId}`, { customerId, template: 'onboarding-welcome' }), 'braze', undefined, Date.now() + i);
      await ledger.settle(`k-${customerId}`, 'unknown', 'Braze /messages/send did not answer within 10000ms (WAYMARK_BRAZE_TIMEOUT); it may have been sent, so it is not sent again by itself');
    }
    await ledger.begin(testMessage('k-sent', { customerId: 'ada' }), 'braze', undefined, Date.now());
    await ledger.sent('k-sent', new Date().toISOString(), 'dispatch-1');
  });

  it('lists the unconfirmed sends oldest first with what to do, and exits 1 while some wait', async () => {
    const all = await runWaymark(['sends', 'unconfirmed'], env);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/ada {2}email onboarding-welcome through braze[\s\S]*did not answer within 10000ms[\s\S]*key k-ada[\s\S]*bob/);
    expect(all.stdout).toContain("2 unconfirmed: probably delivered; check each at the provider, then 'waymark sends resolve KEY --delivered' (or --not-delivered)");
    const json = await runWaymark(['sends', 'unconfirmed', '--customer', 'bob', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ key: 'k-bob', customerId: 'bob', provider: 'braze' })]);
  });

  it('resolves one as delivered or not delivered, once, keeping who and why; refuses a send that is not unconfirmed', async () => {
    const delivered = await runWaymark(['sends', 'resolve', 'k-ada', '--delivered', '--note', 'in Braze message history', '--actor', 'ops@example.com'], env);
    expect(delivered).toMatchObject({ code: 0, stdout: 'resolved: delivered (the ledger says sent), by ops@example.com\n' });
    const notDelivered = await runWaymark(['sends', 'resolve', 'k-bob', '--not-delivered', '--actor', 'ops@example.com'], env);
    expect(notDelivered.code).toBe(0);
    const states = await store.query<{ send_key: string; state: string; resolved_by: string; detail: string }>(`SELECT send_key, state, resolved_by, detail FROM send_ledger WHERE send_key IN ('k-ada', 'k-bob') ORDER BY send_key`);
    expect(states.rows).toEqual([
      expect.objectContaining({ send_key: 'k-ada', state: 'sent', resolved_by: 'ops@example.com', detail: expect.stringMatching(/WAYMARK_BRAZE_TIMEOUT.*; resolved delivered, by ops@example.com: in Braze message history$/) }),
      expect.objectContaining({ send_key: 'k-bob', state: 'failed', resolved_by: 'ops@example.com', detail: expect.stringMatching(/resolved not delivered, by ops@example.com$/) }),
    ]);
    const none = await runWaymark(['sends', 'unconfirmed'], env);
    expect(none).toMatchObject({ code: 0, stdout: 'No unconfirmed send.\n' });

    const again = await runWaymark(['sends', 'resolve', 'k-sent', '--delivered'], env);
    expect(again).toMatchObject({ code: 1, stderr: 'The send k-sent is not unconfirmed: its state is sent; nothing changed.\n' });
    expect((await runWaymark(['sends', 'resolve', 'no-such-key', '--delivered'], env)).stderr).toContain('No send with key no-such-key');
    const usage = await runWaymark(['sends', 'resolve', 'k-ada'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give exactly one of --delivered and --not-delivered');
  });
});
