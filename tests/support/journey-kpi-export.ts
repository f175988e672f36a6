import type { KpiFigures } from '../../src/results/warehouse-kpis';
import { rows, type ExportRow } from './exports';

/**
 * A hand-made export for the journey_performance mart (Braze engagement and Shopify orders) and
 * the journey's figures worked out from it here, independently of the warehouse's SQL.
 */

export const KPI_JOURNEY = 'kpi-test';

const canvas = (id: string, step: string | null, variant: string | null) => ({ canvas_id: id, canvas_step_name: step, canvas_variation_name: variant });
const welcome = (variant: string) => canvas(KPI_JOURNEY, 'welcome', variant);
const PEOPLE = { ana: ['shop-a', 'ana@kpi.test'], bo: ['shop-b', 'bo@kpi.test'], cy: ['shop-c', 'cy@kpi.test'], di: ['shop-d', 'di@kpi.test'] } as const;
type Person = keyof typeof PEOPLE;

const engaged = (id: string, who: Person, event: string, at: string, c: ReturnType<typeof canvas>) => rows.engagement(id, PEOPLE[who][0], PEOPLE[who][1], event, at, c);
const order = (id: string, who: Person, at: string, price: string, status = 'paid') => rows.order(id, PEOPLE[who][0], PEOPLE[who][1], at, { total_price: price, financial_status: status });

export const ENGAGEMENT: ExportRow[] = [
  engaged('b-s1', 'ana', 'send', '2026-03-01T09:00:00Z', welcome('control')),
  engaged('b-o1', 'ana', 'open', '2026-03-01T10:00:00Z', welcome('control')),
  engaged('b-c1', 'ana', 'click', '2026-03-01T10:05:00Z', welcome('control')),
  engaged('b-s2', 'bo', 'send', '2026-03-02T09:00:00Z', welcome('short')),
  engaged('b-o2', 'bo', 'open', '2026-03-02T12:00:00Z', welcome('short')),
  engaged('b-s3', 'cy', 'send', '2026-03-03T09:00:00Z', welcome('control')),
  // A step without a variation: Braze leaves the name empty.
  engaged('b-s4', 'ana', 'send', '2026-03-05T09:00:00Z', canvas(KPI_JOURNEY, 'reminder', null)),
  // Another journey's send, later than cy's: it takes cy's order (last touch).
  engaged('b-s6', 'cy', 'send', '2026-03-06T09:00:00Z', canvas('other-journey', 'promo', 'a')),
  engaged('b-s5', 'di', 'send', '2026-03-10T09:00:00Z', welcome('short')),
  engaged('b-c2', 'di', 'click', '2026-03-10T11:00:00Z', welcome('short')),
];

export const ORDERS: ExportRow[] = [
  order('9001', 'ana', '2026-03-06T10:00:00Z', '120.00'), // after both of ana's sends: the reminder, the later one
  order('9002', 'ana', '2026-03-02T08:00:00Z', '30.50'), // after the welcome only
  order('9003', 'bo', '2026-03-10T09:00:00Z', '45.25'), // 8 days after bo's send: outside the 7 days
  order('9004', 'bo', '2026-03-03T09:00:00Z', '99.00', 'pending'), // not paid: no revenue
  order('9005', 'cy', '2026-03-07T09:00:00Z', '80.00'), // the other journey's send came later
  order('9006', 'di', '2026-03-12T09:00:00Z', '15.10'),
  order('9007', 'di', '2026-03-09T09:00:00Z', '9.99'), // before di's send
];

const DAY_MS = 86_400_000;
const at = (row: ExportRow, field: string) => Date.parse(row[field]!);

/**
 * The journey's figures per (step, variant) from the rows above, by the mart's definition: sends,
 * opens, clicks counted; each paid order credited to the customer's latest send in the 7 days
 * before it, of any journey. Keys: "step/variant", "" for a missing part.
 */
export function workedOut(): Map<string, Pick<KpiFigures, 'sends' | 'opens' | 'clicks' | 'conversions' | 'revenue'>> {
  const out = new Map<string, Pick<KpiFigures, 'sends' | 'opens' | 'clicks' | 'conversions' | 'revenue'>>();
  const keyOf = (e: ExportRow) => `${e.canvas_step_name ?? ''}/${e.canvas_variation_name ?? ''}`;
  const entry = (key: string) => out.get(key) ?? out.set(key, { sends: 0, opens: 0, clicks: 0, conversions: 0, revenue: 0 }).get(key)!;
  for (const e of ENGAGEMENT.filter((x) => x.canvas_id === KPI_JOURNEY)) {
    const f = entry(keyOf(e));
    if (e.event === 'send') f.sends++;
    if (e.event === 'open') f.opens++;
    if (e.event === 'click') f.clicks++;
  }
  const sends = ENGAGEMENT.filter((e) => e.event === 'send');
  for (const o of ORDERS) {
    const revenue = o.financial_status === 'paid' ? Number(o.total_price) : 0;
    if (!(revenue > 0)) continue;
    const touches = sends.filter((s) => s.external_id === o.customer_id && at(s, 'time') <= at(o, 'created_at') && at(o, 'created_at') < at(s, 'time') + 7 * DAY_MS);
    const last = touches.sort((a, b) => at(b, 'time') - at(a, 'time'))[0];
    if (!last || last.canvas_id !== KPI_JOURNEY) continue;
    const f = entry(keyOf(last));
    f.conversions++;
    f.revenue += revenue;
  }
  return out;
}
