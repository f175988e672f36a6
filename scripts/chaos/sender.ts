import { jsonPoster } from '../../bench/http-client';
import type { CustomerEvent } from '../../src/events/schema';
import { pause } from './pids';

export interface SenderOptions {
  url: string;
  key: string;
  customerIds: string[];
  perSecond: number;
  retryPauseMs: number;
  /** Retries stop here: the customers not accepted by then are reported as such. */
  giveUpAt: number;
}

/**
 * One signed_up event per customer (with an email, which the welcome needs), posted one by one
 * to POST /v1/events at a steady pace. Like the Segment SDKs, it posts an event again, unchanged
 * (same messageId and timestamp), until the API accepts it: after a refusal for now (429, 5xx) or
 * a failed connection (the API was killed, or is not listening yet). A 200 "duplicate" is an
 * acceptance: an earlier post whose answer was lost had been handed over.
 */
export class Sender {
  /** Customers whose first post was made. */
  sent = 0;
  /** Customers the API accepted, and when. */
  readonly accepted = new Map<string, number>();
  /** Posts that were not accepted (refused for now, or failed), each retried. */
  retries = 0;
  /** Refusals no retry changes (4xx other than 429): a bug in the event or the API; never expected. */
  readonly refused = new Map<string, string>();
  private readonly poster;

  constructor(private readonly opts: SenderOptions) {
    // No cap on sockets: events go at a steady rate whatever the API's latency, as independent senders would post them.
    this.poster = jsonPoster(opts.url, { authorization: `Bearer ${opts.key}` }, Infinity);
  }

  async run(): Promise<void> {
    const start = Date.now();
    const posts: Promise<void>[] = [];
    try {
      for (const [i, customerId] of this.opts.customerIds.entries()) {
        const wait = start + (i * 1000) / this.opts.perSecond - Date.now();
        if (wait > 0) await pause(wait);
        this.sent++;
        posts.push(this.untilAccepted(event(customerId)));
      }
      await Promise.all(posts);
    } finally {
      this.poster.close();
    }
  }

  private async untilAccepted(e: CustomerEvent): Promise<void> {
    while (Date.now() < this.opts.giveUpAt) {
      try {
        const { status, body } = await this.poster.post('/v1/events', e);
        if (status === 202 || status === 200) {
          this.accepted.set(e.customerId, Date.now());
          return;
        }
        if (status !== 429 && status < 500) {
          this.refused.set(e.customerId, `${status} ${body.slice(0, 300)}`);
          return;
        }
      } catch {
        // The connection failed: the API is down, or was killed with this request in flight.
      }
      this.retries++;
      await pause(this.opts.retryPauseMs);
    }
  }
}

function event(customerId: string): CustomerEvent {
  return {
    messageId: `${customerId}-signup`,
    type: 'signed_up',
    customerId,
    timestamp: new Date().toISOString(),
    properties: {},
    context: { email: `${customerId}@example.com` },
  };
}
