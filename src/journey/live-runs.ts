import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { archiveSignal, type ArchiveNotice } from '../../workflows/contract';

/**
 * What the journey commands ask Temporal: how many runs each journey (and version) has going,
 * and telling the runs of an archived journey to exit. Journey ids and versions are safe to put
 * in a visibility query as they are (lower-case letters, digits and "-"; hex).
 */

const runsOf = (journeyId: string) => `WorkflowType = 'journeyWorkflow' AND JourneyId = '${journeyId}' AND ExecutionStatus = 'Running'`;

/** Running runs of the journey: in all, and per version when more than one version has any. */
export async function liveRuns(client: Client, journeyId: string, versions: string[]): Promise<{ total: number; byVersion: Map<string, number> }> {
  const { count: total } = await client.workflow.count(runsOf(journeyId));
  const byVersion = new Map<string, number>();
  // One count per version only when there is something to split; a journey with no runs costs one query.
  if (total > 0 && versions.length > 1) {
    const counts = await Promise.all(versions.map((v) => client.workflow.count(`${runsOf(journeyId)} AND JourneyVersion = '${v}'`)));
    versions.forEach((v, i) => counts[i]!.count && byVersion.set(v, counts[i]!.count));
  }
  return { total, byVersion };
}

export interface SweepResult {
  /** Runs signalled (each run once, across sweeps). */
  told: number;
  /** Runs that ended between the listing and the signal. */
  ended: number;
  /** Runs the signal did not reach, with the first error. */
  failed: number;
  firstError?: string;
}

/**
 * Signals every running run of the journey to exit (archiveSignal), at most
 * WAYMARK_ARCHIVE_CONCURRENCY at a time, skipping runs in `seen` (told by an earlier sweep).
 * `say` gets a progress line at each tenth of the runs counted at the start.
 */
export async function tellRunsToExit(client: Client, config: Config, journeyId: string, notice: ArchiveNotice, seen: Set<string>, say: (line: string) => void): Promise<SweepResult> {
  const result: SweepResult = { told: 0, ended: 0, failed: 0 };
  const { count: expected } = await client.workflow.count(runsOf(journeyId));
  say(`  ${expected} run(s) running`);
  const step = Math.max(1, Math.ceil(expected / 10));
  let done = 0;
  const tell = async (workflowId: string) => {
    try {
      await client.workflow.getHandle(workflowId).signal(archiveSignal, notice);
      result.told++;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) result.ended++;
      else {
        result.failed++;
        result.firstError ??= `${workflowId}: ${(err as Error).message}`;
      }
    }
    if (++done % step === 0 && done < expected) say(`  ${done}/${expected} done`);
  };
  const inFlight = new Set<Promise<void>>();
  for await (const run of client.workflow.list({ query: runsOf(journeyId) })) {
    if (seen.has(run.runId)) continue;
    seen.add(run.runId);
    const p = tell(run.workflowId).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= config.archive.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return result;
}

/**
 * Both sweeps of an archive: now, then again after WAYMARK_CATALOG_REFRESH plus
 * WAYMARK_ARCHIVE_SWEEP_MARGIN, for runs started while workers still saw the journey active.
 */
export async function sweepArchivedRuns(client: Client, config: Config, journeyId: string, notice: ArchiveNotice, say: (line: string) => void): Promise<{ first: SweepResult; second: SweepResult }> {
  const seen = new Set<string>();
  say('first sweep');
  const first = await tellRunsToExit(client, config, journeyId, notice, seen, say);
  say(sweepLine('first sweep', first));
  const waitMs = config.store.catalogRefreshMs + config.archive.sweepMarginMs;
  say(`second sweep in ${waitMs / 1000}s, for runs started while workers still saw the journey active`);
  await new Promise((r) => setTimeout(r, waitMs));
  const second = await tellRunsToExit(client, config, journeyId, notice, seen, say);
  say(sweepLine('second sweep', second));
  return { first, second };
}

function sweepLine(label: string, r: SweepResult): string {
  return `${label}: told ${r.told} run(s) to exit${r.ended ? `, ${r.ended} had ended already` : ''}${r.failed ? `, ${r.failed} not reached (${r.firstError})` : ''}`;
}
