import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  rootCause,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { Journey, Step } from '../src/journey/schema';
import type { CustomerEvent } from '../src/events/schema';
import { matchesEvent, scoresIn, type ConditionScope } from '../src/journey/conditions';
import type { ScoreName } from '../src/scoring/models';
import { explainCondition } from '../src/journey/explain';
import { pickPath } from '../src/journey/split';
import { nextLocalTime } from '../src/journey/local-time';
import { durationMs } from '../src/journey/duration';
import { JourneyStatus, JourneyStep } from '../src/temporal/search-attributes';
import { activityOptions } from './activity-options';
import { renderJourneyDetails } from './journey-details';
import {
  archiveSignal,
  composeKey,
  customerWorkflowId,
  EVENT_SIGNAL_PREFIX,
  eventSignal,
  journeyStateQuery,
  reenterSignal,
  syncAckSignal,
  type JourneyRunInput,
  type JourneyState,
  type JourneyStatus as Status,
  type PathEntry,
  type PathRecord,
} from './contract';
import type { JourneyRunInputV1 } from './legacy/contract-v1';
import { journeyWorkflowV1 } from './legacy/journey-v1';

/** One hour: how long a timed-out wait waits for its router when the settings do not say. */
const DEFAULT_SYNC_WAIT_MS = 3_600_000;

/**
 * The journey interpreter: runs one published journey version for one customer, step by step.
 * Workflow id `journey/<journeyId>/<customerId>`. Runs started before version 2 (the definition
 * in the input) go on in legacy/journey-v1.ts.
 */
export async function journeyWorkflow(input: JourneyRunInput | JourneyRunInputV1): Promise<JourneyState> {
  if (!('v' in input)) return journeyWorkflowV1(input);
  return runJourney(input);
}

