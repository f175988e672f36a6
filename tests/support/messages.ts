import type { OutgoingMessage } from '../../src/channels/port';

/** A send request of customer c-1 with its recipient, as the send activity hands it to a channel. */
export const testMessage = (key: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  key,
  customerId: 'c-1',
  journeyId: 'j',
  journeyVersion: 'v',
  stepId: 's',
  channel: 'email',
  template: 'hello',
  workflowId: 'wf',
  runId: 'run',
  recipient: { externalId: extra.customerId ?? 'c-1' },
  ...extra,
});
