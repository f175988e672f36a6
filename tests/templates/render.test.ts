import path from 'node:path';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { loadConfig } from '../../src/config';
import type { Journey } from '../../src/journey/schema';
import { checkTemplateFiles, validTemplates } from '../../src/templates/catalog';
import { engines } from '../../src/templates/liquid';
import { renderTemplate, TemplateRenderError } from '../../src/templates/render';
import type { Template } from '../../src/templates/schema';
import { templateLimits, validateTemplate } from '../../src/templates/validate';
import { templateVariables } from '../../src/templates/variables';
import { ROOT } from '../support/cli';

/** What a customer gets: every channel's fields, defaults, escaping in HTML, and nothing half-filled. */

const liquid = engines(templateLimits(loadConfig({})));

function template(input: Record<string, unknown>): Template {
  const result = validateTemplate({ id: 't', ...input }, liquid);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.template;
}

const journey = { id: 'onboarding', name: 'Onboarding', version: 'abc123def456' };
const vars = (profile: Record<string, unknown>, event: Record<string, unknown> = {}) => templateVariables({ customerId: 'ada', profile, eventProperties: event, journey, stepId: 'welcome' });

const EMAIL = {
  channel: 'email',
  variables: { traits: ['first_name', 'plan'], event: ['coupon'] },
  subject: 'Hi {{ first_name | default: "there" }}',
  preheader: '{% if plan %}Your {{ plan }} plan{% endif %}',
  html: '<p>Hi {{ first_name | default: "there" }}</p><a href="https://x.example/?c={{ customer.id }}&amp;j={{ journey.id }}">go</a>',
  text: 'Hi {{ first_name | default: "there" }}, use {{ event.coupon | default: "no code" }} ({{ journey.name }}, {{ journey.step }}, {{ contact.email }})',
};

