import { LocalChannel } from '../../src/channels/local';
import type { OutgoingMessage } from '../../src/channels/port';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';
import { channelContract } from './channel-contract';

/** The local channel (the embedded default) against the shared contract, on the test run's embedded PostgreSQL. */
channelContract('LocalChannel (store table local_messages)', async () => {
  const store = new Store(testConfig());
  const channel = new LocalChannel(store);
  return {
    channel,
    // The outbox keeps the whole message; its content is what the customer would get.
    received: async (message) => (await channel.list(message.customerId)).map((r) => JSON.stringify((r as unknown as OutgoingMessage).content)),
    close: () => store.close(),
  };
});
