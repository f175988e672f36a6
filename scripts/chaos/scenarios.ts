import type { BrazeServer } from '../../tests/support/braze-server';
import { sendsInFlight } from './braze';
import type { Fleet } from './fleet';
import type { ChaosFlags, ScenarioName } from './flags';
import { pause } from './pids';

export interface FaultContext {
  fleet: Fleet;
  braze?: BrazeServer;
  flags: ChaosFlags;
}

export interface Scenario {
  name: ScenarioName;
  /** local: messages are rows of the store; braze: calls to a slow loopback Braze. */
  channel: 'local' | 'braze';
  /** Faults injected, at even spreads over the sending (1/(n+1), 2/(n+1)... of it). */
  faults: number;
  /** Injects one fault and brings the process back; returns what it did, for the fault log. */
  inject(ctx: FaultContext): Promise<string>;
}

/** The scenarios: what each kills, and how often. */
export const SCENARIOS: Record<ScenarioName, Scenario> = {
  worker: { name: 'worker', channel: 'local', faults: 3, inject: ({ fleet }) => fleet.worker.kill('SIGKILL') },
  api: { name: 'api', channel: 'local', faults: 1, inject: ({ fleet }) => fleet.api.kill('SIGKILL') },
  temporal: { name: 'temporal', channel: 'local', faults: 1, inject: ({ fleet }) => fleet.killTemporal() },
  postgres: { name: 'postgres', channel: 'local', faults: 1, inject: ({ fleet }) => fleet.killPostgres() },
  graceful: {
    name: 'graceful',
    channel: 'braze',
    faults: 1,
    async inject({ fleet, braze, flags }) {
      // SIGTERM while Braze holds calls unanswered: the sends a graceful stop must neither cut off nor let the next worker send again.
      const deadline = Date.now() + flags.startTimeoutMs;
      while (sendsInFlight(braze!, flags.brazeDelayMinMs) === 0) {
        if (Date.now() > deadline) throw new Error(`no send was in flight at Braze within ${flags.startTimeoutMs / 1000}s (--start-timeout)`);
        await pause(50);
      }
      const inFlight = sendsInFlight(braze!, flags.brazeDelayMinMs);
      return `${inFlight} sends in flight at Braze; ${await fleet.worker.kill('SIGTERM')}`;
    },
  },
};
