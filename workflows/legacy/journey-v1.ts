import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  rootCause,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../../activities';
import type { Step } from '../../src/journey/schema';
import type { CustomerEvent } from '../../src/events/schema';
import { evaluate, matchesEvent } from '../../src/journey/conditions';
import { pickPath } from '../../src/journey/split';
import { nextLocalTime } from '../../src/journey/local-time';
import { durationMs } from '../../src/journey/duration';
import { CustomerId, JourneyId, JourneyStatus, JourneyStep, JourneyVersion } from '../../src/temporal/search-attributes';
import { activityOptions } from '../activity-options';
import {
  customerWorkflowId,
  eventSignal,
  journeyEndedSignal,
  journeyStateQuery,
  type JourneyState,
  type JourneyStatus as Status,
  type PathEntry,
  type JourneyRunInput as JourneyRunInputV2,
} from '../contract';
import { reenterSignalV1 as reenterSignal, type JourneyRunInputV1 as JourneyRunInput } from './contract-v1';

/**
 * The journey interpreter as it ran before version 2 (the definition in the input). Runs started
 * then replay and finish here; new runs use ../journey.ts. Frozen: change nothing that would
 * change the commands it issues. Delete once no version-1 run is open.
 */
export async function journeyWorkflowV1(input: JourneyRunInput): Promise<JourneyState> {
  const { journey, version, customerId, entry, settings } = input;
  const acts = proxyActivities<JourneyActivities>(activityOptions(settings.activity));
  const entryMs = Date.parse(entry.timestamp);
  const state: JourneyState = input.resume ?? initialState(input);
  let ending: { status: Status; reason: string } | undefined;
  let restart: JourneyRunInput | JourneyRunInputV2 | undefined;

  setHandler(journeyStateQuery, () => state);
  setHandler(reenterSignal, (next) => {
    restart = next;
  });
  setHandler(eventSignal, (event) => {
    if (state.status !== 'active') return;
    if (Date.parse(event.timestamp) < entryMs) {
      state.lateEvents++; // happened before this run began: it cannot satisfy this run's waits
      return;
    }
    state.performed[event.type] = (state.performed[event.type] ?? 0) + 1;
    const goal = journey.goals.find((g) => matchesEvent(g, event));
    const exit = journey.exits.find((x) => matchesEvent(x, event));
    if (goal) ending ??= { status: 'converted', reason: `goal ${goal.name ?? goal.event} reached` };
    else if (exit) ending ??= { status: 'exited', reason: `exit event ${event.type}` };
    else {
      state.buffered.push(event);
      if (state.buffered.length > settings.maxBufferedEvents) state.buffered.shift();
    }
  });

  upsertSearchAttributes([
    { key: JourneyId, value: journey.id },
    { key: JourneyVersion, value: version },
    { key: CustomerId, value: customerId },
    { key: JourneyStatus, value: state.status },
    { key: JourneyStep, value: state.step },
  ]);
  upsertMemo({ journeyName: journey.name, journeyVersion: version });
  /**
   * Runs an activity. When it fails for good (its retries are spent), the run goes on: the
   * failure is written on the path (and counted) instead of failing the whole journey.
   */
  async function attempt<T>(what: string, call: () => Promise<T>, at?: PathEntry): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      state.failures = (state.failures ?? 0) + 1;
      const why = `${what} failed: ${rootCause(err) ?? err.message}`;
      if (at) at.outcome = why;
      log.warn(why, { journeyId: journey.id, customerId });
      return undefined;
    }
  }
  const refreshAttributes = async (at?: PathEntry) => {
    const profile = await attempt('reading the profile', () => acts.getProfile(customerId), at);
    if (profile) state.attributes = { ...state.attributes, ...profile };
  };

  if (!input.resume) await refreshAttributes();

  const interrupted = () => ending !== undefined || restart !== undefined;

  /** Runs one step; returns the next step id, or undefined when the journey is done. */
  async function run(id: string, step: Step, at: PathEntry): Promise<string | undefined> {
    switch (step.kind) {
      case 'send': {
        const message = {
          key: `${journey.id}/${customerId}/${entry.messageId}/${id}/${state.visits[id]}`,
          customerId,
          journeyId: journey.id,
          journeyVersion: version,
          stepId: id,
          channel: step.channel,
          template: step.template,
          attributes: state.attributes,
          workflowId: workflowInfo().workflowId,
          runId: workflowInfo().runId,
        };
        const options = { ...activityOptions(settings.activity), summary: `${step.channel} "${step.template}" (step ${id})` };
        const receipt = await attempt(`sending ${step.channel} ${step.template}`, () => acts.deliverMessage.executeWithOptions(options, [message]), at);
        if (!receipt) return step.next;
        // The key is unique to this step visit of this run: "already sent" means an earlier attempt
        // of this same delivery went out (then failed to report), so it still counts as sent.
        state.messagesSent++;
        at.outcome = `${receipt.firstDelivery ? 'sent' : 'already sent'} ${step.channel} ${step.template}`;
        return step.next;
      }
      case 'wait': {
        const now = Date.now();
        const until = step.duration
          ? now + durationMs(step.duration)!
          : nextLocalTime(now, step.until!.time, step.until!.weekdays, timezone());
        state.waiting = { kind: 'timer', step: id, until: new Date(until).toISOString() };
        showDetails();
        await condition(interrupted, until - now, { summary: `${step.duration ? `wait ${step.duration}` : `wait until ${step.until!.time} local`} (step ${id})` });
        state.waiting = undefined;
        at.outcome = interrupted() ? 'interrupted' : 'waited';
        return step.next;
      }
      case 'wait_for_event': {
        const timeoutMs = durationMs(step.timeout)!;
        const found = () => state.buffered.findIndex((e) => matchesEvent(step, e));
        state.waiting = { kind: 'event', step: id, event: step.event, until: new Date(Date.now() + timeoutMs).toISOString() };
        showDetails();
        await condition(() => interrupted() || found() >= 0, timeoutMs, { summary: `wait up to ${step.timeout} for "${step.event}" (step ${id})` });
        state.waiting = undefined;
        const index = found();
        if (index >= 0) {
          const [event] = state.buffered.splice(index, 1) as [CustomerEvent];
          state.currentEvent = { type: event.type, messageId: event.messageId, properties: event.properties };
          at.outcome = `received ${event.type}`;
          return step.onEvent;
        }
        at.outcome = interrupted() ? 'interrupted' : 'timed out';
        return step.onTimeout;
      }
      case 'branch': {
        await refreshAttributes(at);
        const scope = { attributes: state.attributes, properties: state.currentEvent.properties, performed: state.performed };
        const index = step.branches.findIndex((b) => evaluate(b.when, scope));
        const chosen = index >= 0 ? `condition ${index + 1} matched` : 'default';
        at.outcome = at.outcome ? `${chosen} (${at.outcome}; used the attributes known before)` : chosen;
        return index >= 0 ? step.branches[index]!.next : step.default;
      }
      case 'split': {
        // Runs that split before the hash was mixed replay with the old hash.
        const path = pickPath(step.paths, journey.id, id, customerId);
        at.outcome = `path ${path.name}${path.holdout ? ' (holdout)' : ''}`;
        return path.next;
      }
      case 'update_attribute': {
        const key = `${journey.id}/${customerId}/${entry.messageId}/${id}/${state.visits[id]}`;
        const updated = await attempt(`setting ${step.attribute}`, () => acts.updateProfile(customerId, { [step.attribute]: step.value }, key), at);
        if (updated) {
          state.attributes = updated;
          at.outcome = `set ${step.attribute}`;
        }
        return step.next;
      }
      case 'exit':
        at.outcome = 'exit';
        return undefined;
    }
  }

  /** What the Web UI shows as this run's current details. */
  function showDetails(): void {
    const w = state.waiting;
    const waiting = !w ? '' : w.kind === 'timer' ? ` · waiting until ${w.until}` : ` · waiting for "${w.event}" until ${w.until}`;
    setCurrentDetails(`**${journey.name}** (${version}) · step \`${state.step}\` · ${state.status}${waiting} · ${state.messagesSent} sent`);
  }

  /** The customer's time zone: profile attribute, else the entry event's context, else the default. */
  function timezone(): string {
    for (const tz of [state.attributes.timezone, entry.context?.timezone]) {
      if (typeof tz !== 'string' || !tz) continue;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return tz;
      } catch {
        // not an IANA zone (profiles are not validated): try the next source
      }
    }
    return settings.defaultTimezone;
  }

  while (state.status === 'active') {
    if (restart) {
      await condition(allHandlersFinished);
      return continueAsNew<(input: unknown) => Promise<JourneyState>>({ ...restart, resume: undefined });
    }
    if (ending) {
      finish(state, ending.status, ending.reason);
      break;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewAfterEvents) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof journeyWorkflowV1>({ ...input, resume: state });
    }
    const id = state.step;
    const step = journey.steps[id]!;
    state.visits[id] = (state.visits[id] ?? 0) + 1;
    const at: PathEntry = { step: id, kind: step.kind, at: new Date().toISOString() };
    state.path.push(at);
    if (state.path.length > settings.maxPathEntries) {
      state.path.shift();
      state.pathDropped++;
    }
    upsertSearchAttributes([{ key: JourneyStep, value: id }]);
    showDetails();
    const next = await run(id, step, at);
    if (next === undefined) finish(state, 'completed', 'exit step reached');
    else if (!interrupted()) state.step = next;
  }

  showDetails();
  if (input.notifyRouter) {
    await getExternalWorkflowHandle(customerWorkflowId(customerId))
      .signal(journeyEndedSignal, { journeyId: journey.id, status: state.status, at: state.endedAt! })
      .catch((err: unknown) => log.warn('could not tell the router this run ended', { error: String(err) }));
  }
  return state;
}

function initialState({ journey, version, customerId, entry }: JourneyRunInput): JourneyState {
  return {
    journeyId: journey.id,
    version,
    customerId,
    status: 'active',
    step: journey.start,
    enteredAt: entry.timestamp,
    path: [],
    pathDropped: 0,
    attributes: { ...(entry.context?.traits ?? {}) },
    currentEvent: { type: entry.type, messageId: entry.messageId, properties: entry.properties },
    performed: { [entry.type]: 1 },
    buffered: [],
    lateEvents: 0,
    messagesSent: 0,
    visits: {},
  };
}

function finish(state: JourneyState, status: Status, reason: string): void {
  state.status = status;
  state.reason = reason;
  state.endedAt = new Date().toISOString();
  state.waiting = undefined;
  upsertSearchAttributes([{ key: JourneyStatus, value: status }]);
}
