import type { Config } from '../config';
import { configuredSecrets, secretRedactor } from '../redact';
import { HightouchClient, type HightouchRun } from './hightouch-client';
import type { ReverseEtl, RunStatus, SyncRunStarted } from './port';

/** Hightouch's statuses of a run still going; any status not listed here or below is taken as going too. */
const IN_PROGRESS = new Set(['queued', 'querying', 'processing', 'reporting']);
/** Ended with the rows sent: `warning` when the destination rejected some of them. */
const SUCCEEDED = new Set(['success', 'warning']);
/** Ended without: `interrupted` runs are resumed by Hightouch in a new run of its own. */
const FAILED = new Set(['failed', 'cancelled', 'interrupted']);

/**
 * Reverse ETL through Hightouch: the syncs in WAYMARK_HIGHTOUCH_SYNC_IDS run after every
 * promotion (each reads whatever warehouse tables it was set up with, the scores tables among
 * them). A run already going is followed, not triggered again: Hightouch would queue a second
 * run behind it. A retried start finds the run its first attempt triggered the same way.
 */
export class HightouchReverseEtl implements ReverseEtl {
  readonly name = 'hightouch';

  constructor(
    private readonly client: HightouchClient,
    private readonly syncIds: readonly string[],
  ) {}

  static fromConfig(config: Config): HightouchReverseEtl {
    const { url, token, timeoutMs, maxReasonChars, syncIds } = config.reverseEtl.hightouch;
    return new HightouchReverseEtl(new HightouchClient({ url, token, timeoutMs, maxReasonChars, redact: secretRedactor(configuredSecrets(config)) }), syncIds);
  }

  syncsAfter(): string[] {
    return [...this.syncIds];
  }

  async startOrFollow(sync: string, signal?: AbortSignal): Promise<SyncRunStarted> {
    const latest = await this.client.latestRun(sync, signal);
    if (latest && !SUCCEEDED.has(latest.status) && !FAILED.has(latest.status)) return { runId: latest.id, alreadyRunning: true, status: statusOf(latest) };
    const runId = await this.client.trigger(sync, signal);
    return { runId, alreadyRunning: false, status: { state: 'running', progress: 'triggered' } };
  }

  async runStatus(sync: string, runId: string, signal?: AbortSignal): Promise<RunStatus> {
    const run = await this.client.run(sync, runId, signal);
    // Just triggered, a run may not be listed for a moment.
    return run ? statusOf(run) : { state: 'running', progress: 'not listed by Hightouch yet' };
  }
}

function statusOf(run: HightouchRun): RunStatus {
  const failedRows = total(run.failedRows);
  if (SUCCEEDED.has(run.status)) {
    const rows = total(run.successfulRows);
    const rejected = failedRows ? `, ${failedRows} rejected by the destination` : '';
    const queried = run.querySize === null || run.querySize === undefined ? '' : ` (the model's query gave ${run.querySize})`;
    const warning = run.status === 'warning' ? `${failedRows} rows rejected by the destination${run.error ? `: ${run.error}` : ''}` : undefined;
    return { state: 'succeeded', rows, summary: `${rows} rows synced${rejected}${queried}`, ...(warning ? { warning } : {}) };
  }
  if (FAILED.has(run.status)) {
    const how = run.status === 'failed' ? '' : run.status === 'interrupted' ? 'interrupted (Hightouch resumes it in a run of its own)' : run.status;
    if (!run.error) return { state: 'failed', reason: `${how || 'failed'}, without a reason from Hightouch` };
    return { state: 'failed', reason: how ? `${how}: ${run.error}` : run.error };
  }
  const ratio = typeof run.completionRatio === 'number' ? ` ${Math.round(run.completionRatio * 100)}%` : '';
  return { state: 'running', progress: IN_PROGRESS.has(run.status) ? `${run.status}${ratio}` : `status "${run.status}"${ratio}` };
}

function total(counts: HightouchRun['successfulRows']): number {
  return counts ? counts.addedCount + counts.changedCount + counts.removedCount : 0;
}
