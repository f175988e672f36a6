import type { Store } from '../store/store';
import type { PinnedContent } from '../content/compose-generated';
import type { ContentSource } from '../content/port';
import type { MessageRequest, RenderedContent } from './port';

/**
 * intent: a call is under way, or an attempt died between the call and the record;
 * sent; failed (for good); retry (the channel said it did not send); unknown: the call may have
 * reached the provider and its answer did not reach us, shown to people as "unconfirmed"
 * (probably delivered; never sent again by itself; an operator resolves it, see resolve()).
 */
export type LedgerState = 'intent' | 'sent' | 'failed' | 'retry' | 'unknown';

/** A state as people read it: "unknown" is unconfirmed (probably delivered). */
export const stateLabel = (state: LedgerState): string => (state === 'unknown' ? 'unconfirmed' : state);

/** A send whose outcome is unknown, as `waymark sends unconfirmed` lists it. */
export interface UnconfirmedSend {
  key: string;
  customerId: string;
  journeyId: string;
  stepId: string;
  channel: string;
  template: string;
  provider: string;
  intentAt: string;
  detail?: string;
}

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
  /** The content source the first attempt chose for a step with `generate` (and the model's words): a retry sends them again. */
  content?: PinnedContent;
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
      const existing = await client.query<{
        state: LedgerState;
        attempts: number;
        outcome_at: Date | null;
        detail: string | null;
        template_version: string | null;
        content_source: ContentSource | null;
        generated_content: RenderedContent | null;
      }>(
        'SELECT state, attempts, outcome_at, detail, template_version, content_source, generated_content FROM send_ledger WHERE send_key = $1 FOR UPDATE',
        [message.key],
      );
      const row = existing.rows[0];
      if (row) {
        await client.query(`UPDATE send_ledger SET attempts = attempts + 1, state = CASE WHEN state = 'retry' THEN 'intent' ELSE state END WHERE send_key = $1`, [message.key]);
        return {
          state: row.state,
          attempts: row.attempts,
          ...(row.template_version ? { templateVersion: row.template_version } : {}),
          ...(row.content_source ? { content: { source: row.content_source, ...(row.generated_content ? { content: row.generated_content } : {}) } } : {}),
          ...(row.outcome_at ? { outcomeAt: row.outcome_at.toISOString() } : {}),
          ...(row.detail ? { detail: row.detail } : {}),
        };
      }
      if (cap) {
        // Sends recorded at a later time than this one count too: under load (or with clocks that
        // differ between machines) an attempt reaches this lock after one that read its clock later.
        const { rows } = await client.query<{ n: string; oldest: Date | null }>(
          `SELECT count(*) AS n, min(requested_at) AS oldest FROM (
             SELECT requested_at FROM send_ledger WHERE customer_id = $1 AND channel = $2 AND state <> 'failed'
               AND requested_at > $5::timestamptz - $3 * interval '1 millisecond'
             ORDER BY requested_at DESC LIMIT $4) recent`,
          [message.customerId, message.channel, cap.windowMs, cap.count, new Date(atMs).toISOString()],
        );
        if (Number(rows[0]!.n) >= cap.count) return { capped: true as const, freeAt: new Date(rows[0]!.oldest!.getTime() + cap.windowMs).toISOString() };
      }
      const inserted = await client.query(
        `INSERT INTO send_ledger (send_key, customer_id, journey_id, journey_version, step_id, channel, template, template_version, provider, workflow_id, run_id, triggering_event, requested_at, variant, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'intent') ON CONFLICT (send_key) DO NOTHING`,
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
          message.variant ?? null,
        ],
      );
      // A conflict: another attempt inserted this key a moment ago and is calling the channel.
      return inserted.rowCount ? undefined : { state: 'intent' as const, attempts: 1 };
    });
  }

  /**
   * Pins the content the first attempt of a send chose, before the channel is called: the source,
   * and a model's words (template content renders again from the pinned version). False when
   * another attempt pinned first: this one must not send its own words.
   */
  async pinContent(key: string, source: ContentSource, generated?: RenderedContent): Promise<boolean> {
    const { rowCount } = await this.store.query('UPDATE send_ledger SET content_source = $2, generated_content = $3 WHERE send_key = $1 AND content_source IS NULL', [
      key,
      JSON.stringify(source),
      generated ? JSON.stringify(generated) : null,
    ]);
    return rowCount === 1;
  }

  /** The send is done: its outcome, the provider's id, and the content source when none was pinned before (a template). */
  async sent(key: string, at: string, providerMessageId?: string, contentSource?: ContentSource): Promise<void> {
    await this.store.query(`UPDATE send_ledger SET state = 'sent', outcome_at = $2, provider_message_id = $3, content_source = COALESCE(content_source, $4) WHERE send_key = $1`, [
      key,
      at,
      providerMessageId ?? null,
      contentSource ? JSON.stringify(contentSource) : null,
    ]);
  }

  /** An outcome other than sent: failed for good, retry (not sent, the next attempt may send), unknown. */
  async settle(key: string, state: 'failed' | 'retry' | 'unknown', detail: string): Promise<void> {
    await this.store.query('UPDATE send_ledger SET state = $2, outcome_at = now(), detail = $3 WHERE send_key = $1', [key, state, detail]);
  }

  /** Sends whose outcome is unknown, oldest first (of one customer, when given), at most `limit`. */
  async unconfirmed(limit: number, customerId?: string): Promise<UnconfirmedSend[]> {
    const { rows } = await this.store.query<{ send_key: string; customer_id: string; journey_id: string; step_id: string; channel: string; template: string; provider: string; intent_at: Date; detail: string | null }>(
      `SELECT send_key, customer_id, journey_id, step_id, channel, template, provider, intent_at, detail FROM send_ledger
       WHERE state = 'unknown' AND ($2::text IS NULL OR customer_id = $2) ORDER BY intent_at, send_key LIMIT $1`,
      [limit, customerId ?? null],
    );
    return rows.map((r) => ({
      key: r.send_key,
      customerId: r.customer_id,
      journeyId: r.journey_id,
      stepId: r.step_id,
      channel: r.channel,
      template: r.template,
      provider: r.provider,
      intentAt: r.intent_at.toISOString(),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }

  /**
   * An operator's finding on an unconfirmed send: delivered (the provider shows it) becomes sent,
   * not delivered becomes failed; who and when are kept, and the earlier detail with the note.
   * The state it had, when it was not unconfirmed (nothing is changed then); undefined when absent.
   */
  async resolve(key: string, delivered: boolean, actor: string, note?: string): Promise<LedgerState | 'resolved' | undefined> {
    const finding = `${delivered ? 'delivered' : 'not delivered'}, by ${actor}${note ? `: ${note}` : ''}`;
    const { rows } = await this.store.query<{ state: LedgerState; resolved: boolean }>(
      `WITH target AS (SELECT send_key, state FROM send_ledger WHERE send_key = $1 FOR UPDATE),
       changed AS (
         UPDATE send_ledger l SET state = $2, resolved_by = $3, resolved_at = now(), outcome_at = COALESCE(l.outcome_at, now()),
           detail = concat_ws('; ', l.detail, 'resolved ' || $4)
         FROM target WHERE l.send_key = target.send_key AND target.state = 'unknown' RETURNING l.send_key)
       SELECT target.state, EXISTS (SELECT 1 FROM changed) AS resolved FROM target`,
      [key, delivered ? 'sent' : 'failed', actor, finding],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.resolved ? 'resolved' : row.state;
  }

  /** The entries of these send keys, with their state and detail (a key never attempted is absent). */
  async states(keys: string[]): Promise<Map<string, { state: LedgerState; detail?: string }>> {
    const { rows } = await this.store.query<{ send_key: string; state: LedgerState; detail: string | null }>('SELECT send_key, state, detail FROM send_ledger WHERE send_key = ANY($1)', [keys]);
    return new Map(rows.map((r) => [r.send_key, { state: r.state, ...(r.detail ? { detail: r.detail } : {}) }]));
  }

  /** Messages each step of a journey version sent, asked for in [from, to) (the results' "sent"; index send_ledger_by_journey). */
  async sentByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, number>> {
    const { rows } = await this.store.query<{ step_id: string; sent: string }>(
      `SELECT step_id, count(*) AS sent FROM send_ledger
        WHERE journey_id = $1 AND journey_version = $2 AND requested_at >= $3 AND requested_at < $4 AND state = 'sent'
        GROUP BY step_id`,
      [journeyId, version, from, to],
    );
    return new Map(rows.map((r) => [r.step_id, Number(r.sent)]));
  }

  async forCustomer(customerId: string): Promise<Array<{ key: string; template: string; state: LedgerState; attempts: number; intentAt: string; detail?: string; contentSource?: ContentSource }>> {
    const { rows } = await this.store.query<{ send_key: string; template: string; state: LedgerState; attempts: number; intent_at: Date; detail: string | null; content_source: ContentSource | null }>(
      'SELECT send_key, template, state, attempts, intent_at, detail, content_source FROM send_ledger WHERE customer_id = $1 ORDER BY intent_at, send_key',
      [customerId],
    );
    return rows.map((r) => ({
      key: r.send_key,
      template: r.template,
      state: r.state,
      attempts: r.attempts,
      intentAt: r.intent_at.toISOString(),
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.content_source ? { contentSource: r.content_source } : {}),
    }));
  }
}
