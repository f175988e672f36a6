import type { Params, Row, Warehouse } from '../warehouse/port';
import { entryMatches } from './entry-matches';
import { runEventTypes } from './event-types';
import type { Condition, Journey } from './schema';

/**
 * What a backtest reads from the warehouse: the published events of the customers who last sent
 * one of a journey's entry events (waymark_staging.events, the ingestion pipeline's timeline of
 * every source), and the profile traits the pipeline gives their profiles. Only what the journey
 * can look at is read: its event types, the event properties and traits its conditions name;
 * never an email or a source's ids.
 */

/** One event of a customer, as the warehouse has it. */
export interface WarehouseEvent {
  type: string;
  /** When it happened (ISO 8601, UTC). */
  at: string;
  properties: Record<string, unknown>;
}

export interface CustomerHistory {
  customerId: string;
  /** Profile traits as of the last published batch (not as of the customer's entry). */
  traits: Record<string, unknown>;
  /** Their events of the journey's types, oldest first. */
  events: WarehouseEvent[];
}

export interface BacktestEvents {
  /** The warehouse's latest event: nobody's history is known past it. */
  endsAt: string;
  /** The customers whose latest entry event is the newest, newest first. */
  customers: CustomerHistory[];
  /** What the journey's conditions name that the warehouse does not have (they see it missing). */
  notes: string[];
}

/** The warehouse has no published events yet: nothing to backtest against. */
export class NoCustomerEventsError extends Error {
  readonly code = 'WAREHOUSE_NO_EVENTS';
  constructor(detail: string) {
    super(`the warehouse has no customer events yet (${detail}): run a batch first: waymark seed; waymark schedules apply; waymark schedules trigger`);
    this.name = 'NoCustomerEventsError';
  }
}

/** The events model's columns that describe an event (warehouse/models/staging/events.yml), read as properties of the same name. */
const EVENT_PROPERTIES = ['source', 'campaign', 'revenue', 'journey_id', 'step', 'variant'] as const;

/** The traits the pipeline merges into profiles (activities/pipeline/merge-attributes.ts), and their customer_health columns. */
const TRAIT_COLUMNS: Readonly<Record<string, string>> = { plan: 'plan', company_size: 'company_size', health_score: 'score', health_category: 'category' };

/** A served table that is not there yet reads as an empty warehouse (DuckDB and BigQuery say it so). */
const MISSING_TABLE = /does not exist|not found/i;

/** The top-level event properties and profile attributes a journey's conditions and filters name. */
export function namedFields(journey: Journey): { properties: Set<string>; attributes: Set<string> } {
  const named = { properties: new Set<string>(), attributes: new Set<string>() };
  const visit = (c: Condition | undefined): void => {
    if (!c) return;
    if ('all' in c) c.all.forEach(visit);
    else if ('any' in c) c.any.forEach(visit);
    else if ('not' in c) visit(c.not);
    else if ('property' in c) named.properties.add(c.property.split('.')[0]!);
    else if ('attribute' in c) named.attributes.add(c.attribute.split('.')[0]!);
  };
  for (const match of [...entryMatches(journey), ...journey.goals, ...journey.exits]) visit(match.filter);
  for (const step of Object.values(journey.steps)) {
    if (step.kind === 'wait_for_event') visit(step.filter);
    if (step.kind === 'branch') step.branches.forEach((b) => visit(b.when));
  }
  return named;
}

/** `@prefix_0, @prefix_1, ...` and their values: the port binds scalars only. */
function listParam(prefix: string, values: string[]): { sql: string; params: Params } {
  return { sql: values.map((_, i) => `@${prefix}_${i}`).join(', '), params: Object.fromEntries(values.map((v, i) => [`${prefix}_${i}`, v])) };
}

/** The latest event's time; throws NoCustomerEventsError when the warehouse has none (or never published). */
async function latestEventAt(warehouse: Warehouse): Promise<string> {
  let rows: Array<{ ends_at: string | null }>;
  try {
    rows = await warehouse.query<{ ends_at: string | null }>('SELECT MAX(occurred_at) AS ends_at FROM waymark_staging.events');
  } catch (err) {
    if (MISSING_TABLE.test((err as Error).message)) throw new NoCustomerEventsError('no batch was ever published');
    throw err;
  }
  const endsAt = rows[0]?.ends_at;
  if (!endsAt) throw new NoCustomerEventsError('the published events are empty');
  return endsAt;
}

