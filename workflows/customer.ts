import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyLocalActivities,
  rootCause,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { CustomerEvent } from '../src/events/schema';
import type { EntryCandidate } from '../src/journey/entries';
import { durationMs } from '../src/journey/duration';
import { activityOptions } from './activity-options';
import { eventDigest, isConsentEvent, profileChanges } from './event-facts';
import { renderRouterDetails } from './router-details';
import {
  composeKey,
  customerStateQuery,
  EVENT_SIGNAL_PREFIX,
  eventSignal,
  eventSignalName,
  journeyEndedSignal,
  journeyWorkflowId,
  PROFILE_CALLS,
  syncRequestSignal,
  UNHEARD,
  type CustomerRunInput,
  type CustomerState,
  type JourneyEnded,
  type SyncRequest,
} from './contract';
import { customerWorkflowV1 } from './legacy/customer-v1';
import { arrivalTrace, inTrace, type Trace } from './trace-context';

/** `trace`: the trace its signal came in (tracing on), so handling it joins the request that sent it. */
type Item = ({ kind: 'event'; event: CustomerEvent } | { kind: 'sync'; request: SyncRequest }) & { trace?: Trace };

/**
 * The customer's router: one long-lived run per customer (`customer/<customerId>`) that every
 * event for that customer goes through, in the order Temporal accepted them. It drops duplicate
 * messageIds (and records conflicting reuses), keeps the profile's traits and contact fields,
 * forwards the event to the customer's active runs that listen for its type, and starts the
 * journeys it enters under their re-entry policies. It talks to runs through local activities
 * (client calls inside its own workflow task), which costs no extra workflow task per call.
 * Routers started before version 2 run legacy/customer-v1.ts until their next event.
 */
