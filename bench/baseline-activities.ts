import path from 'node:path';
import { createOnce } from '../src/fs-atomic';

export interface BaselineRecord {
  customerId: string;
  recordedAt: string;
}

/** Where the baseline's records go: beside the outbox, one file per customer. */
export const baselineDir = (dataDir: string) => path.join(dataDir, 'baseline');

/** The baseline's one activity: a tiny record written the way the outbox writes a message (atomic, synced, once). */
export function baselineActivities(dataDir: string) {
  return {
    async recordCustomer(customerId: string): Promise<void> {
      const record: BaselineRecord = { customerId, recordedAt: new Date().toISOString() };
      await createOnce(path.join(baselineDir(dataDir), `${customerId}.json`), JSON.stringify(record));
    },
  };
}

export type BaselineActivities = ReturnType<typeof baselineActivities>;
