/** closed: calls go; open: none for the cool-down; half_open: one trial call decides. */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitSettings {
  /** Consecutive failed calls that open the circuit. */
  failures: number;
  /** How long an open circuit refuses calls before one trial goes through. */
  cooldownMs: number;
}

/** Whether a call may go now, or how long until one may. */
export type Gate = { open: false } | { open: true; retryInMs: number };

/**
 * A circuit breaker for one provider, shared by every activity of a worker process: after
 * `failures` consecutive failures (the provider down, timing out), calls fail at once for the
 * cool-down, without reaching it, and each caller takes its fallback (the template for Gemini, a
 * later retry for Braze) instead of spending its time and its retries on a provider that is down.
 * After the cool-down one call is let through: its success closes the circuit, its failure opens
 * it again. What the provider refuses on the merits (a 4xx, an answer that does not parse) is no
 * sign of an outage and counts as a success here.
 */
export class CircuitBreaker {
  private stateNow: CircuitState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  /** When the half-open trial went, if one is out: a trial not heard of within the cool-down (a cancelled call) lets another go. */
  private trialAt: number | undefined;

  constructor(
    readonly provider: string,
    private readonly settings: CircuitSettings,
    private readonly onChange: (state: CircuitState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.stateNow;
  }

  /** Asks to call: open means do not (and for how long); half-open lets one trial through at a time. */
  gate(): Gate {
    if (this.stateNow === 'closed') return { open: false };
    const left = this.openedAt + this.settings.cooldownMs - this.now();
    if (this.stateNow === 'open' && left > 0) return { open: true, retryInMs: left };
    if (this.stateNow === 'open') this.move('half_open');
    if (this.trialAt !== undefined && this.now() - this.trialAt < this.settings.cooldownMs) return { open: true, retryInMs: this.trialAt + this.settings.cooldownMs - this.now() };
    this.trialAt = this.now();
    return { open: false };
  }

  success(): void {
    this.consecutive = 0;
    this.trialAt = undefined;
    if (this.stateNow !== 'closed') this.move('closed');
  }

  failure(): void {
    this.trialAt = undefined;
    this.consecutive += 1;
    if (this.stateNow === 'half_open' || (this.stateNow === 'closed' && this.consecutive >= this.settings.failures)) {
      this.openedAt = this.now();
      this.move('open');
    }
  }

  private move(state: CircuitState): void {
    this.stateNow = state;
    this.onChange(state);
  }
}