/** The values of a row's columns in `names` that are not null. */
function present(row: Row, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => row[n] !== null && row[n] !== undefined).map((n) => [n, row[n]]));
}

/**
 * The events and traits of the last `limit` customers who sent one of `journey`'s entry events
 * (ordered by their latest one, newest first): their events of the types the journey enters on
 * or listens to, with the properties its conditions name.
 */
export async function readBacktestEvents(warehouse: Warehouse, journey: Journey, limit: number): Promise<BacktestEvents> {
  const endsAt = await latestEventAt(warehouse);
  const named = namedFields(journey);
  const properties = EVENT_PROPERTIES.filter((p) => named.properties.has(p));
  const traits = Object.keys(TRAIT_COLUMNS).filter((t) => named.attributes.has(t));
  const entryTypes = [...new Set(entryMatches(journey).map((m) => m.event))];
  const entry = listParam('entry', entryTypes);
  const types = listParam('type', [...new Set([...entryTypes, ...runEventTypes(journey)])]);
  const entrants = `WITH entrants AS (
  SELECT customer_id, MAX(occurred_at) AS latest_entry FROM waymark_staging.events
  WHERE event_type IN (${entry.sql}) GROUP BY customer_id
  ORDER BY latest_entry DESC, customer_id LIMIT ${Math.floor(limit)}
)`;
  const rows = await warehouse.query(
    `${entrants}
SELECT e.customer_id, e.event_type, e.occurred_at${properties.map((p) => `, e.${p}`).join('')}
FROM waymark_staging.events AS e JOIN entrants AS x ON x.customer_id = e.customer_id
WHERE e.event_type IN (${types.sql})
ORDER BY x.latest_entry DESC, e.customer_id, e.occurred_at, e.source, e.event_id`,
    { ...entry.params, ...types.params },
  );
  const customers = new Map<string, CustomerHistory>();
  for (const row of rows) {
    const customerId = String(row.customer_id);
    const history = customers.get(customerId) ?? { customerId, traits: {}, events: [] };
    customers.set(customerId, history);
    history.events.push({ type: String(row.event_type), at: String(row.occurred_at), properties: present(row, properties) });
  }
  const notes = [...named.properties].filter((p) => !(EVENT_PROPERTIES as readonly string[]).includes(p)).map((p) => `the warehouse's events have no property "${p}": conditions on it see it missing (they have ${EVENT_PROPERTIES.join(', ')})`);
  notes.push(...[...named.attributes].filter((a) => !TRAIT_COLUMNS[a]).map((a) => `the warehouse has no trait "${a}": conditions on it see it missing (it has ${Object.keys(TRAIT_COLUMNS).join(', ')})`));
  if (traits.length && customers.size) {
    const read = await readTraits(warehouse, entrants, entry.params, traits);
    if (!read) notes.push(`the warehouse has no published customer_health: conditions on ${traits.join(', ')} see them missing`);
    for (const [id, values] of read ?? []) {
      const customer = customers.get(id);
      if (customer) customer.traits = values;
    }
  }
  return { endsAt, customers: [...customers.values()], notes };
}

/** The entrants' traits from the published customer_health; undefined when it was never published. */
async function readTraits(warehouse: Warehouse, entrants: string, params: Params, traits: string[]): Promise<Map<string, Record<string, unknown>> | undefined> {
  const columns = traits.map((t) => `h.${TRAIT_COLUMNS[t]} AS ${t}`).join(', ');
  try {
    const rows = await warehouse.query(`${entrants}\nSELECT h.customer_id, ${columns} FROM waymark_marts.customer_health AS h JOIN entrants AS x ON x.customer_id = h.customer_id`, params);
    return new Map(rows.map((row) => [String(row.customer_id), present(row, traits)]));
  } catch (err) {
    if (MISSING_TABLE.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** The event types the warehouse has, most frequent first: what a journey could enter on. */
export async function warehouseEventTypes(warehouse: Warehouse): Promise<string[]> {
  const rows = await warehouse.query<{ event_type: string }>('SELECT event_type, COUNT(*) AS n FROM waymark_staging.events GROUP BY event_type ORDER BY n DESC, event_type');
  return rows.map((r) => r.event_type);
}