export async function customerWorkflow(input: CustomerRunInput): Promise<void> {
  if (input.v !== 2) return customerWorkflowV1(input);
  const { customerId, settings } = input;
  const local = proxyLocalActivities<JourneyActivities>(activityOptions(settings.activity));
  const state: CustomerState = input.resume ?? { customerId, seen: [], journeys: {}, eventsAccepted: 0, duplicatesIgnored: 0, decisions: [] };
  state.conflicts ??= 0;
  const inbox: Item[] = (input.pending ?? []).map((event) => ({ kind: 'event', event }));
  const ended: JourneyEnded[] = [];
  const onEvent = (event: CustomerEvent) => void inbox.push({ kind: 'event', event, trace: arrivalTrace() });
  const onOtherSignal = (name: string, ...args: unknown[]) => {
    if (name.startsWith(EVENT_SIGNAL_PREFIX)) onEvent(args[0] as CustomerEvent);
  };
  // The default handler takes every buffered signal that has no handler of its own when it is set:
  // set before the named ones, it dropped a syncRequest or journeyEnded that came with the run's
  // first task (a worker down or slow; every continue-as-new). Runs started before keep that order.
  const namedFirst = patched('named-signal-handlers-first');
  setHandler(eventSignal, onEvent);
  if (!namedFirst) setDefaultSignalHandler(onOtherSignal);
  setHandler(syncRequestSignal, (request) => void inbox.push({ kind: 'sync', request, trace: arrivalTrace() }));
  setHandler(journeyEndedSignal, (note) => void ended.push(note));
  if (namedFirst) setDefaultSignalHandler(onOtherSignal);
  setHandler(customerStateQuery, () => state);

  let decisionsMade = 0;
  const decide = (event: CustomerEvent, outcome: string, journeyId?: string) => {
    decisionsMade++;
    state.decisions.push({ at: new Date().toISOString(), messageId: event.messageId, type: event.type, journeyId, outcome });
    if (state.decisions.length > settings.maxDecisions) state.decisions.shift();
  };
  const why = (err: unknown) => (err instanceof TemporalFailure ? (rootCause(err) ?? err.message) : String(err));

  async function handle(event: CustomerEvent): Promise<void> {
    const now = Date.now();
    const digest = eventDigest(event);
    state.seen = state.seen.filter(([, at]) => now - at < settings.dedupeWindowMs).slice(-settings.dedupeMaxIds);
    const earlier = state.seen.find(([id]) => id === event.messageId);
    if (earlier) {
      if (earlier[2] === undefined || earlier[2] === digest) state.duplicatesIgnored++;
      else {
        state.conflicts!++;
        decide(event, 'ignored: this messageId was used before for a different event (a conflict; send a new messageId for a new event)');
      }
      return;
    }
    state.seen.push([event.messageId, now, digest]);
    state.eventsAccepted++;

    // Consent events change the profile since the contact policy; routers replaying older histories did not.
    const changes = profileChanges(event, isConsentEvent(event) && patched('consent-events'));
    if (changes) {
      try {
        await local.applyProfileChanges(customerId, changes, composeKey('event', event.messageId));
      } catch (err) {
        if (!(err instanceof TemporalFailure)) throw err;
        decide(event, `profile not updated: ${why(err)}`); // the event still counts for journeys
      }
    }
    const before = decisionsMade;
    await forward(event);
    await enter(event, now);
    // An event nothing took (a mistyped type): said, so `waymark customer` shows it. Events that
    // change the profile (Segment identify and group calls, or any with traits) are left out.
    if (decisionsMade === before && !changes && !PROFILE_CALLS.has(event.type) && patched('unheard-events')) decide(event, UNHEARD);
  }

  async function forward(event: CustomerEvent): Promise<void> {
    const listening = Object.entries(state.journeys).filter(([, m]) => m.active && m.listensTo.includes(event.type));
    if (!listening.length) return;
    const signal = eventSignalName(event.type);
    const outcomes = await local.signalRuns(listening.map(([journeyId]) => ({ workflowId: journeyWorkflowId(journeyId, customerId), signal, arg: event })));
    listening.forEach(([journeyId, m], i) => {
      if (outcomes[i] === 'delivered') return decide(event, 'forwarded to the active run', journeyId);
      m.active = false; // the run has ended; its journeyEnded note is on its way
      decide(event, 'not forwarded: the run had already ended', journeyId);
    });
  }

  async function enter(event: CustomerEvent, now: number): Promise<void> {
    const { entered, refused } = await local.journeysEnteredBy(event);
    for (const r of refused) decide(event, `not entered: ${r.why}`, r.journeyId);
    const starts: EntryCandidate[] = [];
    const restarts: EntryCandidate[] = [];
    for (const candidate of entered) {
      const m = state.journeys[candidate.journeyId];
      const { policy, cooldown } = candidate.reentry;
      if (m) {
        if (policy === 'never') {
          decide(event, `not entered: re-entry policy is "never" (entered ${m.entries}x, last ${m.lastEnteredAt})`, candidate.journeyId);
          continue;
        }
        if (m.active && policy !== 'always') {
          decide(event, `not entered: already in this journey (since ${m.lastEnteredAt}; policy "${policy}")`, candidate.journeyId);
          continue;
        }
        const since = m.active ? m.lastEnteredAt : m.lastEndedAt;
        if (cooldown && since && now - Date.parse(since) < durationMs(cooldown)!) {
          decide(event, `not entered: within the ${cooldown} cooldown (last ${m.active ? 'entered' : 'ended'} ${since})`, candidate.journeyId);
          continue;
        }
      }
      (m?.active ? restarts : starts).push(candidate);
    }
    const runInput = (c: EntryCandidate) => ({
      v: 2 as const,
      journeyId: c.journeyId,
      version: c.version,
      customerId,
      entry: event,
      settings: settings.journey,
      notifyRouter: true,
    });
    if (restarts.length) {
      const outcomes = await local.signalRuns(restarts.map((c) => ({ workflowId: journeyWorkflowId(c.journeyId, customerId), signal: 'reenter', arg: runInput(c) })));
      restarts.forEach((c, i) => {
        if (outcomes[i] === 'delivered') {
          member(c, now, true);
          decide(event, `re-entered (version ${c.version}): the active run starts over`, c.journeyId);
        } else starts.push(c); // it ended meanwhile: start a new run
      });
    }
    if (!starts.length) return;
    // This run and this event's place in the customer's stream: what a retried task starts again is the same start.
    const results = await local.startJourneys(starts.map(runInput), composeKey(workflowInfo().runId, state.eventsAccepted));
    starts.forEach((c, i) => {
      const result = results[i]!;
      member(c, now, result === 'started');
      if (result === 'started') decide(event, `entered (version ${c.version})`, c.journeyId);
      else decide(event, 'not entered: a run of this journey is already active; adopted it', c.journeyId);
    });
  }

  function member(c: EntryCandidate, now: number, counted: boolean): void {
    const m = state.journeys[c.journeyId];
    state.journeys[c.journeyId] = {
      ...m,
      version: c.version,
      active: true,
      entries: (m?.entries ?? 0) + (counted || !m ? 1 : 0),
      lastEnteredAt: new Date(now).toISOString(),
      listensTo: c.listensTo,
    };
  }

  async function answerSync({ journeyId, token }: SyncRequest): Promise<void> {
    // Every event accepted before this request has been handled (and forwarded) by now.
    await local.signalRuns([{ workflowId: journeyWorkflowId(journeyId, customerId), signal: 'syncAck', arg: token }]);
  }

  for (;;) {
    await condition(() => inbox.length > 0 || ended.length > 0);
    for (const note of ended.splice(0)) {
      const m = state.journeys[note.journeyId];
      if (m) Object.assign(m, { active: false, lastEndedAt: note.at, lastStatus: note.status, lastReason: note.reason });
    }
    const item = inbox.shift();
    try {
      if (item?.kind === 'event') await inTrace(item.trace, () => handle(item.event));
      else if (item?.kind === 'sync') await inTrace(item.trace, () => answerSync(item.request));
    } catch (err) {
      // An activity that failed for good (local ones surface as the bare failure, not ActivityFailure) must not end the router (and with it the customer's
      // history): record it and go on with the next item.
      if (!(err instanceof TemporalFailure)) throw err;
      if (item?.kind === 'event') decide(item.event, `failed: ${why(err)}`);
    }
    setCurrentDetails(renderRouterDetails(state));
    const info = workflowInfo();
    const idle = () => inbox.length === 0 && ended.length === 0;
    if (idle() && (info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewAfterEvents)) {
      // Routers live for years: take the worker's current settings into the next run.
      const current = await local.currentRouterSettings();
      await condition(allHandlersFinished);
      // Events that arrived meanwhile are handled first; they must not be dropped by continuing.
      if (idle()) return continueAsNew<typeof customerWorkflow>({ v: 2, customerId, settings: current, resume: state });
    }
  }
}
