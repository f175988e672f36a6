import type { Client } from '@temporalio/client';
import { flowOrder } from '../journey/graph';
import type { Journey } from '../journey/schema';
import { variantResults, type VariantResults } from './stats';

/** What a results request asks for: one version of one journey, the runs that entered in [from, to). */
export interface ResultsRange {
  journeyId: string;
  version: string;
  from: Date;
  to: Date;
  confidence: number;
}

/** How the runs that entered in the range stand now, from Temporal's visibility. */
export interface RunCounts {
  /** Runs of the version that started in the range (a run that continued as new counts once). */
  entered: number;
  /** Still in the journey: waiting or working. */
  active: number;
  /** Ended on a goal event: the conversions. */
  converted: number;
  /** Ended on an exit event, or left when the journey was archived. */
  exited: number;
  /** Ran to an exit step. */
  completed: number;
  /** Ended any other way: failed, timed out, terminated or cancelled by an operator. */
  other: number;
}

export interface StepCounts {
  step: string;
  kind: string;
  /** Runs of the range waiting at this step now. */
  here: number;
  /** Runs of the range that reached this step and left it (going on, or ending there), each counted once (the store's path projection). */
  passed: number;
  /** Messages this step sent in the range (the send ledger, state "sent", by requested_at). */
  sent: number;
  /** Runs of the range that reached a goal while at this step (the store's path projection). */
  converted: number;
  /** Runs of the range that left on an exit event, or when the journey was archived, while at this step. */
  exited: number;
}

export interface SplitResults extends Omit<VariantResults, 'variants'> {
  step: string;
  /** Each path: its conversion, interval, test and lift, and how many of its runs are still in the journey or exited. */
  variants: Array<VariantResults['variants'][number] & { active: number; exited: number }>;
}

export interface JourneyResults {
  journeyId: string;
  version: string;
  from: string;
  to: string;
  runs: RunCounts;
  steps: StepCounts[];
  /** Per split: each path's conversion (converted / entered) with its interval, and the test and lift against the holdout (or the first path). */
  splits: SplitResults[];
  /** What each figure counts and where it comes from, in words, for the page and the API's readers. */
  definitions: Record<string, string>;
}

export const DEFINITIONS: Record<string, string> = {
  entered: "runs of this journey version that started in [from, to): Temporal visibility, the run's StartTime",
  active: 'of those, runs still in the journey now (ExecutionStatus Running)',
  converted: 'of those, runs that ended on one of the journey\'s goal events (JourneyStatus "converted"): the conversions',
  exited: 'of those, runs that ended on an exit event or when the journey was archived (JourneyStatus "exited")',
  completed: 'of those, runs that reached an exit step (JourneyStatus "completed")',
  other: 'of those, runs that ended any other way (failed, timed out, terminated, cancelled)',
  here: 'runs of the range waiting at the step now (the JourneyStep search attribute)',
  passed:
    "runs of the range that went through the step: reached it and left it, by going on or by ending there (steps[].converted and exited say how many ended there); a send once it is under way; each counted once however often they came back: the store's projection of runs' paths, which a run writes with each send, before each wait and when it ends (runs started by a Waymark release without it are not counted)",
  sent: 'messages the step sent in [from, to), by the time the run asked for the send (the send ledger, state "sent")',
  'steps.converted': "runs of the range that reached a goal while at the step (the store's path projection: the step a run ended at)",
  'steps.exited': "runs of the range that left on an exit event, or when the journey was archived, while at the step (the store's path projection)",
  'variants.active': "a path's runs still in the journey (visibility)",
  'variants.exited': "a path's runs that ended on an exit event or when the journey was archived (visibility)",
  splits:
    'per split, each path\'s customers as the split assigns them at entry (the JourneySplits search attribute; the split picks by customer, so a customer who left before reaching it counts in their path: intention to treat); conversion = converted / entered; the interval is a Wilson score interval; the test is a two-sided pooled two-proportion z-test against the baseline (the holdout path, else the first path); lift = rate / baseline rate - 1 with a log risk-ratio interval',
};

