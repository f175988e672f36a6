import { loadConfig } from '../src/config';
import { startWarehouseWorker } from '../src/warehouse/python';

/**
 * `npm run warehouse-worker` (production): the Python activity worker (workers/warehouse_worker.py)
 * with the settings of Waymark's config, checked here first, as every Waymark process does. It
 * installs nothing: the packages are the image's (Dockerfile) or scripts/setup.sh's. SIGTERM or
 * SIGINT stops it after the build under way (WAYMARK_WORKER_SHUTDOWN_GRACE); its exit code is this one's.
 */
function main(): void {
  const config = loadConfig();
  const worker = startWarehouseWorker(config, (line) => console.log(line));
  const stop = () => void worker.stop(config.worker.shutdownGraceMs + 10_000);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  worker.process.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (err) {
  console.error((err as Error).message ?? err);
  process.exit(1);
}
