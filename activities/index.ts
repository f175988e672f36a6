import { ApplicationFailure, Context } from '@temporalio/activity';
import { entryMatches } from '../src/journey/entry-matches';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { CustomerEvent } from '../src/events/schema';
import type { SendLedger } from '../src/channels/ledger';
import type { PolicySettings } from '../src/channels/policy';
import type { MessageComposer } from '../src/templates/compose';
import type { LiveCatalog } from '../src/journey/live-catalog';
import { matchesEvent } from '../src/journey/conditions';
import type { EntryMatch } from '../src/journey/entries';
import type { JourneyVersions } from '../src/journey/versions';
import type { Journey, PublishedJourney } from '../src/journey/schema';
import { ChannelError, type ConsentSync, type DeliveryReceipt, type MessageChannel, type MessageRequest } from '../src/channels/port';
import { ProfileLimitError, type ProfileChanges, type ProfileStore, type ProfileView } from '../src/profiles/port';
import { consentSyncWorkflowId, type ConsentSyncInput, type JourneyRunInput, type PathRecord, type RouterSettings } from '../workflows/contract';
import type { JourneyPaths } from '../src/store/journey-paths';
import { md } from '../src/temporal/markdown';
import type { CustomerScores, SeenScore } from '../src/scoring/customer-scores';
import type { ScoreName } from '../src/scoring/models';
import { deliverInOrder } from './deliver';
import { countSend, heartbeatMemory, outcomeOf } from './send-attempts';
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
  /** The scores a branch's score conditions read (src/scoring/customer-scores.ts). */
  scores: Pick<CustomerScores, 'forCustomer'>;
  /** Where consent changes are told besides the profile (Braze with WAYMARK_BRAZE_SUBSCRIPTION_GROUPS); none: nowhere. */
  consentSync?: ConsentSync;
  /** The projection of runs' paths the console and timelines read. */
  paths: JourneyPaths;
}

/**
 * Errors that no retry can fix become non-retryable failures, recorded on the run with their
 * reason. A value the store refuses (StoreDataError) is one already, and passes through as it is.
 */
async function failFast<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProfileLimitError) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  }
}

/**
 * Tells the provider a consent change already recorded in the profile. A refusal (a 4xx: a wrong
 * group id, a bad key) fails for good; anything else is retried, which is harmless: the provider
 * sets the same state again.
 */
async function tellConsent(sync: ConsentSync, customerId: string, consent: NonNullable<ProfileChanges['consent']>): Promise<void> {
  try {
    await sync.sync(customerId, consent, Context.current().cancellationSignal);
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    const message = `the consent change is recorded in the profile, but ${sync.provider} was not told: ${err.message}`;
    const type = err.code ?? 'CONSENT_SYNC_FAILED';
    if (err.outcome === 'rejected') throw ApplicationFailure.nonRetryable(message, type);
    throw ApplicationFailure.create({ message, type, ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}) });
  }
}

