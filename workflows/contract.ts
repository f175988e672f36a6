import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Journey } from '../src/journey/schema';
import type { CustomerEvent } from '../src/events/schema';

/**
 * What clients, the router and the interpreter exchange: workflow ids, inputs, signals and
 * queries. Shared by workflow code and Node code, so it holds definitions only.
 */

export const journeyWorkflowId = (journeyId: string, customerId: string) => `journey/${journeyId}/${customerId}`;
export const customerWorkflowId = (customerId: string) => `customer/${customerId}`;

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
}

export type JourneyStatus = 'active' | 'completed' | 'converted' | 'exited';

export interface PathEntry {
  step: string;
  kind: string;
  at: string;
  /** What happened there: "sent email onboarding-welcome", "branch 2", "path holdout", "timed out". */
  outcome?: string;
}

export type Waiting =
  | { kind: 'timer'; step: string; until: string }
  | { kind: 'event'; step: string; event: string; until: string };

/** The state of one run, as the `state` query returns it and the run carries across continue-as-new. */
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
}

export interface JourneyRunInput {
  journey: Journey;
  version: string;
  customerId: string;
  /** The event that started this run; its time is the run's entry time. */
  entry: CustomerEvent;
  settings: JourneyRunSettings;
  /** Started by the customer's router, which wants to hear when the run ends. */
  notifyRouter?: boolean;
  /** Set on continue-as-new: the run goes on from here. */
  resume?: JourneyState;
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
}

export interface CustomerState {
  customerId: string;
  /** messageIds seen within the dedupe window, oldest first, with when they were seen (epoch ms). */
  seen: Array<[string, number]>;
  journeys: Record<string, Membership>;
  eventsAccepted: number;
  duplicatesIgnored: number;
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

export interface CustomerRunInput {
  customerId: string;
  settings: RouterSettings;
  resume?: CustomerState;
}

export interface JourneyEnded {
  journeyId: string;
  status: JourneyStatus;
  at: string;
}

export const eventSignal = defineSignal<[CustomerEvent]>('event');
/** Sent by the router to an active run when a policy "always" journey is triggered again. */
export const reenterSignal = defineSignal<[JourneyRunInput]>('reenter');
/** Sent by a journey run to its customer's router when it ends. */
export const journeyEndedSignal = defineSignal<[JourneyEnded]>('journeyEnded');
export const journeyStateQuery = defineQuery<JourneyState>('state');
export const customerStateQuery = defineQuery<CustomerState>('state');
