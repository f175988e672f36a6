import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface RawPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

/** A run's history as the server stores it (the gRPC API, no codec): every event, payloads undecoded. */
export async function rawHistory(client: Client, namespace: string, workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** The history's bytes as the server would hand them out: what a search for clear text runs over. */
export const historyBytes = (events: temporal.api.history.v1.IHistoryEvent[]) => Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());

/**
 * Every payload anywhere in `value` (inputs, results, signals, queries' answers, memo, failures'
 * details), but two kinds the SDK and the server write themselves, in clear by design, which a
 * byte search covers all the same: search attributes (the server indexes them: ids and states,
 * never contact data) and the SDK's own marker records (a patch's name, a local activity's
 * attempt and times; the activity's result beside them is encrypted).
 */
export function payloadsIn(value: unknown, found: RawPayload[] = [], at = ''): RawPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (/searchAttributes$|markerRecordedEventAttributes\.details\.(data|patch-data)$/.test(at)) return found;
  if ('metadata' in value && 'data' in value && (value as RawPayload).data instanceof Uint8Array) found.push(value as RawPayload);
  for (const [k, child] of Object.entries(value)) payloadsIn(child, found, `${at}.${k}`);
  return found;
}

/** A payload's metadata entry as text. */
export const metadataText = (payload: RawPayload, name: string) => Buffer.from(payload.metadata?.[name] ?? []).toString('utf8');
