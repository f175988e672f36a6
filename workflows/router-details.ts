import { md } from '../src/temporal/markdown';
import type { CustomerState } from './contract';

const SHOWN_DECISIONS = 10;

/** The router's story for the Temporal UI's current details (Markdown): the customer's journeys, then the latest decisions. */
export function renderRouterDetails(state: CustomerState): string {
  const lines = [`**Customer ${md(state.customerId)}** · ${state.eventsAccepted} events · ${state.duplicatesIgnored} duplicates ignored${state.conflicts ? ` · ${state.conflicts} conflicting reuses of a messageId` : ''}`];
  lines.push('', '**Journeys**');
  const journeys = Object.entries(state.journeys);
  if (!journeys.length) lines.push('- none yet');
  for (const [id, m] of journeys) {
    const status = m.active ? `active since ${m.lastEnteredAt} (run \`journey/${md(id)}/…\`)` : `${m.lastStatus ?? 'ended'} ${m.lastEndedAt ?? ''}${m.lastReason ? `: ${md(m.lastReason, 160)}` : ''}`;
    lines.push(`- ${md(id)} @${m.version}: entered ${m.entries}x, ${status}`);
  }
  lines.push('', '**Latest decisions**');
  for (const d of state.decisions.slice(-SHOWN_DECISIONS)) {
    lines.push(`- ${d.at.slice(0, 19).replace('T', ' ')} · ${md(d.type)}${d.journeyId ? ` → ${md(d.journeyId)}` : ''}: ${md(d.outcome, 300)}`);
  }
  return lines.join('\n');
}
