import type { Config } from '../../config';
import type { DeliveryReceipt, MessageChannel, OutgoingMessage, RenderedContent } from '../port';
import { BrazeClient } from './client';
import { BrazeError } from './errors';
import type { BrazeMessages } from './types';

/** What Braze needs with every message besides its content (WAYMARK_BRAZE_APP_ID, _EMAIL_FROM, _SMS_SUBSCRIPTION_GROUP). */
export interface BrazeSendSettings {
  appId: string;
  emailFrom: string;
  smsSubscriptionGroupId: string;
}

/**
 * Messages through Braze's /messages/send, content rendered by Waymark, to the customer's
 * Braze external id.
 *
 * Not keyed: /messages/send has no idempotency key, so two calls for the same send key are two
 * messages. Exactly once therefore rests on the send ledger alone: a call whose outcome is not
 * known (a timeout, a crash between the call and the ledger's record, BrazeUnknownOutcomeError)
 * must be recorded as unknown and surfaced, never sent again by itself.
 */
export class BrazeChannel implements MessageChannel {
  readonly provider = 'braze';
  readonly keyed = false;

  constructor(
    private readonly client: BrazeClient,
    private readonly settings: BrazeSendSettings,
  ) {}

  static fromConfig(config: Config): BrazeChannel {
    const { appId, emailFrom, smsSubscriptionGroupId } = config.braze;
    return new BrazeChannel(BrazeClient.fromConfig(config), { appId, emailFrom, smsSubscriptionGroupId });
  }

  async deliver(message: OutgoingMessage, signal?: AbortSignal): Promise<DeliveryReceipt> {
    if (!message.content) throw unsendable(`no content to send: ${message.contentMissing ?? 'the message was not rendered'}`);
    const messages = this.messagesFor(message.content);
    const answer = await this.client.sendMessages({ external_user_ids: [message.recipient.externalId], messages }, signal);
    // Braze cannot tell a repeat from a first send; only the ledger knows whether this key was sent before.
    return { key: message.key, firstDelivery: true, recordedAt: new Date().toISOString(), providerMessageId: answer.dispatch_id };
  }

  /** Braze's messaging object for the content's channel. */
  private messagesFor(content: RenderedContent): BrazeMessages {
    const { appId, emailFrom, smsSubscriptionGroupId } = this.settings;
    switch (content.channel) {
      case 'email':
        if (!emailFrom) throw unsendable('email needs a sender: set WAYMARK_BRAZE_EMAIL_FROM to "Display Name <sender@example.com>"');
        return {
          email: {
            app_id: appId,
            from: emailFrom,
            subject: content.subject,
            body: content.html,
            plaintext_body: content.text,
            ...(content.preheader ? { preheader: content.preheader } : {}),
          },
        };
      case 'sms':
        if (!smsSubscriptionGroupId) throw unsendable('SMS needs a subscription group: set WAYMARK_BRAZE_SMS_SUBSCRIPTION_GROUP to the id of the Braze SMS subscription group to send through');
        return { sms: { subscription_group_id: smsSubscriptionGroupId, app_id: appId, body: content.text } };
      case 'push':
        // Both platforms' objects, without app_id: Braze then pushes to every app the user has a token for.
        return {
          apple_push: { alert: { title: content.title, body: content.body } },
          android_push: { title: content.title, alert: content.body },
        };
      case 'in_app':
        throw unsendable('in_app messages cannot be sent through Braze /messages/send: use an in-app campaign triggered with /campaigns/trigger/send, or another channel');
    }
  }
}

function unsendable(why: string): BrazeError {
  return new BrazeError('unsendable', `not sent to Braze: ${why}`, { endpoint: '/messages/send' });
}
