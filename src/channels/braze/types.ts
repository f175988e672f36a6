import { z } from 'zod';

/*
 * The parts of Braze's REST API that Waymark uses, as Braze names them (snake_case on the wire).
 * Requests are typed here; answers are zod schemas, because an answer is input we must check.
 */

export interface BrazeEmail {
  app_id: string;
  /** "Display Name <sender@example.com>". */
  from: string;
  subject: string;
  /** HTML. */
  body: string;
  plaintext_body?: string;
  preheader?: string;
}

export interface BrazeSms {
  subscription_group_id: string;
  app_id: string;
  body: string;
}

export interface BrazeApplePush {
  alert: { title?: string; body: string };
  app_id?: string;
}

export interface BrazeAndroidPush {
  title: string;
  alert: string;
  app_id?: string;
}

export interface BrazeMessages {
  email?: BrazeEmail;
  sms?: BrazeSms;
  apple_push?: BrazeApplePush;
  android_push?: BrazeAndroidPush;
}

/** POST /messages/send: content in the request, to at most 50 external ids. */
export interface SendMessagesRequest {
  external_user_ids: string[];
  messages: BrazeMessages;
  campaign_id?: string;
  /** Who may receive it: by default Braze sends to subscribed or opted-in users only. */
  recipient_subscription_state?: 'opted_in' | 'subscribed' | 'all';
}

export type Properties = Record<string, unknown>;

/** POST /campaigns/trigger/send: content lives in an API-triggered campaign in Braze's dashboard. */
export interface TriggerCampaignRequest {
  campaign_id: string;
  trigger_properties?: Properties;
  recipients: Array<{ external_user_id: string; trigger_properties?: Properties; send_to_existing_only?: boolean }>;
}

/** POST /canvas/trigger/send: enters users into an API-triggered Canvas. */
export interface TriggerCanvasRequest {
  canvas_id: string;
  canvas_entry_properties?: Properties;
  recipients: Array<{ external_user_id: string; canvas_entry_properties?: Properties; send_to_existing_only?: boolean }>;
}

/** POST /users/track: at most TRACK_USERS_MAX_OBJECTS objects of each kind per request. `time` is ISO 8601. */
export interface TrackUsersRequest {
  attributes?: Array<{ external_id: string } & Properties>;
  events?: Array<{ external_id: string; name: string; time: string; properties?: Properties }>;
  purchases?: Array<{ external_id: string; product_id: string; currency: string; price: number; time: string; quantity?: number; properties?: Properties }>;
}

/** Braze's limit on the attributes (events, purchases) of one /users/track request. */
export const TRACK_USERS_MAX_OBJECTS = 75;

/** POST /subscription/status/set: one subscription group (email or SMS), up to 50 users. */
export interface SetSubscriptionStatusRequest {
  subscription_group_id: string;
  subscription_state: 'subscribed' | 'unsubscribed';
  external_id: string | string[];
  email?: string | string[];
  phone?: string | string[];
}

/** POST /users/delete: at most 50 ids per request. */
export interface DeleteUsersRequest {
  external_ids: string[];
}

/** Braze adds non-fatal problems to a 2xx answer as `errors`; they are kept, never dropped. */
const nonFatal = { message: z.string(), errors: z.array(z.unknown()).optional() };

export const dispatchAnswer = z.object({ ...nonFatal, dispatch_id: z.string().min(1) });
export type DispatchAnswer = z.infer<typeof dispatchAnswer>;

export const trackAnswer = z.object({
  ...nonFatal,
  attributes_processed: z.number().optional(),
  events_processed: z.number().optional(),
  purchases_processed: z.number().optional(),
});
export type TrackAnswer = z.infer<typeof trackAnswer>;

export const plainAnswer = z.object(nonFatal);
export type PlainAnswer = z.infer<typeof plainAnswer>;

export const deleteAnswer = z.object({ ...nonFatal, deleted: z.number() });
export type DeleteAnswer = z.infer<typeof deleteAnswer>;

/** What Braze puts in a 4xx/5xx body (either field may be missing). */
export const errorAnswer = z.object({ message: z.string().optional(), errors: z.array(z.unknown()).optional() });
