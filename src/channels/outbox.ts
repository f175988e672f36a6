import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { DeliveryReceipt, MessageChannel, MessageRequest } from './port';
import { createOnce, readJsonIfExists } from '../fs-atomic';

export interface OutboxRecord extends MessageRequest {
  recordedAt: string;
}

/**
 * The local channel: every message becomes one JSON file named by the hash of its key, created
 * atomically and only once, so a retried or replayed send never records a message twice.
 */
export class FileOutbox implements MessageChannel {
  constructor(readonly dir: string) {}

  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  async deliver(message: MessageRequest): Promise<DeliveryReceipt> {
    const record: OutboxRecord = { ...message, recordedAt: new Date().toISOString() };
    const file = this.fileFor(message.key);
    if (await createOnce(file, JSON.stringify(record, null, 2))) {
      return { key: message.key, firstDelivery: true, recordedAt: record.recordedAt };
    }
    const earlier = await readJsonIfExists<OutboxRecord>(file);
    return { key: message.key, firstDelivery: false, recordedAt: earlier?.recordedAt ?? record.recordedAt };
  }

  /** Every recorded message, oldest first. */
  async list(): Promise<OutboxRecord[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records = await Promise.all(names.map((n) => readJsonIfExists<OutboxRecord>(path.join(this.dir, n))));
    return records
      .filter((r): r is OutboxRecord => r !== undefined)
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.key.localeCompare(b.key));
  }
}
