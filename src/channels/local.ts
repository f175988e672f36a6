import type { Store } from '../store/store';
import type { DeliveryReceipt, MessageChannel, OutgoingMessage } from './port';

export interface OutboxRecord extends OutgoingMessage {
  recordedAt: string;
}

/**
 * The local channel, the embedded default: each message is a row of the store keyed by its send
 * key, written once, so a retried or replayed send never records a message twice, and every
 * process (the CLI included) sees the same messages.
 */
export class LocalChannel implements MessageChannel {
  readonly provider = 'local';
  readonly keyed = true;

  constructor(private readonly store: Store) {}

  async deliver(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const inserted = await this.store.query<{ recorded_at: Date }>(
      `INSERT INTO local_messages (send_key, customer_id, message) VALUES ($1, $2, $3)
       ON CONFLICT (send_key) DO NOTHING RETURNING recorded_at`,
      [message.key, message.customerId, JSON.stringify(message)],
    );
    if (inserted.rows[0]) return { key: message.key, firstDelivery: true, recordedAt: inserted.rows[0].recorded_at.toISOString() };
    const { rows } = await this.store.query<{ recorded_at: Date }>('SELECT recorded_at FROM local_messages WHERE send_key = $1', [message.key]);
    return { key: message.key, firstDelivery: false, recordedAt: rows[0]!.recorded_at.toISOString() };
  }

  /** The recorded messages, oldest first: all of them, or one customer's; with `newest`, only the newest that many. */
  async list(customerId?: string, newest?: number): Promise<OutboxRecord[]> {
    const where = customerId === undefined ? '' : 'WHERE customer_id = $1';
    const values = customerId === undefined ? [] : [customerId];
    const sql =
      newest === undefined
        ? `SELECT message, recorded_at FROM local_messages ${where} ORDER BY recorded_at, send_key`
        : `SELECT * FROM (SELECT message, recorded_at, send_key FROM local_messages ${where} ORDER BY recorded_at DESC, send_key DESC LIMIT ${Math.floor(newest)}) newest ORDER BY recorded_at, send_key`;
    const { rows } = await this.store.query<{ message: OutgoingMessage; recorded_at: Date }>(sql, values);
    return rows.map((r) => ({ ...r.message, recordedAt: r.recorded_at.toISOString() }));
  }
}