/** Counts a visibility query; the ledger's sends per step of a version's runs in a range. */
export interface ResultsSources {
  count(query: string): Promise<number>;
  sentByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, number>>;
  passedByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, number>>;
  endedByStep(journeyId: string, version: string, from: Date, to: Date): Promise<Map<string, Partial<Record<'converted' | 'exited' | 'completed' | 'restarted', number>>>>;
}

/** The sources in production: the Temporal client's visibility counts, the store's send ledger and path projection. */
export function resultsSources(client: Client, store: Pick<ResultsSources, 'sentByStep' | 'passedByStep' | 'endedByStep'>): ResultsSources {
  return { count: async (query) => (await client.workflow.count(query)).count, ...store };
}

/**
 * A journey version's results in a range, from counts only (visibility, one ledger query, one path query):
 * never a scan of runs or histories. Ids, versions, step and path names are safe in a visibility
 * query as they are (the journey schema allows letters, digits, "_" and "-"; versions are hex).
 */
export async function journeyResults(sources: ResultsSources, journey: Journey, range: ResultsRange): Promise<JourneyResults> {
  const { journeyId, version, from, to } = range;
  const base =
    `WorkflowType = 'journeyWorkflow' AND JourneyId = '${journeyId}' AND JourneyVersion = '${version}' ` +
    `AND StartTime >= '${from.toISOString()}' AND StartTime < '${to.toISOString()}' AND ExecutionStatus != 'ContinuedAsNew'`;
  const count = (where = '') => sources.count(where ? `${base} AND ${where}` : base);
  const closed = (status: string) => `ExecutionStatus = 'Completed' AND JourneyStatus = '${status}'`;
  const stepIds = flowOrder(journey);
  const splitSteps = stepIds.filter((id) => journey.steps[id]!.kind === 'split');

  const [entered, active, converted, exited, completed, here, sent, passed, ended, splits] = await Promise.all([
    count(),
    count(`ExecutionStatus = 'Running'`),
    count(closed('converted')),
    count(closed('exited')),
    count(closed('completed')),
    Promise.all(stepIds.map((id) => count(`ExecutionStatus = 'Running' AND JourneyStep = '${id}'`))),
    sources.sentByStep(journeyId, version, from, to),
    sources.passedByStep(journeyId, version, from, to),
    sources.endedByStep(journeyId, version, from, to),
    Promise.all(
      splitSteps.map(async (stepId) => {
        const step = journey.steps[stepId] as Extract<Journey['steps'][string], { kind: 'split' }>;
        const rows = await Promise.all(
          step.paths.map(async (p) => {
            const assigned = `JourneySplits = '${stepId}:${p.name}'`;
            const [pathEntered, pathConverted, pathActive, pathExited] = await Promise.all([
              count(assigned),
              count(`${assigned} AND ${closed('converted')}`),
              count(`${assigned} AND ExecutionStatus = 'Running'`),
              count(`${assigned} AND ${closed('exited')}`),
            ]);
            return { counts: { name: p.name, entered: pathEntered, conversions: pathConverted }, active: pathActive, exited: pathExited };
          }),
        );
        const holdout = step.paths.find((p) => p.holdout)?.name;
        const tested = variantResults(rows.map((r) => r.counts), holdout, range.confidence);
        return { step: stepId, ...tested, variants: tested.variants.map((v, i) => ({ ...v, active: rows[i]!.active, exited: rows[i]!.exited })) };
      }),
    ),
  ]);
  return {
    journeyId,
    version,
    from: from.toISOString(),
    to: to.toISOString(),
    runs: { entered, active, converted, exited, completed, other: Math.max(0, entered - active - converted - exited - completed) },
    steps: stepIds.map((id, i) => ({ step: id, kind: journey.steps[id]!.kind, here: here[i]!, passed: passed.get(id) ?? 0, sent: sent.get(id) ?? 0, converted: ended.get(id)?.converted ?? 0, exited: ended.get(id)?.exited ?? 0 })),
    splits,
    definitions: DEFINITIONS,
  };
}
