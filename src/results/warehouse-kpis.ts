import type { Logger } from '../logger';
import type { WarehouseLease } from '../warehouse/lease';
import { WarehouseError, type Row, type Warehouse } from '../warehouse/port';
import { SnapshotUnavailable } from '../warehouse/snapshot';

/** The figures the warehouse mart journey_performance keeps per (journey, step, variant). */
export interface KpiFigures {
  sends: number;
  opens: number;
  clicks: number;
  conversions: number;
  /** To the cent; currencies as the shop sent them. */
  revenue: number;
  /** opens / sends, to 4 places; absent when nothing was sent. */
  openRate?: number;
  /** clicks / sends; absent when nothing was sent. */
  clickRate?: number;
  /** conversions / sends; absent when nothing was sent. */
  conversionRate?: number;
}

/** One (step, variant) of the mart; either is absent where Braze's export gave none. */
export interface StepVariantKpis extends KpiFigures {
  step?: string;
  variant?: string;
}

/** The journey's KPIs as the last published batch left them: all time, not the results' date range. */
export interface WarehouseKpis {
  mart: 'journey_performance';
  /** When the batch that built the published mart was published (ISO 8601). */
  asOf?: string;
  /** That batch's as-of date (YYYY-MM-DD): its exports' data runs up to this day. */
  cutoff?: string;
  /** The batch that published it. */
  batchId: string;
  /** Summed over the rows; the rates from the summed counts. */
  total: KpiFigures;
  /** One per (step, variant) the mart has for the journey, by step then variant; empty when it has none. */
  steps: StepVariantKpis[];
  definitions: Record<string, string>;
  unavailable?: undefined;
}

/** no_batch: nothing published yet; busy: a batch is writing the DuckDB file; timed_out: no answer within WAYMARK_RESULTS_WAREHOUSE_TIMEOUT; failed: anything else (logged). */
export type KpiUnavailableCode = 'no_batch' | 'busy' | 'timed_out' | 'failed';

export interface WarehouseKpisUnavailable {
  mart: 'journey_performance';
  unavailable: { code: KpiUnavailableCode; reason: string };
  definitions: Record<string, string>;
}

/** What the results answer carries in `warehouse`: the KPIs, or why there are none this time. */
export type JourneyWarehouseKpis = WarehouseKpis | WarehouseKpisUnavailable;

const FROM = 'from the warehouse mart journey_performance';

export const KPI_DEFINITIONS: Record<string, string> = {
  sends: `messages sent, all time (every row the published batches loaded): Braze engagement events "send" whose canvas_id is the journey id, by canvas step and variation, ${FROM}`,
  opens: `Braze engagement events "open" of the journey, all time, ${FROM}`,
  clicks: `Braze engagement events "click" of the journey, all time, ${FROM}`,
  conversions: `orders with revenue > 0 (Shopify, financial_status "paid") placed within 7 days after a send to the same customer, each credited to the latest such send of any journey (last touch) so an order counts once, ${FROM}`,
  revenue: `the total of those orders (Shopify total_price, currencies as sent, not converted), credited as the conversions are, to the cent, ${FROM}`,
  openRate: 'opens / sends, to 4 places; absent when nothing was sent',
  clickRate: 'clicks / sends, to 4 places; absent when nothing was sent',
  conversionRate: 'conversions / sends, to 4 places; absent when nothing was sent',
  total: "the sum over the journey's rows of the mart; its rates from the summed counts",
  asOf: 'when the batch that built the published mart was published (the warehouse\'s batches table): the figures change only when the next batch is published',
  cutoff: "that batch's as-of date: its exports' data runs up to this day",
};

export interface KpiOptions {
  /** Past this, the answer says timed_out (the read goes on in the background and is dropped). */
  timeoutMs: number;
  /** Where a failure's detail goes (the answer only says the read failed). */
  logger?: Pick<Logger, 'warn'>;
}

interface MartRow extends Row {
  step: string | null;
  variant: string | null;
  sends: number | null;
  opens: number | null;
  clicks: number | null;
  conversions: number | null;
  revenue: number | null;
}

interface BatchRow extends Row {
  batch_id: string;
  cutoff: string | null;
  published_at: string | null;
}

const MART = 'journey_performance';

/**
 * The journey's KPIs from the published journey_performance mart and the batch that published it.
 * `warehouse` opens the warehouse for the read (a DuckDB snapshot, BigQuery); the timeout covers
 * the opening too. Never throws: a warehouse that cannot answer gives `unavailable` and a reason.
 */
