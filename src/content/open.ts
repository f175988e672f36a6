import type { Config } from '../config';
import { configuredSecrets, secretRedactor } from '../redact';
import { breakerFor } from '../resilience/breakers';
import { GeneratedContentComposer } from './compose-generated';
import { GeminiContentGenerator } from './gemini';
import { NoContentGenerator } from './none';
import type { ContentGenerator } from './port';

/** The generator config picks (WAYMARK_CONTENT_GENERATOR); nothing else knows which one it got. */
export function openContentGenerator(config: Config): ContentGenerator {
  if (config.content.generator !== 'gemini') return new NoContentGenerator();
  return new GeminiContentGenerator(config.content, secretRedactor(configuredSecrets(config)), config.circuit.failures > 0 ? breakerFor('gemini', config.circuit) : undefined);
}

/** Generated content with config's generator and guardrails. */
export function generatedContent(config: Config): GeneratedContentComposer {
  return new GeneratedContentComposer(openContentGenerator(config), config.content);
}
