import { entryMatches } from './entry-matches';
import fs from 'node:fs';
import { publishTemplates } from '../templates/publish';
import type { Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import type { OutboxRecord } from '../channels/local';
import { scratchConfig } from './scratch';
import { createDeps } from '../runtime';
import { journeyRunSettings } from '../settings';
import { startTimeSkippingServer } from '../temporal/time-skipping';
import { entriesFor } from './entries';
import type { PublishedJourney } from './schema';
import { createJourneyWorker } from '../../workers/journey-worker';
import { eventSignal, journeyWorkflowId, type JourneyState } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';

/** A made-up customer: what they look like at entry and what they do afterwards. */
export interface PreviewScenario {
  customerId: string;
  /** Profile attributes at entry (what branches on `attribute` see). */
  attributes: Record<string, unknown>;
  /** The entry event's type: one of the journey's entry events (the first when not given). */
  entryType?: string;
  /** Properties of the entry event. */
  entryProperties: Record<string, unknown>;
  timezone?: string;
  /** Events the customer sends, at offsets from entry. */
  events: Array<{ afterMs: number; type: string; properties: Record<string, unknown> }>;
}

export interface PreviewResult {
  final: JourneyState;
  /** Every message the run recorded, as the outbox holds it. */
  messages: OutboxRecord[];
  /** The scenario's events that reached the run before it ended, with their offsets. */
  delivered: PreviewScenario['events'];
}


/**
 * Runs a journey for a made-up customer on a private time-skipping Temporal server, with the
 * real interpreter and a throwaway database (profiles, local channel), so a designer sees exactly
 * which messages go out and when, in seconds, without touching any real customer or channel.
 */
export async function previewJourney(published: PublishedJourney, scenario: PreviewScenario, config: Config): Promise<PreviewResult | { notEntered: string }> {
  // The router's own rule: an entry event its filter refuses starts nothing.
  const entryType = scenario.entryType ?? entryMatches(published.definition)[0]!.event;
  const entry = { messageId: 'preview-0', type: entryType, customerId: scenario.customerId, timestamp: new Date().toISOString(), properties: scenario.entryProperties };
  const refused = entriesFor([published], entry).refused[0];
  if (refused) return { notEntered: refused.why };
  const deps = createDeps(scratchConfig(config, 'preview', true));
  const env = await startTimeSkippingServer();
  try {
    const { customerId } = scenario;
    await deps.journeys.publish(published, 'preview', 'preview');
    // The templates of the folder (the files, not the store's versions): a designer previews the words they are writing.
    if (fs.existsSync(config.templates.dir)) await publishTemplates(config, deps.templates, 'preview');
    if (Object.keys(scenario.attributes).length) await deps.profiles.apply(customerId, { traits: scenario.attributes }, 'preview');
    const taskQueue = 'waymark-preview';
    const worker = await createJourneyWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, deps });
    return await worker.runUntil(async () => {
      const entryMs = await env.currentTimeMs();
      const event = (type: string, atMs: number, properties: Record<string, unknown>, n: number): CustomerEvent => ({
        messageId: `preview-${n}`,
        type,
        customerId,
        timestamp: new Date(atMs).toISOString(),
        properties,
        ...(scenario.timezone ? { context: { timezone: scenario.timezone } } : {}),
      });
      const handle = await env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId(published.definition.id, customerId),
        taskQueue,
        args: [
          {
            v: 2,
            journeyId: published.definition.id,
            version: published.version,
            customerId,
            entry: event(entryType, entryMs, scenario.entryProperties, 0),
            settings: journeyRunSettings(config),
          },
        ],
      });
      const delivered: PreviewScenario['events'] = [];
      const events = [...scenario.events].sort((a, b) => a.afterMs - b.afterMs);
      for (const [i, e] of events.entries()) {
        const wait = entryMs + e.afterMs - (await env.currentTimeMs());
        if (wait > 0) await env.sleep(wait);
        if ((await handle.describe()).status.name !== 'RUNNING') break; // the journey ended before this event
        await handle.signal(eventSignal, event(e.type, entryMs + e.afterMs, e.properties, i + 1));
        delivered.push(e);
      }
      return { final: await handle.result(), messages: await deps.outbox.list(), delivered };
    });
  } finally {
    await env.teardown();
    await deps.store.dropScratchDatabase();
  }
}
