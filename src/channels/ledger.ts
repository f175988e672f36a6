import type { Store } from '../store/store';
import type { MessageRequest } from './port';

/**
 * intent: a call is under way, or an attempt died between the call and the record;
 * sent; failed (for good); retry (the channel said it did not send); unknown (see deliverMessage).
 */
export type LedgerState = 'intent' | 'sent' | 'failed' | 'retry' | 'unknown';

export interface FrequencyCap {
  count: number;
  windowMs: number;
}

/** The cap is reached: nothing was recorded; a slot frees at `freeAt`. */
export interface Capped {
  capped: true;
  freeAt: string;
}

export interface LedgerEntry {
  state: LedgerState;
  attempts: number;
  /** The template version the first attempt rendered: a retry renders the same. */
  templateVersion?: string;
  outcomeAt?: string;
  detail?: string;
}

/**
 * The send ledger: for every send key, the intent (written before a channel is called) and then
 * the outcome. A retry, a second worker or a replay finds the key and learns what happened.
 */
export class SendLedger {
  constructor(private readonly store: Store) {}

  /**
   * Records the intent to send, or one more attempt at it; returns the entry as it was before
   * (undefined: the first attempt). With a frequency `cap`, a new key is recorded only while the
   * customer's sends on that channel in the window stay under it: otherwise nothing is written and
   * the answer says when the oldest of them leaves the window. Sends of one customer are counted
   * under a lock on that customer, so workers on several machines cannot pass the cap together.
   */
  begin(message: MessageRequest, provider: string, templateVersion: string | undefined, atMs: number, cap?: FrequencyCap): Promise<LedgerEntry | Capped | undefined> {
    return this.store.transaction(async (client) => {
      if (cap) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [message.customerId]);
      const existing = await client.query<{ state: LedgerState; attempts: number; outcome_at: Date | null; detail: string | null; template_version: string | null }>(
        'SELECT state, attempts, outcome_at, detail, template_version FROM send_ledger WHERE send_key = $1 FOR UPDATE',
        [message.key],
      );
      const row = existing.rows[0];
      if (row) {
        await client.query(`UPDATE send_ledger SET attempts = attempts + 1, state = CASE WHEN state = 'retry' THEN 'intent' ELSE state END WHERE send_key = $1`, [message.key]);
        return {
          state: row.state,
          attempts: row.attempts,
          ...(row.template_version ? { templateVersion: row.template_version } : {}),
          ...(row.outcome_at ? { outcomeAt: row.outcome_at.toISOString() } : {}),
          ...(row.detail ? { detail: row.detail } : {}),
        };
      }
      if (cap) {
        const { rows } = await client.query<{ n: string; oldest: Date | null }>(
          `SELECT count(*) AS n, min(requested_at) AS oldest FROM (
             SELECT requested_at FROM send_ledger WHERE customer_id = $1 AND channel = $2 AND state <> 'failed'
               AND requested_at > $5::timestamptz - $3 * interval '1 millisecond' AND requested_at <= $5::timestamptz
             ORDER BY requested_at DESC LIMIT $4) recent`,
          [message.customerId, message.channel, cap.windowMs, cap.count, new Date(atMs).toISOString()],
        );
        if (Number(rows[0]!.n) >= cap.count) return { capped: true as const, freeAt: new Date(rows[0]!.oldest!.getTime() + cap.windowMs).toISOString() };
      }
      const inserted = await client.query(
        `INSERT INTO send_ledger (send_key, customer_id, journey_id, journey_version, step_id, channel, template, template_version, provider, workflow_id, run_id, triggering_event, requested_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'intent') ON CONFLICT (send_key) DO NOTHING`,
        [
          message.key,
          message.customerId,
          message.journeyId,
          message.journeyVersion,
          message.stepId,
          message.channel,
          message.template,
          templateVersion ?? null,
          provider,
          message.workflowId,
          message.runId,
          message.triggeringEvent ?? null,
          new Date(atMs).toISOString(),
        ],
      );
      // A conflict: another attempt inserted this key a moment ago and is calling the channel.
      return inserted.rowCount ? undefined : { state: 'intent' as const, attempts: 1 };
    });
  }

  async sent(key: string, at: string, providerMessageId?: string): Promise<void> {
    await this.store.query(`UPDATE send_ledger SET state = 'sent', outcome_at = $2, provider_message_id = $3 WHERE send_key = $1`, [key, at, providerMessageId ?? null]);
  }

  /** An outcome other than sent: failed for good, retry (not sent, the next attempt may send), unknown. */
  async settle(key: string, state: 'failed' | 'retry' | 'unknown', detail: string): Promise<void> {
    await this.store.query('UPDATE send_ledger SET state = $2, outcome_at = now(), detail = $3 WHERE send_key = $1', [key, state, detail]);
  }

  /** Every entry of one customer, oldest first (what `waymark customer` shows). */
  async forCustomer(customerId: string): Promise<Array<{ key: string; template: string; state: LedgerState; attempts: number; intentAt: string; detail?: string }>> {
    const { rows } = await this.store.query<{ send_key: string; template: string; state: LedgerState; attempts: number; intent_at: Date; detail: string | null }>(
      'SELECT send_key, template, state, attempts, intent_at, detail FROM send_ledger WHERE customer_id = $1 ORDER BY intent_at, send_key',
      [customerId],
    );
    return rows.map((r) => ({ key: r.send_key, template: r.template, state: r.state, attempts: r.attempts, intentAt: r.intent_at.toISOString(), ...(r.detail ? { detail: r.detail } : {}) }));
  }
}