async function runJourney(input: JourneyRunInput): Promise<JourneyState> {
  const { journeyId, version, customerId, entry, settings } = input;
  const options = activityOptions(settings.activity);
  const acts = proxyActivities<JourneyActivities>(options);
  const local = proxyLocalActivities<JourneyActivities>(options);
  const entryMs = Date.parse(entry.timestamp);
  // The definition comes with the input from the router (no activity: one action and one round trip
  // fewer per run), or is looked up by its version (runs started elsewhere, and every run before).
  const journey: Journey = input.definition ?? (await local.loadJourney(journeyId, version));
  const state: JourneyState = input.resume ?? initialState(input, journey.start);
  state.recent ??= [];
  let ending: { status: Status; reason: string } | undefined;
  let restart: JourneyRunInput | undefined;
  const acks = new Set<string>();

  const onEvent = (event: CustomerEvent) => {
    if (state.status !== 'active' || state.recent!.includes(event.messageId)) return; // handed over twice
    state.recent!.push(event.messageId);
    if (state.recent!.length > settings.maxBufferedEvents) state.recent!.shift();
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
  };
  const onOtherSignal = (name: string, ...args: unknown[]) => {
    if (name.startsWith(EVENT_SIGNAL_PREFIX)) onEvent(args[0] as CustomerEvent);
  };
  // Named handlers before the default one, which takes every buffered signal without a handler of
  // its own (see workflows/customer.ts): an archive, a re-entry or a sync answer that came before
  // this point (with the first task, during loadJourney) was dropped. Runs started before keep that order.
  const namedFirst = patched('named-signal-handlers-first');
  setHandler(journeyStateQuery, () => state);
  setHandler(eventSignal, onEvent);
  if (!namedFirst) setDefaultSignalHandler(onOtherSignal);
  setHandler(syncAckSignal, (token) => void acks.add(token));
  // Archiving a journey ends its runs where they are; the reason says who and when (waymark journeys archive).
  setHandler(archiveSignal, ({ actor, at }) => {
    ending ??= { status: 'exited', reason: `journey archived by ${actor} at ${at}` };
  });
  setHandler(reenterSignal, (next) => {
    if (next.entry.messageId !== entry.messageId) restart = next; // the same entry handed over twice is no restart
  });
  if (namedFirst) setDefaultSignalHandler(onOtherSignal);

  const interrupted = () => ending !== undefined || restart !== undefined;

  // The store's projection of this run's path (src/store/journey-paths.ts): the steps not yet
  // recorded with their outcome go with each send, before a wait when a step other than a send
  // came since the last record, and with the run's end. Runs started before recordPath existed
  // record nothing, so their replay is unchanged. Entries before `recorded` are in the store with
  // their outcome; before `stored`, in the store (a send's own, until its outcome follows).
  const recording = settings.recordPath === true;
  const seqOf = (at: PathEntry) => state.pathDropped + state.path.indexOf(at);
  const unrecorded = (upTo = Infinity, end?: PathRecord['end']): PathRecord => ({
    journeyId,
    version,
    customerId,
    entryId: entry.messageId,
    enteredAt: entry.timestamp,
    steps: state.path.map((p, i) => ({ ...p, seq: state.pathDropped + i, visit: p.visit ?? 1 })).filter((p) => p.seq >= (state.recorded ?? 0) && p.seq < upTo),
    ...(end ? { end } : {}),
  });
  const recordEnd = (end: NonNullable<PathRecord['end']>) => attempt('recording the path', () => local.recordPath(unrecorded(Infinity, end)));
  /** Before parking at `at`: the steps done since the last record, unless the store has them all (then it costs nothing). */
  const recordBeforeParking = async (at: PathEntry) => {
    const parked = seqOf(at);
    if (!recording || (state.stored ?? 0) >= parked) return;
    if (await attempt('recording the path', () => local.recordPath(unrecorded(parked)), at)) state.recorded = state.stored = parked;
  };
  const showDetails = () => setCurrentDetails(renderJourneyDetails(journey, state));

  /** Runs an activity; when it fails for good the run goes on and the path says why. */
  async function attempt<T>(what: string, call: () => Promise<T>, at?: PathEntry): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TemporalFailure)) throw err;
      state.failures = (state.failures ?? 0) + 1;
      const why = `${what} failed: ${rootCause(err) ?? err.message}`;
      if (at) at.outcome = why;
      log.warn(why, { journeyId, customerId });
      return undefined;
    }
  }
  /** Fresh scores, or none when scoring failed for good (the condition then sees the score missing, and why). */
  const scoresNow = async (models: ScoreName[]): Promise<NonNullable<ConditionScope['scores']>> => {
    try {
      return await local.scoreCustomer(customerId, models);
    } catch (err) {
      if (!(err instanceof TemporalFailure)) throw err;
      state.failures = (state.failures ?? 0) + 1;
      const from = `scoring failed: ${rootCause(err) ?? err.message}`;
      return Object.fromEntries(models.map((m) => [m, { from }]));
    }
  };
  const refreshAttributes = async (at?: PathEntry) => {
    const profile = await attempt('reading the profile', () => local.getProfile(customerId), at);
    if (profile) state.attributes = { ...state.attributes, ...profile };
  };

  /**
   * Where operators see a parked run: its step as a search attribute, updated when it parks at
   * another step than the one it shows (a run starts showing its first stop: no update there).
   */
  let shownStep = workflowInfo().typedSearchAttributes.get(JourneyStep);
  const park = (step: string) => {
    if (step === shownStep) return;
    upsertSearchAttributes([{ key: JourneyStep, value: step }]);
    shownStep = step;
  };

  /** A timed-out wait first lets its router hand over every event it accepted before now. */
  async function syncWithRouter(token: string): Promise<string | undefined> {
    const [sent] = await local.signalRuns([{ workflowId: customerWorkflowId(customerId), signal: 'syncRequest', arg: { journeyId, token } }]);
    if (sent !== 'delivered') return 'the router is gone';
    const answered = await condition(() => acks.has(token) || interrupted(), settings.timeoutSyncMaxWaitMs ?? DEFAULT_SYNC_WAIT_MS, {
      summary: 'timed out: waiting for the router to hand over events accepted in time',
    });
    return answered ? undefined : 'the router did not answer in time';
  }

  async function run(id: string, step: Step, at: PathEntry): Promise<string | undefined> {
    const visit = state.visits[id]!;
    switch (step.kind) {
      case 'send': {
        const message = {
          key: composeKey('send', journeyId, customerId, entry.messageId, id, visit),
          customerId,
          journeyId,
          journeyVersion: version,
          stepId: id,
          channel: step.channel,
          template: step.template,
          triggeringEvent: state.currentEvent.messageId,
          eventProperties: state.currentEvent.properties,
          journeyName: journey.name,
          workflowId: workflowInfo().workflowId,
          runId: workflowInfo().runId,
          ...(step.transactional ? { transactional: true } : {}),
          ...(step.fallback ? { fallback: step.fallback } : {}),
          ...(step.generate ? { generate: step.generate } : {}),
          ...(state.variant ? { variant: state.variant } : {}),
        };
        // The contact policy may hold a message back (quiet hours, a frequency cap): wait, then ask
        // again. Receipts recorded before the policy existed never say so, so their replay is unchanged.
        let held = '';
        for (;;) {
          const receipt = await attempt(
            `sending ${step.channel} ${step.template}`,
            () =>
              acts.deliverMessage.executeWithOptions(
                { ...options, ...(settings.sendTaskQueue ? { taskQueue: settings.sendTaskQueue } : {}), summary: `${step.channel} "${step.template}" (step ${id})` },
                recording ? [{ ...message, requestedAt: new Date().toISOString() }, unrecorded()] : [{ ...message, requestedAt: new Date().toISOString() }],
              ),
            at,
          );
          if (!receipt) return step.next;
          // Recorded up to this step, whose outcome the next record gives.
          if (recording) {
            state.recorded = seqOf(at);
            state.stored = state.recorded + 1;
          }
          if (receipt.deferred) {
            const { until, reason } = receipt.deferred;
            held = ` (held until ${until}: ${reason})`;
            at.outcome = `held until ${until}: ${reason}`;
            state.waiting = { kind: 'timer', step: id, until };
            park(id);
            showDetails();
            await condition(interrupted, Math.max(1, Date.parse(until) - Date.now()), { summary: `${step.channel} "${step.template}" held: ${reason}` });
            state.waiting = undefined;
            if (!interrupted()) continue;
            at.outcome = `${at.outcome}; interrupted`;
          } else if (receipt.skipped) {
            at.outcome = `not sent ${step.channel} ${step.template}: ${receipt.skipped}${held}`;
          } else {
            state.messagesSent++;
            // Unconfirmed: probably delivered (the provider's answer was lost); the run goes on as for a send.
            const confirmation = receipt.unconfirmed ? `, unconfirmed (${receipt.unconfirmed})` : '';
            at.outcome = `${receipt.firstDelivery ? 'sent' : 'already sent'} ${receipt.channel ?? step.channel} ${receipt.template ?? step.template}${receipt.insteadOf ? ` ${receipt.insteadOf}` : ''}${confirmation}${held}`;
          }
          return step.next;
        }
      }
      case 'wait': {
        if (step.until) await refreshAttributes(at); // the customer's time zone may have changed
        const now = Date.now();
        const until = step.duration ? now + durationMs(step.duration)! : nextLocalTime(now, step.until!.time, step.until!.weekdays, timezone());
        await recordBeforeParking(at);
        state.waiting = { kind: 'timer', step: id, until: new Date(until).toISOString() };
        park(id);
        showDetails();
        const label = step.duration ? `wait ${step.duration}` : `wait until ${step.until!.time} ${timezone()}`;
        await condition(interrupted, until - now, { summary: `${label} (step ${id})` });
        state.waiting = undefined;
        at.outcome = interrupted() ? 'interrupted' : 'waited';
        return step.next;
      }
      case 'wait_for_event': {
        const timeoutMs = durationMs(step.timeout)!;
        const deadline = Date.now() + timeoutMs;
        const found = (happenedBefore = Infinity) =>
          state.buffered.findIndex((e) => matchesEvent(step, e) && Date.parse(e.timestamp) < happenedBefore);
        await recordBeforeParking(at);
        state.waiting = { kind: 'event', step: id, event: step.event, until: new Date(deadline).toISOString() };
        park(id);
        showDetails();
        const received = await condition(() => interrupted() || found() >= 0, timeoutMs, { summary: `wait up to ${step.timeout} for "${step.event}" (step ${id})` });
        let syncProblem: string | undefined;
        if (!received && input.notifyRouter) syncProblem = await syncWithRouter(composeKey(id, visit));
        state.waiting = undefined;
        // After the deadline only events that happened before it count (see docs/architecture.md).
        const index = received ? found() : found(deadline);
        if (index >= 0) {
          const [event] = state.buffered.splice(index, 1) as [CustomerEvent];
          state.currentEvent = { type: event.type, messageId: event.messageId, properties: event.properties };
          at.outcome = `received ${event.type}${received ? '' : ' (handed over after the deadline; it happened before it)'}`;
          return step.onEvent;
        }
        at.outcome = interrupted() ? 'interrupted' : `timed out${syncProblem ? ` (${syncProblem})` : ''}`;
        return step.onTimeout;
      }
      case 'branch': {
        await refreshAttributes(at);
        const scope: ConditionScope = { attributes: state.attributes, properties: state.currentEvent.properties, performed: state.performed };
        // Scores are computed when the step runs (journeys without score conditions schedule nothing new).
        const wanted = new Set<ScoreName>();
        for (const branch of step.branches) scoresIn(branch.when, wanted);
        if (wanted.size) scope.scores = await scoresNow([...wanted]);
        const tried: string[] = [];
        for (const [i, branch] of step.branches.entries()) {
          const { holds, text } = explainCondition(branch.when, scope);
          if (holds) {
            at.outcome = `branch ${i + 1}: ${text}${at.outcome ? `; ${at.outcome}, used the attributes known before` : ''}`;
            return branch.next;
          }
          tried.push(text);
        }
        at.outcome = `default: ${tried.join('; ')}${at.outcome ? `; ${at.outcome}, used the attributes known before` : ''}`;
        return step.default;
      }
      case 'split': {
        const path = pickPath(step.paths, journeyId, id, customerId);
        at.outcome = `path ${path.name}${path.holdout ? ' (holdout)' : ''}`;
        state.variant = { step: id, path: path.name, holdout: path.holdout === true };
        return path.next;
      }
      case 'update_attribute': {
        const key = composeKey('step', journeyId, customerId, entry.messageId, id, visit);
        const change = { traits: { [step.attribute]: step.value } };
        const updated = await attempt(`setting ${step.attribute}`, () => local.applyProfileChanges(customerId, change, key), at);
        if (updated) {
          state.attributes = { ...state.attributes, ...updated };
          at.outcome = `set ${step.attribute} = ${JSON.stringify(step.value)}`;
        }
        return step.next;
      }
      case 'exit':
        at.outcome = 'exit';
        return undefined;
    }
  }

  /** The customer's time zone: the profile's contact field or trait, the entry event's context, else the default. */
  function timezone(): string {
    const contact = state.attributes.contact as { timezone?: unknown } | undefined;
    for (const tz of [contact?.timezone, state.attributes.timezone, entry.context?.timezone]) {
      if (typeof tz !== 'string' || !tz) continue;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return tz;
      } catch {
        // not an IANA zone: try the next source
      }
    }
    return settings.defaultTimezone;
  }

  while (state.status === 'active') {
    if (restart) {
      if (recording) await recordEnd({ status: 'restarted', reason: `re-entered with event ${restart.entry.messageId}: started over`, endedAt: new Date().toISOString(), messagesSent: state.messagesSent, step: state.step });
      await condition(allHandlersFinished);
      return continueAsNew<typeof journeyWorkflow>({ ...restart, resume: undefined });
    }
    if (ending) {
      finish(state, ending.status, ending.reason);
      break;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewAfterEvents) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof journeyWorkflow>({ ...input, resume: state });
    }
    const id = state.step;
    const step = journey.steps[id]!;
    state.visits[id] = (state.visits[id] ?? 0) + 1;
    const at: PathEntry = { step: id, kind: step.kind, at: new Date().toISOString(), ...(recording ? { visit: state.visits[id] } : {}) };
    state.path.push(at);
    if (state.path.length > settings.maxPathEntries) {
      state.path.shift();
      state.pathDropped++;
    }
    const next = await run(id, step, at);
    if (next === undefined) finish(state, 'completed', 'exit step reached');
    else if (!interrupted()) state.step = next;
  }

  showDetails();
  if (recording) await recordEnd({ status: state.status, reason: state.reason ?? '', endedAt: state.endedAt!, messagesSent: state.messagesSent, step: state.step });
  if (input.notifyRouter) {
    const note = { journeyId, status: state.status, at: state.endedAt!, reason: state.reason };
    await attempt('telling the router this run ended', () =>
      local.signalRuns([{ workflowId: customerWorkflowId(customerId), signal: 'journeyEnded', arg: note }]),
    );
  }
  return state;
}

function initialState({ journeyId, version, customerId, entry }: JourneyRunInput, start: string): JourneyState {
  return {
    journeyId,
    version,
    customerId,
    status: 'active',
    step: start,
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
    recent: [entry.messageId],
  };
}

function finish(state: JourneyState, status: Status, reason: string): void {
  state.status = status;
  state.reason = reason;
  state.endedAt = new Date().toISOString();
  state.waiting = undefined;
  upsertSearchAttributes([
    { key: JourneyStatus, value: status },
    { key: JourneyStep, value: state.step },
  ]);
}
