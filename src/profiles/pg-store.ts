import type { Store } from '../store/store';
import { ProfileLimitError, type Consent, type ContactFields, type ProfileChanges, type ProfileLimits, type ProfileStore, type ProfileView, type TraitUpdate } from './port';
import { checkProfileLimits } from './limits';
import { StoreDataError } from '../store/data-error';
import { findUnstorable, UNSTORABLE_WHAT } from '../store/unstorable';
import { redactContacts } from '../redact';

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

/** Traits after `changes`: a value replaces, null removes. */
function merged(traits: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const next = { ...traits };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}

/**
 * What in a profile about to be written PostgreSQL would refuse, as a reason that names the trait
 * or contact field but quotes no value (nor a key inside a trait's value, which is data too);
 * undefined when there is none. Run after checkProfileLimits, so a trait's name is short.
 */
function unstorableIn(profile: Omit<ProfileRow, 'applied'>): string | undefined {
  const found = findUnstorable(profile);
  if (!found) return undefined;
  const [section, field] = found.path as [keyof typeof profile, string];
  // JSON.stringify writes a NUL or a lone surrogate in the name as an escape, printable anywhere.
  const name = `${section === 'traits' ? 'trait' : `${section} field`} ${redactContacts(JSON.stringify(field))}`;
  const where = found.path.length > 2 ? `${name}, inside its value,` : found.inKey ? `the name of ${name}` : name;
  return `${where} holds ${UNSTORABLE_WHAT[found.kind]}`;
}

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
      const traits = merged(current.traits, changes.traits ?? {});
      checkProfileLimits(traits, this.limits);
      const contact = { ...current.contact, ...changes.contact };
      const consent = { ...current.consent, ...changes.consent };
      const refusal = unstorableIn({ traits, contact, consent });
      if (refusal) throw new StoreDataError(`${refusal}; the update is refused (a retry would fail the same way)`);
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

  /** One transaction for all of `updates`: rows are locked in customer order, as `apply` locks one. */
  mergeTraits(updates: TraitUpdate[]): Promise<{ updated: number; refused: Array<{ customerId: string; reason: string }> }> {
    if (updates.length === 0) return Promise.resolve({ updated: 0, refused: [] });
    const ids = [...new Set(updates.map((u) => u.customerId))].sort();
    return this.store.transaction(async (client) => {
      await client.query('INSERT INTO profiles (customer_id) SELECT unnest($1::text[]) ON CONFLICT (customer_id) DO NOTHING', [ids]);
      const { rows } = await client.query<{ customer_id: string; traits: Record<string, unknown>; contact: ContactFields }>(
        'SELECT customer_id, traits, contact FROM profiles WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE',
        [ids],
      );
      const next = new Map(rows.map((r) => [r.customer_id, { traits: r.traits, contact: r.contact, changed: false }]));
      const refused: Array<{ customerId: string; reason: string }> = [];
      for (const { customerId, traits, email } of updates) {
        const profile = next.get(customerId)!;
        const candidate = merged(profile.traits, traits);
        try {
          checkProfileLimits(candidate, this.limits);
        } catch (err) {
          if (!(err instanceof ProfileLimitError)) throw err;
          refused.push({ customerId, reason: err.message });
          continue;
        }
        // One customer's value PostgreSQL refuses would fail the whole statement, and every customer with it.
        const refusal = unstorableIn({ traits: candidate, contact: email === undefined ? {} : { email }, consent: {} });
        if (refusal) {
          refused.push({ customerId, reason: refusal });
          continue;
        }
        Object.assign(profile, { traits: candidate, changed: true }, email && !profile.contact.email ? { contact: { ...profile.contact, email } } : {});
      }
      const changed = [...next].filter(([, p]) => p.changed);
      await client.query(
        `UPDATE profiles AS p SET traits = u.traits, contact = u.contact, updated_at = now()
         FROM unnest($1::text[], $2::jsonb[], $3::jsonb[]) AS u(customer_id, traits, contact) WHERE p.customer_id = u.customer_id`,
        [changed.map(([id]) => id), changed.map(([, p]) => JSON.stringify(p.traits)), changed.map(([, p]) => JSON.stringify(p.contact))],
      );
      return { updated: changed.length, refused };
    });
  }
}
