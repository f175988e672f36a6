import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; runbook: string };
}

const rules = (parse(fs.readFileSync(path.join(ROOT, 'docs/prometheus-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

/** The metric families Waymark's processes export, from the code that declares them (the Temporal SDK's are listed in docs/operations.md, "Alerts"). */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name)) for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:name: |create(?:Counter|Gauge|Histogram)\()'(waymark_[a-z_]+)'/g)) names.add(m[1]!);
    }
  };
  for (const dir of ['src', 'activities', 'workers']) walk(path.join(ROOT, dir));
  return names;
}

/** The Temporal SDK metric families the rules may use: those docs/operations.md says the worker exports. */
const sdkMetrics = new Set([...operations.matchAll(/`(temporal_[a-z_]+)`/g)].map((m) => m[1]!));

describe('docs/prometheus-alerts.yml', () => {
  it('gives every alert an expression, a severity, a summary and a runbook heading that exists in docs/operations.md', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const headings = new Set([...operations.matchAll(/^#{2,4} (.+)$/gm)].map((m) => `docs/operations.md#${m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')}`));
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(page|ticket)$/) });
      expect({ alert: rule.alert, summary: typeof rule.annotations?.summary }).toEqual({ alert: rule.alert, summary: 'string' });
      expect({ alert: rule.alert, runbook: headings.has(rule.annotations.runbook) }).toEqual({ alert: rule.alert, runbook: true });
      expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
    }
  });

  it('uses only metrics the processes export (ours declared in the code, the SDK\'s as listed in the docs)', () => {
    const ours = declaredMetrics();
    expect([...ours]).toEqual(expect.arrayContaining(['waymark_sends', 'waymark_pipeline_batches', 'waymark_events_rejected_total']));
    for (const rule of rules) {
      for (const [name] of rule.expr.matchAll(/\b(?:waymark|temporal)_[a-z_]+/g)) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        const known = ours.has(family) || ours.has(name) || sdkMetrics.has(family);
        expect({ alert: rule.alert, metric: name, known }).toEqual({ alert: rule.alert, metric: name, known: true });
      }
    }
  });

  it("parses every expression with Prometheus's own PromQL grammar", () => {
    for (const rule of rules) {
      const errors: number[] = [];
      parser.parse(rule.expr).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
      expect({ alert: rule.alert, errorsAt: errors }).toEqual({ alert: rule.alert, errorsAt: [] });
    }
  });
});