export async function journeyKpis(warehouse: Pick<WarehouseLease, 'use'>, journeyId: string, options: KpiOptions): Promise<JourneyWarehouseKpis> {
  let timer: NodeJS.Timeout | undefined;
  const read = warehouse.use((w) => readKpis(w, journeyId));
  read.catch(() => undefined); // a read that outlives its deadline may still fail: nobody waits for it then
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new KpisLate(options.timeoutMs)), options.timeoutMs);
  });
  try {
    return await Promise.race([read, late]);
  } catch (err) {
    const unavailable = unavailableOf(err);
    if (unavailable.code === 'failed') options.logger?.warn({ err, journeyId }, 'the warehouse KPIs could not be read');
    return { mart: MART, unavailable, definitions: KPI_DEFINITIONS };
  } finally {
    clearTimeout(timer);
  }
}

class KpisLate extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000}s`);
  }
}

class NothingPublished extends Error {}

async function readKpis(warehouse: Warehouse, journeyId: string): Promise<WarehouseKpis> {
  // The batch first: on DuckDB both reads see one snapshot; on BigQuery a publish in between is one batch's difference.
  const [batch] = await warehouse.query<BatchRow>(
    `SELECT batch_id, CAST(as_of AS STRING) AS cutoff, updated_at AS published_at
     FROM waymark_ops.batches WHERE status = 'published' ORDER BY updated_at DESC LIMIT 1`,
  );
  if (!batch) throw new NothingPublished('no batch has been published on this warehouse yet');
  const rows = await warehouse.query<MartRow>(
    `SELECT step, variant, sends, opens, clicks, conversions, revenue FROM waymark_marts.${MART} WHERE journey_id = @journey`,
    { journey: journeyId },
  );
  // Sorted here: the engines order NULLs differently.
  const key = (r: MartRow) => `${r.step ?? '\uffff'}\u0000${r.variant ?? '\uffff'}`;
  const steps = rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((r) => ({
    ...(r.step === null ? {} : { step: r.step }),
    ...(r.variant === null ? {} : { variant: r.variant }),
    ...figures(n(r.sends), n(r.opens), n(r.clicks), n(r.conversions), n(r.revenue)),
  }));
  const sum = (pick: (s: KpiFigures) => number) => steps.reduce((total, s) => total + pick(s), 0);
  return {
    mart: MART,
    ...(batch.published_at ? { asOf: batch.published_at } : {}),
    ...(batch.cutoff ? { cutoff: batch.cutoff } : {}),
    batchId: batch.batch_id,
    total: figures(sum((s) => s.sends), sum((s) => s.opens), sum((s) => s.clicks), sum((s) => s.conversions), sum((s) => s.revenue)),
    steps,
    definitions: KPI_DEFINITIONS,
  };
}

const n = (value: number | null) => Number(value ?? 0);
const cents = (x: number) => Math.round(x * 100) / 100;
const rate = (count: number, sends: number) => Math.round((count / sends) * 10_000) / 10_000;

function figures(sends: number, opens: number, clicks: number, conversions: number, revenue: number): KpiFigures {
  const rates = sends > 0 ? { openRate: rate(opens, sends), clickRate: rate(clicks, sends), conversionRate: rate(conversions, sends) } : {};
  return { sends, opens, clicks, conversions, revenue: cents(revenue), ...rates };
}

/** A failure as the answer tells it: a code and a sentence that says what to expect, never the warehouse's own message. */
function unavailableOf(err: unknown): WarehouseKpisUnavailable['unavailable'] {
  if (err instanceof KpisLate) return { code: 'timed_out', reason: `the warehouse did not answer within ${err.ms / 1000}s (WAYMARK_RESULTS_WAREHOUSE_TIMEOUT); the other figures do not wait for it` };
  if (err instanceof NothingPublished || (err instanceof SnapshotUnavailable && err.code === 'missing')) {
    return { code: 'no_batch', reason: 'no batch has been published on the warehouse yet, so it has no journey KPIs (waymark schedules trigger runs one)' };
  }
  if (err instanceof SnapshotUnavailable) return { code: 'busy', reason: 'a batch was writing the warehouse while it was being read; ask again in a moment' };
  // A table that is not there: the served tables are created by the first publish.
  if (err instanceof WarehouseError && /does not exist|not found/i.test(err.message)) {
    return { code: 'no_batch', reason: `the warehouse has no published ${MART} mart yet (it comes with the first published batch: waymark schedules trigger)` };
  }
  // DuckDB's checksums refuse a copy torn by a write the copy's check missed.
  if (err instanceof WarehouseError && /checksum|corrupt/i.test(err.message)) return { code: 'busy', reason: 'a batch was writing the warehouse while it was being read; ask again in a moment' };
  return { code: 'failed', reason: 'the warehouse could not be read (the error is in the log)' };
}
