/** A message a journey step asks to send. `key` is deterministic and injective: the same step visit of the same entry always has the same key, and no other has it. */
export interface MessageRequest {
  key: string;
  customerId: string;
  journeyId: string;
  journeyVersion: string;
  stepId: string;
  channel: 'email' | 'push' | 'sms' | 'in_app';
  template: string;
  /** The customer's profile when the message was made (the delivering activity reads it). */
  attributes?: Record<string, unknown>;
  /** The messageId of the event the message answers (the entry, or the event a wait received). */
  triggeringEvent?: string;
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
