import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { BrazeChannel } from '../src/channels/braze/channel';
import type { OutgoingMessage } from '../src/channels/port';
import { BrazeServer } from '../tests/support/braze-server';

const USAGE = 'usage: npm run bench:sends -- [--sends N] [--warmup N] [--concurrency N]';

interface Round {
  path: 'bare fetch' | 'BrazeChannel';
  seconds: number;
  latenciesMs: number[];
}

/**
 * `npm run bench:sends`: messages/s through BrazeChannel (message -> Braze's messages object ->
 * the typed client: timeout, answer validation, error classification) against a loopback
 * Braze, next to the same number of bare fetch calls posting the same body to the same server,
 * at the same concurrency, in the same run. The paths alternate (bare, channel, bare, channel)
 * so neither gains from going second. The server runs in this process: both paths pay for it.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { sends: { type: 'string' }, warmup: { type: 'string' }, concurrency: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE), 0;
  const flags = { WAYMARK_BENCH_SENDS: values.sends, WAYMARK_BENCH_SENDS_WARMUP: values.warmup, WAYMARK_BENCH_CONCURRENCY: values.concurrency };
  const server = await BrazeServer.start();
  try {
    // The loopback server, whatever WAYMARK_BRAZE_* say: a bench must never reach a real Braze.
    const config = loadConfig(process.env, {
      ...Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined)),
      WAYMARK_BRAZE_URL: server.url,
      WAYMARK_BRAZE_API_KEY: server.apiKey,
      WAYMARK_BRAZE_APP_ID: 'bench-app',
      WAYMARK_BRAZE_EMAIL_FROM: 'Waymark Bench <bench@example.com>',
    });
    const { sends, sendsWarmup, concurrency } = config.bench;
    const channel = BrazeChannel.fromConfig(config);
    const headers = { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' };
    const bare = async (n: number) => {
      const m = message(n);
      const res = await fetch(`${server.url}/messages/send`, { method: 'POST', headers, body: JSON.stringify(sameBody(m)) });
      if (res.status !== 201) throw new Error(`bare fetch: the loopback Braze answered ${res.status}`);
      await res.json();
    };
    const viaChannel = async (n: number) => {
      await channel.deliver(message(n));
    };

    console.log(`bench:sends: ${sends} messages per round (after ${sendsWarmup} of each to warm up), concurrency ${concurrency}, loopback Braze at ${server.url}`);
    // Other work on the machine slows both paths: compare figures within a run.
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
    await drive(sendsWarmup, concurrency, bare);
    await drive(sendsWarmup, concurrency, viaChannel);
    const rounds: Round[] = [];
    for (let i = 0; i < 2; i++) {
      rounds.push({ path: 'bare fetch', ...(await drive(sends, concurrency, bare)) });
      rounds.push({ path: 'BrazeChannel', ...(await drive(sends, concurrency, viaChannel)) });
    }
    const expected = 2 * sendsWarmup + 4 * sends;
    const received = server.on('/messages/send').length;
    if (received !== expected) throw new Error(`the loopback Braze received ${received} sends, expected ${expected}`);
    report(rounds, sends);
    return 0;
  } finally {
    await server.close();
  }
}

/** Message n of the run: an email, as a journey's send step hands it over. */
function message(n: number): OutgoingMessage {
  return {
    key: JSON.stringify(['send', 'bench', `c${n}`, `m${n}`, 'welcome', 0]),
    customerId: `c${n}`,
    journeyId: 'bench',
    journeyVersion: 'v1',
    stepId: 'welcome',
    channel: 'email',
    template: 'welcome',
    workflowId: `journey/bench/c${n}`,
    runId: 'bench',
    content: { channel: 'email', subject: `Welcome, customer ${n}`, preheader: 'Three steps to get started', html: `<h1>Welcome</h1><p>Hello customer ${n}, here is how to start.</p>`, text: `Welcome. Hello customer ${n}, here is how to start.` },
    recipient: { externalId: `c${n}`, email: `c${n}@example.com` },
    templateVersion: 'bench',
  };
}

/** The request BrazeChannel makes for message m, written out by hand for the bare path. */
function sameBody(m: OutgoingMessage) {
  const c = m.content as Extract<OutgoingMessage['content'], { channel: 'email' }>;
  return {
    external_user_ids: [m.recipient.externalId],
    messages: { email: { app_id: 'bench-app', from: 'Waymark Bench <bench@example.com>', subject: c.subject, body: c.html, plaintext_body: c.text, preheader: c.preheader } },
  };
}

/** Runs `call(0..count-1)` with `concurrency` in flight; wall time and each call's latency. */
async function drive(count: number, concurrency: number, call: (n: number) => Promise<void>): Promise<{ seconds: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const n = next++;
      const t = performance.now();
      await call(n);
      latenciesMs.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function report(rounds: Round[], sends: number): void {
  const seconds = new Map<Round['path'], number>();
  console.log('\n| round | path | messages/s | p50 ms | p99 ms |\n|---|---|---|---|---|');
  rounds.forEach((r, i) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    console.log(`| ${i + 1} | ${r.path} | ${(sends / r.seconds).toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |`);
    seconds.set(r.path, (seconds.get(r.path) ?? 0) + r.seconds);
  });
  const rate = (path: Round['path']) => (2 * sends) / seconds.get(path)!;
  const [bareRate, channelRate] = [rate('bare fetch'), rate('BrazeChannel')];
  console.log(`\nbare fetch ${bareRate.toFixed(0)} messages/s, BrazeChannel ${channelRate.toFixed(0)} messages/s: ratio ${(channelRate / bareRate).toFixed(2)} (BrazeChannel / bare)`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
