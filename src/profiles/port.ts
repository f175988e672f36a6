/** Changes an event or a journey step makes to a profile: traits merge (null removes one), contact fields and consent replace. */
export interface ProfileChanges {
  traits?: Record<string, unknown>;
  contact?: ContactFields;
  consent?: Consent;
}

/** Per channel: whether the customer agreed to messages. A channel not listed is subscribed (opt-out). */
export type Consent = Partial<Record<'email' | 'push' | 'sms' | 'in_app', 'subscribed' | 'unsubscribed'>>;

/** How a customer can be reached; validated by the event API before it gets here. */
export interface ContactFields {
  email?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
}

/** A profile as journeys see it: the traits, with the contact fields under `contact` and consent under `consent`. */
export type ProfileView = Record<string, unknown> & { contact?: ContactFields; consent?: Consent };

/** Customer traits and contact fields that journeys branch on, personalise with and update. */
export interface ProfileStore {
  get(customerId: string): Promise<ProfileView>;
  /**
   * Applies `changes` once per `key` (a retried update is not applied twice); returns the new
   * profile. Throws ProfileLimitError when the result would be too large, StoreDataError when it
   * holds a value PostgreSQL refuses (a NUL, a lone surrogate, a non-finite number).
   */
  apply(customerId: string, changes: ProfileChanges, key: string): Promise<ProfileView>;
  /**
   * Merges traits into many profiles at once (the warehouse's attributes after a publish), each
   * customer's traits as `apply` merges them, and fills in an email address where none is known. Setting the same values again changes nothing. A
   * customer whose profile would break a limit, or hold a value PostgreSQL refuses, is left as it
   * was and listed in `refused`; the others are updated.
   */
  mergeTraits(updates: TraitUpdate[]): Promise<{ updated: number; refused: Array<{ customerId: string; reason: string }> }>;
}

export interface TraitUpdate {
  customerId: string;
  traits: Record<string, unknown>;
  /** An email address for a profile that has none (one the customer's events gave is kept). */
  email?: string;
}

export interface ProfileLimits {
  maxTraits: number;
  maxTraitKeyChars: number;
  maxTraitValueBytes: number;
  maxProfileBytes: number;
}

/** A profile update that can never succeed as sent: retrying it is pointless. */
export class ProfileLimitError extends Error {
  readonly code = 'PROFILE_LIMIT';
  constructor(message: string) {
    super(message);
    this.name = 'ProfileLimitError';
  }
}
