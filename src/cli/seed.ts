import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config';
import { writeExports } from '../warehouse/seed/generate';
import { SOURCE_EXPORTS } from '../warehouse/sources';

interface SeedFlags {
  customers: number;
  seed: number;
  asOf: string;
  events: number;
  days: number;
  corrupt?: boolean;
  exportId?: string;
}

const whole = (name: string, min: number) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}`);
  return n;
};

function date(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new InvalidArgumentError('must be a date such as 2026-03-31');
  return text;
}

/**
 * `waymark seed`: writes one export of the seven sources into the landing folder, where the
 * ingestion pipeline picks it up. It never opens the warehouse (the pipeline worker owns it).
 */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('write realistic, messy exports of the seven sources into the landing folder for the pipeline')
    .option('--customers <n>', 'people behind the exports', whole('--customers', 1), 1000)
    .option('--seed <n>', 'the same seed writes the same files', whole('--seed', 0), 1)
    .option('--as-of <date>', "the export's date: activity ends on it (default: today, UTC)", date, new Date().toISOString().slice(0, 10))
    .option('--events <n>', 'web and app events per customer, on average', whole('--events', 1), 30)
    .option('--days <n>', 'days of history', whole('--days', 1), 90)
    .option('--corrupt', 'write a broken export (a third of the event timestamps unreadable): the pipeline must quarantine it')
    .option('--export-id <id>', 'folder name of the export (default: from the date, seed and size)')
    .addHelpText(
      'after',
      `
Sources: ${[...new Set(SOURCE_EXPORTS.map((s) => s.system))].join(', ')} (${SOURCE_EXPORTS.length} files).
The folder is WAYMARK_PIPELINE_LANDING_DIR (default <data dir>/landing).

Example:
  waymark seed --customers 5000 --seed 42 && waymark schedules trigger`,
    )
    .action((flags: SeedFlags) => {
      const config = loadConfig();
      if (flags.exportId !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(flags.exportId)) throw new InvalidArgumentError('--export-id must be letters, digits, ".", "_" or "-"');
      const started = Date.now();
      const manifest = writeExports({
        landingDir: config.pipeline.landingDir,
        customers: flags.customers,
        seed: flags.seed,
        asOf: flags.asOf,
        eventsPerCustomer: flags.events,
        days: flags.days,
        corrupt: flags.corrupt,
        exportId: flags.exportId,
      });
      const total = Object.values(manifest.rows).reduce((a, b) => a + b, 0);
      console.log(`wrote export ${manifest.exportId} (${total.toLocaleString('en-US')} rows, ${Date.now() - started} ms) to ${config.pipeline.landingDir}/${manifest.exportId}`);
      for (const [source, rows] of Object.entries(manifest.rows)) console.log(`  ${source.padEnd(26)} ${rows.toLocaleString('en-US').padStart(10)}`);
    });
}
