import { variableOf, type Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import { clip } from './echo';
import { ApiError, formatPath } from './errors';

type Path = ReadonlyArray<PropertyKey>;
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/**
 * What one event may carry into a customer's data. Traits are merged into the profile, which
 * the workers cap (WAYMARK_MAX_PROFILE_BYTES): an event whose traits alone exceed it could never
 * be merged, so it is refused here, where the sender still learns about it.
 */
export function checkLimits(event: CustomerEvent, limits: Config['limits'], at: Path, maxEchoChars: number): ApiError | undefined {
  const where = (...path: PropertyKey[]) => clip(formatPath([...at, ...path]), maxEchoChars);
  const refuse = (code: ConstructorParameters<typeof ApiError>[0], path: string, what: string, setting: keyof Config['limits']) =>
    new ApiError(code, path, `${path} ${what} (${variableOf(`limits.${setting}`)}); send less`);

  const propertiesBytes = bytesOf(event.properties);
  if (propertiesBytes > limits.maxPropertiesBytes) {
    return refuse('PROPERTIES_TOO_LARGE', where('properties'), `is ${propertiesBytes} bytes as JSON; at most ${limits.maxPropertiesBytes} are allowed`, 'maxPropertiesBytes');
  }
  const traits = event.context?.traits;
  if (!traits) return undefined;
  const keys = Object.keys(traits);
  if (keys.length > limits.maxTraits) {
    return refuse('TOO_MANY_TRAITS', where('context', 'traits'), `has ${keys.length} traits; at most ${limits.maxTraits} are allowed`, 'maxTraits');
  }
  for (const key of keys) {
    if (key.length > limits.maxTraitKeyChars) {
      return refuse('TRAIT_KEY_TOO_LONG', where('context', 'traits', key), `is a trait name of ${key.length} characters; at most ${limits.maxTraitKeyChars} are allowed`, 'maxTraitKeyChars');
    }
    const valueBytes = bytesOf(traits[key]);
    if (valueBytes > limits.maxTraitValueBytes) {
      return refuse('TRAIT_VALUE_TOO_LARGE', where('context', 'traits', key), `is ${valueBytes} bytes as JSON; at most ${limits.maxTraitValueBytes} are allowed per trait`, 'maxTraitValueBytes');
    }
  }
  const traitsBytes = bytesOf(traits);
  if (traitsBytes > limits.maxProfileBytes) {
    return refuse('TRAITS_TOO_LARGE', where('context', 'traits'), `is ${traitsBytes} bytes as JSON, more than a whole profile may hold (${limits.maxProfileBytes})`, 'maxProfileBytes');
  }
  return undefined;
}
