import type { PathEntry, PathRecord, RecordedStatus } from '../../workflows/contract';
import type { Store } from './store';

/** One enrolment of a customer in a journey, with its path, as the store keeps it. */
export interface RecordedEnrolment {
  journeyId: string;
  version: string;
  entryId: string;
  enteredAt: string;
  status: RecordedStatus | 'active';
  reason?: string;
  endedAt?: string;
  messagesSent: number;
  path: PathEntry[];
}

/**
 * The projection of runs' paths (migration 0012): each run hands over the steps it reached with
 * each send and when it ends, so per-step counts and customer timelines read a table, not
 * Temporal's histories, and outlive its retention. Writes are upserts: a retried activity, a
 * replayed run or a later record of the same step (with its outcome known) leave one row per step.
 */
export class JourneyPaths {
  constructor(private readonly store: Store) {}

  async record(rec: PathRecord): Promise<void> {
    const key = [rec.journeyId, rec.customerId, rec.entryId];
    await this.store.transaction(async (client) => {
      await client.query(
        `INSERT INTO journey_enrolments (journey_id, customer_id, entry_id, version, entered_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (journey_id, customer_id, entry_id) DO NOTHING`,
        [...key, rec.version, rec.enteredAt],
      );
      if (rec.steps.length) {
        await client.query(
          `INSERT INTO journey_path (journey_id, customer_id, entry_id, version, entered_at, seq, step, kind, visit, at, outcome)
           SELECT $1, $2, $3, $4, $5, s.seq, s.step, s.kind, s.visit, s.at, s.outcome
             FROM unnest($6::int[], $7::text[], $8::text[], $9::int[], $10::timestamptz[], $11::text[]) AS s(seq, step, kind, visit, at, outcome)
           ON CONFLICT (journey_id, customer_id, entry_id, seq) DO UPDATE SET outcome = coalesce(excluded.outcome, journey_path.outcome)`,
          [
            ...key,
            rec.version,
            rec.enteredAt,
            rec.steps.map((s) => s.seq),
            rec.steps.map((s) => s.step),
            rec.steps.map((s) => s.kind),
            rec.steps.map((s) => s.visit),
            rec.steps.map((s) => s.at),
            rec.steps.map((s) => s.outcome ?? null),
          ],
        );
      }
      if (rec.end) {
        await client.query(
          `UPDATE journey_enrolments SET status = $4, reason = $5, ended_at = $6, messages_sent = $7, ended_step = $8
            WHERE journey_id = $1 AND customer_id = $2 AND entry_id = $3`,
          [...key, rec.end.status, rec.end.reason, rec.end.endedAt, rec.end.messagesSent, rec.end.step],
        );
      }
    });
  }

  /**
   * Enrolments of a journey version that entered in [from, to) and reached each step, each counted
   * once however often it came back (index journey_path_first_visits).
   */
  async passedByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, number>> {
    const { rows } = await this.store.query<{ step: string; passed: string }>(
      `SELECT step, count(*) AS passed FROM journey_path
        WHERE journey_id = $1 AND version = $2 AND entered_at >= $3 AND entered_at < $4 AND visit = 1
        GROUP BY step`,
      [journeyId, version, from, to],
    );
    return new Map(rows.map((r) => [r.step, Number(r.passed)]));
  }

  /** Enrolments of a journey version that entered in [from, to) and ended, by the step they ended at and how (index journey_enrolments_ended). */
  async endedByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, Partial<Record<RecordedStatus, number>>>> {
    const { rows } = await this.store.query<{ ended_step: string; status: RecordedStatus; n: string }>(
      `SELECT ended_step, status, count(*) AS n FROM journey_enrolments
        WHERE journey_id = $1 AND version = $2 AND entered_at >= $3 AND entered_at < $4 AND ended_step IS NOT NULL
        GROUP BY ended_step, status`,
      [journeyId, version, from, to],
    );
    const byStep = new Map<string, Partial<Record<RecordedStatus, number>>>();
    for (const r of rows) byStep.set(r.ended_step, { ...byStep.get(r.ended_step), [r.status]: Number(r.n) });
    return byStep;
  }

  /** Every enrolment of the customer, oldest first, with the steps recorded so far. */
  async forCustomer(customerId: string): Promise<RecordedEnrolment[]> {
    const { rows: enrolments } = await this.store.query<{ journey_id: string; version: string; entry_id: string; entered_at: Date; status: RecordedStatus | 'active'; reason: string | null; ended_at: Date | null; messages_sent: number }>(
      `SELECT journey_id, version, entry_id, entered_at, status, reason, ended_at, messages_sent FROM journey_enrolments
        WHERE customer_id = $1 ORDER BY entered_at, journey_id, entry_id`,
      [customerId],
    );
    const { rows: steps } = await this.store.query<{ journey_id: string; entry_id: string; step: string; kind: string; visit: number; at: Date; outcome: string | null }>(
      'SELECT journey_id, entry_id, step, kind, visit, at, outcome FROM journey_path WHERE customer_id = $1 ORDER BY journey_id, entry_id, seq',
      [customerId],
    );
    const paths = new Map<string, PathEntry[]>();
    for (const s of steps) {
      const id = JSON.stringify([s.journey_id, s.entry_id]);
      const path = paths.get(id) ?? [];
      path.push({ step: s.step, kind: s.kind, at: s.at.toISOString(), visit: s.visit, ...(s.outcome !== null ? { outcome: s.outcome } : {}) });
      paths.set(id, path);
    }
    return enrolments.map((e) => ({
      journeyId: e.journey_id,
      version: e.version,
      entryId: e.entry_id,
      enteredAt: e.entered_at.toISOString(),
      status: e.status,
      ...(e.reason !== null ? { reason: e.reason } : {}),
      ...(e.ended_at ? { endedAt: e.ended_at.toISOString() } : {}),
      messagesSent: e.messages_sent,
      path: paths.get(JSON.stringify([e.journey_id, e.entry_id])) ?? [],
    }));
  }
}
