import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CustomerEvent } from '../src/events/schema';
import type { Channel } from '../src/journey/channels';
import type { Journey } from '../src/journey/schema';

/**
 * What clients, the router and the interpreter exchange: workflow ids, inputs, signals and
 * queries. Shared by workflow code and Node code, so it holds definitions only.
 */

/** Journey ids cannot contain "/" (see JOURNEY_ID), so `journey/<journeyId>/<customerId>` is injective. */
export const journeyWorkflowId = (journeyId: string, customerId: string) => `journey/${journeyId}/${customerId}`;
export const customerWorkflowId = (customerId: string) => `customer/${customerId}`;

/**
 * Keys built from several user-supplied ids (send keys, profile update keys) are JSON arrays:
 * an id containing "/" or any other separator cannot make two different tuples collide.
 */
export const composeKey = (...parts: Array<string | number>) => JSON.stringify(parts);

/** Activity timeouts and retries, from config, carried in each run's input (workflows read no env). */
export interface ActivitySettings {
  startToCloseMs: number;
  scheduleToCloseMs: number;
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  retryBackoff: number;
  retryMaxAttempts: number;
}

export interface JourneyRunSettings {
  activity: ActivitySettings;
  maxBufferedEvents: number;
  maxPathEntries: number;
  continueAsNewAfterEvents: number;
  defaultTimezone: string;
  /** How long a timed-out wait_for_event waits for its router to hand over events accepted in time. */
  timeoutSyncMaxWaitMs?: number;
  /** The task queue sends go to when the provider's rate limit is enforced (WAYMARK_SEND_RATE_LIMIT); absent: the run's own. */
  sendTaskQueue?: string;
  /**
   * The run records its path in the store (src/store/journey-paths.ts) with each send and when it
   * ends. Runs started before this setting existed never do: their replay is unchanged.
   */
  recordPath?: boolean;
}

export type JourneyStatus = 'active' | 'completed' | 'converted' | 'exited';

export interface PathEntry {
  step: string;
  kind: string;
  at: string;
  /** What happened there: "sent email onboarding-welcome", "matched plan in [pro]: plan = \"pro\"", "timed out". */
  outcome?: string;
  /** The how-many-th time the run reached this step (runs that record their path). */
  visit?: number;
}

/** A step of a run's path as the store keeps it: its place in the path, from 0. */
export interface RecordedStep extends PathEntry {
  seq: number;
  visit: number;
}

/** How an enrolment ended, as the store keeps it: a run's end, or its start over when the customer re-entered. */
export type RecordedStatus = JourneyStatus | 'restarted';

/**
 * What a run hands the store about its path (src/store/journey-paths.ts): the steps it reached
 * since the last record, and how it ended once it has. One enrolment: the run's entry event.
 */
export interface PathRecord {
  journeyId: string;
  version: string;
  customerId: string;
  entryId: string;
  enteredAt: string;
  steps: RecordedStep[];
  /** How it ended: `step` is where the run was then (where a goal or an exit event took it out). */
  end?: { status: RecordedStatus; reason: string; endedAt: string; messagesSent: number; step: string };
}

export type Waiting =
  | { kind: 'timer'; step: string; until: string }
  | { kind: 'event'; step: string; event: string; until: string };

/** The state of one run, as the `state` query returns it and the run carries across continue-as-new. */
/** The split path a message's run took last: A/B reports count sends per variant; a holdout path is the control group. */
export interface SplitVariant {
  step: string;
  path: string;
  holdout: boolean;
}

export interface JourneyState {
  journeyId: string;
  version: string;
  customerId: string;
  status: JourneyStatus;
  step: string;
  enteredAt: string;
  endedAt?: string;
  /** Why the run ended: "exit step done", "goal purchased reached", "exit event unsubscribed". */
  reason?: string;
  path: PathEntry[];
  /** How many older path entries were dropped to keep the state small. */
  pathDropped: number;
  waiting?: Waiting;
  attributes: Record<string, unknown>;
  /** The event conditions on `property` look at: the entry event, then each event a wait received. */
  currentEvent: { type: string; messageId: string; properties: Record<string, unknown> };
  performed: Record<string, number>;
  /** Events received and not yet used by a wait_for_event step. */
  buffered: CustomerEvent[];
  /** Events ignored because they happened before this run's entry. */
  lateEvents: number;
  messagesSent: number;
  /** Activities that failed for good (retries spent); the run went on and the path says where. */
  failures?: number;
  visits: Record<string, number>;
  /** The split path this run took last (its step, path name and whether it is a holdout): each later message records it. */
  variant?: SplitVariant;
  /** messageIds of the latest events received, so an event handed over twice counts once (v2). */
  recent?: string[];
  /** Path entries (by their place from the first, dropped ones included) the store holds with their outcome (recordPath runs). */
  recorded?: number;
  /** Path entries the store holds, with or without their outcome (recordPath runs). */
  stored?: number;
}

