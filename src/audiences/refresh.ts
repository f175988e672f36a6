import { setTimeout as sleep } from 'node:timers/promises';
import { OrderedPool } from '../api/ordered-pool';
import { CustomerEvent } from '../events/schema';
import type { Store } from '../store/store';
import type { AudienceMode, AudienceOutcome } from '../../workflows/pipeline/audience-contract';
import { currentMembers } from './members';
import { AUDIENCE_EVENT, type Audience } from './schema';

export interface RefreshSettings {
  /** Profiles read per query. */
  pageRows: number;
  /** Events sent at once, and at most this many per second: a large audience enters at a pace the journeys carry. */
  concurrency: number;
  perSecond: number;
}

export type Progress = { step: string; done: number; total: number };

/**
 * Re-evaluates one audience: who matches now, against who matched at the last run (the store's
 * audience_members). The newcomers (every member, `everyone`) get `audience_entered`, paced; only
 * then is the membership recorded, so a run that dies half-way sends the rest when retried. Each
 * event's id is fixed by the audience, the run (`runKey`) and the customer: the routers drop a
 * resend from a retried attempt. One evaluation of an audience at a time (a transaction's advisory
 * lock, released if the worker dies): a second one, from a schedule, a scoring or the CLI, waits
 * and then finds the first one's newcomers already recorded.
 */
export async function refreshAudience(
  deps: { store: Store; submit: (event: CustomerEvent) => Promise<unknown>; settings: RefreshSettings },
  audience: Audience,
  mode: AudienceMode,
  runKey: string,
  beat: (progress: Progress) => void = () => {},
): Promise<AudienceOutcome> {
  const { store, submit, settings } = deps;
  const name = audience.name;
  return store.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audience_members:${name}`]);
    let profiles = 0;
    const members = await currentMembers(store, audience, settings.pageRows, (seen) => beat({ step: 'evaluate', done: (profiles = seen), total: 0 }));
    const { rows } = await client.query<{ customer_id: string }>('SELECT customer_id FROM audience_members WHERE audience = $1', [name]);
    const before = new Set(rows.map((r) => r.customer_id));
    const now = new Set(members);
    const entered = members.filter((id) => !before.has(id));
    const left = [...before].filter((id) => !now.has(id));

    const recipients = mode === 'everyone' ? members : entered;
    const at = new Date().toISOString();
    const pool = new OrderedPool(settings.concurrency);
    for (let i = 0; i < recipients.length; i += settings.perSecond) {
      const started = Date.now();
      const second = recipients.slice(i, i + settings.perSecond);
      const sent = await Promise.all(
        second.map((customerId) =>
          pool.add(customerId, () =>
            submit(
              CustomerEvent.parse({
                // runKey is a run id (no ":"); the audience name has none either: the pair and the customer id stay apart.
                messageId: `audience:${name}:${runKey}:${customerId}`,
                type: AUDIENCE_EVENT,
                customerId,
                timestamp: at,
                properties: { audience: name, scheduled: mode === 'everyone' },
              }),
            ),
          ),
        ),
      );
      const failed = sent.find((o) => o.status === 'failed');
      if (failed) throw failed.error;
      beat({ step: 'send', done: i + second.length, total: recipients.length });
      const rest = 1_000 - (Date.now() - started);
      if (i + settings.perSecond < recipients.length && rest > 0) await sleep(rest);
    }

    if (entered.length) await client.query('INSERT INTO audience_members (audience, customer_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [name, entered]);
    if (left.length) await client.query('DELETE FROM audience_members WHERE audience = $1 AND customer_id = ANY($2::text[])', [name, left]);
    return { audience: name, mode, profiles, members: members.length, entered: entered.length, left: left.length, sent: recipients.length };
  });
}
