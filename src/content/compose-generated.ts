import type { RenderedContent } from '../channels/port';
import type { Template } from '../templates/schema';
import type { TemplateVariables } from '../templates/variables';
import { guardrailBreach, maxCharsFor, type ContentSettings } from './guardrails';
import { htmlFromText } from './html';
import { ContentGenerationError, type ContentFailureCode, type ContentGenerator, type ContentSource, type Generation, type GeneratedContent } from './port';

/** What the first attempt of a send chose, from the send ledger: a retry sends the same words. */
export interface PinnedContent {
  source: ContentSource;
  /** The model's content (model sources only); template content is rendered again from the pinned version. */
  content?: RenderedContent;
}

export interface GenerateInput {
  brief: string;
  /** The template rendered for this customer: the fallback. */
  baseline: RenderedContent;
  template: Template;
  variables: TemplateVariables;
  pinned?: PinnedContent;
  signal?: AbortSignal;
}

export interface ComposedContent {
  content: RenderedContent;
  contentSource: ContentSource;
}

const pick = (values: Record<string, unknown>, names: readonly string[]) => Object.fromEntries(names.filter((n) => values[n] !== undefined).map((n) => [n, values[n]]));

/**
 * The facts about this customer a prompt may carry: the traits and event properties the template
 * declares (what its author chose to use), the customer's locale and the journey's name. Built
 * from this one customer's variables, so no other customer's data can reach the prompt; contact
 * addresses and consent never do.
 */
export function customerFacts(variables: TemplateVariables, declared: Template['variables']): Record<string, unknown> {
  return {
    traits: pick(variables.traits, declared.traits),
    event: pick(variables.event, declared.event),
    ...(variables.contact.locale ? { locale: variables.contact.locale } : {}),
    journey: variables.journey.name,
  };
}

/** Generated fields as the content a channel sends: an email's html is its text, escaped into paragraphs. */
function asRendered(content: GeneratedContent): RenderedContent {
  return content.channel === 'email' ? { ...content, html: htmlFromText(content.text) } : content;
}

/**
 * Content for a send step with `generate`: the model's, when it answers with content that passes
 * the guardrails; otherwise the template's (already rendered, so the fallback is deterministic),
 * with the reason recorded. Only a cancelled send rejects.
 */
export class GeneratedContentComposer {
  constructor(
    private readonly generator: ContentGenerator,
    private readonly settings: ContentSettings,
  ) {}

  async compose({ brief, baseline, template, variables, pinned, signal }: GenerateInput): Promise<ComposedContent> {
    if (pinned) return pinned.source.kind === 'model' && pinned.content ? { content: pinned.content, contentSource: pinned.source } : { content: baseline, contentSource: pinned.source };
    const fallback = (code: ContentFailureCode, reason: string): ComposedContent => ({ content: baseline, contentSource: { kind: 'fallback', code, reason } });
    let generation: Generation;
    try {
      generation = await this.generator.generate({
        channel: baseline.channel,
        baseline,
        brief,
        customer: customerFacts(variables, template.variables),
        maxChars: maxCharsFor(baseline.channel, this.settings),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      return err instanceof ContentGenerationError ? fallback(err.code, err.message) : fallback('CONTENT_FAILED', (err as Error).message);
    }
    if (generation.content.channel !== baseline.channel) return fallback('CONTENT_INVALID', `the generator wrote ${generation.content.channel} content for a ${baseline.channel} message`);
    const breach = guardrailBreach(generation.content, baseline, this.settings);
    if (breach) return fallback('CONTENT_GUARDRAIL', breach);
    return { content: asRendered(generation.content), contentSource: { kind: 'model', model: generation.model, ...(generation.modelVersion ? { modelVersion: generation.modelVersion } : {}) } };
  }
}
