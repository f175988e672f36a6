import type { JourneyWarehouseKpis, KpiFigures } from '../results/warehouse-kpis';

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);

function figuresLine(label: string, f: KpiFigures): string {
  const counts = [f.sends, f.opens, f.clicks, f.conversions].map((x) => String(x).padStart(7)).join(' ');
  return `    ${label.padEnd(32)} ${counts} ${f.revenue.toFixed(2).padStart(11)} ${percent(f.conversionRate).padStart(7)}`;
}

/** The warehouse's KPIs under the results, as lines: all time, from the last published batch, or why there are none. */
export function formatWarehouseKpis(w: JourneyWarehouseKpis): string[] {
  if (w.unavailable) return [`  warehouse KPIs: unavailable (${w.unavailable.code}): ${w.unavailable.reason}`];
  const published = w.asOf ? `published ${w.asOf}` : 'publication time unknown';
  const lines = [
    `  warehouse KPIs, all time (not the range above): mart ${w.mart}, batch ${w.batchId} ${published}${w.cutoff ? `, data to ${w.cutoff}` : ''}`,
    '  conversions and revenue: paid orders within 7 days after a send, credited to the latest send (last touch)',
  ];
  if (!w.steps.length) return [...lines, '    the mart has no rows for this journey (no Braze engagement carries its id)'];
  const head = ['sends', 'opens', 'clicks', 'conv.'].map((h) => h.padStart(7)).join(' ');
  lines.push(`    ${'step / variant'.padEnd(32)} ${head} ${'revenue'.padStart(11)} ${'conv.%'.padStart(7)}`);
  for (const s of w.steps) lines.push(figuresLine(`${s.step ?? '(no step)'} / ${s.variant ?? '(no variant)'}`, s));
  lines.push(figuresLine('total', w.total));
  return lines;
}
