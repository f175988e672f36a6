import dagre from '@dagrejs/dagre';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { links } from '../journey/graph';
import type { Journey, Step } from '../journey/schema';

const NODE_WIDTH = 230;
const NODE_HEIGHT = 64;

/** Figures shown on a step's box. */
export interface StepFigures {
  passed: number;
  here: number;
  sent: number;
}

/** What a box says under the step id: what the step does, in a few words. */
function summary(step: Step): string {
  switch (step.kind) {
    case 'send':
      return `send ${step.channel} ${step.template}`;
    case 'wait':
      return step.duration ? `wait ${step.duration}` : `wait until ${step.until!.time}`;
    case 'wait_for_event':
      return `wait for ${step.event} (${step.timeout})`;
    case 'branch':
      return `branch on ${step.branches.length} condition(s)`;
    case 'split':
      return `split ${step.paths.map((p) => `${p.name} ${p.weight}`).join(' / ')}`;
    case 'update_attribute':
      return `set ${step.attribute}`;
    case 'exit':
      return 'exit';
  }
}

/** The label on a link: the path or outcome it stands for, when there is more than one way out. */
function linkLabel(step: Step, field: string): string {
  if (step.kind === 'wait_for_event') return field === 'onEvent' ? step.event : 'timeout';
  if (step.kind === 'branch') return field === 'default' ? 'default' : `when #${Number(field.split('.')[1]) + 1}`;
  if (step.kind === 'split') return step.paths[Number(field.split('.')[1])]!.name;
  return '';
}

/**
 * The journey as an SVG diagram, laid out top to bottom by dagre (a layered graph layout): a box
 * per step with what it does, and the figures (customers who went through it, waiting there now, messages sent) when
 * given; a link per way out, labelled with the path or outcome. `changed` steps are outlined (the
 * difference from another version).
 */
export function journeyDiagram(journey: Journey, figures?: ReadonlyMap<string, StepFigures>, changed: ReadonlySet<string> = new Set()): HtmlEscapedString | Promise<HtmlEscapedString> {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 50, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of Object.keys(journey.steps)) graph.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [id, step] of Object.entries(journey.steps)) {
    for (const link of links(step)) {
      const label = linkLabel(step, link.field);
      graph.setEdge(id, link.target, { label, width: label.length * 7, height: label ? 14 : 0 }, link.field);
    }
  }
  dagre.layout(graph);
  const { width = 0, height = 0 } = graph.graph();
  const boxes = Object.entries(journey.steps).map(([id, step]) => {
    const { x, y } = graph.node(id);
    const f = figures?.get(id);
    const counts = f ? `${f.passed} passed · ${f.here} waiting${step.kind === 'send' ? ` · ${f.sent} sent` : ''}` : '';
    const classes = ['step', `kind-${step.kind}`, id === journey.start ? 'start' : '', changed.has(id) ? 'changed' : ''].filter(Boolean).join(' ');
    return html`<g class="${classes}" data-step="${id}" transform="translate(${x - NODE_WIDTH / 2},${y - NODE_HEIGHT / 2})">
<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8"></rect>
<text x="10" y="18" class="id">${id}</text>
<text x="10" y="36" class="what">${summary(step).slice(0, 36)}</text>
<text x="10" y="54" class="counts">${counts}</text>
</g>`;
  });
  const arrows = graph.edges().map((e) => {
    const edge = graph.edge(e);
    const points = (edge.points ?? []).map((p: { x: number; y: number }) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const label = edge.label ? html`<text class="edge-label" text-anchor="middle" x="${(edge.x ?? 0).toFixed(1)}" y="${(edge.y ?? 0).toFixed(1)}">${String(edge.label)}</text>` : '';
    return html`<polyline class="link" points="${points}" marker-end="url(#arrow)"></polyline>${label}`;
  });
  return html`<svg class="diagram" role="img" aria-label="${journey.name}: its steps and the links between them" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}">
${raw('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>')}
${arrows}
${boxes}
</svg>`;
}