/** A run of a published journey (v2): the input names the version; the definition is loaded by it. */
export interface JourneyRunInput {
  v: 2;
  journeyId: string;
  version: string;
  customerId: string;
  /** The event that started this run; its time is the run's entry time. */
  entry: CustomerEvent;
  settings: JourneyRunSettings;
  /** Started by the customer's router, which wants to hear when the run ends and answers timeout syncs. */
  notifyRouter?: boolean;
  /** Set on continue-as-new: the run goes on from here. */
  resume?: JourneyState;
  /**
   * The version's definition, when the starter had it at hand (the router's startJourneys): the run
   * then needs no local activity to load it. Either way the definition ends up in the run's history
   * once (in this input, or in that activity's result); the version is immutable, so both are equal.
   */
  definition?: Journey;
}

export interface RouterSettings {
  activity: ActivitySettings;
  dedupeWindowMs: number;
  dedupeMaxIds: number;
  maxDecisions: number;
  continueAsNewAfterEvents: number;
  journey: JourneyRunSettings;
}

export interface Membership {
  version: string;
  active: boolean;
  entries: number;
  lastEnteredAt: string;
  lastEndedAt?: string;
  lastStatus?: JourneyStatus;
  /** Event types the active run listens for (wait_for_event, goals, exits). */
  listensTo: string[];
  /** How the last run ended, when known (v2 runs say it). */
  lastReason?: string;
}

export interface CustomerState {
  customerId: string;
  /** messageIds seen within the dedupe window, oldest first: [id, when seen (epoch ms), digest of the event (v2)]. */
  seen: Array<[string, number] | [string, number, string]>;
  journeys: Record<string, Membership>;
  eventsAccepted: number;
  duplicatesIgnored: number;
  /** Repeats of a messageId with a different payload: ignored, and counted here (v2). */
  conflicts?: number;
  /** The latest routing decisions, newest last: why an event did or did not start a journey. */
  decisions: Decision[];
}

export interface Decision {
  at: string;
  messageId: string;
  type: string;
  journeyId?: string;
  outcome: string;
}

/** The outcome of an event that no journey entered on, refused, or took as a run's event: a mistyped type, often. */
export const UNHEARD = 'no journey enters on this event or waits for it';

/** Event types that only carry profile changes (Segment identify and group calls): never "unheard". */
export const PROFILE_CALLS: ReadonlySet<string> = new Set(['identify', 'group']);

export interface CustomerRunInput {
  /** 2 for routers that run today's code; absent on runs started before it (see workflows/legacy). */
  v?: 2;
  customerId: string;
  settings: RouterSettings;
  resume?: CustomerState;
  /** Events a run received but had not handled when it continued as new: handled first. */
  pending?: CustomerEvent[];
}

export interface JourneyEnded {
  journeyId: string;
  status: JourneyStatus;
  at: string;
  reason?: string;
}

/** A run whose wait_for_event timed out asks its router to hand over what it holds first. */
export interface SyncRequest {
  journeyId: string;
  token: string;
}

/** Events travel as signals named after their type ("event:signed_up"), so histories read as a story. */
export const EVENT_SIGNAL_PREFIX = 'event:';
export const eventSignalName = (type: string) => `${EVENT_SIGNAL_PREFIX}${type}`;
/** The one name every event used before signals were named by type; still accepted. */
export const eventSignal = defineSignal<[CustomerEvent]>('event');
/** Sent by the router to an active run when a policy "always" journey is triggered again. */
export const reenterSignal = defineSignal<[JourneyRunInput]>('reenter');
/** Sent by a journey run to its customer's router when it ends. */
export const journeyEndedSignal = defineSignal<[JourneyEnded]>('journeyEnded');
export const syncRequestSignal = defineSignal<[SyncRequest]>('syncRequest');
export const syncAckSignal = defineSignal<[string]>('syncAck');
/** The journey was archived: the run exits at once, recording who archived it and when. */
export interface ArchiveNotice {
  actor: string;
  at: string;
}
export const archiveSignal = defineSignal<[ArchiveNotice]>('archive');
export const journeyStateQuery = defineQuery<JourneyState>('state');
export const customerStateQuery = defineQuery<CustomerState>('state');

/** One consent change for the provider (consentSyncWorkflow), from the router's profile update. */
export interface ConsentSyncInput {
  customerId: string;
  consent: Partial<Record<Channel, 'subscribed' | 'unsubscribed'>>;
  activity: ActivitySettings;
}

/** One run per customer and profile update: a retried update starts no second one. */
export const consentSyncWorkflowId = (customerId: string, updateKey: string) => composeKey('consent-sync', customerId, updateKey);
