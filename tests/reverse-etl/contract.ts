import { ReverseEtlError, type ReverseEtl, type RunStatus, type SyncRunStarted } from '../../src/reverse-etl/port';

/** What the contract needs of an adapter's world besides the adapter: its syncs, and the levers a test pulls. */
export interface ReverseEtlWorld {
  adapter: ReverseEtl;
  /** A sync the adapter runs after a promotion of `model`. */
  sync: string;
  model: 'churn' | 'lead' | 'value';
  /** A sync it does not know. */
  unknownSync: string;
  /** Rows a successful run of `sync` syncs. */
  rows: number;
  /**
   * Starts a run of `sync` outside the call under test (Hightouch's own schedule; another activity
   * of the same worker) that stays in progress until `release`, which resolves with its id.
   */
  holdRun(): Promise<{ release(): Promise<string> }>;
  /** The next run of `sync` fails with `reason` in what it says. */
  failNextRun(reason: string): void;
  /** Runs of `sync` so far, whoever started them. */
  runs(): number;
}

/** Looks at the run until it ends: runs move on when looked at (the loopback server) or end within their start (local). */
async function toTheEnd(adapter: ReverseEtl, sync: string, started: SyncRunStarted): Promise<RunStatus> {
  let status = started.status;
  for (let looks = 0; status.state === 'running'; looks++) {
    if (looks === 20) throw new Error(`run ${started.runId} of ${sync} still running after ${looks} looks: ${status.progress}`);
    status = await adapter.runStatus(sync, started.runId);
  }
  return status;
}

/**
 * The reverse ETL port's contract (src/reverse-etl/port.ts): every adapter passes it, in its own
 * test file that builds its world (tests/reverse-etl/*.test.ts). The tests run in order on one world.
 */
export function reverseEtlContract(name: string, world: () => ReverseEtlWorld): void {
  describe(`reverse ETL contract: ${name}`, () => {
    it('runs the sync after a promotion of its model', () => {
      const { adapter, sync, model } = world();
      expect(adapter.syncsAfter(model)).toContain(sync);
    });

    it('starts a run of an idle sync and follows it to its end, with the rows it synced', async () => {
      const { adapter, sync, rows, runs } = world();
      const before = runs();
      const started = await adapter.startOrFollow(sync);
      expect(started).toMatchObject({ runId: expect.any(String), alreadyRunning: false });
      expect(runs()).toBe(before + 1);
      const end = await toTheEnd(adapter, sync, started);
      expect(end).toEqual({ state: 'succeeded', rows, summary: expect.stringContaining(String(rows)) });
      // An ended run stays as it ended.
      expect(await adapter.runStatus(sync, started.runId)).toEqual(end);
    });

    it('follows the run already in progress rather than start another', async () => {
      const { adapter, sync, rows, runs, holdRun } = world();
      const before = runs();
      const held = await holdRun();
      const following = adapter.startOrFollow(sync);
      const heldId = await held.release();
      const started = await following;
      expect(started).toMatchObject({ runId: heldId, alreadyRunning: true });
      expect(await toTheEnd(adapter, sync, started)).toMatchObject({ state: 'succeeded', rows });
      expect(runs()).toBe(before + 1);
    });

    it('ends a failed run failed, with the reason it failed', async () => {
      const { adapter, sync, failNextRun } = world();
      failNextRun('the destination refused the field churn_score');
      const started = await adapter.startOrFollow(sync);
      const end = await toTheEnd(adapter, sync, started);
      expect(end).toEqual({ state: 'failed', reason: expect.stringContaining('the destination refused the field churn_score') });
      // The next run is not marked by it.
      expect(await toTheEnd(adapter, sync, await adapter.startOrFollow(sync))).toMatchObject({ state: 'succeeded' });
    });

    it('refuses a sync it does not know, naming it, for good', async () => {
      const { adapter, unknownSync } = world();
      const err = await adapter.startOrFollow(unknownSync).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReverseEtlError);
      expect(err).toMatchObject({ retryable: false, message: expect.stringContaining(unknownSync) });
    });
  });
}
