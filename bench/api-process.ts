import { startChild, type Child } from './children';

export interface ApiProcess {
  url: string;
  child: Child;
}

/**
 * Starts the production entry point (`npm run api`, src/api/main.ts) as a child process with
 * `env`, and resolves with its URL once it logs that it listens. It gets its own event loop, as
 * in production, instead of sharing the load generator's.
 */
export async function startApiProcess(env: NodeJS.ProcessEnv, graceMs: number, timeoutMs: number): Promise<ApiProcess> {
  // It logs its URL at info; accepted events log at debug only. Its metrics get a free port.
  const child = startChild('event API', 'src/api/main.ts', { ...env, WAYMARK_LOG_LEVEL: 'info', WAYMARK_LOG_FORMAT: 'json', WAYMARK_API_METRICS_ADDRESS: '127.0.0.1:0' }, graceMs);
  const listening = new Promise<string>((resolve) =>
    child.onLine((line) => {
      const url = parseJson(line)?.url;
      if (typeof url === 'string') resolve(url);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the event API did not listen within ${timeoutMs / 1000}s (WAYMARK_BENCH_START_TIMEOUT):\n${child.tail()}`)), timeoutMs)));
  try {
    return { url: await Promise.race([listening, child.died, late]), child };
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
