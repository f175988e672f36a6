import type { Config } from '../config';
import type { MessageRequest, OutgoingMessage } from '../channels/port';
import { GeneratedContentComposer, type PinnedContent } from '../content/compose-generated';
import { NoContentGenerator } from '../content/none';
import type { ProfileView } from '../profiles/port';
import { engines, type Engines } from './liquid';
import { renderTemplate } from './render';
import type { TemplateStore } from './template-store';
import { templateLimits } from './validate';
import { templateVariables } from './variables';

/**
 * Turns a send request into the message a channel gets: the recipient from the profile, the
 * content rendered from the template's version (the current one, or the one an earlier attempt
 * of the same send used, so a retry sends the same words), or written by a model when the step
 * asks for it (src/content/compose-generated.ts), with the source recorded. Throws TemplateRenderError when this
 * customer's data cannot fill the template.
 */
export class MessageComposer {
  private readonly liquid: Engines;

  constructor(
    private readonly templates: TemplateStore,
    config: Config,
    /** For send steps with `generate`; the template is rendered first either way, as the fallback. */
    private readonly generated: GeneratedContentComposer = new GeneratedContentComposer(new NoContentGenerator(), config.content),
  ) {
    this.liquid = engines(templateLimits(config));
  }

  /** The current version of a template, or undefined when it is not published. */
  async currentVersion(templateId: string): Promise<string | undefined> {
    return (await this.templates.get(templateId))?.version;
  }

  /** `pinned`: the content an earlier attempt of this send chose (from the send ledger), sent again as it was. */
  async compose(request: MessageRequest, profile: ProfileView, version: string | undefined, options: { pinned?: PinnedContent; signal?: AbortSignal } = {}): Promise<OutgoingMessage> {
    const { contact } = profile;
    const recipient = { externalId: request.customerId, ...(contact?.email ? { email: contact.email } : {}), ...(contact?.phone ? { phone: contact.phone } : {}) };
    const published = version === undefined ? undefined : await this.templates.get(request.template, version);
    if (!published) return { ...request, recipient, contentMissing: `template "${request.template}" is not published ('waymark templates publish')` };
    if (published.definition.channel !== request.channel) {
      return { ...request, recipient, contentMissing: `template "${request.template}" is for ${published.definition.channel}, the step sends ${request.channel}` };
    }
    const variables = templateVariables({
      customerId: request.customerId,
      profile,
      eventProperties: request.eventProperties ?? {},
      journey: { id: request.journeyId, name: request.journeyName ?? request.journeyId, version: request.journeyVersion },
      stepId: request.stepId,
    });
    const content = renderTemplate(published.definition, variables, this.liquid);
    const message = { ...request, recipient, templateVersion: published.version };
    if (!request.generate) return { ...message, content, contentSource: { kind: 'template' } };
    return { ...message, ...(await this.generated.compose({ brief: request.generate.brief, baseline: content, template: published.definition, variables, ...options })) };
  }
}
