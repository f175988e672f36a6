import { ProfileLimitError, type ProfileLimits } from './port';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Throws ProfileLimitError, naming the limit and its variable, when `traits` break one of `limits`. */
export function checkProfileLimits(traits: Record<string, unknown>, limits: ProfileLimits): void {
  const keys = Object.keys(traits);
  if (keys.length > limits.maxTraits) {
    throw new ProfileLimitError(`the profile would have ${keys.length} traits; at most ${limits.maxTraits} are allowed (WAYMARK_MAX_TRAITS)`);
  }
  for (const key of keys) {
    if (key.length > limits.maxTraitKeyChars) {
      throw new ProfileLimitError(`trait name "${key.slice(0, 40)}…" has ${key.length} characters; at most ${limits.maxTraitKeyChars} (WAYMARK_MAX_TRAIT_KEY_CHARS)`);
    }
    const size = bytes(traits[key]);
    if (size > limits.maxTraitValueBytes) {
      throw new ProfileLimitError(`trait "${key}" is ${size} bytes as JSON; at most ${limits.maxTraitValueBytes} (WAYMARK_MAX_TRAIT_VALUE_BYTES)`);
    }
  }
  const total = bytes(traits);
  if (total > limits.maxProfileBytes) {
    throw new ProfileLimitError(`the profile would be ${total} bytes as JSON; at most ${limits.maxProfileBytes} (WAYMARK_MAX_PROFILE_BYTES)`);
  }
}
