import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Journey } from '../journey/schema';
import type { ResultsAnswer } from '../api/results-routes';
import type { JourneyWarehouseKpis } from '../results/warehouse-kpis';
import type { SplitResults } from '../results/journey-results';
import type { JourneyState } from '../store/journeys';
import type { CustomerTimeline } from '../customers/timeline';
import { describeSource, headline } from '../customers/messages';
import type { PathEntry } from '../../workflows/contract';
import { stateLabel } from '../channels/ledger';
import { journeyDiagram } from './diagram';
import { formatDuration } from '../journey/duration';
import type { Snapshot } from '../results/snapshots';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
header { background: #1d2433; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
header a { color: #fff; text-decoration: none; } header form { margin-left: auto; }
main { padding: 20px 24px; max-width: 1200px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0 20px; }
th, td { border: 1px solid #d9dde5; padding: 6px 10px; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: #e8f4ea; border: 1px solid #9cc9a4; padding: 8px 12px; margin-bottom: 12px; }
.error { background: #fbeaea; border: 1px solid #e0a0a0; padding: 8px 12px; margin-bottom: 12px; }
.status-paused { color: #a05a00; font-weight: 600; } .status-active { color: #1f7a3a; font-weight: 600; } .status-archived { color: #666; }
.layout { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.diagram { background: #fff; border: 1px solid #d9dde5; }
.diagram rect { fill: #fff; stroke: #7d8799; } .diagram .start rect { stroke: #1d2433; stroke-width: 2; }
.diagram .changed rect { stroke: #c25100; stroke-width: 3; stroke-dasharray: 5 3; }
.diagram .kind-send rect { fill: #eef4ff; } .diagram .kind-split rect, .diagram .kind-branch rect { fill: #fff6e5; } .diagram .kind-exit rect { fill: #f1f1f1; }
.diagram text { font-size: 12px; } .diagram .id { font-weight: 600; } .diagram .counts { fill: #1f5fbf; }
.diagram .link { fill: none; stroke: #7d8799; } .diagram marker path { fill: #7d8799; } .diagram .edge-label { font-size: 11px; fill: #555; }
form.inline { display: inline; } button { font: inherit; padding: 4px 12px; cursor: pointer; }
label { display: block; margin: 10px 0 4px; } input { font: inherit; padding: 4px 8px; width: 320px; }
.muted { color: #667; font-size: 12px; }
`;

/** The page around every console view: the header with the journeys link and sign-out. */
export function page(title: string, body: Html, signedIn = true, refreshS?: number): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">${refreshS ? html`<meta http-equiv="refresh" content="${refreshS}">` : ''}<title>${title} · Waymark</title><style>${raw(STYLE)}</style></head>
<body><header><strong>Waymark</strong>${
    signedIn
      ? html`<a href="/console/journeys">Journeys</a><form method="get" action="/console/customers"><input name="id" placeholder="customer id" aria-label="customer id" style="width:200px"> <button>Find customer</button></form><form method="post" action="/console/logout" style="margin-left:0"><button>Sign out</button></form>`
      : ''
  }</header>
<main>${body}</main></body></html>`;
}

export function loginPage(problem?: string): Html {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<form method="post" action="/console/login">
<label for="key">API key (one of WAYMARK_API_KEYS, with the read scope; manage to pause and resume)</label>
<input id="key" name="key" type="password" autocomplete="current-password" required>
<label for="actor">Your name or email (recorded with each change you make)</label>
<input id="actor" name="actor" required maxlength="200">
<p><button type="submit">Sign in</button></p>
</form>`,
    false,
  );
}

export interface JourneyRow {
  state: JourneyState;
  name: string;
  versions: number;
  running: number | undefined;
}

export function journeysPage(rows: JourneyRow[]): Html {
  return page(
    'Journeys',
    html`<h1>Journeys</h1>
<p><a href="/console/publish">Publish a journey</a></p>
<table><thead><tr><th>journey</th><th>name</th><th>status</th><th>current version</th><th>versions</th><th>customers in it now</th></tr></thead>
<tbody>${rows.map(
      (r) => html`<tr><td><a href="/console/journeys/${r.state.journeyId}">${r.state.journeyId}</a></td><td>${r.name}</td><td class="status-${r.state.status}">${r.state.status}</td><td><code>${r.state.currentVersion}</code></td><td class="n">${r.versions}</td><td class="n">${r.running ?? '?'}</td></tr>`,
    )}</tbody></table>
${rows.length ? '' : html`<p>No journey is published yet: <code>waymark journeys publish</code>.</p>`}
<p class="muted">Customers in it now: running runs of any version (Temporal visibility).</p>`,
  );
}

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const interval = (v: { low: number; high: number } | undefined) => (v ? `${percent(v.low)} – ${percent(v.high)}` : '-');

/** The warehouse's journey KPIs (all time, a batch behind), or why there are none now. */
function warehouseSection(w: JourneyWarehouseKpis): Html {
  if ('unavailable' in w && w.unavailable) return html`<h2>Warehouse KPIs</h2><p class="muted" data-testid="warehouse">${w.unavailable.reason}</p>`;
  if (!('total' in w)) return html``;
  const row = (label: string, f: typeof w.total) =>
    html`<tr><td>${label}</td><td class="n">${f.sends}</td><td class="n">${percent(f.openRate)}</td><td class="n">${percent(f.clickRate)}</td><td class="n">${f.conversions}</td><td class="n">${f.revenue.toFixed(2)}</td></tr>`;
  return html`<h2>Warehouse KPIs <span class="muted">all time, from the ${w.mart} mart${w.asOf ? `, batch of ${w.asOf.slice(0, 16).replace('T', ' ')}` : ''}</span></h2>
<table data-testid="warehouse"><thead><tr><th>step · variant</th><th>sends</th><th>open rate</th><th>click rate</th><th>conversions</th><th>revenue</th></tr></thead>
<tbody>${row('all', w.total)}${w.steps.map((s) => row(`${s.step ?? '(no step)'} · ${s.variant ?? '(no variant)'}`, s))}</tbody></table>
<p class="muted">Conversions: orders within 7 days after a send, credited to the latest send (last touch); what each figure counts: docs/results.md.</p>`;
}

function variantRow(v: SplitResults['variants'][number], baseline: string): Html {
  const p = v.test ? (v.test.pValue < 0.0001 ? '< 0.0001' : v.test.pValue.toFixed(4)) : '-';
  return html`<tr><td>${v.name}${v.name === baseline ? ' (baseline)' : ''}</td><td class="n">${v.entered}</td><td class="n">${v.active}</td><td class="n">${v.exited}</td><td class="n">${v.conversions}</td><td class="n">${percent(v.rate)}</td><td>${interval(v.interval)}</td><td class="n">${v.name === baseline ? '' : p}</td><td class="n">${v.lift ? percent(v.lift.lift) : '-'}</td><td>${v.lift ? interval(v.lift.interval) : '-'}</td></tr>`;
}

export interface JourneyView {
  state: JourneyState;
  journey: Journey;
  results: ResultsAnswer;
  canManage: boolean;
  notice?: string;
  /** The Temporal Web UI's list of this journey's runs. */
  runsUrl: string;
  /** When the figures were computed, and whether the last refresh failed (src/results/snapshots.ts). */
  asOf: Pick<Snapshot<unknown>, 'asOf' | 'refreshFailed'>;
  refreshMs: number;
}

const clock = (at: Date) => `${at.toISOString().slice(11, 19)} UTC`;

/** When a journey page's figures were computed: they are refreshed in the background once older than WAYMARK_CONSOLE_COUNTS_REFRESH. */
function freshness(v: Pick<JourneyView, 'asOf' | 'refreshMs'>): Html {
  const failed = v.asOf.refreshFailed;
  return html`<p class="muted" data-testid="as-of">Figures as of ${clock(v.asOf.asOf)}${v.refreshMs > 0 ? `; computed again in the background when older than ${formatDuration(v.refreshMs)} (reload to see them)` : ''}.${
    failed ? html` <strong>The last refresh failed at ${clock(failed.at)}</strong> (${failed.message.slice(0, 200)}): these figures are older.` : ''
  }</p>`;
}

/** A journey page whose figures could not be computed at all: Temporal's visibility did not answer. */
export function unavailablePage(journeyId: string): Html {
  return page(
    journeyId,
    html`<h1>${journeyId}</h1><p role="alert">Temporal's visibility did not answer, so this journey's figures could not be counted. Nothing is lost: try again in a moment. If it goes on, check that Temporal is up (<code>temporal operator cluster health</code>) and the API's log.</p>
<p><a href="/console/journeys/${journeyId}/versions">Versions</a> · <a href="/console/journeys">Journeys</a></p>`,
  );
}

export function journeyPage(v: JourneyView): Html {
  const { state, journey, results: r } = v;
  const figures = new Map(r.steps.map((s) => [s.step, { passed: s.passed, here: s.here, sent: s.sent }]));
  const action = state.status === 'paused' ? 'resume' : state.status === 'active' ? 'pause' : undefined;
  return page(
    journey.name,
    html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<h1>${journey.name} <span class="muted">${state.journeyId}@${state.currentVersion}</span></h1>
<p>Status: <strong class="status-${state.status}" data-testid="status">${state.status}</strong>
${v.canManage && action ? html`<form class="inline" method="post" action="/console/journeys/${state.journeyId}/${action}"><button type="submit">${action === 'pause' ? 'Pause (no new customers)' : 'Resume'}</button></form>` : ''}
${
  v.canManage && state.status !== 'archived'
    ? html`<form class="inline" method="post" action="/console/journeys/${state.journeyId}/archive" onsubmit="return confirm('Archive ${state.journeyId}? It takes no new customers and every customer in it leaves now.')"><button type="submit">Archive (end every run)</button></form>`
    : ''
}
· <a href="/console/journeys/${state.journeyId}/versions">Versions</a> · <a href="${v.runsUrl}">Runs in the Temporal UI</a></p>
<form method="get" action="/console/journeys/${state.journeyId}">Entered from <input name="from" type="date" style="width:auto" value="${r.from.slice(0, 10)}"> to <input name="to" type="date" style="width:auto" value="${r.to.slice(0, 10)}"> <button>Show</button></form>
<div class="layout">
<div>${journeyDiagram(journey, figures)}</div>
<div>
<h2>Runs that entered from ${r.from.slice(0, 16).replace('T', ' ')} to ${r.to.slice(0, 16).replace('T', ' ')}</h2>
${freshness(v)}
<table data-testid="runs"><tbody>
<tr><th>entered</th><td class="n">${r.runs.entered}</td></tr>
<tr><th>still in the journey</th><td class="n">${r.runs.active}</td></tr>
<tr><th>converted (goal reached)</th><td class="n">${r.runs.converted} (${percent(r.runs.entered ? r.runs.converted / r.runs.entered : undefined)})</td></tr>
<tr><th>exited</th><td class="n">${r.runs.exited}</td></tr>
<tr><th>completed</th><td class="n">${r.runs.completed}</td></tr>
<tr><th>other (failed, terminated)</th><td class="n">${r.runs.other}</td></tr>
</tbody></table>
${r.splits.map(
      (s) => html`<h2>Split ${s.step}</h2>
<table data-testid="split-${s.step}"><thead><tr><th>path</th><th>entered</th><th>still in</th><th>exited</th><th>converted</th><th>rate</th><th>${percent(s.confidence)} interval</th><th>p (vs ${s.baseline})</th><th>lift</th><th>lift interval</th></tr></thead>
<tbody>${s.variants.map((variant) => variantRow(variant, s.baseline))}</tbody></table>`,
    )}
${r.warehouse ? warehouseSection(r.warehouse) : ''}
<p class="muted">On each step: customers of the range who went through it, those waiting there now, and messages it sent in the range. Paths count customers as the split assigns them at entry. What every figure counts: docs/results.md.</p>
</div></div>`,
  );
}

function pathTable(id: string, path: PathEntry[]): Html {
  return html`<table data-testid="path-${id}"><thead><tr><th>at</th><th>step</th><th>kind</th><th>what happened</th></tr></thead><tbody>${path.map(
    (p) => html`<tr><td>${p.at}</td><td>${p.step}</td><td>${p.kind}</td><td>${p.outcome ?? '...'}</td></tr>`,
  )}</tbody></table>`;
}

/** A customer's page: what `waymark customer ID` prints, with links to each run in the Temporal UI. */
export function customerPage(t: CustomerTimeline, runUrl: (workflowId: string) => string): Html {
  return page(
    `Customer ${t.customerId}`,
    html`<h1>Customer ${t.customerId}</h1>
<p>${t.eventsAccepted} events accepted, ${t.duplicatesIgnored} duplicates ignored${t.conflicts ? `, ${t.conflicts} conflicting messageId reuses ignored` : ''} · <a href="${runUrl(t.routerWorkflowId)}">Router in the Temporal UI</a></p>
<h2>Journeys</h2>
${t.journeys.map(
      (j) => html`<h3><a href="/console/journeys/${j.journeyId}">${j.journeyId}</a>@${j.version}: entered ${j.entries}x, ${j.run ? `${j.run.status}${j.run.reason ? ` (${j.run.reason})` : ''}` : j.ended} · <a href="${runUrl(j.workflowId)}">run in the Temporal UI</a></h3>
${j.run ? html`${pathTable(j.journeyId, j.run.path)}${j.run.waiting ? html`<p>Waiting for ${j.run.waiting.kind === 'event' ? `"${j.run.waiting.event}"` : 'a timer'} until ${j.run.waiting.until}</p>` : ''}` : ''}
${j.past.map(
  (e, i) => html`<p>${j.run || i > 0 ? 'Earlier: entered' : 'Entered'} ${e.enteredAt} (version <code>${e.version}</code>), ${e.status}${e.reason ? ` (${e.reason})` : ''}${e.endedAt ? ` at ${e.endedAt}` : ''}</p>${pathTable(`${j.journeyId}-${e.entryId}`, e.path)}`,
)}`,
    )}
${t.journeys.length ? '' : html`<p>In no journey.</p>`}
<h2>Messages</h2>
<table data-testid="messages"><thead><tr><th>asked at</th><th>journey, step</th><th>template</th><th>state</th><th>attempts</th><th>words from</th><th>content</th></tr></thead>
<tbody>${t.messages.map(
      (m) =>
        html`<tr><td>${m.requestedAt}</td><td>${m.journeyId} · ${m.stepId}</td><td>${m.channel} ${m.template}${m.templateVersion ? `@${m.templateVersion.slice(0, 8)}` : ''}</td><td>${stateLabel(m.state)}${m.state !== 'sent' && m.detail ? `: ${m.detail}` : ''}</td><td class="n">${m.attempts}</td><td>${m.contentSource ? describeSource(m.contentSource) : ''}</td><td>${m.stored ? (m.stored.content ? headline(m.stored.content) : `no content: ${m.stored.contentMissing ?? 'not rendered'}`) : `kept by ${m.provider}${m.providerMessageId ? ` (${m.providerMessageId})` : ''}`}</td></tr>`,
    )}</tbody></table>
<h2>Decisions</h2>
<table data-testid="decisions"><thead><tr><th>at</th><th>event</th><th>journey</th><th>decision</th></tr></thead>
<tbody>${t.decisions.map((d) => html`<tr><td>${d.at}</td><td>${d.type}</td><td>${d.journeyId ?? ''}</td><td>${d.outcome}${d.meant ? ` (${d.meant})` : ''}</td></tr>`)}</tbody></table>
<h2>Profile</h2>
<pre>${JSON.stringify(t.profile, null, 2)}</pre>
<p class="muted">The router keeps its most recent decisions (WAYMARK_ROUTER_MAX_DECISIONS); a running journey's path comes from its run; every earlier one from the store, where runs record their path as they go (kept until the customer is erased).</p>`,
  );
}

export function customerMissingPage(customerId: string): Html {
  return page('Customer', html`<h1>Customer ${customerId}</h1><p>No events have been received for this customer id.</p>`);
}
