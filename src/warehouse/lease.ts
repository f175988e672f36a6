import type { Warehouse } from './port';

/**
 * The warehouse, opened for as long as something uses it. A DuckDB file can be open in one
 * process at a time, and dbt (the Python worker) builds in it between the pipeline's own stages:
 * the pipeline worker opens it when one of its activities starts and closes it once none uses it
 * (before that activity's result goes back), so the file is free while the workflow waits for
 * dbt. BigQuery holds no lock: opened once, kept until close().
 */
export interface WarehouseLease {
  readonly engine: Warehouse['engine'];
  /** `work` with the warehouse open; several at once share one opening. */
  use<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T>;
  /** Closes it now if open (the process is stopping). */
  close(): Promise<void>;
}

export function leaseWarehouse(engine: Warehouse['engine'], open: () => Promise<Warehouse>): WarehouseLease {
  const keepOpen = engine === 'bigquery';
  let users = 0;
  let opened: Promise<Warehouse> | undefined;
  // A close under way: the next opening waits for it (DuckDB refuses a second instance of a file).
  let closing: Promise<void> = Promise.resolve();

  const shut = async () => {
    const current = opened;
    opened = undefined;
    if (current) closing = current.then((w) => w.close(), () => undefined);
    await closing;
  };

  return {
    engine,
    async use(work) {
      users++;
      try {
        if (!opened) {
          const opening = closing.then(open);
          opened = opening;
          // A failed opening is not kept: the next use tries again.
          opening.catch(() => {
            if (opened === opening) opened = undefined;
          });
        }
        return await work(await opened);
      } finally {
        users--;
        if (users === 0 && !keepOpen) await shut();
      }
    },
    close: shut,
  };
}
