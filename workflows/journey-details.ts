import type { Journey } from '../src/journey/schema';
import { md } from '../src/temporal/markdown';
import type { JourneyState } from './contract';

/** Path entries shown in the UI's current details; the `state` query has them all. */
const SHOWN_PATH_ENTRIES = 12;

/**
 * A run's story for the Temporal UI's "current details" (Markdown): where it is or why it ended,
 * what it waits for, and the path with outcomes, newest last. Everything from customer data is
 * escaped. Also shown for finished runs (the UI asks a worker, which replays the history).
 */
export function renderJourneyDetails(journey: Journey, state: JourneyState): string {
  const lines = [`**${md(journey.name)}** · version \`${state.version}\` · customer ${md(state.customerId)}`];
  if (state.status === 'active') {
    const w = state.waiting;
    const now = w ? (w.kind === 'timer' ? `waiting until ${w.until}` : `waiting for ${md(w.event)} until ${w.until}, else the timeout path`) : 'running';
    lines.push(`**Now:** step ${md(state.step)}, ${now}`);
  } else {
    lines.push(`**Ended ${state.status}** at ${state.endedAt}: ${md(state.reason ?? '', 300)}`);
  }
  lines.push(`Messages sent: ${state.messagesSent}${state.failures ? ` · failed steps: ${state.failures}` : ''}${state.lateEvents ? ` · events from before entry ignored: ${state.lateEvents}` : ''}`);
  lines.push('', '**Path**');
  const shown = state.path.slice(-SHOWN_PATH_ENTRIES);
  const hidden = state.pathDropped + state.path.length - shown.length;
  if (hidden) lines.push(`… ${hidden} earlier steps (query \`state\` for the rest)`);
  for (const p of shown) lines.push(`- ${p.at.slice(0, 19).replace('T', ' ')} · ${md(p.step)} (${p.kind}): ${md(p.outcome ?? '…', 400)}`);
  return lines.join('\n');
}
