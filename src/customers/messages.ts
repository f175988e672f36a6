import type { LedgerState } from '../channels/ledger';
import type { OutboxRecord } from '../channels/local';
import type { RenderedContent } from '../channels/port';
import type { ContentSource } from '../content/port';
import type { Store } from '../store/store';
import type { SplitVariant } from '../../workflows/contract';

/** One send as the ledger records it, with what the local channel stored of it (when it went there). */
export interface MessageView {
  key: string;
  customerId: string;
  journeyId: string;
  journeyVersion: string;
  stepId: string;
  channel: string;
  template: string;
  templateVersion: string | null;
  provider: string;
  state: LedgerState;
  attempts: number;
  /** When the intent was recorded, when the run asked for it (its clock), when the outcome was. */
  intentAt: string;
  requestedAt: string;
  outcomeAt: string | null;
  recipient: { externalId: string; email?: string; phone?: string };
  providerMessageId: string | null;
  triggeringEvent: string | null;
  detail: string | null;
  workflowId: string;
  runId: string;
  /** Which source wrote the words (the send ledger's record, on any provider); null before the content was made. */
  contentSource: ContentSource | null;
  /** The split path the run took before this send (null: none). */
  variant: SplitVariant | null;
  /** The message the local channel received (content, recipient, content source); null for another provider. */
  stored: OutboxRecord | null;
}

interface Row {
  send_key: string;
  customer_id: string;
  journey_id: string;
  journey_version: string;
  step_id: string;
  channel: string;
  template: string;
  template_version: string | null;
  provider: string;
  state: LedgerState;
  attempts: number;
  intent_at: Date;
  requested_at: Date;
  outcome_at: Date | null;
  provider_message_id: string | null;
  triggering_event: string | null;
  detail: string | null;
  workflow_id: string;
  run_id: string;
  content_source: ContentSource | null;
  variant: SplitVariant | null;
  message: OutboxRecord | null;
  recorded_at: Date | null;
}

const SELECT = `SELECT l.send_key, l.customer_id, l.journey_id, l.journey_version, l.step_id, l.channel, l.template, l.template_version, l.provider,
  l.state, l.attempts, l.intent_at, l.requested_at, l.outcome_at, l.provider_message_id, l.triggering_event, l.detail, l.workflow_id, l.run_id, l.content_source, l.variant,
  m.message, m.recorded_at
  FROM send_ledger l LEFT JOIN local_messages m ON m.send_key = l.send_key`;

function view(r: Row): MessageView {
  const stored = r.message ? { ...r.message, recordedAt: r.recorded_at!.toISOString() } : null;
  return {
    key: r.send_key,
    customerId: r.customer_id,
    journeyId: r.journey_id,
    journeyVersion: r.journey_version,
    stepId: r.step_id,
    channel: r.channel,
    template: r.template,
    templateVersion: r.template_version,
    provider: r.provider,
    state: r.state,
    attempts: r.attempts,
    intentAt: r.intent_at.toISOString(),
    requestedAt: r.requested_at.toISOString(),
    outcomeAt: r.outcome_at?.toISOString() ?? null,
    recipient: stored?.recipient ?? { externalId: r.customer_id },
    providerMessageId: r.provider_message_id,
    triggeringEvent: r.triggering_event,
    detail: r.detail,
    workflowId: r.workflow_id,
    runId: r.run_id,
    contentSource: r.content_source,
    variant: r.variant,
    stored,
  };
}

/** Every send of a customer, oldest first; or the one send with `key` (of that customer, when one is given). */
export async function readMessages(store: Store, query: { customerId?: string; key?: string }): Promise<MessageView[]> {
  const where: string[] = [];
  const values: string[] = [];
  if (query.customerId !== undefined) where.push(`l.customer_id = $${values.push(query.customerId)}`);
  if (query.key !== undefined) where.push(`l.send_key = $${values.push(query.key)}`);
  const { rows } = await store.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY l.intent_at, l.send_key`, values);
  return rows.map(view);
}

/** A headline longer than this is cut (a listing is one line per fact). */
const HEADLINE_CHARS = 100;

/** The first words a person sees of a message: its subject or title, else the first line of its text. */
export function headline(content: RenderedContent): string {
  const first = (text: string) => {
    const line = text.split('\n').find((l) => l.trim()) ?? '';
    return line.length > HEADLINE_CHARS ? `${line.slice(0, HEADLINE_CHARS)}...` : line;
  };
  switch (content.channel) {
    case 'email':
      return `Subject: ${first(content.subject)}`;
    case 'sms':
      return `Text: ${first(content.text)}`;
    case 'push':
      return `Title: ${first(content.title)}`;
    case 'in_app':
      return content.title ? `Title: ${first(content.title)}` : `Body: ${first(content.body)}`;
  }
}

/** "template", "model gemini-2.5-flash (gemini-2.5-flash-001)", "template, as fallback (MODEL_TIMEOUT: ...)". */
export function describeSource(source: ContentSource): string {
  switch (source.kind) {
    case 'template':
      return 'template';
    case 'model':
      return `model ${source.model}${source.modelVersion ? ` (${source.modelVersion})` : ''}`;
    case 'fallback':
      return `template, as fallback (${source.code}: ${source.reason})`;
  }
}

