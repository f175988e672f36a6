import { randomUUID } from 'node:crypto';
import { Stack } from '../../bench/stack';
import { EVENTS_SCOPE } from '../../src/api/app';
import { actorOf } from '../../src/runtime';
import { publishTemplates } from '../../src/templates/publish';
import { TemplateStore } from '../../src/templates/template-store';
import type { BrazeServer } from '../../tests/support/braze-server';
import { brazeEnv, startSlowBraze } from './braze';
import { brazeProvider, countDeliveries, localProvider, type DeliveryCounts } from './delivered';
import { Fleet } from './fleet';
import type { ChaosFlags } from './flags';
import { pause } from './pids';
import { classifyUnreached, journeyRuns, ledgerRows, type JourneyRuns, type LedgerRow, type Unreached } from './runs';
import type { Scenario } from './scenarios';
import { Sender } from './sender';
import { watch } from './watch';

/** What one scenario measured. */
export interface ScenarioResult {
  scenario: Scenario;
  customerPrefix: string;
  customers: number;
  accepted: number;
  /** Customers whose event the API refused for good, or still did not accept at the deadline. */
  notAccepted: string[];
  deliveries: DeliveryCounts;
  unreached: Unreached[];
  journeyRuns: JourneyRuns;
  ledger: LedgerRow[];
  faults: string[];
  crashes: string[];
  /** Set when the scenario could not run to the end (a restart failed, a server did not start). */
  error?: string;
  /** The wait ended at --deadline, not because every customer had a message. */
  timedOut: boolean;
}

/**
 * One scenario on a fresh stack: start it, send the events, inject the faults while they go,
 * wait for every accepted customer's message (then linger for late duplicates), count, clean up.
 * `register` receives the clean-up, so a Ctrl-C can run it.
 */
export async function runScenario(scenario: Scenario, flags: ChaosFlags, say: (line: string) => void, register: (stop: () => Promise<void>) => void): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const customerPrefix = `chaos-${scenario.name}-${run}-`;
  const customerIds = Array.from({ length: flags.customers }, (_, i) => `${customerPrefix}${i}`);
  let t0 = Date.now();
  const clock = () => `t+${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const tell = (line: string) => say(`[${scenario.name}] ${line}`);

  const stack = await Stack.start({}, tell);
  let braze: BrazeServer | undefined;
  let fleet: Fleet | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await fleet?.stop();
      await braze?.close();
      await stack.stop();
    })());
  register(stop);
  try {
    const key = stack.config.api.apiKeys.find((k) => k.scopes.includes(EVENTS_SCOPE))?.key;
    if (!key) throw new Error(`WAYMARK_API_KEYS has no key with the "${EVENTS_SCOPE}" scope`);
    // As `npm run dev` does on start: without its template, Braze refuses the welcome (the local channel records it bare).
    const templates = await publishTemplates(stack.config, new TemplateStore(stack.store), actorOf(stack.config));
    if (templates.refused.length) throw new Error(`templates not published: ${templates.refused.map((r) => r.source).join(', ')}`);
    tell(`Published ${templates.published.length} templates.`);
    // A few answers per customer: the welcome, and whatever else the worker asks Braze during the run.
    braze = scenario.channel === 'braze' ? await startSlowBraze(flags.brazeDelayMinMs, flags.brazeDelayMaxMs, flags.customers * 3) : undefined;
    const workerEnv = braze ? { ...brazeEnv(braze), WAYMARK_WORKER_SHUTDOWN_GRACE: `${Math.round(flags.shutdownGraceMs / 1000)}s` } : {};
    fleet = await Fleet.create(stack, { taskQueue: `chaos-${scenario.name}-${run}`, workerEnv, downMs: flags.downMs, startTimeoutMs: flags.startTimeoutMs, say: tell, clock });
    await fleet.worker.start();
    await fleet.api.start();
    const provider = braze ? brazeProvider(braze) : localProvider(stack.store);
    tell(`worker pid ${fleet.worker.pid}, event API pid ${fleet.api.pid} at ${fleet.apiUrl}, channel ${provider.name}${braze ? ` (loopback Braze at ${braze.url})` : ''}; customers ${customerPrefix}0..${flags.customers - 1}`);

    t0 = Date.now();
    const sendWindowMs = (flags.customers / flags.rate) * 1000;
    const giveUpAt = t0 + sendWindowMs + flags.deadlineMs;
    const sender = new Sender({ url: fleet.apiUrl, key, customerIds, perSecond: flags.rate, retryPauseMs: flags.retryPauseMs, giveUpAt });
    const sending = sender.run();
    const faultLog: string[] = [];
    const faulting = injectFaults(scenario, { fleet, flags, ...(braze ? { braze } : {}) }, t0, sendWindowMs, faultLog, clock, tell);

    const watched = await watch({ sender, sending, faulting, provider, customerPrefix, flags, giveUpAt, clock, say: tell, faultsPlanned: scenario.faults, faultLog });
    await sending;
    const faultError = await faulting.then(
      () => undefined,
      (err: unknown) => (err as Error).message,
    );

    const deliveries = countDeliveries(await provider.deliveries(customerPrefix));
    const accepted = [...sender.accepted.keys()];
    const ledger = await ledgerRows(stack.store, customerPrefix);
    const unreached = await classifyUnreached(stack.client, accepted.filter((id) => !deliveries.reached.has(id)), ledger);
    return {
      scenario,
      customerPrefix,
      customers: flags.customers,
      accepted: accepted.length,
      notAccepted: customerIds.filter((id) => !sender.accepted.has(id)).map((id) => `${id}: ${sender.refused.get(id) ?? 'not accepted by the deadline'}`),
      deliveries,
      unreached,
      journeyRuns: await journeyRuns(stack.client, customerPrefix),
      ledger,
      faults: faultLog,
      crashes: [...fleet.worker.crashes, ...fleet.api.crashes],
      timedOut: watched.timedOut,
      ...(faultError ? { error: `a fault failed: ${faultError}` } : {}),
    };
  } finally {
    await stop();
  }
}

/** The scenario's faults, one after the other, each at its point of the sending window. */
async function injectFaults(scenario: Scenario, ctx: Parameters<Scenario['inject']>[0], t0: number, windowMs: number, log: string[], clock: () => string, say: (line: string) => void): Promise<void> {
  for (let i = 0; i < scenario.faults; i++) {
    const at = t0 + ((i + 1) * windowMs) / (scenario.faults + 1);
    await pause(Math.max(0, at - Date.now()));
    const started = clock();
    const what = await scenario.inject(ctx);
    log.push(`${started}: ${what}`);
    say(`fault ${i + 1}/${scenario.faults} at ${started}: ${what}`);
  }
}
