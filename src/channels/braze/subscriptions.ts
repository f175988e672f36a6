import type { Config } from '../../config';
import type { ChannelName, ConsentSync } from '../port';
import { BrazeClient } from './client';

/** The channels Braze keeps subscription groups for. */
const GROUPED = ['email', 'sms'] as const;

/**
 * Consent changes to Braze: one /subscription/status/set per channel that has a group in
 * WAYMARK_BRAZE_SUBSCRIPTION_GROUPS, for the customer's Braze external id. Braze sets the state
 * it is given, so a repeated call (an activity's retry) leaves it as it was.
 */
export class BrazeSubscriptions implements ConsentSync {
  readonly provider = 'braze';

  constructor(
    private readonly client: BrazeClient,
    private readonly groups: Config['braze']['subscriptionGroups'],
  ) {}

  /** When Braze is the channel and a subscription group is configured; otherwise there is nothing to tell. */
  static fromConfig(config: Config): BrazeSubscriptions | undefined {
    const { url, subscriptionGroups } = config.braze;
    return url && Object.keys(subscriptionGroups).length ? new BrazeSubscriptions(BrazeClient.fromConfig(config), subscriptionGroups) : undefined;
  }

  async sync(customerId: string, consent: Partial<Record<ChannelName, 'subscribed' | 'unsubscribed'>>, signal?: AbortSignal): Promise<void> {
    for (const channel of GROUPED) {
      const state = consent[channel];
      const group = this.groups[channel];
      if (!state || !group) continue;
      await this.client.setSubscriptionStatus({ subscription_group_id: group, subscription_state: state, external_id: customerId }, signal);
    }
  }
}
