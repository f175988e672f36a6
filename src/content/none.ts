import { ContentGenerationError, type ContentGenerator, type Generation } from './port';

/** The laptop default: no model is configured, so every send with `generate` uses its template. */
export class NoContentGenerator implements ContentGenerator {
  readonly name = 'none';

  async generate(): Promise<Generation> {
    throw new ContentGenerationError('CONTENT_DISABLED', 'no model is configured (WAYMARK_CONTENT_GENERATOR=none)');
  }
}
