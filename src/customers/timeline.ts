import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { knownEventTypes } from '../api/known-types';
import { closestType } from '../events/suggest';
import type { LiveCatalog } from '../journey/live-catalog';
import type { ProfileStore, ProfileView } from '../profiles/port';
import type { JourneyPaths, RecordedEnrolment } from '../store/journey-paths';
import type { Store } from '../store/store';
import { readMessages, type MessageView } from './messages';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId, UNHEARD, type CustomerState, type JourneyState } from '../../workflows/contract';

export interface JourneyInTimeline {
  journeyId: string;
  version: string;
  entries: number;
  workflowId: string;
  /** The run's state when it can still be asked (running, or closed within retention). */
  run?: JourneyState;
  /** How it ended, as the router heard, when the run can no longer be asked. */
  ended?: string;
  /**
   * Earlier enrolments, and the last one when its run can no longer be asked, newest first, with
   * their paths as the runs recorded them in the store (src/store/journey-paths.ts): no retention limit.
   */
  past: RecordedEnrolment[];
}

/** Everything Waymark can say about one customer: what `waymark customer ID` and the console's customer page show. */
export interface CustomerTimeline {
  customerId: string;
  routerWorkflowId: string;
  eventsAccepted: number;
  duplicatesIgnored: number;
  conflicts: number;
  profile: ProfileView;
  /** Every message of theirs, oldest first: state, template version, where the words came from, and the content the local channel stored. */
  messages: MessageView[];
  /** The router's recent decisions, newest last; for an event nothing took, the type it was probably meant to be. */
  decisions: Array<CustomerState['decisions'][number] & { meant?: string }>;
  journeys: JourneyInTimeline[];
}

export interface TimelineSources {
  client: Client;
  profiles: ProfileStore;
  store: Store;
  catalog: LiveCatalog;
  paths: JourneyPaths;
}

/** The customer's timeline, or undefined when no event of theirs was ever received (no router). */
export async function customerTimeline({ client, profiles, store, catalog, paths }: TimelineSources, customerId: string): Promise<CustomerTimeline | undefined> {
  let router: CustomerState;
  try {
    router = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
  } catch (err) {
    if ((err as Error).name !== WorkflowNotFoundError.name) throw err;
    return undefined;
  }
  const known = knownEventTypes(await catalog.current());
  const meant = (type: string) => {
    const closest = closestType(type, known);
    return closest ? `did you mean "${closest}"?` : known.size ? 'no published journey uses it' : undefined;
  };
  const recorded = await paths.forCustomer(customerId);
  const journeys = await Promise.all(
    Object.entries(router.journeys).map(async ([journeyId, m]): Promise<JourneyInTimeline> => {
      const workflowId = journeyWorkflowId(journeyId, customerId);
      const run = await client.workflow.getHandle(workflowId).query(journeyStateQuery).catch(() => undefined);
      const past = recorded.filter((e) => e.journeyId === journeyId && !(run && Date.parse(e.enteredAt) === Date.parse(run.enteredAt))).reverse();
      return { journeyId, version: m.version, entries: m.entries, workflowId, past, ...(run ? { run } : { ended: m.lastReason ? `${m.lastStatus}: ${m.lastReason}` : 'run no longer queryable' }) };
    }),
  );
  return {
    customerId,
    routerWorkflowId: customerWorkflowId(customerId),
    eventsAccepted: router.eventsAccepted,
    duplicatesIgnored: router.duplicatesIgnored,
    conflicts: router.conflicts ?? 0,
    profile: await profiles.get(customerId),
    messages: await readMessages(store, { customerId }),
    decisions: router.decisions.map((d) => {
      const hint = d.outcome === UNHEARD ? meant(d.type) : undefined;
      return hint ? { ...d, meant: hint } : d;
    }),
    journeys,
  };
}
