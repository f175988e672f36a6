import type { Config } from '../config';
import type { MessageRequest, OutgoingMessage } from '../channels/port';
import type { ProfileView } from '../profiles/port';
import { engines, type Engines } from './liquid';
import { renderTemplate } from './render';
import type { TemplateStore } from './template-store';
import { templateLimits } from './validate';
import { templateVariables } from './variables';

/**
 * Turns a send request into the message a channel gets: the recipient from the profile, the
 * content rendered from the template's version (the current one, or the one an earlier attempt
 * of the same send used, so a retry sends the same words). Throws TemplateRenderError when this
 * customer's data cannot fill the template.
 */
export class MessageComposer {
  private readonly liquid: Engines;

  constructor(
    private readonly templates: TemplateStore,
    config: Config,
  ) {
    this.liquid = engines(templateLimits(config));
  }

  /** The current version of a template, or undefined when it is not published. */
  async currentVersion(templateId: string): Promise<string | undefined> {
    return (await this.templates.get(templateId))?.version;
  }

  async compose(request: MessageRequest, profile: ProfileView, version: string | undefined): Promise<OutgoingMessage> {
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
    return { ...request, recipient, content: renderTemplate(published.definition, variables, this.liquid), templateVersion: published.version };
  }
}
