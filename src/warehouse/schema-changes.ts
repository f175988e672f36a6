import type { ExportProfile, JsonType } from './export-profile';

/** A field of an export that is not what it was: never dropped without a word. */
export interface SchemaChange {
  field: string;
  change: 'added' | 'missing' | 'retyped';
  /** For people: "in 40 of 40 rows, not loaded", "was string, now number"... */
  detail: string;
}

/** How a field was seen in an earlier batch of the same export: its JSON types, comma-separated, sorted. */
export type EarlierTypes = Map<string, string>;

export const typesText = (types: Set<JsonType>): string => [...types].sort().join(',');

/** Types that text cannot hold as the source meant them: the raw layer keeps their JSON text. */
const NOT_TEXT: ReadonlySet<string> = new Set(['object', 'array']);

/**
 * What changed in an export's fields: against the fields Waymark declares for it (src/warehouse/
 * sources.ts), a field the file carries and raw does not keep is `added` (it is not loaded: the
 * model must learn it), a declared field no row carries (not even as null) is `missing`; against the last published
 * batch of the same export (`earlier`), a field whose JSON types differ is `retyped` (a number
 * sent as text keeps its value; an object where text was is not what the models read). With no
 * earlier batch, a declared field that arrives as an object or array is `retyped` too.
 */
export function schemaChanges(declared: readonly string[], profile: ExportProfile, earlier: EarlierTypes | undefined): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const rows = profile.lines - profile.unreadable;
  if (!rows) return changes;
  const known = new Set(declared);
  for (const [field, seen] of profile.fields) {
    if (!known.has(field)) changes.push({ field, change: 'added', detail: `in ${seen.keyed} of ${rows} rows; not a field of this export, so not loaded` });
  }
  for (const field of declared) {
    const seen = profile.fields.get(field);
    if (!seen) {
      changes.push({ field, change: 'missing', detail: `in none of ${rows} rows` });
      continue;
    }
    if (!seen.present) continue; // sent, always null: nothing to compare (null_share judges critical fields)
    const now = typesText(seen.types);
    const before = earlier?.get(field);
    if (before !== undefined && before !== '' && before !== now) changes.push({ field, change: 'retyped', detail: `was ${before}, now ${now}` });
    else if (before === undefined && [...seen.types].some((t) => NOT_TEXT.has(t))) changes.push({ field, change: 'retyped', detail: `${now}, where text is expected` });
  }
  return changes.sort((a, b) => a.field.localeCompare(b.field));
}
