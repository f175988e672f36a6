import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { CustomerEvent } from '../src/events/schema';
import type { SendLedger } from '../src/channels/ledger';
import type { PolicySettings } from '../src/channels/policy';
import type { MessageComposer } from '../src/templates/compose';
import type { LiveCatalog } from '../src/journey/live-catalog';
import { matchesEvent } from '../src/journey/conditions';
import type { EntryMatch } from '../src/journey/entries';
import type { JourneyVersions } from '../src/journey/versions';
import type { Journey, PublishedJourney } from '../src/journey/schema';
import type { DeliveryReceipt, MessageChannel, MessageRequest } from '../src/channels/port';
import { ProfileLimitError, type ProfileChanges, type ProfileStore, type ProfileView } from '../src/profiles/port';
import type { JourneyRunInput, RouterSettings } from '../workflows/contract';
import { deliverOnce } from './deliver';
import { signalRuns, type SignalTarget } from './signals';
import { startJourneys } from './start-journeys';

export interface ActivityDeps {
  catalog: LiveCatalog;
  versions: JourneyVersions;
  channel: MessageChannel;
  ledger: SendLedger;
  /** Renders a send's template for its customer. */
  composer: MessageComposer;
  /** Consent, quiet hours, frequency caps (WAYMARK_FREQUENCY_CAPS, WAYMARK_QUIET_HOURS, WAYMARK_CAP_OVERFLOW). */
  policy: PolicySettings;
  profiles: ProfileStore;
  /** The router settings this worker's config gives now. */
  routerSettings: RouterSettings;
}

/** Errors that no retry can fix become non-retryable failures, recorded on the run with their reason. */
async function failFast<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProfileLimitError) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  }
}

/**
 * The activities journey workflows call. Each is thin: a port or the Temporal client does the
 * work. The router and the interpreter run the short ones as local activities.
 */
export function createActivities({ catalog, versions, channel, composer, ledger, profiles, policy, routerSettings }: ActivityDeps, client: Client) {
  return {
    /** Sends one message at most once (see deliver.ts). */
    async deliverMessage(message: MessageRequest): Promise<DeliveryReceipt> {
      return deliverOnce(message, { channel, composer, ledger, profiles, policy }, Context.current().cancellationSignal);
    },
    async getProfile(customerId: string): Promise<ProfileView> {
      return profiles.get(customerId);
    },
    async applyProfileChanges(customerId: string, changes: ProfileChanges, key: string): Promise<ProfileView> {
      return failFast(() => profiles.apply(customerId, changes, key));
    },
    /** The definition a run started with, by its version. */
    async loadJourney(journeyId: string, version: string): Promise<Journey> {
      return versions.get(journeyId, version);
    },
    /** Which published journeys an event enters, and which of the same entry event keep it out and why. */
    async journeysEnteredBy(event: CustomerEvent): Promise<EntryMatch> {
      return (await catalog.current()).entriesFor(event);
    },
    async startJourneys(inputs: JourneyRunInput[]): Promise<Array<'started' | 'already-active'>> {
      return startJourneys(client, versions, inputs);
    },
    async signalRuns(targets: SignalTarget[]): Promise<Array<'delivered' | 'not-found'>> {
      return signalRuns(client, targets);
    },
    /** Read by a router when it continues as new, so long-lived routers pick up config changes. */
    async currentRouterSettings(): Promise<RouterSettings> {
      return routerSettings;
    },
    /** Version-1 runs only (legacy/): profile updates as a plain attributes map. */
    async updateProfile(customerId: string, changes: Record<string, unknown>, key: string): Promise<ProfileView> {
      return failFast(() => profiles.apply(customerId, { traits: changes }, key));
    },
    /** Version-1 routers only (legacy/): the whole published journeys an event enters. */
    async matchEntries(event: CustomerEvent): Promise<PublishedJourney[]> {
      const snapshot = await catalog.current();
      return snapshot.all().filter((j) => snapshot.status(j.definition.id) === 'active' && matchesEvent(j.definition.entry, event));
    },
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