/** Starts the run that tells the provider; a retried profile update finds it started already. */
async function startConsentSync(client: Client, input: ConsentSyncInput, updateKey: string): Promise<void> {
  try {
    await client.workflow.start('consentSyncWorkflow', {
      workflowId: consentSyncWorkflowId(input.customerId, updateKey),
      taskQueue: Context.current().info.taskQueue,
      args: [input],
      staticSummary: `Consent of customer ${md(input.customerId)} to the provider`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * The activities journey workflows call. Each is thin: a port or the Temporal client does the
 * work. The router and the interpreter run the short ones as local activities.
 */
export function createActivities({ catalog, versions, channel, composer, ledger, profiles, policy, routerSettings, consentSync, scores, paths }: ActivityDeps, client: Client) {
  return {
    /**
     * Sends one message at most once, on the first of its channels that can reach the customer (see
     * deliver.ts). `path`: the steps the run reached since its last record, stored first (no action of its own).
     */
    async deliverMessage(message: MessageRequest, path?: PathRecord): Promise<DeliveryReceipt> {
      const ctx = Context.current();
      if (path) await paths.record(path);
      try {
        const receipt = await deliverInOrder(message, { channel, composer, ledger, profiles, policy, memory: heartbeatMemory(ctx) }, ctx.cancellationSignal);
        countSend(ctx.metricMeter, outcomeOf(receipt));
        return receipt;
      } catch (err) {
        countSend(ctx.metricMeter, err instanceof ApplicationFailure && err.nonRetryable ? 'refused' : 'not_sent');
        throw err;
      }
    },
    /** The steps a run reached since its last record, and how it ended (src/store/journey-paths.ts). */
    async recordPath(path: PathRecord): Promise<void> {
      await paths.record(path);
    },
    async getProfile(customerId: string): Promise<ProfileView> {
      return profiles.get(customerId);
    },
    /**
     * Applies changes once per key. A consent change is then handed to a run of its own that tells
     * the provider (consentSyncWorkflow): the router does not wait for the provider.
     */
    async applyProfileChanges(customerId: string, changes: ProfileChanges, key: string): Promise<ProfileView> {
      const profile = await failFast(() => profiles.apply(customerId, changes, key));
      if (changes.consent && consentSync) await startConsentSync(client, { customerId, consent: changes.consent, activity: routerSettings.activity }, key);
      return profile;
    },
    /**
     * Tells the provider a consent change (consentSyncWorkflow's one step): for each channel it
     * changed, the state the profile holds now, so a late retry of an older change never
     * overwrites a newer one.
     */
    async syncConsent(customerId: string, consent: NonNullable<ProfileChanges['consent']>): Promise<void> {
      if (!consentSync) return;
      const now = (await profiles.get(customerId)).consent ?? {};
      const current = Object.fromEntries(Object.entries(consent).map(([channel, state]) => [channel, now[channel as keyof typeof now] ?? state]));
      await tellConsent(consentSync, customerId, current);
    },
    /** The definition a run started with, by its version. */
    async loadJourney(journeyId: string, version: string): Promise<Journey> {
      return versions.get(journeyId, version);
    },
    /** Which published journeys an event enters, and which of the same entry event keep it out and why. */
    async journeysEnteredBy(event: CustomerEvent): Promise<EntryMatch> {
      return (await catalog.current()).entriesFor(event);
    },
    /** `startKey` (version-2 routers): the same for every attempt of one router's decision, so a retried task starts no second run. */
    async startJourneys(inputs: JourneyRunInput[], startKey?: string): Promise<Array<'started' | 'already-active'>> {
      return startJourneys(client, versions, inputs, startKey);
    },
    async signalRuns(targets: SignalTarget[]): Promise<Array<'delivered' | 'not-found'>> {
      return signalRuns(client, targets);
    },
    /** Read by a router when it continues as new, so long-lived routers pick up config changes. */
    async currentRouterSettings(): Promise<RouterSettings> {
      return routerSettings;
    },
    /** The scores a branch step's conditions read, fresh: a local activity, within the scoring budget. */
    async scoreCustomer(customerId: string, models: ScoreName[]): Promise<Record<string, SeenScore>> {
      return scores.forCustomer(customerId, models);
    },
    /** Version-1 runs only (legacy/): profile updates as a plain attributes map. */
    async updateProfile(customerId: string, changes: Record<string, unknown>, key: string): Promise<ProfileView> {
      return failFast(() => profiles.apply(customerId, { traits: changes }, key));
    },
    /** Version-1 routers only (legacy/): the whole published journeys an event enters. */
    async matchEntries(event: CustomerEvent): Promise<PublishedJourney[]> {
      const snapshot = await catalog.current();
      return snapshot.all().filter((j) => snapshot.status(j.definition.id) === 'active' && entryMatches(j.definition).some((m) => matchesEvent(m, event)));
    },
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
