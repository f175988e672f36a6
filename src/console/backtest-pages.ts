import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { BacktestResult, CustomerBacktest } from '../journey/backtest';
import { formatDuration } from '../journey/duration';
import type { BacktestJob } from './backtests';
import { journeyDiagram, type StepFigures } from './diagram';
import { page } from './pages';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** While it runs, the page reloads itself this often (seconds) to show the progress. */
const PROGRESS_RELOAD_S = 2;

/** On each step: customers who went through it, those still waiting there when the backtest stopped following them, and the messages it would have sent. */
export function backtestFigures(result: BacktestResult): Map<string, StepFigures> {
  const figures = new Map(result.reached.map((r) => [r.step, { passed: r.customers, here: 0, sent: 0 }]));
  for (const c of result.customers) {
    const last = c.path.at(-1);
    if (c.status === 'still running' && last) {
      const f = figures.get(last.step)!;
      f.here++;
      f.passed--;
    }
    for (const m of c.messages) figures.get(m.step)!.sent++;
  }
  return figures;
}

const hours = (ms: number | undefined) => (ms === undefined ? '' : `+${formatDuration(Math.round(ms / 60_000) * 60_000) || '0s'}`);

function customerRow(c: CustomerBacktest): Html {
  const path = c.path.map((p) => `${p.step}${p.outcome ? ` (${p.outcome})` : ''}`).join(' → ');
  return html`<tr><td><code>${c.customerId}</code></td><td>${c.entry ? `${c.entry.at.slice(0, 16).replace('T', ' ')} ${c.entry.type}` : '-'}</td><td>${c.status}${c.endedAfterMs !== undefined ? ` ${hours(c.endedAfterMs)}` : ''}</td><td>${c.reason}</td><td>${path}</td><td>${c.messages.map((m) => `${m.template} ${hours(m.afterMs)}`).join(', ')}</td></tr>`;
}

function resultView(job: BacktestJob & { state: 'done' }): Html {
  const r = job.result;
  const failed = r.customers.filter((c) => c.failures > 0).length;
  return html`<p data-testid="backtest-summary">${r.customers.length} customers who sent its entry event, with the warehouse's events up to ${r.eventsEndAt.slice(0, 16).replace('T', ' ')}; each run followed up to ${formatDuration(r.horizonMs)} after entry. Nothing was sent.</p>
${failed ? html`<p class="error" role="alert">${failed} customer(s) had a step that failed (their path says why): live customers would not get what this backtest shows.</p>` : ''}
<div class="layout"><div>${journeyDiagram(job.draft.definition, backtestFigures(r))}</div>
<div><h2>How they ended</h2>
<table data-testid="backtest-statuses"><tbody>${Object.entries(r.statuses).map(([status, n]) => html`<tr><th>${status}</th><td class="n">${n}</td></tr>`)}</tbody></table>
${r.notes.length ? html`<h2>What the warehouse lacks</h2><ul>${r.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
<p class="muted">On each step: customers who went through it, those still waiting there when their events end or at the horizon, and the messages it would have sent.</p></div></div>
<h2>Each customer</h2>
<table data-testid="backtest-customers"><thead><tr><th>customer</th><th>entered</th><th>how it ended</th><th>why</th><th>path</th><th>messages</th></tr></thead>
<tbody>${r.customers.map(customerRow)}</tbody></table>`;
}

/** A backtest from the console: its progress while it runs (the page reloads itself), then where the customers would have gone. */
export function backtestPage(job: BacktestJob): Html {
  const d = job.draft;
  const title = `Backtest of ${d.definition.id}@${d.version.slice(0, 12)}`;
  const head = html`<h1>${title}</h1><p class="muted">Started by ${job.actor} at ${job.startedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC over the last ${job.customers} customers · <a href="/console/publish">Publish</a></p>`;
  if (job.state === 'running') {
    const progress = job.total === undefined ? 'reading the warehouse...' : `${job.done} of ${job.total} customers followed`;
    return page(title, html`${head}<p role="status" data-testid="backtest-progress">Running: ${progress}. This page reloads itself.</p>`, true, PROGRESS_RELOAD_S);
  }
  if (job.state === 'failed') return page(title, html`${head}<p class="error" role="alert" data-testid="backtest-failed">The backtest failed: ${job.message}</p>`);
  return page(title, html`${head}${resultView(job)}`);
}

export function backtestMissingPage(kept: number): Html {
  return page('Backtest', html`<h1>Backtest</h1><p>No such backtest: this API keeps its last ${kept} backtests (WAYMARK_CONSOLE_BACKTESTS_KEPT), in memory, until it restarts. <a href="/console/publish">Start one</a> from Publish.</p>`);
}
