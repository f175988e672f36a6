import { parseArgs } from 'node:util';
import { answerLimitBytes } from '../src/api/answer-limits';
import { durationMs } from '../src/journey/duration';
import { attacks, type Target } from './hostile/attacks';
import { percentile, startHealthProbe, startMemorySampler } from './hostile/probe';
import { Recorder } from './hostile/recorder';
import { slowClients } from './hostile/sockets';
import { startStack } from './hostile/stack';

const USAGE = 'usage: npm run hostile -- [--duration 20s] [--max-requests 100000]';
/** /healthz must answer within this throughout the run (issue 12). */
const HEALTH_BUDGET_MS = 100;

/**
 * `npm run hostile`: starts a Temporal dev server and the event API's production entry point on
 * loopback, then for a bounded time (and at most --max-requests answers) sends a mix of hostile
 * requests while a probe times /healthz every 50 ms and the API's memory is sampled. Prints what
 * it saw; exits 1 on any 5xx, any answer larger than its bound, or a /healthz slower than 100 ms.
 *
 * The API trusts one proxy hop for the run so that one machine can play many client addresses
 * (X-Forwarded-For); per-address limits are lowered so one flooding address meets them, and the
 * header and body timeouts shortened so slow sockets are cut several times within the run.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '20s' }, 'max-requests': { type: 'string', default: '100000' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE), 0;
  const runMs = durationMs(values.duration);
  const maxRequests = Number(values['max-requests']);
  if (!runMs || runMs > 600_000 || !Number.isInteger(maxRequests) || maxRequests < 1) {
    console.error(`${USAGE}\n--duration must be at most 10m, --max-requests a positive integer`);
    return 2;
  }

  console.log('Starting a Temporal dev server and the event API (npm run api) on loopback...');
  const stack = await startStack({
    WAYMARK_API_TRUST_PROXY_HOPS: '1',
    WAYMARK_API_ADDRESS_RATE: '50',
    WAYMARK_API_ADDRESS_BURST: '100',
    WAYMARK_API_HEADERS_TIMEOUT: '2s',
    WAYMARK_API_BODY_TIMEOUT: '2s',
  });
  try {
    const limits = { batch: answerLimitBytes(stack.config, 'batch'), other: answerLimitBytes(stack.config, 'other') };
    const rec = new Recorder(limits, maxRequests);
    const target: Target = { url: stack.url, key: stack.key, config: stack.config, rec };
    const memory = startMemorySampler(stack.metricsUrl, 250);
    await memory.sample();
    const probe = startHealthProbe(stack.url, 50, 5_000);
    const started = Date.now();
    const deadline = started + runMs;
    console.log(`Attacking ${stack.url} (API pid ${stack.apiPid}) for ${runMs / 1000}s or ${maxRequests} answers...`);

    // Loop i of an attack sends its requests number i, i + concurrency, ...: each request has its own number.
    const loops = attacks(target).flatMap((a) =>
      Array.from({ length: a.concurrency }, async (_, i) => {
        for (let n = i; Date.now() < deadline && !rec.exhausted; n += a.concurrency) await a.once(n);
      }),
    );
    const [headerLives, bodyLives] = await Promise.all([slowClients(target, 'headers', 200, 500, deadline), slowClients(target, 'body', 20, 500, deadline), ...loops]);
    const elapsedS = (Date.now() - started) / 1000;
    const health = await probe.stop();
    await new Promise((r) => setTimeout(r, 5_000)); // let the API settle (and collect) before the last memory sample
    await memory.sample();

    const verdict = report(rec, limits, elapsedS, health, memory.stop(), { headers: headerLives as number[], body: bodyLives as number[] });
    return verdict ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

interface Memory {
  rssMb: number[];
  heapMb: number[];
}

function report(rec: Recorder, limits: { batch: number; other: number }, elapsedS: number, health: { samples: number[]; failures: number }, memory: Memory, lives: { headers: number[]; body: number[] }): boolean {
  const fmt = (n: number) => n.toLocaleString('en-US');
  console.log(`\n${fmt(rec.requests)} answers in ${elapsedS.toFixed(1)}s`);
  for (const [attack, counts] of rec.byAttack) {
    console.log(`  ${attack.padEnd(32)} ${[...counts].map(([status, n]) => `${status} x${fmt(n)}`).join(', ')}`);
  }
  console.log(`  ${'all'.padEnd(32)} ${[...rec.totals()].sort().map(([status, n]) => `${status} x${fmt(n)}`).join(', ')}`);
  console.log(`largest answer: ${fmt(rec.largest.other)} bytes (bound ${fmt(limits.other)}); largest batch answer: ${fmt(rec.largest.batch)} bytes (bound ${fmt(limits.batch)})`);
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  console.log(`slow sockets cut by the server: ${lives.headers.length} sending headers (median after ${(median(lives.headers) / 1000).toFixed(1)}s), ${lives.body.length} sending a body (median after ${(median(lives.body) / 1000).toFixed(1)}s)`);
  const span = (xs: number[]) => `start ${xs[0]!.toFixed(0)} MB, peak ${Math.max(...xs).toFixed(0)} MB, end ${xs[xs.length - 1]!.toFixed(0)} MB`;
  console.log(`API memory (${memory.rssMb.length} samples): RSS ${span(memory.rssMb)}; JS heap used ${span(memory.heapMb)}`);
  const sorted = [...health.samples].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] ?? NaN;
  console.log(`/healthz: ${sorted.length} probes, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${max.toFixed(1)} ms, failed ${health.failures}`);

  const failures = [
    ...rec.serverErrors.slice(0, 5).map((e) => `5xx answer: ${e}`),
    ...rec.oversized.slice(0, 5).map((e) => `answer over its bound: ${e}`),
    ...(max > HEALTH_BUDGET_MS ? [`/healthz took ${max.toFixed(1)} ms (budget ${HEALTH_BUDGET_MS} ms)`] : []),
    ...(health.failures > 0 ? [`/healthz failed ${health.failures} times`] : []),
  ];
  console.log(failures.length ? `\nFAIL\n  ${failures.join('\n  ')}` : '\nPASS: no 5xx, every answer within its bound, /healthz within 100 ms throughout');
  return failures.length === 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
