/** A message a journey step asks to send. `key` is deterministic: the same step of the same entry always has the same key. */
export interface MessageRequest {
  key: string;
  customerId: string;
  journeyId: string;
  journeyVersion: string;
  stepId: string;
  channel: 'email' | 'push' | 'sms' | 'in_app';
  template: string;
  /** Customer attributes for personalisation. */
  attributes: Record<string, unknown>;
  workflowId: string;
  runId: string;
}

export interface DeliveryReceipt {
  key: string;
  /** False when this key was delivered before: nothing was sent again. */
  firstDelivery: boolean;
  recordedAt: string;
}

/** Where messages go: the local outbox, or (in production) a messaging provider. */
export interface MessageChannel {
  deliver(message: MessageRequest): Promise<DeliveryReceipt>;
}
