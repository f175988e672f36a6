import type { Store } from '../store/store';
import { FEATURES, type Features } from './models';

export interface StoredFeatures {
  features: Features;
  /** The warehouse day they describe (ml_features' feature_date). */
  asOf: string;
}

/**
 * The features each customer was last scored with, kept in the store so the journeys' workers
 * (which do not open the warehouse) can score a customer when a step asks: the batch scoring
 * writes them, a score condition reads one row.
 */
export class FeatureStore {
  constructor(private readonly store: Store) {}

  /** Replaces the rows of these customers (one statement per call: pass a page at a time). */
  async put(rows: Array<{ customerId: string } & StoredFeatures>): Promise<void> {
    if (rows.length === 0) return;
    await this.store.query(
      `INSERT INTO customer_features (customer_id, features, as_of)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::date[])
       ON CONFLICT (customer_id) DO UPDATE SET features = EXCLUDED.features, as_of = EXCLUDED.as_of, updated_at = now()`,
      [rows.map((r) => r.customerId), rows.map((r) => JSON.stringify(r.features)), rows.map((r) => r.asOf)],
    );
  }

  async get(customerId: string): Promise<StoredFeatures | undefined> {
    const { rows } = await this.store.query<{ features: Record<string, unknown>; as_of: string }>(
      "SELECT features, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM customer_features WHERE customer_id = $1",
      [customerId],
    );
    const row = rows[0];
    if (!row) return undefined;
    // A feature the row lacks (one added to the models since) is unknown, as for a customer never seen.
    const features = Object.fromEntries(FEATURES.map((f) => [f, typeof row.features[f] === 'number' ? row.features[f] : null])) as Features;
    return { features, asOf: row.as_of };
  }
}
