import type { CustomerEvent } from '../src/events/schema';
import type { JourneyCatalog } from '../src/journey/catalog';
import { matchesEvent } from '../src/journey/conditions';
import type { PublishedJourney } from '../src/journey/schema';
import type { DeliveryReceipt, MessageChannel, MessageRequest } from '../src/channels/port';
import type { ProfileStore } from '../src/profiles/port';
import type { RouterSettings } from '../workflows/contract';

export interface ActivityDeps {
  catalog: JourneyCatalog;
  channel: MessageChannel;
  profiles: ProfileStore;
  /** The router settings this worker's config gives now. */
  routerSettings: RouterSettings;
}

/** The activities journey workflows call. Each is thin: the port does the work. */
export function createActivities({ catalog, channel, profiles, routerSettings }: ActivityDeps) {
  return {
    async deliverMessage(message: MessageRequest): Promise<DeliveryReceipt> {
      return channel.deliver(message);
    },
    async getProfile(customerId: string): Promise<Record<string, unknown>> {
      return profiles.get(customerId);
    },
    async updateProfile(customerId: string, changes: Record<string, unknown>, key: string): Promise<Record<string, unknown>> {
      return profiles.update(customerId, changes, key);
    },
    /** Published journeys whose entry trigger this event matches (run as a local activity by the router). */
    async matchEntries(event: CustomerEvent): Promise<PublishedJourney[]> {
      return catalog.all().filter((j) => matchesEvent(j.definition.entry, event));
    },
    /** Read by a router when it continues as new, so long-lived routers pick up config changes. */
    async currentRouterSettings(): Promise<RouterSettings> {
      return routerSettings;
    },
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