describe('renderTemplate', () => {
  it('renders an email from traits, contact, customer, event and journey variables', () => {
    const content = renderTemplate(template(EMAIL), vars({ first_name: 'Ada', plan: 'pro', contact: { email: 'ada@example.com' } }, { coupon: 'STAY20' }), liquid);
    expect(content).toEqual({
      channel: 'email',
      subject: 'Hi Ada',
      preheader: 'Your pro plan',
      html: '<p>Hi Ada</p><a href="https://x.example/?c=ada&amp;j=onboarding">go</a>',
      text: 'Hi Ada, use STAY20 (Onboarding, welcome, ada@example.com)',
    });
  });

  it('uses the default for a missing trait, and leaves out an optional field that renders empty', () => {
    const content = renderTemplate(template(EMAIL), vars({ contact: { email: 'x@example.com' } }), liquid);
    expect(content).toEqual(expect.objectContaining({ subject: 'Hi there', text: 'Hi there, use no code (Onboarding, welcome, x@example.com)' }));
    expect(content).not.toHaveProperty('preheader');
  });

  it('refuses a missing variable that has no default, naming the field and the variable', () => {
    const render = () => renderTemplate(template(EMAIL), vars({ first_name: 'Ada' }), liquid);
    expect(render).toThrow(TemplateRenderError);
    expect(render).toThrow('template "t", field text: this customer has no "contact.email" (row 1 of the field); give it a fallback with | default: "...", or wrap it in {% if contact.email %}');
  });

  it('escapes what variables print in HTML fields, and only there', () => {
    const name = '<script>alert("x")</script> & Co';
    const content = renderTemplate(template(EMAIL), vars({ first_name: name, contact: { email: 'a@example.com' } }), liquid);
    expect(content).toMatchObject({ subject: `Hi ${name}`, html: expect.stringContaining('<p>Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</p>') });
    if (content.channel !== 'email') throw new Error('email expected');
    expect(content.html).not.toContain('<script>');
    expect(content.text).toContain(name);
  });

  it('keeps one-line fields on one line whatever a value holds', () => {
    const content = renderTemplate(template(EMAIL), vars({ first_name: 'Ada\r\nBcc: all@example.com', contact: { email: 'a@example.com' } }), liquid);
    expect(content).toMatchObject({ subject: 'Hi Ada Bcc: all@example.com', text: expect.stringContaining('Hi Ada\r\nBcc:') });
  });

  it('renders sms, push and in_app', () => {
    const profile = { first_name: 'Ada' };
    const sms = template({ channel: 'sms', variables: { traits: ['first_name'] }, text: 'Hi {{ first_name }}, reply STOP to opt out' });
    const push = template({ channel: 'push', variables: { traits: ['first_name'] }, title: 'Hey {{ first_name }}', body: 'New in {{ journey.name }}' });
    const inApp = template({ channel: 'in_app', variables: { traits: ['nickname'] }, title: '{{ nickname | default: "" }}', body: 'Welcome back' });
    expect(renderTemplate(sms, vars(profile), liquid)).toEqual({ channel: 'sms', text: 'Hi Ada, reply STOP to opt out' });
    expect(renderTemplate(push, vars(profile), liquid)).toEqual({ channel: 'push', title: 'Hey Ada', body: 'New in Onboarding' });
    expect(renderTemplate(inApp, vars(profile), liquid)).toEqual({ channel: 'in_app', body: 'Welcome back' });
    expect(renderTemplate(inApp, vars({ nickname: 'Countess' }), liquid)).toEqual({ channel: 'in_app', title: 'Countess', body: 'Welcome back' });
  });

  it('refuses output that still holds a placeholder (from a value), or a required field that renders empty', () => {
    const sms = template({ channel: 'sms', variables: { traits: ['first_name'] }, text: 'Hi {{ first_name | default: "" }}' });
    expect(() => renderTemplate(sms, vars({ first_name: 'Hi {{ name }}' }), liquid)).toThrow(/field text: the rendered text still holds a Liquid output "\{\{" \("\{\{ name \}\}", row 1\)/);
    expect(() => renderTemplate(sms, vars({ first_name: '*|FNAME|*' }), liquid)).toThrow(/still holds a Mailchimp "\*\|NAME\|\*" merge tag/);
    expect(() => renderTemplate(sms, vars({ first_name: '%%first_name%%' }), liquid)).toThrow(/still holds a Salesforce/);
    const empty = template({ channel: 'push', variables: { traits: ['first_name'] }, title: '{{ first_name | default: "" }}', body: 'x' });
    expect(() => renderTemplate(empty, vars({}), liquid)).toThrow('template "t", field title: renders empty for this customer; give its variables a | default: "..."');
  });

  it('stops a render that runs longer than WAYMARK_TEMPLATE_RENDER_LIMIT', () => {
    // The setting's unit is the second; the engine's budget is in milliseconds, so a short one keeps the test quick.
    const quick = engines({ ...templateLimits(loadConfig({})), renderLimitMs: 50 });
    // A loop that stays within WAYMARK_TEMPLATE_MEMORY_LIMIT (it prints nothing) but takes far longer than 50 ms.
    const loop = template({ channel: 'sms', text: '{% for i in (1..2000000) %}{% endfor %}x' });
    expect(() => renderTemplate(loop, vars({}), quick)).toThrow(/field text: template render limit exceeded \(row 1 of the field\): a loop runs too long \(WAYMARK_TEMPLATE_RENDER_LIMIT/);
  });

  it('renders every shipped template for a customer with no traits at all (as the demo customers are)', () => {
    const templates = validTemplates(checkTemplateFiles([path.join(ROOT, 'journeys/templates')], liquid, templateLimits(loadConfig({}))).checked);
    const sends = (Object.values(SHIPPED_JOURNEYS) as Journey[]).flatMap((j) => Object.entries(j.steps).flatMap(([stepId, s]) => (s.kind === 'send' ? [{ j, stepId, template: s.template }] : [])));
    expect(sends).toHaveLength(12);
    for (const { j, stepId, template: id } of sends) {
      const found = templates.find((t) => t.published.definition.id === id)!;
      const variables = templateVariables({ customerId: 'grace', profile: { contact: { email: 'grace@example.com' } }, journey: { id: j.id, name: j.name, version: 'v1' }, stepId });
      const content = renderTemplate(found.published.definition, variables, liquid);
      expect(JSON.stringify(content)).toContain(found.published.definition.channel === 'push' ? 'friend' : 'there');
      if (content.channel === 'email') expect(content.html).toContain(`utm_campaign=${j.id}`);
    }
  });
});
