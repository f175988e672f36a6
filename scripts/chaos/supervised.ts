import type { Child } from '../../bench/children';
import { childrenOf, pause, signal } from './pids';

export interface SupervisorOptions {
  /** How long a killed (or crashed) process stays down before the next one starts. */
  downMs: number;
  /** Bound on a graceful exit after SIGTERM, before the process is killed. */
  exitTimeoutMs: number;
  say: (line: string) => void;
  /** The scenario's clock, for the lines it prints ("t+12.3s"). */
  clock: () => string;
}

/**
 * A bench child (worker or event API) that the run kills on purpose, and that is started again,
 * as a supervisor (systemd, Kubernetes) would, when it exits by itself. An exit the run did not
 * cause is recorded as a crash: it is part of what the run measured.
 */
export class Supervised {
  private current?: Child;
  /** Set while the run kills the process itself: that exit is no crash. */
  private planned = false;
  private stopped = false;
  private restarting: Promise<void> = Promise.resolve();
  readonly crashes: string[] = [];

  constructor(
    readonly name: string,
    private readonly launch: () => Promise<Child>,
    private readonly opts: SupervisorOptions,
  ) {}

  async start(): Promise<void> {
    this.adopt(await this.launch());
  }

  /** The pid tsx runs the entry point's node process under (tsx's own pid until it has started it). */
  get pid(): number | undefined {
    return this.current && (childrenOf(this.current.pid)[0] ?? this.current.pid);
  }

  /**
   * Sends `sig` to the process itself (the node process under tsx: the one a `kill -9 <pid>` by
   * hand would hit), waits for it to exit, keeps it down for `downMs`, starts a new one. Returns
   * what happened, for the run's fault log.
   */
  async kill(sig: 'SIGKILL' | 'SIGTERM'): Promise<string> {
    await this.restarting;
    const child = this.current;
    if (!child) throw new Error(`no ${this.name} is running to send ${sig} to`);
    const pid = this.pid!;
    this.planned = true;
    const sentAt = Date.now();
    try {
      signal(pid, sig);
      const exited = child.died.then(
        () => true,
        () => true,
      );
      const inTime = await Promise.race([exited, pause(sig === 'SIGKILL' ? 5_000 : this.opts.exitTimeoutMs).then(() => false)]);
      await child.stop(); // whatever is left of its process group (tsx, or a node that ignored SIGTERM)
      const exitedAfter = ((Date.now() - sentAt) / 1000).toFixed(1);
      await pause(this.opts.downMs);
      this.adopt(await this.launch());
      const how = inTime ? `exited after ${exitedAfter}s` : `still running after ${exitedAfter}s, killed`;
      return `${sig} ${this.name} pid ${pid} (${how}); new ${this.name} pid ${this.pid} up at ${this.opts.clock()}`;
    } finally {
      this.planned = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting;
    await this.current?.stop();
  }

  private adopt(child: Child): void {
    this.current = child;
    child.died.catch(() => this.exited(child));
  }

  private exited(child: Child): void {
    if (child !== this.current || this.planned || this.stopped) return;
    const last = child.tail().trim().split('\n').slice(-3).join(' / ');
    this.crashes.push(`${this.name} pid ${child.pid} exited by itself at ${this.opts.clock()}: ${last.slice(-600)}`);
    this.opts.say(`  ${this.opts.clock()} the ${this.name} exited by itself; starting another, as a supervisor would`);
    this.current = undefined;
    this.restarting = this.restartUntilUp();
  }

  /** After a crash: new processes, `downMs` apart, until one is up (a dependency may still be down). */
  private async restartUntilUp(): Promise<void> {
    while (!this.stopped) {
      await pause(this.opts.downMs);
      if (this.stopped) return;
      try {
        this.adopt(await this.launch());
        this.opts.say(`  ${this.opts.clock()} a new ${this.name} is up (pid ${this.pid})`);
        return;
      } catch (err) {
        this.opts.say(`  ${this.opts.clock()} the ${this.name} did not come up: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
}
