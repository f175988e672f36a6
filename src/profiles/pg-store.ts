import type { Store } from '../store/store';
import type { Consent, ContactFields, ProfileChanges, ProfileLimits, ProfileStore, ProfileView } from './port';
import { checkProfileLimits } from './limits';

interface ProfileRow {
  traits: Record<string, unknown>;
  contact: ContactFields;
  consent: Consent;
  applied: string[];
}

const view = ({ traits, contact, consent }: Omit<ProfileRow, 'applied'>): ProfileView => ({
  ...traits,
  ...(Object.keys(contact).length ? { contact } : {}),
  ...(Object.keys(consent).length ? { consent } : {}),
});

/** Profiles in the shared store. An update locks the customer's row, so workers on several machines apply updates one at a time. */
export class PgProfileStore implements ProfileStore {
  constructor(
    private readonly store: Store,
    /** How many recent update keys to remember per customer (WAYMARK_PROFILE_KEEP_KEYS). */
    private readonly keepKeys: number,
    private readonly limits: ProfileLimits,
  ) {}

  async get(customerId: string): Promise<ProfileView> {
    const { rows } = await this.store.query<ProfileRow>('SELECT traits, contact, consent FROM profiles WHERE customer_id = $1', [customerId]);
    return rows[0] ? view(rows[0]) : {};
  }

  apply(customerId: string, changes: ProfileChanges, key: string): Promise<ProfileView> {
    return this.store.transaction(async (client) => {
      await client.query('INSERT INTO profiles (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING', [customerId]);
      const { rows } = await client.query<ProfileRow>('SELECT traits, contact, consent, applied FROM profiles WHERE customer_id = $1 FOR UPDATE', [customerId]);
      const current = rows[0]!;
      if (current.applied.includes(key)) return view(current);
      const traits = { ...current.traits };
      for (const [name, value] of Object.entries(changes.traits ?? {})) {
        if (value === null) delete traits[name];
        else traits[name] = value;
      }
      checkProfileLimits(traits, this.limits);
      const contact = { ...current.contact, ...changes.contact };
      const consent = { ...current.consent, ...changes.consent };
      const applied = [...current.applied, key].slice(-this.keepKeys);
      await client.query('UPDATE profiles SET traits = $2, contact = $3, consent = $4, applied = $5, updated_at = now() WHERE customer_id = $1', [
        customerId,
        JSON.stringify(traits),
        JSON.stringify(contact),
        JSON.stringify(consent),
        applied,
      ]);
      return view({ traits, contact, consent });
    });
  }
}
