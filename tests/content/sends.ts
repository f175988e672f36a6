import { randomUUID } from 'node:crypto';
import { deliverOnce, type DeliveryDeps } from '../../activities/deliver';
import type { Config } from '../../src/config';
import { SendLedger } from '../../src/channels/ledger';
import { LocalChannel, type OutboxRecord } from '../../src/channels/local';
import type { MessageChannel, MessageRequest } from '../../src/channels/port';
import { generatedContent } from '../../src/content/open';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { MessageComposer } from '../../src/templates/compose';
import { engines } from '../../src/templates/liquid';
import { TemplateStore } from '../../src/templates/template-store';
import { sealTemplate, templateLimits, validateTemplate } from '../../src/templates/validate';
import { testMessage } from '../support/messages';

export const START_LINK = 'https://app.fieldnote.example/start?c=';

/** An email template with a trait, a default and a link that carries the customer id. */
export const WELCOME = {
  id: 'welcome-gen',
  channel: 'email',
  variables: { traits: ['first_name', 'plan'] },
  subject: 'Welcome to Fieldnote, {{ first_name | default: "there" }}',
  html: '<p>Hi {{ first_name | default: "there" }}</p><p><a href="https://app.fieldnote.example/start?c={{ customer.id | url_encode }}">Start</a></p>',
  text: 'Hi {{ first_name | default: "there" }}, your {{ plan | default: "free" }} workspace is ready.\n\nStart: https://app.fieldnote.example/start?c={{ customer.id | url_encode }}',
};

/** A customer with traits and contact fields whose values are all unique to them. */
export interface Customer {
  id: string;
  firstName: string;
  plan: string;
  email: string;
}

/**
 * The send path of one test config on its own database: the real composer (with the generator
 * config picks), ledger, profiles and local channel, and WELCOME published.
 */
export async function sendPath(config: Config) {
  const store = new Store(config);
  const templates = new TemplateStore(store);
  const validated = validateTemplate(WELCOME, engines(templateLimits(config)));
  if (!validated.ok) throw new Error(JSON.stringify(validated.issues));
  await templates.publish(sealTemplate(validated.template), 'welcome-gen.yaml', 'test');
  const outbox = new LocalChannel(store);
  const ledger = new SendLedger(store);
  const profiles = new PgProfileStore(store, 10, config.limits);
  const deps: DeliveryDeps = {
    channel: outbox,
    composer: new MessageComposer(templates, config, generatedContent(config)),
    ledger,
    profiles,
    policy: { caps: [], capOverflow: 'defer', quietHours: '', defaultTimezone: 'UTC' },
  };

  return {
    store,
    outbox,
    ledger,
    deps,
    /** A new customer with a profile in the store. */
    async customer(name: string): Promise<Customer> {
      const unique = randomUUID().slice(0, 8);
      const customer = { id: `${name.toLowerCase()}-${unique}`, firstName: `${name}${unique}`, plan: `plan${unique}`, email: `${name.toLowerCase()}.${unique}@example.com` };
      await profiles.apply(customer.id, { traits: { first_name: customer.firstName, plan: customer.plan }, contact: { email: customer.email, locale: 'en-GB' } }, `p-${unique}`);
      return customer;
    },
    /** WELCOME to `customer` under a new send key, with `generate` unless `brief` is null. */
    request(customer: Customer, brief: string | null = 'A warmer welcome that names their plan'): MessageRequest {
      return testMessage(`send-${randomUUID()}`, { customerId: customer.id, template: WELCOME.id, ...(brief === null ? {} : { generate: { brief } }) });
    },
    /** Sends it through deliverOnce (optionally on another channel), and reads back what the outbox recorded. */
    async send(request: MessageRequest, channel: MessageChannel = outbox): Promise<OutboxRecord> {
      await deliverOnce(request, { ...deps, channel });
      const recorded = (await outbox.list(request.customerId)).find((m) => m.key === request.key);
      if (!recorded) throw new Error(`nothing recorded for ${request.key}`);
      return recorded;
    },
    /** The content source the send ledger recorded for a key. */
    async ledgerSource(request: MessageRequest) {
      return (await ledger.forCustomer(request.customerId)).find((e) => e.key === request.key)?.contentSource;
    },
  };
}

/** What the template renders for `customer`: the fallback. */
export function templateContent(customer: Customer) {
  const link = `${START_LINK}${customer.id}`;
  return {
    channel: 'email',
    subject: `Welcome to Fieldnote, ${customer.firstName}`,
    html: `<p>Hi ${customer.firstName}</p><p><a href="${link}">Start</a></p>`,
    text: `Hi ${customer.firstName}, your ${customer.plan} workspace is ready.\n\nStart: ${link}`,
  };
}
