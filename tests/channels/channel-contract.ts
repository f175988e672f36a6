import { randomUUID } from 'node:crypto';
import type { DeliveryReceipt, MessageChannel, OutgoingMessage, RenderedContent } from '../../src/channels/port';

/** A channel under test and a view of its far side (the outbox table, the provider's server). */
export interface ChannelFixture {
  channel: MessageChannel;
  /** What the far side received for this message's recipient, one entry per message it got, oldest first, as JSON text. */
  received(message: OutgoingMessage): Promise<string[]>;
  close(): Promise<void>;
}

/** Content of every channel all adapters send, with a marker in each field so a dropped field shows. */
export function contentFor(channel: 'email' | 'sms' | 'push', marker: string): RenderedContent {
  switch (channel) {
    case 'email':
      return { channel, subject: `Welcome ${marker}`, preheader: `Your first steps ${marker}`, html: `<p>Hello ${marker}</p>`, text: `Hello ${marker}` };
    case 'sms':
      return { channel, text: `Your code ${marker}` };
    case 'push':
      return { channel, title: `News ${marker}`, body: `Tap to see ${marker}` };
  }
}

/** A message ready for a channel, to a customer of its own unless `customerId` is given. */
export function outgoingMessage(content: RenderedContent, customerId = `c-${randomUUID()}`): OutgoingMessage {
  return {
    key: JSON.stringify(['send', 'contract', customerId, `m-${randomUUID()}`, 'hello', 0]),
    customerId,
    journeyId: 'contract',
    journeyVersion: 'v1',
    stepId: 'hello',
    channel: content.channel,
    template: 'hello',
    workflowId: `journey/contract/${customerId}`,
    runId: randomUUID(),
    content,
    recipient: { externalId: customerId, email: `${customerId}@example.com`, phone: '+15555550100' },
    templateVersion: 'tpl-1',
  };
}

/** Every rendered field of the content appears, as JSON text, in what the far side got. */
function expectContent(received: string, content: RenderedContent | undefined): void {
  expect(content).toBeDefined();
  for (const [field, value] of Object.entries(content!)) {
    if (field !== 'channel') expect(received).toContain(JSON.stringify(value));
  }
}

/**
 * The behaviour every MessageChannel must have, run against each adapter (tests/channels/*.test.ts).
 * What differs by design is said by the port: a keyed channel sends nothing twice for one key;
 * an unkeyed one (a provider without idempotency) relies on the send ledger for that.
 */
export function channelContract(name: string, open: () => Promise<ChannelFixture>): void {
  describe(`the MessageChannel contract: ${name}`, () => {
    let fixture: ChannelFixture;
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(() => fixture?.close());

    it.each(['email', 'sms', 'push'] as const)('delivers %s content, every field, and answers a receipt for its send key', async (channel) => {
      const message = outgoingMessage(contentFor(channel, randomUUID()));
      const before = Date.now();
      const receipt: DeliveryReceipt = await fixture.channel.deliver(message);
      const after = Date.now();

      expect(receipt.key).toBe(message.key);
      expect(receipt.firstDelivery).toBe(true);
      // recordedAt is an instant of this delivery (1s of slack for the database's clock).
      expect(Date.parse(receipt.recordedAt)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(receipt.recordedAt)).toBeLessThanOrEqual(after + 1_000);
      const received = await fixture.received(message);
      expect(received).toHaveLength(1);
      expectContent(received[0]!, message.content);
    });

    it('delivers messages under different keys as different messages, in order', async () => {
      const first = outgoingMessage(contentFor('email', 'first'));
      const second = outgoingMessage(contentFor('sms', 'second'), first.customerId);
      await fixture.channel.deliver(first);
      await fixture.channel.deliver(second);

      const received = await fixture.received(first);
      expect(received).toHaveLength(2);
      expectContent(received[0]!, first.content);
      expectContent(received[1]!, second.content);
    });

    it('delivers concurrent messages each to its own recipient, none lost or mixed up', async () => {
      const messages = Array.from({ length: 8 }, (_, i) => outgoingMessage(contentFor('push', `n${i}-${randomUUID()}`)));
      const receipts = await Promise.all(messages.map((m) => fixture.channel.deliver(m)));

      expect(receipts.map((r) => r.key)).toEqual(messages.map((m) => m.key));
      for (const message of messages) {
        const received = await fixture.received(message);
        expect(received).toHaveLength(1);
        expectContent(received[0]!, message.content);
      }
    });

    it('says whether it is keyed, and behaves so when a send key comes again', async () => {
      const message = outgoingMessage(contentFor('email', randomUUID()));
      const first = await fixture.channel.deliver(message);
      const again = await fixture.channel.deliver(message);

      if (fixture.channel.keyed) {
        expect(again).toMatchObject({ key: message.key, firstDelivery: false, recordedAt: first.recordedAt });
        expect(await fixture.received(message)).toHaveLength(1);
      } else {
        // No idempotency at the provider: it got the message twice. Only the send ledger prevents this.
        expect(await fixture.received(message)).toHaveLength(2);
      }
    });
  });
}
