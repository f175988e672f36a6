/** `skipped` carries the error of the earlier task of the same key that failed. */
export type Outcome<T> = { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'skipped'; cause: unknown };

const DONE: Outcome<unknown> = { status: 'done', value: undefined };

/**
 * Runs tasks at most `limit` at a time, one at a time per key, in the order they were added.
 * Used with the customer id as key: the router handles a customer's events in the order
 * Temporal received them, so "signed_up" must be handed over before the "activated" sent after
 * it. Once a task fails, later tasks of its key are skipped: what a customer got accepted is
 * always a prefix of what was sent, and resending the rest keeps the order.
 */
export class OrderedPool {
  private running = 0;
  private pending = 0;
  private readonly slots: Array<() => void> = [];
  private readonly roomWaiters: Array<() => void> = [];
  private readonly tails = new Map<string, Promise<Outcome<unknown>>>();

  constructor(private readonly limit: number) {}

  add<T>(key: string, task: () => Promise<T>): Promise<Outcome<T>> {
    this.pending++;
    const previous = this.tails.get(key) ?? Promise.resolve(DONE);
    const outcome = previous.then(async (before): Promise<Outcome<T>> => {
      if (before.status === 'failed') return { status: 'skipped', cause: before.error };
      if (before.status === 'skipped') return before;
      await this.acquire();
      try {
        return { status: 'done', value: await task() };
      } catch (error) {
        return { status: 'failed', error };
      } finally {
        this.release();
      }
    });
    const tail: Promise<Outcome<unknown>> = outcome;
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.pending--;
      this.roomWaiters.splice(0).forEach((wake) => wake());
    });
    return outcome;
  }

  /** Resolves when fewer than `limit` tasks are queued or running: lets a reader of a large file keep memory bounded. */
  async room(): Promise<void> {
    while (this.pending >= this.limit) await new Promise<void>((wake) => this.roomWaiters.push(wake));
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    await new Promise<void>((granted) => this.slots.push(granted));
  }

  /** Hands the slot straight to the next waiter, if any, so `running` never overshoots. */
  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.running--;
  }
}
