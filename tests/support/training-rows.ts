import { openDuckDb } from '../../src/warehouse/duckdb';
import { seededRandom } from '../../src/warehouse/seed/random';

/**
 * A DuckDB file holding only waymark_marts.ml_training (the columns warehouse/models/history/
 * ml_training.sql makes), with rows whose outcomes follow their features: customers quiet for
 * longer churn more, busy prospects order more, revenue follows revenue. The trainer learns from
 * it in a second, where a whole batch through dbt takes half a minute.
 */
export async function writeTrainingRows(file: string, customers: number, seed = 5): Promise<void> {
  const random = seededRandom(seed);
  const w = await openDuckDb(file);
  try {
    await w.execute('CREATE SCHEMA IF NOT EXISTS waymark_marts', { jobId: 'schema' });
    await w.execute(
      `CREATE TABLE waymark_marts.ml_training (as_of DATE, customer_id VARCHAR, feature_date DATE, events_7d BIGINT, events_30d BIGINT, orders_30d BIGINT,
        revenue_30d DOUBLE, tickets_30d BIGINT, days_since_active BIGINT, segment VARCHAR, is_prospect BOOLEAN, churned_30d BOOLEAN, ordered_30d BOOLEAN, revenue_next_30d DOUBLE)`,
      { jobId: 'table' },
    );
    const values: string[] = [];
    for (let c = 0; c < customers; c++) {
      const engagement = random.next();
      const prospect = random.next() < 0.4;
      for (let d = 0; d < 30; d++) {
        const day = new Date(Date.UTC(2026, 0, 31 + d)).toISOString().slice(0, 10);
        const quiet = engagement < 0.25 ? 10 + Math.floor(random.next() * 60) : Math.floor(random.next() * 5);
        const events30 = Math.round(engagement * 60 * random.next());
        const events7 = quiet > 7 ? 0 : Math.round(events30 / 4);
        const orders = prospect ? 0 : Math.round(engagement * 3 * random.next());
        const revenue = orders * (40 + Math.round(random.next() * 80));
        const churned = random.next() < (quiet > 20 ? 0.8 : 0.05);
        const ordered = random.next() < (prospect ? Math.min(0.9, events30 / 50) : 0.5);
        const next = Math.max(0, revenue * (0.6 + random.next() * 0.8));
        const never = random.next() < 0.03;
        values.push(`('2026-03-31', 'cus_${c}', '${day}', ${events7}, ${events30}, ${orders}, ${revenue}, ${Math.floor(random.next() * 2)}, ${never ? 'NULL' : quiet}, '${['free', 'starter', 'pro'][c % 3]}', ${prospect}, ${churned}, ${ordered}, ${next.toFixed(2)})`);
      }
    }
    for (let i = 0; i < values.length; i += 1_000) await w.execute(`INSERT INTO waymark_marts.ml_training VALUES ${values.slice(i, i + 1_000).join(', ')}`, { jobId: `rows-${i}` });
  } finally {
    await w.close();
  }
}
