import type { ScenarioResult } from './scenario-run';

/** The counts that must be 0 for a scenario to pass, as the table names them. */
export function mustBeZero(r: ScenarioResult): Record<string, number> {
  return {
    lost: r.unreached.filter((u) => u.verdict === 'lost').length,
    duplicated: r.deliveries.duplicated,
    stuck: r.unreached.filter((u) => u.verdict === 'stuck').length,
    'second runs': r.journeyRuns.repeated.length,
  };
}

/** True when the scenario ran to the end, every customer's event was accepted and every must-be-0 count is 0. */
export function passed(r: ScenarioResult): boolean {
  return !r.error && r.notAccepted.length === 0 && Object.values(mustBeZero(r)).every((n) => n === 0);
}

/** What a scenario saw besides its counts: the faults, crashes, and examples of each count that is not 0. */
export function details(r: ScenarioResult, examples: number): string[] {
  const some = <T>(xs: T[]) => xs.slice(0, examples);
  const more = (xs: unknown[]) => (xs.length > examples ? [`    ... and ${xs.length - examples} more`] : []);
  const lines = [`${r.scenario.name}: customers ${r.customerPrefix}0..${r.customers - 1}`];
  lines.push(...r.faults.map((f) => `  fault ${f}`));
  if (r.error) lines.push(`  ERROR: ${r.error}`);
  if (r.timedOut) lines.push('  the wait ended at --deadline with customers still without a message');
  lines.push(...r.crashes.map((c) => `  crash: ${c}`));
  if (r.notAccepted.length) lines.push(`  not accepted (${r.notAccepted.length}):`, ...some(r.notAccepted).map((n) => `    ${n}`), ...more(r.notAccepted));
  for (const verdict of ['lost', 'stuck'] as const) {
    const list = r.unreached.filter((u) => u.verdict === verdict);
    if (list.length) lines.push(`  ${verdict} (${list.length}):`, ...some(list).map((u) => `    ${u.customerId}: ${u.why}${ledgerOf(r, u.customerId)}`), ...more(list));
  }
  if (r.deliveries.duplicates.length) {
    lines.push(`  duplicated (${r.deliveries.duplicated} extra deliveries, ${r.deliveries.duplicates.length} customers):`);
    for (const d of some(r.deliveries.duplicates)) lines.push(`    ${d.customerId} got "${d.message}" ${d.times} times${ledgerOf(r, d.customerId)}`, ...d.details.map((x) => `      ${x}`));
    lines.push(...more(r.deliveries.duplicates));
  }
  const { repeated } = r.journeyRuns;
  if (repeated.length) {
    lines.push(`  second runs (${repeated.length} workflow ids):`, ...some(repeated).map((s) => `    ${s.workflowId} entry ${s.entryMessageId}: runs ${s.runIds.join(', ')}`), ...more(repeated));
  }
  lines.push(`  journey runs in Temporal's list: ${r.journeyRuns.runs} runs of ${r.journeyRuns.workflowIds} workflow ids (second runs are counted over these)`);
  const states = new Map<string, number>();
  for (const row of r.ledger) states.set(row.state, (states.get(row.state) ?? 0) + 1);
  const retried = r.ledger.filter((row) => row.attempts > 1).length;
  lines.push(`  send ledger: ${[...states].map(([s, n]) => `${s} ${n}`).join(', ') || 'no entries'}; keys with more than one attempt: ${retried}`);
  return lines;
}

/** The ledger's word on a customer's send (state, attempts, run, detail), for an example line. */
function ledgerOf(r: ScenarioResult, customerId: string): string {
  const rows = r.ledger.filter((row) => row.customerId === customerId);
  if (!rows.length) return '; send ledger: no entry';
  return rows.map((row) => `; send ledger: ${row.state}, ${row.attempts} attempts, run ${row.runId}${row.detail ? `, "${row.detail.slice(0, 160)}"` : ''}`).join('');
}

/** The counts of every scenario, one row each. */
export function table(results: ScenarioResult[]): string[] {
  const head = ['scenario', 'channel', 'customers', 'accepted', 'delivered', 'lost', 'duplicated', 'stuck', 'second runs', 'crashes', 'result'];
  const rows = results.map((r) => {
    const zero = mustBeZero(r);
    const result = r.error ? 'ERROR' : passed(r) ? 'pass' : 'FAIL';
    return [r.scenario.name, r.scenario.channel, r.customers, r.accepted, r.deliveries.delivered, zero.lost, zero.duplicated, zero.stuck, zero['second runs'], r.crashes.length, result].map(String);
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
