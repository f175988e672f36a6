import { Worker } from 'node:worker_threads';

/**
 * GET /healthz every `everyMs` from a worker thread: the attacks keep this process's event loop
 * busy, and a probe sharing it would measure our own lag instead of the API's.
 */
const PROBE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const samples = [];
let failures = 0;
let stopping = false;
parentPort.on('message', () => (stopping = true));
const once = () => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get(workerData.url, { agent, timeout: workerData.timeoutMs }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : -1));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve(-1));
});
(async () => {
  while (!stopping) {
    const started = performance.now();
    const ms = await once();
    if (ms < 0) failures++;
    else samples.push(ms);
    const wait = workerData.everyMs - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  agent.destroy();
  parentPort.postMessage({ samples, failures });
})();
`;

export interface ProbeResult {
  samples: number[];
  failures: number;
}

export function startHealthProbe(url: string, everyMs: number, timeoutMs: number): { stop(): Promise<ProbeResult> } {
  const worker = new Worker(PROBE_THREAD, { eval: true, workerData: { url: `${url}/healthz`, everyMs, timeoutMs } });
  const result = new Promise<ProbeResult>((resolve) => worker.once('message', resolve));
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

/**
 * Samples the API process's memory from its own metrics: resident memory, and the JavaScript heap
 * in use (RSS keeps pages the heap no longer uses, so a flat heap shows that nothing is retained).
 */
export function startMemorySampler(metricsUrl: string, everyMs: number) {
  const samples = { rssMb: [] as number[], heapMb: [] as number[] };
  const read = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1_048_576;
  const sample = async () => {
    const text = await (await fetch(metricsUrl)).text();
    samples.rssMb.push(read(text, 'process_resident_memory_bytes'));
    samples.heapMb.push(read(text, 'nodejs_heap_size_used_bytes'));
  };
  const timer = setInterval(() => void sample().catch(() => undefined), everyMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
