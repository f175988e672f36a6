import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkQuery, loadChecks } from '../../src/warehouse/legacy/checks';
import { writeExports, type SeedOptions } from '../../src/warehouse/seed/generate';

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
const lines = (dir: string, file: string) => read(dir, file).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string | null>);

describe('waymark seed exports', () => {
  const root = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'seed-'));
  const options = (over: Partial<SeedOptions>): SeedOptions => ({ landingDir: root, customers: 80, seed: 5, asOf: '2026-03-31', eventsPerCustomer: 10, days: 30, ...over });

  test('the same seed writes the same files, another seed other files', () => {
    writeExports(options({ exportId: 'a' }));
    writeExports(options({ exportId: 'b' }));
    writeExports(options({ exportId: 'c', seed: 6 }));
    const [a, b, c] = ['a', 'b', 'c'].map((id) => path.join(root, id));
    for (const file of fs.readdirSync(a!).filter((f) => f.endsWith('.ndjson'))) expect(read(b!, file)).toBe(read(a!, file));
    expect(read(c!, 'ga360_hits.ndjson')).not.toBe(read(a!, 'ga360_hits.ndjson'));
  });

  test('exports are messy the way real ones are: duplicates, emails in other case and spacing, nulls, unreadable timestamps', () => {
    const dir = path.join(root, writeExports(options({ exportId: 'messy', customers: 300 })).exportId);
    const hits = lines(dir, 'ga360_hits.ndjson');
    const keys = hits.map((h) => JSON.stringify(h));
    expect(new Set(keys).size).toBeLessThan(keys.length);
    expect(hits.some((h) => h.userId === null)).toBe(true);
    expect(hits.some((h) => h.hitTimestamp === null || Number.isNaN(Date.parse(String(h.hitTimestamp).replace(' ', 'T').replace('+00', 'Z'))))).toBe(true);
    const emails = lines(dir, 'shopify_orders.ndjson').map((o) => o.email!);
    expect(emails.some((e) => e !== e.trim())).toBe(true);
    expect(emails.some((e) => e === e.toUpperCase())).toBe(true);
    // Late and out of order: the file is not in time order.
    const times = hits.map((h) => Date.parse(String(h.hitTimestamp).replace(' ', 'T').replace('+00', 'Z'))).filter((t) => !Number.isNaN(t));
    expect(times.some((t, i) => i > 0 && t < times[i - 1]!)).toBe(true);
  });
});

// The checks of runs started before 'dbt', frozen in src/warehouse/legacy (today's are the dbt project's tests).
describe('legacy checks.yaml', () => {
  test('every declared check builds its SQL with its identifiers and parameters', () => {
    const checks = loadChecks();
    expect(checks.map((c) => c.kind)).toEqual(expect.arrayContaining(['unique', 'not_null', 'accepted_values', 'email_format', 'relationships', 'freshness', 'row_count_anomaly']));
    for (const check of checks) {
      const { sql } = checkQuery(check, { batchId: 'b1', cutoff: '2026-04-01 00:00:00+00' });
      expect(sql).not.toMatch(/\{[a-z_]+\}/);
    }
  });

  test('a bad checks file is refused naming the entry and the field', () => {
    const file = path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'checks-')), 'checks.yaml');
    fs.writeFileSync(file, 'checks:\n  - { name: ok_one, kind: unique, table: waymark_build.events, column: event_id }\n  - { name: bad, kind: unique, table: "events; DROP TABLE x", column: id }\n');
    expect(() => loadChecks(file)).toThrow(/checks\.1\.table must be waymark_<layer>\.<table>/);
  });
});
