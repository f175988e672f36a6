import type { Redact } from './redact';

/**
 * A provider's own words (an error body) as a run or a log may carry them: secrets redacted, then
 * cut to a length (in this order: a cut could leave part of a secret behind).
 */
export class ProviderText {
  constructor(
    private readonly redact: Redact,
    private readonly maxChars: number,
  ) {}

  cap(text: string): string {
    const clean = this.redact(text);
    return clean.length <= this.maxChars ? clean : `${clean.slice(0, this.maxChars)}… (${clean.length - this.maxChars} more characters)`;
  }

  /** A body that said nothing readable, quoted as it came. */
  quote(text: string): string {
    return text.trim() ? JSON.stringify(this.cap(text.trim())) : 'an empty body';
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
