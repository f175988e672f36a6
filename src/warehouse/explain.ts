import type { Row, Warehouse } from './port';

/** What the published warehouse knows of one person, and why their health is what it is. */
export interface CustomerHealthExplained {
  customerId: string;
  email: string;
  asOf: string;
  /** The batch that built the published marts, and its status. */
  batchId: string | null;
  lifecycleStage: string | null;
  score: number;
  category: string;
  reasons: string;
  /** Each warning sign: what was measured and the penalty it cost. */
  signs: Array<{ sign: string; measured: string; penalty: number }>;
  lastSeen: { at: string; source: string; batchId: string | null; batchAsOf: string | null } | null;
  /** The identity keys that make this person (e: email, c: contact, l: lead, s: shop id). */
  keys: string[];
}

interface HealthRow extends Row {
  customer_id: string;
  email: string;
  as_of: string;
  batch_id: string | null;
  lifecycle_stage: string | null;
  score: number;
  category: string;
  reasons: string;
  days_quiet: number | null;
  orders_90d: number;
  engaged_30d: number | null;
  open_tickets: number;
  bad_ratings: number | null;
  quiet_penalty: number | null;
  order_penalty: number | null;
  engagement_penalty: number | null;
  ticket_penalty: number | null;
  rating_penalty: number | null;
  last_seen_at: string | null;
  last_seen_source: string | null;
  last_seen_batch: string | null;
}

/**
 * The customer a text names: a customer id (cus_...), an email (any case and spacing), or any id
 * a source carries (Salesforce contact or lead id, the shop's customer id). Undefined: not in the
 * published warehouse. Several: the text is an id more than one kind of key uses.
 */
export async function findCustomer(warehouse: Warehouse, text: string): Promise<string[]> {
  const key = text.trim();
  const rows = await warehouse.query<{ customer_id: string }>(
    `SELECT DISTINCT customer_id FROM waymark_staging.identity_links
     WHERE customer_id = @key OR identity_key = CONCAT('e:', LOWER(@key)) OR (key_kind != 'e' AND key_value = @key)
     ORDER BY customer_id`,
    { key },
  );
  return rows.map((r) => r.customer_id);
}

const n = (value: number | null | undefined) => Number(value ?? 0);

/** The published health of `customerId`, each warning sign with its penalty, and the keys that make the person. */
export async function explainHealth(warehouse: Warehouse, customerId: string): Promise<CustomerHealthExplained | undefined> {
  const [h] = await warehouse.query<HealthRow>('SELECT * FROM waymark_marts.customer_health WHERE customer_id = @id', { id: customerId });
  if (!h) return undefined;
  const keys = await warehouse.query<{ identity_key: string }>('SELECT identity_key FROM waymark_staging.identity_links WHERE customer_id = @id ORDER BY key_kind, identity_key', { id: customerId });
  const lastBatch = h.last_seen_batch
    ? (await warehouse.query<{ as_of: string }>('SELECT CAST(as_of AS STRING) AS as_of FROM waymark_ops.batches WHERE batch_id = @id', { id: h.last_seen_batch }))[0]
    : undefined;
  return {
    customerId: h.customer_id,
    email: h.email,
    asOf: String(h.as_of),
    batchId: h.batch_id ?? null,
    lifecycleStage: h.lifecycle_stage ?? null,
    score: n(h.score),
    category: h.category,
    reasons: h.reasons,
    signs: [
      { sign: 'quiet', measured: h.days_quiet === null ? 'never seen' : `${h.days_quiet} days since the last event`, penalty: n(h.quiet_penalty) },
      { sign: 'orders', measured: `${n(h.orders_90d)} orders in the order window`, penalty: n(h.order_penalty) },
      { sign: 'engagement', measured: `${n(h.engaged_30d)} email opens or clicks in the engagement window`, penalty: n(h.engagement_penalty) },
      { sign: 'tickets', measured: `${n(h.open_tickets)} open tickets (latest state)`, penalty: n(h.ticket_penalty) },
      { sign: 'rating', measured: `${n(h.bad_ratings)} tickets rated bad`, penalty: n(h.rating_penalty) },
    ],
    lastSeen: h.last_seen_at ? { at: String(h.last_seen_at), source: h.last_seen_source ?? '?', batchId: h.last_seen_batch, batchAsOf: lastBatch?.as_of ?? null } : null,
    keys: keys.map((k) => k.identity_key),
  };
}
