import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Difference } from '../journey/diff';
import type { Journey } from '../journey/schema';
import { formatIssue, type ValidationIssue } from '../journey/validate';
import type { JourneyState, StoredVersion } from '../store/journeys';
import { journeyDiagram } from './diagram';
import { page } from './pages';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const MARK: Record<Difference['change'], string> = { added: '+', removed: '-', changed: '~' };

/** The differences as a list, each with where and what. */
function differenceList(differences: Difference[]): Html {
  if (!differences.length) return html`<p>The definitions are the same.</p>`;
  return html`<ul data-testid="differences">${differences.map(
    (d) => html`<li><code>${MARK[d.change]} ${d.where}</code>: ${d.change === 'changed' ? `${d.before} → ${d.after}` : (d.after ?? d.before)}</li>`,
  )}</ul>`;
}

/** Steps a difference touches: `steps.<id>` or `steps.<id>.<field>`, added or changed (the ones to outline on the newer diagram). */
export function changedSteps(differences: Difference[]): { changed: Set<string>; removed: string[] } {
  const changed = new Set<string>();
  const removed: string[] = [];
  for (const d of differences) {
    const match = /^steps\.([^.]+)(\.|$)/.exec(d.where);
    if (!match) continue;
    if (d.change === 'removed' && !match[2]) removed.push(match[1]!);
    else changed.add(match[1]!);
  }
  return { changed, removed };
}

/** Two versions compared: the newer drawn with what changed outlined, the steps gone named, and every difference listed. */
export function diffView(after: Journey, differences: Difference[]): Html {
  const { changed, removed } = changedSteps(differences);
  return html`<div class="layout"><div>${journeyDiagram(after, undefined, changed)}</div>
<div><p class="muted">Outlined in orange: steps added or changed.${removed.length ? html` Removed: <strong data-testid="removed">${removed.join(', ')}</strong>.` : ''}</p>
${differenceList(differences)}</div></div>`;
}

export interface DiffPageView {
  journeyId: string;
  from: string;
  to: string;
  after: Journey;
  differences: Difference[];
}

export function diffPage(v: DiffPageView): Html {
  return page(
    `${v.journeyId}: ${v.from.slice(0, 8)} → ${v.to.slice(0, 8)}`,
    html`<h1><a href="/console/journeys/${v.journeyId}">${v.journeyId}</a>: version <code>${v.from.slice(0, 12)}</code> → <code>${v.to.slice(0, 12)}</code></h1>
${diffView(v.after, v.differences)}`,
  );
}

export interface VersionsView {
  state: JourneyState;
  versions: StoredVersion[];
  canManage: boolean;
  notice?: string;
}

export function versionsPage(v: VersionsView): Html {
  const { state } = v;
  return page(
    `${state.journeyId}: versions`,
    html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<h1><a href="/console/journeys/${state.journeyId}">${state.journeyId}</a>: versions</h1>
<table data-testid="versions"><thead><tr><th>version</th><th>published</th><th>by</th><th>from</th><th></th><th></th></tr></thead>
<tbody>${[...v.versions].reverse().map(
      (s) => html`<tr><td><code>${s.version.slice(0, 12)}</code>${s.version === state.currentVersion ? html` <strong>current</strong>` : ''}</td><td>${s.publishedAt.toISOString().slice(0, 16).replace('T', ' ')}</td><td>${s.publishedBy}</td><td>${s.source}</td>
<td>${s.version === state.currentVersion ? '' : html`<a href="/console/journeys/${state.journeyId}/diff?from=${state.currentVersion}&to=${s.version}">compare with current</a>`}</td>
<td>${v.canManage && s.version !== state.currentVersion ? html`<form class="inline" method="post" action="/console/journeys/${state.journeyId}/rollback"><input type="hidden" name="version" value="${s.version}"><button type="submit">Make current</button></form>` : ''}</td></tr>`,
    )}</tbody></table>
<p class="muted">Making a version current (a rollback) sends new customers into it; customers already in the journey keep the version they entered.</p>`,
  );
}

export interface PublishView {
  text: string;
  /** The backtest's customers by default (WAYMARK_BACKTEST_CUSTOMERS) and at most (WAYMARK_CONSOLE_BACKTEST_MAX_CUSTOMERS). */
  defaults: { customers: number; maxCustomers: number };
  problem?: string | Html;
  issues?: ValidationIssue[];
  warnings?: string[];
  /** A valid definition checked: what publishing it would change. */
  checked?: { journey: Journey; current?: { version: string }; differences?: Difference[]; version: string };
}

export function publishPage(v: PublishView): Html {
  const c = v.checked;
  return page(
    'Publish a journey',
    html`<h1>Publish a journey</h1>
<p>Paste a journey definition (YAML or JSON, the format of docs/authoring-journeys.md). <em>Check</em> validates it and shows what publishing would change; <em>Publish</em> makes it the current version: new customers enter it, customers already in the journey keep theirs.</p>
${v.problem ? html`<p class="error" role="alert">${v.problem}</p>` : ''}
${v.issues?.length ? html`<div class="error" role="alert" data-testid="issues"><strong>Not valid:</strong><ul>${v.issues.map((i) => html`<li>${formatIssue(i)}</li>`)}</ul></div>` : ''}
${v.warnings?.length ? html`<div class="notice" data-testid="warnings"><strong>Warnings</strong> (it can be published):<ul>${v.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
<form method="post" action="/console/publish">
<textarea name="definition" rows="24" cols="100" spellcheck="false" aria-label="journey definition" style="font: 13px monospace; width: 100%">${v.text}</textarea>
<p><button type="submit" name="intent" value="check">Check</button> ${c ? html`<button type="submit" name="intent" value="publish">Publish ${c.journey.id}@${c.version.slice(0, 12)}</button>` : ''}
· <button type="submit" name="intent" value="backtest">Backtest</button> over the last <input name="customers" type="number" min="1" max="${v.defaults.maxCustomers}" value="${v.defaults.customers}" style="width:6em" aria-label="customers to backtest over"> customers who sent its entry event</p>
</form>
<p class="muted"><em>Backtest</em> runs the definition over those customers' real events from the warehouse, at their real times, on a private time-skipping server: nothing is sent and nothing is published (the <code>manage</code> scope; one at a time).</p>
${
  c
    ? html`<h2 data-testid="checked">${c.current ? html`Changes against the current version <code>${c.current.version.slice(0, 12)}</code>` : html`A new journey: ${c.journey.id}`}</h2>
${c.differences ? diffView(c.journey, c.differences) : journeyDiagram(c.journey)}`
    : ''
}`,
  );
}
