import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setDefaultSignalHandler,
  proxyActivities,
  proxyLocalActivities,
  rootCause,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../../activities';
import type { CustomerEvent } from '../../src/events/schema';
import type { Journey, PublishedJourney } from '../../src/journey/schema';
import { durationMs } from '../../src/journey/duration';
import { runEventTypes } from '../../src/journey/event-types';
import { outline } from '../../src/journey/outline';
import { CustomerId, JourneyId, JourneyStatus, JourneyStep, JourneyVersion } from '../../src/temporal/search-attributes';
import { activityOptions } from '../activity-options';
import {
  customerStateQuery,
  EVENT_SIGNAL_PREFIX,
  eventSignal,
  journeyEndedSignal,
  journeyWorkflowId,
  type CustomerRunInput,
  type CustomerState,
  type JourneyEnded,
} from '../contract';
import { reenterSignalV1 as reenterSignal, type JourneyRunInputV1 as JourneyRunInput } from './contract-v1';

/**
 * The customer router as it ran before version 2. Routers started then replay here; the first
 * event such a router handles after the upgrade moves it onto ../customer.ts (continue-as-new,
 * guarded by patched('router-v2') so recorded histories replay unchanged). Frozen otherwise.
 */
export async function customerWorkflowV1(input: CustomerRunInput): Promise<void> {
  const { customerId, settings } = input;
  const acts = proxyActivities<JourneyActivities>(activityOptions(settings.activity));
  const local = proxyLocalActivities<JourneyActivities>(activityOptions(settings.activity));
  const state: CustomerState = input.resume ?? {
    customerId,
    seen: [],
    journeys: {},
    eventsAccepted: 0,
    duplicatesIgnored: 0,
    decisions: [],
  };
  const inbox: CustomerEvent[] = [];
  const ended: JourneyEnded[] = [];
  setHandler(eventSignal, (event) => void inbox.push(event));
  // Events now arrive as signals named by their type; registering a handler issues no command.
  setDefaultSignalHandler((name, ...args) => {
    if (name.startsWith(EVENT_SIGNAL_PREFIX)) inbox.push(args[0] as CustomerEvent);
  });
  setHandler(journeyEndedSignal, (note) => void ended.push(note));
  setHandler(customerStateQuery, () => state);
  upsertSearchAttributes([{ key: CustomerId, value: customerId }]);

  const decide = (event: CustomerEvent, outcome: string, journeyId?: string) => {
    state.decisions.push({ at: new Date().toISOString(), messageId: event.messageId, type: event.type, journeyId, outcome });
    if (state.decisions.length > settings.maxDecisions) state.decisions.shift();
  };

  async function handle(event: CustomerEvent): Promise<void> {
    const now = Date.now();
    state.seen = state.seen.filter(([, at]) => now - at < settings.dedupeWindowMs).slice(-settings.dedupeMaxIds);
    if (state.seen.some(([id]) => id === event.messageId)) {
      state.duplicatesIgnored++;
      return;
    }
    state.seen.push([event.messageId, now]);
    state.eventsAccepted++;
    if (event.context?.traits) await acts.updateProfile(customerId, event.context.traits, `event/${event.messageId}`);

    const listening = Object.entries(state.journeys).filter(([, m]) => m.active && m.listensTo.includes(event.type));
    await Promise.all(
      listening.map(async ([journeyId, m]) => {
        try {
          await getExternalWorkflowHandle(journeyWorkflowId(journeyId, customerId)).signal(eventSignal, event);
          decide(event, 'forwarded to the active run', journeyId);
        } catch {
          m.active = false; // the run has ended; its journeyEnded note is on its way
          decide(event, 'not forwarded: the run had already ended', journeyId);
        }
      }),
    );
    for (const published of await local.matchEntries(event)) await enter(published, event, now);
  }

  async function enter({ definition: journey, version }: PublishedJourney, event: CustomerEvent, now: number): Promise<void> {
    const m = state.journeys[journey.id];
    const { policy, cooldown } = journey.reentry;
    const cooldownMs = cooldown ? durationMs(cooldown)! : 0;
    const runInput: JourneyRunInput = { journey, version, customerId, entry: event, settings: settings.journey, notifyRouter: true };
    if (m) {
      if (policy === 'never') return decide(event, 'not entered: re-entry policy is "never"', journey.id);
      if (m.active && policy !== 'always') return decide(event, 'not entered: already in this journey', journey.id);
      const since = m.active ? m.lastEnteredAt : m.lastEndedAt;
      if (since && now - Date.parse(since) < cooldownMs) return decide(event, `not entered: within the ${cooldown} cooldown`, journey.id);
      if (m.active) {
        try {
          await getExternalWorkflowHandle(journeyWorkflowId(journey.id, customerId)).signal(reenterSignal, runInput);
          Object.assign(m, { version, entries: m.entries + 1, lastEnteredAt: new Date(now).toISOString(), listensTo: runEventTypes(journey) });
          return decide(event, 're-entered: the active run starts over', journey.id);
        } catch {
          m.active = false; // it ended meanwhile: start a new run below
        }
      }
    }
    try {
      await start(journey, version, runInput);
    } catch (err) {
      // A run we did not know of is already there (state lost, or started by hand): adopt it.
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      state.journeys[journey.id] = { version, active: true, entries: m?.entries ?? 1, lastEnteredAt: new Date(now).toISOString(), listensTo: runEventTypes(journey) };
      return decide(event, 'not entered: a run of this journey is already active; adopted it', journey.id);
    }
    state.journeys[journey.id] = {
      version,
      active: true,
      entries: (m?.entries ?? 0) + 1,
      lastEnteredAt: new Date(now).toISOString(),
      lastEndedAt: m?.lastEndedAt,
      lastStatus: m?.lastStatus,
      listensTo: runEventTypes(journey),
    };
    decide(event, `entered (version ${version})`, journey.id);
  }

  function start(journey: Journey, version: string, runInput: JourneyRunInput) {
    return startChild('journeyWorkflow', {
      workflowId: journeyWorkflowId(journey.id, customerId),
      args: [runInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: JourneyId, value: journey.id },
        { key: JourneyVersion, value: version },
        { key: CustomerId, value: customerId },
        { key: JourneyStep, value: journey.start },
        { key: JourneyStatus, value: 'active' },
      ],
      memo: { journeyName: journey.name, journeyVersion: version },
      staticSummary: `${journey.name} for ${customerId} (version ${version})`,
      staticDetails: `Entered on "${runInput.entry.type}" (${runInput.entry.messageId}) at ${runInput.entry.timestamp}.\n\n\`\`\`\n${outline(journey, version)}\n\`\`\``,
    });
  }

  for (;;) {
    await condition(() => inbox.length > 0 || ended.length > 0);
    if (inbox.length > 0 && patched('router-v2')) {
      const settings = await local.currentRouterSettings();
      await condition(allHandlersFinished);
      for (const note of ended.splice(0)) {
        const m = state.journeys[note.journeyId];
        if (m) Object.assign(m, { active: false, lastEndedAt: note.at, lastStatus: note.status });
      }
      return continueAsNew<typeof customerWorkflowV1>({ v: 2, customerId, settings, resume: state, pending: inbox.splice(0) });
    }
    for (const note of ended.splice(0)) {
      const m = state.journeys[note.journeyId];
      if (m) Object.assign(m, { active: false, lastEndedAt: note.at, lastStatus: note.status });
    }
    const event = inbox.shift();
    if (event) {
      try {
        await handle(event);
      } catch (err) {
        // An activity that failed for good must not end the router (and with it the customer's
        // history): record it and go on with the next event.
        if (!(err instanceof ActivityFailure)) throw err;
        decide(event, `failed: ${rootCause(err) ?? err.message}`);
      }
    }
    const info = workflowInfo();
    const idle = () => inbox.length === 0 && ended.length === 0;
    if (idle() && (info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewAfterEvents)) {
      // Routers live for years: take the worker's current settings into the next run.
      const current = await local.currentRouterSettings();
      await condition(allHandlersFinished);
      // Events that arrived meanwhile are handled first; they must not be dropped by continuing.
      if (idle()) return continueAsNew<typeof customerWorkflowV1>({ customerId, settings: current, resume: state });
    }
  }
}
