import { SendLedger } from '../src/channels/ledger';
import type { Journey } from '../src/journey/schema';
import { PgProfileStore } from '../src/profiles/pg-store';
import { journeyResults, type ResultsSources } from '../src/results/journey-results';
import { warehouseKpisReader } from '../src/results/warehouse-reader';
import { JourneyPaths } from '../src/store/journey-paths';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../workflows/contract';
import { measureRounds, pageGetter, planOf, recordingStore, replayFor, sqlJourneyFigures, timeEach, type Series } from './console-measure';
import type { Comparison } from './console-report';
import type { Stack } from './stack';

export interface PagesSetup {
  apiUrl: string;
  /** A key with the read scope: the console's cookie. */
  readKey: string;
  journey: Journey;
  version: string;
  /** Customers with a router and a run: the customer page's. */
  customers: string[];
  warmup: number;
  rounds: number;
  /** Untimed, before each journey page and each visibility figure (--pause). */
  pauseMs: number;
}

/**
 * Times the console's two pages over HTTP and, in the same rounds, their parts alone and their
 * baselines in SQL on the store: the journey page against one statement computing its figures,
 * the customer page against its own store reads replayed as plain SQL. Then, once: each
 * visibility count alone, the plans of the store's statements, and the page's figures beside SQL's.
 */
export async function measurePages(stack: Stack, s: PagesSetup, say: (line: string) => void): Promise<{ series: Series[]; comparison: Comparison }> {
  const { config, client, store } = stack;
  const { journey, version } = s;
  const range = () => {
    const to = new Date();
    return { journeyId: journey.id, version, from: new Date(to.getTime() - config.results.defaultRangeMs), to, confidence: config.results.confidence };
  };
  const endedStep = (await store.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'journey_enrolments' AND column_name = 'ended_step'")).rowCount === 1;

  // The product's readers on a store that records their statements: the SQL behind each page, as the product writes it today.
  const recorder = recordingStore(store);
  const ledger = new SendLedger(recorder.store);
  const paths = new JourneyPaths(recorder.store);
  const profiles = new PgProfileStore(recorder.store, config.profileKeepKeys, config.limits);
  // The results' two halves, each alone: the visibility counts (the store's reads answer at once,
  // empty), and the store's reads (every count answers 0 at once); each run as the page runs it.
  let asked: string[] = [];
  const storeReads: Omit<ResultsSources, 'count'> = {
    sentByStep: (...args) => ledger.sentByStep(...args),
    passedByStep: (...args) => paths.passedByStep(...args),
    endedByStep: (...args) => paths.endedByStep(...args),
  };
  const empty = Object.fromEntries(Object.keys(storeReads).map((k) => [k, async () => new Map()])) as unknown as Omit<ResultsSources, 'count'>;
  const visibilityOnly: ResultsSources = { count: async (query) => (asked.push(query), (await client.workflow.count(query)).count), ...empty };
  const storeOnly: ResultsSources = { count: async () => 0, ...storeReads };

  // The customer page's store reads, in the timeline's order (src/customers/timeline.ts), recorded once for the first customer.
  const first = s.customers[0]!;
  recorder.take();
  await paths.forCustomer(first);
  await profiles.get(first);
  await ledger.forCustomer(first);
  const timelineStatements = recorder.take();
  await journeyResults(storeOnly, journey, range());
  const pageStatements = recorder.take();

  const pages = pageGetter(s.apiUrl, { cookie: `waymark_console_key=${encodeURIComponent(s.readKey)}; waymark_console_actor=bench` });
  const warehouse = warehouseKpisReader(config);
  let turn = 0;
  let customer = first;
  // Ranges that hold every filler run (they all started today), each starting a day later than the last: each is new to the console.
  let ranges = 0;
  const newRangeStart = () => new Date(Date.UTC(2000, 0, 1) + ranges++ * 86_400_000).toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const ops = [
    { label: 'journey page (HTTP GET)', op: async () => void (await pages.get(`/console/journeys/${journey.id}`)), pauseBefore: true },
    // The page serves its figures from the last computation (src/results/snapshots.ts); a range never asked before is computed while the viewer waits.
    { label: '  first view of a range (computed)', op: async () => void (await pages.get(`/console/journeys/${journey.id}?from=${newRangeStart()}&to=${tomorrow}`)), pauseBefore: true },
    { label: '  visibility counts alone', op: async () => void (await journeyResults(visibilityOnly, journey, range())), pauseBefore: true },
    { label: `  store reads alone (${pageStatements.length})`, op: async () => void (await journeyResults(storeOnly, journey, range())) },
    { label: '  warehouse KPIs alone', op: async () => void (await warehouse(journey.id)) },
    {
      label: '  SQL baseline (one statement)',
      op: async () => {
        const r = range();
        await sqlJourneyFigures(store, journey.id, version, r.from, r.to, endedStep);
      },
    },
    { label: 'customer page (HTTP GET)', op: async () => void (await pages.get(`/console/customers/${(customer = s.customers[turn++ % s.customers.length]!)}`)) },
    {
      label: '  Temporal queries alone',
      op: async () => {
        const router = await client.workflow.getHandle(customerWorkflowId(customer)).query(customerStateQuery);
        await Promise.all(Object.keys(router.journeys).map((id) => client.workflow.getHandle(journeyWorkflowId(id, customer)).query(journeyStateQuery)));
      },
    },
    { label: `  SQL baseline (its ${timelineStatements.length} statements)`, op: async () => void (await replayFor(store, timelineStatements, first, customer)) },
  ];
  say(`Measuring: ${s.warmup} warm-up rounds, then ${s.rounds} timed rounds of ${ops.length} figures, one request at a time...`);
  const series = await measureRounds(ops, s.warmup, s.rounds, s.pauseMs, say);
  pages.close();

  const r = range();
  asked = [];
  const [figures, sql] = await Promise.all([
    journeyResults({ ...visibilityOnly, ...storeReads }, journey, r).catch((err: unknown) => (err as Error).message ?? String(err)),
    sqlJourneyFigures(store, journey.id, version, r.from, r.to, endedStep),
  ]);
  say(`Timing each of the page's ${asked.length} visibility counts alone...`);
  await new Promise((resolve) => setTimeout(resolve, s.pauseMs));
  const eachCount = await timeEach(asked, (query) => client.workflow.count(query));
  const plans: Array<[string, string]> = [];
  for (const [page, statements] of [
    ['journey page', pageStatements],
    ['customer page', timelineStatements],
  ] as const) {
    for (const [text, values] of statements) plans.push([`${page}, ${/FROM (\w+)/.exec(text)?.[1] ?? '?'}`, await planOf(store, text, values)]);
  }
  return { series, comparison: { figures, sql, visibilityQueries: asked.length, eachCount, plans } };
}
