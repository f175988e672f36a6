import type { CustomerEvent } from '../src/events/schema';
import type { JourneyCatalog } from '../src/journey/catalog';
import { matchesEvent } from '../src/journey/conditions';
import type { PublishedJourney } from '../src/journey/schema';
import type { DeliveryReceipt, MessageChannel, MessageRequest } from '../src/channels/port';
import type { ProfileStore } from '../src/profiles/port';

export interface ActivityDeps {
  catalog: JourneyCatalog;
  channel: MessageChannel;
  profiles: ProfileStore;
}

/** The activities journey workflows call. Each is thin: the port does the work. */
export function createActivities({ catalog, channel, profiles }: ActivityDeps) {
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
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
