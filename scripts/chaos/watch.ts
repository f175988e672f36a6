import { countDeliveries, type DeliveryCounts, type Provider } from './delivered';
import type { ChaosFlags } from './flags';
import { pause } from './pids';
import type { Sender } from './sender';

export interface WatchInput {
  sender: Sender;
  sending: Promise<void>;
  faulting: Promise<void>;
  faultsPlanned: number;
  faultLog: string[];
  provider: Provider;
  customerPrefix: string;
  flags: ChaosFlags;
  giveUpAt: number;
  clock: () => string;
  say: (line: string) => void;
}

/**
 * Waits while the events go and the faults are injected, printing a progress line every
 * --progress-every, until every accepted customer has a message and --linger more has passed (a
 * send retried late is a duplicate too), or until `giveUpAt` (timedOut), or until a fault fails.
 */
export async function watch(w: WatchInput): Promise<{ timedOut: boolean }> {
  const { flags, say, clock } = w;
  let sent = false;
  let faultsOver = false;
  w.sending.finally(() => (sent = true)).catch(() => undefined);
  w.faulting.finally(() => (faultsOver = true)).catch(() => undefined);
  let shownAt = 0;
  let everyoneAt: number | undefined;
  let last: DeliveryCounts | undefined;
  // Looks five times per progress line, so the end is seen soon after it comes.
  for (;; await pause(flags.progressEveryMs / 5)) {
    let unreadable = '';
    try {
      last = countDeliveries(await w.provider.deliveries(w.customerPrefix));
    } catch (err) {
      unreadable = ` (provider unreadable now: ${(err as Error).message.split('\n')[0]})`; // the store is down: the postgres scenario
    }
    const accepted = [...w.sender.accepted.keys()];
    const now = Date.now();
    if (everyoneAt === undefined && sent && faultsOver && last && accepted.every((id) => last!.reached.has(id))) {
      everyoneAt = now;
      say(`${clock()} every accepted customer (${accepted.length}) has a message; watching ${flags.lingerMs / 1000}s more for late duplicates`);
    }
    if (now - shownAt >= flags.progressEveryMs) {
      shownAt = now;
      const delivered = last ? `delivered ${last.delivered} to ${last.reached.size} customers` : 'delivered ?';
      say(`${clock()} sent ${w.sender.sent}/${flags.customers}, accepted ${accepted.length} (${w.sender.retries} posts retried), ${delivered}${unreadable}, faults ${w.faultLog.length}/${w.faultsPlanned}`);
    }
    if (faultsOver && w.faultLog.length < w.faultsPlanned) return { timedOut: false }; // a fault failed: the run ends here
    if (everyoneAt !== undefined && now >= everyoneAt + flags.lingerMs) return { timedOut: false };
    if (everyoneAt === undefined && now > w.giveUpAt) {
      say(`${clock()} --deadline reached: counting now`);
      return { timedOut: true };
    }
  }
}
