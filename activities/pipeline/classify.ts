import { ApplicationFailure } from '@temporalio/activity';
import { WarehouseError } from '../../src/warehouse/port';

/** A failure no retry can fix (a bad export, a statement the warehouse refuses) ends the step at once. */
export async function classify<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WarehouseError && !err.retryable) throw ApplicationFailure.nonRetryable(err.message, 'BatchInvalid');
    if (err instanceof WarehouseError && err.retryAfterMs !== undefined) throw ApplicationFailure.create({ message: err.message, type: 'WAREHOUSE_CIRCUIT_OPEN', nextRetryDelay: err.retryAfterMs });
    throw err;
  }
}
