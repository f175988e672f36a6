/** What the hostile run saw: answers by attack and status, the largest answers, and anything over its bound. */
export class Recorder {
  readonly byAttack = new Map<string, Map<string, number>>();
  readonly largest = { batch: 0, other: 0 };
  readonly oversized: string[] = [];
  readonly serverErrors: string[] = [];
  requests = 0;

  constructor(
    /** The most bytes an answer may take (answerLimitBytes), for batch routes and for the rest. */
    private readonly limits: { batch: number; other: number },
    private readonly maxRequests: number,
  ) {}

  get exhausted(): boolean {
    return this.requests >= this.maxRequests;
  }

  /** `status` is an HTTP status, or a word when there was no answer ("closed", "reset"). */
  record(attack: string, status: number | string, answerBytes = 0, route: 'batch' | 'other' = 'other'): void {
    this.requests++;
    const counts = this.byAttack.get(attack) ?? new Map<string, number>();
    counts.set(String(status), (counts.get(String(status)) ?? 0) + 1);
    this.byAttack.set(attack, counts);
    this.largest[route] = Math.max(this.largest[route], answerBytes);
    if (answerBytes > this.limits[route]) this.oversized.push(`${attack}: ${answerBytes} bytes > ${this.limits[route]}`);
    if (typeof status === 'number' && status >= 500) this.serverErrors.push(`${attack}: ${status}`);
  }

  totals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const counts of this.byAttack.values()) for (const [status, n] of counts) totals.set(status, (totals.get(status) ?? 0) + n);
    return totals;
  }
}
